"""Long commands show progress on a terminal and print nothing more when piped."""

from __future__ import annotations

import csv
import os
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.cli.progress import TerminalBar, reading, terminal_progress, track
from monitor.core.progress import SILENT
from tests.support.paths import SANDBOX

BIN = Path(sys.executable).parent
STUDENTS = 3000


def _roster(path: Path, rows: int = STUDENTS) -> Path:
    names = ["Ava", "Liam", "Noor", "Mateo", "Sofia", "Kai", "Zoe", "Arjun"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["student_number", "legal_first_name", "legal_last_name", "school"])
        for n in range(rows):
            out.writerow([str(4000000 + n), names[n % 8], f"Lastname{n % 97}", "RIV"])
    return path


@pytest.fixture
def env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLWATCH_")}
    env.update(
        HALLWATCH_VAR_DIR=str(tmp_path / "var"),
        HALLWATCH_DATABASE_URL=f"sqlite:///{tmp_path / 'var' / 'hallwatch.db'}",
        HALLWATCH_SECRET_KEY="progress-test-secret-key",
        TERM="xterm",
    )
    return env


def _run_on_a_terminal(env, *args, both: bool = False) -> tuple[int, str, str]:
    """Run ``hallwatch`` with standard error on a pseudo-terminal and standard output
    piped (`hallwatch ... > out.txt` keeps the bar on the screen), or ``both`` on it."""
    leader, follower = os.openpty()
    process = subprocess.Popen(
        [BIN / "hallwatch", *args],
        env=env,
        stdout=follower if both else subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    screen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    out, _ = process.communicate(timeout=120)
    os.close(leader)
    return process.returncode, (out or b"").decode(), screen.decode(errors="replace")


def test_a_roster_import_piped_prints_its_one_line_and_nothing_else(env, tmp_path):
    roster = _roster(tmp_path / "roster.csv")
    result = subprocess.run(
        [BIN / "hallwatch", "roster", "import", str(roster)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"roster: {STUDENTS} students stored as {result.stdout.split()[-3]} keyed hashes"
    ]
    assert result.stderr == ""  # no bar, no label, no carriage return


def test_a_roster_import_on_a_terminal_shows_its_stages(env, tmp_path):
    roster = _roster(tmp_path / "roster.csv")
    code, out, screen = _run_on_a_terminal(env, "roster", "import", str(roster))
    assert code == 0, screen
    assert "Reading roster.csv" in screen and "Storing keyed hashes" in screen
    assert re.search(r"Storing keyed hashes .*\b(\d+)/\1\b", screen)  # to the end
    assert out.startswith(f"roster: {STUDENTS} students stored as")  # stdout stays clean
    assert "Reading" not in out and "\r" not in out


def _sandbox_registry(env) -> None:
    env["HALLWATCH_SANDBOX_SCENARIO"] = str(SANDBOX / "scenario.json")
    for noun, name in (
        ("orgs", "org-units"),
        ("supervisors", "supervisors"),
        ("accounts", "accounts"),
    ):
        result = CliRunner().invoke(main, [noun, "import", str(SANDBOX / f"{name}.csv")], env=env)
        assert result.exit_code == 0, result.output


def test_a_first_poll_of_every_account(env):
    _sandbox_registry(env)
    # Piped: one line per account, as scripts read it
    piped = subprocess.run(
        [BIN / "hallwatch", "poll"], env=env, capture_output=True, text=True, timeout=300
    )
    assert piped.returncode == 0, piped.stderr
    lines = piped.stdout.splitlines()
    assert len(lines) == 26 and all(": " in line for line in lines)  # every active account
    assert "riv-ig: AuthRevoked, 0 post(s), 0 comment(s), 1 new flag(s)" in lines
    assert "Polling" not in piped.stdout + piped.stderr
    # On a terminal: the bar, then what did not poll cleanly, then a summary
    code, _, screen = _run_on_a_terminal(env, "poll", both=True)
    assert code == 0, screen
    assert "Polling" in screen and "25/25" in screen  # riv-ig's credentials broke: not polled
    assert "polled: 25 ok" in screen and "riv-ig" not in screen


def test_discover_shows_each_website_read_on_a_terminal_and_nothing_when_piped(env):
    _sandbox_registry(env)
    piped = subprocess.run(
        [BIN / "hallwatch", "discover", "--no-search"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr == "" and "Reading websites" not in piped.stdout
    assert piped.stdout.splitlines()[-2:] == [
        "1 new candidate(s), 0 seen before, 6 link(s) to registered accounts",
        "  new: instagram:riverside.eagles.sports",
    ]
    code, out, screen = _run_on_a_terminal(env, "discover", "--no-search")
    assert code == 0, screen
    assert re.search(r"Reading websites .*\b6/6\b", screen)  # the six units' sites, to the end
    assert "Reading websites" not in out and "0 new candidate(s), 1 seen before" in out


def test_consent_registry_purge_and_rotate_piped_print_what_they_always_printed(env, tmp_path):
    consent = tmp_path / "consent.csv"
    consent.write_text("student_number,media_release\n4000001,yes\n4000002,no\n")
    runner = CliRunner()  # not a terminal

    def run(*args: str) -> list[str]:
        result = runner.invoke(main, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.output.splitlines()

    assert run("consent", "import", str(consent)) == ["consent: 2 media release answers recorded"]
    assert run("orgs", "import", str(SANDBOX / "org-units.csv")) == [
        "orgs: 6 created, 0 updated, 0 unchanged"
    ]
    assert len(run("purge", "--days", "30")) == 1
    assert run("secrets", "rotate") == [
        "re-encrypted the credentials of 0 account(s) with the current key."
    ]


def test_the_helpers_stay_silent_off_a_terminal(tmp_path):
    # Under pytest standard error is captured: not a terminal
    with terminal_progress() as progress:
        assert progress is SILENT
    assert list(track(range(3), "Discovering")) == [0, 1, 2]
    path = tmp_path / "rows.csv"
    path.write_text("a,b\n1,2\n")
    counted: list[int] = []

    class Counting:
        def stage(self, label: str, total: int) -> None:
            counted.append(-total)

        def advance(self, count: int = 1) -> None:
            counted.append(count)

    with path.open(encoding="utf-8") as stream:
        assert list(reading(stream, path, Counting())) == ["a,b\n", "1,2\n"]
    assert counted == [-8, 4, 4]  # the file's bytes, then each line's


def test_a_terminal_bar_draws_its_stages(tmp_path):
    class Screen:
        def __init__(self) -> None:
            self.text = ""

        def write(self, text: str) -> int:
            self.text += text
            return len(text)

        def flush(self) -> None:
            pass

        def isatty(self) -> bool:
            return True

    screen = Screen()
    bar = TerminalBar(screen)  # type: ignore[arg-type]
    bar.stage("Blanking comments", 4)
    bar.advance(2)
    bar.advance(2)
    bar.stage("Blanking posts", 0)
    bar.close()
    assert "Blanking comments" in screen.text and "4/4" in screen.text
    assert "Blanking posts" in screen.text
