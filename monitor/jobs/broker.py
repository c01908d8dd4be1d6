"""Broker set-up from settings: Dramatiq's in-memory broker by default, Redis or RabbitMQ."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

from monitor.core.settings import Settings

QUEUES = ("poll", "sweep", "deliver", "digest", "procedure")


def make_broker(settings: Settings) -> dramatiq.Broker:
    """A new broker for ``settings.broker_url`` ('memory', a redis:// or an amqp:// URL)."""
    url = settings.broker_url
    if url == "memory":
        broker: dramatiq.Broker = StubBroker()
        return broker
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker  # needs pika: only when asked

        return RabbitmqBroker(url=url)
    # A worker killed outright (kill -9, a lost machine) leaves its fetched messages unacked;
    # another worker requeues them once the dead one's heartbeat is older than the timeout.
    return RedisBroker(
        url=url,
        heartbeat_timeout=int(settings.broker.heartbeat_timeout_seconds * 1000),
        maintenance_chance=int(settings.broker.maintenance_chance),
    )


def in_process_worker(broker: dramatiq.Broker, threads: int = 4) -> dramatiq.Worker:
    """A started worker inside this process (the embedded default, and tests)."""
    worker = dramatiq.Worker(broker, worker_timeout=100, worker_threads=threads)
    worker.start()
    return worker
