"""Readiness: can Hallwatch do its work right now?

Three things: the database answers, its schema is the one this code expects (migrations
current), and the broker answers (and the Redis holding the API budgets, when it is a
separate one). The console's ``/readyz`` and ``hallwatch health`` run these checks. An
answer names each check and its state in a word, never a host, a password, a version or an
error's text: ``/readyz`` is served to anyone who asks.

Each check gives up after a few seconds (:data:`monitor.storage.db.PROBE_TIMEOUT`,
:data:`monitor.jobs.broker.PROBE_TIMEOUT`), so an unreachable server makes the check fail
quickly rather than hang the thread that asked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from monitor.core.settings import Settings
from monitor.jobs import broker
from monitor.storage.db import probe_engine, schema_state

log = logging.getLogger(__name__)
# What each state means for a person reading `hallwatch health`.
ADVICE = {
    "unreachable": "check that it runs and that its URL in the settings is right",
    "empty": "run `hallwatch db upgrade`",
    "behind": "run `hallwatch db upgrade` (this code is newer than the database)",
    "ahead": "the database was upgraded by a newer Hallwatch: run that version",
}


@dataclass(frozen=True)
class Check:
    """One readiness check: its name, and ``ok`` or what is wrong, in a word."""

    name: str
    state: str

    @property
    def ok(self) -> bool:
        return self.state in ("ok", "current")

    @property
    def advice(self) -> str:
        return ADVICE.get(self.state, "")


@dataclass(frozen=True)
class Readiness:
    """All the checks; ready when every one is."""

    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def as_dict(self) -> dict[str, object]:
        return {
            "status": "ready" if self.ok else "not ready",
            "checks": {check.name: check.state for check in self.checks},
        }


def database_checks(settings: Settings) -> list[Check]:
    """The database, and its migrations (unknown when the database cannot be reached)."""
    try:
        state = schema_state(probe_engine(settings.database_url))
    except SQLAlchemyError as exc:
        log.warning("readiness: the database is unreachable (%s)", type(exc).__name__)
        return [Check("database", "unreachable"), Check("migrations", "unknown")]
    return [Check("database", "ok"), Check("migrations", state)]


def broker_checks(settings: Settings) -> list[Check]:
    """The broker, and the Redis of the shared API budgets when it is a separate one."""
    checks = [Check("broker", "ok" if broker.reachable(settings.broker_url) else "unreachable")]
    if settings.rate_limit_url and settings.rate_limit_url != settings.broker_url:
        up = broker.reachable(settings.rate_limit_url)
        checks.append(Check("budgets", "ok" if up else "unreachable"))
    for check in checks:
        if not check.ok:
            log.warning("readiness: the %s is unreachable", check.name)
    return checks


def readiness(settings: Settings) -> Readiness:
    """Run every check (a few seconds at most each)."""
    return Readiness(tuple(database_checks(settings) + broker_checks(settings)))
