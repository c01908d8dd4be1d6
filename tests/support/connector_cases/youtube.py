"""YouTube contract case, and payload builders shaped like the YouTube Data API v3.

Responses follow the documented list shapes (``kind``, ``etag``, ``pageInfo``,
``nextPageToken``, ``items``) and error bodies (``{"error": {"code", "message", "errors":
[{"message", "domain", "reason"}], "status"}}``). Google's ``HttpMockSequence`` answers
the connector's requests in order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from googleapiclient.http import HttpMockSequence

from connectors import AccountRef, Snapshot
from connectors.youtube import YouTubeConnector

CHANNEL = "UCr1v3rs1d3Elem3ntary00A"
UPLOADS = "UUr1v3rs1d3Elem3ntary00A"
TOKEN = "ya29.a0AfH6SMBsecret-access-token"
CREDENTIALS = {
    "token": TOKEN,
    "refresh_token": "1//0gsecret-refresh-token",
    "client_id": "1234567890-abc.apps.googleusercontent.com",
    "client_secret": "GOCSPX-secret-client",
}
API_KEY = "AIzaSyD-secret-api-key-0123456789"
ACCOUNT = AccountRef(platform="youtube", external_id=CHANNEL, handle="@riversideelem")
NOW = datetime(2026, 9, 14, 15, 0, tzinfo=UTC)  # 08:00 Pacific (PDT)
Reply = tuple[dict[str, str], str]


def ok(body: Mapping[str, Any]) -> Reply:
    return {"status": "200", "content-type": "application/json; charset=UTF-8"}, json.dumps(body)


def no_content() -> Reply:
    return {"status": "204"}, ""


def error(
    status: int,
    reason: str,
    message: str,
    domain: str = "global",
    state: str | None = None,
    details: list[dict[str, Any]] | None = None,
) -> Reply:
    """A Google API error response."""
    body: dict[str, Any] = {
        "code": status,
        "message": message,
        "errors": [{"message": message, "domain": domain, "reason": reason}],
    }
    if state:
        body["status"] = state
    if details:
        body["details"] = details
    headers = {"status": str(status), "content-type": "application/json; charset=UTF-8"}
    return headers, json.dumps({"error": body})


def error_info(reason: str) -> list[dict[str, Any]]:
    return [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": reason,
            "domain": "googleapis.com",
            "metadata": {"service": "youtube.googleapis.com", "consumer": "projects/123456789012"},
        }
    ]


QUOTA_MESSAGE = (
    "The request cannot be completed because you have exceeded your "
    '<a href="/youtube/v3/getting-started#quota">quota</a>.'
)
ERRORS: dict[str, Reply] = {
    "authError": error(
        401,
        "authError",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential.",
        state="UNAUTHENTICATED",
    ),
    "quotaExceeded": error(403, "quotaExceeded", QUOTA_MESSAGE, domain="youtube.quota"),
    "dailyLimitExceeded": error(
        403, "dailyLimitExceeded", "Daily Limit Exceeded", domain="usageLimits"
    ),
    "rateLimitExceeded": error(
        403, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits"
    ),
    "userRateLimitExceeded": error(
        403, "userRateLimitExceeded", "User Rate Limit Exceeded", domain="usageLimits"
    ),
    "429": error(
        429,
        "rateLimitExceeded",
        "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' "
        "of service 'youtube.googleapis.com' for consumer 'project_number:123456789012'.",
        state="RESOURCE_EXHAUSTED",
        details=error_info("RATE_LIMIT_EXCEEDED"),
    ),
    "forbidden": error(
        403,
        "forbidden",
        "The request is not properly authorized to retrieve the specified comment threads.",
        domain="youtube.commentThread",
    ),
    "insufficientPermissions": error(
        403,
        "insufficientPermissions",
        "Request had insufficient authentication scopes.",
        state="PERMISSION_DENIED",
        details=error_info("ACCESS_TOKEN_SCOPE_INSUFFICIENT"),
    ),
    "accessNotConfigured": error(
        403,
        "accessNotConfigured",
        "YouTube Data API v3 has not been used in project 123456789012 before or it is "
        "disabled. Enable it by visiting https://console.developers.google.com/apis/api/"
        "youtube.googleapis.com/overview?project=123456789012 then retry.",
        domain="usageLimits",
        state="PERMISSION_DENIED",
        details=error_info("SERVICE_DISABLED"),
    ),
    "API_KEY_SERVICE_BLOCKED": error(
        403,
        "forbidden",
        "Requests to this API youtube method youtube.api.v3.V3DataChannelService.List are blocked.",
        state="PERMISSION_DENIED",
        details=error_info("API_KEY_SERVICE_BLOCKED"),
    ),
    "API_KEY_INVALID": error(
        400,
        "badRequest",
        "API key not valid. Please pass a valid API key.",
        state="INVALID_ARGUMENT",
        details=error_info("API_KEY_INVALID"),
    ),
    "commentsDisabled": error(
        403,
        "commentsDisabled",
        "The video identified by the <code>videoId</code> parameter has disabled comments.",
        domain="youtube.commentThread",
    ),
    "playlistNotFound": error(
        404,
        "playlistNotFound",
        "The playlist identified with the request's <code>playlistId</code> parameter "
        "cannot be found.",
        domain="youtube.playlistItem",
    ),
    "commentNotFound": error(
        404,
        "commentNotFound",
        "One or more of the comments identified by the id parameter could not be found.",
        domain="youtube.comment",
    ),
    "invalidPageToken": error(
        400, "invalidPageToken", "The request specifies an invalid page token."
    ),
    "backendError500": error(500, "backendError", "Internal error encountered.", state="INTERNAL"),
    "backendError503": error(
        503, "backendError", "The service is currently unavailable.", state="UNAVAILABLE"
    ),
}


def channel_response(privacy: str = "public", items: bool = True) -> Reply:
    description = (
        "Riverside Elementary, Fraser Valley School District. https://riverside.fvsd.example.ca"
    )
    channel = {
        "kind": "youtube#channel",
        "etag": "etag-channel",
        "id": CHANNEL,
        "snippet": {
            "title": "Riverside Elementary",
            "description": description,
            "customUrl": "@riversideelem",
            "publishedAt": "2019-08-20T16:00:00Z",
            "thumbnails": {"default": {"url": "https://yt3.ggpht.com/a.jpg", "width": 88}},
            "localized": {"title": "Riverside Elementary", "description": description},
            "country": "CA",
        },
        "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": UPLOADS}},
        "status": {
            "privacyStatus": privacy,
            "isLinked": True,
            "longUploadsStatus": "longUploadsUnspecified",
            "madeForKids": False,
        },
        "brandingSettings": {
            "channel": {"title": "Riverside Elementary", "description": description},
            "image": {"bannerExternalUrl": "https://yt3.googleusercontent.com/banner"},
        },
    }
    return ok(
        {
            "kind": "youtube#channelListResponse",
            "etag": "etag-channels",
            "pageInfo": {"totalResults": 1 if items else 0, "resultsPerPage": 5},
            "items": [channel] if items else [],
        }
    )


def playlist_page(videos: list[tuple[str, str, str]], next_token: str | None = None) -> Reply:
    """Uploads playlist items for (video id, published at, privacy), newest first."""
    items = [
        {
            "kind": "youtube#playlistItem",
            "etag": f"etag-{vid}",
            "id": f"VVVy{vid}",
            "snippet": {
                "publishedAt": published,
                "channelId": CHANNEL,
                "title": f"Video {vid}",
                "description": "",
                "channelTitle": "Riverside Elementary",
                "playlistId": UPLOADS,
                "position": index,
                "resourceId": {"kind": "youtube#video", "videoId": vid},
                "videoOwnerChannelTitle": "Riverside Elementary",
                "videoOwnerChannelId": CHANNEL,
            },
            "contentDetails": {"videoId": vid, "videoPublishedAt": published},
            "status": {"privacyStatus": privacy},
        }
        for index, (vid, published, privacy) in enumerate(videos)
    ]
    body: dict[str, Any] = {
        "kind": "youtube#playlistItemListResponse",
        "etag": "etag-playlist",
        "items": items,
        "pageInfo": {"totalResults": len(items), "resultsPerPage": 50},
    }
    if next_token:
        body["nextPageToken"] = next_token
    return ok(body)


def video(vid: str, published: str | None, privacy: str = "public", title: str = "") -> dict:
    snippet: dict[str, Any] = {
        "channelId": CHANNEL,
        "title": title or f"Video {vid}",
        "description": "Our class trip to the aquarium.",
        "thumbnails": {
            "default": {"url": f"https://i.ytimg.com/vi/{vid}/default.jpg", "width": 120},
            "high": {"url": f"https://i.ytimg.com/vi/{vid}/hqdefault.jpg", "width": 480},
        },
        "channelTitle": "Riverside Elementary",
        "categoryId": "27",
        "liveBroadcastContent": "none",
    }
    if published:
        snippet["publishedAt"] = published
    return {
        "kind": "youtube#video",
        "etag": f"etag-{vid}",
        "id": vid,
        "snippet": snippet,
        "status": {
            "uploadStatus": "processed",
            "privacyStatus": privacy,
            "license": "youtube",
            "embeddable": True,
            "publicStatsViewable": True,
            "madeForKids": False,
        },
    }


def videos_response(items: list[dict[str, Any]]) -> Reply:
    return ok(
        {
            "kind": "youtube#videoListResponse",
            "etag": "etag-videos",
            "items": items,
            "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
        }
    )


def comment(
    cid: str,
    video_id: str,
    published: str | None,
    author: str = "UCparentChannel000000000",
    text: str = "Great video!",
    status: str | None = None,
    parent: str | None = None,
) -> dict[str, Any]:
    snippet: dict[str, Any] = {
        "channelId": CHANNEL,
        "videoId": video_id,
        "textDisplay": text,
        "textOriginal": text,
        "authorDisplayName": "Riverside Elementary" if author == CHANNEL else "@aparent",
        "authorProfileImageUrl": "https://yt3.ggpht.com/p.jpg",
        "authorChannelUrl": f"http://www.youtube.com/channel/{author}",
        "authorChannelId": {"value": author},
        "canRate": True,
        "viewerRating": "none",
        "likeCount": 0,
        "updatedAt": published,
    }
    if published:
        snippet["publishedAt"] = published
    if status:
        snippet["moderationStatus"] = status
    if parent:
        snippet["parentId"] = parent
    return {"kind": "youtube#comment", "etag": f"etag-{cid}", "id": cid, "snippet": snippet}


def thread(
    top: dict[str, Any], replies: list[dict[str, Any]] | None = None, count: int | None = None
) -> dict[str, Any]:
    replies = replies or []
    body: dict[str, Any] = {
        "kind": "youtube#commentThread",
        "etag": f"etag-thread-{top['id']}",
        "id": top["id"],
        "snippet": {
            "channelId": CHANNEL,
            "videoId": top["snippet"]["videoId"],
            "topLevelComment": top,
            "canReply": True,
            "totalReplyCount": len(replies) if count is None else count,
            "isPublic": True,
        },
    }
    if replies:
        body["replies"] = {"comments": list(replies)}
    return body


def threads_page(threads: list[dict[str, Any]], next_token: str | None = None) -> Reply:
    body: dict[str, Any] = {
        "kind": "youtube#commentThreadListResponse",
        "etag": "etag-threads",
        "pageInfo": {"totalResults": len(threads), "resultsPerPage": 100},
        "items": threads,
    }
    if next_token:
        body["nextPageToken"] = next_token
    return ok(body)


def comments_response(items: list[dict[str, Any]]) -> Reply:
    return ok(
        {
            "kind": "youtube#commentListResponse",
            "etag": "etag-comments",
            "pageInfo": {"totalResults": len(items), "resultsPerPage": 20},
            "items": items,
        }
    )


# --- the scripted "full" poll: 3 videos on 2 pages, 4 published threads' comments on
# --- 2 pages (one answered by the channel), one held comment.
V1, V2, V3 = "vid00000001", "vid00000002", "vid00000003"
VIDEOS = [(V1, "2026-09-14T14:00:00Z", "public"), (V2, "2026-09-13T14:00:00Z", "unlisted")]
OLDER = [(V3, "2026-09-01T14:00:00Z", "private")]
C_A = comment("UgzA000000000000000001", V1, "2026-09-14T14:30:00Z", text="Who is the girl?")
R_A = comment(
    "UgzA000000000000000001.AAAA", V1, "2026-09-14T14:40:00Z", CHANNEL, "Thanks!", parent=C_A["id"]
)
C_B = comment("UgzB000000000000000002", V2, "2026-09-14T10:00:00Z")
C_C = comment("UgzC000000000000000003", V3, "2026-09-02T10:00:00Z")
HELD = comment("UgzH000000000000000009", V1, "2026-09-14T14:50:00Z", status="heldForReview")


def full_script(malformed: bool = False) -> list[Reply]:
    newest = video(V1, None if malformed else "2026-09-14T14:00:00Z")
    return [
        channel_response(),
        playlist_page(VIDEOS, next_token="EAAaBlBUOkNBSQ"),
        playlist_page(OLDER),
        videos_response(
            [
                newest,
                video(V2, "2026-09-13T14:00:00Z", "unlisted"),
                video(V3, "2026-09-01T14:00:00Z", "private"),
            ]
        ),
        threads_page([thread(C_A, [R_A]), thread(C_B)], next_token="QURTSl9pM"),
        threads_page([thread(C_C)]),
        threads_page([thread(HELD)]),
    ]


def unchanged_script() -> list[Reply]:
    return [
        channel_response(),
        playlist_page(VIDEOS, next_token="EAAaBlBUOkNBSQ"),
        threads_page([thread(C_A, [R_A]), thread(C_B)], next_token="QURTSl9pM"),
        threads_page([thread(HELD)]),
    ]


class YouTubeCase:
    """The YouTube contract case (owner OAuth sign-in, four streams)."""

    platform = "youtube"
    account = ACCOUNT
    secret = TOKEN
    streams = 4
    full_posts = 3
    full_comments = 5

    def fetch(self, kind: str, cursor: Mapping[str, Any] | None = None) -> Snapshot:
        scripts = {
            "full": full_script,
            "unchanged": unchanged_script,
            "malformed": lambda: full_script(malformed=True),
            "auth_revoked": lambda: [ERRORS["authError"]],
            "rate_limited": lambda: [ERRORS["quotaExceeded"]],
            "server_error": lambda: [ERRORS["backendError503"]],
        }
        http = HttpMockSequence(scripts[kind]())
        return YouTubeConnector(CREDENTIALS, http, clock=lambda: NOW).fetch(ACCOUNT, cursor)


def case() -> YouTubeCase:
    return YouTubeCase()
