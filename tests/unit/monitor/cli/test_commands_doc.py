"""docs/commands.md names every `hallwatch` command and subcommand (issue 13, item 8), and
every option it gives a command is one that command has."""

from __future__ import annotations

import re

import click

from monitor.cli import main
from tests.support.paths import ROOT

DOC = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")


def commands(group: click.Group = main, path: tuple[str, ...] = ()) -> dict[str, click.Command]:
    """Every command (groups included) by its full name, e.g. 'accounts resume'."""
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        full = (*path, name)
        found[" ".join(full)] = command
        if isinstance(command, click.Group):
            found.update(commands(command, full))
    return found


def _options(command: click.Command) -> set[str]:
    return {o for p in command.params if isinstance(p, click.Option) for o in p.opts}


def _command(cited: str, found: dict[str, click.Command]) -> str:
    """The longest command name that ``cited`` ("flags ack FLAG_ID") starts with."""
    words = cited.split()
    for end in range(len(words), 0, -1):
        if " ".join(words[:end]) in found:
            return " ".join(words[:end])
    raise AssertionError(f"docs/commands.md names an unknown command: hallwatch {cited}")


def test_the_walk_finds_the_commands_it_should():
    found = commands()
    assert {"discover", "candidates decide", "directory import", "accounts resume"} <= set(found)
    assert "accounts acknowledge-requests" in found and "health" in found
    assert len(found) > 50


def test_every_command_is_in_docs_commands():
    missing = [name for name in commands() if f"`hallwatch {name}" not in DOC]
    assert not missing, f"add these commands to docs/commands.md: {missing}"


def test_every_option_the_doc_gives_belongs_to_its_command():
    found = commands()
    wrong = []
    for row in DOC.splitlines():
        cells = row.split(" | ")
        if not row.startswith("| `hallwatch ") or len(cells) < 3:
            continue
        names = [_command(cited, found) for cited in re.findall(r"`hallwatch ([^`]+)`", cells[0])]
        have = set().union(*(_options(found[n]) for n in names))
        cited_options = re.findall(r"--[a-z-]+", cells[0] + cells[-1])
        wrong += [(names, o) for o in cited_options if o not in have]
    assert not wrong, f"docs/commands.md gives options these commands do not have: {wrong}"


def test_the_readme_links_the_commands_page():
    assert "(docs/commands.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
