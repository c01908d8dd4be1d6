"""Phrase matching over the folded readings of :mod:`detectors.folding`.

A data file's lines become one Aho-Corasick automaton (:class:`PhraseBook`): single words are
whole-word keys, phrase patterns are regexes run only when their rarest trigger words occur,
and masked words ("f***") are matched by :class:`MaskIndex`. A batch of texts is walked once.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import accumulate
from typing import NamedTuple

import ahocorasick

from detectors.folding import (
    BANG_LETTER,
    MAX_CHARS,
    SPACED_HINT,
    UNIT_AT,
    Normalised,
    Prepared,
    fold_offsets,
    more_readings,
    prepare_many,
    word_form,
)

MASK_CHARS = frozenset("*#%_-")
_MASKED = re.compile(r"(?<![a-z0-9*#%_-])[a-z]+[*#%_-][a-z*#%_-]*")


class MaskIndex:
    """Finds masked words ("f***", "sh*t", "a**hole") by first letter, length and letters.

    A token matches a word when it starts with the word's first letter, has the same
    length, contains at least one mask character, and every unmasked letter agrees.
    """

    def __init__(self, words: Iterable[tuple[str, str]]) -> None:
        self._by_shape: dict[tuple[str, int], list[tuple[str, str]]] = {}
        for word, value in words:
            if len(word) >= 3 and word.isalpha():
                self._by_shape.setdefault((word[0], len(word)), []).append((word, value))

    def __len__(self) -> int:
        return len(self._by_shape)

    def find(self, folded: str) -> list[tuple[int, int, str]]:
        """``(start, end, value)`` for masked words in folded text (``fold(text)``)."""
        found = []
        for token in _MASKED.finditer(folded):
            word = token.group().rstrip("-_")
            for candidate, value in self._by_shape.get((word[0], len(word)), ()):
                if all(c == w or c in MASK_CHARS for c, w in zip(word, candidate, strict=True)):
                    found.append((token.start(), token.start() + len(word), value))
                    break
        return found


# --- Phrase patterns over the word form --------------------------------------------------
#
# A phrase line is words separated by spaces, matched as whole words separated by any
# punctuation or spaces. ``(a|b|c)`` is a choice (an empty choice makes it optional),
# ``*`` is any one word, ``#`` inside a word is a number ("by #pm" matches "by 4:30pm"),
# ``{name}`` is a group defined in the same file by a line ``{name} = a | b | c``, and
# ``{Name}`` is any word written with a capital letter in the original text.

NUMBER = r"[0-9]{1,4}(?: [0-9]{2})?"
# How often a word occurs, roughly, to pick the rarest trigger for each phrase (a phrase's
# regex only runs when one of its trigger words occurs): function words, then words common
# on school pages, then everything else.
FUNCTION_WORDS = frozenset(
    """a about all am an and any are as at be because been but by can could d did do does for
    from had has have he her here him his how i if in into is it its just ll m me my no not
    now of on one or our out re s she so some t than that the their them then there these
    they this to u up us ve very was we were what when where which who will with would you
    your""".split()
)
COMMON_WORDS = frozenset(
    """back bring call came case class come contact day end even file forward get go goes
    going gonna good got great help high hit kids know last like line live love make money
    more most much need new next order pay people please public really report said say school
    see send share should student students take teacher thank thanks thing think time today
    want wants watch way well work works year""".split()
)
_SYNTAX = re.compile(r"\(|\)|\||\{[^}]*\}|[^\s()|{}]+")
_CAP_NAMES = iter(range(1 << 62))

Element = tuple[str, object]  # ("word", str) | ("any", None) | ("cap", None) | ("alt", [...])


class Phrase:
    """One compiled phrase line.

    Attributes:
        regex: Pattern over a word form (lookarounds give whole-word matching).
        triggers: Words one of which occurs whenever the phrase does (``None``: no such
            words, so the phrase must always be tried).
        requires: For each part of the phrase that must leave a word, the words one of
            which it leaves: a text lacking any one set cannot match, so its regex is
            not run.
        term: The single word when the line is just one literal word, else ``None``.
    """

    __slots__ = ("regex", "after_space", "triggers", "requires", "term")

    def __init__(self, line: str, macros: dict[str, str]) -> None:
        tokens = _SYNTAX.findall(line)
        seq, position = _parse(tokens, 0, macros)
        if position != len(tokens):
            raise ValueError(f"unbalanced ')' in phrase {line!r}")
        body, empty = _render_seq(seq)
        if empty:
            raise ValueError(f"phrase {line!r} can match nothing")
        self.regex = rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])"
        # The same matches in " " + form, each starting at the space before it: a pattern
        # that opens with a literal lets the regex engine skip to the spaces, where the
        # lookbehind above makes it try the pattern at every character (several times
        # slower). Word forms hold only a-z, 0-9 and spaces, so "not after a letter or
        # digit" is "after a space, or first".
        self.after_space = rf" (?:{body})(?![a-z0-9])"
        self.triggers = _seq_trigger(seq)
        self.requires = tuple(t for t in map(_element_trigger, seq) if t)
        only = seq[0] if len(seq) == 1 else None
        self.term = only[1] if only is not None and only[0] == "word" else None


def _parse(tokens: list[str], position: int, macros: dict[str, str]) -> tuple[list, int]:
    """Parse a sequence up to ``|``, ``)`` or the end; return it and the next position."""
    seq: list[Element] = []
    while position < len(tokens) and tokens[position] not in ("|", ")"):
        token = tokens[position]
        position += 1
        if token == "(":
            choices = []
            while True:
                choice, position = _parse(tokens, position, macros)
                choices.append(choice)
                if position >= len(tokens):
                    raise ValueError("unclosed '(' in phrase")
                position += 1
                if tokens[position - 1] == ")":
                    break
            seq.append(("alt", choices))
        elif token.startswith("{"):
            seq.append(_macro(token[1:-1].strip(), macros))
        elif token == "*":
            seq.append(("any", None))
        elif "#" in token:
            parts = [re.escape(word_form(p).replace(" ", "")) for p in token.split("#")]
            seq.append(("number", NUMBER.join(parts)))
        else:
            seq.extend(("word", word) for word in word_form(token).split())
    return seq, position


def _macro(name: str, macros: dict[str, str]) -> Element:
    if name == "Name":
        return ("cap", None)
    if name not in macros:
        raise ValueError(f"undefined group {{{name}}}")
    inner = {key: value for key, value in macros.items() if key != name}  # no recursion
    seq, _ = _parse(_SYNTAX.findall(f"({macros[name]})"), 0, inner)
    return seq[0]


def _render_seq(seq: list[Element]) -> tuple[str, bool]:
    """Regex for a sequence, and whether it can match nothing."""
    out, need_space, empty = "", False, True
    for element in seq:
        body, optional = _render(element)
        if not optional:
            out += (" +" if need_space else "") + body
            need_space, empty = True, False
        elif need_space:
            out += f"(?: +{body})?"
        else:
            out += f"(?:{body} +)?"
    return out, empty


def _render(element: Element) -> tuple[str, bool]:
    kind, value = element
    if kind == "word":
        return re.escape(str(value)), False
    if kind == "number":
        return str(value), False
    if kind == "any":
        return "[a-z0-9]+", False
    if kind == "cap":
        return f"(?P<cap{next(_CAP_NAMES)}>[a-z0-9]+)", False
    rendered = [_render_seq(choice) for choice in value]  # type: ignore[attr-defined]
    bodies = [body for body, empty in rendered if not empty]
    return "(?:" + "|".join(bodies) + ")", len(bodies) < len(rendered)


def _rank(words: frozenset[str]) -> tuple[int, int]:
    """Higher is a better trigger: rarely present, then long."""
    cost = sum(300 if w in FUNCTION_WORDS else 30 if w in COMMON_WORDS else 1 for w in words)
    return -cost, min(len(w) for w in words)


def _seq_trigger(seq: list[Element]) -> frozenset[str] | None:
    best: frozenset[str] | None = None
    for element in seq:
        found = _element_trigger(element)
        if found and (best is None or _rank(found) > _rank(best)):
            best = found
    return best


def _element_trigger(element: Element) -> frozenset[str] | None:
    kind, value = element
    if kind == "word":
        return frozenset([str(value)])
    if kind != "alt":
        return None
    words: set[str] = set()
    for choice in value:  # type: ignore[attr-defined]
        found = _seq_trigger(choice)
        if found is None:
            return None  # an empty or open choice: this element need not leave a word
        words |= found
    return frozenset(words)


def read_lines(lines: Iterable[str]) -> tuple[list[str], dict[str, str]]:
    """Entries and group definitions of a data file (``#`` comment lines, blanks ignored)."""
    entries: list[str] = []
    macros: dict[str, str] = {}
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        definition = re.fullmatch(r"\{([\w ]+)\}\s*=\s*(.+)", line)
        if definition:
            macros[definition.group(1)] = definition.group(2)
        else:
            entries.append(line)
    return entries, macros


_SECTION = re.compile(r"\[(\w+)\]")


def read_sections(
    lines: Iterable[str], names: Sequence[str], what: str
) -> dict[str, tuple[str, ...]]:
    """The ``[section]`` lines of a data file (stripped), for each of ``names``; lines
    before the first section (group definitions) are repeated in each.

    Raises:
        ValueError: A section not in ``names`` (the message names ``what`` file it is in
            and the known sections).
    """
    preamble: list[str] = []
    sections: dict[str, list[str]] = {name: [] for name in names}
    current: list[str] | None = None
    for raw in lines:
        line = raw.strip()
        header = _SECTION.fullmatch(line)
        if header:
            if header.group(1) not in sections:
                raise ValueError(
                    f"unknown section [{header.group(1)}] in {what}; use one of {', '.join(names)}"
                )
            current = sections[header.group(1)]
        elif current is None:
            preamble.append(line)
        else:
            current.append(line)
    return {name: (*preamble, *body) for name, body in sections.items()}


# --- Scanning: words through Aho-Corasick, phrases through triggered regexes -------------

ALLOW = "allow"  # category of "!" lines: nothing inside such a match is reported
_REPEATED, _SPACED_OUT, _LETTER_DIGIT, _DIGIT_LETTER = 1, 2, 4, 8  # hint keys: see _hint_keys
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


class Match(NamedTuple):
    """A category found at ``[start, end)`` of the original text, and how it was hidden."""

    category: str
    start: int
    end: int
    technique: str  # "" or e.g. "leetspeak", "masked letters", "lookalike characters"


class Scan(NamedTuple):
    """What one text yielded.

    Attributes:
        matches: Everything found, in original offsets.
        columns: Vocabulary column of each vocabulary word of the plain form, one per
            occurrence; ``None`` when the text is not simple enough for its words to be
            exactly the ones a ``\\b\\w\\w+\\b`` tokenizer sees (non-ASCII letters, ``_``).
    """

    matches: list[Match]
    columns: list[int] | None


class PhraseBook:
    """Data-file entries compiled for scanning every normalised reading of a text.

    Args:
        files: Category name to the lines of its data file. A line that is one word is a
            word entry; anything else is a phrase pattern (see :class:`Phrase`). A line
            starting with ``!`` is an exception: matches inside it are not reported.
        vocabulary: Optional word -> column; :meth:`scan` lists the columns of the words of
            the plain reading, so a bag-of-words model needs no tokenizer of its own.
        maskable: Categories whose words are also matched in masked form ("f***").
        readings: Also scan the leetspeak, repeated- and spaced-letter readings.
        exact_columns: List columns only for texts whose plain words are exactly what a
            ``\\b\\w\\w+\\b`` tokenizer sees; ``False`` lists them for every text (for a
            model trained on the plain words themselves).
    """

    def __init__(
        self,
        files: Mapping[str, Sequence[str]],
        vocabulary: Mapping[str, int] | None = None,
        maskable: Iterable[str] = (),
        readings: bool = True,
        exact_columns: bool = True,
    ) -> None:
        self._readings = readings
        self._exact_columns = exact_columns
        self._words: dict[str, tuple[list[str], set[int]]] = {}
        self._lines: list[tuple[str, re.Pattern[str], bool, tuple[frozenset[str], ...]]] = []
        self._always: set[int] = set()
        # Per phrase line: words it always needs, and sets of which it needs one word each.
        self._needs: list[tuple[frozenset[str], tuple[frozenset[str], ...]]] = []
        masked: list[tuple[str, str]] = []
        maskable = tuple(maskable)
        for category, lines in files.items():
            entries, macros = read_lines(lines)
            for entry in entries:
                target = ALLOW if entry.startswith("!") else category
                try:
                    phrase = Phrase(entry.removeprefix("!").strip(), macros)
                except ValueError as error:
                    raise ValueError(f"{category}: {error}") from error
                if phrase.term is None:
                    self._add_phrase(target, phrase)
                    continue
                self._word(phrase.term)[0].append(target)
                if category in maskable and target != ALLOW:
                    masked.append((phrase.term, category))
        # "f***" could be several words: the first listed category wins
        self._masks = MaskIndex(sorted(masked, key=lambda pair: maskable.index(pair[1])))
        self._has_masks = len(self._masks) > 0
        columns = {w: c for w, c in (vocabulary or {}).items() if _WORD_KEY.fullmatch(w)}
        self._counts = bool(columns)
        self._columns = columns
        self._automaton = self._build()

    def _word(self, word: str) -> tuple[list[str], set[int]]:
        return self._words.setdefault(word, ([], set()))

    def _add_phrase(self, category: str, phrase: Phrase) -> None:
        regex = re.compile(phrase.after_space)  # see _line_hits
        caps = any(name[:3] == "cap" for name in regex.groupindex)
        self._lines.append((category, regex, caps, phrase.requires))
        must = frozenset(word for part in phrase.requires if len(part) == 1 for word in part)
        self._needs.append((must, tuple(part for part in phrase.requires if len(part) > 1)))
        if phrase.triggers is None:
            self._always.add(len(self._lines) - 1)
        for word in phrase.triggers or ():
            self._word(word)[1].add(len(self._lines) - 1)

    def _build(self) -> ahocorasick.Automaton:
        """One automaton for every entry and hint key, so a text is walked once.

        ``" word "`` maps to ``(key length, categories, phrase lines, hint)``; hint keys
        (see :func:`_hint_keys`) map to ``(key length, (), (), hint)``. Vocabulary columns
        are not in it: they come from a dictionary look-up of the plain form's words (the
        same words, in the same order, as whole-word matches of ``" word "`` would give).
        """
        automaton = ahocorasick.Automaton()
        for word, (categories, lines) in self._words.items():
            value = (len(word) + 2, tuple(dict.fromkeys(categories)), tuple(lines), 0)
            automaton.add_word(f" {word} ", value)
        for key, hint in _hint_keys().items() if self._readings else ():
            automaton.add_word(key, (len(key), (), (), hint))
        if not len(automaton):
            automaton.add_word(" \x00 ", (3, (), (), 0))  # an empty automaton cannot search
        automaton.make_automaton()
        return automaton

    def scan(self, text: str) -> Scan:
        """Find every entry in ``text`` (its first ``MAX_CHARS`` characters)."""
        return self.scan_many([text])[0]

    def scan_many(self, texts: Sequence[str]) -> list[Scan]:
        """:meth:`scan` for each of ``texts``, with one automaton walk for the whole batch.

        The plain forms are joined with ``" | "`` (never part of a key, as word forms hold
        only ``a-z``, ``0-9`` and spaces), so a batch costs one call into the automaton and
        Python work only for the few texts in which something was found.
        """
        prepared = prepare_many(texts)
        walked = self._walk([p.plain.text for p in prepared])
        counts, vocabulary, any_text = self._counts, self._columns, not self._exact_columns
        always, readings, masks = bool(self._always), self._readings, self._has_masks
        scans: list[Scan] = []
        for index, item in enumerate(prepared):
            columns: list[int] | None = None
            if counts and (any_text or item.exact):
                columns = [vocabulary[w] for w in item.words if w in vocabulary]
            found = walked.get(index)
            if found is not None and not found[0] and not found[2]:
                # Only phrase lines were triggered: most need a word this text lacks.
                lines = self._possible(found[1], item.plain.text, item.wordset)
                found = ([], lines, 0) if lines else None
            if found is None and not always:
                folded = item.folded
                if not (readings and _other_readings(folded)) and not (
                    masks and _maybe_masked(folded)
                ):
                    scans.append(Scan([], columns))  # the usual case: nothing in this text
                    continue
            hits, lines, hints = found if found is not None else ([], set(), 0)
            # Lines alone were triggered: they were just checked against the words.
            checked = not always and not hits and not hints
            scans.append(self._scan_one(item, hits, lines, hints, columns, checked))
        return scans

    def _scan_one(
        self,
        prepared: Prepared,
        hits: list[tuple[str, int, int]],
        lines: set[int],
        hints: int,
        columns: list[int] | None,
        checked: bool = False,
    ) -> Scan:
        text, folded, plain = prepared.text, prepared.folded, prepared.plain
        if checked:  # ``lines`` are those whose words are all in the text (see _possible)
            hits = hits + self._line_hits(plain, text, lines)
        else:
            hits = hits + self._phrase_hits(plain, text, lines, prepared.wordset)
        found: dict[tuple[int, int, str], Match] = {}
        allowed: list[tuple[int, int]] = []
        if hits:
            self._collect(plain, hits, text, found, allowed)
        if self._readings and (hints or _other_readings(folded)):
            repeated = bool(hints & _REPEATED)
            # Two single letters (" i m ") set the hint; a plain form without three would
            # give a spaced reading equal to the plain one, already scanned.
            spaced = bool(hints & _SPACED_OUT) and SPACED_HINT.search(" " + plain.text) is not None
            digits = bool(hints & (_LETTER_DIGIT | _DIGIT_LETTER))
            for form in more_readings(prepared, repeated, spaced, digits):
                self._collect(form, self._hits(form, text), text, found, allowed)
        if self._has_masks and _maybe_masked(folded):
            for start, end, category in self._masked(prepared):
                found.setdefault(
                    (start, end, category), Match(category, start, end, "masked letters")
                )
        if not found:
            return Scan([], columns)
        return Scan([m for m in found.values() if not _inside(m, allowed)], columns)

    def _walk(
        self, forms: Sequence[str]
    ) -> dict[int, tuple[list[tuple[str, int, int]], set[int], int]]:
        """Word hits, triggered phrase lines and hint bits of each form (by index) that has any.

        Hit offsets are in the form's own coordinates.
        """
        found: dict[int, tuple[list[tuple[str, int, int]], set[int], int]] = {}
        if not forms:
            return found
        joined = " " + " | ".join(forms) + " "
        # Index in joined of each form's trailing space (its padded copy starts len + 1 before).
        lasts = [last - 2 for last in accumulate([len(form) + 3 for form in forms])]
        for end, value in self._automaton.iter(joined):
            length, categories, lines, hint = value
            if hint and hint == _DIGIT_LETTER and UNIT_AT.match(joined, end):
                hint = 0  # "3pm", "4th" are numbers, not leetspeak
            if not (categories or lines or hint):
                continue
            index = bisect_left(lasts, end)  # the form this key ends in
            entry = found.get(index)
            if entry is None:
                entry = found[index] = ([], set(), 0)
            local = end - (lasts[index] - len(forms[index]) - 1)
            if categories:
                entry[0].extend(
                    (category, local - length + 1, local - 1) for category in categories
                )
            if lines:
                entry[1].update(lines)
            if hint:
                found[index] = (entry[0], entry[1], entry[2] | hint)
        return found

    def _hits(self, form: Normalised, original: str) -> list[tuple[str, int, int]]:
        """Every word and phrase hit in one reading, in its own coordinates."""
        hits, lines, _ = self._walk([form.text]).get(0, ([], set(), 0))
        return hits + self._phrase_hits(form, original, lines)

    def _phrase_hits(
        self,
        form: Normalised,
        original: str,
        lines: set[int],
        wordset: Callable[[], frozenset[str]] | None = None,
    ) -> list[tuple[str, int, int]]:
        return self._line_hits(
            form, original, self._possible(lines | self._always, form.text, wordset)
        )

    def _line_hits(
        self, form: Normalised, original: str, lines: set[int]
    ) -> list[tuple[str, int, int]]:
        """The matches of the phrase ``lines`` in one reading (in line order)."""
        hits: list[tuple[str, int, int]] = []
        padded = " " + form.text  # the regexes are Phrase.after_space: one character on
        for line in sorted(lines):
            category, regex, caps, _ = self._lines[line]
            for match in regex.finditer(padded):
                if not caps or _capitalised(match, form, original, 1):
                    # the match starts at the space: in form.text, where the word starts
                    hits.append((category, match.start(), match.end() - 1))
        return hits

    def _possible(
        self, lines: set[int], text: str, wordset: Callable[[], frozenset[str]] | None = None
    ) -> set[int]:
        """The phrase lines that can match ``text``: those with every word they need in it.

        ``wordset`` gives ``text``'s distinct words when the caller has them already.
        """
        words: frozenset[str] | None = None
        possible = set()
        needs = self._needs
        for line in lines:
            must, choices = needs[line]
            if must or choices:
                if words is None:
                    words = frozenset(text.split()) if wordset is None else wordset()
                if not must <= words:
                    continue  # a word the phrase needs is missing: its regex cannot match
                for choice in choices:
                    if choice.isdisjoint(words):
                        break  # none of the words of one of its parts is there
                else:
                    possible.add(line)
                continue
            possible.add(line)
        return possible

    @staticmethod
    def _collect(
        form: Normalised,
        hits: list[tuple[str, int, int]],
        text: str,
        found: dict[tuple[int, int, str], Match],
        allowed: list[tuple[int, int]],
    ) -> None:
        for category, start, end in hits:
            start, end = form.span(start, end)
            if form.technique == "leetspeak" and not _has_letter(text, start, end):
                continue  # "room 455" is not a word in leetspeak
            if category == ALLOW:
                allowed.append((start, end))
            else:
                technique = form.technique or _hidden(text, start, end)
                found.setdefault((start, end, category), Match(category, start, end, technique))

    def _masked(self, prepared: Prepared) -> list[tuple[int, int, str]]:
        found = self._masks.find(prepared.folded)
        offsets = fold_offsets(prepared.text) if found else None
        if offsets is None:
            return found
        return [(offsets[s], offsets[e - 1] + 1, value) for s, e, value in found]


_WORD_KEY = re.compile(r"[a-z0-9]+")
_DASH_MASK = re.compile(r"-(?<=[a-z]-)[a-z*-]")


def _other_readings(folded: str) -> bool:
    """Characters read as letters in leetspeak: "@", "$", or "!" before a letter."""
    return (
        "@" in folded or "$" in folded or ("!" in folded and BANG_LETTER.search(folded) is not None)
    )


def _maybe_masked(folded: str) -> bool:
    return (
        "*" in folded
        or "#" in folded
        or "%" in folded
        or "_" in folded
        or ("-" in folded and _DASH_MASK.search(folded) is not None)
    )


def _hint_keys() -> dict[str, int]:
    """Keys revealing a repeated letter ("aaa"), spaced letters (" a b "), or leetspeak
    digits ("h1", "5h", " h 1 ")."""
    keys = {letter * 3: _REPEATED for letter in _LETTERS}
    for letter in _LETTERS:
        for digit in "013457":
            keys[letter + digit] = _LETTER_DIGIT
            keys[digit + letter] = _DIGIT_LETTER
    for gap in (" ", "  ", "   "):
        for first in _LETTERS:
            for second in _LETTERS:
                keys[f" {first}{gap}{second} "] = _SPACED_OUT
            for digit in "013457":  # "s h 1 t": spaced letters once read as leetspeak
                keys[f" {first}{gap}{digit} "] = _LETTER_DIGIT
                keys[f" {digit}{gap}{first} "] = _LETTER_DIGIT
    return keys


def _has_letter(text: str, start: int, end: int) -> bool:
    return any(char.isalpha() for char in text[start:end])


def _hidden(text: str, start: int, end: int) -> str:
    return "" if text[start:end].isascii() else "lookalike or hidden characters"


def _inside(match: Match, allowed: list[tuple[int, int]]) -> bool:
    return any(start <= match.start and match.end <= end for start, end in allowed)


def _capitalised(match: re.Match[str], form: Normalised, original: str, shift: int = 0) -> bool:
    """Every ``{Name}`` word of ``match`` is capitalised in the original and is not a common
    word ("This is a fraud" names nobody). ``shift``: how far the matched string's offsets
    are ahead of ``form.text``'s."""
    for name, value in match.groupdict().items():
        if name[:3] == "cap" and value is not None:
            start, end = match.span(name)
            start, _ = form.span(start - shift, end - shift)
            if not original[start].isupper() or value in FUNCTION_WORDS or value in COMMON_WORDS:
                return False
    return True


def accents_only(text: str, start: int, end: int) -> bool:
    """Whether every non-ASCII character of ``text[start:end]`` is a Latin letter with a
    diacritic ("disparaître", "élève"): a French or Spanish word written as it is spelt,
    not a word in disguise."""
    return all(
        char.isascii() or unicodedata.normalize("NFKD", char)[0].isascii()
        for char in text[start:end]
    )


# --- Entries in other scripts --------------------------------------------------------------
#
# The word form holds only a-z and 0-9, so a word list line in Gurmukhi, Chinese, Arabic or
# Devanagari would match nothing there. Such lines are found as written instead.

# Scripts written without spaces between words: an entry is found anywhere in the text.
_UNSPACED = ("CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN")


def other_script(line: str) -> bool:
    """Whether a word-list line has a letter the word form cannot hold (not Latin, and not
    a Cyrillic or Greek lookalike of a Latin letter)."""
    return any(
        not char.isascii() and char.isalpha() and not word_form(char).strip() for char in line
    )


def _normal(text: str) -> tuple[str, list[int]]:
    """``text`` normalised one character at a time (compatibility forms, case folded,
    zero-width and bidi controls dropped, whitespace runs as one space), and the original
    index of each normalised character."""
    out: list[str] = []
    offsets: list[int] = []
    space = True
    for index, char in enumerate(text[:MAX_CHARS]):
        if char.isspace():
            if not space:
                out.append(" ")
                offsets.append(index)
            space = True
            continue
        if unicodedata.category(char) == "Cf":
            continue
        for part in unicodedata.normalize("NFKC", char).casefold():
            out.append(part)
            offsets.append(index)
        space = False
    return "".join(out), offsets


def _word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMN"


class ScriptWords:
    """Word-list lines in another script (:func:`other_script`), found as written.

    Text and entries are compared after :func:`_normal` (so case, compatibility forms,
    zero-width characters and spacing do not matter); an entry is a whole word or words,
    except in scripts written without spaces (Chinese, Japanese, Thai, ...), where it is
    found anywhere. A line starting with ``!`` is an exception, as in :class:`PhraseBook`.
    The Latin disguises (leetspeak, spaced or masked letters) do not apply.

    Args:
        files: Category name to the lines to find (only :func:`other_script` lines).
    """

    def __init__(self, files: Mapping[str, Sequence[str]]) -> None:
        self._entries: list[tuple[str, str, bool]] = []  # (normalised, category, whole word)
        for category, lines in files.items():
            for line in lines:
                allow = line.startswith("!")
                words, _ = _normal(line.removeprefix("!").strip())
                if words:
                    whole = not any(s in unicodedata.name(words[0], "") for s in _UNSPACED)
                    self._entries.append((words, ALLOW if allow else category, whole))

    def __len__(self) -> int:
        return len(self._entries)

    def scan(self, text: str) -> list[Match]:
        """Every entry found in ``text``, in original offsets."""
        normal, offsets = _normal(text)
        found: list[Match] = []
        allowed: list[tuple[int, int]] = []
        for words, category, whole in self._entries:
            start = normal.find(words)
            while start >= 0:
                end = start + len(words)
                if not whole or not (
                    (start > 0 and _word_char(normal[start - 1]))
                    or (end < len(normal) and _word_char(normal[end]))
                ):
                    span = (offsets[start], offsets[end - 1] + 1)
                    if category == ALLOW:
                        allowed.append(span)
                    else:
                        found.append(Match(category, *span, ""))
                start = normal.find(words, start + 1)
        return [m for m in found if not any(s <= m.start and m.end <= e for s, e in allowed)]
