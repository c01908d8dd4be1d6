"""Broker set-up from settings: Dramatiq's in-memory broker by default, Redis or RabbitMQ."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

from monitor.core.settings import Settings

QUEUES = ("poll", "sweep", "deliver", "digest", "procedure")
NAMESPACE = "dramatiq"  # Dramatiq's Redis keys: dramatiq:<queue>, <queue>.DQ, <queue>.XQ
PROBE_TIMEOUT = 3.0  # seconds: a health check answers quickly, reachable or not


def make_broker(settings: Settings) -> dramatiq.Broker:
    """A new broker for ``settings.broker_url`` ('memory', a redis:// or an amqp:// URL)."""
    url = settings.broker_url
    if url == "memory":
        broker: dramatiq.Broker = StubBroker()
        return broker
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker  # deferred: needs pika (RabbitMQ only)

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


@dataclass(frozen=True)
class QueueDepth:
    """Messages in one queue: waiting for a worker, waiting out a retry delay, and dead
    (failed every retry; Dramatiq keeps them a week)."""

    ready: int
    delayed: int
    dead: int


def reachable(url: str, timeout: float = PROBE_TIMEOUT) -> bool:
    """Whether the broker (or a Redis) at ``url`` answers within ``timeout`` seconds:
    Redis PING, the RabbitMQ handshake; ``memory`` lives in the process that uses it."""
    if url == "memory":
        return True
    try:
        if url.startswith(("redis://", "rediss://")):
            client = _redis(url, timeout)
            try:
                return bool(client.ping())
            finally:
                client.close()
        connection = _rabbitmq(url, timeout)
        connection.close()
        return True
    except Exception:  # refused, timed out, wrong database or password: not reachable
        return False


def queue_depths(url: str, timeout: float = PROBE_TIMEOUT) -> dict[str, QueueDepth] | None:
    """Each queue's depth on the broker at ``url``; None for ``memory`` (its queues live
    inside the one process that runs everything, so no other process can see them).

    Raises:
        Exception: the broker cannot be reached (redis or pika errors).
    """
    if url == "memory":
        return None
    if url.startswith(("redis://", "rediss://")):
        client = _redis(url, timeout)
        try:
            pipe = client.pipeline(transaction=False)
            for queue in QUEUES:
                key = f"{NAMESPACE}:{queue}"
                pipe.llen(key)
                pipe.llen(f"{key}.DQ")
                pipe.zcard(f"{key}.XQ")
            counts = [int(n) for n in pipe.execute()]
        finally:
            client.close()
        return {q: QueueDepth(*counts[3 * i : 3 * i + 3]) for i, q in enumerate(QUEUES)}
    connection = _rabbitmq(url, timeout)
    try:
        return {
            q: QueueDepth(*(_rabbit_count(connection, f"{q}{s}") for s in ("", ".DQ", ".XQ")))
            for q in QUEUES
        }
    finally:
        connection.close()


def _redis(url: str, timeout: float) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


def _rabbitmq(url: str, timeout: float) -> Any:
    import pika  # deferred: optional, only with a RabbitMQ broker

    parameters = pika.URLParameters(url)
    parameters.socket_timeout = parameters.blocked_connection_timeout = timeout
    parameters.connection_attempts = 1
    return pika.BlockingConnection(parameters)


def _rabbit_count(connection: Any, queue: str) -> int:
    import pika.exceptions  # deferred: optional, only with a RabbitMQ broker

    channel = connection.channel()
    try:
        return int(channel.queue_declare(queue=queue, passive=True).method.message_count)
    except pika.exceptions.ChannelClosedByBroker:
        return 0  # not declared yet: nothing was ever sent to it
    finally:
        if channel.is_open:
            channel.close()
