"""The student roster and media-release consents, stored only as keyed hashes.

``hallwatch roster import`` reads the CSV a student information system exports, hashes
every normalised name form with HMAC under a key derived from the secret key (kept
outside the database), and replaces the stored roster with those hashes in one
transaction. Nothing of the raw file is kept. ``hallwatch consent import`` records each
student's media release by keyed student number.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from detectors.roster import RosterIndex, digest, index_forms, number_forms, student_key
from monitor.core.keys import derived_key, derived_keys
from monitor.core.progress import SILENT, Progress
from monitor.core.settings import Settings
from monitor.storage import audit
from monitor.storage.models import Consent, RosterEntry

FIELDS = (
    "student_number",
    "legal_first_name",
    "legal_last_name",
    "preferred_first_name",
    "school",
    "grade",
)
REQUIRED = ("student_number", "legal_first_name", "legal_last_name")
# Header names student information systems commonly export, normalised (lowercase, no
# punctuation); "PEN" is British Columbia's Personal Education Number.
ALIASES: dict[str, tuple[str, ...]] = {
    "student_number": (
        "student number",
        "student no",
        "student id",
        "studentid",
        "pupil number",
        "pupil no",
        "pupil id",
        "pen",
        "student",
        "local id",
        "sis id",
        "number",
    ),
    "legal_first_name": (
        "legal first name",
        "first name",
        "firstname",
        "given name",
        "legal given name",
        "forename",
    ),
    "legal_last_name": (
        "legal last name",
        "last name",
        "lastname",
        "surname",
        "family name",
        "legal surname",
        "legal family name",
    ),
    "preferred_first_name": (
        "preferred first name",
        "preferred name",
        "usual first name",
        "usual name",
        "nickname",
        "known as",
        "chosen name",
    ),
    "school": ("school", "school name", "school code", "school number", "building"),
    "grade": ("grade", "grade level", "year", "year group", "homeroom grade"),
}
CONSENT_FIELDS: dict[str, tuple[str, ...]] = {
    "student_number": ALIASES["student_number"],
    "media_release": (
        "media release",
        "media consent",
        "photo consent",
        "consent",
        "photo release",
        "foip consent",
        "release",
    ),
}
YES = {"yes", "y", "true", "1", "granted", "x"}
NO = {"no", "n", "false", "0", "denied", "refused", ""}


class RosterError(Exception):
    """A roster or consent file cannot be imported; lists each bad line. Nothing changed."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(
            "\n".join([*errors, "Nothing was imported; fix the file and import it again."])
        )
        self.errors = errors


ROSTER_KEY_INFO = b"hallwatch roster v1"
CHUNK = 2000  # rows per INSERT or flush while importing (and per step of a progress bar)
KEY_CHECK = "key-check"  # the form of the one stored row that says which key hashed the roster
_KEY_CHECK_TEXT = "\x00hallwatch roster key check"  # no text's words ever hash to this


def roster_key(settings: Settings) -> bytes:
    """The HMAC key for names and student numbers (derived from the secret key)."""
    return derived_key(settings, ROSTER_KEY_INFO)


class RosterKeyError(Exception):
    """The stored roster was hashed with a secret key that is no longer configured."""


def _norm_header(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower().replace("\ufeff", "")).strip()


def parse_columns(spec: str) -> dict[str, str]:
    """``--columns "student_number=Pupil ID,legal_first_name=Given"`` -> field: header."""
    mapping: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        field_name, sep, header = part.partition("=")
        if not sep or field_name.strip() not in FIELDS + ("media_release",):
            raise RosterError(
                [f"--columns: {part!r} is not FIELD=Header (fields: {', '.join(FIELDS)})"]
            )
        mapping[field_name.strip()] = header.strip()
    return mapping


def _header_map(
    headers: list[str],
    wanted: Mapping[str, tuple[str, ...]],
    required: Iterable[str],
    columns: Mapping[str, str],
) -> dict[str, int]:
    normalised = [_norm_header(h) for h in headers]
    found: dict[str, int] = {}
    for field_name, aliases in wanted.items():
        names = (_norm_header(columns[field_name]),) if field_name in columns else aliases
        for name in names:
            if name in normalised:
                found[field_name] = normalised.index(name)
                break
    missing = [f for f in required if f not in found]
    if missing:
        raise RosterError(
            [
                f"line 1: no column for {', '.join(missing)}; the header has {', '.join(headers)}. "
                'Name the columns with --columns "student_number=Your Header,..."'
            ]
        )
    return found


def _rows(
    stream: TextIO,
    wanted: Mapping[str, tuple[str, ...]],
    required: Iterable[str],
    columns: Mapping[str, str],
) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.reader(stream)
    try:
        headers = next(reader, None)
        if not headers:
            raise RosterError(["line 1: the file is empty"])
        where = _header_map(headers, wanted, required, columns)
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            cells = {f: (record[i].strip() if i < len(record) else "") for f, i in where.items()}
            yield reader.line_num, cells
    except csv.Error as exc:  # a cell over csv.field_size_limit() (128 KiB), a stray quote...
        line = reader.line_num or 1
        raise RosterError([f"line {line}: the file cannot be read as CSV here ({exc})"]) from None


def read_rows(
    stream: TextIO, columns: Mapping[str, str] | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each student in a roster CSV, by the SIS header aliases."""
    return _rows(stream, ALIASES, REQUIRED, columns or {})


@dataclass(frozen=True)
class RosterResult:
    """What a roster import stored (counts only: nothing identifying)."""

    students: int
    hashes: int


def import_roster(
    session: Session,
    settings: Settings,
    stream: TextIO,
    actor: str,
    now: datetime,
    columns: Mapping[str, str] | None = None,
    source: str = "",
    progress: Progress = SILENT,
) -> RosterResult:
    """Replace the stored roster with the keyed hashes of ``stream``'s students.

    Raises:
        RosterError: listing every bad line; nothing is changed then.
    """
    key = roster_key(settings)
    entries: set[tuple[str, str, str, str]] = set()
    errors: list[str] = []
    seen: dict[str, int] = {}
    students = 0
    for line, row in read_rows(stream, columns):
        problem = _check_student(row, seen, line)
        if problem:
            errors.append(problem)
            continue
        students += 1
        sid_raw = row["student_number"]
        sid = student_key(key, sid_raw)
        forms = index_forms(
            row["legal_first_name"], row["legal_last_name"], row.get("preferred_first_name", "")
        )
        entries.update(
            (digest(key, text), sid, form, row.get("school", "")[:40]) for form, text in forms
        )
        # how many digits the district's student numbers have (markers, no student key)
        entries.update((digest(key, text), "", form, "") for form, text in number_forms(sid_raw))
    if errors:
        raise RosterError(errors)
    session.execute(delete(RosterEntry))
    rows = [
        {"digest": d, "student_key": s, "form": f, "school": sc} for d, s, f, sc in sorted(entries)
    ]
    progress.stage("Storing keyed hashes", len(rows))
    for start in range(0, len(rows), CHUNK):  # one multi-row INSERT per chunk, not per row
        session.execute(insert(RosterEntry), rows[start : start + CHUNK])
        progress.advance(len(rows[start : start + CHUNK]))
    session.add(RosterEntry(digest=digest(key, _KEY_CHECK_TEXT), student_key="", form=KEY_CHECK))
    audit.record(
        session,
        actor,
        "roster.imported",
        "roster",
        source,
        at=now,
        students=students,
        hashes=len(entries),
    )
    return RosterResult(students, len(entries))


def _check_student(row: dict[str, str], seen: dict[str, int], line: int) -> str:
    for field_name in REQUIRED:
        if not row.get(field_name):
            return f"line {line}: {field_name} is empty"
    number = row["student_number"]
    if number in seen:
        return f"line {line}: student number appears twice (also on line {seen[number]})"
    seen[number] = line
    return ""


def read_consents(
    key: bytes, stream: TextIO, columns: Mapping[str, str] | None = None
) -> dict[str, bool]:
    """Each student's media release (keyed student id -> yes), read from a consent CSV.

    Raises:
        RosterError: listing every bad line.
    """
    decided: dict[str, bool] = {}
    errors: list[str] = []
    for line, row in _rows(stream, CONSENT_FIELDS, CONSENT_FIELDS, columns or {}):
        answer = row["media_release"].lower()
        if not row["student_number"]:
            errors.append(f"line {line}: student_number is empty")
        elif answer not in YES | NO:
            errors.append(f"line {line}: media_release {row['media_release']!r} is not yes or no")
        else:
            decided[student_key(key, row["student_number"])] = answer in YES
    if errors:
        raise RosterError(errors)
    return decided


def import_consents(
    session: Session,
    settings: Settings,
    stream: TextIO,
    actor: str,
    now: datetime,
    columns: Mapping[str, str] | None = None,
    source: str = "",
    progress: Progress = SILENT,
) -> int:
    """Record each student's media release (yes or no); return how many rows.

    Raises:
        RosterError: listing every bad line; nothing is changed then.
    """
    decided = read_consents(roster_key(settings), stream, columns)
    known = {c.student_key: c for c in session.scalars(select(Consent))}
    progress.stage("Recording media releases", len(decided))
    done = 0
    for number, (sid, release) in enumerate(decided.items(), start=1):
        row_ = known.get(sid) or Consent(student_key=sid, media_release=release, recorded_at=now)
        row_.media_release, row_.recorded_at, row_.source = release, now, source[:300]
        session.add(row_)
        if number % CHUNK == 0 or number == len(decided):
            session.flush()  # written as it goes, so the bar tells the truth
            progress.advance(number - done)
            done = number
    audit.record(
        session,
        actor,
        "consent.imported",
        "consents",
        source,
        at=now,
        rows=len(decided),
        releases=sum(decided.values()),
    )
    return len(decided)


def roster_version(session: Session) -> str:
    """Changes whenever the stored roster or consents change (for caching the index)."""
    parts = [
        session.scalar(select(func.count(RosterEntry.id))),
        session.scalar(select(func.max(RosterEntry.id))),
        session.scalar(select(func.max(Consent.recorded_at))),
        session.scalar(select(func.count(Consent.id))),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def load_index(session: Session, settings: Settings) -> tuple[RosterIndex | None, frozenset[str]]:
    """The roster index and the students with a media release, from the store.

    The index uses the key the roster was imported with: the current secret key's, or
    during a key rotation a previous one's (see :func:`stored_key`).

    Raises:
        RosterKeyError: no configured key hashed the stored roster.
    """
    grouped: dict[str, list[tuple[str, str]]] = {}
    checks: set[str] = set()
    for d, sid, form in session.execute(
        select(RosterEntry.digest, RosterEntry.student_key, RosterEntry.form)
    ):
        if form == KEY_CHECK:
            checks.add(d)
        else:
            grouped.setdefault(d, []).append((sid, form))
    consents = frozenset(
        session.scalars(select(Consent.student_key).where(Consent.media_release.is_(True)))
    )
    index = RosterIndex(stored_key(settings, checks), grouped) if grouped else None
    return index, consents


def stored_key(settings: Settings, checks: set[str]) -> bytes:
    """Which configured key hashed the stored roster (its key-check row says)."""
    keys = derived_keys(settings, ROSTER_KEY_INFO)
    if not checks:
        return keys[0]  # imported before key-check rows existed: the key of its day
    for key in keys:
        if digest(key, _KEY_CHECK_TEXT) in checks:
            return key
    raise RosterKeyError(
        "the stored student roster was imported under a secret key that is no longer "
        "configured, so no student name can be recognised: put the old key back in "
        "previous_secret_keys (HALLWATCH_PREVIOUS_SECRET_KEYS), or import the roster and "
        "consent files again (hallwatch roster import FILE; hallwatch consent import FILE)"
    )


def roster_on_old_key(session: Session, settings: Settings) -> bool:
    """Whether the stored roster is keyed with a previous secret key (re-import it)."""
    checks = set(session.scalars(select(RosterEntry.digest).where(RosterEntry.form == KEY_CHECK)))
    return bool(checks) and digest(roster_key(settings), _KEY_CHECK_TEXT) not in checks
