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
from tests.support.connector_cases.facebook import (
    AUTH_REVOKED,
    LATER,
    NOW,
    SERVER_ERROR,
    TOKEN,
    FakeGraph,
    Served,
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


# --- carousels ----------------------------------------------------------------------------
#
# Shaped from the Instagram Platform reference:
# - IG Media, https://developers.facebook.com/docs/instagram-platform/reference/instagram-media
#   media_type "Can be CAROUSEL_ALBUM, IMAGE, or VIDEO"; media_url "omitted from responses
#   if the media contains copyrighted material"; thumbnail_url only on VIDEO;
# - IG Media Children, https://developers.facebook.com/docs/instagram-platform/
#   instagram-graph-api/reference/ig-media/children: "a list of IG Media objects on an album
#   IG Media"; its sample album 17896450804038745 with children 17880997618081620 and
#   17871527143187462; "Some fields, such as permalink, cannot be used on photos within
#   albums (children)".
CAROUSEL_ID = "17896450804038745"
CHILD_PHOTO, CHILD_PHOTO_2, CHILD_VIDEO = (
    "17880997618081620",
    "17871527143187462",
    "17871527143187499",
)


def child(child_id: str, kind: str, *, copyrighted: bool = False) -> dict[str, Any]:
    """One carousel child with the fields asked for (``children{id,media_type,media_url}``)."""
    body = {"id": child_id, "media_type": kind}
    if not copyrighted:
        ext = "mp4" if kind == "VIDEO" else "jpg"
        body["media_url"] = f"https://scontent.cdninstagram.com/v/t51.29350-15/{child_id}.{ext}"
    return body


def carousel(children: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A CAROUSEL_ALBUM with its children nested (two photos and a video by default)."""
    found = children or [
        child(CHILD_PHOTO, "IMAGE"),
        child(CHILD_PHOTO_2, "IMAGE"),
        child(CHILD_VIDEO, "VIDEO"),
    ]
    body = media(CAROUSEL_ID, NOW - timedelta(hours=1), "Sports day!", "CAROUSEL_ALBUM", None, 0)
    body["children"] = {"data": found}
    return body


def carousel_graph(children: list[dict[str, Any]] | None = None) -> FakeGraph:
    """A first poll whose only media is a carousel."""
    return FakeGraph().on(IG_USER_ID, user()).on(f"{IG_USER_ID}/media", edge([carousel(children)]))


# Recorded answers: sns-sdks/python-facebook#102 (code 10), "(#200) Requires ..." as Graph
# words a missing permission on an IG object.
PERMISSION_10 = graph_error(
    10,
    "(#10) This endpoint requires the 'pages_read_engagement' permission or the 'Page Public "
    "Content Access' feature. Refer to https://developers.facebook.com/docs/apps/review/"
    "login-permissions#manage-pages and https://developers.facebook.com/docs/apps/review/"
    "feature#reference-PAGES_ACCESS for details.",
)


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
    """The ``instagram`` connector's contract case (see ``connector_cases.Case``)."""

    platform = "instagram"
    account = ACCOUNT
    secret = TOKEN
    streams = 2
    full_posts = 3
    full_comments = 5
    photos = 2  # "photos": a carousel of two photos and a video
    videos = 1
    needs = ("pages_read_engagement", "Page Public Content Access")

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
            "photos": carousel_graph,
            "permission_missing": lambda: failing_graph(403, PERMISSION_10),
            "javascript_error": lambda: failing_graph(400, Served(AUTH_REVOKED)),
        }
        clock = LATER if kind == "unchanged" else NOW
        snapshot, _ = call(graphs[kind](), lambda c: c.fetch(ACCOUNT, cursor), clock)
        return snapshot


def case() -> InstagramCase:
    return InstagramCase()
