"""Read the database raw: credentials set the real way are only ever stored as Fernet tokens.

Credentials go in through ``hallwatch accounts credentials`` (a test call, then storage), an
account is polled with them, and then every table is dumped with the database's own driver
(``sqlite3`` / ``psycopg``, not SQLAlchemy) and the SQLite file read byte by byte: no
secret appears, in clear, URL-encoded or base64-encoded.
"""

from __future__ import annotations

import base64
import sqlite3
from urllib.parse import quote

import psycopg
import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url

from monitor.cli import main
from monitor.core.keys import fernet_key
from monitor.storage.db import session_factory
from tests.support import factory
from tests.support.factory import CLEAN_PROFILE
from tests.support.secrets_registry import KNOWN_SECRETS

SECRETS = {
    "access_token": "EAABrawDbAccessToken0123456789abcdef",
    "client_secret": "GOCSPX-rawDbClientSecret0123456789",
    "refresh_token": "1//rawDbRefreshToken0123456789abcdef",
    "application_password": "abcd EFGH ijkl MNOP qrst UVWX",
}
KNOWN_SECRETS.update(SECRETS.values())


def forms(secret: str) -> set[str]:
    """The secret as it could sit in a dump: clear, URL-encoded, base64 (three alignments)."""
    found = {secret, quote(secret, safe=""), quote(secret)}
    for pad in range(3):
        encoded = base64.b64encode(("x" * pad + secret).encode()).decode()
        found.add(encoded[4 : -4 or None] if pad else encoded[:-4])
    return {f for f in found if len(f) >= 12}


def dump_sqlite(path: str) -> str:
    rows = []
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            rows.append(repr(conn.execute(f'SELECT * FROM "{table}"').fetchall()))
    return "\n".join(rows)


def dump_postgres(url) -> str:  # type: ignore[no-untyped-def]
    options = url.query.get("options", "")
    schema = options.removeprefix("-csearch_path=")
    plain = url.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    rows = []
    with psycopg.connect(plain, options=options) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        ).fetchall()
        assert tables, f"no tables found in schema {schema}"
        for (table,) in tables:
            rows.append(repr(conn.execute(f'SELECT * FROM "{table}"').fetchall()))
    return "\n".join(rows)


def test_forms_catch_a_secret_in_every_shape():
    secret = SECRETS["access_token"]
    for shown in (secret, quote(secret), base64.b64encode(f"k={secret}".encode()).decode()):
        assert any(f in f"row: {shown};" for f in forms(secret)), shown


def test_credentials_are_fernet_tokens_in_the_raw_database(engine, settings, tmp_path):
    accounts = {
        "riv-sbx": {
            "profile": CLEAN_PROFILE,
            "posts": [{"id": "p1", "at_hours": 1, "text": "Hello"}],
        }
    }
    scenario = factory.scenario(tmp_path / "scenario.json", accounts)
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        factory.account(s, d["school"], d["principal"], "riv-sbx", platform="sandbox")
    url = engine.url.render_as_string(hide_password=False)
    env = {
        "HALLWATCH_DATABASE_URL": url,
        "HALLWATCH_SECRET_KEY": settings.master_key,
        "HALLWATCH_VAR_DIR": str(tmp_path / "var"),
        "HALLWATCH_CONFIG": "",
        "HALLWATCH_SANDBOX_SCENARIO": str(scenario),
    }
    lines = "".join(f"{k}={v}\n" for k, v in SECRETS.items()) + f"scenario={scenario}\n"
    # When IT sets the credentials the real way, and the account is polled with them
    result = CliRunner().invoke(main, ["accounts", "credentials", "riv-sbx"], env=env, input=lines)
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["poll", "riv-sbx"], env=env)
    assert result.exit_code == 0, result.output
    # Then a raw dump of every table holds no secret in any form
    if engine.url.get_backend_name() == "sqlite":
        dump = dump_sqlite(engine.url.database)
        raw = open(engine.url.database, "rb").read().decode("latin-1")  # free pages too
    else:
        dump, raw = dump_postgres(make_url(url)), ""
    assert "riv-sbx" in dump and "credentials.set" in dump, "the dump is not of this database"
    for secret in SECRETS.values():
        for shown in forms(secret):
            assert shown not in dump and shown not in raw, f"{secret[:8]}... is in the database"
    # And what is stored is a Fernet token that the secret key opens
    [stored] = [t for t in _credentials_column(engine, url) if t]
    assert base64.urlsafe_b64decode(stored)[0] == 0x80, "not a Fernet token (version byte)"
    opened = Fernet(fernet_key(settings.master_key)).decrypt(stored.encode()).decode()
    assert all(secret in opened for secret in SECRETS.values())


def _credentials_column(engine, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    query = "SELECT credentials FROM accounts"
    if engine.url.get_backend_name() == "sqlite":
        with sqlite3.connect(engine.url.database) as conn:
            return [r[0] for r in conn.execute(query)]
    parsed = make_url(url)
    options = parsed.query.get("options", "")
    plain = parsed.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    with psycopg.connect(plain, options=options) as conn:
        return [r[0] for r in conn.execute(query)]


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_the_raw_scan_would_see_a_plaintext_token(engine, tmp_path):
    # The check is not one that cannot fail: a token written in clear is found.
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO audit_log (at, actor, action, object_type, object_id, detail) "
            f"VALUES ('2026-01-01', 'x', 'y', 'z', 'w', '{{\"t\": \"{SECRETS['access_token']}\"}}')"
        )
    assert SECRETS["access_token"] in dump_sqlite(engine.url.database)
