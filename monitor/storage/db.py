"""Engines, sessions and migrations."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from monitor.core.app import App
from monitor.core.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event below issues BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def make_engine(url: str, **connect_args: Any) -> Engine:
    """A new engine; SQLite files get their folder created, foreign keys and WAL on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, **connect_args})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _begin_immediate(connection: Any) -> None:
    """Take SQLite's write lock at BEGIN, so concurrent worker threads wait (busy_timeout)
    instead of failing when a read transaction later tries to write."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One engine per URL per process."""
    return make_engine(url)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work commits together at the end, or not at all."""
    with factory() as session, session.begin():
        yield session


def insert_missing(session: Session, model: type[Any], **values: Any) -> None:
    """``INSERT ... ON CONFLICT DO NOTHING``: a row that another transaction adds at the same
    moment (two workers handling overlapping work) is not an error. On PostgreSQL the
    insert waits for that transaction and then does nothing; select the row afterwards."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(postgresql.insert(model).values(**values).on_conflict_do_nothing())
    else:
        session.execute(sqlite.insert(model).values(**values).on_conflict_do_nothing())


def record_sent(
    factory: sessionmaker[Session],
    record: Callable[[Session], None],
    what: str,
    tries: int = 5,
    pause: float = 0.2,
) -> None:
    """Record that ``what`` was sent, in a new transaction, retrying while the database
    connection is lost.

    A message goes out inside the transaction that locks its delivery row; if that
    transaction's COMMIT then fails because the connection dropped, the message is out but
    the database does not know it, and the retried actor would send it a second time.
    The sender still knows, so it records it here on a fresh connection.

    Raises:
        OperationalError: the database stayed unreachable ``tries`` times; the message may
            then be sent again (its Message-ID lets mail clients drop the copy).
    """
    log.warning("%s was sent but the database connection dropped; recording it again", what)
    for attempt in range(1, tries + 1):
        try:
            with factory() as session, session.begin():
                record(session)
            return
        except OperationalError:
            if attempt == tries:
                log.error("%s was sent but cannot be recorded; it may be sent again", what)
                raise
            time.sleep(pause * attempt)


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic's configuration: this code's migrations, run on ``engine`` when given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the migrations up to ``revision`` (idempotent)."""
    command.upgrade(alembic_config(engine), revision)


@lru_cache(maxsize=1)
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def code_heads() -> tuple[str, ...]:
    """The newest migration revision(s) this code knows."""
    return tuple(sorted(_scripts().get_heads()))


def database_heads(engine: Engine) -> tuple[str, ...]:
    """The revision(s) the database is at (empty before the first ``db upgrade``).

    Raises:
        sqlalchemy.exc.OperationalError: the database cannot be reached.
    """
    with engine.connect() as connection:
        return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


def schema_state(engine: Engine) -> str:
    """``current``; ``empty`` (never upgraded); ``behind`` (``hallwatch db upgrade`` is
    due); or ``ahead`` (the database was upgraded by newer code than this).

    Raises:
        sqlalchemy.exc.OperationalError: the database cannot be reached.
    """
    found, wanted = database_heads(engine), code_heads()
    if found == wanted:
        return "current"
    if not found:
        return "empty"
    known = {revision.revision for revision in _scripts().walk_revisions()}
    return "behind" if set(found) <= known else "ahead"


PROBE_TIMEOUT = 3  # seconds: a health check answers quickly, reachable or not


@lru_cache(maxsize=4)
def probe_engine(url: str) -> Engine:
    """An engine for health checks: a short connect timeout and no pool, so a database
    that does not answer makes a check fail in seconds instead of holding a thread."""
    if make_url(url).get_backend_name() == "sqlite":
        return make_engine(url, timeout=PROBE_TIMEOUT)
    return create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": PROBE_TIMEOUT})


def open_app(settings: Settings, *, migrate: bool = False) -> App:
    """The :class:`App` for ``settings``: its engine (shared per URL) and sessions."""
    engine = get_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    return App(settings=settings, engine=engine, sessions=session_factory(engine))
