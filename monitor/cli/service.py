"""Running Hallwatch: ``hallwatch poll``, ``run``, ``scheduler`` and ``digest --preview``."""

from __future__ import annotations

from pathlib import Path

import click
import dramatiq
from sqlalchemy import select

from monitor.cli.base import Ctx, main, pass_ctx, until_interrupted
from monitor.cli.web import serve_in_thread
from monitor.core.logs import configure_logging
from monitor.ingest import pipeline
from monitor.jobs.broker import in_process_worker, make_broker
from monitor.jobs.scheduler import run_forever
from monitor.jobs.tasks import Tasks
from monitor.notify.digest import write_preview
from monitor.storage.models import Account, Supervisor


@main.command()
@click.argument("account", required=False)
@pass_ctx
def poll(ctx: Ctx, account: str | None) -> None:
    """Poll one account, or all, right now.

    ACCOUNT is a registry id; without it every active account is polled in this process.
    """
    app = ctx.app(migrate=True)
    with app.sessions() as session:
        query = select(Account.id).where(Account.status == "active")
        if account:
            query = select(Account.id).where(Account.key == account)
        ids = list(session.scalars(query))
    if account and not ids:
        raise click.ClickException(f"no account {account!r}; see `hallwatch accounts list`")
    for account_id in ids:
        result = pipeline.poll_account(app, account_id, app.now())
        click.echo(
            f"{result.account}: {result.outcome}, {result.posts} post(s), "
            f"{result.comments} comment(s), "
            f"{len(result.new_flags)} new flag(s)"
        )


@main.command()
@click.option("--threads", default=4, show_default=True, help="In-process worker threads.")
@click.option("--period", default=30.0, show_default=True, help="Seconds between scheduler ticks.")
@pass_ctx
def run(ctx: Ctx, threads: int, period: float) -> None:
    """Run scheduler and workers in one process.

    The embedded default: SQLite and the in-memory broker, or Redis if configured.
    """
    configure_logging()
    app = ctx.app(migrate=True)
    tasks = Tasks(app, make_broker(ctx.settings))
    worker = in_process_worker(tasks.broker, threads)
    console = None
    if ctx.settings.web.serve_in_run:
        console, _ = serve_in_thread(app)
        click.echo(f"Console: http://{ctx.settings.web.host}:{ctx.settings.web.port}")
    click.echo(f"Hallwatch running (broker: {ctx.settings.broker_url}); Ctrl-C stops it.")
    until_interrupted(lambda stop: run_forever(app, tasks, stop, period))
    if console is not None:
        console.should_exit = True
    worker.stop()


@main.command()
@click.option("--period", default=30.0, show_default=True, help="Seconds between ticks.")
@pass_ctx
def scheduler(ctx: Ctx, period: float) -> None:
    """Run only the scheduler (production).

    Workers run apart, as `dramatiq monitor.jobs.worker`, on one or more machines.
    """
    configure_logging()
    if ctx.settings.broker_url == "memory":
        raise click.ClickException(
            "the scheduler alone needs a shared broker: set broker_url (HALLWATCH_BROKER_URL) to a "
            "redis:// URL, or use `hallwatch run` for everything in one process"
        )
    broker = make_broker(ctx.settings)
    dramatiq.set_broker(broker)
    tasks = Tasks(ctx.app(migrate=True), broker)
    until_interrupted(lambda stop: run_forever(tasks.app, tasks, stop, period))


@main.command()
@click.option(
    "--preview", "preview", metavar="SUPERVISOR", help="Write this supervisor's digest to --out."
)
@click.option(
    "--out",
    type=click.Path(),
    default="var/digests/preview.html",
    show_default=True,
    help="The file to write (or an existing folder).",
)
@pass_ctx
def digest(ctx: Ctx, preview: str | None, out: str) -> None:
    """Preview a supervisor's weekly digest.

    Sending is the scheduler's job; this only writes the HTML page.
    """
    if not preview:
        raise click.UsageError("give --preview SUPERVISOR-EMAIL")
    app = ctx.app(migrate=True)
    with app.sessions() as session:
        supervisor = session.scalars(
            select(Supervisor).where(Supervisor.email == preview.lower())
        ).one_or_none()
    if supervisor is None:
        raise click.ClickException(f"no supervisor {preview!r}; see `hallwatch supervisors list`")
    click.echo(f"wrote {write_preview(app, supervisor, app.now(), Path(out))}")
