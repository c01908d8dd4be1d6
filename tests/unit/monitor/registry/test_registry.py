import csv
import io
from datetime import UTC, datetime
from textwrap import dedent

import pytest
from sqlalchemy import func, select

from monitor.registry.accounts import (
    KINDS,
    ImportResult,
    RegistryError,
    RowError,
    export_csv,
    import_csv,
    list_rows,
)
from monitor.storage.models import Account, AuditEntry, OrgUnit, Supervisor
from tests.support.paths import SANDBOX

EXAMPLES = SANDBOX

# The parent 'fvsd' is defined on a later line than the schools that name it.
ORGS = """\
code,name,kind,parent,website
riv,Riverside Secondary,school,fvsd,https://riv.fvsd.example.ca
fvsd,Fraser Valley School District,district,,https://fvsd.example.ca
comms,Communications Office,department,fvsd,
"""

SUPERVISORS = """\
email,name,org_unit,backup_email,role
jane.doe@fvsd.example.ca,Jane Doe,riv,vp.riv@fvsd.example.ca,
press@fvsd.example.ca,Press Office,comms,,communications
"""

ACCOUNT_HEADER = (
    "id,platform,external_id,handle,org_unit,owner_name,owner_email,supervisor_email,"
    "approval_status,approved_by,approved_on,audience,educational_need,audience_expires,"
    "comments_policy,status,notes\n"
)
# Written the way export writes it: sorted by id, every default spelled out.
ACCOUNTS = ACCOUNT_HEADER + (
    "riv-fb,facebook,1001,RiversideSecondary,riv,Sam Lee,sam.lee@fvsd.example.ca,"
    "jane.doe@fvsd.example.ca,approved,jane.doe@fvsd.example.ca,2026-09-01,public,"
    "Family newsletter,2027-06-30,moderated,active,\n"
    "riv-ig,instagram,2002,riv.art,riv,Ada Art,ada@fvsd.example.ca,jane.doe@fvsd.example.ca,"
    'pending,,,private,,,off,active,"art class, grade 11"\n'
    "riv-snap,snapchat,rivsnap,rivsnap,riv,,,,pending,,,private,,,moderated,manual,\n"
)
NEW_COLUMNS = ",administrators,password_entry,acknowledged_on"


def with_new_columns(text: str) -> str:
    """``text`` (a file made before the procedure columns) as export writes it today."""
    header, *rows = text.splitlines()
    return "\n".join([header + NEW_COLUMNS, *(row + ",,," for row in rows)]) + "\n"


def csv_of(text: str) -> io.StringIO:
    return io.StringIO(dedent(text))


def load(db, kind: str, text: str, **kwargs) -> ImportResult:
    return import_csv(db, kind, csv_of(text), **kwargs)


def seed(db) -> None:
    """Org units and supervisors, committed."""
    load(db, "orgs", ORGS)
    load(db, "supervisors", SUPERVISORS)
    db.commit()


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def export(db, kind: str) -> str:
    out = io.StringIO()
    export_csv(db, kind, out)
    return out.getvalue()


def account_row(**overrides: str) -> str:
    """One accounts data line: riv-fb with some cells replaced."""
    values = dict(
        zip(ACCOUNT_HEADER.strip().split(","), ACCOUNTS.splitlines()[1].split(","), strict=True)
    )
    return ",".join({**values, **overrides}.values()) + "\n"


def import_error(db, kind: str, text: str) -> RegistryError:
    with pytest.raises(RegistryError) as caught:
        load(db, kind, text)
    return caught.value


def reasons(error: RegistryError) -> list[tuple[int, str]]:
    return [(e.line, e.reason) for e in error.errors]


# --- import -----------------------------------------------------------------------------------


def test_import_creates_every_kind_and_fills_defaults(db):
    assert load(db, "orgs", ORGS) == ImportResult(created=3, updated=0, unchanged=0)
    assert load(db, "supervisors", SUPERVISORS) == ImportResult(2, 0, 0)
    assert load(db, "accounts", ACCOUNTS) == ImportResult(3, 0, 0)
    db.commit()
    db.expire_all()

    riv = db.scalars(select(OrgUnit).where(OrgUnit.code == "riv")).one()
    assert riv.parent is not None and riv.parent.code == "fvsd"
    jane = db.scalars(
        select(Supervisor).where(Supervisor.email == "jane.doe@fvsd.example.ca")
    ).one()
    assert jane.role == "supervisor" and jane.org_unit is riv
    fb = db.scalars(select(Account).where(Account.key == "riv-fb")).one()
    assert fb.supervisor is jane and fb.approved_on.isoformat() == "2026-09-01"
    assert fb.audience_expires.isoformat() == "2027-06-30"
    ig = next(r for r in list_rows(db, "accounts") if r["id"] == "riv-ig")
    assert ig["notes"] == "art class, grade 11" and ig["approved_on"] == ""


def test_empty_cells_take_their_defaults_and_snapchat_defaults_to_manual(db):
    seed(db)
    load(
        db,
        "accounts",
        ACCOUNT_HEADER + "a,facebook,1,a,riv,,,,,,,,,,,,\n" + "b,snapchat,2,b,riv,,,,,,,,,,,,\n",
    )
    rows = {r["id"]: r for r in list_rows(db, "accounts")}
    assert rows["a"]["status"] == "active" and rows["b"]["status"] == "manual"
    assert {rows["a"][c] for c in ("approval_status", "audience", "comments_policy")} == {
        "pending",
        "private",
        "moderated",
    }


def test_reimport_of_the_same_file_changes_nothing(db):
    seed(db)
    load(db, "accounts", ACCOUNTS)
    assert load(db, "orgs", ORGS) == ImportResult(0, 0, 3)
    assert load(db, "supervisors", SUPERVISORS) == ImportResult(0, 0, 2)
    assert load(db, "accounts", ACCOUNTS) == ImportResult(0, 0, 3)


def test_changed_rows_count_as_updated_and_absent_rows_are_left_alone(db):
    seed(db)
    load(db, "accounts", ACCOUNTS)
    edited = ACCOUNT_HEADER + account_row(handle="RiversideSS", audience="PRIVATE")
    assert load(db, "accounts", edited) == ImportResult(0, 1, 0)
    rows = {r["id"]: r for r in list_rows(db, "accounts")}
    assert rows["riv-fb"]["handle"] == "RiversideSS" and rows["riv-fb"]["audience"] == "private"
    assert set(rows) == {"riv-fb", "riv-ig", "riv-snap"}


def test_whitespace_is_trimmed_and_choices_and_emails_are_normalised(db):
    seed(db)
    load(db, "accounts", ACCOUNT_HEADER + account_row(platform=" Facebook ", handle="  Riv  "))
    load(
        db,
        "supervisors",
        "email,name,org_unit,backup_email,role\n JANE.Doe@FVSD.example.ca ,"
        "Jane Doe,riv,vp.riv@fvsd.example.ca,\n",
    )
    row = list_rows(db, "accounts")[0]
    assert row["platform"] == "facebook" and row["handle"] == "Riv"
    assert [r["email"] for r in list_rows(db, "supervisors")] == [
        "jane.doe@fvsd.example.ca",
        "press@fvsd.example.ca",
    ]


def test_bom_and_odd_header_case_and_spacing_are_accepted(db):
    text = "\ufeff Code , NAME,Kind,  Parent,WebSite\r\nfvsd,District,District,,\r\n"
    assert load(db, "orgs", text) == ImportResult(1, 0, 0)
    assert list_rows(db, "orgs")[0]["kind"] == "district"


def test_org_parent_may_already_be_in_the_database(db):
    seed(db)
    load(db, "orgs", "code,name,kind,parent,website\nelm,Elm Elementary,school,fvsd,\n")
    elm = next(r for r in list_rows(db, "orgs") if r["code"] == "elm")
    assert elm["parent"] == "fvsd"


def test_credentials_broken_is_overwritten_by_the_registry(db):
    seed(db)
    load(db, "accounts", ACCOUNTS)
    db.scalars(select(Account).where(Account.key == "riv-fb")).one().status = "credentials_broken"
    db.commit()
    assert load(db, "accounts", ACCOUNTS) == ImportResult(0, 1, 2)
    assert list_rows(db, "accounts")[0]["status"] == "active"


def test_system_state_survives_an_update(db):
    seed(db)
    load(db, "accounts", ACCOUNTS)
    polled = datetime(2026, 9, 14, 8, 30, tzinfo=UTC)
    fb = db.scalars(select(Account).where(Account.key == "riv-fb")).one()
    fb.cursor, fb.last_polled_at = {"since": "abc"}, polled
    fb.last_poll_outcome, fb.last_poll_error = "error", "timeout"
    db.commit()

    assert load(db, "accounts", ACCOUNT_HEADER + account_row(handle="New")) == ImportResult(0, 1, 0)
    db.commit()
    db.expire_all()
    fb = db.scalars(select(Account).where(Account.key == "riv-fb")).one()
    assert fb.handle == "New" and fb.cursor == {"since": "abc"} and fb.last_polled_at == polled
    assert (fb.last_poll_outcome, fb.last_poll_error) == ("error", "timeout")


def test_one_audit_row_per_import_with_the_counts(db):
    load(db, "orgs", ORGS, actor="jane.doe@fvsd.example.ca", source="orgs.csv")
    load(db, "orgs", ORGS)
    db.commit()
    entries = db.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.actor, e.action, e.object_type, e.object_id) for e in entries] == [
        ("jane.doe@fvsd.example.ca", "registry.import", "orgs", "orgs.csv"),
        ("system", "registry.import", "orgs", "<stream>"),
    ]
    assert entries[0].detail == {"created": 3, "updated": 0, "unchanged": 0}
    assert entries[1].detail == {"created": 0, "updated": 0, "unchanged": 3}


def test_the_caller_commits(db):
    load(db, "orgs", ORGS)
    db.rollback()
    assert count(db, OrgUnit) == 0 and count(db, AuditEntry) == 0


def test_an_empty_body_imports_nothing(db):
    assert load(db, "orgs", "code,name,kind,parent,website\n\n") == ImportResult(0, 0, 0)


# --- export and round trips -------------------------------------------------------------------


def test_export_of_a_fresh_import_reproduces_the_file(db):
    seed(db)
    load(db, "accounts", ACCOUNTS)  # a file without the newer, optional columns imports
    assert export(db, "accounts") == with_new_columns(ACCOUNTS)
    out = io.StringIO()
    assert export_csv(db, "accounts", out) == 3


@pytest.mark.parametrize("kind", KINDS)
def test_export_then_import_is_unchanged_and_exports_identically(db, kind):
    seed(db)
    load(db, "accounts", ACCOUNTS)
    before, text = list_rows(db, kind), export(db, kind)
    assert len(text.splitlines()) == len(before) + 1
    result = import_csv(db, kind, io.StringIO(text))
    assert (result.created, result.updated) == (0, 0) and result.unchanged == len(before)
    assert list_rows(db, kind) == before
    assert export(db, kind) == text


def test_exported_orgs_are_sorted_by_code_with_empty_strings_for_nothing(db):
    load(db, "orgs", ORGS)
    assert export(db, "orgs") == dedent("""\
        code,name,kind,parent,website,address,phone,email,counsellor_email
        comms,Communications Office,department,fvsd,,,,,
        fvsd,Fraser Valley School District,district,,https://fvsd.example.ca,,,,
        riv,Riverside Secondary,school,fvsd,https://riv.fvsd.example.ca,,,,
        """)


def test_org_contacts_are_optional_columns_that_a_file_without_them_leaves_alone(db):
    # Given a unit imported with its office's contacts
    with_contacts = dedent("""\
        code,name,kind,parent,website,address,phone,email
        fvsd,FVSD,district,,,"33 Example Way, Abbotsford",604-555-0100,office@fvsd.example.ca
        """)
    load(db, "orgs", with_contacts)
    # When a file written before those columns existed is imported again
    load(db, "orgs", "code,name,kind,parent,website\nfvsd,FVSD,district,,\n")
    # Then its other columns change and the contacts stay
    unit = db.scalars(select(OrgUnit)).one()
    assert (unit.name, unit.address, unit.phone) == (
        "FVSD",
        "33 Example Way, Abbotsford",
        "604-555-0100",
    )
    assert unit.email == "office@fvsd.example.ca"
    # And a missing required column is still refused
    error = import_error(db, "orgs", "code,name,parent,website\nfvsd,FVSD,,\n")
    assert "missing columns: kind" in str(error)


def test_unknown_kind_is_refused(db):
    with pytest.raises(ValueError, match="orgs, supervisors, accounts"):
        list_rows(db, "students")


# --- errors: all reported, nothing written ----------------------------------------------------


def test_one_bad_row_among_good_rows_imports_nothing(db):
    seed(db)
    text = ACCOUNTS.replace("riv-ig,instagram", "riv-ig,facebok")
    error = import_error(db, "accounts", text)
    assert reasons(error) == [
        (
            3,
            "platform 'facebok' is not one of facebook, instagram, x, youtube, wordpress, "
            "blogger, snapchat, tiktok, sandbox",
        )
    ]
    assert not db.new and not db.dirty
    db.commit()
    assert count(db, Account) == 0
    assert count(db, AuditEntry) == 2  # the two seed imports only


def test_several_bad_rows_are_all_reported_in_line_order(db):
    seed(db)
    text = (
        ACCOUNT_HEADER
        + account_row(id="a1", external_id="1", approved_on="14/09/2026")
        + "\n"  # a blank line still counts
        + account_row(id="a2", external_id="2", supervisor_email="x@y.ca")
        + account_row(id="a3", external_id="3", org_unit="nowhere", owner_email="bob")
        + account_row(id="", external_id="4", audience_expires="2026-02-30")
    )
    error = import_error(db, "accounts", text)
    assert reasons(error) == [
        (2, "approved_on '14/09/2026' is not a date like 2026-09-14"),
        (
            4,
            "supervisor_email 'x@y.ca' is not in the supervisor list; "
            "import supervisors first or fix the address",
        ),
        (5, "owner_email 'bob' is not an e-mail address like jane.doe@district.ca"),
        (
            5,
            "org_unit 'nowhere' is not a known org unit code; "
            "import org units first or fix the code",
        ),
        (6, "id is empty; it is required"),
        (6, "audience_expires '2026-02-30' is not a date like 2026-09-14"),
    ]
    message = str(error)
    assert message.startswith("line 2: approved_on '14/09/2026'")
    assert message.endswith("\nNothing was imported; fix these rows and import the file again.")
    assert count(db, Account) == 0


def test_line_numbers_are_physical_lines_past_a_multiline_value(db):
    text = 'code,name,kind,parent,website\nfvsd,"District\nof the valley",district,,\nx,X,shop,,\n'
    assert reasons(import_error(db, "orgs", text)) == [
        (4, "kind 'shop' is not one of district, school, department")
    ]


def test_missing_and_unknown_columns_are_named(db):
    error = import_error(db, "orgs", "code,name,kinds,colour\nfvsd,District,district,red\n")
    assert [e.line for e in error.errors] == [1, 1]
    assert error.errors[0].reason.startswith("unknown columns: kinds, colour")
    assert error.errors[1].reason.startswith("missing columns: kind, parent, website")
    assert "code,name,kind,parent,website" in error.errors[1].reason
    assert count(db, OrgUnit) == 0


def test_an_empty_file_is_an_error(db):
    assert import_error(db, "orgs", "").errors[0].reason.startswith("the file is empty")


def test_a_row_with_too_many_values_is_an_error(db):
    error = import_error(
        db, "orgs", "code,name,kind,parent,website\nfvsd,Valley, SD,district,,https://x\n"
    )
    assert any("has 6 values but the header has 5 columns" in e.reason for e in error.errors)


def test_unknown_supervisor_org_unit(db):
    load(db, "orgs", ORGS)
    text = "email,name,org_unit,backup_email,role\nann@fvsd.example.ca,Ann,elm,nope,boss\n"
    assert reasons(import_error(db, "supervisors", text)) == [
        (2, "backup_email 'nope' is not an e-mail address like jane.doe@district.ca"),
        (2, "role 'boss' is not one of supervisor, communications, it"),
        (2, "org_unit 'elm' is not a known org unit code; import org units first or fix the code"),
    ]


def test_unknown_supervisor_on_an_account(db):
    seed(db)
    text = ACCOUNT_HEADER + account_row(supervisor_email="nobody@fvsd.example.ca")
    assert reasons(import_error(db, "accounts", text)) == [
        (
            2,
            "supervisor_email 'nobody@fvsd.example.ca' is not in the supervisor list; "
            "import supervisors first or fix the address",
        )
    ]


def test_duplicate_keys(db):
    text = ORGS + "riv,Riverside again,school,fvsd,\n"
    assert reasons(import_error(db, "orgs", text)) == [(5, "duplicate code 'riv' (also on line 2)")]
    seed(db)
    text = ACCOUNT_HEADER + account_row() + account_row(external_id="999")
    assert reasons(import_error(db, "accounts", text)) == [
        (3, "duplicate id 'riv-fb' (also on line 2)")
    ]


def test_duplicate_platform_and_external_id_in_the_file_and_in_the_database(db):
    seed(db)
    text = ACCOUNT_HEADER + account_row() + account_row(id="riv-fb2")
    assert reasons(import_error(db, "accounts", text)) == [
        (3, "duplicate external_id '1001' on facebook (also on line 2)")
    ]
    load(db, "accounts", ACCOUNTS)
    text = ACCOUNT_HEADER + account_row(id="riv-fb2")
    assert reasons(import_error(db, "accounts", text)) == [
        (2, "external_id '1001' on facebook is already registered as account 'riv-fb'")
    ]
    # The same external_id on another platform is another account.
    assert load(db, "accounts", ACCOUNT_HEADER + account_row(id="riv-x", platform="x")).created == 1


def test_org_parents_must_exist_and_make_no_loop(db):
    text = dedent("""\
        code,name,kind,parent,website
        fvsd,District,district,riv,
        riv,Riverside,school,elm,
        elm,Elm,school,riv,
        oak,Oak,school,maple,
        """)
    assert reasons(import_error(db, "orgs", text)) == [
        (2, "'fvsd' is a district, so its parent must be empty"),
        (3, "parent 'elm' makes a loop: riv -> elm -> riv"),
        (4, "parent 'riv' makes a loop: elm -> riv -> elm"),
        (5, "parent 'maple' is not an org unit code in this file or already imported"),
    ]


def test_snapchat_accounts_cannot_be_active(db):
    seed(db)
    text = ACCOUNT_HEADER + account_row(id="s", platform="snapchat", status="active")
    assert reasons(import_error(db, "accounts", text)) == [
        (
            2,
            "status 'active' is not possible for platform snapchat, which has no API; "
            "use manual or retired",
        )
    ]


def test_too_long_values_are_refused_on_every_backend(db):
    error = import_error(db, "orgs", f"code,name,kind,parent,website\n{'c' * 41},N,school,,\n")
    assert error.errors[0].reason.endswith("is longer than 40 characters")


def test_row_error_and_registry_error_text():
    error = RegistryError([RowError(7, "b"), RowError(3, "a")])
    assert str(error) == (
        "line 3: a\nline 7: b\nNothing was imported; fix these rows and import the file again."
    )


# --- the example district ---------------------------------------------------------------------

EXAMPLE_FILES = {
    "orgs": "org-units.csv",
    "supervisors": "supervisors.csv",
    "accounts": "accounts.csv",
}


@pytest.mark.skipif(
    not all((EXAMPLES / name).exists() for name in EXAMPLE_FILES.values()),
    reason="examples/sandbox-district/{org-units,supervisors,accounts}.csv are not there yet",
)
def test_the_sandbox_district_imports_in_order_and_round_trips(db):
    for kind, name in EXAMPLE_FILES.items():
        with (EXAMPLES / name).open(encoding="utf-8", newline="") as stream:
            result = import_csv(db, kind, stream, source=name)
        assert result.created > 0 and result.updated == result.unchanged == 0
        # The example files spell every value out, so the registry holds exactly their rows.
        with (EXAMPLES / name).open(encoding="utf-8", newline="") as stream:
            in_file = sorted(csv.DictReader(stream), key=lambda row: next(iter(row.values())))
        assert list_rows(db, kind) == in_file
    db.commit()
    for kind in KINDS:
        before, text = list_rows(db, kind), export(db, kind)
        assert import_csv(db, kind, io.StringIO(text)).unchanged == len(before)
        assert list_rows(db, kind) == before and export(db, kind) == text
