"""Console page latency with the demo district loaded, measured in-process.

Runs the demo pipeline into a temporary folder (SQLite), signs in as the demo admin and the
demo principal, requests every page N times through Starlette's TestClient (the whole ASGI
stack: middleware, sign-in, scope, queries, templates) and prints p50/p95 per page.

    .venv/bin/python benchmarks/console_latency.py [--n 50]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

from sqlalchemy import select
from starlette.testclient import TestClient

from monitor.core.settings import load_settings
from monitor.jobs.demo import DEMO_PASSWORD, DEMO_USERS, demo_settings, demo_users, run_demo
from monitor.storage.db import open_app
from monitor.storage.models import Flag
from monitor.web.app import create_app

warnings.filterwarnings("ignore", category=DeprecationWarning)
DISTRICT = Path(__file__).resolve().parent.parent / "examples" / "sandbox-district"


def sign_in(client: TestClient, email: str) -> None:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert token
    response = client.post(
        "/login",
        data={"email": email, "password": DEMO_PASSWORD, "csrf": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def measure(client: TestClient, path: str, n: int) -> tuple[float, float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="requests per page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {"HALLWATCH_VAR_DIR": tmp, "HALLWATCH_DATABASE_URL": f"sqlite:///{tmp}/hw.db"}
        settings = demo_settings(load_settings(environ=env), DISTRICT)
        report = run_demo(settings, DISTRICT)
        app = open_app(settings)
        demo_users(app)
        with app.sessions() as session:
            flag_id = session.scalars(select(Flag.id).order_by(Flag.id)).first()
            # A counsellor sees only signs of self-harm: time the page of one of those.
            care_id = session.scalars(
                select(Flag.id).where(Flag.rule_id == "wellbeing.self_harm").order_by(Flag.id)
            ).first()
        print(f"demo district: {report.total_flags} flags; {args.n} requests per page")
        print(f"{'user':<12} {'page':<14} {'p50 ms':>8} {'p95 ms':>8}")
        for email, _, role, _ in DEMO_USERS:
            client = TestClient(create_app(app), base_url="https://testserver")
            sign_in(client, email)
            shown = care_id if role == "counsellor" else flag_id
            pages = ["/", "/flags", f"/flags/{shown}", "/comments", "/accounts", "/audit"]
            for path in [*pages, "/report"]:
                if client.get(path).status_code == 403:
                    continue  # not a page of this role (the supervisor's audit log, ...)
                p50, p95 = measure(client, path, args.n)
                print(f"{role:<12} {path:<14} {p50:8.1f} {p95:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
