"""The Blogger connector, driven through Google's ``HttpMockSequence``.

Given (scripted Blogger API v3 responses) / When (a fetch) / Then (the snapshot, the
requests sent, or the error).
"""

from __future__ import annotations

import logging
import traceback
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from googleapiclient.http import HttpMockSequence

from connectors import (
    AuthRevoked,
    ConfigurationError,
    PermanentError,
    RateLimited,
    TransientError,
    get_connector,
)
from connectors.blogger import BloggerConnector, html_text
from connectors.google import MAX_PAGES
from tests.support.connector_cases import blogger as bl
from tests.support.connector_cases.blogger import (
    ACCOUNT,
    BLOG,
    C1,
    C2,
    C3,
    CREDENTIALS,
    ERRORS,
    NOW,
    OWNER,
    P1,
    P2,
    TOKEN,
    blog_response,
    comment,
    page,
    post,
)
from tests.support.connector_cases.youtube import ok

API_KEY = "AIzaSyBlogger-secret-api-key-01234"


def connect(
    script: list[Any], credentials: dict[str, str] = CREDENTIALS
) -> tuple[BloggerConnector, HttpMockSequence]:
    http = HttpMockSequence(script)
    return BloggerConnector(credentials, http, clock=lambda: NOW), http


def sent(http: HttpMockSequence, index: int) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(http.request_sequence[index][0])
    return parts.path, parse_qs(parts.query)


def full_cursor() -> dict[str, Any]:
    blogger, _ = connect(bl.full_script())
    return blogger.fetch(ACCOUNT).cursor


def test_registry_maps_blogger_to_this_connector() -> None:
    assert get_connector("blogger") is BloggerConnector


def test_first_poll_pages_through_posts_and_comments() -> None:
    blogger, http = connect(bl.full_script())
    snapshot = blogger.fetch(ACCOUNT)
    paths = [sent(http, i)[0] for i in range(5)]
    assert paths == [
        f"/v3/blogs/{BLOG}",
        f"/v3/blogs/{BLOG}/posts",
        f"/v3/blogs/{BLOG}/posts",
        f"/v3/blogs/{BLOG}/comments",
        f"/v3/blogs/{BLOG}/comments",
    ]
    _, posts = sent(http, 1)
    assert posts == {
        "fetchBodies": ["true"],
        "orderBy": ["PUBLISHED"],
        "maxResults": ["50"],
        "alt": ["json"],
    }
    assert sent(http, 2)[1]["pageToken"] == ["CgkIChiAkKbE2CoQ0b2SARj9mZe9n8KsnlQ"]
    _, comments = sent(http, 3)
    assert comments["status"] == ["LIVE", "PENDING", "SPAM", "EMPTIED"]
    assert "startDate" not in comments and comments["fetchBodies"] == ["true"]
    assert sent(http, 4)[1]["pageToken"] == ["CgkIFBDwjvDXlyYQ"]
    assert (snapshot.requests, snapshot.quota_units) == (5, 5)
    assert [p.external_id for p in snapshot.posts] == [P1["id"], P2["id"]]


def test_profile_posts_and_media_alt_text() -> None:
    blogger, _ = connect(bl.full_script())
    snapshot = blogger.fetch(ACCOUNT)
    profile = snapshot.profile
    assert (profile.display_name, profile.website) == ("Riverside News", bl.BLOG_URL)
    assert profile.about.startswith("News from Riverside Elementary")
    assert profile.visibility == "unknown"
    first = snapshot.posts[0]
    assert first.text == f"Post {P1['id']}\n\nOur science fair winners!"
    assert first.url == P1["url"]
    assert first.created_at.isoformat() == "2026-09-14T14:00:00+00:00"
    assert [(m.url, m.alt_text) for m in first.media] == [
        ("https://blogger.googleusercontent.com/img/a/fair.jpg", "Three students holding ribbons")
    ]


def test_deleted_blog_is_unpublished() -> None:
    blogger, _ = connect([blog_response("DELETED"), page("post", []), page("comment", [])])
    assert blogger.fetch(ACCOUNT).profile.visibility == "unpublished"


def test_owner_replies_mark_the_parent_as_answered() -> None:
    blogger, _ = connect(bl.full_script())
    comments = {c.external_id: c for c in blogger.fetch(ACCOUNT).comments}
    reply, parent = comments[C2["id"]], comments[C1["id"]]
    assert reply.by_account and reply.parent_external_id == C1["id"]
    assert parent.replied_by_account and not parent.by_account
    assert parent.url == f"{P1['url']}?showComment=1789396200000#c{C1['id']}"
    assert comments[C3["id"]].status == "held"


@pytest.mark.parametrize(
    ("status", "expected"),
    [("LIVE", "published"), ("PENDING", "held"), ("SPAM", "hidden"), ("EMPTIED", "deleted")],
)
def test_comment_status_mapping(status: str, expected: str) -> None:
    item = comment("1", P1["id"], "2026-09-14T07:30:00.000-07:00", status)
    blogger, _ = connect([blog_response(), page("post", []), page("comment", [item])])
    assert blogger.fetch(ACCOUNT).comments[0].status == expected


def test_unchanged_blog_costs_one_request_per_stream() -> None:
    # Given the cursor of a full poll, with one comment still awaiting moderation
    cursor = full_cursor()
    blogger, http = connect(bl.unchanged_script())
    # When polled again with nothing new
    snapshot = blogger.fetch(ACCOUNT, cursor)
    # Then three requests, each starting at what the cursor covers
    assert (snapshot.requests, snapshot.posts, snapshot.comments) == (3, (), ())
    assert sent(http, 1)[1]["startDate"] == ["2026-09-14T14:00:00Z"]
    assert sent(http, 2)[1]["startDate"] == ["2026-09-11T14:00:00Z"]  # the held comment
    assert snapshot.cursor == cursor


def test_second_poll_returns_only_new_items() -> None:
    cursor = full_cursor()
    cursor["comments"]["pending"] = []
    new_post = post("7706273476706534555", "2026-09-14T09:00:00.000-07:00")
    new_comment = comment("9200761938824362599", P1["id"], "2026-09-14T08:00:00.000-07:00")
    blogger, http = connect(
        [blog_response(), page("post", [new_post, P1]), page("comment", [new_comment, C2])]
    )
    snapshot = blogger.fetch(ACCOUNT, cursor)
    assert sent(http, 2)[1]["startDate"] == ["2026-09-14T14:40:00Z"]
    assert [p.external_id for p in snapshot.posts] == [new_post["id"]]
    assert [c.external_id for c in snapshot.comments] == [new_comment["id"]]
    assert snapshot.cursor["posts"]["floor"] == "2026-09-14T16:00:00Z"


@pytest.mark.parametrize(("status", "expected"), [("LIVE", "published"), ("SPAM", "hidden")])
def test_held_comment_approved_or_marked_spam_is_returned(status: str, expected: str) -> None:
    cursor = full_cursor()
    moderated = {**C3, "status": status}
    blogger, _ = connect(
        [blog_response(), page("post", [P1]), page("comment", [C2, C1, moderated])]
    )
    snapshot = blogger.fetch(ACCOUNT, cursor)
    assert [(c.external_id, c.status) for c in snapshot.comments] == [(C3["id"], expected)]
    assert snapshot.cursor["comments"]["pending"] == []


def test_owner_reply_to_an_older_comment_fetches_that_comment() -> None:
    # Given a new reply by the blog's author to a comment an earlier poll returned
    cursor = full_cursor()
    older = comment("9200761938824362500", P2["id"], "2026-09-12T07:00:00.000-07:00")
    reply = comment(
        "9200761938824362600",
        P2["id"],
        "2026-09-14T09:00:00.000-07:00",
        "LIVE",
        OWNER,
        "We will look into it",
        older["id"],
    )
    blogger, http = connect(
        [blog_response(), page("post", [P1]), page("comment", [reply, C2, C1, C3]), ok(older)]
    )
    # When polled
    snapshot = blogger.fetch(ACCOUNT, cursor)
    # Then the parent is fetched once and comes back as answered
    assert sent(http, 3)[0] == f"/v3/blogs/{BLOG}/posts/{P2['id']}/comments/{older['id']}"
    comments = {c.external_id: c for c in snapshot.comments}
    assert comments[older["id"]].replied_by_account and comments[reply["id"]].by_account


def test_parent_that_is_gone_is_ignored() -> None:
    cursor = full_cursor()
    reply = comment("96", P2["id"], "2026-09-14T09:00:00.000-07:00", "LIVE", OWNER, "ok", "95")
    blogger, _ = connect(
        [blog_response(), page("post", [P1]), page("comment", [reply]), ERRORS["notFound"]]
    )
    assert [c.external_id for c in blogger.fetch(ACCOUNT, cursor).comments] == ["96"]


def test_page_budget_leaves_a_backlog_for_the_next_poll() -> None:
    pages = [
        page("post", [post(str(n), "2026-09-01T10:00:00Z")], f"tok{n + 1}")
        for n in range(MAX_PAGES)
    ]
    blogger, _ = connect([blog_response(), *pages, page("comment", [])])
    first = blogger.fetch(ACCOUNT)
    assert first.cursor["posts"]["resume"] == f"tok{MAX_PAGES}"
    assert first.cursor["posts"]["floor"] is None
    blogger, http = connect(
        [blog_response(), page("post", [post("old", "2026-08-01T10:00:00Z")]), page("comment", [])]
    )
    second = blogger.fetch(ACCOUNT, first.cursor)
    assert sent(http, 1)[1]["pageToken"] == [f"tok{MAX_PAGES}"]
    assert "startDate" not in sent(http, 1)[1]
    assert [p.external_id for p in second.posts] == ["old"]
    assert second.cursor["posts"]["floor"] == "2026-09-01T10:00:00Z"


def test_api_key_reads_public_comments_only() -> None:
    blogger, http = connect(bl.full_script(), credentials={"api_key": API_KEY})
    blogger.fetch(ACCOUNT)
    _, params = sent(http, 3)
    assert "status" not in params and params["key"] == [API_KEY]


@pytest.mark.parametrize(
    ("name", "error", "retry_after"),
    [
        ("authError", AuthRevoked, None),
        ("rateLimitExceeded", RateLimited, 60.0),
        ("dailyLimitExceeded", RateLimited, 16 * 3600.0),
        ("forbidden", ConfigurationError, None),
        ("accessNotConfigured", ConfigurationError, None),
        ("notFound", PermanentError, None),
        ("backendError", TransientError, None),
    ],
)
def test_api_errors_map_onto_the_taxonomy(
    name: str, error: type[Exception], retry_after: float | None
) -> None:
    blogger, _ = connect([ERRORS[name]])
    with pytest.raises(error) as caught:
        blogger.fetch(ACCOUNT)
    assert type(caught.value) is error
    if retry_after is not None:
        assert caught.value.retry_after == retry_after  # type: ignore[attr-defined]


def test_configuration_error_names_the_api_to_enable() -> None:
    blogger, _ = connect([ERRORS["accessNotConfigured"]])
    with pytest.raises(ConfigurationError, match="enable the Blogger API v3"):
        blogger.fetch(ACCOUNT)


def test_missing_credential_key_is_a_configuration_error() -> None:
    blogger, http = connect([], credentials={"refresh_token": "r", "client_id": "c"})
    with pytest.raises(ConfigurationError, match="'client_secret'.*hallwatch accounts credentials"):
        blogger.fetch(ACCOUNT)
    assert http.request_sequence == []


def test_malformed_items_are_skipped_and_named(caplog: pytest.LogCaptureFixture) -> None:
    bad_post = post("", "2026-09-13T07:00:00Z", content="<p>secret body</p>")
    blogger, _ = connect(
        [
            blog_response(),
            page("post", [P1, bad_post, post("p-no-time", None)]),
            page("comment", [C1, comment("c-no-time", P1["id"], None, content="secret")]),
        ]
    )
    snapshot = blogger.fetch(ACCOUNT)
    assert snapshot.skipped == ("posts[1]", "p-no-time", "c-no-time")
    assert [p.external_id for p in snapshot.posts] == [P1["id"]]
    assert "secret" not in caplog.text and "p-no-time" in caplog.text


def test_hiding_is_not_supported_on_blogger() -> None:
    blogger, http = connect([])
    with pytest.raises(PermanentError, match="not supported"):
        blogger.hide_comment(ACCOUNT, C1["id"])
    assert http.request_sequence == []


def test_check_credentials_gets_the_blog() -> None:
    blogger, http = connect([blog_response()])
    assert blogger.check_credentials(ACCOUNT) == "Blogger blog Riverside News (admin sign-in)"
    assert sent(http, 0)[0] == f"/v3/blogs/{BLOG}"
    assert blogger.meter.requests == 1


def test_secrets_never_show_in_errors_repr_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for credentials, secret in ((CREDENTIALS, TOKEN), ({"api_key": API_KEY}, API_KEY)):
        blogger, _ = connect([blog_response(), ERRORS["authError"]], credentials)
        with pytest.raises(AuthRevoked) as caught:
            blogger.fetch(ACCOUNT)
        shown = "".join(traceback.format_exception(caught.value))
        assert secret not in shown and secret not in repr(blogger) and secret not in caplog.text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One</p><p>Two &amp; three</p>", "One\nTwo & three"),
        ("<div>Hi<br>there</div><script>var x = 1;</script>", "Hi\nthere"),
        ("plain", "plain"),
    ],
)
def test_html_bodies_become_plain_text(html: str, text: str) -> None:
    assert html_text(html)[0] == text


def test_contract_case_kinds_behave() -> None:
    case = bl.case()
    full = case.fetch("full")
    assert (len(full.posts), len(full.comments)) == (case.full_posts, case.full_comments)
    assert case.fetch("unchanged", full.cursor).requests <= case.streams
    assert case.fetch("malformed").skipped == ("9200761938824362522",)
