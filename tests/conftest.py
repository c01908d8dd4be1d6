"""Shared fixtures: databases on SQLite and PostgreSQL, Redis, and settings.

Under ``CI=true`` PostgreSQL and Redis are required and their tests fail when the servers
are missing; elsewhere those tests skip with the reason.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from monitor.core.settings import Settings, load_settings
from monitor.storage.db import make_engine, upgrade
from monitor.storage.models import Base

pytest_plugins = ["tests.support.logscan"]  # every log of the run is kept and searched for secrets

CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get(
    "HALLWATCH_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("HALLWATCH_TEST_REDIS", "redis://127.0.0.1:6379/15")
_PG, _REDIS = make_url(PG_URL), urlparse(REDIS_URL)

# Fuzzing (tests/hostile/test_fuzz_*.py): modest example counts, no deadline on a shared 2-core box,
# and under CI a fixed seed and no example database, so a run is repeatable.
hypothesis_settings.register_profile(
    "hallwatch",
    max_examples=100,
    deadline=None,
    derandomize=CI,
    database=None if CI else hypothesis_settings.default.database,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "hallwatch"))


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip (laptop) or fail (CI=true) when a server the test needs is not running."""
    if _reachable(host, port):
        return
    message = f"{name} is not running on {host}:{port}"
    if CI:
        pytest.fail(f"{message}; CI=true requires it (start it before .ci/run)")
    pytest.skip(f"{message}; start it to run this test (CI runs it)")


def _pg_schema_engine(**query: str) -> Iterator[Engine]:
    """A fresh PostgreSQL schema per test, dropped afterwards; ``query``: more URL
    parameters (e.g. ``application_name``)."""
    require_service("PostgreSQL", _PG.host or "127.0.0.1", _PG.port or 5432)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    # The schema goes in the URL, so a subprocess or CLI given engine.url sees the same data.
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}", **query})
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'hallwatch.db'}")
        upgrade(eng)
        yield eng
        eng.dispose()
    else:
        gen = _pg_schema_engine()
        eng = next(gen)
        upgrade(eng)
        yield eng
        gen.close()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session:
        yield session


@pytest.fixture
def sqlite_engine(tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    eng = make_engine(f"sqlite:///{tmp_path / 'hallwatch.db'}")
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def redis_url() -> str:
    require_service("Redis", _REDIS.hostname or "127.0.0.1", _REDIS.port or 6379)
    return REDIS_URL


@pytest.fixture
def settings(tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    """Embedded-default settings confined to ``tmp_path``."""
    return load_settings(
        environ={
            "HALLWATCH_VAR_DIR": str(tmp_path / "var"),
            "HALLWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'hallwatch.db'}",
            "HALLWATCH_DISTRICT_DOMAINS": "fvsd.example.ca",
            "HALLWATCH_SECRET_KEY": "test-secret-key",
            # Alerts at once unless a test is about grouping (notify/test_grouping.py).
            "HALLWATCH_DELIVERY_GROUP_MINUTES": "0",
        }
    )


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Commands under test call configure_logging(); keep that from leaking between tests."""
    import logging

    from monitor.core.logs import QUIET

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in QUIET}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, saved in levels.items():
        logging.getLogger(name).setLevel(saved)
