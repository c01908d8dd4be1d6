"""``hallwatch secrets rotate``."""

from __future__ import annotations

import click

from monitor.cli.base import Ctx, main, pass_ctx
from monitor.cli.progress import terminal_progress
from monitor.registry.roster import roster_on_old_key
from monitor.registry.secrets import CredentialsError, rotate_all
from monitor.storage import audit


@main.group()
def secrets() -> None:
    """Secret key maintenance."""


@secrets.command("rotate")
@pass_ctx
def secrets_rotate(ctx: Ctx) -> None:
    """Re-encrypt every stored credential with the current secret_key.

    Set the new secret_key and put the old one in previous_secret_keys, run this, then
    remove the old key.
    """
    app = ctx.app(migrate=True)
    try:
        with app.sessions() as session, session.begin(), terminal_progress() as progress:
            count = rotate_all(session, ctx.settings, progress)
            audit.record(session, "cli", "secrets.rotated", "settings", "secret_key", count=count)
    except CredentialsError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"re-encrypted the credentials of {count} account(s) with the current key.")
    with app.sessions() as session:
        if roster_on_old_key(session, ctx.settings):
            click.echo(
                "The student roster and consents are keyed hashes under the old key; they keep "
                "working while it stays in previous_secret_keys. Import them again now "
                "(hallwatch roster import FILE; hallwatch consent import FILE), then remove "
                "the old key."
            )
