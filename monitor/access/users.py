"""Console users: argon2id password hashes, roles, and the organisation units they see.

A supervisor user sees the units it is linked to *and their child units* (a district-level
supervisor sees every school under it); so does a counsellor user, who sees only the signs of
self-harm there. Users are never deleted, only disabled.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.core.domain import Role
from monitor.storage import audit
from monitor.storage.models import OrgUnit, Supervisor, User, WebSession

ROLES = tuple(Role)
SCOPED = (Role.SUPERVISOR, Role.COUNSELLOR)  # roles that see only their units (and below)
MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # argon2 hashes any length; a megabyte "password" is only load
MAX_EMAIL = 320  # RFC 5321's longest address
# Whitespace of every kind (spaces, tabs, NBSP, ideographic space...), and the invisible
# characters that make two addresses look alike: none belongs in an e-mail address.
_NOT_IN_EMAIL = re.compile(r"[\s\u200b-\u200f\u2060\ufeff\u00ad\u180e\u202a-\u202e\u2066-\u2069]+")
_hasher = PasswordHasher()  # argon2id with the library's current (RFC 9106) parameters
# Verified against when the e-mail is unknown, so timing does not tell who has an account.
_DUMMY = _hasher.hash("not a password of anyone")


class UserError(Exception):
    """A user command cannot be done; the message says what to do."""


def normalise_email(raw: str) -> str:
    """The one form of an e-mail address that throttling, look-ups and storage all use:
    Unicode-normalised (NFKC), every kind of whitespace and invisible character removed
    wherever it is, case-folded.

    Raises:
        UserError: longer than an e-mail address can be (before or after normalising), so
            that padding can never turn one address into many.
    """
    if len(raw) > MAX_EMAIL:
        raise UserError(f"an e-mail address is at most {MAX_EMAIL} characters long")
    email = _NOT_IN_EMAIL.sub("", unicodedata.normalize("NFKC", raw)).casefold()
    if len(email) > MAX_EMAIL:
        raise UserError(f"an e-mail address is at most {MAX_EMAIL} characters long")
    return email


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must be at least {MIN_PASSWORD} characters long")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"the password must be at most {MAX_PASSWORD} characters long")
    return _hasher.hash(password)


def check_password(stored: str, password: str) -> bool:
    """True when ``password`` matches ``stored`` (always spends one argon2 verification)."""
    if len(password) > MAX_PASSWORD:
        password = ""  # still one verification, so the time says nothing; never a match
    try:
        return _hasher.verify(stored or _DUMMY, password) and bool(stored)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Person:
    """The signed-in user as the views see it: no ORM object outlives its session."""

    id: int
    email: str
    name: str
    role: str
    units: frozenset[int]  # org unit ids, children included; empty for district roles


def units_below(session: Session, roots: list[int]) -> frozenset[int]:
    """``roots`` and every unit under them."""
    parents = {
        unit: parent for unit, parent in session.execute(select(OrgUnit.id, OrgUnit.parent_id))
    }
    found = set(roots)
    changed = True
    while changed:
        changed = False
        for unit, parent in parents.items():
            if parent in found and unit not in found:
                found.add(unit)
                changed = True
    return frozenset(found)


def person(session: Session, user: User) -> Person:
    roots = [unit.id for unit in user.org_units]
    units = units_below(session, roots) if user.role in SCOPED else frozenset()
    return Person(user.id, user.email, user.name, user.role, units)


def find(session: Session, email: str) -> User | None:
    """The user with this address (normalised as :func:`normalise_email`), or None."""
    try:
        email = normalise_email(email)
    except UserError:
        return None
    return session.scalars(select(User).where(User.email == email)).one_or_none()


def known_actor(session: Session, email: str) -> str:
    """``email`` normalised, if it names an enabled console user or a supervisor in the
    registry: the audit log's actor must be a real person.

    Raises:
        UserError: nobody known has that address, or the user is disabled.
    """
    try:
        address = normalise_email(email)
    except UserError as exc:
        raise UserError(f"--by {email[:40]!r}: {exc}") from None
    user = find(session, address)
    if user is not None and not user.disabled:
        return address
    if user is None:
        supervisor = session.scalar(select(Supervisor.id).where(Supervisor.email == address))
        if supervisor is not None:
            return address
    state = "is disabled" if user is not None else "is not a console user or a supervisor"
    raise UserError(
        f"--by {address!r} {state}; give the e-mail of the person doing this (see "
        "`hallwatch users list` and `hallwatch supervisors list`)"
    )


def _units(session: Session, email: str, role: str, codes: list[str]) -> list[OrgUnit]:
    if not codes and role == Role.COUNSELLOR:
        units = list(session.scalars(select(OrgUnit).where(OrgUnit.counsellor_email == email)))
        if not units:
            raise UserError(
                "a counsellor user needs its organisation units: give --org CODE (see "
                "`hallwatch orgs list`), or set this address as the units' counsellor_email "
                "in the org-units registry first"
            )
        return units
    if not codes:
        supervisor = session.scalars(
            select(Supervisor).where(Supervisor.email == email)
        ).one_or_none()
        if supervisor is None:
            raise UserError(
                "a supervisor user needs its organisation units: give --org CODE (see "
                "`hallwatch orgs list`), or add the person to the supervisors registry first"
            )
        return [supervisor.org_unit]
    units = []
    for code in codes:
        unit = session.scalars(select(OrgUnit).where(OrgUnit.code == code)).one_or_none()
        if unit is None:
            raise UserError(f"no organisation unit {code!r}; see `hallwatch orgs list`")
        units.append(unit)
    return units


def add_user(
    session: Session,
    email: str,
    role: str,
    password: str,
    actor: str,
    now: datetime,
    orgs: list[str] | None = None,
    name: str = "",
) -> tuple[User, bool]:
    """Create a user, or update an existing one's role, units and password.

    Returns:
        The user and whether it was created (False: it already existed and was updated).
    """
    email = normalise_email(email)
    if "@" not in email:
        raise UserError(f"{email!r} is not an e-mail address")
    if role not in ROLES:
        raise UserError(f"role must be one of: {', '.join(ROLES)}")
    units = _units(session, email, role, list(orgs or [])) if role in SCOPED else []
    digest = hash_password(password) if password else ""
    user = find(session, email)
    created = user is None
    if user is None:
        user = User(email=email, created_at=now, disabled=False, password_hash="")
        session.add(user)
    user.name, user.role, user.org_units = name or user.name or email, role, units
    if digest:
        user.password_hash = digest
    user.disabled = False
    session.flush()
    audit.record(
        session,
        actor,
        "user.added" if created else "user.updated",
        "user",
        email,
        at=now,
        role=role,
        orgs=[u.code for u in units],
    )
    return user, created


def disable_user(session: Session, email: str, actor: str, now: datetime) -> bool:
    """Disable a user and end its sessions; False when it already was disabled."""
    user = find(session, email)
    if user is None:
        raise UserError(f"no user {email!r}; see `hallwatch users list`")
    for row in session.scalars(select(WebSession).where(WebSession.user_id == user.id)):
        session.delete(row)
    if user.disabled:
        return False
    user.disabled = True
    audit.record(session, actor, "user.disabled", "user", user.email, at=now)
    return True


def list_users(session: Session) -> list[dict[str, Any]]:
    rows = []
    for user in session.scalars(select(User).order_by(User.email)):
        rows.append(
            {
                "email": user.email,
                "name": user.name,
                "role": user.role,
                "orgs": ",".join(u.code for u in user.org_units),
                "sign_in": "password" if user.password_hash else "sso only",
                "disabled": user.disabled,
                "last_login_at": user.last_login_at.isoformat() if user.last_login_at else "",
            }
        )
    return rows
