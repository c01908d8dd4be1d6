"""The roster index: keyed hashes of students' name forms, never the names themselves.

A district's roster is hashed as soon as it is read: every name form ("emma schmidt",
"emma s", "emma", "emmaschmidt") becomes ``HMAC-SHA256(key, form)`` and the index maps each
digest to the students it belongs to, by student key (itself an HMAC of the student number).
Matching hashes the words of a text with the same key, so a stolen index without the key
reveals no names, and the index never holds, logs or prints a raw name.

Normalisation (:func:`normalise_token`) ignores case, accents ("Zoë" is "zoe"), zero-width
and bidirectional control characters ("Em\\u200bma" is "emma"), Cyrillic and Greek
lookalikes in a word that also has Latin letters ("Emmа" is "emma") and a trailing possessive
("Schmidt's" is "schmidt"). :class:`RosterIndex` finds the name forms in a text and returns
their character spans in the original text.

Student numbers are found the same way: a number written in a text is normalised
(:func:`normalise_number`) and hashed, and it is a student's when the digest is a student key
of the index, whatever its format or check digit. ``number-digits`` markers
(:func:`number_forms`) tell the index the fewest digits its numbers have, so shorter numbers
are never hashed.
"""

from __future__ import annotations

import hmac
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from detectors.folding import LOOKALIKES

FORMS: tuple[str, ...] = ("full", "tag", "initial_last", "initial", "first")  # strongest first
NUMBER_MARKER = "number-digits"
# A CJK character right before or after a Latin letter or digit (a word boundary there).
_CJK_BY_LATIN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u3000-\u303f](?=[A-Za-z0-9])"
    r"|(?<=[A-Za-z0-9])[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u3000-\u303f]"
)
_CJK = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u3000-\u303f]"
)  # a fast gate
MAX_CHARS = 20_000  # only this much of a text is matched: platform text is hostile
_LONGEST_FORM = 5  # words in the longest form tried when an index has no prefix markers
_CACHE_LIMIT = 200_000  # per-index word caches are cleared past this many entries
# Invisible characters that may sit inside a word (zero-width, soft hyphen, bidi controls).
_INVISIBLE = "\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_INNER = "\\w\u0300-\u036f" + _INVISIBLE
_TRAILING = "'\u2019-\u00ad\u034f\u061c\u180e\ufeff" + "".join(
    map(chr, [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x206A)])
)
# A #hashtag or @handle (dots allowed inside), or a word: letters/digits with invisible
# characters, inner apostrophes and hyphens, and an optional s' possessive.
_TOKEN = re.compile(
    f"[#@][\\w.]*\\w|\\w[{_INNER}]*(?:['\u2019\\-][{_INNER}]+)*(?:(?<=[sS])['\u2019](?!\\w))?"
)
_ONLY_INVISIBLE = re.compile(f"[{_INVISIBLE}]*").fullmatch
_LOOKALIKE_TABLE = str.maketrans(dict(LOOKALIKES))
_LATIN = re.compile("[A-Za-z]").search
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2010": "-"})
_TAG_DROP = str.maketrans("", "", "'-_.")
_OPENERS = frozenset('.!?:;"\u201c(\u2022*')  # ends a sentence before, or opens a quote
_HAS_LETTER = re.compile(r"[^\W\d_]").search
_POSSESSIVES = ("'s", "\u2019s", "'S", "\u2019S")
# A written student number: four or more digits (maybe hyphenated), maybe letters glued or
# hyphenated before or after ("RSD-04518", "2045-1877", "S12345A"), maybe a short word and a
# space before ("RSD 04518": group 1, tried with the number first). Bounded repeats: linear.
_NUMBER = re.compile(
    r"(?<![\w-])(?:([A-Za-z]{1,6}) )?((?:[A-Za-z]{1,6}-?)?\d(?:-?\d){3,19}[A-Za-z]{0,4}"
    r"(?:-[A-Za-z0-9]{1,8}){0,3})(?![\w-])"
)
_GLUE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")
_MIN_NUMBER = 4  # characters of a normalised student number
Token = tuple[int, int, str]  # start, end, word as written
Hits = tuple[tuple[str, str], ...]  # (student_key, form), strongest form first


@lru_cache(maxsize=65536)
def normalise_token(s: str) -> str:
    """Return one word as the index sees it.

    Casefolds, strips accents (NFKD, combining marks dropped), keeps letters, digits,
    apostrophes and hyphens (so zero-width and direction-control characters vanish), trims
    leading/trailing punctuation and drops a trailing possessive (``'s``, ``’s``, ``s'``).

    Args:
        s: A word as written, possibly with ``#``/``@`` or punctuation around it.

    Returns:
        The normalised word, possibly empty.
    """
    if _LATIN(s) and any(c in LOOKALIKES for c in s):  # "Emmа" with a Cyrillic а: a disguise
        s = s.translate(_LOOKALIKE_TABLE)  # (a name written wholly in Cyrillic stays as it is)
    folded = unicodedata.normalize("NFKD", s.translate(_APOSTROPHES).casefold())
    kept = "".join(c for c in folded if c.isalnum() or c in "'-")
    if kept.endswith("'s"):
        kept = kept[:-2]
    elif kept.endswith("s'"):
        kept = kept[:-1]
    return kept.strip("'-")


def tag_text(s: str) -> str:
    """Return a hashtag/handle form: the normalised word with ``' - _ .`` removed."""
    return normalise_token(s).translate(_TAG_DROP)


def normalise_number(student_number: str) -> str:
    """Return a student number without spaces or hyphens, casefolded (NFKC digits)."""
    text = unicodedata.normalize("NFKC", student_number).casefold()
    return "".join(c for c in text if c.isalnum())


@lru_cache(maxsize=262144)
def digest(key: bytes, form_text: str) -> str:
    """Return the hex HMAC-SHA256 of ``form_text`` under ``key``."""
    return hmac.digest(key, form_text.encode("utf-8"), "sha256").hex()


def student_key(key: bytes, student_number: str) -> str:
    """Return the student's id for consents and the store: an HMAC of the normalised number."""
    return digest(key, normalise_number(student_number))


def _phrases(name: str) -> list[str]:
    """Normalised spellings of a (possibly multi-word) name: as written, hyphens as spaces."""
    words = [w for w in (normalise_token(p) for p in name.split()) if w]
    if not words:
        return []
    out = [" ".join(words)]
    for variant in (
        " ".join(words).replace("-", " "),
        " ".join(words).replace("'", ""),
        " ".join(words).replace("-", " ").replace("'", ""),
    ):
        if variant not in out:
            out.append(" ".join(variant.split()))
    return out


def _last_variants(last: str) -> list[str]:
    """Last-name spellings: as written, hyphens as spaces, and each hyphenated part alone."""
    out = _phrases(last)
    for part in (normalise_token(p) for p in last.replace("-", " ").split()):
        if "-" in last and part and part not in out:
            out.append(part)
    return out


def name_forms(
    legal_first: str, legal_last: str, preferred_first: str = ""
) -> list[tuple[str, str]]:
    """Return the ``(form, text)`` pairs the index hashes for one student.

    Forms: ``full`` (first or preferred + last, every last-name variant, and the "last,
    first" order of class lists: ``"schmidt, emma"``), ``initial`` (first + last initial:
    ``"emma s"``), ``initial_last`` (first initial + last name: ``"e schmidt"``), ``first``
    (legal and preferred first names alone) and ``tag`` (hashtag/handle spelling, either
    order: ``"emmaschmidt"``, ``"schmidtemma"``).

    Args:
        legal_first: Legal first (given) name, possibly several words.
        legal_last: Legal last name, possibly several words or hyphenated.
        preferred_first: Preferred first name, or "".

    Returns:
        Unique ``(form, text)`` pairs, normalised.
    """
    firsts = _phrases(legal_first) + [p for p in _phrases(preferred_first) if p]
    lasts = _last_variants(legal_last)
    initial = lasts[0][0] if lasts else ""
    forms: list[tuple[str, str]] = []
    for first in dict.fromkeys(firsts):
        forms.append(("first", first))
        forms.extend(("full", f"{first} {last}") for last in lasts)
        forms.extend(("full", f"{last}, {first}") for last in lasts)
        for last in lasts:
            forms.append(("tag", tag_text(f"{first}{last}".replace(" ", ""))))
            forms.append(("tag", tag_text(f"{last}{first}".replace(" ", ""))))
        if initial:
            forms.append(("initial", f"{first} {initial}"))
        if first[:1].isalpha():
            forms.extend(("initial_last", f"{first[0]} {last}") for last in lasts)
    return list(dict.fromkeys(forms))


def index_forms(
    legal_first: str, legal_last: str, preferred_first: str = ""
) -> list[tuple[str, str]]:
    """Return :func:`name_forms` plus the ``("prefix:N", first word)`` markers the index uses.

    A marker says that an N-word form starts with that word, so matching tries only the
    n-grams that can exist. Store these pairs (hashed like the forms) to get the fast path;
    an index built without markers still finds every form, only more slowly.
    """
    forms = name_forms(legal_first, legal_last, preferred_first)
    markers = {
        (f"prefix:{len(words)}", words[0])
        for _, text in forms
        if len(words := text.replace(",", " ").split()) > 1
    }
    return forms + sorted(markers)


def entries_from_rows(
    key: bytes, rows: Iterable[Mapping[str, str]]
) -> dict[str, list[tuple[str, str]]]:
    """Hash roster rows into index entries: digest -> [(student_key, form)].

    Args:
        key: The district's secret HMAC key.
        rows: Dicts with ``student_number``, ``legal_first_name``, ``legal_last_name`` and
            ``preferred_first_name`` (other columns, such as ``school``, are ignored).

    Returns:
        The entries of :func:`index_forms`; no raw name survives this function.
    """
    entries: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        sid = student_key(key, str(row.get("student_number", "")))
        forms = index_forms(
            row.get("legal_first_name", "") or "",
            row.get("legal_last_name", "") or "",
            row.get("preferred_first_name", "") or "",
        )
        for form, text in forms:
            bucket = entries.setdefault(digest(key, text), [])
            if (sid, form) not in bucket:
                bucket.append((sid, form))
        for form, text in number_forms(str(row.get("student_number", ""))):
            entries.setdefault(digest(key, text), [("", form)])
    return entries


def number_forms(student_number: str) -> list[tuple[str, str]]:
    """The ``("number-digits", "number-digits:N")`` marker of a student number's digit count.

    Store its digest with student key "" (one row per distinct count, not per student): an
    index that finds these markers hashes only numbers with that many digits or more
    (faster); without them it tries every number of four digits or more.
    """
    digits = sum(c.isdigit() for c in normalise_number(student_number))
    return [(NUMBER_MARKER, f"{NUMBER_MARKER}:{digits}")] if digits else []


def _strongest_first(hits: Iterable[tuple[str, str]]) -> Hits:
    rank = {form: i for i, form in enumerate(FORMS)}
    return tuple(sorted(set(hits), key=lambda h: (rank.get(h[1], 9), h[0])))


def freeze_entries(entries: Mapping[str, Sequence[tuple[str, str]]]) -> dict[str, Hits]:
    """Return entries as immutable tuples, strongest form first for each digest."""
    return {d: _strongest_first((s, f) for s, f in hits) for d, hits in entries.items()}


@dataclass(frozen=True)
class RosterMatch:
    """A name form of one student found in a text; offsets are into the original text."""

    start: int
    end: int
    student_key: str
    form: str


class _Word(NamedTuple):
    """What the index knows about one written word: its hits and the longest form it starts."""

    norm: str
    hits: tuple[tuple[str, str], ...]
    longest: int


def _trimmed_end(start: int, word: str) -> int:
    """End offset of ``word`` without a possessive or trailing invisible characters."""
    if word[-1].isalnum() and not word.endswith(_POSSESSIVES):
        return start + len(word)
    if word.endswith(_POSSESSIVES) and len(word) > 2:
        word = word[:-2]
    return start + len(word.rstrip(_TRAILING))


class RosterIndex:
    """Keyed hashes of the roster's name forms, and the matcher that finds them in text.

    Args:
        key: The district's secret HMAC key (the same one that made ``entries``).
        entries: digest -> [(student_key, form)], as :meth:`entries` exports them.
    """

    def __init__(self, key: bytes, entries: Mapping[str, Sequence[tuple[str, str]]]) -> None:
        self._key = key
        self._entries = freeze_entries(entries)
        self._students = len({s for hits in self._entries.values() for s, f in hits if f in FORMS})
        self._markers = any(f.startswith("prefix:") for h in self._entries.values() for _, f in h)
        self._keys = frozenset(s for hits in self._entries.values() for s, f in hits if f in FORMS)
        self._numbers: dict[str, str] = {}  # written number -> student key or "" (cache)
        counts = [n for n in range(1, 33) if digest(key, f"{NUMBER_MARKER}:{n}") in self._entries]
        fewest = max(_MIN_NUMBER, min(counts, default=_MIN_NUMBER))
        self.fewest_digits = fewest  # a text with no longer digit run holds no roster number
        self._number_scan = re.compile(rf"\d(?:-?\d){{{fewest - 1}}}")  # where numbers may be
        # Caches (results never depend on them): words and whitespace-separated chunks known
        # to hold a roster word or the first word of a form ("hot"), or neither ("cold").
        self._words: dict[str, _Word] = {}
        self._cold_words: set[str] = set()
        # (known, hot, cold) chunks, replaced whole when full so that a call running in
        # another thread keeps a consistent set of its own.
        self._chunks: tuple[set[str], set[str], set[str]] = (set(), set(), set())
        self._phrases: dict[str, Hits] = {}
        self._runs: dict[tuple[str, ...], tuple[tuple[int, Hits], ...]] = {}

    @classmethod
    def from_rows(cls, key: bytes, rows: Iterable[Mapping[str, str]]) -> RosterIndex:
        """Build an index from roster rows, hashing them at once (see :func:`entries_from_rows`)."""
        return cls(key, entries_from_rows(key, rows))

    def entries(self) -> dict[str, list[tuple[str, str]]]:
        """Return the digests for storage: digest -> [(student_key, form)]; no raw names."""
        return {d: list(hits) for d, hits in self._entries.items()}

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"RosterIndex({len(self._entries)} digests, {self._students} students)"

    def match(self, text: str) -> list[RosterMatch]:
        """Find every roster name form in ``text`` (its first :data:`MAX_CHARS` characters).

        Longest forms win ("Emma Schmidt" over "Emma"); several students sharing a form give
        one match each, strongest form first. A possessive and invisible characters at the
        end of a name stay outside the span.
        """
        return [
            RosterMatch(start, end, sid, form)
            for start, end, hits in self.match_spans(text)
            for sid, form in hits
        ]

    def match_numbers(self, text: str) -> list[tuple[int, int, str]]:
        """Roster student numbers written in ``text``: ``(start, end, student_key)``.

        A number is the student's when its keyed hash is a student key of the index, so any
        format the roster used matches ("RSD-04518" also as "rsd 04518" or "RSD04518"),
        whatever check digit a format expects, and no number is stored in the clear.
        """
        found: list[tuple[int, int, str]] = []
        done = 0
        for hit in self._number_scan.finditer(text, 0, MAX_CHARS):
            if hit.start() < done:
                continue
            m = _NUMBER.match(text, _token_start(text, hit.start()), MAX_CHARS)
            if m is None:
                done = hit.end()
                continue
            done = m.end()
            if m.group(1):
                sid = self._number(m.group())
                if sid:
                    found.append((m.start(), m.end(), sid))
                    continue
            sid = self._number(m.group(2))
            if sid:
                found.append((m.start(2), m.end(), sid))
        return found

    def _number(self, written: str) -> str:
        sid = self._numbers.get(written)
        if sid is None:
            if written.isascii() and written.isalnum():
                norm = written.lower()  # the common case, without NFKC
            else:
                norm = normalise_number(written)
            digits = len(norm) if norm.isdigit() else sum(c.isdigit() for c in norm)
            sid = ""
            if digits >= _MIN_NUMBER:
                found = digest(self._key, norm)
                sid = found if found in self._keys else ""
            if len(self._numbers) >= _CACHE_LIMIT:
                self._numbers.clear()
            self._numbers[written] = sid
        return sid

    def match_spans(
        self, text: str, quiet: frozenset[str] = frozenset()
    ) -> list[tuple[int, int, Hits]]:
        """Like :meth:`match`, but one ``(start, end, hits)`` per span, strongest form first.

        The fast path splits on whitespace (C speed) and drops the chunks already known to
        hold no roster word; only "hot" chunks are tokenised (cached per chunk), and offsets
        are computed only for the chunks that match.

        Args:
            text: The text to search.
            quiet: Normalised everyday words ("will", "hope") reported as a first name alone
                only when not written in lower case ("Thanks, Will!", not "we will"); the
                caller decides on the rest. They still start full names in any case.
        """
        text = text[:MAX_CHARS]
        if not text.isascii() and _CJK.search(text) and _CJK_BY_LATIN.search(text):
            # Chinese and Japanese write no space between words: a Latin-script name against
            # a CJK character ("祝贺Emma Schmidt获得") is split there, offsets kept.
            text = _CJK_BY_LATIN.sub(" ", text)
        parts = text.split()
        caches = self._chunks  # this call keeps its own reference: see __init__
        known, hot_chunks, cold = caches
        if cold.issuperset(parts):
            return []
        if not known.issuperset(parts):
            if len(known) >= _CACHE_LIMIT:
                caches = self._chunks = (set(), set(), set())
                known, hot_chunks, cold = caches
            for chunk in set(parts).difference(known):
                self._learn(chunk, caches)
        hot = hot_chunks.intersection(parts)
        return self._scan(_Where(text, parts), hot, quiet) if hot else []

    def _learn(self, chunk: str, caches: tuple[set[str], set[str], set[str]]) -> None:
        """File a new chunk in ``caches`` (known, hot, cold) as hot or cold."""
        known, hot_chunks, cold = caches
        # No letter, no name: "(42)", "3-2", "9:00" are cold without hashing anything.
        # A lone "I" or "A" is a word; "A." may be the initial of "A. Nakamura".
        hot = (
            _HAS_LETTER(chunk) is not None
            and chunk not in ("I", "A")
            and any([self._word(t[2]) is not None for t in _tokenise(chunk)])
        )
        (hot_chunks if hot else cold).add(chunk)
        known.add(chunk)

    def _scan(
        self, where: _Where, hot: set[str], quiet: frozenset[str]
    ) -> list[tuple[int, int, Hits]]:
        found: list[tuple[int, int, Hits]] = []
        done = (-1, 0)  # (chunk, token) last consumed, so no word is matched twice
        for k in _positions(where.parts, hot):
            toks = _tokenise(where.parts[k])
            for t, (_, _, word) in enumerate(toks):
                info = self._word(word) if (k, t) > done else None
                if info is None:
                    continue
                multi = info.longest > 1 and word[0] not in "#@" and t == len(toks) - 1
                runs = self._runs_at(where, k, t, info.longest) if multi else ()
                lone = info.norm not in quiet or not word.islower()
                span, done = self._longest(where, (k, t), runs, info.hits if lone else ())
                if span is not None:
                    found.append(span)
        return found

    def _hits(self, text: str) -> tuple[tuple[str, str], ...]:
        return self._entries.get(digest(self._key, text), ())

    def _word(self, word: str) -> _Word | None:
        known = self._words.get(word)
        if known is not None or word in self._cold_words:
            return known
        if len(word) == 1 and not word.isupper():
            _remember(self._cold_words, word)  # only a capital starts "J. Rivera"
            return None
        norm = normalise_token(word)
        hits = self._hits(norm) if norm else ()
        tag = tag_text(word)
        if tag and tag != norm:
            hits += self._hits(tag)
        if word[0] in "#@" and tag[-1:].isdigit() and tag.rstrip("0123456789"):
            hits += self._hits(tag.rstrip("0123456789"))  # "@emmaschmidt12"
        student_hits = _strongest_first(h for h in hits if h[1] in FORMS)
        longest = max((int(f[7:]) for _, f in hits if f.startswith("prefix:")), default=1)
        if student_hits and not self._markers:
            longest = _LONGEST_FORM  # an index stored without markers: try every n-gram
        if not student_hits and longest == 1:
            _remember(self._cold_words, word)
            return None
        found = _Word(norm, student_hits, longest)
        if len(self._words) >= _CACHE_LIMIT:
            self._words.clear()
        self._words[word] = found
        return found

    def _phrase(self, text: str) -> Hits:
        hits = self._phrases.get(text)
        if hits is None:
            if len(self._phrases) >= _CACHE_LIMIT:
                self._phrases.clear()
            hits = self._phrases[text] = tuple(h for h in self._hits(text) if h[1] in FORMS)
        return hits

    def _runs_at(self, where: _Where, k: int, t: int, longest: int) -> tuple[tuple[int, Hits], ...]:
        """Multi-word forms starting at token (k, t), longest first, cached by their chunks."""
        key = tuple(where.parts[k : k + longest])
        runs = self._runs.get(key)
        if runs is None:
            seq = where.sequence(k, t, longest)
            found = []
            for size in range(len(seq), 1, -1):
                words = [normalise_token(where.word(*pos)) for pos in seq[:size]]
                hits = self._phrase(where.phrase(seq[:size], words))
                if hits and len(words[-1]) == 1 and not where.initial_ok(*seq[size - 1]):
                    hits = tuple(h for h in hits if h[1] != "initial")
                if hits and len(words[0]) == 1 and not where.initial_ok(*seq[0]):
                    hits = tuple(h for h in hits if h[1] != "initial_last")
                if hits:
                    found.append((size, hits))
            if len(self._runs) >= _CACHE_LIMIT:
                self._runs.clear()
            runs = self._runs[key] = tuple(found)
        return runs

    @staticmethod
    def _longest(
        where: _Where, first: tuple[int, int], runs: tuple[tuple[int, Hits], ...], lone: Hits
    ) -> tuple[tuple[int, int, Hits] | None, tuple[int, int]]:
        """The longest form at token ``first``: its span (or None) and its last token."""
        for size, hits in runs:
            last = (first[0] + size - 1, 0)  # each later word is the first of its chunk
            span = where.span(first, last, hits)
            if span is not None:
                return span, last
        return (where.span(first, first, lone) if lone else None), first


def _token_start(text: str, at: int) -> int:
    """Where a student number holding the digits at ``at`` may start: back over glued letters
    and hyphens (at most 7), then over one short word and a space ("RSD 04518")."""
    lo = at
    while lo > max(0, at - 7) and text[lo - 1] in _GLUE:
        lo -= 1
    if lo > 1 and text[lo - 1] == " " and text[lo - 2].isascii() and text[lo - 2].isalpha():
        word = lo - 1
        while word > max(0, lo - 8) and text[word - 1].isascii() and text[word - 1].isalpha():
            word -= 1
        glued = word > 0 and (text[word - 1].isalnum() or text[word - 1] in "_-")
        if lo - 1 - word <= 6 and not glued:
            return word
    return lo


def _remember(cache: set[str], item: str) -> None:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache.add(item)


def _positions(parts: list[str], chunks: set[str]) -> list[int]:
    """Indexes of ``chunks`` in ``parts``, in order (list searches run at C speed)."""
    found = []
    for chunk in chunks:
        k = -1
        for _ in range(parts.count(chunk)):
            k = parts.index(chunk, k + 1)
            found.append(k)
    return sorted(found)


def _initial(token: Token) -> bool:
    """A single upper-case letter: the "J" of "J. Rivera"."""
    return len(token[2]) == 1 and token[2].isupper()


@lru_cache(maxsize=65536)
def _tokenise(chunk: str) -> tuple[Token, ...]:
    return tuple((m.start(), m.end(), m.group()) for m in _TOKEN.finditer(chunk))


class _Where:
    """Positions in one text split on whitespace; chunk offsets are found only when needed."""

    def __init__(self, text: str, parts: list[str]) -> None:
        self.text = text
        self.parts = parts
        self._starts: dict[int, int] = {}
        self._walked = 0  # chunks before this index have had their offsets recorded
        self._cursor = 0

    def word(self, k: int, t: int) -> str:
        return _tokenise(self.parts[k])[t][2]

    def initial_ok(self, k: int, t: int) -> bool:
        """An initial counts when followed by "." or written upper case (but not "I" or "A")."""
        _, end, letter = _tokenise(self.parts[k])[t]
        return self.parts[k][end : end + 1] == "." or (letter.isupper() and letter not in "IA")

    def sequence(self, k: int, t: int, size: int) -> list[tuple[int, int]]:
        """Up to ``size`` tokens from (k, t) that could form one name: each ends its chunk
        (or is followed by a comma only, for "Schmidt, Emma")."""
        seq = [(k, t)]
        toks = _tokenise(self.parts[k])
        while len(seq) < size and t == len(toks) - 1 and k + 1 < len(self.parts):
            after = self.parts[k][toks[t][1] :]
            if after not in ("", ",") and not (
                after == "." and len(seq) == 1 and _initial(toks[t])
            ):
                break  # other punctuation after the word: "Emma. Schmidt" is not one name
            k, t = k + 1, 0
            toks = _tokenise(self.parts[k])
            lead = self.parts[k][: toks[0][0]] if toks else ""
            if not toks or not _ONLY_INVISIBLE(lead) or toks[0][2][0] in "#@":
                break
            seq.append((k, t))
        return seq

    def opens_sentence(self, k: int, t: int) -> bool:
        """Whether token (k, t) starts the text, a sentence or a line (cheap, approximate)."""
        if t:
            return False
        if self.parts[k][0] in _OPENERS or k == 0:
            return True
        return (
            self.parts[k - 1][-1] in _OPENERS
            or "\n" in self.text[self.start(k - 1) + len(self.parts[k - 1]) : self.start(k)]
        )

    def phrase(self, seq: list[tuple[int, int]], words: list[str]) -> str:
        """The normalised words of ``seq`` joined as the forms are: ", " after a comma."""
        out = words[0]
        for (k, t), word in zip(seq, words[1:], strict=False):
            comma = self.parts[k][_tokenise(self.parts[k])[t][1] :] == ","
            out += (", " if comma else " ") + word
        return out

    def start(self, k: int) -> int:
        """Offset of chunk ``k``.

        A chunk seen once among the first 64 is found directly (its first whitespace-bounded
        occurrence); otherwise a forward walk records every chunk's offset, so a hostile text
        repeating one name thousands of times stays linear.
        """
        known = self._starts.get(k)
        if known is None:
            part = self.parts[k]
            known = self._unique(part) if k < 64 and self.parts.index(part) == k else None
            while known is None:
                p = self.text.find(self.parts[self._walked], self._cursor)
                self._starts[self._walked] = p
                self._cursor = p + len(self.parts[self._walked])
                self._walked += 1
                known = self._starts.get(k)
            self._starts[k] = known
        return known

    def _unique(self, part: str) -> int | None:
        """The first whitespace-bounded occurrence of ``part``, if within a few tries."""
        text, p = self.text, -1
        for _ in range(4):
            p = text.find(part, p + 1)
            e = p + len(part)
            if p < 0:
                return None
            if (p == 0 or text[p - 1].isspace()) and (e == len(text) or text[e].isspace()):
                return p
        return None

    def span(
        self, first: tuple[int, int], last: tuple[int, int], hits: Hits
    ) -> tuple[int, int, Hits] | None:
        """Offsets of tokens ``first``..``last``; None when a gap holds two line breaks."""
        for k in range(first[0], last[0]):
            gap = self.text[self.start(k) + len(self.parts[k]) : self.start(k + 1)]
            if gap.count("\n") > 1:
                return None
        k0, k1 = first[0], last[0]
        base = self.start(k0)
        a = base + _tokenise(self.parts[k0])[first[1]][0]
        b, _, word = _tokenise(self.parts[k1])[last[1]]
        b += base if k1 == k0 else self.start(k1)
        return a, _trimmed_end(b, word), hits
