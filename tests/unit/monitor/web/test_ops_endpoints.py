"""/healthz, /readyz and /metrics: no sign-in, real services up and down, nothing leaked."""

from __future__ import annotations

import logging
import re
import shutil
import socket
import time
from datetime import timedelta

import pytest
from alembic import command
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from monitor.jobs.metrics import METRICS, label
from monitor.registry import usage
from monitor.storage.db import alembic_config, make_engine, open_app
from monitor.web.app import create_app
from tests.conftest import CI
from tests.integration.test_faults_process import OwnRedis
from tests.support.web_fixtures import NOW, build

TOKEN = "metrics-bearer-token-0123456789abcdef"
DB_PASSWORD = "pg-password-never-shown-0123"
# What a leaky answer would contain: a URL, a password, a library's name, a version, a trace.
LEAKS = re.compile(
    r"(?i)postgres|psycopg|sqlite|redis|127\.0\.0\.1|traceback|password|\d+\.\d+\.\d+"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _client(settings) -> TestClient:
    return TestClient(create_app(open_app(settings)), base_url="https://testserver")


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_healthz_and_readyz_answer_without_signing_in(settings, engine):
    client = _client(settings.replace(database_url=_url(engine)))
    alive = client.get("/healthz")
    assert alive.status_code == 200 and alive.json() == {"status": "alive"}
    assert alive.headers["cache-control"] == "no-store"
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "current", "broker": "ok"},
    }
    assert client.head("/healthz").status_code == 200


@pytest.mark.postgres
def test_readyz_while_postgresql_is_down_leaks_nothing(settings):
    # A PostgreSQL URL on a port nobody listens on, with a password in it
    port = _free_port()
    url = f"postgresql+psycopg://hallwatch:{DB_PASSWORD}@127.0.0.1:{port}/hallwatch"
    client = _client(settings.replace(database_url=url))
    assert client.get("/healthz").status_code == 200  # the process is alive all the same
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"] == {
        "database": "unreachable",
        "migrations": "unknown",
        "broker": "ok",
    }
    assert not LEAKS.search(ready.text) and str(port) not in ready.text


def test_readyz_reports_migrations_that_are_not_current(settings, engine, tmp_path):
    command.downgrade(alembic_config(engine), "0006")
    client = _client(settings.replace(database_url=_url(engine)))
    assert client.get("/readyz").json()["checks"]["migrations"] == "behind"
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    client = _client(settings.replace(database_url=str(empty.url)))
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["checks"]["migrations"] == "empty"


@pytest.mark.redis
def test_readyz_while_redis_is_down(settings, engine, redis_url, tmp_path):
    if shutil.which("redis-server") is None:
        if CI:
            pytest.fail("redis-server is not installed; CI=true requires it")
        pytest.skip("redis-server is not installed")
    server = OwnRedis(tmp_path)  # a Redis of this test's own, so stopping it stops nothing shared
    server.start()
    try:
        base = settings.replace(database_url=_url(engine), broker_url=server.url)
        app = create_app(open_app(base))
        client = TestClient(app, base_url="https://testserver")
        assert client.get("/readyz").json()["checks"]["broker"] == "ok"
        server.stop()  # Redis goes down
        time.sleep(1.1)  # past the one-second reuse of the last answer
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"] == {
            "database": "ok",
            "migrations": "current",
            "broker": "unreachable",
        }
        assert not LEAKS.search(ready.text) and str(server.port) not in ready.text
    finally:
        server.stop()
    # The shared Redis, but a database number it does not have: refused, so not ready
    unreachable = redis_url.rsplit("/", 1)[0] + "/999"
    client = _client(settings.replace(database_url=_url(engine), broker_url=unreachable))
    assert client.get("/readyz").json()["checks"]["broker"] == "unreachable"
    # And the API budgets' own Redis, when it is a separate one
    client = _client(
        settings.replace(
            database_url=_url(engine),
            broker_url=redis_url,
            rate_limit_url=f"redis://127.0.0.1:{_free_port()}/8",
        )
    )
    checks = client.get("/readyz").json()["checks"]
    assert checks["broker"] == "ok" and checks["budgets"] == "unreachable"


@pytest.fixture
def district(settings, engine):
    district = build(settings.replace(metrics__token=TOKEN, database_url=_url(engine)), engine)
    with district.app.sessions() as s, s.begin():
        usage.record_poll(s, "youtube", NOW - timedelta(minutes=5), "ok")
        usage.record_poll(s, "youtube", NOW, "AuthRevoked")
        usage.record(s, "youtube", NOW, 3, 5)
    return district


def test_metrics_need_the_bearer_token(district, settings):
    client = district.client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics").headers["www-authenticate"].startswith("Bearer")
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    httpx_log = logging.getLogger("httpx")  # it logs each URL: a token there would be logged
    level = httpx_log.level
    httpx_log.setLevel(logging.WARNING)
    try:
        assert client.get("/metrics", params={"token": TOKEN}).status_code == 401
    finally:
        httpx_log.setLevel(level)
    good = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert good.status_code == 200 and good.headers["content-type"].startswith("text/plain")
    # No token configured: the endpoint is off
    off = _client(settings).get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert off.status_code == 404


def test_metric_names_and_labels_carry_no_personal_data(district):
    body = district.client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    # The district holds names, e-mail addresses, handles and a hostile comment; none is out
    for personal in (
        "Patel",
        "patel@",
        "Dana Lee",
        "fvsd.example.ca",
        "@riv-yt",
        "riv-yt",
        "mtn-yt",
        "Emma",
        "<script>",
        "is in 4B",
    ):
        assert personal not in body, personal
    allowed = {
        "check",
        "platform",
        "outcome",
        "state",
        "rule",
        "severity",
        "kind",
        "channel",
        "queue",
    }
    samples = {}
    for family in text_string_to_metric_families(body):
        assert family.name.startswith(("hallwatch_", "process_")), family.name
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
            assert set(sample.labels) <= allowed, sample
            for value in sample.labels.values():
                assert re.fullmatch(r"[a-z0-9][a-z0-9_.-]{0,39}", value), sample
    assert samples[("hallwatch_polls_total", (("outcome", "ok"), ("platform", "youtube")))] == 1
    assert (
        samples[("hallwatch_polls_total", (("outcome", "auth_revoked"), ("platform", "youtube")))]
        == 1
    )
    assert (
        samples[
            ("hallwatch_flags_raised_total", (("rule", "pii.student"), ("severity", "critical")))
        ]
        == 1
    )
    assert samples[("hallwatch_flags_open", (("rule", "media.inquiry"), ("severity", "high")))] == 1
    assert samples[("hallwatch_accounts", (("platform", "youtube"), ("state", "active")))] == 2
    assert samples[("hallwatch_api_quota_units_today", (("platform", "youtube"),))] == 5
    assert samples[("hallwatch_api_quota_allowance_units", (("platform", "youtube"),))] == 10000
    assert samples[("hallwatch_check_ok", (("check", "database"),))] == 1
    names = {name for name, _ in samples}
    documented = {n for n in METRICS} | {f"{n}_total" for n in METRICS}
    assert {n for n in names if n.startswith("hallwatch_")} <= documented


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("youtube", "youtube"),
        ("pii.student", "pii.student"),
        ("credentials_broken", "credentials_broken"),
        ("Ms. Patel", "other"),
        ("patel@fvsd.example.ca", "other"),
        ("@riv_yt", "other"),
        ("a" * 41, "other"),
        ("", "other"),
        ("Emma S. is in 4B", "other"),
    ],
)
def test_a_label_is_a_short_id_or_other(value, shown):
    assert label(value) == shown
