"""The X connector against scripted X API v2 answers (``responses``, injected session).

Each test reads Given (what X answers) / When (a fetch or an action) / Then (the snapshot,
the requests sent, or the error). Payloads live in :mod:`tests.support.connector_cases.x`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses

import connectors
from connectors import (
    AuthRevoked,
    ConfigurationError,
    PermanentError,
    RateLimited,
    TransientError,
    UsageCapped,
)
from connectors.http import SDK_LOGGERS, TIMEOUT
from connectors.x import MAX_PAGES, XConnector
from tests.support.connector_cases.x import (
    ACCOUNT,
    API,
    C1,
    C2,
    C3,
    EMPTY,
    GUARDIAN,
    M1,
    NEXT_TOKEN,
    NOT_ENROLLED,
    NOW,
    PARENT,
    SECRET,
    T1,
    T2,
    T3,
    TOO_MANY,
    UNAUTHORIZED,
    UNAVAILABLE,
    USAGE,
    USAGE_CAPPED,
    USER_ID,
    USERS,
    case,
    page,
    query,
    script_full,
    script_unchanged,
    tweet,
    user,
)

OAUTH1 = {
    "consumer_key": "ck-9f8e7d6c5b4a3f2e1d0c",
    "consumer_secret": "cs-Zq8Xw7Vu6Ts5Rq4Po3Nm2Lk1Jj0Ih9Gf8Ed7Cb6",
    "access_token": f"{USER_ID}-at7Hh6Gg5Ff4Ee3Dd2Cc1Bb0Aa",
    "access_token_secret": "ats-Yy9Xx8Ww7Vv6Uu5Tt4Ss3Rr2Qq1",
}
OAUTH2_USER = "bWRWa3gzdnk3WHRGU1o0bmRRcTJ5VUxWX1lZTDdJSUtmaWcxbTVxdEFXcW5tOjE2MjIx"
SECRETS = [SECRET, OAUTH2_USER, *OAUTH1.values()]
TWEETS, MENTIONS, PROFILE = (
    f"{API}/users/{USER_ID}/tweets",
    f"{API}/users/{USER_ID}/mentions",
    f"{API}/users/{USER_ID}",
)


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as rsps:
        yield rsps


def connector(credentials: dict[str, str] | None = None) -> XConnector:
    return XConnector(
        credentials or {"bearer_token": SECRET}, requests.Session(), clock=lambda: NOW
    )


def params(call: Any) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(call.request.url).query))


def calls_to(mock: responses.RequestsMock, url: str) -> list[dict[str, str]]:
    return [params(c) for c in mock.calls if str(c.request.url).split("?")[0] == url]


def auth_header(call: Any) -> str:
    return str(call.request.headers["Authorization"])


def full_cursor() -> dict[str, Any]:
    with responses.RequestsMock() as rsps:
        script_full(rsps)
        return connector().fetch(ACCOUNT).cursor


# --- a first poll --------------------------------------------------------------------------


def test_full_poll_fills_profile_posts_and_comments(mock: responses.RequestsMock) -> None:
    # Given a public account with three posts (two pages) and four mentions
    script_full(mock)
    # When it is polled for the first time
    snap = connector().fetch(ACCOUNT)
    # Then the profile is public, with t.co links expanded and no comment switch
    assert snap.profile.visibility == "public"
    assert snap.profile.website == "https://riverside.fvsd.example.ca"
    assert snap.profile.about.endswith("https://fvsd.example.ca")
    assert (snap.profile.handle, snap.profile.display_name) == (
        "riversideelem",
        "Riverside Elementary",
    )
    assert snap.profile.comments_enabled is None
    # And every post is public, with its permalink and alt text
    assert [p.external_id for p in snap.posts] == [T3, T2, T1]
    assert {p.visibility for p in snap.posts} == {"public"}
    assert snap.posts[1].url == f"https://x.com/riversideelem/status/{T2}"
    assert snap.posts[1].media[0].alt_text == "Students at the science fair"
    assert snap.posts[1].media[0].kind == "photo"
    assert snap.posts[0].created_at.tzinfo is not None
    # And replies are comments on their conversation; the plain mention is not
    comments = {c.external_id: c for c in snap.comments}
    assert set(comments) == {C1, C2, C3}
    assert comments[C1].post_external_id == T1 and comments[C1].replied_by_account
    assert comments[C3].parent_external_id == C2 and comments[C3].post_external_id == T2
    assert comments[C2].parent_external_id is None and not comments[C2].replied_by_account
    assert comments[C2].author_name == "Gail Guardian (@gailg)"
    assert comments[C2].author_id == GUARDIAN and not comments[C2].by_account
    assert comments[C2].url == f"https://x.com/gailg/status/{C2}"
    # And the poll made 4 requests: profile, two pages of posts, one of mentions
    assert snap.requests == 4 == len(mock.calls)
    assert snap.cursor == {
        "tweets": {"since_id": T3},
        "mentions": {"since_id": M1},
        "post_ids": [T3, T2, T1],
    }
    json.dumps(snap.cursor)


def test_first_poll_asks_for_the_documented_fields(mock: responses.RequestsMock) -> None:
    # Given a first poll
    script_full(mock)
    connector().fetch(ACCOUNT)
    # Then the profile, posts and mentions requests carry the fields the rules need
    assert (
        params(mock.calls[0])["user.fields"] == "protected,description,url,name,username,entities"
    )
    first, second = calls_to(mock, TWEETS)
    assert first == {
        "max_results": "100",
        "tweet.fields": "created_at,conversation_id,in_reply_to_user_id,referenced_tweets,"
        "attachments,reply_settings",
        "expansions": "attachments.media_keys",
        "media.fields": "alt_text,type,url,preview_image_url",
    }
    # And the second page follows meta.next_token
    assert second["pagination_token"] == NEXT_TOKEN
    (mentions,) = calls_to(mock, MENTIONS)
    assert mentions["expansions"] == "author_id"
    assert mentions["user.fields"] == "username,name"
    assert mentions["tweet.fields"].endswith(",author_id")
    assert "since_id" not in mentions


def test_every_request_has_a_timeout(mock: responses.RequestsMock) -> None:
    script_full(mock)
    connector().fetch(ACCOUNT)
    timeouts = {c.request.req_kwargs["timeout"] for c in mock.calls}  # type: ignore[attr-defined]
    assert timeouts == {TIMEOUT}


def test_protected_account_is_private_and_so_are_its_posts(mock: responses.RequestsMock) -> None:
    # Given a protected account read with its own OAuth 1.0a keys
    mock.get(PROFILE, json=user(protected=True))
    mock.get(TWEETS, json=page([tweet(T1, "Picture day is Thursday", 0)]))
    mock.get(MENTIONS, json=EMPTY)
    # When it is polled
    snap = connector(OAUTH1).fetch(ACCOUNT)
    # Then the profile and the post are private, and the requests were signed with OAuth 1.0a
    assert snap.profile.visibility == "private"
    assert snap.posts[0].visibility == "private"
    assert all(auth_header(c).startswith("OAuth ") for c in mock.calls)


# --- incremental polls and paging -----------------------------------------------------------


def test_unchanged_account_costs_one_request_per_stream(mock: responses.RequestsMock) -> None:
    # Given the cursor of a first poll
    cursor = full_cursor()
    # When nothing changed
    script_unchanged(mock)
    snap = connector().fetch(ACCOUNT, cursor)
    # Then the poll asks only for what is newer, in 3 requests, and finds nothing
    assert snap.requests == 3 == len(mock.calls)
    assert calls_to(mock, TWEETS)[0]["since_id"] == T3
    assert calls_to(mock, MENTIONS)[0]["since_id"] == M1
    assert (snap.posts, snap.comments) == ((), ())
    assert snap.cursor == cursor


def test_new_reply_to_an_earlier_comment_marks_it_replied(mock: responses.RequestsMock) -> None:
    # Given an earlier poll saw C2, and the account has now answered it
    cursor = full_cursor()
    answer = "1835000000000000040"
    mock.get(PROFILE, json=user())
    reply = tweet(
        answer, "@gailg thank you!", 120, conversation=T2, reply_to=C2, reply_to_user=GUARDIAN
    )
    mock.get(TWEETS, json=page([reply]), match=[query(since_id=T3)])
    mock.get(MENTIONS, json=EMPTY, match=[query(since_id=M1)])
    # And X still has C2, while another answered reply was deleted (a partial error)
    gone = "1835000000000000009"
    lookup = {
        "data": [
            tweet(
                C2,
                "Great photos!",
                70,
                conversation=T2,
                reply_to=T2,
                reply_to_user=USER_ID,
                author=GUARDIAN,
            )
        ],
        "includes": USERS,
        "errors": [
            {
                "value": gone,
                "detail": f"Could not find tweet with ids: [{gone}].",
                "title": "Not Found Error",
                "resource_type": "tweet",
                "parameter": "ids",
                "resource_id": gone,
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        ],
    }
    mock.get(f"{API}/tweets", json=lookup, match=[query(ids=C2)])
    # When polled
    snap = connector().fetch(ACCOUNT, cursor)
    # Then C2 comes back marked replied, from one more request
    (comment,) = snap.comments
    assert (comment.external_id, comment.replied_by_account) == (C2, True)
    assert [p.external_id for p in snap.posts] == [answer]
    assert snap.requests == 4
    assert snap.cursor["post_ids"][:2] == [answer, T3]


def test_paging_is_bounded_and_resumes_from_the_cursor(mock: responses.RequestsMock) -> None:
    # Given more pages of posts than one poll reads
    ids = [str(1835000000000001000 - i) for i in range(MAX_PAGES + 1)]
    tokens = [None] + [f"token{i}" for i in range(1, MAX_PAGES + 1)]
    for i in range(MAX_PAGES):
        body = page([tweet(ids[i], f"post {i}", i)], next_token=tokens[i + 1])
        mock.get(TWEETS, json=body, match=[query(pagination_token=tokens[i])])
    mock.get(PROFILE, json=user())
    mock.get(MENTIONS, json=EMPTY)
    # When polled
    first = connector().fetch(ACCOUNT)
    # Then it stops after MAX_PAGES pages and remembers where to go on
    assert len(first.posts) == MAX_PAGES and first.requests == MAX_PAGES + 2
    assert first.cursor["tweets"] == {"until_id": ids[MAX_PAGES - 1], "pending_since": ids[0]}
    # When polled again, the older rest is read below until_id
    mock.reset()
    mock.get(PROFILE, json=user())
    last = page([tweet(ids[MAX_PAGES], "oldest", 0)])
    mock.get(TWEETS, json=last, match=[query(until_id=ids[MAX_PAGES - 1], since_id=None)])
    mock.get(MENTIONS, json=EMPTY)
    second = connector().fetch(ACCOUNT, first.cursor)
    # Then the stream moves on from the newest post of the first poll
    assert [p.external_id for p in second.posts] == [ids[MAX_PAGES]]
    assert second.cursor["tweets"] == {"since_id": ids[0]}


def test_invalid_cursor_reads_from_the_start(
    mock: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    script_unchanged(mock)
    cursor = {"tweets": {"since_id": "not-a-number"}, "mentions": "junk", "post_ids": [3]}
    snap = connector().fetch(ACCOUNT, cursor)
    assert "since_id" not in calls_to(mock, TWEETS)[0]
    assert "since_id" not in calls_to(mock, MENTIONS)[0]
    assert snap.cursor == {"tweets": {}, "mentions": {}, "post_ids": []}
    assert "invalid tweets cursor" in caplog.text


# --- errors ---------------------------------------------------------------------------------

RESET = {"x-rate-limit-reset": str(int(NOW.timestamp()) + 900)}
UNSUPPORTED_AUTH = {
    "title": "Unsupported Authentication",
    "detail": "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  "
    "Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
    "type": "https://api.twitter.com/2/problems/unsupported-authentication",
    "status": 403,
}
READ_ONLY_APP = {
    "title": "Forbidden",
    "status": 403,
    "detail": "Your client app is not configured with the appropriate oauth1 app permissions "
    "for this endpoint.",
    "type": "https://api.twitter.com/2/problems/oauth1-permissions",
}
INVALID = {
    "errors": [
        {
            "parameters": {"since_id": ["1"]},
            "message": "The `since_id` query parameter value [1] is not valid",
        }
    ],
    "title": "Invalid Request",
    "detail": "One or more parameters to your request was invalid.",
    "type": "https://api.twitter.com/2/problems/invalid-request",
}
NOT_FOUND = {"title": "Not Found", "type": "about:blank", "status": 404, "detail": "Not Found"}


@pytest.mark.parametrize(
    ("url", "status", "body", "headers", "error", "words"),
    [
        (PROFILE, 401, UNAUTHORIZED, {}, AuthRevoked, "hallwatch accounts credentials"),
        (PROFILE, 429, TOO_MANY, RESET, RateLimited, "rate limited"),
        (MENTIONS, 403, NOT_ENROLLED, {}, ConfigurationError, "Basic or higher"),
        (TWEETS, 403, NOT_ENROLLED, {}, ConfigurationError, "console.x.com"),
        (MENTIONS, 403, UNSUPPORTED_AUTH, {}, ConfigurationError, "user-context"),
        (TWEETS, 403, READ_ONLY_APP, {}, ConfigurationError, "Read and write"),
        (PROFILE, 404, NOT_FOUND, {}, PermanentError, "404"),
        (TWEETS, 400, INVALID, {}, PermanentError, "400 Invalid Request"),
        (PROFILE, 503, UNAVAILABLE, {}, TransientError, "503"),
        (MENTIONS, 500, {"title": "Internal Server Error"}, {}, TransientError, "500"),
    ],
)
def test_platform_errors_map_to_the_taxonomy(
    mock: responses.RequestsMock,
    url: str,
    status: int,
    body: dict[str, Any],
    headers: dict[str, str],
    error: type[Exception],
    words: str,
) -> None:
    # Given X answers one of the three requests with an error
    for each in (PROFILE, TWEETS, MENTIONS):
        if each == url:
            mock.get(each, json=body, status=status, headers=headers)
            break
        mock.get(each, json=user() if each == PROFILE else EMPTY)
    # When polled
    with pytest.raises(error) as caught:
        connector().fetch(ACCOUNT)
    # Then the error says what to do and holds no token or query string
    message = str(caught.value)
    assert words in message
    assert SECRET not in message and "?" not in message and "https://api" not in message


def test_rate_limit_waits_until_the_reset(mock: responses.RequestsMock) -> None:
    mock.get(PROFILE, json=TOO_MANY, status=429, headers=RESET)
    with pytest.raises(RateLimited) as caught:
        connector().fetch(ACCOUNT)
    assert caught.value.retry_after == 900


# --- the monthly usage cap ------------------------------------------------------------------


def test_the_monthly_cap_is_usage_capped_until_the_reset_day(mock: responses.RequestsMock) -> None:
    # Given X answers the usage-capped problem, and its usage endpoint says the cap resets
    # on day 10 of the month
    mock.get(PROFILE, json=USAGE_CAPPED, status=429, headers=RESET)
    mock.get(f"{API}/usage/tweets", json=USAGE)
    # When polled
    with pytest.raises(UsageCapped) as caught:
        connector().fetch(ACCOUNT)
    # Then it is no rate limit to retry: the account waits until the cap resets
    error = caught.value
    assert not isinstance(error, RateLimited) and not error.retriable
    assert isinstance(error, ConfigurationError) and error.code == "usage-capped"
    assert (error.resets_at, error.exact) == (datetime(2026, 10, 10, tzinfo=UTC), True)
    assert (error.period, error.scope) == ("Monthly", "Product")
    assert error.detail == "Usage cap exceeded: Monthly product cap"
    message = str(error)
    assert "monthly product cap" in message and "2026-10-10" in message
    assert "console.x.com" in message and SECRET not in message
    # and the usage look-up went out with the app's bearer token
    assert mock.calls[1].request.headers["Authorization"] == f"Bearer {SECRET}"


@pytest.mark.parametrize(
    ("credentials", "usage", "looked_up"),
    [
        (None, (403, {"title": "Forbidden", "type": "about:blank", "status": 403}), True),
        (None, (200, {"data": {"project_cap": "5000000000"}}), True),
        ({"access_token": OAUTH2_USER}, None, False),  # a user token cannot read usage
        (OAUTH1, None, False),  # no bearer token beside the OAuth 1.0a keys
    ],
)
def test_without_a_reset_day_the_cap_is_checked_again_a_day_later(
    mock: responses.RequestsMock,
    credentials: dict[str, str] | None,
    usage: tuple[int, dict] | None,
    looked_up: bool,
) -> None:
    mock.get(PROFILE, json=USAGE_CAPPED, status=429)
    if usage is not None:
        mock.get(f"{API}/usage/tweets", json=usage[1], status=usage[0])
    with pytest.raises(UsageCapped) as caught:
        connector(credentials).fetch(ACCOUNT)
    assert (caught.value.resets_at, caught.value.exact) == (NOW + timedelta(days=1), False)
    assert "tries again once a day" in str(caught.value)
    assert len(mock.calls) == 1 + looked_up


def test_a_daily_cap_waits_for_midnight_utc(mock: responses.RequestsMock) -> None:
    mock.get(PROFILE, json={**USAGE_CAPPED, "period": "Daily"}, status=429)
    with pytest.raises(UsageCapped) as caught:
        connector().fetch(ACCOUNT)
    assert caught.value.resets_at == datetime(2026, 9, 15, tzinfo=UTC)
    assert caught.value.period == "Daily" and len(mock.calls) == 1


def test_a_plain_429_is_still_a_rate_limit(mock: responses.RequestsMock) -> None:
    mock.get(PROFILE, json=TOO_MANY, status=429, headers=RESET)
    with pytest.raises(RateLimited) as caught:
        connector().fetch(ACCOUNT)
    assert not isinstance(caught.value, UsageCapped)


# --- hidden replies ---------------------------------------------------------------------------


def test_no_reply_is_claimed_shown_since_x_cannot_say(mock: responses.RequestsMock) -> None:
    # Given a poll with replies (one of which Hallwatch may have hidden earlier)
    script_full(mock)
    snapshot = connector().fetch(ACCOUNT)
    # Then no reply says "not hidden": their hidden state is unknown
    assert snapshot.comments and {c.hidden for c in snapshot.comments} == {None}
    assert XConnector.reports_hidden is False and XConnector.facts().can_hide_comments


def test_client_not_enrolled_names_the_access_level(mock: responses.RequestsMock) -> None:
    mock.get(PROFILE, json=NOT_ENROLLED, status=403)
    with pytest.raises(ConfigurationError) as caught:
        connector().fetch(ACCOUNT)
    assert caught.value.code == "client-not-enrolled"
    assert "paid X API access level, Basic or higher" in str(caught.value)


@pytest.mark.parametrize(
    "failure", [requests.ConnectionError("reset"), requests.Timeout("read timed out")]
)
def test_network_failures_are_transient(
    mock: responses.RequestsMock, failure: requests.RequestException
) -> None:
    mock.get(PROFILE, body=failure)
    with pytest.raises(TransientError, match="network error"):
        connector().fetch(ACCOUNT)


@pytest.mark.parametrize(
    ("problem", "error"),
    [
        (
            {
                "value": USER_ID,
                "detail": f"Could not find user with id: [{USER_ID}].",
                "title": "Not Found Error",
                "resource_type": "user",
                "parameter": "id",
                "resource_id": USER_ID,
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            },
            PermanentError,
        ),
        (
            {
                "value": USER_ID,
                "detail": f"Sorry, you are not authorized to see the user with id: [{USER_ID}].",
                "title": "Authorization Error",
                "resource_type": "user",
                "parameter": "id",
                "resource_id": USER_ID,
                "section": "data",
                "type": "https://api.twitter.com/2/problems/not-authorized-for-resource",
            },
            ConfigurationError,
        ),
    ],
)
def test_a_200_holding_only_a_user_error_fails_the_poll(
    mock: responses.RequestsMock, problem: dict[str, Any], error: type[Exception]
) -> None:
    # Given the profile is readable but the timeline answers 200 with only an error
    mock.get(PROFILE, json=user(protected=True))
    mock.get(TWEETS, json={"errors": [problem]})
    # Then the poll fails with the matching error
    with pytest.raises(error):
        connector().fetch(ACCOUNT)


def test_missing_account_is_a_permanent_error(mock: responses.RequestsMock) -> None:
    missing = {
        "value": USER_ID,
        "detail": f"Could not find user with id: [{USER_ID}].",
        "title": "Not Found Error",
        "resource_type": "user",
        "parameter": "id",
        "resource_id": USER_ID,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }
    mock.get(PROFILE, json={"errors": [missing]})
    with pytest.raises(PermanentError, match="Not Found Error"):
        connector().fetch(ACCOUNT)


def test_partial_errors_do_not_fail_the_poll(mock: responses.RequestsMock) -> None:
    # Given a mentions page that also reports a media item it could not find
    mock.get(PROFILE, json=user())
    mock.get(TWEETS, json=page([tweet(T1, "Picture day is Thursday", 0)]))
    body = page(
        [
            tweet(
                C1,
                "What time?",
                30,
                conversation=T1,
                reply_to=T1,
                reply_to_user=USER_ID,
                author=PARENT,
            )
        ],
        includes=USERS,
    )
    body["errors"] = [
        {
            "value": "1835000000000000001",
            "detail": "Could not find tweet with referenced_tweets.id: [1835000000000000001].",
            "title": "Not Found Error",
            "resource_type": "tweet",
            "parameter": "referenced_tweets.id",
            "resource_id": "1835000000000000001",
            "type": "https://api.twitter.com/2/problems/resource-not-found",
        }
    ]
    mock.get(MENTIONS, json=body)
    # Then the poll keeps what X sent
    snap = connector().fetch(ACCOUNT)
    assert [c.external_id for c in snap.comments] == [C1]


# --- malformed items --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("broken", "label"),
    [
        ({"text": "no id here", "created_at": "2026-09-14T10:00:00.000Z"}, "tweets[0]"),
        ({"id": T2, "text": "no time"}, T2),
        ({"id": T2, "text": "bad time", "created_at": "yesterday"}, T2),
        ({"id": T2, "text": "naive", "created_at": "2026-09-14T10:00:00"}, T2),
        ("a string, not an object", "tweets[0]"),
    ],
)
def test_malformed_post_is_skipped_and_the_page_kept(
    mock: responses.RequestsMock, caplog: pytest.LogCaptureFixture, broken: Any, label: str
) -> None:
    # Given a page whose first post is malformed
    caplog.set_level(logging.DEBUG)
    body = page([tweet(T3, "fine", 5), tweet(T1, "also fine", 0)])
    body["data"].insert(0, broken)
    mock.get(PROFILE, json=user())
    mock.get(TWEETS, json=body)
    mock.get(MENTIONS, json=EMPTY)
    # When polled
    snap = connector().fetch(ACCOUNT)
    # Then it is skipped by id or index, never by its text, and the rest is kept
    assert [p.external_id for p in snap.posts] == [T3, T1]
    assert snap.skipped == (label,)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(label in w for w in warnings)
    assert not any(("no time" in w or "bad time" in w or "naive" in w) for w in warnings)


def test_malformed_comment_is_skipped(mock: responses.RequestsMock) -> None:
    script_unchanged(mock)
    mock.replace(
        responses.GET,
        MENTIONS,
        json={
            "data": [
                {
                    "id": C2,
                    "text": "no time",
                    "conversation_id": T2,
                    "in_reply_to_user_id": USER_ID,
                },
                tweet(C1, "fine", 30, conversation=T1, reply_to=T1, reply_to_user=USER_ID),
            ],
            "meta": {"result_count": 2, "newest_id": C2, "oldest_id": C1},
        },
    )
    snap = connector().fetch(ACCOUNT)
    assert [c.external_id for c in snap.comments] == [C1]
    assert snap.skipped == (C2,)


# --- hide / unhide ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("credentials", "scheme"),
    [(OAUTH1, "OAuth "), ({"access_token": OAUTH2_USER}, f"Bearer {OAUTH2_USER}")],
)
@pytest.mark.parametrize("hide", [True, False])
def test_hide_and_unhide_send_the_documented_request(
    mock: responses.RequestsMock, credentials: dict[str, str], scheme: str, hide: bool
) -> None:
    # Given X confirms the change
    mock.put(f"{API}/tweets/{C2}/hidden", json={"data": {"hidden": hide}})
    # When a person hides (or unhides) the reply
    target = connector(credentials)
    (target.hide_comment if hide else target.unhide_comment)(ACCOUNT, C2)
    # Then exactly one PUT with {"hidden": ...} went out with user-context auth
    (call,) = mock.calls
    assert call.request.method == "PUT"
    body: Any = call.request.body
    assert json.loads(body) == {"hidden": hide}
    assert auth_header(call).startswith(scheme)


def test_hiding_with_an_app_only_token_names_the_keys_needed(mock: responses.RequestsMock) -> None:
    with pytest.raises(ConfigurationError, match="access_token_secret"):
        connector().hide_comment(ACCOUNT, C2)
    assert not mock.calls


def test_hiding_with_a_read_only_app_is_a_configuration_error(mock: responses.RequestsMock) -> None:
    mock.put(f"{API}/tweets/{C2}/hidden", json=READ_ONLY_APP, status=403)
    with pytest.raises(ConfigurationError, match="Read and write"):
        connector(OAUTH1).hide_comment(ACCOUNT, C2)


# --- credentials ------------------------------------------------------------------------------


def test_check_credentials_app_only_reads_the_user(mock: responses.RequestsMock) -> None:
    mock.get(PROFILE, json={"data": {"id": USER_ID, "username": "riversideelem", "name": "R"}})
    reached = connector().check_credentials(ACCOUNT)
    assert "app-only" in reached and "@riversideelem" in reached
    assert params(mock.calls[0]) == {"user.fields": "protected,username"}


@pytest.mark.parametrize(
    ("me", "words"),
    [(USER_ID, "can hide replies"), ("999", "not the polled account")],
)
def test_check_credentials_user_context_reads_me(
    mock: responses.RequestsMock, me: str, words: str
) -> None:
    mock.get(f"{API}/users/me", json={"data": {"id": me, "username": "someone", "name": "S"}})
    reached = connector(OAUTH1).check_credentials(ACCOUNT)
    assert reached.startswith("OAuth 1.0a user context for @someone") and words in reached


@pytest.mark.parametrize(
    ("credentials", "named"),
    [
        ({}, ["bearer_token"]),
        ({"bearer_token": "  "}, ["bearer_token"]),
        ({"consumer_key": "ck"}, ["consumer_secret", "access_token", "access_token_secret"]),
        (
            {
                "bearer_token": SECRET,
                "consumer_key": "ck",
                "consumer_secret": "cs",
                "access_token": "at",
            },
            ["access_token_secret"],
        ),
    ],
)
def test_missing_credentials_name_the_keys(credentials: dict[str, str], named: list[str]) -> None:
    # Given incomplete credentials, building the connector still works
    target = XConnector(credentials, requests.Session(), clock=lambda: NOW)
    # When it is used, the error names the keys and the command to set them
    with pytest.raises(ConfigurationError) as caught:
        target.fetch(ACCOUNT)
    message = str(caught.value)
    assert all(key in message for key in named)
    assert "hallwatch accounts credentials ACCOUNT" in message
    assert SECRET not in message


# --- secrets ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "credentials", [{"bearer_token": SECRET}, OAUTH1, {"access_token": OAUTH2_USER}]
)
def test_tokens_never_reach_logs_errors_or_repr(
    caplog: pytest.LogCaptureFixture, credentials: dict[str, str]
) -> None:
    # Given debug logging and a poll that succeeds, then one that is refused
    caplog.set_level(logging.DEBUG)
    target = connector(credentials)
    with responses.RequestsMock() as rsps:
        script_full(rsps)
        target.fetch(ACCOUNT)
    with responses.RequestsMock() as rsps, pytest.raises(AuthRevoked) as caught:
        rsps.get(PROFILE, json=UNAUTHORIZED, status=401)
        target.fetch(ACCOUNT)
    # Then no token shows anywhere
    shown = caplog.text + repr(target) + str(caught.value) + repr(caught.value)
    # The SDKs' own DEBUG records (request headers) are dropped at the source
    assert not [r for r in caplog.records if r.name in SDK_LOGGERS and r.levelno < logging.WARNING]
    for secret in SECRETS:
        assert secret not in shown


def test_registry_and_contract_case() -> None:
    assert connectors.get_connector("x") is XConnector
    snap = case().fetch("full")
    assert (len(snap.posts), len(snap.comments)) == (case().full_posts, case().full_comments)
    unchanged = case().fetch("unchanged", snap.cursor)
    assert unchanged.requests <= case().streams
