"""What `hallwatch status` and /metrics know, and what needs a person, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from monitor.core.app import App
from monitor.core.keys import key_id
from monitor.jobs.status import CRITICAL, WARNING, gather, level, problems
from monitor.registry import usage
from monitor.registry.secrets import encrypt
from monitor.storage.db import session_factory
from monitor.storage.models import (
    Account,
    ApiUsage,
    Delivery,
    DigestSent,
    OrgUnit,
    OutboxItem,
    ScheduleSlot,
    Supervisor,
)
from tests.support import factory

NOW = datetime(2026, 9, 16, 17, 0, tzinfo=UTC)  # Wednesday 10:00 in Vancouver, ISO week 38


def _app(settings: Any, engine: Any) -> App:
    url = engine.url.render_as_string(hide_password=False)
    return App(
        settings=settings.replace(database_url=url),
        engine=engine,
        sessions=session_factory(engine),
        clock=lambda: NOW,
    )


@pytest.fixture
def app(settings, engine) -> App:
    """A district where everything works: polled five minutes ago, digests made, the
    scheduler's sweep claimed this hour, nothing waiting."""
    app = _app(settings, engine)
    with app.sessions() as s, s.begin():
        d = factory.district(s)
        d["district"].counsellor_email = "counselling@fvsd.example.ca"  # for every school
        for key, platform in (("riv-yt", "youtube"), ("riv-fb", "facebook")):
            factory.account(
                s,
                d["school"],
                d["principal"],
                key,
                platform=platform,
                last_polled_at=NOW - timedelta(minutes=5),
                last_poll_outcome="ok",
                registered_at=NOW - timedelta(days=30),
            )
        factory.account(
            s, d["school"], d["principal"], "riv-snap", platform="snapchat", status="manual"
        )
        for supervisor in s.scalars(select(Supervisor)):
            s.add(
                DigestSent(
                    supervisor_id=supervisor.id,
                    iso_year=2026,
                    iso_week=38,
                    created_at=NOW - timedelta(days=2),
                )
            )
        s.add(ScheduleSlot(key="sweep:2026-09-16T16", claimed_at=NOW - timedelta(minutes=10)))
        usage.record_poll(s, "youtube", NOW - timedelta(minutes=5), "ok")
        usage.record_poll(s, "youtube", NOW - timedelta(minutes=20), "TransientError")
    return app


def _change(app: App, work: Callable[[Session], None]) -> None:
    with app.sessions() as s, s.begin():
        work(s)


def test_a_working_district_needs_nobody(app):
    facts = gather(app)
    assert problems(app, facts) == [] and level([]) == "ok"
    assert {c.name: c.state for c in facts.checks} == {
        "database": "ok",
        "migrations": "current",
        "broker": "ok",
    }
    youtube = facts.platforms["youtube"]
    assert youtube.watched == 1 and youtube.last_ok == NOW - timedelta(minutes=5)
    assert youtube.polls_today == {"ok": 1, "transient_error": 1}
    assert youtube.allowance == 10000 and not youtube.quota_exhausted
    assert facts.platforms["snapchat"].watched == 0  # no API: attested by hand, never polled
    assert facts.accounts[("snapchat", "manual")] == 1
    # Monday 07:00 in Vancouver is 14:00 UTC; this week's digests are made
    assert facts.next_digest == datetime(2026, 9, 21, 14, 0, tzinfo=UTC)
    assert not facts.digest_overdue
    assert facts.key == key_id(app.settings.master_key) and len(facts.key) == 8
    assert facts.queues is None  # the in-memory broker lives in `hallwatch run`


def _account(s: Session, key: str, **values: Any) -> None:
    s.execute(update(Account).where(Account.key == key).values(**values))


def _outbox(s: Session, created: timedelta, after: timedelta | None) -> None:
    s.add(
        OutboxItem(
            dedup_key=f"alert:{created}:{after}",
            kind="alert",
            created_at=NOW - created,
            deliver_after=None if after is None else NOW + after,
        )
    )


def _failing_delivery(s: Session) -> None:
    item = OutboxItem(dedup_key="alert:failing", kind="alert", created_at=NOW, deliver_after=NOW)
    s.add(item)
    s.flush()
    s.add(
        Delivery(
            outbox_id=item.id,
            recipient="it-help@fvsd.example.ca",
            channel="smtp",
            attempts=2,
            last_error="550 mailbox full",
        )
    )


def _quota_used(s: Session) -> None:
    s.add(
        ApiUsage(platform="youtube", day=usage.usage_day("youtube", NOW), requests=9000, units=9995)
    )


CASES = [
    # (what changes, the level, words of the problem)
    (lambda s: _account(s, "riv-fb", status="credentials_broken"), WARNING, "broken credentials"),
    (
        lambda s: _account(s, "riv-yt", last_polled_at=NOW - timedelta(minutes=45)),
        WARNING,
        "not checked within twice",
    ),
    (
        lambda s: _account(s, "riv-yt", last_polled_at=NOW - timedelta(hours=2)),
        CRITICAL,
        "no successful youtube poll for 2 h",
    ),
    (
        lambda s: _account(
            s, "riv-yt", last_polled_at=None, registered_at=NOW - timedelta(hours=3)
        ),
        CRITICAL,
        "no successful youtube poll for 3 h",
    ),
    (lambda s: _outbox(s, timedelta(minutes=90), None), CRITICAL, "an alert has waited 90 min"),
    (lambda s: _outbox(s, timedelta(minutes=20), None), "ok", ""),  # due 20 min: not yet
    (lambda s: _outbox(s, timedelta(hours=5), timedelta(minutes=30)), "ok", ""),  # grouping window
    (
        # a usage cap paused the account two hours ago: a warning, never "no poll" or "late"
        lambda s: _account(
            s,
            "riv-yt",
            last_polled_at=NOW - timedelta(hours=2),
            paused_until=NOW + timedelta(days=5),
            pause_reason="X API monthly product cap used up",
        ),
        WARNING,
        "1 account(s)' polls are paused by a platform's usage cap",
    ),
    (_failing_delivery, WARNING, "1 delivery(ies) failing"),
    (_quota_used, WARNING, "youtube: the daily API quota is used up"),
    (lambda s: s.execute(DigestSent.__table__.delete()), WARNING, "digest has not been made"),
    (
        lambda s: s.execute(update(ScheduleSlot).values(claimed_at=NOW - timedelta(hours=3))),
        WARNING,
        "the scheduler has not run its hourly sweep for 3 h",
    ),
]


@pytest.mark.parametrize(("change", "expected", "words"), CASES)
def test_what_needs_a_person(app, change, expected, words):
    _change(app, change)
    found = problems(app, gather(app))
    assert level(found) == expected, found
    if words:
        assert any(words in p.text and p.level == expected for p in found), found


def test_a_new_account_is_not_late_before_its_first_interval(app):
    _change(
        app,
        lambda s: _account(
            s, "riv-yt", last_polled_at=None, registered_at=NOW - timedelta(minutes=10)
        ),
    )
    facts = gather(app)
    assert facts.late == [] and problems(app, facts) == []


def test_credentials_under_an_old_key_then_under_none(app, settings):
    old = app.settings.replace(secret_key="the-old-secret-key-of-last-year")
    _change(
        app,
        lambda s: _account(
            s,
            "riv-fb",
            credentials=encrypt(old, {"access_token": "EAAGoldTokenForStatusTest0123456789"}),
        ),
    )
    _change(
        app, lambda s: _account(s, "riv-yt", credentials=encrypt(app.settings, {"api_key": "x"}))
    )
    # During a rotation: the old key still decrypts, so it is a warning
    app.settings = app.settings.replace(previous_secret_keys="the-old-secret-key-of-last-year")
    facts = gather(app)
    assert (
        facts.credentials.current,
        facts.credentials.previous,
        facts.credentials.unreadable,
    ) == (1, 1, 0)
    assert [p.level for p in problems(app, facts)] == [WARNING]
    # The old key removed before the rotation: nothing decrypts those credentials
    app.settings = app.settings.replace(previous_secret_keys="")
    found = problems(app, gather(app))
    assert level(found) == CRITICAL and "cannot be decrypted" in found[0].text


def test_an_unreachable_database_is_critical_and_nothing_else_is_claimed(app):
    app.settings = app.settings.replace(
        database_url="postgresql+psycopg://hallwatch@127.0.0.1:1/hallwatch"
    )
    facts = gather(app)
    found = problems(app, facts)
    assert [p.level for p in found] == [CRITICAL, CRITICAL]
    assert "database unreachable" in found[0].text and facts.platforms == {}


def test_units_whose_signs_of_self_harm_would_reach_no_counsellor_are_a_warning(app):
    # Given the district's counselling contact is removed and no unit has its own
    _change(app, lambda s: setattr(s.get_one(OrgUnit, _unit(s, "FVSD")), "counsellor_email", ""))
    found = problems(app, gather(app))
    # Then status names the school and says how to set one
    [problem] = found
    assert problem.level == WARNING and "1 unit(s) with accounts have no counsellor" in problem.text
    assert "(RIV)" in problem.text and "counsellor_email" in problem.text
    # And the district setting alone is enough
    settings = app.settings.replace(wellbeing__counsellor_email="counselling@fvsd.example.ca")
    assert problems(_app(settings, app.engine), gather(_app(settings, app.engine))) == []


def _unit(s, code):
    return s.scalars(select(OrgUnit.id).where(OrgUnit.code == code)).one()
