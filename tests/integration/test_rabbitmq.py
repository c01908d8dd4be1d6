"""RabbitMQ as the broker: settings, and the actors on a real RabbitMQ server.

RabbitMQ carries the messages; the API budgets every worker shares stay in Redis
(``rate_limit_url``). The server tests skip, saying why, when RabbitMQ is not running
(CI's required services are PostgreSQL and Redis; its machines run RabbitMQ too).
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import dramatiq
import pytest
from dramatiq.rate_limits.backends import RedisBackend

from monitor.core.settings import SettingsError, load_settings
from monitor.jobs.broker import make_broker
from monitor.jobs.tasks import Tasks
from monitor.registry import usage
from tests.support.factory import at
from tests.unit.monitor.jobs.test_tasks import _counts, _setup

RABBITMQ_URL = os.environ.get("HALLWATCH_TEST_RABBITMQ", "amqp://guest:guest@127.0.0.1:5672/%2F")


def test_rabbitmq_broker_needs_a_redis_for_the_shared_budgets() -> None:
    with pytest.raises(SettingsError, match="rate_limit_url .HALLWATCH_RATE_LIMIT_URL. must"):
        load_settings(environ={"HALLWATCH_BROKER_URL": "amqp://hw:pw@mq.example:5672/%2F"})


def test_rabbitmq_url_password_never_shows_in_settings_or_their_errors() -> None:
    settings = load_settings(
        environ={
            "HALLWATCH_BROKER_URL": "amqp://hw:s3cret-pw@mq.example:5672/%2F",
            "HALLWATCH_RATE_LIMIT_URL": "redis://:other-pw@127.0.0.1:6379/1",
        }
    )
    assert settings.broker_url == "amqp://hw:s3cret-pw@mq.example:5672/%2F"
    shown = repr(settings)
    assert "s3cret-pw" not in shown and "other-pw" not in shown
    assert "amqp://hw:***@mq.example:5672/%2F" in shown
    with pytest.raises(SettingsError) as error:
        load_settings(environ={"HALLWATCH_BROKER_URL": "kafka://hw:s3cret-pw@mq.example"})
    assert "s3cret-pw" not in str(error.value) and "amqp://" in str(error.value)


def test_budgets_refuse_a_broker_without_redis() -> None:
    class OtherBroker(dramatiq.Broker):  # what a RabbitMQ broker is, to the budgets
        pass

    with pytest.raises(usage.BudgetError, match="set rate_limit_url"):
        usage.backend_for(OtherBroker())


@pytest.mark.redis
def test_actors_on_real_rabbitmq_flag_and_deliver_exactly_once(redis_url, settings, tmp_path):
    """The whole poll -> flag -> deliver path with RabbitMQ carrying the messages."""
    where = urlparse(RABBITMQ_URL)
    try:
        socket.create_connection((where.hostname, where.port or 5672), timeout=1).close()
    except OSError:
        pytest.skip(f"RabbitMQ is not running on {where.hostname}:{where.port}; start it to run")
    settings = settings.replace(broker_url=RABBITMQ_URL, rate_limit_url=redis_url)
    from monitor.storage.db import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'mq.db'}")
    upgrade(engine)
    app, (chatty, _) = _setup(engine, settings, tmp_path)
    broker = make_broker(settings)
    assert type(broker).__name__ == "RabbitmqBroker"
    tasks = Tasks(app, broker)
    assert isinstance(tasks.budgets.backend, RedisBackend)
    broker.flush_all()  # queues are named, not per test: start empty
    worker = dramatiq.Worker(broker, worker_timeout=100, worker_threads=2)
    worker.start()
    try:
        # Given one poll message, delivered twice (RabbitMQ is at-least-once too)
        message = tasks.poll_account.message(chatty, at(20).isoformat())
        broker.enqueue(message)
        broker.join("poll", timeout=20_000)
        broker.join("deliver", timeout=20_000)
        first = _counts(app)
        broker.enqueue(message)
        broker.join("poll", timeout=20_000)
        broker.join("deliver", timeout=20_000)
    finally:
        worker.stop()
        broker.close()
        engine.dispose()
    # Then the flag exists once and its alert was written once
    assert first[0] >= 1 and first == _counts(app)
    files = list(app.settings.outbox_dir.glob("*.eml"))
    assert len(files) == first[2] > 0
