"""Turning findings into flags and outbox rows, idempotently.

A flag's ``dedup_key`` is ``rule:account:finding-key``. The same finding again updates the
open flag (``last_seen_at``, ``occurrences``), as alerting systems do, and never makes a
second flag or a second outbox row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from detectors import Finding, Severity
from monitor.core.display import display_text
from monitor.core.domain import FlagStatus
from monitor.storage import audit
from monitor.storage.models import Account, Flag, OutboxItem

EXCERPT_LIMIT = 280


def dedup_key(account: Account, finding: Finding) -> str:
    return f"{finding.rule}:{account.key}:{finding.key}"[:400]


def excerpt(text: str, limit: int = EXCERPT_LIMIT) -> str:
    """A bounded, single-line excerpt (PII masking is added by the PII detector's spans)."""
    flat = display_text(" ".join(text.split()))  # no control, bidi or invisible character
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _subject_type(finding: Finding) -> str:
    if not finding.subject:
        return "account"
    return finding.subject.split(":", 1)[0] if ":" in finding.subject else "item"


# Journalists have deadlines; signs of self-harm are never held for a group, whatever a
# district's rules table says of their severity.
IMMEDIATE_RULES = frozenset({"media.inquiry", "wellbeing.self_harm"})


def due_time(finding: Finding, now: datetime, group: timedelta | None) -> datetime:
    """When the alert is due: at once for critical findings and media inquiries, otherwise
    at the end of the grouping window that holds ``now`` (one message per recipient)."""
    if not group or finding.severity == Severity.CRITICAL or finding.rule in IMMEDIATE_RULES:
        return now
    seconds = group.total_seconds()
    return datetime.fromtimestamp((now.timestamp() // seconds + 1) * seconds, tz=UTC)


def raise_flags(
    session: Session,
    account: Account,
    findings: Iterable[Finding],
    now: datetime,
    urls: dict[str, str] | None = None,
    group: timedelta | None = None,
) -> list[Flag]:
    """Record ``findings`` for ``account``; return only the flags that are new.

    Each new flag gets exactly one outbox row in the same transaction, due at once or at
    the end of its grouping window (``group``; None or zero: at once).
    """
    created: list[Flag] = []
    for finding in findings:
        key = dedup_key(account, finding)
        flag = session.scalars(select(Flag).where(Flag.dedup_key == key)).one_or_none()
        if flag is not None:
            flag.last_seen_at, flag.occurrences = now, flag.occurrences + 1
            continue
        flag = _new_flag(account, finding, key, now, (urls or {}).get(finding.subject, ""))
        session.add(flag)
        session.flush()
        session.add(
            OutboxItem(
                dedup_key=f"alert:{key}"[:400],
                kind="alert",
                flag_id=flag.id,
                created_at=now,
                deliver_after=due_time(finding, now, group),
            )
        )
        audit.record(
            session,
            audit.SYSTEM,
            "flag.raised",
            "flag",
            flag.id,
            at=now,
            rule=finding.rule,
            account=account.key,
            detector=f"{finding.detector}/{finding.version}",
        )
        created.append(flag)
    session.flush()
    return created


def _new_flag(account: Account, finding: Finding, key: str, now: datetime, url: str) -> Flag:
    return Flag(
        dedup_key=key,
        rule_id=finding.rule,
        severity=finding.severity,
        account_id=account.id,
        subject_type=_subject_type(finding),
        subject_ref=finding.subject,
        subject_url=url,
        excerpt=excerpt(finding.excerpt),
        explanation=finding.explanation,
        clause=finding.clause,
        details=finding.details,
        detector=finding.detector,
        detector_version=finding.version,
        status=FlagStatus.OPEN,
        first_seen_at=now,
        last_seen_at=now,
    )
