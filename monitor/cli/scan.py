"""``hallwatch scan``: the detectors over JSON lines."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy.engine import make_url

import detectors
from detectors.roster import RosterIndex
from monitor.cli.base import Ctx, main, not_utf8, pass_ctx
from monitor.ingest.detection import ROSTER, detection_context, org_contacts, settings_suite
from monitor.ingest.scan import roster_from_csv
from monitor.ingest.scan import scan as run_scan
from monitor.registry.roster import RosterError, read_consents, roster_key


@main.command()
@click.argument(
    "file", type=click.File("r", encoding="utf-8", errors="surrogateescape"), default="-"
)
@click.option(
    "--roster",
    "roster_file",
    type=click.Path(exists=True, dir_okay=False),
    help="A roster CSV to match names against instead of the stored roster (hashed in "
    "memory, never stored).",
)
@click.option(
    "--consent",
    "consent_file",
    type=click.Path(exists=True, dir_okay=False),
    help="A consent CSV (student_number,media_release) instead of the stored consents.",
)
@click.option(
    "--out",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="Where to write the findings; default standard output.",
)
@pass_ctx
def scan(ctx: Ctx, file: Any, roster_file: str | None, consent_file: str | None, out: Any) -> None:
    """Run the detectors over JSON lines, exactly as a worker would (no database needed).

    Each input line is {"id": ..., "text": ..., "kind": "post"|"comment"}; each output line
    is {"id": ..., "language": ..., "findings": [...]} (language: the text's ISO code as
    identified, "und" when it cannot be told). The settings (district domains, the district's own
    phones and addresses, the phone region, the word lists), the stored roster, consents and
    organisation units' contacts are used as a worker uses them; --roster and --consent
    replace the stored ones. Bad lines are reported on stderr; exit status 2.
    """
    stored = _stored(ctx)
    roster, consents, units = stored
    current = ""
    try:
        if roster_file:
            current = roster_file
            with open(roster_file, encoding="utf-8-sig", newline="") as stream:
                roster = roster_from_csv(roster_key(ctx.settings), stream)
        if consent_file:
            current = consent_file
            with open(consent_file, encoding="utf-8-sig", newline="") as stream:
                answers = read_consents(roster_key(ctx.settings), stream)
            consents = frozenset(k for k, release in answers.items() if release)
    except RosterError as exc:
        raise click.ClickException(f"{current}:\n{exc}") from None
    except UnicodeDecodeError as exc:
        raise click.ClickException(not_utf8(current, exc)) from None
    if roster is None:
        click.echo(
            "note: no roster, so student names are not matched (import one, or give "
            "--roster FILE).",
            err=True,
        )
    context = detection_context(
        ctx.settings, datetime.now(UTC), units, roster=roster, consents=consents
    )
    result = run_scan(file, out, sys.stderr, settings_suite(ctx.settings), context)
    if result.bad:
        click.echo(f"{result.bad} of {result.lines} line(s) were malformed (see above).", err=True)
        sys.exit(2)


def _stored(
    ctx: Ctx,
) -> tuple[RosterIndex | None, frozenset[str], tuple[detectors.OrgContact, ...]]:
    """The stored roster, consents and organisation units' contacts, if there is a
    database; scan never creates one."""
    url = make_url(ctx.settings.database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return None, frozenset(), ()
    app = ctx.app(migrate=True)
    with app.sessions() as session:
        roster, consents = ROSTER.get(session, ctx.settings)
        return roster, consents, org_contacts(session)
