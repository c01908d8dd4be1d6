"""API budgets: usage counted per day, the YouTube quota, and Dramatiq's rate limiters."""

from __future__ import annotations

from datetime import UTC, date, datetime

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.rate_limits.backends import RedisBackend, StubBackend
from sqlalchemy import select

from monitor.jobs.polling import poll_counted
from monitor.jobs.tasks import Tasks
from monitor.registry import usage
from monitor.storage.db import session_factory
from monitor.storage.models import Account, ApiUsage, PollCount
from tests.support import factory
from tests.support.factory import CLEAN_PROFILE, at


@pytest.fixture
def app(engine, settings, tmp_path):
    path = factory.scenario(tmp_path / "s.json", {"a": {"profile": CLEAN_PROFILE}})
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        factory.account(s, d["school"], d["principal"], "a")
    return factory.app_for(settings, engine, path)


def _account_id(app):
    from monitor.storage.models import Account

    with app.sessions() as s:
        return s.scalars(select(Account.id)).one()


def test_usage_is_added_up_per_platform_per_day(app):
    with app.sessions() as s, s.begin():
        usage.record(s, "youtube", at(1), requests=4, units=4)
        usage.record(s, "youtube", at(2), requests=1, units=50)
        usage.record(s, "x", at(2), requests=3, units=0)
    with app.sessions() as s:
        rows = {(r.platform, r.day): (r.requests, r.units) for r in s.scalars(select(ApiUsage))}
    assert rows == {("youtube", date(2026, 9, 14)): (5, 54), ("x", date(2026, 9, 14)): (3, 0)}


def test_youtube_day_is_pacific_time():
    # 2026-09-15 06:00 UTC is still the 14th in California
    assert usage.usage_day("youtube", datetime(2026, 9, 15, 6, 0, tzinfo=UTC)) == date(2026, 9, 14)
    assert usage.usage_day("x", datetime(2026, 9, 15, 6, 0, tzinfo=UTC)) == date(2026, 9, 15)


def test_quota_exhausted_waits_until_after_pacific_midnight(app):
    now = datetime(2026, 9, 15, 5, 0, tzinfo=UTC)  # 22:00 PDT on the 14th
    assert usage.seconds_until_quota_resets(app, "youtube", now) is None
    with app.sessions() as s, s.begin():
        usage.record(s, "youtube", now, requests=9990, units=9990)
    wait = usage.seconds_until_quota_resets(app, "youtube", now)
    assert wait == pytest.approx(2 * 3600 + 5 * 60)
    assert usage.seconds_until_quota_resets(app, "x", now) is None  # no daily quota


def test_poll_actor_retries_after_the_quota_resets(app):
    broker = StubBroker()
    tasks = Tasks(app, broker)
    app.settings = app.settings.replace(sandbox__scenario="")
    with app.sessions() as s, s.begin():
        usage.record(s, "youtube", at(1), requests=10000, units=10000)
    with pytest.raises(dramatiq.Retry) as retry:
        tasks.poll_account.fn(_account_id(app), at(1).isoformat())
    assert retry.value.delay > 3600 * 1000
    broker.close()


def test_platform_budget_exhausted_retries_soon_without_polling(app):
    app.settings = app.settings.replace(limits__polls_per_minute=1)
    broker = StubBroker()
    tasks = Tasks(app, broker)
    tasks.poll_account.fn(_account_id(app), at(20).isoformat())  # uses the one poll of this minute
    with pytest.raises(dramatiq.Retry) as retry:
        tasks.poll_account.fn(_account_id(app), at(20).isoformat())
    assert 5_000 <= retry.value.delay <= 30_000
    broker.close()


def test_account_already_being_polled_is_not_polled_twice_at_once_but_retried(app):
    broker = StubBroker()
    tasks = Tasks(app, broker)
    with tasks.budgets.account(_account_id(app)).acquire(), pytest.raises(dramatiq.Retry):
        tasks.poll_account.fn(_account_id(app), at(20).isoformat())  # retried, not polled
    with app.sessions() as s:
        assert s.scalars(select(ApiUsage)).all() == []
    tasks.poll_account.fn(_account_id(app), at(20).isoformat())
    with app.sessions() as s:
        assert s.scalars(select(ApiUsage.platform)).all() == ["sandbox"]
    broker.close()


def test_backend_is_stub_in_memory_and_redis_on_redis(redis_url):
    assert isinstance(usage.backend_for(StubBroker()), StubBackend)
    broker = RedisBroker(url=redis_url)
    assert isinstance(usage.backend_for(broker), RedisBackend)
    broker.close()


@pytest.mark.redis
def test_platform_budget_is_shared_across_workers_on_redis(app, redis_url):
    # Two brokers (two worker processes) on the same Redis share one budget
    limit_key = "hallwatch-polls-sandbox"
    first = RedisBroker(url=redis_url)
    first.client.delete(*first.client.keys(f"{limit_key}*") or ["none"])
    app.settings = app.settings.replace(limits__polls_per_minute=2)
    one = usage.Budgets(app, usage.backend_for(first))
    two = usage.Budgets(app, usage.backend_for(RedisBroker(url=redis_url)))
    grants = []
    for budgets in (one, two, one, two):
        with budgets.platform("sandbox").acquire(raise_on_failure=False) as ok:
            grants.append(ok)
    assert grants.count(True) == 2
    first.client.delete(*first.client.keys(f"{limit_key}*") or ["none"])


@pytest.mark.parametrize(
    ("outcome", "counted"),
    [
        ("ok", "ok"),
        ("AuthRevoked", "auth_revoked"),
        ("ConfigurationError", "configuration_error"),
        ("UsageCapped", "usage_capped"),
        ("PermanentError", "permanent_error"),
        ("CredentialsError", "credentials_error"),
        ("UnknownPlatform", "unknown_platform"),
        ("rate_limited", "rate_limited"),
        ("transient_error", "transient_error"),
        ("quota_exhausted", "quota_exhausted"),
        ("SomethingNew", "error"),  # an outcome nobody listed: counted, under a known name
        ("Ms. Patel", "error"),
        ("", "error"),
    ],
)
def test_poll_outcomes_are_counted_under_a_small_known_set_of_names(outcome, counted):
    assert usage.outcome_label(outcome) == counted


def test_polls_are_counted_per_platform_day_and_outcome(app):
    with app.sessions() as s, s.begin():
        for when in (at(1), at(2), at(30)):
            usage.record_poll(s, "youtube", when, "ok")
        usage.record_poll(s, "youtube", at(2), "AuthRevoked")
    with app.sessions() as s:
        account_id = s.scalar(select(Account.id).where(Account.key == "a"))
    result = poll_counted(app, account_id, at(3))  # a real poll of the sandbox account
    assert result.outcome == "ok"
    with app.sessions() as s:
        rows = sorted(
            tuple(r) for r in s.execute(select(PollCount.day, PollCount.outcome, PollCount.polls))
        )
    assert rows == [
        (at(1).date(), "auth_revoked", 1),
        (at(1).date(), "ok", 3),  # two recorded and the real poll, the same UTC day
        (at(30).date(), "ok", 1),
    ]
