"""The registry a supervisor keeps in a spreadsheet: CSV import, export and listing.

Three kinds, imported in this order: ``orgs`` (org units), ``supervisors`` and ``accounts``.
Each kind is a table of column specs (name, model attribute, required, parser, default,
reference). An import checks every row first and changes nothing unless every row is
valid; then it upserts by key (code, email, id), never deletes, adds one audit row and
flushes. The caller commits.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import connectors
from monitor.core.display import from_spreadsheet_cell, spreadsheet_cell
from monitor.core.domain import Role
from monitor.registry.admins import format_admins, parse_admins
from monitor.storage import audit
from monitor.storage.models import Account, Acknowledgement, Base, OrgUnit, Supervisor

KINDS = ("orgs", "supervisors", "accounts")
PLATFORMS = connectors.platform_names()
STATUSES = ("active", "manual", "retired", "credentials_broken")
# Platforms with no API (their connector says so): their accounts can only be attested by hand.
MANUAL_ONLY = {
    p: ("manual", "retired") for p in PLATFORMS if connectors.capabilities(p).manual_only
}
FOOTER = "Nothing was imported; fix these rows and import the file again."
EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Parser = Callable[[str], Any]
Loaded = dict[str, dict[str, Any]]  # kind -> key -> model object


@dataclass(frozen=True)
class RowError:
    """One problem in an import file; ``line`` is the physical line (the header is line 1)."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class RegistryError(Exception):
    """An import file has problems and nothing was imported; ``errors`` lists every one."""

    def __init__(self, errors: Iterable[RowError]) -> None:
        self.errors: list[RowError] = sorted(errors, key=lambda error: error.line)
        super().__init__("\n".join([*map(str, self.errors), FOOTER]))


@dataclass(frozen=True)
class ImportResult:
    """How many rows an import created, updated and left unchanged, and what it ignored
    (read-only columns whose value differs from Hallwatch's record)."""

    created: int
    updated: int
    unchanged: int
    ignored: tuple[str, ...] = ()


# --- parsers: raw (trimmed, non-empty) cell -> value, or ValueError("is not ...") ---------


def text(limit: int = 0) -> Parser:
    """A parser for free text of at most ``limit`` characters (0: no limit)."""

    def parse(raw: str) -> str:
        if limit and len(raw) > limit:
            raise ValueError(f"is longer than {limit} characters")
        return raw

    return parse


def choice(*options: str) -> Parser:
    """A parser for one of ``options``, matched case-insensitively."""

    def parse(raw: str) -> str:
        if raw.lower() not in options:
            raise ValueError(f"is not one of {', '.join(options)}")
        return raw.lower()

    return parse


def email(raw: str) -> str:
    """Parse an e-mail address, lower-cased."""
    if len(raw) > 320 or not EMAIL.fullmatch(raw):
        raise ValueError("is not an e-mail address like jane.doe@district.ca")
    return raw.lower()


def iso_date(raw: str) -> date:
    """Parse a date written YYYY-MM-DD."""
    try:
        if ISO_DATE.fullmatch(raw):
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise ValueError("is not a date like 2026-09-14")


def administrators(raw: str) -> str:
    """Parse the administrators cell into its canonical text (``Name <email>; email``)."""
    return format_admins(parse_admins(raw))


PASSWORD_LIKE = re.compile(r"(?=.*[A-Za-z])(?=.*\d)(?=.*[^\w\s])\S{8,}")


def password_entry(raw: str) -> str:
    """A password-manager entry's name; refuses what looks like a password itself."""
    if len(raw) > 200:
        raise ValueError("is longer than 200 characters")
    if PASSWORD_LIKE.fullmatch(raw):
        raise ValueError(
            "looks like a password; record only the name of the password-manager entry "
            "(e.g. 'Social media / riv-fb'), never the password"
        )
    return raw


def _default_status(values: dict[str, Any]) -> str:
    return "manual" if values.get("platform") in MANUAL_ONLY else "active"


# --- specs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One CSV column: its model attribute, how a cell is read, and what an empty cell means.

    ``default`` is the value of an empty cell, or a callable of the row's values so far.
    ``ref`` names the kind whose key the column holds; the attribute gets that object.
    ``optional`` columns may be left out of a file's header (files written before the column
    existed): then the stored values are left as they are.
    """

    name: str
    attr: str
    parse: Parser = text()
    required: bool = False
    default: Any = ""
    ref: str = ""
    hint: str = ""
    optional: bool = False  # the header may leave it out (added after files were made)
    read_only: bool = False  # exported, never imported: a changed value is reported


@dataclass
class _Row:
    line: int
    key: str
    values: dict[str, Any]


Check = Callable[[list[_Row], Loaded], Iterable[RowError]]


@dataclass(frozen=True)
class Spec:
    """A kind: its model, its columns (the first is the key) and its whole-file checks."""

    model: type[Base]
    columns: tuple[Column, ...]
    checks: tuple[Check, ...] = ()

    @property
    def key(self) -> Column:
        return self.columns[0]

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]


# --- whole-file checks ----------------------------------------------------------------------


def _repeats(rows: list[_Row], key_of: Callable[[_Row], Any]) -> Iterator[tuple[_Row, int]]:
    """Each row whose ``key_of`` (when not None) an earlier row had, with that row's line."""
    first: dict[Any, int] = {}
    for row in rows:
        key = key_of(row)
        if key is not None and first.setdefault(key, row.line) != row.line:
            yield row, first[key]


def _platform_id(row: _Row) -> tuple[str, str] | None:
    platform, external_id = row.values.get("platform"), row.values.get("external_id")
    return (platform, external_id) if platform and external_id else None


def _district_has_no_parent(rows: list[_Row], loaded: Loaded) -> Iterator[RowError]:
    for row in rows:
        if row.values.get("kind") == "district" and row.values.get("parent"):
            yield RowError(row.line, f"'{row.key}' is a district, so its parent must be empty")


def _parent_loop(start: str, parents: dict[str, str]) -> list[str]:
    """The codes from ``start`` round its parents back to ``start``, or [] if no loop."""
    path, code = [start], parents.get(start)
    while code and code not in path:
        path.append(code)
        code = parents.get(code)
    return [*path, start] if code == start else []


def _no_parent_loops(rows: list[_Row], loaded: Loaded) -> Iterator[RowError]:
    by_id = {org.id: org.code for org in loaded["orgs"].values()}
    parents = {org.code: by_id.get(org.parent_id, "") for org in loaded["orgs"].values()}
    parents.update({row.key: row.values.get("parent", "") for row in rows if row.key})
    for row in rows:
        if loop := _parent_loop(row.key, parents):
            yield RowError(row.line, f"parent '{loop[1]}' makes a loop: {' -> '.join(loop)}")


def _status_fits_platform(rows: list[_Row], loaded: Loaded) -> Iterator[RowError]:
    for row in rows:
        platform, status = row.values.get("platform", ""), row.values.get("status")
        allowed = MANUAL_ONLY.get(platform)
        if allowed and status and status not in allowed:
            yield RowError(
                row.line,
                f"status '{status}' is not possible for platform {platform}, which has no API; "
                f"use {' or '.join(allowed)}",
            )


def _platform_ids_unique(rows: list[_Row], loaded: Loaded) -> Iterator[RowError]:
    for row, line in _repeats(rows, _platform_id):
        platform, external_id = _platform_id(row) or ("", "")
        yield RowError(
            row.line, f"duplicate external_id '{external_id}' on {platform} (also on line {line})"
        )
    taken = {(a.platform, a.external_id): a.key for a in loaded["accounts"].values()}
    for row in rows:
        other = taken.get(_platform_id(row) or ("", ""), row.key)
        if other != row.key:
            yield RowError(
                row.line,
                f"external_id '{row.values['external_id']}' on {row.values['platform']} is "
                f"already registered as account '{other}'",
            )


ORG_KINDS = ("district", "school", "department")
ROLES = (Role.SUPERVISOR, Role.COMMUNICATIONS, Role.IT)
APPROVALS = ("approved", "pending", "rejected")
AUDIENCES = ("private", "public")
POLICIES = ("off", "moderated", "on")
ORG_HINT = "is not a known org unit code; import org units first or fix the code"
PARENT_HINT = "is not an org unit code in this file or already imported"
SUP_HINT = "is not in the supervisor list; import supervisors first or fix the address"

SPECS: dict[str, Spec] = {
    "orgs": Spec(
        OrgUnit,
        (
            Column("code", "code", text(40), required=True),
            Column("name", "name", text(200), required=True),
            Column("kind", "kind", choice(*ORG_KINDS), required=True),
            Column("parent", "parent", text(40), ref="orgs", hint=PARENT_HINT),
            Column("website", "website", text(500)),
            # The unit's own published contacts: never student information (pii.student).
            Column("address", "address", text(300), optional=True),
            Column("phone", "phone", text(60), optional=True),
            Column("email", "email", email, optional=True),
            # Who hears of a sign of self-harm on the unit's accounts besides the principal
            # (empty: a parent unit's, else the district's [wellbeing] counsellor_email).
            Column("counsellor_email", "counsellor_email", email, optional=True),
        ),
        (_district_has_no_parent, _no_parent_loops),
    ),
    "supervisors": Spec(
        Supervisor,
        (
            Column("email", "email", email, required=True),
            Column("name", "name", text(200), required=True),
            Column("org_unit", "org_unit", text(40), required=True, ref="orgs", hint=ORG_HINT),
            Column("backup_email", "backup_email", email),
            Column("role", "role", choice(*ROLES), default=Role.SUPERVISOR),
        ),
    ),
    "accounts": Spec(
        Account,
        (
            Column("id", "key", text(80), required=True),
            Column("platform", "platform", choice(*PLATFORMS), required=True),
            Column("external_id", "external_id", text(200), required=True),
            Column("handle", "handle", text(200), required=True),
            Column("org_unit", "org_unit", text(40), required=True, ref="orgs", hint=ORG_HINT),
            Column("owner_name", "owner_name", text(200)),
            Column("owner_email", "owner_email", email),
            Column("supervisor_email", "supervisor", email, ref="supervisors", hint=SUP_HINT),
            Column("approval_status", "approval_status", choice(*APPROVALS), default="pending"),
            Column("approved_by", "approved_by", text(320)),
            Column("approved_on", "approved_on", iso_date, default=None),
            Column("audience", "audience", choice(*AUDIENCES), default="private"),
            Column("educational_need", "educational_need", text()),
            Column("audience_expires", "audience_expires", iso_date, default=None),
            Column("comments_policy", "comments_policy", choice(*POLICIES), default="moderated"),
            Column("status", "status", choice(*STATUSES), default=_default_status),
            Column("notes", "notes", text()),
            Column("administrators", "administrators", administrators, optional=True),
            Column("password_entry", "password_entry", password_entry, optional=True),
            Column("acknowledged_on", "", iso_date, default=None, optional=True, read_only=True),
        ),
        (_status_fits_platform, _platform_ids_unique),
    ),
}


def _spec(kind: str) -> Spec:
    if kind not in SPECS:
        raise ValueError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    return SPECS[kind]


# --- reading and validating -----------------------------------------------------------------


def _header(spec: Spec, record: list[str] | None) -> tuple[list[str], list[RowError]]:
    """The header's column names, normalised, and what is wrong with it."""
    expected = f"(the header must be: {','.join(spec.names)})"
    if record is None:
        return [], [RowError(1, f"the file is empty {expected}")]
    names = [cell.strip().lower() for cell in record]
    while names and not names[-1]:
        names.pop()
    problems = [
        ("unknown columns", [n or "(no name)" for n in names if n not in spec.names]),
        (
            "missing columns",
            [c.name for c in spec.columns if c.name not in names and not c.optional],
        ),
        ("columns given twice", sorted({n for n in names if n and names.count(n) > 1})),
    ]
    errors = [
        RowError(1, f"{what}: {', '.join(found)} {expected}") for what, found in problems if found
    ]
    return names, errors


def _show(raw: str) -> str:
    return raw if len(raw) <= 60 else raw[:57] + "..."


def _cell(column: Column, raw: str, values: dict[str, Any]) -> Any:
    """The value of one trimmed cell; ValueError with the reason a person can act on."""
    if not raw:
        if column.required:
            raise ValueError(f"{column.name} is empty; it is required")
        return column.default(values) if callable(column.default) else column.default
    try:
        return column.parse(raw)
    except ValueError as exc:
        raise ValueError(f"{column.name} '{_show(raw)}' {exc}") from None


def _row(spec: Spec, line: int, cells: dict[str, str]) -> tuple[_Row, list[RowError]]:
    values: dict[str, Any] = {}
    errors = []
    for column in spec.columns:
        if column.optional and column.name not in cells:
            continue  # an older file without this column: the stored value stays
        try:
            values[column.name] = _cell(column, cells.get(column.name, ""), values)
        except ValueError as exc:
            errors.append(RowError(line, str(exc)))
    return _Row(line, values.get(spec.key.name) or "", values), errors


def _record(
    spec: Spec, names: list[str], line: int, record: list[str]
) -> tuple[_Row, list[RowError]]:
    cells = [from_spreadsheet_cell(cell.strip()) for cell in record]
    row, errors = _row(spec, line, dict(zip(names, cells, strict=False)))
    if any(cells[len(names) :]):
        reason = f"has {len(cells)} values but the header has {len(names)} columns"
        errors.append(RowError(line, f"{reason} (a comma inside a value needs quotes)"))
    return row, errors


def _read(spec: Spec, stream: TextIO) -> tuple[list[_Row], list[RowError]]:
    """Every non-blank row of the file, parsed, and every problem found on the way."""
    reader = csv.reader(io.StringIO(stream.read().removeprefix("\ufeff"), newline=""))
    rows: list[_Row] = []
    line = 1
    try:
        names, errors = _header(spec, next(reader, None))
        line = reader.line_num + 1
        for record in [] if errors else reader:
            if any(cell.strip() for cell in record):
                row, row_errors = _record(spec, names, line, record)
                rows.append(row)
                errors += row_errors
            line = reader.line_num + 1
    except csv.Error as exc:  # a cell over csv.field_size_limit() (128 KiB), a stray quote...
        return rows, [RowError(line, f"the file cannot be read as CSV here ({exc})")]
    return rows, errors


def _references(spec: Spec, kind: str, rows: list[_Row], loaded: Loaded) -> Iterator[RowError]:
    """Cells that must name an org unit or supervisor that exists (or, for orgs, is in the file)."""
    in_file = {row.key for row in rows}
    for column in (c for c in spec.columns if c.ref):
        known = loaded[column.ref].keys() | (in_file if column.ref == kind else set())
        for row in rows:
            value = row.values.get(column.name)
            if value and value not in known:
                yield RowError(row.line, f"{column.name} '{value}' {column.hint}")


def _validate(spec: Spec, kind: str, stream: TextIO, loaded: Loaded) -> list[_Row]:
    rows, errors = _read(spec, stream)
    for row, line in _repeats(rows, lambda row: row.key or None):
        reason = f"duplicate {spec.key.name} '{row.key}' (also on line {line})"
        errors.append(RowError(row.line, reason))
    errors.extend(_references(spec, kind, rows, loaded))
    for check in spec.checks:
        errors.extend(check(rows, loaded))
    if errors:
        raise RegistryError(errors)
    return rows


# --- writing --------------------------------------------------------------------------------


def _load(session: Session) -> Loaded:
    """Every org unit, supervisor and account, by key (a registry is hundreds of rows)."""
    return {
        kind: {getattr(obj, spec.key.attr): obj for obj in session.scalars(select(spec.model))}
        for kind, spec in SPECS.items()
    }


def _apply(obj: Any, spec: Spec, values: dict[str, Any], loaded: Loaded) -> bool:
    """Set the row's values on ``obj``; True if any differed. Read-only columns, and
    optional ones the file leaves out, are never set."""
    fields = {
        c.attr: loaded[c.ref].get(values[c.name]) if c.ref else values[c.name]
        for c in spec.columns
        if not c.read_only and c.name in values
    }
    changed = {attr: value for attr, value in fields.items() if getattr(obj, attr) != value}
    for attr, value in changed.items():
        setattr(obj, attr, value)
    return bool(changed)


def _upsert(
    session: Session, spec: Spec, kind: str, rows: list[_Row], loaded: Loaded
) -> dict[str, int]:
    objects = loaded[kind]
    new = {row.key for row in rows} - objects.keys()
    objects.update({key: spec.model() for key in new})  # so rows may name a later row
    counts = dict.fromkeys(("created", "updated", "unchanged"), 0)
    for row in rows:
        changed = _apply(objects[row.key], spec, row.values, loaded)
        counts["created" if row.key in new else "updated" if changed else "unchanged"] += 1
        session.add(objects[row.key])
    return counts


def import_csv(
    session: Session, kind: str, stream: TextIO, actor: str = "system", source: str = ""
) -> ImportResult:
    """Import a registry CSV of ``kind``: every row valid, or nothing changes.

    Rows are upserted by key (org ``code``, supervisor ``email``, account ``id``); rows absent
    from the file are left alone, and an account's polling state is never touched. One
    ``registry.import`` audit row is added and the session flushed; the caller commits.

    Args:
        session: The database session to write to.
        kind: One of :data:`KINDS`.
        stream: The CSV text; a UTF-8 byte-order mark (Excel) is accepted.
        actor: Who is importing, for the audit log.
        source: Where the file came from (e.g. its path), for the audit log.

    Returns:
        The counts of rows created, updated and unchanged.

    Raises:
        RegistryError: Some rows are invalid; it lists every problem, and nothing was written.
        ValueError: ``kind`` is not one of :data:`KINDS`.
    """
    spec = _spec(kind)
    with session.no_autoflush:
        loaded = _load(session)
        rows = _validate(spec, kind, stream, loaded)
        ignored = _read_only_changes(session, spec, rows)
        counts = _upsert(session, spec, kind, rows, loaded)
    result = ImportResult(**counts, ignored=tuple(ignored))
    _audit(session, actor, kind, source, result)
    session.flush()
    return result


def acknowledged_on(session: Session) -> dict[str, date]:
    """Each owner's newest acknowledgement day (any version), by lower-case e-mail."""
    rows = session.execute(
        select(Acknowledgement.email, func.max(Acknowledgement.acknowledged_at)).group_by(
            Acknowledgement.email
        )
    )
    return {email: at.date() for email, at in rows}


def _read_only_changes(session: Session, spec: Spec, rows: list[_Row]) -> list[str]:
    """A read-only cell given with a value other than Hallwatch's: reported, not imported."""
    columns = [c for c in spec.columns if c.read_only]
    if not columns:
        return []
    known = acknowledged_on(session)
    notes = []
    for row in rows:
        for column in columns:
            given = row.values.get(column.name)
            held = known.get(str(row.values.get("owner_email") or "").lower())
            if given is not None and given != held:
                have = held.isoformat() if held else "none"
                notes.append(
                    f"line {row.line}: {column.name} {given.isoformat()} ignored: only the "
                    f"owner's own confirmation records an acknowledgement (Hallwatch has {have})"
                )
    return notes


def _audit(session: Session, actor: str, kind: str, source: str, result: ImportResult) -> None:
    counts: dict[str, Any] = {
        name: getattr(result, name) for name in ("created", "updated", "unchanged")
    }
    if result.ignored:
        counts["ignored"] = list(result.ignored)
    audit.record(session, actor, "registry.import", kind, source or "<stream>", **counts)


def _text_of(value: Any, column: Column) -> str:
    if column.ref and value is not None:
        value = getattr(value, SPECS[column.ref].key.attr)
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def list_rows(session: Session, kind: str) -> list[dict[str, str]]:
    """The registry rows of ``kind`` as the CSV has them, sorted by key.

    Args:
        session: The database session to read from.
        kind: One of :data:`KINDS`.

    Returns:
        One dict per row, column name to text (dates ISO, empty string for nothing).
    """
    spec = _spec(kind)
    acked = acknowledged_on(session) if any(c.read_only for c in spec.columns) else {}

    def cell(obj: Any, column: Column) -> str:
        if column.name == "acknowledged_on":
            day = acked.get(str(obj.owner_email or "").lower())
            return day.isoformat() if day else ""
        return _text_of(getattr(obj, column.attr), column)

    rows = [
        {c.name: cell(obj, c) for c in spec.columns} for obj in session.scalars(select(spec.model))
    ]
    return sorted(rows, key=lambda row: row[spec.key.name])


def export_csv(session: Session, kind: str, stream: TextIO) -> int:
    """Write the registry rows of ``kind`` as CSV, header first, sorted by key.

    The file imports back unchanged, so a supervisor can export, edit and re-import it. A
    cell a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) is written with a
    leading apostrophe, as the noncompliance report's CSV is; the import removes it again.

    Args:
        session: The database session to read from.
        kind: One of :data:`KINDS`.
        stream: Where the CSV text goes.

    Returns:
        The number of rows written, not counting the header.
    """
    rows = list_rows(session, kind)
    writer = csv.DictWriter(stream, fieldnames=_spec(kind).names, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: spreadsheet_cell(v) for k, v in row.items()} for row in rows)
    return len(rows)


def approve_account(
    session: Session, account_id: int, actor: str, now: datetime, on: date, note: str
) -> bool:
    """Record a supervisor's approval of an account; False if it already was approved.

    Raises:
        ValueError: no such account, or no actor.
    """
    account = session.get(Account, account_id)
    if account is None or not actor.strip():
        raise ValueError("no such account, or nobody named as approving it")
    if account.approval_status == "approved":
        return False
    account.approval_status, account.approved_by, account.approved_on = "approved", actor, on
    audit.record(
        session, actor, "account.approved", "account", account.key, at=now, note=note.strip()
    )
    session.flush()
    return True
