"""Poll pipeline throughput on SQLite and PostgreSQL, side by side in one process.

A synthetic sandbox district (N accounts, each with posts and comments) is polled twice:
the first poll stores everything and runs the detectors; the second finds nothing new
(the idempotent path every later poll takes). Prints accounts/s and comments/s for each.

    .venv/bin/python benchmarks/pipeline_throughput.py [--accounts 200] [--comments 50]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from monitor.core.app import App
from monitor.core.settings import load_settings
from monitor.ingest import pipeline
from monitor.storage.db import make_engine, session_factory, upgrade
from monitor.storage.models import Account, OrgUnit, Supervisor

START = datetime(2026, 9, 14, 15, 0, tzinfo=UTC)
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def scenario(path: Path, accounts: int, comments: int) -> None:
    data = {"start": START.isoformat(), "accounts": {}}
    for i in range(accounts):
        posts = [
            {
                "id": f"p{j}",
                "at_hours": 1 + j,
                "text": f"Post {j} about sports day",
                "visibility": "private",
            }
            for j in range(max(1, comments // 10))
        ]
        chats = [
            {
                "id": f"c{j}",
                "post": f"p{j % len(posts)}",
                "at_hours": 2 + j * 0.1,
                "text": f"Comment {j}: great work everyone!",
                "author_name": "Parent",
            }
            for j in range(comments)
        ]
        data["accounts"][f"acct{i}"] = {
            "profile": {
                "handle": f"@acct{i}",
                "about": "Riverside Elementary, Fraser Valley School District",
                "website": "https://riverside.fvsd.example.ca",
                "visibility": "private",
                "comments_enabled": True,
            },
            "posts": posts,
            "comments": chats,
        }
    path.write_text(json.dumps(data))


def registry(app: App, accounts: int) -> list[int]:
    with app.sessions() as s, s.begin():
        unit = OrgUnit(
            code="RIV",
            name="Riverside Elementary",
            kind="school",
            website="https://riverside.fvsd.example.ca",
        )
        s.add(unit)
        s.flush()
        sup = Supervisor(email="p@fvsd.example.ca", name="P", org_unit_id=unit.id)
        s.add(sup)
        s.flush()
        rows = [
            Account(
                key=f"acct{i}",
                platform="youtube",
                external_id=f"acct{i}",
                handle=f"@acct{i}",
                org_unit_id=unit.id,
                owner_email="o@fvsd.example.ca",
                supervisor_id=sup.id,
                approval_status="approved",
                approved_on=date(2026, 9, 1),
            )
            for i in range(accounts)
        ]
        s.add_all(rows)
        s.flush()
        return [r.id for r in rows]


def measure(
    name: str, url: str, scenario_path: Path, accounts: int, comments: int, **connect
) -> None:
    engine = make_engine(url, **connect)
    upgrade(engine)
    settings = load_settings(
        environ={
            "HALLWATCH_DISTRICT_DOMAINS": "fvsd.example.ca",
            "HALLWATCH_SANDBOX_SCENARIO": str(scenario_path),
            "HALLWATCH_SECRET_KEY": "bench",
        }
    )
    app = App(settings=settings, engine=engine, sessions=session_factory(engine))
    ids = registry(app, accounts)
    for label, hours in (("first poll (all new)", 20), ("second poll (unchanged)", 21)):
        now = START + timedelta(hours=hours)
        began = time.perf_counter()
        for account_id in ids:
            pipeline.poll_account(app, account_id, now)
        elapsed = time.perf_counter() - began
        stored = accounts * comments if hours == 20 else 0
        print(
            f"{name:<10} {label:<24} {accounts / elapsed:8.1f} accounts/s  "
            f"{stored / elapsed:9.0f} comments stored/s  ({elapsed:.2f} s)"
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--comments", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scenario.json"
        scenario(path, args.accounts, args.comments)
        print(
            f"{args.accounts} accounts x {args.comments} comments, "
            "sandbox connector, one process, one thread"
        )
        measure("sqlite", f"sqlite:///{tmp}/bench.db", path, args.accounts, args.comments)
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(PG)
        try:
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        except Exception as exc:  # noqa: BLE001 - a benchmark reports and moves on
            print(f"postgresql skipped: {exc.__class__.__name__}")
            return
        try:
            measure(
                "postgresql",
                PG,
                path,
                args.accounts,
                args.comments,
                options=f"-csearch_path={schema}",
            )
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
