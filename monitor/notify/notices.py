"""Notices to IT: operational messages that are about the platforms, not about a flag.

A notice is an outbox row of kind "notice" whose ``detail`` says what it is about; today,
one kind: a platform's usage cap is used up (``about`` "usage-capped", written by
:mod:`monitor.ingest.pauses`, one row per cap and period). It goes to IT (the IT address
and IT-role supervisors) and the chat webhooks, through the send-once engine, one delivery
row per recipient and channel, like an alert.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import connectors
from monitor.core.app import App
from monitor.notify.base import Notifier
from monitor.notify.outbox import delivery_row, mark_delivered, send_each, unsent
from monitor.notify.render import email, render
from monitor.notify.routing import chat_targets, it_route
from monitor.storage import audit
from monitor.storage.models import Account, Delivery, OutboxItem


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def notice_context(session: Session, item: OutboxItem) -> dict[str, Any]:
    """What a usage-cap notice says: the cap, when polls resume, the accounts paused now."""
    detail = dict(item.detail or {})
    platform = str(detail.get("platform", ""))
    resets = datetime.fromisoformat(str(detail.get("resets_at")))
    paused = session.scalars(
        select(Account)
        .where(Account.platform == platform, Account.paused_until.is_not(None))
        .order_by(Account.key)
    )
    try:
        name = connectors.capabilities(platform).display_name or platform
    except connectors.UnknownPlatform:
        name = platform
    return {
        "cap": str(detail.get("cap", "usage cap")),
        "platform": platform,
        "platform_name": name,
        "resets": _when(resets),
        "exact": bool(detail.get("exact")),
        "said": str(detail.get("said", "")),
        "message": str(detail.get("message", "")),
        "accounts": [
            {"handle": a.handle, "key": a.key, "until": _when(a.paused_until)}
            for a in paused
            if a.paused_until is not None
        ],
        "resume_command": f"hallwatch accounts resume --platform {platform} --by YOUR-EMAIL",
    }


def notice_message(app: App, session: Session, item: OutboxItem, recipient: str) -> EmailMessage:
    """The e-mail for notice ``item`` (stable Message-ID per outbox row)."""
    context = notice_context(session, item)
    text, html = render("notice", **context)
    subject = f"[Hallwatch] IT: {context['cap']} used up; polls paused until {context['resets']}"
    return email(
        app.settings.delivery.from_address,
        recipient,
        subject,
        text,
        html,
        f"hallwatch-notice-{item.id}",
    )


class NoticeJob:
    """One notice to one recipient on one channel: its delivery row."""

    def __init__(self, app: App, delivery_id: int) -> None:
        self.app, self.delivery_id = app, delivery_id
        self.what = f"notice delivery {delivery_id}"

    def lock(self, session: Session) -> list[Delivery]:
        return unsent([session.get_one(Delivery, self.delivery_id, with_for_update=True)])

    def render(self, session: Session) -> tuple[EmailMessage, str, str]:
        row = session.get_one(Delivery, self.delivery_id)
        item = session.get_one(OutboxItem, row.outbox_id)
        name = f"notice-{row.outbox_id:06d}-{row.recipient}"
        return notice_message(self.app, session, item, row.recipient), row.recipient, name

    def sent(self, session: Session, rows: list[Delivery], location: str, now: datetime) -> None:
        mark_delivered(rows, location, now)
        for row in rows:
            audit.record(
                session,
                audit.SYSTEM,
                "notice.delivered",
                "outbox",
                row.outbox_id,
                at=now,
                recipient=row.recipient,
                channel=row.channel,
            )


def deliver_notice(app: App, outbox_id: int, now: datetime, notifier: Notifier) -> list[int]:
    """Send one notice to each IT recipient not yet served; the delivery ids that failed."""
    with app.sessions() as session, session.begin():
        routed = it_route(session, app)
        targets = [(r, notifier) for r in routed.recipients] + chat_targets(app)
        pending = [(delivery_row(session, outbox_id, r, n.channel).id, n) for r, n in targets]
    return send_each(app, pending, lambda delivery_id: NoticeJob(app, delivery_id), now)
