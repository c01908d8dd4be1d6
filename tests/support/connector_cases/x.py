"""Contract case for the X connector: X API v2 answers scripted with ``responses``.

Payloads follow the X API v2 documentation: ``data``/``includes``/``meta`` (``newest_id``,
``oldest_id``, ``next_token``, ``result_count``), problem bodies for errors, and 200s that
carry an ``errors`` array. tweepy 4.17 calls ``https://api.twitter.com``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
import responses

from connectors import AccountRef, Snapshot
from connectors.x import XConnector

API = "https://api.twitter.com/2"
NOW = datetime(2026, 9, 14, 15, 0, tzinfo=UTC)
USER_ID = "1500000000000000001"
HANDLE = "riversideelem"
SECRET = "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI"
ACCOUNT = AccountRef(platform="x", external_id=USER_ID, handle=f"@{HANDLE}")

# Post ids: T1 < T2 < T3 (the account's); C1..C3 replies, M1 a plain mention.
T1, T2, T3 = "1835000000000000010", "1835000000000000020", "1835000000000000030"
C1, C2, C3, M1 = (
    "1835000000000000011",
    "1835000000000000021",
    "1835000000000000022",
    "1835000000000000023",
)
PARENT, GUARDIAN, NEIGHBOUR = "2000000000000000001", "2000000000000000002", "2000000000000000003"
NEXT_TOKEN = "7140dibdnow9c7btw3w29grvxfcgvpb9n9coehpk7xz5i"

UNAUTHORIZED = {
    "title": "Unauthorized",
    "type": "about:blank",
    "status": 401,
    "detail": "Unauthorized",
}
TOO_MANY = {
    "title": "Too Many Requests",
    "detail": "Too Many Requests",
    "type": "about:blank",
    "status": 429,
}
UNAVAILABLE = {
    "title": "Service Unavailable",
    "detail": "Service Unavailable",
    "type": "about:blank",
    "status": 503,
}
# The monthly cap, as X answers it: a 429 with the UsageCapExceededProblem. Fields from the
# X API v2 OpenAPI document (UsageCapExceededProblem: Problem plus period Daily|Monthly and
# scope Account|Product) and a recorded answer (xdevplatform/xdk#25).
USAGE_CAPPED = {
    "account_id": "1485930175262461952",
    "product_name": "standard-basic",
    "title": "UsageCapExceeded",
    "period": "Monthly",
    "scope": "Product",
    "detail": "Usage cap exceeded: Monthly product cap",
    "type": "https://api.twitter.com/2/problems/usage-capped",
}
# GET /2/usage/tweets with the app's bearer token (X API v2 docs, Usage: quick start).
USAGE = {
    "data": {
        "cap_reset_day": 10,
        "project_cap": "5000000000",
        "project_id": "1369785403853424",
        "project_usage": "43435",
    }
}
NOT_ENROLLED = {
    "client_id": "28474912",
    "detail": (
        "When authenticating requests to the Twitter API v2 endpoints, you must use keys and "
        "tokens from a Twitter developer App that is attached to a Project. You can create a "
        "project via the developer portal."
    ),
    "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
    "title": "Client Forbidden",
    "required_enrollment": "Appropriate Level of API Access",
    "reason": "client-not-enrolled",
    "type": "https://api.twitter.com/2/problems/client-forbidden",
}


def query(**expected: str | None) -> Callable[[Any], tuple[bool, str]]:
    """A ``responses`` matcher on some query parameters; None means "absent"."""

    def match(request: Any) -> tuple[bool, str]:
        got = dict(parse_qsl(urlsplit(request.url).query))
        for key, value in expected.items():
            if got.get(key) != value:
                return False, f"{key}={got.get(key)!r}, wanted {value!r}"
        return True, ""

    return match


def user(protected: bool = False) -> dict[str, Any]:
    """``GET /2/users/:id`` with user.fields=protected,description,url,name,username,entities."""
    return {
        "data": {
            "id": USER_ID,
            "name": "Riverside Elementary",
            "username": HANDLE,
            "protected": protected,
            "description": "Riverside Elementary, Fraser Valley School District https://t.co/Ab12Cd",
            "url": "https://t.co/Xy98Zw",
            "entities": {
                "url": {
                    "urls": [
                        {
                            "start": 0,
                            "end": 23,
                            "url": "https://t.co/Xy98Zw",
                            "expanded_url": "https://riverside.fvsd.example.ca",
                            "display_url": "riverside.fvsd.example.ca",
                        }
                    ]
                },
                "description": {
                    "urls": [
                        {
                            "start": 51,
                            "end": 74,
                            "url": "https://t.co/Ab12Cd",
                            "expanded_url": "https://fvsd.example.ca",
                            "display_url": "fvsd.example.ca",
                        }
                    ]
                },
            },
        }
    }


def tweet(
    tweet_id: str,
    text: str,
    minutes: int,
    *,
    conversation: str | None = None,
    reply_to: str | None = None,
    reply_to_user: str | None = None,
    author: str | None = None,
    media_keys: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One tweet object with the fields the connector asks for."""
    item: dict[str, Any] = {
        "id": tweet_id,
        "text": text,
        "edit_history_tweet_ids": [tweet_id],
        "created_at": f"2026-09-14T{10 + minutes // 60:02d}:{minutes % 60:02d}:00.000Z",
        "conversation_id": conversation or tweet_id,
        "reply_settings": "everyone",
    }
    if reply_to:
        item["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
        item["in_reply_to_user_id"] = reply_to_user
    if author:
        item["author_id"] = author
    if media_keys:
        item["attachments"] = {"media_keys": list(media_keys)}
    return item


def page(
    items: list[dict[str, Any]],
    includes: Mapping[str, Any] | None = None,
    next_token: str | None = None,
) -> dict[str, Any]:
    """A timeline page: newest first, with ``meta`` as X sends it."""
    body: dict[str, Any] = {"data": items}
    if includes:
        body["includes"] = dict(includes)
    meta: dict[str, Any] = {
        "result_count": len(items),
        "newest_id": items[0]["id"],
        "oldest_id": items[-1]["id"],
    }
    if next_token:
        meta["next_token"] = next_token
    body["meta"] = meta
    return body


EMPTY = {"meta": {"result_count": 0}}
USERS = {
    "users": [
        {"id": PARENT, "name": "Pat Parent", "username": "patparent"},
        {"id": GUARDIAN, "name": "Gail Guardian", "username": "gailg"},
        {"id": NEIGHBOUR, "name": "Ned Neighbour", "username": "nedn"},
    ]
}
PHOTO = {
    "media_key": f"3_{T2}",
    "type": "photo",
    "url": f"https://pbs.twimg.com/media/{T2}.jpg",
    "alt_text": "Students at the science fair",
}


def photos_page() -> dict[str, Any]:
    """One post with three photos (``attachments.media_keys``, each in ``includes.media``)."""
    keys = tuple(f"3_{T2}{n}" for n in range(3))
    media = [
        {"media_key": key, "type": "photo", "url": f"https://pbs.twimg.com/media/{key}.jpg"}
        for key in keys
    ]
    return page([tweet(T2, "Sports day!", 60, media_keys=keys)], includes={"media": media})


def tweets_pages(malformed: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """The account's posts: T3 (a reply to C1) and T2 on page 1, T1 on page 2."""
    second = tweet(T2, "Science fair photos", 60, media_keys=(f"3_{T2}",))
    if malformed:
        del second["created_at"]
    first = page(
        [
            tweet(
                T3,
                "@patparent Thursday at 9",
                90,
                conversation=T1,
                reply_to=C1,
                reply_to_user=PARENT,
            ),
            second,
        ],
        includes={"media": [PHOTO]},
        next_token=NEXT_TOKEN,
    )
    return first, page([tweet(T1, "Picture day is Thursday", 0)])


def mentions_page() -> dict[str, Any]:
    """Replies to the account (C1..C3) and one plain mention (M1), newest first."""
    return page(
        [
            tweet(M1, f"@{HANDLE} go team!", 80, author=NEIGHBOUR),
            tweet(
                C3,
                "@gailg @riversideelem agreed",
                75,
                conversation=T2,
                reply_to=C2,
                reply_to_user=GUARDIAN,
                author=NEIGHBOUR,
            ),
            tweet(
                C2,
                "Great photos!",
                70,
                conversation=T2,
                reply_to=T2,
                reply_to_user=USER_ID,
                author=GUARDIAN,
            ),
            tweet(
                C1,
                "What time is picture day?",
                30,
                conversation=T1,
                reply_to=T1,
                reply_to_user=USER_ID,
                author=PARENT,
            ),
        ],
        includes=USERS,
    )


def script_full(mock: responses.RequestsMock, malformed: bool = False) -> None:
    """A first poll: the profile, two pages of posts, one page of mentions (4 requests)."""
    first, second = tweets_pages(malformed)
    mock.get(f"{API}/users/{USER_ID}", json=user())
    mock.get(f"{API}/users/{USER_ID}/tweets", json=first, match=[query(pagination_token=None)])
    tweets2 = [query(pagination_token=NEXT_TOKEN)]
    mock.get(f"{API}/users/{USER_ID}/tweets", json=second, match=tweets2)
    mock.get(f"{API}/users/{USER_ID}/mentions", json=mentions_page())


def script_unchanged(mock: responses.RequestsMock) -> None:
    """Nothing new since the cursor: each stream answers with an empty page."""
    mock.get(f"{API}/users/{USER_ID}", json=user())
    mock.get(f"{API}/users/{USER_ID}/tweets", json=EMPTY)
    mock.get(f"{API}/users/{USER_ID}/mentions", json=EMPTY)


ERRORS: Mapping[str, tuple[int, dict[str, Any], dict[str, str]]] = {
    "auth_revoked": (401, UNAUTHORIZED, {}),
    "rate_limited": (429, TOO_MANY, {"x-rate-limit-reset": str(int(NOW.timestamp()) + 900)}),
    "server_error": (503, UNAVAILABLE, {}),
}


class XCase:
    """The X connector's contract case (app-only bearer token)."""

    platform = "x"
    account = ACCOUNT
    secret = SECRET
    streams = 3
    full_posts = 3
    full_comments = 3
    photos = 3  # "photos": a post with three photos
    videos = 0
    usage_cap_resets = datetime(2026, 10, 10, tzinfo=UTC)  # "usage_capped": cap_reset_day 10

    def fetch(self, kind: str, cursor: Mapping[str, Any] | None = None) -> Snapshot:
        connector = XConnector({"bearer_token": SECRET}, requests.Session(), clock=lambda: NOW)
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            if kind in ERRORS:
                status, body, headers = ERRORS[kind]
                mock.get(f"{API}/users/{USER_ID}", json=body, status=status, headers=headers)
            elif kind == "usage_capped":
                mock.get(f"{API}/users/{USER_ID}", json=USAGE_CAPPED, status=429)
                mock.get(f"{API}/usage/tweets", json=USAGE)
            elif kind == "photos":
                mock.get(f"{API}/users/{USER_ID}", json=user())
                mock.get(f"{API}/users/{USER_ID}/tweets", json=photos_page())
                mock.get(f"{API}/users/{USER_ID}/mentions", json=EMPTY)
            elif kind == "unchanged":
                script_unchanged(mock)
            else:
                script_full(mock, malformed=kind == "malformed")
            return connector.fetch(self.account, cursor)


def case() -> XCase:
    return XCase()
