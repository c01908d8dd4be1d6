"""Plain language and local time in alerts, grouped alerts, chat messages and the digest
(issue 14, item 11): a subject says what happened and where, rule ids only in small print,
no detector versions or exception names for a principal, every time in the district's zone
with the zone named; and the digest lists manual checks that are due (item 13)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from detectors import Finding
from monitor.ingest.flags import raise_flags
from monitor.notify.alerts import alert_message
from monitor.notify.channels import SlackNotifier, TeamsNotifier, plain_text
from monitor.notify.digest import digest_context
from monitor.notify.grouping import _message
from monitor.notify.render import render
from monitor.registry.attestations import record_attestation
from monitor.storage.models import Account, Flag, OutboxItem, Supervisor
from tests.support import factory
from tests.support.factory import at

BOSS = "principal.riverside@fvsd.example.ca"


def _finding(key, rule, severity, subject="", **details):
    return Finding(
        rule=rule,
        severity=severity,
        explanation="Found something.",
        detector="pii",
        version="7.3.1",
        key=key,
        subject=subject,
        excerpt="[student name] scored the goal",
        details=details,
    )


@pytest.fixture
def world(engine, settings, tmp_path):
    app = factory.app_for(settings, engine, factory.scenario(tmp_path / "s.json", {}))
    with app.sessions() as s, s.begin():
        d = factory.district(s)
        acct = factory.account(s, d["school"], d["principal"], "patel-grade3")
        acct.handle = "patel-grade3"
        factory.account(
            s, d["school"], d["principal"], "riv-snap", platform="snapchat", status="manual"
        )
        factory.account(
            s, d["school"], d["principal"], "riv-snap2", platform="snapchat", status="manual"
        )
        raise_flags(
            s,
            acct,
            [
                _finding(
                    "post:p1",
                    "pii.student",
                    "critical",
                    "post:p1",
                    label="student name",
                    form="full",
                ),
                _finding("post:p2", "visibility.public", "medium", "post:p2"),
            ],
            at(0),
        )
    return app


def _flags(session):
    return {f.rule_id: f for f in session.scalars(select(Flag))}


def test_an_alert_says_what_happened_and_where_not_the_rule_id(world):
    with world.sessions() as s:
        flag = _flags(s)["pii.student"]
        message = alert_message(world, flag, BOSS, 1)
    subject = str(message["Subject"])
    assert subject == "Urgent: A student's full name in a post on patel-grade3"
    assert "CRITICAL" not in subject.upper().replace("URGENT", "") and "pii.student" not in subject
    text = plain_text(message)
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert "A student's full name in a post on patel-grade3" in body.replace("&#39;", "'")
        assert "Mon 14 Sep 2026 08:00 PDT" in body  # 15:00 UTC, in Vancouver, zone named
        assert "7.3.1" not in body and " v1" not in body and "UTC" not in body
        assert "Urgent: act today" in body
    assert "Rule: Student information (pii.student)" in text  # the id only in small print
    assert text.splitlines()[0] == "A student's full name in a post on patel-grade3"


def test_chat_messages_carry_the_same_plain_subject(world):
    with world.sessions() as s:
        message = alert_message(world, _flags(s)["visibility.public"], BOSS, 2)
    slack = SlackNotifier("https://hooks.slack.com/services/T/B/X").payload(message)["text"]
    assert slack.startswith("*A public post on patel-grade3*")
    teams = TeamsNotifier("https://example.webhook.office.com/x").payload(message)
    heading = teams["attachments"][0]["content"]["body"][0]["text"]
    assert heading == "A public post on patel-grade3"
    assert "MEDIUM" not in slack and "visibility.public:" not in slack


def test_a_grouped_alert_lists_plain_titles(world):
    with world.sessions() as s:
        flags = list(s.scalars(select(Flag).order_by(Flag.id)))
        rows = [type("Row", (), {"outbox_id": i})() for i in (1, 2)]
        message = _message(world, BOSS, flags, rows)  # type: ignore[arg-type]
    assert str(message["Subject"]) == (
        "A student's full name in a post on patel-grade3, and 1 more for your accounts"
    )
    text = plain_text(message)
    assert "1. A student's full name in a post on patel-grade3" in text
    assert "2. A public post on patel-grade3" in text
    assert "Raised Mon 14 Sep 2026 08:00 PDT" in text and "7.3.1" not in text


def _context(app, email, now):
    with app.sessions() as s:
        supervisor = s.scalars(select(Supervisor).where(Supervisor.email == email)).one()
        context = digest_context(s, app, supervisor, now)
        return context, render("digest", **context)


def test_the_digest_names_rules_and_times_plainly_and_hides_errors_from_principals(world):
    with world.sessions() as s, s.begin():
        item = s.scalars(select(OutboxItem).order_by(OutboxItem.id)).first()
        assert item is not None
        item.attempts, item.last_error = 2, "SMTP delivery failed while sending (TimeoutError)"
    now = datetime(2026, 9, 16, 17, 0, tzinfo=at(0).tzinfo)
    _, (text, html) = _context(world, BOSS, now)
    for body in (text, html):
        assert "Student information" in body and "Public account or post" in body
        assert "Wed 16 Sep 2026 10:00 PDT" in body
        assert "TimeoutError" not in body and "SMTP delivery failed" not in body
    assert "checked by Hallwatch" in html and "A student&#39;s full name in a post" in html
    _, (_, it_html) = _context(world, "it-help@fvsd.example.ca", now)
    assert "TimeoutError" in it_html  # IT reads why


def test_the_digest_lists_manual_checks_that_are_due(world):
    now = datetime(2026, 9, 16, 17, 0, tzinfo=at(0).tzinfo)
    with world.sessions() as s, s.begin():
        snap = s.scalars(select(Account).where(Account.key == "riv-snap")).one()
        record_attestation(
            s, snap, BOSS, date(2026, 9, 10), date(2026, 9, 16), ["comments", "privacy",
            "student_information"], "", now, 30,
        )  # fmt: skip
    context, (text, html) = _context(world, BOSS, now)
    assert [d.account.key for d in context["checks_due"]] == ["riv-snap2"]
    assert [d.account.key for d in context["checks_done"]] == ["riv-snap"]
    assert "Manual attestation required: checks due" in html and "never checked" in html
    assert "checked Thu 10 Sep 2026 by principal.riverside@fvsd.example.ca" in html
    assert "next due Sat 10 Oct 2026" in text
    later, _ = _context(world, BOSS, now + timedelta(days=25))
    assert sorted(d.account.key for d in later["checks_due"]) == ["riv-snap", "riv-snap2"]
