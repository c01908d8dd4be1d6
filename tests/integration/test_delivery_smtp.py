"""Alerts over real SMTP (aiosmtpd in-process): an outage in the middle of a run loses
nothing and sends nothing twice."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from detectors import Finding
from monitor.core.app import App
from monitor.ingest.flags import raise_flags
from monitor.notify.base import DeliveryError
from monitor.notify.delivery import deliver, pending_outbox
from monitor.notify.routing import notifier_for
from monitor.storage.db import session_factory
from monitor.storage.models import Account, Delivery, OutboxItem
from tests.support import factory
from tests.support.factory import at
from tests.unit.monitor.notify.test_channels import Server, _received


@pytest.fixture
def smtp():
    server = Server()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app(engine, settings, smtp):
    settings = settings.replace(
        delivery__channel="smtp",
        smtp__host="127.0.0.1",
        smtp__port=smtp.port,
        smtp__security="none",
    )
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        factory.account(s, d["school"], d["principal"], "riv-yt")
    return App(settings=settings, engine=engine, sessions=session_factory(engine))


def _flags(app, n):
    with app.sessions() as s, s.begin():
        account = s.scalars(select(Account)).one()
        findings = [
            Finding(
                rule="visibility.public",
                severity="medium",
                explanation="Public.",
                detector="t",
                version="1",
                key=f"k{i}",
            )
            for i in range(n)
        ]
        raise_flags(s, account, findings, at(1))


def test_smtp_outage_mid_run_then_every_alert_once(app, smtp):
    _flags(app, 3)
    ids = pending_outbox(app)
    # The first alert goes out, then the mail server goes down
    deliver(app, ids[0], at(2), notifier_for(app))
    smtp.stop()
    for outbox_id in ids[1:]:
        with pytest.raises(DeliveryError, match="not reached"):
            deliver(app, outbox_id, at(2), notifier_for(app))
    assert pending_outbox(app) == ids[1:]
    with app.sessions() as s:  # each copy records why, naming the server to check
        errors = set(s.scalars(select(Delivery.last_error).where(Delivery.status == "pending")))
    assert errors and all("127.0.0.1" in e and "host/port" in e for e in errors)
    # It comes back: the relay delivers what is pending, and a repeat sends nothing more
    smtp.start()
    for outbox_id in pending_outbox(app) + ids:
        deliver(app, outbox_id, at(3), notifier_for(app))
    received = _received(smtp)
    assert len(received) == 3 * 2  # three alerts, principal and vice principal each
    assert len({(m["Message-ID"], m["To"]) for m in received}) == 6
    with app.sessions() as s:
        assert set(s.scalars(select(OutboxItem.status))) == {"sent"}
        assert set(s.scalars(select(Delivery.status))) == {"delivered"}
