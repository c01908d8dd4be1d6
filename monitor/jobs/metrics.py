"""Hallwatch's own metrics in Prometheus format, from the facts of :mod:`monitor.jobs.status`.

Served by the console at ``/metrics`` behind a bearer token (``[metrics] token``); the
queue's own metrics (messages, retries, failures, latency) come from Dramatiq's middleware
on each worker (:mod:`monitor.jobs.queue_metrics`). Counts come from the database, so every
console gives the same figures whichever worker did the work; they are computed at most
once per :data:`CACHE_SECONDS`, however many Prometheus servers scrape.

Labels name things, never people: platform, account state, rule id, severity, outbox kind,
delivery channel, outcome, queue, check. A label value that is not a short lower-case id
is exported as ``other``, so no text from the database can reach a label.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from monitor.core.app import App
from monitor.jobs.status import Status, gather

CACHE_SECONDS = 10.0
CONTENT_TYPE = CONTENT_TYPE_LATEST
_LABEL = re.compile(r"[a-z0-9][a-z0-9_.-]{0,39}")
# Every metric Hallwatch exports, with its labels (docs/operations.md lists them too).
METRICS: dict[str, tuple[str, ...]] = {
    "hallwatch_check_ok": ("check",),
    "hallwatch_polls_total": ("platform", "outcome"),
    "hallwatch_last_successful_poll_timestamp_seconds": ("platform",),
    "hallwatch_seconds_since_last_successful_poll": ("platform",),
    "hallwatch_accounts": ("platform", "state"),
    "hallwatch_accounts_late": ("platform",),
    "hallwatch_flags_raised_total": ("rule", "severity"),
    "hallwatch_flags_open": ("rule", "severity"),
    "hallwatch_alerts_pending": ("kind", "state"),
    "hallwatch_alerts_pending_oldest_seconds": (),
    "hallwatch_deliveries": ("channel", "outcome"),
    "hallwatch_api_requests_total": ("platform",),
    "hallwatch_api_quota_units_total": ("platform",),
    "hallwatch_api_requests_today": ("platform",),
    "hallwatch_api_quota_units_today": ("platform",),
    "hallwatch_api_quota_allowance_units": ("platform",),
    "hallwatch_api_quota_exhausted": ("platform",),
    "hallwatch_queue_messages": ("queue", "state"),
    "hallwatch_scheduler_last_sweep_timestamp_seconds": (),
    "hallwatch_digest_next_timestamp_seconds": (),
    "hallwatch_digest_last_timestamp_seconds": (),
    "hallwatch_digest_overdue": (),
    "hallwatch_metrics_collect_seconds": (),
}


def label(value: object) -> str:
    """``value`` if it is a short lower-case id (``facebook``, ``pii.student``), else ``other``."""
    text = str(value)
    return text if _LABEL.fullmatch(text) else "other"


def _gauge(name: str, doc: str) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, labels=list(METRICS[name]))


def _counter(name: str, doc: str) -> CounterMetricFamily:
    return CounterMetricFamily(name.removesuffix("_total"), doc, labels=list(METRICS[name]))


def families(status: Status, took: float) -> Iterator[Metric]:
    """Every metric family for ``status`` (collected in ``took`` seconds)."""
    checks = _gauge("hallwatch_check_ok", "1 when the check passes (database, migrations, broker)")
    for check in status.checks:
        checks.add_metric([label(check.name)], 1.0 if check.ok else 0.0)
    yield checks
    if status.database_ok:
        yield from _polls(status)
        yield from _accounts(status)
        yield from _flags(status)
        yield from _alerts(status)
        yield from _api(status)
        yield from _schedule(status)
    if status.queues is not None:
        queues = _gauge("hallwatch_queue_messages", "Messages in each queue, by state")
        for queue, depth in sorted(status.queues.items()):
            for state in ("ready", "delayed", "dead"):
                queues.add_metric([label(queue), state], float(getattr(depth, state)))
        yield queues
    collect = _gauge("hallwatch_metrics_collect_seconds", "Seconds the last collection took")
    collect.add_metric([], took)
    yield collect


def _polls(status: Status) -> Iterator[Metric]:
    polls = _counter("hallwatch_polls_total", "Polls by platform and outcome")
    last = _gauge(
        "hallwatch_last_successful_poll_timestamp_seconds",
        "Unix time of the newest successful poll of the platform",
    )
    silent = _gauge(
        "hallwatch_seconds_since_last_successful_poll",
        "Seconds since a poll of the platform last worked (since its first account was added "
        "when none has; +Inf when unknown), for platforms with active accounts",
    )
    for platform, facts in sorted(status.platforms.items()):
        for outcome, count in sorted(facts.polls_total.items()):
            polls.add_metric([label(platform), label(outcome)], float(count))
        if facts.last_ok is not None:
            last.add_metric([label(platform)], facts.last_ok.timestamp())
        if facts.watched:
            since = facts.silent_since
            gap = (status.at - since).total_seconds() if since else math.inf
            silent.add_metric([label(platform)], max(gap, 0.0))
    yield from (polls, last, silent)


def _accounts(status: Status) -> Iterator[Metric]:
    accounts = _gauge("hallwatch_accounts", "Registered accounts by platform and state")
    for (platform, state), count in sorted(status.accounts.items()):
        accounts.add_metric([label(platform), label(state)], float(count))
    late = _gauge(
        "hallwatch_accounts_late",
        "Active accounts not checked within twice their poll interval",
    )
    late_by = {p: 0 for p, f in status.platforms.items() if f.watched}
    for ref in status.late:
        late_by[ref.platform] = late_by.get(ref.platform, 0) + 1
    for platform, count in sorted(late_by.items()):
        late.add_metric([label(platform)], float(count))
    yield from (accounts, late)


def _flags(status: Status) -> Iterator[Metric]:
    raised = _counter("hallwatch_flags_raised_total", "Flags raised, by rule and severity")
    still = _gauge("hallwatch_flags_open", "Flags open or acknowledged, by rule and severity")
    totals: dict[tuple[str, str], int] = {}
    opened: dict[tuple[str, str], int] = {}
    for (rule, severity, is_open), count in status.flags.items():
        key = (label(rule), label(severity))
        totals[key] = totals.get(key, 0) + count
        opened[key] = opened.get(key, 0) + (count if is_open else 0)
    for key in sorted(totals):
        raised.add_metric(list(key), float(totals[key]))
        still.add_metric(list(key), float(opened[key]))
    yield from (raised, still)


def _alerts(status: Status) -> Iterator[Metric]:
    pending = _gauge(
        "hallwatch_alerts_pending",
        "Outbox messages not yet delivered: due now, or waiting for their grouping window",
    )
    for state, counts in (("due", status.outbox_due), ("waiting", status.outbox_waiting)):
        for kind, count in sorted(counts.items()):
            pending.add_metric([label(kind), state], float(count))
    oldest = _gauge(
        "hallwatch_alerts_pending_oldest_seconds",
        "Seconds the oldest due, undelivered outbox message has waited (0: none waits)",
    )
    waited = (status.at - status.oldest_due).total_seconds() if status.oldest_due else 0.0
    oldest.add_metric([], max(waited, 0.0))
    deliveries = _gauge(
        "hallwatch_deliveries",
        "Alert deliveries by channel and outcome (delivered, pending, failing)",
    )
    for (channel, outcome), count in sorted(status.deliveries.items()):
        deliveries.add_metric([label(channel), outcome], float(count))
    yield from (pending, oldest, deliveries)


def _api(status: Status) -> Iterator[Metric]:
    requests = _counter("hallwatch_api_requests_total", "Platform API requests")
    units = _counter("hallwatch_api_quota_units_total", "Platform API quota units spent")
    requests_today = _gauge(
        "hallwatch_api_requests_today", "API requests on the platform's current quota day"
    )
    units_today = _gauge(
        "hallwatch_api_quota_units_today", "Quota units spent on the platform's current quota day"
    )
    allowance = _gauge("hallwatch_api_quota_allowance_units", "The platform's daily quota units")
    exhausted = _gauge(
        "hallwatch_api_quota_exhausted", "1 while the daily quota is used up (polls wait)"
    )
    for platform, facts in sorted(status.platforms.items()):
        name = [label(platform)]
        if facts.requests_total or facts.units_total:
            requests.add_metric(name, float(facts.requests_total))
            units.add_metric(name, float(facts.units_total))
            requests_today.add_metric(name, float(facts.requests_today))
            units_today.add_metric(name, float(facts.units_today))
        if facts.allowance is not None:
            allowance.add_metric(name, float(facts.allowance))
            exhausted.add_metric(name, 1.0 if facts.quota_exhausted else 0.0)
    yield from (requests, units, requests_today, units_today, allowance, exhausted)


def _schedule(status: Status) -> Iterator[Metric]:
    for name, doc, moment in (
        (
            "hallwatch_scheduler_last_sweep_timestamp_seconds",
            "Unix time the scheduler last claimed the hourly review sweep",
            status.scheduler_claimed,
        ),
        (
            "hallwatch_digest_next_timestamp_seconds",
            "Unix time of the next weekly digest",
            status.next_digest,
        ),
        (
            "hallwatch_digest_last_timestamp_seconds",
            "Unix time the last digest was made",
            status.last_digest,
        ),
    ):
        if moment is not None:
            gauge = _gauge(name, doc)
            gauge.add_metric([], moment.timestamp())
            yield gauge
    overdue = _gauge("hallwatch_digest_overdue", "1 when this week's digest is overdue")
    overdue.add_metric([], 1.0 if status.digest_overdue else 0.0)
    yield overdue


class _Collector(Collector):
    def __init__(self, exporter: Exporter) -> None:
        self.exporter = exporter

    def collect(self) -> Iterator[Metric]:
        started = time.monotonic()
        status = gather(self.exporter.app, keys=False)
        yield from families(status, time.monotonic() - started)


class Exporter:
    """The console's ``/metrics`` text: Hallwatch's metrics and the console process's own
    (CPU, memory, open files), rendered at most once per :data:`CACHE_SECONDS`."""

    def __init__(self, app: App, cache_seconds: float = CACHE_SECONDS) -> None:
        self.app = app
        self.cache_seconds = cache_seconds
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(_Collector(self))
        ProcessCollector(registry=self.registry)
        self._lock = threading.Lock()
        self._text = b""
        self._made = -math.inf

    def render(self) -> bytes:
        with self._lock:  # one collection at a time; the others get its result
            if time.monotonic() - self._made >= self.cache_seconds:
                self._text = generate_latest(self.registry)
                self._made = time.monotonic()
            return self._text
