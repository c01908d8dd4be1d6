"""What the fault-injection tests share: the outcome of a run and its comparison with the
same run without the fault.

An outcome is counted from what really happened, not from what the database says was sent:
the flags in the database by dedup key, and the alert e-mails the SMTP server received,
each identified by its Message-ID (``hallwatch-alert-<outbox id>``, mapped back to its
flag's dedup key) and its envelope recipient. So a message sent twice counts twice.
"""

from __future__ import annotations

import email
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from monitor.core.app import App
from monitor.core.settings import Settings
from monitor.jobs.demo import demo_settings, import_registry
from monitor.jobs.tasks import Tasks
from monitor.storage.db import session_factory
from monitor.storage.models import Flag, OutboxItem
from tests.support.paths import ROOT
from tests.unit.monitor.notify.test_channels import Server

ROOT = ROOT
DISTRICT = ROOT / "examples" / "sandbox-district"
SCENARIO = DISTRICT / "scenario.json"
START = datetime.fromisoformat(json.loads(SCENARIO.read_text())["start"])
# As the demo: "day one" and "the next day", so the comment review window expires between.
STEPS = (START + timedelta(hours=20), START + timedelta(hours=45))
ALERT_ID = re.compile(r"<hallwatch-alert-(\d+)@")
# What the suite's ``settings`` fixture sets, for module-scoped baselines.
ENV = {
    "HALLWATCH_DISTRICT_DOMAINS": "fvsd.example.ca",
    "HALLWATCH_SECRET_KEY": "test-secret-key",
    "HALLWATCH_DELIVERY_GROUP_MINUTES": "0",
}
# Short retries, so a test waits seconds for a fault to pass, not minutes.
FAST_RETRIES: dict[str, Any] = {"max_retries": 30, "min_backoff": 50, "max_backoff": 500}


@dataclass
class Outcome:
    """Flags by dedup key (rows) and alert e-mails by (flag dedup key, recipient) (messages)."""

    flags: Counter[str]
    alerts: Counter[tuple[str, str]]


def received(server: Server) -> list[tuple[str, str]]:
    """(Message-ID, envelope recipient) of every message the server accepted, repeats kept."""
    found = []
    for envelope in list(server.handler.envelopes):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        found += [(str(message["Message-ID"]), r.lower()) for r in envelope.rcpt_tos]
    return found


def outcome(engine: Engine, messages: Iterable[tuple[str, str]]) -> Outcome:
    """Count flags in the database and alert messages as received."""
    with Session(engine) as session:
        keys = Counter(session.scalars(select(Flag.dedup_key)))
        by_outbox = dict(
            session.execute(
                select(OutboxItem.id, Flag.dedup_key).join(Flag, OutboxItem.flag_id == Flag.id)
            ).all()
        )
    alerts: Counter[tuple[str, str]] = Counter()
    for message_id, recipient in messages:
        if match := ALERT_ID.match(message_id):
            alerts[(by_outbox.get(int(match[1]), f"unknown-outbox-{match[1]}"), recipient)] += 1
    return Outcome(keys, alerts)


def compare(fault: str, expected: Outcome, got: Outcome) -> str:
    """Print and assert: every expected flag exactly once, every alert once per recipient."""
    lost_flags = set(expected.flags) - set(got.flags)
    extra_flags = set(got.flags) - set(expected.flags)
    duplicate_flags = sum(n - 1 for n in got.flags.values())
    lost_alerts = set(expected.alerts) - set(got.alerts)
    extra_alerts = set(got.alerts) - set(expected.alerts)
    sent = sum(got.alerts.values())
    duplicates = sent - len(got.alerts)
    line = (
        f"fault={fault} flags expected={len(expected.flags)} got={sum(got.flags.values())} "
        f"lost={len(lost_flags)} alerts expected={len(expected.alerts)} sent={sent} "
        f"lost={len(lost_alerts)} duplicates={duplicates}"
    )
    print(line)
    assert expected.flags and expected.alerts, f"{line}: the baseline run found nothing"
    assert max(expected.alerts.values()) == 1, f"{line}: the baseline itself sent duplicates"
    assert not lost_flags, f"{line}: flags lost: {sorted(lost_flags)}"
    assert not extra_flags, f"{line}: flags not in the baseline: {sorted(extra_flags)}"
    assert not duplicate_flags, line
    assert not lost_alerts, f"{line}: alerts lost: {sorted(lost_alerts)}"
    assert not extra_alerts, f"{line}: alerts not in the baseline: {sorted(extra_alerts)}"
    dups = sorted(k for k, n in got.alerts.items() if n > 1)
    assert not duplicates, f"{line}: sent more than once: {dups}"
    return line


def wait_for(condition: Callable[[], Any], deadline: float, what: str, every: float = 0.1) -> Any:
    """Poll ``condition`` until it is truthy (returned) or ``deadline`` seconds pass (fail)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if value := condition():
            return value
        time.sleep(every)
    pytest.fail(f"not within {deadline} s: {what}")


def smtp_settings(settings: Settings, server: Server, **changes: Any) -> Settings:
    """The sandbox district's settings, alerts over SMTP to ``server``, each alert at once."""
    values = {
        "delivery__channel": "smtp",
        "smtp__host": "127.0.0.1",
        "smtp__port": server.port,
        "smtp__security": "none",
        "delivery__group_minutes": 0,
        **changes,
    }
    settings = settings.replace(**values)
    return demo_settings(settings, DISTRICT)


def sandbox_app(engine: Engine, settings: Settings) -> App:
    """An app on ``engine`` with the sandbox district's registry, roster and consents."""
    app = App(settings=settings, engine=engine, sessions=session_factory(engine))
    import_registry(app, DISTRICT)
    return app


def run_steps(app: App, tasks: Tasks, steps: Iterable[datetime] = STEPS) -> None:
    """What the scheduler does at each step, on a running worker: poll every active
    account, then the review sweep (which relays the outbox); wait for all of it."""
    from monitor.storage.models import Account

    for at in steps:
        as_of = at.isoformat()
        with app.sessions() as session:
            ids = list(session.scalars(select(Account.id).where(Account.status == "active")))
        for account_id in ids:
            tasks.poll_account.send(account_id, as_of)
        drain(tasks, ("poll", "deliver"))
        tasks.review_sweep.send(as_of)
        drain(tasks, ("sweep", "deliver"))


def drain(tasks: Tasks, queues: Iterable[str]) -> None:
    for queue in queues:
        tasks.broker.join(queue, fail_fast=True)  # type: ignore[call-arg]


def smtp_server() -> Iterator[Server]:
    """A started aiosmtpd server (stop and start it again on the same port for an outage)."""
    server = Server()
    server.start()
    try:
        yield server
    finally:
        server.stop()
