"""Connecting accounts: building connectors, setting credentials, moderating comments.

The only place plain credentials exist is here, in memory, for one poll or one command.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

import connectors
from connectors import Platform
from detectors.rules import HIDE_REASONS
from monitor.core.app import App
from monitor.core.domain import CommentStatus
from monitor.registry import secrets, usage
from monitor.storage import audit
from monitor.storage.models import Account, Comment


class ConnectError(Exception):
    """A person's request cannot be done; the message says why and what to do."""


def account_ref(account: Account) -> connectors.AccountRef:
    return connectors.AccountRef(account.platform, account.external_id, account.handle)


def serving_connector(app: App, platform: str) -> str:
    """The connector that serves a platform's accounts: "sandbox" in sandbox mode."""
    return Platform.SANDBOX if app.settings.sandbox.scenario else platform


def connector_for(app: App, account: Account, now: datetime) -> connectors.Connector:
    """The account's connector (the sandbox one in sandbox mode), with its credentials.

    Raises:
        connectors.UnknownPlatform: no connector for the platform.
        secrets.CredentialsError: stored credentials cannot be decrypted.
    """
    name = serving_connector(app, account.platform)
    cls = connectors.get_connector(name)
    if name == Platform.SANDBOX:
        credentials = {
            "scenario": app.settings.sandbox.scenario,
            "latency_seconds": app.settings.sandbox.latency_seconds,
        }
    else:
        credentials = secrets.decrypt(app.settings, account.credentials)
    return cls(credentials, app.transports.get(name), clock=lambda: now)


def _account(session: Session, key: str) -> Account:
    account = session.scalars(select(Account).where(Account.key == key)).one_or_none()
    if account is None:
        raise ConnectError(f"no account {key!r}; see `hallwatch accounts list`")
    return account


def set_credentials(
    app: App, key: str, credentials: dict[str, str], actor: str, now: datetime, check: bool = True
) -> str:
    """Store ``credentials`` encrypted, after a test call; a broken account becomes active.

    Returns:
        What the test call said the credentials reach ("not checked" without ``check``).

    Raises:
        ConnectError: unknown account, or the test call failed (nothing is stored then).
    """
    with app.sessions() as session:
        account = _account(session, key)
        ref, platform = account_ref(account), account.platform
    reached = "not checked"
    if check:
        cls = connectors.get_connector(platform)
        try:
            reached = cls(credentials, app.transports.get(platform)).check_credentials(ref)
        except connectors.ConnectorError as exc:
            raise ConnectError(f"the test call failed, nothing was stored: {exc}") from None
    with app.sessions() as session, session.begin():
        account = _account(session, key)
        account.credentials = secrets.encrypt(app.settings, credentials)
        account.credentials_set_at, account.credentials_checked = now, reached[:300]
        if account.status == "credentials_broken":
            account.status, account.cursor = "active", account.cursor or {}
        audit.record(
            session,
            actor,
            "credentials.set",
            "account",
            key,
            at=now,
            keys=sorted(credentials),
            checked=check,
        )
    return reached


@dataclass(frozen=True)
class Moderation:
    """What a hide or unhide did."""

    account: str
    comment: str
    hidden: bool


def moderate(
    app: App, comment_id: int, hide: bool, reason: str, actor: str, now: datetime
) -> Moderation:
    """Hide (or unhide) a stored comment on its platform, on a person's explicit command.

    Raises:
        ConnectError: unknown comment or reason, or the platform refused.
    """
    if hide and reason not in HIDE_REASONS:
        raise ConnectError(f"reason must be one of: {', '.join(HIDE_REASONS)}")
    with app.sessions() as session:
        comment = session.get(Comment, comment_id)
        if comment is None:
            raise ConnectError(f"no comment {comment_id}; see the flag's evidence for its id")
        account = session.get_one(Account, comment.account_id)
        connector, ref = connector_for(app, account, now), account_ref(account)
        external, key = comment.external_id, account.key
    try:
        (connector.hide_comment if hide else connector.unhide_comment)(ref, external)
    except connectors.ConnectorError as exc:
        raise ConnectError(f"{account.platform} refused: {exc}") from None
    with app.sessions() as session, session.begin():
        usage.record(session, connector.platform, now, 1, int(getattr(connector, "quota_used", 0)))
        row = session.get_one(Comment, comment_id)
        row.status = CommentStatus.HIDDEN if hide else CommentStatus.PUBLISHED
        if hide and row.reviewed_at is None:
            row.reviewed_at, row.reviewed_by = now, actor
        audit.record(
            session,
            actor,
            "comment.hidden" if hide else "comment.unhidden",
            "comment",
            comment_id,
            at=now,
            account=key,
            reason=reason,
            clause=HIDE_REASONS.get(reason, ""),
        )
    return Moderation(key, external, hide)
