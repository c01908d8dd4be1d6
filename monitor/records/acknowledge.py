"""Recording an owner's acknowledgement of Procedure 417 (the link page, the CLI).

The acknowledgement row, the resolution of the person's open ``account.unacknowledged``
flags (through the one flag lifecycle) and the audit entry commit together.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.core.domain import ACTIVE_FLAG, FlagStatus
from monitor.core.settings import Settings
from monitor.records.lifecycle import set_status
from monitor.storage import audit
from monitor.storage.models import Account, Acknowledgement, Flag

RULE = "account.unacknowledged"


def acknowledge(
    session: Session,
    settings: Settings,
    email: str,
    now: datetime,
    account_id: int | None,
    via: str = "link",
    version: str | None = None,
) -> list[int]:
    """Record that ``email`` acknowledged ``version`` (default: the configured one) now.

    Resolves the open ``account.unacknowledged`` flags of every account the person owns,
    as the person, and returns their ids.
    """
    address = email.strip().lower()
    acked = version or settings.procedure.version
    session.add(
        Acknowledgement(
            email=address,
            procedure_version=acked,
            acknowledged_at=now,
            account_id=account_id,
            via=via,
        )
    )
    owned = select(Account.id).where(func.lower(Account.owner_email) == address)
    flags = list(
        session.scalars(
            select(Flag).where(
                Flag.rule_id == RULE, Flag.status.in_(ACTIVE_FLAG), Flag.account_id.in_(owned)
            )
        )
    )
    note = f"acknowledged Procedure 417 version {acked}"
    for flag in flags:
        set_status(session, flag, FlagStatus.RESOLVED, address, note, now)
    audit.record(
        session,
        address,
        "procedure.acknowledged",
        "person",
        address,
        at=now,
        version=acked,
        via=via,
        account=account_id,
        resolved=[f.id for f in flags],
    )
    session.flush()
    return [f.id for f in flags]
