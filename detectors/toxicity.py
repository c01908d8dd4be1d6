"""The project's own model for ``language.prohibited``: how likely a text is abusive.

A logistic regression over a text's plain words (the words :mod:`detectors.phrases`
already finds while it looks for listed ones), trained on public labelled tweets, Reddit
posts, news-site comments and statements about minority groups by
``benchmarks/train_language_model.py``. Each vocabulary word carries two numbers: a weight
counted once if the word is present (for the words of the bag of words: divided by the
square root of the number of distinct bag words present, so a long text does not score
high for its length), and a weight averaged over the text's words (all words that have
one). The second comes from all-MiniLM-L6-v2's vector of the word, so words rare in
training but close in meaning to abusive ones still count; nothing of MiniLM runs here.
Three more weights read how many distinct bag words the text has (``1/sqrt(n)``,
``log(1 + n) / 3`` and ``n == 0``), so short texts with little evidence are scored as such.

The artefact is ``detectors/data/toxicity_model.json.gz``; scoring is a few dictionary
look-ups per word, with no tokenizer of its own.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Mapping, Sequence
from importlib import resources

from detectors.folding import MAX_CHARS, prepare

ARTEFACT = "toxicity_model.json.gz"
FORMAT = 2


class ToxicityModel:
    """Scores texts given the vocabulary columns of their plain words.

    Args:
        words: Word to ``(presence weight, mean weight, has a mean weight, is a bag
            word)``; a word outside the bag of words has presence weight 0.
        intercept: The logistic regression's intercept.
        threshold: Probability at or above which a text is reported (chosen on
            development data when the model was trained).
        length: Weights of ``1/sqrt(n)``, ``log(1 + n) / 3`` and ``n == 0``, where ``n`` is
            the number of distinct bag words in the text.
    """

    def __init__(
        self,
        words: Mapping[str, Sequence[float]],
        intercept: float,
        threshold: float,
        length: Sequence[float] = (0.0, 0.0, 0.0),
    ) -> None:
        self.threshold = threshold
        self._intercept = intercept
        self._length = tuple(float(x) for x in length)
        ordered = sorted(words)
        self.vocabulary: dict[str, int] = {w: i for i, w in enumerate(ordered)}
        self._in_bag = [1 if words[w][3] else 0 for w in ordered]
        self._presence = [float(words[w][0]) if words[w][3] else 0.0 for w in ordered]
        # a word without a vector has mean weight 0 and is not counted in the mean
        self._mean = [float(words[w][1]) if words[w][2] else 0.0 for w in ordered]
        self._counted = [1 if words[w][2] else 0 for w in ordered]
        # The same facts as sets, for C-speed counting (see score_columns).
        self._bag = frozenset(i for i, b in enumerate(self._in_bag) if b)
        self._uncounted = frozenset(i for i, c in enumerate(self._counted) if not c)

    @classmethod
    def bundled(cls, threshold: float | None = None) -> ToxicityModel:
        """The model shipped in ``detectors/data`` (its own threshold unless given)."""
        raw = resources.files("detectors").joinpath("data", ARTEFACT).read_bytes()
        payload = json.loads(gzip.decompress(raw))
        if payload.get("format") != FORMAT:
            raise ValueError(f"{ARTEFACT}: format {payload.get('format')!r}, expected {FORMAT}")
        chosen = payload["threshold"] if threshold is None else threshold
        return cls(payload["words"], payload["intercept"], chosen, payload["length"])

    def columns(self, text: str) -> list[int]:
        """Vocabulary columns of a text's plain words, one per occurrence."""
        vocabulary = self.vocabulary
        words = prepare(text[:MAX_CHARS]).words
        return [vocabulary[w] for w in words if w in vocabulary]

    def score_columns(self, rows: Sequence[Sequence[int]]) -> list[float]:
        """Probability that each text (given as its columns) is abusive."""
        presence, mean, counted = (
            self._presence.__getitem__,
            self._mean.__getitem__,
            self._counted.__getitem__,
        )
        bag, uncounted = self._bag, self._uncounted
        intercept, sqrt, exp, log1p = self._intercept, math.sqrt, math.exp, math.log1p
        inverse_root, log_length, no_bag_word = self._length
        scores = []
        for columns in rows:
            z = intercept
            present = set(columns)
            bag_words = len(bag.intersection(present))  # distinct bag words, as in training
            if bag_words:  # the bag of words has unit length
                z += sum(map(presence, present)) / sqrt(bag_words)
                z += inverse_root / sqrt(bag_words) + log_length * log1p(bag_words) / 3
            else:
                z += inverse_root + no_bag_word
            if columns:
                # words with a mean weight, repeats included
                n = len(columns) if uncounted.isdisjoint(present) else sum(map(counted, columns))
                if n:
                    z += sum(map(mean, columns)) / n
            scores.append(1.0 / (1.0 + exp(-z)) if z > -700 else 0.0)
        return scores

    def score(self, texts: Sequence[str]) -> list[float]:
        """Probability that each text is abusive."""
        return self.score_columns([self.columns(t) for t in texts])
