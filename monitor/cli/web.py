"""``hallwatch web`` (the console) and ``hallwatch users add|list|disable``."""

from __future__ import annotations

import sys
import threading
from typing import Any

import click
import uvicorn
from sqlalchemy import func, select

from monitor.access.users import (
    UserError,
    add_user,
    disable_user,
    known_actor,
    list_users,
)
from monitor.cli.base import Ctx, main, pass_ctx, print_rows
from monitor.core.app import App
from monitor.core.domain import Role
from monitor.core.logs import configure_logging
from monitor.storage.models import User
from monitor.web.app import create_app
from monitor.web.core import ConsoleError

# Forwarded headers are read by the console itself, and only from web.trusted_proxies.
# log_config None: uvicorn keeps the process's logging (text or JSON, scrubbed) instead of its own.
UVICORN = {
    "log_level": "warning",
    "access_log": False,
    "proxy_headers": False,
    "log_config": None,
}


def console_app(app: App) -> Any:
    try:
        return create_app(app)
    except ConsoleError as exc:
        raise click.ClickException(str(exc)) from None


def serve(app: App, host: str, port: int) -> None:
    """Serve the console until interrupted (uvicorn; one process)."""
    uvicorn.run(console_app(app), host=host, port=port, **UVICORN)  # type: ignore[arg-type]


def serve_in_thread(app: App) -> tuple[Any, threading.Thread]:
    """Start the console in a daemon thread (for ``hallwatch run``); returns the server."""
    settings = app.settings
    config = uvicorn.Config(
        console_app(app),
        host=settings.web.host,
        port=settings.web.port,
        **UVICORN,  # type: ignore[arg-type]
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="console", daemon=True)
    thread.start()
    return server, thread


@main.command("web")
@click.option("--host", default=None, help="Listen address (default: web.host, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: web.port, 8080).")
@click.option(
    "--as-of",
    default=None,
    metavar="TIME",
    help="Serve as if it were this ISO time (the demo's simulated world); never in production.",
)
@pass_ctx
def web(ctx: Ctx, host: str | None, port: int | None, as_of: str | None) -> None:
    """Serve the supervisor console (default http://127.0.0.1:8080)."""
    app = ctx.app(migrate=True)
    if as_of is not None:
        try:
            stopped = app.now(as_of)
        except ValueError:
            raise click.BadParameter(
                f"{as_of!r} is not an ISO time such as 2026-09-16T13:00:00+00:00",
                param_hint="--as-of",
            ) from None
        app.clock = lambda: stopped
    host = host or ctx.settings.web.host
    port = port or ctx.settings.web.port
    configure_logging(settings=ctx.settings, component="web")
    click.echo(f"Console: http://{host}:{port}  (Ctrl-C stops it)")
    serve(app, host, port)


def bootstrap_actor(session: Any, actor: str) -> str:
    """``--by`` for ``users add``: a known person, or 'cli' for the very first users (there
    is nobody yet to name)."""
    if actor == "cli" and session.scalar(select(func.count(User.id))) == 0:
        return actor
    if actor == "cli":
        raise UserError(
            "say who is adding the user: --by EMAIL of a console user or supervisor (only the "
            "first user can be added without it)"
        )
    return known_actor(session, actor)


@main.group()
def users() -> None:
    """Console users: admin, supervisor, communications, it, auditor, counsellor."""


@users.command("add")
@click.argument("email")
@click.option(
    "--role",
    required=True,
    type=click.Choice([role.value for role in Role]),
)
@click.option(
    "--org",
    "orgs",
    multiple=True,
    metavar="UNIT",
    help="Organisation unit code(s) a supervisor or counsellor sees (child units included). "
    "Default: the unit of the supervisor with this e-mail in the registry; for a counsellor, "
    "the units whose counsellor_email it is.",
)
@click.option("--name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--sso-only", is_flag=True, help="No password: the user signs in only by SSO.")
@click.option(
    "--by",
    "actor",
    default="cli",
    show_default=True,
    help="Who is adding the user: a known user's or supervisor's e-mail ('cli' only while "
    "there are no users yet).",
)
@pass_ctx
def users_add(
    ctx: Ctx,
    email: str,
    role: str,
    orgs: tuple[str, ...],
    name: str,
    password_stdin: bool,
    sso_only: bool,
    actor: str,
) -> None:
    """Add a user (or update an existing one's role, units and password)."""
    if sso_only:
        password = ""
    elif password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    app = ctx.app(migrate=True)
    try:
        with app.sessions() as session, session.begin():
            actor = bootstrap_actor(session, actor)
            user, created = add_user(
                session, email, role, password, actor, app.now(), list(orgs), name
            )
            units = ",".join(u.code for u in user.org_units)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    scope = f" for {units}" if units else ""
    click.echo(f"{'added' if created else 'updated'} {email.lower()} ({role}{scope})")


@users.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_ctx
def users_list(ctx: Ctx, fmt: str) -> None:
    """List console users (never their password hashes)."""
    with ctx.app(migrate=True).sessions() as session:
        rows = list_users(session)
    print_rows(rows, fmt)


@users.command("disable")
@click.argument("email")
@click.option("--by", "actor", required=True, metavar="EMAIL", help="Who is doing this.")
@pass_ctx
def users_disable(ctx: Ctx, email: str, actor: str) -> None:
    """Disable a user and end their sessions (users are never deleted)."""
    app = ctx.app(migrate=True)
    try:
        with app.sessions() as session, session.begin():
            actor = known_actor(session, actor)
            changed = disable_user(session, email, actor, app.now())
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"disabled {email.lower()}" if changed else f"{email.lower()} was already disabled")
