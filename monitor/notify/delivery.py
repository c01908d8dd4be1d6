"""Delivering outbox rows: alerts at once or grouped, notices to IT, and weekly digests,
each exactly once.

:func:`deliver` is what the ``deliver`` actor runs for one outbox row. Every kind of message
goes through the one send-once engine (:mod:`monitor.notify.outbox`). The outbox row stays
pending until every copy is out, and a failure raises :class:`DeliveryError` so the actor
retries with backoff.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from monitor.core.app import App
from monitor.notify.acknowledgements import deliver_request
from monitor.notify.alerts import deliver_alert
from monitor.notify.base import DeliveryError, Notifier
from monitor.notify.digest import deliver_digest
from monitor.notify.discovery import DISCOVERY_KIND, deliver_discovery
from monitor.notify.grouping import deliver_groups, is_grouped
from monitor.notify.notices import deliver_notice
from monitor.notify.routing import notifier_for
from monitor.registry.acknowledge import REQUEST_KIND
from monitor.storage.models import OutboxItem


def deliver(app: App, outbox_id: int, now: datetime, notifier: Notifier | None = None) -> str:
    """Deliver one outbox row to every recipient not yet served. Returns the row's status.

    Raises:
        DeliveryError: when any copy failed (after recording it), so the actor retries.
    """
    notifier = notifier or notifier_for(app)
    with app.sessions() as session:
        item = session.get(OutboxItem, outbox_id)
        if item is None or item.status == "sent":
            return "sent" if item else "missing"
        kind, due, grouped = item.kind, item.deliver_after, is_grouped(item)
    if kind == "digest":
        return deliver_digest(app, outbox_id, now, notifier)
    if kind == REQUEST_KIND:
        return deliver_request(app, outbox_id, now, notifier)
    if kind == DISCOVERY_KIND:
        return deliver_discovery(app, outbox_id, now, notifier)
    if kind == "notice":
        return _finish(app, outbox_id, now, deliver_notice(app, outbox_id, now, notifier))
    if due is not None and due > now:
        return "waiting"  # a grouped alert: its window has not ended
    if grouped:
        deliver_groups(app, now, notifier)
        return "sent"
    return _finish(app, outbox_id, now, deliver_alert(app, outbox_id, now, notifier))


def _finish(app: App, outbox_id: int, now: datetime, failures: list[int]) -> str:
    with app.sessions() as session, session.begin():
        item = session.get_one(OutboxItem, outbox_id, with_for_update=True)
        item.attempts += 1
        if failures:
            item.last_error = f"{len(failures)} recipient(s) not reached"
        else:
            item.status, item.sent_at, item.last_error = "sent", now, ""
    if failures:
        raise DeliveryError(f"outbox {outbox_id}: {len(failures)} recipient(s) not reached")
    return "sent"


def pending_outbox(
    app: App, limit: int = 1000, due_by: datetime | None = None, fresh: bool = False
) -> list[int]:
    """Pending outbox rows: only those due by ``due_by`` when given, and only those never
    tried when ``fresh`` (failed ones are Dramatiq's to retry, with backoff)."""
    with app.sessions() as session:
        query = select(OutboxItem.id).where(OutboxItem.status == "pending").order_by(OutboxItem.id)
        if due_by is not None:
            query = query.where(
                (OutboxItem.deliver_after.is_(None)) | (OutboxItem.deliver_after <= due_by)
            )
        if fresh:
            query = query.where(OutboxItem.attempts == 0)
        return list(session.scalars(query.limit(limit)))
