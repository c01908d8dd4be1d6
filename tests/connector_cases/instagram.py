"""Contract case for the ``instagram`` connector (fake Graph API from the facebook case).

The payloads follow the Instagram Graph API reference: an IG User node with its recent
media nested, ``/{ig-user-id}/media`` pages with ``paging.cursors`` and ``paging.next``,
IG Comments (``id``, ``text``, ``timestamp``, ``username``, ``hidden``, ``from``) with
their ``replies`` nested, and Graph error bodies.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from connectors import AccountRef, Snapshot
from connectors.instagram import InstagramConnector
from tests.connector_cases.facebook import (
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
    run,
)

IG_USER_ID = "17841405822304914"
USERNAME = "riverside.elementary"
ACCOUNT = AccountRef("instagram", IG_USER_ID, "@riverside.elementary")
M1, M2, M3 = "17895695668004551", "17895695668004552", "17895695668004553"
RATE_LIMITED = graph_error(
    80002,
    "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again.",
)
BUC_USAGE = {
    IG_USER_ID: [
        {
            "type": "instagram",
            "call_count": 100,
            "total_cputime": 30,
            "total_time": 41,
            "estimated_time_to_regain_access": 7,
        }
    ]
}


def user(enabled: list[bool] | None = None) -> dict[str, Any]:
    """The IG User node, with the comment setting of its recent media nested."""
    flags = [True, False] if enabled is None else enabled
    body: dict[str, Any] = {
        "id": IG_USER_ID,
        "username": USERNAME,
        "name": "Riverside Elementary",
        "biography": "Riverside Elementary, Fraser Valley School District 42",
        "website": "https://riverside.fvsd42.example.ca",
    }
    if flags:
        media = [
            {"is_comment_enabled": f, "id": f"1789569566800{n:04d}"} for n, f in enumerate(flags)
        ]
        body["media"] = edge(media)
    return body


def ig_comment(
    number: int,
    created: datetime,
    text: str,
    username: str = "parent_jl",
    *,
    hidden: bool = False,
    replies: list[dict] | None = None,
    parent: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": f"1785889326900{number:04d}",
        "text": text,
        "timestamp": fb_time(created),
        "username": username,
        "hidden": hidden,
        "from": {"id": f"1784140000000{number:04d}", "username": username},
    }
    if parent is not None:
        body["parent_id"] = parent
    if replies:
        body["replies"] = {"data": replies}
    return body


K1_ID = "17858893269000001"
R1 = ig_comment(11, NOW - timedelta(minutes=100), "Both sessions, yes!", USERNAME, parent=K1_ID)
K1 = ig_comment(1, NOW - timedelta(minutes=110), "Is it both sessions?", replies=[R1])
K2 = ig_comment(2, NOW - timedelta(minutes=90), "rude words", "troll_99", hidden=True)
K3 = ig_comment(3, NOW - timedelta(minutes=150), "Cute photo")
K4 = ig_comment(4, NOW - timedelta(hours=30), "Go team")


def media(
    media_id: str,
    created: datetime | None,
    caption: str,
    kind: str,
    comments: dict | None,
    count: int,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": media_id,
        "caption": caption,
        "permalink": f"https://www.instagram.com/p/C{media_id[-4:]}xYz/",
        "media_type": kind,
        "media_url": f"https://scontent.cdninstagram.com/v/{media_id}.jpg",
        "is_comment_enabled": True,
        "comments_count": count,
    }
    if created is not None:
        body["timestamp"] = fb_time(created)
    if comments is not None:
        body["comments"] = comments
    return body


def media_first(m2_created: datetime | None = NOW - timedelta(days=2), more: bool = True) -> dict:
    m1 = media(
        M1,
        NOW - timedelta(hours=3),
        "Picture day is Thursday! #riversidepride",
        "IMAGE",
        edge([K2, K1], after="SzFhZAfter", more=next_url(M1, "comments", "SzFhZAfter")),
        4,
    )
    m2 = media(M2, m2_created, "Basketball finals", "VIDEO", edge([K4]), 1)
    link = next_url(IG_USER_ID, "media", "TTJhZAfter") if more else None
    return edge([m1, m2], after="TTJhZAfter", more=link)


MEDIA_SECOND = edge([media(M3, NOW - timedelta(days=12), "Fall fair", "CAROUSEL_ALBUM", None, 0)])
COMMENTS_SECOND = edge([K3])


def full_graph(m2_created: datetime | None = NOW - timedelta(days=2)) -> FakeGraph:
    """A first poll: two pages of media, and a second page of the newest media's comments."""
    return (
        FakeGraph()
        .on(IG_USER_ID, user())
        .on(f"{IG_USER_ID}/media", media_first(m2_created))
        .on(f"{IG_USER_ID}/media", MEDIA_SECOND, after="TTJhZAfter")
        .on(f"{M1}/comments", COMMENTS_SECOND, after="SzFhZAfter")
    )


def unchanged_graph() -> FakeGraph:
    """A later poll when nothing changed: the recent media again, in one page."""
    return FakeGraph().on(IG_USER_ID, user()).on(f"{IG_USER_ID}/media", media_first(more=False))


def failing_graph(status: int, body: Any, headers: Mapping[str, str] | None = None) -> FakeGraph:
    return FakeGraph().on(IG_USER_ID, body, status=status, headers=headers)


def call(fake: FakeGraph, action: Callable[[Any], Any], clock: datetime = NOW) -> tuple[Any, list]:
    """Run ``action`` on an InstagramConnector against ``fake``."""
    return run(fake, action, clock, InstagramConnector)


class InstagramCase:
    """The ``instagram`` connector's contract case (see :class:`tests.connector_cases.Case`)."""

    platform = "instagram"
    account = ACCOUNT
    secret = TOKEN
    streams = 2
    full_posts = 3
    full_comments = 5

    def fetch(self, kind: str, cursor: Mapping[str, Any] | None = None) -> Snapshot:
        graphs: dict[str, Callable[[], FakeGraph]] = {
            "full": full_graph,
            "unchanged": unchanged_graph,
            "auth_revoked": lambda: failing_graph(400, AUTH_REVOKED),
            "rate_limited": lambda: failing_graph(
                400, RATE_LIMITED, {"X-Business-Use-Case-Usage": json.dumps(BUC_USAGE)}
            ),
            "server_error": lambda: failing_graph(500, SERVER_ERROR),
            "malformed": lambda: full_graph(m2_created=None),
        }
        clock = LATER if kind == "unchanged" else NOW
        snapshot, _ = call(graphs[kind](), lambda c: c.fetch(ACCOUNT, cursor), clock)
        return snapshot


def case() -> InstagramCase:
    return InstagramCase()
