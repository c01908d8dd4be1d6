"""``hallwatch purge``: blank evidence text older than the retention period."""

from __future__ import annotations

import click

from monitor.cli.base import Ctx, main, pass_ctx
from monitor.cli.progress import terminal_progress
from monitor.records.retention import PurgeResult, cutoff_for, purge


def _what(result: PurgeResult) -> str:
    return (
        f"the text of {result.posts} post(s), {result.comments} comment(s) "
        f"and {result.media} media item(s)"
    )


def describe(result: PurgeResult, days: float, cutoff: str, dry_run: bool) -> str:
    """One or two plain sentences about what would go (dry run) or what went."""
    head = (
        f"Dry run: would blank {_what(result)} first seen before {cutoff} "
        f"({days:g} days); nothing was changed."
        if dry_run
        else f"Blanked {_what(result)} first seen before {cutoff} ({days:g} days)."
    )
    if result.held_by_open_flags:
        head += (
            f" {result.held_by_open_flags} older post(s) or comment(s) are kept until their "
            "open or acknowledged flags are resolved or dismissed."
        )
    return head


@main.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be blanked.")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Retention period in days (default: the retention.evidence_days setting).",
)
@pass_ctx
def purge_command(ctx: Ctx, dry_run: bool, days: int | None) -> None:
    """Blank post and comment text older than the retention period (rows and flags stay)."""
    period: float = days if days is not None else ctx.settings.retention.evidence_days
    app = ctx.app(migrate=True)
    now = app.now()
    with app.sessions() as session, session.begin(), terminal_progress() as progress:
        result = purge(session, now, period, dry_run=dry_run, progress=progress)
    click.echo(describe(result, period, f"{cutoff_for(now, period):%Y-%m-%d %H:%M} UTC", dry_run))
