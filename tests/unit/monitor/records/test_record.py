"""The supervisors' record: flag history and status, comment review, pending alerts and
the noncompliance report (logic on both backends; a few commands end to end)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from detectors import Finding
from monitor.cli import main
from monitor.ingest.flags import raise_flags
from monitor.records.record import (
    RecordError,
    change_flag,
    noncompliance_report,
    pending_alerts,
    report_csv,
    report_html,
    review_comment,
    show_flag,
)
from monitor.storage.db import make_engine, upgrade
from monitor.storage.models import AuditEntry, Comment, Flag, OutboxItem
from tests.support.factory import START, account, at, district

VANCOUVER = ZoneInfo("America/Vancouver")
BOSS = "principal.riverside@fvsd.example.ca"


def finding(key: str, excerpt: str = "a student's full name", rule: str = "pii.student"):
    return Finding(
        rule=rule,
        severity="high",
        explanation="A student is named without a media release.",
        detector="pii",
        version="1.0",
        key=key,
        subject=f"post:{key}",
        excerpt=excerpt,
    )


def setup(session: Session, findings=None, now=START) -> list[Flag]:
    d = district(session)
    acct = account(session, d["school"], d["principal"], "riv-yt")
    flags = raise_flags(session, acct, findings or [finding("p1")], now)
    session.commit()
    return flags


def audit_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_show_flag_gives_every_field_account_and_history(db):
    [flag] = setup(db)
    change_flag(db, flag.id, "ack", BOSS, "looking into it", at(1))
    data = show_flag(db, flag.id)
    assert data["account"] == "riv-yt" and data["handle"] == "@riv-yt"
    assert data["platform"] == "youtube" and data["rule"] == "pii.student"
    assert data["status"] == "acknowledged" and "looking into it" in data["notes"]
    assert [h["action"] for h in data["history"]] == ["flag.raised", "flag.acknowledged"]
    assert data["history"][1]["actor"] == BOSS
    assert data["history"][1]["detail"]["note"] == "looking into it"


def test_show_missing_flag_says_where_to_look(db):
    setup(db)
    with pytest.raises(RecordError, match=r"no flag 999; see `hallwatch flags list`"):
        show_flag(db, 999)


@pytest.mark.parametrize("verb", ["resolve", "dismiss"])
def test_resolve_and_dismiss_need_a_note(db, verb):
    [flag] = setup(db)
    before = audit_count(db)
    with pytest.raises(RecordError, match="note"):
        change_flag(db, flag.id, verb, BOSS, "  ", at(1))
    assert db.get(Flag, flag.id).status == "open" and audit_count(db) == before


def test_same_status_again_records_nothing(db):
    [flag] = setup(db)
    assert change_flag(db, flag.id, "resolve", BOSS, "removed the post", at(1)).changed
    db.commit()
    before = audit_count(db)
    again = change_flag(db, flag.id, "resolved", BOSS, "again", at(2))
    assert not again.changed and "already resolved" in again.message
    db.commit()
    assert audit_count(db) == before
    assert "again" not in db.get(Flag, flag.id).notes


def test_change_unknown_flag_or_status_is_refused(db):
    [flag] = setup(db)
    with pytest.raises(RecordError, match="no flag 42"):
        change_flag(db, 42, "ack", BOSS, "", at(1))
    with pytest.raises(RecordError, match="action must be one of ack, resolve, dismiss, reopen"):
        change_flag(db, flag.id, "delete", BOSS, "", at(1))


def _comment(session: Session, **kw) -> Comment:
    acct_id = session.scalars(select(Flag.account_id)).first()
    row = Comment(
        account_id=acct_id,
        external_id=kw.pop("external_id", "c1"),
        post_external_id="p1",
        created_at=START,
        first_seen_at=START,
        text="nice video",
        fingerprint="f" * 64,
        **kw,
    )
    session.add(row)
    session.commit()
    return row


def test_review_comment_marks_once_and_keeps_an_earlier_reviewer(db):
    setup(db)
    fresh = _comment(db)
    done = review_comment(db, fresh.id, BOSS, at(2), note="fine")
    db.commit()
    assert done["changed"] and fresh.reviewed_by == BOSS and fresh.reviewed_at == at(2)
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "comment.reviewed")).one()
    assert entry.object_id == str(fresh.id) and entry.detail["note"] == "fine"

    earlier = _comment(db, external_id="c2", reviewed_at=at(1), reviewed_by="platform:teacher")
    before = audit_count(db)
    again = review_comment(db, earlier.id, BOSS, at(3))
    assert not again["changed"] and again["reviewed_by"] == "platform:teacher"
    assert earlier.reviewed_at == at(1) and audit_count(db) == before
    with pytest.raises(RecordError, match="no comment 999"):
        review_comment(db, 999, BOSS, at(3))


def test_pending_alerts_lists_undelivered_outbox_rows(db):
    flags = setup(db, [finding("p1"), finding("p2")])
    sent = db.scalars(select(OutboxItem).where(OutboxItem.flag_id == flags[1].id)).one()
    sent.status = "sent"
    first = db.scalars(select(OutboxItem).where(OutboxItem.flag_id == flags[0].id)).one()
    first.attempts, first.last_error = 2, "SMTP 451"
    db.commit()
    [row] = pending_alerts(db)
    assert row["flag"] == flags[0].id and row["rule"] == "pii.student"
    assert row["severity"] == "high" and row["account"] == "riv-yt"
    assert row["attempts"] == 2 and row["last_error"] == "SMTP 451"


def test_report_covers_district_dates_inclusive_with_what_was_done(db):
    # 23:30 on the 14th in Vancouver is 06:30 on the 15th in UTC; 00:30 on the 15th is not
    late = START.replace(hour=6, minute=30) + timedelta(days=1)
    [inside] = setup(db, [finding("p1")], now=late)
    acct = inside.account
    [outside] = raise_flags(db, acct, [finding("p2")], late + timedelta(hours=1))
    [before] = raise_flags(db, acct, [finding("p0")], START - timedelta(days=1))
    change_flag(db, inside.id, "ack", BOSS, "", late + timedelta(hours=2))
    change_flag(db, inside.id, "dismiss", BOSS, "consent on file", late + timedelta(hours=3))
    db.commit()

    rows = noncompliance_report(db, date(2026, 9, 14), date(2026, 9, 14), VANCOUVER)
    assert [r["id"] for r in rows] == [inside.id]
    [row] = rows
    assert row["account"] == "riv-yt" and row["status"] == "dismissed"
    assert row["clause"] == inside.clause and row["excerpt"] == inside.excerpt
    assert [(a["action"], a["actor"], a["note"]) for a in row["actions"]] == [
        ("acknowledged", BOSS, ""),
        ("dismissed", BOSS, "consent on file"),
    ]
    both = noncompliance_report(db, date(2026, 9, 13), date(2026, 9, 15), VANCOUVER)
    assert {r["id"] for r in both} == {inside.id, outside.id, before.id}
    with pytest.raises(RecordError, match="before it starts"):
        noncompliance_report(db, date(2026, 9, 15), date(2026, 9, 14), VANCOUVER)


def test_report_renders_escape_hostile_platform_text(db):
    hostile = '<script>alert("x")</script> =HYPERLINK("http://evil")'
    setup(db, [finding("p1", excerpt=hostile)])
    change_flag(db, db.scalars(select(Flag.id)).one(), "ack", BOSS, "<b>", at(1))
    db.commit()
    rows = noncompliance_report(db, date(2026, 9, 14), date(2026, 9, 14), VANCOUVER)
    page = report_html(rows)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>" not in page and "&lt;b&gt;" in page
    out = io.StringIO()
    report_csv(rows, out)
    [header, line] = list(csv.reader(io.StringIO(out.getvalue())))
    record = dict(zip(header, line, strict=True))
    assert record["excerpt"].startswith("<script>")  # CSV keeps the text as it is
    assert "acknowledged by " + BOSS in record["actions"]


# -- the commands, end to end ---------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path):
    url = f"sqlite:///{tmp_path / 'var' / 'hallwatch.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        late = START.replace(hour=6, minute=30) + timedelta(days=1)
        setup(session, [finding("p1", excerpt="<script>x</script>")], now=late)
    engine.dispose()
    return {"HALLWATCH_VAR_DIR": str(tmp_path / "var"), "HALLWATCH_DATABASE_URL": url}


def invoke(env, *args):
    return CliRunner().invoke(main, list(args), env=env)


def test_cli_dismiss_needs_a_note_then_show_has_the_history(cli_env):
    refused = invoke(cli_env, "flags", "dismiss", "1", "--note", "", "--by", BOSS)
    assert refused.exit_code == 1 and "note" in refused.output
    assert "Traceback" not in refused.output
    missing = invoke(cli_env, "flags", "show", "77")
    assert missing.exit_code == 1 and "no flag 77; see `hallwatch flags list`" in missing.output
    done = invoke(cli_env, "flags", "dismiss", "1", "--note", "consent on file", "--by", BOSS)
    assert done.exit_code == 0 and "dismissed" in done.output, done.output
    shown = invoke(cli_env, "flags", "show", "1", "--format", "json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert data["status"] == "dismissed"
    assert [h["action"] for h in data["history"]] == ["flag.raised", "flag.dismissed"]
    text = invoke(cli_env, "flags", "show", "1")
    assert "flag.dismissed" in text.output and "consent on file" in text.output


def test_cli_alerts_pending_and_html_report(cli_env, tmp_path):
    pending = invoke(cli_env, "alerts", "pending", "--format", "json")
    assert pending.exit_code == 0, pending.output
    [row] = [json.loads(line) for line in pending.output.splitlines()]
    assert row["rule"] == "pii.student" and row["account"] == "riv-yt"
    out = tmp_path / "report.html"
    made = invoke(
        cli_env,
        "report",
        "--from",
        "2026-09-14",
        "--to",
        "2026-09-14",
        "--format",
        "html",
        "--out",
        str(out),
    )
    assert made.exit_code == 0, made.output
    page = out.read_text(encoding="utf-8")
    assert "&lt;script&gt;" in page and "<script>" not in page and "riv-yt" in page
    csv_out = invoke(cli_env, "report", "--from", "2026-09-15", "--to", "2026-09-15")
    assert csv_out.exit_code == 0 and csv_out.output.splitlines()[0].startswith("id,account")
    assert len(csv_out.output.splitlines()) == 1
