"""``hallwatch roster import`` and ``hallwatch consent import``."""

from __future__ import annotations

import click

from monitor.cli.base import Ctx, main, not_utf8, pass_ctx
from monitor.cli.progress import reading, terminal_progress
from monitor.registry.roster import RosterError, import_consents, import_roster, parse_columns


def _import_student_file(kind: str) -> click.Command:
    @click.command("import", help=f"Import the {kind} CSV (all rows, or none if any is bad).")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option(
        "--columns",
        default="",
        metavar="FIELD=Header,...",
        help="Name columns the usual headers don't match, e.g. "
        "'student_number=Pupil ID,legal_first_name=Given'.",
    )
    @pass_ctx
    def do_import(ctx: Ctx, file: str, columns: str) -> None:
        app = ctx.app(migrate=True)
        try:
            mapping = parse_columns(columns)
            with app.sessions() as session, session.begin(), terminal_progress() as progress:
                with open(file, encoding="utf-8-sig", newline="") as raw:
                    stream = reading(raw, file, progress)
                    if kind == "roster":
                        done = import_roster(
                            session, ctx.settings, stream, "cli", app.now(), mapping, file, progress
                        )
                        message = (
                            f"roster: {done.students} students stored as {done.hashes} keyed hashes"
                        )
                    else:
                        count = import_consents(
                            session, ctx.settings, stream, "cli", app.now(), mapping, file, progress
                        )
                        message = f"consent: {count} media release answers recorded"
        except RosterError as exc:
            raise click.ClickException(f"{file}:\n{exc}") from None
        except UnicodeDecodeError as exc:
            raise click.ClickException(not_utf8(file, exc)) from None
        click.echo(message)

    return do_import


@main.group()
def roster() -> None:
    """The student roster (stored only as keyed hashes)."""


@main.group()
def consent() -> None:
    """Students' media release (photo and name) consents."""


roster.add_command(_import_student_file("roster"))
consent.add_command(_import_student_file("consent"))
