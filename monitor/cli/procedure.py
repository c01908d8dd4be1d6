"""``hallwatch accounts acknowledge-requests|check-procedure``, ``hallwatch directory import``."""

from __future__ import annotations

import click

from monitor.cli import registry  # the `accounts` group these commands join
from monitor.cli.base import Ctx, main, not_utf8, pass_ctx
from monitor.ingest.admins import refresh_admin_lists
from monitor.ingest.pipeline import procedure_sweep
from monitor.notify.acknowledgements import claim_requests, pending_requests
from monitor.notify.base import DeliveryError
from monitor.notify.delivery import deliver
from monitor.notify.routing import notifier_for
from monitor.registry.admins import DirectoryError, import_directory


@click.command("acknowledge-requests")
@pass_ctx
def acknowledge_requests(ctx: Ctx) -> None:
    """E-mail every owner with no current acknowledgement of Procedure 417 a one-time link.

    At most one e-mail a person a week (the weekly scheduler sends reminders too), so
    running it twice sends nothing twice.
    """
    app = ctx.app(migrate=True)
    now = app.now()
    claimed, asked = claim_requests(app, now)
    notifier, failed = notifier_for(app), 0
    for outbox_id in pending_requests(app):
        try:
            deliver(app, outbox_id, now, notifier)
        except DeliveryError as exc:
            failed += 1
            click.echo(f"not sent yet (retried later): {exc}", err=True)
    version = app.settings.procedure.version
    click.echo(
        f"Procedure 417 version {version}: asked {len(claimed)} owner(s) now; "
        f"{len(asked)} already asked this week."
    )
    if failed:
        raise click.ClickException(f"{failed} request(s) could not be sent; see above")


@click.command("check-procedure")
@pass_ctx
def check_procedure(ctx: Ctx) -> None:
    """Read administrators from the platforms that share them, then raise
    account.unacknowledged and account.admin_access flags (the scheduler does this daily)."""
    app = ctx.app(migrate=True)
    now = app.now()
    counts = refresh_admin_lists(app, now)
    flags = procedure_sweep(app, now)
    click.echo(
        f"administrator lists: {counts['read']} read, {counts['unavailable']} not available "
        f"(reason recorded), {counts['skipped']} not shared by the platform; "
        f"{len(flags)} new flag(s)"
    )


@main.group()
def directory() -> None:
    """The District's staff directory (who still works here), for departed administrators."""


@directory.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@pass_ctx
def directory_import(ctx: Ctx, file: str) -> None:
    """Replace the staff directory with FILE: a CSV export of the District's SSO directory
    (Entra ID, Google Workspace) with an 'email' column and an optional 'name' column.

    An administrator on a District address who is not in it (nor a supervisor) is flagged
    as departed by account.admin_access.
    """
    app = ctx.app(migrate=True)
    try:
        with app.sessions() as session, session.begin():
            with open(file, encoding="utf-8", newline="") as stream:
                count = import_directory(session, stream, "cli", app.now(), file)
    except DirectoryError as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise click.ClickException(not_utf8(file, exc)) from None
    click.echo(f"staff directory: {count} people (the previous list was replaced)")


ACCOUNTS = registry.main.commands["accounts"]
ACCOUNTS.add_command(acknowledge_requests)  # type: ignore[attr-defined]
ACCOUNTS.add_command(check_procedure)  # type: ignore[attr-defined]
