"""Administrative access: the registry's list, the platform's list, and the staff directory.

The registry records each account's administrators in one cell, ``Name <email>; email``
(passwords are never stored; ``password_entry`` may name where the District keeps them).
The platform's list, where a connector can read it, is kept in ``admin_lists``. Whether a
person still works for the District comes from the staff directory (a CSV export of the
District's SSO directory, imported whole with ``hallwatch directory import``), the
supervisors list, and disabled console sign-ins. :func:`admin_states` joins the three for
the detectors.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import getaddresses
from typing import Any, TextIO

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

import detectors
from detectors.structural import on_district
from monitor.storage import audit
from monitor.storage.models import Account, AdminList, StaffMember, Supervisor, User

EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")
MAX_ADMINS = 50


@dataclass(frozen=True)
class Admin:
    """One administrator: an e-mail (lower-case, may be "" on a platform list) and a name."""

    email: str
    name: str = ""

    def __str__(self) -> str:
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.email or self.name


def parse_admins(raw: str) -> list[Admin]:
    """Parse a registry cell: ``Anita Patel <a.patel@sd.ca>; it@sd.ca`` (``;`` or ``,``).

    Raises:
        ValueError: an entry is not an e-mail address (the message says which), or there
            are more than :data:`MAX_ADMINS`.
    """
    entries = [e.strip() for e in re.split(r"[;\n]", raw) if e.strip()]
    people: list[Admin] = []
    for entry in entries:
        for name, address in getaddresses([entry]):
            if not EMAIL.fullmatch(address or ""):
                raise ValueError(
                    f"has {entry[:60]!r}, which is not an e-mail address; write each "
                    "administrator as 'Name <name@district.ca>' or 'name@district.ca', "
                    "separated by ';'"
                )
            people.append(Admin(address.lower(), " ".join(name.split())))
    if len(people) > MAX_ADMINS:
        raise ValueError(f"lists {len(people)} administrators; at most {MAX_ADMINS}")
    unique = {p.email: p for p in people}
    return list(unique.values())


def format_admins(people: Iterable[Admin]) -> str:
    """The canonical cell text, sorted by e-mail."""
    return "; ".join(str(p) for p in sorted(people, key=lambda p: p.email))


def registry_admins(account: Account) -> list[Admin]:
    """The account's administrators as the registry has them (stored canonical, so valid)."""
    try:
        return parse_admins(account.administrators or "")
    except ValueError:
        return []


# --- the platform's list -----------------------------------------------------------------


def save_platform_list(
    session: Session,
    account_id: int,
    now: datetime,
    source: str,
    people: Sequence[Admin] | None,
    detail: str = "",
) -> None:
    """Keep what the platform showed (``people``), or why it could not be read (None)."""
    row = session.scalars(select(AdminList).where(AdminList.account_id == account_id)).first()
    if row is None:
        row = AdminList(account_id=account_id, checked_at=now)
        session.add(row)
    row.checked_at, row.source, row.detail = now, source[:60], detail[:2000]
    row.status = "ok" if people is not None else "unavailable"
    row.people = [{"email": p.email, "name": p.name} for p in people or []]
    session.flush()


def platform_list(session: Session, account_id: int) -> tuple[list[Admin] | None, str, str]:
    """(the platform's administrators or None when unknown, its source, why unknown)."""
    row = session.scalars(select(AdminList).where(AdminList.account_id == account_id)).first()
    if row is None:
        return None, "", "not read yet"
    if row.status != "ok":
        return None, row.source, row.detail
    people = [
        Admin(str(p.get("email") or "").lower(), str(p.get("name") or ""))
        for p in row.people
        if isinstance(p, dict)
    ]
    return people, row.source, ""


# --- the staff directory -----------------------------------------------------------------


class DirectoryError(Exception):
    """The staff directory file cannot be imported; nothing was changed."""


def import_directory(
    session: Session, stream: TextIO, actor: str, now: datetime, source: str
) -> int:
    """Replace the staff directory with the file's rows (``email`` and optional ``name``).

    A directory export is a complete list of current staff, so it replaces the old one
    (who is missing from it has left). An empty file is refused: it would mark every
    administrator as departed.

    Raises:
        DirectoryError: no ``email`` column, a bad address (with its line), or no rows.
    """
    reader = csv.DictReader(io.StringIO(stream.read().removeprefix("\ufeff"), newline=""))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "email" not in fields:
        raise DirectoryError("the header must have an 'email' column (and may have 'name')")
    people: dict[str, str] = {}
    errors = []
    for line, row in enumerate(reader, start=2):
        cells = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        address = cells.get("email", "").lower()
        if not address:
            continue
        if not EMAIL.fullmatch(address):
            errors.append(f"line {line}: {address[:60]!r} is not an e-mail address")
        people[address] = cells.get("name", "")[:200]
    if errors:
        raise DirectoryError("\n".join([*errors, "Nothing was imported; fix these rows."]))
    if not people:
        raise DirectoryError("the file lists nobody; nothing was imported")
    session.execute(delete(StaffMember))
    session.add_all(StaffMember(email=e, name=n, imported_at=now) for e, n in people.items())
    audit.record(
        session, actor, "directory.import", "directory", source, at=now, people=len(people)
    )
    session.flush()
    return len(people)


def directory_date(session: Session) -> datetime | None:
    """When the staff directory was imported (None: never, so departures are not judged)."""
    return session.scalar(select(func.max(StaffMember.imported_at)))


def staff_status(
    session: Session, emails: Iterable[str], domains: Sequence[str] = ()
) -> dict[str, tuple[str, str]]:
    """For each address: ("current" | "departed" | "unknown", how Hallwatch knows).

    Only District addresses (``domains``, when given) can be judged departed from the
    directory: a personal address is never in it (that is its own finding).
    """
    wanted = sorted({e.lower() for e in emails if e})
    if not wanted:
        return {}
    imported = directory_date(session)
    listed = set(session.scalars(select(StaffMember.email).where(StaffMember.email.in_(wanted))))
    supervisors = set(
        session.scalars(
            select(func.lower(Supervisor.email)).where(func.lower(Supervisor.email).in_(wanted))
        )
    )
    users = {
        email.lower(): disabled
        for email, disabled in session.execute(
            select(User.email, User.disabled).where(func.lower(User.email).in_(wanted))
        )
    }
    result: dict[str, tuple[str, str]] = {}
    for email in wanted:
        if users.get(email) is True:
            result[email] = ("departed", "their Hallwatch console sign-in is disabled")
        elif email in listed or email in supervisors:
            result[email] = ("current", "")
        elif imported is not None and (not domains or on_district(email, domains)):
            day = imported.date().isoformat()
            result[email] = ("departed", f"not in the staff directory imported {day}")
        else:
            result[email] = ("unknown", "")
    return result


def _key(admin: Admin) -> str:
    return admin.email or " ".join(admin.name.split()).casefold()


def admin_states(
    session: Session, account: Account, domains: Sequence[str] = ()
) -> tuple[tuple[detectors.AdminState, ...], str]:
    """Every administrator of ``account``, from the registry and the platform, with their
    staff status, for the detectors; and the platform list's source ("" when unknown).

    A platform that names people without e-mail (Facebook) is matched to the registry by
    name: register administrators as ``Name <email>`` with the name as the platform shows it.
    """
    registered = registry_admins(account)
    platform, source, _ = platform_list(session, account.id)
    known = platform is not None
    on_platform: dict[str, Admin] = {}
    for person in platform or []:
        on_platform[_key(person)] = person
    by_name = {" ".join(p.name.split()).casefold(): p for p in registered if p.name}
    people: dict[str, dict[str, Any]] = {}
    for person in registered:
        people[_key(person)] = {"admin": person, "registered": True, "on_platform": False}
    for key, person in on_platform.items():
        match = people.get(key) or (
            people.get(_key(by_name[key])) if not person.email and key in by_name else None
        )
        if match is not None:
            match["on_platform"] = True
        else:
            people[key] = {"admin": person, "registered": False, "on_platform": True}
    status = staff_status(session, [v["admin"].email for v in people.values()], domains)
    states = tuple(
        detectors.AdminState(
            email=v["admin"].email,
            name=v["admin"].name,
            registered=v["registered"],
            on_platform=v["on_platform"] if known else None,
            staff=status.get(v["admin"].email, ("unknown", ""))[0],
            staff_source=status.get(v["admin"].email, ("unknown", ""))[1],
        )
        for v in people.values()
    )
    return states, source if known else ""
