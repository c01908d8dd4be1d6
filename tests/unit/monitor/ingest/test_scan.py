"""hallwatch scan: the detectors over JSON lines, no database needed."""

from __future__ import annotations

import json

from click.testing import CliRunner

from monitor.cli import main
from tests.support.paths import SANDBOX

DISTRICT = SANDBOX
FIELDS = {"rule", "severity", "start", "end", "score", "detector", "version", "explanation"}


def _env(tmp_path):
    return {
        "HALLWATCH_VAR_DIR": str(tmp_path / "var"),
        "HALLWATCH_CONFIG": "",
        "HALLWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'none.db'}",
        "HALLWATCH_SECRET_KEY": "scan-test",
    }


def _scan(tmp_path, lines, *args):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n")
    return CliRunner().invoke(main, ["scan", str(source), *args], env=_env(tmp_path))


def test_scan_writes_one_line_per_input_with_the_finding_fields(tmp_path):
    lines = [
        json.dumps({"id": 1, "text": "Great game tonight, go Hawks!", "kind": "comment"}),
        json.dumps(
            {"id": "b", "text": "I know where you park. You'll regret this.", "kind": "comment"}
        ),
        json.dumps({"id": 3, "text": "Call me at 604-555-0142 about Emma Schmidt", "kind": "post"}),
    ]
    result = _scan(tmp_path, lines, "--roster", str(DISTRICT / "roster.csv"))
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, "b", 3]
    assert out[0]["findings"] == []
    assert {f["rule"] for f in out[1]["findings"]} == {"language.prohibited"}
    assert max(f["severity"] for f in out[1]["findings"]) == "critical"
    rules = {f["rule"] for f in out[2]["findings"]}
    assert rules == {"pii.student"}
    spans = {
        lines and json.loads(lines[2])["text"][f["start"] : f["end"]] for f in out[2]["findings"]
    }
    assert "Emma Schmidt" in spans
    for finding in out[1]["findings"] + out[2]["findings"]:
        assert set(finding) == FIELDS
    # No database was created by the scan
    assert not (tmp_path / "var" / "none.db").exists()


def test_scan_reports_malformed_lines_keeps_going_and_exits_2(tmp_path):
    lines = [
        json.dumps({"id": 1, "text": "fine"}),
        "{not json",
        json.dumps({"id": 3}),
        json.dumps({"id": 4, "text": "ok", "kind": "tweet"}),
        json.dumps({"id": 5, "text": "You are an idiot"}),
    ]
    result = _scan(tmp_path, lines)
    assert result.exit_code == 2
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == [1, 5]
    for number in (2, 3, 4):
        assert f"line {number}:" in result.stderr
    assert "3 of 5 line(s) were malformed" in result.stderr


def test_scan_without_roster_says_names_are_not_matched(tmp_path):
    result = _scan(tmp_path, [json.dumps({"id": 1, "text": "Emma Schmidt won"})])
    assert result.exit_code == 0
    assert "no roster" in result.stderr
    assert json.loads(result.stdout)["findings"] == []


def test_scan_repeated_ids_stay_apart(tmp_path):
    lines = [json.dumps({"id": 7, "text": "You are an idiot"}), json.dumps({"id": 7, "text": "hi"})]
    out = [json.loads(x) for x in _scan(tmp_path, lines).stdout.splitlines()]
    assert [len(o["findings"]) > 0 for o in out] == [True, False]


def test_scan_reports_each_line_language_and_reads_french_with_french_lists(tmp_path):
    lines = [
        json.dumps({"id": "fr", "text": "Ferme ta gueule, espèce de connard."}),
        json.dumps({"id": "pa", "text": "ਸਕੂਲ ਦਾ ਪ੍ਰੋਗਰਾਮ ਬਹੁਤ ਵਧੀਆ ਸੀ, ਧੰਨਵਾਦ"}),
        json.dumps({"id": "x", "text": "👍"}),
    ]
    result = _scan(tmp_path, lines)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["id"], r["language"]) for r in rows] == [("fr", "fr"), ("pa", "pa"), ("x", "und")]
    assert {f["rule"] for f in rows[0]["findings"]} == {"language.prohibited"}
    assert rows[1]["findings"] == []
