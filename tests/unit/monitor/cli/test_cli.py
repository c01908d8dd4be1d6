"""The command line, end to end on the bundled sandbox district."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.jobs.demo import ACKNOWLEDGING
from tests.support.paths import SANDBOX

DISTRICT = SANDBOX


@pytest.fixture
def env(tmp_path):
    return {
        "HALLWATCH_VAR_DIR": str(tmp_path / "var"),
        "HALLWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'hallwatch.db'}",
        "HALLWATCH_CONFIG": "",
    }


def run(env, *args):
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result


def test_help_lists_every_command_on_one_line_each():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in (
        "accounts",
        "supervisors",
        "orgs",
        "db",
        "demo",
        "flags",
        "poll",
        "run",
        "scheduler",
    ):
        [line] = [ln for ln in result.output.splitlines() if ln.strip().startswith(command + " ")]
        assert len(line.split(None, 1)) == 2, f"{command} has no one-line description"


def test_demo_finds_every_structural_rule_and_a_second_run_adds_nothing(env, tmp_path):
    # When the demo runs on a fresh machine
    first = run(env, "demo", "--district", str(DISTRICT))
    assert first.exit_code == 0, first.output
    assert "new flag(s) this run" in first.output and "Flags by rule and account" in first.output
    # And it shows the self-harm sign routed to Riverside's counsellor, the French insult
    # flagged and the Punjabi comment counted as not checked
    assert (
        "Signs of self-harm in a comment on riv-fb: alert sent at once to "
        "principal.riverside@fvsd.example.ca, vp.riverside@fvsd.example.ca, "
        "counsellor.riverside@fvsd.example.ca (the counsellor contact of Riverside Elementary)"
    ) in first.output
    assert "Read in French: language.prohibited on a comment on ced-fb" in first.output
    assert "1 comment in Punjabi was not checked for language" in first.output
    flags = [
        json.loads(line)
        for line in run(env, "flags", "list", "--format", "json").output.splitlines()
    ]
    rules = {f["rule"] for f in flags}
    assert {
        "comments.unreviewed",
        "visibility.public",
        "account.personal_email",
        "account.unapproved",
        "account.unidentified",
    } <= rules
    # Then alerts and the digest were written
    outbox = tmp_path / "var" / "outbox"
    alerts = sorted(outbox.glob("alert-*.eml"))
    digests = sorted((tmp_path / "var" / "digests").rglob("*.html"))
    assert alerts and digests
    # And running it again adds no flag, no alert and no digest
    second = run(env, "demo", "--district", str(DISTRICT))
    assert second.exit_code == 0, second.output
    assert "0 new flag(s) this run" in second.output
    again = [
        json.loads(line)
        for line in run(env, "flags", "list", "--format", "json").output.splitlines()
    ]
    assert [f["id"] for f in again] == [f["id"] for f in flags]
    assert sorted(outbox.glob("alert-*.eml")) == alerts
    assert sorted((tmp_path / "var" / "digests").rglob("*.html")) == digests


def test_demo_flags_match_the_district_readme(env):
    run(env, "demo", "--district", str(DISTRICT))
    flags = [
        json.loads(line)
        for line in run(env, "flags", "list", "--format", "json").output.splitlines()
    ]
    found = {(f["rule"], f["account"]) for f in flags}
    expected = {
        ("comments.unreviewed", "lak-blog-2n"),
        ("comments.unreviewed", "ced-yt-science"),
        ("comments.unreviewed", "ath-ig"),
        ("visibility.public", "mtn-x-robotics"),
        ("visibility.public", "lak-fb"),
        ("visibility.public", "ath-ig"),
        ("visibility.public", "ced-yt-science"),
        ("account.personal_email", "mtn-blog-chem"),
        ("account.unapproved", "ced-x"),
        ("account.unapproved", "riv-ig"),
        ("account.unidentified", "lak-ig-garden"),
        ("pii.student", "riv-blog-3p"),
        ("language.prohibited", "ced-fb"),
        ("media.inquiry", "mtn-fb"),
        ("wellbeing.self_harm", "riv-fb"),
        # administrators: a personal address (two accounts), one who left the District
        ("account.admin_access", "riv-blog-3p"),
        ("account.admin_access", "mtn-blog-chem"),
        ("account.admin_access", "lak-blog-2n"),
    }
    # Every account whose owner did not confirm the e-mailed link on day one (README).
    with (DISTRICT / "accounts.csv").open(encoding="utf-8", newline="") as stream:
        expected |= {
            ("account.unacknowledged", row["id"])
            for row in csv.DictReader(stream)
            if row["owner_email"] not in ACKNOWLEDGING
        }
    assert found == expected
    for flag in flags:
        assert flag["clause"].startswith(("Procedure 417", "Duty of care")) and flag["explanation"]
        assert flag["detector"] and flag["version"]


def test_registry_import_reports_bad_row_and_imports_nothing(env, tmp_path):
    assert run(env, "orgs", "import", str(DISTRICT / "org-units.csv")).exit_code == 0
    bad = tmp_path / "supervisors.csv"
    lines = (DISTRICT / "supervisors.csv").read_text().splitlines()
    lines.insert(3, "not-an-email,Someone,RIV,,supervisor")
    bad.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(main, ["supervisors", "import", str(bad)], env=env)
    assert result.exit_code == 1
    assert "line 4" in result.output and "Nothing was imported" in result.output
    assert run(env, "supervisors", "list").output.strip() == "(none)"


def test_registry_export_then_import_gives_the_same_registry(env, tmp_path):
    for noun, name in (
        ("orgs", "org-units"),
        ("supervisors", "supervisors"),
        ("accounts", "accounts"),
    ):
        assert run(env, noun, "import", str(DISTRICT / f"{name}.csv")).exit_code == 0
        out = tmp_path / f"{name}.csv"
        run(env, noun, "export", "--out", str(out))
        result = run(env, noun, "import", str(out))
        assert " 0 created, 0 updated" in result.output


def test_broken_config_stops_with_a_message_naming_the_key(env):
    env = {**env, "HALLWATCH_REVIEW_WINDOW_HOURS": "soon"}
    result = CliRunner().invoke(main, ["flags", "list"], env=env)
    assert result.exit_code == 1
    assert (
        "review_window_hours" in result.output and "HALLWATCH_REVIEW_WINDOW_HOURS" in result.output
    )
    assert "Traceback" not in result.output


def test_digest_preview_writes_the_file_asked_for(env, tmp_path):
    run(env, "demo", "--district", str(DISTRICT))
    out = tmp_path / "preview" / "riverside.html"
    result = run(
        env, "digest", "--preview", "principal.riverside@fvsd.example.ca", "--out", str(out)
    )
    assert result.exit_code == 0 and out.exists()
    page = out.read_text()
    assert "Weekly compliance digest" in page and "patel-grade3" in page


def test_demo_runs_without_a_failed_message_on_each_database(engine, tmp_path):
    """Overlapping grouped deliveries race for the same delivery rows on PostgreSQL (where
    writers run in parallel): a row another worker is adding is not an error."""
    env = {
        "HALLWATCH_VAR_DIR": str(tmp_path / "var"),
        "HALLWATCH_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "HALLWATCH_CONFIG": "",
    }
    result = run(env, "demo", "--district", str(DISTRICT))
    assert result.exit_code == 0, result.output
    assert "message(s) failed" not in result.output
    assert "Pending alerts: 0." in result.output
    sent = [p.name for p in (tmp_path / "var" / "outbox").glob("*.eml")]
    requests = [n for n in sent if n.startswith("ack-request-")]
    discovery = [n for n in sent if n.startswith("discovery-")]
    # alerts and digests: the 30 of the rules before issue 11, and the grouped alerts of its
    # two rules for the principals who had no other alert, and riv-fb's sign of self-harm at
    # once to Riverside's principal, vice-principal and counsellor
    assert len(sent) - len(requests) - len(discovery) == 35
    with (DISTRICT / "accounts.csv").open(encoding="utf-8", newline="") as stream:
        owners = {row["owner_email"] for row in csv.DictReader(stream)}
    assert len(requests) == len(owners)  # one request per owner, not per account
    assert len(discovery) == 1  # Riverside's principal: the unregistered Instagram account


def test_demo_says_how_to_serve_the_console_on_its_own_clock(env):
    result = run(env, "demo", "--district", str(DISTRICT))
    assert result.exit_code == 0, result.output
    assert "hallwatch web --as-of 2026-09-16T" in result.output  # the links in its e-mails work
    bad = run(env, "web", "--as-of", "next tuesday")
    assert bad.exit_code == 2 and "is not an ISO time" in bad.output
