"""``hallwatch demo``: the whole pipeline on the bundled sandbox district.

It imports the registry, then polls every account twice on a simulated clock: on "day one"
and on "the next day", when the comments nobody reviewed have passed the 24-hour window.
Polls, the review sweep, delivery and the weekly digest all go through Dramatiq (the
in-memory broker and an in-process worker). Running it again adds nothing: every flag,
alert and digest is already on record.
"""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from detectors.langid import language_name
from monitor.access.users import add_user, find
from monitor.core.app import App
from monitor.core.domain import Role
from monitor.core.settings import KNOWN, Settings
from monitor.jobs.broker import in_process_worker, make_broker
from monitor.jobs.tasks import Tasks
from monitor.notify.digest import Week, unchecked_by_language
from monitor.records.acknowledge import acknowledge
from monitor.registry import accounts as registry
from monitor.registry.admins import import_directory
from monitor.registry.counsellors import counsellor_for
from monitor.registry.roster import import_consents, import_roster
from monitor.storage.db import open_app
from monitor.storage.models import (
    Account,
    Candidate,
    Comment,
    Delivery,
    DigestSent,
    Flag,
    OutboxItem,
)

# The bundled district, next to the package in a checkout (whatever the working folder).
DEFAULT_DISTRICT = Path(__file__).resolve().parents[2] / "examples" / "sandbox-district"
REGISTRY_FILES = (
    ("orgs", "org-units.csv"),
    ("supervisors", "supervisors.csv"),
    ("accounts", "accounts.csv"),
)
STEPS = (("day one", 20), ("next day", 45))  # hours after the scenario's start
# Owners who open the acknowledgement e-mail on day one and confirm (the demo clicks for
# them); everyone else has not answered by the next day.
ACKNOWLEDGING = (
    "comms@fvsd.example.ca",
    "office.riverside@fvsd.example.ca",
    "h.dhaliwal@fvsd.example.ca",
    "office.mountain@fvsd.example.ca",
    "athletics@fvsd.example.ca",
)
QUEUES = ("poll", "deliver", "sweep", "deliver", "digest", "deliver")


@dataclass
class DemoReport:
    """What the demo did, for printing and for tests."""

    new_flags: int = 0
    total_flags: int = 0
    by_rule_account: Counter[tuple[str, str]] = field(default_factory=Counter)
    imported: dict[str, registry.ImportResult] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)
    new_digests: int = 0
    week: str = ""
    dead_letters: int = 0
    candidates: list[str] = field(default_factory=list)  # discovered, not registered
    acknowledged: int = 0
    unchecked: list[tuple[str, int]] = field(default_factory=list)  # (language, comments)
    care: list[str] = field(default_factory=list)  # signs of self-harm: who was told
    # Flags on comments in a language other than English: (rule, account, language name).
    other_languages: list[tuple[str, str, str]] = field(default_factory=list)


def demo_settings(settings: Settings, district: Path) -> Settings:
    """Overlay the district's ``district.toml`` on every setting the user left at its default."""
    with (district / "district.toml").open("rb") as handle:
        overlay = tomllib.load(handle)
    flat = {k: v for section, values in overlay.items() for k, v in _flat(section, values)}
    flat["sandbox.scenario"] = str(district / "scenario.json")
    changes = {
        k.replace(".", "__"): v
        for k, v in flat.items()
        if settings.value(k) == KNOWN[k].parse(KNOWN[k].default)
    }
    return settings.replace(**changes)


def _flat(section: str, values: Any) -> list[tuple[str, Any]]:
    if isinstance(values, dict):
        return [(f"{section}.{k}", v) for k, v in values.items()]
    return [(section, values)]


def import_registry(app: App, district: Path) -> dict[str, registry.ImportResult]:
    """The registry CSVs, then the roster and consents (stored as keyed hashes only)."""
    results = {}
    now = app.now()
    with app.sessions() as session, session.begin():
        for kind, name in REGISTRY_FILES:
            with (district / name).open(encoding="utf-8", newline="") as stream:
                results[kind] = registry.import_csv(
                    session, kind, stream, "demo", str(district / name)
                )
        if (district / "roster.csv").exists():
            with (district / "roster.csv").open(encoding="utf-8-sig", newline="") as stream:
                import_roster(session, app.settings, stream, "demo", now, source="roster.csv")
        if (district / "consent.csv").exists():
            with (district / "consent.csv").open(encoding="utf-8-sig", newline="") as stream:
                import_consents(session, app.settings, stream, "demo", now, source="consent.csv")
        if (district / "staff-directory.csv").exists():
            with (district / "staff-directory.csv").open(encoding="utf-8", newline="") as stream:
                import_directory(session, stream, "demo", now, "staff-directory.csv")
    return results


def _procedure_day_one(app: App, tasks: Tasks, at: datetime, report: DemoReport) -> None:
    """Ask owners to acknowledge, some confirm, and discovery reads the schools' sites."""
    as_of = at.isoformat()
    tasks.acknowledge_requests.send(as_of)
    _drain(tasks, ("procedure", "deliver"))
    with app.sessions() as session, session.begin():
        for email in ACKNOWLEDGING:
            acknowledge(session, app.settings, email, at, None, via="demo")
            report.acknowledged += 1
    tasks.discover.send(as_of)
    _drain(tasks, ("procedure", "deliver"))


def _procedure_next_day(app: App, tasks: Tasks, at: datetime) -> None:
    tasks.procedure_check.send(at.isoformat())
    _drain(tasks, ("procedure", "deliver"))


def _run_step(app: App, tasks: Tasks, at: datetime) -> int:
    as_of = at.isoformat()
    with app.sessions() as session:
        ids = list(session.scalars(select(Account.id).where(Account.status == "active")))
    for account_id in ids:
        tasks.poll_account.send(account_id, as_of)
    _drain(tasks, QUEUES[:2])
    tasks.review_sweep.send(as_of)
    _drain(tasks, QUEUES[2:4])
    return len(ids)


def _drain(tasks: Tasks, queues: tuple[str, ...]) -> None:
    for queue in queues:
        tasks.broker.join(queue, fail_fast=False)  # type: ignore[call-arg]


def run_demo(settings: Settings, district: Path = DEFAULT_DISTRICT) -> DemoReport:
    """Run the whole pipeline on ``district``; see the module docstring."""
    settings = demo_settings(settings, district)
    app = open_app(settings, migrate=True)
    report = DemoReport(imported=import_registry(app, district))
    before = _count(app, Flag.id)
    start = datetime.fromisoformat(json.loads((district / "scenario.json").read_text())["start"])
    # A scripted run: a failing message is reported at the end, not retried for minutes.
    tasks = Tasks(app, make_broker(settings.replace(broker_url="memory")), max_retries=0)
    worker = in_process_worker(tasks.broker)
    try:
        for label, hours in STEPS:
            at = start + timedelta(hours=hours)
            flags_before = _count(app, Flag.id)
            polled = _run_step(app, tasks, at)
            if hours == STEPS[0][1]:
                _procedure_day_one(app, tasks, at, report)
            else:
                _procedure_next_day(app, tasks, at)
            local = at.astimezone(settings.timezone)
            report.steps.append(
                f"{label} ({local:%a %Y-%m-%d %H:%M %Z}): polled {polled} account(s), "
                f"{_count(app, Flag.id) - flags_before} new flag(s)"
            )
        # The end of the alert window: grouped alerts go out, one message per recipient.
        tasks.relay((at + settings.group_window).isoformat())
        _drain(tasks, ("deliver",))
        digests_before = _count(app, DigestSent.id)
        tasks.weekly_digest.send(at.isoformat())
        _drain(tasks, QUEUES[4:])
        report.new_digests = _count(app, DigestSent.id) - digests_before
    finally:
        worker.stop()
    week = Week.containing(at, settings.timezone)
    report.week = week.label
    report.dead_letters = len(getattr(tasks.broker, "dead_letters", []))
    with app.sessions() as session:
        report.unchecked = unchecked_by_language(session, settings.detection.lexicon_dir, week)
        report.candidates = [
            f"{c.platform} {c.handle} ({c.source})"
            for c in session.scalars(select(Candidate).where(Candidate.status == "new"))
        ]
    _summarise(app, report, before)
    return report


def demo_clock(district: Path = DEFAULT_DISTRICT) -> Callable[[], datetime]:
    """The demo world's clock, stopped an hour after its last poll.

    The console serves the demo on it, so the flags' ages, overdue reviews and the alert
    e-mails' action links (which expire a week after their flag) read as they did then.
    """
    start = datetime.fromisoformat(json.loads((district / "scenario.json").read_text())["start"])
    stopped = start + timedelta(hours=STEPS[-1][1] + 1)
    return lambda: stopped


def _count(app: App, column: Any) -> int:
    with app.sessions() as session:
        return int(session.scalar(select(func.count(column))) or 0)


def _summarise(app: App, report: DemoReport, before: int) -> None:
    with app.sessions() as session:
        rows = session.execute(
            select(Flag.rule_id, Account.key).join(Account, Flag.account_id == Account.id)
        )
        report.by_rule_account = Counter((rule, key) for rule, key in rows)
        report.total_flags = sum(report.by_rule_account.values())
        report.care = _care_lines(app, session)
        report.other_languages = _other_language_flags(session)
    report.new_flags = report.total_flags - before


def _care_lines(app: App, session: Session) -> list[str]:
    """Each sign of self-harm, and to whom its alert went at once."""
    lines = []
    for flag in session.scalars(
        select(Flag).where(Flag.rule_id == "wellbeing.self_harm").order_by(Flag.id)
    ):
        item = session.scalars(select(OutboxItem).where(OutboxItem.flag_id == flag.id)).first()
        sent = session.scalars(
            select(Delivery.recipient)
            .where(Delivery.outbox_id == (item.id if item else -1))
            .where(Delivery.status == "delivered")
            .order_by(Delivery.id)
        ).all()
        counsellor = counsellor_for(app.settings, flag.account.org_unit)
        people = [f"{w} ({counsellor.described})" if w == counsellor.email else w for w in sent]
        grouped = item is not None and (item.deliver_after or item.created_at) > item.created_at
        lines.append(
            f"Signs of self-harm in a {flag.subject_type} on {flag.account.key}: alert sent "
            f"{'after grouping' if grouped else 'at once'} to {', '.join(people) or 'nobody yet'}"
        )
    return lines


def _other_language_flags(session: Session) -> list[tuple[str, str, str]]:
    """Flags raised on comments identified in a language other than English."""
    rows = session.execute(
        select(Flag.rule_id, Account.key, Comment.language)
        .join(Account, Flag.account_id == Account.id)
        .join(
            Comment,
            (Comment.account_id == Flag.account_id)
            & (Flag.subject_ref == "comment:" + Comment.external_id),
        )
        .where(Flag.subject_type == "comment")
        .where(Comment.language.not_in(("", "en", "und")))
        .order_by(Flag.id)
    )
    return [(rule, key, language_name(language)) for rule, key, language in rows]


def pending_alerts(app: App) -> int:
    with app.sessions() as session:
        return int(
            session.scalar(select(func.count(OutboxItem.id)).where(OutboxItem.status == "pending"))
            or 0
        )


# Demo sign-ins for the console (a fictional district on the local machine only).
DEMO_PASSWORD = "hallwatch-demo"
DEMO_USERS = (
    ("admin@fvsd.example.ca", DEMO_PASSWORD, Role.ADMIN, ()),
    ("principal.riverside@fvsd.example.ca", DEMO_PASSWORD, Role.SUPERVISOR, ("RIV",)),
    ("counsellor.riverside@fvsd.example.ca", DEMO_PASSWORD, Role.COUNSELLOR, ("RIV",)),
)


def demo_users(app: App) -> int:
    """Create the demo's console users if missing; returns how many were created."""
    created = 0
    with app.sessions() as session, session.begin():
        for email, password, role, orgs in DEMO_USERS:
            if find(session, email) is None:
                add_user(session, email, role, password, "demo", app.now(), list(orgs))
                created += 1
    return created
