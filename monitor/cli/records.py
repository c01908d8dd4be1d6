"""``hallwatch`` commands for the supervisors' record: flags show/ack/resolve/dismiss,
comments review, alerts pending and the noncompliance report.

``monitor.cli`` registers them with ``cli_record.register(main)``. The commands take the
``Ctx`` through ``click.pass_obj`` so this module never imports ``monitor.cli`` at import
time (no circular import).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from monitor.records.record import (
    RecordError,
    change_flag,
    noncompliance_report,
    pending_alerts,
    report_csv,
    report_html,
    review_comment,
    show_flag,
)

if TYPE_CHECKING:
    from monitor.cli import Ctx


def _print_rows(rows: list[dict[str, Any]], fmt: str, columns: list[str] | None = None) -> None:
    from monitor.cli import _print_rows as print_rows

    print_rows(rows, fmt, columns)


@click.command("show")
@click.argument("flag_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
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


def _flag_change(verb: str, status: str, needs_note: bool) -> click.Command:
    note_help = "Why (required)." if needs_note else "A note for the record."

    @click.command(verb, help=f"Mark a flag {status}, with a note; recorded in the audit log.")
    @click.argument("flag_id", type=int)
    @click.option("--note", default="", required=needs_note, help=note_help)
    @click.option("--by", "actor", required=True, metavar="EMAIL", help="Who is doing this.")
    @click.pass_obj
    def command(ctx: Ctx, flag_id: int, note: str, actor: str) -> None:
        app = ctx.app(migrate=True)
        try:
            with app.sessions() as session, session.begin():
                changed = change_flag(session, flag_id, status, actor, note, app.now())
        except RecordError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(
            f"flag {flag_id} is now {status}."
            if changed
            else f"flag {flag_id} was already {status}."
        )

    return command


@click.command("review")
@click.argument("comment_id", type=int)
@click.option("--by", "actor", required=True, metavar="EMAIL", help="Who reviewed it.")
@click.option("--note", default="", help="A note for the record.")
@click.pass_obj
def comments_review(ctx: Ctx, comment_id: int, actor: str, note: str) -> None:
    """Mark a stored comment reviewed (keeps an earlier reviewer)."""
    app = ctx.app(migrate=True)
    try:
        with app.sessions() as session, session.begin():
            done = review_comment(session, comment_id, actor, app.now(), note)
    except RecordError as exc:
        raise click.ClickException(str(exc)) from None
    if done["changed"]:
        click.echo(f"comment {comment_id} reviewed by {done['reviewed_by']}.")
    else:
        click.echo(
            f"comment {comment_id} was already reviewed by {done['reviewed_by'] or 'unknown'} "
            f"at {done['reviewed_at']}; unchanged."
        )


@click.group("alerts")
def alerts() -> None:
    """Alerts waiting in the outbox."""


@alerts.command("pending")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_obj
def alerts_pending(ctx: Ctx, fmt: str) -> None:
    """List outbox items not yet delivered, with attempts and the last error."""
    with ctx.app(migrate=True).sessions() as session:
        rows = pending_alerts(session)
    _print_rows(rows, fmt)


@click.command("report")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--format", "fmt", type=click.Choice(["csv", "html"]), default="csv")
@click.option("--out", type=click.Path(dir_okay=False), help="File to write; default stdout.")
@click.pass_obj
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


def register(main: click.Group) -> None:
    """Add these commands to ``main`` (safe to call twice)."""
    flags = main.commands["flags"]
    comments = main.commands["comments"]
    assert isinstance(flags, click.Group) and isinstance(comments, click.Group)
    flags.add_command(flags_show)
    flags.add_command(_flag_change("ack", "acknowledged", False))
    flags.add_command(_flag_change("resolve", "resolved", True))
    flags.add_command(_flag_change("dismiss", "dismissed", True))
    comments.add_command(comments_review)
    main.add_command(alerts)
    main.add_command(report)
