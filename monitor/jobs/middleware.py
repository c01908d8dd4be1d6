"""Hallwatch's Dramatiq middleware: each message's log context, the workers' heartbeat,
and Dramatiq's queue metrics (:mod:`monitor.jobs.queue_metrics`)."""

from __future__ import annotations

import logging
import threading
from contextvars import Token
from typing import Any

import dramatiq
from dramatiq.middleware import Middleware

from monitor.core import heartbeat
from monitor.core.logs import bind, unbind
from monitor.core.settings import Settings
from monitor.jobs.queue_metrics import QueueMetrics

log = logging.getLogger(__name__)
# Actors whose first argument is an id worth a log field of its own.
FIRST_ARGUMENT = {"poll_account": "account_id", "deliver": "outbox_id"}


class LogContext(Middleware):
    """Every record logged while a message runs carries its message id, actor and queue,
    and the account or outbox row it is about (see :mod:`monitor.core.logs`)."""

    def __init__(self) -> None:
        self._tokens: dict[str, Token[Any]] = {}

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        fields: dict[str, str | int] = {
            "message_id": message.message_id,
            "actor": message.actor_name,
            "queue": message.queue_name,
        }
        name = FIRST_ARGUMENT.get(message.actor_name)
        if name and message.args and isinstance(message.args[0], int):
            fields[name] = message.args[0]
        self._tokens[message.message_id] = bind(**fields)

    def after_process_message(
        self, broker: dramatiq.Broker, message: Any, *, result: Any = None, exception: Any = None
    ) -> None:
        token = self._tokens.pop(message.message_id, None)
        if token is not None:
            unbind(token)  # the same worker thread that bound it

    after_skip_message = after_process_message


class Heartbeat(Middleware):
    """Every ``every`` seconds, a worker process that runs writes its heartbeat
    (:mod:`monitor.core.heartbeat`), saying so if one of its threads stopped."""

    def __init__(self, settings: Settings, every: float = 10.0) -> None:
        self.settings = settings
        self.every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._beat, args=(worker,), name="heartbeat", daemon=True
        )
        self._thread.start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.every)
        heartbeat.remove(self.settings, "worker")

    def _beat(self, worker: dramatiq.Worker) -> None:
        while True:
            try:
                heartbeat.write(self.settings, "worker", self.every * 6, stopped_threads(worker))
            except OSError as exc:
                log.warning("cannot write the worker heartbeat (%s)", exc.strerror or exc)
            if self._stop.wait(self.every):
                return


def stopped_threads(worker: dramatiq.Worker) -> str:
    """ "" while the worker's consumer and worker threads run; else what stopped."""
    queues = sorted(name for name, thread in worker.consumers.items() if not thread.is_alive())
    if queues:
        return f"its consumer of the {', '.join(queues)} queue(s) stopped"
    dead = sum(1 for thread in worker.workers if not thread.is_alive())
    return f"{dead} of its {len(worker.workers)} worker threads stopped" if dead else ""


def install(broker: dramatiq.Broker, settings: Settings, queue_metrics: bool = False) -> None:
    """Hallwatch's middleware on a worker's broker: the log context first (so the other
    middleware's lines about a message carry it too), the heartbeat, and, for the
    ``dramatiq`` command only (its forked server serves them), Dramatiq's queue metrics."""
    if broker.middleware:
        broker.add_middleware(LogContext(), before=type(broker.middleware[0]))
    else:
        broker.add_middleware(LogContext())
    broker.add_middleware(Heartbeat(settings))
    if queue_metrics and settings.metrics.worker_port:
        broker.add_middleware(QueueMetrics(settings))
