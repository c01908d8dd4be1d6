"""Credentials: encrypted at rest, rotated with MultiFernet, set from a file or stdin only."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from monitor.cli import main
from monitor.core.app import App
from monitor.ingest.pipeline import poll_account
from monitor.registry import secrets
from monitor.registry.connect import ConnectError, moderate, set_credentials
from monitor.storage.db import session_factory
from monitor.storage.models import Account, AuditEntry, Comment
from tests.support import factory
from tests.support.factory import CLEAN_PROFILE, at

TOKEN = "EAAB-very-secret-token-1234567890"


def test_encrypt_round_trip_and_no_plain_text(settings):
    token = secrets.encrypt(settings, {"access_token": TOKEN})
    assert TOKEN not in token
    assert secrets.decrypt(settings, token) == {"access_token": TOKEN}


def test_rotation_keeps_old_credentials_readable_then_rewrites_them(engine, settings):
    old = settings.replace(secret_key="old-key")
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        acct = factory.account(s, d["school"], d["principal"], "a")
        acct.credentials = secrets.encrypt(old, {"access_token": TOKEN})
    new = settings.replace(secret_key="new-key", previous_secret_keys="old-key")
    with session_factory(engine)() as s, s.begin():
        assert secrets.rotate_all(s, new) == 1
    only_new = settings.replace(secret_key="new-key")
    with session_factory(engine)() as s:
        stored = s.scalars(select(Account.credentials)).one()
    assert secrets.decrypt(only_new, stored) == {"access_token": TOKEN}
    with pytest.raises(secrets.CredentialsError, match="previous_secret_keys"):
        secrets.decrypt(old, stored)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ('{"access_token": "abc"}', {"access_token": "abc"}),
        ("# comment\naccess_token = abc\n\nuser=me\n", {"access_token": "abc", "user": "me"}),
    ],
)
def test_parse_credentials(given, expected):
    assert secrets.parse_credentials(given) == expected


def test_parse_error_names_the_line_not_the_value():
    with pytest.raises(secrets.CredentialsError) as err:
        secrets.parse_credentials(f"access_token=x\n{TOKEN}\n")
    assert "line 2" in str(err.value) and TOKEN not in str(err.value)


@pytest.fixture
def world(engine, settings, tmp_path):
    accounts = {
        "sbx": {
            "profile": CLEAN_PROFILE,
            "posts": [{"id": "p1", "at_hours": 1, "text": "Hello"}],
            "comments": [
                {"id": "c1", "post": "p1", "at_hours": 2, "text": "Hi", "author_name": "A"}
            ],
        },
        "gone": {
            "profile": CLEAN_PROFILE,
            "errors": [{"from_hours": 0, "kind": "auth_revoked", "message": "token revoked"}],
        },
    }
    path = factory.scenario(tmp_path / "s.json", accounts)
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        factory.account(
            s, d["school"], d["principal"], "sbx", platform="sandbox", status="credentials_broken"
        )
        factory.account(s, d["school"], d["principal"], "gone", platform="sandbox")
    app = App(settings=settings, engine=engine, sessions=session_factory(engine))
    return app, path


def test_set_credentials_checks_stores_encrypted_and_reactivates(world, engine):
    app, path = world
    reached = set_credentials(app, "sbx", {"scenario": str(path), "token": TOKEN}, "it@d.ca", at(1))
    assert "account sbx" in reached
    with app.sessions() as s:
        account = s.scalars(select(Account).where(Account.key == "sbx")).one()
        assert account.status == "active" and account.credentials_checked == reached
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "credentials.set")).one()
        assert entry.actor == "it@d.ca" and TOKEN not in str(entry.detail)
    # And the raw database never holds the token in clear
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM accounts")).all()
    assert TOKEN not in repr(rows)


def test_failed_test_call_stores_nothing(world):
    app, path = world
    with pytest.raises(ConnectError, match="nothing was stored") as err:
        set_credentials(app, "gone", {"scenario": str(path), "token": TOKEN}, "it", at(1))
    assert TOKEN not in str(err.value)
    with app.sessions() as s:
        assert s.scalars(select(Account.credentials).where(Account.key == "gone")).one() == ""


def test_hide_needs_a_reason_from_the_list_and_is_audited(world):
    app, path = world
    set_credentials(app, "sbx", {"scenario": str(path)}, "it", at(1))
    app = App(
        settings=app.settings.replace(sandbox__scenario=str(path)),
        engine=app.engine,
        sessions=app.sessions,
    )
    with app.sessions() as s:
        account_id = s.scalars(select(Account.id).where(Account.key == "sbx")).one()
    poll_account(app, account_id, at(3))
    with app.sessions() as s:
        comment_id = s.scalars(select(Comment.id)).one()
    with pytest.raises(ConnectError, match="reason must be one of"):
        moderate(app, comment_id, True, "i do not like it", "principal", at(4))
    done = moderate(app, comment_id, True, "prohibited-language", "principal", at(4))
    assert done.hidden
    with app.sessions() as s:
        comment = s.get(Comment, comment_id)
        assert comment.status == "hidden" and comment.reviewed_by == "principal"
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "comment.hidden")).one()
        assert entry.detail["clause"].startswith("Procedure 417")


def test_cli_reads_credentials_from_stdin_never_argv(world, tmp_path, settings):
    app, path = world
    env = {
        "HALLWATCH_DATABASE_URL": str(app.engine.url.render_as_string(hide_password=False)),
        "HALLWATCH_SECRET_KEY": settings.master_key,
        "HALLWATCH_VAR_DIR": str(tmp_path / "var"),
        "HALLWATCH_CONFIG": "",
    }
    result = CliRunner().invoke(
        main, ["accounts", "credentials", "sbx"], env=env, input=f"scenario={path}\ntoken={TOKEN}\n"
    )
    assert result.exit_code == 0, result.output
    assert "stored encrypted" in result.output and TOKEN not in result.output
    assert secrets.decrypt(settings, _stored(app, "sbx"))["token"] == TOKEN


def _stored(app, key):
    with app.sessions() as s:
        return s.scalars(select(Account.credentials).where(Account.key == key)).one()
