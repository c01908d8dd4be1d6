"""``language.prohibited``: harassing, obscene, discriminatory, defamatory or threatening
language, and confidential information, in posts and comments.

Word lists and phrase patterns are data files under ``detectors/data/lexicon/`` (one per
category; a district edits its own copy and loads it with :func:`load_lexicon`). Single
words are found by an Aho-Corasick automaton (:mod:`detectors.phrases`) over every reading
of a text (:mod:`detectors.folding`), so leetspeak, lookalike letters, repeated, spaced and
masked letters are caught; phrases are regexes over the same readings, tried only when one of
their trigger words occurs. Hallwatch's own model (:mod:`detectors.toxicity`) then scores,
in one call per batch, every text no list caught, and adds a high finding when it is sure
enough. Items identified as another covered language (French) are also read with that
language's lists (``lexicon/<lang>/``, :mod:`detectors.langid`).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import NamedTuple

from detectors.base import Context, Detector, Finding, Item, Severity, TextItem
from detectors.folding import MAX_CHARS
from detectors.langid import DEFAULT, NAMES, languages_of, rule_languages
from detectors.phrases import Match, PhraseBook, ScriptWords, accents_only, other_script
from detectors.toxicity import ToxicityModel

RULE = "language.prohibited"


class Category(NamedTuple):
    """How one lexicon file's findings are reported."""

    severity: Severity
    label: str  # what the masked excerpt shows
    what: str  # the explanation's noun phrase, never the word itself
    score: float


CATEGORIES: dict[str, Category] = {
    "threats": Category(Severity.CRITICAL, "threat", "threatening language", 0.9),
    "hate": Category(
        Severity.HIGH, "discriminatory language", "a slur or discriminatory language", 1.0
    ),
    "harassment": Category(Severity.HIGH, "insult", "a harassing insult", 0.9),
    "obscenity": Category(Severity.HIGH, "obscenity", "an obscene word", 1.0),
    "defamation": Category(Severity.HIGH, "accusation", "a possibly defamatory accusation", 0.7),
    "confidential": Category(
        Severity.HIGH, "confidential information", "what looks like confidential information", 0.8
    ),
}
MASKABLE = ("obscenity", "harassment", "hate")  # word lists also matched as "f***"
# Disguised words are a little less certain: a mask could hide another word.
_DISGUISE_FACTOR = {"": 1.0, "masked letters": 0.8}
_ROT13 = "rot13:"
_HIDDEN = "lookalike or hidden characters"


@dataclass(frozen=True)
class Lexicon:
    """The lines of each category's data file (``#`` comments and blanks are skipped later).

    Attributes:
        files: Category name (a key of :data:`CATEGORIES`) to the file's lines, with
            ``rot13:`` entries already decoded: the English lists, read for every item.
        languages: Other languages' lists (``"fr"`` -> category -> lines), from the
            ``<lang>/`` folders of the lexicon directory, read for items in that language.
    """

    files: Mapping[str, tuple[str, ...]]
    languages: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)


def _read(source: Traversable | Path, category: str) -> tuple[str, ...]:
    text = source.joinpath(f"{category}.txt").read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.lower().startswith(_ROT13):
            stripped = codecs.decode(stripped[len(_ROT13) :].strip(), "rot13")
        lines.append(stripped)
    return tuple(lines)


class LexiconError(ValueError):
    """A district's word-list folder that cannot be read as it is; the message says how to
    fix it."""


def load_lexicon(directory: str | Path | Traversable) -> Lexicon:
    """Read a lexicon directory holding one ``<category>.txt`` per category, and a folder
    of word lists per other language (``<lang>/<category>.txt``).

    Args:
        directory: A district copy of ``detectors/data/lexicon`` (same file names).

    Raises:
        FileNotFoundError: A category file is missing.
        LexiconError: A folder is not named by a language code, or a language folder holds
            no word-list file or a ``.txt`` file that is not one.
    """
    source = Path(directory) if isinstance(directory, str) else directory
    files = {category: _read(source, category) for category in CATEGORIES}
    return Lexicon(files, _language_folders(source))


def _language_folders(source: Traversable | Path) -> dict[str, dict[str, tuple[str, ...]]]:
    """``<lang>/<category>.txt`` files beside the English ones (any category may be absent).

    Folders are named by the code :func:`detectors.langid.identify` gives (``fr``, ``pa``,
    ``es``, ``tl``, ``zh``); a folder whose name starts with "." or "_" is ignored, any other
    is an error (a misspelt folder would otherwise be skipped without a word).
    """
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for folder in sorted(source.iterdir(), key=lambda f: f.name):
        if not folder.is_dir() or folder.name.startswith((".", "_")):
            continue
        lang = _language_code(source, folder.name)
        names = {entry.name for entry in folder.iterdir() if entry.is_file()}
        stray = sorted(n for n in names if n.endswith(".txt") and n[:-4] not in CATEGORIES)
        files = {c: _read(folder, c) for c in CATEGORIES if f"{c}.txt" in names}
        if stray or not files:
            what = (
                f"{', '.join(stray)} {'is' if len(stray) == 1 else 'are'} not a word-list file"
                if stray
                else "holds no word-list file"
            )
            raise LexiconError(
                f"{_where(source, folder.name)}: {what}. Name each file after its category: "
                f"{', '.join(f'{c}.txt' for c in CATEGORIES)} (any of them may be left out)."
            )
        found[lang] = files
    return found


def _language_code(source: Traversable | Path, name: str) -> str:
    """The language code a folder is named by, or a :class:`LexiconError` that says what to
    name it."""
    code = name.lower()
    if code == DEFAULT:
        raise LexiconError(
            f"{_where(source, name)}: the English word lists are the files at the top of the "
            "folder, not in a folder of their own; move them up (or merge them into those)."
        )
    if code in NAMES:
        return code
    guess = [c for c, n in NAMES.items() if n.lower() == code or n.lower().startswith(code)]
    hint = f" For {NAMES[guess[0]]}, name it '{guess[0]}'." if guess and len(code) > 3 else ""
    raise LexiconError(
        f"{_where(source, name)}: '{name}' is not a language code Hallwatch knows.{hint} Name "
        "each language's folder by its ISO 639-1 code, as language identification gives it "
        "(e.g. 'pa' Punjabi, 'zh' Chinese, 'tl' Tagalog, 'es' Spanish), or move the folder "
        "out of the word-list folder (detection.lexicon_dir); see docs/detection-language.md."
    )


def _where(source: Traversable | Path, name: str) -> str:
    return f"word-list folder {Path(str(source)) / name}"


def bundled_lexicon() -> Lexicon:
    """The lexicon shipped in ``detectors/data/lexicon``."""
    return load_lexicon(resources.files("detectors").joinpath("data", "lexicon"))


class LanguageDetector(Detector):
    """Raises ``language.prohibited`` for each prohibited word, phrase or marker found.

    Args:
        lexicon: Word lists and phrases; the bundled ones when ``None``.
        model: Also run the toxicity model (:mod:`detectors.toxicity`) on texts no list
            matched.
        threshold: Model probability at or above which a text is reported; the one chosen
            when the model was trained when ``None``.
    """

    name = "language"
    version = "2"
    rules = (RULE,)

    def __init__(
        self, lexicon: Lexicon | None = None, model: bool = True, threshold: float | None = None
    ) -> None:
        self.lexicon = lexicon if lexicon is not None else bundled_lexicon()
        self.model = ToxicityModel.bundled(threshold) if model else None
        vocabulary = self.model.vocabulary if self.model is not None else None
        self._book = PhraseBook(
            self.lexicon.files, vocabulary=vocabulary, maskable=MASKABLE, exact_columns=False
        )
        # Other languages' lists, read for items identified as that language; lines in
        # another script (Gurmukhi, Chinese, ...) are found as written (ScriptWords).
        self._books: dict[str, PhraseBook] = {}
        self._scripts: dict[str, ScriptWords] = {}
        for lang, files in self.lexicon.languages.items():
            latin = {
                c: tuple(x for x in lines if not _script_line(x)) for c, lines in files.items()
            }
            self._books[lang] = PhraseBook(latin, maskable=MASKABLE)
            script = ScriptWords(
                {c: [x for x in lines if _script_line(x)] for c, lines in files.items()}
            )
            if len(script):
                self._scripts[lang] = script

    def detect(self, items: Sequence[Item], context: Context) -> Iterable[Finding]:
        findings: list[Finding] = []
        by_columns: list[tuple[TextItem, list[int]]] = []
        texts = [item for item in items if isinstance(item, TextItem) and item.text]
        for item, scan in zip(texts, self._book.scan_many([i.text for i in texts]), strict=True):
            if scan.matches:
                for match in sorted(scan.matches, key=lambda m: (m.start, m.end, m.category)):
                    findings.append(self._finding(item, match))
                continue
            if self.model is None:
                continue
            columns = scan.columns
            if columns is None:  # not plain ASCII: the model reads the plain words itself
                columns = self.model.columns(item.text)
            if columns:
                by_columns.append((item, columns))
        if self._books and texts:
            self._other_languages(texts, findings)
        if self.model is not None:
            findings.extend(self._model_findings(self.model, by_columns))
        return findings

    def _other_languages(self, texts: list[TextItem], findings: list[Finding]) -> None:
        """Add the findings of each language's own lists for the items in that language.

        The English model still scores every item no list caught: it rarely fires on French
        (benchmarks/language_fr_eval.py) and catches English insults in mixed comments.
        """
        groups: dict[str, list[TextItem]] = {}
        for item, lang in zip(texts, languages_of(texts), strict=True):
            for book in rule_languages(lang, self._books):
                if book in self._books:
                    groups.setdefault(book, []).append(item)
        seen = {(f.subject, f.start, f.end, f.details.get("category")) for f in findings}
        for lang, group in groups.items():
            scans = self._books[lang].scan_many([i.text for i in group])
            script = self._scripts.get(lang)
            for item, scan in zip(group, scans, strict=True):
                matches = scan.matches + (script.scan(item.text) if script else [])
                for match in sorted(matches, key=lambda m: (m.start, m.end, m.category)):
                    if (item.id, match.start, match.end, match.category) in seen:
                        continue
                    if match.technique == _HIDDEN and accents_only(
                        item.text, match.start, match.end
                    ):
                        match = match._replace(technique="")  # spelt with accents, not disguised
                    found = self._finding(item, match)
                    found.details["language"] = lang
                    findings.append(found)

    def _model_findings(
        self, model: ToxicityModel, by_columns: list[tuple[TextItem, list[int]]]
    ) -> list[Finding]:
        """The model's findings on texts no list matched (one call for the batch)."""
        items = [item for item, _ in by_columns]
        scores = model.score_columns([columns for _, columns in by_columns])
        return [
            self._model_finding(item, score)
            for item, score in zip(items, scores, strict=True)
            if score >= model.threshold
        ]

    def _finding(self, item: TextItem, match: Match) -> Finding:
        category = CATEGORIES[match.category]
        disguise = f", disguised with {match.technique}" if match.technique else ""
        score = category.score * _DISGUISE_FACTOR.get(match.technique, 0.9)
        explanation = f"This {_noun(item)} contains {category.what}{disguise}; " + _ACTIONS.get(
            match.category, "hide or remove it and follow up with the author."
        )
        details = {"category": match.category, "label": category.label, "source": "lexicon"}
        if match.technique:
            details["obfuscation"] = match.technique
        return self.finding(
            RULE,
            category.severity,
            explanation,
            item.id,
            subject=item.id,
            start=match.start,
            end=match.end,
            score=round(score, 3),
            details=details,
        )

    def _model_finding(self, item: TextItem, score: float) -> Finding:
        explanation = (
            f"Hallwatch's language model rates this {_noun(item)} as abusive or hateful "
            f"({score:.0%} likely) although no listed word or phrase was found; a model can be "
            "wrong, so read it and hide it if it breaks the procedure."
        )
        return self.finding(
            RULE,
            Severity.HIGH,
            explanation,
            item.id,
            subject=item.id,
            start=0,
            end=min(len(item.text), MAX_CHARS),  # the model read no further
            score=round(score, 3),
            details={"category": "model", "label": "abusive language", "source": "model"},
        )


def _script_line(line: str) -> bool:
    """A word-list entry in another script (not a comment or a group definition)."""
    return not line.startswith(("#", "{")) and other_script(line)


_ACTIONS = {
    "threats": "treat it as urgent: hide it, keep a copy and follow the threat procedure.",
    "confidential": "remove it and check who may have seen it.",
    "defamation": "hide it and refer it to the principal.",
}


def _noun(item: TextItem) -> str:
    return {"profile": "profile text"}.get(item.kind, item.kind)
