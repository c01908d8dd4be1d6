"""Sign-in state: server-side sessions, cookies, CSRF tokens, client addresses and throttling.

The session cookie holds a random token signed with a key derived from the secret key; the
database keeps only its SHA-256 digest, so a stolen database opens no session. A session
ends after ``web.idle_minutes`` without a request, on sign-out, or when the user is
disabled. Every sign-in makes a new token (no session fixation).

Cookies: over HTTPS (``web.base_url`` starts with https://) every cookie is named with the
``__Host-`` prefix, so the browser keeps it only if it is Secure, for Path=/ and with no
Domain: no other host of the district's domain can set or overwrite it. On plain-http
localhost (local development) the names have no prefix and the cookies are not Secure.

CSRF: every browser gets a random, signed ``hw_b`` cookie; the token in each form is an HMAC
of it *and of the session token*, so a token is good only for the one session it was shown
in (a token from before sign-in, or from another session, is refused). Every
state-changing POST also has its ``Origin`` checked (see :mod:`monitor.web.core`).

Throttling never locks the real person out: failures count per (e-mail, address) pair (5 in
15 minutes), per e-mail from all addresses (30) and per address across e-mails (100). Only
the pair limit is reached by a guesser on one machine; the wider limits stop a distributed
one, and the e-mailed sign-in link (:mod:`monitor.web.views_signin`) always lets the owner of
the mailbox back in. The address is the connecting one, or the client named in
``X-Forwarded-For`` only when the connection comes from one of ``web.trusted_proxies``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, Signer
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session
from starlette.requests import Request

from monitor.access.users import Person, person
from monitor.storage.models import LoginAttempt, User, WebSession

SESSION = "hw_session"
BROWSER = "hw_b"
HOST_PREFIX = "__Host-"
THROTTLE_WINDOW = timedelta(minutes=15)
PAIR_LIMIT = 5  # failures for one e-mail from one address
EMAIL_LIMIT = 30  # failures for one e-mail from every address together
ADDRESS_LIMIT = 100  # failures from one address, whatever the e-mail (password spraying)
TOUCH_EVERY = timedelta(seconds=60)  # write last_seen_at at most once a minute
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class CookieNames:
    """The console's cookie names and flags: ``__Host-`` and Secure over HTTPS."""

    secure: bool

    def name(self, base: str) -> str:
        return HOST_PREFIX + base if self.secure else base


@dataclass(frozen=True)
class Keys:
    """Keys derived from the secret key, one per purpose."""

    session: bytes
    csrf: bytes
    links: bytes

    def signer(self) -> Signer:
        return Signer(self.session, salt="hallwatch-cookie")

    def sign(self, token: str) -> str:
        return self.signer().sign(token).decode()

    def unsign(self, value: str | None) -> str | None:
        if not value or len(value) > 200:
            return None
        try:
            return self.signer().unsign(value).decode()
        except BadSignature:
            return None

    def csrf_token(self, browser: str, session: str | None) -> str:
        """The form token for this browser in this session (none before sign-in)."""
        message = f"{browser}|{session or ''}".encode()
        return hmac.new(self.csrf, message, hashlib.sha256).hexdigest()

    def csrf_ok(self, browser: str | None, session: str | None, given: str) -> bool:
        if not browser:
            return False
        expected = self.csrf_token(browser, session).encode()
        return hmac.compare_digest(expected, given[:128].encode("utf-8", "replace"))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def start_session(session: Session, user: User, now: datetime) -> str:
    """A new session for ``user``; returns the cookie's token (never stored as is)."""
    token = new_token()
    session.add(WebSession(digest=digest(token), user_id=user.id, created_at=now, last_seen_at=now))
    user.last_login_at = now
    return token


def end_session(session: Session, token: str | None) -> None:
    if token:
        row = session.scalars(select(WebSession).where(WebSession.digest == digest(token))).first()
        if row is not None:
            session.delete(row)


def current(session: Session, token: str | None, now: datetime, idle: timedelta) -> Person | None:
    """The person signed in with ``token``, or None (unknown, idle too long, disabled)."""
    if not token:
        return None
    row = session.scalars(select(WebSession).where(WebSession.digest == digest(token))).first()
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled or now - row.last_seen_at > idle:
        session.delete(row)
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
    return person(session, user)


def networks(values: Sequence[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(v, strict=False) for v in values)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def client_address(request: Request, trusted: Sequence[Network]) -> str:
    """The client's address: the connecting one, unless that is a trusted proxy; then the
    right-most address in ``X-Forwarded-For`` that is not itself a trusted proxy (what the
    district's proxy saw; anything to its left is whatever the client claimed)."""
    peer = request.client.host if request.client else ""
    address = _address(peer)
    if address is None or not any(address in net for net in trusted):
        return peer[:64] or "unknown"
    hops = [h for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        found = _address(hop)
        if found is None:
            break  # not an address: the proxy did not write it; trust nothing further left
        if not any(found in net for net in trusted):
            return str(found)
    return str(address)


@dataclass(frozen=True)
class Throttle:
    """Password sign-ins refused until ``until``: ``why`` is pair, email or address."""

    until: datetime
    why: str


def throttled(session: Session, email: str, ip: str, now: datetime) -> Throttle | None:
    """Whether password sign-ins for ``email`` from ``ip`` must wait, and until when."""
    since = now - THROTTLE_WINDOW
    checks: tuple[tuple[str, ColumnElement[bool], int], ...] = (
        ("pair", and_(LoginAttempt.email == email, LoginAttempt.ip == ip), PAIR_LIMIT),
        ("email", LoginAttempt.email == email, EMAIL_LIMIT),
        ("address", LoginAttempt.ip == ip, ADDRESS_LIMIT),
    )
    for why, where, limit in checks:
        failed = select(LoginAttempt.at).where(
            where, LoginAttempt.at > since, LoginAttempt.success.is_(False)
        )
        count = session.scalar(select(func.count()).select_from(failed.subquery())) or 0
        if count >= limit:
            # Allowed again when enough of the failures have left the window.
            times = sorted(session.scalars(failed))
            return Throttle(times[count - limit] + THROTTLE_WINDOW, why)
    return None


def note_attempt(session: Session, email: str, ip: str, ok: bool, now: datetime) -> None:
    """Record a password attempt (``email`` already normalised, so it fits its column)."""
    session.add(LoginAttempt(at=now, email=email, ip=ip[:64], success=ok))
