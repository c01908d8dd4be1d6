"""A flag's life: open, acknowledged, then resolved or dismissed; every move audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from monitor.core.domain import FlagStatus
from monitor.storage import audit
from monitor.storage.models import Flag

STATUSES = tuple(FlagStatus)


def set_status(
    session: Session, flag: Flag, status: str, actor: str, note: str, now: datetime
) -> None:
    """Move a flag to ``status`` with a note, recorded in the audit log."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    previous, flag.status = flag.status, status
    if note:
        flag.notes = (
            flag.notes + "\n" if flag.notes else ""
        ) + f"[{now:%Y-%m-%d %H:%M} {actor}] {note}"
    audit.record(
        session, actor, f"flag.{status}", "flag", flag.id, at=now, previous=previous, note=note
    )
