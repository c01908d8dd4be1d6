"""account.unacknowledged and account.admin_access: the procedure's paperwork, as pure rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

import detectors
from detectors import AccountState, AdminState, Context
from detectors.procedure import AcknowledgementDetector, AdminAccessDetector, on_district
from detectors.rules import RULES

NOW = datetime(2026, 9, 14, 15, 0, tzinfo=UTC)
DOMAINS = ("fvsd.example.ca",)


ASKED = NOW - timedelta(days=20)  # the owner was asked 20 days ago (grace: 14)


def account(**kw: object) -> AccountState:
    base = AccountState(
        id="riv-fb",
        platform="facebook",
        handle="RiversideElementaryFVSD",
        can_be_private=False,
        platform_name="Facebook",
        owner_email="a.patel@fvsd.example.ca",
        acknowledgement_requested_at=ASKED,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def context(state: AccountState, version: str = "2", **kw: object) -> Context:
    return Context(
        now=NOW,
        district_domains=DOMAINS,
        account=state,
        procedure_version=version,
        enabled=frozenset({"account.unacknowledged", "account.admin_access"}),
        **kw,  # type: ignore[arg-type]
    )


def test_both_rules_are_in_the_one_table_with_clause_and_advice() -> None:
    for rule in ("account.unacknowledged", "account.admin_access"):
        assert RULES[rule].clause.startswith("Procedure 417")
        assert RULES[rule].name and RULES[rule].advice


# --- account.unacknowledged ------------------------------------------------------------------

ACK_CASES = [
    # (acknowledged_at, acknowledged_version, configured version, expected key or None)
    (None, "", "2", "acknowledgement:2:a.patel@fvsd.example.ca"),
    (NOW - timedelta(days=10), "2", "2", None),
    (NOW - timedelta(days=365), "2", "2", None),  # exactly a year: still valid
    (
        NOW - timedelta(days=366),
        "2",
        "2",
        "acknowledgement:2:a.patel@fvsd.example.ca:expired:2025-09-13",
    ),
    (
        NOW - timedelta(days=10),
        "1",
        "2",
        "acknowledgement:2:a.patel@fvsd.example.ca",
    ),  # version bump
    (None, "", "", None),  # no version configured: not checked
]


@pytest.mark.parametrize(("when", "acked", "version", "key"), ACK_CASES)
def test_unacknowledged(when, acked, version, key) -> None:
    state = account(acknowledged_at=when, acknowledged_version=acked)
    found = detectors.run([], context(state, version), (AcknowledgementDetector(),))
    assert [f.key for f in found] == ([key] if key else [])
    for finding in found:
        assert finding.rule == "account.unacknowledged" and finding.severity == "low"
        assert "a.patel@fvsd.example.ca" in finding.explanation


@pytest.mark.parametrize(
    ("asked", "flagged"),
    [(None, False), (NOW - timedelta(days=13), False), (NOW - timedelta(days=14), True)],
    ids=["never-asked", "asked-13-days-ago", "asked-14-days-ago"],
)
def test_an_owner_is_flagged_only_after_the_grace_period_of_the_first_request(
    asked, flagged
) -> None:
    state = account(acknowledged_at=None, acknowledgement_requested_at=asked)
    found = detectors.run([], context(state), (AcknowledgementDetector(),))
    assert bool(found) is flagged


def test_a_version_bump_names_both_versions_and_is_a_new_flag() -> None:
    state = account(acknowledged_at=NOW - timedelta(days=30), acknowledged_version="1")
    assert detectors.run([], context(state, "1"), (AcknowledgementDetector(),)) == []
    (found,) = detectors.run([], context(state, "2"), (AcknowledgementDetector(),))
    assert "version 1" in found.explanation and "current version is 2" in found.explanation
    (later,) = detectors.run([], context(state, "3"), (AcknowledgementDetector(),))
    assert later.key != found.key  # the next version asks everyone again: a new flag


def test_a_new_owner_is_asked_even_if_the_old_one_acknowledged() -> None:
    old = account(acknowledged_at=None)
    new = account(owner_email="k.liu@fvsd.example.ca", acknowledged_at=None)
    (a,) = detectors.run([], context(old), (AcknowledgementDetector(),))
    (b,) = detectors.run([], context(new), (AcknowledgementDetector(),))
    assert a.key != b.key


def test_no_owner_on_record_is_said_plainly_and_retired_accounts_are_skipped() -> None:
    nobody = account(owner_email="", acknowledgement_requested_at=None)
    (found,) = detectors.run([], context(nobody), (AcknowledgementDetector(),))
    assert "no owner e-mail" in found.explanation  # nobody can be asked: flagged at once
    assert detectors.run([], context(account(status="retired")), (AcknowledgementDetector(),)) == []


# --- account.admin_access --------------------------------------------------------------------


def admins(*people: AdminState, source: str = "") -> AccountState:
    return account(administrators=people, admin_list_source=source)


ADMIN_CASES = [
    # (admin, platform list source, expected keys)
    (AdminState("a.patel@fvsd.example.ca"), "", []),
    (
        AdminState("anita.patel.teacher@gmail.com"),
        "",
        ["admin:personal:anita.patel.teacher@gmail.com"],
    ),
    (AdminState("a.patel@staff.fvsd.example.ca"), "", []),  # a District sub-domain
    (
        AdminState("a.patel@fvsd.example.ca.evil.com"),
        "",
        ["admin:personal:a.patel@fvsd.example.ca.evil.com"],
    ),
    (
        AdminState(
            "h.old@fvsd.example.ca", staff="departed", staff_source="not in the staff directory"
        ),
        "",
        ["admin:departed:h.old@fvsd.example.ca"],
    ),
    (AdminState("a.patel@fvsd.example.ca", staff="unknown"), "", []),
    (
        AdminState("", name="Sam Smith", registered=False, on_platform=True),
        "Facebook",
        ["admin:unregistered:sam smith"],
    ),
    (
        AdminState("a.patel@fvsd.example.ca", registered=True, on_platform=False),
        "WordPress",
        ["admin:missing:a.patel@fvsd.example.ca"],
    ),
    (AdminState("a.patel@fvsd.example.ca", registered=True, on_platform=True), "WordPress", []),
    # the platform's list unknown: no difference can be claimed
    (AdminState("a.patel@fvsd.example.ca", registered=True, on_platform=None), "", []),
]


@pytest.mark.parametrize(("admin", "source", "keys"), ADMIN_CASES)
def test_admin_access(admin, source, keys) -> None:
    found = detectors.run([], context(admins(admin, source=source)), (AdminAccessDetector(),))
    assert sorted(f.key for f in found) == sorted(keys)
    assert all(f.rule == "account.admin_access" for f in found)


def test_an_administrator_list_with_a_personal_email_raises_one_high_flag_naming_it() -> None:
    state = admins(
        AdminState("a.patel@fvsd.example.ca"),
        AdminState("Anita.Patel.Teacher@Gmail.com".lower()),
        AdminState("k.liu@fvsd.example.ca"),
    )
    (found,) = detectors.run([], context(state), (AdminAccessDetector(),))
    assert found.severity == "high"
    assert "anita.patel.teacher@gmail.com" in found.explanation
    assert "RiversideElementaryFVSD on Facebook" in found.explanation


def test_a_personal_and_departed_admin_gets_both_flags_and_no_domains_means_no_email_flag() -> None:
    person = AdminState("old@gmail.com", staff="departed", staff_source="console sign-in disabled")
    found = detectors.run([], context(admins(person)), (AdminAccessDetector(),))
    assert sorted(f.key for f in found) == [
        "admin:departed:old@gmail.com",
        "admin:personal:old@gmail.com",
    ]
    quiet = Context(now=NOW, account=admins(AdminState("old@gmail.com")))
    assert detectors.run([], quiet, (AdminAccessDetector(),)) == []


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("a@fvsd.example.ca", True),
        ("a@mail.fvsd.example.ca", True),
        ("a@FVSD.EXAMPLE.CA", True),
        ("a@notfvsd.example.ca", False),
        ("a@fvsd.example.ca.attacker.net", False),
        ("fvsd.example.ca", False),
        ("", False),
    ],
)
def test_on_district(address: str, expected: bool) -> None:
    assert on_district(address, DOMAINS) is expected


def test_the_detectors_are_in_the_default_suite_and_pure() -> None:
    names = {d.name for d in detectors.DEFAULT_STRUCTURAL}
    assert {"procedure.acknowledgement", "procedure.admin_access"} <= names
    state = admins(AdminState("x@gmail.com"))
    first = detectors.run([], context(state), detectors.DEFAULT_STRUCTURAL)
    assert first == detectors.run([], context(state), detectors.DEFAULT_STRUCTURAL)
