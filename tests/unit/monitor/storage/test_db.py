from datetime import UTC, datetime

from sqlalchemy import inspect, select

from monitor.storage.db import upgrade
from monitor.storage.models import AuditEntry, Base


def test_migrations_create_every_model_table(engine):
    # Given a database migrated to head (fixture), when we list its tables
    tables = set(inspect(engine).get_table_names())
    # Then every model has its table, and upgrading again changes nothing
    assert set(Base.metadata.tables) <= tables
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) == tables


def test_datetimes_come_back_aware_utc(db):
    at = datetime(2026, 9, 14, 8, 30, tzinfo=UTC)
    db.add(AuditEntry(at=at, actor="test", action="check", detail={"k": 1}))
    db.commit()
    db.expire_all()
    got = db.scalars(select(AuditEntry)).one()
    assert got.at == at and got.at.tzinfo is not None
    assert got.detail == {"k": 1}


def test_migrations_match_the_models(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
