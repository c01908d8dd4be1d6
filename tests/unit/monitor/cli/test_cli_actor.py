"""The CLI's ``--by`` names a real person (issue 14, item 5): a console user or a supervisor
in the registry, so that the audit log's actor is real. Anything else is a clear error and
changes nothing."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.access.users import add_user, disable_user
from monitor.cli import main
from monitor.storage.db import make_engine, upgrade
from monitor.storage.models import AuditEntry, Flag
from tests.unit.monitor.records.test_record import BOSS, finding, setup

FAKE = "ceo@evil.example"


@pytest.fixture
def env(tmp_path):
    url = f"sqlite:///{tmp_path / 'hw.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        setup(session, [finding("p1")])
        add_user(session, "it-help@fvsd.example.ca", "it", "", "cli", setup.__globals__["START"])
        add_user(session, "gone@fvsd.example.ca", "admin", "", "cli", setup.__globals__["START"])
        disable_user(session, "gone@fvsd.example.ca", "cli", setup.__globals__["START"])
        session.commit()
    yield {"HALLWATCH_VAR_DIR": str(tmp_path), "HALLWATCH_DATABASE_URL": url}, engine
    engine.dispose()


def _run(env, *args):
    return CliRunner().invoke(main, list(args), env=env[0])


def _status(env) -> str:
    with Session(env[1]) as s:
        return s.scalars(select(Flag.status)).one()


@pytest.mark.parametrize(
    ("by", "says"),
    [
        (FAKE, "is not a console user or a supervisor"),
        ("gone@fvsd.example.ca", "is disabled"),
        ("cli", "is not a console user or a supervisor"),
        ("x" * 400, "at most 320 characters"),
    ],
)
def test_an_unknown_or_disabled_actor_is_refused(env, by, says):
    for args in (
        ("flags", "ack", "1", "--by", by),
        ("flags", "resolve", "1", "--note", "done", "--by", by),
        ("comments", "review", "1", "--by", by),
        ("users", "disable", "it-help@fvsd.example.ca", "--by", by),
    ):
        result = _run(env, *args)
        assert result.exit_code == 1 and says in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert _status(env) == "open"


@pytest.mark.parametrize("by", [BOSS, f"  {BOSS.upper()} ", "it-help@fvsd.example.ca"])
def test_a_supervisor_or_a_user_is_recorded_as_the_actor(env, by):
    result = _run(env, "flags", "ack", "1", "--by", by)
    assert result.exit_code == 0 and "is now acknowledged" in result.output, result.output
    with Session(env[1]) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "flag.acknowledged")).one()
    assert entry.actor == by.strip().lower()


def test_a_late_acknowledge_from_the_cli_says_it_changes_nothing(env):
    assert _run(env, "flags", "resolve", "1", "--note", "done", "--by", BOSS).exit_code == 0
    late = _run(env, "flags", "ack", "1", "--by", BOSS)
    assert late.exit_code == 0 and "already resolved" in late.output
    assert _status(env) == "resolved"
    reopened = _run(env, "flags", "reopen", "1", "--by", BOSS)
    assert reopened.exit_code == 0 and _status(env) == "open"


def test_users_add_needs_a_known_actor_once_there_are_users(env):
    refused = _run(env, "users", "add", "new@fvsd.example.ca", "--role", "auditor", "--sso-only")
    assert refused.exit_code == 1 and "say who is adding the user" in refused.output
    done = _run(
        env,
        "users",
        "add",
        "new@fvsd.example.ca",
        "--role",
        "auditor",
        "--sso-only",
        "--by",
        "it-help@fvsd.example.ca",
    )
    assert done.exit_code == 0, done.output
