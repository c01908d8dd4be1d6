"""Obfuscation-robust normalisation, with a map from every normalised character back to
the original text.

A comment is folded (compatibility decomposition as NFKC does, diacritics dropped,
casefolded, zero-width and bidi controls removed, Cyrillic and Greek lookalikes mapped to
Latin letters) and then written in *word form*: every character that is not ``a-z`` or
``0-9`` becomes a space, so whole-word matching is a plain substring search for
``" word "``. From that form :func:`variants` derives the other readings a detector scans:
leetspeak (``0->o 1->i|l 3->e 4->a 5->s 7->t @->a $->s !->i``), runs of three or more
repeated letters collapsed to one and to two (``fuuuuck``, ``stuuupid``), and single
letters spaced out with punctuation joined (``f.u.c.k``). Masked letters (``f***``) are
matched against a word list by :class:`detectors.phrases.MaskIndex`, on the folded text.

Offsets are built lazily: most comments match nothing, so the map is only computed for a
variant in which something was found.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence

MAX_CHARS = 20_000  # hostile input: only this much of a text is analysed

# Lookalikes mapped before casefolding (capitals that resemble another Latin letter).
_UPPER_LOOKALIKES = "АВЕКМНОРСТХУІЈЅ" + "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ"
_UPPER_LATIN = "abekmhopctxyijs" + "abezhikmnoptyx"
_LOWER_LOOKALIKES = "аеорсухіјѕԁһӏԛԝкмтвнь" + "αβεικνορτυχγωμηςϲ" + "øłđıɡ"
_LOWER_LATIN = "aeopcyxijsdhlqwkmtbhb" + "abeikvoptuxywunsc" + "oldig"
_LOOKALIKE = dict(
    zip(_UPPER_LOOKALIKES + _LOWER_LOOKALIKES, _UPPER_LATIN + _LOWER_LATIN, strict=True)
)
LOOKALIKES: Mapping[str, str] = _LOOKALIKE  # Cyrillic/Greek letter -> the Latin one it mimics
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})  # combining marks, zero-width, bidi

_LEET_FROM, _LEET_TO = "013457@$!", "oieastasi"
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_PLAIN_BYTES = bytes(c if chr(c) in _WORD_CHARS else 32 for c in bytes(range(128)).lower())
_PLAIN_BYTES += b" " * 128
_LEET_I = bytes(
    ord(_LEET_TO[_LEET_FROM.index(chr(c))]) if chr(c) in _LEET_FROM else b
    for c, b in enumerate(_PLAIN_BYTES)
)
_LEET_L = _LEET_I[: ord("1")] + b"l" + _LEET_I[ord("1") + 1 :]
# A leet character next to a letter, ignoring numbers with units ("3pm", "4th", "1990s").
_LEET_HINT = re.compile(
    r"[013457@$](?:(?<=[a-z].)|(?!(?:am|pm|th|st|nd|rd|s|k|m|x|h)\b)(?=[a-z]))|![a-z]"
)
BANG_LETTER = re.compile(r"![a-z]")
UNIT_AT = re.compile(r"(?:am|pm|th|st|nd|rd|s|k|m|x|h)(?![a-z0-9])")  # after a digit
_LONE_BANG = re.compile(r"!(?![a-z0-9@$])")  # "great!" is punctuation, "sh!t" is a letter
_TRIPLE = re.compile(r"([a-z])\1\1")
_RUN3 = re.compile(r"([a-z])\1\1+")
_SPACED = re.compile(r"(?<![a-z0-9])[a-z](?: {1,3}[a-z](?![a-z0-9])){2,}")
SPACED_HINT = re.compile(r" [a-z](?: {1,3}[a-z](?![a-z0-9])){2,}")  # on " " + text: fast
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_JOINERS = frozenset("\u200d\ufe0e\ufe0f")  # inside emoji sequences; hide letters elsewhere
_JOINER_IN_WORD = re.compile(r"[A-Za-z][\u200d\ufe0e\ufe0f]+[A-Za-z]")


class _FoldTable(dict[int, str | None]):
    """``str.translate`` table that folds each character once and remembers it."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        if char in _LOOKALIKE:
            value: str | None = _LOOKALIKE[char]
        else:
            parts = unicodedata.normalize("NFKD", char)
            kept = "".join(p for p in parts if unicodedata.category(p) not in _DROPPED_CATEGORIES)
            value = "".join(_LOOKALIKE.get(p, p) for p in kept.casefold()) or None
        self[code] = value
        return value


class _WordTable(dict[int, str]):
    """``str.translate`` table for folded non-ASCII text: letters/digits stay, the rest is space."""

    def __init__(self, ascii_table: bytes) -> None:
        super().__init__((code, chr(ascii_table[code])) for code in range(128))

    def __missing__(self, code: int) -> str:
        return " "


_FOLD = _FoldTable()
_WORD_PLAIN = _WordTable(_PLAIN_BYTES)
_WORD_LEET_I = _WordTable(_LEET_I)
_WORD_LEET_L = _WordTable(_LEET_L)
_RELEVANT: dict[str, bool] = {}


def _relevant(char: str) -> bool:
    """Whether a non-ASCII character can be part of a word (letters, digits, marks, format)."""
    known = _RELEVANT.get(char)
    if known is None:
        category = unicodedata.category(char)
        known = category[0] in "LNM" or category == "Cf" or char in _LOOKALIKE
        _RELEVANT[char] = known
    return known


def _is_simple(text: str) -> bool:
    """ASCII, or non-ASCII only in emoji and symbols: folding is then one-to-one."""
    if text.isascii():
        return True
    for char in _NON_ASCII.findall(text):
        if char in _JOINERS:
            if _JOINER_IN_WORD.search(text):
                return False
        elif _relevant(char):
            return False
    return True


class Normalised:
    """A normalised text and the original index of each of its characters.

    Args:
        text: The normalised text.
        offsets: ``offsets[i]`` is the index in the original text of ``text[i]``, or a
            function building that list on first use (returning ``None`` for the identity).
        technique: What the reading undoes ("" for the plain form, or e.g. "leetspeak").
        limit: Length of the original text (where a span reaching the end stops).
    """

    __slots__ = ("text", "technique", "limit", "_offsets", "_build")

    def __init__(
        self,
        text: str,
        offsets: list[int] | Callable[[], list[int] | None],
        technique: str = "",
        limit: int | None = None,
    ) -> None:
        self.text = text
        self.technique = technique
        if callable(offsets):
            self._build, self._offsets = offsets, None
        else:
            self._build, self._offsets = (lambda: None), offsets
        self.limit = limit

    @property
    def offsets(self) -> list[int]:
        if self._offsets is None:
            self._offsets = self._build() or list(range(len(self.text)))
        return self._offsets

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalised half-open span ``[start, end)`` back to the original text.

        The span ends where the next normalised character starts, so characters folded
        away inside it ("fuuuuck" read as "fuck") stay inside it.
        """
        offsets = self._offsets
        if offsets is None:
            offsets = self._build()
            if offsets is None:  # the identity: no list of every index is needed
                if end < len(self.text):
                    return start, end
                return start, max(end, self.limit) if self.limit is not None else end
            self._offsets = offsets
        if end < len(offsets):
            return offsets[start], offsets[end]
        last = offsets[end - 1] + 1
        return offsets[start], max(last, self.limit) if self.limit is not None else last


def fold(text: str) -> str:
    """Casefold ``text`` with lookalikes, diacritics and invisible characters removed.

    Emoji and other symbols become ``?`` one for one, so a text whose only non-ASCII
    characters are symbols keeps its offsets.
    """
    if text.isascii():
        return text.lower()
    if _is_simple(text):
        return text.encode("ascii", "replace").decode("ascii").lower()
    return text.translate(_FOLD)


def fold_offsets(text: str) -> list[int] | None:
    """Original index of each character of ``fold(text)``; ``None`` when it is the identity."""
    if _is_simple(text):
        return None
    # An ASCII character folds to exactly one character: only the others are looked up.
    offsets: list[int] = []
    position = 0
    for found in _NON_ASCII.finditer(text):
        index = found.start()
        offsets.extend(range(position, index))
        out = _FOLD[ord(found.group())]
        if out:
            offsets.extend([index] * len(out))
        position = index + 1
    offsets.extend(range(position, len(text)))
    return offsets


def _word_form(folded: str, ascii_table: bytes, table: _WordTable) -> str:
    if folded.isascii():
        return folded.encode("ascii").translate(ascii_table).decode("ascii")
    return folded.translate(table)


def word_form(text: str) -> str:
    """The plain word form of ``text``: folded, and anything but ``a-z0-9`` turned to space."""
    return _word_form(fold(text), _PLAIN_BYTES, _WORD_PLAIN)


def _squeeze(text: str, keep: int) -> tuple[str, list[int]]:
    """Collapse runs of 3+ equal letters to ``keep`` letters; return text and index map."""
    pieces: list[str] = []
    index: list[int] = []
    position = 0
    for run in _RUN3.finditer(text):
        pieces.append(text[position : run.start() + keep])
        index.extend(range(position, run.start() + keep))
        position = run.end()
    pieces.append(text[position:])
    index.extend(range(position, len(text)))
    return "".join(pieces), index


def _join_spaced(text: str) -> tuple[str, list[int]]:
    """Join letters spaced out by punctuation ("f u c k" -> "fuck"); text and index map."""
    pieces: list[str] = []
    index: list[int] = []
    position = 0
    for run in _SPACED.finditer(text):
        pieces.append(text[position : run.start()])
        index.extend(range(position, run.start()))
        for offset in range(run.start(), run.end()):
            if text[offset] != " ":
                pieces.append(text[offset])
                index.append(offset)
        position = run.end()
    pieces.append(text[position:])
    index.extend(range(position, len(text)))
    return "".join(pieces), index


def _compose(outer: list[int], inner: Callable[[], list[int] | None]) -> Callable[[], list[int]]:
    def build() -> list[int]:
        base = inner()
        return outer if base is None else [base[i] for i in outer]

    return build


class Prepared:
    """A text cut to ``MAX_CHARS``, folded, and its plain word form.

    ``exact`` says the plain form's words are exactly the words a ``\\b\\w\\w+\\b``
    tokenizer finds in the lowercased text (ASCII or emoji only, no ``_``). ``words`` are
    the plain form's words in order (``plain.text.split()``, split once here for every
    detector that reads them); :meth:`wordset` is the same words as a set, built on first use.
    """

    __slots__ = ("text", "folded", "plain", "exact", "words", "_wordset", "_readings")

    def __init__(self, text: str, folded: str, plain: Normalised, exact: bool) -> None:
        self.text, self.folded, self.plain, self.exact = text, folded, plain, exact
        self.words = plain.text.split()
        self._wordset: frozenset[str] | None = None
        # more_readings() by its arguments: several phrase books read the same readings
        self._readings: dict[tuple[bool, bool, bool | None], list[Normalised]] | None = None

    def wordset(self) -> frozenset[str]:
        """The distinct words of the plain form."""
        found = self._wordset
        if found is None:
            found = self._wordset = frozenset(self.words)
        return found


_PREPARED: dict[str, Prepared] = {}
_PREPARED_SIZE, _PREPARED_TEXT = 8192, 1000  # entries, and longest text kept


def prepare(text: str) -> Prepared:
    """Fold ``text`` (its first ``MAX_CHARS`` characters) and build its plain word form.

    Several detectors scan the same batch, so recent short texts are remembered (a plain
    memo: same text, same result).
    """
    prepared = _PREPARED.get(text)
    if prepared is None:
        prepared = _prepare(text[:MAX_CHARS])
        if len(text) <= _PREPARED_TEXT:
            if len(_PREPARED) >= _PREPARED_SIZE:
                _PREPARED.clear()
            _PREPARED[text] = prepared
    return prepared


def prepare_many(texts: Sequence[str]) -> list[Prepared]:
    """:func:`prepare` for each of ``texts`` (the remembered ones without a call each)."""
    known = _PREPARED.get
    return [known(text) or prepare(text) for text in texts]


def _prepare(text: str) -> Prepared:
    simple = _is_simple(text)
    if text.isascii():
        folded = text.lower()
    elif simple:
        folded = text.encode("ascii", "replace").decode("ascii").lower()
    else:
        folded = text.translate(_FOLD)
    plain = Normalised(
        _word_form(folded, _PLAIN_BYTES, _WORD_PLAIN),
        (lambda: None) if simple else (lambda: fold_offsets(text)),
        limit=len(text),
    )
    return Prepared(text, folded, plain, simple and "_" not in text)


def more_readings(
    prepared: Prepared, repeated: bool, spaced: bool, digits: bool | None = None
) -> list[Normalised]:
    """The readings besides the plain one.

    Args:
        prepared: The text, from :func:`prepare`.
        repeated: The plain form has a run of three equal letters.
        spaced: The plain form has three single letters in a row ("f u c k").
        digits: The plain form has a digit read as a letter ("sh1t", not "3pm"); ``None``
            to look for one here.

    The list is shared by every caller with the same arguments: do not change it.
    """
    known = prepared._readings
    if known is None:
        known = prepared._readings = {}
    forms = known.get((repeated, spaced, digits))
    if forms is None:
        forms = known[repeated, spaced, digits] = _more_readings(prepared, repeated, spaced, digits)
    return forms


def _more_readings(
    prepared: Prepared, repeated: bool, spaced: bool, digits: bool | None
) -> list[Normalised]:
    text, folded, plain = prepared.text, prepared.folded, prepared.plain
    build, limit = plain._build, len(text)
    forms: list[Normalised] = []
    base = plain
    if digits is None:
        digits = _LEET_HINT.search(folded) is not None
    if digits or "@" in folded or "$" in folded or ("!" in folded and BANG_LETTER.search(folded)):
        unbanged = _LONE_BANG.sub(" ", folded) if "!" in folded else folded
        leet = _word_form(unbanged, _LEET_I, _WORD_LEET_I)
        base = Normalised(leet, build, "leetspeak", limit)
        forms.append(base)
        if "1" in folded:
            forms.append(
                Normalised(_word_form(unbanged, _LEET_L, _WORD_LEET_L), build, "leetspeak", limit)
            )
        repeated = _TRIPLE.search(leet) is not None
        spaced = SPACED_HINT.search(" " + leet) is not None
    if repeated:
        for keep in (1, 2):
            squeezed, index = _squeeze(base.text, keep)
            forms.append(Normalised(squeezed, _compose(index, build), "repeated letters", limit))
    if spaced:
        joined, index = _join_spaced(base.text)
        forms.append(Normalised(joined, _compose(index, build), "spaced letters", limit))
    return forms


def variants(text: str) -> list[Normalised]:
    """Every reading of ``text`` worth scanning, plain word form first.

    Args:
        text: The original text (only the first ``MAX_CHARS`` characters are read).

    Returns:
        Word forms (only ``a-z``, ``0-9`` and spaces) with lazy offset maps into ``text``.
    """
    prepared = prepare(text)
    plain = prepared.plain.text
    repeated = _TRIPLE.search(plain) is not None
    spaced = SPACED_HINT.search(" " + plain) is not None
    return [prepared.plain, *more_readings(prepared, repeated, spaced)]


def normalise(text: str) -> Normalised:
    """The single most normalised reading of ``text``, with its map to original offsets.

    Folds, reads leetspeak (``1`` as ``i``), collapses runs of three or more repeated
    letters to two and joins spaced-out single letters. Detectors scan every reading from
    :func:`variants`; this one is for display, tests and simple callers.
    """
    text = text[:MAX_CHARS]
    unbanged = _LONE_BANG.sub(" ", fold(text))
    squeezed, squeeze_index = _squeeze(_word_form(unbanged, _LEET_I, _WORD_LEET_I), 2)
    joined, join_index = _join_spaced(squeezed)
    index = [squeeze_index[i] for i in join_index]
    return Normalised(joined, _compose(index, lambda: fold_offsets(text)), limit=len(text))
