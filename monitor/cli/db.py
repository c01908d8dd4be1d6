"""``hallwatch db upgrade``."""

from __future__ import annotations

import click

from monitor.cli.base import Ctx, main, pass_ctx, safe_url


@main.group()
def db() -> None:
    """Database maintenance (migrations)."""


@db.command("upgrade")
@pass_ctx
def db_upgrade(ctx: Ctx) -> None:
    """Apply the database migrations (safe to run again)."""
    ctx.app(migrate=True)
    click.echo(f"database is up to date: {safe_url(ctx.settings.database_url)}")
