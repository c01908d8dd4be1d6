"""Is Hallwatch working? The facts `hallwatch status` shows and the console's /metrics exports.

Everything comes from the database (whichever worker or machine did the work) and the
broker, with one bounded query per kind of fact, never one per account. :func:`problems`
turns the facts into what needs a person, each with a level:

- ``critical``: the database cannot be reached or its schema is not this code's; the broker
  (or the API budgets' Redis) cannot be reached; a platform with active accounts has had no
  successful poll for ``[status] poll_silence_minutes``; an alert has been due and not
  delivered for ``[status] alert_wait_minutes``; stored credentials no configured key reads.
- ``warning``: broken credentials; accounts not checked within twice their interval; a
  platform's daily API quota used up; deliveries failing; dead-lettered messages; the
  weekly digest overdue; a key rotation not finished; the scheduler silent for over an hour.

No fact names a person: accounts appear by their registry key and platform only.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

import connectors
from monitor.core.app import App
from monitor.core.domain import ACTIVE_FLAG
from monitor.core.keys import key_id
from monitor.jobs import broker
from monitor.jobs.health import Check, broker_checks, database_checks
from monitor.jobs.scheduler import DIGEST_HOUR, DIGEST_WEEKDAY
from monitor.registry import usage
from monitor.registry.connect import serving_connector
from monitor.registry.counsellors import HOW_TO_SET, units_without_counsellor
from monitor.registry.roster import roster_on_old_key
from monitor.registry.secrets import KeyUse, key_use
from monitor.storage.models import (
    Account,
    ApiUsage,
    Delivery,
    DigestSent,
    Flag,
    OutboxItem,
    PollCount,
    ScheduleSlot,
    Supervisor,
)

log = logging.getLogger(__name__)
CRITICAL, WARNING = "critical", "warning"
LEVELS = ("ok", WARNING, CRITICAL)
LATE_INTERVALS = 2  # an account not checked within twice its poll interval is late
SCHEDULER_SILENT = timedelta(minutes=70)  # it claims the review sweep every hour
DIGEST_GRACE = timedelta(hours=2)


@dataclass
class PlatformFacts:
    """One platform: its watched accounts, polls and API use."""

    platform: str
    watched: int = 0  # active accounts polled through an API
    last_ok: datetime | None = None  # the newest successful poll of any of its accounts
    silent_since: datetime | None = None  # last_ok, else when its first account was added
    polls_today: Counter[str] = field(default_factory=Counter)  # by outcome, UTC day
    polls_total: Counter[str] = field(default_factory=Counter)
    requests_today: int = 0
    units_today: int = 0
    requests_total: int = 0
    units_total: int = 0
    allowance: int | None = None  # daily quota units, where the platform has one
    quota_exhausted: bool = False


@dataclass(frozen=True)
class AccountRef:
    """An account as status shows it: its registry key, never its handle or owner."""

    key: str
    platform: str
    since: datetime | None = None  # last successful poll
    outcome: str = ""


@dataclass(frozen=True)
class Problem:
    """Something that needs a person, and what to do."""

    level: str
    text: str


@dataclass
class Status:
    """Every fact, as of ``at``."""

    at: datetime
    checks: list[Check] = field(default_factory=list)
    queues: dict[str, broker.QueueDepth] | None = None
    platforms: dict[str, PlatformFacts] = field(default_factory=dict)
    accounts: Counter[tuple[str, str]] = field(default_factory=Counter)  # (platform, state)
    late: list[AccountRef] = field(default_factory=list)
    broken: list[AccountRef] = field(default_factory=list)
    paused: list[tuple[AccountRef, datetime]] = field(default_factory=list)  # until when
    outbox_due: Counter[str] = field(default_factory=Counter)  # pending and due, by kind
    outbox_waiting: Counter[str] = field(default_factory=Counter)  # in a grouping window
    oldest_due: datetime | None = None
    deliveries: Counter[tuple[str, str]] = field(default_factory=Counter)  # (channel, outcome)
    flags: Counter[tuple[str, str, bool]] = field(default_factory=Counter)  # (rule, sev., open)
    next_digest: datetime | None = None
    last_digest: datetime | None = None
    digest_overdue: bool = False
    scheduler_claimed: datetime | None = None
    key: str = ""
    previous_keys: int = 0
    credentials: KeyUse | None = None
    roster_on_old_key: bool = False
    no_counsellor: list[str] = field(default_factory=list)  # unit codes (signs of self-harm)

    def check(self, name: str) -> str:
        return next((c.state for c in self.checks if c.name == name), "")

    @property
    def database_ok(self) -> bool:
        return self.check("database") == "ok"


def gather(app: App, now: datetime | None = None, keys: bool = True) -> Status:
    """All the facts; ``keys``: also which key each stored credential is under (it
    decrypts them all: for `hallwatch status`, not for every Prometheus scrape)."""
    now = now or app.now()
    settings = app.settings
    status = Status(at=now, checks=database_checks(settings) + broker_checks(settings))
    status.key = key_id(settings.master_key)
    status.previous_keys = len(settings.previous_secret_keys)
    if status.check("broker") == "ok":
        try:
            status.queues = broker.queue_depths(settings.broker_url)
        except Exception:  # went away between the two calls
            status.checks = [c for c in status.checks if c.name != "broker"]
            status.checks.append(Check("broker", "unreachable"))
    if not status.database_ok:
        return status
    try:
        with app.sessions() as session:
            _accounts(app, session, status)
            _polls(session, status)
            _api_usage(app, session, status)
            _outbox(session, status)
            _flags(session, status)
            _digest(app, session, status)
            status.scheduler_claimed = _last_sweep_claim(session)
            status.no_counsellor = units_without_counsellor(session, settings)
            if keys:
                status.credentials = key_use(session, settings)
                status.roster_on_old_key = roster_on_old_key(session, settings)
        for facts in status.platforms.values():  # its own session: after ours has closed
            if facts.allowance is not None:
                wait = usage.seconds_until_quota_resets(app, facts.platform, now)
                facts.quota_exhausted = wait is not None
    except SQLAlchemyError as exc:
        log.warning("status: the database failed a query (%s)", type(exc).__name__)
        state = "unreachable" if isinstance(exc, OperationalError) else "error"
        status.checks = [c for c in status.checks if c.name not in ("database", "migrations")]
        status.checks[:0] = [Check("database", state), Check("migrations", "unknown")]
    return status


def _platform(status: Status, name: str) -> PlatformFacts:
    return status.platforms.setdefault(name, PlatformFacts(name))


def _accounts(app: App, session: Session, status: Status) -> None:
    now, late_after = status.at, app.settings.poll_interval * LATE_INTERVALS
    rows = session.execute(
        select(
            Account.key,
            Account.platform,
            Account.status,
            Account.last_polled_at,
            Account.registered_at,
            Account.last_poll_outcome,
            Account.paused_until,
        ).order_by(Account.key)
    )
    first_added: dict[str, datetime] = {}
    for key, platform, state, polled, added, outcome, paused_until in rows:
        if state == "active" and paused_until is not None and paused_until > now:
            # a usage cap pauses its polls until then: not late, and its platform not silent
            status.accounts[(platform, "paused")] += 1
            status.paused.append((AccountRef(key, platform, polled, outcome), paused_until))
            continue
        status.accounts[(platform, state)] += 1
        facts = _platform(status, platform)
        if polled is not None and (facts.last_ok is None or polled > facts.last_ok):
            facts.last_ok = polled
        if state == "credentials_broken":
            status.broken.append(AccountRef(key, platform, polled, outcome))
        if state != "active" or not _has_api(app, platform):
            continue
        facts.watched += 1
        if added is not None and (platform not in first_added or added < first_added[platform]):
            first_added[platform] = added
        checked = polled or added
        if checked is None or now - checked > late_after:
            status.late.append(AccountRef(key, platform, polled, outcome))
    for facts in status.platforms.values():
        facts.silent_since = facts.last_ok or first_added.get(facts.platform)


def _has_api(app: App, platform: str) -> bool:
    try:
        return connectors.capabilities(serving_connector(app, platform)).has_api
    except connectors.UnknownPlatform:
        return False


def _polls(session: Session, status: Status) -> None:
    today = status.at.astimezone(UTC).date()
    rows = session.execute(
        select(PollCount.platform, PollCount.outcome, PollCount.day, PollCount.polls)
    )
    for platform, outcome, day, polls in rows:
        facts = _platform(status, platform)
        facts.polls_total[outcome] += polls
        if day == today:
            facts.polls_today[outcome] += polls


def _api_usage(app: App, session: Session, status: Status) -> None:
    totals = session.execute(
        select(ApiUsage.platform, func.sum(ApiUsage.requests), func.sum(ApiUsage.units)).group_by(
            ApiUsage.platform
        )
    )
    for platform, requests, units in totals:
        facts = _platform(status, platform)
        facts.requests_total, facts.units_total = int(requests or 0), int(units or 0)
        today = session.execute(
            select(ApiUsage.requests, ApiUsage.units).where(
                ApiUsage.platform == platform,
                ApiUsage.day == usage.usage_day(platform, status.at),
            )
        ).one_or_none()
        facts.requests_today, facts.units_today = today or (0, 0)
    for facts in status.platforms.values():
        quota = usage.daily_quota(facts.platform)
        if quota is not None and quota.units is not None:
            limit = usage.ALLOWANCE.get(facts.platform)
            facts.allowance = limit(app.settings) if limit else quota.units


def _outbox(session: Session, status: Status) -> None:
    pending = OutboxItem.status == "pending"
    due = OutboxItem.deliver_after.is_(None) | (OutboxItem.deliver_after <= status.at)
    for kind, is_due, count in session.execute(
        select(OutboxItem.kind, due, func.count()).where(pending).group_by(OutboxItem.kind, due)
    ):
        (status.outbox_due if is_due else status.outbox_waiting)[kind] += count
    oldest = [
        session.scalar(
            select(func.min(OutboxItem.created_at)).where(
                pending, OutboxItem.deliver_after.is_(None)
            )
        ),
        session.scalar(
            select(func.min(OutboxItem.deliver_after)).where(
                pending, OutboxItem.deliver_after <= status.at
            )
        ),
    ]
    status.oldest_due = min((t for t in oldest if t is not None), default=None)
    failing = Delivery.last_error != ""
    for channel, state, has_error, count in session.execute(
        select(Delivery.channel, Delivery.status, failing, func.count()).group_by(
            Delivery.channel, Delivery.status, failing
        )
    ):
        outcome = "delivered" if state == "delivered" else "failing" if has_error else "pending"
        status.deliveries[(channel, outcome)] += count


def _flags(session: Session, status: Status) -> None:
    for rule, severity, state, count in session.execute(
        select(Flag.rule_id, Flag.severity, Flag.status, func.count()).group_by(
            Flag.rule_id, Flag.severity, Flag.status
        )
    ):
        status.flags[(rule, severity, state in ACTIVE_FLAG)] += count


def _digest(app: App, session: Session, status: Status) -> None:
    """The next weekly digest (Monday 07:00 district time), the last one, and whether this
    week's is overdue."""
    zone = app.settings.timezone
    local = status.at.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday() - DIGEST_WEEKDAY)
    slot = datetime.combine(monday, time(DIGEST_HOUR), tzinfo=zone).astimezone(UTC)
    year, week, _ = local.isocalendar()
    made = session.scalar(
        select(func.count(DigestSent.id)).where(
            DigestSent.iso_year == year, DigestSent.iso_week == week
        )
    )
    status.last_digest = session.scalar(select(func.max(DigestSent.created_at)))
    if status.at < slot or not made:
        status.next_digest = slot
    else:
        next_monday = datetime.combine(monday + timedelta(days=7), time(DIGEST_HOUR), tzinfo=zone)
        status.next_digest = next_monday.astimezone(UTC)
    supervisors = session.scalar(select(func.count(Supervisor.id))) or 0
    status.digest_overdue = bool(supervisors and not made and status.at > slot + DIGEST_GRACE)


def _last_sweep_claim(session: Session) -> datetime | None:
    """When the scheduler last claimed the hourly review sweep (keys sort by time)."""
    return session.scalar(
        select(ScheduleSlot.claimed_at)
        .where(ScheduleSlot.key >= "sweep:", ScheduleSlot.key < "sweep;")
        .order_by(ScheduleSlot.key.desc())
        .limit(1)
    )


def ago_text(delta: timedelta) -> str:
    """``42 min``, ``5 h``, ``3 days``."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h" if minutes < 48 * 60 else f"{minutes // 1440} days"


def problems(app: App, status: Status) -> list[Problem]:
    """What needs a person, most urgent first (see the module docstring)."""
    found = [_check_problem(check) for check in status.checks if not check.ok]
    if not status.database_ok:
        return found
    settings = app.settings
    silence = timedelta(minutes=settings.status.poll_silence_minutes)
    for facts in sorted(status.platforms.values(), key=lambda f: f.platform):
        quota = " (its daily API quota is used up)" if facts.quota_exhausted else ""
        since = facts.silent_since
        if facts.watched and (since is None or status.at - since > silence):
            ago = f"for {ago_text(status.at - since)}" if since else "ever"
            found.append(Problem(CRITICAL, f"no successful {facts.platform} poll {ago}{quota}"))
        elif facts.watched and facts.quota_exhausted:
            found.append(Problem(WARNING, f"{facts.platform}: the daily API quota is used up"))
    if status.oldest_due is not None:
        waited = status.at - status.oldest_due
        if waited > timedelta(minutes=settings.status.alert_wait_minutes):
            found.append(
                Problem(
                    CRITICAL,
                    f"an alert has waited {ago_text(waited)} to be delivered: are the workers "
                    "running, and can they reach the mail server?",
                )
            )
    if status.credentials and status.credentials.unreadable:
        found.append(
            Problem(
                CRITICAL,
                f"{status.credentials.unreadable} account(s)' credentials cannot be decrypted "
                "with any configured key: put the old key back in previous_secret_keys, or "
                "set their credentials again",
            )
        )
    found += _warnings(app, status)
    return sorted(found, key=lambda p: LEVELS.index(p.level), reverse=True)


def _check_problem(check: Check) -> Problem:
    advice = f": {check.advice}" if check.advice else ""
    return Problem(CRITICAL, f"{check.name} {check.state}{advice}")


def _warnings(app: App, status: Status) -> list[Problem]:
    found = []
    if status.broken:
        found.append(
            Problem(
                WARNING,
                f"{len(status.broken)} account(s) have broken credentials: reconnect each "
                "with `hallwatch accounts credentials KEY`",
            )
        )
    if status.paused:
        until = max(when for _, when in status.paused)
        found.append(
            Problem(
                WARNING,
                f"{len(status.paused)} account(s)' polls are paused by a platform's usage cap "
                f"until {until:%Y-%m-%d %H:%M} UTC at the latest: raise the plan and run "
                "`hallwatch accounts resume`, or wait",
            )
        )
    if status.late:
        found.append(
            Problem(
                WARNING,
                f"{len(status.late)} account(s) not checked within twice their poll interval",
            )
        )
    failing = sum(n for (_, outcome), n in status.deliveries.items() if outcome == "failing")
    if failing:
        found.append(Problem(WARNING, f"{failing} delivery(ies) failing: see their last error"))
    dead = sum(q.dead for q in (status.queues or {}).values())
    if dead:
        found.append(Problem(WARNING, f"{dead} message(s) failed every retry (dead letters)"))
    if status.digest_overdue:
        found.append(
            Problem(WARNING, "this week's digest has not been made: is the scheduler running?")
        )
    if status.credentials and status.credentials.previous:
        found.append(
            Problem(
                WARNING,
                f"{status.credentials.previous} account(s)' credentials are still under an old "
                "key: run `hallwatch secrets rotate`",
            )
        )
    elif status.previous_keys and status.credentials is not None and not status.roster_on_old_key:
        found.append(
            Problem(
                WARNING, "the key rotation is done: remove the old key from previous_secret_keys"
            )
        )
    if status.roster_on_old_key:
        found.append(
            Problem(
                WARNING, "the student roster is under an old key: import roster and consents again"
            )
        )
    if status.no_counsellor:
        units = ", ".join(status.no_counsellor[:10]) + (
            "..." if len(status.no_counsellor) > 10 else ""
        )
        found.append(
            Problem(
                WARNING,
                f"{len(status.no_counsellor)} unit(s) with accounts have no counsellor contact "
                f"({units}): a sign of self-harm there reaches only the principal; "
                f"{HOW_TO_SET}",
            )
        )
    watched = sum(f.watched for f in status.platforms.values())
    claimed = status.scheduler_claimed
    if watched and (claimed is None or status.at - claimed > SCHEDULER_SILENT):
        when = f"for {ago_text(status.at - claimed)}" if claimed else "ever"
        found.append(
            Problem(WARNING, f"the scheduler has not run its hourly sweep {when}: is it running?")
        )
    return found


def level(found: list[Problem]) -> str:
    """The worst level among ``found`` (``ok`` when nothing needs a person)."""
    return max((p.level for p in found), key=LEVELS.index, default="ok")
