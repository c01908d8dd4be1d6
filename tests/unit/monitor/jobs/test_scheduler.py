"""The scheduler is safe to run twice: slots are claimed once, in the database."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import select

from monitor.jobs.scheduler import claim, due_accounts, tick
from monitor.jobs.tasks import Tasks
from monitor.notify.digest import claim_weekly_digests
from monitor.storage.db import session_factory
from monitor.storage.models import Account
from tests.support import factory
from tests.support.factory import CLEAN_PROFILE, at


@pytest.fixture
def world(engine, settings, tmp_path):
    path = factory.scenario(
        tmp_path / "s.json", {"a": {"profile": CLEAN_PROFILE}, "b": {"profile": CLEAN_PROFILE}}
    )
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        factory.account(s, d["school"], d["principal"], "a")
        factory.account(s, d["school"], d["principal"], "b", status="credentials_broken")
        factory.account(
            s, d["school"], d["principal"], "snap", platform="snapchat", status="manual"
        )
    app = factory.app_for(settings, engine, path)
    broker = StubBroker()
    yield app, Tasks(app, broker), broker
    broker.close()


def _queued(broker, queue):
    q = broker.queues.get(queue)
    return q.qsize() if q is not None else 0


def test_two_schedulers_at_the_same_tick_enqueue_each_poll_once(world):
    app, tasks, broker = world
    first = tick(app, tasks, at(20), owner="scheduler-1")
    second = tick(app, tasks, at(20), owner="scheduler-2")
    assert len(first.polls) == 1 and first.sweep
    assert second.polls == [] and not second.sweep
    assert _queued(broker, "poll") == 1 and _queued(broker, "sweep") == 1


def test_concurrent_schedulers_claim_each_slot_exactly_once(world):
    app, _, _ = world
    wins: list[bool] = []
    barrier = threading.Barrier(4)

    def race():
        barrier.wait()
        wins.append(claim(app, "poll:a:12345", at(1)))

    threads = [threading.Thread(target=race) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False, False, False, True]


def test_broken_and_manual_accounts_are_not_due(world):
    app, _, _ = world
    assert [a.key for a in due_accounts(app, at(1))] == ["a"]


def test_an_account_polled_this_interval_is_not_due_again(world):
    app, _, _ = world
    with app.sessions() as s, s.begin():
        s.scalars(select(Account).where(Account.key == "a")).one().last_polled_at = at(1)
    assert due_accounts(app, at(1.1)) == []
    assert [a.key for a in due_accounts(app, at(1.3))] == ["a"]  # 15-minute default interval


def test_weekly_digest_claimed_once_per_iso_week_in_district_time(world):
    app, tasks, broker = world
    # Monday 06:59 in Vancouver is too early; 07:00 claims; later that week nothing more
    assert not tick(app, tasks, datetime(2026, 9, 21, 13, 59, tzinfo=UTC)).digest
    assert tick(app, tasks, datetime(2026, 9, 21, 14, 0, tzinfo=UTC)).digest
    claim_weekly_digests(app, datetime(2026, 9, 21, 14, 0, tzinfo=UTC))  # its message ran
    assert not tick(app, tasks, datetime(2026, 9, 24, 14, 0, tzinfo=UTC)).digest
    # Sunday 23:30 Vancouver is already Monday in UTC, but still the old ISO week there
    assert not tick(app, tasks, datetime(2026, 9, 28, 6, 30, tzinfo=UTC)).digest
    assert tick(app, tasks, datetime(2026, 9, 28, 14, 0, tzinfo=UTC)).digest
    assert _queued(broker, "digest") == 2


def test_weekly_digest_message_lost_with_redis_is_sent_again_once(world):
    app, tasks, broker = world
    monday = datetime(2026, 9, 21, 14, 0, tzinfo=UTC)
    # Given the week's digest was claimed and its message lost (Redis restarted, no AOF)
    assert tick(app, tasks, monday).digest
    broker.flush_all()
    # When the scheduler ticks on: not before ten minutes, then once
    assert not tick(app, tasks, monday + timedelta(minutes=9)).digest_resent
    again = tick(app, tasks, monday + timedelta(minutes=11))
    assert again.digest_resent and not again.digest and _queued(broker, "digest") == 1
    assert not tick(app, tasks, monday + timedelta(minutes=12)).digest_resent
    # and once the digests are made, never again that week
    claim_weekly_digests(app, monday + timedelta(minutes=12))
    assert not tick(app, tasks, monday + timedelta(hours=5)).digest_resent


def test_dead_redis_loses_no_work_the_next_tick_retries(world):
    from dramatiq.brokers.redis import RedisBroker

    from monitor.jobs.scheduler import BrokerUnavailable

    app, tasks, stub = world
    # Given a broker whose Redis is not running (nothing listens on this port)
    dead = RedisBroker(url="redis://127.0.0.1:6399/0", socket_connect_timeout=0.2)
    with pytest.raises(BrokerUnavailable, match=r"check that the broker \(Redis or RabbitMQ\)"):
        tick(app, Tasks(app, dead), at(20))
    # Then no slot stays claimed, and once a broker is back the same tick enqueues the poll
    result = tick(app, tasks, at(20))
    assert len(result.polls) == 1 and result.sweep
    assert _queued(stub, "poll") == 1


def test_slots_are_claimed_in_one_batch_and_only_free_ones_are_won(world):
    from monitor.jobs.scheduler import claim_many

    app, _, _ = world
    # Given one slot another scheduler already holds
    assert claim(app, "poll:a:7", at(1), owner="scheduler-2")
    # When a tick claims it with others, more than a chunk of them
    keys = ["poll:a:7", *(f"poll:x{n}:7" for n in range(1500))]
    won = claim_many(app, keys, at(1), owner="scheduler-1")
    # Then it wins every free slot and not the held one, and a second try wins nothing
    assert won == set(keys[1:])
    assert claim_many(app, keys, at(1), owner="scheduler-3") == set()


def test_a_broker_failing_mid_tick_gives_back_the_slots_it_did_not_send(world):
    from monitor.jobs.scheduler import BrokerUnavailable

    app, tasks, broker = world
    with session_factory(app.engine)() as s, s.begin():
        unit = s.scalars(select(Account)).first()
        for n in range(3):
            factory.account(s, unit.org_unit, unit.supervisor, f"more{n}")
    sent: list[int] = []
    real_send = tasks.poll_account.send

    def flaky_send(account_id, as_of):
        if len(sent) == 2:
            raise ConnectionError("redis went away")
        sent.append(account_id)
        return real_send(account_id, as_of)

    tasks.poll_account.send = flaky_send
    with pytest.raises(BrokerUnavailable):
        tick(app, tasks, at(20))
    tasks.poll_account.send = real_send
    # The two polls that went out keep their slots; the next tick sends only the other two
    again = tick(app, tasks, at(20))
    assert len(sent) == 2 and len(again.polls) == 2 and not set(sent) & set(again.polls)


def _discover_messages(broker):
    queue = broker.queues.get("procedure")
    messages = list(queue.queue) if queue is not None else []
    return [m for m in messages if b'"discover"' in m]


def test_discovery_runs_once_a_week_from_monday_morning_in_district_time(world):
    app, tasks, broker = world
    assert not tick(app, tasks, at(-2)).discovery  # Monday 06:00: before the weekly hour
    monday = at(0)  # Monday 08:00 in Vancouver, after the digest hour
    assert tick(app, tasks, monday, owner="scheduler-1").discovery
    assert not tick(app, tasks, monday, owner="scheduler-2").discovery  # claimed once
    assert not tick(app, tasks, at(30)).discovery  # later the same ISO week
    assert len(_discover_messages(broker)) == 1
    assert tick(app, tasks, at(24 * 7)).discovery  # the next week's run
    assert len(_discover_messages(broker)) == 2
