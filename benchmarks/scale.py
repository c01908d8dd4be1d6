"""Scale: full poll cycles of a synthetic district through Dramatiq, Redis and PostgreSQL.

For each size, a fresh PostgreSQL database holds a district of N accounts (Facebook
Pages, Instagram, X and YouTube in turn), served by the real connectors through the fake
platform APIs of ``benchmarks/scale_fake.py`` (each request sleeps ``--latency-ms``).
``--workers`` real ``dramatiq monitor.jobs.worker`` processes poll it; this process plays the
scheduler (``monitor.jobs.scheduler.tick``) and watches the database until every poll of the
cycle is stored and every alert it raised is written.

- Cycle 1 ingests the history (``--comments-per-account`` each).
- Cycles 2.. are the steady state: every ``--change-every``-th account has a new post with
  ``--new-comments`` comments (one a media inquiry, alerted at once), the rest nothing.
  Between cycles the poll interval is made to pass (accounts' ``last_polled_at`` moved back
  and their poll slots released), as it would on the clock.

    .venv/bin/python benchmarks/scale.py --sizes 100 1000 5000 --comments-per-account 400 \\
        --latency-ms 100 --workers 2 --threads 16

Needs PostgreSQL (``--pg``: a server where it may create and drop ``--database``) and
Redis (``--redis``: a database number of its own; it is flushed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from statistics import quantiles
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from sqlalchemy import create_engine, delete, func, select, text  # noqa: E402

from benchmarks.scale_fake import (  # noqa: E402
    PLATFORMS,
    STREAMS,
    RedisLedger,
    World,
    credentials,
    external_id,
    index_of,
)
from monitor.core.app import App  # noqa: E402
from monitor.core.settings import load_settings  # noqa: E402
from monitor.jobs import scheduler  # noqa: E402
from monitor.jobs.broker import make_broker  # noqa: E402
from monitor.jobs.tasks import Tasks  # noqa: E402
from monitor.registry import secrets  # noqa: E402
from monitor.storage.db import open_app, upgrade  # noqa: E402
from monitor.storage.models import (  # noqa: E402
    Account,
    Comment,
    Delivery,
    Flag,
    OrgUnit,
    OutboxItem,
    ScheduleSlot,
    Supervisor,
)

BIN = Path(sys.executable).parent


@dataclass
class CycleResult:
    cycle: int
    accounts: int
    seconds: float = 0.0
    alerts_seconds: float = 0.0
    requests: int = 0
    floor: int = 0
    comments: int = 0
    flags: int = 0
    alert_latency: list[float] = field(default_factory=list)  # from the cycle's tick
    poll_latency: list[float] = field(default_factory=list)  # from the poll's first request
    tick_seconds: float = 0.0
    per_platform: dict[str, tuple[float, float, float, int]] = field(default_factory=dict)
    failed: int = 0
    load: str = ""


def _env(args: argparse.Namespace, db_url: str, var: Path, world: World) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLWATCH_")}
    env.update(
        HALLWATCH_DATABASE_URL=db_url,
        HALLWATCH_BROKER_URL=args.redis,
        HALLWATCH_VAR_DIR=str(var),
        HALLWATCH_SECRET_KEY="scale-benchmark",
        HALLWATCH_DISTRICT_DOMAINS="fvsd.example.ca",
        HALLWATCH_DELIVERY_GROUP_MINUTES="0",  # every alert at once, so each one is timed
        HALLWATCH_DELIVERY_COMMUNICATIONS_EMAIL="comms@fvsd.example.ca",
        HALLWATCH_DELIVERY_IT_EMAIL="it@fvsd.example.ca",
        HALLWATCH_LIMITS_POLLS_PER_MINUTE=str(args.polls_per_minute),
        HALLWATCH_LIMITS_YOUTUBE_DAILY_QUOTA="100000000",
        HALLWATCH_CONNECTOR_TRANSPORT="benchmarks.scale_fake:transports",
        HALLWATCH_SCALE_REDIS=args.redis,
        HALLWATCH_SCALE_T0=str(world.t0),
        HALLWATCH_SCALE_COMMENTS=str(world.comments_per_account),
        HALLWATCH_SCALE_CHANGE_EVERY=str(world.change_every),
        HALLWATCH_SCALE_NEW_COMMENTS=str(world.new_comments),
        HALLWATCH_SCALE_FLAG_EVERY=str(world.flag_every),
        HALLWATCH_SCALE_LATENCY_MS=str(world.latency * 1000),
        PYTHONPATH=str(ROOT),
    )
    return env


def _registry(app: App, size: int) -> None:
    with app.sessions() as s, s.begin():
        unit = OrgUnit(
            code="RIV",
            name="Riverside Elementary",
            kind="school",
            website="https://riverside.fvsd.example.ca",
        )
        s.add(unit)
        s.flush()
        sup = Supervisor(email="principal@fvsd.example.ca", name="Principal", org_unit_id=unit.id)
        s.add(sup)
        s.flush()
        tokens = {p: secrets.encrypt(app.settings, credentials(p)) for p in PLATFORMS}
        rows = []
        for k in range(size):
            platform, index = PLATFORMS[k % len(PLATFORMS)], k // len(PLATFORMS)
            rows.append(
                {
                    "key": f"{platform}-{index}",
                    "platform": platform,
                    "external_id": external_id(platform, index),
                    "handle": f"@riverside{index}",
                    "org_unit_id": unit.id,
                    "owner_email": f"teacher{index}@fvsd.example.ca",
                    "supervisor_id": sup.id,
                    "approval_status": "approved",
                    "approved_by": "principal@fvsd.example.ca",
                    "approved_on": date(2026, 9, 1),
                    "audience": "public",
                    "educational_need": "School news for families",
                    "audience_expires": date(2030, 6, 30),
                    "comments_policy": "monitored",
                    "status": "active",
                    "cursor": {},
                    "credentials": tokens[platform],
                }
            )
        s.execute(Account.__table__.insert(), rows)
        # This benchmark times poll cycles; the hourly review sweep and the weekly digest
        # are left out by claiming their slots for the whole run.
        now = datetime.now(UTC)
        for hours in range(0, 6):
            moment = datetime.fromtimestamp(now.timestamp() + 3600 * hours, UTC)
            s.add(
                ScheduleSlot(key=f"sweep:{moment:%Y-%m-%dT%H}", claimed_at=now, claimed_by="bench")
            )
        local = now.astimezone(app.settings.timezone)
        year, week, _ = local.isocalendar()
        s.add(ScheduleSlot(key=f"digest:{year}-W{week:02d}", claimed_at=now, claimed_by="bench"))


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _children(pid: int) -> list[int]:
    try:
        text_ = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text_.split()]


def _rss(pid: int) -> tuple[int, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024


def _wait_ready(log: Path, workers: int, timeout: float = 120) -> None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if log.exists() and log.read_text().count("is ready for action") >= workers:
            return
        time.sleep(0.3)
    raise RuntimeError(f"workers not ready; see {log}")


def _cycle(
    app: App, tasks: Tasks, ledger: RedisLedger, cycle: int, size: int, world: World, timeout: float
) -> CycleResult:
    result = CycleResult(cycle, size)
    with app.sessions() as s:
        comments0 = s.scalar(select(func.count()).select_from(Comment)) or 0
        flags0 = s.scalar(select(func.count()).select_from(Flag)) or 0
        outbox0 = s.scalar(select(func.max(OutboxItem.id))) or 0
    start = time.time()
    ledger.begin(cycle, start)
    now = datetime.fromtimestamp(start, UTC)
    tick = scheduler.tick(app, tasks, now, owner="bench")
    result.tick_seconds = time.time() - start
    deadline = time.monotonic() + timeout
    polled = 0
    while time.monotonic() < deadline:
        with app.sessions() as s:
            polled = (
                s.scalar(
                    select(func.count()).select_from(Account).where(Account.last_polled_at >= now)
                )
                or 0
            )
            failed = (
                s.scalar(
                    select(func.count())
                    .select_from(Account)
                    .where(Account.last_poll_outcome.not_in(["ok", ""]))
                )
                or 0
            )
        if polled + failed >= len(tick.polls):
            break
        time.sleep(0.2)
    result.seconds = time.time() - start
    result.failed = failed
    if polled + failed < len(tick.polls):
        print(
            f"  cycle {cycle}: only {polled} of {len(tick.polls)} polls done after {timeout:.0f} s"
        )
    while time.monotonic() < deadline:  # then every alert this cycle raised
        with app.sessions() as s:
            pending = s.scalar(
                select(func.count())
                .select_from(OutboxItem)
                .where(OutboxItem.id > outbox0, OutboxItem.status != "sent")
            )
        if not pending:
            break
        time.sleep(0.2)
    result.alerts_seconds = time.time() - start
    with app.sessions() as s:
        result.comments = (s.scalar(select(func.count()).select_from(Comment)) or 0) - comments0
        result.flags = (s.scalar(select(func.count()).select_from(Flag)) or 0) - flags0
        rows = s.execute(
            select(Delivery.location, OutboxItem.created_at, Account.platform, Account.external_id)
            .join(OutboxItem, OutboxItem.id == Delivery.outbox_id)
            .join(Flag, Flag.id == OutboxItem.flag_id)
            .join(Account, Account.id == Flag.account_id)
            .where(OutboxItem.id > outbox0, Delivery.location != "")
        ).all()
    first = ledger.first_request(cycle)
    for location, created, platform, ident in rows:
        try:
            sent = os.stat(location).st_mtime
        except OSError:
            continue
        result.alert_latency.append(sent - created.replace(tzinfo=UTC).timestamp())
        if (began := first.get((platform, index_of(platform, ident)))) is not None:
            result.poll_latency.append(sent - began)
    counts = ledger.requests(cycle)
    result.requests = sum(counts.values())
    with app.sessions() as s:
        accounts = s.execute(select(Account.platform, Account.external_id)).all()
    per: dict[str, dict[str, list[int]]] = {p: {"same": [], "changed": []} for p in PLATFORMS}
    for platform, ident in accounts:
        index = index_of(platform, ident)
        kind = "changed" if world.changes(index) and cycle > 1 else "same"
        per[platform][kind].append(counts.get((platform, index), 0))
        result.floor += STREAMS[platform]
    for platform, kinds in per.items():
        same, changed = kinds["same"], kinds["changed"]
        result.per_platform[platform] = (
            _avg(same),
            _avg(changed),
            STREAMS[platform],
            len(same) + len(changed),
        )
    result.load = _load()
    return result


def _avg(values: list[int]) -> float:
    return sum(values) / len(values) if values else float("nan")


def _age(app: App) -> None:
    """Let the poll interval pass: accounts become due again and their slots free."""
    with app.sessions() as s, s.begin():
        s.execute(text("UPDATE accounts SET last_polled_at = last_polled_at - interval '1 day'"))
        s.execute(delete(ScheduleSlot).where(ScheduleSlot.key.like("poll:%")))


def _p(values: list[float], which: int) -> float:
    """The 50th (``which`` = 9) or 95th (18) percentile of ``values``."""
    return quantiles(values, n=20)[which] if len(values) >= 2 else float("nan")


def _print_cycle(r: CycleResult, label: str) -> None:
    print(
        f"  cycle {r.cycle} ({label}): all polls stored {r.seconds:.1f} s (scheduler tick "
        f"{r.tick_seconds:.1f} s), all alerts sent {r.alerts_seconds:.1f} s; "
        f"{r.accounts / r.seconds * 60:.0f} accounts/min; {r.requests} API requests "
        f"(floor {r.floor}, {r.requests / max(r.floor, 1):.2f}x); "
        f"{r.comments / r.seconds:.0f} comments/s ({r.comments}); "
        f"{r.flags / r.seconds:.1f} flags/s ({r.flags}); alert after tick p50 "
        f"{_p(r.alert_latency, 9):.1f} s p95 {_p(r.alert_latency, 18):.1f} s, after the poll's "
        f"first request p50 {_p(r.poll_latency, 9):.2f} s p95 {_p(r.poll_latency, 18):.2f} s "
        f"({len(r.alert_latency)} sent); failed polls {r.failed}; load {r.load}"
    )
    for platform, (same, changed, floor, n) in r.per_platform.items():
        what = (
            f"{same:5.2f} (first poll, with paging)"
            if r.cycle == 1
            else f"{same:5.2f} unchanged, {changed:5.2f} changed"
        )
        print(
            f"      {platform:<9} {n:5d} accounts: requests per account {what}; "
            f"floor {floor} (one per stream)"
        )


def run_size(args: argparse.Namespace, size: int) -> dict[str, Any]:
    admin = create_engine(args.pg + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{args.database}"'))
    db_url = f"{args.pg}/{args.database}"
    world = World(
        t0=time.time(),
        comments_per_account=args.comments_per_account,
        change_every=args.change_every,
        new_comments=args.new_comments,
        flag_every=args.flag_every,
        latency=args.latency_ms / 1000,
    )
    tmp = Path(tempfile.mkdtemp(prefix="hallwatch-scale-"))
    env = _env(args, db_url, tmp / "var", world)
    settings = load_settings(environ=env)
    app = open_app(settings)
    upgrade(app.engine)
    _registry(app, size)
    client = redis.Redis.from_url(args.redis)
    client.flushdb()
    ledger = RedisLedger(args.redis)
    broker = make_broker(settings)
    tasks = Tasks(app, broker)
    log = tmp / "workers.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [
                BIN / "dramatiq",
                "monitor.jobs.worker",
                "--processes",
                str(args.workers),
                "--threads",
                str(args.threads),
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    results = []
    try:
        _wait_ready(log, args.workers)
        print(
            f"size {size}: {size} accounts, "
            f"{size * args.comments_per_account:,} comments of history"
        )
        for cycle in range(1, args.cycles + 1):
            if cycle > 1:
                _age(app)
            r = _cycle(app, tasks, ledger, cycle, size, world, args.timeout)
            _print_cycle(r, "history" if cycle == 1 else "steady state")
            results.append(r)
        rss = [_rss(pid) for pid in _children(worker.pid)]
        with app.sessions() as s:
            stored = s.scalar(select(func.count()).select_from(Comment)) or 0
            size_bytes = s.scalar(
                text(
                    "select sum(pg_total_relation_size(c.oid)) from pg_class c join pg_namespace n "
                    "on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r'"
                )
            )
        cpu = {k.decode(): float(v) for k, v in client.hgetall("scale:fake_cpu").items()}
        db_per_m = int(size_bytes or 0) / max(stored, 1) * 1e6 / 2**20
        print(
            f"  database {size_bytes / 2**20:.0f} MiB for {stored:,} comments = "
            f"{db_per_m:.0f} MiB per million comments; worker RSS (now / peak MiB): "
            + ", ".join(f"{a}/{b}" for a, b in rss)
            + f"; fake API CPU inside workers {sum(cpu.values()):.1f} s"
        )
        errors = [
            line
            for line in log.read_text().splitlines()
            if "Traceback" in line or " ERROR " in line
        ]
        if errors:
            print(f"  {len(errors)} error line(s) in {log}, first: {errors[0][:200]}")
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
        app.engine.dispose()
        client.flushdb()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)'))
        admin.dispose()
    return {
        "size": size,
        "cycles": results,
        "rss": rss,
        "db_mib_per_million": db_per_m,
        "stored": stored,
    }


def _summary(args: argparse.Namespace, runs: list[dict[str, Any]]) -> None:
    print()
    print(
        f"Summary: {args.workers} worker processes x {args.threads} threads, "
        f"{args.latency_ms:.0f} ms per API request, "
        f"{args.comments_per_account} comments per account, "
        f"{os.cpu_count()} CPUs, load average at the end {_load()}"
    )
    head = (
        f"{'accounts':>8} {'cycle':>11} {'seconds':>7} {'acc/min':>7} {'requests':>8} "
        f"{'floor':>6} {'comments/s':>10} {'flags/s':>7} {'alert p50':>9} {'p95':>5} "
        f"{'poll->alert p50':>15} {'p95':>5} {'ms/acct':>7} {'MiB/M cmts':>10} {'RSS MiB':>9}"
    )
    print(head)
    for run in runs:
        for r in run["cycles"]:
            label = "1 history" if r.cycle == 1 else f"{r.cycle} steady"
            print(
                f"{r.accounts:>8} {label:>11} {r.seconds:7.1f} {r.accounts / r.seconds * 60:7.0f} "
                f"{r.requests:8d} {r.floor:6d} {r.comments / r.seconds:10.0f} "
                f"{r.flags / r.seconds:7.1f} {_p(r.alert_latency, 9):9.1f} "
                f"{_p(r.alert_latency, 18):5.1f} {_p(r.poll_latency, 9):15.2f} "
                f"{_p(r.poll_latency, 18):5.2f} {r.seconds * 1000 / r.accounts:7.1f} "
                f"{run['db_mib_per_million']:10.0f} {'/'.join(str(a) for a, _ in run['rss']):>9}"
            )
    print(
        json.dumps(
            {
                "target_1000_at_100ms_steady_s": [
                    r.seconds
                    for run in runs
                    if run["size"] == 1000
                    for r in run["cycles"]
                    if r.cycle > 1
                ]
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--comments-per-account", type=int, default=400)
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--cycles", type=int, default=3, help="cycle 1 is the history")
    parser.add_argument("--change-every", type=int, default=5)
    parser.add_argument("--new-comments", type=int, default=10)
    parser.add_argument("--flag-every", type=int, default=200)
    parser.add_argument("--polls-per-minute", type=int, default=1_000_000)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="hallwatch_scale")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11")
    parser.add_argument(
        "--keep", action="store_true", help="keep the last database and its var folder"
    )
    args = parser.parse_args()
    print(f"load average at start: {_load()}")
    runs = [run_size(args, size) for size in args.sizes]
    _summary(args, runs)


if __name__ == "__main__":
    main()
