"""``hallwatch status`` (is it working?) and ``hallwatch health`` (readiness and liveness).

``hallwatch status`` exits like a monitoring plugin (Nagios, Icinga, Zabbix agents):
0 nothing needs a person, 1 a warning, 2 something critical, 3 the status could not be
read (bad settings). :mod:`monitor.jobs.status` lists what is critical and what a warning.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from typing import Any

import click

from monitor.cli.base import Ctx, main, pass_ctx, safe_url
from monitor.core import heartbeat
from monitor.core.app import App
from monitor.jobs.health import readiness
from monitor.jobs.status import (
    CRITICAL,
    WARNING,
    Problem,
    Status,
    ago_text,
    gather,
    level,
    problems,
)

EXIT = {"ok": 0, WARNING: 1, CRITICAL: 2}
UNKNOWN = 3
SHOWN = 10  # accounts listed by name in the text form; --format json lists them all


@main.command("status")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_ctx
def status_command(ctx: Ctx, fmt: str) -> None:
    """One screen for IT: is Hallwatch working?

    Last poll per platform, accounts not checked in time, broken credentials, the queue,
    alerts waiting, the next digest, the key in use, the database and its migrations.
    Exit status: 0 all well, 1 a warning, 2 critical, 3 unknown (see docs/operations.md).
    """
    try:
        settings = ctx.settings
    except click.ClickException as exc:
        click.echo(f"UNKNOWN: {exc.message}", err=True)
        sys.exit(UNKNOWN)
    app = ctx.app()  # never migrates: a database behind is something to report
    facts = gather(app)
    found = problems(app, facts)
    worst = level(found)
    if fmt == "json":
        click.echo(json.dumps(as_json(app, facts, found, worst), indent=2))
    else:
        click.echo(as_text(app, facts, found, worst, settings.timezone))
    sys.exit(EXIT[worst])


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def as_json(app: App, facts: Status, found: list[Problem], worst: str) -> dict[str, Any]:
    """The status as a JSON object (the same facts as the text form, all accounts listed)."""
    accounts: dict[str, int] = {}
    for (_, state), count in facts.accounts.items():
        accounts[state] = accounts.get(state, 0) + count
    return {
        "at": _iso(facts.at),
        "level": worst,
        "exit_code": EXIT[worst],
        "problems": [{"level": p.level, "text": p.text} for p in found],
        "checks": {c.name: c.state for c in facts.checks},
        "database_url": safe_url(app.settings.database_url),
        "broker_url": safe_url(app.settings.broker_url)
        if "://" in app.settings.broker_url
        else app.settings.broker_url,
        "platforms": [
            {
                "platform": f.platform,
                "watched_accounts": f.watched,
                "last_successful_poll": _iso(f.last_ok),
                "polls_today_utc": dict(f.polls_today),
                "api_requests_today": f.requests_today,
                "quota_units_today": f.units_today,
                "quota_allowance": f.allowance,
                "quota_exhausted": f.quota_exhausted,
            }
            for f in sorted(facts.platforms.values(), key=lambda f: f.platform)
        ],
        "accounts": {
            "by_state": accounts,
            "late": [_ref(r) for r in facts.late],
            "broken_credentials": [_ref(r) for r in facts.broken],
            "paused": [{**_ref(r), "until": _iso(until)} for r, until in facts.paused],
        },
        "queues": None
        if facts.queues is None
        else {q: vars(d) for q, d in sorted(facts.queues.items())},
        "alerts": {
            "due": dict(facts.outbox_due),
            "waiting_for_grouping": dict(facts.outbox_waiting),
            "oldest_due_seconds": round((facts.at - facts.oldest_due).total_seconds())
            if facts.oldest_due
            else None,
            "deliveries": {f"{c}:{o}": n for (c, o), n in sorted(facts.deliveries.items())},
        },
        "digest": {
            "next": _iso(facts.next_digest),
            "last": _iso(facts.last_digest),
            "overdue": facts.digest_overdue,
        },
        "key": {
            "id": facts.key,
            "previous_keys": facts.previous_keys,
            "credentials": vars(facts.credentials) if facts.credentials else None,
            "roster_on_old_key": facts.roster_on_old_key,
        },
        "scheduler": {"last_sweep_claimed": _iso(facts.scheduler_claimed)},
    }


def _ref(ref: Any) -> dict[str, Any]:
    return {
        "key": ref.key,
        "platform": ref.platform,
        "last_successful_poll": _iso(ref.since),
        "last_outcome": ref.outcome,
    }


def as_text(app: App, facts: Status, found: list[Problem], worst: str, zone: Any) -> str:
    """The one screen."""

    def when(moment: datetime | None) -> str:
        if moment is None:
            return "never"
        delta = facts.at - moment
        ago = f"{ago_text(delta)} ago" if delta >= timedelta(0) else f"in {ago_text(-delta)}"
        return f"{moment.astimezone(zone):%a %Y-%m-%d %H:%M %Z} ({ago})"

    lines = [f"Hallwatch status: {worst.upper()}   {facts.at.astimezone(zone):%Y-%m-%d %H:%M %Z}"]
    lines += [f"  {p.level.upper():8} {p.text}" for p in found] or ["  nothing needs a person"]
    checks = ", ".join(f"{c.name} {c.state}" for c in facts.checks)
    lines += ["", f"Services   {checks}", f"  database {safe_url(app.settings.database_url)}"]
    if not facts.database_ok:
        return "\n".join(lines)
    lines += ["", _polls_table(facts, when), ""]
    lines += _accounts_lines(facts)
    lines += [""] + _work_lines(facts, when)
    return "\n".join(lines)


def _polls_table(facts: Status, when: Any) -> str:
    rows = [("Polls", "accounts", "last successful poll", "polls today (UTC)")]
    for f in sorted(facts.platforms.values(), key=lambda f: f.platform):
        if not (f.watched or f.polls_total):
            continue  # a platform with no API (manual attestation), or the demo's sandbox
        today = ", ".join(f"{n} {o}" for o, n in f.polls_today.most_common()) or "none"
        quota = f"; quota units {f.units_today}/{f.allowance}" if f.allowance else ""
        rows.append((f.platform, str(f.watched), when(f.last_ok), today + quota))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(
        f"{a:{widths[0]}}  {b:>{widths[1]}}  {c:{widths[2]}}  {d}" for a, b, c, d in rows
    )


def _accounts_lines(facts: Status) -> list[str]:
    states: dict[str, int] = {}
    for (_, state), count in sorted(facts.accounts.items()):
        states[state] = states.get(state, 0) + count
    lines = ["Accounts   " + (", ".join(f"{n} {s}" for s, n in states.items()) or "none")]
    for title, refs in (("not checked in time", facts.late), ("broken credentials", facts.broken)):
        if refs:
            shown = ", ".join(f"{r.key} ({r.platform})" for r in refs[:SHOWN])
            more = f" and {len(refs) - SHOWN} more" if len(refs) > SHOWN else ""
            lines.append(f"  {title} ({len(refs)}): {shown}{more}")
    return lines


def _work_lines(facts: Status, when: Any) -> list[str]:
    if facts.queues is None:
        lines = ["Queue      in-process broker: its queue lives inside `hallwatch run`"]
    else:
        lines = [
            "Queue      "
            + "; ".join(
                f"{q} {d.ready} waiting, {d.delayed} delayed, {d.dead} dead"
                for q, d in sorted(facts.queues.items())
            )
        ]
    due, waiting = sum(facts.outbox_due.values()), sum(facts.outbox_waiting.values())
    oldest = f"; the oldest due since {when(facts.oldest_due)}" if facts.oldest_due else ""
    failing = sum(n for (_, o), n in facts.deliveries.items() if o == "failing")
    lines.append(f"Alerts     {due} due, {waiting} waiting for their grouping window{oldest}")
    lines.append(f"           {failing} delivery(ies) failing")
    upcoming = facts.next_digest is not None and facts.next_digest > facts.at
    next_one = f"next {when(facts.next_digest)}" if upcoming else f"due {when(facts.next_digest)}"
    overdue = "  OVERDUE" if facts.digest_overdue else ""
    lines.append(f"Digest     {next_one}; last made {when(facts.last_digest)}{overdue}")
    creds, key = facts.credentials, f"Key        {facts.key}"
    lines.append(f"{key}, {facts.previous_keys} previous key(s) still accepted")
    if creds:
        lines.append(
            f"           credentials: {creds.current} on it, {creds.previous} on an old key, "
            f"{creds.unreadable} unreadable"
            + ("; roster on an old key" if facts.roster_on_old_key else "")
        )
    lines.append(f"Scheduler  last hourly sweep claimed {when(facts.scheduler_claimed)}")
    return lines


@main.command("health")
@click.option(
    "--component",
    type=click.Choice(heartbeat.COMPONENTS),
    default=None,
    help="Check this machine's scheduler or worker processes (liveness) instead.",
)
@pass_ctx
def health_command(ctx: Ctx, component: str | None) -> None:
    """Exit 0 when Hallwatch can work, 1 when it cannot (one line each).

    Without --component: readiness, as the console's /readyz (database reachable,
    migrations current, broker reachable). With --component scheduler|worker: whether
    those processes on this machine are alive (their heartbeat is fresh); the same as
    `hallwatch-health --component ...`, which containers run because it starts faster.
    """
    try:
        settings = ctx.settings
    except click.ClickException as exc:
        click.echo(f"unhealthy: {exc.message}", err=True)
        sys.exit(1)
    if component:
        result = heartbeat.check(settings, component)
        click.echo(("healthy: " if result.ok else "unhealthy: ") + result.message)
        sys.exit(0 if result.ok else 1)
    ready = readiness(settings)
    for check in ready.checks:
        advice = f" ({check.advice})" if check.advice else ""
        click.echo(f"{check.name}: {check.state}{advice}")
    sys.exit(0 if ready.ok else 1)
