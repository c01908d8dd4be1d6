"""Chat webhooks (Slack here) get one copy of every alert, grouped like e-mail, once."""

from __future__ import annotations

import json

import pytest
import responses
from sqlalchemy import select

from detectors import Finding
from monitor.core.app import App
from monitor.core.settings import SettingsError
from monitor.ingest.flags import raise_flags
from monitor.notify.base import DeliveryError, FileNotifier
from monitor.notify.delivery import deliver, pending_outbox
from monitor.storage.db import session_factory
from monitor.storage.models import Account
from tests.support import factory
from tests.support.factory import at

SLACK = "https://hooks.slack.com/services/T000/B000/SECRETTOKEN123"


@pytest.fixture
def app(engine, settings):
    settings = settings.replace(delivery__slack_webhook_url=SLACK, delivery__group_minutes=60)
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        factory.account(s, d["school"], d["principal"], "riv-yt")
    return App(settings=settings, engine=engine, sessions=session_factory(engine))


def _raise(app, findings):
    with app.sessions() as s, s.begin():
        raise_flags(
            s, s.scalars(select(Account)).one(), findings, at(1.25), group=app.settings.group_window
        )


def _finding(key, severity="medium", rule="visibility.public"):
    return Finding(
        rule=rule, severity=severity, explanation="Found.", detector="t", version="1", key=key
    )


@responses.activate
def test_critical_alert_goes_to_slack_once(app, tmp_path):
    responses.post(SLACK, body="ok")
    _raise(app, [_finding("pii", "critical", "pii.student")])
    [outbox_id] = pending_outbox(app)
    deliver(app, outbox_id, at(1.25), FileNotifier(tmp_path))
    deliver(app, outbox_id, at(1.3), FileNotifier(tmp_path))
    assert len(responses.calls) == 1
    assert "pii.student" in json.loads(responses.calls[0].request.body)["text"]


@responses.activate
def test_grouped_alerts_go_to_slack_as_one_message(app, tmp_path):
    responses.post(SLACK, body="ok")
    _raise(app, [_finding(f"k{i}") for i in range(3)])
    for outbox_id in pending_outbox(app):
        deliver(app, outbox_id, at(2), FileNotifier(tmp_path))
    assert len(responses.calls) == 1
    assert pending_outbox(app) == []


@responses.activate
def test_slack_down_keeps_the_alert_pending_without_leaking_the_url(app, tmp_path):
    responses.post(SLACK, status=500, body="server_error")
    _raise(app, [_finding("pii", "critical", "pii.student")])
    [outbox_id] = pending_outbox(app)
    with pytest.raises(DeliveryError) as err:
        deliver(app, outbox_id, at(1.25), FileNotifier(tmp_path))
    assert "SECRETTOKEN123" not in str(err.value)
    assert pending_outbox(app) == [outbox_id]  # e-mail copies went; Slack's is retried


def test_webhook_urls_must_be_https_and_are_masked(settings):
    with pytest.raises(SettingsError, match="https"):
        settings.replace(delivery__teams_webhook_url="http://evil.example/hook")
    assert "SECRETTOKEN123" not in repr(settings.replace(delivery__slack_webhook_url=SLACK))
