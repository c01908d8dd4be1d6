"""The scheduler decides what is due and enqueues it; it is safe to run twice.

Each unit of scheduled work has a slot key (``poll:<account>:<bucket>``,
``sweep:<hour>``, ``digest:<iso week>``) claimed by inserting a unique row. A second
scheduler, or the same one restarted, fails the insert and enqueues nothing, so nothing is
polled twice in one interval and the weekly digest is claimed once.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

import connectors
from monitor.core.app import App
from monitor.jobs.tasks import Tasks
from monitor.registry.connect import serving_connector
from monitor.storage.models import Account, DigestSent, ScheduleSlot
from monitor.storage.queries import held_for_approval

log = logging.getLogger(__name__)
DIGEST_WEEKDAY, DIGEST_HOUR = 0, 7  # Monday 07:00, district time
# A digest slot claimed this long ago with no digest made: its message was lost (a Redis
# restart without persistence loses queued messages), so it is sent again.
LOST_AFTER = timedelta(minutes=10)
CLAIM_CHUNK = 1000  # slots per INSERT (3 parameters each; PostgreSQL allows 65,535)


@dataclass
class TickResult:
    """What one scheduler tick enqueued."""

    polls: list[int] = field(default_factory=list)
    sweep: bool = False
    digest: bool = False
    digest_resent: bool = False
    procedure: bool = False  # the daily administrators and acknowledgement check
    acknowledge_requests: bool = False  # the weekly reminders to owners
    discovery: bool = False  # the weekly discovery run and its alerts


def claim(app: App, key: str, now: datetime, owner: str = "") -> bool:
    """Claim slot ``key``; False if another scheduler (or an earlier tick) already has it."""
    try:
        with app.sessions() as session, session.begin():
            session.add(
                ScheduleSlot(key=key, claimed_at=now, claimed_by=owner or socket.gethostname())
            )
        return True
    except IntegrityError:
        return False


def claim_many(app: App, keys: Sequence[str], now: datetime, owner: str = "") -> set[str]:
    """Claim every slot of ``keys`` that nobody holds, a chunk per statement; return those won.

    One ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` per chunk instead of a transaction
    per slot: a tick for thousands of accounts took seconds of round trips (scale benchmark).
    """
    won: set[str] = set()
    with app.sessions() as session, session.begin():
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        by = owner or socket.gethostname()
        for start in range(0, len(keys), CLAIM_CHUNK):
            rows = [
                {"key": k, "claimed_at": now, "claimed_by": by}
                for k in keys[start : start + CLAIM_CHUNK]
            ]
            statement = (
                insert(ScheduleSlot)
                .values(rows)
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(ScheduleSlot.key)
            )
            won.update(session.scalars(statement))
    return won


def release(app: App, *keys: str) -> None:
    """Give slots back (their messages could not be enqueued), so the next tick retries them."""
    with app.sessions() as session, session.begin():
        session.execute(delete(ScheduleSlot).where(ScheduleSlot.key.in_(keys)))


class BrokerUnavailable(RuntimeError):
    """The broker refused a message; nothing was claimed, the next tick tries again."""


def _enqueue(app: App, key: str, now: datetime, owner: str, send: Callable[[], object]) -> bool:
    """Claim ``key`` and send its message; if the send fails, release the claim."""
    if not claim(app, key, now, owner):
        return False
    try:
        send()
    except Exception as exc:
        release(app, key)
        raise _unavailable(key.split(":")[0], exc) from exc
    return True


def _unavailable(work: str, exc: Exception) -> BrokerUnavailable:
    return BrokerUnavailable(
        f"cannot enqueue {work} work on the broker "
        f"({type(exc).__name__}); check that the broker (Redis or RabbitMQ) is running and "
        "broker_url is right. Nothing was lost: the next tick tries again."
    )


def reclaim(app: App, key: str, now: datetime, older_than: timedelta) -> bool:
    """Take over slot ``key`` if it was claimed before ``now - older_than`` (one scheduler
    wins: the claim time moves to ``now`` in one UPDATE)."""
    with app.sessions() as session, session.begin():
        moved = session.execute(
            update(ScheduleSlot)
            .where(ScheduleSlot.key == key, ScheduleSlot.claimed_at < now - older_than)
            .values(claimed_at=now)
        )
        return bool(getattr(moved, "rowcount", 0))


def _digest_lost(app: App, key: str, now: datetime, year: int, week: int) -> bool:
    """The week's digest slot is claimed, no digest was made, and the claim is old."""
    with app.sessions() as session:
        made = session.scalar(
            select(DigestSent.id).where(DigestSent.iso_year == year, DigestSent.iso_week == week)
        )
    return made is None and reclaim(app, key, now, LOST_AFTER)


def _bucket(now: datetime, period: timedelta) -> int:
    return int(now.timestamp() // period.total_seconds())


def due_accounts(app: App, now: datetime) -> list[Account]:
    """Active accounts with an API (or served by the sandbox) not polled this interval;
    an account whose polls a usage cap paused is due again once the pause ends; an account
    registered from discovery only once it is approved."""
    cutoff = now - app.settings.poll_interval
    with app.sessions() as session:
        rows = session.scalars(
            select(Account)
            .where(Account.status == "active", ~held_for_approval())
            .where(or_(Account.paused_until.is_(None), Account.paused_until <= now))
            .where(or_(Account.last_polled_at.is_(None), Account.last_polled_at <= cutoff))
            .order_by(Account.last_polled_at.is_(None).desc(), Account.last_polled_at, Account.id)
        )
        return [
            a for a in rows if connectors.capabilities(serving_connector(app, a.platform)).has_api
        ]


def tick(app: App, tasks: Tasks, now: datetime, owner: str = "") -> TickResult:
    """Enqueue the polls, the hourly review sweep (which also relays the outbox) and the digest."""
    result = TickResult()
    as_of = now.isoformat()
    bucket = _bucket(now, app.settings.poll_interval)
    due = {f"poll:{account.key}:{bucket}": account.id for account in due_accounts(app, now)}
    won = claim_many(app, list(due), now, owner)
    claimed = [key for key in due if key in won]
    for number, key in enumerate(claimed):
        try:
            tasks.poll_account.send(due[key], as_of)
        except Exception as exc:
            release(app, *claimed[number:])
            raise _unavailable("poll", exc) from exc
        result.polls.append(due[key])
    sweep = f"sweep:{now:%Y-%m-%dT%H}"
    result.sweep = _enqueue(app, sweep, now, owner, lambda: tasks.review_sweep.send(as_of))
    tasks.relay(as_of, fresh=True)  # grouped alerts whose window just ended
    local = now.astimezone(app.settings.timezone)
    year, week, weekday = local.isocalendar()
    if (weekday - 1, local.hour) >= (DIGEST_WEEKDAY, DIGEST_HOUR):
        digest = f"digest:{year}-W{week:02d}"
        result.digest = _enqueue(app, digest, now, owner, lambda: tasks.weekly_digest.send(as_of))
        if not result.digest and _digest_lost(app, digest, now, year, week):
            log.warning("the %s message was lost (no digest made); sending it again", digest)
            tasks.weekly_digest.send(as_of)  # claiming digests is idempotent
            result.digest_resent = True
        _weekly_procedure(app, tasks, now, owner, f"{year}-W{week:02d}", result)
    daily = f"procedure:{local:%Y-%m-%d}"
    result.procedure = _enqueue(app, daily, now, owner, lambda: tasks.procedure_check.send(as_of))
    return result


def _weekly_procedure(
    app: App, tasks: Tasks, now: datetime, owner: str, week: str, result: TickResult
) -> None:
    """The weekly reminders to owners and the weekly discovery run, each claimed once.

    Both are safe to repeat as well: a request is keyed per person per week, a discovery
    alert per supervisor per week, and candidates by their identity.
    """
    as_of = now.isoformat()
    result.acknowledge_requests = _enqueue(
        app, f"ack-requests:{week}", now, owner, lambda: tasks.acknowledge_requests.send(as_of)
    )
    result.discovery = _enqueue(
        app, f"discover:{week}", now, owner, lambda: tasks.discover.send(as_of)
    )


def run_forever(
    app: App,
    tasks: Tasks,
    stop: threading.Event,
    period: float = 30.0,
    on_tick: Callable[[], object] | None = None,
) -> None:
    """Tick every ``period`` seconds until ``stop`` is set; ``on_tick`` after each tick,
    failed or not (the scheduler's heartbeat: the loop goes round)."""
    while not stop.is_set():
        try:
            result = tick(app, tasks, app.now())
            log.info(
                "tick: %d poll(s), sweep=%s, digest=%s",
                len(result.polls),
                result.sweep,
                result.digest,
            )
        except BrokerUnavailable as exc:
            log.error("%s", exc)
        except Exception:  # keep scheduling through a passing database outage
            log.exception("scheduler tick failed; retrying in %.0f s", period)
        if on_tick is not None:
            try:
                on_tick()
            except OSError as exc:
                log.warning("cannot write the scheduler heartbeat (%s)", exc.strerror or exc)
        stop.wait(period)
