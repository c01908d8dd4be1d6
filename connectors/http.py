"""HTTP helpers shared by the requests-based connectors.

Every call has a timeout (:data:`TIMEOUT`), even through SDKs that set none (tweepy), and
status codes map onto the error taxonomy in one place. Nothing here logs a URL's query
string or a header, since either may carry a token.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import socket
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

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
MEDIA_TIMEOUT = (5.0, 20.0)  # per connect / per read of a chunk
MEDIA_DEADLINE = 60.0  # seconds for a whole download, redirects included (a slow drip ends)


def public_address(address: str) -> bool:
    """True for a globally routable address; private, loopback, link-local (cloud metadata
    at 169.254.169.254), reserved and IPv4-mapped private IPv6 addresses are not."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def public_host(host: str) -> bool:
    """True when every address ``host`` resolves to is public (no SSRF to the LAN)."""
    try:
        infos = socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    addresses = {str(info[4][0]) for info in infos}
    return bool(addresses) and all(public_address(a) for a in addresses)


def _peer(response: requests.Response) -> str | None:
    """The address the response actually came from (None when unknown, as under a mock).

    Checked after connecting, so a name that resolved to a public address for the check and
    to a private one for the connection (DNS rebinding) is still refused before the body.
    """
    connection = getattr(response.raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    try:
        return str(sock.getpeername()[0]) if sock is not None else None
    except (OSError, AttributeError, IndexError, TypeError):
        return None


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
    resolve: Any = public_host,
    deadline: float = MEDIA_DEADLINE,
    clock: Any = None,
) -> bytes:
    """Download one media file safely: https only, the platform's own media hosts only,
    public addresses only (checked on the name before and on the peer after connecting),
    at most ``max_bytes`` (streamed, stopped at the cap), ``deadline`` seconds in all, and
    every redirect checked the same way.

    Raises:
        PermanentError: the URL or its answer breaks one of those limits.
        TransientError: a network error or a 5xx.
    """
    now = clock or time.monotonic
    ends = now() + deadline
    response = guarded_get(session, url, allowed_hosts, platform=platform, resolve=resolve)
    return _bounded_body(response, max_bytes, platform, lambda: now() > ends)


def guarded_get(
    session: requests.Session,
    url: str,
    allowed_hosts: tuple[str, ...],
    *,
    platform: str,
    what: str = "media",
    resolve: Any = public_host,
    headers: Mapping[str, str] | None = None,
    timeout: Any = MEDIA_TIMEOUT,
) -> requests.Response:
    """GET ``url`` streamed, with the guards of :func:`fetch_media_bytes`: https only, hosts
    in ``allowed_hosts`` only, public addresses only (the name before connecting, the peer
    after), every redirect (at most three) checked the same way. Returns the final answer
    unread, whatever its status; the caller reads it (:func:`read_bounded`) or closes it.

    Raises:
        PermanentError: the URL or a redirect breaks one of those limits.
        TransientError: a network error.
    """
    sent = {"Accept-Encoding": "identity", **(headers or {})}  # no compressed body to blow up
    for _ in range(4):  # the request and up to three redirects
        parts = urlsplit(url)
        try:
            host = parts.hostname or ""
        except ValueError:  # a bracketed host that is no IPv6 address
            host = ""
        if parts.scheme != "https" or not host_allowed(host, allowed_hosts) or not resolve(host):
            raise PermanentError(
                f"{platform}: {what} URL refused (host not allowed)", platform=platform
            )
        try:
            response = session.get(
                url, timeout=timeout, stream=True, allow_redirects=False, headers=sent
            )
        except requests.RequestException as exc:
            raise network_error(exc, platform) from None
        peer = _peer(response)
        if peer is not None and not public_address(peer):
            response.close()
            raise PermanentError(
                f"{platform}: {what} URL refused (private address)", platform=platform
            )
        if response.is_redirect and "location" in response.headers:
            url = urljoin(url, response.headers["location"])
            response.close()
            continue
        return response
    raise PermanentError(f"{platform}: too many {what} redirects", platform=platform)


def read_bounded(
    response: requests.Response,
    max_bytes: int,
    platform: str,
    deadline: float,
    clock: Any = None,
    what: str = "page",
) -> bytes:
    """The body of a 200 answer from :func:`guarded_get`, within ``max_bytes`` and
    ``deadline`` seconds (see :func:`fetch_media_bytes` for the errors)."""
    now = clock or time.monotonic
    ends = now() + deadline
    return _bounded_body(response, max_bytes, platform, lambda: now() > ends, what)


def _arriving(response: requests.Response, size: int = 64 * 1024) -> Any:
    """The body as it arrives: each read returns what one receive brought (``read1``), so a
    server dripping a byte at a time cannot hold a read open past the deadline check."""
    read1 = getattr(response.raw, "read1", None)
    if read1 is None:
        yield from response.iter_content(size)
        return
    while chunk := read1(size, decode_content=True):
        yield chunk


def _bounded_body(
    response: requests.Response,
    max_bytes: int,
    platform: str,
    late: Any = lambda: False,
    what: str = "media",
) -> bytes:
    with response:
        if response.status_code >= 500:
            raise TransientError(
                f"{platform}: {what} server error {response.status_code}", platform=platform
            )
        if response.status_code != 200:
            raise PermanentError(
                f"{platform}: {what} answered {response.status_code}", platform=platform
            )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise PermanentError(
                f"{platform}: {what} larger than {max_bytes} bytes", platform=platform
            )
        chunks, size = [], 0
        for chunk in _arriving(response):
            if late():
                raise TransientError(
                    f"{platform}: {what} download took too long; will retry", platform=platform
                )
            size += len(chunk)
            if size > max_bytes:
                raise PermanentError(
                    f"{platform}: {what} larger than {max_bytes} bytes", platform=platform
                )
            chunks.append(chunk)
        return b"".join(chunks)
