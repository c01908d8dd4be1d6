"""The weekly compliance digest: exactly once per supervisor per ISO week.

The ISO week is taken in the district's time zone. A :class:`~monitor.storage.models.DigestSent`
row (unique per supervisor and week) and its outbox row are written in one transaction
before anything is sent, so a second scheduler, a redelivered message or a second
``make demo`` finds the row and sends nothing.

Every figure is computed for all accounts in scope at once: one bounded query per kind
(flags, comments of the week, overdue comments, incidents, trend, pending alerts, photos
waiting for analysis, comments of the week in a language the word lists do not cover),
never one query per account. Accounts whose polls a usage cap paused,
and accounts the platform refuses to serve (with what IT must grant), are listed apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from email.message import EmailMessage
from pathlib import Path
from statistics import median

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from detectors.langid import language_name
from detectors.rules import flag_title, rule_name
from monitor.access.scope import rules_counted
from monitor.core.app import App
from monitor.core.display import local_time
from monitor.core.domain import ACTIVE_FLAG, Role
from monitor.notify.base import DeliveryError, Notifier
from monitor.notify.outbox import send_once
from monitor.notify.render import email, render
from monitor.registry.acknowledge import standings
from monitor.registry.attestations import due_attestations
from monitor.storage import audit
from monitor.storage.models import (
    Account,
    Candidate,
    Comment,
    DigestSent,
    Flag,
    OutboxItem,
    Supervisor,
)
from monitor.storage.queries import (
    PhotoBacklog,
    covered_languages,
    photo_backlog,
    unchecked_languages,
    unreviewed,
)

DISTRICT_ROLES = (Role.COMMUNICATIONS, Role.IT)
ALL_RULES: ColumnElement[bool] = true()  # count the flags of every rule
OPEN = ACTIVE_FLAG
INCIDENT_RULES = ("pii.student", "language.prohibited")
TREND_WEEKS = 6
PENDING_LIMIT = 100
CHART = {"width": 360, "height": 140, "top": 16, "bottom": 28, "bar": 40, "gap": 20}


@dataclass(frozen=True)
class Week:
    """An ISO week in the district's time zone, with its UTC-comparable bounds."""

    start: datetime
    end: datetime

    @classmethod
    def containing(cls, moment: datetime, zone: tzinfo) -> Week:
        local = moment.astimezone(zone)
        monday = datetime.combine(local.date() - timedelta(days=local.weekday()), time())
        return cls._from_monday(monday, zone)

    @classmethod
    def _from_monday(cls, monday: datetime, zone: tzinfo | None) -> Week:
        """Local midnight to local midnight: wall-clock days, right across DST changes."""
        return cls(monday.replace(tzinfo=zone), (monday + timedelta(days=7)).replace(tzinfo=zone))

    @property
    def label(self) -> str:
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    def back(self, weeks: int) -> Week:
        monday = self.start.replace(tzinfo=None) - timedelta(days=7 * weeks)
        return Week._from_monday(monday, self.start.tzinfo)


@dataclass
class AccountLine:
    """One account's row in a digest."""

    account: Account
    open_flags: Counter[str] = field(default_factory=Counter)
    incidents: Counter[str] = field(default_factory=Counter)
    comments_in_week: int = 0
    review_hours: list[float] = field(default_factory=list)
    reviewed_in_window: int = 0
    overdue: int = 0
    photos: PhotoBacklog = field(default_factory=PhotoBacklog)
    unchecked: Counter[str] = field(default_factory=Counter)  # language code -> comments

    @property
    def unchecked_names(self) -> str:
        """ "Punjabi 14, Tagalog 2": comments first seen this week that were not checked for
        language, by language ("" if none)."""
        return ", ".join(f"{name} {n}" for name, n in _by_language(self.unchecked))

    @property
    def problems(self) -> int:
        return sum(self.open_flags.values())

    @property
    def identified(self) -> bool:
        return "account.unidentified" not in self.open_flags

    @property
    def public_flagged(self) -> bool:
        return "visibility.public" in self.open_flags

    @property
    def review_share(self) -> str:
        """Reviewed within the window, of the comments first seen this week ("-" if none)."""
        if not self.comments_in_week:
            return "-"
        share = 100 * self.reviewed_in_window / self.comments_in_week
        return f"{self.reviewed_in_window}/{self.comments_in_week} ({share:.0f}%)"

    @property
    def median_review_hours(self) -> str:
        return f"{median(self.review_hours):.1f}" if self.review_hours else "-"


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


def _count_open_flags(
    session: Session, lines: dict[int, AccountLine], rules: ColumnElement[bool]
) -> None:
    rows = session.execute(
        select(Flag.account_id, Flag.rule_id, func.count())
        .where(Flag.account_id.in_(list(lines)), Flag.status.in_(OPEN))
        .where(rules)
        .group_by(Flag.account_id, Flag.rule_id)
    )
    for account_id, rule_id, n in rows:
        lines[account_id].open_flags[rule_id] += n


def _review_times(
    session: Session, lines: dict[int, AccountLine], week: Week, window: timedelta
) -> None:
    """Comments first seen this week: how many were reviewed within the window, and how fast."""
    rows = session.execute(
        select(Comment.account_id, Comment.first_seen_at, Comment.reviewed_at).where(
            Comment.account_id.in_(list(lines)),
            Comment.by_account.is_(False),
            Comment.first_seen_at >= week.start,
            Comment.first_seen_at < week.end,
        )
    )
    for account_id, first_seen, reviewed in rows:
        line = lines[account_id]
        line.comments_in_week += 1
        if reviewed is None:
            continue
        took = reviewed - first_seen
        line.review_hours.append(took.total_seconds() / 3600)
        line.reviewed_in_window += took <= window


def _count_overdue(session: Session, lines: dict[int, AccountLine], before: datetime) -> None:
    rows = session.execute(
        select(Comment.account_id, func.count())
        .where(Comment.account_id.in_(list(lines)), unreviewed(seen_before=before))
        .group_by(Comment.account_id)
    )
    for account_id, n in rows:
        lines[account_id].overdue = n


def _count_incidents(session: Session, lines: dict[int, AccountLine], week: Week) -> None:
    rows = session.execute(
        select(Flag.account_id, Flag.rule_id, func.count())
        .where(
            Flag.account_id.in_(list(lines)),
            Flag.rule_id.in_(INCIDENT_RULES),
            Flag.first_seen_at >= week.start,
            Flag.first_seen_at < week.end,
        )
        .group_by(Flag.account_id, Flag.rule_id)
    )
    for account_id, rule_id, n in rows:
        lines[account_id].incidents[rule_id] += n


def _by_language(counts: Counter[str]) -> list[tuple[str, int]]:
    """``(English name, count)``, most first, then by name."""
    named = Counter({language_name(code): n for code, n in counts.items()})
    return sorted(named.items(), key=lambda pair: (-pair[1], pair[0]))


def unchecked_by_language(
    session: Session, lexicon_dir: str, week: Week, account_ids: Sequence[int] | None = None
) -> list[tuple[str, int]]:
    """``(English name, comments)`` first seen in ``week`` in a language the word lists of
    ``lexicon_dir`` do not cover, summed over ``account_ids`` (``None``: every account), most
    first, then by name: the digest's count, for the console, the CLI and the demo."""
    covered = covered_languages(lexicon_dir)
    total: Counter[str] = Counter()
    for counts in unchecked_languages(session, covered, week.start, week.end, account_ids).values():
        total.update(counts)
    return _by_language(total)


def _lines(
    session: Session,
    accounts: list[Account],
    week: Week,
    now: datetime,
    window: timedelta,
    covered: frozenset[str] = frozenset(),
    rules: ColumnElement[bool] = ALL_RULES,
) -> list[AccountLine]:
    """Each account's line; only flags matching ``rules`` count (see :func:`digest_context`)."""
    lines = {a.id: AccountLine(a) for a in accounts}
    if lines:
        for account_id, counts in unchecked_languages(
            session, covered, week.start, week.end, list(lines)
        ).items():
            lines[account_id].unchecked = counts
        _count_open_flags(session, lines, rules)
        _review_times(session, lines, week, window)
        _count_overdue(session, lines, now - window)
        _count_incidents(session, lines, week)
        for account_id, backlog in photo_backlog(session, list(lines)).items():
            lines[account_id].photos = backlog
    return list(lines.values())


def trend(
    session: Session, account_ids: list[int], week: Week, rules: ColumnElement[bool] = ALL_RULES
) -> list[tuple[str, int]]:
    """Flags first seen in each of the last six ISO weeks (oldest first), one query."""
    weeks = [week.back(n) for n in range(TREND_WEEKS - 1, -1, -1)]
    counts = dict.fromkeys((w.label for w in weeks), 0)
    seen = session.scalars(
        select(Flag.first_seen_at).where(
            Flag.account_id.in_(account_ids),
            Flag.first_seen_at >= weeks[0].start,
            Flag.first_seen_at < week.end,
            rules,
        )
    )
    zone = week.start.tzinfo
    for moment in seen:
        label = Week.containing(moment, zone).label if zone else ""
        if label in counts:
            counts[label] += 1
    return list(counts.items())


def chart(points: list[tuple[str, int]]) -> dict[str, object]:
    """Bar geometry for the inline SVG: no JavaScript, no external resources."""
    c = CHART
    plot = c["height"] - c["top"] - c["bottom"]
    peak = max((n for _, n in points), default=0) or 1
    bars = []
    for i, (label, n) in enumerate(points):
        height = round(plot * n / peak)
        x = c["gap"] + i * (c["bar"] + c["gap"])
        bars.append(
            {"label": label, "count": n, "x": x, "height": height, "y": c["top"] + plot - height}
        )
    summary = ", ".join(f"{label}: {n}" for label, n in points)
    return {
        **c,
        "width": c["gap"] + len(points) * (c["bar"] + c["gap"]),
        "bars": bars,
        "baseline": c["top"] + plot,
        "alt": f"Flags raised per ISO week, last {len(points)} weeks: {summary}",
    }


def pending_alerts(
    session: Session, account_ids: list[int], zone: tzinfo, rules: ColumnElement[bool] = ALL_RULES
) -> list[dict[str, object]]:
    """Alerts about these accounts still waiting in the outbox (bounded)."""
    rows = session.execute(
        select(OutboxItem, Flag, Account.handle)
        .join(Flag, OutboxItem.flag_id == Flag.id)
        .join(Account, Flag.account_id == Account.id)
        .where(OutboxItem.status == "pending", Flag.account_id.in_(account_ids))
        .where(rules)
        .order_by(OutboxItem.created_at, OutboxItem.id)
        .limit(PENDING_LIMIT)
    )
    return [
        {
            "handle": handle,
            "rule": flag.rule_id,
            "rule_name": rule_name(flag.rule_id),
            "title": flag_title(flag, handle),
            "severity": flag.severity,
            "since": local_time(item.created_at, zone),
            "attempts": item.attempts,
            "error": item.last_error,
        }
        for item, flag, handle in rows
    ]


def digest_context(
    session: Session, app: App, supervisor: Supervisor, now: datetime
) -> dict[str, object]:
    zone = app.settings.timezone
    local = now.astimezone(zone)
    week = Week.containing(now, zone)
    window = app.settings.review_window
    covered = covered_languages(app.settings.detection.lexicon_dir)
    # Signs of self-harm are for the principal, a counsellor and an administrator only: the
    # district-wide digests of communications and IT do not even count them (as their
    # console does not list them).
    rules = rules_counted(supervisor.role)
    lines = _lines(
        session, accounts_in_scope(session, supervisor), week, now, window, covered, rules
    )
    ids = [ln.account.id for ln in lines]
    unchecked: Counter[str] = sum((ln.unchecked for ln in lines), Counter())
    stale_before = now - app.settings.stale_after
    owners = [ln.account.owner_email for ln in lines]
    found = select(Candidate).where(Candidate.status == "new").order_by(Candidate.first_seen_at)
    if supervisor.role not in DISTRICT_ROLES:
        found = found.where(Candidate.org_unit_id == supervisor.org_unit_id)
    checks = due_attestations(session, [ln.account for ln in lines], local.date(), app.settings)
    accounts = [ln.account for ln in lines]
    return {
        "ack": standings(session, app.settings, owners, now),
        "procedure_version": app.settings.procedure.version,
        "candidates": list(session.scalars(found.limit(PENDING_LIMIT))),
        "discovery_page": f"{app.settings.web.base_url}/discovery",
        "supervisor": supervisor,
        "week": week.label,
        "generated": local_time(now, zone),
        "review_window_hours": f"{window.total_seconds() / 3600:g}",
        "lines": lines,
        "manual": [ln.account for ln in lines if ln.account.status == "manual"],
        # Manual checks (accounts with no API): those due, and those that still count.
        "checks_due": [d for d in checks if d.is_due],
        "checks_done": [d for d in checks if not d.is_due],
        "attestation_days": f"{app.settings.manual_attestation_days:g}",
        # Delivery errors are IT's to read; a principal's digest says only "not yet".
        "show_errors": supervisor.role in DISTRICT_ROLES,
        "broken": [ln.account for ln in lines if ln.account.status == "credentials_broken"],
        "stale": [  # not those listed as paused or unreachable, with their reason
            a
            for a in accounts
            if a.status == "active"
            and a.paused_until is None
            and a.last_poll_outcome in ("", "ok")
            and (a.last_polled_at or stale_before) <= stale_before
        ],
        "paused": [_paused(a) for a in accounts if a.paused_until is not None],
        "unreachable": [
            a
            for a in accounts
            if a.status == "active"
            and a.paused_until is None
            and a.last_poll_outcome not in ("", "ok")
        ],
        "photos_waiting": sum(ln.photos.waiting for ln in lines),
        # Comments first seen this week in a language the word lists do not cover.
        "unchecked": _by_language(unchecked),
        "total_open": sum(ln.problems for ln in lines),
        "total_overdue": sum(ln.overdue for ln in lines),
        "chart": chart(trend(session, ids, week, rules)),
        "pending": pending_alerts(session, ids, zone, rules),
    }


def _paused(account: Account) -> dict[str, object]:
    until = account.paused_until
    return {
        "handle": account.handle,
        "key": account.key,
        "platform": account.platform,
        "reason": account.pause_reason or "usage cap used up",
        "until": f"{until:%Y-%m-%d %H:%M} UTC" if until else "",
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


def write_preview(app: App, supervisor: Supervisor, now: datetime, out: Path) -> Path:
    """Write this week's digest for ``supervisor`` to ``out`` (a file, or a folder to put
    ``<week>-<email>.html`` in); nothing is claimed or sent."""
    with app.sessions() as session:
        context = digest_context(session, app, session.get_one(Supervisor, supervisor.id), now)
        _, html = render("digest", **context)
    path = out / f"{context['week']}-{supervisor.email}.html" if out.is_dir() else out
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def deliver_digest(app: App, outbox_id: int, now: datetime, notifier: Notifier) -> str:
    """Render and send a claimed digest; the outbox row turns ``sent`` only once it is out.

    Raises:
        DeliveryError: the channel failed (recorded on the outbox row; the actor retries).
    """
    if not send_once(app, DigestJob(app, outbox_id, now), notifier, now):
        raise DeliveryError(f"digest {outbox_id}: not delivered yet")
    return "sent"


class DigestJob:
    """One supervisor's digest for one week: its outbox row and its ``digests_sent`` row."""

    def __init__(self, app: App, outbox_id: int, now: datetime) -> None:
        self.app, self.outbox_id, self.now = app, outbox_id, now
        self.what = f"digest {outbox_id}"
        self.page = self.week = ""  # set by render; kept for recording again after a failure

    def _digest(self, session: Session) -> DigestSent:
        return session.scalars(
            select(DigestSent).where(DigestSent.outbox_id == self.outbox_id)
        ).one()

    def lock(self, session: Session) -> list[OutboxItem]:
        item = session.get_one(OutboxItem, self.outbox_id, with_for_update=True)
        return [] if item.status == "sent" else [item]

    def render(self, session: Session) -> tuple[EmailMessage, str, str]:
        supervisor = session.get_one(Supervisor, self._digest(session).supervisor_id)
        context = digest_context(session, self.app, supervisor, self.now)
        text, html = render("digest", **context)
        folder = self.app.settings.digest_dir / str(context["week"])
        folder.mkdir(parents=True, exist_ok=True)
        page = folder / f"{supervisor.email}.html"
        page.write_text(html, encoding="utf-8")
        self.page, self.week = str(page), str(context["week"])
        subject = (
            f"[Hallwatch] Weekly compliance digest {context['week']}: "
            f"{context['total_open']} open flag(s)"
        )
        message = email(
            self.app.settings.delivery.from_address,
            supervisor.email,
            subject,
            text,
            html,
            f"hallwatch-digest-{self.outbox_id}",
        )
        return message, supervisor.email, f"digest-{context['week']}-{supervisor.email}"

    def sent(self, session: Session, rows: list[OutboxItem], location: str, now: datetime) -> None:
        digest = self._digest(session)
        supervisor = session.get_one(Supervisor, digest.supervisor_id)
        digest.path = self.page
        for item in rows:
            item.status, item.sent_at, item.last_error = "sent", now, ""
        audit.record(
            session,
            audit.SYSTEM,
            "digest.sent",
            "supervisor",
            supervisor.email,
            at=now,
            week=self.week,
        )
