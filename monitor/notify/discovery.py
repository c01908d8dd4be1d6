"""The weekly discovery alert: one grouped, low-severity message per supervisor per week.

It lists the accounts discovery found in the week before it was claimed that link from (or
were found for) the supervisor's organisation unit and that nobody has decided on yet. The
outbox row is keyed by supervisor and ISO week, so a second scheduler or a rerun claims
nothing; it is sent through the one send-once engine.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor.core.app import App
from monitor.notify.base import DeliveryError, Notifier
from monitor.notify.outbox import delivery_row, mark_delivered, send_once, unsent
from monitor.notify.render import email, render
from monitor.storage import audit
from monitor.storage.models import Candidate, Delivery, OutboxItem, Supervisor

DISCOVERY_KIND = "discovery"
WEEK = timedelta(days=7)


def new_candidates(session: Session, org_unit_id: int, until: datetime) -> list[Candidate]:
    """Undecided candidates of a unit first seen in the week up to ``until``."""
    query = select(Candidate).where(
        Candidate.org_unit_id == org_unit_id,
        Candidate.status == "new",
        Candidate.first_seen_at > until - WEEK,
        Candidate.first_seen_at <= until,
    )
    return list(session.scalars(query.order_by(Candidate.platform, Candidate.handle)))


def claim_discovery_alerts(app: App, now: datetime) -> list[int]:
    """This week's alert for every supervisor whose unit has new candidates; outbox ids."""
    year, week, _ = now.astimezone(app.settings.timezone).isocalendar()
    with app.sessions() as session:
        supervisors = [
            (s.id, s.org_unit_id)
            for s in session.scalars(select(Supervisor).order_by(Supervisor.id))
            if new_candidates(session, s.org_unit_id, now)
        ]
    claimed = []
    for supervisor_id, _ in supervisors:
        try:
            with app.sessions() as session, session.begin():
                item = OutboxItem(
                    dedup_key=f"discovery:{supervisor_id}:{year}-W{week:02d}",
                    kind=DISCOVERY_KIND,
                    created_at=now,
                )
                session.add(item)
                session.flush()
                claimed.append(item.id)
        except IntegrityError:
            continue
    return claimed


def deliver_discovery(app: App, outbox_id: int, now: datetime, notifier: Notifier) -> str:
    """Send a claimed discovery alert once.

    Raises:
        DeliveryError: the channel failed (recorded; the actor retries).
    """
    if not send_once(app, DiscoveryJob(app, outbox_id, notifier.channel), notifier, now):
        raise DeliveryError(f"discovery alert {outbox_id}: not delivered yet")
    return "sent"


class DiscoveryJob:
    """One supervisor's weekly list of new candidates: its delivery and outbox rows."""

    def __init__(self, app: App, outbox_id: int, channel: str) -> None:
        self.app, self.outbox_id, self.channel = app, outbox_id, channel
        self.what = f"discovery alert {outbox_id}"

    def _supervisor(self, session: Session) -> tuple[OutboxItem, Supervisor]:
        item = session.get_one(OutboxItem, self.outbox_id)
        supervisor_id = int(item.dedup_key.split(":")[1])
        return item, session.get_one(Supervisor, supervisor_id)

    def lock(self, session: Session) -> list[Delivery]:
        item, supervisor = self._supervisor(session)
        if item.status == "sent":
            return []
        row = delivery_row(session, self.outbox_id, supervisor.email, self.channel, lock=True)
        return unsent([row])

    def render(self, session: Session) -> tuple[EmailMessage, str, str]:
        item, supervisor = self._supervisor(session)
        found = new_candidates(session, supervisor.org_unit_id, item.created_at)
        base = self.app.settings.web.base_url
        text, html = render(
            "discovery_alert", supervisor=supervisor, candidates=found, console=f"{base}/discovery"
        )
        subject = (
            f"[Hallwatch] {len(found)} social media account(s) found that are not in the registry"
        )
        message = email(
            self.app.settings.delivery.from_address,
            supervisor.email,
            subject,
            text,
            html,
            f"hallwatch-discovery-{item.id}",
        )
        return message, supervisor.email, f"discovery-{item.id:06d}-{supervisor.email}"

    def sent(self, session: Session, rows: list[Delivery], location: str, now: datetime) -> None:
        item, supervisor = self._supervisor(session)
        mark_delivered(rows, location, now)
        item.status, item.sent_at, item.last_error = "sent", now, ""
        audit.record(
            session,
            audit.SYSTEM,
            "discovery.alerted",
            "supervisor",
            supervisor.email,
            at=now,
            week=item.dedup_key.rsplit(":", 1)[-1],
        )
