"""The ``pii.student`` text detector: student names, numbers, contact details, birth dates.

Names come from the roster index (:mod:`detectors.roster`; ``context.roster`` None skips
them) and are never flagged for a student with consent on file (``context.consents``).
Patterns (:mod:`detectors.pii_patterns`) need no roster. Word lists are data:
``detectors/data/pii_context.txt`` (a district's copy via :func:`load_pii_context`).

Severity policy (Procedure 417: no personally identifiable student information; DESIGN.md,
"Review, severity and floods"). Critical is delivered at once, so it is kept for an
unambiguous identification:

- critical: a roster student number, whatever its format (matched by its keyed hash), or a
  number after "Student #", "student ID", "PEN"; a full name (also "Schmidt, Emma"),
  preferred + last name or name hashtag/handle in the account's own post, alt text or
  profile, or in a comment that speaks of school or a child (``[school_context]``,
  ``[child_context]``); a first initial + surname ("J. Rivera") with school words near; a
  phone number, e-mail, street address or birth date tied to a child: a named student in the
  text, a child word in the same sentence or within 12 words, or a child's date right after
  "DOB" / "born on".
- high: a full name or tag in a comment with no school or child word (a singer, a player, a
  signature: reviewed, not paged); a first name + last initial ("Emma S.") with school words
  near.
- medium: a first name alone, only with school evidence tied to it (a grade, class or room
  right after it, a grade or student noun right before it, a possessive naming school work:
  see :mod:`detectors.pii_names`), or when the same student is named in full in the text.

Not flagged: a name right after a staff title ("Ms. Patel"; "Mrs. Emma Schmidt" is staff); a
first name read as part of another proper noun ("Valley Christian", "Autumn Reading Club"), a
place ("a trip to Victoria", "Austin, Texas"), a month ("on May 14"), after an article ("a
Hope garden", "a Samuel Adams"), before a chapter and verse ("John 3:16"), written in lower
case in a text that is not; a middle initial ("Richard P. Feynman"); contact details and
dates tied to no child (a shop's address, a spam phone number, an adult's birthday); a year
of birth or a registration cohort ("children born in 2021", "born between Jan 1 and ...",
"turn 5 on or before September 1"); a bare number that merely passes a check digit; the
organisations' own contact details: ``context.org_contacts`` (addresses, phones, e-mails,
websites' hosts) and the older ``context.district_domains``, ``extra["district_domains"]``,
``extra["allow_phones"]``, ``extra["allow_addresses"]`` (a district-domain e-mail whose local
part is a student's full name is still the student's); organisations' e-mails
("riversidepac@...", "admissions@..."); a venue's street address ("Heritage Park, 44140
Luckakuck Way") unless a home word is near; birth dates of people over 25.

Zero-width and bidirectional control characters inside a name are ignored: "Em\\u200bma
Schmidt" matches, and the span covers the characters as written. Only the first 20,000
characters of a text are read and at most 200 findings are returned per item.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from detectors.base import Context, Detector, Finding, ImageItem, Item, Severity, TextItem
from detectors.pii_names import (
    NameFilter,
    PiiWords,
    _chunk_words,
    _word,
    load_pii_context,
    parse_pii_context,
)
from detectors.pii_patterns import (
    AddressRecognizer,
    BirthDateRecognizer,
    EmailRecognizer,
    PatternHit,
    PhoneRecognizer,
    StudentNumberFormat,
    address_key,
    load_student_number_formats,
)
from detectors.roster import Hits, RosterMatch

RULE = "pii.student"
MAX_CHARS = 20_000
MAX_FINDINGS = 200  # per item: a hostile text listing thousands of addresses stops here
Span = tuple[int, int, Hits]
_NAME_SCORE = {"full": 0.95, "tag": 0.9, "initial_last": 0.85, "initial": 0.8, "first": 0.6}
_NAME_WHY = {
    "full": "gives an enrolled student's full name",
    "tag": "tags an enrolled student with a hashtag or handle made from their name",
    "initial": "names an enrolled student by first name and last initial",
    "initial_last": "names an enrolled student by first initial and last name",
    "first": "mentions an enrolled student's first name in a school context",
}
_PATTERN_WHY = {
    "student number": "shows a student number",
    "roster number": "shows an enrolled student's student number",
    "phone number": "shows a phone number that is not a District number",
    "e-mail address": "shows an e-mail address that is not a District address",
    "street address": "shows a street address",
    "birth date": "gives a child's birth date",
}
_DIGIT_RUN = re.compile(r"(\d(?:[\s().\-]{0,3}\d)*)((?:[A-Za-z]|st|nd|rd|th)?\s+[A-Z])?")
_LOCAL_SEPARATORS = re.compile(r"[._+\-\d]+")
_ROSTER_NUMBER = (("format", "roster"), ("context", "yes"))
_SENTENCE = re.compile(r"[.!?]\s|\n")
_TIE_REACH = 12  # words either side of contact details or a date searched for a child
_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?([^/:?#\s]+)", re.IGNORECASE)


class _Source(NamedTuple):
    """Where a text comes from: the item id, its kind, and details to add to its findings."""

    id: str
    kind: str
    details: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Allowed:
    """The district's own contact details, which are never student PII."""

    domains: tuple[str, ...]
    phones: frozenset[str]
    addresses: frozenset[str]
    emails: frozenset[str] = frozenset()


class PiiDetector(Detector):
    """Raises ``pii.student`` for student names, numbers, contact details and birth dates.

    Reads post, comment and profile text (``TextItem``) and photo alt text (``ImageItem``,
    unless ``scan_alt_text`` is False). See the module docstring for the severity policy.

    Args:
        student_number_formats: Formats from :func:`load_student_number_formats` (a
            district's file); None loads the bundled ``student_number_formats.toml``.
        context_words: Word lists from :func:`load_pii_context`; None loads the bundled ones.
        scan_alt_text: Also scan the alt text of photos.
    """

    name = "text.pii"
    version = "2"
    rules = (RULE,)

    def __init__(
        self,
        student_number_formats: Sequence[StudentNumberFormat] | None = None,
        context_words: PiiWords | None = None,
        scan_alt_text: bool = True,
    ) -> None:
        if student_number_formats is None:
            student_number_formats = load_student_number_formats()
        self.formats = tuple(student_number_formats)
        self._format_digits = min((f.min_digits for f in self.formats), default=0)
        self.words = context_words if context_words is not None else load_pii_context()
        self.names = NameFilter(self.words)
        self.scan_alt_text = scan_alt_text
        self._child = set(self.words.child_context)
        self._phone = PhoneRecognizer()
        self._email = EmailRecognizer(self.words.org_email_words)
        self._address, self._birth = AddressRecognizer(), BirthDateRecognizer()
        self._allowed_for: tuple[object, _Allowed] = ((), _Allowed((), frozenset(), frozenset()))

    def detect(self, items: Sequence[Item], context: Context) -> Iterable[Finding]:
        allowed = self._allowed(context)
        found: list[Finding] = []
        for item in items:
            if isinstance(item, TextItem) and item.text:
                found.extend(self._scan(_Source(item.id, item.kind), item.text, context, allowed))
            elif isinstance(item, ImageItem) and self.scan_alt_text and item.alt_text:
                source = _Source(item.id, "alt", (("field", "alt_text"), ("post", item.post_id)))
                found.extend(self._scan(source, item.alt_text, context, allowed))
        return found

    def _allowed(self, context: Context) -> _Allowed:
        orgs = context.org_contacts
        raw = (
            *context.district_domains,
            *context.extra.get("district_domains", ()),
            *(_host(w) for o in orgs for w in o.websites),
        )
        phones = (*context.extra.get("allow_phones", ()), *(p for o in orgs for p in o.phones))
        addresses = (
            *context.extra.get("allow_addresses", ()),
            *(a for o in orgs for a in o.addresses),
        )
        emails = tuple(e for o in orgs for e in o.emails)
        key = (raw, phones, addresses, emails, context.region)
        if self._allowed_for[0] != key:  # parsing phone numbers costs ~4 ms: once per context
            self._allowed_for = (key, self._parse_allowed(*key))
        return self._allowed_for[1]

    def _parse_allowed(
        self, raw: tuple[str, ...], allow_phones: tuple[str, ...], allow_addresses: tuple[str, ...],
        emails: tuple[str, ...], region: str,
    ) -> _Allowed:  # fmt: skip
        domains = tuple(d.strip().lstrip("@").rstrip(".").lower() for d in raw if d.strip())
        phones = (PhoneRecognizer.e164(p, region) for p in allow_phones)
        addresses: set[str] = set()
        for entry in allow_addresses:
            hits = self._address.analyze(entry, frozenset())
            addresses.update(address_key(entry[h.start : h.end]) for h in hits)
            addresses.add(address_key(entry))
        return _Allowed(
            domains,
            frozenset(p for p in phones if p),
            frozenset(addresses),
            frozenset(e.strip().lower() for e in emails if e.strip()),
        )

    def _scan(
        self, source: _Source, raw: str, context: Context, allowed: _Allowed
    ) -> list[Finding]:
        text = raw[:MAX_CHARS]
        roster = context.roster
        quiet = self.words.ambiguous_first_names
        matches = roster.match_spans(text, quiet) if roster is not None else []
        plausible: list[tuple[int, int]] = []  # first names with no school evidence
        found = self._names(source, text, matches, context.consents, plausible) if matches else []
        digit = _has_digit(text)
        hits = self._patterns(text, context, allowed, digit) if digit or "@" in text else []
        if hits:
            named = bool(found)
            for hit in hits:
                if hit.label == "student number" or named or self._tied(text, hit):
                    found.append(self._pattern_finding(source, hit, Severity.CRITICAL))
                elif any(_same_sentence(text, a, hit.start, hit.end) for a, _ in plausible):
                    found.append(self._pattern_finding(source, hit, Severity.HIGH))
        return found[:MAX_FINDINGS]

    def _tied(self, text: str, hit: PatternHit) -> bool:
        """Contact details or a date tied to a child: a child or student word in the same
        sentence or within 12 words, or (a date) a child's year right after "DOB", "born on"."""
        if ("tight", "yes") in hit.evidence or ("student", "yes") in hit.evidence:
            return True  # "DOB: 14/05/2016"; a district e-mail named after a student
        before = text[max(0, hit.start - 160) : hit.start]
        after = text[hit.end : hit.end + 160]
        cuts = [m.end() for m in _SENTENCE.finditer(before)]
        left = before[cuts[-1] if cuts else 0 :].split()[-_TIE_REACH:]
        stop = _SENTENCE.search(after)
        right = after[: stop.start() if stop else len(after)].split()[:_TIE_REACH]
        child = self._child
        return any(not child.isdisjoint(_chunk_words(c)) for c in left + right)

    def _patterns(
        self, text: str, context: Context, allowed: _Allowed, digit: bool | None = None
    ) -> list[PatternHit]:
        """Every recognizer behind a cheap gate: most texts have no long digit run.

        ``digit``: whether ``text`` holds a digit, when the caller knows.
        """
        hits: list[PatternHit] = []
        if _has_digit(text) if digit is None else digit:
            lower = text.lower()
            digits, address = _number_facts(text)
            roster = context.roster
            if roster is not None and digits >= roster.fewest_digits:
                hits.extend(
                    PatternHit(a, b, "student number", 0.99, _ROSTER_NUMBER)
                    for a, b, _ in roster.match_numbers(text)
                )
            if digits >= self._format_digits:  # no format's gate opens on a shorter run
                for fmt in self.formats:
                    if fmt.gate(digits, lower):
                        hits.extend(
                            h for h in fmt.analyze(text) if ("context", "yes") in h.evidence
                        )
            if digits >= 7:
                hits.extend(self._phone.analyze(text, context.region, allowed.phones))
            if address:
                hits.extend(self._address.analyze(text, allowed.addresses))
            if _mentions_birth(lower):
                hits.extend(self._birth.analyze(text, context.now.year))
        if "@" in text:
            hits.extend(
                h
                for h in self._email.analyze(text, allowed.domains)
                if text[h.start : h.end].lower() not in allowed.emails
            )
        if not hits:
            return hits
        return _without_overlaps([self._marked(h) for h in hits if self._keep(h, text, context)])

    def _keep(self, hit: PatternHit, text: str, context: Context) -> bool:
        """Drop a venue's street address and a district e-mail that is not a student's."""
        if hit.label == "street address":
            return not self._venue(text, hit)
        if hit.label == "e-mail address" and ("district", "yes") in hit.evidence:
            local = text[hit.start : hit.end].split("@", 1)[0]
            spans = (
                context.roster.match_spans(_LOCAL_SEPARATORS.sub(" ", local))
                if context.roster
                else []
            )
            return any(hits[0][1] in ("full", "tag") for _, _, hits in spans)  # "emma.schmidt@"
        return True

    def _marked(self, hit: PatternHit) -> PatternHit:
        """A kept district e-mail is a student's own account: tied to that student."""
        if hit.label == "e-mail address" and ("district", "yes") in hit.evidence:
            return hit._replace(evidence=(*hit.evidence, ("student", "yes")))
        return hit

    def _venue(self, text: str, hit: PatternHit) -> bool:
        """A capitalised venue word ("Heritage Park, ...") just before the address, in the
        same sentence, with no unit number and no word of a home near it."""
        head = text[max(0, hit.start - 60) : hit.start]
        cut = max(head.rfind(". "), head.rfind("! "), head.rfind("? "), head.rfind("\n"))
        chunks = head[cut + 1 :].split()[-6:]
        venues = self.words.venue_words
        if not any(c[:1].isupper() and _word(c) in venues for c in chunks):
            return False
        if text[hit.start : hit.end][:1].isalpha() or "-" in text[hit.start : hit.end][:8]:
            return False  # "Unit 5, 880 ...", "5-1234 ...": a home
        near = text[max(0, hit.start - 80) : hit.end + 80].split()
        homes = self.words.residence_words
        return not any(not homes.isdisjoint(_chunk_words(c)) for c in near)

    def _names(
        self, source: _Source, text: str, matches: list[Span], consents: frozenset[str],
        plausible: list[tuple[int, int]],
    ) -> list[Finding]:  # fmt: skip
        """Findings for roster matches: consent, staff titles and the evidence each form needs."""
        spans = []
        for start, end, hits in matches:
            if consents:  # hits stay strongest form first
                hits = tuple(h for h in hits if h[0] not in consents)
            if hits:
                spans.append((start, end, hits))
        named = {hits[0][0] for _, _, hits in spans if hits[0][1] in ("full", "tag")}
        school: bool | None = None  # whether the text speaks of school: read once, if needed
        found = []
        for start, end, hits in spans:
            form = hits[0][1]
            in_full = bool(named) and any(sid in named for sid, _ in hits)
            if self.names.is_staff(text, start):
                continue
            if form == "first":
                reading = self.names.first_name(text, start, end, in_full, source.kind != "comment")
                if reading != "student":
                    if reading:
                        plausible.append((start, end))
                    continue
                severity: Severity = Severity.MEDIUM
            elif form in ("initial", "initial_last"):
                own = form == "initial" and source.kind != "comment"
                if not self.names.initial_ok(text, start, end, own):
                    continue
                severity = Severity.CRITICAL if form == "initial_last" else Severity.HIGH
            else:
                if not self.names.full_name_ok(text, start, end, form):
                    continue
                if school is None:  # the account's own words name the student: critical
                    school = source.kind != "comment" or self.names.about_school(text)
                severity = Severity.CRITICAL if school else Severity.HIGH
            match = RosterMatch(start, end, *hits[0])
            found.append(self._name_finding(source, match, len(hits), in_full, severity))
        return found

    def _name_finding(
        self, source: _Source, match: RosterMatch, candidates: int, in_full: bool,
        severity: Severity,
    ) -> Finding:  # fmt: skip
        first = match.form == "first"
        score = 0.7 if first and in_full else _NAME_SCORE.get(match.form, 0.6)
        why = _NAME_WHY.get(match.form, _NAME_WHY["full"])
        explanation = (
            f"This {_noun(source.kind)} {why}, and no consent is on file for that student; "
            "remove the name or record the consent."
        )
        details = {
            "label": "student name",
            "entity": "STUDENT_NAME",
            "student": match.student_key,
            "form": match.form,
            "candidates": candidates,
            **dict(source.details),
        }
        return self.finding(
            RULE, severity, explanation, source.id, subject=source.id,
            start=match.start, end=match.end, score=score, details=details,
        )  # fmt: skip

    def _pattern_finding(self, source: _Source, hit: PatternHit, severity: Severity) -> Finding:
        roster = ("format", "roster") in hit.evidence
        why = _PATTERN_WHY["roster number" if roster else hit.label]
        where = ""
        if hit.label not in ("student number", "birth date"):
            where = (
                " about a student or child"
                if severity == Severity.CRITICAL
                else " next to a name that may be a student's"
            )
        explanation = f"This {_noun(source.kind)} {why}{where}; remove it."
        details = {"label": hit.label, "about_student": severity == Severity.CRITICAL}
        details.update(dict(hit.evidence))
        details.update(source.details)
        return self.finding(
            RULE, severity, explanation, source.id, subject=source.id,
            start=hit.start, end=hit.end, score=hit.score, details=details,
        )  # fmt: skip


def _same_sentence(text: str, at: int, start: int, end: int) -> bool:
    """Whether offset ``at`` and the span ``start:end`` share a sentence (no ". " between)."""
    lo, hi = (at, start) if at < start else (end, at)
    return hi - lo < 200 and _SENTENCE.search(text, lo, hi) is None


def _host(website: str) -> str:
    """The host of a website URL or bare host name ("https://www.x.org/a" -> "x.org")."""
    m = _HOST.match(website.strip())
    return m.group(1).lower() if m else ""


def _has_digit(text: str) -> bool:
    """Substring tests: several times faster than a regex scan or a generator here."""
    return (
        "0" in text or "1" in text or "2" in text or "3" in text or "4" in text
        or "5" in text or "6" in text or "7" in text or "8" in text or "9" in text
    )  # fmt: skip


def _mentions_birth(lower: str) -> bool:
    return (
        "born" in lower or "birth" in lower or "bday" in lower or "b-day" in lower
        or "dob" in lower or "d.o.b" in lower or "turn" in lower
    )  # fmt: skip


def _without_overlaps(hits: list[PatternHit]) -> list[PatternHit]:
    """Drop hits overlapping an earlier one (recognizer order: a PEN is not also a phone)."""
    starts: list[int] = []
    kept: list[PatternHit] = []
    for hit in hits:
        i = bisect.bisect_right(starts, hit.start)
        if i and kept[i - 1].end > hit.start or i < len(kept) and kept[i].start < hit.end:
            continue
        starts.insert(i, hit.start)
        kept.insert(i, hit)
    return kept


def _number_facts(text: str) -> tuple[int, bool]:
    """One scan for the gates: the longest digit run, and whether a number could start an
    address (a capitalised word after it)."""
    digits, address = 0, False
    for run, after in _DIGIT_RUN.findall(text):
        address = address or bool(after)
        if len(run) > digits:
            digits = max(digits, len(run) if run.isdigit() else sum(map(str.isdigit, run)))
    return digits, address


def _noun(kind: str) -> str:
    return {"comment": "comment", "profile": "profile", "alt": "photo description"}.get(
        kind, "post"
    )


PII_DETECTORS: tuple[Detector, ...] = (PiiDetector(),)

__all__ = [
    "MAX_FINDINGS",
    "PII_DETECTORS",
    "RULE",
    "NameFilter",
    "PiiDetector",
    "PiiWords",
    "load_pii_context",
    "parse_pii_context",
]
