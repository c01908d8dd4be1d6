"""Fault injection on the production layout: a real ``hallwatch scheduler`` and real
``dramatiq monitor.jobs.worker`` processes on a Redis server of the test's own (started on a free
port, so it can be killed and restarted without touching anyone's shared Redis), the
bundled sandbox district, alerts over real SMTP (aiosmtpd in this process).

The expected outcome is the same district run in-process with no fault, at the same time
of day (the processes use the real clock). Each test prints one line (see
``tests/faultkit.py``), e.g. ``fault=kill-9 flags expected=8 got=8 lost=0 ...``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import select

from monitor.core.app import App
from monitor.core.settings import load_settings
from monitor.jobs.broker import in_process_worker
from monitor.jobs.demo import import_registry
from monitor.jobs.scheduler import tick
from monitor.jobs.tasks import Tasks
from monitor.storage.db import open_app
from monitor.storage.models import Account, AuditEntry, OutboxItem
from tests.support import faultkit
from tests.support.faultkit import DISTRICT, Outcome, compare, outcome, received, wait_for
from tests.support.paths import ROOT
from tests.unit.monitor.notify.test_channels import Server, _free_port

ROOT = ROOT
BIN = Path(sys.executable).parent
FETCHING = re.compile(r"sandbox: fetching (\S+)")
pytestmark = pytest.mark.redis


class OwnRedis:
    """A ``redis-server`` of the test's own on a free port, with no persistence: a restart
    loses every queued message, the worst case (production runs Redis with
    ``appendonly yes``, deploy/docker-compose.yml, which keeps them)."""

    def __init__(self, folder: Path) -> None:
        self.port, self.folder = _free_port(), folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port)]
            + ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        wait_for(lambda: _pings(client), 10, "redis-server to start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()  # a crash: nothing is saved
            self.process.wait(timeout=10)
            self.process = None


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("redis-server is not installed; CI=true requires it")
        pytest.skip("redis-server is not installed; install it to run this test (CI runs it)")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp() -> Iterator[Server]:
    yield from faultkit.smtp_server()


def _env(folder: Path, smtp: Server, broker_url: str, **extra: str) -> dict[str, str]:
    """Settings for every process of one run, all through HALLWATCH_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLWATCH_")}
    env.update(
        {
            **faultkit.ENV,
            "HALLWATCH_VAR_DIR": str(folder / "var"),
            "HALLWATCH_DATABASE_URL": f"sqlite:///{folder / 'var' / 'hallwatch.db'}",
            "HALLWATCH_BROKER_URL": broker_url,
            "HALLWATCH_SANDBOX_SCENARIO": str(DISTRICT / "scenario.json"),
            "HALLWATCH_DELIVERY_CHANNEL": "smtp",
            "HALLWATCH_SMTP_HOST": "127.0.0.1",
            "HALLWATCH_SMTP_PORT": str(smtp.port),
            "HALLWATCH_SMTP_SECURITY": "none",
            "HALLWATCH_DELIVERY_FROM_ADDRESS": "hallwatch@fvsd.example.ca",
            "HALLWATCH_DELIVERY_COMMUNICATIONS_EMAIL": "comms@fvsd.example.ca",
            "HALLWATCH_DELIVERY_IT_EMAIL": "it-help@fvsd.example.ca",
            "HALLWATCH_DELIVERY_FALLBACK_EMAIL": "it-help@fvsd.example.ca",
            # A killed worker's messages are requeued 2 s after its last heartbeat, checked
            # on every broker command (production: 60 s, one command in a thousand).
            "HALLWATCH_BROKER_HEARTBEAT_TIMEOUT_SECONDS": "2",
            "HALLWATCH_BROKER_MAINTENANCE_CHANCE": "1000000",
            "HALLWATCH_LIMITS_POLL_LOCK_SECONDS": "3",  # a dead worker blocks its account 3 s
            "dramatiq_restart_delay": "500",  # a consumer reconnects 0.5 s after Redis fails
            **extra,
        }
    )
    return env


def _app(env: dict[str, str]) -> App:
    app = open_app(load_settings(environ=env), migrate=True)
    import_registry(app, DISTRICT)
    return app


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """The same district, settings and time of day, in process, with no fault (and no
    injected latency, which changes nothing but the time a poll takes)."""
    tmp = tmp_path_factory.mktemp("process-baseline")
    server = Server()
    server.start()
    try:
        env = _env(tmp, server, "memory")
        app = _app(env)
        tasks = Tasks(app, StubBroker(), **faultkit.FAST_RETRIES)
        worker = in_process_worker(tasks.broker, threads=2)
        try:
            tick(app, tasks, app.now())
            faultkit.drain(tasks, ("poll", "deliver", "sweep", "deliver", "digest", "deliver"))
        finally:
            worker.stop()
        return outcome(app.engine, received(server))
    finally:
        server.stop()


class Processes:
    """The run's processes, each in its own process group, output in a file."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder, self.env = folder, env
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *argv: str) -> subprocess.Popen[bytes]:
        with (self.folder / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                argv,
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running[name] = process
        return process

    def worker(self, name: str) -> subprocess.Popen[bytes]:
        return self.start(
            name, str(BIN / "dramatiq"), "monitor.jobs.worker", "--processes", "1", "--threads", "2"
        )

    def scheduler(self) -> subprocess.Popen[bytes]:
        return self.start("scheduler", str(BIN / "hallwatch"), "scheduler", "--period", "0.5")

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def kill9(self, name: str) -> None:
        """SIGKILL the whole process group: the dramatiq parent and its worker process."""
        process = self.running.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> dict[str, int]:
        codes = {}
        for name, process in self.running.items():
            try:  # the dramatiq parent passes SIGTERM on to its worker process itself
                process.send_signal(signal.SIGTERM)
                codes[name] = process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                codes[name] = process.wait(timeout=10)
        self.running.clear()
        return codes


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Any]:
    started: list[Processes] = []

    def make(env: dict[str, str]) -> Processes:
        started.append(Processes(tmp_path, env))
        return started[-1]

    yield make
    for group in started:
        group.stop_all()


def _complete(engine: Any, smtp: Server, expected: Outcome) -> bool:
    """Every expected flag and alert is there, and nothing is left in the outbox."""
    got = outcome(engine, received(smtp))
    if not (set(expected.flags) <= set(got.flags) and set(expected.alerts) <= set(got.alerts)):
        return False
    with engine.connect() as conn:
        pending = conn.execute(select(OutboxItem.id).where(OutboxItem.status == "pending")).all()
    return not pending


def _polled_consistently(engine: Any) -> None:
    """Each account's poll committed whole or not at all: a cursor only with its poll."""
    with engine.connect() as conn:
        accounts = conn.execute(select(Account.key, Account.cursor, Account.last_poll_outcome))
        polled = set(
            conn.scalars(select(AuditEntry.object_id).where(AuditEntry.action == "account.polled"))
        )
        for key, cursor, last in accounts:
            assert bool(cursor) == (last == "ok") == (key in polled), key


def test_kill_9_of_a_worker_mid_poll_is_redelivered_and_nothing_lost(
    tmp_path, smtp, own_redis, processes, baseline
):
    expected = baseline
    slow = {"HALLWATCH_SANDBOX_LATENCY_SECONDS": "0.3"}  # each poll takes 0.3 s
    env = _env(tmp_path, smtp, own_redis.url, **slow)
    app = _app(env)
    run = processes(env)
    # Given a worker polling the district, slowly, and the scheduler
    run.worker("worker-1")
    run.scheduler()
    # When the worker is killed with SIGKILL while polls are in flight
    wait_for(lambda: len(FETCHING.findall(run.log("worker-1"))) >= 3, 60, "polls in flight")
    run.kill9("worker-1")
    in_flight = FETCHING.findall(run.log("worker-1"))[-1]
    # Then nothing of the interrupted polls is half-committed
    _polled_consistently(app.engine)
    # When a new worker starts
    run.worker("worker-2")
    wait_for(lambda: _complete(app.engine, smtp, expected), 60, "the run to complete")
    codes = run.stop_all()
    # Then the killed worker's messages were redelivered to it (the scheduler polls each
    # account once per 15-minute interval, so only redelivery can poll them again)
    assert in_flight in FETCHING.findall(run.log("worker-2"))
    _polled_consistently(app.engine)
    assert codes == {"worker-2": 0, "scheduler": 0}, codes
    assert "Traceback" not in run.log("worker-2") + run.log("scheduler")
    assert compare("kill-9", expected, outcome(app.engine, received(smtp)))


def test_redis_restarted_mid_run_processes_recover_and_nothing_is_lost(
    tmp_path, smtp, own_redis, processes, baseline
):
    expected = baseline
    # Polls every 6 s, so polls whose queued messages the restart lost come round again soon
    fast = {"HALLWATCH_SANDBOX_LATENCY_SECONDS": "0.1", "HALLWATCH_POLL_INTERVAL_MINUTES": "0.1"}
    env = _env(tmp_path, smtp, own_redis.url, **fast)
    app = _app(env)
    run = processes(env)
    run.worker("worker")
    run.scheduler()
    # When Redis dies (losing every queued message) while polls are in flight
    wait_for(lambda: len(FETCHING.findall(run.log("worker"))) >= 3, 60, "polls in flight")
    own_redis.stop()
    # and the scheduler fails to enqueue for a while
    wait_for(lambda: "cannot enqueue" in run.log("scheduler"), 20, "a refused enqueue")
    own_redis.start()
    # Then the processes recover and the run completes
    wait_for(lambda: _complete(app.engine, smtp, expected), 60, "the run to complete")
    codes = run.stop_all()  # each finishes what it holds: a late duplicate would arrive now
    _polled_consistently(app.engine)
    assert codes == {"worker": 0, "scheduler": 0}, codes
    assert compare("redis-restart", expected, outcome(app.engine, received(smtp)))
