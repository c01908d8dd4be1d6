"""Grouping: urgent alerts at once; the rest as one message per recipient per window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from detectors import Finding
from monitor.core.app import App
from monitor.ingest.flags import due_time
from monitor.ingest.flags import raise_flags as raise_
from monitor.notify.base import DeliveryError, FileNotifier
from monitor.notify.delivery import deliver, pending_outbox
from monitor.storage.db import session_factory
from monitor.storage.models import Account, Delivery, OutboxItem
from tests.support import factory
from tests.support.factory import at
from tests.unit.monitor.notify.test_delivery import FlakyNotifier

HOUR = timedelta(hours=1)


def _finding(key, severity="medium", rule="visibility.public"):
    return Finding(
        rule=rule, severity=severity, explanation="Found.", detector="t", version="1", key=key
    )


@pytest.fixture
def app(engine, settings):
    settings = settings.replace(delivery__group_minutes=60)
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        factory.account(s, d["school"], d["principal"], "riv-yt")
    return App(settings=settings, engine=engine, sessions=session_factory(engine))


def _raise(app, findings, when):
    with app.sessions() as s, s.begin():
        account = s.scalars(select(Account)).one()
        raise_(s, account, findings, when, group=app.settings.group_window)


def _files(folder):
    return sorted(p.name for p in folder.glob("*.eml")) if folder.exists() else []


@pytest.mark.parametrize(
    ("severity", "rule", "immediate"),
    [
        ("critical", "pii.student", True),
        ("high", "media.inquiry", True),
        ("high", "language.prohibited", False),
        ("medium", "comments.unreviewed", False),
        ("low", "account.unidentified", False),
    ],
)
def test_urgent_alerts_are_due_at_once_the_rest_at_the_window_end(severity, rule, immediate):
    now = at(1.25)
    due = due_time(_finding("k", severity, rule), now, HOUR)
    assert (due == now) is immediate
    if not immediate:
        assert due == at(2)  # the end of the hour that holds 16:15 UTC


def test_grouped_alerts_wait_then_go_as_one_message_per_recipient(app, tmp_path):
    out = tmp_path / "out"
    _raise(app, [_finding(f"k{i}") for i in range(3)], at(1.25))
    ids = pending_outbox(app)
    # Before the window ends nothing is sent
    assert {deliver(app, i, at(1.5), FileNotifier(out)) for i in ids} == {"waiting"}
    assert _files(out) == [] and pending_outbox(app, due_by=at(1.5)) == []
    # At the end of the window: one message to the principal, one to the vice principal
    assert deliver(app, ids[1], at(2), FileNotifier(out)) == "sent"
    files = _files(out)
    assert len(files) == 2 and all(f.startswith("group-") for f in files)
    body = (out / files[0]).read_text()
    assert body.count("visibility.public") >= 3 and "flags ack" in body
    # Every alert is sent, and delivering them again sends nothing more
    for outbox_id in ids:
        assert deliver(app, outbox_id, at(2), FileNotifier(out)) == "sent"
    assert _files(out) == files
    with app.sessions() as s:
        assert set(s.scalars(select(OutboxItem.status))) == {"sent"}
        assert len(s.scalars(select(Delivery)).all()) == 3 * 2


def test_critical_alert_is_delivered_alone_at_once(app, tmp_path):
    out = tmp_path / "out"
    _raise(app, [_finding("pii", "critical", "pii.student"), _finding("m")], at(1.25))
    due_now = pending_outbox(app, due_by=at(1.25))
    assert len(due_now) == 1
    assert deliver(app, due_now[0], at(1.25), FileNotifier(out)) == "sent"
    assert all(f.startswith("alert-") for f in _files(out)) and len(_files(out)) == 2


def test_channel_down_for_a_group_keeps_it_pending_and_sends_it_once_later(app, tmp_path):
    out = tmp_path / "out"
    _raise(app, [_finding(f"k{i}") for i in range(2)], at(1.25))
    ids = pending_outbox(app)
    flaky = FlakyNotifier(out, failures=1)  # the first recipient's group fails once
    with pytest.raises(DeliveryError, match="not reached"):
        deliver(app, ids[0], at(2), flaky)
    assert pending_outbox(app) == ids
    assert len(_files(out)) == 1
    deliver(app, ids[0], at(2.1), flaky)
    assert len(_files(out)) == 2 and pending_outbox(app) == []


def test_scheduler_relays_grouped_alerts_when_their_window_ends(app, tmp_path):
    from dramatiq.brokers.stub import StubBroker

    from monitor.jobs.scheduler import tick
    from monitor.jobs.tasks import Tasks

    _raise(app, [_finding("k0")], at(1.25))
    broker = StubBroker()
    tasks = Tasks(app, broker)
    tick(app, tasks, at(1.5))
    assert broker.queues.get("deliver") is None or broker.queues["deliver"].qsize() == 0
    tick(app, tasks, at(2))
    assert broker.queues["deliver"].qsize() == 1
    broker.close()
