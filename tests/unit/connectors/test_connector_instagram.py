"""The instagram connector against a fake Graph API shaped like the real one.

Each test reads Given (the fake Graph API's answers) / When (a connector call) / Then (the
records, the requests sent, or the error).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from connectors import (
    AuthRevoked,
    ConfigurationError,
    ConnectorError,
    PermanentError,
    RateLimited,
    Snapshot,
    TransientError,
    get_connector,
)
from connectors.graph import GRAPH_VERSION, LOOKBACK, MAX_PAGES
from connectors.instagram import InstagramConnector
from tests.support.connector_cases import KINDS
from tests.support.connector_cases.facebook import (
    AUTH_REVOKED,
    LATER,
    NOW,
    SERVER_ERROR,
    TOKEN,
    FakeGraph,
    edge,
    fb_time,
    graph_error,
    next_url,
)
from tests.support.connector_cases.instagram import (
    ACCOUNT,
    BUC_USAGE,
    CAROUSEL_ID,
    CHILD_PHOTO,
    CHILD_PHOTO_2,
    CHILD_VIDEO,
    IG_USER_ID,
    K1,
    K1_ID,
    K2,
    K4,
    M1,
    M2,
    M3,
    R1,
    RATE_LIMITED,
    USERNAME,
    call,
    carousel,
    carousel_graph,
    case,
    child,
    failing_graph,
    full_graph,
    ig_comment,
    media,
    media_first,
    unchanged_graph,
    user,
)


def query(request: Any) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(request.url).query))


def path(request: Any) -> str:
    return urlsplit(request.url).path


def fetch(
    fake: FakeGraph, cursor: dict | None = None, clock: datetime = NOW
) -> tuple[Snapshot, list[Any]]:
    return call(fake, lambda c: c.fetch(ACCOUNT, cursor), clock)


def fails(fake: FakeGraph, action: Callable[[Any], Any] | None = None) -> ConnectorError:
    with pytest.raises(ConnectorError) as caught:
        call(fake, action or (lambda c: c.fetch(ACCOUNT, None)))
    return caught.value


def with_media(*items: dict) -> FakeGraph:
    """One page of ``items`` (and the newest media's second comment page, if asked for)."""
    return full_graph().on(f"{IG_USER_ID}/media", edge(list(items)))


# --- the first poll --------------------------------------------------------------------------


def test_registry_maps_instagram_to_this_connector() -> None:
    assert get_connector("instagram") is InstagramConnector


def test_first_poll_reads_the_account_media_and_every_page() -> None:
    # Given two pages of media and a second page of the newest media's comments
    # When the first poll runs
    snapshot, sent = fetch(full_graph())
    # Then it asked for the account, both media pages and the comment page
    assert [path(r) for r in sent] == [
        f"/{GRAPH_VERSION}/{IG_USER_ID}",
        f"/{GRAPH_VERSION}/{IG_USER_ID}/media",
        f"/{GRAPH_VERSION}/{IG_USER_ID}/media",
        f"/{GRAPH_VERSION}/{M1}/comments",
    ]
    assert snapshot.requests == len(sent) == 4
    assert all(query(r)["access_token"] == TOKEN for r in sent)
    assert "replies.limit(50){" in query(sent[1])["fields"] and "since" not in query(sent[1])
    assert query(sent[0])["fields"].endswith("media.limit(10){is_comment_enabled}")
    assert [p.external_id for p in snapshot.posts] == [M1, M2, M3]
    assert snapshot.cursor["media"]["comment_counts"] == {M1: 4, M2: 1}
    json.dumps(snapshot.cursor)


def test_profile_is_public_with_biography_and_website() -> None:
    snapshot, _ = fetch(full_graph())
    profile = snapshot.profile
    assert (profile.handle, profile.display_name) == (f"@{USERNAME}", "Riverside Elementary")
    assert profile.about == "Riverside Elementary, Fraser Valley School District 42"
    assert profile.website == "https://riverside.fvsd42.example.ca"
    assert (profile.visibility, profile.comments_held) == ("public", False)


@pytest.mark.parametrize(
    ("flags", "enabled"),
    [([True, False], True), ([False, True], True), ([False, False], False), ([], None)],
)
def test_comments_enabled_when_any_recent_media_accepts_comments(
    flags: list[bool], enabled: bool | None
) -> None:
    snapshot, _ = fetch(full_graph().on(IG_USER_ID, user(flags)))
    assert snapshot.profile.comments_enabled is enabled


@pytest.mark.parametrize(
    ("media_type", "kind"),
    [("IMAGE", "photo"), ("VIDEO", "video")],
)
def test_media_become_public_posts(media_type: str, kind: str) -> None:
    item = media(M2, NOW - timedelta(days=1), "Caption", media_type, None, 0)
    snapshot, _ = fetch(with_media(item))
    (post,) = snapshot.posts
    assert (post.text, post.visibility, post.created_at) == (
        "Caption",
        "public",
        NOW - timedelta(days=1),
    )
    assert post.url == item["permalink"]
    assert [(m.external_id, m.kind, m.url) for m in post.media] == [(M2, kind, item["media_url"])]


# --- carousels: every photo of a post ---------------------------------------------------------


def test_the_media_request_asks_for_each_carousel_child() -> None:
    _, sent = fetch(carousel_graph())
    fields = dict(parse_qsl(urlsplit(sent[1].url).query))["fields"]
    assert "children{id,media_type,media_url}" in fields
    assert "permalink" not in fields.split("children{", 1)[1].split("}", 1)[0]


def test_a_carousel_is_each_of_its_photos_and_videos() -> None:
    # Given a carousel of two photos and a video (the IG Media Children reference's album)
    snapshot, sent = fetch(carousel_graph())
    # When polled, then each child is a Media with its own id: photos photos, videos videos
    (post,) = snapshot.posts
    assert post.external_id == CAROUSEL_ID and post.text == "Sports day!"
    assert [(m.external_id, m.kind) for m in post.media] == [
        (CHILD_PHOTO, "photo"),
        (CHILD_PHOTO_2, "photo"),
        (CHILD_VIDEO, "video"),
    ]
    assert post.media[0].url == child(CHILD_PHOTO, "IMAGE")["media_url"]
    assert len(sent) == 2  # the children came with the media: no extra request


def test_a_child_withheld_for_copyright_keeps_its_place_without_a_url() -> None:
    # Given a child whose media_url Instagram omits (copyrighted material)
    children = [child(CHILD_PHOTO, "IMAGE"), child(CHILD_PHOTO_2, "IMAGE", copyrighted=True)]
    (post,) = fetch(carousel_graph(children))[0].posts
    # Then it is still a photo of the post, with no URL to fetch
    assert [(m.external_id, m.kind, m.url) for m in post.media][1] == (CHILD_PHOTO_2, "photo", "")


def test_a_carousel_answer_without_children_is_the_album_itself() -> None:
    # Given an answer where the carousel's children are missing (not asked for, or dropped)
    item = carousel()
    del item["children"]
    (post,) = fetch(with_media(item))[0].posts
    # Then the album stays one item of unknown kind, as before
    assert [(m.external_id, m.kind) for m in post.media] == [(CAROUSEL_ID, "other")]


def test_comments_carry_status_replies_and_review_by_the_account() -> None:
    snapshot, _ = fetch(full_graph())
    by_id = {c.external_id: c for c in snapshot.comments}
    asked, answer, hidden = by_id[K1_ID], by_id[R1["id"]], by_id[K2["id"]]
    assert asked.replied_by_account and not asked.by_account and asked.author_name == "parent_jl"
    assert answer.by_account and answer.parent_external_id == K1_ID
    assert hidden.status == "hidden" and not hidden.replied_by_account
    assert (
        asked.url == f"https://www.instagram.com/p/C{M1[-4:]}xYz/" and asked.post_external_id == M1
    )
    assert by_id[K4["id"]].created_at == NOW - timedelta(hours=30)


# --- later polls -----------------------------------------------------------------------------


def test_unchanged_poll_makes_one_request_per_stream_and_asks_only_for_recent_media() -> None:
    # Given the cursor of a first poll, an hour ago
    first, _ = fetch(full_graph())
    # When nothing changed (same comment counts)
    snapshot, sent = fetch(unchanged_graph(), first.cursor, LATER)
    # Then the account and one page of recent media are asked for, no comment page
    assert snapshot.requests == len(sent) == 2
    assert query(sent[1])["since"] == str(int((LATER - LOOKBACK).timestamp()))
    assert {p.external_id for p in snapshot.posts} <= {p.external_id for p in first.posts}
    assert snapshot.cursor["media"]["comment_counts"] == {M1: 4, M2: 1}


def test_a_grown_comment_count_has_the_next_comment_page_read() -> None:
    # Given a previous poll that saw three comments on the newest media
    cursor = {"media": {"as_of": NOW.isoformat(), "backfill": None, "comment_counts": {M1: 3}}}
    fake = full_graph().on(f"{IG_USER_ID}/media", media_first(more=False))
    # When it now has four
    snapshot, sent = fetch(fake, cursor, LATER)
    # Then its next comment page is read, and the new count kept
    assert path(sent[-1]) == f"/{GRAPH_VERSION}/{M1}/comments"
    assert query(sent[-1])["after"] == "SzFhZAfter"
    assert snapshot.requests == 3
    assert snapshot.cursor["media"]["comment_counts"][M1] == 4


def test_comment_pages_cut_short_by_the_budget_are_read_again_next_time() -> None:
    # Given a newest media whose comments run over more pages than one poll may read
    pages = MAX_PAGES + 2
    first_page = edge([K2], more=next_url(M1, "comments", "k1"))
    item = media(M1, NOW - timedelta(hours=3), "Busy", "IMAGE", first_page, 500)
    fake = FakeGraph().on(IG_USER_ID, user()).on(f"{IG_USER_ID}/media", edge([item]))
    for n in range(1, pages):
        extra = ig_comment(100 + n, NOW - timedelta(hours=3, minutes=-n), f"comment {n}")
        more = next_url(M1, "comments", f"k{n + 1}") if n + 1 < pages else None
        fake.on(f"{M1}/comments", edge([extra], more=more), after=f"k{n}")
    # When the first poll runs
    snapshot, sent = fetch(fake)
    # Then it stops at the budget and does not record the count, so the next poll reads on
    assert snapshot.requests == 1 + MAX_PAGES
    assert M1 not in snapshot.cursor["media"]["comment_counts"]


def test_old_media_comment_pages_are_not_followed() -> None:
    old = media(M3, NOW - LOOKBACK - timedelta(hours=1), "Old", "IMAGE", edge([K4], more="x"), 9)
    snapshot, sent = fetch(with_media(old))
    assert len(sent) == 2 and snapshot.cursor["media"]["comment_counts"] == {}


def test_stray_comment_counts_in_the_cursor_are_ignored() -> None:
    cursor = {"media": {"as_of": NOW.isoformat(), "backfill": None, "comment_counts": {M1: "x"}}}
    fake = full_graph().on(f"{IG_USER_ID}/media", media_first(more=False))
    snapshot, sent = fetch(fake, cursor, LATER)
    assert path(sent[-1]) == f"/{GRAPH_VERSION}/{M1}/comments"


def test_a_cursor_this_connector_did_not_write_is_refused() -> None:
    error = fails(full_graph(), lambda c: c.fetch(ACCOUNT, {"media": {"as_of": 12}}))
    assert isinstance(error, PermanentError) and "cursor" in str(error)


# --- malformed items -------------------------------------------------------------------------


def test_malformed_media_is_skipped_and_named_by_id(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="connectors")
    snapshot, _ = fetch(full_graph(m2_created=None))
    assert snapshot.skipped == (M2,)
    assert [p.external_id for p in snapshot.posts] == [M1, M3]
    assert M2 in caplog.text and "Basketball" not in caplog.text


@pytest.mark.parametrize(
    ("comments", "label"),
    [
        ([K4, {"text": "no id", "timestamp": fb_time(NOW)}], f"{M2}/comments[1]"),
        ([K4, {"id": "178", "text": "bad time", "timestamp": "yesterday"}], "178"),
        ([K4, {"id": "179", "text": 42, "timestamp": fb_time(NOW)}], "179"),
        (
            [{**K4, "replies": {"data": [{"id": 5, "text": "x", "timestamp": fb_time(NOW)}]}}],
            f"{K4['id']}/replies[0]",
        ),
    ],
)
def test_malformed_comment_is_skipped_and_the_rest_kept(comments: list, label: str) -> None:
    item = media(M2, NOW - timedelta(days=1), "Game day", "VIDEO", edge(comments), len(comments))
    snapshot, _ = fetch(with_media(item))
    assert snapshot.skipped == (label,)
    assert K4["id"] in {c.external_id for c in snapshot.comments}


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "headers", "kind", "says"),
    [
        (400, AUTH_REVOKED, {}, AuthRevoked, "password changed"),
        (400, graph_error(190, "Session expired", subcode=463), {}, AuthRevoked, "expired"),
        (
            400,
            RATE_LIMITED,
            {"X-Business-Use-Case-Usage": json.dumps(BUC_USAGE)},
            RateLimited,
            "420",
        ),
        (400, graph_error(4, "(#4) Application request limit reached"), {}, RateLimited, "3600"),
        (
            403,
            graph_error(10, "(#10) Application does not have permission for this action"),
            {},
            ConfigurationError,
            "a permission this call needs",
        ),
        (
            400,
            graph_error(200, "(#200) Requires instagram_basic permission"),
            {},
            ConfigurationError,
            "instagram_basic",
        ),
        (500, SERVER_ERROR, {}, TransientError, "temporary"),
        (503, "<html>Service Unavailable</html>", {}, TransientError, "503"),
        (
            400,
            graph_error(100, "Tried accessing nonexisting field (biography)"),
            {},
            PermanentError,
            "Graph error 100",
        ),
    ],
)
def test_graph_errors_map_onto_the_taxonomy(
    status: int, body: Any, headers: dict, kind: type[ConnectorError], says: str
) -> None:
    error = fails(failing_graph(status, body, headers))
    assert type(error) is kind and says in str(error)
    assert error.platform == "instagram" and TOKEN not in str(error)
    if isinstance(error, RateLimited):
        assert error.retry_after == float(says)


def test_network_failure_is_transient_and_names_no_url() -> None:
    exc = requests.ConnectionError(f"Max retries exceeded with url: /x?access_token={TOKEN}")
    error = fails(FakeGraph().on(IG_USER_ID, exc))
    assert isinstance(error, TransientError) and TOKEN not in str(error)


def test_token_never_shows_in_errors_repr_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    assert TOKEN not in repr(InstagramConnector({"access_token": TOKEN}, requests.Session()))
    fetch(full_graph(m2_created=None))
    for body in (AUTH_REVOKED, RATE_LIMITED, SERVER_ERROR):
        error = fails(failing_graph(400, body))
        assert TOKEN not in str(error) and TOKEN not in repr(error)
    assert TOKEN not in caplog.text


def test_missing_token_is_a_configuration_error_naming_the_key() -> None:
    connector = InstagramConnector({}, requests.Session(), clock=lambda: NOW)
    with pytest.raises(ConfigurationError, match="'access_token'.*hallwatch accounts credentials"):
        connector.fetch(ACCOUNT, None)


# --- check_credentials, hide and unhide -------------------------------------------------------


def test_check_credentials_makes_one_cheap_call() -> None:
    fake = FakeGraph().on(IG_USER_ID, {"id": IG_USER_ID, "username": USERNAME})
    said, sent = call(fake, lambda c: c.check_credentials(ACCOUNT))
    assert len(sent) == 1 and query(sent[0])["fields"] == "id,username"
    assert f"@{USERNAME}" in said and IG_USER_ID in said


@pytest.mark.parametrize(("hide", "value"), [(True, "true"), (False, "false")])
def test_hide_and_unhide_post_hide_to_the_comment(hide: bool, value: str) -> None:
    fake = FakeGraph().on(K1_ID, {"success": True}, method="POST")
    if hide:
        _, sent = call(fake, lambda c: c.hide_comment(ACCOUNT, K1_ID))
    else:
        _, sent = call(fake, lambda c: c.unhide_comment(ACCOUNT, K1_ID))
    (request,) = sent
    assert request.method == "POST" and path(request) == f"/{GRAPH_VERSION}/{K1_ID}"
    assert dict(parse_qsl(request.body)) == {"hide": value, "access_token": TOKEN}


def test_hide_needs_the_manage_comments_permission() -> None:
    body = graph_error(200, "(#200) Requires instagram_manage_comments permission")
    fake = FakeGraph().on(K1["id"], body, status=403, method="POST")
    error = fails(fake, lambda c: c.hide_comment(ACCOUNT, K1["id"]))
    assert isinstance(error, ConfigurationError) and "instagram_manage_comments" in str(error)


# --- the contract case -----------------------------------------------------------------------


def test_contract_case_covers_every_kind() -> None:
    instagram = case()
    full = instagram.fetch("full")
    assert (len(full.posts), len(full.comments)) == (instagram.full_posts, instagram.full_comments)
    assert instagram.fetch("unchanged", full.cursor).requests <= instagram.streams
    expected = {
        "auth_revoked": AuthRevoked,
        "rate_limited": RateLimited,
        "server_error": TransientError,
    }
    for kind in KINDS:
        if kind in expected:
            with pytest.raises(expected[kind]):
                instagram.fetch(kind)
    assert instagram.fetch("malformed").skipped
