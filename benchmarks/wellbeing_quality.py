"""``wellbeing.self_harm``: recall on a labelled set, and alerts per 1,000 real comments.

1. The labelled set ``benchmarks/data/wellbeing.jsonl`` (written for this rule, by hand):
   positives in groups (explicit statements, indirect ones, obfuscated ones, about someone
   else, French) and negatives (idioms and hyperbole, quotations, lyrics and titles, news,
   awareness campaigns, negations, threats against others, everyday words that come
   close, French idioms). Prints recall per positive group (target: at least 0.9 on
   explicit statements) and the false alerts per negative group.
2. Real public comments nobody here wrote (English tweets of TweetEval, French tweets of
   MLMA; ``benchmarks/datasets.toml``): every alert counts as a false alert unless a person
   reads it and judges otherwise (``--show`` prints them, masked by default). Target: at
   most 0.2 false alerts per 1,000 comments. The English sets are split in two: the *dev*
   sets were read while the phrases were written (their alerts were looked at and some
   exceptions added), the *held-out* sets were not looked at before the figure was taken.

    .venv/bin/python benchmarks/wellbeing_quality.py [--show] [--unmasked]

No assertion anywhere: the figures are for reading.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datasets  # noqa: E402

from detectors.base import Context, TextItem  # noqa: E402
from detectors.wellbeing import RULE, WellbeingDetector  # noqa: E402

LABELLED = Path(__file__).resolve().parent / "data" / "wellbeing.jsonl"
DEV = ("tweeteval-emoji-train", "tweeteval-sentiment-val", "tweeteval-emotion-train")
DEV += ("tweeteval-irony-train",)
HELD_OUT = ("tweeteval-sentiment-test", "tweeteval-emoji-test")
TARGET_RECALL = 0.9
TARGET_ALERTS = 0.2  # per 1,000 real comments
CONTEXT = Context(now=datetime(2026, 1, 1, tzinfo=UTC))


def flagged(detector: WellbeingDetector, texts: Sequence[str], lang: str | None) -> set[int]:
    """Indexes of the texts with a ``wellbeing.self_harm`` finding (batches of 500)."""
    found: set[int] = set()
    for start in range(0, len(texts), 500):
        items = [
            TextItem(id=str(start + n), text=text, kind="comment", language=lang)
            for n, text in enumerate(texts[start : start + 500])
        ]
        found |= {int(f.subject) for f in detector.detect(items, CONTEXT) if f.rule == RULE}
    return found


def labelled(detector: WellbeingDetector) -> None:
    rows = [json.loads(line) for line in LABELLED.read_text("utf-8").splitlines() if line]
    # Language as identified, as in production (None: detectors.langid decides).
    hits = flagged(detector, [r["text"] for r in rows], None)
    by_group: dict[str, list[bool]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_group[(row["label"], row["group"])].append(index in hits)  # type: ignore[index]
    positives = sum(1 for r in rows if r["label"])
    print(
        f"Labelled set {LABELLED.name}: {len(rows)} items, {positives} positive, "
        f"{len(rows) - positives} negative"
    )
    print("  Recall by group of positives:")
    for (label, group), found in sorted(by_group.items(), key=lambda kv: (-kv[0][0], kv[0][1])):
        if label:
            target = f"   (target >= {TARGET_RECALL})" if group == "explicit" else ""
            share = sum(found) / len(found)
            print(f"    {group:<16} {sum(found):>3}/{len(found):<3} = {share:.2f}{target}")
    print("  False alerts by group of negatives:")
    for (label, group), found in sorted(by_group.items()):
        if not label:
            print(f"    {group:<16} {sum(found):>3}/{len(found):<3}")
    true = sum(1 for i in hits if rows[i]["label"])
    print(
        f"  Overall: recall {true / positives:.3f}, precision {true / max(len(hits), 1):.3f} "
        f"({len(hits)} flagged)"
    )
    misses = [r for i, r in enumerate(rows) if r["label"] and i not in hits]
    wrong = [r for i, r in enumerate(rows) if not r["label"] and i in hits]
    for title, group in (("Missed", misses), ("Falsely flagged", wrong)):
        for row in group:
            print(f"    {title}: [{row['group']}] {row['text']!r}")


def english_tweets(name: str) -> list[str]:
    return [t for t in datasets.load_path(name).read_text("utf-8").splitlines() if t.strip()]


def french_tweets() -> list[str]:
    with zipfile.ZipFile(datasets.load_path("mlma-fr")) as archive:
        raw = archive.read("hate_speech_mlma/fr_dataset.csv").decode("utf-8")
    return [row["tweet"] for row in csv.DictReader(io.StringIO(raw))]


def real(detector: WellbeingDetector, show: bool, unmasked: bool) -> None:
    print("\nReal public comments (every alert counted as false unless a person judges it):")
    present, reasons = datasets.available([*DEV, *HELD_OUT, "mlma-fr"])
    for reason in reasons:
        print(f"  NOT AVAILABLE: {reason}")
    groups = {
        "English, dev (read while writing)": [n for n in DEV if n in present],
        "English, held out": [n for n in HELD_OUT if n in present],
        "French (mlma-fr)": ["mlma-fr"] if "mlma-fr" in present else [],
    }
    for title, names in groups.items():
        if not names:
            continue
        texts = [
            t for n in names for t in (french_tweets() if n == "mlma-fr" else english_tweets(n))
        ]
        hits = flagged(detector, texts, None)
        rate = len(hits) / len(texts) * 1000
        print(
            f"  {title:<36} {len(hits):>3} alerts in {len(texts):>7,} comments = "
            f"{rate:.3f} per 1,000   (target <= {TARGET_ALERTS})"
        )
        if show:
            for index in sorted(hits):
                text = texts[index]
                print(f"      {text[:160]!r}" if unmasked else f"      [{len(text)} chars]")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", action="store_true", help="list the real comments flagged")
    parser.add_argument("--unmasked", action="store_true", help="print their text too")
    args = parser.parse_args(argv)
    detector = WellbeingDetector()
    labelled(detector)
    real(detector, args.show, args.unmasked)


if __name__ == "__main__":
    main()
