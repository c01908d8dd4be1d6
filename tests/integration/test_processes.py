"""The real processes: `hallwatch run` (embedded), and `hallwatch scheduler` with
`dramatiq monitor.jobs.worker` on a real Redis (the production layout)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from tests.support.logscan import keep_log
from tests.support.paths import ROOT

ROOT = ROOT
DISTRICT = ROOT / "examples" / "sandbox-district"
BIN = Path(sys.executable).parent


def _env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLWATCH_")}
    env.update(
        HALLWATCH_VAR_DIR=str(tmp_path / "var"),
        HALLWATCH_DATABASE_URL=f"sqlite:///{tmp_path / 'var' / 'hallwatch.db'}",
        HALLWATCH_SANDBOX_SCENARIO=str(DISTRICT / "scenario.json"),
        HALLWATCH_DISTRICT_DOMAINS="fvsd.example.ca",
        HALLWATCH_SECRET_KEY="test",
        **extra,
    )
    return env


def _hallwatch(env, *args):
    return subprocess.run(
        [BIN / "hallwatch", *args], env=env, capture_output=True, text=True, timeout=60
    )


def _import_registry(env):
    for noun, name in (
        ("orgs", "org-units"),
        ("supervisors", "supervisors"),
        ("accounts", "accounts"),
    ):
        result = _hallwatch(env, noun, "import", str(DISTRICT / f"{name}.csv"))
        assert result.returncode == 0, result.stderr


EXPECTED_RULES = {"visibility.public", "account.personal_email"}


def _wait_for_sent_alerts(env, tmp_path, deadline=60.0):
    """Until the expected rules are flagged and alerts are written (workers run async)."""
    start = time.monotonic()
    while time.monotonic() - start < deadline:
        lines = _hallwatch(env, "flags", "list", "--format", "json").stdout.splitlines()
        flags = [json.loads(f) for f in lines]
        alerts = list((tmp_path / "var" / "outbox").glob("alert-*.eml"))
        if EXPECTED_RULES <= {f["rule"] for f in flags} and alerts:
            return flags, alerts
        time.sleep(0.5)
    pytest.fail(f"{EXPECTED_RULES} not flagged and alerted within {deadline} s")


def _stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def test_hallwatch_run_polls_flags_and_delivers_in_one_process(tmp_path):
    env = _env(tmp_path)
    _import_registry(env)
    process = subprocess.Popen(
        [BIN / "hallwatch", "run", "--period", "0.5"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        flags, _ = _wait_for_sent_alerts(env, tmp_path)
    finally:
        code = _stop(process)
    output = process.stdout.read()
    keep_log("hallwatch-run", output)  # searched for secrets at the end of the run
    assert code == 0, output
    assert "Traceback" not in output


@pytest.mark.redis
def test_scheduler_and_dramatiq_worker_processes_on_real_redis(tmp_path, redis_url):
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    env = _env(tmp_path, HALLWATCH_BROKER_URL=redis_url)
    _import_registry(env)
    worker = subprocess.Popen(
        [BIN / "dramatiq", "monitor.jobs.worker", "--processes", "1", "--threads", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    schedulers = [
        subprocess.Popen(
            [BIN / "hallwatch", "scheduler", "--period", "0.5"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)  # two schedulers: safe to run twice
    ]
    try:
        flags, alerts = _wait_for_sent_alerts(env, tmp_path)
        time.sleep(2)  # let both schedulers tick a few more times
    finally:
        for process in schedulers:
            _stop(process)
        _stop(worker)
        client.flushdb()
    logs = "".join(p.stdout.read() for p in [*schedulers, worker])
    keep_log("scheduler-and-worker", logs)  # searched for secrets at the end of the run
    assert "Traceback" not in logs, logs[-3000:]
    # Each account was polled once per interval even with two schedulers
    polls = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import collections;"
                "from monitor.core.settings import load_settings;"
                "from monitor.storage.db import open_app;"
                "from monitor.storage.models import AuditEntry;"
                "from sqlalchemy import select;"
                "app = open_app(load_settings());"
                "s = app.sessions();"
                "rows = s.execute(select(AuditEntry.object_id, AuditEntry.at).where("
                "AuditEntry.action == 'account.polled')).all();"
                # per account and poll interval (15 minutes): a run that crosses an
                # interval's end polls each account once in each
                "n = collections.Counter((o, int(at.timestamp()) // 900) for o, at in rows);"
                "print(max(n.values()))"
            ),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert polls.stdout.strip() == "1"
    assert alerts and flags
