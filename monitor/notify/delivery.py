"""Routing flags to people and delivering outbox rows exactly once per recipient.

Every outbox row fans out into one :class:`~monitor.storage.models.Delivery` row per recipient and
channel (unique), so a redelivered message or a second relay never sends twice: a recipient
whose delivery row says ``delivered`` is skipped. A failed send leaves the row pending with
its error and the attempt count; the outbox row stays pending until every copy is out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, object_session

from monitor.access.links import Link, alert_links
from monitor.core.app import App
from monitor.notify.base import DeliveryError, FileNotifier, Notifier
from monitor.notify.digest import deliver_digest
from monitor.notify.grouping import deliver_groups, is_grouped
from monitor.notify.render import email, render
from monitor.storage import audit
from monitor.storage.db import insert_missing, record_sent
from monitor.storage.models import Account, Delivery, Flag, OutboxItem, Supervisor

log = logging.getLogger(__name__)

ACTIONS = {
    "comments.unreviewed": "Review the listed comments, hide any that break the procedure, then "
    "mark them reviewed. Consider turning comments off or holding them for review.",
    "visibility.public": "Make the account private, or record the educational need for a public "
    "presence (with an expiry) in the exceptions register.",
    "account.personal_email": "Move the account to a District e-mail address and update the "
    "registry.",
    "account.unapproved": "Approve the account in the registry, or have IT reconnect its "
    "credentials, or retire it.",
    "account.unidentified": "Add the school or District name and a link to the school website "
    "to the profile.",
    "pii.student": "Remove the student's information or confirm consent is on file, then "
    "resolve the flag.",
    "language.prohibited": "Hide the content, document it, and follow up under the District's "
    "policies.",
    "media.inquiry": "The communications office answers media inquiries; do not reply on the "
    "account.",
}


@dataclass(frozen=True)
class Route:
    """Who gets a flag, and why."""

    recipients: tuple[str, ...]
    reason: str


def _role_emails(session: Session, role: str) -> list[str]:
    return list(session.scalars(select(Supervisor.email).where(Supervisor.role == role)))


def route(session: Session, app: App, flag: Flag) -> Route:
    """The account's supervisor and backup; media to communications; broken credentials to IT."""
    settings = app.settings
    account: Account = flag.account
    people: list[str] = []
    if flag.rule_id == "media.inquiry":
        people += [
            settings["delivery.communications_email"],
            *_role_emails(session, "communications"),
        ]
    elif flag.rule_id == "account.unapproved" and _operational(flag.dedup_key):
        people += [settings["delivery.it_email"], *_role_emails(session, "it")]
    if account.supervisor is not None and flag.rule_id != "media.inquiry":
        people += [account.supervisor.email, account.supervisor.backup_email]
    unique = tuple(dict.fromkeys(p.lower() for p in people if p))
    if unique:
        return Route(unique, "routed")
    fallback = settings["delivery.fallback_email"] or settings["delivery.from_address"]
    return Route((fallback.lower(),), "fallback")


def _operational(dedup_key: str) -> bool:
    """Broken credentials and connection problems are IT's to fix."""
    return dedup_key.endswith(":credentials") or ":poll-problem:" in dedup_key


CHAT_CHANNELS = (
    ("webhook", "delivery.webhook_url", "WebhookNotifier"),
    ("slack", "delivery.slack_webhook_url", "SlackNotifier"),
    ("teams", "delivery.teams_webhook_url", "TeamsNotifier"),
)


def chat_targets(app: App) -> list[tuple[str, Notifier]]:
    """The configured chat webhooks, each a recipient that gets a copy of every alert."""
    import monitor.notify.channels as channels

    targets: list[tuple[str, Notifier]] = []
    for name, key, class_name in CHAT_CHANNELS:
        if url := app.settings[key]:
            notifier = getattr(channels, class_name)(url, app.transports.get("webhooks"))
            targets.append((name, notifier))
    return targets


def notifier_for(app: App) -> Notifier:
    """The configured channel: SMTP, or .eml files in the outbox folder (the default)."""
    settings = app.settings
    if settings["delivery.channel"] == "smtp":
        from monitor.notify.channels import SmtpNotifier

        return SmtpNotifier(
            settings["smtp.host"],
            int(settings["smtp.port"]),
            settings["smtp.security"],
            settings["smtp.username"],
            settings["smtp.password"],
        )
    return FileNotifier(settings.outbox_dir)


def what_to_do(flag: Flag) -> str:
    """The alert's advice for the flag's rule."""
    return ACTIONS.get(flag.rule_id, "Review the item and resolve the flag.")


def links_for(app: App, flag: Flag, recipient: str) -> list[Link]:
    """The action links an alert about ``flag`` carries for ``recipient``."""
    session = object_session(flag)
    if session is None:
        raise RuntimeError("an alert is rendered from a flag loaded in a session")
    return alert_links(app.settings, session, flag, recipient)


def _alert_message(app: App, flag: Flag, recipient: str, outbox_id: int) -> EmailMessage:
    account = flag.account
    context = {
        "flag": flag,
        "account": account,
        "action": what_to_do(flag),
        "recipient": recipient,
        "ack_command": f"hallwatch flags ack {flag.id} --note '...'",
        "links": links_for(app, flag, recipient),
    }
    text, html = render("alert", **context)
    subject = (
        f"[Hallwatch] {flag.severity.upper()} {flag.rule_id}: {account.handle} ({account.platform})"
    )
    return email(
        app.settings["delivery.from_address"],
        recipient,
        subject,
        text,
        html,
        f"hallwatch-alert-{outbox_id}",
    )


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
    if due is not None and due > now:
        return "waiting"  # a grouped alert: its window has not ended
    if grouped:
        deliver_groups(app, now, notifier)
        return "sent"
    return _deliver_alert(app, outbox_id, now, notifier)


def _deliver_alert(app: App, outbox_id: int, now: datetime, notifier: Notifier) -> str:
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
        targets = [(r, notifier) for r in routed.recipients] + chat_targets(app)
        pending = [(_delivery_row(session, outbox_id, r, n.channel), n) for r, n in targets]
    failures = [d for d, n in pending if not _send_one(app, d, flag, n, now)]
    return _finish(app, outbox_id, now, failures)


def _delivery_row(session: Session, outbox_id: int, recipient: str, channel: str) -> int:
    key = {"outbox_id": outbox_id, "recipient": recipient, "channel": channel}
    row = session.scalars(select(Delivery).filter_by(**key)).one_or_none()
    if row is None:  # another worker may be adding the same row right now: not an error
        insert_missing(session, Delivery, **key)
        row = session.scalars(select(Delivery).filter_by(**key)).one()
    return row.id


def _send_one(app: App, delivery_id: int, flag: Flag, notifier: Notifier, now: datetime) -> bool:
    sent: list[str] = []
    flag_id = flag.id  # plain values: a failed COMMIT expires every loaded object
    try:
        with app.sessions() as session, session.begin():
            row = session.get_one(Delivery, delivery_id, with_for_update=True)
            if row.status == "delivered":
                return True
            flag = session.get_one(Flag, flag_id)
            row.attempts += 1
            try:
                message = _alert_message(app, flag, row.recipient, row.outbox_id)
                sent.append(
                    notifier.send(
                        message, row.recipient, f"alert-{row.outbox_id:06d}-{row.recipient}"
                    )
                )
            except DeliveryError as exc:
                row.last_error = str(exc)[:2000]
                log.warning("delivery %d to %s failed: %s", delivery_id, row.channel, exc)
                return False
            _delivered(session, row, flag_id, sent[0], now)
            return True
    except OperationalError:
        if not sent:
            raise

    def again(session: Session) -> None:
        row = session.get_one(Delivery, delivery_id, with_for_update=True)
        if row.status != "delivered":
            row.attempts += 1
            _delivered(session, row, flag_id, sent[0], now)

    record_sent(app.sessions, again, f"delivery {delivery_id}")
    return True


def _delivered(session: Session, row: Delivery, flag_id: int, location: str, now: datetime) -> None:
    row.status, row.delivered_at, row.location = "delivered", now, location
    audit.record(
        session,
        audit.SYSTEM,
        "alert.delivered",
        "flag",
        flag_id,
        at=now,
        recipient=row.recipient,
        channel=row.channel,
    )


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
