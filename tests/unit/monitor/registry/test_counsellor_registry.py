"""The org-units CSV carries ``counsellor_email`` (optional column, checked as an e-mail):
who hears of a sign of self-harm on the unit's accounts besides the principal."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from monitor.registry.accounts import RegistryError, export_csv, import_csv
from monitor.storage.models import OrgUnit

HEADER = "code,name,kind,parent,website,counsellor_email\n"
ORGS = HEADER + (
    "fvsd,Fraser Valley School District,district,,,counselling@fvsd.example.ca\n"
    "riv,Riverside Elementary,school,fvsd,,Counsellor.Riverside@FVSD.example.ca\n"
    "mtn,Mountain Secondary,school,fvsd,,\n"
)


def _load(db, text):
    result = import_csv(db, "orgs", io.StringIO(text))
    db.commit()
    return result


def _contacts(db):
    return {u.code: u.counsellor_email for u in db.scalars(select(OrgUnit))}


def test_counsellor_emails_are_imported_lower_cased_and_exported_back(db):
    _load(db, ORGS)
    assert _contacts(db) == {
        "fvsd": "counselling@fvsd.example.ca",
        "riv": "counsellor.riverside@fvsd.example.ca",
        "mtn": "",
    }
    out = io.StringIO()
    export_csv(db, "orgs", out)
    header, *rows = out.getvalue().splitlines()
    assert header.endswith(",counsellor_email")
    assert any(
        r.startswith("riv,") and r.endswith(",counsellor.riverside@fvsd.example.ca") for r in rows
    )
    # Re-importing the export changes nothing
    result = _load(db, out.getvalue())
    assert (result.created, result.updated) == (0, 0)


def test_a_file_without_the_column_leaves_the_stored_contacts_alone(db):
    _load(db, ORGS)
    older = "code,name,kind,parent,website\nriv,Riverside Elementary,school,fvsd,\n"
    _load(db, older)
    assert _contacts(db)["riv"] == "counsellor.riverside@fvsd.example.ca"


@pytest.mark.parametrize("bad", ["counsellor at riverside", "counsellor@", "a@b@c.ca"])
def test_a_bad_counsellor_email_names_the_line_and_the_fix_and_imports_nothing(db, bad):
    text = ORGS.replace("Counsellor.Riverside@FVSD.example.ca", bad)
    with pytest.raises(RegistryError) as caught:
        _load(db, text)
    [(line, reason)] = [(e.line, e.reason) for e in caught.value.errors]
    assert line == 3
    assert reason == (
        f"counsellor_email '{bad}' is not an e-mail address like jane.doe@district.ca"
    )
    assert "Nothing was imported" in str(caught.value)
    db.rollback()
    assert _contacts(db) == {}
