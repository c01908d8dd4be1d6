"""Signed action links for alert e-mails: acknowledge a flag, mark a comment reviewed.

A link carries a stateless token signed with a key derived from the secret key: the
recipient, the action, the target id and an expiry. The same flag and recipient always give
the same link, so a redelivered e-mail carries the same link. Opening it shows a
confirmation page (a GET never changes anything); the POST from that page does the action
as the recipient and records the token's digest in ``used_action_tokens``, whose unique
constraint makes a link work once even when two requests race.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor.core.domain import CARE_RULES, FlagStatus
from monitor.core.keys import derived_keys
from monitor.core.settings import Settings
from monitor.storage.models import Comment, UsedActionToken

ACTIONS = {"ack": "acknowledge flag", "review": "mark comment reviewed"}
SIGN_IN_MINUTES = 15
MAX_TOKEN = 2000  # longer than any link Hallwatch makes


class LinkError(Exception):
    """A link that cannot be used; the message is shown to the person who opened it."""


@dataclass(frozen=True)
class Link:
    """A labelled link in an e-mail."""

    label: str
    url: str


@dataclass(frozen=True)
class Action:
    """What a valid link asks for."""

    recipient: str
    action: str
    target: int
    expires: datetime
    token: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.token.encode()).hexdigest()


_ACTION_SALT = "hallwatch-action"


def _serializer(settings: Settings, salt: str) -> URLSafeSerializer:
    # Signed with the current key; links signed with a previous key (previous_secret_keys,
    # during a key rotation) still open. itsdangerous takes the newest key last. Each kind
    # of link has its own salt, so a token of one kind never opens a page of another.
    keys = derived_keys(settings, b"hallwatch action links v1")
    return URLSafeSerializer(list(reversed(keys)), salt=salt)


def make_token(
    settings: Settings, recipient: str, action: str, target: int, expires: datetime
) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return _dump(settings, _ACTION_SALT, recipient, action, target, expires)


def _dump(
    settings: Settings, salt: str, recipient: str, action: str, target: int, expires: datetime
) -> str:
    payload = [recipient.strip().lower(), action, int(target), int(expires.timestamp())]
    return str(_serializer(settings, salt).dumps(payload))


def _load(settings: Settings, salt: str, token: str, invalid: str) -> Action:
    """The action a token of ``salt``'s kind carries, not yet checked for kind or expiry.

    Raises:
        LinkError: ``invalid``, when the token is tampered or malformed.
    """
    try:
        if len(token) > MAX_TOKEN:
            raise ValueError("too long")
        recipient, action, target, expires = _serializer(settings, salt).loads(token)
        when = datetime.fromtimestamp(int(expires), tz=UTC)
        return Action(str(recipient), action, int(target), when, token)
    except (BadSignature, ValueError, TypeError, OverflowError, OSError):
        raise LinkError(invalid) from None


def link_expiry(settings: Settings, raised: datetime) -> datetime:
    """Links for a flag expire ``web.link_days`` after it was raised (stable per flag)."""
    return raised + timedelta(days=settings.web.link_days)


def action_url(
    settings: Settings, recipient: str, action: str, target: int, expires: datetime
) -> str:
    token = make_token(settings, recipient, action, target, expires)
    return f"{settings.web.base_url}/a/{token}"


def read_token(settings: Settings, token: str, now: datetime) -> Action:
    """The action a token asks for.

    Raises:
        LinkError: tampered or malformed, or expired.
    """
    found = _load(
        settings,
        _ACTION_SALT,
        token,
        "This link is not valid: it may have been cut short or changed. Open the alert "
        "e-mail again, or sign in to the console.",
    )
    if found.action not in ACTIONS:
        raise LinkError("This link is not valid. Sign in to the console instead.")
    if now >= found.expires:
        raise LinkError(
            f"This link expired on {found.expires:%Y-%m-%d %H:%M} UTC. Sign in to the console "
            "to do this instead."
        )
    return found


def is_used(session: Session, action: Action | SignIn) -> bool:
    found = session.scalar(
        select(UsedActionToken.id).where(UsedActionToken.digest == action.digest)
    )
    return found is not None


def mark_used(session: Session, action: Action, now: datetime) -> None:
    """Record the link as used, in the caller's transaction.

    Raises:
        LinkError: it was used already (possibly by a request racing this one).
    """
    try:
        with session.begin_nested():  # a savepoint, so the caller's transaction survives
            session.add(
                UsedActionToken(
                    digest=action.digest,
                    used_at=now,
                    recipient=action.recipient,
                    action=action.action,
                    target=str(action.target),
                )
            )
    except IntegrityError:
        raise LinkError("This link has already been used; it works once.") from None


MAX_COMMENT_LINKS = 10


def alert_links(settings: Settings, session: Session, flag: Any, recipient: str) -> list[Link]:
    """The links an alert about ``flag`` carries for ``recipient``: open it in the console,
    acknowledge it, and mark each comment it is about reviewed."""
    expires = link_expiry(settings, flag.first_seen_at)
    base = settings.web.base_url
    links = [Link("Open in the console", f"{base}/flags/{flag.id}")]
    if flag.status == FlagStatus.OPEN:
        links.append(
            Link("Acknowledge this flag", action_url(settings, recipient, "ack", flag.id, expires))
        )
    refs = [flag.subject_ref] if flag.subject_ref.startswith("comment:") else []
    refs += [str(r) for r in (flag.details or {}).get("overdue", [])]
    externals = [r.split(":", 1)[1] for r in refs if r.startswith("comment:")]
    if externals:
        query = (
            select(Comment.id, Comment.author_name)
            .where(
                Comment.account_id == flag.account_id,
                Comment.external_id.in_(externals[:MAX_COMMENT_LINKS]),
                Comment.reviewed_at.is_(None),
            )
            .order_by(Comment.id)
        )
        for comment_id, author in session.execute(query):
            url = action_url(settings, recipient, "review", comment_id, expires)
            # Who wrote a sign of self-harm is for the console, not a chat channel's copy.
            who = "" if flag.rule_id in CARE_RULES else f" ({author})"
            links.append(Link(f"Mark comment {comment_id}{who} reviewed", url))
    return links


# ------------------------------------------------------------------------ sign-in links


@dataclass(frozen=True)
class SignIn:
    """What a valid e-mailed sign-in link asks for: sign ``user_id`` in, once."""

    user_id: int
    email: str
    token: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.token.encode()).hexdigest()


def _sign_in_serializer(settings: Settings) -> URLSafeSerializer:
    keys = derived_keys(settings, b"hallwatch sign-in links v1")
    return URLSafeSerializer(list(reversed(keys)), salt="hallwatch-sign-in")


def sign_in_url(settings: Settings, user_id: int, email: str, now: datetime) -> str:
    """A link that signs ``email`` in once, within :data:`SIGN_IN_MINUTES` of ``now`` (the
    way back in when password sign-ins are throttled). A nonce makes every link different."""
    payload = [int(user_id), email, secrets.token_urlsafe(8), int(now.timestamp())]
    token = _sign_in_serializer(settings).dumps(payload)
    return f"{settings.web.base_url}/login/link/{token}"


def read_sign_in(settings: Settings, token: str, now: datetime) -> SignIn:
    """The sign-in a token asks for.

    Raises:
        LinkError: tampered, malformed or expired.
    """
    try:
        if len(token) > MAX_TOKEN:
            raise ValueError("too long")
        user_id, email, _, issued = _sign_in_serializer(settings).loads(token)
        user_id, issued = int(user_id), datetime.fromtimestamp(int(issued), tz=UTC)
        if not isinstance(email, str):
            raise ValueError("no e-mail")
    except (BadSignature, ValueError, TypeError, OverflowError, OSError):
        raise LinkError(
            "This sign-in link is not valid: it may have been cut short or changed. Ask for "
            "a new one on the sign-in page."
        ) from None
    if not -timedelta(minutes=1) <= now - issued <= timedelta(minutes=SIGN_IN_MINUTES):
        raise LinkError(
            f"This sign-in link is older than {SIGN_IN_MINUTES} minutes. Ask for a new one "
            "on the sign-in page."
        )
    return SignIn(user_id, email, token)


def mark_sign_in_used(session: Session, link: SignIn, now: datetime) -> None:
    """Record the sign-in link as used (it works once), in the caller's transaction.

    Raises:
        LinkError: it was used already.
    """
    used = Action(link.email, "signin", link.user_id, now, link.token)
    try:
        mark_used(session, used, now)
    except LinkError:
        raise LinkError(
            "This sign-in link has already been used; it works once. Ask for a new one on "
            "the sign-in page."
        ) from None


# --- acknowledging Procedure 417 (no console account needed) ------------------------------

PROCEDURE = "procedure"
_PROCEDURE_SALT = "hallwatch-procedure-acknowledgement"


def procedure_expiry(settings: Settings, asked: datetime) -> datetime:
    """An acknowledgement link expires ``procedure.link_days`` after it was asked for."""
    return asked + timedelta(days=settings.procedure.link_days)


def procedure_url(settings: Settings, recipient: str, account_id: int, expires: datetime) -> str:
    """The one-time link with which ``recipient``, as owner of the account, acknowledges."""
    token = _dump(settings, _PROCEDURE_SALT, recipient, PROCEDURE, account_id, expires)
    return f"{settings.web.base_url}/p/{token}"


def read_procedure_token(settings: Settings, token: str, now: datetime) -> Action:
    """What an acknowledgement link asks for (``target`` is the account id).

    Raises:
        LinkError: tampered, malformed or expired.
    """
    found = _load(
        settings,
        _PROCEDURE_SALT,
        token,
        "This link is not valid: it may have been cut short or changed. Open the e-mail "
        "from Hallwatch again, or ask your supervisor to send a new one.",
    )
    if found.action != PROCEDURE:
        raise LinkError("This link is not valid. Ask your supervisor to send a new one.")
    if now >= found.expires:
        raise LinkError(
            f"This link expired on {found.expires:%Y-%m-%d %H:%M} UTC. Hallwatch sends a new "
            "one with its next weekly reminder, or your supervisor can send one now."
        )
    return found
