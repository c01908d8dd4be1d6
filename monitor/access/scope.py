"""What each role may open and do, and which rows it sees.

Pages a role may not open answer 403; a flag, comment or account outside a person's scope
answers 404, exactly like one that does not exist, so nobody learns what other schools have.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, String, and_, exists, false, literal, or_, true

from monitor.access.users import Person
from monitor.storage.models import Account, Comment, Flag

PAGES: dict[str, frozenset[str]] = {
    "dashboard": frozenset({"admin", "supervisor", "communications", "it", "auditor"}),
    "flags": frozenset({"admin", "supervisor", "communications", "it", "auditor"}),
    "comments": frozenset({"admin", "supervisor", "communications", "auditor"}),
    "accounts": frozenset({"admin", "supervisor", "it", "auditor"}),
    "audit": frozenset({"admin", "auditor"}),
    "report": frozenset({"admin", "auditor"}),
}
# State changes; the auditor reads only (revealing evidence is a logged read).
ACTIONS: dict[str, frozenset[str]] = {
    "flag.change": frozenset({"admin", "supervisor", "communications", "it"}),
    "evidence.reveal": frozenset({"admin", "supervisor", "communications", "it", "auditor"}),
    "comment.review": frozenset({"admin", "supervisor", "communications"}),
    "comment.hide": frozenset({"admin", "supervisor", "communications"}),
    "account.approve": frozenset({"admin", "supervisor", "it"}),
}
OPERATIONAL = or_(Flag.dedup_key.like("%:credentials"), Flag.dedup_key.like("%:poll-problem:%"))


def can(person: Person, what: str) -> bool:
    return person.role in PAGES.get(what, ACTIONS.get(what, frozenset()))


def flags_seen(person: Person) -> ColumnElement[bool]:
    """Rows of ``Flag`` joined with ``Account`` that ``person`` may see."""
    if person.role in ("admin", "auditor"):
        return true()
    if person.role == "supervisor":
        return Account.org_unit_id.in_(sorted(person.units))
    if person.role == "communications":
        return Flag.rule_id == "media.inquiry"
    if person.role == "it":
        return and_(Flag.rule_id == "account.unapproved", OPERATIONAL)
    return false()


def accounts_seen(person: Person) -> ColumnElement[bool]:
    if person.role in ("admin", "auditor", "it"):
        return true()
    if person.role == "supervisor":
        return Account.org_unit_id.in_(sorted(person.units))
    return false()


def comments_seen(person: Person) -> ColumnElement[bool]:
    """Rows of ``Comment`` joined with ``Account``; communications sees media inquiries."""
    if person.role in ("admin", "auditor"):
        return true()
    if person.role == "supervisor":
        return Account.org_unit_id.in_(sorted(person.units))
    if person.role == "communications":
        return exists().where(
            Flag.account_id == Comment.account_id,
            Flag.rule_id == "media.inquiry",
            Flag.subject_ref == literal("comment:", String) + Comment.external_id,
        )
    return false()
