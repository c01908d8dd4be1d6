"""The WordPress connector against a fake WordPress site (``responses``).

Each test reads Given (the fake site and the connector's credentials) / When (a poll, a
check or a moderation call) / Then (the snapshot, the requests sent, or the error).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from connectors import (
    AuthRevoked,
    ConfigurationError,
    PermanentError,
    RateLimited,
    Snapshot,
    TransientError,
    get_connector,
)
from connectors.http import TIMEOUT
from connectors.wordpress import MAX_PAGES, SITE_EVERY, WordPressConnector, html_text
from tests.support.connector_cases.wordpress import (
    ACCOUNT,
    API,
    CREDENTIALS,
    ERRORS,
    ME,
    NOW,
    SECRET,
    SITE,
    START,
    USER,
    FakeSite,
    comment,
    district_site,
    edited,
    me,
    post,
)

ANONYMOUS = {"base_url": SITE}
LATER = NOW + timedelta(hours=1)


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def site(rsps: responses.RequestsMock) -> FakeSite:
    fake = district_site()
    fake.install(rsps)
    return fake


def connector(credentials: dict[str, Any] = CREDENTIALS, at: Any = NOW) -> WordPressConnector:
    return WordPressConnector(credentials, requests.Session(), clock=lambda: at)


def poll(
    cursor: dict[str, Any] | None = None, credentials: dict[str, Any] = CREDENTIALS, at: Any = NOW
) -> Snapshot:
    snapshot = connector(credentials, at).fetch(ACCOUNT, cursor)
    json.dumps(snapshot.cursor)  # the cursor must be storable as JSON
    return snapshot


def sent(rsps: responses.RequestsMock, since: int = 0) -> list[tuple[str, dict[str, str]]]:
    """(path under /wp-json, query) of every request from call ``since`` on."""
    found = []
    for call in list(rsps.calls)[since:]:
        url = urlsplit(str(call.request.url))
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        found.append((url.path.removeprefix("/wp-json"), query))
    return found


def by_id(items: Any) -> dict[str, Any]:
    return {item.external_id: item for item in items}


# --- a first poll -----------------------------------------------------------------------


def test_the_registry_maps_wordpress_to_this_connector() -> None:
    assert get_connector("wordpress") is WordPressConnector


def test_first_poll_reads_the_site_user_settings_every_post_page_and_both_comment_lists(
    site: FakeSite, rsps: responses.RequestsMock
) -> None:
    # Given a class blog with 103 posts (two pages), four approved comments and one held
    # When it is polled for the first time with an Editor-or-better's credentials
    snapshot = poll()
    # Then every stream and page is read, once
    paths = [path for path, _ in sent(rsps)]
    assert (
        paths
        == ["/", "/wp/v2/users/me", "/wp/v2/settings"]
        + ["/wp/v2/posts"] * 2
        + ["/wp/v2/comments"] * 2
    )
    assert snapshot.requests == 7
    assert (len(snapshot.posts), len(snapshot.comments), snapshot.skipped) == (103, 5, ())


def test_first_poll_asks_for_posts_and_comments_oldest_first_with_no_date(
    site: FakeSite, rsps: responses.RequestsMock
) -> None:
    poll()
    queries = sent(rsps)
    assert queries[3][1] == {
        "orderby": "modified",
        "order": "asc",
        "per_page": "100",
        "status": "publish,private",
        "_embed": "wp:featuredmedia",
        "context": "edit",
        "page": "1",
    }
    assert queries[4][1]["page"] == "2"
    assert queries[5][1] == {"orderby": "date_gmt", "order": "asc", "per_page": "100", "page": "1"}
    assert queries[6][1]["status"] == "hold" and "after" not in queries[6][1]
    assert queries[0][1] == {"_fields": "name,description,url,home"}


def test_profile_comes_from_the_anonymous_root_and_the_administrator_settings(
    site: FakeSite,
) -> None:
    profile = poll().profile
    assert profile.display_name == "Ms. Rivera's Grade 4 Class"
    assert profile.about == "Riverside Elementary, Fraser Valley School District"
    assert profile.website == SITE
    assert profile.contact_email == "rivera@fvsd.example"
    assert profile.visibility == "public"
    assert profile.comments_enabled is True
    assert profile.comments_held is None
    assert (profile.external_id, profile.handle) == (SITE, "rivera-class")


@pytest.mark.parametrize(
    ("post_id", "text", "visibility", "media"),
    [
        ("10", "Welcome back\nWelcome!", "public", [("77", "Kids", "a.jpg")]),
        (
            "11",
            "Field trip\nOur class news.",
            "public",
            [("78", "Bus at the zoo", f"{SITE}/wp-content/uploads/2026/09/photo-78.jpg")],
        ),
        ("12", "Parents only\nOur class news.", "private", []),  # password-protected
    ],
)
def test_posts_carry_plain_text_permalink_visibility_and_image_alt_text(
    site: FakeSite, post_id: str, text: str, visibility: str, media: list[tuple[str, str, str]]
) -> None:
    found = by_id(poll().posts)[post_id]
    assert found.text == text
    assert found.visibility == visibility
    assert found.url.startswith(f"{SITE}/2026/09/01/post-{post_id}/")
    assert [(m.external_id, m.alt_text, m.url) for m in found.media] == media
    assert found.created_at.utcoffset() == timedelta(0)


def test_a_private_post_is_private(site: FakeSite) -> None:
    site.posts.append(post(30, START + timedelta(days=3), "Staff only", status="private"))
    assert by_id(poll().posts)["30"].visibility == "private"


@pytest.mark.parametrize(
    ("comment_id", "status", "by_account", "replied", "parent"),
    [
        ("501", "published", False, False, None),
        ("502", "published", False, True, None),  # the account answered it (503)
        ("503", "published", True, False, "502"),
        ("504", "published", False, False, None),
        ("505", "held", False, False, None),
    ],
)
def test_comments_carry_status_authorship_and_replies(
    site: FakeSite,
    comment_id: str,
    status: str,
    by_account: bool,
    replied: bool,
    parent: str | None,
) -> None:
    found = by_id(poll().comments)[comment_id]
    assert (found.status, found.by_account, found.replied_by_account) == (
        status,
        by_account,
        replied,
    )
    assert found.parent_external_id == parent
    assert found.url.endswith(f"#comment-{comment_id}")
    assert found.author_name in ("A Parent", "Ms Rivera")


# --- incremental polls ------------------------------------------------------------------


def test_an_unchanged_site_costs_four_requests_and_returns_nothing(
    site: FakeSite, rsps: responses.RequestsMock
) -> None:
    first = poll()
    calls = len(rsps.calls)
    second = poll(first.cursor, at=LATER)
    assert second.requests == 4
    assert (second.posts, second.comments) == ((), ())
    paths = [path for path, _ in sent(rsps, calls)]
    assert paths == ["/", "/wp/v2/posts", "/wp/v2/comments", "/wp/v2/comments"]
    assert {k: v for k, v in second.cursor.items() if k != "site"} == {
        k: v for k, v in first.cursor.items() if k != "site"
    }


def test_second_poll_asks_only_after_the_newest_item_seen(
    site: FakeSite, rsps: responses.RequestsMock
) -> None:
    # Given a first poll, then a new post and a new comment
    first = poll()
    site.posts.append(post(40, NOW - timedelta(minutes=5), "Spelling test"))
    site.comments.append(comment(520, 40, NOW - timedelta(minutes=1), "<p>Good luck!</p>"))
    calls = len(rsps.calls)
    # When polled again
    second = poll(first.cursor, at=LATER)
    # Then the queries start one second before the newest post and comment seen
    queries = sent(rsps, calls)
    assert queries[1][1]["modified_after"] == "2026-09-01T19:38:59Z"  # newest post: 19:39:00
    assert queries[2][1]["after"] == "2026-09-03T14:59:59Z"  # newest approved comment
    assert queries[3][1]["status"] == "hold" and "after" not in queries[3][1]
    # And only what is new comes back
    assert [p.external_id for p in second.posts] == ["40"]
    assert [c.external_id for c in second.comments] == ["520"]
    assert second.cursor["posts"] == {"after": "2026-09-15T17:55:00Z", "edge": ["40"]}


def test_a_post_edited_after_its_first_read_is_read_again_with_its_new_text(
    site: FakeSite, rsps: responses.RequestsMock
) -> None:
    # Given a first poll, then an old post edited (its first line now names a student)
    first = poll()
    edited(site.posts[0], LATER - timedelta(minutes=5), "<p>Congratulations Ava Lopez!</p>")
    # When polled one interval later
    second = poll(first.cursor, at=LATER)
    # Then that post comes back, once, with its new text, and nothing else does
    assert [(p.external_id, p.text) for p in second.posts] == [
        ("10", "Welcome back\nCongratulations Ava Lopez!")
    ]
    assert second.posts[0].created_at == START  # still the post published then
    assert second.cursor["posts"] == {"after": "2026-09-15T18:55:00Z", "edge": ["10"]}
    # And the next poll, with nothing changed, returns nothing
    calls = len(rsps.calls)
    third = poll(second.cursor, at=LATER + timedelta(hours=1))
    assert third.posts == () and sent(rsps, calls)[1][1]["modified_after"] == "2026-09-15T18:54:59Z"


def test_a_site_that_ignores_modified_after_is_told_to_update(
    site: FakeSite, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a site older than WordPress 5.7, which ignores modified_after
    first = poll()
    with patch(
        "tests.support.connector_cases.wordpress._after", lambda item, query, column="date": True
    ):
        second = poll(first.cursor, at=LATER)
    # Then nothing already seen comes back as new, and the log says what to do
    assert second.posts == ()
    assert "ignored modified_after" in caplog.text and "update WordPress" in caplog.text


def test_an_item_in_the_same_second_as_the_last_one_seen_is_not_missed(site: FakeSite) -> None:
    first = poll()
    last = START + timedelta(days=2)  # comment 504's time
    site.comments.append(comment(530, 11, last, "<p>Same second</p>"))
    second = poll(first.cursor, at=LATER)
    assert [c.external_id for c in second.comments] == ["530"]
    assert second.cursor["comments"] == {"after": "2026-09-03T15:00:00Z", "edge": ["504", "530"]}


def test_paging_stops_at_the_page_bound_and_resumes_from_the_cursor(
    rsps: responses.RequestsMock,
) -> None:
    # Given 1050 posts, more than ten pages of 100
    site = FakeSite(posts=[post(i, START + timedelta(minutes=i)) for i in range(1, 1051)])
    site.install(rsps)
    # When polled twice
    first = poll()
    calls = len(rsps.calls)
    second = poll(first.cursor, at=LATER)
    # Then the first poll reads ten pages and the second the rest, after the 1000th post
    assert len(first.posts) == MAX_PAGES * 100
    assert first.cursor["posts"]["edge"] == ["1000"]
    assert [p.external_id for p in second.posts] == [str(i) for i in range(1001, 1051)]
    assert sent(rsps, calls)[1][1]["modified_after"] == "2026-09-02T07:39:59Z"


def test_settings_are_read_again_only_after_the_refresh_interval(
    site: FakeSite, rsps: responses.RequestsMock
) -> None:
    first = poll()
    site.admin = True
    calls = len(rsps.calls)
    second = poll(first.cursor, at=NOW + SITE_EVERY)
    assert "/wp/v2/settings" in [path for path, _ in sent(rsps, calls)]
    assert second.requests == 5
    assert second.profile.contact_email == "rivera@fvsd.example"


def test_settings_a_non_administrator_cannot_read_leave_email_and_comments_unknown(
    site: FakeSite,
) -> None:
    site.admin = False
    snapshot = poll()
    assert snapshot.profile.contact_email == ""
    assert snapshot.profile.comments_enabled is None
    assert len(snapshot.posts) == 103


# --- anonymous and private sites --------------------------------------------------------


def test_anonymous_poll_of_a_public_site_reads_three_streams_without_credentials(
    site: FakeSite, rsps: responses.RequestsMock
) -> None:
    first = poll(credentials=ANONYMOUS)
    calls = len(rsps.calls)
    second = poll(first.cursor, credentials=ANONYMOUS, at=LATER)
    assert first.requests == 4  # root, two pages of posts, approved comments
    assert second.requests == 3
    assert not any("Authorization" in c.request.headers for c in rsps.calls)
    queries = sent(rsps)
    assert queries[1][1]["status"] == "publish" and "context" not in queries[1][1]
    assert "status" not in queries[3][1]
    assert [c.external_id for c in first.comments] == ["501", "502", "503", "504"]
    assert not any(c.by_account or c.replied_by_account for c in first.comments)
    assert set(first.cursor) == {"posts", "comments"}
    assert sent(rsps, calls)[0][0] == "/"


def test_the_root_is_always_asked_anonymously_and_every_other_request_signed(
    site: FakeSite, rsps: responses.RequestsMock
) -> None:
    poll()
    signed = ["Authorization" in call.request.headers for call in rsps.calls]
    assert signed == [False] + [True] * 6
    token = base64.b64encode(f"{USER}:{SECRET}".encode()).decode()
    assert rsps.calls[1].request.headers["Authorization"] == f"Basic {token}"


def test_a_site_that_refuses_anonymous_visitors_is_private_and_read_with_credentials(
    site: FakeSite, rsps: responses.RequestsMock
) -> None:
    # Given a private site (a private-site plugin answers anonymous requests with 401)
    site.private = True
    # When it is polled twice with credentials
    first = poll()
    second = poll(first.cursor, at=LATER)
    # Then it is private, its name comes from the signed-in root, and every post is private
    assert first.profile.visibility == "private"
    assert first.profile.extra == {"anonymous_api": "rest_unauthorized"}
    assert first.profile.display_name == "Ms. Rivera's Grade 4 Class"
    assert {p.visibility for p in first.posts} == {"private"}
    assert [path for path, _ in sent(rsps)][:4] == ["/", "/wp/v2/users/me", "/", "/wp/v2/settings"]
    assert (first.requests, second.requests) == (8, 4)
    assert second.profile.display_name == first.profile.display_name


def test_a_site_that_sends_anonymous_visitors_to_the_login_page_is_private(
    rsps: responses.RequestsMock,
) -> None:
    login = f"{SITE}/wp-login.php?redirect_to=%2Fwp-json%2F"
    rsps.add(responses.GET, f"{API}/", status=302, headers={"Location": login})
    rsps.add(responses.GET, f"{SITE}/wp-login.php", body="<html><form id=loginform></form></html>")
    with pytest.raises(ConfigurationError, match="login-page"):
        poll(credentials=ANONYMOUS)


def test_a_private_site_without_credentials_is_a_configuration_problem(
    site: FakeSite, rsps: responses.RequestsMock
) -> None:
    site.private = True
    with pytest.raises(ConfigurationError, match="username and application_password") as caught:
        poll(credentials=ANONYMOUS)
    assert "hallwatch accounts credentials ACCOUNT" in str(caught.value)
    assert len(rsps.calls) == 1


# --- held comments and replies ----------------------------------------------------------


def _review(site: FakeSite, how: str) -> None:
    held = next(c for c in site.comments if c["id"] == 505)
    if how == "deleted for good":
        site.comments.remove(held)
    else:
        held["status"] = how


@pytest.mark.parametrize(
    ("how", "status"),
    [
        ("approved", "published"),
        ("spam", "hidden"),
        ("trash", "deleted"),
        ("deleted for good", "deleted"),
    ],
)
def test_a_held_comment_that_leaves_the_queue_is_looked_up_and_reported(
    site: FakeSite, rsps: responses.RequestsMock, how: str, status: str
) -> None:
    # Given comment 505 held at the first poll, older than the newest approved comment
    site.comments.append(comment(506, 11, START + timedelta(days=3), "<p>Newer</p>"))
    first = poll()
    # And then moderated in wp-admin
    _review(site, how)
    calls = len(rsps.calls)
    # When polled again
    second = poll(first.cursor, at=LATER)
    # Then one look-up by id (any status) says what became of it
    lookup = sent(rsps, calls)[-1]
    assert lookup == (
        "/wp/v2/comments",
        {"include": "505", "status": "any", "per_page": "100", "orderby": "id", "page": "1"},
    )
    assert second.requests == 5
    assert [(c.external_id, c.status, c.post_external_id) for c in second.comments] == [
        ("505", status, "11")
    ]
    assert second.cursor["held"] == {}


def test_a_held_comment_approved_before_the_cursor_passed_it_needs_no_look_up(
    site: FakeSite,
) -> None:
    # Given comment 505 held and newer than every approved comment at the first poll
    first = poll()
    _review(site, "approved")
    # When polled after its approval
    second = poll(first.cursor, at=LATER)
    # Then the approved list brings it, with no look-up
    assert second.requests == 4
    assert [(c.external_id, c.status) for c in second.comments] == [("505", "published")]


def test_a_comment_still_held_is_not_reported_again(site: FakeSite) -> None:
    first = poll()
    second = poll(first.cursor, at=LATER)
    assert second.comments == ()
    assert second.cursor["held"] == {"505": ["11", "2026-09-03T16:00:00Z"]}


def test_an_approved_comment_moved_back_to_the_queue_is_reported_held(site: FakeSite) -> None:
    first = poll()
    next(c for c in site.comments if c["id"] == 504)["status"] = "hold"
    second = poll(first.cursor, at=LATER)
    assert [(c.external_id, c.status) for c in second.comments] == [("504", "held")]


def test_a_reply_by_the_account_marks_its_older_parent_replied(
    site: FakeSite, rsps: responses.RequestsMock
) -> None:
    # Given a first poll, then the account answers comment 501 (seen before)
    first = poll()
    reply = comment(540, 10, NOW, "<p>Thanks!</p>", author=ME, author_name="Ms Rivera", parent=501)
    site.comments.append(reply)
    calls = len(rsps.calls)
    # When polled again
    second = poll(first.cursor, at=LATER)
    # Then the parent is fetched by id and comes back marked replied
    assert sent(rsps, calls)[-1][1]["include"] == "501"
    found = by_id(second.comments)
    assert found["501"].replied_by_account is True and found["501"].status == "published"
    assert found["540"].by_account is True


# --- errors -----------------------------------------------------------------------------

HTML_BLOCK = (
    "<html><head><title>Access Denied</title></head><body>Blocked by Wordfence</body></html>"
)
MAINTENANCE = (
    "<!DOCTYPE html><html><body>Briefly unavailable for scheduled maintenance.</body></html>"
)


@pytest.mark.parametrize(
    ("path", "status", "body", "headers", "error", "says"),
    [
        ("/wp/v2/users/me", 401, ERRORS["incorrect_password"], {}, AuthRevoked, "application pa"),
        ("/wp/v2/users/me", 401, ERRORS["invalid_username"], {}, AuthRevoked, "invalid_username"),
        ("/wp/v2/posts", 401, ERRORS["rest_not_logged_in"], {}, AuthRevoked, "rest_not_logged_in"),
        (
            "/wp/v2/users/me",
            401,
            ERRORS["application_passwords_disabled"],
            {},
            ConfigurationError,
            "switched off",
        ),
        ("/wp/v2/posts", 403, ERRORS["rest_forbidden_context"], {}, ConfigurationError, "Editor"),
        ("/wp/v2/posts", 400, ERRORS["rest_forbidden_status"], {}, ConfigurationError, "Editor"),
        ("/", 404, ERRORS["rest_no_route"], {}, ConfigurationError, "REST API is disabled"),
        ("/", 404, "<html><body>Page not found</body></html>", {}, ConfigurationError, "base_url"),
        ("/", 200, "<html><body>Home</body></html>", {}, TransientError, "web page"),
        ("/wp/v2/posts", 403, HTML_BLOCK, {}, TransientError, "security plugin"),
        ("/", 500, ERRORS["internal_server_error"], {}, TransientError, "HTTP 500"),
        ("/wp/v2/comments", 502, "<html>Bad Gateway</html>", {}, TransientError, "HTTP 502"),
        ("/", 503, MAINTENANCE, {"Retry-After": "600"}, TransientError, "HTTP 503"),
        (
            "/wp/v2/posts",
            400,
            ERRORS["rest_post_invalid_page_number"],
            {},
            PermanentError,
            "rest_post_invalid_page_number",
        ),
    ],
)
def test_wordpress_errors_map_onto_the_taxonomy(
    site: FakeSite,
    path: str,
    status: int,
    body: Any,
    headers: dict[str, str],
    error: type[Exception],
    says: str,
) -> None:
    site.fail(path, status, body, headers)
    with pytest.raises(error, match=says) as caught:
        poll()
    assert type(caught.value) is error
    assert SECRET not in str(caught.value) and "?" not in str(caught.value)


@pytest.mark.parametrize(
    ("retry_after", "seconds"),
    [("120", 120.0), ("Tue, 15 Sep 2026 18:05:00 GMT", 300.0)],
)
def test_a_429_is_rate_limited_until_retry_after(
    site: FakeSite, retry_after: str, seconds: float
) -> None:
    site.fail("/wp/v2/posts", 429, "Too Many Requests", {"Retry-After": retry_after})
    with pytest.raises(RateLimited) as caught:
        poll()
    assert caught.value.retry_after == seconds


def test_held_comments_a_contributor_cannot_read_name_the_role_needed(site: FakeSite) -> None:
    site.editor = False
    with pytest.raises(ConfigurationError, match="Editor") as caught:
        poll(credentials=CREDENTIALS)
    assert caught.value.code == "rest_forbidden_context"


@pytest.mark.parametrize("failure", [requests.ConnectionError("reset"), requests.Timeout("slow")])
def test_network_failures_are_transient(rsps: responses.RequestsMock, failure: Exception) -> None:
    rsps.add(responses.GET, f"{API}/", body=failure)
    with pytest.raises(TransientError, match="network error"):
        poll()


def test_every_request_has_a_timeout(site: FakeSite, rsps: responses.RequestsMock) -> None:
    poll()
    assert {call.request.req_kwargs["timeout"] for call in rsps.calls} == {TIMEOUT}  # type: ignore[attr-defined]


# --- credentials ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("credentials", "says"),
    [
        ({}, "missing credential 'base_url'"),
        ({"base_url": " "}, "missing credential 'base_url'"),
        ({"base_url": SITE, "username": USER}, "missing credential 'application_password'"),
        ({"base_url": SITE, "application_password": SECRET}, "missing credential 'username'"),
        ({"base_url": "class.school.example"}, "base_url must be the site's address"),
        ({"base_url": f"https://{USER}:pw@class.school.example"}, "base_url must be"),
        (
            {
                "base_url": "http://class.school.example",
                "username": USER,
                "application_password": "x",
            },
            "https://",
        ),
    ],
)
def test_bad_credentials_are_a_configuration_problem_before_any_request(
    rsps: responses.RequestsMock, credentials: dict[str, str], says: str
) -> None:
    with pytest.raises(ConfigurationError, match=says) as caught:
        poll(credentials=credentials)
    assert len(rsps.calls) == 0
    if "missing" in says or "address" in says:
        assert "hallwatch accounts credentials ACCOUNT" in str(caught.value)


@pytest.mark.parametrize(
    ("base_url", "api"),
    [
        ("https://class.school.example/", API),
        ("https://class.school.example/wp-json/", API),
        ("https://school.example/rivera", "https://school.example/rivera/wp-json"),
    ],
)
def test_base_url_is_normalised_to_the_api_root(
    rsps: responses.RequestsMock, base_url: str, api: str
) -> None:
    rsps.add(responses.GET, f"{api}/", json={"name": "Class"})
    reached = connector({"base_url": base_url}).check_credentials(ACCOUNT)
    assert "'Class'" in reached
    assert str(rsps.calls[0].request.url).startswith(f"{api}/?")


# --- malformed items --------------------------------------------------------------------


def _break(site: FakeSite, what: str) -> None:
    if what == "post without date_gmt":
        del site.posts[1]["date_gmt"]
    elif what == "comment with a text id":
        site.comments[0]["id"] = "501"
    elif what == "comment without post":
        del site.comments[3]["post"]
    else:
        del site.posts[2]["id"]


@pytest.mark.parametrize(
    ("what", "label", "posts", "comments"),
    [
        ("post without date_gmt", "post 11", 102, 5),
        ("comment with a text id", "comments[0]", 103, 4),
        ("comment without post", "comment 504", 103, 4),
        ("post without id", "posts[2]", 102, 5),
    ],
)
def test_a_malformed_item_is_skipped_and_logged_by_id_only(
    site: FakeSite,
    caplog: pytest.LogCaptureFixture,
    what: str,
    label: str,
    posts: int,
    comments: int,
) -> None:
    _break(site, what)
    with caplog.at_level(logging.WARNING, logger="connectors.wordpress"):
        snapshot = poll()
    assert snapshot.skipped == (label,)
    assert (len(snapshot.posts), len(snapshot.comments)) == (posts, comments)
    assert label in caplog.text
    assert "Great start" not in caplog.text and "Field trip" not in caplog.text


# --- hiding comments --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "comment_id", "status"),
    [("hide_comment", "504", "hold"), ("unhide_comment", "505", "approve")],
)
def test_hide_and_unhide_post_the_comment_status_and_nothing_else(
    site: FakeSite, rsps: responses.RequestsMock, action: str, comment_id: str, status: str
) -> None:
    getattr(connector(), action)(ACCOUNT, comment_id)
    assert len(rsps.calls) == 1
    request = rsps.calls[0].request
    assert (request.method, request.url) == ("POST", f"{API}/wp/v2/comments/{comment_id}")
    assert json.loads(request.body or b"") == {"status": status}  # type: ignore[arg-type]
    assert str(request.headers["Authorization"]).startswith("Basic ")


@pytest.mark.parametrize(
    ("prepare", "comment_id", "error", "says"),
    [
        ("already held", "505", PermanentError, "may already be"),
        ("no such comment", "999", PermanentError, "HTTP 404"),
        ("contributor", "504", ConfigurationError, "Editor"),
        ("redirect", "504", ConfigurationError, "redirects"),
    ],
)
def test_hide_refusals_are_explained(
    site: FakeSite, prepare: str, comment_id: str, error: type[Exception], says: str
) -> None:
    if prepare == "contributor":
        site.fail(f"/wp/v2/comments/{comment_id}", 403, ERRORS["rest_cannot_edit"])
    if prepare == "redirect":
        site.fail(f"/wp/v2/comments/{comment_id}", 301, "", {"Location": "https://elsewhere/"})
    with pytest.raises(error, match=says):
        connector().hide_comment(ACCOUNT, comment_id)


@pytest.mark.parametrize(
    ("credentials", "comment_id", "error"),
    [(ANONYMOUS, "504", ConfigurationError), (CREDENTIALS, "c-504", PermanentError)],
)
def test_hide_needs_credentials_and_a_numeric_id_before_any_request(
    rsps: responses.RequestsMock, credentials: dict[str, str], comment_id: str, error: type
) -> None:
    with pytest.raises(error):
        connector(credentials).hide_comment(ACCOUNT, comment_id)
    assert len(rsps.calls) == 0


# --- check_credentials ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "says"),
    [
        (me(), "('administrator') at https://class.school.example: can read everything and hide"),
        (me(("author",), moderate_comments=False), "own posts only"),
        (me(("subscriber",), moderate_comments=False, edit_posts=False), "cannot read held"),
    ],
)
def test_check_credentials_says_who_and_what_in_one_request(
    rsps: responses.RequestsMock, user: dict[str, Any], says: str
) -> None:
    rsps.add(responses.GET, f"{API}/wp/v2/users/me", json=user)
    reached = connector().check_credentials(ACCOUNT)
    assert says.replace("('administrator')", "(administrator)") in reached
    assert "Ms Rivera" in reached
    assert len(rsps.calls) == 1
    assert parse_qs(urlsplit(str(rsps.calls[0].request.url)).query) == {"context": ["edit"]}


def test_check_credentials_without_login_reads_the_public_root(site: FakeSite) -> None:
    reached = connector(ANONYMOUS).check_credentials(ACCOUNT)
    assert reached.startswith('public WordPress site "Ms. Rivera\'s Grade 4 Class"')


@pytest.mark.parametrize(
    ("prepare", "credentials", "error"),
    [
        ("private", ANONYMOUS, ConfigurationError),
        ("wrong password", CREDENTIALS, AuthRevoked),
    ],
)
def test_check_credentials_failures(
    site: FakeSite, prepare: str, credentials: dict[str, str], error: type
) -> None:
    site.private = prepare == "private"
    site.password_ok = prepare != "wrong password"
    with pytest.raises(error):
        connector(credentials).check_credentials(ACCOUNT)


# --- the secret -------------------------------------------------------------------------


def test_the_application_password_never_shows_in_errors_repr_or_logs(
    site: FakeSite, caplog: pytest.LogCaptureFixture
) -> None:
    token = base64.b64encode(f"{USER}:{SECRET}".encode()).decode()
    messages = [repr(connector())]
    with caplog.at_level(logging.DEBUG):
        poll()
        site.password_ok = False
        for action in (poll, lambda: connector().hide_comment(ACCOUNT, "504")):
            with pytest.raises(AuthRevoked) as caught:
                action()
            messages.append(str(caught.value))
            messages.append(repr(caught.value))
    for text in [*messages, caplog.text]:
        assert SECRET not in text and token not in text


# --- rendered HTML to text --------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "text", "alts"),
    [
        ("<p>Mrs.&nbsp;Lee&#8217;s class</p>", "Mrs. Lee\u2019s class", []),
        ("<p>One</p><p>Two<br>Three</p>", "One\nTwo\nThree", []),
        ("<p>Hi</p><script>alert('x')</script><style>p{}</style>", "Hi", []),
        ('<figure><img src="/a.jpg" alt="Maya at the fair"></figure>', "", ["Maya at the fair"]),
        ("a  &amp;\n\n  b &lt;3", "a &\nb <3", []),
        ("", "", []),
    ],
)
def test_html_text_keeps_what_a_reader_sees(markup: str, text: str, alts: list[str]) -> None:
    found, images = html_text(markup)
    assert found == text
    assert [image.alt_text for image in images] == alts


def test_content_images_without_an_attachment_class_get_a_stable_id() -> None:
    first = html_text('<img src="https://cdn.example/x.png" alt="">')[1][0]
    again = html_text('<img src="https://cdn.example/x.png">')[1][0]
    assert first.external_id == again.external_id and first.external_id.startswith("img-")
