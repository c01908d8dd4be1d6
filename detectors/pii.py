"""The ``pii.student`` text detector: student names, numbers, contact details, birth dates.

Names come from the roster index (:mod:`detectors.roster`; ``context.roster`` None skips
them) and are never flagged for a student with consent on file (``context.consents``).
Patterns (:mod:`detectors.pii_patterns`) need no roster. Word lists are data:
``detectors/data/pii_context.txt`` (a district's copy via :func:`load_pii_context`).

Severity policy (Procedure 417: no personally identifiable student information):

- critical: a student's full name (also "Schmidt, Emma"), preferred + last name, name
  hashtag/handle, first name + last initial ("Emma S."); a student number (a bare nine
  digits that only pass the PEN check digit, with no student word near, are high); a birth
  date tied to a child (a child in the text, or a year that makes the person 18 or under); a
  phone number, e-mail or street address in a text about a student or child (a
  ``[child_context]`` word, or any roster name in the text).
- high: a student's first name alone, counted only with school or child words near it (same
  sentence or within 8 words) or when the same student is named in full in the text; a phone
  number, e-mail or street address with no student or child near: contact details on a
  school account are someone's (often a parent's) and are flagged for review.

Not flagged: a name right after a staff title ("Ms. Patel"; "Mrs. Emma Schmidt" is staff); a
first name read as part of another proper noun ("Valley Christian", "Michael Jordan"), a place
("a trip to Victoria", "Austin, Texas"), a month ("on May 14", "Jun. 13"), after an article
("a Hope garden"); everyday words that are names ("our class will", "Will you...") unless
capitalised mid-sentence; the district's own contact details: e-mails on
``context.district_domains`` / ``context.extra["district_domains"]`` (unless the address is a
student's own account, its local part a roster name), ``extra["allow_phones"]``,
``extra["allow_addresses"]``; organisations' e-mails ("riversidepac@..."); a venue's street
address ("Heritage Park, 44140 Luckakuck Way") unless a home word is near; birth dates of
people over 25.

Zero-width and bidirectional control characters inside a name are ignored: "Em\\u200bma
Schmidt" matches, and the span covers the characters as written. Only the first 20,000
characters of a text are read and at most 200 findings are returned per item.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from detectors.base import Context, Detector, Finding, ImageItem, Item, Severity, TextItem
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
from detectors.roster import Hits, RosterMatch, normalise_token

RULE = "pii.student"
MAX_CHARS = 20_000
MAX_FINDINGS = 200  # per item: a hostile text listing thousands of addresses stops here
Span = tuple[int, int, Hits]
_NAME_SCORE = {"full": 0.95, "tag": 0.9, "initial": 0.85, "first": 0.6}
_NAME_WHY = {
    "full": "gives an enrolled student's full name",
    "tag": "tags an enrolled student with a hashtag or handle made from their name",
    "initial": "names an enrolled student by first name and last initial",
    "first": "mentions an enrolled student's first name in a school context",
}
_PATTERN_WHY = {
    "student number": "shows a student number",
    "phone number": "shows a phone number that is not a District number",
    "e-mail address": "shows an e-mail address outside the District's domains",
    "street address": "shows a street address",
    "birth date": "gives a child's birth date",
}
_WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
# Digits (maybe with separators), then what could make them a house number: "12 Main".
_DIGIT_RUN = re.compile(r"(\d(?:[\s().\-]{0,3}\d)*)((?:[A-Za-z]|st|nd|rd|th)?\s+[A-Z])?")
_ENDS = frozenset('.!?:;\u2022*"\u201c(')  # a word ending (or starting) with one ends a sentence
_PUNCT = "!\"#$%&()*+,./:;<=>?@[\\]^_`{|}~\u2018\u2019\u201c\u201d\u2026\u2013\u2014\u2022'-"
_DAY_NUMBER = re.compile(r"\d{1,2}(?:st|nd|rd|th)?")
_MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_DAY_AFTER = re.compile(r"\.?,?\s+\d{1,2}(?:st|nd|rd|th)?\b")  # "May 14", "Jun. 13"
_ARTICLES = frozenset({"a", "an", "the"})
_LOCAL_SEPARATORS = re.compile(r"[._+\-\d]+")
_CONTEXT_REACH = 8  # words either side of a first name searched for school context


@dataclass(frozen=True)
class PiiWords:
    """The word lists of ``pii_context.txt``, normalised (one frozenset per section)."""

    school_context: frozenset[str] = frozenset()
    child_context: frozenset[str] = frozenset()
    staff_titles: frozenset[str] = frozenset()
    ambiguous_first_names: frozenset[str] = frozenset()
    place_prepositions: frozenset[str] = frozenset()
    travel_words: frozenset[str] = frozenset()
    greetings: frozenset[str] = frozenset()
    function_words: frozenset[str] = frozenset()
    place_names: frozenset[str] = frozenset()
    venue_words: frozenset[str] = frozenset()
    residence_words: frozenset[str] = frozenset()
    org_email_words: frozenset[str] = frozenset()


def parse_pii_context(text: str) -> PiiWords:
    """Parse the ``[section]`` word-list format of ``pii_context.txt``; unknown sections fail."""
    known = {f.name for f in fields(PiiWords)}
    sections: dict[str, set[str]] = {}
    current = ""
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            if current not in known:
                raise ValueError(f"pii context: unknown section [{current}]")
            sections.setdefault(current, set())
        elif line and current:
            sections[current].add(normalise_token(line))
    return PiiWords(**{k: frozenset(v) for k, v in sections.items()})


def load_pii_context(path: str | Path | None = None) -> PiiWords:
    """Load the word lists from ``path`` (a district's copy), or the bundled file when None."""
    if path is None:
        data = resources.files("detectors").joinpath("data")
        # The French words (pii_context.fr.txt) join the same sections: names are names.
        raw = "\n".join(
            data.joinpath(name).read_text(encoding="utf-8")
            for name in ("pii_context.txt", "pii_context.fr.txt")
        )
    else:
        raw = Path(path).read_text(encoding="utf-8")
    return parse_pii_context(raw)


def _words_regex(words: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(sorted((re.escape(w) for w in words if w), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives or '(?!)'})(?!\w)", re.IGNORECASE)


class NameFilter:
    """Decides whether a roster match is a student: staff titles, places, proper nouns, context.

    Args:
        words: The word lists (school context, staff titles, ambiguous names, places).
    """

    def __init__(self, words: PiiWords) -> None:
        self.words = words
        titles = "|".join(re.escape(t) for t in sorted(words.staff_titles, key=len, reverse=True))
        self._title = re.compile(rf"(?<![\w.])({titles or '(?!)'})(\.?)\s+$", re.IGNORECASE)
        self._loose = (
            words.school_context | words.child_context | words.greetings | words.function_words
        )
        self._context = words.school_context | words.child_context

    def is_staff(self, text: str, start: int) -> bool:
        """Whether a title ("Ms.", "Coach", "Principal") stands right before ``start``."""
        m = self._title.search(text, max(0, start - 32), start)
        return m is not None and (m.group(1)[0].isupper() or m.group(2) == ".")

    def first_name_ok(self, text: str, start: int, end: int, named: bool) -> bool:
        """Whether a first name alone reads as a student (``named``: named in full nearby)."""
        word = text[start:end]
        norm = normalise_token(word)
        if norm in self.words.ambiguous_first_names and (
            not word[:1].isupper() or _starts_sentence(text, start)
        ):
            return False
        near = _Neighbours.around(text, start, end)
        if self._date_or_place(norm, near, text, end):
            return False
        if not word.isupper() and self._compound(near):
            return False
        return named or self._near_context(text, start, end)

    def _date_or_place(self, norm: str, near: _Neighbours, text: str, end: int) -> bool:
        """ "on May 14", "Jun. 13", "14th of June"; "in Victoria", "a trip to Chelsea",
        "Austin, Texas"; and "a Hope garden" (an article never precedes a child's name)."""
        if norm in _MONTHS and (
            _DAY_AFTER.match(text, end) or any(_DAY_NUMBER.fullmatch(w) for w in near.before)
        ):
            return True
        prev = near.before[0].casefold()
        if prev in self.words.place_prepositions or prev in _ARTICLES:
            return True
        travel = normalise_token(near.before[1]) in self.words.travel_words
        if prev in ("to", "for") and travel:
            return True
        return norm in self.words.place_names and near.comma_place

    def _compound(self, near: _Neighbours) -> bool:
        """Part of a longer proper noun: "Valley Christian", "Emma Watson", "Terry Fox Run"."""
        nxt, prev = near.next, near.before[0]
        if near.next_direct and nxt[:1].isupper() and nxt != "I" and _word(nxt) not in self._loose:
            return True
        if not near.prev_direct or not prev[:1].isupper() or _word(prev) in self._loose:
            return False
        # A capitalised verb opening the sentence ("Selling Rohan's uniform") is not a name.
        return not (near.prev_initial and prev.lower().endswith(("ing", "ed")))

    def _near_context(self, text: str, start: int, end: int) -> bool:
        """School or child words in the same sentence or within 8 words either side."""
        before, after = text[max(0, start - 200) : start], text[end : end + 200]
        cut = max(before.rfind(". "), before.rfind("! "), before.rfind("? "), before.rfind("\n"))
        left = before[cut + 1 :].split()
        if len(left) < _CONTEXT_REACH:
            left = before.split()[-_CONTEXT_REACH:]
        stops = [i for i in (after.find(". "), after.find("! "), after.find("? ")) if i >= 0]
        right = after[: min(stops, default=len(after))].split()
        if len(right) < _CONTEXT_REACH:
            right = after.split()[:_CONTEXT_REACH]
        context = self._context
        return any(not context.isdisjoint(_chunk_words(c)) for c in left + right)


@lru_cache(maxsize=65536)
def _chunk_words(chunk: str) -> frozenset[str]:
    """The normalised words of a whitespace-free chunk, hyphenated parts included."""
    words = {normalise_token(w) for w in _WORD.findall(chunk)}
    return frozenset(words | {p for w in words if "-" in w for p in w.split("-")})


@lru_cache(maxsize=65536)
def _word(chunk: str) -> str:
    return normalise_token(chunk.strip(_PUNCT))


class _Neighbours(NamedTuple):
    """The words around a name, read from whitespace-split chunks (cheap, no regex)."""

    before: tuple[str, str]  # previous word, the one before it ("" when none)
    next: str
    prev_direct: bool  # only spaces between the previous word and the name
    comma_place: bool  # ", Texas": a comma then a capitalised word
    prev_initial: bool  # the previous word opens a sentence
    next_direct: bool

    @staticmethod
    def around(text: str, start: int, end: int) -> _Neighbours:
        head = text[max(0, start - 64) : start]
        chunks = head.split()
        own = chunks.pop() if chunks and not head[-1:].isspace() else ""
        gap = head[len(head.rstrip()) :] if not own else ""
        prev_chunks = chunks[-3:]
        words = [c.strip(_PUNCT) for c in prev_chunks]
        prev = words[-1] if words else ""
        tail = text[end : end + 40]
        nxt = tail.split(None, 1)[0] if tail[:1] in (" ", "\t") and tail.strip() else ""
        return _Neighbours(
            before=(prev, words[-2] if len(words) > 1 else ""),
            next=nxt.strip(_PUNCT),
            prev_direct=bool(prev)
            and not own
            and prev_chunks[-1][-1].isalnum()
            and "\n" not in gap,
            comma_place=tail[:1] == "," and tail[1:2] == " " and tail[2:3].isupper(),
            prev_initial=len(words) < 2 or prev_chunks[-2][-1] in _ENDS,
            next_direct=bool(nxt) and nxt[0].isalnum(),
        )


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
    version = "1"
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
        self.words = context_words if context_words is not None else load_pii_context()
        self.names = NameFilter(self.words)
        self.scan_alt_text = scan_alt_text
        self._child = _words_regex(self.words.child_context)
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
        raw = (*context.district_domains, *context.extra.get("district_domains", ()))
        phones = tuple(context.extra.get("allow_phones", ()))
        addresses = tuple(context.extra.get("allow_addresses", ()))
        key = (raw, phones, addresses, context.region)
        if self._allowed_for[0] != key:  # parsing phone numbers costs ~4 ms: once per context
            self._allowed_for = (key, self._parse_allowed(raw, phones, addresses, context.region))
        return self._allowed_for[1]

    def _parse_allowed(
        self, raw: tuple[str, ...], allow_phones: tuple[str, ...], allow_addresses: tuple[str, ...],
        region: str,
    ) -> _Allowed:  # fmt: skip
        domains = tuple(d.strip().lstrip("@").rstrip(".").lower() for d in raw if d.strip())
        phones = (PhoneRecognizer.e164(p, region) for p in allow_phones)
        addresses: set[str] = set()
        for entry in allow_addresses:
            hits = self._address.analyze(entry, frozenset())
            addresses.update(address_key(entry[h.start : h.end]) for h in hits)
            addresses.add(address_key(entry))
        return _Allowed(domains, frozenset(p for p in phones if p), frozenset(addresses))

    def _scan(
        self, source: _Source, raw: str, context: Context, allowed: _Allowed
    ) -> list[Finding]:
        text = raw[:MAX_CHARS]
        roster = context.roster
        quiet = self.words.ambiguous_first_names
        matches = roster.match_spans(text, quiet) if roster is not None else []
        found = self._names(source, text, matches, context.consents) if matches else []
        hits = self._patterns(text, context, allowed)
        if hits:
            about_child = bool(matches) or self._child.search(text) is not None
            if not about_child:  # a birth date needs a child: the text's, or its year's
                hits = [
                    h for h in hits if h.label != "birth date" or ("minor", "yes") in h.evidence
                ]
            found.extend(self._pattern_finding(source, h, about_child) for h in hits)
        return found[:MAX_FINDINGS]

    def _patterns(self, text: str, context: Context, allowed: _Allowed) -> list[PatternHit]:
        """Every recognizer behind a cheap gate: most texts have no long digit run."""
        hits: list[PatternHit] = []
        if _has_digit(text):
            lower = text.lower()
            digits, address = _number_facts(text)
            for fmt in self.formats:
                if fmt.gate(digits, lower):
                    hits.extend(fmt.analyze(text))
            if digits >= 7:
                hits.extend(self._phone.analyze(text, context.region, allowed.phones))
            if address:
                hits.extend(self._address.analyze(text, allowed.addresses))
            if _mentions_birth(lower):
                hits.extend(self._birth.analyze(text, context.now.year))
        if "@" in text:
            hits.extend(self._email.analyze(text, allowed.domains))
        return _without_overlaps([h for h in hits if self._keep(h, text, context)])

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
            return any(hits[0][1] != "first" for _, _, hits in spans)  # "emma.schmidt@..."
        return True

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
        self, source: _Source, text: str, matches: list[Span], consents: frozenset[str]
    ) -> list[Finding]:
        """Findings for roster matches: consent, staff titles and first-name rules applied."""
        spans = []
        for start, end, hits in matches:
            if consents:  # hits stay strongest form first
                hits = tuple(h for h in hits if h[0] not in consents)
            if hits:
                spans.append((start, end, hits))
        named = {hits[0][0] for _, _, hits in spans if hits[0][1] != "first"}
        found = []
        for start, end, hits in spans:
            in_full = bool(named) and any(sid in named for sid, _ in hits)
            if hits[0][1] == "first" and not self.names.first_name_ok(text, start, end, in_full):
                continue
            if self.names.is_staff(text, start):
                continue
            match = RosterMatch(start, end, *hits[0])
            found.append(self._name_finding(source, match, len(hits), in_full))
        return found

    def _name_finding(
        self, source: _Source, match: RosterMatch, candidates: int, in_full: bool
    ) -> Finding:
        first = match.form == "first"
        severity: Severity = "high" if first else "critical"
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

    def _pattern_finding(self, source: _Source, hit: PatternHit, about_child: bool) -> Finding:
        inherent = hit.label == "birth date" or dict(hit.evidence).get("context") == "yes"
        severity: Severity = "critical" if inherent or about_child else "high"
        where = "" if inherent or not about_child else " in a text about a student or child"
        why = _PATTERN_WHY[hit.label]
        if hit.label == "student number" and not inherent:
            why = "shows a number that may be a student number (it passes the check digit)"
        explanation = f"This {_noun(source.kind)} {why}{where}; remove it."
        details = {"label": hit.label, "about_student": about_child, **dict(hit.evidence)}
        details.update(source.details)
        return self.finding(
            RULE, severity, explanation, source.id, subject=source.id,
            start=hit.start, end=hit.end, score=hit.score, details=details,
        )  # fmt: skip


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


def _starts_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens the text, a line or a sentence."""
    before = text[max(0, start - 24) : start]
    stripped = before.rstrip()
    return not stripped or stripped[-1] in _ENDS or "\n" in before[len(stripped) :]


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
