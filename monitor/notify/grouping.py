"""Grouped alerts: non-urgent flags reach each recipient as one message per window.

Critical flags and media inquiries are due at once and go out one by one
(:mod:`monitor.notify.alerts`). Every other alert is due at the end of its window; when
the window ends, each recipient gets one message listing all their due alerts. Delivery
rows stay one per (alert, recipient, channel), locked while a group is sent by the send-once
engine, so a redelivered message or a second worker finds them delivered and sends nothing.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.core.app import App
from monitor.notify.alerts import links_for, plain, what_to_do
from monitor.notify.base import DeliveryError, Notifier
from monitor.notify.outbox import delivery_row, mark_delivered, send_once, unsent
from monitor.notify.render import email, render
from monitor.notify.routing import chat_targets, route
from monitor.storage import audit
from monitor.storage.models import Delivery, Flag, OutboxItem

LIMIT = 1000


def is_grouped(item: OutboxItem) -> bool:
    return (
        item.kind == "alert"
        and item.deliver_after is not None
        and item.deliver_after > item.created_at
    )


def _plan(app: App, now: datetime, chats: list[str]) -> dict[str, list[int]]:
    """Due grouped alerts by recipient (each chat webhook is a recipient of all of them)."""
    plan: dict[str, list[int]] = defaultdict(list)
    with app.sessions() as session:
        due = session.scalars(
            select(OutboxItem)
            .where(OutboxItem.status == "pending", OutboxItem.kind == "alert")
            .where(
                OutboxItem.deliver_after <= now, OutboxItem.deliver_after > OutboxItem.created_at
            )
            .order_by(OutboxItem.id)
            .limit(LIMIT)
        )
        for item in due:
            flag = session.get_one(Flag, item.flag_id)
            for recipient in (*route(session, app, flag).recipients, *chats):
                plan[recipient].append(item.id)
    return plan


def deliver_groups(app: App, now: datetime, notifier: Notifier) -> None:
    """Send every recipient their due grouped alerts, one message each.

    Raises:
        DeliveryError: some recipient could not be reached (recorded; retried later).
    """
    chats = dict(chat_targets(app))
    plan = _plan(app, now, list(chats))
    failed = [
        recipient
        for recipient, ids in plan.items()
        if not _send(app, recipient, ids, chats.get(recipient, notifier), now)
    ]
    _finish_items(app, sorted({i for ids in plan.values() for i in ids}), now)
    if failed:
        raise DeliveryError(f"grouped alerts: {len(failed)} recipient(s) not reached")


def _send(app: App, recipient: str, ids: list[int], notifier: Notifier, now: datetime) -> bool:
    return send_once(app, GroupJob(app, recipient, ids, notifier), notifier, now)


class GroupJob:
    """One recipient's due grouped alerts on one channel: one delivery row per alert."""

    def __init__(self, app: App, recipient: str, ids: list[int], notifier: Notifier) -> None:
        self.app, self.recipient, self.ids, self.channel = app, recipient, ids, notifier.channel
        self.what = f"grouped alerts {ids}"

    def lock(self, session: Session) -> list[Delivery]:
        rows = [delivery_row(session, i, self.recipient, self.channel, lock=True) for i in self.ids]
        return unsent(rows)

    def render(self, session: Session) -> tuple[EmailMessage, str, str]:
        rows = self.lock(session)  # already locked by this transaction: no second wait
        flags = [
            session.get_one(Flag, session.get_one(OutboxItem, r.outbox_id).flag_id) for r in rows
        ]
        name = f"group-{rows[0].outbox_id:06d}-{self.recipient}"
        return _message(self.app, self.recipient, flags, rows), self.recipient, name

    def sent(self, session: Session, rows: list[Delivery], location: str, now: datetime) -> None:
        flag_ids = [session.get_one(OutboxItem, r.outbox_id).flag_id for r in rows]
        mark_delivered(rows, location, now)
        audit.record(
            session,
            audit.SYSTEM,
            "alerts.delivered_grouped",
            "recipient",
            self.recipient,
            at=now,
            flags=flag_ids,
            channel=self.channel,
        )


def _message(app: App, recipient: str, flags: list[Flag], rows: list[Delivery]) -> EmailMessage:
    entries = [
        (f, what_to_do(f, app.settings), links_for(app, f, recipient), plain(app, f)) for f in flags
    ]
    text, html = render("alert_group", entries=entries, recipient=recipient)
    first = entries[0][3]["title"]
    more = len(flags) - 1
    subject = first if not more else f"{first}, and {more} more for your accounts"
    ident = hashlib.sha256(",".join(str(r.outbox_id) for r in rows).encode()).hexdigest()[:16]
    return email(
        app.settings.delivery.from_address,
        recipient,
        subject,
        text,
        html,
        f"hallwatch-group-{ident}",
    )


def _finish_items(app: App, ids: list[int], now: datetime) -> None:
    """Grouped alerts whose every copy is delivered are sent."""
    with app.sessions() as session, session.begin():
        for outbox_id in ids:
            statuses = set(
                session.scalars(select(Delivery.status).where(Delivery.outbox_id == outbox_id))
            )
            item = session.get_one(OutboxItem, outbox_id)
            item.attempts += 1
            if statuses == {"delivered"}:
                item.status, item.sent_at, item.last_error = "sent", now, ""
            else:
                item.last_error = "some recipients not reached yet"
