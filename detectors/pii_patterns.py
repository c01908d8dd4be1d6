"""Pattern recognizers for ``pii.student``: student numbers, phones, e-mails, addresses, births.

Each recognizer has a ``label`` (what a masked excerpt shows), ``PATTERNS`` at class level and
``analyze(text, ...)`` returning immutable :class:`PatternHit` values with offsets into the
text it was given. None of them needs the roster. Every regex here is linear: no nested
unbounded repeats, because platform text is hostile.

Student number formats are data (``detectors/data/student_number_formats.toml``); each has a
check-digit hook, :meth:`StudentNumberFormat.validate_result`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import phonenumbers


class PatternHit(NamedTuple):
    """One pattern found: span, masking label, confidence and non-identifying evidence."""

    start: int
    end: int
    label: str
    score: float
    evidence: tuple[tuple[str, str], ...] = ()


def luhn_ok(digits: str) -> bool:
    """Return whether ``digits`` passes the Luhn mod-10 check (BC PENs use it)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        value = int(ch) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


CHECKS: dict[str, Callable[[str], bool]] = {"none": lambda digits: True, "luhn": luhn_ok}


@dataclass(frozen=True)
class StudentNumberFormat:
    """One student number format; a bad regex, check or score fails at construction."""

    name: str
    pattern: re.Pattern[str]
    check: str = "none"
    score: float = 0.8
    context: re.Pattern[str] | None = None
    context_score: float = 0.95
    require_context: bool = False
    window: int = 40
    exclude: re.Pattern[str] | None = None
    min_digits: int = 1
    requires: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.check not in CHECKS:
            raise ValueError(f"student number format {self.name!r}: unknown check {self.check!r}")
        if not (0.0 <= self.score <= 1.0 and 0.0 <= self.context_score <= 1.0):
            raise ValueError(f"student number format {self.name!r}: score outside [0, 1]")

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> StudentNumberFormat:
        """Build a format from one ``[[format]]`` table (regexes compiled here)."""

        def regex(field: str) -> re.Pattern[str] | None:
            return re.compile(raw[field]) if raw.get(field) else None

        return cls(
            name=str(raw["name"]),
            pattern=re.compile(raw["pattern"]),
            check=str(raw.get("check", "none")),
            score=float(raw.get("score", 0.8)),
            context=regex("context"),
            context_score=float(raw.get("context_score", 0.95)),
            require_context=bool(raw.get("require_context", False)),
            window=int(raw.get("window", 40)),
            exclude=regex("exclude"),
            min_digits=int(raw.get("min_digits", 1)),
            requires=tuple(str(r).lower() for r in raw.get("requires", ())),
        )

    def gate(self, digits: int, lower: str) -> bool:
        """Cheap pre-check: the longest digit run and the lower-cased text allow a match."""
        return digits >= self.min_digits and (
            not self.requires or any(r in lower for r in self.requires)
        )

    def validate_result(self, digits: str) -> bool:
        """Return whether the number passes this format's check digit."""
        return CHECKS[self.check](digits)

    def analyze(self, text: str) -> Iterable[PatternHit]:
        """Yield the student numbers of this format in ``text``."""
        for m in self.pattern.finditer(text):
            group = 1 if m.re.groups else 0
            digits = "".join(c for c in m.group(group) if c.isdigit())
            before = text[max(0, m.start(group) - self.window) : m.start(group)]
            if not self.validate_result(digits) or (self.exclude and self.exclude.search(before)):
                continue
            near = self.context is not None and self.context.search(before) is not None
            if self.require_context and not near:
                continue
            score = self.context_score if near else self.score
            # A format without a context regex carries its context in the pattern itself.
            known = "yes" if near or self.context is None else "no"
            evidence = (("format", self.name), ("check", self.check), ("context", known))
            yield PatternHit(m.start(group), m.end(group), "student number", score, evidence)


def load_student_number_formats(path: str | Path | None = None) -> tuple[StudentNumberFormat, ...]:
    """Load student number formats from a TOML file (the bundled one when ``path`` is None)."""
    if path is None:
        raw = resources.files("detectors").joinpath("data/student_number_formats.toml").read_text()
    else:
        raw = Path(path).read_text(encoding="utf-8")
    return tuple(StudentNumberFormat.from_dict(f) for f in tomllib.loads(raw).get("format", []))


class PhoneRecognizer:
    """Valid phone numbers (``phonenumbers``), skipping the district's own numbers."""

    label = "phone number"
    # Seven or more digits with at most three separators between each: where to run the matcher.
    PATTERNS = (re.compile(r"\d(?:[\s().\-]{0,3}\d){6}(?:[\s().\-]{0,3}\d)*"),)

    @staticmethod
    def e164(number: str, region: str) -> str:
        """Return ``number`` in E.164, or "" when it does not parse."""
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException:
            return ""
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

    def analyze(self, text: str, region: str, allowed: frozenset[str]) -> list[PatternHit]:
        """Valid numbers near each run of seven or more digits (the matcher is slow)."""
        hits: dict[int, PatternHit] = {}
        previous = 0  # where the last run ended: a window never starts inside a number
        for run in self.PATTERNS[0].finditer(text):
            lo = max(previous, run.start() - 8)
            while lo > previous and lo > run.start() - 40 and not text[lo - 1].isspace():
                lo -= 1  # from a word's start: the matcher misreads a number cut in two
            previous = run.end()
            # The matcher reads one character past a number (a letter there rules it out),
            # or an extension ("ext. 12", "x12"); the window stops there, so the same
            # number in another sentence is the same window (and a cache hit).
            hi = run.end() + (24 if _EXTENSION.match(text, run.end()) else 1)
            for start, end, e164 in _phone_matches(text[lo:hi], region):
                if e164 not in allowed:
                    hits[lo + start] = PatternHit(lo + start, lo + end, self.label, 0.85)
        return list(hits.values())


_EXTENSION = re.compile(r"[\s,;.]*(?:extension|ext\.?|x|#|anexo|poste)\s*\.?\s*\d", re.I)


@lru_cache(maxsize=4096)
def _phone_matches(window: str, region: str) -> tuple[tuple[int, int, str], ...]:
    """``PhoneNumberMatcher`` over a short window (about 50 us a call, so cached)."""
    return tuple(
        (m.start, m.end, phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164))
        for m in phonenumbers.PhoneNumberMatcher(window, region, max_tries=10)
    )


class EmailRecognizer:
    """E-mail addresses, except an organisation's (the PAC's, a club's, an office's).

    Evidence ``district`` says whether the address is on a district domain; the caller keeps
    those only when they are a student's own account.

    Args:
        org_words: Local-part prefixes or suffixes that mark an organisation's address.
    """

    label = "e-mail address"
    PATTERNS = (
        re.compile(
            r"(?<![\w.%+-])([\w.%+-]{1,64})@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,8}"
            r"[a-z]{2,24})(?![\w-])",
            re.IGNORECASE,
        ),
    )

    def __init__(self, org_words: frozenset[str] = frozenset()) -> None:
        self.org_words = tuple(sorted(org_words))

    def analyze(self, text: str, domains: tuple[str, ...]) -> list[PatternHit]:
        hits = []
        for m in self.PATTERNS[0].finditer(text):
            if self._organisation(m.group(1).lower()):
                continue
            host = m.group(2).lower()
            district = any(host == d or host.endswith("." + d) for d in domains)
            evidence = (("district", "yes" if district else "no"),)
            hits.append(PatternHit(m.start(), m.end(), self.label, 0.9, evidence))
        return hits

    def _organisation(self, local: str) -> bool:
        parts = re.split(r"[._+-]", local)
        return any(p.startswith(self.org_words) or p.endswith(self.org_words) for p in parts if p)


_SUFFIXES = {
    "street": "st", "avenue": "ave", "av": "ave", "road": "rd", "drive": "dr",
    "crescent": "cres", "boulevard": "blvd", "lane": "ln", "court": "ct", "place": "pl",
    "highway": "hwy", "terrace": "terr", "trail": "trl",
}  # fmt: skip
_SUFFIX = (
    r"(?i:st|street|ave|av|avenue|rd|road|dr|drive|cres|crescent|way|blvd|boulevard|lane|ln|"
    r"court|ct|place|pl|terrace|terr|close|trail|trl|hwy|highway)"
)
_NOT_HOUSE = frozenset(
    "grade gr room rm route bus page pages chapter question questions period block div "
    "division level gate table team number no year years age ages class score won lost beat "
    "final lot parking".split()
)


def address_key(address: str) -> str:
    """Return an address reduced for comparison: lower case, words only, short suffixes."""
    words = re.findall(r"[^\W_]+", address.casefold())
    return " ".join(_SUFFIXES.get(w, w) for w in words)


class AddressRecognizer:
    """Street addresses: house number, one to four capitalised words, a street suffix."""

    label = "street address"
    # The house number first (a fast scan); a unit before it is looked for separately.
    PATTERNS = (
        re.compile(
            r"(?<![:/.,\d])\b(\d{1,6}[A-Za-z]?)\s+((?:(?:[A-Z][\w'\u2019-]*|\d{1,3}(?i:st|nd|rd|th))\s+){1,4}"
            rf"{_SUFFIX})\b\.?(?:\s+(?:N|S|E|W|NE|NW|SE|SW)\b)?"
            r"(?:,?\s*(?i:unit|apt|suite|ste|#)\s*\w{1,6}\b)?"
        ),
        re.compile(
            r"(?:\b(?i:unit|apt|suite|ste)\s*\w{1,6},?\s+|#\s?\w{1,6},?\s+|\b\d{1,5}\s?-\s?)$"
        ),
    )

    def analyze(self, text: str, allowed: frozenset[str]) -> list[PatternHit]:
        hits = []
        for m in self.PATTERNS[0].finditer(text):
            lo = max(0, m.start() - 24)
            unit = self.PATTERNS[1].search(text, lo, m.start())
            start = unit.start() if unit else m.start()
            before = re.findall(r"[^\W_]+", text[max(0, start - 24) : start])
            if before and before[-1].casefold() in _NOT_HOUSE:
                continue
            if address_key(f"{m.group(1)} {m.group(2)}") in allowed:
                continue
            end = m.end() - 1 if text[m.end() - 1] == "." else m.end()
            hits.append(PatternHit(start, end, self.label, 0.7))
        return hits


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"


class BirthDateRecognizer:
    """A date next to "born", "birthday", "DOB", "turns 8 on"; the caller adds child context."""

    label = "birth date"
    PATTERNS = (
        re.compile(
            r"\b(?:born(?!\s+(?:in|between|before|after|from|during|since|by)\b)(?:\s+on)?|"
            r"birth\s?day(?!\s+(?:party|parties|celebration|bash|treats?|cake|cards?|list|board))"
            r"|birth\s?date|b-?day|d\.?o\.?b\b\.?|date\s+of\s+birth|"
            r"turn(?:s|ed|ing)?\s+\d{1,2}(?:\s+years?\s+old)?\s+on(?!\s+or\b))",
            re.IGNORECASE,
        ),
        re.compile(
            rf"\b(?:{_MONTH}\s+{_DAY}(?:,?\s+(\d{{4}}))?|{_DAY}\s+(?:of\s+)?{_MONTH}"
            rf"(?:,?\s+(\d{{4}}))?|(\d{{4}})-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}[/.-]\d{{1,2}}[/.-]"
            r"(\d{4}|\d{2}))\b",
            re.IGNORECASE,
        ),
    )
    REACH = 60  # characters between the trigger word and the date

    def analyze(self, text: str, now_year: int) -> list[PatternHit]:
        """Dates near a trigger; evidence ``minor`` is "yes" when the year makes it a child's."""
        hits: dict[int, PatternHit] = {}
        for trigger in self._triggers(text):
            lo, hi = max(0, trigger.start() - self.REACH), trigger.end() + self.REACH
            dates = [(d, _age(d, now_year)) for d in self.PATTERNS[1].finditer(text, lo, hi)]
            dates = [(d, age) for d, age in dates if age is None or 0 <= age <= 25]
            if dates:
                d, age = min(dates, key=lambda pair: _distance(pair[0], trigger))
                minor = "yes" if age is not None and age <= 18 else "no"
                # "DOB: 14/05/2016", "born on March 3, 2017": the date is the trigger's own.
                tight = minor == "yes" and 0 <= d.start() - trigger.end() <= _TIGHT
                evidence = (("minor", minor), ("tight", "yes" if tight else "no"))
                hits[d.start()] = PatternHit(d.start(), d.end(), self.label, 0.8, evidence)
        return list(hits.values())

    def _triggers(self, text: str) -> list[re.Match[str]]:
        """Trigger matches, tried only where a keyword occurs (a full-text scan is slow)."""
        lower, found = text.lower(), []
        if len(lower) != len(text):  # a few characters change length when lower-cased
            return list(self.PATTERNS[0].finditer(text))
        for keyword in _TRIGGER_WORDS:
            at = lower.find(keyword)
            while at >= 0:
                m = self.PATTERNS[0].match(text, at)
                if m is not None:
                    found.append(m)
                at = lower.find(keyword, at + 1)
        return found


_TIGHT = 4  # characters between a trigger ("DOB:", "born on") and its own date

_TRIGGER_WORDS = ("born", "birth", "bday", "b-day", "dob", "d.o.b", "date", "turn")


def _age(date: re.Match[str], now_year: int) -> int | None:
    """Years from the date's year (if written) to ``now_year``; over 25 is not a child."""
    year = next((y for y in date.groups() if y), None)
    if year is None:
        return None
    return now_year - (int(year) + (2000 if len(year) == 2 else 0))


def _distance(a: re.Match[str], b: re.Match[str]) -> int:
    """Characters between two matches (whichever comes first)."""
    return min(abs(a.start() - b.end()), abs(b.start() - a.end()))
