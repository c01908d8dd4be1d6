"""The README (issue 13, item 8): at most 200 lines, a quick start of exactly two set-up
commands, and a rules table listing every rule of the one rules table with real
severities."""

from __future__ import annotations

import re

from detectors import Severity
from detectors.rules import RULES
from tests.support.paths import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def _rule_rows() -> dict[str, str]:
    rows = re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \| ([^|]+) \|", _section("The rules"), re.M)
    return dict(rows)


def test_the_readme_is_two_hundred_lines_or_fewer():
    assert len(README.splitlines()) <= 200


def test_the_quick_start_is_exactly_two_set_up_commands():
    commands = re.findall(r"^    (\S.*?)(?:\s+#.*)?$", _section("Quick start"), re.M)
    assert commands == ["make demo", "make test"]


def test_the_rules_table_lists_every_rule_and_nothing_else():
    rows = _rule_rows()
    assert set(rows) == set(RULES), (
        f"README rules table: add {sorted(set(RULES) - set(rows))}, "
        f"remove {sorted(set(rows) - set(RULES))}"
    )


def test_each_row_gives_real_severities():
    words = {s.value for s in Severity}
    for rule, severity in _rule_rows().items():
        assert set(re.findall(r"[a-z]+", severity)) & words, f"{rule}: {severity!r} names none"
