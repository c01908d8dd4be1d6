"""The audit log: every human and system action, one append-only row each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from monitor.storage.models import AuditEntry, utcnow

SYSTEM = "system"


def record(
    session: Session,
    actor: str,
    action: str,
    object_type: str = "",
    object_id: object = "",
    at: datetime | None = None,
    **detail: Any,
) -> AuditEntry:
    """Add an audit row to ``session`` (committed with the action it describes)."""
    entry = AuditEntry(
        at=at or utcnow(),
        actor=actor or SYSTEM,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail,
    )
    session.add(entry)
    return entry
