"""When a roster name in a text is a student: the word lists and the evidence rules.

The roster index (:mod:`detectors.roster`) finds every name form of every enrolled student;
most of them, in real text, are someone else: a singer, a player, a brand, a city, a word.
:class:`NameFilter` keeps a match only with the evidence its form needs:

- a full name or a name tag: written as a name (capitalised in a text that is not all lower
  case; not after an article, a staff title or a timestamp); critical when the text speaks of
  school or of a child, high otherwise;
- a first initial and surname ("J. Rivera") or a first name and last initial ("Maple O."):
  school words in the same sentence or within 8 words; an initial followed by a capitalised
  word is a middle initial ("Richard P. Feynman") and not a match;
- a first name alone: an *anchor*, school evidence tied to the name itself: a grade, class,
  room or division right after it ("Maple from grade 2", "Hope (gr 3)", "Emma in Ms. Lee's
  class"), a student noun right before it ("grade 4 student Grace", "our kindergartener
  River", "Student of the month: Chloe") or a possessive naming school work ("Mateo's science
  fair project", "Adrian's lunch kit"). School words merely nearby are not enough in a
  comment, real comments are full of them; in the account's own post they are.
  A given name that is an everyday word ("Hope", "Will", "Autumn") must also be capitalised
  and not be the first word of a longer proper noun ("Autumn Reading Club").

Word lists are data: ``detectors/data/pii_context.txt`` (a district's copy via
:func:`load_pii_context`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from detectors.langid import identify
from detectors.roster import normalise_token

_WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
_ENDS = frozenset('.!?:;\u2022*"\u201c(')  # a word ending (or starting) with one ends a sentence
_PUNCT = "!\"#$%&()*+,./:;<=>?@[\\]^_`{|}~\u2018\u2019\u201c\u201d\u2026\u2013\u2014\u2022'-"
_DAY_NUMBER = re.compile(r"\d{1,2}(?:st|nd|rd|th)?")
_MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_DAY_AFTER = re.compile(r"\.?,?\s+\d{1,2}(?:st|nd|rd|th)?\b")  # "May 14", "Jun. 13"
_ARTICLES = frozenset({"a", "an", "the"})
_CONTEXT_REACH = 8  # words either side of a name searched for school context
MAX_READ = 20_000  # characters of a text read for school words (as the detector reads)
_PARTICLES = frozenset("de la del van der von da di le du dos das bin al el ter ten".split())
_TIMESTAMP = re.compile(r"\d{1,2}:\d\d\W{0,3}$")  # "6:10 Mia Martinez": a track or scene list
_TITLE = "(?:mr|mrs|ms|mx|miss|madame|mme|mlle|dr|coach)\\.?"
_GRADE = r"(?:grade|gr\.?|year)\s*\d{1,2}\b|\d{1,2}(?:st|nd|rd|th)\s+grade\b|k-?\d{1,2}\b"
# Right after a first name (or after "and" another name): a grade, room or class.
_ANCHOR_AFTER = re.compile(
    r"(?:,?\s+(?:and|&)\s+[A-Z][\w'\u2019-]*)?"  # "Maple and Jaden from grade 2"
    rf"(?:\s*[,(\-\u2013\u2014:]\s*|\s+(?:from|in|of)\s+(?:the\s+|our\s+|my\s+|her\s+|his\s+)?)"
    rf"(?:{_GRADE}|(?:div(?:ision)?\.?|room|rm\.?)\s*\d{{1,3}}\b|kindergarten\b|kinder\b"
    rf"|pre-?k\b|{_TITLE}\s+[A-Z][\w'\u2019-]*['\u2019]s\s+(?:class|room|homeroom)\b)"
    r"|\s+(?:from|in)\s+(?:the\s+|our\s+|my\s+|her\s+|his\s+)?(?:class|homeroom)\b"
    r"|\s*,\s+(?:our|a|the)\s+(?:new\s+)?(?:student|pupil|classmate|kindergartener)\b",
    re.IGNORECASE,
)
# Right before a first name: a grade or a student noun ("grade 4 student", "classmate").
_STUDENT_NOUN = (
    r"(?:\s+(?:student|pupil|classmate|helper|buddy|reader|artist|winner|champion|rep))?s?"
)
_ANCHOR_BEFORE = re.compile(
    rf"(?:\b(?:{_GRADE})|\b\d{{1,2}}(?:st|nd|rd|th)[\s-]+grader|\bkindergarten(?:er)?|\bkinder"
    rf"|\bof\s+the\s+(?:month|week)){_STUDENT_NOUN}[ \t]*[:,\-\u2013\u2014]?[ \t]*$",
    re.IGNORECASE,
)
# The same with a bare student noun: enough for "Emma", not for "Major" or "Joy".
_ANCHOR_NOUN = re.compile(
    r"\b(?:student|pupil|classmate)s?[ \t]+$|\bour\s+(?:new\s+)?(?:student|classmate)[ \t]+$",
    re.IGNORECASE,
)
# Class years and a verb: never a student's name when alone ("11th Grade - Junior", "Can I").
_NEVER_ALONE = frozenset({"junior", "senior", "freshman", "sophomore", "can"})
_TITLE_POSSESSIVE = re.compile(r"['\u2019]s\s+[A-Z]")  # "Charlotte's Web": a title
_VERSE = re.compile(r"\s+\d{1,3}:\d{1,3}")  # "Mark 10:14": a Bible reference
# After a first name: a possessive naming school work or a school thing.
_ANCHOR_POSSESSIVE = re.compile(
    r"['\u2019]s\s+(?:(?:new|old|first|winning|latest|science(?:\s+fair)?|art|class|grade\s*\d{1,2})"
    r"\s+)?(?:class|project|artwork|drawing|painting|poem|report\s+card|homework|teacher|backpack|"
    r"lunchbox|lunch\s+kit|locker|iep|book\s+report|science\s+fair|desk|classroom|uniform|"
    r"field\s+trip|permission\s+slip|carpool|class\s+photo|school\s+photo)\b",
    re.IGNORECASE,
)


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


class NameFilter:
    """Decides whether a roster match is a student (see the module docstring).

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

    def about_school(self, text: str) -> bool:
        """Whether the text speaks of school or of a child anywhere (a full name's severity)."""
        context = self._context
        return any(not context.isdisjoint(_chunk_words(c)) for c in text[:MAX_READ].split())

    def full_name_ok(self, text: str, start: int, end: int, form: str) -> bool:
        """A full name or tag as a name: capitalised (unless the text is all lower case), not
        after an article ("a Samuel Adams") or a timestamp ("6:10 Mia Martinez")."""
        if form != "tag" and not text.islower():
            for word in text[start:end].replace(",", " ").split():
                if word[:1].islower() and word.casefold() not in _PARTICLES:
                    return False
        if _VERSE.match(text, end):
            return False
        before = text[max(0, start - 12) : start]
        if _TIMESTAMP.search(before):
            return False
        prev = before.split()[-1:] if before[-1:].isspace() else []
        word = prev[0].casefold() if prev else ""
        # "a" is also a preposition ("¡Felicidades a Emma Schmidt!"): an article only in English
        return not (word in _ARTICLES and (word != "a" or identify(text) in ("en", "und")))

    def initial_ok(self, text: str, start: int, end: int, own: bool = False) -> bool:
        """A name with an initial ("Maple O.", "J. Rivera"): school words near (or ``own``:
        the account's own post), and not a middle initial ("Richard P. Feynman", "Jacob K.
        Javits", "C.E.O.")."""
        tail = text[end : end + 24]
        if re.match(r"\.?[A-Z]\.|\.?\s+(?!I\b)[A-Z]", tail) and not _sentence_break(tail):
            return False
        if start and (text[start - 1].isalnum() or text[start - 1] in ".-"):
            return False  # "E.W. Beck", "U.S citizen": not a name's own initial
        if not self.full_name_ok(text, start, end, "initial"):
            return False
        return own or self.near_context(text, start, end)

    def first_name(self, text: str, start: int, end: int, named: bool, own: bool) -> str:
        """How a first name alone reads: "student", "name" (a plausible name with no school
        evidence tied to it) or "" (a word, a place, a date, part of a longer name).

        Args:
            named: The same student is named in full in the text.
            own: The text is the account's own (a post, alt text, a profile): there, school
                words near an ordinary given name are enough.
        """
        word = text[start:end]
        if word.islower() and not text.islower():
            return ""  # "students can": a word, not "Can"
        if _VERSE.match(text, end):
            return ""
        norm = normalise_token(word)
        if norm in _NEVER_ALONE:
            return ""
        ambiguous = norm in self.words.ambiguous_first_names
        if ambiguous and word.islower():
            return ""
        near = _Neighbours.around(text, start, end)
        if self._date_or_place(norm, near, text, end):
            return ""
        if not word.isupper() and self._compound(near):
            return ""
        if named or anchored(text, start, end, strong=ambiguous):
            return "student"
        if own and not ambiguous and not _TITLE_POSSESSIVE.match(text, end):
            if self.near_context(text, start, end):
                return "student"
        return "name"

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

    def near_context(self, text: str, start: int, end: int) -> bool:
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


def anchored(text: str, start: int, end: int, strong: bool = False) -> bool:
    """Whether school evidence is tied to the name at ``start:end`` (see the module).

    ``strong``: a bare student noun before the name ("students Can", "student Major") is not
    enough; a grade, class, room or possessive is.
    """
    before = text[max(0, start - 48) : start]
    return (
        _ANCHOR_AFTER.match(text, end, end + 60) is not None
        or _ANCHOR_POSSESSIVE.match(text, end, end + 40) is not None
        or _ANCHOR_BEFORE.search(before) is not None
        or (not strong and _ANCHOR_NOUN.search(before) is not None)
    )


def _sentence_break(tail: str) -> bool:
    """ "Emma S. Great job": a full stop, then a capitalised word that opens a sentence."""
    m = re.match(r"\.\s+([A-Z][a-z]+)", tail)
    return m is not None and m.group(1).casefold() in _OPENERS


_OPENERS = frozenset(
    "great well good congrats congratulations thanks thank way you we our the this she he "
    "her his they it today keep have way so proud".split()
)


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
