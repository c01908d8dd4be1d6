"""Running Hallwatch: ``hallwatch poll``, ``run``, ``scheduler`` and ``digest --preview``."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path

import click
import dramatiq
from sqlalchemy import select

from connectors import RateLimited, TransientError
from monitor.cli.base import Ctx, main, pass_ctx, until_interrupted
from monitor.cli.progress import showing, track
from monitor.cli.web import serve_in_thread
from monitor.core import heartbeat
from monitor.core.app import App
from monitor.core.logs import configure_logging
from monitor.jobs.broker import in_process_worker, make_broker
from monitor.jobs.middleware import install
from monitor.jobs.polling import poll_counted
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
    On a terminal a progress bar shows, then the accounts that did not poll cleanly and a
    summary; piped, it prints one line per account.
    """
    app = ctx.app(migrate=True)
    with app.sessions() as session:
        query = select(Account.id, Account.key).where(Account.status == "active")
        if account:
            query = select(Account.id, Account.key).where(Account.key == account)
        accounts: list[tuple[int, str]] = [(i, k) for i, k in session.execute(query)]
    if account and not accounts:
        raise click.ClickException(f"no account {account!r}; see `hallwatch accounts list`")
    on_screen = len(accounts) > 1 and showing() and sys.stdout.isatty()
    outcomes: Counter[str] = Counter()
    held: list[str] = []
    for account_id, key in track(accounts, "Polling") if on_screen else accounts:
        outcome, line = _poll_one(app, account_id, key)
        outcomes[outcome] += 1
        if not on_screen:
            click.echo(line)
        elif outcome != "ok":
            held.append(line)
    for line in held:
        click.echo(line)
    if on_screen:
        click.echo("polled: " + ", ".join(f"{n} {o}" for o, n in outcomes.most_common()))


def _poll_one(app: App, account_id: int, key: str) -> tuple[str, str]:
    """(outcome, the line to print) for one poll; a platform asking to wait is a line too."""
    try:
        result = poll_counted(app, account_id, app.now())
    except (RateLimited, TransientError) as exc:
        outcome = "rate_limited" if isinstance(exc, RateLimited) else "transient_error"
        return outcome, f"{key}: {outcome}, try again later ({exc})"
    return result.outcome, (
        f"{result.account}: {result.outcome}, {result.posts} post(s), "
        f"{result.comments} comment(s), {len(result.new_flags)} new flag(s)"
    )


@main.command()
@click.option("--threads", default=4, show_default=True, help="In-process worker threads.")
@click.option("--period", default=30.0, show_default=True, help="Seconds between scheduler ticks.")
@pass_ctx
def run(ctx: Ctx, threads: int, period: float) -> None:
    """Run scheduler and workers in one process.

    The embedded default: SQLite and the in-memory broker, or Redis if configured.
    """
    configure_logging(settings=ctx.settings, component="run")
    app = ctx.app(migrate=True)
    tasks = Tasks(app, make_broker(ctx.settings))
    install(tasks.broker, ctx.settings)  # log context; heartbeat for `health --component worker`
    worker = in_process_worker(tasks.broker, threads)
    console = None
    if ctx.settings.web.serve_in_run:
        console, _ = serve_in_thread(app)
        click.echo(f"Console: http://{ctx.settings.web.host}:{ctx.settings.web.port}")
    click.echo(f"Hallwatch running (broker: {ctx.settings.broker_url}); Ctrl-C stops it.")
    until_interrupted(lambda stop: run_forever(app, tasks, stop, period, _beat(ctx, period)))
    heartbeat.remove(ctx.settings, "scheduler")
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
    configure_logging(settings=ctx.settings, component="scheduler")
    if ctx.settings.broker_url == "memory":
        raise click.ClickException(
            "the scheduler alone needs a shared broker: set broker_url (HALLWATCH_BROKER_URL) to a "
            "redis:// URL, or use `hallwatch run` for everything in one process"
        )
    broker = make_broker(ctx.settings)
    dramatiq.set_broker(broker)
    tasks = Tasks(ctx.app(migrate=True), broker)
    until_interrupted(lambda stop: run_forever(tasks.app, tasks, stop, period, _beat(ctx, period)))
    heartbeat.remove(ctx.settings, "scheduler")


def _beat(ctx: Ctx, period: float) -> Callable[[], object]:
    """The scheduler's heartbeat after each tick (`hallwatch health --component scheduler`):
    late after five ticks' time, and never before five minutes (a large tick takes long)."""
    return partial(heartbeat.write, ctx.settings, "scheduler", max(5 * period, 300.0))


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
