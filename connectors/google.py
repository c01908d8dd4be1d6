"""Shared plumbing for Google's APIs (YouTube Data API v3, Blogger API v3).

The service is built offline from the discovery document that ships inside
google-api-python-client (``static_discovery=True``); nothing is downloaded. Every request
runs with ``num_retries=0`` (retrying is the queue's job) and its errors map onto
:mod:`connectors.errors` from the status code and the ``reason`` in Google's error body::

    {"error": {"code": 403, "message": "...", "status": "PERMISSION_DENIED",
               "errors": [{"message": "...", "domain": "youtube.quota",
                           "reason": "quotaExceeded"}]}}

Daily quotas reset at midnight Pacific time, so ``quotaExceeded`` waits until then.
Messages carry the status and reason only, never Google's text or the request URL (either
can hold the API key), and the client library's debug lines have ``key=`` redacted.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

import google.auth.exceptions
import google_auth_httplib2
import httplib2
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from connectors import kit
from connectors.base import Clock, Connector, system_clock
from connectors.errors import (
    AuthRevoked,
    ConfigurationError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)

TOKEN_URI = "https://oauth2.googleapis.com/token"
TIMEOUT = 30  # seconds, for every request
LIST_UNITS = 1  # quota units of one list/get call
MODERATION_UNITS = 50  # quota units of one comments.setModerationStatus call
MAX_PAGES = 10  # pages per stream per poll; the cursor resumes the rest next time
RATE_LIMIT_WAIT = 60.0  # seconds, for per-minute limits
QUOTA_CLOCK = kit.PACIFIC  # Google's daily quotas reset at midnight Pacific time
OAUTH_KEYS = ("refresh_token", "client_id", "client_secret")
HOW_TO_SET = "set it with `hallwatch accounts credentials ACCOUNT`"
RECONNECT = (
    "sign in again and set the new credentials with `hallwatch accounts credentials ACCOUNT`"
)

AUTH_REASONS = {"authError", "invalidCredentials", "keyInvalid", "API_KEY_INVALID"}
DAILY_REASONS = {"quotaExceeded", "dailyLimitExceeded", "dailyLimitExceededUnreg"}
SHORT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"}
ENABLE_REASONS = {"accessNotConfigured", "SERVICE_DISABLED", "API_KEY_SERVICE_BLOCKED"}
SCOPE_REASONS = {"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"}
NETWORK_ERRORS = (OSError, httplib2.HttpLib2Error, google.auth.exceptions.TransportError)

log = logging.getLogger(__name__)
_SECRET_PARAM = re.compile(r"((?:key|access_token|refresh_token)=)[^&\s\"']+")


class _RedactSecrets(logging.Filter):
    """Redacts ``key=...`` (and token parameters) in the client library's log lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _SECRET_PARAM.search(message):
            record.msg, record.args = _SECRET_PARAM.sub(r"\1REDACTED", message), None
        return True


_REDACT = _RedactSecrets()
for _name in ("googleapiclient.discovery", "googleapiclient.http", "google_auth_httplib2"):
    logging.getLogger(_name).addFilter(_REDACT)


def seconds_until_quota_reset(now: datetime) -> float:
    """Seconds from ``now`` to the next midnight Pacific time, when daily quotas reset."""
    return QUOTA_CLOCK.seconds_to_midnight(now)


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 time as aware UTC, or None when missing or malformed."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else None


def rfc3339(moment: datetime) -> str:
    """Format an aware time as RFC 3339 UTC (``2026-09-14T15:00:00Z``)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def dig(item: Any, *path: str) -> Any:
    """``item[a][b]...`` or None when any step is missing or not an object."""
    for key in path:
        if not isinstance(item, Mapping):
            return None
        item = item.get(key)
    return item


def text_of(item: Any, *path: str) -> str:
    value = dig(item, *path)
    return value if isinstance(value, str) else ""


def newest_first(
    new: Iterable[Any], old: Iterable[Any], limit: int, key: Callable[[Any], Any] = lambda v: v
) -> list[Any]:
    """``new`` then ``old`` without repeated keys (first wins), at most ``limit`` long."""
    kept: dict[Any, Any] = {}
    for value in (*new, *old):
        kept.setdefault(key(value), value)
    return list(kept.values())[:limit]


def pairs(value: Any) -> dict[str, Any]:
    """A cursor's ``[[id, value], ...]`` list as a dict; anything malformed is dropped."""
    if not isinstance(value, list):
        return {}
    return {
        p[0]: p[1] for p in value if isinstance(p, list) and len(p) == 2 and isinstance(p[0], str)
    }


@dataclass
class Walk:
    """Items read from a newest-first list: ``top`` down to known ground, then ``backlog``.

    ``resume`` is the page token where a later poll continues the backlog (None when the
    list was read to its end or to known ground); ``complete`` says nothing was left unread.
    """

    top: list[Any] = field(default_factory=list)
    backlog: list[Any] = field(default_factory=list)
    resume: str | None = None

    @property
    def complete(self) -> bool:
        return self.resume is None


def walk_pages(
    fetch: Callable[[str | None], Mapping[str, Any]],
    known: Callable[[list[Any]], bool],
    resume: str | None = None,
    budget: int = MAX_PAGES,
) -> Walk:
    """Page a newest-first list until a page holds a known item, then resume a backlog.

    Args:
        fetch: returns the response for a page token (None for the first page).
        known: says whether a page's items reach what an earlier poll covered.
        resume: the backlog page token an earlier poll left, if any.
        budget: the most pages to read.
    """
    walk, token, pages = Walk(), None, 0
    while True:
        page = fetch(token)
        pages += 1
        items = list(page.get("items") or [])  # malformed items are the caller's to skip
        walk.top.extend(items)
        token = page.get("nextPageToken") or None
        if token is None or known(items):
            break
        if pages >= budget:
            walk.resume = token
            return walk
    token = resume
    while token and pages < budget:
        page = fetch(token)
        pages += 1
        walk.backlog.extend(page.get("items") or [])
        token = page.get("nextPageToken") or None
    walk.resume = token
    return walk


def _reasons(exc: HttpError) -> tuple[str, set[str]]:
    """The first ``errors[].reason`` and every reason in the body (ErrorInfo included)."""
    try:
        body = json.loads(exc.content or b"{}")
    except (TypeError, ValueError):
        body = {}
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    listed = [error.get("errors"), error.get("details")]
    found = [
        e.get("reason") for ls in listed if isinstance(ls, list) for e in ls if isinstance(e, dict)
    ]
    reasons = [r for r in found if isinstance(r, str) and r]
    return (reasons[0] if reasons else ""), set(reasons)


@dataclass(frozen=True)
class Hints:
    """What to tell the admin for each configuration problem, per platform."""

    api: str  # "YouTube Data API v3"
    scope: str  # "https://www.googleapis.com/auth/youtube.force-ssl"
    owner: str  # "a Google account that owns or manages the channel"


def http_error(exc: HttpError, platform: str, now: datetime, hints: Hints) -> ConnectorError:
    """The taxonomy error for a Google API error response (status and reason only)."""
    status = int(exc.resp.status)
    first, reasons = _reasons(exc)
    code = first or str(status)
    cls, what, todo = _classify(status, reasons, hints)
    message = f"{platform}: {what} ({status} {code}); {todo}"
    if cls is RateLimited:
        wait = seconds_until_quota_reset(now) if reasons & DAILY_REASONS else RATE_LIMIT_WAIT
        return RateLimited(message, retry_after=wait, platform=platform, code=code)
    return cls(message, platform=platform, code=code)


def _classify(
    status: int, reasons: set[str], hints: Hints
) -> tuple[type[ConnectorError], str, str]:
    """(error class, what happened, what to do) for a status and its reasons."""
    if status == 401 or reasons & AUTH_REASONS:
        return AuthRevoked, "Google refused the credentials", RECONNECT
    if reasons & DAILY_REASONS:
        return RateLimited, f"daily {hints.api} quota used up", "it resets at midnight Pacific time"
    if status == 429 or reasons & SHORT_REASONS:
        return RateLimited, "rate limited", "will retry in a minute"
    if "commentsDisabled" in reasons:
        return PermanentError, "comments are turned off", "nothing to read"
    if reasons & ENABLE_REASONS:
        todo = f"enable the {hints.api} in the Google Cloud project of the OAuth client or key"
        return ConfigurationError, f"the {hints.api} is not enabled", todo
    if reasons & SCOPE_REASONS:
        todo = f"sign in again granting the scope {hints.scope}"
        return ConfigurationError, "the sign-in lacks a permission", todo
    if status == 403:
        return ConfigurationError, "access refused", f"sign in with {hints.owner}"
    if status >= 500 or status == 408:
        return TransientError, "Google server error", "will retry"
    if status == 404:
        return PermanentError, "not found", "check the account's id (or the item was deleted)"
    return PermanentError, "request refused", "retrying will not help"


def other_error(exc: Exception, platform: str) -> ConnectorError | None:
    """Taxonomy error for a refresh or network failure; None for anything else."""
    if isinstance(exc, google.auth.exceptions.RefreshError):
        detail = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], dict) else {}
        code = str(detail.get("error") or "refresh_failed")
        if getattr(exc, "retryable", False):
            return TransientError(
                f"{platform}: token refresh failed ({code}); will retry", platform=platform
            )
        return AuthRevoked(
            f"{platform}: Google refused to refresh the sign-in ({code}: revoked or expired); "
            + RECONNECT,
            platform=platform,
            code=code,
        )
    if isinstance(exc, NETWORK_ERRORS):
        return TransientError(
            f"{platform}: network error ({type(exc).__name__}); will retry", platform=platform
        )
    return None


class GoogleConnector(Connector):
    """Base for connectors on Google's client library: builds the service, runs requests.

    Subclasses set ``api``, ``version`` and ``hints``. ``quota_used`` accumulates the quota
    units of every request this instance made (moderation included), so the monitor can
    charge them to the shared daily budget.
    """

    api: ClassVar[str] = ""
    version: ClassVar[str] = ""
    hints: ClassVar[Hints] = Hints("", "", "")

    def __init__(
        self,
        credentials: Mapping[str, Any] | None = None,
        transport: Any = None,
        *,
        clock: Clock = system_clock,
    ) -> None:
        super().__init__(credentials, transport, clock=clock)
        self.quota_used = 0
        self.meter = kit.Collector(self.platform, log)
        self._service: Any = None

    def start_poll(self, account: str = "") -> kit.Collector:
        """Start counting a new poll's requests, units and skipped items."""
        self.meter = kit.Collector(self.platform, log, account)
        return self.meter

    @property
    def uses_oauth(self) -> bool:
        """True for the owner's OAuth sign-in, False for a read-only API key."""
        return self._mode() == "oauth"

    def _mode(self) -> str:
        creds = self.credentials
        if creds.get("refresh_token") or creds.get("token") or not creds.get("api_key"):
            for key in OAUTH_KEYS:
                if not isinstance(creds.get(key), str) or not creds[key]:
                    hint = " (or 'api_key' for public data only)" if key == OAUTH_KEYS[0] else ""
                    raise ConfigurationError(
                        f"{self.platform}: credential key '{key}'{hint} is missing; {HOW_TO_SET}",
                        platform=self.platform,
                        code="credentials",
                    )
            return "oauth"
        return "api_key"

    @property
    def service(self) -> Any:
        """The API client, built on first use from the bundled discovery document."""
        if self._service is None:
            mode = self._mode()
            http = self.transport if self.transport is not None else self._authorized_http(mode)
            key = self.credentials["api_key"] if mode == "api_key" else None
            self._service = build(
                self.api,
                self.version,
                http=http,
                developerKey=key,
                static_discovery=True,
                cache_discovery=False,
            )
        return self._service

    def _authorized_http(self, mode: str) -> Any:
        if mode == "api_key":
            return httplib2.Http(timeout=TIMEOUT)
        creds = Credentials(
            token=self.credentials.get("token") or None,
            refresh_token=self.credentials["refresh_token"],
            client_id=self.credentials["client_id"],
            client_secret=self.credentials["client_secret"],
            token_uri=TOKEN_URI,
        )
        return google_auth_httplib2.AuthorizedHttp(creds, http=httplib2.Http(timeout=TIMEOUT))

    def call(self, request: Any, units: int = LIST_UNITS) -> dict[str, Any]:
        """Execute one request once, counting it; map any failure onto the taxonomy."""
        self.meter.count(1, units)
        self.quota_used += units
        try:
            response = request.execute(num_retries=0)
        except HttpError as exc:
            raise http_error(exc, self.platform, self.clock(), self.hints) from None
        except Exception as exc:
            error = other_error(exc, self.platform)
            if error is None:
                raise
            raise error from None
        if isinstance(response, dict) or not response:  # '' is a 204 with no schema
            return _page_shape(response or {}, self.platform)
        raise TransientError(  # the client hands back a body it could not parse
            f"{self.platform}: unreadable response from Google; will retry",
            platform=self.platform,
        )


PAGE_FIELDS = (("items", list), ("nextPageToken", str))


def _page_shape(response: dict[str, Any], platform: str) -> dict[str, Any]:
    """``response`` if its paging fields have their documented types, else PermanentError.

    Malformed *items* are skipped one by one by the callers; a page whose ``items`` is not a
    list, or whose ``nextPageToken`` is not a string, cannot be read at all.
    """
    for name, kind in PAGE_FIELDS:
        value = response.get(name)
        if value is not None and not isinstance(value, kind):
            raise PermanentError(
                f"{platform}: malformed payload: '{name}' is {type(value).__name__}, "
                f"not {kind.__name__}",
                platform=platform,
                code="payload",
            )
    return response
