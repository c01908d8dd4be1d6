"""``hallwatch purge``: blank evidence text older than the retention period.

``monitor.cli`` registers it with ``cli_retention.register(main)``; the command takes the
``Ctx`` through ``click.pass_obj`` so this module never imports ``monitor.cli`` at import
time (no circular import).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from monitor.records.retention import PurgeResult, cutoff_for, purge

if TYPE_CHECKING:
    from monitor.cli import Ctx


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


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be blanked.")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Retention period in days (default: the retention.evidence_days setting).",
)
@click.pass_obj
def purge_command(ctx: Ctx, dry_run: bool, days: int | None) -> None:
    """Blank post and comment text older than the retention period (rows and flags stay)."""
    period: float = days if days is not None else float(ctx.settings["retention.evidence_days"])
    app = ctx.app(migrate=True)
    now = app.now()
    with app.sessions() as session, session.begin():
        result = purge(session, now, period, dry_run=dry_run)
    click.echo(describe(result, period, f"{cutoff_for(now, period):%Y-%m-%d %H:%M} UTC", dry_run))


def register(main: click.Group) -> None:
    """Add ``purge`` to ``main`` (safe to call twice)."""
    main.add_command(purge_command)
