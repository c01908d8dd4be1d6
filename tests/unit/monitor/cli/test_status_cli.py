"""`hallwatch status` and `hallwatch health`: what they print and how they exit.

Exit codes of `status`, as a monitoring plugin's: 0 nothing needs a person, 1 a warning,
2 critical, 3 unknown (the settings cannot be read).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from monitor.cli import main
from monitor.core import heartbeat
from monitor.core.settings import load_settings
from monitor.storage.db import session_factory
from monitor.storage.models import Account, DigestSent, ScheduleSlot, Supervisor
from tests.support import factory

DB_PASSWORD = "s3cret-db-password-for-status"


@pytest.fixture
def env(engine, tmp_path):
    """Settings for a district where everything works, as of the real clock."""
    now = datetime.now(UTC)
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        d["district"].counsellor_email = "counselling@fvsd.example.ca"  # for every school
        for key, platform in (("riv-yt", "youtube"), ("riv-x", "x")):
            factory.account(
                s,
                d["school"],
                d["principal"],
                key,
                platform=platform,
                last_polled_at=now - timedelta(minutes=3),
                last_poll_outcome="ok",
                registered_at=now - timedelta(days=9),
            )
        year, week, _ = now.astimezone(ZoneInfo("America/Vancouver")).isocalendar()
        for supervisor in s.scalars(select(Supervisor)):
            s.add(
                DigestSent(
                    supervisor_id=supervisor.id, iso_year=year, iso_week=week, created_at=now
                )
            )
        s.add(ScheduleSlot(key=f"sweep:{now:%Y-%m-%dT%H}", claimed_at=now))
    return {
        "HALLWATCH_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "HALLWATCH_VAR_DIR": str(tmp_path / "var"),
        "HALLWATCH_SECRET_KEY": "status-test-secret-key",
        "HALLWATCH_CONFIG": "",
    }


def status(env, *args):
    return CliRunner().invoke(main, ["status", *args], env=env)


def test_all_well_exits_0(env):
    result = status(env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Hallwatch status: OK")
    assert "nothing needs a person" in result.output
    assert "youtube" in result.output and "x " in result.output
    data = json.loads(status(env, "--format", "json").output)
    assert data["level"] == "ok" and data["exit_code"] == 0 and data["problems"] == []
    assert data["checks"] == {"database": "ok", "migrations": "current", "broker": "ok"}
    assert {p["platform"] for p in data["platforms"]} == {"youtube", "x"}
    assert data["key"]["id"] and data["digest"]["overdue"] is False


def test_broken_credentials_is_a_warning_exit_1(env, engine):
    with session_factory(engine)() as s, s.begin():
        s.execute(update(Account).where(Account.key == "riv-x").values(status="credentials_broken"))
    result = status(env)
    assert result.exit_code == 1, result.output
    assert "WARNING  1 account(s) have broken credentials" in result.output
    assert "broken credentials (1): riv-x (x)" in result.output
    data = json.loads(status(env, "--format", "json").output)
    assert data["exit_code"] == 1
    assert [a["key"] for a in data["accounts"]["broken_credentials"]] == ["riv-x"]


def test_a_silent_platform_is_critical_exit_2(env, engine):
    with session_factory(engine)() as s, s.begin():
        old = datetime.now(UTC) - timedelta(hours=4)
        s.execute(update(Account).where(Account.key == "riv-yt").values(last_polled_at=old))
    result = status(env)
    assert result.exit_code == 2, result.output
    assert "CRITICAL no successful youtube poll for 4 h" in result.output


def test_an_unreachable_database_is_critical_and_hides_the_password(env):
    env["HALLWATCH_DATABASE_URL"] = f"postgresql+psycopg://hallwatch:{DB_PASSWORD}@127.0.0.1:1/hw"
    result = status(env)
    assert result.exit_code == 2, result.output
    assert "database unreachable" in result.output
    assert DB_PASSWORD not in result.output and "Traceback" not in result.output
    data = json.loads(status(env, "--format", "json").output)
    assert data["checks"]["database"] == "unreachable" and DB_PASSWORD not in json.dumps(data)


def test_unreadable_settings_exit_3(env):
    env["HALLWATCH_LOGGING_FORMAT"] = "xml"
    result = status(env)
    assert result.exit_code == 3
    assert "UNKNOWN" in result.output and "logging.format" in result.output


def test_health_is_readiness_and_liveness(env):
    result = CliRunner().invoke(main, ["health"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["database: ok", "migrations: current", "broker: ok"]
    # No worker on this machine: not alive
    result = CliRunner().invoke(main, ["health", "--component", "worker"], env=env)
    assert result.exit_code == 1 and "no worker is running" in result.output
    # This process beats as a worker: alive
    settings = load_settings(environ=env)
    heartbeat.write(settings, "worker", 60)
    try:
        result = CliRunner().invoke(main, ["health", "--component", "worker"], env=env)
        assert result.exit_code == 0 and result.output.startswith("healthy: worker: 1 process")
    finally:
        heartbeat.remove(settings, "worker")
    env["HALLWATCH_BROKER_URL"] = "redis://127.0.0.1:1/8"
    result = CliRunner().invoke(main, ["health"], env=env)
    assert result.exit_code == 1 and "broker: unreachable (check that it runs" in result.output
