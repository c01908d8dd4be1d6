"""The ``hallwatch`` command line."""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from monitor.core.app import App
from monitor.core.settings import Settings, SettingsError, load_settings
from monitor.registry import accounts as registry
from monitor.registry.connect import HIDE_REASONS as HIDE_REASON_NAMES


class Ctx:
    """Lazily loaded settings and app, so ``--help`` works with a broken config."""

    def __init__(self, config: str | None) -> None:
        self.config = config
        self._settings: Settings | None = None
        self._app: App | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(self.config)
            except SettingsError as exc:
                raise click.ClickException(str(exc)) from None
        return self._settings

    def app(self, migrate: bool = False) -> App:
        if self._app is None:
            self._app = App.from_settings(self.settings, migrate=migrate)
        return self._app


pass_ctx = click.make_pass_decorator(Ctx)


def not_utf8(file: str, exc: UnicodeDecodeError) -> str:
    """What to tell a person whose file is not UTF-8 (an Excel "CSV" export, often)."""
    return (
        f"{file}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
        'save it as "CSV UTF-8" and import it again. Nothing was imported.'
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    envvar="HALLWATCH_CONFIG",
    help="Settings file (TOML). Default: $HALLWATCH_CONFIG, else embedded defaults.",
)
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """Hallwatch: checks the district's professional social media accounts against Procedure 417.

    Quick start: `hallwatch demo`. Settings: --config FILE or HALLWATCH_* variables.
    """
    ctx.obj = Ctx(config)


# -- database -------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Database maintenance (migrations)."""


@db.command("upgrade")
@pass_ctx
def db_upgrade(ctx: Ctx) -> None:
    """Apply the database migrations (safe to run again)."""
    ctx.app(migrate=True)
    click.echo(f"database is up to date: {_safe_url(ctx.settings.database_url)}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# -- registry -------------------------------------------------------------------------------


def _registry_group(kind: str, noun: str) -> click.Group:
    group = click.Group(name=noun, help=f"Import, export and list the {noun} registry (CSV).")

    @group.command(
        "import", help=f"Import {noun} from a CSV file (all rows, or none if any is bad)."
    )
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @pass_ctx
    def do_import(ctx: Ctx, file: str) -> None:
        app = ctx.app(migrate=True)
        try:
            with app.sessions() as session, session.begin():
                with open(file, encoding="utf-8", newline="") as stream:
                    result = registry.import_csv(session, kind, stream, "cli", file)
        except registry.RegistryError as exc:
            raise click.ClickException(f"{file}:\n{exc}") from None
        except UnicodeDecodeError as exc:
            raise click.ClickException(not_utf8(file, exc)) from None
        click.echo(
            f"{noun}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )

    @group.command("export", help=f"Write the {noun} registry as CSV (to a file or stdout).")
    @click.option("--out", type=click.Path(dir_okay=False), help="File to write; default stdout.")
    @pass_ctx
    def do_export(ctx: Ctx, out: str | None) -> None:
        app = ctx.app(migrate=True)
        with app.sessions() as session:
            if out:
                with open(out, "w", encoding="utf-8", newline="") as stream:
                    count = registry.export_csv(session, kind, stream)
                click.echo(f"wrote {count} {noun} to {out}", err=True)
            else:
                registry.export_csv(session, kind, sys.stdout)

    @group.command("list", help=f"List the {noun} registry.")
    @click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
    @pass_ctx
    def do_list(ctx: Ctx, fmt: str) -> None:
        with ctx.app(migrate=True).sessions() as session:
            rows = registry.list_rows(session, kind)
        _print_rows(rows, fmt)

    return group


for _kind, _noun in (("orgs", "orgs"), ("supervisors", "supervisors"), ("accounts", "accounts")):
    main.add_command(_registry_group(_kind, _noun))


@click.command("credentials")
@click.argument("account")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False),
    help="Read the credentials from this file; default: standard input.",
)
@click.option("--no-check", is_flag=True, help="Store without the test call (offline set-up).")
@click.option("--by", "actor", default="cli", show_default=True, help="Who is doing this.")
@pass_ctx
def accounts_credentials(
    ctx: Ctx, account: str, path: str | None, no_check: bool, actor: str
) -> None:
    """Set an account's credentials (never on the command line).

    Give key=value lines or a JSON object, in a file or on standard input, e.g.
    `hallwatch accounts credentials riv-fb < token.txt`. A test call checks them first;
    they are stored encrypted and a broken account becomes active again.
    """
    from monitor.registry.connect import ConnectError, set_credentials
    from monitor.registry.secrets import CredentialsError, parse_credentials

    if path is None and sys.stdin.isatty():
        click.echo("Type key=value lines, then Ctrl-D:", err=True)
    text = Path(path).read_text(encoding="utf-8") if path else sys.stdin.read()
    app = ctx.app(migrate=True)
    try:
        reached = set_credentials(
            app, account, parse_credentials(text), actor, app.now(), check=not no_check
        )
    except (ConnectError, CredentialsError) as exc:
        raise click.ClickException(f"{account}: {exc}") from None
    click.echo(f"{account}: credentials stored encrypted ({reached}).")


main.commands["accounts"].add_command(accounts_credentials)  # type: ignore[attr-defined]


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
    from monitor.registry.secrets import CredentialsError, rotate_all
    from monitor.storage import audit

    app = ctx.app(migrate=True)
    try:
        with app.sessions() as session, session.begin():
            count = rotate_all(session, ctx.settings)
            audit.record(session, "cli", "secrets.rotated", "settings", "secret_key", count=count)
    except CredentialsError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"re-encrypted the credentials of {count} account(s) with the current key.")
    from monitor.registry.roster import roster_on_old_key

    with app.sessions() as session:
        if roster_on_old_key(session, ctx.settings):
            click.echo(
                "The student roster and consents are keyed hashes under the old key; they keep "
                "working while it stays in previous_secret_keys. Import them again now "
                "(hallwatch roster import FILE; hallwatch consent import FILE), then remove "
                "the old key."
            )


@main.group()
def comments() -> None:
    """Act on a comment on its platform."""


@comments.command("hide")
@click.argument("comment_id", type=int)
@click.option(
    "--reason",
    required=True,
    type=click.Choice(sorted(HIDE_REASON_NAMES)),
    help="Why, from the procedure's fixed list.",
)
@click.option("--by", "actor", default="cli", show_default=True, help="Who decided this.")
@pass_ctx
def comments_hide(ctx: Ctx, comment_id: int, reason: str, actor: str) -> None:
    """Hide a comment on its platform (never deletes). Recorded in the audit log."""
    _moderate(ctx, comment_id, True, reason, actor)


@comments.command("unhide")
@click.argument("comment_id", type=int)
@click.option("--by", "actor", default="cli", show_default=True, help="Who decided this.")
@pass_ctx
def comments_unhide(ctx: Ctx, comment_id: int, actor: str) -> None:
    """Make a hidden comment visible again. Recorded in the audit log."""
    _moderate(ctx, comment_id, False, "", actor)


def _moderate(ctx: Ctx, comment_id: int, hide: bool, reason: str, actor: str) -> None:
    from monitor.registry.connect import ConnectError, moderate

    app = ctx.app(migrate=True)
    try:
        done = moderate(app, comment_id, hide, reason, actor, app.now())
    except ConnectError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"comment {comment_id} on {done.account} is now {'hidden' if hide else 'visible'}.")


def _print_rows(rows: list[dict[str, Any]], fmt: str, columns: list[str] | None = None) -> None:
    if fmt == "json":
        for row in rows:
            click.echo(json.dumps(row, default=str, ensure_ascii=False))
        return
    if not rows:
        click.echo("(none)")
        return
    columns = columns or list(rows[0])
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for r in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))


def _cell(value: Any, limit: int = 60) -> str:
    text = " ".join(str("" if value is None else value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- flags ----------------------------------------------------------------------------------


@main.group()
def flags() -> None:
    """List the flags the rules raised."""


@flags.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--status", type=click.Choice(["open", "acknowledged", "resolved", "dismissed"]))
@click.option("--rule", help="Only this rule id, e.g. comments.unreviewed.")
@pass_ctx
def flags_list(ctx: Ctx, fmt: str, status: str | None, rule: str | None) -> None:
    """List flags (JSON prints every field of every flag)."""
    from monitor.records.record import flag_fields
    from monitor.storage.models import Account, Flag

    with ctx.app(migrate=True).sessions() as session:
        query = (
            select(Flag, Account.key).join(Account, Flag.account_id == Account.id).order_by(Flag.id)
        )
        if status:
            query = query.where(Flag.status == status)
        if rule:
            query = query.where(Flag.rule_id == rule)
        rows = [flag_fields(flag, key) for flag, key in session.execute(query)]
    _print_rows(
        rows,
        fmt,
        None if fmt == "json" else ["id", "severity", "rule", "account", "status", "explanation"],
    )


# -- running --------------------------------------------------------------------------------


@main.command()
@click.argument("account", required=False)
@pass_ctx
def poll(ctx: Ctx, account: str | None) -> None:
    """Poll one account, or all, right now.

    ACCOUNT is a registry id; without it every active account is polled in this process.
    """
    from monitor.ingest import pipeline
    from monitor.storage.models import Account

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
    from monitor.core.logs import configure_logging
    from monitor.jobs.broker import in_process_worker, make_broker
    from monitor.jobs.scheduler import run_forever
    from monitor.jobs.tasks import Tasks

    configure_logging()
    app = ctx.app(migrate=True)
    tasks = Tasks(app, make_broker(ctx.settings))
    worker = in_process_worker(tasks.broker, threads)
    console = None
    if ctx.settings["web.serve_in_run"]:
        from monitor.cli.web import serve_in_thread

        console, _ = serve_in_thread(app)
        click.echo(f"Console: http://{ctx.settings['web.host']}:{int(ctx.settings['web.port'])}")
    click.echo(f"Hallwatch running (broker: {ctx.settings.broker_url}); Ctrl-C stops it.")
    _until_interrupted(lambda stop: run_forever(app, tasks, stop, period))
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
    import dramatiq

    from monitor.core.logs import configure_logging
    from monitor.jobs.broker import make_broker
    from monitor.jobs.scheduler import run_forever
    from monitor.jobs.tasks import Tasks

    configure_logging()
    if ctx.settings.broker_url == "memory":
        raise click.ClickException(
            "the scheduler alone needs a shared broker: set broker_url (HALLWATCH_BROKER_URL) to a "
            "redis:// URL, or use `hallwatch run` for everything in one process"
        )
    broker = make_broker(ctx.settings)
    dramatiq.set_broker(broker)
    tasks = Tasks(ctx.app(migrate=True), broker)
    _until_interrupted(lambda stop: run_forever(tasks.app, tasks, stop, period))


def _until_interrupted(body: Any) -> None:
    """Run ``body(stop)`` until Ctrl-C or SIGTERM (how systemd and Docker stop services)."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        body(stop)
    except KeyboardInterrupt:
        stop.set()
        click.echo("stopped.")


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
    from monitor.notify.digest import write_preview
    from monitor.storage.models import Supervisor

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


@main.command()
@click.option(
    "--district",
    type=click.Path(file_okay=False, exists=True),
    default=str(Path(__file__).resolve().parents[2] / "examples" / "sandbox-district"),
    show_default="the bundled examples/sandbox-district",
    help="The sandbox district to run.",
)
@pass_ctx
def demo(ctx: Ctx, district: str) -> None:
    """Run the whole pipeline on the sandbox district.

    Polls every account on "day one" and "the next day", raises flags, delivers alerts
    and writes the weekly digest, then shows what it found.
    """
    import logging

    from monitor.core.logs import configure_logging
    from monitor.jobs.demo import pending_alerts, run_demo

    configure_logging(logging.WARNING)
    report = run_demo(ctx.settings, Path(district))
    settings = ctx.settings
    for kind, result in report.imported.items():
        click.echo(
            f"registry {kind}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
    for step in report.steps:
        click.echo(step)
    click.echo("")
    _print_flag_table(report)
    click.echo("")
    click.echo(f"{report.new_flags} new flag(s) this run; {report.total_flags} on record.")
    if report.new_flags == 0:
        click.echo(
            "Nothing new: every finding was already on record, so no second flag or alert was made."
        )
    click.echo(f"Alerts (.eml files): {settings.outbox_dir.resolve()}")
    click.echo(
        f"Weekly digests for {report.week}: {(settings.digest_dir / report.week).resolve()} "
        f"({report.new_digests} new this run)"
    )
    click.echo(
        f"Pending alerts: {pending_alerts(ctx.app())}. "
        "See every flag: .venv/bin/hallwatch flags list"
    )
    if report.dead_letters:
        raise click.ClickException(f"{report.dead_letters} message(s) failed; see the log above")
    _demo_console(ctx, Path(district))


def _demo_console(ctx: Ctx, district: Path) -> None:
    """Demo sign-ins, then serve the console (at a terminal) or say how to start it."""
    from monitor.jobs.demo import DEMO_USERS, demo_clock, demo_settings, demo_users

    app = App.from_settings(demo_settings(ctx.settings, district))
    app.clock = demo_clock(district)  # the demo world's time: its links and ages read right
    demo_users(app)
    host, port = ctx.settings["web.host"], int(ctx.settings["web.port"])
    (admin, password, _, _), (supervisor, _, _, _) = DEMO_USERS[0], DEMO_USERS[1]
    click.echo(
        f"Console: http://{host}:{port}  login: {admin} / {password}  "
        f"(a school principal: {supervisor}, same password)"
    )
    if sys.stdout.isatty() and sys.stdin.isatty():
        from monitor.cli.web import serve

        click.echo("Serving the console; Ctrl-C stops it.")
        serve(app, host, port)
    else:
        config = f"--config {ctx.config} " if ctx.config else ""
        click.echo(
            "Start it with: HALLWATCH_SANDBOX_SCENARIO="
            f"{(district / 'scenario.json').resolve()} .venv/bin/hallwatch {config}web "
            f"--as-of {app.now().isoformat()}"
        )


def _print_flag_table(report: Any) -> None:
    rules = sorted({rule for rule, _ in report.by_rule_account})
    accounts = sorted({acct for _, acct in report.by_rule_account})
    if not rules:
        click.echo("No flags.")
        return
    short = [r.split(".", 1)[1] for r in rules]
    col = max(len(x) for x in short)
    width = max(len(a) for a in accounts)
    click.echo("Flags by rule and account:")
    click.echo("account".ljust(width) + "  " + "  ".join(x.rjust(col) for x in short))
    for acct in accounts:
        cells = [str(report.by_rule_account.get((r, acct), "") or ".").rjust(col) for r in rules]
        click.echo(acct.ljust(width) + "  " + "  ".join(cells))
    click.echo("rules: " + ", ".join(rules))


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
    from monitor.ingest.detection import settings_suite
    from monitor.ingest.scan import roster_from_csv
    from monitor.ingest.scan import scan as run_scan
    from monitor.registry.roster import RosterError, roster_key

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
        ctx.settings["detection.region"],
    )
    if result.bad:
        click.echo(f"{result.bad} of {result.lines} line(s) were malformed (see above).", err=True)
        sys.exit(2)


def _stored_roster(ctx: Ctx) -> tuple[Any, frozenset[str]]:
    """The roster in the database, if there is a database; scan never creates one."""
    from sqlalchemy.engine import make_url

    from monitor.ingest.detection import ROSTER

    url = make_url(ctx.settings.database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return None, frozenset()
    app = ctx.app(migrate=True)
    with app.sessions() as session:
        return ROSTER.get(session, ctx.settings)


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
        from monitor.registry.roster import (
            RosterError,
            import_consents,
            import_roster,
            parse_columns,
        )

        app = ctx.app(migrate=True)
        try:
            mapping = parse_columns(columns)
            with app.sessions() as session, session.begin():
                with open(file, encoding="utf-8-sig", newline="") as stream:
                    if kind == "roster":
                        done = import_roster(
                            session, ctx.settings, stream, "cli", app.now(), mapping, file
                        )
                        message = (
                            f"roster: {done.students} students stored as {done.hashes} keyed hashes"
                        )
                    else:
                        count = import_consents(
                            session, ctx.settings, stream, "cli", app.now(), mapping, file
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


# The noncompliance record: flags show/ack/resolve/dismiss, comments review, alerts, report.
from monitor.cli import records as cli_record  # noqa: E402

cli_record.register(main)

from monitor.cli import retention as cli_retention  # noqa: E402

cli_retention.register(main)

from monitor.cli import web as cli_web  # noqa: E402

cli_web.register(main)
