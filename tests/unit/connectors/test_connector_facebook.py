"""The facebook connector against a fake Graph API shaped like the real one.

Each test reads Given (the fake Graph API's answers) / When (a connector call) / Then (the
records, the requests sent, or the error).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

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
from connectors.facebook import ALBUM_PHOTOS, FacebookConnector, media_kind
from connectors.graph import GRAPH_VERSION, LOOKBACK, MAX_PAGES, SLACK
from connectors.http import TIMEOUT
from tests.support.connector_cases import KINDS
from tests.support.connector_cases.facebook import (
    ACCOUNT,
    ALBUM_ATTACHMENT,
    ALBUM_POST,
    AUTH_REVOKED,
    BUC_USAGE,
    C1,
    C5,
    LATER,
    NOW,
    P1,
    P2,
    P3,
    PAGE,
    PAGE_ID,
    PERMISSION_100,
    PERMISSION_283,
    RATE_LIMITED,
    SERVER_ERROR,
    TOKEN,
    FakeGraph,
    Served,
    album,
    album_graph,
    album_photo,
    case,
    edge,
    failing_graph,
    fb_time,
    full_graph,
    graph_error,
    next_url,
    post,
    posts_first,
    run,
    unchanged_graph,
)


def query(request: Any) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(request.url).query))


def path(request: Any) -> str:
    return urlsplit(request.url).path


def fetch(
    fake: FakeGraph, cursor: dict | None = None, clock: datetime = NOW
) -> tuple[Snapshot, list[Any]]:
    return run(fake, lambda c: c.fetch(ACCOUNT, cursor), clock)


def fails(fake: FakeGraph, call: Callable[[Any], Any] | None = None) -> ConnectorError:
    with pytest.raises(ConnectorError) as caught:
        run(fake, call or (lambda c: c.fetch(ACCOUNT, None)))
    return caught.value


# --- the first poll --------------------------------------------------------------------------


def test_registry_maps_facebook_to_this_connector() -> None:
    assert get_connector("facebook") is FacebookConnector


def test_first_poll_reads_page_posts_and_every_page() -> None:
    # Given two pages of posts and a second page of the newest post's comments
    # When the first poll runs
    snapshot, sent = fetch(full_graph())
    # Then it asked for the Page, both post pages and the comment page, at the current version
    assert [path(r) for r in sent] == [
        f"/{GRAPH_VERSION}/{PAGE_ID}",
        f"/{GRAPH_VERSION}/{PAGE_ID}/posts",
        f"/{GRAPH_VERSION}/{PAGE_ID}/posts",
        f"/{GRAPH_VERSION}/{P1}/comments",
    ]
    assert snapshot.requests == len(sent) == 4
    assert "since" not in query(sent[1]) and query(sent[2])["after"] == "UDJhZAfter"
    assert all(query(r)["access_token"] == TOKEN for r in sent)
    assert "comments.filter(stream).order(reverse_chronological)" in query(sent[1])["fields"]
    assert [p.external_id for p in snapshot.posts] == [P1, P2, P3]
    assert snapshot.cursor == {"posts": {"as_of": NOW.isoformat(), "backfill": None}}
    json.dumps(snapshot.cursor)


def test_first_poll_fills_the_profile_from_the_page() -> None:
    snapshot, _ = fetch(full_graph())
    profile = snapshot.profile
    assert (profile.handle, profile.display_name) == ("@riversideelem", "Riverside Elementary")
    assert profile.about == f"{PAGE['about']}\n{PAGE['description']}"
    assert profile.website == "https://riverside.fvsd42.example.ca"
    assert profile.contact_email == "office.riverside@fvsd42.example.ca"
    assert (profile.visibility, profile.comments_enabled, profile.comments_held) == (
        "public",
        True,
        False,
    )


@pytest.mark.parametrize(
    ("is_published", "visibility"),
    [(True, "public"), (False, "unpublished"), (None, "unknown")],
)
def test_page_visibility_follows_is_published(is_published: Any, visibility: str) -> None:
    # Given a Page that is published, unpublished, or does not say
    page = {k: v for k, v in PAGE.items() if k != "is_published"}
    if is_published is not None:
        page["is_published"] = is_published
    # When it is polled
    snapshot, _ = fetch(full_graph().on(PAGE_ID, page))
    # Then the Page and its posts carry that visibility (Pages cannot be private)
    assert snapshot.profile.visibility == visibility
    assert {p.visibility for p in snapshot.posts} == {visibility}


def test_posts_carry_time_permalink_and_photo_alt_text() -> None:
    snapshot, _ = fetch(full_graph())
    first = snapshot.posts[0]
    assert first.created_at == NOW - timedelta(hours=2) and first.created_at.tzinfo is not None
    assert first.url == f"https://www.facebook.com/{PAGE_ID}/posts/122112233445561"
    (photo,) = first.media
    assert (photo.external_id, photo.kind, photo.url) == (
        "122112233440001",
        "photo",
        "https://scontent.example/pic.jpg",
    )
    assert photo.alt_text == "Two kindergarten classes lined up in the gym"


# --- albums: every photo of a post ------------------------------------------------------------


def test_the_posts_request_names_the_attachment_fields_and_asks_for_every_album_photo() -> None:
    # Given any poll
    _, sent = fetch(album_graph(3))
    # Then the posts request names the StoryAttachment fields of the attachments and of their
    # subattachments (media_type is not a default field), and lifts the default of 12 photos
    fields = query(sent[1])["fields"]
    assert "attachments{type,media_type,media,target,url,description," in fields
    assert f"subattachments.limit({ALBUM_PHOTOS}){{type,media_type,media,target,url," in fields


def test_a_30_photo_album_is_30_photos_each_with_its_own_id() -> None:
    # Given a post "Sports day!" whose album holds 30 photos
    snapshot, sent = fetch(album_graph(30))
    # When polled, then each photo is a Media of kind photo, its id the photo's own id
    (album_post,) = snapshot.posts
    assert [m.kind for m in album_post.media] == ["photo"] * 30
    assert [m.external_id for m in album_post.media] == [
        f"12211223344{n:04d}" for n in range(1, 31)
    ]
    assert album_post.media[0].url.startswith("https://scontent-sea1-1.xx.fbcdn.net/")
    assert len(sent) == 2  # the photos came with the posts: no extra request


@pytest.mark.parametrize("named", [True, False])
def test_album_photos_are_photos_with_or_without_media_type(named: bool) -> None:
    # Given an album whose photos say type "photo", with media_type or (as the API answers
    # when their fields are not named) without it
    photos = [album_photo(1, named=named, caption="Relay race"), album_photo(2, named=named)]
    item = post(ALBUM_POST, NOW, "Sports day!", edge([]), attachments=album(photos, named=named))
    fake = FakeGraph().on(PAGE_ID, PAGE).on(f"{PAGE_ID}/posts", edge([item]))
    # When polled, then both are photos and a description stands in for alt text
    (album_post,) = fetch(fake)[0].posts
    assert [(m.kind, m.alt_text) for m in album_post.media] == [
        ("photo", "Relay race"),
        ("photo", ""),
    ]


@pytest.mark.parametrize(
    ("attachment", "kind"),
    [
        ({"type": "photo", "media": {"image": {"src": "https://s.example/a.jpg"}}}, "photo"),
        ({"type": "cover_photo", "media": {"image": {"src": "https://s.example/c.jpg"}}}, "photo"),
        ({"media_type": "photo", "type": "photo"}, "photo"),
        (
            {"type": "video_autoplay", "media": {"image": {"src": "https://s.example/v.jpg"}}},
            "video",
        ),
        ({"media_type": "video", "type": "video_inline"}, "video"),
        ({"type": "animated_image_autoplay"}, "video"),
        # untyped, with an image: an album photo read without its fields named
        ({"media": {"image": {"src": "https://s.example/u.jpg"}}}, "photo"),
        # a link preview's image is the linked page's, not the Page's photo
        ({"type": "share", "media": {"image": {"src": "https://s.example/l.jpg"}}}, "other"),
        ({"type": "event"}, "other"),
        ({"type": "album"}, "other"),
        ({}, "other"),
    ],
)
def test_attachment_kinds_follow_the_fields_the_api_returns(attachment: dict, kind: str) -> None:
    assert media_kind(attachment) == kind


def test_an_album_larger_than_one_page_is_read_to_its_end() -> None:
    # Given an album of 130 photos: 100 nested, the rest on the subattachments' next page
    snapshot, sent = fetch(album_graph(130))
    # When polled, then every photo is read, for one more request
    assert len(snapshot.posts[0].media) == 130
    assert len({m.external_id for m in snapshot.posts[0].media}) == 130
    assert path(sent[-1]) == f"/{GRAPH_VERSION}/{ALBUM_ATTACHMENT}/subattachments"
    assert len(sent) == 3


def test_comments_carry_status_authors_replies_and_review_by_the_page() -> None:
    snapshot, _ = fetch(full_graph())
    by_id = {c.external_id: c for c in snapshot.comments}
    hidden, reply, asked = (
        by_id["122112233445561_503"],
        by_id["122112233445561_502"],
        by_id[C1["id"]],
    )
    assert hidden.status == "hidden" and not hidden.by_account
    assert reply.by_account and reply.parent_external_id == C1["id"]
    assert asked.replied_by_account and asked.author_name == "Jordan Lee"
    assert asked.url == C1["permalink_url"] and asked.post_external_id == P1
    assert by_id["122112233445562_505"].status == "published"
    # An older comment the Page answered comes from the reply's ``parent`` field
    assert by_id["122112233445563_500"].replied_by_account
    assert by_id["122112233445563_500"].created_at == NOW - timedelta(days=9)


# --- later polls -----------------------------------------------------------------------------


def test_unchanged_poll_makes_one_request_per_stream_and_asks_only_for_recent_posts() -> None:
    # Given the cursor of a first poll, an hour ago
    first, _ = fetch(full_graph())
    # When nothing changed
    snapshot, sent = fetch(unchanged_graph(), first.cursor, LATER)
    # Then the Page and one page of recent posts are asked for, no comment page
    assert snapshot.requests == len(sent) == 2
    assert query(sent[1])["since"] == str(int((LATER - LOOKBACK).timestamp()))
    assert "after" not in query(sent[1])
    assert {p.external_id for p in snapshot.posts} <= {p.external_id for p in first.posts}
    assert snapshot.cursor["posts"]["as_of"] == LATER.isoformat()


def test_poll_after_a_long_gap_asks_for_everything_since_the_previous_poll() -> None:
    previous = NOW - timedelta(days=5)
    cursor = {"posts": {"as_of": previous.isoformat(), "backfill": None}}
    _, sent = fetch(full_graph(), cursor)
    assert query(sent[1])["since"] == str(int((previous - SLACK).timestamp()))


def test_busy_post_has_its_next_comment_page_read_when_the_whole_page_is_new() -> None:
    # Given a previous poll three hours ago and a recent post whose nested page is all newer
    cursor = {"posts": {"as_of": (NOW - timedelta(hours=3)).isoformat(), "backfill": None}}
    fake = full_graph().on(f"{PAGE_ID}/posts", posts_first(more=False))
    # When the account is polled
    snapshot, sent = fetch(fake, cursor)
    # Then the post's next comment page is read with the same fields, without the token copy
    assert path(sent[-1]) == f"/{GRAPH_VERSION}/{P1}/comments"
    assert query(sent[-1])["after"] == "QzFhZAfter" and query(sent[-1])["access_token"] == TOKEN
    assert parse_qs(urlsplit(sent[-1].url).query)["access_token"] == [TOKEN]
    assert "122112233445561_504" in {c.external_id for c in snapshot.comments}


def endless_posts(
    fake: FakeGraph, count: int, start: datetime = NOW - timedelta(days=20)
) -> FakeGraph:
    """``count`` pages of one post each, an hour apart from ``start`` back."""
    for n in range(count):
        post_id = f"{PAGE_ID}_9{n:05d}"
        item = post(post_id, start - timedelta(hours=n), f"post {n}", edge([]))
        more = next_url(PAGE_ID, "posts", f"a{n + 1}") if n + 1 < count else None
        fake.on(f"{PAGE_ID}/posts", edge([item], more=more), after=f"a{n}" if n else None)
    return fake


def test_paging_stops_at_the_page_budget_and_resumes_from_the_cursor() -> None:
    # Given a Page with more pages of old posts than one poll reads
    fake = endless_posts(FakeGraph().on(PAGE_ID, PAGE), MAX_PAGES + 3)
    # When the first poll runs
    snapshot, sent = fetch(fake)
    # Then it stops after MAX_PAGES post pages and keeps the rest for later
    oldest = NOW - timedelta(days=20, hours=MAX_PAGES - 1)
    assert snapshot.requests == len(sent) == 1 + MAX_PAGES
    assert snapshot.cursor["posts"]["backfill"] == {"since": None, "until": int(oldest.timestamp())}
    # When the next poll runs, with no new posts and the rest of the history in one page
    until = int(oldest.timestamp())
    rest = [
        post(f"{PAGE_ID}_8{n:05d}", oldest - timedelta(hours=n), "old", edge([])) for n in (1, 2)
    ]
    later = FakeGraph().on(PAGE_ID, PAGE).on(f"{PAGE_ID}/posts", edge([]))
    later.on(f"{PAGE_ID}/posts", edge(rest), after=f"until:{until}")
    resumed, sent = fetch(later, snapshot.cursor, LATER)
    # Then it asks for the recent window, then for the posts before the oldest one read
    assert "since" in query(sent[1]) and "until" not in query(sent[1])
    assert query(sent[2])["until"] == str(until) and "since" not in query(sent[2])
    assert [p.external_id for p in resumed.posts] == [r["id"] for r in rest]
    assert resumed.cursor["posts"]["backfill"] is None


@pytest.mark.parametrize(("pending_since", "merged_since"), [(100, 100), (None, None)])
def test_a_window_that_overflows_widens_the_pending_backfill(
    pending_since: int | None, merged_since: int | None
) -> None:
    # Given history still to read, and more new posts than one poll reads
    backfill = {"since": pending_since, "until": 200}
    cursor = {"posts": {"as_of": (NOW - timedelta(hours=1)).isoformat(), "backfill": backfill}}
    fake = endless_posts(FakeGraph().on(PAGE_ID, PAGE), MAX_PAGES + 3, NOW)
    # When the account is polled
    snapshot, _ = fetch(fake, cursor)
    # Then the rest of the window joins the pending range, to be read on later polls
    oldest = NOW - timedelta(hours=MAX_PAGES - 1)
    expected = {"since": merged_since, "until": int(oldest.timestamp())}
    assert snapshot.cursor["posts"]["backfill"] == expected


def test_paging_stops_once_posts_are_older_than_asked_for() -> None:
    # Given an answer with a next page although it already reaches before ``since``
    cursor = {"posts": {"as_of": LATER.isoformat(), "backfill": None}}
    fake = endless_posts(FakeGraph().on(PAGE_ID, PAGE), 3, NOW - timedelta(days=4))
    # When the account is polled
    snapshot, sent = fetch(fake, cursor, LATER)
    # Then no further page is asked for
    assert len(sent) == 2 and snapshot.cursor["posts"]["backfill"] is None


def test_backfill_ends_when_the_history_is_read() -> None:
    cursor = {"posts": {"as_of": NOW.isoformat(), "backfill": {"since": None, "until": 1700000000}}}
    fake = FakeGraph().on(PAGE_ID, PAGE).on(f"{PAGE_ID}/posts", edge([]))
    fake.on(f"{PAGE_ID}/posts", edge([]), after="until:1700000000")
    snapshot, sent = fetch(fake, cursor, LATER)
    assert len(sent) == 3 and query(sent[2])["until"] == "1700000000"
    assert snapshot.cursor["posts"]["backfill"] is None


@pytest.mark.parametrize(
    "cursor",
    [
        {"posts": {"as_of": "yesterday"}},
        {"posts": {"backfill": None}},
        {"posts": {"as_of": NOW.isoformat(), "backfill": {"until": "soon", "since": None}}},
        {"posts": "2026-11-20"},
    ],
)
def test_a_cursor_this_connector_did_not_write_is_refused(cursor: dict) -> None:
    error = fails(full_graph(), lambda c: c.fetch(ACCOUNT, cursor))
    assert isinstance(error, PermanentError) and "cursor" in str(error)


# --- malformed items -------------------------------------------------------------------------


def test_malformed_post_is_skipped_and_named_by_id(caplog: pytest.LogCaptureFixture) -> None:
    # Given a post without created_time
    caplog.set_level(logging.WARNING, logger="connectors")
    # When it is polled
    snapshot, _ = fetch(full_graph(p2_created=None))
    # Then the rest is kept and the post is named, never its text
    assert snapshot.skipped == (P2,)
    assert [p.external_id for p in snapshot.posts] == [P1, P3]
    assert P2 in caplog.text and "volunteers" not in caplog.text


@pytest.mark.parametrize(
    ("bad", "label"),
    [
        ({"id": 7, "created_time": fb_time(NOW), "message": "x"}, "comments[1]"),
        ({"message": "no id", "created_time": fb_time(NOW)}, "comments[1]"),
        ({"id": "1_2", "message": "no time"}, "1_2"),
        ({"id": "1_3", "message": ["wrong", "type"], "created_time": fb_time(NOW)}, "1_3"),
        ("not an object", "comments[1]"),
    ],
)
def test_malformed_comment_is_skipped_and_the_rest_kept(bad: Any, label: str) -> None:
    first = posts_first(more=False)
    first["data"][1]["comments"] = edge([C5, bad])
    snapshot, _ = fetch(full_graph().on(f"{PAGE_ID}/posts", first))
    assert snapshot.skipped == (label if label[0].isdigit() else f"{P2}/{label}",)
    assert C5["id"] in {c.external_id for c in snapshot.comments}


def test_post_with_wrong_types_is_skipped_by_index() -> None:
    first = posts_first(more=False)
    first["data"][0] = {"id": 12, "created_time": fb_time(NOW)}
    snapshot, _ = fetch(full_graph().on(f"{PAGE_ID}/posts", first))
    assert snapshot.skipped == ("posts[0]",) and [p.external_id for p in snapshot.posts] == [P2]


# --- errors ----------------------------------------------------------------------------------


APP_USAGE = {"X-App-Usage": json.dumps({"call_count": 100, "total_time": 25, "total_cputime": 9})}
PAGE_USAGE = {
    "X-Page-Usage": json.dumps(
        {
            "call_count": 100,
            "total_cputime": 3,
            "total_time": 4,
            "estimated_time_to_regain_access": 5,
        }
    )
}
PERMISSION_10 = graph_error(
    10,
    "(#10) This endpoint requires the 'pages_read_engagement' permission or the "
    "'Page Public Content Access' feature.",
)


@pytest.mark.parametrize(
    ("status", "body", "headers", "kind", "says"),
    [
        (400, AUTH_REVOKED, {}, AuthRevoked, "password changed"),
        (400, graph_error(190, "Session has expired", subcode=463), {}, AuthRevoked, "expired"),
        (400, graph_error(190, "App removed", subcode=458), {}, AuthRevoked, "app was removed"),
        (400, graph_error(190, "Checkpoint", subcode=459), {}, AuthRevoked, "checkpoint"),
        (400, graph_error(190, "No role", subcode=492), {}, AuthRevoked, "no longer has a role"),
        (400, graph_error(190, "Invalid OAuth access token."), {}, AuthRevoked, "revoked"),
        (
            400,
            RATE_LIMITED,
            {"X-Business-Use-Case-Usage": json.dumps(BUC_USAGE)},
            RateLimited,
            "900",
        ),
        (400, RATE_LIMITED, {}, RateLimited, "60"),
        (403, graph_error(4, "(#4) Application request limit reached"), {}, RateLimited, "3600"),
        (403, graph_error(4, "(#4) Application limit"), APP_USAGE, RateLimited, "3600"),
        (400, graph_error(17, "(#17) User request limit reached"), APP_USAGE, RateLimited, "60"),
        (400, graph_error(32, "(#32) Page request limit reached"), PAGE_USAGE, RateLimited, "300"),
        (
            400,
            graph_error(613, "Calls to this api have exceeded the rate limit."),
            {},
            RateLimited,
            "60",
        ),
        (403, PERMISSION_10, {}, ConfigurationError, "pages_read_engagement"),
        (400, graph_error(200, "(#200) Permissions error"), {}, ConfigurationError, "permission"),
        (500, SERVER_ERROR, {}, TransientError, "temporary"),
        (500, graph_error(1, "An unknown error has occurred."), {}, TransientError, "temporary"),
        (400, graph_error(100, "Try again", is_transient=True), {}, TransientError, "temporary"),
        (
            400,
            graph_error(
                100, "Unsupported get request. Object with ID 'x' does not exist", subcode=33
            ),
            {},
            PermanentError,
            "100/33",
        ),
        (503, "<html><body>Service Unavailable</body></html>", {}, TransientError, "503"),
        (502, "", {}, TransientError, "502"),
        (404, "<html>Not Found</html>", {}, PermanentError, "404"),
    ],
)
def test_graph_errors_map_onto_the_taxonomy(
    status: int, body: Any, headers: dict, kind: type[ConnectorError], says: str
) -> None:
    # Given the Graph API answers the first request with this error
    # When the account is polled
    error = fails(failing_graph(status, body, headers))
    # Then the error has the right class, says why, and never holds the token
    assert type(error) is kind and says in str(error)
    assert error.platform == "facebook" and TOKEN not in str(error)
    if isinstance(error, RateLimited):
        assert error.retry_after == float(says)


@pytest.mark.parametrize(
    ("body", "needs"),
    [
        (PERMISSION_10, ("pages_read_engagement", "Page Public Content Access")),
        (
            PERMISSION_100,
            (
                "manage_pages",
                "pages_read_engagement",
                "Page Public Content Access",
                "Page Public Metadata Access",
            ),
        ),
        (PERMISSION_283, ("pages_read_engagement",)),
        (graph_error(200, "(#200) Permissions error"), ()),
    ],
)
def test_a_missing_permission_is_a_configuration_problem_naming_it(
    body: dict, needs: tuple[str, ...]
) -> None:
    # Given the Graph API refuses for lack of a permission
    error = fails(failing_graph(400, body))
    # Then IT is told what to grant and how, never the generic "refused the request"
    assert isinstance(error, ConfigurationError) and error.needs == needs
    message = str(error)
    assert all(name in message for name in needs)
    assert "new Page access token" in message and "docs/connecting/facebook.md" in message
    assert "refused the request" not in message and "Refer to" not in message
    if not needs:  # Graph named none: the ones Hallwatch needs are listed
        assert "pages_read_engagement" in message and "pages_read_user_content" in message


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("(#100) Tried accessing nonexisting field (foo) on node type (Page)", PermanentError),
        ("Unsupported get request. Object with ID '1' does not exist", PermanentError),
        (
            "(#100) Object does not exist, cannot be loaded due to missing permission. This "
            "endpoint requires the 'pages_read_engagement' permission.",
            ConfigurationError,
        ),
    ],
)
def test_code_100_is_a_permission_problem_only_when_it_names_a_permission(
    message: str, kind: type[ConnectorError]
) -> None:
    assert type(fails(failing_graph(400, graph_error(100, message)))) is kind


def test_an_error_served_as_javascript_is_read_as_a_graph_error() -> None:
    # Given a 190 served as text/javascript (older API versions and batch answers do)
    error = fails(failing_graph(400, Served(AUTH_REVOKED)))
    # Then it is still the revoked token, with the reason
    assert isinstance(error, AuthRevoked) and "password changed" in str(error)


def test_an_answer_served_as_javascript_is_read_as_json() -> None:
    # Given the Page itself served as text/javascript
    snapshot, _ = fetch(full_graph().on(PAGE_ID, Served(PAGE)))
    # Then it is read like any other answer
    assert snapshot.profile.display_name == PAGE["name"]


def test_a_javascript_answer_that_is_not_json_is_an_http_error() -> None:
    fake = FakeGraph().on(PAGE_ID, Served("<html>busy</html>", "text/javascript"), status=503)
    assert isinstance(fails(fake), TransientError)


@pytest.mark.parametrize(
    "exc",
    [
        requests.ConnectionError(f"Max retries exceeded with url: /x?access_token={TOKEN}"),
        requests.ConnectTimeout(f"timed out: /x?access_token={TOKEN}"),
        requests.ReadTimeout("read timed out"),
    ],
)
def test_network_failures_are_transient_and_name_no_url(exc: Exception) -> None:
    error = fails(FakeGraph().on(PAGE_ID, exc))
    assert isinstance(error, TransientError)
    assert TOKEN not in str(error) and "graph.facebook.com" not in str(error)
    assert error.__context__ is None and error.__cause__ is None


def test_every_request_has_a_timeout() -> None:
    _, sent = fetch(full_graph())
    assert {r.req_kwargs["timeout"] for r in sent} == {TIMEOUT}


def test_token_never_shows_in_errors_repr_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    connector = FacebookConnector({"access_token": TOKEN}, requests.Session())
    assert TOKEN not in repr(connector)
    fetch(full_graph(p2_created=None))
    for body in (AUTH_REVOKED, RATE_LIMITED, SERVER_ERROR, PERMISSION_10):
        error = fails(failing_graph(400, body))
        assert TOKEN not in str(error) and TOKEN not in repr(error)
    assert TOKEN not in caplog.text


@pytest.mark.parametrize("credentials", [{}, {"access_token": ""}, {"token": TOKEN}])
def test_missing_token_is_a_configuration_error_naming_the_key(credentials: dict) -> None:
    connector = FacebookConnector(credentials, requests.Session(), clock=lambda: NOW)
    for call in (
        lambda: connector.fetch(ACCOUNT, None),
        lambda: connector.check_credentials(ACCOUNT),
        lambda: connector.hide_comment(ACCOUNT, "1_2"),
    ):
        with pytest.raises(
            ConfigurationError, match="'access_token'.*hallwatch accounts credentials"
        ):
            call()


# --- check_credentials, hide and unhide -------------------------------------------------------


def test_check_credentials_makes_one_cheap_call() -> None:
    fake = FakeGraph().on("me", {"id": PAGE_ID, "name": "Riverside Elementary"})
    said, sent = run(fake, lambda c: c.check_credentials(ACCOUNT))
    assert len(sent) == 1 and query(sent[0])["fields"] == "id,name"
    assert "Riverside Elementary" in said and PAGE_ID in said


def test_check_credentials_refuses_a_token_for_another_page_or_a_user() -> None:
    fake = FakeGraph().on("me", {"id": "5550001", "name": "Pat Admin"})
    error = fails(fake, lambda c: c.check_credentials(ACCOUNT))
    assert isinstance(error, ConfigurationError) and "Page access token" in str(error)


@pytest.mark.parametrize(("hide", "value"), [(True, "true"), (False, "false")])
def test_hide_and_unhide_post_is_hidden_to_the_comment(hide: bool, value: str) -> None:
    # Given a comment the Graph API agrees to hide or show
    comment_id = C1["id"]
    fake = FakeGraph().on(comment_id, {"success": True}, method="POST")
    # When a person hides or unhides it
    call = (lambda c: c.hide_comment(ACCOUNT, comment_id)) if hide else None
    call = call or (lambda c: c.unhide_comment(ACCOUNT, comment_id))
    _, sent = run(fake, call)
    # Then exactly one POST /{comment-id} with is_hidden is sent, the token in the body only
    (request,) = sent
    assert request.method == "POST" and path(request) == f"/{GRAPH_VERSION}/{comment_id}"
    assert dict(parse_qsl(request.body)) == {"is_hidden": value, "access_token": TOKEN}
    assert urlsplit(request.url).query == ""


def test_hide_needs_the_engagement_permission() -> None:
    body = graph_error(
        200, "(#200) Requires pages_manage_engagement permission to manage the object"
    )
    fake = FakeGraph().on(C1["id"], body, status=403, method="POST")
    error = fails(fake, lambda c: c.hide_comment(ACCOUNT, C1["id"]))
    assert isinstance(error, ConfigurationError) and "pages_manage_engagement" in str(error)


def test_hide_not_confirmed_is_a_permanent_error() -> None:
    fake = FakeGraph().on(C1["id"], {"success": False}, method="POST")
    assert isinstance(fails(fake, lambda c: c.hide_comment(ACCOUNT, C1["id"])), PermanentError)


@pytest.mark.parametrize("comment_id", ["../me", "1_2?fields=x", "", "1/2"])
def test_hide_refuses_an_id_that_is_not_a_graph_id(comment_id: str) -> None:
    error = fails(FakeGraph(), lambda c: c.hide_comment(ACCOUNT, comment_id))
    assert isinstance(error, PermanentError)


# --- the contract case -----------------------------------------------------------------------


def test_contract_case_covers_every_kind() -> None:
    facebook = case()
    full = facebook.fetch("full")
    assert (len(full.posts), len(full.comments)) == (facebook.full_posts, facebook.full_comments)
    unchanged = facebook.fetch("unchanged", full.cursor)
    assert unchanged.requests <= facebook.streams
    expected = {
        "auth_revoked": AuthRevoked,
        "rate_limited": RateLimited,
        "server_error": TransientError,
    }
    for kind in KINDS:
        if kind in expected:
            with pytest.raises(expected[kind]):
                facebook.fetch(kind)
    assert facebook.fetch("malformed").skipped
