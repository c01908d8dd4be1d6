"""The production processes as IT runs them: `hallwatch scheduler` and `dramatiq
monitor.jobs.worker --skip-logging` on a real Redis, with JSON logs, heartbeats and
Dramatiq's queue metrics, checked from outside as a container runtime and Prometheus would."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from monitor.jobs.broker import QUEUES
from tests.support.logscan import keep_log
from tests.support.paths import ROOT, SANDBOX

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.redis


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    pytest.fail(f"{what} within {seconds:.0f} s")


def _health(env, component: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN / "hallwatch-health", "--component", component],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def _scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.read().decode()


def _stop(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def test_scheduler_and_worker_as_it_runs_them(tmp_path, redis_url):
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLWATCH_")}
    env.update(
        HALLWATCH_VAR_DIR=str(tmp_path / "var"),
        HALLWATCH_DATABASE_URL=f"sqlite:///{tmp_path / 'var' / 'hallwatch.db'}",
        HALLWATCH_SANDBOX_SCENARIO=str(SANDBOX / "scenario.json"),
        HALLWATCH_SANDBOX_LATENCY_SECONDS="0.05",  # so each poll logs "fetching" at info
        HALLWATCH_DISTRICT_DOMAINS="fvsd.example.ca",
        HALLWATCH_SECRET_KEY="operations-test-secret-key",
        HALLWATCH_BROKER_URL=redis_url,
        HALLWATCH_LOGGING_FORMAT="json",
        HALLWATCH_METRICS_WORKER_PORT=str(port),
        HALLWATCH_METRICS_WORKER_HOST="127.0.0.1",
        HALLWATCH_METRICS_WORKER_DIR=str(tmp_path / "queue-metrics"),
    )
    for noun, name in (
        ("orgs", "org-units"),
        ("supervisors", "supervisors"),
        ("accounts", "accounts"),
    ):
        done = subprocess.run(
            [BIN / "hallwatch", noun, "import", str(SANDBOX / f"{name}.csv")],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
    # Nothing runs yet: neither is alive
    assert _health(env, "worker").returncode == 1
    assert _health(env, "scheduler").returncode == 1
    worker = subprocess.Popen(
        [
            BIN / "dramatiq",
            "monitor.jobs.worker",
            "--skip-logging",
            "--processes",
            "1",
            "--threads",
            "2",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    scheduler = subprocess.Popen(
        [BIN / "hallwatch", "scheduler", "--period", "0.5"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # Then both come alive (as a container runtime's health check sees them)
        _wait(lambda: _health(env, "worker").returncode == 0, 90, "the worker is not alive")
        _wait(lambda: _health(env, "scheduler").returncode == 0, 90, "the scheduler is not alive")
        # And the polls the scheduler queued are done and counted by Dramatiq's middleware
        polled = re.compile(
            r'dramatiq_messages_total\{actor_name="poll_account",queue_name="poll"\} (\d+)'
        )

        def polls_counted() -> bool:
            try:
                found = polled.search(_scrape(port))
            except OSError:
                return False
            return bool(found) and int(float(found.group(1))) >= 20

        _wait(polls_counted, 120, "Dramatiq's metrics did not count the polls")
        status = subprocess.run(
            [BIN / "hallwatch", "status", "--format", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        facts = json.loads(status.stdout)
        assert facts["checks"]["broker"] == "ok"
        assert set(facts["queues"]) == set(QUEUES)
        assert sum(sum(p["polls_today_utc"].values()) for p in facts["platforms"]) >= 20
    finally:
        codes = (_stop(scheduler), _stop(worker))
        client.flushdb()
    output = scheduler.stdout.read() + worker.stdout.read()  # type: ignore[union-attr]
    keep_log("operations-scheduler-and-worker", output)  # searched for secrets at the end
    assert codes == (0, 0), output[-3000:]
    # Every line either process wrote is one JSON object
    lines = [json.loads(line) for line in output.splitlines()]
    assert lines and all(line["component"] in ("scheduler", "worker") for line in lines)
    # A poll's lines carry its account, platform and message
    fetching = [line for line in lines if line["message"].startswith("sandbox: fetching")]
    broken = [line for line in lines if "poll failed (AuthRevoked" in line["message"]]
    assert len(fetching) >= 20 and len(broken) == 1, output[-3000:]
    for line in fetching + broken:
        assert isinstance(line["account_id"], int) and line["platform"]
        assert line["actor"] == "poll_account" and line["queue"] == "poll" and line["message_id"]
    # Stopped cleanly: no longer alive, and no heartbeat left behind
    assert _health(env, "worker").returncode == 1
    assert _health(env, "scheduler").returncode == 1
    assert list((tmp_path / "var" / "heartbeats").glob("*.json")) == []
