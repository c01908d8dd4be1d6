"""Alerts, sweeps and digests a worker has fetched run before the polls it has fetched.

Dramatiq's worker runs the messages it holds lowest ``priority`` first, so during a long
backlog of polls (a first poll of a large district) an urgent alert waits for one poll
thread to come free, not for every poll fetched before it.
"""

from __future__ import annotations

from dramatiq.brokers.stub import StubBroker

from monitor.jobs.tasks import Tasks
from tests.support import factory


def test_polls_yield_to_every_other_actor(settings, sqlite_engine):
    tasks = Tasks(factory.app_for(settings, sqlite_engine, None), StubBroker())
    others = (tasks.deliver, tasks.review_sweep, tasks.weekly_digest)
    assert all(actor.priority < tasks.poll_account.priority for actor in others)
