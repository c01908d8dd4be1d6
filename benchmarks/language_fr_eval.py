"""French prohibited language: precision and recall of ``language.prohibited`` on MLMA.

The public set is MLMA's French tweets (Ousidhoum et al. 2019, ``mlma-fr`` in
``benchmarks/datasets.toml``): 4,014 tweets gathered around hateful keywords, each
labelled with one or more hostility types (offensive, abusive, hateful, disrespectful,
fearful) or ``normal``. As the authors do for binary tasks, a tweet labelled only
``normal`` is a negative and every other one a positive. Nothing was trained on it, and no
word of the French lists was drawn from it.

Printed at item level (a tweet is flagged when it has any ``language.prohibited``
finding): precision, recall and F1 for the detector as it runs in production (languages
identified, French lists for French items) beside the English lists alone (what every
French comment got before), recall per hostility type, the French lists' categories that
fired, and the share of tweets identified as French.

    .venv/bin/python benchmarks/language_fr_eval.py [--show 10]

No assertion anywhere: the figures are for reading.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import zipfile
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datasets  # noqa: E402

from detectors.base import Context, TextItem  # noqa: E402
from detectors.langid import identify_many  # noqa: E402
from detectors.language import RULE, LanguageDetector, Lexicon, bundled_lexicon  # noqa: E402

CONTEXT = Context(now=datetime(2026, 1, 1, tzinfo=UTC))


def load() -> list[dict[str, str]]:
    with zipfile.ZipFile(datasets.load_path("mlma-fr")) as archive:
        raw = archive.read("hate_speech_mlma/fr_dataset.csv").decode("utf-8")
    return list(csv.DictReader(io.StringIO(raw)))


def flagged(detector: LanguageDetector, texts: Sequence[str]) -> dict[int, set[str]]:
    """Index -> categories found, for every flagged text (batches of 500)."""
    found: dict[int, set[str]] = {}
    for start in range(0, len(texts), 500):
        items = [
            TextItem(id=str(start + n), text=t, kind="comment")
            for n, t in enumerate(texts[start : start + 500])
        ]
        for f in detector.detect(items, CONTEXT):
            if f.rule == RULE:
                found.setdefault(int(f.subject), set()).add(str(f.details.get("category")))
    return found


def scores(gold: list[bool], hits: dict[int, set[str]]) -> str:
    tp = sum(1 for i in hits if gold[i])
    precision = tp / max(len(hits), 1)
    recall = tp / max(sum(gold), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    return f"precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}  ({len(hits)} flagged)"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", type=int, default=0, help="false positives to print")
    args = parser.parse_args(argv)
    rows = load()
    texts = [r["tweet"] for r in rows]
    gold = [r["sentiment"] != "normal" for r in rows]
    langs = Counter(identify_many(texts))
    print(
        f"MLMA French tweets: {len(rows)} ({sum(gold)} hostile, {len(rows) - sum(gold)} "
        f"normal); identified as: " + ", ".join(f"{k} {v}" for k, v in langs.most_common(6))
    )
    bundled = bundled_lexicon()
    english_only = LanguageDetector(lexicon=Lexicon(bundled.files))
    production = LanguageDetector(lexicon=bundled)
    print(f"  English lists and model only (before):  {scores(gold, flagged(english_only, texts))}")
    hits = flagged(production, texts)
    print(f"  With the French lists (production):     {scores(gold, hits)}")
    types: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for index, row in enumerate(rows):
        for kind in row["sentiment"].split("_"):
            if kind != "normal" and gold[index]:
                types[kind] += 1
                found[kind] += index in hits
    print("  Recall by hostility type (a tweet counts under each of its types):")
    for kind, total in types.most_common():
        print(f"    {kind:<14} {found[kind]:>5}/{total:<5} = {found[kind] / total:.3f}")
    categories = Counter(c for cats in hits.values() for c in cats)
    print("  Categories that fired: " + ", ".join(f"{k} {v}" for k, v in categories.most_common()))
    wrong = [i for i in hits if not gold[i]][: args.show]
    for index in wrong:
        print(f"    false positive {sorted(hits[index])}: {texts[index][:140]!r}")


if __name__ == "__main__":
    main()
