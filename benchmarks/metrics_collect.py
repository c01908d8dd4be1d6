"""What one /metrics scrape (and one `hallwatch status`) costs on a district-sized database.

Fills a database with a large district's history (accounts, flags, alert deliveries, poll
counts, API usage), then times :func:`monitor.jobs.status.gather` as /metrics runs it (no
key check) and as `hallwatch status` runs it (every credential decrypted), and the
rendering of the Prometheus text. Prints the median of ``--runs`` runs.

    python benchmarks/metrics_collect.py                      # SQLite in a temporary folder
    python benchmarks/metrics_collect.py --database postgresql+psycopg://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from monitor.core.app import App
from monitor.core.settings import load_settings
from monitor.jobs.metrics import Exporter
from monitor.jobs.status import gather
from monitor.registry.secrets import encrypt
from monitor.storage.db import make_engine, session_factory, upgrade
from monitor.storage.models import (
    Account,
    ApiUsage,
    Delivery,
    Flag,
    OrgUnit,
    OutboxItem,
    PollCount,
)

NOW = datetime(2026, 9, 16, 17, 0, tzinfo=UTC)
PLATFORMS = ("facebook", "instagram", "x", "youtube", "wordpress", "blogger")
RULES = ("comments.unreviewed", "visibility.public", "pii.student", "language.prohibited")


def fill(app: App, accounts: int, flags: int, deliveries: int) -> None:
    with app.sessions() as s, s.begin():
        s.add(OrgUnit(code="D", name="District", kind="district"))
        s.flush()
        credentials = encrypt(app.settings, {"access_token": "benchmark"})
        s.execute(
            insert(Account),
            [
                {
                    "key": f"acct-{n}",
                    "platform": PLATFORMS[n % 6],
                    "external_id": str(n),
                    "handle": f"@a{n}",
                    "org_unit_id": 1,
                    "status": "credentials_broken" if n % 97 == 0 else "active",
                    "last_polled_at": NOW - timedelta(minutes=n % 40),
                    "registered_at": NOW - timedelta(days=90),
                    "last_poll_outcome": "ok",
                    "credentials": credentials,
                    "cursor": {},
                }
                for n in range(accounts)
            ],
        )
        for start in range(0, flags, 5000):
            s.execute(
                insert(Flag),
                [
                    {
                        "dedup_key": f"f{n}",
                        "rule_id": RULES[n % 4],
                        "severity": ("critical", "high", "medium", "low")[n % 4],
                        "account_id": 1 + n % accounts,
                        "subject_type": "comment",
                        "explanation": "x",
                        "detector": "bench",
                        "detector_version": "1",
                        "status": "open" if n % 10 == 0 else "resolved",
                        "first_seen_at": NOW - timedelta(minutes=n),
                        "last_seen_at": NOW,
                        "details": {},
                    }
                    for n in range(start, min(flags, start + 5000))
                ],
            )
        for start in range(0, deliveries, 5000):
            rows = range(start, min(deliveries, start + 5000))
            s.execute(
                insert(OutboxItem),
                [
                    {
                        "dedup_key": f"o{n}",
                        "kind": "alert",
                        "flag_id": 1 + n % flags,
                        "created_at": NOW - timedelta(minutes=n),
                        "deliver_after": NOW - timedelta(minutes=n),
                        "status": "pending" if n < 5 else "sent",
                    }
                    for n in rows
                ],
            )
            s.execute(
                insert(Delivery),
                [
                    {
                        "outbox_id": n + 1,
                        "recipient": f"p{n % 300}@district.example.ca",
                        "channel": "smtp",
                        "status": "pending" if n < 5 else "delivered",
                    }
                    for n in rows
                ],
            )
        days = [date(2026, 9, 16) - timedelta(days=d) for d in range(365)]
        s.execute(
            insert(PollCount),
            [
                {"platform": p, "day": d, "outcome": o, "polls": 500}
                for p in PLATFORMS
                for d in days
                for o in ("ok", "transient_error")
            ],
        )
        s.execute(
            insert(ApiUsage),
            [
                {"platform": p, "day": d, "requests": 900, "units": 900}
                for p in PLATFORMS
                for d in days
            ],
        )


def timed(work, runs: int) -> float:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="", help="a PostgreSQL URL (default: SQLite)")
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--flags", type=int, default=100_000)
    parser.add_argument("--deliveries", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hallwatch-metrics-bench-"))
    schema = ""
    if args.database:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with create_engine(args.database).begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(args.database).update_query_dict({"options": f"-csearch_path={schema}"})
        database = url.render_as_string(hide_password=False)
    else:
        database = f"sqlite:///{folder / 'bench.db'}"
    try:
        settings = load_settings(
            environ={
                "HALLWATCH_DATABASE_URL": database,
                "HALLWATCH_VAR_DIR": str(folder),
                "HALLWATCH_SECRET_KEY": "bench-secret-key",
            }
        )
        engine = make_engine(database)
        upgrade(engine)
        app = App(settings, engine, session_factory(engine), clock=lambda: NOW)
        fill(app, args.accounts, args.flags, args.deliveries)
        exporter = Exporter(app, cache_seconds=0)
        backend = make_url(database).get_backend_name()
        print(
            f"{backend}: {args.accounts} accounts, {args.flags} flags, "
            f"{args.deliveries} deliveries, a year of poll counts; median of {args.runs} runs"
        )
        scrape = timed(exporter.render, args.runs)
        light = timed(lambda: gather(app, keys=False), args.runs)
        full = timed(lambda: gather(app), args.runs)
        print(f"  /metrics scrape (gather + render): {scrape * 1000:.0f} ms")
        print(f"  gather for /metrics (no key check): {light * 1000:.0f} ms")
        print(f"  gather for `hallwatch status` (every credential decrypted): {full * 1000:.0f} ms")
        engine.dispose()
    finally:
        if schema:
            with create_engine(args.database).begin() as c:
                c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
