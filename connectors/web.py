"""Reading one listed web page (a school's home page) for the accounts it links to.

Only the page asked for is read, never a page it links to. The fetch uses the media
fetcher's guards (:func:`connectors.http.guarded_get`): https only, the site's own host
(and its sub-domains) only, public addresses only, redirects checked the same way; the body
is capped in size and time; and ``robots.txt`` is obeyed (RFC 9309: a 4xx robots file allows
everything, an unreachable one, 5xx, allows nothing).
"""

from __future__ import annotations

import urllib.robotparser
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from connectors.errors import PermanentError
from connectors.http import guarded_get, public_host, read_bounded, session_with_timeout
from connectors.links import AccountLink, account_links

PLATFORM = "website"
ROBOTS_MAX = 64 * 1024
PAGE_TIMEOUT = (5.0, 15.0)


class RobotsRefused(PermanentError):
    """The site's robots.txt does not let Hallwatch read the page."""


def _site_hosts(url: str) -> tuple[str, str]:
    parts = urlsplit(url.strip())
    try:
        host = (parts.hostname or "").lower()
    except ValueError:
        host = ""
    if parts.scheme != "https" or not host:
        raise PermanentError(
            f"{PLATFORM}: {url[:100]!r} is not an https:// address; record the site's https "
            "address in the registry",
            platform=PLATFORM,
            code="not-https",
        )
    return host, host.removeprefix("www.")


def _robots(
    session: requests.Session,
    url: str,
    allowed: tuple[str, ...],
    agent: str,
    resolve: Any,
    deadline: float,
    clock: Any,
) -> urllib.robotparser.RobotFileParser:
    parts = urlsplit(url)
    robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
    parser = urllib.robotparser.RobotFileParser(robots_url)
    response = guarded_get(
        session,
        robots_url,
        allowed,
        platform=PLATFORM,
        what="robots.txt",
        resolve=resolve,
        headers={"User-Agent": agent},
        timeout=PAGE_TIMEOUT,
    )
    status = response.status_code
    if status >= 500:
        response.close()
        parser.disallow_all = True  # type: ignore[attr-defined]  # RFC 9309: unreachable
    elif status >= 400:
        response.close()
        parser.allow_all = True  # type: ignore[attr-defined]  # RFC 9309: unavailable
    else:
        body = read_bounded(
            response, ROBOTS_MAX, PLATFORM, min(deadline, 15.0), clock, what="robots.txt"
        )
        parser.parse(body.decode("utf-8", "replace").splitlines())
    return parser


def read_page(
    url: str,
    *,
    session: requests.Session | None = None,
    user_agent: str = "HallwatchDiscovery/1.0",
    max_bytes: int = 512 * 1024,
    deadline: float = 20.0,
    resolve: Any = public_host,
    clock: Any = None,
) -> list[AccountLink]:
    """The accounts the page at ``url`` links to (one per identity).

    Raises:
        RobotsRefused: robots.txt disallows the page for ``user_agent``.
        PermanentError: not https, a redirect off the site or to a private address, an
            answer other than 200, or a page over ``max_bytes``.
        TransientError: a network error, a 5xx, or the page took longer than ``deadline``
            seconds to arrive (by ``clock``, default :func:`time.monotonic`).
    """
    _, site = _site_hosts(url)
    allowed = (site,)
    http = session_with_timeout(session)
    robots = _robots(http, url, allowed, user_agent, resolve, deadline, clock)
    if not robots.can_fetch(user_agent, url):
        raise RobotsRefused(
            f"{PLATFORM}: robots.txt of {site} does not allow {user_agent} to read {url[:100]}",
            platform=PLATFORM,
            code="robots",
        )
    response = guarded_get(
        http,
        url,
        allowed,
        platform=PLATFORM,
        what="page",
        resolve=resolve,
        headers={"User-Agent": user_agent, "Accept": "text/html"},
        timeout=PAGE_TIMEOUT,
    )
    final = response.url or url
    body = read_bounded(response, max_bytes, PLATFORM, deadline, clock)
    return account_links(body.decode(response.encoding or "utf-8", "replace"), final)
