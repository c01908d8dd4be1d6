"""Sign-in state: server-side sessions, CSRF tokens and login throttling.

The session cookie holds a random token signed with a key derived from the secret key; the
database keeps only its SHA-256 digest, so a stolen database opens no session. A session
ends after ``web.idle_minutes`` without a request, on sign-out, or when the user is
disabled. Every sign-in makes a new token (no session fixation).

CSRF: every browser gets a random, signed ``hw_b`` cookie; the token in each form is an
HMAC of it. A cross-site page can neither read the cookie nor compute the token, so every
state-changing POST without the right token is refused with 403.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, Signer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.access.users import Person, person
from monitor.storage.models import LoginAttempt, User, WebSession

SESSION_COOKIE = "hw_session"
BROWSER_COOKIE = "hw_b"
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 20
TOUCH_EVERY = timedelta(seconds=60)  # write last_seen_at at most once a minute


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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
        if not value:
            return None
        try:
            return self.signer().unsign(value).decode()
        except BadSignature:
            return None

    def csrf_token(self, browser: str) -> str:
        return hmac.new(self.csrf, browser.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, browser: str | None, given: str) -> bool:
        return bool(browser) and hmac.compare_digest(self.csrf_token(browser or ""), given)


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


def throttled_until(session: Session, email: str, ip: str, now: datetime) -> datetime | None:
    """When the next attempt is allowed, if too many failed lately for this e-mail or IP."""
    since = now - THROTTLE_WINDOW
    for column, value, limit in (
        (LoginAttempt.email, email, MAX_FAILURES_PER_EMAIL),
        (LoginAttempt.ip, ip, MAX_FAILURES_PER_IP),
    ):
        failed = select(LoginAttempt.at).where(
            column == value, LoginAttempt.at > since, LoginAttempt.success.is_(False)
        )
        count = session.scalar(select(func.count()).select_from(failed.subquery())) or 0
        if count >= limit:
            # Allowed again when enough of the failures have left the window.
            times = sorted(session.scalars(failed))
            return times[count - limit] + THROTTLE_WINDOW
    return None


def note_attempt(session: Session, email: str, ip: str, ok: bool, now: datetime) -> None:
    session.add(LoginAttempt(at=now, email=email[:320], ip=ip[:64], success=ok))
