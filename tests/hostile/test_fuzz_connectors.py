"""Fuzzing every connector's payload parsing: a broken payload is a typed error or a skip.

Each connector runs through its real ``fetch`` against the scripted, documented responses of
``tests/support/connector_cases``; every JSON body it parses (``Response.json`` for the
requests-based SDKs, Google's ``JsonModel.deserialize`` for YouTube and Blogger) is broken by
:func:`tests.support.hostile.mutate` first. The contract: ``fetch`` returns a well-typed
:class:`~connectors.Snapshot` (malformed items skipped) or raises a
:class:`~connectors.ConnectorError`; a ``KeyError``, ``TypeError`` or ``AttributeError``
never escapes, and neither does the token.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import json
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

import httplib2
import pytest
import requests
from googleapiclient.http import HttpMockSequence
from googleapiclient.model import JsonModel
from hypothesis import example, given, settings
from hypothesis import strategies as st

from connectors import (
    AccountRef,
    AuthRevoked,
    ConnectorError,
    PermanentError,
    RateLimited,
    Snapshot,
    google,
)
from connectors.sandbox import SandboxConnector
from tests.support.connector_cases.facebook import FakeGraph
from tests.support.hostile import DELETE, mutate

PLATFORMS = ("facebook", "instagram", "x", "youtube", "wordpress", "blogger")
ERRORS = ("rate_limited", "auth_revoked", "server_error")


@contextlib.contextmanager
def broken_payloads(data: st.DataObject) -> Iterator[list[int]]:
    """Every JSON body parsed inside the block is mutated; yields the count of bodies seen."""
    seen = [0]
    real_json, real_deserialize = requests.Response.json, JsonModel.deserialize

    def response_json(self: requests.Response, **kwargs: Any) -> Any:
        seen[0] += 1
        return mutate(real_json(self, **kwargs), data)

    def deserialize(self: JsonModel, content: Any) -> Any:
        seen[0] += 1
        return mutate(real_deserialize(self, content), data)

    def error_loads(content: Any) -> Any:  # Google's error bodies (connectors.google)
        seen[0] += 1
        return mutate(json.loads(content), data)

    with (
        mock.patch.object(requests.Response, "json", response_json),
        mock.patch.object(JsonModel, "deserialize", deserialize),
        mock.patch.object(google, "json", SimpleNamespace(loads=error_loads)),
        mock.patch.object(FakeGraph, "answer", _answer_or_404),
        mock.patch.object(HttpMockSequence, "request", _next_or_404),
    ):
        yield seen


# A broken payload can make a connector ask for something the script does not hold (a
# mutated paging cursor, a parent comment fetched on its own): the platform says 404.
_graph_answer, _google_request = FakeGraph.answer, HttpMockSequence.request
NOT_FOUND = {"error": {"code": 404, "message": "Not Found", "errors": [{"reason": "notFound"}]}}


def _answer_or_404(self: FakeGraph, request: Any) -> Any:
    try:
        return _graph_answer(self, request)
    except AssertionError:
        return 404, {"Content-Type": "application/json"}, json.dumps(NOT_FOUND)


def _next_or_404(self: HttpMockSequence, *args: Any, **kwargs: Any) -> Any:
    if not self._iterable:
        return httplib2.Response({"status": "404"}), json.dumps(NOT_FOUND).encode()
    return _google_request(self, *args, **kwargs)


def check_snapshot(snapshot: Snapshot) -> None:
    """A snapshot that escaped the parser is well typed all the way down."""
    assert isinstance(snapshot, Snapshot)
    assert isinstance(snapshot.profile.external_id, str)
    for field in ("handle", "display_name", "about", "website", "contact_email"):
        assert isinstance(getattr(snapshot.profile, field), str), field
    for record in (*snapshot.posts, *snapshot.comments):
        assert isinstance(record.external_id, str) and record.external_id
        assert isinstance(record.text, str) and isinstance(record.url, str)
        assert record.created_at.tzinfo is not None
    for post in snapshot.posts:
        for media in post.media:
            assert isinstance(media.url, str) and isinstance(media.alt_text, str)
    for comment in snapshot.comments:
        assert isinstance(comment.post_external_id, str) and comment.post_external_id
        assert isinstance(comment.author_name, str)
    json.dumps(snapshot.cursor)  # the monitor stores it as JSON


def fetch_broken(platform: str, kind: str, data: st.DataObject) -> None:
    case = importlib.import_module(f"tests.support.connector_cases.{platform}").case()
    with broken_payloads(data) as seen:
        try:
            snapshot = case.fetch(kind)
        except ConnectorError as exc:
            assert case.secret not in str(exc)
            return
        finally:
            assert seen[0] >= 1, "no payload was parsed, so nothing was fuzzed"
    check_snapshot(snapshot)


@pytest.mark.parametrize("platform", PLATFORMS)
@settings(max_examples=100)
@given(data=st.data())
def test_broken_payloads_never_escape_as_untyped_errors(platform, data):
    fetch_broken(platform, "full", data)


@pytest.mark.parametrize("platform", PLATFORMS)
@settings(max_examples=50)
@given(kind=st.sampled_from(ERRORS), data=st.data())
def test_broken_error_bodies_still_map_to_the_taxonomy(platform, kind, data):
    fetch_broken(platform, kind, data)


# --- the sandbox platform: a scenario file is its payload ------------------------------------

START = "2026-09-14T15:00:00Z"
SCENARIO = {
    "start": START,
    "accounts": {
        "acct": {
            "profile": {"handle": "@a", "visibility": "public", "comments_enabled": True},
            "profile_changes": [{"at_hours": 1, "visibility": "private"}],
            "posts": [
                {
                    "id": "p1",
                    "at_hours": 1,
                    "text": "Hello",
                    "media": [{"id": "m1", "kind": "photo", "url": "https://x.example/a.jpg"}],
                }
            ],
            "comments": [
                {
                    "id": "c1",
                    "post": "p1",
                    "at_hours": 2,
                    "text": "Hi",
                    "changes": [{"at_hours": 3, "status": "hidden"}],
                }
            ],
            "errors": [{"from_hours": 100, "kind": "rate_limited", "retry_after": 60}],
        }
    },
}


@settings(max_examples=100)
@given(data=st.data())
@example(data=None)  # found by fuzzing: at_hours of -17756944 overflowed the date
def test_broken_sandbox_scenarios_are_permanent_errors_or_skips(data):
    if data is None:
        scenario = copy.deepcopy(SCENARIO)
        scenario["accounts"]["acct"]["posts"][0]["at_hours"] = -17756944
    else:
        scenario = mutate(SCENARIO, data, most=5)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.json"
        path.write_text(json.dumps(scenario), encoding="utf-8", errors="surrogatepass")
        connector = SandboxConnector(
            {"scenario": str(path)}, clock=lambda: datetime(2026, 9, 14, 20, tzinfo=UTC)
        )
        try:
            snapshot = connector.fetch(AccountRef("sandbox", "acct"))
        except ConnectorError:
            return
    check_snapshot(snapshot)


# --- regressions: what fuzzing found, each fixed in the connector ----------------------------


class Replay:
    """Stands in for hypothesis' ``data``: body number ``at`` gets ``edits``, the rest none."""

    def __init__(self, edits: list[tuple[tuple[Any, ...], Any]], at: int = 0) -> None:
        self.steps: list[Any] = [0] * at + [len(edits)]
        self.steps += [x for path, value in edits for x in (path, value)]

    def draw(self, strategy: Any, label: str = "") -> Any:
        return self.steps.pop(0) if self.steps else 0


def test_found_by_fuzzing_x_reply_to_an_id_that_is_not_a_number():
    # The reply's parent id ["None"] reached sorted(key=int): ValueError escaped
    case = importlib.import_module("tests.support.connector_cases.x").case()
    edits = [(("data", 0, "referenced_tweets", 0, "id"), [None])]
    with broken_payloads(Replay(edits, at=1)):  # type: ignore[arg-type]
        snapshot = case.fetch("full")
    check_snapshot(snapshot)


@pytest.mark.parametrize(
    ("platform", "kind", "edits", "error"),
    [
        # tweepy read a null error body with .get(): AttributeError escaped
        ("x", "auth_revoked", [((), DELETE)], AuthRevoked),
        # tweepy read errors that are not objects: TypeError escaped
        ("x", "rate_limited", [(("errors",), [5])], RateLimited),
        # a Graph HTTP 400 whose body was not a Graph error was read as data
        ("facebook", "rate_limited", [(("error",), DELETE)], PermanentError),
        ("instagram", "auth_revoked", [((), [])], PermanentError),
        # a Page whose emails was not a list: TypeError escaped
        ("facebook", "full", [(("emails",), True)], None),
        # Google pages whose items / page token had the wrong type: TypeError escaped
        ("youtube", "full", [(("items",), True)], PermanentError),
        ("blogger", "full", [(("nextPageToken",), {"a": 1})], PermanentError),
        # Google error bodies whose errors list was not a list: TypeError escaped
        ("youtube", "auth_revoked", [(("error", "errors"), True)], AuthRevoked),
        ("blogger", "rate_limited", [(("error", "errors"), True)], RateLimited),
    ],
)
def test_found_by_fuzzing(platform, kind, edits, error):
    case = importlib.import_module(f"tests.support.connector_cases.{platform}").case()
    if error is None:  # the connector copes: the payload is read without the broken field
        with broken_payloads(Replay(edits)):  # type: ignore[arg-type]
            check_snapshot(case.fetch(kind))
        return
    with broken_payloads(Replay(edits)), pytest.raises(error) as raised:  # type: ignore[arg-type]
        case.fetch(kind)
    assert case.secret not in str(raised.value)
