"""Owners' acknowledgements of Procedure 417: who confirmed which version, and when.

An acknowledgement belongs to a person (the owner's e-mail), not to one account: an owner
of three accounts confirms once. It counts for the current ``procedure.version`` while it
is younger than ``procedure.acknowledge_days``. Recording one (``records.acknowledge``)
resolves the open ``account.unacknowledged`` flags of every account that person owns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.core.settings import Settings
from monitor.storage.models import Account, Acknowledgement, OutboxItem

REQUEST_KIND = "ack_request"


def request_key(email: str, version: str, week: str) -> str:
    """The outbox key of the request to ``email`` for ``version`` in ISO ``week``: at most
    one request a person a week, however often the command or the scheduler runs."""
    return f"ack-request:{email.strip().lower()}:{version}:{week}"[:400]


def first_request(
    session: Session, email: str, version: str, after: datetime | None
) -> datetime | None:
    """When Hallwatch first asked ``email`` to acknowledge ``version`` (after ``after``,
    their last acknowledgement, when given); None if never."""
    if not email.strip():
        return None
    prefix = f"ack-request:{email.strip().lower()}:{version}:"
    query = select(func.min(OutboxItem.created_at)).where(
        OutboxItem.kind == REQUEST_KIND, OutboxItem.dedup_key.startswith(prefix, autoescape=True)
    )
    if after is not None:
        query = query.where(OutboxItem.created_at > after)
    return session.scalar(query)


@dataclass(frozen=True)
class Standing:
    """An owner's newest acknowledgement as the rule reads it, and whether it is current."""

    email: str
    at: datetime | None
    version: str
    current: bool

    @property
    def state(self) -> str:
        """ "current", "expired", "old version" or "never", for people to read."""
        if self.current:
            return "current"
        if self.at is None:
            return "never"
        return "expired" if self.version else "old version"


def newest(session: Session, email: str, version: str) -> Acknowledgement | None:
    """The person's newest acknowledgement of ``version``, else of any version."""
    query = select(Acknowledgement).where(Acknowledgement.email == email.strip().lower())
    order = Acknowledgement.acknowledged_at.desc(), Acknowledgement.id.desc()
    same = session.scalars(
        query.where(Acknowledgement.procedure_version == version).order_by(*order).limit(1)
    ).first()
    return same or session.scalars(query.order_by(*order).limit(1)).first()


def standing(session: Session, settings: Settings, email: str, now: datetime) -> Standing:
    """Whether ``email`` has a current acknowledgement of the configured version."""
    version = settings.procedure.version
    row = newest(session, email, version) if email.strip() else None
    if row is None:
        return Standing(email, None, "", False)
    fresh = now - row.acknowledged_at <= settings.acknowledge_within
    current = row.procedure_version == version and fresh
    shown = row.procedure_version if row.procedure_version == version else ""
    return Standing(email, row.acknowledged_at, shown, current)


def standings(
    session: Session, settings: Settings, emails: list[str], now: datetime
) -> dict[str, Standing]:
    """:func:`standing` for many owners in one query (the digest, the console)."""
    wanted = sorted({e.strip().lower() for e in emails if e and e.strip()})
    if not wanted:
        return {}
    rows = session.execute(
        select(
            Acknowledgement.email,
            Acknowledgement.procedure_version,
            func.max(Acknowledgement.acknowledged_at),
        )
        .where(Acknowledgement.email.in_(wanted))
        .group_by(Acknowledgement.email, Acknowledgement.procedure_version)
    )
    best: dict[str, tuple[str, datetime]] = {}
    version = settings.procedure.version
    for email, acked, at in rows:
        held = best.get(email)
        better = (
            held is None
            or (acked == version and held[0] != version)
            or ((acked == version) == (held[0] == version) and at > held[1])
        )
        if better:
            best[email] = (acked, at)
    out = {}
    for email in wanted:
        if email not in best:
            out[email] = Standing(email, None, "", False)
            continue
        acked, at = best[email]
        current = acked == version and now - at <= settings.acknowledge_within
        out[email] = Standing(email, at, acked if acked == version else "", current)
    return out


def owners_without(session: Session, settings: Settings, now: datetime) -> dict[str, list[Account]]:
    """Owners of non-retired accounts with no current acknowledgement, with their accounts."""
    accounts = list(
        session.scalars(select(Account).where(Account.status != "retired").order_by(Account.key))
    )
    by_owner: dict[str, list[Account]] = {}
    for account in accounts:
        owner = account.owner_email.strip().lower()
        if owner:
            by_owner.setdefault(owner, []).append(account)
    known = standings(session, settings, list(by_owner), now)
    return {e: accts for e, accts in by_owner.items() if not known[e].current}
