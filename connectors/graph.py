"""The Graph API client shared by the ``facebook`` and ``instagram`` connectors.

facebook-sdk's :class:`facebook.GraphAPI` does the HTTP; this module pins it to a current
Graph API version, counts requests, keeps the status and rate-limit headers of each response
(the SDK drops them) and maps Graph errors onto :mod:`connectors.errors`. No message or log
line built here holds a URL, a query string or a Graph error's free text, since the token
travels as the ``access_token`` query parameter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import facebook
import requests

from connectors.base import system_clock
from connectors.errors import (
    AuthRevoked,
    ConfigurationError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)
from connectors.http import TIMEOUT, error_for_status, network_error, session_with_timeout

GRAPH_VERSION = "v26.0"  # current Graph API version (released 29 July 2026)
SDK_VERSION = "3.1"  # the newest version facebook-sdk 3.1.0 accepts at construction
AUTH_CODES = frozenset({102, 190})
AUTH_REASONS = {
    458: "the app was removed",
    459: "the user must log in to Facebook to clear a security checkpoint",
    460: "the password changed",
    463: "the token expired",
    464: "the user is unconfirmed",
    467: "the token is invalid",
    492: "the user no longer has a role on the Page",
}
RATE_CODES = frozenset({4, 17, 32, 341, 613, *range(80000, 80015)})
APP_RATE_CODE = 4
PERMISSION_CODES = frozenset({3, 10, *range(200, 300)})
TRANSIENT_CODES = frozenset({1, 2})
DEFAULT_WAIT, APP_WAIT = 60.0, 3600.0
USAGE_HEADERS = ("x-business-use-case-usage", "x-app-usage", "x-page-usage")
PERMISSION_FIELD_CODE = 100  # "(#100) ... requires the 'pages_read_engagement' permission"
# what each connector's token needs (docs/connecting/<platform>.md), named when Graph names none
NEEDED = {
    "facebook": "pages_show_list, pages_read_engagement, pages_read_user_content and, to hide "
    "comments, pages_manage_engagement",
    "instagram": "pages_show_list, pages_read_engagement, instagram_basic and "
    "instagram_manage_comments",
}
_PERMISSION = re.compile(
    r"(?<![A-Za-z0-9_])(?:pages|instagram|business|ads|read|publish|public|manage)_[a-z_]+"
    r"(?![A-Za-z0-9_])"
)
_FEATURE = re.compile(r"'([A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*){1,5})' feature")
MAX_BODY = 64 * 1024  # an error body larger than this is not read as JSON
_TRACE = re.compile(r"[A-Za-z0-9_+/=-]{1,40}")
_NODE_ID = re.compile(r"[0-9]+(?:_[0-9]+)*")
_VERSION_PREFIX = re.compile(r"^/?v\d+\.\d+/")


def require_token(credentials: Mapping[str, Any], platform: str) -> str:
    """Return the ``access_token`` credential, or raise ConfigurationError naming it."""
    token = credentials.get("access_token")
    if not isinstance(token, str) or not token.strip():
        raise ConfigurationError(
            f"{platform}: credential 'access_token' is missing; set it with "
            "`hallwatch accounts credentials ACCOUNT`",
            platform=platform,
            code="access_token",
        )
    return token.strip()


def node_id(value: str, platform: str) -> str:
    """Return a Graph node id (digits and underscores) unchanged, or raise PermanentError.

    Ids become URL paths, so nothing else (a slash, a query) may reach the SDK.
    """
    if not _NODE_ID.fullmatch(value or ""):
        raise PermanentError(f"{platform}: {value[:40]!r} is not a Graph id", platform=platform)
    return value


def parse_time(value: Any) -> datetime | None:
    """Parse a Graph time (``2026-11-20T15:04:05+0000``) into aware UTC, or None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else None


class _HookedSession:
    """Hands the SDK a session whose every request carries our response hook.

    A per-request hook (rather than one appended to ``session.hooks``) neither piles up on a
    long-lived shared session nor sees another thread's responses.
    """

    def __init__(self, session: requests.Session, hook: Any) -> None:
        self._session, self._hook = session, hook

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        return self._session.request(method, url, hooks={"response": [self._hook]}, **kwargs)


class GraphClient:
    """facebook-sdk's GraphAPI on an injected session, with request counting and error mapping.

    Args:
        token: the Page access token (sent by the SDK as the ``access_token`` parameter).
        session: the injected ``requests.Session``; None makes a new one.
        platform: the connector name used in error messages.
        clock: the connector's clock (for ``Retry-After`` dates).
    """

    def __init__(
        self,
        token: str,
        session: requests.Session | None,
        *,
        platform: str,
        clock: Callable[[], datetime] = system_clock,
    ) -> None:
        self.platform, self.clock = platform, clock
        self.requests = 0
        self._status: int | None = None
        self._headers: dict[str, str] = {}
        self._body = b""
        hooked = _HookedSession(session_with_timeout(session), self._remember)
        self._api = facebook.GraphAPI(
            access_token=token, version=SDK_VERSION, session=hooked, timeout=TIMEOUT
        )
        self._api.version = GRAPH_VERSION

    def __repr__(self) -> str:
        return f"<GraphClient platform={self.platform!r} version={GRAPH_VERSION}>"

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        """GET ``/<version>/<path>`` with ``params``; return the decoded JSON object."""
        return self._call(path, params, None)

    def post(self, path: str, **data: Any) -> dict[str, Any]:
        """POST form ``data`` to ``/<version>/<path>``; return the decoded JSON object."""
        return self._call(path, {}, dict(data))

    def set_hidden(self, comment_id: str, field: str, hidden: bool, platform: str) -> None:
        """Hide or show a comment (``POST /{comment-id}`` with ``field=true|false``).

        Raises:
            PermanentError: the Graph API did not confirm the change.
        """
        target = node_id(comment_id, platform)
        answer = self.post(target, **{field: "true" if hidden else "false"})
        if answer.get("success") is not True:
            raise PermanentError(
                f"{platform}: the change to comment {target} was not confirmed", platform=platform
            )

    def follow(self, next_url: str) -> dict[str, Any]:
        """GET a ``paging.next`` link: its path and query, at our version, never its host."""
        parts = urlsplit(next_url)
        path = _VERSION_PREFIX.sub("", parts.path).lstrip("/")
        params = {k: v for k, v in parse_qsl(parts.query) if k != "access_token"}
        return self._call(path, params, None)

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._status = response.status_code
        self._headers = {k.lower(): v for k, v in response.headers.items()}
        self._body = response.content[:MAX_BODY] if len(response.content) <= MAX_BODY else b""

    def _json_body(self) -> Any:
        """The last answer's body as JSON whatever its content type (older Graph API
        versions and batch answers serve JSON as ``text/javascript``, which facebook-sdk
        refuses), or None."""
        try:
            return json.loads(self._body) if self._body else None
        except ValueError:
            return None

    def _call(self, path: str, params: dict[str, Any], data: dict[str, Any] | None) -> Any:
        self.requests += 1
        self._status, self._headers, self._body = None, {}, b""
        error: ConnectorError | None = None
        try:
            result = self._api.request(f"{GRAPH_VERSION}/{path}", params, post_args=data)
        except facebook.GraphAPIError as exc:
            result = exc.result if isinstance(exc.result, dict) else self._json_body()
            if isinstance(result, dict) and "error" not in result and (self._status or 0) < 400:
                return result  # a JSON answer served under another content type
            error = self._error(result)
        except (requests.exceptions.JSONDecodeError, KeyError, ValueError):
            if self._status is None:  # not about an answer: a bug, not a platform error
                raise
            error = self._error(None)  # no content type, or a body that is not JSON
        except requests.RequestException as exc:
            error = network_error(exc, self.platform)
        if error is None and (self._status or 0) >= 400:
            error = self._error(result)  # an HTTP error whose body is not a Graph error
        if error is not None:
            raise error  # raised outside the handler: no chained exception carries a URL
        if not isinstance(result, dict):
            raise PermanentError(
                f"{self.platform}: unexpected Graph API answer", platform=self.platform
            )
        return result

    def _error(self, result: Any) -> ConnectorError:
        body = result.get("error") if isinstance(result, dict) else None
        if isinstance(body, dict):
            return graph_error(body, self._status, self._headers, self.platform)
        status = self._status or 0
        message = f"{self.platform}: Graph API answered HTTP {status} with no Graph error"
        return error_for_status(
            status, message, platform=self.platform, headers=self._headers, now=self.clock()
        )


def graph_error(
    body: Mapping[str, Any], status: int | None, headers: Mapping[str, str], platform: str
) -> ConnectorError:
    """Map a Graph error body (``{"error": {...}}``'s inner object) to the taxonomy."""
    code, sub = _int(body.get("code")), _int(body.get("error_subcode"))
    label = f"Graph error {code}" + (f"/{sub}" if sub else "")
    kw: dict[str, Any] = {"platform": platform, "code": str(code)}
    if code in AUTH_CODES:
        reason = AUTH_REASONS.get(sub or 0, "the token expired or was revoked")
        return AuthRevoked(
            f"{platform}: the access token no longer works ({reason}); issue a new Page "
            "access token and set it with `hallwatch accounts credentials ACCOUNT`",
            **kw,
        )
    if code in RATE_CODES:
        wait = retry_after(headers, code)
        return RateLimited(
            f"{platform}: rate limited ({label}); retry in {wait:.0f} s", retry_after=wait, **kw
        )
    if code in PERMISSION_CODES or (code == PERMISSION_FIELD_CODE and _named(body)[0]):
        return _missing_permission(body, label, kw)
    if code in TRANSIENT_CODES or body.get("is_transient") is True or (status or 0) >= 500:
        return TransientError(f"{platform}: temporary Graph API failure ({label})", **kw)
    trace = body.get("fbtrace_id")
    trace_note = f", trace {trace}" if isinstance(trace, str) and _TRACE.fullmatch(trace) else ""
    return PermanentError(f"{platform}: Graph API refused the request ({label}{trace_note})", **kw)


def _named(body: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The permissions and features a Graph error message names (nothing else of it)."""
    message = str(body.get("message") or "")[:2000]
    permissions = list(dict.fromkeys(_PERMISSION.findall(message)))
    features = list(dict.fromkeys(_FEATURE.findall(message)))
    return permissions, features


def _missing_permission(body: Mapping[str, Any], label: str, kw: dict[str, Any]) -> ConnectorError:
    """Name what to grant, from the permissions the Graph message names (never quoting the
    message itself); any one of them is enough, as the message says."""
    platform = kw["platform"]
    permissions, features = _named(body)
    if permissions:
        need = "the permission " + " or ".join(permissions)
        if features:
            need += " (or the feature " + " or ".join(f"'{f}'" for f in features) + ")"
    elif features:
        need = "the feature " + " or ".join(f"'{f}'" for f in features)
    else:
        need = f"a permission this call needs (Hallwatch needs {NEEDED.get(platform, 'it')})"
    return ConfigurationError(
        f"{platform}: permission missing ({label}): the Page access token lacks {need}. "
        "Grant it to the Hallwatch app's system user (Meta Business Suite, Users, System "
        "users, Generate token, tick it), then issue a new Page access token and set it "
        f"with `hallwatch accounts credentials ACCOUNT` (see docs/connecting/{platform}.md)",
        needs=[*permissions, *features],
        **kw,
    )


def retry_after(headers: Mapping[str, str], code: int | None) -> float:
    """Seconds until access returns, from the usage headers' ``estimated_time_to_regain_access``.

    The headers give minutes; without them, code 4 (the app's own limit) waits an hour and
    every other rate limit a minute.
    """
    minutes = max(_regain_minutes(headers), default=0.0)
    if minutes > 0:
        return minutes * 60.0
    return APP_WAIT if code == APP_RATE_CODE else DEFAULT_WAIT


def _regain_minutes(headers: Mapping[str, str]) -> Iterator[float]:
    """Every ``estimated_time_to_regain_access`` in the usage headers, at any depth."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in USAGE_HEADERS:
        try:
            stack = [json.loads(lowered.get(name) or "null")]
        except ValueError:
            continue
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                if (minutes := _int(value.get("estimated_time_to_regain_access"))) is not None:
                    yield float(minutes)
                stack.extend(value.values())
            elif isinstance(value, list):
                stack.extend(value)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    return int(value) if isinstance(value, str) and value.isdigit() else None


# --- one poll of a time-ordered edge (Page posts, Instagram media) --------------------------

LOOKBACK = timedelta(days=3)  # recent posts are re-read each poll for their comments
SLACK = timedelta(minutes=10)  # tolerance between our clock and the platform's
MAX_PAGES = 10  # requests per poll for posts and comment pages together
PAGE_SIZE = 25


@dataclass(frozen=True)
class Window:
    """What one poll covers, from the stream's cursor ``{"as_of": iso, "backfill": ...}``.

    The first poll reads every post, newest first, for up to :data:`MAX_PAGES` pages; what
    did not fit is a ``backfill`` range (``since``/``until`` Unix times) for later polls.
    Later polls ask for posts created since ``min(previous poll - SLACK, now - LOOKBACK)``,
    so one request re-reads recent posts with their comments and brings in new ones.
    """

    now: datetime
    previous: datetime | None = None
    backfill: dict[str, int | None] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(
        cls, cursor: Mapping[str, Any] | None, key: str, now: datetime, platform: str
    ) -> Window:
        """Read ``cursor[key]``; a missing cursor or key is a first poll.

        Raises:
            PermanentError: the cursor is not one this connector wrote.
        """
        state = (cursor or {}).get(key)
        if state is None:
            return cls(now)
        try:
            previous = datetime.fromisoformat(state["as_of"])
            backfill = _backfill(state.get("backfill"))
            if previous.tzinfo is None:
                raise ValueError("naive as_of")
        except (TypeError, KeyError, ValueError, AttributeError):
            raise PermanentError(
                f"{platform}: the stored cursor is not one this connector wrote; clear the "
                "account's cursor to start over",
                platform=platform,
                code="cursor",
            ) from None
        extra = {k: v for k, v in state.items() if k not in ("as_of", "backfill")}
        return cls(now, previous.astimezone(UTC), backfill, extra)

    @property
    def since(self) -> int | None:
        """Unix time of the oldest post this poll asks for; None on the first poll."""
        if self.previous is None:
            return None
        return int(min(self.previous - SLACK, self.now - LOOKBACK).timestamp())

    @property
    def recent(self) -> datetime:
        """Posts created after this have their comment pages followed when they grew."""
        return self.now - LOOKBACK

    @property
    def watermark(self) -> datetime:
        """Comments newer than this are new since the previous poll."""
        return self.previous - SLACK if self.previous is not None else self.recent

    def dump(
        self, key: str, backfill: dict[str, int | None] | None, **extra: Any
    ) -> dict[str, Any]:
        """The cursor for the next poll."""
        return {key: {"as_of": self.now.isoformat(), "backfill": backfill, **extra}}


def _backfill(value: Any) -> dict[str, int | None] | None:
    if value is None:
        return None
    since, until = value["since"], value["until"]
    if not isinstance(until, int) or not (since is None or isinstance(since, int)):
        raise ValueError("backfill bounds must be Unix times")
    return {"since": since, "until": until}


class Timeline:
    """Reads one time-ordered edge, newest first, within :data:`MAX_PAGES` requests a poll."""

    def __init__(self, client: GraphClient, window: Window) -> None:
        self.client, self.window = client, window
        self.pages_left = MAX_PAGES
        self.backfill = window.backfill

    def read(self, path: str, fields: str, time_key: str) -> list[Any]:
        """Return the window's items, then older backfill while pages are left."""
        base: dict[str, Any] = {"fields": fields, "limit": PAGE_SIZE}
        since = self.window.since
        params = base if since is None else {**base, "since": since}
        items, oldest = self._walk(path, params, time_key, since)
        if oldest is not None:  # the window did not fit: read the rest on later polls
            self.backfill = _merge(self.backfill, since, oldest)
        elif self.backfill is not None and self.pages_left > 0:
            bounds = {k: v for k, v in self.backfill.items() if v is not None}
            older, oldest = self._walk(path, {**base, **bounds}, time_key, self.backfill["since"])
            items.extend(older)
            self.backfill = None if oldest is None else {**self.backfill, "until": oldest}
        return items

    def follow(self, page: Mapping[str, Any]) -> dict[str, Any] | None:
        """The next page of a nested edge; None at its end or when no pages are left."""
        url = next_link(page)
        if url is None or self.pages_left <= 0:
            return None
        self.pages_left -= 1
        return self.client.follow(url)

    def _walk(
        self, path: str, params: dict[str, Any], time_key: str, floor: int | None
    ) -> tuple[list[Any], int | None]:
        """Items of every page down to ``floor``; the oldest time if pages ran out first."""
        self.pages_left -= 1
        page = self.client.get(path, **params)
        items = data_of(page)
        while next_link(page) is not None:
            times = [t for i in items if (t := parse_time(_get(i, time_key))) is not None]
            oldest = int(min(times).timestamp()) if times else None
            if floor is not None and oldest is not None and oldest < floor:
                break  # past the range asked for (should the API not honour ``since``)
            if self.pages_left <= 0:
                return items, oldest
            page = self.follow(page) or {}
            items.extend(data_of(page))
        return items, None


def _merge(
    pending: dict[str, int | None] | None, since: int | None, until: int
) -> dict[str, int | None]:
    if pending is None or since is None or pending["since"] is None:
        return {"since": None if pending is not None else since, "until": until}
    return {"since": min(since, pending["since"]), "until": until}


def data_of(page: Mapping[str, Any] | None) -> list[Any]:
    """The ``data`` list of an edge page (a copy; empty when absent or not a list)."""
    data = page.get("data") if isinstance(page, Mapping) else None
    return list(data) if isinstance(data, list) else []


def next_link(page: Mapping[str, Any] | None) -> str | None:
    """The ``paging.next`` link of an edge page, if any."""
    paging = page.get("paging") if isinstance(page, Mapping) else None
    link = paging.get("next") if isinstance(paging, Mapping) else None
    return link if isinstance(link, str) and link else None


def _get(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, Mapping) else None
