"""Roster and consent import: SIS headers, keyed hashes only, all or nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, inspect, select, text

from connectors import records
from monitor.core.app import App
from monitor.ingest.pipeline import detect_and_flag
from monitor.ingest.store import save_snapshot
from monitor.registry.roster import RosterError, import_consents, import_roster, parse_columns
from monitor.storage.db import session_factory
from monitor.storage.models import Consent, Flag, RosterEntry
from tests.support import factory
from tests.support.factory import CLEAN_PROFILE, at

SIS = (
    "Pupil Number,Surname,Given Name,Usual First Name,School,Grade\n"
    "204518,Schmidt,Emma,,RIV,3\n"
    "204519,Nguyễn,Thảo,Tina,RIV,4\n"
)


@pytest.fixture
def app(engine, settings):
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        factory.account(s, d["school"], d["principal"], "riv-blog", platform="wordpress")
    return App(settings=settings, engine=engine, sessions=session_factory(engine))


def _import(app, csv_text, columns=None):
    with app.sessions() as s, s.begin():
        return import_roster(s, app.settings, io.StringIO(csv_text), "it", at(0), columns)


def _dump(engine):
    with engine.connect() as conn:
        return "".join(
            repr(conn.execute(text(f'SELECT * FROM "{t}"')).all())
            for t in inspect(engine).get_table_names()
        )


def test_sis_headers_are_recognised_and_only_hashes_are_stored(app, engine):
    result = _import(app, SIS)
    assert result.students == 2 and result.hashes > 2
    dump = _dump(engine)
    for raw in ("Schmidt", "Emma", "Nguy", "Tina", "204518"):
        assert raw.lower() not in dump.lower()


def test_columns_option_maps_unusual_headers(app):
    csv_text = "ID,Given,Family\n1001,Ava,Brown\n"
    assert (
        _import(
            app,
            csv_text,
            parse_columns("student_number=ID,legal_first_name=Given,legal_last_name=Family"),
        ).students
        == 1
    )


def test_bad_rows_report_line_and_reason_and_import_nothing(app):
    _import(app, SIS)
    with app.sessions() as s:
        before = _import_count(s)
    bad = "Student Number,Legal First Name,Legal Last Name\n1,Ann,Lee\n,Bo,Chan\n1,Cy,Diaz\n"
    with pytest.raises(RosterError) as err:
        _import(app, bad)
    assert "line 3: student_number is empty" in str(err.value)
    assert "line 4: student number appears twice (also on line 2)" in str(err.value)
    with app.sessions() as s:  # the earlier roster is untouched
        assert _import_count(s) == before > 0


def _import_count(session):
    return session.scalar(select(func.count(RosterEntry.id)))


def test_missing_columns_say_how_to_name_them(app):
    with pytest.raises(RosterError, match="--columns"):
        _import(app, "Name,Room\nEmma,3\n")


def _comment_flags(app, text_):
    with app.sessions() as s, s.begin():
        from monitor.storage.models import Account

        account = s.scalars(select(Account)).one()
        snap = records.Snapshot(
            profile=records.Profile(
                external_id="x",
                handle="@riv",
                **{k: v for k, v in CLEAN_PROFILE.items() if k not in ("handle",)},
            ),
            comments=(records.Comment("c1", "p1", at(1), text=text_, author_name="A"),),
        )
        changes = save_snapshot(s, account, snap, at(1))
        detect_and_flag(app, s, account, at(1), changes)
    with app.sessions() as s:
        return list(s.scalars(select(Flag).where(Flag.rule_id == "pii.student")))


def test_named_student_is_flagged_with_the_name_masked(app, engine):
    _import(app, SIS)
    [flag] = _comment_flags(app, "So proud of Emma Schmidt at the spelling bee!")
    assert flag.severity == "critical" and flag.subject_ref == "comment:c1"
    assert "[student name]" in flag.excerpt and "Schmidt" not in flag.excerpt
    assert "Schmidt" not in flag.explanation


def test_consent_on_file_suppresses_the_name_finding(app):
    _import(app, SIS)
    with app.sessions() as s, s.begin():
        assert (
            import_consents(
                s,
                app.settings,
                io.StringIO("Student Number,Media Release\n204518,Yes\n204519,no\n"),
                "it",
                at(0),
            )
            == 2
        )
        assert s.scalar(select(func.count(Consent.id))) == 2
    assert _comment_flags(app, "So proud of Emma Schmidt at the spelling bee!") == []


def test_consent_file_bad_answer_is_reported(app):
    with app.sessions() as s, pytest.raises(RosterError, match="line 2: media_release 'maybe'"):
        import_consents(
            s, app.settings, io.StringIO("Student Number,Consent\n1,maybe\n"), "it", at(0)
        )


def _names(app, settings, text_):
    from monitor.registry.roster import load_index

    with app.sessions() as s:
        index, _ = load_index(s, settings)
    return [m.form for m in index.match(text_)] if index else None


def test_roster_keeps_working_through_a_secret_key_rotation(app):
    """Hashes are keyed: after a rotation the old key (still in previous_secret_keys) reads the
    stored roster until it is imported again under the new key."""
    from monitor.registry.roster import RosterKeyError, load_index, roster_on_old_key

    _import(app, SIS)
    old = app.settings
    rotated = old.replace(secret_key="a-new-key", previous_secret_keys=[old.master_key])
    assert _names(app, old, "Emma Schmidt") == ["full"]
    # During the rotation: the previous key still recognises the names
    assert _names(app, rotated, "Emma Schmidt") == ["full"]
    with app.sessions() as s:
        assert roster_on_old_key(s, rotated) and not roster_on_old_key(s, old)
    # With the old key gone and the roster not imported again: a clear error, not silence
    gone = rotated.replace(previous_secret_keys=[])
    with app.sessions() as s, pytest.raises(RosterKeyError, match="roster import FILE"):
        load_index(s, gone)
    # Imported again under the new key: recognised without the old key
    app.settings = gone
    _import(app, SIS)
    assert _names(app, gone, "Emma Schmidt") == ["full"]
    with app.sessions() as s:
        assert not roster_on_old_key(s, gone)


def test_secrets_rotate_says_to_import_the_roster_again(app, tmp_path):
    from click.testing import CliRunner

    from monitor.cli import main

    _import(app, SIS)
    env = {
        "HALLWATCH_DATABASE_URL": app.engine.url.render_as_string(hide_password=False),
        "HALLWATCH_VAR_DIR": str(tmp_path / "var"),
        "HALLWATCH_SECRET_KEY": "a-new-key",
        "HALLWATCH_PREVIOUS_SECRET_KEYS": app.settings.master_key,
    }
    result = CliRunner().invoke(main, ["secrets", "rotate"], env=env)
    assert result.exit_code == 0, result.output
    assert "Import them again now" in result.output and "roster import" in result.output
