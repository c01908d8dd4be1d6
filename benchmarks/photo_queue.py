"""The poll path's one query for waiting photos, on a large media table.

Fills a database with ``--accounts`` accounts of ``--posts`` posts of 3 photos each (all
analysed, except the 30 newest photos of the first account), then times
:func:`monitor.ingest.photos.oldest_waiting` (what every poll runs) for an account with
photos waiting and one without, and :func:`monitor.storage.queries.photo_backlog` (what the
digest and ``flags list`` run). SQLite in a temporary file; PostgreSQL in a schema of its
own, dropped afterwards (``$HALLWATCH_TEST_POSTGRES``, skipped when unreachable).

    .venv/bin/python benchmarks/photo_queue.py [--accounts 20] [--posts 2000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.ingest.photos import oldest_waiting  # noqa: E402
from monitor.storage.db import make_engine, session_factory, upgrade  # noqa: E402
from monitor.storage.models import Account, MediaItem, OrgUnit, Post  # noqa: E402
from monitor.storage.queries import photo_backlog  # noqa: E402

NOW = datetime(2026, 11, 1, tzinfo=UTC)
PER_POST = 3
PG_URL = os.environ.get(
    "HALLWATCH_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def fill(engine: Engine, accounts: int, posts: int) -> int:
    with engine.begin() as conn:
        conn.execute(insert(OrgUnit).values(id=1, code="D", name="D", kind="district"))
        conn.execute(
            insert(Account),
            [
                {"id": a, "key": f"a{a}", "platform": "facebook", "external_id": f"e{a}"}
                | {"handle": f"@a{a}", "org_unit_id": 1, "cursor": {}}
                for a in range(1, accounts + 1)
            ],
        )
        rows, media = [], []
        for a in range(1, accounts + 1):
            for p in range(posts):
                pid = len(rows) + 1
                rows.append(
                    {"id": pid, "account_id": a, "external_id": f"p{pid}"}
                    | {"created_at": NOW, "first_seen_at": NOW, "fingerprint": "f"}
                )
                waits = a == 1 and p >= posts - 10
                media += [
                    {"post_id": pid, "external_id": f"m{m}", "kind": "photo", "url": "https://x"}
                    | {"analysed_at": None if waits else NOW}
                    for m in range(PER_POST)
                ]
        conn.execute(insert(Post), rows)
        for start in range(0, len(media), 20_000):
            conn.execute(insert(MediaItem), media[start : start + 20_000])
    return len(media)


def measure(engine: Engine, label: str, repeat: int = 20) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    sessions = session_factory(engine)
    for account, what in ((1, "30 waiting"), (2, "none waiting")):
        with sessions() as session:
            best = float("inf")
            for _ in range(repeat):
                start = time.perf_counter()
                oldest_waiting(session, account, 11)
                best = min(best, time.perf_counter() - start)
        print(
            f"{label:<10} oldest_waiting, account with {what:<12}: "
            f"{best * 1000:7.2f} ms (best of {repeat})"
        )
    with sessions() as session:
        start = time.perf_counter()
        photo_backlog(session)
        took = time.perf_counter() - start
    print(f"{label:<10} photo_backlog, every account:           {took * 1000:7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--posts", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/photos.db")
        upgrade(engine)
        count = fill(engine, args.accounts, args.posts)
        print(f"{count:,} photos in {args.accounts} accounts")
        measure(engine, "sqlite")
        engine.dispose()
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError:
        print("postgresql: not reachable, skipped")
        return
    try:
        url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        engine = make_engine(url.render_as_string(hide_password=False))
        upgrade(engine)
        fill(engine, args.accounts, args.posts)
        measure(engine, "postgresql")
        engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
