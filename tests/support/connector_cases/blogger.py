"""Blogger contract case, and payload builders shaped like the Blogger API v3.

Lists follow the documented ``blogger#postList`` / ``blogger#commentList`` shapes
(``items``, ``nextPageToken``, ``prevPageToken``, ``etag``); errors the Google error body.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from googleapiclient.http import HttpMockSequence

from connectors import AccountRef, Snapshot
from connectors.blogger import BloggerConnector
from tests.support.connector_cases.youtube import Reply, error, error_info, ok

BLOG = "2399953123456789012"
BLOG_URL = "https://riverside-news.blogspot.com/"
OWNER = "01430672582309320414"
TOKEN = "ya29.a0Blogger-secret-access-token"
CREDENTIALS = {
    "token": TOKEN,
    "refresh_token": "1//0gblogger-secret-refresh",
    "client_id": "1234567890-abc.apps.googleusercontent.com",
    "client_secret": "GOCSPX-blogger-secret",
}
ACCOUNT = AccountRef(platform="blogger", external_id=BLOG, handle="riverside-news")
NOW = datetime(2026, 9, 14, 15, 0, tzinfo=UTC)

ERRORS: dict[str, Reply] = {
    "authError": error(
        401,
        "authError",
        "Request had invalid authentication credentials.",
        state="UNAUTHENTICATED",
    ),
    "rateLimitExceeded": error(
        429,
        "rateLimitExceeded",
        "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of "
        "service 'blogger.googleapis.com' for consumer 'project_number:123456789012'.",
        state="RESOURCE_EXHAUSTED",
        details=error_info("RATE_LIMIT_EXCEEDED"),
    ),
    "dailyLimitExceeded": error(
        403, "dailyLimitExceeded", "Daily Limit Exceeded", domain="usageLimits"
    ),
    "forbidden": error(
        403,
        "forbidden",
        "We're sorry, but you don't have permission to access this resource.",
        state="PERMISSION_DENIED",
    ),
    "accessNotConfigured": error(
        403,
        "accessNotConfigured",
        "Blogger API v3 has not been used in project 123456789012 before or it is disabled.",
        domain="usageLimits",
        state="PERMISSION_DENIED",
        details=error_info("SERVICE_DISABLED"),
    ),
    "notFound": error(404, "notFound", "Not Found", state="NOT_FOUND"),
    "backendError": error(500, "backendError", "Backend Error", state="INTERNAL"),
}


def blog_response(status: str = "LIVE") -> Reply:
    return ok(
        {
            "kind": "blogger#blog",
            "id": BLOG,
            "name": "Riverside News",
            "description": "News from Riverside Elementary, Fraser Valley School District",
            "published": "2019-08-20T16:00:00.000-07:00",
            "updated": "2026-09-14T07:00:00.000-07:00",
            "url": BLOG_URL,
            "selfLink": f"https://www.googleapis.com/blogger/v3/blogs/{BLOG}",
            "posts": {"totalItems": 3, "selfLink": "https://www.googleapis.com/blogger/v3/p"},
            "pages": {"totalItems": 1, "selfLink": "https://www.googleapis.com/blogger/v3/pg"},
            "locale": {"language": "en", "country": "CA", "variant": ""},
            "status": status,
        }
    )


def post(pid: str, published: str | None, title: str = "", content: str = "") -> dict:
    body: dict[str, Any] = {
        "kind": "blogger#post",
        "id": pid,
        "blog": {"id": BLOG},
        "updated": published,
        "url": f"{BLOG_URL}2026/09/{pid}.html",
        "selfLink": f"https://www.googleapis.com/blogger/v3/blogs/{BLOG}/posts/{pid}",
        "title": title or f"Post {pid}",
        "content": content or "<p>Welcome back to school!</p>",
        "author": {
            "id": OWNER,
            "displayName": "Riverside Office",
            "url": f"https://www.blogger.com/profile/{OWNER}",
            "image": {"url": "//lh3.googleusercontent.com/a.png"},
        },
        "replies": {"totalItems": "0", "selfLink": "https://www.googleapis.com/blogger/v3/r"},
        "readerComments": "ALLOW",
    }
    if published:
        body["published"] = published
    return body


def comment(
    cid: str,
    pid: str,
    published: str | None,
    status: str = "LIVE",
    author: str = "07777777777777777777",
    content: str = "Lovely photos!",
    parent: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "blogger#comment",
        "id": cid,
        "post": {"id": pid},
        "blog": {"id": BLOG},
        "updated": published,
        "selfLink": f"https://www.googleapis.com/blogger/v3/blogs/{BLOG}/posts/{pid}/comments/{cid}",
        "content": content,
        "author": {
            "id": author,
            "displayName": "Riverside Office" if author == OWNER else "A Parent",
            "url": f"https://www.blogger.com/profile/{author}",
            "image": {"url": "//resources.blogblog.com/img/blank.gif"},
        },
        "status": status,
    }
    if published:
        body["published"] = published
    if parent:
        body["inReplyTo"] = {"id": parent}
    return body


def page(kind: str, items: list[dict[str, Any]], next_token: str | None = None) -> Reply:
    body: dict[str, Any] = {"kind": f"blogger#{kind}List", "etag": '"etag-list"', "items": items}
    if next_token:
        body["nextPageToken"] = next_token
        body["prevPageToken"] = "CgkIChiAkKbE2CoQ"
    return ok(body)


P1 = post(
    "7706273476706534553",
    "2026-09-14T07:00:00.000-07:00",
    content=(
        '<p>Our <b>science fair</b> winners!</p><img src="https://blogger.googleusercontent.com/'
        'img/a/fair.jpg" alt="Three students holding ribbons">'
    ),
)
P2 = post("7706273476706534554", "2026-09-10T07:00:00.000-07:00")
C1 = comment("9200761938824362519", P1["id"], "2026-09-14T07:30:00.000-07:00")
C2 = comment(
    "9200761938824362520",
    P1["id"],
    "2026-09-14T07:40:00.000-07:00",
    author=OWNER,
    content="Thank you!",
    parent=C1["id"],
)
C3 = comment("9200761938824362521", P2["id"], "2026-09-11T07:00:00.000-07:00", "PENDING")


def full_script(malformed: bool = False) -> list[Reply]:
    broken = comment("9200761938824362522", P2["id"], None)
    return [
        blog_response(),
        page("post", [P1], next_token="CgkIChiAkKbE2CoQ0b2SARj9mZe9n8KsnlQ"),
        page("post", [P2]),
        page("comment", [C2, C1], next_token="CgkIFBDwjvDXlyYQ"),
        page("comment", [C3, broken] if malformed else [C3]),
    ]


def unchanged_script() -> list[Reply]:
    return [blog_response(), page("post", [P1]), page("comment", [C2, C1, C3])]


class BloggerCase:
    """The Blogger contract case (admin OAuth sign-in, three streams)."""

    platform = "blogger"
    account = ACCOUNT
    secret = TOKEN
    streams = 3
    full_posts = 2
    full_comments = 3

    def fetch(self, kind: str, cursor: Mapping[str, Any] | None = None) -> Snapshot:
        scripts = {
            "full": full_script,
            "unchanged": unchanged_script,
            "malformed": lambda: full_script(malformed=True),
            "auth_revoked": lambda: [ERRORS["authError"]],
            "rate_limited": lambda: [ERRORS["rateLimitExceeded"]],
            "server_error": lambda: [ERRORS["backendError"]],
        }
        http = HttpMockSequence(scripts[kind]())
        return BloggerConnector(CREDENTIALS, http, clock=lambda: NOW).fetch(ACCOUNT, cursor)


def case() -> BloggerCase:
    return BloggerCase()
