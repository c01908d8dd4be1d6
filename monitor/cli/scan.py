"""``hallwatch scan``: the detectors over JSON lines."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from sqlalchemy.engine import make_url

from monitor.cli.base import Ctx, main, not_utf8, pass_ctx
from monitor.ingest.detection import ROSTER, settings_suite
from monitor.ingest.scan import roster_from_csv
from monitor.ingest.scan import scan as run_scan
from monitor.registry.roster import RosterError, roster_key


@main.command()
@click.argument(
    "file", type=click.File("r", encoding="utf-8", errors="surrogateescape"), default="-"
)
@click.option(
    "--roster",
    "roster_file",
    type=click.Path(exists=True, dir_okay=False),
    help="A roster CSV to match names against (hashed in memory, never stored).",
)
@click.option(
    "--out",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="Where to write the findings; default standard output.",
)
@pass_ctx
def scan(ctx: Ctx, file: Any, roster_file: str | None, out: Any) -> None:
    """Run the detectors over JSON lines (no database needed).

    Each input line is {"id": ..., "text": ..., "kind": "post"|"comment"}; each output line
    is {"id": ..., "findings": [...]}. Bad lines are reported on stderr; exit status 2.
    """
    roster, consents = None, frozenset[str]()
    try:
        if roster_file:
            with open(roster_file, encoding="utf-8-sig", newline="") as stream:
                roster = roster_from_csv(roster_key(ctx.settings), stream)
        else:
            roster, consents = _stored_roster(ctx)
    except RosterError as exc:
        raise click.ClickException(f"{roster_file}:\n{exc}") from None
    except UnicodeDecodeError as exc:
        raise click.ClickException(not_utf8(roster_file or "", exc)) from None
    if roster is None:
        click.echo(
            "note: no roster, so student names are not matched (give --roster FILE).", err=True
        )
    result = run_scan(
        file,
        out,
        sys.stderr,
        settings_suite(ctx.settings),
        roster,
        consents,
        ctx.settings.detection.region,
    )
    if result.bad:
        click.echo(f"{result.bad} of {result.lines} line(s) were malformed (see above).", err=True)
        sys.exit(2)


def _stored_roster(ctx: Ctx) -> tuple[Any, frozenset[str]]:
    """The roster in the database, if there is a database; scan never creates one."""
    url = make_url(ctx.settings.database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return None, frozenset()
    app = ctx.app(migrate=True)
    with app.sessions() as session:
        return ROSTER.get(session, ctx.settings)
