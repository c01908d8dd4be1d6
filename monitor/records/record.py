"""Supervisors' record keeping: flag history, acknowledgement, review and the report.

Every function takes a Session, and those that change state take an ``actor`` and an
aware-UTC ``now``; each change writes an audit row. Nothing is ever deleted.
"""

from __future__ import annotations

import csv
import html
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import IO, Any

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from monitor.core.display import display_text, spreadsheet_cell
from monitor.records import lifecycle
from monitor.records.lifecycle import Decision, LifecycleError
from monitor.storage import audit
from monitor.storage.models import Account, AuditEntry, Comment, Flag, OutboxItem

NOTE_LIMIT = lifecycle.NOTE_LIMIT
# A report spans years at most; a date outside these years is a typo, not a question.
FIRST_YEAR, LAST_YEAR = 2000, 2100
REPORT_COLUMNS = [
    "id",
    "account",
    "handle",
    "platform",
    "rule",
    "severity",
    "clause",
    "explanation",
    "excerpt",
    "status",
    "notes",
    "first_seen_at",
    "last_seen_at",
    "actions",
]


class RecordError(Exception):
    """A request the record cannot satisfy, with a message for the person asking."""


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def _get_flag(session: Session, flag_id: int) -> Flag:
    flag = session.get(Flag, flag_id)
    if flag is None:
        raise RecordError(f"no flag {flag_id}; see `hallwatch flags list`")
    return flag


def _history(session: Session, flag_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in flag_ids}
    if not flag_ids:
        return found
    query = (
        select(AuditEntry)
        .where(AuditEntry.object_type == "flag")
        .where(AuditEntry.object_id.in_([str(i) for i in flag_ids]))
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    for entry in session.scalars(query):
        found[int(entry.object_id)].append(
            {
                "at": _iso(entry.at),
                "actor": entry.actor,
                "action": entry.action,
                "detail": dict(entry.detail or {}),
            }
        )
    return found


def flag_fields(flag: Flag, account_key: str) -> dict[str, Any]:
    """A flag's own fields as plain values (``hallwatch flags list --format json``)."""
    return {
        "id": flag.id,
        "rule": flag.rule_id,
        "severity": flag.severity,
        "account": account_key,
        "status": flag.status,
        "subject": flag.subject_ref,
        "url": flag.subject_url,
        "explanation": flag.explanation,
        "clause": flag.clause,
        "excerpt": flag.excerpt,
        "detector": flag.detector,
        "version": flag.detector_version,
        "dedup_key": flag.dedup_key,
        "details": dict(flag.details or {}),
        "first_seen_at": _iso(flag.first_seen_at),
        "last_seen_at": _iso(flag.last_seen_at),
        "occurrences": flag.occurrences,
        "notes": flag.notes,
    }


def show_flag(session: Session, flag_id: int) -> dict[str, Any]:
    """Every field of a flag, its account, and its audit history (oldest first)."""
    flag = _get_flag(session, flag_id)
    account = session.get(Account, flag.account_id)
    assert account is not None
    return {
        **flag_fields(flag, account.key),
        "handle": account.handle,
        "platform": account.platform,
        "subject_type": flag.subject_type,
        "history": _history(session, [flag.id])[flag.id],
    }


def change_flag(
    session: Session, flag_id: int, verb: str, actor: str, note: str, now: datetime
) -> Decision:
    """Make the move ``verb`` (ack, resolve, dismiss, reopen, or a status name) on a flag,
    through the one state machine (:mod:`monitor.records.lifecycle`).

    Resolving and dismissing need a note: the record must say why. A move the machine does
    not allow (already there, or backwards) changes nothing; the decision says so.

    Raises:
        RecordError: no such flag, no actor, an unknown verb, or a note missing or too long.
    """
    if not actor.strip():
        raise RecordError("say who is doing this (--by EMAIL)")
    flag = _get_flag(session, flag_id)
    try:
        decision = lifecycle.apply(session, flag, verb, actor.strip(), note, now)
    except LifecycleError as exc:
        raise RecordError(str(exc)) from None
    session.flush()
    return decision


def change_flags(
    session: Session,
    flag_ids: list[int],
    verb: str,
    actor: str,
    note: str,
    now: datetime,
    where: ColumnElement[bool] | None = None,
) -> list[Decision]:
    """The same move on several flags (a bulk action); only flags matching ``where``
    (joined with their account: the person's scope) are touched, the others skipped.

    Raises:
        RecordError: as :func:`change_flag`, before anything is changed.
    """
    if not actor.strip():
        raise RecordError("say who is doing this (--by EMAIL)")
    try:
        verb = lifecycle.verb_of(verb)
        lifecycle.check_note(verb, note)
    except LifecycleError as exc:
        raise RecordError(str(exc)) from None
    query = (
        select(Flag)
        .join(Account, Flag.account_id == Account.id)
        .where(Flag.id.in_(sorted(set(flag_ids))), true() if where is None else where)
        .order_by(Flag.id)
    )
    decisions = [
        lifecycle.apply(session, flag, verb, actor.strip(), note, now)
        for flag in session.scalars(query)
    ]
    session.flush()
    return decisions


def review_comment(
    session: Session, comment_id: int, actor: str, now: datetime, note: str = ""
) -> dict[str, Any]:
    """Mark a stored comment reviewed; an earlier review (e.g. on the platform) is kept."""
    if not actor.strip():
        raise RecordError("say who reviewed it (--by EMAIL)")
    note = _note(note)
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise RecordError(f"no comment {comment_id}")
    if comment.reviewed_at is not None:
        return {
            "comment": comment.id,
            "changed": False,
            "reviewed_at": _iso(comment.reviewed_at),
            "reviewed_by": comment.reviewed_by,
        }
    comment.reviewed_at, comment.reviewed_by = now, actor.strip()
    audit.record(
        session, actor.strip(), "comment.reviewed", "comment", comment.id, at=now, note=note
    )
    session.flush()
    return {
        "comment": comment.id,
        "changed": True,
        "reviewed_at": _iso(now),
        "reviewed_by": comment.reviewed_by,
    }


def _note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise RecordError(
            f"the note is {len(note):,} characters long; keep it under {NOTE_LIMIT:,}"
        )
    return note


def undo_review(session: Session, comment_id: int, actor: str, now: datetime) -> bool:
    """Take back a review made in Hallwatch (the console's "Undo"); False when there is none
    to take back: not reviewed, or reviewed on the platform (hidden, replied to, ...).

    Raises:
        RecordError: no such comment, or no actor.
    """
    if not actor.strip():
        raise RecordError("say who is doing this (--by EMAIL)")
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise RecordError(f"no comment {comment_id}")
    if comment.reviewed_at is None or not comment.reviewed_by or comment.status == "hidden":
        return False
    previous = comment.reviewed_by
    comment.reviewed_at, comment.reviewed_by = None, ""
    audit.record(
        session,
        actor.strip(),
        "comment.review_undone",
        "comment",
        comment.id,
        at=now,
        previous=previous,
    )
    session.flush()
    return True


def pending_alerts(session: Session) -> list[dict[str, Any]]:
    """Outbox rows still pending, with their flag's rule, severity and account."""
    query = (
        select(OutboxItem, Flag, Account)
        .outerjoin(Flag, OutboxItem.flag_id == Flag.id)
        .outerjoin(Account, Flag.account_id == Account.id)
        .where(OutboxItem.status == "pending")
        .order_by(OutboxItem.id)
    )
    rows = []
    for item, flag, account in session.execute(query):
        rows.append(
            {
                "id": item.id,
                "kind": item.kind,
                "flag": item.flag_id,
                "rule": flag.rule_id if flag else "",
                "severity": flag.severity if flag else "",
                "account": account.key if account else "",
                "created_at": _iso(item.created_at),
                "attempts": item.attempts,
                "last_error": item.last_error,
            }
        )
    return rows


def _utc_bounds(start: date, end: date, tz: tzinfo) -> tuple[datetime, datetime]:
    for day in (start, end):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise RecordError(
                f"{day} is outside the years {FIRST_YEAR} to {LAST_YEAR}; give dates like "
                "2026-09-30"
            )
    if end < start:
        raise RecordError(f"the report ends ({end}) before it starts ({start})")
    low = datetime.combine(start, time(0), tzinfo=tz).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return low, high


def noncompliance_report(
    session: Session,
    start: date,
    end: date,
    tz: tzinfo,
    where: ColumnElement[bool] | None = None,
) -> list[dict[str, Any]]:
    """Every flag first seen from ``start`` to ``end`` (inclusive, district time) and what
    was done about it (acknowledged, resolved, dismissed: by whom, when, with what note).
    ``where`` (on ``Flag`` joined with ``Account``) limits it to a person's scope.

    Raises:
        RecordError: the dates are out of order or outside the years a report can cover.
    """
    low, high = _utc_bounds(start, end, tz)
    query = (
        select(Flag, Account)
        .join(Account, Flag.account_id == Account.id)
        .where(Flag.first_seen_at >= low, Flag.first_seen_at < high)
        .where(true() if where is None else where)
        .order_by(Flag.first_seen_at, Flag.id)
    )
    found = list(session.execute(query))
    history = _history(session, [flag.id for flag, _ in found])
    rows = []
    for flag, account in found:
        actions = [
            {
                "action": h["action"].removeprefix("flag."),
                "actor": h["actor"],
                "at": h["at"],
                "note": str(h["detail"].get("note", "")),
            }
            for h in history[flag.id]
            if h["action"].startswith("flag.") and h["action"] != "flag.raised"
        ]
        rows.append(
            {
                "id": flag.id,
                "account": account.key,
                "handle": account.handle,
                "platform": account.platform,
                "rule": flag.rule_id,
                "severity": flag.severity,
                "clause": flag.clause,
                "explanation": flag.explanation,
                "excerpt": flag.excerpt,  # masked when the flag was raised
                "status": flag.status,
                "notes": flag.notes,
                "first_seen_at": _iso(flag.first_seen_at),
                "last_seen_at": _iso(flag.last_seen_at),
                "actions": actions,
            }
        )
    return rows


def _actions_text(actions: list[dict[str, Any]]) -> str:
    parts = []
    for a in actions:
        text = f"{a['at']} {a['action']} by {a['actor']}"
        parts.append(f"{text}: {a['note']}" if a["note"] else text)
    return "; ".join(parts)


def report_csv(rows: list[dict[str, Any]], stream: IO[str]) -> None:
    writer = csv.writer(stream)
    writer.writerow(REPORT_COLUMNS)
    for row in rows:
        cells = [
            _actions_text(row["actions"]) if c == "actions" else str(row.get(c, ""))
            for c in REPORT_COLUMNS
        ]
        writer.writerow([spreadsheet_cell(c) for c in cells])


def report_html(rows: list[dict[str, Any]], title: str = "Noncompliance report") -> str:
    """A self-contained HTML page; every value goes through the display filter and is escaped
    (platform text is hostile)."""

    def e(value: str) -> str:
        return html.escape(display_text(value))

    head = "".join(f"<th>{e(c.replace('_', ' '))}</th>" for c in REPORT_COLUMNS)
    body = []
    for row in rows:
        cells = []
        for c in REPORT_COLUMNS:
            if c == "actions":
                items = "".join(
                    f"<li>{e(a['at'])} {e(a['action'])} by {e(a['actor'])}"
                    + (f": {e(a['note'])}" if a["note"] else "")
                    + "</li>"
                    for a in row["actions"]
                )
                cells.append(f"<td><ul>{items}</ul></td>" if items else "<td></td>")
            else:
                cells.append(f"<td>{e(str(row.get(c, '')))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    empty = f'<tr><td colspan="{len(REPORT_COLUMNS)}">No flags.</td></tr>'
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title>"
        "<style>table{border-collapse:collapse}td,th{border:1px solid #999;"
        "padding:4px;vertical-align:top;white-space:pre-wrap}</style></head><body>"
        f"<h1>{e(title)}</h1><p>{len(rows)} flag(s).</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>"
        + ("".join(body) or empty)
        + "</tbody></table></body></html>\n"
    )
