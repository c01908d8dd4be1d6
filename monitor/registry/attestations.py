"""Manual attestation: accounts Hallwatch cannot read (Snapchat, any platform with no API)
are checked by their supervisor, who records it in the console.

An attestation says on which day the account was checked and what was checked against
Procedure 417 (comments, privacy, student information). The account then counts as checked
for ``manual_attestation_days`` (30 by default); after that its check is due again, and the
to-do list and the weekly digest say so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.core.settings import Settings
from monitor.storage import audit
from monitor.storage.models import Account, Attestation

NOTE_LIMIT = 4000
# What a supervisor confirms, each against a part of Procedure 417.
CHECKS: dict[str, str] = {
    "comments": "Comments are switched off, or moderated and reviewed daily",
    "privacy": "The account is private, or its public presence has a recorded educational need",
    "student_information": "No student's name, photo or details are shown without consent",
}


class AttestationError(Exception):
    """An attestation that cannot be recorded; the message says what to fix."""


@dataclass(frozen=True)
class Due:
    """Where an account's manual check stands on ``today``."""

    account: Account
    last: date | None  # the day of the latest check, if any
    by: str
    due_on: date
    today: date

    @property
    def is_due(self) -> bool:
        return self.last is None or self.due_on <= self.today


def needs_attestation(account: Account) -> bool:
    """Accounts Hallwatch cannot poll are kept as status ``manual`` in the registry."""
    return account.status == "manual"


def record_attestation(
    session: Session,
    account: Account,
    actor: str,
    checked_on: date,
    today: date,
    checks: Sequence[str],
    note: str,
    now: datetime,
    days: float,
) -> Attestation:
    """Record that ``actor`` checked ``account`` on ``checked_on``.

    Raises:
        AttestationError: the account is polled, the day is in the future or already past
            the attestation period, a check is missing, or the note is too long.
    """
    if not needs_attestation(account):
        raise AttestationError(
            f"{account.key} is checked by Hallwatch itself; only accounts with no API are "
            "attested by hand."
        )
    if checked_on > today:
        raise AttestationError("The day of the check cannot be in the future.")
    if checked_on <= today - timedelta(days=days):
        raise AttestationError(
            f"A check on {checked_on} is already older than {days:g} days; check the account "
            "again and record today's check."
        )
    missing = [CHECKS[c] for c in CHECKS if c not in checks]
    if missing:
        raise AttestationError(
            "Tick each point you checked; an attestation covers all three. Not ticked: "
            + "; ".join(missing)
            + "."
        )
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise AttestationError(f"Keep the note under {NOTE_LIMIT:,} characters.")
    row = Attestation(
        account_id=account.id,
        checked_on=checked_on,
        recorded_at=now,
        recorded_by=actor,
        comments=True,
        privacy=True,
        student_information=True,
        note=note,
    )
    session.add(row)
    audit.record(
        session,
        actor,
        "account.attested",
        "account",
        account.key,
        at=now,
        checked_on=checked_on.isoformat(),
        checks=sorted(CHECKS),
        note=note,
    )
    session.flush()
    return row


def due_attestations(
    session: Session, accounts: Sequence[Account], today: date, settings: Settings
) -> list[Due]:
    """The manual check of every account in ``accounts`` that needs one, oldest first
    (never checked first of all); one query for all of them."""
    manual = [a for a in accounts if needs_attestation(a)]
    if not manual:
        return []
    latest = (
        select(Attestation.account_id, func.max(Attestation.checked_on).label("day"))
        .where(Attestation.account_id.in_([a.id for a in manual]))
        .group_by(Attestation.account_id)
        .subquery()
    )
    rows = session.execute(
        select(Attestation.account_id, Attestation.checked_on, Attestation.recorded_by)
        .join(
            latest,
            (latest.c.account_id == Attestation.account_id)
            & (latest.c.day == Attestation.checked_on),
        )
        .order_by(Attestation.id)
    )
    last: dict[int, tuple[date, str]] = {a: (d, by) for a, d, by in rows}
    period = timedelta(days=settings.manual_attestation_days)
    found = []
    for account in manual:
        day, by = last.get(account.id, (None, ""))
        due_on = day + period if day is not None else today
        found.append(Due(account, day, by, due_on, today))
    return sorted(found, key=lambda d: (d.last is not None, d.due_on, d.account.key))
