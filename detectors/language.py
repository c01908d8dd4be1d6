"""``language.prohibited``: harassing, obscene, discriminatory, defamatory or threatening
language, and confidential information, in posts and comments.

Word lists and phrase patterns are data files under ``detectors/data/lexicon/`` (one per
category; a district edits its own copy and loads it with :func:`load_lexicon`). Single
words are found by an Aho-Corasick automaton (:mod:`detectors.phrases`) over every reading
of a text (:mod:`detectors.folding`), so leetspeak, lookalike letters, repeated, spaced and
masked letters are caught; phrases are regexes over the same readings, tried only when one of
their trigger words occurs. The alt-profanity-check model then scores, in one call per
batch, every text no list caught, and adds a finding when it is at least 90% sure the text
is profane or abusive (see :class:`ProfanityModel` for how it keeps within the budget).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple

from detectors.base import Context, Detector, Finding, Item, Severity, TextItem
from detectors.folding import MAX_CHARS
from detectors.langid import languages_of, rule_languages
from detectors.phrases import Match, PhraseBook, accents_only

RULE = "language.prohibited"


class Category(NamedTuple):
    """How one lexicon file's findings are reported."""

    severity: Severity
    label: str  # what the masked excerpt shows
    what: str  # the explanation's noun phrase, never the word itself
    score: float


CATEGORIES: dict[str, Category] = {
    "threats": Category("critical", "threat", "threatening language", 0.9),
    "hate": Category("high", "discriminatory language", "a slur or discriminatory language", 1.0),
    "harassment": Category("high", "insult", "a harassing insult", 0.9),
    "obscenity": Category("high", "obscenity", "an obscene word", 1.0),
    "defamation": Category("high", "accusation", "a possibly defamatory accusation", 0.7),
    "confidential": Category(
        "high", "confidential information", "what looks like confidential information", 0.8
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


def load_lexicon(directory: str | Path | Traversable) -> Lexicon:
    """Read a lexicon directory holding one ``<category>.txt`` per category.

    Args:
        directory: A district copy of ``detectors/data/lexicon`` (same file names).

    Raises:
        FileNotFoundError: A category file is missing.
    """
    source = Path(directory) if isinstance(directory, str) else directory
    files = {category: _read(source, category) for category in CATEGORIES}
    return Lexicon(files, _language_folders(source))


def _language_folders(source: Traversable | Path) -> dict[str, dict[str, tuple[str, ...]]]:
    """``<lang>/<category>.txt`` files beside the English ones (any category may be absent).

    Folders are named by ISO 639-1 code (``fr``); other folder names are ignored.
    """
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for folder in sorted(source.iterdir(), key=lambda f: f.name):
        if not (folder.is_dir() and len(folder.name) == 2 and folder.name.isalpha()):
            continue
        files = {
            category: _read(folder, category)
            for category in CATEGORIES
            if folder.joinpath(f"{category}.txt").is_file()
        }
        if files:
            found[folder.name.lower()] = files
    return found


def bundled_lexicon() -> Lexicon:
    """The lexicon shipped in ``detectors/data/lexicon``."""
    return load_lexicon(resources.files("detectors").joinpath("data", "lexicon"))


class ProfanityModel:
    """alt-profanity-check's classifier: TF-IDF over words, then calibrated linear SVMs.

    ``profanity_check.predict_prob`` spends most of its ~18 microseconds a text splitting
    words in Python. The phrase automaton already finds every vocabulary word of a text's
    plain form, so for texts whose words are exactly what the model's tokenizer would see
    (ASCII or emoji, no ``_``) the counts come from the scan and only the matrix work is
    left to scikit-learn: the same probabilities, for every text, at a fraction of the
    cost. Other texts go through ``predict_prob`` unchanged.

    Args:
        threshold: Probability at or above which a text is reported.
    """

    def __init__(self, threshold: float = 0.9) -> None:
        from profanity_check import profanity_check  # loads the model files: slow, once

        self.threshold = threshold
        self._module = profanity_check
        self.vocabulary: dict[str, int] = dict(profanity_check.vectorizer.vocabulary_)
        self._linear = _linear_sigmoids(profanity_check.model)

    def score(self, texts: Sequence[str]) -> list[float]:
        """The model's probability that each text is profane or abusive."""
        if not texts:
            return []
        if self._linear is None:
            return [float(p) for p in self._module.predict_prob(list(texts))]
        return self._probabilities(self._module.vectorizer.transform(list(texts)))

    def score_columns(self, rows: Sequence[Sequence[int]]) -> list[float]:
        """Probabilities for texts given as the vocabulary columns of their words."""
        if not rows:
            return []
        import numpy as np
        from scipy.sparse import csr_matrix
        from sklearn.preprocessing import normalize
        from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

        lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        indptr = np.concatenate(([0], np.cumsum(lengths)))
        indices = np.fromiter(chain.from_iterable(rows), dtype=np.int32, count=int(indptr[-1]))
        shape = (len(rows), len(self.vocabulary))
        counts = csr_matrix((np.ones(len(indices)), indices, indptr), shape=shape)
        counts.sum_duplicates()
        weighted = counts.multiply(self._module.vectorizer.idf_).tocsr()
        if self._linear is None:
            weighted = normalize(weighted)
            return [float(p) for p in self._module.model.predict_proba(weighted)[:, 1]]
        # what normalize() does to a float64 CSR matrix, without its input validation
        inplace_csr_row_normalize_l2(weighted)
        return self._probabilities(weighted)

    def _probabilities(self, weighted: Any) -> list[float]:
        """``model.predict_proba(weighted)[:, 1]`` for calibrated linear SVMs, computed
        with the very same operations but without scikit-learn's per-call validation
        (which costs more than the arithmetic for a batch of comments)."""
        import numpy as np
        from scipy.special import expit

        assert self._linear is not None
        total = np.zeros(weighted.shape[0])
        for coef_t, intercept, a, b in self._linear:
            scores = np.reshape(weighted @ coef_t + intercept, (-1,))
            total += expit(-(a * scores + b))
        total /= len(self._linear)
        return [float(p) for p in total]


def _linear_sigmoids(model: Any) -> list[tuple[Any, Any, Any, Any]] | None:
    """``(coef.T, intercept, a, b)`` of each calibrated binary linear classifier with a
    sigmoid calibrator, or ``None`` when ``model`` is not exactly that (then scikit-learn
    is called as it is)."""
    import numpy as np

    parts: list[tuple[Any, Any, Any, Any]] = []
    classifiers = getattr(model, "calibrated_classifiers_", None)
    if not classifiers or len(getattr(model, "classes_", ())) != 2:
        return None
    for calibrated in classifiers:
        estimator = calibrated.estimator
        coef = getattr(estimator, "coef_", None)
        intercept = getattr(estimator, "intercept_", None)
        if (
            getattr(calibrated, "method", None) != "sigmoid"
            or len(calibrated.calibrators) != 1
            or not isinstance(coef, np.ndarray)
            or coef.ndim != 2
            or coef.shape[0] != 1
            or not isinstance(intercept, np.ndarray)
            or intercept.shape != (1,)
            or list(estimator.classes_) != list(model.classes_)
            or type(estimator).decision_function is not _linear_decision_function()
        ):
            return None
        calibrator = calibrated.calibrators[0]
        if not (hasattr(calibrator, "a_") and hasattr(calibrator, "b_")):
            return None
        if type(calibrator).predict is not _sigmoid_predict():
            return None
        parts.append((coef.T, intercept, calibrator.a_, calibrator.b_))
    return parts


def _linear_decision_function() -> Any:
    from sklearn.linear_model._base import LinearClassifierMixin

    return LinearClassifierMixin.decision_function


def _sigmoid_predict() -> Any:
    from sklearn.calibration import _SigmoidCalibration

    return _SigmoidCalibration.predict


class LanguageDetector(Detector):
    """Raises ``language.prohibited`` for each prohibited word, phrase or marker found.

    Args:
        lexicon: Word lists and phrases; the bundled ones when ``None``.
        model: Also run the alt-profanity-check model on texts no list matched.
        threshold: Model probability at or above which a text is reported.
    """

    name = "language"
    version = "1"
    rules = (RULE,)

    def __init__(
        self, lexicon: Lexicon | None = None, model: bool = True, threshold: float = 0.9
    ) -> None:
        self.lexicon = lexicon if lexicon is not None else bundled_lexicon()
        self.model = ProfanityModel(threshold) if model else None
        vocabulary = self.model.vocabulary if self.model is not None else None
        self._book = PhraseBook(self.lexicon.files, vocabulary=vocabulary, maskable=MASKABLE)
        # Other languages' lists, read for items identified as that language.
        self._books = {
            lang: PhraseBook(files, maskable=MASKABLE)
            for lang, files in self.lexicon.languages.items()
        }

    def detect(self, items: Sequence[Item], context: Context) -> Iterable[Finding]:
        findings: list[Finding] = []
        by_columns: list[tuple[TextItem, list[int]]] = []
        by_text: list[TextItem] = []
        texts = [item for item in items if isinstance(item, TextItem) and item.text]
        for item, scan in zip(texts, self._book.scan_many([i.text for i in texts]), strict=True):
            if scan.matches:
                for match in sorted(scan.matches, key=lambda m: (m.start, m.end, m.category)):
                    findings.append(self._finding(item, match))
                continue
            if self.model is None:
                continue
            if scan.columns is None:
                by_text.append(item)
            elif scan.columns:
                by_columns.append((item, scan.columns))
        if self._books and texts:
            self._other_languages(texts, findings)
        if self.model is not None:
            findings.extend(self._model_findings(self.model, by_columns, by_text))
        return findings

    def _other_languages(self, texts: list[TextItem], findings: list[Finding]) -> None:
        """Add the findings of each language's own lists for the items in that language.

        The English model still scores every item no list caught: it rarely fires on French
        (benchmarks/language_fr_eval.py) and catches English insults in mixed comments.
        """
        groups: dict[str, list[TextItem]] = {}
        for item, lang in zip(texts, languages_of(texts), strict=True):
            for book in rule_languages(lang):
                if book in self._books:
                    groups.setdefault(book, []).append(item)
        seen = {(f.subject, f.start, f.end, f.details.get("category")) for f in findings}
        for lang, group in groups.items():
            scans = self._books[lang].scan_many([i.text for i in group])
            for item, scan in zip(group, scans, strict=True):
                for match in sorted(scan.matches, key=lambda m: (m.start, m.end, m.category)):
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
        self,
        model: ProfanityModel,
        by_columns: list[tuple[TextItem, list[int]]],
        by_text: list[TextItem],
    ) -> list[Finding]:
        """One model call for the batch (plus one for the few texts it must tokenize)."""
        items = [item for item, _ in by_columns] + by_text
        scores = model.score_columns([columns for _, columns in by_columns])
        scores += model.score([item.text[:MAX_CHARS] for item in by_text])
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
            f"A language model rates this {_noun(item)} as profane or abusive "
            f"({score:.0%} likely) although no listed word was found; review it and hide it "
            "if it breaks the procedure."
        )
        return self.finding(
            RULE,
            "high",
            explanation,
            item.id,
            subject=item.id,
            start=0,
            end=len(item.text),
            score=round(score, 3),
            details={"category": "obscenity", "label": "offensive language", "source": "model"},
        )


_ACTIONS = {
    "threats": "treat it as urgent: hide it, keep a copy and follow the threat procedure.",
    "confidential": "remove it and check who may have seen it.",
    "defamation": "hide it and refer it to the principal.",
}


def _noun(item: TextItem) -> str:
    return {"profile": "profile text"}.get(item.kind, item.kind)
