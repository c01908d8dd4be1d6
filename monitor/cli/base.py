"""What every ``hallwatch`` command shares: the settings and app, the root group, and
how rows and errors are printed."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable
from typing import Any

import click
from sqlalchemy.engine import make_url

from monitor.access.users import UserError, known_actor
from monitor.core.app import App
from monitor.core.settings import Settings, SettingsError, load_settings
from monitor.storage.db import open_app


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
            self._app = open_app(self.settings, migrate=migrate)
        return self._app


pass_ctx = click.make_pass_decorator(Ctx)


def by_whom(app: App, actor: str) -> str:
    """``--by``, checked: the e-mail of an enabled console user or of a supervisor in the
    registry (normalised), so that the audit log names a real person."""
    with app.sessions() as session:
        try:
            return known_actor(session, actor)
        except UserError as exc:
            raise click.ClickException(str(exc)) from None


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


def print_rows(rows: list[dict[str, Any]], fmt: str, columns: list[str] | None = None) -> None:
    if fmt == "json":
        for row in rows:
            click.echo(json.dumps(row, default=str, ensure_ascii=False))
        return
    if not rows:
        click.echo("(none)")
        return
    columns = columns or list(rows[0])
    cells = [[cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for r in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))


def cell(value: Any, limit: int = 60) -> str:
    text = " ".join(str("" if value is None else value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def until_interrupted(body: Callable[[threading.Event], Any]) -> None:
    """Run ``body(stop)`` until Ctrl-C or SIGTERM (how systemd and Docker stop services)."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        body(stop)
    except KeyboardInterrupt:
        stop.set()
        click.echo("stopped.")


def safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
