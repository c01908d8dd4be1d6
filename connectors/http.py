"""HTTP helpers shared by the requests-based connectors.

Every call has a timeout (:data:`TIMEOUT`), even through SDKs that set none (tweepy), and
status codes map onto the error taxonomy in one place. Nothing here logs a URL's query
string or a header, since either may carry a token.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from connectors.errors import (
    AuthRevoked,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)

TIMEOUT = (5.0, 30.0)  # (connect, read) seconds
# The SDKs' own loggers write request URLs (with ``key=`` / ``access_token=``) and headers
# (``Authorization: Bearer ...``) at DEBUG; below WARNING they are dropped at the source,
# whatever the process's logging set-up.
SDK_LOGGERS = (
    "tweepy.client",
    "googleapiclient.discovery",
    "googleapiclient.http",
    "google_auth_httplib2",
    "requests_oauthlib.oauth1_auth",
    "requests_oauthlib.oauth2_session",
    "oauthlib.oauth1.rfc5849",
    "oauthlib.oauth1.rfc5849.signature",
    "oauthlib.oauth2.rfc6749.clients.base",
    "urllib3.connectionpool",
    "httplib2",
    "facebook",
)
DEFAULT_RETRY_AFTER = 60.0


def _warnings_and_above(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING


def quiet_sdk_loggers() -> None:
    """Drop the SDKs' DEBUG and INFO records (they can carry tokens); idempotent."""
    for name in SDK_LOGGERS:
        logger = logging.getLogger(name)
        if _warnings_and_above not in logger.filters:
            logger.addFilter(_warnings_and_above)


def session_with_timeout(
    session: requests.Session | None, timeout: Any = TIMEOUT
) -> requests.Session:
    """Return ``session`` (or a new one) whose requests default to ``timeout``.

    The injected session's own ``request`` is wrapped on the instance, so a test's
    ``responses`` mock and an SDK that passes no timeout both keep working.
    """
    session = session if session is not None else requests.Session()
    if getattr(session.request, "_hallwatch_timeout", False):
        return session
    original = session.request

    @functools.wraps(original)
    def request(method: str, url: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", timeout)
        return original(method, url, **kwargs)

    request._hallwatch_timeout = True  # type: ignore[attr-defined]
    session.request = request  # type: ignore[method-assign,assignment]
    return session


def retry_after_seconds(
    headers: Mapping[str, str], now: datetime, default: float = DEFAULT_RETRY_AFTER
) -> float:
    """Seconds to wait, from ``Retry-After`` (seconds or HTTP date) or ``x-rate-limit-reset``.

    ``x-rate-limit-reset`` (X) is a Unix time. The result is never negative.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    if (reset := lowered.get("x-rate-limit-reset")) is not None:
        try:
            return max(0.0, float(reset) - now.timestamp())
        except ValueError:
            pass
    if (value := lowered.get("retry-after")) is not None:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, (parsedate_to_datetime(value) - now).total_seconds())
            except (TypeError, ValueError):
                pass
    return default


def error_for_status(
    status: int, message: str, *, platform: str, headers: Mapping[str, str], now: datetime
) -> ConnectorError:
    """The taxonomy error for an HTTP status with no better platform-specific code."""
    if status == 401:
        return AuthRevoked(message, platform=platform, code=str(status))
    if status == 429:
        wait = retry_after_seconds(headers, now)
        return RateLimited(message, retry_after=wait, platform=platform, code=str(status))
    if status >= 500 or status in (408, 425):
        return TransientError(message, platform=platform, code=str(status))
    return PermanentError(message, platform=platform, code=str(status))


def network_error(exc: requests.RequestException, platform: str) -> TransientError:
    """Timeouts and connection failures are transient; the message names no URL."""
    return TransientError(f"{platform}: network error ({type(exc).__name__})", platform=platform)


def utcnow() -> datetime:
    return datetime.now(UTC)


MAX_MEDIA_BYTES = 15 * 1024 * 1024
MEDIA_TIMEOUT = (5.0, 20.0)


def _public_host(host: str) -> bool:
    """True when every address ``host`` resolves to is public (no SSRF to the LAN)."""
    import ipaddress
    import socket

    try:
        infos = socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)
    except OSError:
        return False
    addresses = {ipaddress.ip_address(info[4][0]) for info in infos}
    return bool(addresses) and all(a.is_global for a in addresses)


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == a or host.endswith("." + a) for a in allowed)


def fetch_media_bytes(
    session: requests.Session,
    url: str,
    allowed_hosts: tuple[str, ...],
    *,
    platform: str,
    max_bytes: int = MAX_MEDIA_BYTES,
    resolve: Any = _public_host,
) -> bytes:
    """Download one media file safely: https only, the platform's own media hosts only,
    public addresses only, at most ``max_bytes``, a timeout, and redirects checked the same.

    Raises:
        PermanentError: the URL or its answer breaks one of those limits.
        TransientError: a network error or a 5xx.
    """
    from urllib.parse import urljoin, urlsplit

    for _ in range(4):  # the request and up to three redirects
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme != "https" or not host_allowed(host, allowed_hosts) or not resolve(host):
            raise PermanentError(
                f"{platform}: media URL refused (host not allowed)", platform=platform
            )
        try:
            response = session.get(url, timeout=MEDIA_TIMEOUT, stream=True, allow_redirects=False)
        except requests.RequestException as exc:
            raise network_error(exc, platform) from None
        if response.is_redirect and "location" in response.headers:
            url = urljoin(url, response.headers["location"])
            response.close()
            continue
        return _bounded_body(response, max_bytes, platform)
    raise PermanentError(f"{platform}: too many media redirects", platform=platform)


def _bounded_body(response: requests.Response, max_bytes: int, platform: str) -> bytes:
    with response:
        if response.status_code >= 500:
            raise TransientError(
                f"{platform}: media server error {response.status_code}", platform=platform
            )
        if response.status_code != 200:
            raise PermanentError(
                f"{platform}: media answered {response.status_code}", platform=platform
            )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise PermanentError(
                f"{platform}: media larger than {max_bytes} bytes", platform=platform
            )
        chunks, size = [], 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise PermanentError(
                    f"{platform}: media larger than {max_bytes} bytes", platform=platform
                )
            chunks.append(chunk)
        return b"".join(chunks)
