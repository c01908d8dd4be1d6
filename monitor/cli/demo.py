"""``hallwatch demo``: the whole pipeline on the sandbox district, then the console."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from monitor.cli.base import Ctx, main, pass_ctx
from monitor.cli.web import serve
from monitor.core.logs import configure_logging
from monitor.jobs.demo import (
    DEFAULT_DISTRICT,
    DEMO_USERS,
    DemoReport,
    demo_clock,
    demo_settings,
    demo_users,
    pending_alerts,
    run_demo,
)
from monitor.storage.db import open_app


@main.command()
@click.option(
    "--district",
    type=click.Path(file_okay=False, exists=True),
    default=str(DEFAULT_DISTRICT),
    show_default="the bundled examples/sandbox-district",
    help="The sandbox district to run.",
)
@pass_ctx
def demo(ctx: Ctx, district: str) -> None:
    """Run the whole pipeline on the sandbox district.

    Polls every account on "day one" and "the next day", raises flags, delivers alerts
    and writes the weekly digest, then shows what it found.
    """
    configure_logging(logging.WARNING)
    report = run_demo(ctx.settings, Path(district))
    settings = ctx.settings
    for kind, result in report.imported.items():
        click.echo(
            f"registry {kind}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
    for step in report.steps:
        click.echo(step)
    click.echo("")
    _print_flag_table(report)
    click.echo("")
    click.echo(f"{report.new_flags} new flag(s) this run; {report.total_flags} on record.")
    if report.new_flags == 0:
        click.echo(
            "Nothing new: every finding was already on record, so no second flag or alert was made."
        )
    click.echo(
        f"Procedure 417: {report.acknowledged} owner(s) acknowledged on day one; the others "
        "were asked by e-mail and are flagged account.unacknowledged the next day."
    )
    for line in report.care:
        click.echo(line)
    for rule, account, language in report.other_languages:
        click.echo(f"Read in {language}: {rule} on a comment on {account}")
    for found in report.candidates:
        click.echo(f"Discovered, not in the registry: {found}")
    click.echo(f"Alerts (.eml files): {settings.outbox_dir.resolve()}")
    click.echo(
        f"Weekly digests for {report.week}: {(settings.digest_dir / report.week).resolve()} "
        f"({report.new_digests} new this run)"
    )
    for name, n in report.unchecked:
        click.echo(
            f"{n} comment{'' if n == 1 else 's'} in {name} {'was' if n == 1 else 'were'} not "
            "checked for language this week (no word lists for it; the digest says so, and "
            "the comment-review rule still applies)."
        )
    click.echo(
        f"Pending alerts: {pending_alerts(ctx.app())}. "
        "See every flag: .venv/bin/hallwatch flags list"
    )
    if report.dead_letters:
        raise click.ClickException(f"{report.dead_letters} message(s) failed; see the log above")
    _demo_console(ctx, Path(district))


def _demo_console(ctx: Ctx, district: Path) -> None:
    """Demo sign-ins, then serve the console (at a terminal) or say how to start it."""
    app = open_app(demo_settings(ctx.settings, district))
    app.clock = demo_clock(district)  # the demo world's time: its links and ages read right
    demo_users(app)
    host, port = ctx.settings.web.host, ctx.settings.web.port
    (admin, password, _, _), (supervisor, _, _, _) = DEMO_USERS[0], DEMO_USERS[1]
    counsellor = DEMO_USERS[2][0]
    click.echo(
        f"Console: http://{host}:{port}  login: {admin} / {password}  "
        f"(a school principal: {supervisor}; Riverside's counsellor: {counsellor}; same "
        "password)"
    )
    if sys.stdout.isatty() and sys.stdin.isatty():
        click.echo("Serving the console; Ctrl-C stops it.")
        serve(app, host, port)
    else:
        config = f"--config {ctx.config} " if ctx.config else ""
        click.echo(
            "Start it with: HALLWATCH_SANDBOX_SCENARIO="
            f"{(district / 'scenario.json').resolve()} .venv/bin/hallwatch {config}web "
            f"--as-of {app.now().isoformat()}"
        )


def _print_flag_table(report: DemoReport) -> None:
    rules = sorted({rule for rule, _ in report.by_rule_account})
    accounts = sorted({acct for _, acct in report.by_rule_account})
    if not rules:
        click.echo("No flags.")
        return
    short = [r.split(".", 1)[1] for r in rules]
    col = max(len(x) for x in short)
    width = max(len(a) for a in accounts)
    click.echo("Flags by rule and account:")
    click.echo("account".ljust(width) + "  " + "  ".join(x.rjust(col) for x in short))
    for acct in accounts:
        cells = [str(report.by_rule_account.get((r, acct), "") or ".").rjust(col) for r in rules]
        click.echo(acct.ljust(width) + "  " + "  ".join(cells))
    click.echo("rules: " + ", ".join(rules))
