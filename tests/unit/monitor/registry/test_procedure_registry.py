"""The registry's Procedure 417 columns and the staff directory."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from monitor.registry.accounts import RegistryError, export_csv, import_csv
from monitor.registry.admins import DirectoryError, import_directory, parse_admins, staff_status
from monitor.storage.models import Acknowledgement
from tests.support import factory

NOW = datetime(2026, 9, 14, 15, 0, tzinfo=UTC)
HEADER = (
    "id,platform,external_id,handle,org_unit,owner_name,owner_email,supervisor_email,"
    "approval_status,approved_by,approved_on,audience,educational_need,audience_expires,"
    "comments_policy,status,notes,administrators,password_entry,acknowledged_on\n"
)


def row(admins="", entry="", acked=""):
    return (
        f"riv-fb,facebook,1001,Riverside,RIV,Ms Patel,patel@fvsd.example.ca,,approved,,,"
        f'public,need,2027-06-30,moderated,active,,"{admins}",{entry},{acked}\n'
    )


@pytest.fixture
def district(db):
    factory.district(db)
    return db


def test_administrators_and_the_password_entry_are_imported_and_exported(district):
    text = HEADER + row("Anita Patel <A.Patel@fvsd.example.ca>; it@fvsd.example.ca", "SM / riv-fb")
    assert import_csv(district, "accounts", io.StringIO(text)).created == 1
    out = io.StringIO()
    export_csv(district, "accounts", out)
    assert (
        ",Anita Patel <a.patel@fvsd.example.ca>; it@fvsd.example.ca,SM / riv-fb," in out.getvalue()
    )


@pytest.mark.parametrize(
    ("admins", "entry", "problem"),
    [
        ("Anita Patel", "", "not an e-mail address"),
        ("a.patel@fvsd.example.ca; not-an-address", "", "not an e-mail address"),
        ("", "Tr0ub4dor&3xyz!", "looks like a password"),
    ],
)
def test_bad_administrators_or_a_password_are_refused_and_nothing_imported(
    district, admins, entry, problem
):
    with pytest.raises(RegistryError) as raised:
        import_csv(district, "accounts", io.StringIO(HEADER + row(admins, entry)))
    assert problem in str(raised.value) and "Nothing was imported" in str(raised.value)


def test_the_acknowledgement_date_is_read_only_a_changed_value_is_reported_not_imported(district):
    district.add(
        Acknowledgement(
            email="patel@fvsd.example.ca", procedure_version="1", acknowledged_at=NOW, via="link"
        )
    )
    district.flush()
    result = import_csv(district, "accounts", io.StringIO(HEADER + row(acked="2026-01-01")))
    assert result.created == 1
    (note,) = result.ignored
    assert "line 2" in note and "2026-01-01 ignored" in note and "2026-09-14" in note
    out = io.StringIO()
    export_csv(district, "accounts", out)
    assert out.getvalue().rstrip().endswith(",2026-09-14")  # Hallwatch's own record
    same = import_csv(district, "accounts", io.StringIO(HEADER + row(acked="2026-09-14")))
    assert same.ignored == ()


def test_parse_admins_dedups_by_address():
    people = parse_admins("A <a@fvsd.example.ca>, a@FVSD.example.ca; b@fvsd.example.ca")
    assert [p.email for p in people] == ["a@fvsd.example.ca", "b@fvsd.example.ca"]


def test_the_staff_directory_replaces_the_old_one_and_judges_departures(district):
    first = "email,name\nold@fvsd.example.ca,Old\nnew@fvsd.example.ca,New\n"
    assert import_directory(district, io.StringIO(first), "t", NOW, "a.csv") == 2
    second = "email\nnew@fvsd.example.ca\n"
    import_directory(district, io.StringIO(second), "t", NOW, "b.csv")
    status = staff_status(
        district,
        [
            "old@fvsd.example.ca",
            "new@fvsd.example.ca",
            "me@gmail.com",
            "principal.riverside@fvsd.example.ca",
        ],
        ("fvsd.example.ca",),
    )
    assert status["old@fvsd.example.ca"][0] == "departed"
    assert "staff directory" in status["old@fvsd.example.ca"][1]
    assert status["new@fvsd.example.ca"][0] == "current"
    assert status["principal.riverside@fvsd.example.ca"][0] == "current"  # a supervisor
    assert status["me@gmail.com"][0] == "unknown"  # personal: its own finding


@pytest.mark.parametrize(
    ("text", "problem"),
    [("name\nx\n", "'email' column"), ("email\n", "lists nobody"), ("email\nnot-mail\n", "line 2")],
)
def test_a_bad_directory_file_changes_nothing(district, text, problem):
    with pytest.raises(DirectoryError) as raised:
        import_directory(district, io.StringIO(text), "t", NOW, "x.csv")
    assert problem in str(raised.value)
