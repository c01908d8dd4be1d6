"""The YouTube connector, driven through Google's ``HttpMockSequence``.

Each test reads Given (scripted API responses, shaped like the YouTube Data API v3's) /
When (a fetch, a moderation call) / Then (the snapshot, the requests sent, or the error).
"""

from __future__ import annotations

import logging
import traceback
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import google.auth.exceptions
import google_auth_httplib2
import httplib2
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
from connectors.google import (
    LIST_UNITS,
    MAX_PAGES,
    MODERATION_UNITS,
    TIMEOUT,
    seconds_until_quota_reset,
)
from connectors.youtube import YouTubeConnector
from tests.support.connector_cases import youtube as yt
from tests.support.connector_cases.youtube import (
    ACCOUNT,
    API_KEY,
    C_A,
    C_B,
    CHANNEL,
    CREDENTIALS,
    ERRORS,
    HELD,
    NOW,
    R_A,
    TOKEN,
    UPLOADS,
    V1,
    V2,
    V3,
    VIDEOS,
    channel_response,
    comment,
    comments_response,
    no_content,
    playlist_page,
    thread,
    threads_page,
    video,
    videos_response,
)


def connect(
    script: list[Any], credentials: dict[str, str] = CREDENTIALS
) -> tuple[YouTubeConnector, HttpMockSequence]:
    http = HttpMockSequence(script)
    return YouTubeConnector(credentials, http, clock=lambda: NOW), http


def sent(http: HttpMockSequence, index: int) -> tuple[str, dict[str, list[str]]]:
    """(path, query parameters) of the request at ``index``."""
    uri = http.request_sequence[index][0]
    parts = urlsplit(uri)
    return parts.path, parse_qs(parts.query)


def full_cursor() -> dict[str, Any]:
    youtube, _ = connect(yt.full_script())
    return youtube.fetch(ACCOUNT).cursor


# --- the first poll -------------------------------------------------------------------


def test_registry_maps_youtube_to_this_connector() -> None:
    assert get_connector("youtube") is YouTubeConnector


def test_first_poll_reads_every_page_of_every_stream() -> None:
    # Given two pages of uploads, two of published threads and one of held threads
    youtube, http = connect(yt.full_script())
    # When the channel is polled with no cursor
    snapshot = youtube.fetch(ACCOUNT)
    # Then every stream was paged through, one quota unit per list call
    paths = [sent(http, i)[0] for i in range(len(http.request_sequence))]
    assert paths == [
        "/youtube/v3/channels",
        "/youtube/v3/playlistItems",
        "/youtube/v3/playlistItems",
        "/youtube/v3/videos",
        "/youtube/v3/commentThreads",
        "/youtube/v3/commentThreads",
        "/youtube/v3/commentThreads",
    ]
    assert (snapshot.requests, snapshot.quota_units) == (7, 7 * LIST_UNITS)
    assert [p.external_id for p in snapshot.posts] == [V1, V2, V3]
    assert len(snapshot.comments) == 5


def test_first_poll_sends_the_documented_parameters() -> None:
    youtube, http = connect(yt.full_script())
    youtube.fetch(ACCOUNT)
    _, channel = sent(http, 0)
    assert channel["part"] == ["snippet,status,contentDetails,brandingSettings"]
    assert channel["id"] == [CHANNEL]
    _, first, _, second = (*sent(http, 1), *sent(http, 2))
    assert first["playlistId"] == [UPLOADS] and first["maxResults"] == ["50"]
    assert "pageToken" not in first and second["pageToken"] == ["EAAaBlBUOkNBSQ"]
    assert sent(http, 3)[1]["id"] == [f"{V1},{V2},{V3}"]
    _, published = sent(http, 4)
    assert published["allThreadsRelatedToChannelId"] == [CHANNEL]
    assert published["order"] == ["time"] and published["maxResults"] == ["100"]
    assert published["moderationStatus"] == ["published"]
    assert published["part"] == ["snippet,replies"]
    assert sent(http, 5)[1]["pageToken"] == ["QURTSl9pM"]
    assert sent(http, 6)[1]["moderationStatus"] == ["heldForReview"]


@pytest.mark.parametrize("privacy", ["public", "private", "unlisted"])
def test_profile_comes_from_the_channel_resource(privacy: str) -> None:
    script = yt.full_script()
    script[0] = channel_response(privacy)
    youtube, _ = connect(script)
    profile = youtube.fetch(ACCOUNT).profile
    assert profile.visibility == privacy
    assert profile.handle == "@riversideelem"
    assert profile.display_name == "Riverside Elementary"
    assert profile.about.startswith("Riverside Elementary, Fraser Valley School District")
    assert profile.website == "https://riverside.fvsd.example.ca"
    assert profile.comments_enabled is True


def test_posts_carry_video_privacy_permalink_and_thumbnail() -> None:
    youtube, _ = connect(yt.full_script())
    posts = {p.external_id: p for p in youtube.fetch(ACCOUNT).posts}
    assert {k: p.visibility for k, p in posts.items()} == {
        V1: "public",
        V2: "unlisted",
        V3: "private",
    }
    first = posts[V1]
    assert first.url == f"https://www.youtube.com/watch?v={V1}"
    assert first.created_at == datetime(2026, 9, 14, 14, 0, tzinfo=UTC)
    assert first.text == f"Video {V1}\n\nOur class trip to the aquarium."
    assert first.media[0].kind == "video"
    assert first.media[0].url.endswith("/hqdefault.jpg")


def test_comments_know_who_wrote_them_and_who_answered() -> None:
    youtube, _ = connect(yt.full_script())
    comments = {c.external_id: c for c in youtube.fetch(ACCOUNT).comments}
    top, reply = comments[C_A["id"]], comments[R_A["id"]]
    assert top.replied_by_account and not top.by_account and top.parent_external_id is None
    assert reply.by_account and reply.parent_external_id == C_A["id"]
    assert top.post_external_id == V1 and top.text == "Who is the girl?"
    assert top.url == f"https://www.youtube.com/watch?v={V1}&lc={C_A['id']}"
    assert top.author_name == "@aparent" and top.status == "published"
    assert comments[HELD["id"]].status == "held"


# --- incremental polls ----------------------------------------------------------------


def test_unchanged_channel_costs_one_unit_per_stream() -> None:
    # Given the cursor of a full poll and a channel where nothing changed
    cursor = full_cursor()
    youtube, http = connect(yt.unchanged_script())
    # When polled again
    snapshot = youtube.fetch(ACCOUNT, cursor)
    # Then: channel, uploads, published and held threads, first pages only
    assert (snapshot.requests, snapshot.quota_units) == (4, 4)
    assert snapshot.posts == () and snapshot.comments == ()
    assert all("pageToken" not in sent(http, i)[1] for i in range(4))
    assert snapshot.cursor == cursor


def test_second_poll_asks_only_for_what_is_new() -> None:
    cursor = full_cursor()
    new_video = ("vid00000004", "2026-09-14T16:00:00Z", "public")
    new_comment = comment("UgzD000000000000000004", "vid00000004", "2026-09-14T16:10:00Z")
    youtube, http = connect(
        [
            channel_response(),
            playlist_page([new_video, *VIDEOS], next_token="EAAaBlBUOkNBSQ"),
            videos_response([video("vid00000004", "2026-09-14T16:00:00Z")]),
            threads_page([thread(new_comment), thread(C_A, [R_A]), thread(C_B)], "QURTSl9pM"),
            threads_page([thread(HELD)]),
        ]
    )
    snapshot = youtube.fetch(ACCOUNT, cursor)
    assert sent(http, 2)[1]["id"] == ["vid00000004"]
    assert [p.external_id for p in snapshot.posts] == ["vid00000004"]
    assert [c.external_id for c in snapshot.comments] == [new_comment["id"]]
    assert snapshot.requests == 5
    assert snapshot.cursor["uploads"]["videos"][0] == ["vid00000004", "public"]


def test_known_video_whose_privacy_changed_is_looked_up_again() -> None:
    cursor = full_cursor()
    youtube, http = connect(
        [
            channel_response(),
            playlist_page([(V1, VIDEOS[0][1], "private"), VIDEOS[1]], "EAAaBlBUOkNBSQ"),
            videos_response([video(V1, VIDEOS[0][1], "private")]),
            threads_page([thread(C_A, [R_A])]),
            threads_page([thread(HELD)]),
        ]
    )
    snapshot = youtube.fetch(ACCOUNT, cursor)
    assert sent(http, 2)[1]["id"] == [V1]
    assert [(p.external_id, p.visibility) for p in snapshot.posts] == [(V1, "private")]


def test_known_thread_with_a_new_channel_reply_is_returned_again() -> None:
    cursor = full_cursor()
    answer = comment(f"{C_B['id']}.BBBB", V2, "2026-09-14T17:00:00Z", CHANNEL, "See you there")
    youtube, _ = connect(
        [
            channel_response(),
            playlist_page(VIDEOS),
            threads_page([thread(C_A, [R_A]), thread(C_B, [answer])]),
            threads_page([thread(HELD)]),
        ]
    )
    comments = {c.external_id: c for c in youtube.fetch(ACCOUNT, cursor).comments}
    assert set(comments) == {C_B["id"], answer["id"]}
    assert comments[C_B["id"]].replied_by_account


def test_held_comments_leaving_the_queue_are_approved_or_rejected() -> None:
    # Given two held comments in the cursor, and an empty held queue now
    cursor = full_cursor()
    second = ["UgzH000000000000000010", [V2, "2026-09-14T13:00:00Z", None]]
    cursor["held"]["comments"].append(second)
    youtube, http = connect(
        [
            channel_response(),
            playlist_page(VIDEOS),
            threads_page([thread(C_A, [R_A])]),
            threads_page([]),
            comments_response([comment(HELD["id"], V1, "2026-09-14T14:50:00Z")]),
        ]
    )
    # When polled
    snapshot = youtube.fetch(ACCOUNT, cursor)
    # Then the two are looked up by id: found is approved, missing is rejected
    path, params = sent(http, 4)
    assert path == "/youtube/v3/comments"
    assert params["id"] == [f"{HELD['id']},{second[0]}"]
    statuses = {c.external_id: c.status for c in snapshot.comments}
    assert statuses == {HELD["id"]: "published", second[0]: "rejected"}
    assert snapshot.cursor["held"] == {"comments": []}
    assert snapshot.quota_units == 5


def test_page_budget_leaves_a_backlog_for_the_next_poll() -> None:
    # Given more upload pages than one poll may read
    pages = [
        playlist_page([(f"vid{n:08d}", "2026-09-01T10:00:00Z", "public")], f"tok{n + 1}")
        for n in range(MAX_PAGES)
    ]
    youtube, _ = connect(
        [
            channel_response(),
            *pages,
            videos_response([]),
            threads_page([]),
            threads_page([]),
        ]
    )
    first = youtube.fetch(ACCOUNT)
    assert first.cursor["uploads"]["resume"] == f"tok{MAX_PAGES}"
    # When the next poll finds nothing new on top
    youtube, http = connect(
        [
            channel_response(),
            playlist_page([("vid00000000", "2026-09-01T10:00:00Z", "public")], "tok1"),
            playlist_page([("old00000001", "2026-08-01T10:00:00Z", "public")]),
            videos_response([video("old00000001", "2026-08-01T10:00:00Z")]),
            threads_page([]),
            threads_page([]),
        ]
    )
    second = youtube.fetch(ACCOUNT, first.cursor)
    # Then it resumes the backlog where the first stopped
    assert sent(http, 2)[1]["pageToken"] == [f"tok{MAX_PAGES}"]
    assert [p.external_id for p in second.posts] == ["old00000001"]
    assert second.cursor["uploads"]["resume"] is None


# --- what is not an error -------------------------------------------------------------


def test_comments_turned_off_is_a_setting_not_an_error() -> None:
    youtube, _ = connect(
        [
            channel_response(),
            playlist_page(VIDEOS),
            videos_response([video(V1, VIDEOS[0][1]), video(V2, VIDEOS[1][1])]),
            ERRORS["commentsDisabled"],
            ERRORS["commentsDisabled"],
        ]
    )
    snapshot = youtube.fetch(ACCOUNT)
    assert snapshot.profile.comments_enabled is False
    assert snapshot.comments == ()


def test_channel_with_no_uploads_has_no_posts() -> None:
    youtube, _ = connect(
        [channel_response(), ERRORS["playlistNotFound"], threads_page([]), threads_page([])]
    )
    snapshot = youtube.fetch(ACCOUNT)
    assert snapshot.posts == () and snapshot.profile.comments_enabled is None


def test_unknown_channel_is_a_permanent_error() -> None:
    youtube, _ = connect([channel_response(items=False)])
    with pytest.raises(PermanentError, match="not found"):
        youtube.fetch(ACCOUNT)


def test_api_key_reads_public_data_only() -> None:
    # Given an API key instead of the owner's sign-in
    youtube, http = connect(
        [channel_response(), playlist_page(VIDEOS), videos_response([]), threads_page([])],
        credentials={"api_key": API_KEY},
    )
    # When polled
    snapshot = youtube.fetch(ACCOUNT)
    # Then no moderation status is asked for and the held queue is not read
    assert snapshot.requests == 4
    _, params = sent(http, 3)
    assert "moderationStatus" not in params and params["key"] == [API_KEY]
    with pytest.raises(ConfigurationError, match="OAuth"):
        youtube.hide_comment(ACCOUNT, C_A["id"])


# --- errors ---------------------------------------------------------------------------


SIXTEEN_HOURS = 16 * 3600.0  # NOW is 08:00 PDT


@pytest.mark.parametrize(
    ("name", "error", "retry_after"),
    [
        ("authError", AuthRevoked, None),
        ("API_KEY_INVALID", AuthRevoked, None),
        ("quotaExceeded", RateLimited, SIXTEEN_HOURS),
        ("dailyLimitExceeded", RateLimited, SIXTEEN_HOURS),
        ("rateLimitExceeded", RateLimited, 60.0),
        ("userRateLimitExceeded", RateLimited, 60.0),
        ("429", RateLimited, 60.0),
        ("forbidden", ConfigurationError, None),
        ("insufficientPermissions", ConfigurationError, None),
        ("accessNotConfigured", ConfigurationError, None),
        ("API_KEY_SERVICE_BLOCKED", ConfigurationError, None),
        ("playlistNotFound", PermanentError, None),
        ("invalidPageToken", PermanentError, None),
        ("backendError500", TransientError, None),
        ("backendError503", TransientError, None),
    ],
)
def test_api_errors_map_onto_the_taxonomy(
    name: str, error: type[Exception], retry_after: float | None
) -> None:
    youtube, _ = connect([ERRORS[name]])
    with pytest.raises(error) as caught:
        youtube.fetch(ACCOUNT)
    assert type(caught.value) is error
    if retry_after is not None:
        assert caught.value.retry_after == retry_after  # type: ignore[attr-defined]
    assert "?" not in str(caught.value) and TOKEN not in str(caught.value)  # no query string


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("insufficientPermissions", "youtube.force-ssl"),
        ("accessNotConfigured", "enable the YouTube Data API v3"),
        ("forbidden", "owns or manages the channel"),
    ],
)
def test_configuration_errors_say_what_to_enable_or_grant(name: str, hint: str) -> None:
    youtube, _ = connect([ERRORS[name]])
    with pytest.raises(ConfigurationError, match=hint):
        youtube.fetch(ACCOUNT)


@pytest.mark.parametrize(
    ("now", "seconds"),
    [
        (datetime(2026, 9, 14, 15, 0, tzinfo=UTC), 16 * 3600),  # 08:00 PDT
        (datetime(2026, 1, 15, 7, 59, tzinfo=UTC), 60),  # 23:59 PST
        (datetime(2026, 3, 8, 8, 30, tzinfo=UTC), 22.5 * 3600),  # 00:30 PST, a 23-hour day
        (datetime(2026, 11, 1, 7, 30, tzinfo=UTC), 24.5 * 3600),  # 00:30 PDT, a 25-hour day
    ],
)
def test_daily_quota_resets_at_midnight_pacific(now: datetime, seconds: float) -> None:
    assert seconds_until_quota_reset(now) == seconds


class Failing:
    """An httplib2-like transport whose every request raises ``exc``."""

    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def request(self, *args: Any, **kwargs: Any) -> Any:
        raise self.exc


@pytest.mark.parametrize(
    ("exc", "error"),
    [
        (
            google.auth.exceptions.RefreshError(
                "invalid_grant: Token has been expired or revoked.",
                {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                },
            ),
            AuthRevoked,
        ),
        (
            google.auth.exceptions.RefreshError("temporarily_unavailable", retryable=True),
            TransientError,
        ),
        (TimeoutError("timed out"), TransientError),
        (httplib2.ServerNotFoundError("Unable to find the server"), TransientError),
        (ConnectionResetError(104, "Connection reset by peer"), TransientError),
    ],
    ids=["invalid_grant", "refresh_retryable", "timeout", "dns", "reset"],
)
def test_refresh_and_network_failures_map_onto_the_taxonomy(
    exc: Exception, error: type[Exception]
) -> None:
    youtube = YouTubeConnector(CREDENTIALS, Failing(exc), clock=lambda: NOW)
    with pytest.raises(error) as caught:
        youtube.fetch(ACCOUNT)
    assert type(caught.value) is error
    assert youtube.meter.requests == 1


@pytest.mark.parametrize(
    ("credentials", "key"),
    [
        ({}, "refresh_token"),
        ({"token": TOKEN}, "refresh_token"),
        ({"refresh_token": "r", "client_id": "c"}, "client_secret"),
        ({"refresh_token": "r", "client_secret": "s"}, "client_id"),
    ],
)
def test_missing_credential_key_is_a_configuration_error(
    credentials: dict[str, str], key: str
) -> None:
    youtube, http = connect([], credentials=credentials)
    with pytest.raises(ConfigurationError) as caught:
        youtube.fetch(ACCOUNT)
    assert f"'{key}'" in str(caught.value)
    assert "hallwatch accounts credentials ACCOUNT" in str(caught.value)
    assert http.request_sequence == []


def test_secrets_never_show_in_errors_repr_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for credentials, secret in ((CREDENTIALS, TOKEN), ({"api_key": API_KEY}, API_KEY)):
        youtube, http = connect([channel_response(), ERRORS["quotaExceeded"]], credentials)
        with pytest.raises(RateLimited) as caught:
            youtube.fetch(ACCOUNT)
        shown = "".join(traceback.format_exception(caught.value))
        assert secret not in shown and secret not in repr(youtube)
        assert secret not in caplog.text
    assert API_KEY in http.request_sequence[0][0]  # it was sent, just never shown


# --- malformed items ------------------------------------------------------------------


def test_malformed_items_are_skipped_and_named_by_id(caplog: pytest.LogCaptureFixture) -> None:
    # Given a video without a publish time, a thread without a top-level comment id
    # and a reply without a time
    bad_thread = thread(comment("", V2, "2026-09-14T11:00:00Z", text="secret text"))
    bad_reply = comment("UgzB000000000000000002.ZZZZ", V2, None, text="secret reply")
    script = yt.full_script(malformed=True)
    page = [thread(C_A, [R_A]), bad_thread, thread(C_B, [bad_reply]), "not an object"]
    script[4] = threads_page(page, "Q")
    youtube, _ = connect(script)
    # When polled
    snapshot = youtube.fetch(ACCOUNT)
    # Then the rest is kept and the skipped items are named, never their text
    assert snapshot.skipped == (V1, "commentThreads[1]", bad_reply["id"], "commentThreads[3]")
    assert [p.external_id for p in snapshot.posts] == [V2, V3]
    assert C_B["id"] in {c.external_id for c in snapshot.comments}
    assert "secret" not in caplog.text and bad_reply["id"] in caplog.text


# --- moderation and credential checks -------------------------------------------------


@pytest.mark.parametrize(("action", "status"), [("hide", "rejected"), ("unhide", "published")])
def test_hide_and_unhide_set_the_moderation_status(action: str, status: str) -> None:
    youtube, http = connect([no_content()])
    getattr(youtube, f"{action}_comment")(ACCOUNT, C_A["id"])
    uri, method = http.request_sequence[0][:2]
    assert method == "POST"
    path, params = sent(http, 0)
    assert path == "/youtube/v3/comments/setModerationStatus"
    assert params == {"id": [C_A["id"]], "moderationStatus": [status]}
    assert youtube.quota_used == MODERATION_UNITS == 50
    assert (youtube.meter.requests, youtube.meter.units) == (1, 50)


def test_quota_used_adds_up_polls_and_moderation() -> None:
    youtube, _ = connect([*yt.unchanged_script(), no_content()])
    youtube.fetch(ACCOUNT, full_cursor())
    youtube.hide_comment(ACCOUNT, C_A["id"])
    assert youtube.quota_used == 4 + 50


def test_hiding_a_comment_that_is_gone_is_permanent() -> None:
    youtube, _ = connect([ERRORS["commentNotFound"]])
    with pytest.raises(PermanentError):
        youtube.hide_comment(ACCOUNT, "UgzGone")


def test_check_credentials_makes_one_cheap_call() -> None:
    youtube, http = connect([channel_response()])
    description = youtube.check_credentials(ACCOUNT)
    assert CHANNEL in description and "moderate" in description
    assert sent(http, 0) == (
        "/youtube/v3/channels",
        {"part": ["id"], "id": [CHANNEL], "alt": ["json"]},
    )
    assert youtube.meter.units == 1


@pytest.mark.parametrize(
    ("credentials", "kind"),
    [(CREDENTIALS, google_auth_httplib2.AuthorizedHttp), ({"api_key": API_KEY}, httplib2.Http)],
)
def test_without_a_transport_the_service_is_built_offline_with_a_timeout(
    credentials: dict[str, str], kind: type
) -> None:
    youtube = YouTubeConnector(credentials, clock=lambda: NOW)
    http = youtube.service._http
    assert isinstance(http, kind)
    inner = http.http if isinstance(http, google_auth_httplib2.AuthorizedHttp) else http
    assert inner.timeout == TIMEOUT == 30


def test_garbled_response_is_transient() -> None:
    youtube, _ = connect([({"status": "200"}, "<html>502 Bad Gateway</html>")])
    with pytest.raises(TransientError, match="unreadable"):
        youtube.fetch(ACCOUNT)


def test_contract_case_kinds_behave() -> None:
    case = yt.case()
    full = case.fetch("full")
    assert (len(full.posts), len(full.comments)) == (case.full_posts, case.full_comments)
    assert case.fetch("unchanged", full.cursor).requests <= case.streams
    assert case.fetch("malformed").skipped == (V1,)
