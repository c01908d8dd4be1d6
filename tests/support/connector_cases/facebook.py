"""Contract case for the ``facebook`` connector, and the fake Graph API its tests share.

The payloads follow the Graph API reference: a Page node, ``/{page-id}/posts`` pages with
``paging.cursors`` and a ``paging.next`` link (which, as on the real API, carries the
access token), comments nested with ``filter(stream)`` (replies flat, with ``parent``),
and error bodies ``{"error": {"message", "type", "code", "error_subcode",
"error_user_title", "error_user_msg", "fbtrace_id"}}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests
import responses

from connectors import AccountRef, Connector, Snapshot
from connectors.facebook import FacebookConnector
from connectors.graph import GRAPH_VERSION

GRAPH = f"https://graph.facebook.com/{GRAPH_VERSION}"
PAGE_ID = "104729588912345"
TOKEN = "EAAGm0PX4ZCpsBAOqZBZCsecretPageTokenZDZD"
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
ACCOUNT = AccountRef("facebook", PAGE_ID, "@riversideelem")
PAGE_AUTHOR = {"name": "Riverside Elementary", "id": PAGE_ID}
PARENT_AUTHOR = {"name": "Jordan Lee", "id": "6241187735911"}


def fb_time(moment: datetime) -> str:
    """A Graph API time, as the API writes it: ``2026-11-20T13:00:00+0000``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def next_url(node: str, edge: str, after: str, **params: Any) -> str:
    """A ``paging.next`` link as the Graph API writes it (token included)."""
    query = {"access_token": TOKEN, "limit": 25, **params, "after": after}
    return f"{GRAPH}/{node}/{edge}?{urlencode(query)}"


def edge(data: list[Any], *, after: str = "QVFIUmZAfter", more: str | None = None) -> dict:
    """An edge page: ``data`` and ``paging``; ``more`` is the next link, if any."""
    paging: dict[str, Any] = {"cursors": {"before": "QVFIUmZABefore", "after": after}}
    if more:
        paging["next"] = more
    return {"data": data, "paging": paging}


def graph_error(code: int, message: str, *, subcode: int | None = None, **extra: Any) -> dict:
    """A Graph API error body."""
    body: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        body["error_subcode"] = subcode
    body.update(error_user_title="", error_user_msg="", fbtrace_id="AkZ3dPq9vXyBcD1", **extra)
    return {"error": body}


AUTH_REVOKED = graph_error(
    190,
    "Error validating access token: The session has been invalidated because the user "
    "changed their password or Facebook has changed the session for security reasons.",
    subcode=460,
)
RATE_LIMITED = graph_error(
    80001,
    "(#80001) There have been too many calls to this Page account. Wait a bit and try again.",
)
BUC_USAGE = {
    PAGE_ID: [
        {
            "type": "pages",
            "call_count": 100,
            "total_cputime": 12,
            "total_time": 20,
            "estimated_time_to_regain_access": 15,
        }
    ]
}
SERVER_ERROR = graph_error(
    2, "An unexpected error has occurred. Please retry your request later.", is_transient=True
)


@dataclass(frozen=True)
class Served:
    """A JSON body served under another content type (older Graph API versions and batch
    answers send JSON as ``text/javascript; charset=UTF-8``)."""

    body: Any
    content_type: str = "text/javascript; charset=UTF-8"


@dataclass
class FakeGraph:
    """Answers Graph API requests by (method, path, cursor) from canned bodies.

    The cursor is the ``after`` parameter, or ``until:<unix time>`` for a request that
    asks for posts before a time; None for neither.
    """

    routes: dict[tuple[str, str, str | None], tuple[int, Any, dict[str, str]]] = field(
        default_factory=dict
    )

    def on(
        self,
        path: str,
        body: Any,
        *,
        after: str | None = None,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        method: str = "GET",
    ) -> FakeGraph:
        self.routes[(method, path, after)] = (status, body, dict(headers or {}))
        return self

    def answer(self, request: Any) -> tuple[int, dict[str, str], str]:
        parts = urlsplit(request.url)
        path = parts.path.removeprefix(f"/{GRAPH_VERSION}/")
        params = dict(parse_qsl(parts.query))
        after = params.get("after") or (f"until:{params['until']}" if "until" in params else None)
        route = (request.method, path, after)
        if route not in self.routes:
            raise AssertionError(f"the fake Graph API has no answer for {route}")
        status, body, headers = self.routes[route]
        if isinstance(body, BaseException):
            raise body
        if isinstance(body, Served):
            return status, {"Content-Type": body.content_type, **headers}, json.dumps(body.body)
        if isinstance(body, dict) and "fields" in params:
            body = as_asked(body, params["fields"])
        if isinstance(body, str):
            return status, {"Content-Type": "text/html", **headers}, body
        return status, {"Content-Type": "application/json", **headers}, json.dumps(body)

    def install(self, mock: responses.RequestsMock) -> None:
        for method in {m for m, _, _ in self.routes}:
            mock.add_callback(
                method,
                re.compile(re.escape(GRAPH) + r"/.*"),
                callback=self.answer,
                content_type=None,
            )


DEFAULT_SUBATTACHMENTS = 12  # Page Post Attachments reference, "Limitations"
DEFAULT_ATTACHMENT_FIELDS = {"description", "description_tags", "media", "target", "title"}
DEFAULT_ATTACHMENT_FIELDS |= {"type", "url", "subattachments"}  # Story Attachment reference


def _expansion(fields: str, name: str) -> tuple[int | None, set[str] | None] | None:
    """How ``fields`` expands ``name``: (its ``.limit(n)``, the fields named in its braces);
    None when ``fields`` does not mention it."""
    match = re.search(
        rf"\b{name}(?:\.limit\((\d+)\))?(\{{([^{{}}]*(?:\{{[^{{}}]*\}}[^{{}}]*)*)\}})?", fields
    )
    if match is None:
        return None
    limit = int(match.group(1)) if match.group(1) else None
    inner = match.group(3)
    names = {re.split(r"[.{]", f)[0] for f in re.split(r",(?![^{]*\})", inner)} if inner else None
    return limit, names


def as_asked(body: dict[str, Any], fields: str) -> dict[str, Any]:
    """What the Graph API sends for ``fields``: a StoryAttachment's ``media_type`` only when
    named, 12 subattachments unless ``subattachments.limit(n)``, an IG media's ``children``
    only when asked for. (Canned bodies hold everything; this takes away the rest.)"""
    body = json.loads(json.dumps(body))
    attachments = _expansion(fields, "attachments")
    subs = _expansion(fields, "subattachments")
    children = _expansion(fields, "children")
    for item in body.get("data", [body]) if isinstance(body.get("data"), list) else [body]:
        if not isinstance(item, dict):
            continue
        if children is None:
            item.pop("children", None)
        for attachment in (item.get("attachments") or {}).get("data", []):
            named = attachments[1] if attachments else None
            _keep(attachment, named)
            inner = attachment.get("subattachments")
            if isinstance(inner, dict):
                limit = (subs[0] if subs else None) or DEFAULT_SUBATTACHMENTS
                inner["data"] = inner.get("data", [])[:limit]
                for sub in inner["data"]:
                    _keep(sub, subs[1] if subs else None)
    return body


def _keep(attachment: dict[str, Any], named: set[str] | None) -> None:
    keep = named if named is not None else DEFAULT_ATTACHMENT_FIELDS
    for key in [k for k in attachment if k not in keep]:
        del attachment[key]


def run(
    fake: FakeGraph,
    call: Callable[[Any], Any],
    clock: datetime = NOW,
    connector: type[Connector] = FacebookConnector,
) -> tuple[Any, list[Any]]:
    """Call a Graph connector against ``fake``; return the result and the requests made."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.install(mock)
        built = connector({"access_token": TOKEN}, requests.Session(), clock=lambda: clock)
        result = call(built)
        return result, [c.request for c in mock.calls]


# --- the Page and its posts ----------------------------------------------------------------

PAGE = {
    "id": PAGE_ID,
    "name": "Riverside Elementary",
    "username": "riversideelem",
    "about": "Riverside Elementary School, Fraser Valley School District 42.",
    "description": "News and events for Riverside families.",
    "website": "https://riverside.fvsd42.example.ca",
    "emails": ["office.riverside@fvsd42.example.ca"],
    "is_published": True,
    "link": "https://www.facebook.com/riversideelem",
}


def comment(
    post_id: str,
    number: int,
    created: datetime,
    message: str,
    author: Mapping[str, str] = PARENT_AUTHOR,
    *,
    hidden: bool = False,
    parent: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    comment_id = f"{post_id.split('_')[1]}_{number}"
    body: dict[str, Any] = {
        "id": comment_id,
        "message": message,
        "from": dict(author),
        "created_time": fb_time(created),
        "is_hidden": hidden,
        "can_hide": author["id"] != PAGE_ID,
        "permalink_url": f"https://www.facebook.com/{post_id}?comment_id={number}",
    }
    if parent is not None:
        body["parent"] = {k: v for k, v in parent.items() if k != "parent"}
    return body


P1, P2, P3 = (f"{PAGE_ID}_12211223344556{n}" for n in (1, 2, 3))
C1 = comment(P1, 501, NOW - timedelta(minutes=90), "Is picture day for both sessions?")
C2 = comment(P1, 502, NOW - timedelta(minutes=80), "Yes, both.", PAGE_AUTHOR, parent=C1)
C3 = comment(P1, 503, NOW - timedelta(minutes=70), "rude words here", hidden=True)
C4 = comment(P1, 504, NOW - timedelta(minutes=100), "Thanks for the reminder!")
C5 = comment(P2, 505, NOW - timedelta(hours=20), "Great work everyone")
C0 = comment(P3, 500, NOW - timedelta(days=9), "When does the fair open?")
C6 = comment(P3, 506, NOW - timedelta(days=5), "At 10 am.", PAGE_AUTHOR, parent=C0)
PHOTO = {
    "media_type": "photo",
    "media": {"image": {"height": 720, "src": "https://scontent.example/pic.jpg", "width": 960}},
    "description": "Two kindergarten classes lined up in the gym",
    "target": {"id": "122112233440001", "url": "https://www.facebook.com/photo.php?fbid=1"},
    "type": "photo",
    "url": "https://www.facebook.com/photo.php?fbid=1",
}


# --- albums: a post with several photos ------------------------------------------------------
#
# Shaped from the Graph API reference:
# - Story Attachment, https://developers.facebook.com/docs/graph-api/reference/story-attachment/
#   fields description, media (StoryAttachmentMedia), media_type ("Type of the media such as
#   (photo, video, link etc)", not a default field), target (StoryAttachmentTarget: id, url),
#   type ("album", "photo", "video_autoplay", ...), url; edge subattachments;
# - Story Attachment Media, .../reference/story-attachment-media/: image {height, src, width};
# - Page Post Attachments, .../reference/page-post/attachments/: "By default only 12
#   attachments are returned", more with ``attachments{subattachments.limit(18)}``;
# - Story Attachment Subattachments, .../reference/story-attachment/subattachments/ (the
#   ``/{story-attachment-id}/subattachments`` edge a next page points at).
# The values follow a recorded answer: the album's own target is the post's photo set
# (``media/set/?set=pcb.<post>``), each photo's target its photo id (``photo.php?fbid=``).
ALBUM_POST = f"{PAGE_ID}_122112233445570"
ALBUM_ATTACHMENT = "122112233445570"


def album_photo(number: int, *, named: bool = True, caption: str = "") -> dict[str, Any]:
    """One photo of an album, as a subattachment; ``named``: its fields were asked for (so
    ``media_type`` is there); without, the API gives ``type`` "photo" and no media_type."""
    fbid = f"12211223344{number:04d}"
    item: dict[str, Any] = {
        "media": {
            "image": {
                "height": 720,
                "src": f"https://scontent-sea1-1.xx.fbcdn.net/v/t39.30808-6/{fbid}_n.jpg",
                "width": 960,
            }
        },
        "target": {"id": fbid, "url": f"https://www.facebook.com/photo.php?fbid={fbid}"},
        "type": "photo",
        "url": f"https://www.facebook.com/photo.php?fbid={fbid}",
    }
    if named:
        item["media_type"] = "photo"
    if caption:
        item["description"] = caption
    return item


def album(
    photos: list[dict[str, Any]], *, named: bool = True, more: str | None = None
) -> dict[str, Any]:
    """A post's album attachment (``type`` "album") with its photos as subattachments."""
    subattachments: dict[str, Any] = {"data": photos}
    if more:
        subattachments["paging"] = {
            "cursors": {"before": "QVFIUkFsYnVt", "after": "QVFIUkFsYnVtMg"},
            "next": more,
        }
    set_url = f"https://www.facebook.com/media/set/?set=pcb.{ALBUM_ATTACHMENT}&type=1"
    body: dict[str, Any] = {
        "media": photos[0]["media"] if photos else {},
        "target": {"id": ALBUM_ATTACHMENT, "url": set_url},
        "type": "album",
        "url": set_url,
        "subattachments": subattachments,
    }
    if named:
        body["media_type"] = "album"
    return {"data": [body]}


def album_next(after: str = "QVFIUkFsYnVtMg") -> str:
    """The next page of an album's photos (the subattachments edge, token included)."""
    query = {"access_token": TOKEN, "limit": 100, "after": after}
    return f"{GRAPH}/{ALBUM_ATTACHMENT}/subattachments?{urlencode(query)}"


def album_graph(count: int = 30, *, named: bool = True) -> FakeGraph:
    """A first poll whose only post is a ``count``-photo album ("Sports day!")."""
    photos = [album_photo(n, named=named) for n in range(1, count + 1)]
    shown = photos[:100]
    more = album_next() if count > 100 else None
    item = post(
        ALBUM_POST,
        NOW - timedelta(hours=1),
        "Sports day!",
        edge([]),
        attachments=album(shown, named=named, more=more),
    )
    fake = FakeGraph().on(PAGE_ID, PAGE).on(f"{PAGE_ID}/posts", edge([item]))
    if more:
        rest = {"data": photos[100:], "paging": {"cursors": {"before": "QVFIUkFsYnVtMg"}}}
        fake.on(f"{ALBUM_ATTACHMENT}/subattachments", rest, after="QVFIUkFsYnVtMg")
    return fake


# --- permission errors, as the Graph API words them ---------------------------------------

# pdir/social-feed-bundle#184 and restfb/restfb#1190 (recorded Graph answers)
PERMISSION_10 = graph_error(
    10,
    "(#10) This endpoint requires the 'pages_read_engagement' permission or the 'Page Public "
    "Content Access' feature. Refer to https://developers.facebook.com/docs/apps/review/"
    "login-permissions#manage-pages and https://developers.facebook.com/docs/apps/review/"
    "feature#reference-PAGES_ACCESS for details.",
)
# facebookarchive/php-graph-sdk#1233
PERMISSION_100 = graph_error(
    100,
    "(#100) Object does not exist, cannot be loaded due to missing permission or reviewable "
    "feature, or does not support this operation. This endpoint requires the 'manage_pages' or "
    "'pages_read_engagement' permission or the 'Page Public Content Access' feature or the "
    "'Page Public Metadata Access' feature. Refer to https://developers.facebook.com/docs/apps/"
    "review/login-permissions#manage-pages, https://developers.facebook.com/docs/apps/review/"
    "feature#reference-PAGES_ACCESS and https://developers.facebook.com/docs/apps/review/"
    "feature#page-public-metadata-access for details.",
)
# PipedreamHQ/pipedream#7581
PERMISSION_283 = graph_error(
    283, "(#283) Requires pages_read_engagement permission to manage the object"
)


def post(
    post_id: str, created: datetime | None, message: str, comments: dict, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"id": post_id, "message": message, "comments": comments, **extra}
    if created is not None:
        body["created_time"] = fb_time(created)
    body["permalink_url"] = f"https://www.facebook.com/{post_id.replace('_', '/posts/')}"
    return body


def posts_first(p2_created: datetime | None = NOW - timedelta(days=1), more: bool = True) -> dict:
    p1 = post(
        P1,
        NOW - timedelta(hours=2),
        "Picture day is Thursday!",
        edge([C3, C2, C1], after="QzFhZAfter", more=next_url(P1, "comments", "QzFhZAfter")),
        attachments={"data": [PHOTO]},
    )
    p2 = post(P2, p2_created, "Thank you, volunteers", edge([C5]))
    return edge(
        [p1, p2],
        after="UDJhZAfter",
        more=next_url(PAGE_ID, "posts", "UDJhZAfter") if more else None,
    )


POSTS_SECOND = edge(
    [
        post(
            P3,
            NOW - timedelta(days=10),
            "Fall fair on Saturday",
            edge([C6], more=next_url(P3, "comments", "QzNhZAfter")),
        )
    ]
)
COMMENTS_SECOND = edge([C4])


def full_graph(p2_created: datetime | None = NOW - timedelta(days=1)) -> FakeGraph:
    """A first poll: two pages of posts, and a second page of the newest post's comments."""
    return (
        FakeGraph()
        .on(PAGE_ID, PAGE)
        .on(f"{PAGE_ID}/posts", posts_first(p2_created))
        .on(f"{PAGE_ID}/posts", POSTS_SECOND, after="UDJhZAfter")
        .on(f"{P1}/comments", COMMENTS_SECOND, after="QzFhZAfter")
    )


def unchanged_graph() -> FakeGraph:
    """A later poll when nothing changed: the recent posts again, in one page."""
    return FakeGraph().on(PAGE_ID, PAGE).on(f"{PAGE_ID}/posts", posts_first(more=False))


def failing_graph(status: int, body: Any, headers: Mapping[str, str] | None = None) -> FakeGraph:
    return FakeGraph().on(PAGE_ID, body, status=status, headers=headers)


class FacebookCase:
    """The ``facebook`` connector's contract case (see ``connector_cases.Case``)."""

    platform = "facebook"
    account = ACCOUNT
    secret = TOKEN
    streams = 2
    full_posts = 3
    full_comments = 7  # C0 (answered by the Page, read from C6's parent) to C6
    photos = 30  # "photos": a post whose album has 30 photos
    videos = 0
    needs = ("manage_pages", "pages_read_engagement")  # "permission_missing" names these
    admins = (("Dana Whitfield", ""), ("Hallwatch Monitor", ""), ("Sam Old-Teacher", ""))

    def administrators(self, kind: str) -> list[Any]:
        """``administrators()`` against the fake: "admins" or "admins_refused"."""
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            admins_graph(kind).install(mock)
            credentials = {"access_token": TOKEN, "business_id": BUSINESS_ID}
            connector = FacebookConnector(credentials, requests.Session(), clock=lambda: NOW)
            return connector.administrators(ACCOUNT)

    def fetch(self, kind: str, cursor: Mapping[str, Any] | None = None) -> Snapshot:
        graphs: dict[str, Callable[[], FakeGraph]] = {
            "full": full_graph,
            "unchanged": unchanged_graph,
            "auth_revoked": lambda: failing_graph(400, AUTH_REVOKED),
            "rate_limited": lambda: failing_graph(
                400, RATE_LIMITED, {"X-Business-Use-Case-Usage": json.dumps(BUC_USAGE)}
            ),
            "server_error": lambda: failing_graph(500, SERVER_ERROR),
            "malformed": lambda: full_graph(p2_created=None),
            "photos": lambda: album_graph(self.photos),
            "permission_missing": lambda: failing_graph(400, PERMISSION_100),
            "javascript_error": lambda: failing_graph(400, Served(AUTH_REVOKED)),
        }
        clock = LATER if kind == "unchanged" else NOW
        snapshot, _ = run(graphs[kind](), lambda c: c.fetch(ACCOUNT, cursor), clock)
        return snapshot


# --- administrators: GET /{page-id}/assigned_users?business=... (Page Assigned Users) ------

BUSINESS_ID = "372948716251234"
ASSIGNED = [
    {"id": "122098765432109", "name": "Dana Whitfield", "tasks": ["MANAGE", "CREATE_CONTENT"]},
    {"id": "122098765432110", "name": "Hallwatch Monitor", "tasks": ["ANALYZE"]},
]
PERMISSIONS_ERROR = graph_error(200, "(#200) Permissions error")  # the edge's error table


def admins_graph(kind: str) -> FakeGraph:
    if kind == "admins_refused":
        return FakeGraph().on(f"{PAGE_ID}/assigned_users", PERMISSIONS_ERROR, status=403)
    second = [{"id": "122098765432111", "name": "Sam Old-Teacher", "tasks": ["MANAGE"]}]
    more = next_url(PAGE_ID, "assigned_users", "QVFIUkFzc2lnbmVk", business=BUSINESS_ID)
    return (
        FakeGraph()
        .on(f"{PAGE_ID}/assigned_users", edge(ASSIGNED, more=more))
        .on(f"{PAGE_ID}/assigned_users", edge(second), after="QVFIUkFzc2lnbmVk")
    )


def case() -> FacebookCase:
    return FacebookCase()
