"""What each role may open and do, and which rows it sees.

Pages a role may not open answer 403; a flag, comment or account outside a person's scope
answers 404, exactly like one that does not exist, so nobody learns what other schools have.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, String, and_, exists, false, literal, or_, select, true
from sqlalchemy.orm import Session

from monitor.access.users import Person
from monitor.core.domain import CARE_ROLES, CARE_RULES, Role
from monitor.storage.models import Account, Candidate, Comment, Flag

EVERYONE = frozenset(Role)
PAGES: dict[str, frozenset[str]] = {
    "dashboard": EVERYONE,
    "flags": EVERYONE,
    "comments": frozenset({Role.ADMIN, Role.SUPERVISOR, Role.COMMUNICATIONS, Role.AUDITOR}),
    "accounts": frozenset({Role.ADMIN, Role.SUPERVISOR, Role.IT, Role.AUDITOR}),
    "audit": frozenset({Role.ADMIN, Role.AUDITOR}),
    # A supervisor downloads the report of their own units (flags_seen limits the rows).
    "report": frozenset({Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR}),
    # Accounts discovery found: whose they are is a supervisor's question, not IT's.
    "discovery": frozenset({Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR}),
}
# State changes; the auditor reads only (revealing evidence is a logged read).
ACTIONS: dict[str, frozenset[str]] = {
    "flag.change": frozenset(
        {Role.ADMIN, Role.SUPERVISOR, Role.COMMUNICATIONS, Role.IT, Role.COUNSELLOR}
    ),
    # Everyone may reveal what they may see, except the evidence of a sign of self-harm:
    # only CARE_ROLES (see may_reveal).
    "evidence.reveal": EVERYONE,
    "comment.review": frozenset({Role.ADMIN, Role.SUPERVISOR, Role.COMMUNICATIONS}),
    "comment.hide": frozenset({Role.ADMIN, Role.SUPERVISOR, Role.COMMUNICATIONS}),
    # Approval is a supervisor's (within their units) or an administrator's; never IT's,
    # who connects accounts and so must not also approve them.
    "account.approve": frozenset({Role.ADMIN, Role.SUPERVISOR}),
    # Recording a manual check of an account with no API (Snapchat): the same people.
    "account.attest": frozenset({Role.ADMIN, Role.SUPERVISOR}),
    # Deciding on a discovery candidate (register it, not ours, personal) and undoing that.
    "candidate.decide": frozenset({Role.ADMIN, Role.SUPERVISOR}),
}
OPERATIONAL = or_(Flag.dedup_key.like("%:credentials"), Flag.dedup_key.like("%:poll-problem:%"))


def is_it_job(rule_id: str, dedup_key: str) -> bool:
    """Broken credentials and polling problems: IT fixes them, not the account's owner."""
    return rule_id == "account.unapproved" and (
        dedup_key.endswith(":credentials") or ":poll-problem:" in dedup_key
    )


def can(person: Person, what: str) -> bool:
    return person.role in PAGES.get(what, ACTIONS.get(what, frozenset()))


def flags_seen(person: Person) -> ColumnElement[bool]:
    """Rows of ``Flag`` joined with ``Account`` that ``person`` may see."""
    if person.role in (Role.ADMIN, Role.AUDITOR):
        return true()
    if person.role == Role.SUPERVISOR:
        return Account.org_unit_id.in_(sorted(person.units))
    if person.role == Role.COMMUNICATIONS:
        return Flag.rule_id == "media.inquiry"
    if person.role == Role.IT:
        return and_(Flag.rule_id == "account.unapproved", OPERATIONAL)
    if person.role == Role.COUNSELLOR:
        return and_(
            Flag.rule_id.in_(sorted(CARE_RULES)), Account.org_unit_id.in_(sorted(person.units))
        )
    return false()


def is_care_subject(session: Session, flag: Flag) -> bool:
    """Whether a sign of self-harm was flagged on ``flag``'s comment or post (by this flag
    or another): then its full text is for CARE_ROLES only, whichever flag reveals it."""
    if flag.rule_id in CARE_RULES:
        return True
    if not flag.subject_ref:
        return False
    found = session.scalar(
        select(Flag.id)
        .where(
            Flag.account_id == flag.account_id,
            Flag.subject_ref == flag.subject_ref,
            Flag.rule_id.in_(sorted(CARE_RULES)),
        )
        .limit(1)
    )
    return found is not None


def may_reveal(session: Session, person: Person, flag: Flag) -> bool:
    """Whether ``person`` (who can see ``flag``) may reveal its full text: the evidence of a
    sign of self-harm only to the unit's supervisor, a counsellor or an administrator."""
    if not can(person, "evidence.reveal"):
        return False
    return person.role in CARE_ROLES or not is_care_subject(session, flag)


def rules_counted(role: str) -> ColumnElement[bool]:
    """Flags ``role`` may count even where it sees every account (a district-wide digest):
    signs of self-harm only for CARE_ROLES, as the consoles of the others do not list them."""
    return true() if role in CARE_ROLES else Flag.rule_id.not_in(sorted(CARE_RULES))


def accounts_seen(person: Person) -> ColumnElement[bool]:
    if person.role in (Role.ADMIN, Role.AUDITOR, Role.IT):
        return true()
    if person.role == Role.SUPERVISOR:
        return Account.org_unit_id.in_(sorted(person.units))
    return false()


def comments_seen(person: Person) -> ColumnElement[bool]:
    """Rows of ``Comment`` joined with ``Account``; communications sees media inquiries."""
    if person.role in (Role.ADMIN, Role.AUDITOR):
        return true()
    if person.role == Role.SUPERVISOR:
        return Account.org_unit_id.in_(sorted(person.units))
    if person.role == Role.COMMUNICATIONS:
        return exists().where(
            Flag.account_id == Comment.account_id,
            Flag.rule_id == "media.inquiry",
            Flag.subject_ref == literal("comment:", String) + Comment.external_id,
        )
    return false()


def candidates_seen(person: Person) -> ColumnElement[bool]:
    """Rows of ``Candidate`` that ``person`` may see: a supervisor, those of their units (a
    candidate no unit's page linked is the district's: administrators and auditors)."""
    if person.role in (Role.ADMIN, Role.AUDITOR):
        return true()
    if person.role == Role.SUPERVISOR:
        return Candidate.org_unit_id.in_(sorted(person.units))
    return false()
