"""Dramatiq actors on the StubBroker and on a real Redis."""

from __future__ import annotations

import time

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import func, select

from connectors import RateLimited
from monitor.jobs.tasks import Tasks
from monitor.storage.db import make_engine, session_factory, upgrade
from monitor.storage.models import Delivery, Flag, OutboxItem
from tests.support import factory
from tests.support.factory import CLEAN_PROFILE, at

ACCOUNTS = {
    "chatty": {
        "profile": {**CLEAN_PROFILE, "handle": "@chatty", "visibility": "public"},
        "posts": [{"id": "p1", "at_hours": 1, "text": "Bake sale Friday"}],
        "comments": [{"id": "c1", "post": "p1", "at_hours": 2, "text": "Yum", "author_name": "P"}],
    },
    "limited": {
        "profile": {**CLEAN_PROFILE, "handle": "@limited"},
        "errors": [
            {"from_hours": 0, "kind": "rate_limited", "message": "slow down", "retry_after": 90}
        ],
    },
}


def _setup(engine, settings, tmp_path):
    path = factory.scenario(tmp_path / "scenario.json", ACCOUNTS)
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        chatty = factory.account(s, d["school"], d["principal"], "chatty")
        limited = factory.account(s, d["school"], d["principal"], "limited")
        ids = (chatty.id, limited.id)
    return factory.app_for(settings, engine, path), ids


def _counts(app):
    with app.sessions() as s:
        return tuple(s.scalar(select(func.count(c))) for c in (Flag.id, OutboxItem.id, Delivery.id))


@pytest.fixture
def stub():
    broker = StubBroker()
    yield broker
    broker.close()


def test_poll_actor_flags_and_delivers_once_even_if_the_message_runs_twice(
    engine, settings, tmp_path, stub
):
    app, (chatty, _) = _setup(engine, settings, tmp_path)
    tasks = Tasks(app, stub)
    worker = dramatiq.Worker(stub, worker_timeout=50, worker_threads=2)
    worker.start()
    try:
        # Given one poll message, delivered twice (Dramatiq is at-least-once)
        message = tasks.poll_account.message(chatty, at(20).isoformat())
        stub.enqueue(message)
        stub.join("poll")
        stub.join("deliver")
        first = _counts(app)
        stub.enqueue(message)
        stub.join("poll")
        stub.join("deliver")
    finally:
        worker.stop()
    # Then the flag (public while private) exists once, its alert was written once
    assert first[0] >= 1 and first == _counts(app)
    files = sorted(p.name for p in app.settings.outbox_dir.glob("*.eml"))
    assert len(files) == first[2] and files
    with app.sessions() as s:
        assert set(s.scalars(select(OutboxItem.status))) == {"sent"}


def test_rate_limit_retries_at_the_reset_time_without_sleeping(engine, settings, tmp_path, stub):
    app, (_, limited) = _setup(engine, settings, tmp_path)
    tasks = Tasks(app, stub)
    with pytest.raises(dramatiq.Retry) as retry:
        tasks.poll_account.fn(limited, at(1).isoformat())
    assert retry.value.delay == 90_000


class EnqueueRecorder(dramatiq.Middleware):
    def __init__(self):
        self.enqueued = []

    def before_enqueue(self, broker, message, delay):
        self.enqueued.append((message.actor_name, delay))


def test_rate_limited_message_is_requeued_with_the_platform_delay(engine, settings, tmp_path, stub):
    recorder = EnqueueRecorder()
    stub.add_middleware(recorder)
    app, (_, limited) = _setup(engine, settings, tmp_path)
    tasks = Tasks(app, stub)
    worker = dramatiq.Worker(stub, worker_timeout=50, worker_threads=1)
    worker.start()
    try:
        tasks.poll_account.send(limited, at(1).isoformat())
        deadline = time.monotonic() + 5
        while len(recorder.enqueued) < 2:
            assert time.monotonic() < deadline, "message was not re-queued"
            time.sleep(0.02)
    finally:
        worker.stop()
    assert recorder.enqueued[:2] == [("poll_account", None), ("poll_account", 90_000)]


def test_rate_limit_is_not_a_connector_crash():
    err = RateLimited("x", retry_after=-3)
    assert err.retry_after == 0 and err.retriable


@pytest.mark.redis
def test_actors_on_real_redis_flag_and_deliver_exactly_once(redis_url, settings, tmp_path):
    # A file database shared by the worker threads
    engine = make_engine(f"sqlite:///{tmp_path / 'redis.db'}")
    upgrade(engine)
    # (the copy that finds the account locked comes back after a quarter of the lock's life)
    app, (chatty, _) = _setup(engine, settings.replace(limits__poll_lock_seconds=2), tmp_path)
    broker = RedisBroker(url=redis_url, namespace=f"hallwatch-test-{tmp_path.name}")
    broker.flush_all()
    tasks = Tasks(app, broker)
    worker = dramatiq.Worker(broker, worker_timeout=100, worker_threads=2)
    worker.start()
    try:
        message = tasks.poll_account.message(chatty, at(20).isoformat())
        broker.enqueue(message)
        broker.enqueue(message)  # the same message twice
        broker.join("poll", timeout=20_000)
        broker.join("deliver", timeout=20_000)
        time.sleep(0.2)
        broker.join("deliver", timeout=20_000)
    finally:
        worker.stop()
        broker.flush_all()
        broker.close()
    flags, outbox, deliveries = _counts(app)
    assert flags >= 1 and outbox == flags
    with app.sessions() as s:
        assert set(s.scalars(select(OutboxItem.status))) == {"sent"}
        assert set(s.scalars(select(Delivery.status))) == {"delivered"}
    assert len(list(app.settings.outbox_dir.glob("*.eml"))) == deliveries


def test_deliver_actor_retries_with_backoff_while_smtp_is_down(engine, settings, tmp_path, stub):
    # Given alerts to send over SMTP to a port where nothing listens
    recorder = EnqueueRecorder()
    stub.add_middleware(recorder)
    app, (chatty, _) = _setup(engine, settings, tmp_path)
    app.settings = app.settings.replace(
        delivery__channel="smtp", smtp__host="127.0.0.1", smtp__port=1, smtp__security="none"
    )
    tasks = Tasks(app, stub, min_backoff=50, max_backoff=100, max_retries=2)
    worker = dramatiq.Worker(stub, worker_timeout=50, worker_threads=1)
    worker.start()
    try:
        tasks.poll_account.send(chatty, at(20).isoformat())
        stub.join("poll")
        stub.join("deliver", fail_fast=False)
    finally:
        worker.stop()
    # Then each delivery was retried with a delay, and the alerts are still pending
    retried = [delay for name, delay in recorder.enqueued if name == "deliver" and delay]
    assert retried and all(d > 0 for d in retried)
    with app.sessions() as s:
        assert set(s.scalars(select(OutboxItem.status))) == {"pending"}
        errors = set(s.scalars(select(Delivery.last_error)))
    assert any("127.0.0.1" in e for e in errors)


def test_poll_of_an_account_locked_by_a_dead_worker_is_retried_not_dropped(
    engine, settings, tmp_path, stub
):
    # Given a worker died mid-poll (kill -9): its lock on the account was never released
    app, (chatty, _) = _setup(engine, settings.replace(limits__poll_lock_seconds=2), tmp_path)
    tasks = Tasks(app, stub)
    held = tasks.budgets.account(chatty)
    assert held._acquire()
    # When the redelivered message runs
    with pytest.raises(dramatiq.Retry) as retry:
        tasks.poll_account.fn(chatty, at(20).isoformat())
    # Then it comes back once the lock can have expired (a quarter of its life), not dropped
    assert 500 <= retry.value.delay <= 550
    with app.sessions() as s:
        assert s.scalar(select(func.count(Flag.id))) == 0
    held._release()
    tasks.poll_account.fn(chatty, at(20).isoformat())
    with app.sessions() as s:
        assert s.scalar(select(func.count(Flag.id))) >= 1
