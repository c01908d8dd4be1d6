"""The weekly compliance digest: exactly once per supervisor per ISO week.

The ISO week is taken in the district's time zone. A :class:`~monitor.models.DigestSent`
row (unique per supervisor and week) and its outbox row are written in one transaction
before anything is sent, so a second scheduler, a redelivered message or a second
``make demo`` finds the row and sends nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor import audit
from monitor.app import App
from monitor.models import Account, DigestSent, Flag, OutboxItem, Supervisor
from monitor.notify import Notifier
from monitor.render import email, render

DISTRICT_ROLES = ("communications", "it")


@dataclass
class AccountLine:
    """One account's row in a digest."""

    account: Account
    open_flags: Counter[str] = field(default_factory=Counter)

    @property
    def problems(self) -> int:
        return sum(self.open_flags.values())


def accounts_in_scope(session: Session, supervisor: Supervisor) -> list[Account]:
    """District-wide for communications and IT; otherwise the supervisor's own accounts."""
    query = select(Account).where(Account.status != "retired").order_by(Account.key)
    if supervisor.role not in DISTRICT_ROLES:
        query = query.where(
            or_(
                Account.supervisor_id == supervisor.id,
                Account.org_unit_id == supervisor.org_unit_id,
            )
        )
    return list(session.scalars(query))


def _lines(session: Session, accounts: list[Account]) -> list[AccountLine]:
    lines = {a.id: AccountLine(a) for a in accounts}
    flags = session.scalars(
        select(Flag).where(
            Flag.account_id.in_(list(lines)), Flag.status.in_(("open", "acknowledged"))
        )
    )
    for flag in flags:
        lines[flag.account_id].open_flags[flag.rule_id] += 1
    return list(lines.values())


def digest_context(
    session: Session, app: App, supervisor: Supervisor, now: datetime
) -> dict[str, object]:
    local = now.astimezone(app.settings.timezone)
    year, week, _ = local.isocalendar()
    lines = _lines(session, accounts_in_scope(session, supervisor))
    stale_before = now - app.settings.stale_after
    return {
        "supervisor": supervisor,
        "week": f"{year}-W{week:02d}",
        "generated": local.strftime("%Y-%m-%d %H:%M %Z"),
        "lines": lines,
        "manual": [ln.account for ln in lines if ln.account.status == "manual"],
        "broken": [ln.account for ln in lines if ln.account.status == "credentials_broken"],
        "stale": [
            ln.account
            for ln in lines
            if ln.account.status == "active"
            and (ln.account.last_polled_at or stale_before) <= stale_before
        ],
        "total_open": sum(ln.problems for ln in lines),
    }


def _claim(app: App, supervisor_id: int, year: int, week: int, now: datetime) -> int | None:
    """Insert the digest and outbox rows; None when this week's digest already exists."""
    try:
        with app.sessions() as session, session.begin():
            item = OutboxItem(
                dedup_key=f"digest:{supervisor_id}:{year}-W{week:02d}",
                kind="digest",
                created_at=now,
            )
            session.add(item)
            session.flush()
            session.add(
                DigestSent(
                    supervisor_id=supervisor_id,
                    iso_year=year,
                    iso_week=week,
                    created_at=now,
                    outbox_id=item.id,
                )
            )
            return item.id
    except IntegrityError:
        return None


def claim_weekly_digests(app: App, now: datetime) -> list[int]:
    """Claim this ISO week's digest for every supervisor who has none; return outbox ids."""
    year, week, _ = now.astimezone(app.settings.timezone).isocalendar()
    with app.sessions() as session:
        supervisors = list(session.scalars(select(Supervisor.id).order_by(Supervisor.id)))
    claimed = (_claim(app, sid, year, week, now) for sid in supervisors)
    return [outbox_id for outbox_id in claimed if outbox_id is not None]


def write_preview(app: App, supervisor: Supervisor, now: datetime, folder: Path) -> Path:
    with app.sessions() as session:
        context = digest_context(session, app, session.get_one(Supervisor, supervisor.id), now)
        _, html = render("digest", **context)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{context['week']}-{supervisor.email}.html"
    path.write_text(html, encoding="utf-8")
    return path


def deliver_digest(app: App, outbox_id: int, now: datetime, notifier: Notifier) -> str:
    """Render and send a claimed digest; the outbox row turns ``sent`` only once it is out."""
    with app.sessions() as session, session.begin():
        item = session.get_one(OutboxItem, outbox_id, with_for_update=True)
        if item.status == "sent":
            return "sent"
        digest = session.scalars(select(DigestSent).where(DigestSent.outbox_id == outbox_id)).one()
        supervisor = session.get_one(Supervisor, digest.supervisor_id)
        context = digest_context(session, app, supervisor, now)
        text, html = render("digest", **context)
        folder = app.settings.digest_dir / str(context["week"])
        folder.mkdir(parents=True, exist_ok=True)
        page = folder / f"{supervisor.email}.html"
        page.write_text(html, encoding="utf-8")
        subject = (
            f"[Hallwatch] Weekly compliance digest {context['week']}: "
            f"{context['total_open']} open flag(s)"
        )
        message = email(
            app.settings["delivery.from_address"],
            supervisor.email,
            subject,
            text,
            html,
            f"hallwatch-digest-{outbox_id}",
        )
        notifier.send(message, supervisor.email, f"digest-{context['week']}-{supervisor.email}")
        digest.path = str(page)
        item.status, item.sent_at, item.attempts = "sent", now, item.attempts + 1
        audit.record(
            session,
            audit.SYSTEM,
            "digest.sent",
            "supervisor",
            supervisor.email,
            at=now,
            week=context["week"],
        )
        return "sent"
