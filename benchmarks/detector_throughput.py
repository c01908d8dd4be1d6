"""Text detector throughput on one core: the default text suite beside Presidio.

The corpus comments (benchmarks/data/corpus.jsonl), joined where needed so each has at
least 20 words, are repeated to ``--items`` (20,000) comments, each copy made distinct with
a trailing " (n)" so no whole-text cache can make a copy free, and fed to
``detectors.run`` in batches of ``--batch`` (500) as the monitor does, with the
200-student roster and its consents in the context. The process is pinned
to one CPU where the OS allows it. Prints comments/s for the whole suite and for each
detector alone, Presidio's comments/s on a ``--presidio-sample`` of the same comments
(extrapolated honestly: it is a rate, not a projection), the ratio, the targets beside
them, and the worker's memory with every detector loaded (measured before Presidio is
imported). If detectors/images.py exists it also times photos from tests/data.

    .venv/bin/python benchmarks/detector_throughput.py [--items 20000] [--batch 500]

Two kinds of workload are timed. The *corpus mix* repeats every corpus comment in turn:
it is the evaluation corpus, built to be dense in positives and hard negatives (about two
in three of its comments carry a label, and joining short ones to 20 words makes nine in
ten workload items hold something to report or rule out), so it is the worst case. The
*traffic mixes* are what a school account's comment stream looks like: comments drawn
from the corpus's unlabelled ones (benign, and hard negatives such as staff names, famous
people and sports scores) with a given share of labelled ones spread evenly among them
(``--flagged-share``, 0% and 5% by default). The whole-suite target is read on the traffic
mixes; every figure is printed.

No assertion anywhere: the figures are for reading, and change as the detectors improve.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import detection_quality as dq  # noqa: E402

from detectors.base import Context, Detector, ImageItem, TextItem  # noqa: E402

TARGET_RATE = 20_000  # comments per second per core, whole default text suite
TARGET_RATIO = 50  # times Presidio's rate
IMAGES = Path(__file__).resolve().parent.parent / "tests" / "data"


def pin_one_core() -> str:
    """Pin this process to one CPU; say which (or why not)."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (os.sched_setaffinity is not available on this OS)"
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[0]})
    return f"pinned to CPU {cpus[0]} (of {len(cpus)} available)"


def memory() -> str:
    """Current RSS (/proc/self/status VmRSS) and peak RSS (getrusage ru_maxrss)."""
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":
        peak_kib //= 1024
    current = "n/a"
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                current = f"{int(line.split()[1]) / 1024:.0f} MiB"
    return f"VmRSS {current}, peak RSS (ru_maxrss) {peak_kib / 1024:.0f} MiB"


def workload(
    corpus: Sequence[dict[str, Any]],
    count: int,
    min_words: int = 20,
    flagged_share: float | None = None,
) -> list[TextItem]:
    """``count`` distinct comments of at least ``min_words`` words from the corpus comments.

    A comment shorter than ``min_words`` is joined with the next ones (the speed target is
    for comments of 20-40 words); copies after the first pass get a distinct " (n)" tail.

    Args:
        corpus: The evaluation corpus.
        count: How many comments.
        min_words: Shorter comments are joined with the next ones of their kind.
        flagged_share: ``None`` for the corpus mix (every corpus comment in turn);
            otherwise the share of comments drawn from the labelled ones, spread evenly,
            the rest from the unlabelled ones (a traffic mix).
    """
    comments = [i for i in corpus if i["kind"] == "comment"]
    if flagged_share is None:
        pools = [[i["text"] for i in comments]]
    else:
        pools = [
            [i["text"] for i in comments if not i["labels"]],
            [i["text"] for i in comments if i["labels"]],
        ]
    taken = [0] * len(pools)
    items = []
    for n in range(count):
        which = 0
        if flagged_share is not None and int((n + 1) * flagged_share) > int(n * flagged_share):
            which = 1
        pool, first = pools[which], taken[which]
        taken[which] += 1
        text, k = pool[first % len(pool)], 1
        while len(text.split()) < min_words:  # joined with unlabelled ones in a traffic mix
            filler = pools[0]
            text, k = f"{text} {filler[(first + k) % len(filler)]}", k + 1
        if n >= len(pool):
            text = f"{text} ({n})"
        items.append(TextItem(id=f"w{n}", text=text, kind="comment"))
    return items


def timed(work: Callable[[], object], repeats: int) -> list[float]:
    """CPU seconds of this process for ``repeats`` runs of ``work`` (GC collected before each).

    CPU time, not wall-clock time: on a shared machine another process on the same core
    would otherwise be counted as ours (the process is pinned to one core).
    """
    runs = []
    for _ in range(repeats):
        gc.collect()
        started = time.process_time()
        work()
        runs.append(time.process_time() - started)
    return runs


def suite_rate(
    items: Sequence[TextItem], context: Context, suite: Sequence[Detector], batch: int, repeats: int
) -> float:
    """Median comments/s of ``detectors.run`` over ``items`` in batches (after a warm-up)."""
    dq.run_suite(items[:batch], context, suite, batch)
    runs = timed(lambda: dq.run_suite(items, context, suite, batch), repeats)
    return len(items) / statistics.median(runs)


def image_rate(iterations: int) -> str:
    """Photos/s through ImageDetector.detect on the tests/data photos, or why not measured."""
    try:
        from detectors.images import ImageDetector
    except ImportError:
        return "detectors/images.py is not in this checkout: not measured"
    photos = [p for p in sorted(IMAGES.glob("*")) if p.suffix.lower() in {".jpg", ".jpeg", ".png"}]
    if not photos:
        return f"no photos in {IMAGES}: not measured (see benchmarks/image_throughput.py)"
    items = [
        ImageItem(id=f"img{n}-{p.stem}", post_id=f"post{n}", data=p.read_bytes())
        for n in range(iterations)
        for p in photos
    ]
    detector, context = ImageDetector(), Context(now=dq.NOW)
    list(detector.detect(items[: len(photos)], context))
    seconds = timed(lambda: list(detector.detect(items, context)), 1)[0]
    names = ", ".join(p.name for p in photos)
    return (
        f"{len(items) / seconds:,.1f} photos/s ({len(items)} photos: {names}; per-kind figures, "
        "bombs and garbage in benchmarks/image_throughput.py)"
    )


def presidio_rate(sample: Sequence[TextItem], model: str) -> tuple[float, str] | None:
    """Presidio's comments/s on ``sample`` (after a short warm-up), and its description."""
    setup = dq.presidio_setup(dq.load_district(), model)
    if setup is None:
        return None
    dq.presidio_analyze(setup, (i.text for i in sample[:20]))
    seconds = timed(lambda: dq.presidio_analyze(setup, (i.text for i in sample)), 1)[0]
    return len(sample) / seconds, setup.description


def report_ours(args: argparse.Namespace) -> tuple[float, list[TextItem]]:
    """Time the suite on each workload; return the corpus-mix rate and its comments."""
    before = memory()
    context, roster = dq.build_context()
    suite, missing, source = dq.text_suite()
    suite, source = with_wellbeing(suite, source)
    for line in missing:
        print(f"NOT AVAILABLE, not timed: {line}")
    images = _warm_image_detector()
    loaded = ", ".join([*(d.name for d in suite), *(["images"] if images else [])])
    print(f"Text suite: {source}")
    print(f"Worker memory before any detector is built: {before}")
    print(f"Worker memory with every detector loaded and warmed ({loaded}): {memory()}")
    corpus = dq.load_corpus()
    mixes = [(f"traffic mix, {share:.0%} flagged", share) for share in args.flagged_share]
    workloads = {
        name: workload(corpus, args.items, flagged_share=share)
        for name, share in [*mixes, ("corpus mix (dense, worst case)", None)]
    }
    dense = workloads["corpus mix (dense, worst case)"]
    dq.run_suite(dense[: args.batch], context, suite, args.batch)
    print(
        f"Workloads: {args.items:,} comments each, batches of {args.batch}; roster of "
        f"{roster['students']} students loaded ({roster['released']} releases)"
    )
    which = "Full default text suite" if not missing else "INCOMPLETE text suite (see above)"
    print(f"\n{which}, comments/s on one core (CPU time; target >= {TARGET_RATE:,}):")
    rate = 0.0
    for name, items in workloads.items():
        rate = suite_rate(items, context, suite, args.batch, args.repeats)
        words = statistics.mean(len(i.text.split()) for i in items)
        found = len(dq.run_suite(items, context, suite, args.batch))
        print(f"  {name:<32} {rate:>9,.0f}   ({words:.1f} words a comment, {found:,} findings)")
    print("Each detector alone, corpus mix:")
    for detector in suite:
        alone = suite_rate(dense, context, [detector], args.batch, args.repeats)
        label = f"{detector.name} v{detector.version}"
        print(f"  {label:<32} {alone:>9,.0f}")
    print(f"Worker memory after the timed runs (the workloads included): {memory()}")
    language_cost(
        workloads["traffic mix, 0% flagged"] if 0.0 in args.flagged_share else dense,
        context,
        suite,
        args,
    )
    return rate, dense


def language_cost(
    items: Sequence[TextItem], context: Context, suite: Sequence[Detector], args: argparse.Namespace
) -> None:
    """What language coverage costs: the suite as it was (English lists only, no language
    identification, no wellbeing rule) beside the whole suite, timed in turns in this one
    process so that a busy machine slows both alike."""
    from detectors.langid import forget
    from detectors.language import LanguageDetector, Lexicon

    english: list[Detector] = []
    for detector in suite:
        if "wellbeing.self_harm" in detector.rules:
            continue
        if isinstance(detector, LanguageDetector) and detector.lexicon.languages:
            lexicon = Lexicon(detector.lexicon.files)  # no other language: nothing identified
            detector = LanguageDetector(lexicon=lexicon, model=detector.model is not None)
        english.append(detector)
    rates: dict[str, list[float]] = {"english": [], "whole": []}
    for _ in range(args.repeats):
        for name, chosen in (("english", english), ("whole", suite)):
            forget()
            rates[name].append(suite_rate(items, context, chosen, args.batch, 1))
    # The best of several turns: other work on a shared machine only ever slows a turn.
    before, after = (max(rates[k]) for k in ("english", "whole"))
    print(
        "Cost of language coverage, same comments, timed in turns "
        f"({args.repeats} each, best):\n"
        f"  English lists only, no identification, no wellbeing {before:>9,.0f} comments/s\n"
        f"  whole suite (identification, French lists, wellbeing) {after:>8,.0f} comments/s"
        f"   ({(1 / after - 1 / before) * 1e6:+.1f} us a comment, {after / before - 1:+.0%})"
    )


def with_wellbeing(suite: list[Detector], source: str) -> tuple[list[Detector], str]:
    """The suite with ``wellbeing.self_harm`` (part of ``detectors.default_detectors``),
    added here when the worker's suite does not build it yet."""
    if any("wellbeing.self_harm" in d.rules for d in suite):
        return suite, source
    try:
        from detectors.wellbeing import WellbeingDetector
    except ImportError:
        return suite, source
    return [*suite, WellbeingDetector()], f"{source}, and detectors.wellbeing added here"


def _warm_image_detector() -> bool:
    """Build the photo detector and analyse one photo, so its cascade is in memory."""
    try:
        from detectors.images import ImageDetector
    except ImportError:
        return False
    photo = next(iter(sorted(IMAGES.glob("*.jpg"))), None)
    if photo is not None:
        item = ImageItem(id="warm", post_id="warm", data=photo.read_bytes())
        list(ImageDetector().detect([item], Context(now=dq.NOW)))
    return True


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3, help="timed passes (median reported)")
    parser.add_argument("--presidio-sample", type=int, default=500)
    parser.add_argument("--image-iterations", type=int, default=25)
    parser.add_argument("--spacy-model", default="")
    parser.add_argument(
        "--flagged-share",
        type=float,
        nargs="*",
        default=[0.0, 0.05],
        help="traffic mixes to time: the share of labelled comments in each",
    )
    args = parser.parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print(f"Detector throughput, run {stamp}, Python {sys.version.split()[0]}, {pin_one_core()}")
    print(f"Load average before the run (1, 5, 15 min): {load}; other work on the CPU slows it")
    rate, items = report_ours(args)
    print(f"\nPhotos: {image_rate(args.image_iterations)}")
    print(f"\nPresidio on {args.presidio_sample} of the same comments:")
    measured = presidio_rate(items[: args.presidio_sample], args.spacy_model)
    if measured is None:
        print(
            f"  SKIPPED: presidio_analyzer is not installed. Install it with: {dq.PRESIDIO_INSTALL}"
        )
        return
    presidio, description = measured
    print(f"  {description}")
    print(f"  {presidio:,.0f} comments/s on one core")
    print(
        "\nRatio on the same comments (corpus mix): Hallwatch text suite / Presidio = "
        f"{rate / presidio:,.1f}x   (target >= {TARGET_RATIO}x)"
    )
    print(f"Memory after Presidio and spaCy are loaded (not the worker's): {memory()}")


if __name__ == "__main__":
    main()
