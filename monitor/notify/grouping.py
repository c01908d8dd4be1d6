"""Grouped alerts: non-urgent flags reach each recipient as one message per window.

Critical flags and media inquiries are due at once and go out one by one
(:func:`monitor.notify.delivery.deliver`). Every other alert is due at the end of its window; when
the window ends, each recipient gets one message listing all their due alerts. Delivery
rows stay one per (alert, recipient, channel), locked while a group is sent, so a
redelivered message or a second worker finds them delivered and sends nothing again.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from monitor.core.app import App
from monitor.notify.base import DeliveryError, Notifier
from monitor.notify.render import email, render
from monitor.storage import audit
from monitor.storage.db import insert_missing, record_sent
from monitor.storage.models import Delivery, Flag, OutboxItem

log = logging.getLogger(__name__)
LIMIT = 1000


def is_grouped(item: OutboxItem) -> bool:
    return (
        item.kind == "alert"
        and item.deliver_after is not None
        and item.deliver_after > item.created_at
    )


def _plan(app: App, now: datetime, chats: list[str]) -> dict[str, list[int]]:
    """Due grouped alerts by recipient (each chat webhook is a recipient of all of them)."""
    from monitor.notify.delivery import route

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
    from monitor.notify.delivery import chat_targets

    chats = dict(chat_targets(app))
    plan = _plan(app, now, list(chats))
    failed = [
        r for r, ids in plan.items() if not _send_group(app, r, ids, now, chats.get(r, notifier))
    ]
    _finish_items(app, sorted({i for ids in plan.values() for i in ids}), now)
    if failed:
        raise DeliveryError(f"grouped alerts: {len(failed)} recipient(s) not reached")


def _rows(session: Session, ids: list[int], recipient: str, channel: str) -> list[Delivery]:
    rows = []
    for outbox_id in ids:
        key = {"outbox_id": outbox_id, "recipient": recipient, "channel": channel}
        # Another worker may be sending the same group: its row is not an error, and the
        # lock below waits for it to finish (then the row says whether it was delivered).
        insert_missing(session, Delivery, **key)
        rows.append(session.scalars(select(Delivery).filter_by(**key).with_for_update()).one())
    return rows


def _send_group(
    app: App, recipient: str, ids: list[int], now: datetime, notifier: Notifier
) -> bool:
    sent: list[str] = []
    done: list[int] = []  # outbox ids, plain values: a failed COMMIT expires loaded objects
    flag_ids: list[int] = []
    try:
        with app.sessions() as session, session.begin():
            todo = [
                r
                for r in _rows(session, ids, recipient, notifier.channel)
                if r.status != "delivered"
            ]
            if not todo:
                return True
            for row in todo:
                row.attempts += 1
            flags = [
                session.get_one(Flag, session.get_one(OutboxItem, r.outbox_id).flag_id)
                for r in todo
            ]
            done[:], flag_ids[:] = [r.outbox_id for r in todo], [f.id for f in flags]
            try:
                sent.append(
                    notifier.send(
                        _message(app, recipient, flags, todo),
                        recipient,
                        f"group-{todo[0].outbox_id:06d}-{recipient}",
                    )
                )
            except DeliveryError as exc:
                for row in todo:
                    row.last_error = str(exc)[:2000]
                log.warning("grouped alerts to a recipient failed: %s", exc)
                return False
            _delivered(session, todo, recipient, flag_ids, sent[0], now, notifier.channel)
            return True
    except OperationalError:
        if not sent:
            raise

    def again(session: Session) -> None:
        rows = _rows(session, done, recipient, notifier.channel)  # rolled back with the COMMIT
        _delivered(session, rows, recipient, flag_ids, sent[0], now, notifier.channel)

    record_sent(app.sessions, again, f"grouped alerts {done}")
    return True


def _delivered(
    session: Session,
    rows: list[Delivery],
    recipient: str,
    flag_ids: list[int],
    location: str,
    now: datetime,
    channel: str,
) -> None:
    for row in rows:
        row.status, row.delivered_at, row.location = "delivered", now, location
    audit.record(
        session,
        audit.SYSTEM,
        "alerts.delivered_grouped",
        "recipient",
        recipient,
        at=now,
        flags=flag_ids,
        channel=channel,
    )


def _message(app: App, recipient: str, flags: list[Flag], rows: list[Delivery]) -> EmailMessage:
    from monitor.notify.delivery import links_for, what_to_do  # delivery imports this module

    entries = [(f, what_to_do(f), links_for(app, f, recipient)) for f in flags]
    text, html = render("alert_group", entries=entries, recipient=recipient)
    subject = f"[Hallwatch] {len(flags)} alert(s) for your accounts"
    ident = hashlib.sha256(",".join(str(r.outbox_id) for r in rows).encode()).hexdigest()[:16]
    return email(
        app.settings["delivery.from_address"],
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
