"""WordPress sites through the WordPress REST API v2 (plain ``requests``, injected session).

One poll reads these streams (``/wp-json`` under the site's address):

* the site: ``GET /`` sent **without** credentials, so a site that refuses anonymous
  visitors (401, or a 403 WordPress error) is seen as ``private``; name, tagline and home
  page come from it. With credentials, every ``SITE_EVERY`` the connector also reads
  ``/wp/v2/settings`` (Administrators only: contact e-mail and whether new posts take
  comments) and, on a private site, the root again with credentials; the result is kept
  in the cursor between refreshes.
* posts: ``/wp/v2/posts`` modified after the cursor (``modified_after``, WordPress 5.7+),
  least recently modified first (``orderby=modified``): a new post, and a post edited
  since it was read, come back in the next poll with their new text. Private ones too,
  in the ``edit`` context so password-protected text is readable, when authenticated.
* approved comments: ``/wp/v2/comments`` after the cursor, oldest first.
* held comments (authenticated only): the whole ``status=hold`` list, every poll, so a
  comment leaving it is noticed; its new state comes from one ``include=`` look-up
  (``status=any``), which also fetches older comments the account just replied to.

An unchanged site costs 3 requests anonymously, 4 with credentials. The first
authenticated poll adds ``users/me`` (cached in the cursor) and the settings read.
"""

from __future__ import annotations

import hashlib
import html
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests

from connectors import kit
from connectors.base import Clock, Connector, system_clock
from connectors.errors import (
    AuthRevoked,
    ConfigurationError,
    ConnectorError,
    PermanentError,
    TransientError,
)
from connectors.http import (
    error_for_status,
    fetch_media_bytes,
    network_error,
    session_with_timeout,
)
from connectors.kit import Collector, Malformed
from connectors.records import (
    AccountRef,
    Administrator,
    Comment,
    CommentStatus,
    Media,
    Post,
    Profile,
    Snapshot,
    utc,
)

log = logging.getLogger(__name__)

PLATFORM = "wordpress"
PER_PAGE = 100
MAX_PAGES = 10  # per stream per poll; the cursor resumes where a poll stopped
SITE_EVERY = timedelta(hours=6)
SET_IT = "set it with `hallwatch accounts credentials ACCOUNT`"
ROLE = "give the Hallwatch user the Editor (or Administrator) role"
ROOT_KEYS = ("name", "description", "url", "home")
STATUSES: dict[str, CommentStatus] = {
    "approved": "published",
    "hold": "held",
    "spam": "hidden",
    "trash": "deleted",
    "post-trashed": "deleted",
}
APP_PASSWORDS_OFF = frozenset(
    ("application_passwords_disabled", "application_passwords_disabled_for_user")
)
_T = TypeVar("_T", Post, Comment)
_B = TypeVar("_B")


# --- rendered HTML to text ----------------------------------------------------------------


def html_text(markup: str) -> tuple[str, list[Media]]:
    """Return the visible text of rendered HTML (one line per block) and its images; an
    image's id is its attachment id (``wp-image-N``), else a hash of its source."""
    text, found = kit.html_text(markup)
    images = []
    for image in found:
        ids = [c[9:] for c in image.classes if c.startswith("wp-image-")]
        digest = "img-" + hashlib.sha1(image.src.encode()).hexdigest()[:16]
        key = ids[0] if ids and ids[0].isdigit() else digest
        images.append(Media(external_id=key, url=image.src, alt_text=image.alt))
    return text, images


# --- payload readers: each raises Malformed ---------------------------------------------


def _int(item: Mapping[str, Any], key: str) -> int:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Malformed(f"{key} is not an integer")
    return value


def _gmt(value: Any) -> datetime:
    """WordPress ``*_gmt`` fields are UTC without an offset."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise Malformed("no usable date_gmt")
    return utc(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def _obj(item: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = item.get(key)
    return value if isinstance(value, dict) else {}


def _str(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    return value if isinstance(value, str) else ""


def _rendered(item: Mapping[str, Any], key: str) -> str:
    return _str(_obj(item, key), "rendered")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _post(item: Mapping[str, Any], private_site: bool) -> Post:
    post_id, created = _int(item, "id"), _gmt(item.get("date_gmt"))
    protected = bool(_obj(item, "content").get("protected"))
    body, images = html_text(_rendered(item, "content") or _rendered(item, "excerpt"))
    title, _ = html_text(_rendered(item, "title"))
    private = private_site or protected or item.get("status") == "private"
    return Post(
        external_id=str(post_id),
        created_at=created,
        text="\n".join(part for part in (title, body) if part),
        url=_str(item, "link"),
        visibility="private" if private else "public",
        media=_media(item, images),
    )


def _media(item: Mapping[str, Any], images: list[Media]) -> tuple[Media, ...]:
    found: dict[str, Media] = {}
    featured = _obj(item, "_embedded").get("wp:featuredmedia")
    for media in featured if isinstance(featured, list) else []:
        if isinstance(media, dict) and isinstance(media.get("id"), int):
            video = _str(media, "mime_type").startswith("video/")
            photo = media.get("media_type") == "image"
            found[str(media["id"])] = Media(
                external_id=str(media["id"]),
                kind="video" if video else "photo" if photo else "other",
                url=_str(media, "source_url"),
                alt_text=_str(media, "alt_text"),
            )
    for image in images:
        found.setdefault(image.external_id, image)
    return tuple(found.values())


def _comment(item: Mapping[str, Any], me: int | None) -> Comment:
    comment_id, post_id = _int(item, "id"), _int(item, "post")
    created = _gmt(item.get("date_gmt"))
    parent, author = item.get("parent"), item.get("author")
    text, _ = html_text(_rendered(item, "content"))
    return Comment(
        external_id=str(comment_id),
        post_external_id=str(post_id),
        created_at=created,
        text=text,
        author_name=_str(item, "author_name"),
        author_id=str(author) if isinstance(author, int) and author > 0 else "",
        url=_str(item, "link"),
        status=STATUSES.get(str(item.get("status")), "hidden"),
        by_account=me is not None and author == me,
        parent_external_id=str(parent) if isinstance(parent, int) and parent > 0 else None,
    )


PUBLISHING_ROLES = ("administrator", "editor", "author")


def _user(item: Any) -> Administrator | None:
    """A user in the ``edit`` context (``id``, ``name``, ``email``, ``roles``)."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), int):
        return None
    listed = item.get("roles")
    roles = tuple(r for r in listed if isinstance(r, str)) if isinstance(listed, list) else ()
    return Administrator(
        name=_str(item, "name"),
        email=_str(item, "email").strip().lower(),
        roles=roles,
        external_id=str(item["id"]),
    )


# --- HTTP and errors ----------------------------------------------------------------------


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _refusal(
    response: requests.Response, purpose: str, signed: bool, now: datetime
) -> ConnectorError:
    """Map a WordPress error (``{"code", "message", "data": {"status"}}``) to the taxonomy."""
    status, body = response.status_code, _json(response)
    code = str(body.get("code", "")) if isinstance(body, dict) else ""
    where = f"{PLATFORM}: could not {purpose}"
    found = _advice(status, code, body, signed)
    if found is not None:
        cls, advice = found
        return cls(f"{where}: {advice}", platform=PLATFORM, code=code or str(status))
    if body is None and status < 500 and status != 429:
        return _not_api(purpose, status)
    message = f"{where}: HTTP {status} {code}".rstrip()
    return error_for_status(status, message, platform=PLATFORM, headers=response.headers, now=now)


def _advice(
    status: int, code: str, body: Any, signed: bool
) -> tuple[type[ConnectorError], str] | None:
    """The error class and what to do, for the refusals WordPress explains."""
    if 300 <= status < 400:
        return ConfigurationError, f"the site redirects (HTTP {status}); set base_url to its target"
    if code in APP_PASSWORDS_OFF:
        return ConfigurationError, (
            "application passwords are switched off on this site or for this user; "
            "ask the site administrator to allow them"
        )
    if status == 401 and signed:
        return AuthRevoked, (
            f"WordPress refused the username or application password ({code or status}); "
            f"create a new application password and {SET_IT}"
        )
    if status == 401:
        return (
            ConfigurationError,
            f"the site needs a login: give username and application_password ({SET_IT})",
        )
    if (status == 403 and code) or _forbidden_detail(body):
        return ConfigurationError, f"WordPress refused ({code}); {ROLE}"
    if status == 404 and (body is None or code == "rest_no_route"):
        return ConfigurationError, (
            "the REST API is disabled or the URL is wrong (HTTP 404); "
            "check base_url and that permalinks are not 'Plain'"
        )
    if code == "rest_comment_failed_edit":
        return PermanentError, "WordPress did not change the comment (it may already be so)"
    return None


def _forbidden_detail(body: Any) -> bool:
    """A 400 ``rest_invalid_param`` whose detail is a permission refusal (``status`` param)."""
    details = _obj(_obj(body, "data"), "details") if isinstance(body, dict) else {}
    return any(isinstance(d, dict) and "forbidden" in str(d.get("code")) for d in details.values())


def _not_api(purpose: str, status: int) -> TransientError:
    return TransientError(
        f"{PLATFORM}: could not {purpose}: the site answered with a web page, not API data "
        f"(HTTP {status}); a security plugin or firewall may be blocking the REST API",
        platform=PLATFORM,
        code="not-json",
    )


def _refused(response: requests.Response) -> str:
    """Why an anonymous visitor is turned away ("" if not): 401, 403 with a WordPress
    error body, or a redirect to the login page (private-site plugins do all three)."""
    body = _json(response)
    code = str(body.get("code") or "") if isinstance(body, dict) else ""
    if response.status_code == 401 or (response.status_code == 403 and code):
        return code or str(response.status_code)
    return "login-page" if "wp-login.php" in urlsplit(response.url or "").path else ""


@dataclass
class _Http:
    """The injected session, the site's API root and the credentials; counts requests."""

    session: requests.Session
    api: str
    auth: tuple[str, str] | None
    clock: Clock
    count: int = 0

    def send(
        self, method: str, path: str, purpose: str, *, signed: bool = True, **kw: Any
    ) -> requests.Response:
        """One request; a refusal raises the mapped error (GET follows redirects, POST not)."""
        self.count += 1
        auth = self.auth if signed else None
        try:
            response = self.session.request(
                method, self.api + path, auth=auth, allow_redirects=method == "GET", **kw
            )
        except requests.RequestException as exc:
            raise network_error(exc, PLATFORM) from None
        if response.status_code >= 300 and (signed or not _refused(response)):
            raise _refusal(response, purpose, auth is not None, utc(self.clock()))
        return response

    def probe(self) -> tuple[dict[str, Any] | None, str]:
        """The API root as an anonymous visitor sees it: (its fields, or None if refused; why)."""
        params = {"_fields": ",".join(ROOT_KEYS)}
        response = self.send("GET", "/", "read the site", signed=False, params=params)
        if refused := _refused(response):
            return None, refused
        body = _json(response)
        if not isinstance(body, dict):
            raise _not_api("read the site", response.status_code)
        return body, "open"

    def get(
        self, path: str, purpose: str, params: Mapping[str, Any] | None = None, **kw: Any
    ) -> Any:
        response = self.send("GET", path, purpose, params=params, **kw)
        data = _json(response)
        if data is None:
            raise _not_api(purpose, response.status_code)
        return data

    def pages(self, path: str, purpose: str, params: Mapping[str, Any]) -> tuple[list[Any], bool]:
        """Every page's items (at most ``MAX_PAGES``), and whether the listing was complete."""
        items: list[Any] = []
        for page in range(1, MAX_PAGES + 1):
            response = self.send("GET", path, purpose, params={**params, "page": page})
            data = _json(response)
            if not isinstance(data, list):
                raise _not_api(purpose, response.status_code)
            items.extend(data)
            total = response.headers.get("X-WP-TotalPages", "")
            last = int(total) if total.isdigit() else page + (len(data) >= PER_PAGE)
            if page >= last:
                return items, True
        return items, False


@dataclass
class _Mark:
    """An incremental stream's position: the newest time seen and the ids seen at it."""

    after: datetime | None = None
    edge: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, state: Any) -> _Mark:
        try:
            return cls(_gmt(state["after"]), {str(i) for i in state.get("edge", [])})
        except (TypeError, KeyError, AttributeError, Malformed):
            return cls()  # no cursor (or an unreadable one): start from the beginning

    def fresh(self, ident: str, when: datetime) -> bool:
        """Newer than the mark, or at it and not seen there (a site that ignored the time
        filter sends older items too: they are not new)."""
        if self.after is None:
            return True
        return when > self.after or (when == self.after and ident not in self.edge)

    def advanced(self, stamped: list[tuple[str, datetime]]) -> dict[str, Any]:
        newest = max((when for _, when in stamped), default=self.after)
        if newest is None:
            return {}
        edge = set(self.edge) if newest == self.after else set()
        edge.update(ident for ident, when in stamped if when == newest)
        return {"after": _iso(newest), "edge": sorted(edge)}


def _created(item: Mapping[str, Any]) -> datetime:
    return _gmt(item.get("date_gmt"))


def _modified(item: Mapping[str, Any]) -> datetime:
    """When a post last changed (``modified_gmt``; its publication time if absent)."""
    return _gmt(item.get("modified_gmt") or item.get("date_gmt"))


@dataclass
class _Poll:
    http: _Http
    now: datetime
    me: int | None = None
    collector: Collector = field(default_factory=lambda: Collector(PLATFORM, log))

    def build(self, raw: Iterable[Any], kind: str, make: Callable[[Any], _B]) -> list[_B]:
        """Build each item; a malformed one is logged by id (or index) and skipped."""

        def one(item: Any) -> _B:
            if not isinstance(item, dict):
                raise Malformed("not an object")
            return make(item)

        def label(item: Any, index: int) -> str:
            ident = item.get("id") if isinstance(item, dict) else None
            return f"{kind} {ident}" if isinstance(ident, int) else f"{kind}s[{index}]"

        return self.collector.build(raw, one, label, (Malformed,))


# --- the connector ------------------------------------------------------------------------


class WordPressConnector(Connector):
    """A WordPress site (self-hosted, or any host with the REST API v2 at ``/wp-json``).

    ``AccountRef.external_id`` is the site's address (``https://class.school.example``);
    the ``base_url`` credential is what is polled.

    Credentials:
        base_url: the site's address, e.g. ``https://class.school.example`` (required).
        username, application_password: a WordPress user and one of its Application
            Passwords (HTTP Basic auth, HTTPS only), for private sites, private posts,
            comments held for moderation and hiding comments. Optional, but both or none.

    Args:
        credentials: the dict above; never logged.
        transport: an injected ``requests.Session`` (a new one when None).
        clock: returns the current aware UTC time.
    """

    platform = PLATFORM
    media_hosts = ("wp.com", "wordpress.com")
    display_name = "WordPress"
    can_be_private = True  # a private-site plugin, or private posts
    can_disable_comments = True
    can_hold_comments = True  # comment moderation (status "hold")
    can_hide_comments = True  # moved back to the moderation queue
    admin_list = "WordPress users who can publish"

    def __init__(
        self,
        credentials: Mapping[str, Any] | None = None,
        transport: Any = None,
        *,
        clock: Clock = system_clock,
    ) -> None:
        super().__init__(credentials, session_with_timeout(transport), clock=clock)

    def fetch(self, account: AccountRef, cursor: Mapping[str, Any] | None = None) -> Snapshot:
        """Return the site's profile and its posts and comments new or changed since ``cursor``.

        Raises:
            AuthRevoked, ConfigurationError, RateLimited, TransientError, PermanentError.
        """
        state = dict(cursor or {})
        poll = _Poll(self._http(), utc(self.clock()))
        root, code = self._probe(poll.http)
        poll.me = self._me(poll, state.get("me"))
        profile, site = self._profile(poll, account, (root, code), state.get("site"))
        posts, post_mark = self._stream(
            poll,
            "/wp/v2/posts",
            self._post_params(poll),
            state.get("posts"),
            "post",
            partial(_post, private_site=profile.visibility == "private"),
            since="modified_after",
            stamp=_modified,
        )
        comments, comment_state = self._comments(poll, state)
        cursor_out: dict[str, Any] = {"posts": post_mark, **comment_state}
        if poll.http.auth is not None:
            cursor_out.update(site=site, me={"id": poll.me, "user": self._user_key()})
        return Snapshot(
            profile=profile,
            posts=tuple(posts),
            comments=tuple(comments),
            cursor=cursor_out,
            requests=poll.http.count,
            skipped=tuple(poll.collector.skipped),
        )

    # --- the site -------------------------------------------------------------------------

    @staticmethod
    def _probe(http: _Http) -> tuple[dict[str, Any] | None, str]:
        """The anonymous root; refused without credentials is a configuration problem."""
        root, code = http.probe()
        if root is None and http.auth is None:
            raise ConfigurationError(
                f"{PLATFORM}: the site refuses anonymous visitors ({code}); give Hallwatch a "
                f"username and application_password ({SET_IT})",
                platform=PLATFORM,
                code=code,
            )
        return root, code

    def _profile(
        self,
        poll: _Poll,
        account: AccountRef,
        probed: tuple[dict[str, Any] | None, str],
        cached: Any,
    ) -> tuple[Profile, dict[str, Any]]:
        """The profile: the anonymous root, plus what the signed-in refresh keeps."""
        (root, code), site = probed, dict(cached) if isinstance(cached, dict) else {}
        stale = self._due(site, poll.now) or (root is None and "name" not in site)
        if poll.http.auth is not None and stale:
            site = self._site(poll, private=root is None)
        info = root if root is not None else site
        comments_open = site.get("comment_status")
        return Profile(
            external_id=account.external_id,
            handle=account.handle or urlsplit(poll.http.api).netloc,
            display_name=html.unescape(str(info.get("name") or "")),
            about=html.unescape(str(info.get("description") or "")),
            website=str(info.get("home") or info.get("url") or ""),
            contact_email=str(site.get("email") or ""),
            visibility="public" if root is not None else "private",
            comments_enabled={"open": True, "closed": False}.get(str(comments_open)),
            extra={"anonymous_api": code},
        ), site

    @staticmethod
    def _due(site: Mapping[str, Any], now: datetime) -> bool:
        try:
            return now - _gmt(site["checked"]) >= SITE_EVERY
        except (KeyError, Malformed):
            return True

    @staticmethod
    def _site(poll: _Poll, private: bool) -> dict[str, Any]:
        """Read what only a signed-in user sees: settings (Administrators) and a private root."""
        site: dict[str, Any] = {"checked": _iso(poll.now)}
        if private:
            root = poll.http.get("/", "read the site", {"_fields": ",".join(ROOT_KEYS)})
            site.update({k: root.get(k) for k in ROOT_KEYS} if isinstance(root, dict) else {})
        try:
            settings = poll.http.get("/wp/v2/settings", "read the site settings")
        except ConfigurationError:
            return site  # not an Administrator: contact e-mail and comment default stay unknown
        if isinstance(settings, dict):
            site.update(
                email=settings.get("email"), comment_status=settings.get("default_comment_status")
            )
        return site

    def _user_key(self) -> str:
        user = str(self.credentials.get("username", ""))
        return hashlib.sha256(user.encode()).hexdigest()[:16]

    def _me(self, poll: _Poll, cached: Any) -> int | None:
        """The signed-in user's id (comments it wrote are the account's), cached in the cursor."""
        if poll.http.auth is None:
            return None
        if isinstance(cached, dict) and cached.get("user") == self._user_key():
            if isinstance(cached.get("id"), int):
                return int(cached["id"])
        me = poll.http.get("/wp/v2/users/me", "read the Hallwatch user")
        if not isinstance(me, dict) or not isinstance(me.get("id"), int):
            raise _not_api("read the Hallwatch user", 200)
        return int(me["id"])

    # --- posts and comments ---------------------------------------------------------------

    @staticmethod
    def _post_params(poll: _Poll) -> dict[str, Any]:
        params: dict[str, Any] = {"orderby": "modified", "order": "asc", "per_page": PER_PAGE}
        params.update(status="publish", _embed="wp:featuredmedia")
        if poll.http.auth is not None:
            params.update(status="publish,private", context="edit")
        return params

    @staticmethod
    def _stream(
        poll: _Poll,
        path: str,
        params: dict[str, Any],
        state: Any,
        kind: str,
        make: Callable[[Any], _T],
        *,
        since: str = "after",
        stamp: Callable[[Mapping[str, Any]], datetime] = _created,
    ) -> tuple[list[_T], dict[str, Any]]:
        """Items stamped after the stream's mark (re-asking its last second, minus ids seen).

        ``since`` is the query parameter that filters on ``stamp``: ``after`` on the
        publication time, ``modified_after`` on the last change.
        """
        mark = _Mark.load(state)
        floor = mark.after - timedelta(seconds=1) if mark.after is not None else None
        if floor is not None:
            params = {**params, since: _iso(floor)}
        raw, _ = poll.http.pages(path, f"read {kind}s", params)
        built = poll.build(raw, kind, lambda item: (make(item), stamp(item)))
        fresh = [(i, when) for i, when in built if mark.fresh(i.external_id, when)]
        if floor is not None and any(when < floor for _, when in built):
            log.warning(
                "%s: the site ignored %s and sent older %ss (WordPress before 5.7?); "
                "update WordPress so edited posts are read again",
                PLATFORM,
                since,
                kind,
            )
        return [i for i, _ in fresh], mark.advanced([(i.external_id, t) for i, t in fresh])

    def _comments(
        self, poll: _Poll, state: Mapping[str, Any]
    ) -> tuple[list[Comment], dict[str, Any]]:
        params = {"orderby": "date_gmt", "order": "asc", "per_page": PER_PAGE}
        make = partial(_comment, me=poll.me)
        new, mark = self._stream(
            poll, "/wp/v2/comments", params, state.get("comments"), "comment", make
        )
        if poll.http.auth is None:
            return new, {"comments": mark}
        before = _obj(state, "held")
        raw, complete = poll.http.pages(
            "/wp/v2/comments", "read held comments", {**params, "status": "hold"}
        )
        held = poll.build(raw, "comment", make)
        new += [c for c in held if c.external_id not in before]
        left = set(before) - {c.external_id for c in held} if complete else set()
        changed = self._reviewed(poll, new, held, left, before)
        now_held = {c.external_id: [c.post_external_id, _iso(c.created_at)] for c in held}
        return changed, {"comments": mark, "held": now_held if complete else {**before, **now_held}}

    def _reviewed(
        self,
        poll: _Poll,
        new: list[Comment],
        held: list[Comment],
        left: set[str],
        before: Mapping[str, Any],
    ) -> list[Comment]:
        """Add held comments that were reviewed and comments the account replied to."""
        replied = {c.parent_external_id for c in new if c.by_account and c.parent_external_id}
        out = {c.external_id: c for c in new}
        known = {**{c.external_id: c for c in held}, **out}
        missing = (replied - set(known)) | (left - set(out))
        found = {c.external_id: c for c in self._lookup(poll, missing)}
        for ident in left - set(out) - set(found):
            found[ident] = self._vanished(ident, before[ident])
        for ident in replied | set(found):
            comment = found.get(ident) or known.get(ident)
            if comment is not None:
                out[ident] = replace(
                    comment, replied_by_account=comment.replied_by_account or ident in replied
                )
        return list(out.values())

    @staticmethod
    def _lookup(poll: _Poll, ids: set[str]) -> list[Comment]:
        if not ids:
            return []
        params = {"include": ",".join(sorted(ids, key=int)), "status": "any", "per_page": PER_PAGE}
        raw, _ = poll.http.pages(
            "/wp/v2/comments", "read reviewed comments", {**params, "orderby": "id"}
        )
        return poll.build(raw, "comment", partial(_comment, me=poll.me))

    @staticmethod
    def _vanished(ident: str, held: Any) -> Comment:
        """A held comment deleted for good: only what the cursor remembered of it."""
        post, created = held if isinstance(held, list) and len(held) == 2 else ("", None)
        when = _gmt(created) if isinstance(created, str) else datetime.fromtimestamp(0, UTC)
        return Comment(
            external_id=ident, post_external_id=str(post), created_at=when, status="deleted"
        )

    # --- credentials, check and moderation ------------------------------------------------

    def _http(self) -> _Http:
        base = self.credentials.get("base_url")
        if not isinstance(base, str) or not base.strip():
            raise self._missing("base_url", "the site's address, e.g. https://class.school.example")
        parts = urlsplit(base.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
            raise ConfigurationError(
                f"{PLATFORM}: base_url must be the site's address, e.g. "
                f"https://class.school.example; {SET_IT}",
                platform=PLATFORM,
                code="base_url",
            )
        path = parts.path.rstrip("/").removesuffix("/wp-json").rstrip("/")
        api = f"{parts.scheme}://{parts.netloc}{path}/wp-json"
        return _Http(self.transport, api, self._auth(parts.scheme), self.clock)

    def _auth(self, scheme: str) -> tuple[str, str] | None:
        user, password = (self.credentials.get(k) for k in ("username", "application_password"))
        if not user and not password:
            return None
        if not user or not password:
            missing = "username" if not user else "application_password"
            raise self._missing(missing, "username and application_password go together")
        if scheme != "https":
            raise ConfigurationError(
                f"{PLATFORM}: base_url must start with https:// when a username and application "
                "password are given (they would travel unencrypted)",
                platform=PLATFORM,
                code="base_url",
            )
        return str(user), str(password)

    @staticmethod
    def _missing(key: str, what: str) -> ConfigurationError:
        return ConfigurationError(
            f"{PLATFORM}: missing credential {key!r} ({what}); {SET_IT}",
            platform=PLATFORM,
            code=key,
        )

    def check_credentials(self, account: AccountRef) -> str:
        """One request: ``users/me?context=edit`` when signed in, else the anonymous API root.

        Returns:
            Who the credentials are and what they can read or moderate.
        """
        http = self._http()
        site = http.api.removesuffix("/wp-json")
        if http.auth is None:
            root, _ = self._probe(http)
            name = html.unescape(str((root or {}).get("name") or ""))
            return (
                f"public WordPress site {name!r} at {site}: public posts and approved comments only"
            )
        me = http.get("/wp/v2/users/me", "read the Hallwatch user", {"context": "edit"})
        me = me if isinstance(me, dict) else {}
        listed = me.get("roles")
        names = [r for r in listed if isinstance(r, str)] if isinstance(listed, list) else []
        caps, roles = me.get("capabilities") or {}, ", ".join(names) or "no role"
        if isinstance(caps, dict) and caps.get("moderate_comments"):
            reach = "can read everything and hide comments"
        elif isinstance(caps, dict) and caps.get("edit_posts"):
            reach = f"sees held comments on its own posts only and cannot hide comments; {ROLE}"
        else:
            reach = f"cannot read held comments or hide comments; {ROLE}"
        return f"WordPress user {str(me.get('name') or '')!r} ({roles}) at {site}: {reach}"

    def administrators(self, account: AccountRef) -> list[Administrator]:
        """Users who can publish: ``GET /wp/v2/users?roles=administrator,editor,author&
        context=edit`` (their e-mail and roles). Filtering by role and the ``edit`` context
        both need the ``list_users`` capability: the Hallwatch user must be an Administrator.
        """
        http = self._http()
        if http.auth is None:
            raise self._missing("username", "reading the site's users needs a sign-in")
        params = {
            "roles": ",".join(PUBLISHING_ROLES),
            "context": "edit",
            "per_page": PER_PAGE,
            "orderby": "id",
        }
        try:
            raw, _ = http.pages("/wp/v2/users", "read the site's users", params)
        except ConfigurationError as exc:
            raise ConfigurationError(
                f"{PLATFORM}: could not read the site's users ({exc.code}); listing users "
                "needs the Administrator role (the list_users capability) for the Hallwatch "
                "user",
                platform=PLATFORM,
                code=exc.code,
            ) from None
        return [u for u in (_user(item) for item in raw) if u is not None]

    def fetch_media(self, media: Media) -> bytes:
        """A photo from the site itself or WordPress.com's image CDN (see the base class)."""
        site = urlsplit(str(self.credentials.get("base_url", ""))).hostname or ""
        hosts = (*self.media_hosts, site) if site else self.media_hosts
        session = self.transport if isinstance(self.transport, requests.Session) else None
        return fetch_media_bytes(session_with_timeout(session), media.url, hosts, platform=PLATFORM)

    def hide_comment(self, account: AccountRef, comment_id: str) -> None:
        """Move a comment back to the moderation queue (``status: hold``); never deletes."""
        self._moderate(comment_id, "hold", "hide the comment")

    def unhide_comment(self, account: AccountRef, comment_id: str) -> None:
        """Approve a comment again (``status: approve``)."""
        self._moderate(comment_id, "approve", "unhide the comment")

    def _moderate(self, comment_id: str, status: str, purpose: str) -> None:
        http = self._http()
        if http.auth is None:
            raise self._missing("username", f"needed to {purpose}, with application_password")
        if not str(comment_id).isdigit():
            raise PermanentError(
                f"{PLATFORM}: {comment_id!r} is not a WordPress comment id", platform=PLATFORM
            )
        http.send("POST", f"/wp/v2/comments/{comment_id}", purpose, json={"status": status})
