"""WordPress contract case, and a fake WordPress site the connector tests share.

``FakeSite`` answers ``/wp-json`` requests (through ``responses``) as WordPress core does:
the index with ``_fields``, ``users/me``, ``settings``, ``posts`` and ``comments`` with
``after`` (exclusive, on the post or comment date), ``modified_after`` and
``orderby=modified`` on posts (WordPress 5.7+; the REST handbook's posts arguments),
``status``, ``include``, ``page`` /
``per_page`` and the ``X-WP-Total`` / ``X-WP-TotalPages`` headers, comment status updates,
and WordPress error bodies (``{"code", "message", "data": {"status"}}``) for the
permission checks core makes. Payloads carry the fields core returns.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
import responses

from connectors import AccountRef, Snapshot
from connectors.wordpress import WordPressConnector

SITE = "https://class.school.example"
API = SITE + "/wp-json"
USER, SECRET = "mrivera", "abcd EFGH 1234 ijkl MNOP 5678"
ME = 3
NOW = datetime(2026, 9, 15, 18, 0, tzinfo=UTC)
START = datetime(2026, 9, 1, 15, 0, tzinfo=UTC)
ACCOUNT = AccountRef(platform="wordpress", external_id=SITE, handle="rivera-class")
CREDENTIALS = {"base_url": SITE, "username": USER, "application_password": SECRET}
LOCAL = timedelta(hours=-7)  # the site's time zone (America/Vancouver, summer)
Reply = tuple[int, dict[str, str], str]


def wp_error(code: str, message: str, status: int, **data: Any) -> dict[str, Any]:
    """A WordPress REST error body."""
    return {"code": code, "message": message, "data": {"status": status, **data}}


ERRORS = {
    # the users controller's permission checks (class-wp-rest-users-controller.php)
    "rest_user_cannot_view": wp_error(
        "rest_user_cannot_view", "Sorry, you are not allowed to filter users by role.", 403
    ),
    "incorrect_password": wp_error(
        "incorrect_password", "The provided password is an invalid application password.", 401
    ),
    "invalid_username": wp_error(
        "invalid_username",
        "<strong>Error:</strong> Unknown username. Check again or try your email address.",
        401,
    ),
    "rest_not_logged_in": wp_error("rest_not_logged_in", "You are not currently logged in.", 401),
    "application_passwords_disabled": wp_error(
        "application_passwords_disabled", "Application passwords are not available.", 401
    ),
    "rest_unauthorized": wp_error(
        "rest_unauthorized", "Only authenticated users can access the REST API.", 401
    ),
    "rest_forbidden_param": wp_error(
        "rest_forbidden_param", "Query parameter not permitted: status", 403
    ),
    "rest_forbidden_context": wp_error(
        "rest_forbidden_context", "Sorry, you are not allowed to edit posts in this post type.", 403
    ),
    "rest_forbidden": wp_error("rest_forbidden", "Sorry, you are not allowed to do that.", 403),
    "rest_cannot_edit": wp_error(
        "rest_cannot_edit", "Sorry, you are not allowed to edit this comment.", 403
    ),
    "rest_forbidden_status": wp_error(
        "rest_invalid_param",
        "Invalid parameter(s): status",
        400,
        params={"status": "Status is forbidden."},
        details={
            "status": {
                "code": "rest_forbidden_status",
                "message": "Status is forbidden.",
                "data": {"status": 403},
            }
        },
    ),
    "rest_no_route": wp_error(
        "rest_no_route", "No route was found matching the URL and request method.", 404
    ),
    "rest_comment_invalid_id": wp_error("rest_comment_invalid_id", "Invalid comment ID.", 404),
    "rest_comment_failed_edit": wp_error(
        "rest_comment_failed_edit", "Updating comment status failed.", 500
    ),
    "internal_server_error": {
        **wp_error(
            "internal_server_error",
            "<p>There has been a critical error on this website.</p>",
            500,
        ),
        "additional_errors": [],
    },
    "rest_post_invalid_page_number": wp_error(
        "rest_post_invalid_page_number",
        "The page number requested is larger than the number of pages available.",
        400,
    ),
}


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def post(
    post_id: int,
    at: datetime,
    title: str = "Class news",
    content: str = "<p>Our class news.</p>\n",
    *,
    status: str = "publish",
    password: bool = False,
    featured: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A post as ``/wp/v2/posts`` returns it (``_embedded`` only when asked for)."""
    link = f"{SITE}/{at:%Y/%m/%d}/post-{post_id}/"
    return {
        "id": post_id,
        "date": _stamp(at + LOCAL),
        "date_gmt": _stamp(at),
        "guid": {"rendered": f"{SITE}/?p={post_id}"},
        "modified": _stamp(at + LOCAL),
        "modified_gmt": _stamp(at),
        "slug": f"post-{post_id}",
        "status": status,
        "type": "post",
        "link": link,
        "title": {"rendered": title},
        "content": {"rendered": content, "protected": password},
        "excerpt": {"rendered": content[:60], "protected": password},
        "author": ME,
        "featured_media": featured["id"] if featured else 0,
        "comment_status": "open",
        "ping_status": "open",
        "sticky": False,
        "template": "",
        "format": "standard",
        "meta": {"footnotes": ""},
        "categories": [1],
        "tags": [],
        "_links": {"self": [{"href": f"{API}/wp/v2/posts/{post_id}"}]},
        "_featured": featured,
    }


def attachment(media_id: int, alt: str, mime: str = "image/jpeg") -> dict[str, Any]:
    """An attachment as embedded under ``_embedded["wp:featuredmedia"]``."""
    return {
        "id": media_id,
        "date": "2026-09-01T08:00:00",
        "slug": f"photo-{media_id}",
        "type": "attachment",
        "link": f"{SITE}/photo-{media_id}/",
        "title": {"rendered": f"photo-{media_id}"},
        "author": ME,
        "featured_media": 0,
        "caption": {"rendered": ""},
        "alt_text": alt,
        "media_type": "image" if mime.startswith("image/") else "file",
        "mime_type": mime,
        "media_details": {"width": 1200, "height": 800, "file": f"2026/09/photo-{media_id}.jpg"},
        "source_url": f"{SITE}/wp-content/uploads/2026/09/photo-{media_id}.jpg",
        "_links": {"self": [{"href": f"{API}/wp/v2/media/{media_id}"}]},
    }


def comment(
    comment_id: int,
    post_id: int,
    at: datetime,
    content: str = "<p>Thank you!</p>\n",
    *,
    author: int = 0,
    author_name: str = "A Parent",
    parent: int = 0,
    status: str = "approved",
) -> dict[str, Any]:
    """A comment as ``/wp/v2/comments`` returns it (view context)."""
    avatar = "https://secure.gravatar.com/avatar/0?s={}&d=mm&r=g"
    return {
        "id": comment_id,
        "post": post_id,
        "parent": parent,
        "author": author,
        "author_name": author_name,
        "author_url": "",
        "date": _stamp(at + LOCAL),
        "date_gmt": _stamp(at),
        "content": {"rendered": content},
        "link": f"{SITE}/{at:%Y/%m/%d}/post-{post_id}/#comment-{comment_id}",
        "status": status,
        "type": "comment",
        "author_avatar_urls": {size: avatar.format(size) for size in ("24", "48", "96")},
        "meta": [],
        "_links": {"self": [{"href": f"{API}/wp/v2/comments/{comment_id}"}]},
    }


def settings(email: str = "rivera@fvsd.example", comments: str = "open") -> dict[str, Any]:
    """``/wp/v2/settings`` for an Administrator."""
    return {
        "title": "Ms. Rivera&#039;s Grade 4 Class",
        "description": "Riverside Elementary, Fraser Valley School District",
        "url": SITE,
        "email": email,
        "timezone": "America/Vancouver",
        "date_format": "F j, Y",
        "time_format": "g:i a",
        "start_of_week": 1,
        "language": "en_US",
        "use_smilies": True,
        "default_category": 1,
        "default_post_format": "0",
        "posts_per_page": 10,
        "show_on_front": "posts",
        "page_on_front": 0,
        "page_for_posts": 0,
        "default_ping_status": "open",
        "default_comment_status": comments,
        "site_logo": None,
        "site_icon": 0,
    }


def me(roles: tuple[str, ...] = ("administrator",), **caps: bool) -> dict[str, Any]:
    """``/wp/v2/users/me?context=edit``."""
    capabilities = {"moderate_comments": True, "edit_posts": True, "manage_options": True}
    capabilities.update(caps)
    return {
        "id": ME,
        "username": USER,
        "name": "Ms Rivera",
        "first_name": "Ana",
        "last_name": "Rivera",
        "email": "rivera@fvsd.example",
        "url": "",
        "description": "",
        "link": f"{SITE}/author/{USER}/",
        "locale": "en_US",
        "nickname": USER,
        "slug": USER,
        "roles": list(roles),
        "registered_date": "2024-08-20T16:00:00+00:00",
        "capabilities": {**capabilities, **dict.fromkeys(roles, True)},
        "extra_capabilities": dict.fromkeys(roles, True),
        "avatar_urls": {},
        "meta": {"persisted_preferences": []},
        "_links": {"self": [{"href": f"{API}/wp/v2/users/{ME}"}]},
    }


def wp_user(user_id: int, name: str, email: str, roles: tuple[str, ...]) -> dict[str, Any]:
    """A user in the ``edit`` context, as ``/wp/v2/users?context=edit`` lists it."""
    slug = name.lower().replace(" ", "-")
    return {
        "id": user_id,
        "username": slug,
        "name": name,
        "first_name": name.split()[0],
        "last_name": name.split()[-1],
        "email": email,
        "url": "",
        "description": "",
        "link": f"{SITE}/author/{slug}/",
        "locale": "en_US",
        "nickname": slug,
        "slug": slug,
        "roles": list(roles),
        "registered_date": "2024-08-20T16:00:00+00:00",
        "capabilities": dict.fromkeys(roles, True),
        "extra_capabilities": dict.fromkeys(roles, True),
        "avatar_urls": {},
        "meta": {"persisted_preferences": []},
        "_links": {"self": [{"href": f"{API}/wp/v2/users/{user_id}"}]},
    }


USERS = [
    wp_user(ME, "Ms Rivera", "rivera@fvsd.example", ("administrator",)),
    wp_user(7, "Sam Helper", "sam.helper.home@gmail.com", ("editor",)),
    wp_user(9, "Pat Reader", "pat@fvsd.example", ("subscriber",)),
]


@dataclass
class FakeSite:
    """A WordPress site behind ``responses``; tests change it between polls."""

    posts: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    private: bool = False  # anonymous requests get 401 (a private-site plugin)
    admin: bool = True  # settings readable (manage_options)
    editor: bool = True  # edit_posts: held comments, private posts, the edit context
    password_ok: bool = True
    failures: dict[str, Reply] = field(default_factory=dict)  # path -> canned reply
    name: str = "Ms. Rivera&#039;s Grade 4 Class"
    users: list[dict[str, Any]] = field(default_factory=lambda: list(USERS))

    def install(self, rsps: responses.RequestsMock) -> None:
        pattern = re.compile(re.escape(API) + r"/.*")
        rsps.add_callback(responses.GET, pattern, callback=self._answer)
        rsps.add_callback(responses.POST, pattern, callback=self._answer)

    def fail(self, path: str, status: int, body: Any, headers: Mapping[str, str] = {}) -> None:
        text = body if isinstance(body, str) else json.dumps(body)
        kind = "text/html" if isinstance(body, str) else "application/json"
        self.failures[path] = (status, {"Content-Type": kind, **headers}, text)

    def _answer(self, request: requests.PreparedRequest) -> Reply:
        url = urlsplit(str(request.url))
        path = url.path.removeprefix("/wp-json") or "/"
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        signed = "Authorization" in request.headers
        if path in self.failures:
            return self.failures[path]
        if signed and not self.password_ok:
            return _json(ERRORS["incorrect_password"])
        if self.private and not signed:
            return _json(ERRORS["rest_unauthorized"])
        if request.method == "POST":
            return self._moderate(path, json.loads(_text(request.body)), signed)
        return self._read(path, query, signed)

    def _read(self, path: str, query: dict[str, str], signed: bool) -> Reply:
        if path == "/":
            root = {"name": self.name, "description": settings()["description"], "url": SITE}
            root.update(home=SITE, namespaces=["oembed/1.0", "wp/v2"], routes={})
            fields = query.get("_fields", "").split(",")
            return _json({k: v for k, v in root.items() if k in fields or fields == [""]})
        if path == "/wp/v2/users/me":
            return _json(me()) if signed else _json(ERRORS["rest_not_logged_in"])
        if path == "/wp/v2/settings":
            return _json(settings()) if signed and self.admin else _json(ERRORS["rest_forbidden"])
        if path == "/wp/v2/users":
            return self._users(query, signed)
        if path == "/wp/v2/posts":
            return self._posts(query, signed)
        if path == "/wp/v2/comments":
            return self._comments(query, signed)
        return _json(ERRORS["rest_no_route"])

    def _users(self, query: dict[str, str], signed: bool) -> Reply:
        """``roles`` and ``context=edit`` need ``list_users`` (Administrators); the refusal
        is 401 signed out and 403 signed in (rest_authorization_required_code)."""
        allowed = signed and self.admin
        status = 403 if signed else 401
        if query.get("roles") and not allowed:
            return _json({**ERRORS["rest_user_cannot_view"], "data": {"status": status}})
        if query.get("context") == "edit" and not allowed:
            message = "Sorry, you are not allowed to list users."
            return _json(wp_error("rest_forbidden_context", message, status))
        roles = set(query.get("roles", "").split(",")) - {""}
        found = [u for u in self.users if not roles or roles & set(u["roles"])]
        return _page(found, query, None)

    def _posts(self, query: dict[str, str], signed: bool) -> Reply:
        statuses = query.get("status", "publish").split(",")
        if query.get("context") == "edit" and not (signed and self.editor):
            return _json(ERRORS["rest_forbidden_context"])
        if statuses != ["publish"] and not (signed and self.editor):
            return _json(ERRORS["rest_forbidden_status"])
        found = [
            p
            for p in self.posts
            if p["status"] in statuses and _after(p, query) and _after(p, query, "modified")
        ]
        stamp = "modified_gmt" if query.get("orderby") == "modified" else "date_gmt"
        found.sort(
            key=lambda p: (str(p.get(stamp)), str(p.get("id"))),
            reverse=query.get("order") == "desc",
        )
        edit = query.get("context") == "edit"  # an editor reads protected content
        shown = [_shown(p, "_embed" in query, edit) for p in found]
        return _page(shown, query, "rest_post_invalid_page_number")

    def _comments(self, query: dict[str, str], signed: bool) -> Reply:
        status = query.get("status", "approve")
        if status != "approve" and not (signed and self.editor):
            refusal = ERRORS["rest_forbidden_param"]
            return _json({**refusal, "data": {"status": 403 if signed else 401}})
        wanted = {"approve": "approved", "hold": "hold"}.get(status)
        include = {int(i) for i in query.get("include", "").split(",") if i}
        found = [
            c
            for c in sorted(self.comments, key=lambda c: (c.get("date_gmt", ""), c["id"]))
            if (wanted is None or c["status"] == wanted)
            and (not include or c["id"] in include)
            and _after(c, query)
        ]
        return _page(found, query, None)

    def _moderate(self, path: str, body: dict[str, Any], signed: bool) -> Reply:
        match = re.fullmatch(r"/wp/v2/comments/(\d+)", path)
        found = [c for c in self.comments if match and c["id"] == int(match.group(1))]
        if not signed:
            return _json({**ERRORS["rest_cannot_edit"], "data": {"status": 401}})
        if not found:
            return _json(ERRORS["rest_comment_invalid_id"])
        target = {"hold": "hold", "approve": "approved"}[body["status"]]
        if found[0]["status"] == target:
            return _json(ERRORS["rest_comment_failed_edit"])
        found[0]["status"] = target
        return _json(found[0], 200)


def _text(body: Any) -> str:
    return body.decode() if isinstance(body, bytes) else str(body or "{}")


def _json(body: Any, status: int | None = None) -> Reply:
    code = status if status is not None else body.get("data", {}).get("status", 200)
    return code, {"Content-Type": "application/json; charset=UTF-8"}, json.dumps(body)


def _after(item: dict[str, Any], query: dict[str, str], column: str = "date") -> bool:
    """WordPress's ``after`` / ``modified_after``: strictly later, on ``date_gmt`` /
    ``modified_gmt``."""
    after = query.get("after" if column == "date" else f"{column}_after")
    if not after:
        return True
    moment = datetime.fromisoformat(after.replace("Z", "+00:00"))
    stamp = item.get(f"{column}_gmt", after[:19])
    return datetime.fromisoformat(stamp).replace(tzinfo=UTC) > moment


def edited(item: dict[str, Any], at: datetime, content: str) -> None:
    """Edit a post in place, as saving it in WordPress does: new content, new modified time."""
    item["content"] = {**item["content"], "rendered": content}
    item["modified"], item["modified_gmt"] = _stamp(at + LOCAL), _stamp(at)


def _shown(item: dict[str, Any], embed: bool, edit: bool) -> dict[str, Any]:
    shown = {k: v for k, v in item.items() if k != "_featured"}
    if item["content"]["protected"] and not edit:
        for key in ("content", "excerpt"):
            shown[key] = {"rendered": "", "protected": True}
    if embed and item.get("_featured"):
        shown["_embedded"] = {"wp:featuredmedia": [item["_featured"]]}
    return shown


def _page(items: list[dict[str, Any]], query: dict[str, str], invalid: str | None) -> Reply:
    per_page, page = int(query.get("per_page", 10)), int(query.get("page", 1))
    pages = -(-len(items) // per_page)
    if invalid and page > max(pages, 1):
        return _json(ERRORS[invalid])
    status, headers, body = _json(items[(page - 1) * per_page : page * per_page], 200)
    headers.update({"X-WP-Total": str(len(items)), "X-WP-TotalPages": str(pages)})
    return status, headers, body


def district_site() -> FakeSite:
    """A class blog: 103 posts (two pages), four approved comments, one held."""
    at = START
    posts = [
        post(
            10,
            at,
            "Welcome back",
            '<p>Welcome!</p><img class="wp-image-77" src="a.jpg" alt="Kids">',
        ),
        post(11, at + timedelta(hours=1), "Field trip", featured=attachment(78, "Bus at the zoo")),
        post(12, at + timedelta(hours=2), "Parents only", password=True),
    ]
    posts += [post(100 + i, at + timedelta(hours=3, minutes=i)) for i in range(100)]
    comments = [
        comment(501, 10, at + timedelta(days=1), "<p>Great start!</p>"),
        comment(502, 10, at + timedelta(days=1, hours=1), "<p>When is picture day?</p>"),
        comment(
            503,
            10,
            at + timedelta(days=1, hours=2),
            "<p>Thursday.</p>",
            author=ME,
            author_name="Ms Rivera",
            parent=502,
        ),
        comment(504, 11, at + timedelta(days=2), "<p>Lovely photos</p>"),
        comment(505, 11, at + timedelta(days=2, hours=1), "<p>Call me</p>", status="hold"),
    ]
    return FakeSite(posts=posts, comments=comments)


def gallery_site() -> FakeSite:
    """One post with a gallery block of three photos (core's gallery markup)."""
    figures = "".join(
        f'<figure class="wp-block-image size-large"><img src="{SITE}/wp-content/uploads/2026/09/'
        f'sports-{n}.jpg" alt="Sports day {n}" class="wp-image-{90 + n}"/></figure>'
        for n in range(1, 4)
    )
    content = (
        '<p>Sports day!</p>\n<figure class="wp-block-gallery has-nested-images columns-default '
        f'is-cropped wp-block-gallery-1 is-layout-flex">{figures}</figure>\n'
    )
    return FakeSite(posts=[post(60, START, "Sports day", content)])


EDITED_TEXT = "Picture day moved to Friday"


class WordPressCase:
    """The contract case: an authenticated Editor-or-better on a public class blog."""

    platform = "wordpress"
    account = ACCOUNT
    secret = SECRET
    streams = 4  # site, posts, approved comments, held comments
    full_posts = 103
    full_comments = 5
    photos = 3  # "photos": a post with a three-photo gallery
    videos = 0
    edited = ("10", EDITED_TEXT)  # "edited": post 10 edited after the full poll

    def fetch(self, kind: str, cursor: Mapping[str, Any] | None = None) -> Snapshot:
        site = district_site()
        if kind == "unchanged" and cursor is None:
            cursor = self.fetch("full").cursor
        if kind == "auth_revoked":
            site.password_ok = False
        elif kind == "rate_limited":
            site.fail(
                "/", 429, "<html><body>Too Many Requests</body></html>", {"Retry-After": "120"}
            )
        elif kind == "server_error":
            site.fail("/", 500, ERRORS["internal_server_error"])
        elif kind == "malformed":
            del site.comments[1]["date_gmt"]
        elif kind == "photos":
            site = gallery_site()
        elif kind == "edited":
            edited(site.posts[0], NOW - timedelta(minutes=10), f"<p>{EDITED_TEXT}.</p>")
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            site.install(rsps)
            connector = WordPressConnector(CREDENTIALS, requests.Session(), clock=lambda: NOW)
            return connector.fetch(ACCOUNT, cursor)


def _administrators(self: WordPressCase, kind: str) -> list[Any]:
    """``administrators()`` against the fake: "admins" or "admins_refused" (an Editor)."""
    site = district_site()
    site.admin = kind != "admins_refused"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        site.install(rsps)
        connector = WordPressConnector(CREDENTIALS, requests.Session(), clock=lambda: NOW)
        return connector.administrators(ACCOUNT)


WordPressCase.admins = (  # type: ignore[attr-defined]
    ("Ms Rivera", "rivera@fvsd.example"),
    ("Sam Helper", "sam.helper.home@gmail.com"),
)
WordPressCase.administrators = _administrators  # type: ignore[attr-defined]


def case() -> WordPressCase:
    return WordPressCase()
