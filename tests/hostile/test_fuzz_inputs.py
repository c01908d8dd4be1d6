"""Fuzzing what people hand Hallwatch: registry and roster CSVs, settings, ``hallwatch scan``.

The contract everywhere: the input is accepted, or it is refused with the project's own
error (``RegistryError`` / ``RosterError`` with line numbers and nothing imported,
``SettingsError`` naming the key, a per-line error on stderr and exit status 2); a
traceback never reaches the person.
"""

from __future__ import annotations

import io
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import detectors
from monitor.cli import main
from monitor.core.settings import KEYS, Settings, SettingsError, env_name, load_settings
from monitor.ingest.scan import scan
from monitor.registry.accounts import KINDS, SPECS, ImportResult, RegistryError, import_csv
from monitor.registry.roster import RosterError, import_consents, import_roster
from monitor.storage.db import make_engine
from monitor.storage.models import Base, Consent, OrgUnit, RosterEntry
from tests.support.hostile import ODD, odd_text

NOW = datetime(2026, 9, 14, 15, tzinfo=UTC)
SETTINGS = load_settings(environ={"HALLWATCH_SECRET_KEY": "fuzz-secret-key"})
_ENGINE = None


def session() -> Session:
    """A session on one in-memory database for the whole module (examples roll back)."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = make_engine("sqlite://")
        Base.metadata.create_all(_ENGINE)
    return Session(_ENGINE)


# --- CSV text: arbitrary, or a real header with hostile cells ---------------------------------

cell = st.one_of(odd_text, st.sampled_from(["", "riv", "fvsd", "school", "a@b.ca", '"', ",", "\n"]))


def csv_text(headers: list[str]) -> st.SearchStrategy[str]:
    def build(rows: list[list[str]]) -> str:
        out = io.StringIO()
        for row in rows:
            out.write(",".join(row) + "\r\n")
        return ",".join(headers) + "\n" + out.getvalue()

    return st.lists(st.lists(cell, max_size=len(headers) + 2), max_size=6).map(build)


def any_csv(headers: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.text(max_size=300), csv_text(headers), st.sampled_from(ODD))


def check_registry_import(kind: str, text: str) -> None:
    with session() as s:
        before = s.scalar(select(func.count(OrgUnit.id)))
        try:
            result = import_csv(s, kind, io.StringIO(text))
        except RegistryError as exc:
            assert exc.errors, "a refused file says why"
            assert all(error.line >= 1 for error in exc.errors)
            assert not s.new and not s.dirty, "a refused file imports nothing"
            assert s.scalar(select(func.count(OrgUnit.id))) == before
            assert str(exc).startswith("line ")
        else:
            assert isinstance(result, ImportResult)
        finally:
            s.rollback()


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=60)
@given(data=st.data())
@example(data=None)
def test_registry_import_of_any_text_is_rows_or_line_numbered_errors(kind, data):
    headers = list(SPECS[kind].names)
    text = "a" * 200_000 + "\n" if data is None else data.draw(any_csv(headers))
    check_registry_import(kind, text)


@settings(max_examples=60)
@given(text=any_csv(["Pupil Number", "Surname", "Given Name", "School", "Media Release"]))
@example(text="Pupil Number,Surname,Given Name\n" + "x" * 200_000 + ",a,b\n")
def test_roster_and_consent_import_of_any_text(text):
    for do_import in (import_roster, import_consents):
        with session() as s:
            try:
                do_import(s, SETTINGS, io.StringIO(text), "fuzz", NOW)
            except RosterError as exc:
                assert exc.errors and all(e.startswith(("line ", "--columns")) for e in exc.errors)
                assert not s.new, "a refused file imports nothing"
                assert s.scalar(select(func.count(RosterEntry.id))) == 0
                assert s.scalar(select(func.count(Consent.id))) == 0
            finally:
                s.rollback()


# --- the same files through the CLI, as bytes (an export in the wrong encoding...) -----------

COMMANDS = [["orgs", "import"], ["accounts", "import"], ["roster", "import"], ["consent", "import"]]
raw_files = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [
            b"code,name,kind,parent,website\nriv,Caf\xe9,school,,\n",  # Latin-1, not UTF-8
            b"\xff\xfec\x00o\x00d\x00e\x00",  # UTF-16
            b"\x00" * 50,
            b"Pupil Number,Surname,Given Name\n1,\xe9,b\n",
            b"code,name,kind,parent,website\n" + b"x" * 200_000 + b",n,school,,\n",
        ]
    ),
)


CLI_HOME = tempfile.mkdtemp(prefix="hallwatch-fuzz-cli-")  # one database for every example


@settings(max_examples=25)
@given(command=st.sampled_from(COMMANDS), content=raw_files)
def test_cli_imports_of_any_bytes_never_show_a_traceback(command, content):
    path = Path(CLI_HOME) / "file.csv"
    path.write_bytes(content)
    env = {
        "HALLWATCH_VAR_DIR": CLI_HOME,
        "HALLWATCH_DATABASE_URL": f"sqlite:///{CLI_HOME}/h.db",
        "HALLWATCH_SECRET_KEY": "fuzz-secret-key",
        "HALLWATCH_CONFIG": "",
    }
    result = CliRunner().invoke(main, [*command, str(path)], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    if result.exit_code:
        assert "file.csv" in result.output and ("line" in result.output or "UTF-8" in result.output)


# --- settings: any TOML, any HALLWATCH_* value ------------------------------------------------

toml_value = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(str),
    st.floats().map(lambda f: repr(f).replace("inf", "inf").replace("nan", "nan")),
    st.booleans().map(lambda b: str(b).lower()),
    odd_text.map(lambda t: json.dumps(t, ensure_ascii=True)),
    st.just("[1, 2]"),
    st.just('["a", "b"]'),
    st.just("{ a = 1 }"),
    st.just("1979-05-27T07:32:00Z"),
)
key_names = st.sampled_from([k.name for k in KEYS] + ["unknown", "delivery.nope"])


@st.composite
def toml_documents(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.text(max_size=200))
    lines = []
    for name in draw(st.lists(key_names, max_size=5, unique=True)):
        section, _, key = name.rpartition(".")
        value = draw(toml_value)
        lines.append(f"[{section}]\n{key} = {value}" if section else f"{key} = {value}")
    # Top-level keys must come before any table in TOML.
    return "\n".join(sorted(lines, key=lambda line: line.startswith("[")))


def check_settings(toml: bytes | None, environ: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hallwatch.toml"
        if toml is not None:
            path.write_bytes(toml)
        try:
            loaded = load_settings(path if toml is not None else None, environ)
        except SettingsError as exc:
            message = str(exc)
            assert message and "Traceback" not in message
            for secret in ("918273645", "fuzz-secret-value"):
                assert secret not in message, "a settings error never echoes a secret"
        else:
            assert isinstance(loaded, Settings)
            for key in KEYS:  # a number that loaded is one the code can use
                value = loaded.value(key.name)
                if isinstance(value, float):
                    assert 0 <= value < 1e12


@settings(max_examples=150)
@given(toml=toml_documents())
@example(toml="secret_key = 918273645")
@example(toml="[smtp]\npassword = 918273645")
@example(toml="review_window_hours = nan")
@example(toml="review_window_hours = inf")
def test_settings_file_loads_or_names_the_bad_key(toml):
    check_settings(toml.encode("utf-8", "surrogatepass"), {})


@settings(max_examples=150)
@given(
    environ=st.dictionaries(
        key_names.map(env_name), st.one_of(odd_text, st.sampled_from(["1e999", "nan", "-0"]))
    )
)
@example(environ={"HALLWATCH_DELIVERY_WEBHOOK_URL": "http://fuzz-secret-value"})
@example(environ={"HALLWATCH_TIMEZONE": "\x00"})
@example(environ={"HALLWATCH_TIMEZONE": "../../../etc/passwd"})
def test_settings_environment_loads_or_names_the_bad_key(environ):
    check_settings(None, environ)


@pytest.mark.parametrize(
    "raw",
    [b"\xff\xfe not utf-8", b"review_window_hours = 1\n\x00", "smtp.port = 1".encode("utf-16")],
)
def test_settings_file_that_is_not_utf8_toml_is_a_settings_error(raw):
    check_settings(raw, {})


def test_settings_path_that_is_a_folder_is_a_settings_error(tmp_path):
    with pytest.raises(SettingsError, match="config file"):
        load_settings(tmp_path, {})


def test_a_bad_secret_setting_is_named_but_its_value_is_not_shown():
    with pytest.raises(SettingsError, match="slack_webhook_url") as raised:
        load_settings(environ={"HALLWATCH_DELIVERY_SLACK_WEBHOOK_URL": "http://hooks/T0/B0/xyz"})
    assert "T0/B0/xyz" not in str(raised.value)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "h.toml"
        path.write_text("[smtp]\npassword = 123456789\n")
        with pytest.raises(SettingsError, match="smtp.password") as raised:
            load_settings(path, {})
    assert "123456789" not in str(raised.value)


# --- hallwatch scan ---------------------------------------------------------------------------

SUITE = detectors.default_detectors()
SCAN_CONTEXT = detectors.Context(now=datetime(2026, 9, 15, tzinfo=UTC))
scan_lines = st.one_of(
    st.text(max_size=80),
    st.builds(
        lambda ident, text, kind: json.dumps({"id": ident, "text": text, "kind": kind}),
        st.one_of(st.integers(), st.text(max_size=5), st.none(), st.lists(st.integers())),
        st.one_of(odd_text, st.integers(), st.none()),
        st.sampled_from(["post", "comment", "tweet", None]),
    ),
    st.sampled_from(['{"id": 1, "text": "' + "word " * 100_000 + '"}', "[]", "null", "{}"]),
)


@settings(max_examples=80)
@given(lines=st.lists(scan_lines, max_size=6))
def test_scan_of_any_lines_gives_one_output_or_one_error_per_line(lines):
    text = "".join(line.replace("\n", " ").replace("\r", " ") + "\n" for line in lines)
    out, err = io.StringIO(), io.StringIO()
    result = scan(io.StringIO(text).readlines(), out, err, SUITE, SCAN_CONTEXT)
    outputs = [json.loads(line) for line in out.getvalue().splitlines()]
    errors = err.getvalue().splitlines()
    non_blank = [line for line in text.split("\n") if line.strip()]
    assert len(outputs) + len(errors) == len(non_blank) == result.lines
    assert len(errors) == result.bad
    assert all(error.startswith("line ") for error in errors)
    for output in outputs:
        assert set(output) == {"id", "language", "findings"}
        assert isinstance(output["language"], str) and output["language"]


def test_scan_cli_reports_bad_lines_with_exit_status_2_and_no_traceback(tmp_path):
    env = {"HALLWATCH_VAR_DIR": str(tmp_path), "HALLWATCH_CONFIG": ""}
    lines = '{"id": 1, "text": "hello"}\nnot json\n{"id": [1], "text": "x"}\n{"id": "\\ud800"}\n'
    result = CliRunner().invoke(main, ["scan"], input=lines, env=env)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "line 2: not JSON" in result.output and "line 3:" in result.output
    assert json.loads(result.stdout.splitlines()[0]) == {"id": 1, "language": "und", "findings": []}


def test_scan_cli_writes_lone_surrogates_from_json_escapes_as_replacement_characters(tmp_path):
    env = {"HALLWATCH_VAR_DIR": str(tmp_path), "HALLWATCH_CONFIG": ""}
    result = CliRunner().invoke(
        main, ["scan"], input='{"id": "a\\ud800", "text": "\\udfff"}\n', env=env
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[0]) == {
        "id": "a\ufffd",
        "language": "und",
        "findings": [],
    }


def test_scan_cli_of_bytes_that_are_not_utf8_is_a_clear_error(tmp_path):
    env = {"HALLWATCH_VAR_DIR": str(tmp_path), "HALLWATCH_CONFIG": ""}
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"id": 1, "text": "caf\xe9"}\n{"id": 2, "text": "ok"}\n')
    result = CliRunner().invoke(main, ["scan", str(path)], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 2 and "line 1: not UTF-8 text" in result.output
    assert '{"id": 2, "language": "und", "findings": []}' in result.output
