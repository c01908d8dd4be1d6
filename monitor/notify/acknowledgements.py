"""Asking owners to acknowledge Procedure 417: at most one e-mail a person a week.

:func:`claim_requests` writes one outbox row per owner who has no current acknowledgement,
keyed by person, procedure version and ISO week (district time), so the command and the
weekly scheduler can both run, twice even, and each person still gets one e-mail that
week. :func:`deliver_request` sends a claimed row through the one send-once engine; the
e-mail carries a signed one-time link (:func:`monitor.access.links.procedure_url`) to the
page with the key points and the "I have read and understood" button.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor.access.links import procedure_expiry, procedure_url
from monitor.core.app import App
from monitor.core.procedure import KEY_POINTS, TITLE
from monitor.notify.base import DeliveryError, Notifier
from monitor.notify.outbox import delivery_row, mark_delivered, send_once, unsent
from monitor.notify.render import email, render
from monitor.registry.acknowledge import REQUEST_KIND, owners_without, request_key, standing
from monitor.storage import audit
from monitor.storage.models import Account, Delivery, OutboxItem

PREFIX = "ack-request:"


def week_of(app: App, now: datetime) -> str:
    year, week, _ = now.astimezone(app.settings.timezone).isocalendar()
    return f"{year}-W{week:02d}"


def recipient_of(dedup_key: str) -> str:
    """The person a request row is for (the key is ``ack-request:EMAIL:VERSION:WEEK``)."""
    return dedup_key.removeprefix(PREFIX).rsplit(":", 2)[0]


def claim_requests(app: App, now: datetime) -> tuple[list[int], list[str]]:
    """One request row for each owner with no current acknowledgement and none this week.

    Returns:
        (outbox ids claimed now, owners already asked this week).
    """
    settings = app.settings
    week = week_of(app, now)
    with app.sessions() as session:
        owners = sorted(owners_without(session, settings, now))
    claimed, asked = [], []
    for owner in owners:
        key = request_key(owner, settings.procedure.version, week)
        try:
            with app.sessions() as session, session.begin():
                item = OutboxItem(dedup_key=key, kind=REQUEST_KIND, created_at=now)
                session.add(item)
                session.flush()
                claimed.append(item.id)
        except IntegrityError:
            asked.append(owner)
    return claimed, asked


def pending_requests(app: App) -> list[int]:
    with app.sessions() as session:
        query = select(OutboxItem.id).where(
            OutboxItem.kind == REQUEST_KIND, OutboxItem.status == "pending"
        )
        return list(session.scalars(query.order_by(OutboxItem.id)))


def deliver_request(app: App, outbox_id: int, now: datetime, notifier: Notifier) -> str:
    """Send a claimed request unless the person acknowledged meanwhile. Returns the status.

    Raises:
        DeliveryError: the channel failed (recorded; the actor retries).
    """
    with app.sessions() as session, session.begin():
        item = session.get_one(OutboxItem, outbox_id, with_for_update=True)
        if item.status == "sent":
            return "sent"
        person = recipient_of(item.dedup_key)
        if standing(session, app.settings, person, now).current or not _owned(session, person):
            item.status, item.sent_at, item.last_error = "sent", now, "not needed any more"
            return "sent"
    if not send_once(app, RequestJob(app, outbox_id, notifier.channel), notifier, now):
        raise DeliveryError(f"acknowledgement request {outbox_id}: not delivered yet")
    return "sent"


def _owned(session: Session, person: str) -> list[Account]:
    query = select(Account).where(
        func.lower(Account.owner_email) == person, Account.status != "retired"
    )
    return list(session.scalars(query.order_by(Account.key)))


class RequestJob:
    """One owner's acknowledgement request: its delivery row and its outbox row."""

    def __init__(self, app: App, outbox_id: int, channel: str) -> None:
        self.app, self.outbox_id, self.channel = app, outbox_id, channel
        self.what = f"acknowledgement request {outbox_id}"

    def _item(self, session: Session) -> OutboxItem:
        return session.get_one(OutboxItem, self.outbox_id)

    def lock(self, session: Session) -> list[Delivery]:
        person = recipient_of(self._item(session).dedup_key)
        row = delivery_row(session, self.outbox_id, person, self.channel, lock=True)
        return unsent([row])

    def render(self, session: Session) -> tuple[EmailMessage, str, str]:
        item = self._item(session)
        person = recipient_of(item.dedup_key)
        accounts = _owned(session, person)
        settings = self.app.settings
        expires = procedure_expiry(settings, item.created_at)
        link = procedure_url(settings, person, accounts[0].id, expires)
        text, html = render(
            "ack_request",
            person=person,
            accounts=accounts,
            link=link,
            expires=f"{expires.astimezone(settings.timezone):%Y-%m-%d %H:%M %Z}",
            title=TITLE,
            points=KEY_POINTS,
            version=settings.procedure.version,
        )
        subject = "[Hallwatch] Please confirm you have read Procedure 417 (social media)"
        message = email(
            settings.delivery.from_address, person, subject, text, html, f"hallwatch-ack-{item.id}"
        )
        return message, person, f"ack-request-{item.id:06d}-{person}"

    def sent(self, session: Session, rows: list[Delivery], location: str, now: datetime) -> None:
        item = session.get_one(OutboxItem, self.outbox_id, with_for_update=True)
        mark_delivered(rows, location, now)
        item.status, item.sent_at, item.last_error = "sent", now, ""
        item.attempts += 1
        person = recipient_of(item.dedup_key)
        audit.record(
            session,
            audit.SYSTEM,
            "procedure.requested",
            "person",
            person,
            at=now,
            version=self.app.settings.procedure.version,
        )
