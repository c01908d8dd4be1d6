"""``hallwatch orgs|supervisors|accounts import|export|list``, ``accounts credentials`` and
``accounts resume``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from monitor.cli.base import Ctx, by_whom, main, not_utf8, pass_ctx, print_rows
from monitor.cli.progress import reading, terminal_progress
from monitor.ingest.pauses import resume
from monitor.registry import accounts as registry
from monitor.registry.connect import ConnectError, set_credentials
from monitor.registry.secrets import CredentialsError, parse_credentials


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
            with app.sessions() as session, session.begin(), terminal_progress() as progress:
                with open(file, encoding="utf-8", newline="") as raw:
                    stream = reading(raw, file, progress)
                    result = registry.import_csv(session, kind, stream, "cli", file)
        except registry.RegistryError as exc:
            raise click.ClickException(f"{file}:\n{exc}") from None
        except UnicodeDecodeError as exc:
            raise click.ClickException(not_utf8(file, exc)) from None
        click.echo(
            f"{noun}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
        for note in result.ignored:
            click.echo(f"{file}: {note}", err=True)

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
        print_rows(rows, fmt)

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
@click.option(
    "--by",
    "actor",
    default="cli",
    show_default=True,
    help="Who is doing this: a console user's or supervisor's e-mail.",
)
@pass_ctx
def accounts_credentials(
    ctx: Ctx, account: str, path: str | None, no_check: bool, actor: str
) -> None:
    """Set an account's credentials (never on the command line).

    Give key=value lines or a JSON object, in a file or on standard input, e.g.
    `hallwatch accounts credentials riv-fb < token.txt`. A test call checks them first;
    they are stored encrypted and a broken account becomes active again.
    """
    if path is None and sys.stdin.isatty():
        click.echo("Type key=value lines, then Ctrl-D:", err=True)
    text = Path(path).read_text(encoding="utf-8") if path else sys.stdin.read()
    app = ctx.app(migrate=True)
    actor = actor if actor == "cli" else by_whom(app, actor)
    try:
        reached = set_credentials(
            app, account, parse_credentials(text), actor, app.now(), check=not no_check
        )
    except (ConnectError, CredentialsError) as exc:
        raise click.ClickException(f"{account}: {exc}") from None
    click.echo(f"{account}: credentials stored encrypted ({reached}).")


main.commands["accounts"].add_command(accounts_credentials)  # type: ignore[attr-defined]


@click.command("resume")
@click.argument("keys", nargs=-1, metavar="[ACCOUNT]...")
@click.option("--platform", help="Every paused account of this platform, e.g. x.")
@click.option("--by", "actor", required=True, metavar="EMAIL", help="Who is doing this.")
@pass_ctx
def accounts_resume(ctx: Ctx, keys: tuple[str, ...], platform: str | None, actor: str) -> None:
    """Resume polls a platform's usage cap paused (after IT raised the plan).

    Without this, polls resume by themselves when the cap resets. The next scheduler tick
    polls the accounts; if the cap still holds they pause again, and IT gets no second
    notice for the same cap. E.g. `hallwatch accounts resume --platform x --by it@district`.
    """
    if not keys and not platform:
        raise click.UsageError("name the accounts to resume, or give --platform")
    app = ctx.app(migrate=True)
    resumed = resume(app, keys, platform, by_whom(app, actor), app.now())
    if not resumed:
        raise click.ClickException(
            "no paused account matches; `hallwatch flags list` ends with the paused ones"
        )
    click.echo(f"resumed: {', '.join(resumed)}; the next scheduler tick polls them.")
    if others := sorted(set(keys) - set(resumed)):
        click.echo(f"not paused, or no such account: {', '.join(others)}", err=True)


main.commands["accounts"].add_command(accounts_resume)  # type: ignore[attr-defined]
