"""``wellbeing.self_harm``: signs that someone may be thinking of suicide or self-harm.

Not a breach of the procedure: a duty-of-care moment. The finding is critical, so it goes
out at once, and the monitor sends it to the principal and a counsellor; the comment is
never hidden automatically and nothing is sent to its author. The explanation says what
kind of sign was seen and never quotes the words; the details carry a masking label and
the finding's span is the whole text, so no excerpt of it leaves the evidence store.

The phrases are data, one file per language in ``detectors/data/wellbeing/<lang>.txt``
(sections ``[intent]``, ``[method]``, ``[self_harm]``, ``[ideation]``, ``[farewell]``,
``[about_someone]``, and the context sections ``[joking]`` and ``[quoting]``). They need
a first person (or a named other person, for ``[about_someone]``) and a wish, plan, method
or farewell, so idioms ("this homework is killing me", "I'm dead") and news or awareness
posts match nothing; a joke marker ("lol", a laughing emoji), a quotation cue (a song, a
show, a book) or quotation marks around the words make a match a quotation or a joke,
which is not reported. Harm threatened against someone else ("kys") is a threat, reported
by ``language.prohibited``, not here.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

import ahocorasick

from detectors.base import Context, Detector, Finding, Item, Severity, TextItem
from detectors.folding import MAX_CHARS, prepare_many
from detectors.langid import languages_of, rule_languages
from detectors.phrases import (
    COMMON_WORDS,
    FUNCTION_WORDS,
    Match,
    Phrase,
    PhraseBook,
    accents_only,
    read_lines,
    read_sections,
)

RULE = "wellbeing.self_harm"
LABEL = "wellbeing concern"
LANGUAGES = ("en", "fr")
CONTEXT = ("joking", "quoting")


class Sign(NamedTuple):
    """How one section's matches are reported."""

    what: str  # the explanation's noun phrase: what was seen, never the words
    score: float


# In order of seriousness: an item's finding names the most serious sign found.
SIGNS: dict[str, Sign] = {
    "intent": Sign("words about ending their own life", 0.95),
    "method": Sign("a mention of a way to end their life", 0.95),
    "farewell": Sign("what reads like a farewell", 0.85),
    "self_harm": Sign("a mention of hurting themselves", 0.9),
    "ideation": Sign("a wish to die, to disappear or to stop existing", 0.8),
    "about_someone": Sign("a report that another person may hurt themselves", 0.8),
}
SECTIONS = (*SIGNS, *CONTEXT)
# Emoji written in place of a word ("I want to ⚰️", "gonna 🪢 myself").
EMOJI_WORDS: Mapping[str, str] = {
    "\u26b0": "die",  # coffin
    "\U0001faa6": "die",  # headstone
    "\u2620": "die",  # skull and crossbones
    "\U0001f52b": "shoot",  # pistol
    "\U0001f52a": "cut",  # kitchen knife
    "\U0001fa78": "cut",  # drop of blood
    "\U0001faa2": "hang",  # knot
    "\U0001f48a": "pills",  # pill
}
# Laughing emoji mark a joke as "lol" does (the words are in the [joking] section).
JOKING_EMOJI = frozenset("\U0001f602\U0001f923\U0001f480\U0001f639\U0001f606\U0001f61c\U0001f92a")
_EMOJI = re.compile("[" + "".join(EMOJI_WORDS) + "]\ufe0f?")
_HIDDEN = "lookalike or hidden characters"
# What a disguise leaves in folded text: a digit or symbol inside a word ("d1e", "k!ll",
# "mys3lf"), a "$" for an s ("$uicide"), three equal letters ("diiie"), three single
# letters in a row ("k i l l", "k.m.s"; folding.SPACED_HINT). One simple pattern each: a
# single pattern with all of them costs several times more on every comment.
_LEET = re.compile(r"[a-z][0-9@$!*#%][a-z]")
_DOLLAR = re.compile(r"\$[a-z]")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_QUOTES = (('"', '"'), ("\u201c", "\u201d"), ("\u00ab", "\u00bb"))


@dataclass(frozen=True)
class WellbeingPhrases:
    """Each language's sections: language code -> section name -> phrase lines."""

    languages: Mapping[str, Mapping[str, tuple[str, ...]]]


def parse_sections(text: str) -> dict[str, tuple[str, ...]]:
    """The ``[section]`` lines of a wellbeing file; group lines before the first section
    are repeated in each. Unknown sections fail, naming the known ones."""
    return read_sections(text.splitlines(), SECTIONS, "a wellbeing file")


def load_wellbeing(directory: str | Path | Traversable) -> WellbeingPhrases:
    """Read ``<lang>.txt`` for each language of :data:`LANGUAGES` in ``directory``.

    Raises:
        FileNotFoundError: The English file is missing (the others are optional).
    """
    source = Path(directory) if isinstance(directory, str) else directory
    found: dict[str, Mapping[str, tuple[str, ...]]] = {}
    for lang in LANGUAGES:
        path = source.joinpath(f"{lang}.txt")
        if lang != "en" and not path.is_file():
            continue
        found[lang] = parse_sections(path.read_text(encoding="utf-8"))
    return WellbeingPhrases(found)


def bundled_wellbeing() -> WellbeingPhrases:
    """The phrases shipped in ``detectors/data/wellbeing``."""
    return load_wellbeing(resources.files("detectors").joinpath("data", "wellbeing"))


class WellbeingDetector(Detector):
    """Raises ``wellbeing.self_harm`` (critical) once per post or comment showing a sign.

    Profile texts are ignored. Items are read with the phrases of their language (French
    items with the French and the English ones; see :func:`detectors.langid.rule_languages`).

    Args:
        phrases: Phrase files per language; the bundled ones when ``None``.
    """

    name = "wellbeing"
    version = "1"
    rules = (RULE,)

    def __init__(self, phrases: WellbeingPhrases | None = None) -> None:
        self.phrases = phrases if phrases is not None else bundled_wellbeing()
        self._books = {
            lang: PhraseBook(sections) for lang, sections in self.phrases.languages.items()
        }
        self._anchors = frozenset().union(*map(anchors, self.phrases.languages.values()))
        self._gate = _gate(self._anchors)

    def _candidates(self, texts: Sequence[str]) -> list[int]:
        """Indexes of the texts that may hold a sign: an anchor word in the plain form, or
        what a disguise leaves (a digit against a letter, three equal letters, single
        letters in a row, "$" or "!" inside a word, non-ASCII letters, emoji for words).

        Most comments are none of these and skip the phrase scan. The plain forms of the
        batch are walked once by one automaton (:func:`_gate`), as the phrase books do.
        """
        prepared = prepare_many(texts)
        forms = [p.plain.text for p in prepared]
        joined = " " + " | ".join(forms) + " "
        starts = [0, *accumulate([len(form) + 3 for form in forms[:-1]])]
        hits = {bisect_right(starts, end) - 1 for end, _ in self._gate.iter(joined)}
        for index, (text, p) in enumerate(zip(texts, prepared, strict=True)):
            if index in hits:
                continue
            folded = p.folded
            if (
                not p.exact
                or ("$" in folded and _DOLLAR.search(folded) is not None)
                or ("!" in folded and _LEET.search(folded) is not None)
                or (not text.isascii() and _EMOJI.search(text, 0, MAX_CHARS) is not None)
            ):
                hits.add(index)
        return sorted(hits)

    def detect(self, items: Sequence[Item], context: Context) -> Iterable[Finding]:
        texts = [i for i in items if isinstance(i, TextItem) and i.kind != "profile" and i.text]
        if not texts:
            return []
        texts = [texts[i] for i in self._candidates([item.text for item in texts])]
        if not texts:
            return []
        readings = [_reading(item.text[:MAX_CHARS]) for item in texts]
        by_lang: dict[str, list[int]] = {}
        for index, lang in enumerate(languages_of(texts)):
            for book in rule_languages(lang):
                if book in self._books:
                    by_lang.setdefault(book, []).append(index)
        matches: dict[int, list[Match]] = {}
        for lang, indexes in by_lang.items():
            scans = self._books[lang].scan_many([readings[i][0] for i in indexes])
            for index, scan in zip(indexes, scans, strict=True):
                if scan.matches:
                    matches.setdefault(index, []).extend(scan.matches)
        findings = []
        for index in sorted(matches):
            item, (read, offsets) = texts[index], readings[index]
            sign = _sign(read, matches[index])
            if sign is not None:
                findings.append(self._finding(item, sign, offsets))
        return findings

    def _finding(self, item: TextItem, sign: Match, offsets: list[int] | None) -> Finding:
        kind = SIGNS[sign.category]
        start, end, technique = sign.start, sign.end, sign.technique
        if technique == _HIDDEN and accents_only(item.text, start, end):
            technique = ""  # "disparaître" is spelt so, not disguised
        if offsets is not None:  # back from the reading with emoji written as words
            start, end = offsets[start], offsets[max(end - 1, start)] + 1
            if not technique and _EMOJI.search(item.text, start, end):
                technique = "emoji in place of words"
        disguise = f", written in disguise ({technique})" if technique else ""
        explanation = (
            f"This {item.kind} may show that someone is thinking of suicide or of hurting "
            f"themselves: it contains {kind.what}{disguise}. This is a duty-of-care matter, "
            "not a disciplinary one: follow the district's suicide-risk protocol now, and do "
            "not hide, delete or answer the comment before a counsellor has seen it."
        )
        details: dict[str, object] = {"category": sign.category, "label": LABEL}
        details["source"], details["cue"] = "lexicon", [start, end]
        if technique:
            details["obfuscation"] = technique
        score = kind.score * (0.9 if technique else 1.0)
        return self.finding(
            RULE,
            Severity.CRITICAL,
            explanation,
            item.id,
            subject=item.id,
            start=0,
            end=len(item.text),
            score=round(score, 3),
            details=details,
        )


def anchors(sections: Mapping[str, Sequence[str]]) -> frozenset[str]:
    """Words one of which every sign entry needs: for each phrase, the words of its
    rarest required part (see :class:`detectors.phrases.Phrase`); single words themselves.

    A text holding none of them (in its plain form) cannot match a sign unless it is
    disguised, which :data:`_SUSPECT` looks for.
    """
    words: set[str] = set()
    for section in SIGNS:
        entries, macros = read_lines(sections.get(section, ()))
        for entry in entries:
            if entry.startswith("!"):
                continue
            phrase = Phrase(entry, macros)
            if phrase.term is not None:
                words.add(phrase.term)
            elif phrase.requires:
                words |= min(phrase.requires, key=_commonness)
            else:  # a phrase of wildcards only: every text is a candidate
                words.add("")
    return frozenset(words)


# Words too common in comments to be worth anchoring on (a phrase needing one of these
# and a rarer word is anchored on the rarer one).
_COMMON = COMMON_WORDS | frozenset(
    """want wanna time tomorrow tonight today end better care everything started week
    words give gave take taking much last
    je j les des est pour plus ne mes comme quand faire fait ai etre rien mieux veux
    voudrais besoin envie ceci de en il elle ma mon tout soir personne""".split()
)


def _commonness(part: AbstractSet[str]) -> tuple[int, int]:
    cost = sum(1000 if w in FUNCTION_WORDS else 100 if w in _COMMON else 1 for w in part)
    return cost, len(part)


def _gate(words: frozenset[str]) -> ahocorasick.Automaton:
    """An automaton over plain word forms whose keys are the anchor words (" die "), three
    equal letters ("iii"), a letter against a digit ("1l", "l1"), and two single letters in
    a row (" k i ", except the contractions " i m " and " i d ")."""
    automaton = ahocorasick.Automaton()
    keys = {f" {word} " for word in words if word}
    keys |= {letter * 3 for letter in _LETTERS}
    keys |= {a + d for a in _LETTERS for d in "0123456789"}
    keys |= {d + a for a in _LETTERS for d in "0123456789"}
    keys |= {f" {a} {b} " for a in _LETTERS for b in _LETTERS} - {" i m ", " i d "}
    if "" in words:  # a phrase of wildcards: every text is a candidate
        keys.add(" ")
    for key in keys:
        automaton.add_word(key, 0)
    automaton.make_automaton()
    return automaton


def _reading(text: str) -> tuple[str, list[int] | None]:
    """``text`` with the emoji of :data:`EMOJI_WORDS` written as words, and the original
    index of each character (``None`` when there were none: the usual case)."""
    if text.isascii() or not _EMOJI.search(text):
        return text, None
    out: list[str] = []
    offsets: list[int] = []
    position = 0
    for found in _EMOJI.finditer(text):
        out.append(text[position : found.start()])
        offsets.extend(range(position, found.start()))
        word = f" {EMOJI_WORDS[found.group()[0]]} "
        out.append(word)
        offsets.extend([found.start()] * len(word))
        position = found.end()
    out.append(text[position:])
    offsets.extend(range(position, len(text)))
    return "".join(out), offsets


def _sign(text: str, matches: list[Match]) -> Match | None:
    """The most serious sign among ``matches``, or ``None`` when the text is a joke or a
    quotation, or every sign sits inside quotation marks."""
    categories = {m.category for m in matches}
    if "joking" in categories or "quoting" in categories:
        return None
    if not text.isascii() and not JOKING_EMOJI.isdisjoint(text):
        return None
    signs = [m for m in matches if m.category in SIGNS and not _quoted(text, m)]
    if not signs:
        return None
    order = list(SIGNS)
    return min(signs, key=lambda m: (order.index(m.category), m.start))


def _quoted(text: str, match: Match) -> bool:
    """Whether ``match`` lies between an opening and a closing quotation mark."""
    for opening, closing in _QUOTES:
        if opening not in text:
            continue
        before, after = text[: match.start], text[match.end :]
        if opening == closing:
            if before.count(opening) % 2 == 1 and opening in after:
                return True
        elif before.rfind(opening) > before.rfind(closing) and closing in after:
            return True
    return False
