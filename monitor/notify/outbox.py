"""The one send-once engine: every alert, grouped alert and digest goes through :func:`send_once`.

A :class:`Job` says what one message is; the engine does the rest, the same way for all:

1. **lock** the rows that record the message (a delivery row, a group's delivery rows, a
   digest's outbox row) in a transaction; rows already delivered mean nothing to send;
2. count the **attempt** on every locked row;
3. **render** the message and **send** it;
4. **record** it delivered, or record the error (``last_error``) when the channel failed;
5. if the COMMIT that records a sent message fails (the database connection dropped), the
   message is out but the database does not know it: lock and record it **again** on a fresh
   connection (:func:`monitor.storage.db.record_sent`), so a retry never sends it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from monitor.core.app import App
from monitor.notify.base import DeliveryError, Notifier
from monitor.storage.db import insert_missing, record_sent
from monitor.storage.models import Delivery

log = logging.getLogger(__name__)
ERROR_LIMIT = 2000


class Job(Protocol):
    """One message to send at most once. Methods run inside the engine's transaction."""

    what: str  # how logs name it: "delivery 12", "grouped alerts [3, 4]", "digest 7"

    def lock(self, session: Session) -> list[Any]:
        """Lock and return the rows not yet sent (each has ``attempts`` and ``last_error``);
        an empty list means there is nothing (left) to send."""

    def render(self, session: Session) -> tuple[EmailMessage, str, str]:
        """``(message, recipient, name)``: ``name`` is stable, so a resend overwrites."""

    def sent(self, session: Session, rows: list[Any], location: str, now: datetime) -> None:
        """Record the message delivered at ``location`` (with its audit entry)."""


def send_once(app: App, job: Job, notifier: Notifier, now: datetime) -> bool:
    """Send ``job``'s message unless it was sent already. True when it is out (now or
    before); False when the channel failed (recorded on the rows, to be retried)."""
    location: list[str] = []
    try:
        with app.sessions() as session, session.begin():
            rows = job.lock(session)
            if not rows:
                return True
            for row in rows:
                row.attempts += 1
            try:
                message, recipient, name = job.render(session)
                location.append(notifier.send(message, recipient, name))
            except DeliveryError as exc:
                for row in rows:
                    row.last_error = str(exc)[:ERROR_LIMIT]
                log.warning("%s via %s failed: %s", job.what, notifier.channel, exc)
                return False
            job.sent(session, rows, location[0], now)
            return True
    except OperationalError:
        if not location:
            raise

    def again(session: Session) -> None:
        rows = job.lock(session)  # the COMMIT rolled back: they are still unsent
        for row in rows:
            row.attempts += 1
        if rows:
            job.sent(session, rows, location[0], now)

    record_sent(app.sessions, again, job.what)
    return True


def send_each(
    app: App, pending: list[tuple[int, Notifier]], job: Callable[[int], Job], now: datetime
) -> list[int]:
    """Send ``job(delivery_id)`` on its channel for each pending delivery row; the ids of
    those not delivered (recorded on their rows, to be retried)."""
    return [
        delivery_id
        for delivery_id, channel in pending
        if not send_once(app, job(delivery_id), channel, now)
    ]


def unsent(rows: list[Delivery]) -> list[Delivery]:
    """The (locked) delivery rows not delivered yet: what a job's ``lock`` returns."""
    return [row for row in rows if row.status != "delivered"]


def mark_delivered(rows: list[Delivery], location: str, now: datetime) -> None:
    """Record delivery rows delivered at ``location`` (a job's ``sent``; it audits)."""
    for row in rows:
        row.status, row.delivered_at, row.location = "delivered", now, location


def delivery_row(
    session: Session, outbox_id: int, recipient: str, channel: str, lock: bool = False
) -> Delivery:
    """The one delivery row of (outbox row, recipient, channel), made if missing.

    Another worker may be adding the same row at the same moment: that is not an error, and
    with ``lock`` the row lock waits for that worker to finish (then the row's status says
    whether it was delivered).
    """
    key = {"outbox_id": outbox_id, "recipient": recipient, "channel": channel}
    query = select(Delivery).filter_by(**key)
    row = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        insert_missing(session, Delivery, **key)
        row = session.scalars(query.with_for_update() if lock else query).one()
    return row
