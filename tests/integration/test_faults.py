"""Fault injection, in process: the whole pipeline on the sandbox district through a
Dramatiq worker, alerts over real SMTP (aiosmtpd), on PostgreSQL (the production database;
the no-fault baseline runs on SQLite, which also shows both backends agree).

Each test runs the district with a fault and compares the outcome with the same run
without it (``baseline``): every flag exactly once, every alert e-mail exactly once per
recipient. Each prints one line, e.g.
``fault=smtp-down flags expected=19 got=19 lost=0 alerts expected=33 sent=33 lost=0 duplicates=0``.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import Engine, create_engine, event, func, select, text

from detectors import Finding
from monitor.core.app import App
from monitor.core.settings import load_settings
from monitor.ingest.flags import raise_flags
from monitor.jobs.broker import in_process_worker
from monitor.jobs.tasks import Tasks
from monitor.notify.delivery import deliver, pending_outbox
from monitor.notify.routing import notifier_for
from monitor.storage.db import make_engine, session_factory, upgrade
from monitor.storage.models import Delivery, OutboxItem
from tests.conftest import PG_URL, _pg_schema_engine
from tests.support import factory, faultkit
from tests.support.factory import at
from tests.support.faultkit import Outcome, compare, outcome, received, run_steps
from tests.unit.monitor.notify.test_channels import Server


def _run(app, tasks: Tasks) -> None:
    worker = in_process_worker(tasks.broker, threads=4)
    try:
        run_steps(app, tasks)
    finally:
        worker.stop()


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """The sandbox district's two steps with no fault: what every fault run must equal."""
    tmp = tmp_path_factory.mktemp("baseline")
    engine = make_engine(f"sqlite:///{tmp / 'hallwatch.db'}")
    upgrade(engine)
    server = Server()
    server.start()
    try:
        settings = load_settings(environ={**faultkit.ENV, "HALLWATCH_VAR_DIR": str(tmp / "var")})
        app = faultkit.sandbox_app(engine, faultkit.smtp_settings(settings, server))
        _run(app, Tasks(app, StubBroker(), **faultkit.FAST_RETRIES))
        return outcome(engine, received(server))
    finally:
        server.stop()
        engine.dispose()


@pytest.fixture
def smtp() -> Iterator[Server]:
    yield from faultkit.smtp_server()


# On PostgreSQL only (production's database), to keep the suite quick; the SMTP outage is
# the same on SQLite (tests/integration/test_delivery_smtp.py runs the delivery part on both).
@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_smtp_down_for_a_while_every_alert_once(engine, settings, smtp, baseline):
    # Given the mail server is down when the run starts
    app = faultkit.sandbox_app(engine, faultkit.smtp_settings(settings, smtp))
    tasks = Tasks(app, StubBroker(), **faultkit.FAST_RETRIES)
    smtp.stop()

    def back() -> None:  # and comes back once three copies have failed
        faultkit.wait_for(lambda: _failed(app) >= 3, 60, "deliveries failing", every=0.05)
        smtp.start()

    back = threading.Thread(target=back)
    back.start()
    # When the whole run goes through the worker (deliveries retried with backoff)
    try:
        _run(app, tasks)
    finally:
        back.join()
    # Then nothing is lost and nothing is sent twice
    assert compare("smtp-down", baseline, outcome(engine, received(smtp)))
    with app.sessions() as session:  # and the outage really was met and retried
        assert session.scalar(select(func.max(Delivery.attempts))) >= 2
    assert _failed(app) >= 3


def _failed(app) -> int:
    with app.sessions() as session:
        return session.scalar(select(func.count(Delivery.id)).where(Delivery.last_error != ""))


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    """A fresh PostgreSQL schema whose connections carry an application name of their own,
    so the test terminates only them (other people share the server)."""
    name = f"hallwatch-faults-{uuid.uuid4().hex[:8]}"
    yield from _pg_schema_engine(application_name=name)


def _terminate(admin: Engine, where: str, **params: object) -> int:
    with admin.begin() as conn:
        query = f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {where}"
        return len(conn.execute(text(query), params).all())


@pytest.mark.postgres
def test_postgresql_connections_dropped_mid_run_nothing_lost_or_doubled(
    pg_engine, settings, smtp, baseline
):
    name = pg_engine.url.query["application_name"]
    admin = create_engine(PG_URL)
    upgrade(pg_engine)
    app = faultkit.sandbox_app(pg_engine, faultkit.smtp_settings(settings, smtp))
    tasks = Tasks(app, StubBroker(), **faultkit.FAST_RETRIES)
    dropped = {"commits": 0, "killed": 0}

    def drop_some(conn) -> None:  # every 9th COMMIT dies with its connection, 12 in all
        dropped["commits"] += 1
        if dropped["commits"] % 9 == 0 and dropped["killed"] < 12:
            pid = conn.connection.dbapi_connection.info.backend_pid
            dropped["killed"] += _terminate(admin, "pid = :pid", pid=pid)

    event.listen(pg_engine, "commit", drop_some)
    # When every connection is also dropped while idle in the pool between the two steps
    try:
        worker = in_process_worker(tasks.broker, threads=4)
        try:
            run_steps(app, tasks, faultkit.STEPS[:1])
            idle = _terminate(admin, "application_name = :name", name=name)
            run_steps(app, tasks, faultkit.STEPS[1:])
        finally:
            worker.stop()
    finally:
        event.remove(pg_engine, "commit", drop_some)
        admin.dispose()
    assert dropped["killed"] == 12 and idle > 0
    # Then the pipeline recovered (pre-ping, message retries) with nothing lost or doubled
    assert compare("pg-dropped", baseline, outcome(pg_engine, received(smtp)))


class _DropsConnectionAfterSend:
    """Sends, then terminates the app's PostgreSQL connections, so the COMMIT that would
    record the send fails: the message is out and the database does not know it yet."""

    channel = "smtp"

    def __init__(self, inner, admin: Engine, name: str) -> None:
        self.inner, self.admin, self.name, self.sent = inner, admin, name, 0

    def send(self, message, recipient: str, name: str) -> str:
        location = self.inner.send(message, recipient, name)
        self.sent += 1
        _terminate(self.admin, "application_name = :name", name=self.name)
        return location


@pytest.mark.postgres
@pytest.mark.parametrize("group_minutes", [0, 60], ids=["at-once", "grouped"])
def test_connection_dropped_right_after_a_send_is_recorded_not_sent_again(
    pg_engine, settings, smtp, group_minutes
):
    # Given two flags for an account with two supervisors, alerts over SMTP
    upgrade(pg_engine)
    app = App(
        settings=faultkit.smtp_settings(settings, smtp, delivery__group_minutes=group_minutes),
        engine=pg_engine,
        sessions=session_factory(pg_engine),
    )
    with app.sessions() as s, s.begin():
        d = factory.district(s)
        account = factory.account(s, d["school"], d["principal"], "riv-yt")
        findings = [
            Finding(
                rule="visibility.public",
                severity="medium",
                explanation="Public.",
                detector="t",
                version="1",
                key=f"k{i}",
            )
            for i in range(2)
        ]
        raise_flags(s, account, findings, at(1), group=app.settings.group_window)
    admin = create_engine(PG_URL)
    notifier = _DropsConnectionAfterSend(
        notifier_for(app), admin, pg_engine.url.query["application_name"]
    )
    # When every send is followed by the database connection dropping
    later = at(3)
    try:
        for outbox_id in pending_outbox(app, due_by=later):
            deliver(app, outbox_id, later, notifier)
        # and the relay runs again (a redelivered message)
        for outbox_id in [*pending_outbox(app, due_by=later), 1, 2]:
            deliver(app, outbox_id, later, notifier)
    finally:
        admin.dispose()
    # Then every copy went out once and is recorded as delivered
    got = received(smtp)
    assert len(got) == len(set(got)) == notifier.sent == (4 if group_minutes == 0 else 2)
    with app.sessions() as s:
        assert set(s.scalars(select(Delivery.status))) == {"delivered"}
        assert set(s.scalars(select(OutboxItem.status))) == {"sent"}
