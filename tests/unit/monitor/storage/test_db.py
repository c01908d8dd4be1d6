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


def _row(table, **values):
    """``values`` plus a plain value for every other NOT NULL column without a default."""
    plain = {int: 0, str: "x", bool: False, dict: {}}
    for column in table.columns:
        if column.name in values or column.nullable or column.server_default is not None:
            continue
        if column.primary_key:
            continue
        try:
            kind = column.type.python_type
        except NotImplementedError:
            kind = dict
        values[column.name] = (
            datetime(2026, 9, 1, tzinfo=UTC) if kind is datetime else plain.get(kind, "x")
        )
    return values


def test_migration_0010_makes_stored_facebook_album_photos_photos_to_analyse(engine):
    """Album photos stored before 0010 were kind "other" (the connector never asked for their
    media_type); on Facebook's photo hosts they become photos waiting for analysis. A link
    preview (another host) stays "other"; every stored photo waits (none is known analysed)."""
    from alembic import command
    from sqlalchemy import MetaData

    from monitor.storage.db import alembic_config
    from monitor.storage.models import MediaItem

    # Given a database as revision 0009 left it, with an album post and a link post
    command.downgrade(alembic_config(engine), "0009")
    meta = MetaData()
    meta.reflect(engine)
    t = meta.tables
    album = "https://scontent-sea1-1.xx.fbcdn.net/v/t39.30808-6/12211223344000{}_n.jpg"
    preview = "https://external-sea1-1.xx.fbcdn.net/emg1/v/t13/safe_image.jpg"
    with engine.begin() as conn:
        conn.execute(t["org_units"].insert().values(_row(t["org_units"], id=1, code="RIV")))
        for id_, platform in ((1, "facebook"), (2, "instagram")):
            account = _row(t["accounts"], id=id_, key=f"a{id_}", platform=platform)
            account.update(external_id=f"e{id_}", org_unit_id=1, cursor={})
            conn.execute(t["accounts"].insert().values(account))
            post = _row(t["posts"], id=id_, account_id=id_, external_id=f"p{id_}")
            conn.execute(t["posts"].insert().values(post))
        media = [
            (1, 1, "other", album.format(1)),
            (2, 1, "other", album.format(2)),
            (3, 1, "other", preview),
            (4, 1, "photo", album.format(3)),
            (5, 2, "other", album.format(4)),  # not Facebook: left as it was
        ]
        for id_, post_id, kind, url in media:
            row = _row(t["media"], id=id_, post_id=post_id, external_id=f"m{id_}")
            conn.execute(t["media"].insert().values({**row, "kind": kind, "url": url}))
    # When it is upgraded
    upgrade(engine)
    # Then the album photos are photos, the preview and the Instagram item are not,
    # and every photo waits for analysis
    with engine.connect() as conn:
        rows = conn.execute(
            select(MediaItem.id, MediaItem.kind, MediaItem.analysed_at).order_by(MediaItem.id)
        ).all()
    assert [(r.id, r.kind) for r in rows] == [
        (1, "photo"),
        (2, "photo"),
        (3, "other"),
        (4, "photo"),
        (5, "other"),
    ]
    assert {r.analysed_at for r in rows} == {None}
