"""``hallwatch flags list|show|ack|resolve|dismiss|reopen``, ``alerts pending`` and ``report``:
the supervisors' noncompliance record. ``flags list`` ends with what is not checked yet:
photos still waiting for analysis, accounts whose polls a usage cap paused, and this week's
comments in languages the word lists do not cover."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.cli.base import Ctx, by_whom, main, pass_ctx, print_rows
from monitor.core.domain import FlagStatus
from monitor.core.settings import Settings
from monitor.notify.digest import Week, unchecked_by_language
from monitor.records.lifecycle import NOTE_REQUIRED
from monitor.records.record import (
    RecordError,
    change_flag,
    flag_fields,
    noncompliance_report,
    pending_alerts,
    report_csv,
    report_html,
    show_flag,
)
from monitor.storage.models import Account, Flag
from monitor.storage.queries import photo_backlog


@main.group()
def flags() -> None:
    """List the flags the rules raised."""


@flags.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--status", type=click.Choice([status.value for status in FlagStatus]))
@click.option("--rule", help="Only this rule id, e.g. comments.unreviewed.")
@pass_ctx
def flags_list(ctx: Ctx, fmt: str, status: str | None, rule: str | None) -> None:
    """List flags (JSON prints every field of every flag)."""
    with ctx.app(migrate=True).sessions() as session:
        query = (
            select(Flag, Account.key).join(Account, Flag.account_id == Account.id).order_by(Flag.id)
        )
        if status:
            query = query.where(Flag.status == status)
        if rule:
            query = query.where(Flag.rule_id == rule)
        rows = [flag_fields(flag, key) for flag, key in session.execute(query)]
        notes = not_checked_yet(session, ctx.settings)
    print_rows(
        rows,
        fmt,
        None if fmt == "json" else ["id", "severity", "rule", "account", "status", "explanation"],
    )
    for line in notes:  # on stderr under --format json, so stdout stays one flag a line
        click.echo(line, err=fmt == "json")


def not_checked_yet(session: Session, settings: Settings) -> list[str]:
    """Lines about what is not checked yet: photos waiting per account, paused accounts,
    and this week's comments in a language the word lists do not cover."""
    keys = {i: k for i, k in session.execute(select(Account.id, Account.key))}
    backlog = sorted((keys[i], b) for i, b in photo_backlog(session).items() if i in keys)
    lines = []
    if waiting := [f"{key} {b.waiting}" for key, b in backlog if b.waiting]:
        lines.append(
            "Photos still waiting for analysis (the next polls analyse them, oldest first): "
            + ", ".join(waiting)
        )
    if failed := [f"{key} {b.not_fetched}" for key, b in backlog if b.not_fetched]:
        lines.append("Photos that could not be fetched (not analysed): " + ", ".join(failed))
    paused = session.scalars(
        select(Account).where(Account.paused_until.is_not(None)).order_by(Account.key)
    )
    lines += [
        f"Polls paused: {a.key} ({a.pause_reason or 'usage cap used up'}) until "
        f"{a.paused_until:%Y-%m-%d %H:%M} UTC; once IT raised the plan: "
        f"hallwatch accounts resume {a.key} --by EMAIL"
        for a in paused
    ]
    week = Week.containing(datetime.now(UTC), settings.timezone)
    if unchecked := unchecked_by_language(session, settings.detection.lexicon_dir, week):
        named = ", ".join(f"{n} in {name}" for name, n in unchecked)
        lines.append(
            f"Comments not checked for language this week ({week.label}; the word lists do "
            f"not cover their language, so read them as the review rule asks): {named}"
        )
    return lines


@flags.command("show")
@click.argument("flag_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_ctx
def flags_show(ctx: Ctx, flag_id: int, fmt: str) -> None:
    """Show one flag with every field and its audit history."""
    with ctx.app(migrate=True).sessions() as session:
        try:
            data = show_flag(session, flag_id)
        except RecordError as exc:
            raise click.ClickException(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(data, default=str, ensure_ascii=False, indent=2))
        return
    for key, value in data.items():
        if key == "history":
            continue
        shown = json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value
        click.echo(f"{key:>14}: {shown}")
    click.echo("history:")
    for entry in data["history"]:
        note = entry["detail"].get("note", "")
        click.echo(
            f"  {entry['at']}  {entry['action']}  by {entry['actor']}"
            + (f": {note}" if note else "")
        )


def _flag_change(verb: str, what: str) -> click.Command:
    needs_note = verb in NOTE_REQUIRED
    note_help = "Why (required)." if needs_note else "A note for the record."

    @click.command(verb, help=f"{what}, with a note; recorded in the audit log.")
    @click.argument("flag_id", type=click.IntRange(1, 2**31 - 1))
    @click.option("--note", default="", required=needs_note, help=note_help)
    @click.option(
        "--by",
        "actor",
        required=True,
        metavar="EMAIL",
        help="Who is doing this: a console user's or supervisor's e-mail.",
    )
    @pass_ctx
    def command(ctx: Ctx, flag_id: int, note: str, actor: str) -> None:
        app = ctx.app(migrate=True)
        actor = by_whom(app, actor)
        try:
            with app.sessions() as session, session.begin():
                decision = change_flag(session, flag_id, verb, actor, note, app.now())
        except RecordError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(decision.message)

    return command


for _verb, _what in (
    ("ack", "Acknowledge an open flag"),
    ("resolve", "Resolve a flag (open or acknowledged)"),
    ("dismiss", "Dismiss a flag (open or acknowledged)"),
    ("reopen", "Reopen an acknowledged, resolved or dismissed flag"),
):
    flags.add_command(_flag_change(_verb, _what))


@main.group("alerts")
def alerts() -> None:
    """Alerts waiting in the outbox."""


@alerts.command("pending")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_ctx
def alerts_pending(ctx: Ctx, fmt: str) -> None:
    """List outbox items not yet delivered, with attempts and the last error."""
    with ctx.app(migrate=True).sessions() as session:
        rows = pending_alerts(session)
    print_rows(rows, fmt)


@main.command("report")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--format", "fmt", type=click.Choice(["csv", "html"]), default="csv")
@click.option("--out", type=click.Path(dir_okay=False), help="File to write; default stdout.")
@pass_ctx
def report(ctx: Ctx, start: datetime, end: datetime, fmt: str, out: str | None) -> None:
    """Write the noncompliance record for a date range (CSV or HTML).

    Every flag first seen from --from to --to (district dates, inclusive) and what was
    done about it: acknowledged, resolved or dismissed, by whom, when and why.
    """
    with ctx.app(migrate=True).sessions() as session:
        try:
            rows = noncompliance_report(session, start.date(), end.date(), ctx.settings.timezone)
        except RecordError as exc:
            raise click.ClickException(str(exc)) from None
    title = f"Noncompliance report {start:%Y-%m-%d} to {end:%Y-%m-%d}"
    if out:
        with open(out, "w", encoding="utf-8", newline="") as stream:
            _write(rows, fmt, title, stream.write, stream)
        click.echo(f"wrote {len(rows)} flag(s) to {out}", err=True)
    else:
        _write(rows, fmt, title, click.echo, sys.stdout)


def _write(
    rows: list[dict[str, Any]], fmt: str, title: str, echo: Callable[[str], Any], stream: Any
) -> None:
    if fmt == "csv":
        report_csv(rows, stream)
    else:
        echo(report_html(rows, title))
