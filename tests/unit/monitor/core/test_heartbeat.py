"""Heartbeats and the liveness check that reads them (`hallwatch-health`)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.core import heartbeat
from monitor.core.settings import load_settings

BIN = Path(sys.executable).parent


@pytest.fixture
def settings(tmp_path):
    return load_settings(environ={"HALLWATCH_VAR_DIR": str(tmp_path / "var")})


def test_a_fresh_heartbeat_is_alive_and_a_late_one_is_stuck(settings):
    now = datetime.now(UTC)
    heartbeat.write(settings, "scheduler", max_age=300, now=now)
    assert heartbeat.check(settings, "scheduler", now + timedelta(seconds=299)).ok
    late = heartbeat.check(settings, "scheduler", now + timedelta(seconds=301))
    assert not late.ok and "last heartbeat 301 s ago" in late.message and "stuck" in late.message
    assert not heartbeat.check(settings, "worker", now).ok  # another component: none runs


def test_a_problem_the_process_reports_is_unhealthy(settings):
    heartbeat.write(settings, "worker", 60, problem="its consumer of the poll queue(s) stopped")
    result = heartbeat.check(settings, "worker")
    assert not result.ok and "consumer of the poll queue(s) stopped" in result.message


def test_no_heartbeat_means_nothing_runs(settings):
    result = heartbeat.check(settings, "worker")
    assert not result.ok and result.message == "no worker is running on this machine (no heartbeat)"


def test_a_process_that_stopped_is_forgotten_not_counted(settings):
    # Given the heartbeat of a process that has exited (a real one: its pid is free now)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = int(gone.stdout)
    path = heartbeat.folder(settings) / f"worker-{socket.gethostname()}-{pid}.json"
    path.parent.mkdir(parents=True)
    beat = {
        "component": "worker",
        "host": socket.gethostname(),
        "pid": pid,
        "started": "1",
        "at": datetime.now(UTC).isoformat(),
        "max_age": 60,
    }
    path.write_text(json.dumps(beat))
    # And one of this process, alive
    heartbeat.write(settings, "worker", 60)
    # Then only this process counts, and the stopped one's file is removed
    result = heartbeat.check(settings, "worker")
    assert result.ok and "1 process(es) alive" in result.message
    assert not path.exists()


def test_a_reused_pid_is_not_taken_for_the_process_that_wrote(settings):
    # The file says this pid, but a process started at another time: an old container's file
    heartbeat.write(settings, "worker", 60, now=datetime.now(UTC) - timedelta(hours=2))
    path = next(heartbeat.folder(settings).glob("worker-*.json"))
    data = json.loads(path.read_text())
    if not data["started"]:
        pytest.skip("no /proc here: the start time cannot be read")
    data["started"] = str(int(data["started"]) - 1)
    path.write_text(json.dumps(data))
    assert not heartbeat.check(settings, "worker").ok  # none runs, rather than "stuck"
    assert "no worker is running" in heartbeat.check(settings, "worker").message


def test_a_clean_stop_removes_the_heartbeat(settings):
    heartbeat.write(settings, "scheduler", 60)
    heartbeat.remove(settings, "scheduler")
    assert list(heartbeat.folder(settings).iterdir()) == []


def test_each_beat_pings_the_systemd_watchdog(settings, tmp_path, monkeypatch):
    # A unit with WatchdogSec= hands the service a datagram socket; a real one here
    address = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(address)
        sock.settimeout(2)
        monkeypatch.setenv("NOTIFY_SOCKET", address)
        monkeypatch.setenv("WATCHDOG_USEC", "60000000")
        heartbeat.write(settings, "worker", 60)
        assert sock.recv(64) == b"WATCHDOG=1"
        # A process that reports a problem does not ping: systemd restarts it in time
        heartbeat.write(settings, "worker", 60, problem="a thread stopped")
        with pytest.raises(TimeoutError):
            sock.settimeout(0.3)
            sock.recv(64)
    monkeypatch.delenv("WATCHDOG_USEC")
    heartbeat.write(settings, "worker", 60)  # no watchdog configured: nothing to tell


def test_the_hallwatch_health_script_exits_0_or_1(settings, tmp_path):
    env = {**os.environ, "HALLWATCH_VAR_DIR": str(tmp_path / "var"), "HALLWATCH_CONFIG": ""}
    script = BIN / "hallwatch-health"
    down = subprocess.run(
        [script, "--component", "scheduler"], env=env, capture_output=True, text=True
    )
    assert down.returncode == 1 and down.stdout.startswith("unhealthy: no scheduler")
    heartbeat.write(settings, "scheduler", 60)  # this test's process: alive
    up = subprocess.run(
        [script, "--component", "scheduler"], env=env, capture_output=True, text=True
    )
    assert up.returncode == 0 and up.stdout.startswith("healthy: scheduler: 1 process(es) alive")
    bad = subprocess.run(
        [script, "--component", "scheduler"],
        env={**env, "HALLWATCH_LOGGING_FORMAT": "xml"},
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "logging.format" in bad.stderr
