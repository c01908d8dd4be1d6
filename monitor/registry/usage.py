"""API budgets: per-platform poll rates shared across workers, and the YouTube daily quota.

Rates use Dramatiq's own rate limiters: on Redis when the broker is Redis (so every worker
on every machine shares one budget), in memory otherwise. Quota units and requests are
counted per platform per day in ``api_usage``; a platform's quota day is the one its
connector class declares (YouTube's ends at midnight Pacific time).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.rate_limits import ConcurrentRateLimiter, RateLimiter, WindowRateLimiter
from dramatiq.rate_limits.backend import RateLimiterBackend
from dramatiq.rate_limits.backends import RedisBackend, StubBackend
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

import connectors
from connectors import Platform
from connectors.base import Quota
from monitor.core.app import App
from monitor.core.settings import Settings
from monitor.storage.models import ApiUsage, PollCount

POLL_RESERVE_UNITS = 20  # leave room for a poll's own list calls
RESET_MARGIN = timedelta(minutes=5)  # wait a little past the platform's midnight
# A district's own allowance, where a setting overrides the platform's default (its facts).
ALLOWANCE: dict[str, Callable[[Settings], int]] = {
    Platform.YOUTUBE: lambda settings: settings.limits.youtube_daily_quota,
}


# What a poll can come to, as `hallwatch status` and the metrics name it: "ok", the fatal
# connector errors the pipeline records (by class name), the retried ones, and waits.
POLL_OUTCOMES = (
    "ok",
    "auth_revoked",
    "configuration_error",
    "usage_capped",
    "permanent_error",
    "credentials_error",
    "unknown_platform",
    "connector_error",
    "rate_limited",
    "transient_error",
    "quota_exhausted",
    "paused",
    "error",
)


class BudgetError(Exception):
    """The API budgets cannot be shared between workers as configured."""


def backend_for(broker: dramatiq.Broker, rate_limit_url: str = "") -> RateLimiterBackend:
    """Where the API budgets live, shared by every worker.

    ``rate_limit_url`` (a Redis) when given; else the Redis broker's own Redis; else, for the
    in-memory broker of a single process, memory. A RabbitMQ broker has no Redis of its own,
    and per-process budgets would let N workers spend N times a platform's budget.
    """
    if rate_limit_url:
        return RedisBackend(url=rate_limit_url)
    if isinstance(broker, RedisBroker):
        return RedisBackend(client=broker.client)
    if isinstance(broker, StubBroker):
        return StubBackend()
    raise BudgetError(
        f"broker_url is a {type(broker).__name__}, which cannot hold the API budgets that all "
        "workers share: set rate_limit_url (HALLWATCH_RATE_LIMIT_URL) to a Redis URL such as "
        "redis://127.0.0.1:6379/1"
    )


class Budgets:
    """Dramatiq rate limiters: polls per platform per minute, one poll per account at a time."""

    def __init__(self, app: App, backend: RateLimiterBackend) -> None:
        self.backend = backend
        self.per_minute = int(app.settings.limits.polls_per_minute)
        self.lock_ms = int(app.settings.limits.poll_lock_seconds * 1000)
        self._platforms: dict[str, RateLimiter] = {}

    def platform(self, name: str) -> RateLimiter:
        if name not in self._platforms:
            self._platforms[name] = WindowRateLimiter(
                self.backend, f"hallwatch-polls-{name}", limit=self.per_minute, window=60
            )
        return self._platforms[name]

    def account(self, account_id: int) -> RateLimiter:
        """One poll per account at a time. A worker killed mid-poll never releases its
        lock; it expires after ``limits.poll_lock_seconds``."""
        return ConcurrentRateLimiter(
            self.backend, f"hallwatch-account-{account_id}", limit=1, ttl=self.lock_ms
        )


def daily_quota(platform: str) -> Quota | None:
    """The platform's daily unit quota, as its connector class declares it (or None)."""
    try:
        quota = connectors.capabilities(platform).quota
    except connectors.UnknownPlatform:
        return None
    return quota if quota is not None and quota.period == "day" else None


def usage_day(platform: str, now: datetime) -> date:
    """The quota day: in the quota's own zone (YouTube: Pacific), else the UTC date."""
    quota = daily_quota(platform)
    return quota.clock.day(now) if quota else now.date()


def record(session: Session, platform: str, now: datetime, requests: int, units: int) -> None:
    """Add to today's counters in one upsert (in the caller's transaction; race-free)."""
    _add(session, platform, usage_day(platform, now), requests, units)


def _add(session: Session, line: str, day: date, requests: int, units: int) -> None:
    """Add to the ``line`` counters of ``day`` in one upsert."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = {"platform": line, "day": day, "requests": requests, "units": units}
    statement = insert(ApiUsage).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["platform", "day"],
            set_={"requests": ApiUsage.requests + requests, "units": ApiUsage.units + units},
        )
    )


def seconds_until_quota_resets(app: App, platform: str, now: datetime) -> float | None:
    """None while ``platform`` has quota left today; else seconds until the next quota day."""
    left = units_left(app, platform, now)
    quota = daily_quota(platform)
    if left is None or left > 0 or quota is None:
        return None
    return quota.clock.seconds_to_midnight(now) + RESET_MARGIN.total_seconds()


def record_search(session: Session, platform: str, now: datetime, calls: int, units: int) -> None:
    """Count discovery's searches on their own line (``<platform>.search``), on the platform's
    quota day, so the discovery budget can be read back; the units also go to ``platform``."""
    record(session, platform, now, calls, units)
    _add(session, f"{platform}.search", usage_day(platform, now), calls, units)


def spent_today(session: Session, platform: str, now: datetime, kind: str = "") -> tuple[int, int]:
    """(requests, units) counted today on ``platform`` (``kind`` "search": discovery's)."""
    name = f"{platform}.{kind}" if kind else platform
    row = session.execute(
        select(ApiUsage.requests, ApiUsage.units).where(
            ApiUsage.platform == name, ApiUsage.day == usage_day(platform, now)
        )
    ).first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def units_left(app: App, platform: str, now: datetime) -> int | None:
    """Units of today's quota left after the polls' reserve (None: no unit quota)."""
    quota = daily_quota(platform)
    if quota is None or quota.units is None:
        return None
    allowance = ALLOWANCE[platform](app.settings) if platform in ALLOWANCE else quota.units
    with app.sessions() as session:
        _, used = spent_today(session, platform, now)
    return allowance - used - POLL_RESERVE_UNITS


def outcome_label(outcome: str) -> str:
    """A poll's outcome as counted: ``AuthRevoked`` -> ``auth_revoked``; ``error`` for any
    outcome not in :data:`POLL_OUTCOMES` (so the set of labels stays small and known)."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", outcome).lower()
    return snake if snake in POLL_OUTCOMES else "error"


def record_poll(session: Session, platform: str, now: datetime, outcome: str) -> None:
    """Count one poll of ``platform`` with ``outcome`` on ``now``'s UTC day (one upsert)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = {
        "platform": platform[:20],
        "day": now.astimezone(UTC).date(),
        "outcome": outcome_label(outcome),
        "polls": 1,
    }
    session.execute(
        insert(PollCount)
        .values(**values)
        .on_conflict_do_update(
            index_elements=["platform", "day", "outcome"], set_={"polls": PollCount.polls + 1}
        )
    )
