"""The workers' middleware: each message's log context, the heartbeat, the queue metrics."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker

from monitor.core import heartbeat
from monitor.core.logs import configure_logging
from monitor.jobs.middleware import Heartbeat, LogContext, install, stopped_threads
from monitor.jobs.queue_metrics import QueueMetrics, metrics_folder, remove_dead_files


@pytest.fixture
def broker(settings):
    broker = StubBroker()
    broker.emit_after("process_boot")
    install(broker, settings)
    yield broker
    broker.close()


def test_log_context_comes_first_and_metrics_only_for_the_dramatiq_command(settings):
    broker = StubBroker()
    install(broker, settings)
    assert isinstance(broker.middleware[0], LogContext)
    assert any(isinstance(m, Heartbeat) for m in broker.middleware)
    assert not any(isinstance(m, QueueMetrics) for m in broker.middleware)
    other = StubBroker()
    install(other, settings, queue_metrics=True)
    assert any(isinstance(m, QueueMetrics) for m in other.middleware)
    off = StubBroker()
    install(off, settings.replace(metrics__worker_port=0), queue_metrics=True)
    assert not any(isinstance(m, QueueMetrics) for m in off.middleware)


def test_every_line_of_a_message_carries_its_ids(broker, settings):
    configure_logging(settings=settings.replace(logging__format="json"), component="worker")
    stream = io.StringIO()
    logging.getLogger().handlers[0].setStream(stream)
    log = logging.getLogger("monitor.jobs.tasks")

    def poll_account(account_id: int, as_of: str | None = None) -> None:
        log.warning("polling")

    def deliver(outbox_id: int) -> None:
        log.warning("delivering")

    polls = dramatiq.Actor(
        poll_account,
        broker=broker,
        actor_name="poll_account",
        queue_name="poll",
        priority=0,
        options={},
    )
    sends = dramatiq.Actor(
        deliver, broker=broker, actor_name="deliver", queue_name="deliver", priority=0, options={}
    )
    sent = [polls.send(12), sends.send(7)]
    worker = dramatiq.Worker(broker, worker_timeout=50, worker_threads=1)
    worker.start()
    try:
        broker.join("poll")
        broker.join("deliver")
        worker.join()
    finally:
        worker.stop()
    log.warning("after")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    by_message = {line["message"]: line for line in lines if line["logger"] == "monitor.jobs.tasks"}
    polling, delivering, after = (
        by_message["polling"],
        by_message["delivering"],
        by_message["after"],
    )
    assert (polling["account_id"], polling["actor"], polling["queue"]) == (
        12,
        "poll_account",
        "poll",
    )
    assert polling["message_id"] == sent[0].message_id
    assert (delivering["outbox_id"], delivering["message_id"]) == (7, sent[1].message_id)
    assert "account_id" not in delivering and "message_id" not in after


def test_a_running_worker_beats_and_a_stopped_one_does_not(broker, settings):
    worker = dramatiq.Worker(broker, worker_timeout=50, worker_threads=1)
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while not heartbeat.check(settings, "worker").ok and time.monotonic() < deadline:
            time.sleep(0.05)  # the heartbeat thread's first beat
        assert heartbeat.check(settings, "worker").ok
    finally:
        worker.stop()
    assert heartbeat.check(settings, "worker").message.startswith("no worker is running")


def _thread(alive: bool) -> threading.Thread:
    if not alive:
        return threading.Thread(target=lambda: None)  # never started: not alive
    thread = threading.Thread(target=threading.Event().wait, args=(5,), daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize(
    ("consumers", "workers", "problem"),
    [
        ({"poll": True, "deliver": True}, [True, True], ""),
        (
            {"poll": False, "deliver": True},
            [True, True],
            "its consumer of the poll queue(s) stopped",
        ),
        ({"poll": True}, [True, False, False], "2 of its 3 worker threads stopped"),
    ],
)
def test_stopped_threads_are_named(consumers, workers, problem):
    worker = SimpleNamespace(
        consumers={q: _thread(alive) for q, alive in consumers.items()},
        workers=[_thread(alive) for alive in workers],
    )
    assert stopped_threads(worker) == problem  # type: ignore[arg-type]


def test_metric_files_of_dead_processes_are_removed(tmp_path, settings):
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead, alive = int(gone.stdout), os.getpid()
    for name in (
        f"counter_{dead}.db",
        f"gauge_livesum_{dead}.db",
        f"counter_{alive}.db",
        "notes.db",
    ):
        (tmp_path / name).write_bytes(b"")
    assert remove_dead_files(tmp_path) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"counter_{alive}.db", "notes.db"]
    assert metrics_folder(settings).name == "hallwatch-queue-metrics-9191"
    assert metrics_folder(settings.replace(metrics__worker_dir=str(tmp_path))) == tmp_path


def test_nothing_a_worker_imports_before_it_boots_loads_prometheus_client():
    # prometheus_client picks in-memory or file storage when first imported: imported before
    # Dramatiq's middleware sets its folder, the queue metrics would never reach the server.
    code = (
        "import sys, monitor.jobs.tasks, monitor.jobs.middleware, monitor.jobs.broker;"
        "print('prometheus_client' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
