"""One alert to each of a flag's recipients: what it says, and sending it once each.

Every outbox row fans out into one :class:`~monitor.storage.models.Delivery` row per recipient
and channel (unique), so a redelivered message or a second relay never sends twice: a
recipient whose delivery row says ``delivered`` is skipped. A failed send leaves the row
pending with its error and the attempt count.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from sqlalchemy.orm import Session, object_session

from detectors import Severity
from detectors.rules import advice, flag_title, rule_name
from monitor.access.links import Link, alert_links
from monitor.core.app import App
from monitor.core.display import local_time
from monitor.core.settings import Settings
from monitor.notify.base import Notifier
from monitor.notify.outbox import delivery_row, mark_delivered, send_each, unsent
from monitor.notify.render import SEVERITY_WORDS, email, render
from monitor.notify.routing import WELLBEING, chat_targets, route
from monitor.registry.counsellors import HOW_TO_SET, counsellor_for
from monitor.storage import audit
from monitor.storage.models import Delivery, Flag, OutboxItem


def what_to_do(flag: Flag, settings: Settings | None = None) -> str:
    """The alert's advice for the flag's rule; for a missing permission, what IT must grant;
    for signs of self-harm, the district's own advice when ``[wellbeing] advice`` is set."""
    grant = (flag.details or {}).get("grant")
    if isinstance(grant, str) and grant:
        return grant
    if flag.rule_id == WELLBEING and settings is not None and settings.wellbeing.advice:
        return settings.wellbeing.advice
    return advice(flag.rule_id)


def care(app: App, flag: Flag, recipient: str) -> dict[str, str] | None:
    """For signs of self-harm: who the counsellor contact is (and whether ``recipient`` is
    it), or that there is none and how to set one. None for every other rule."""
    if flag.rule_id != WELLBEING:
        return None
    counsellor = counsellor_for(app.settings, flag.account.org_unit)
    return {
        "counsellor": counsellor.email,
        "whose": counsellor.described,
        "is_you": "yes" if counsellor.email and counsellor.email == recipient.lower() else "",
        "unit": flag.account.org_unit.name,
        "how_to_set": HOW_TO_SET,
    }


def links_for(app: App, flag: Flag, recipient: str) -> list[Link]:
    """The action links an alert about ``flag`` carries for ``recipient``."""
    session = object_session(flag)
    if session is None:
        raise RuntimeError("an alert is rendered from a flag loaded in a session")
    return alert_links(app.settings, session, flag, recipient)


def title(flag: Flag) -> str:
    """What happened and where, in a principal's words (the subject, the chat heading)."""
    return flag_title(flag, flag.account.handle or flag.account.key)


def plain(app: App, flag: Flag) -> dict[str, str]:
    """What every alert says about ``flag`` in plain words and the district's time."""
    return {
        "title": title(flag),
        "rule": rule_name(flag.rule_id),
        "urgency": SEVERITY_WORDS.get(flag.severity, flag.severity),
        "raised": local_time(flag.first_seen_at, app.settings.timezone),
    }


def subject_of(flag: Flag) -> str:
    """The alert's subject: what happened and where; urgent ones say so first."""
    return ("Urgent: " if flag.severity == Severity.CRITICAL else "") + title(flag)


def alert_message(app: App, flag: Flag, recipient: str, outbox_id: int) -> EmailMessage:
    """The e-mail about ``flag`` for ``recipient`` (stable Message-ID per outbox row)."""
    account = flag.account
    context = {
        "flag": flag,
        "account": account,
        "plain": plain(app, flag),
        "action": what_to_do(flag, app.settings),
        "care": care(app, flag, recipient),
        "recipient": recipient,
        "ack_command": f"hallwatch flags ack {flag.id} --by {recipient} --note '...'",
        "links": links_for(app, flag, recipient),
    }
    text, html = render("alert", **context)
    subject = subject_of(flag)
    return email(
        app.settings.delivery.from_address,
        recipient,
        subject,
        text,
        html,
        f"hallwatch-alert-{outbox_id}",
    )


class AlertJob:
    """One alert to one recipient on one channel: its delivery row."""

    def __init__(self, app: App, delivery_id: int, flag_id: int) -> None:
        self.app, self.delivery_id, self.flag_id = app, delivery_id, flag_id
        self.what = f"delivery {delivery_id}"

    def lock(self, session: Session) -> list[Delivery]:
        return unsent([session.get_one(Delivery, self.delivery_id, with_for_update=True)])

    def render(self, session: Session) -> tuple[EmailMessage, str, str]:
        row = session.get_one(Delivery, self.delivery_id)
        flag = session.get_one(Flag, self.flag_id)
        name = f"alert-{row.outbox_id:06d}-{row.recipient}"
        return alert_message(self.app, flag, row.recipient, row.outbox_id), row.recipient, name

    def sent(self, session: Session, rows: list[Delivery], location: str, now: datetime) -> None:
        mark_delivered(rows, location, now)
        for row in rows:
            audit.record(
                session,
                audit.SYSTEM,
                "alert.delivered",
                "flag",
                self.flag_id,
                at=now,
                recipient=row.recipient,
                channel=row.channel,
            )


def deliver_alert(app: App, outbox_id: int, now: datetime, notifier: Notifier) -> list[int]:
    """Send one alert to each of its recipients not yet served; the delivery ids that failed."""
    with app.sessions() as session, session.begin():
        item = session.get_one(OutboxItem, outbox_id)
        flag = session.get_one(Flag, item.flag_id)
        routed = route(session, app, flag)
        if routed.reason == "fallback":
            audit.record(
                session,
                audit.SYSTEM,
                "alert.unrouted",
                "flag",
                flag.id,
                at=now,
                fallback=routed.recipients[0],
            )
        if routed.counsellor is not None and not routed.counsellor.email:
            audit.record(
                session,
                audit.SYSTEM,
                "alert.no_counsellor",
                "flag",
                flag.id,
                at=now,
                unit=flag.account.org_unit.code,
            )
        targets = [(r, notifier) for r in routed.recipients] + chat_targets(app)
        pending = [(delivery_row(session, outbox_id, r, n.channel).id, n) for r, n in targets]
        flag_id = flag.id
    return send_each(app, pending, lambda delivery_id: AlertJob(app, delivery_id, flag_id), now)
