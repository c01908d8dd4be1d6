"""The sandbox connector: a scenario file served as if it were a platform.

Each test reads Given (a scenario and a simulated clock) / When (a fetch) / Then (the
snapshot or the error). The last tests load the bundled demo district.
"""

from __future__ import annotations

import csv
import json
import logging
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import connectors
from connectors import (
    AccountRef,
    AuthRevoked,
    ConfigurationError,
    PermanentError,
    RateLimited,
    Snapshot,
    TransientError,
)
from connectors.sandbox import SandboxConnector, load_scenario
from tests.support.paths import SANDBOX

START = datetime(2026, 9, 14, 15, 0, tzinfo=UTC)
ACCOUNT = AccountRef(platform="sandbox", external_id="acct-1", handle="@riverside")
DEMO = SANDBOX
SECRET_TEXT = "Emma's phone is 555-0100"


class Clock:
    """A simulated clock, moved by setting ``hours`` after ``START``."""

    def __init__(self, hours: float = 0) -> None:
        self.hours = hours

    def __call__(self) -> datetime:
        return START + timedelta(hours=self.hours)


def base_account() -> dict[str, Any]:
    return {
        "profile": {
            "handle": "@riverside",
            "display_name": "Riverside Elementary",
            "about": "Riverside Elementary, Fraser Valley School District",
            "website": "https://riverside.fvsd.example.ca",
            "visibility": "private",
            "comments_enabled": True,
        },
        "profile_changes": [{"at_hours": 24, "visibility": "public"}],
        "posts": [
            {"id": "p1", "at_hours": 1, "text": "Picture day is Thursday", "visibility": "private"},
            {
                "id": "p2",
                "at_hours": 3,
                "text": "Science fair photos",
                "url": "https://riverside.example/p2",
                "media": [{"id": "m1", "kind": "photo", "url": "https://x/m1.jpg"}],
            },
            {"id": "p3", "at_hours": 30, "text": "Day two news"},
        ],
        "comments": [
            {
                "id": "c1",
                "post": "p1",
                "at_hours": 2,
                "text": "Thanks!",
                "author_name": "A Parent",
                "changes": [{"at_hours": 12, "status": "hidden"}],
            },
            {
                "id": "c2",
                "post": "p1",
                "at_hours": 4,
                "text": "What time?",
                "changes": [{"at_hours": 40, "replied_by_account": True}],
            },
            {"id": "c3", "post": "p3", "at_hours": 31, "text": "Great", "status": "held"},
        ],
    }


def write_scenario(tmp_path: Path, accounts: dict[str, Any] | None = None) -> Path:
    path = tmp_path / "scenario.json"
    data = {"start": "2026-09-14T15:00:00Z", "accounts": accounts or {"acct-1": base_account()}}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def connector(scenario: Path, clock: Clock) -> SandboxConnector:
    return SandboxConnector(credentials={"scenario": str(scenario)}, transport=None, clock=clock)


def ids(snapshot: Snapshot) -> tuple[list[str], list[str]]:
    return (
        [p.external_id for p in snapshot.posts],
        [c.external_id for c in snapshot.comments],
    )


# --- the seam -----------------------------------------------------------------------------


def test_get_connector_returns_the_sandbox_class() -> None:
    # Given the connector registry / When asked for "sandbox"
    cls = connectors.get_connector("sandbox")
    # Then it is the sandbox connector, for the sandbox platform
    assert cls is SandboxConnector
    assert cls.platform == "sandbox"


# --- polling ------------------------------------------------------------------------------


def test_first_poll_returns_everything_up_to_now(tmp_path: Path) -> None:
    # Given a scenario and a clock ten hours after start
    sandbox = connector(write_scenario(tmp_path), Clock(10))
    # When the account is polled for the first time
    snap = sandbox.fetch(ACCOUNT)
    # Then every post and comment up to now is returned, nothing from the future
    assert ids(snap) == (["p1", "p2"], ["c1", "c2"])
    assert snap.cursor == {"as_of": (START + timedelta(hours=10)).isoformat()}
    assert snap.requests == 1 + 2
    assert snap.skipped == ()
    # And each record carries the scenario's fields, with built or given URLs
    p1, p2 = snap.posts
    assert p1.text == "Picture day is Thursday" and p1.visibility == "private"
    assert p1.url == "https://sandbox.example/acct-1/p1"
    assert p2.url == "https://riverside.example/p2" and p2.visibility == "unknown"
    assert [(m.external_id, m.kind, m.alt_text) for m in p2.media] == [("m1", "photo", "")]
    c1, c2 = snap.comments
    assert c1.url == "https://sandbox.example/acct-1/p1#c1"
    assert c1.post_external_id == "p1" and c1.author_name == "A Parent"
    assert c1.created_at == START + timedelta(hours=2)
    assert (c2.status, c2.replied_by_account) == ("published", False)


@pytest.mark.parametrize("empty", [None, {}])
def test_empty_cursor_means_first_poll(tmp_path: Path, empty: dict | None) -> None:
    # Given a scenario at ten hours / When polled with no cursor or an empty one
    snap = connector(write_scenario(tmp_path), Clock(10)).fetch(ACCOUNT, empty)
    # Then it is a first poll
    assert ids(snap) == (["p1", "p2"], ["c1", "c2"])


def test_second_poll_at_same_now_returns_nothing(tmp_path: Path) -> None:
    # Given a first poll at ten hours
    sandbox = connector(write_scenario(tmp_path), Clock(10))
    first = sandbox.fetch(ACCOUNT)
    # When polled again with its cursor and the clock unchanged
    second = sandbox.fetch(ACCOUNT, first.cursor)
    # Then there are no posts and no comments, only the profile and the same cursor
    assert ids(second) == ([], [])
    assert second.cursor == first.cursor
    assert second.requests == 1
    assert second.profile == first.profile


def test_later_poll_returns_new_items_and_changed_comments(tmp_path: Path) -> None:
    # Given a first poll at ten hours
    clock = Clock(10)
    sandbox = connector(write_scenario(tmp_path), clock)
    cursor = sandbox.fetch(ACCOUNT).cursor
    # When polled again at 35 hours with that cursor
    clock.hours = 35
    snap = sandbox.fetch(ACCOUNT, cursor)
    # Then only the new post, the new comment and the comment hidden at 12 h come back
    assert ids(snap) == (["p3"], ["c1", "c3"])
    by_id = {c.external_id: c for c in snap.comments}
    assert by_id["c1"].status == "hidden"
    assert by_id["c3"].status == "held"
    assert snap.requests == 2


def test_comment_change_is_returned_with_its_state_as_of_now(tmp_path: Path) -> None:
    # Given a poll at 35 hours (before the reply to c2 at 40 h)
    clock = Clock(35)
    sandbox = connector(write_scenario(tmp_path), clock)
    before = {c.external_id: c for c in sandbox.fetch(ACCOUNT).comments}
    # When polled at 41 hours with the cursor from 35 hours
    cursor = {"as_of": (START + timedelta(hours=35)).isoformat()}
    clock.hours = 41
    after = sandbox.fetch(ACCOUNT, cursor)
    # Then the reply was not visible before, and now c2 alone returns, replied to
    assert before["c2"].replied_by_account is False
    assert ids(after) == ([], ["c2"])
    assert after.comments[0].replied_by_account is True
    assert after.comments[0].created_at == START + timedelta(hours=4)


@pytest.mark.parametrize(
    ("hours", "visibility"), [(23.99, "private"), (24, "public"), (44, "public")]
)
def test_profile_changes_apply_at_their_time(tmp_path: Path, hours: float, visibility: str) -> None:
    # Given a profile that is private until a change to public at 24 h
    sandbox = connector(write_scenario(tmp_path), Clock(hours))
    # When the account is polled at ``hours``
    profile = sandbox.fetch(ACCOUNT).profile
    # Then the change is applied exactly from its time on, other fields kept
    assert profile.visibility == visibility
    assert profile.external_id == "acct-1"
    assert profile.handle == "@riverside"
    assert profile.website == "https://riverside.fvsd.example.ca"
    assert profile.comments_enabled is True


def test_profile_changes_apply_in_time_order(tmp_path: Path) -> None:
    # Given changes listed out of order: public at 24 h, unlisted at 5 h
    account = base_account()
    account["profile_changes"] = [
        {"at_hours": 24, "visibility": "public"},
        {"at_hours": 5, "visibility": "unlisted", "about": "Renamed"},
    ]
    sandbox = connector(write_scenario(tmp_path, {"acct-1": account}), Clock(30))
    # When polled after both
    profile = sandbox.fetch(ACCOUNT).profile
    # Then the later change wins and the earlier one's other fields stay
    assert (profile.visibility, profile.about) == ("public", "Renamed")


def test_handle_defaults_to_the_account_handle(tmp_path: Path) -> None:
    # Given an account with an empty profile
    path = write_scenario(tmp_path, {"acct-1": {}})
    # When polled
    snap = connector(path, Clock(1)).fetch(ACCOUNT)
    # Then the profile takes the account's handle and unknown settings
    assert snap.profile.handle == "@riverside"
    assert snap.profile.visibility == "unknown"
    assert snap.profile.comments_enabled is None
    assert ids(snap) == ([], [])


# --- scheduled errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("auth_revoked", AuthRevoked),
        ("rate_limited", RateLimited),
        ("transient", TransientError),
        ("permanent", PermanentError),
        ("configuration", ConfigurationError),
    ],
)
def test_errors_are_raised_from_their_time(tmp_path: Path, kind: str, error: type) -> None:
    # Given an account whose scenario raises ``kind`` from 24 h on
    account = base_account()
    account["errors"] = [{"from_hours": 24, "kind": kind, "message": "boom", "retry_after": 90}]
    clock = Clock(23.5)
    sandbox = connector(write_scenario(tmp_path, {"acct-1": account}), clock)
    # When polled before 24 h / Then it works
    assert sandbox.fetch(ACCOUNT).profile.external_id == "acct-1"
    # When polled at and after 24 h / Then the mapped error is raised, for the sandbox
    for hours in (24, 45):
        clock.hours = hours
        with pytest.raises(error, match="boom") as caught:
            sandbox.fetch(ACCOUNT)
        assert caught.value.platform == "sandbox"
        assert caught.value.code == kind
    if kind == "rate_limited":
        assert caught.value.retry_after == 90


def test_error_stops_at_until_hours(tmp_path: Path) -> None:
    # Given a transient error between 5 h and 6 h
    account = base_account()
    account["errors"] = [{"from_hours": 5, "until_hours": 6, "kind": "transient"}]
    clock = Clock(5.5)
    sandbox = connector(write_scenario(tmp_path, {"acct-1": account}), clock)
    # When polled inside the window / Then it fails
    with pytest.raises(TransientError):
        sandbox.fetch(ACCOUNT)
    # When polled at 6 h / Then it works again
    clock.hours = 6
    assert ids(sandbox.fetch(ACCOUNT)) == (["p1", "p2"], ["c1", "c2"])


def test_rate_limited_defaults_to_sixty_seconds(tmp_path: Path) -> None:
    # Given a rate limit with no retry_after
    account = {"errors": [{"from_hours": 0, "kind": "rate_limited"}]}
    sandbox = connector(write_scenario(tmp_path, {"acct-1": account}), Clock(1))
    # When polled / Then it asks to come back in 60 s
    with pytest.raises(RateLimited) as caught:
        sandbox.fetch(ACCOUNT)
    assert caught.value.retry_after == 60
    assert caught.value.retriable is True


# --- malformed items ----------------------------------------------------------------------


def test_malformed_items_are_skipped_and_listed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Given posts and comments that are broken in different ways among good ones
    account = base_account()
    account["posts"] += [
        {"at_hours": 2, "text": SECRET_TEXT},
        {"id": "p-no-time", "text": SECRET_TEXT},
        {"id": "p-bad-vis", "at_hours": 2, "text": SECRET_TEXT, "visibility": "friends"},
        {"id": "p-bad-media", "at_hours": 2, "text": SECRET_TEXT, "media": [{"kind": "photo"}]},
        "not an object",
    ]
    account["comments"] += [
        {"id": "c-bad-status", "post": "p1", "at_hours": 2, "text": SECRET_TEXT, "status": "x"},
        {"id": "c-no-post", "at_hours": 2, "text": SECRET_TEXT},
        {"id": "c-typo", "post": "p1", "at_hour": 2, "text": SECRET_TEXT},
        {"id": "c-bad-change", "post": "p1", "at_hours": 2, "changes": [{"at_hours": 3}]},
    ]
    sandbox = connector(write_scenario(tmp_path, {"acct-1": account}), Clock(10))
    # When the account is polled for the first time
    with caplog.at_level(logging.WARNING, logger="connectors.sandbox"):
        snap = sandbox.fetch(ACCOUNT)
    # Then the good items are kept and each bad one is listed by id or index
    assert ids(snap) == (["p1", "p2"], ["c1", "c2"])
    assert snap.skipped == (
        "posts[3]",
        "p-no-time",
        "p-bad-vis",
        "p-bad-media",
        "posts[7]",
        "c-bad-status",
        "c-no-post",
        "c-typo",
        "c-bad-change",
    )
    assert snap.requests == 3
    # And a warning names each one, never the item's text
    assert len(caplog.records) == 9
    assert all(r.levelno == logging.WARNING for r in caplog.records)
    assert "p-bad-vis" in caplog.text and "visibility" in caplog.text
    assert SECRET_TEXT not in caplog.text


def test_malformed_items_are_not_reported_again(tmp_path: Path) -> None:
    # Given a first poll that skipped an item with no time and one with a bad status
    account = base_account()
    account["posts"].append({"id": "p-no-time"})
    account["comments"].append({"id": "c-bad", "post": "p1", "at_hours": 2, "status": "x"})
    clock = Clock(10)
    sandbox = connector(write_scenario(tmp_path, {"acct-1": account}), clock)
    assert sandbox.fetch(ACCOUNT).skipped == ("p-no-time", "c-bad")
    # When polled later with the cursor
    clock.hours = 35
    later = sandbox.fetch(ACCOUNT, {"as_of": (START + timedelta(hours=10)).isoformat()})
    # Then the same broken items are not listed again, and new items still come
    assert later.skipped == ()
    assert ids(later) == (["p3"], ["c1", "c3"])


# --- refusals -----------------------------------------------------------------------------


def test_unknown_account_is_a_permanent_error(tmp_path: Path) -> None:
    # Given a scenario without the account
    sandbox = connector(write_scenario(tmp_path), Clock(1))
    other = AccountRef(platform="sandbox", external_id="nobody")
    # When it is polled / Then a permanent error says it is not in the scenario
    with pytest.raises(PermanentError, match="'nobody' is not in the scenario") as caught:
        sandbox.fetch(other)
    assert str(tmp_path / "scenario.json") in str(caught.value)
    assert caught.value.retriable is False


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(None, "cannot read it", id="missing-file"),
        pytest.param("{not json", "not valid JSON", id="not-json"),
        pytest.param("[]", "at \\$: expected an object", id="not-an-object"),
        pytest.param('{"accounts": {}}', "at \\$.start: missing", id="no-start"),
        pytest.param(
            '{"start": "2026-09-14T15:00:00", "accounts": {}}',
            "ISO 8601 time with a zone",
            id="naive-start",
        ),
        pytest.param(
            '{"start": "2026-09-14T15:00:00Z", "accounts": []}', "\\$.accounts", id="accounts-list"
        ),
        pytest.param(
            '{"start": "2026-09-14T15:00:00Z", "accounts": {"riv-fb": {"profile": '
            '{"visibility": "friends"}}}}',
            'at \\$.accounts\\["riv-fb"\\].profile.visibility',
            id="bad-visibility",
        ),
        pytest.param(
            '{"start": "2026-09-14T15:00:00Z", "accounts": {"a": {"errors": '
            '[{"from_hours": 1, "kind": "boom"}]}}}',
            "at \\$.accounts.a.errors\\[0\\].kind: 'boom' is not allowed.*auth_revoked",
            id="bad-error-kind",
        ),
        pytest.param(
            '{"start": "2026-09-14T15:00:00Z", "accounts": {"a": {"profile_changes": '
            '[{"visibilty": "public", "at_hours": 1}]}}}',
            "profile_changes\\[0\\].visibilty: unknown key.*check the spelling",
            id="typo",
        ),
    ],
)
def test_bad_scenario_file_is_a_permanent_error(
    tmp_path: Path, content: str | None, expected: str
) -> None:
    # Given a scenario file that is missing or invalid
    path = tmp_path / "broken.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    sandbox = connector(path, Clock(1))
    # When an account is polled
    with pytest.raises(PermanentError, match=expected) as caught:
        sandbox.fetch(ACCOUNT)
    # Then the error names the file and says how to fix it
    message = str(caught.value)
    assert str(path) in message and "to fix:" in message
    assert caught.value.platform == "sandbox"


def test_missing_scenario_credential_is_a_permanent_error() -> None:
    # Given a sandbox connector built without a scenario / When polled
    with pytest.raises(PermanentError, match='"scenario"'):
        SandboxConnector(credentials={}, clock=Clock(1)).fetch(ACCOUNT)


def test_bad_cursor_is_a_permanent_error(tmp_path: Path) -> None:
    # Given a scenario / When polled with a cursor from somewhere else
    sandbox = connector(write_scenario(tmp_path), Clock(1))
    for cursor in ({"since_id": "5"}, {"as_of": "yesterday"}, {"as_of": "2026-09-14T15:00:00"}):
        with pytest.raises(PermanentError, match="cursor"):
            sandbox.fetch(ACCOUNT, cursor)


def test_scenario_is_read_once_per_instance(tmp_path: Path) -> None:
    # Given a connector that already polled
    path = write_scenario(tmp_path)
    sandbox = connector(path, Clock(10))
    sandbox.fetch(ACCOUNT)
    # When the file is deleted and the account polled again
    path.unlink()
    # Then the loaded scenario is still served
    assert ids(sandbox.fetch(ACCOUNT)) == (["p1", "p2"], ["c1", "c2"])


# --- time ---------------------------------------------------------------------------------


def test_all_datetimes_are_aware_utc(tmp_path: Path) -> None:
    # Given a clock that reports Vancouver time (UTC-7) ten hours after start
    vancouver = timezone(timedelta(hours=-7))
    sandbox = connector(
        write_scenario(tmp_path), lambda: (START + timedelta(hours=10)).astimezone(vancouver)
    )
    # When polled
    snap = sandbox.fetch(ACCOUNT)
    # Then every time is aware UTC, the cursor included
    times = [p.created_at for p in snap.posts] + [c.created_at for c in snap.comments]
    assert times and all(t.utcoffset() == timedelta(0) and t.tzinfo is UTC for t in times)
    as_of = datetime.fromisoformat(snap.cursor["as_of"])
    assert as_of == START + timedelta(hours=10) and as_of.utcoffset() == timedelta(0)
    assert load_scenario(tmp_path / "scenario.json").start == START


def test_fractional_hours_are_honoured(tmp_path: Path) -> None:
    # Given a post at 1.5 h
    account = {"posts": [{"id": "p", "at_hours": 1.5}]}
    path = write_scenario(tmp_path, {"acct-1": account})
    # When polled just before and at 1.5 h / Then it appears exactly at its time
    assert connector(path, Clock(1.49)).fetch(ACCOUNT).posts == ()
    (post,) = connector(path, Clock(1.5)).fetch(ACCOUNT).posts
    assert post.created_at == START + timedelta(minutes=90)


# --- the bundled demo district ------------------------------------------------------------


def demo_accounts() -> list[dict[str, str]]:
    with (DEMO / "accounts.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_bundled_scenario_covers_every_polled_account() -> None:
    # Given the demo district's scenario and account register
    scenario = load_scenario(DEMO / "scenario.json")
    rows = demo_accounts()
    # When the accounts that are polled (not manual) are listed
    polled = [row for row in rows if row["status"] != "manual"]
    # Then every one of them has a scenario entry, and there are plenty of them
    missing = [row["id"] for row in polled if row["external_id"] not in scenario.accounts]
    assert missing == []
    assert len(rows) >= 15 and len(polled) < len(rows)
    assert scenario.start == START


def test_bundled_scenario_polls_cleanly_on_both_demo_days() -> None:
    # Given every polled demo account and the demo's two poll times (20 h and 45 h)
    rows = [row for row in demo_accounts() if row["status"] != "manual"]
    clock = Clock(20)
    sandbox = SandboxConnector(credentials={"scenario": str(DEMO / "scenario.json")}, clock=clock)
    failures: dict[str, str] = {}
    for row in rows:
        account = AccountRef("sandbox", row["external_id"], row["handle"])
        # When each is polled on day one and again on the next day
        clock.hours = 20
        first = sandbox.fetch(account)
        clock.hours = 45
        try:
            second = sandbox.fetch(account, first.cursor)
        except AuthRevoked:
            failures[row["id"]] = "auth_revoked"
            continue
        # Then nothing in the demo is malformed and the second day brings new activity
        assert first.skipped == second.skipped == (), row["id"]
        assert first.posts and second.posts, row["id"]
    # And only the account meant to lose its credentials fails
    assert failures == {"riv-ig": "auth_revoked"}
