"""Dramatiq actors. They take ids and ISO times (messages are JSON), never objects.

Actors are declared on a given broker by :class:`Tasks`, so one process can hold a stub
broker and a Redis broker side by side (tests do) and the production worker declares them
on the broker its settings name (``monitor.jobs.worker``).

Failure handling, by the connector taxonomy:
- ``RateLimited``: ``raise Retry(delay=...)`` at the platform's reset time; no thread sleeps.
- ``TransientError`` and ``DeliveryError``: raised, so Dramatiq retries with backoff.
- ``AuthRevoked`` and other fatal errors: recorded and flagged by the pipeline, not retried.
- ``UsageCapped`` (a plan's cap for a whole period): the pipeline pauses the account's polls
  until the cap resets and queues one notice to IT; not retried.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime
from typing import Any

import dramatiq
from dramatiq import Retry

from connectors import RateLimited
from monitor.core.app import App
from monitor.ingest import pipeline
from monitor.ingest.admins import refresh_admin_lists
from monitor.ingest.discover import run_discovery
from monitor.jobs import polling
from monitor.notify import digest
from monitor.notify.acknowledgements import claim_requests
from monitor.notify.delivery import deliver, pending_outbox
from monitor.notify.discovery import claim_discovery_alerts
from monitor.notify.routing import notifier_for
from monitor.registry import usage

log = logging.getLogger(__name__)
RETRY_OPTIONS: dict[str, Any] = {"max_retries": 8, "min_backoff": 2_000, "max_backoff": 600_000}


class Tasks:
    """The actors of one broker, bound to one :class:`App`."""

    def __init__(self, app: App, broker: dramatiq.Broker, **options: Any) -> None:
        self.app = app
        self.broker = broker
        backend = usage.backend_for(broker, app.settings.rate_limit_url)
        self.budgets = usage.Budgets(app, backend)
        opts = {**RETRY_OPTIONS, **options}
        # A worker runs the messages it has fetched lowest priority first: alerts, sweeps
        # and digests go before polls, so an urgent alert does not wait behind a backlog of
        # polls (a first poll of a large district; benchmarks/scale.py).
        self.poll_account = self._actor(self._poll_account, "poll", opts, priority=10)
        self.review_sweep = self._actor(self._review_sweep, "sweep", opts)
        self.deliver = self._actor(self._deliver, "deliver", opts)
        self.weekly_digest = self._actor(self._weekly_digest, "digest", opts)
        # Procedure 417's own paperwork: reminders, administrators and discovery.
        self.acknowledge_requests = self._actor(self._acknowledge_requests, "procedure", opts)
        self.procedure_check = self._actor(self._procedure_check, "procedure", opts)
        self.discover = self._actor(self._discover, "procedure", opts)

    def _actor(
        self, fn: Any, queue: str, options: dict[str, Any], priority: int = 0
    ) -> dramatiq.Actor[Any, Any]:
        name = fn.__name__.lstrip("_")
        return dramatiq.Actor(
            fn,
            broker=self.broker,
            actor_name=name,
            queue_name=queue,
            priority=priority,
            options=dict(options),
        )

    def _poll_account(self, account_id: int, as_of: str | None = None) -> None:
        now = self.app.now(as_of)
        platform = pipeline.connector_name(self.app, account_id)
        if (wait := usage.seconds_until_quota_resets(self.app, platform, now)) is not None:
            log.info("%s daily quota used up; account %s waits %.0f s", platform, account_id, wait)
            polling.count_account_poll(self.app, account_id, now, "quota_exhausted")
            raise Retry(delay=int(wait * 1000))
        with self.budgets.platform(platform).acquire(raise_on_failure=False) as allowed:
            if not allowed:
                raise Retry(delay=random.randint(5_000, 30_000))
            with self.budgets.account(account_id).acquire(raise_on_failure=False) as alone:
                if not alone:
                    raise self._locked(account_id)
                if pipeline.polled_as_of(self.app, account_id, now):
                    return  # a copy of this message (at-least-once) or its retry: done
                result = self._poll(account_id, now)
        for outbox_id in result.new_outbox:
            self.deliver.send(outbox_id, as_of)

    def _locked(self, account_id: int) -> Retry:
        """Another worker holds the account: it is polling it, or it died mid-poll (kill -9)
        and its lock lives on until it expires. Come back later rather than drop the poll
        (a dropped one waits a whole interval); if the holder did finish this poll, the
        retry finds it done. Four waits of a quarter of the lock's life outlast a dead
        worker's lock."""
        wait = self.budgets.lock_ms // 4
        log.info("account %s is being polled elsewhere; retry in %.0f s", account_id, wait / 1000)
        return Retry(delay=wait + random.randint(0, max(1, wait // 10)))

    def _poll(self, account_id: int, now: datetime) -> pipeline.PollResult:
        try:
            return polling.poll_counted(self.app, account_id, now)
        except RateLimited as exc:
            log.info("account %s rate limited; retry in %.0f s", account_id, exc.retry_after)
            raise Retry(delay=int(exc.retry_after * 1000)) from None

    def _review_sweep(self, as_of: str | None = None) -> None:
        now = self.app.now(as_of)
        pipeline.review_sweep(self.app, now)
        self.relay(as_of)

    def _deliver(self, outbox_id: int, as_of: str | None = None) -> None:
        deliver(self.app, outbox_id, self.app.now(as_of), notifier_for(self.app))

    def _weekly_digest(self, as_of: str | None = None) -> None:
        for outbox_id in digest.claim_weekly_digests(self.app, self.app.now(as_of)):
            self.deliver.send(outbox_id, as_of)

    def _acknowledge_requests(self, as_of: str | None = None) -> None:
        """The weekly reminder: a request to every owner with no current acknowledgement."""
        claimed, _ = claim_requests(self.app, self.app.now(as_of))
        for outbox_id in claimed:
            self.deliver.send(outbox_id, as_of)

    def _procedure_check(self, as_of: str | None = None) -> None:
        """Daily: read administrators where the platforms share them, then the two rules."""
        now = self.app.now(as_of)
        refresh_admin_lists(self.app, now)
        pipeline.procedure_sweep(self.app, now)
        self.relay(as_of)

    def _discover(self, as_of: str | None = None) -> None:
        """Weekly: discovery, then one grouped alert per supervisor with new candidates."""
        now = self.app.now(as_of)
        run_discovery(self.app, now)
        for outbox_id in claim_discovery_alerts(self.app, now):
            self.deliver.send(outbox_id, as_of)

    def relay(self, as_of: str | None = None, fresh: bool = False) -> int:
        """Enqueue the pending outbox rows that are due (delivery is idempotent, so repeats
        are safe); ``fresh``: only rows never tried, e.g. grouped alerts whose window ended."""
        ids = pending_outbox(self.app, due_by=self.app.now(as_of), fresh=fresh)
        for outbox_id in ids:
            self.deliver.send(outbox_id, as_of)
        return len(ids)
