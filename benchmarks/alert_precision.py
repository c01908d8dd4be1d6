"""False alerts on real text at a district's size, and recall on school posts.

What a district sees in its first week, measured on text nobody here wrote:

1. A roster of 15,000 students drawn from real name distributions
   (``district_roster.py``; given names that are words included) is hashed into a
   :class:`~detectors.roster.RosterIndex`, and the context is built as a worker builds it:
   district domains, the organisation units' own contact details, region, no consents.
2. About 52,000 real public comments (``real_comments.py``: tweets, YouTube comments,
   high-school students' forum posts) that name no student of this district go through the
   default text suite. Every ``pii.student`` alert on them is false. They are split into a
   development half (its alerts may be read, with ``--show``, to fix things) and a held-out
   half (figures only). Both are reported.
3. ``benchmarks/data/school_posts.jsonl``: school-style posts written and labelled for this
   benchmark (spans of named, numbered and photographed students, first names, contact
   details tied to a student; and negatives: the school's own contact details, registration
   notices, clubs named like given names, famous people, Bible references, sports players).
   Recall per kind, and false alerts on the negatives.
4. ``language.prohibited`` and ``media.inquiry``: alerts per 1,000 real comments, and the
   share a person would call right, from ``benchmarks/data/real_comment_judgements.jsonl``
   (development-half alerts judged by hand; see the docs).
5. ``wellbeing.self_harm``: alerts per 1,000 real comments, and the false ones: every
   alert on both halves was read and judged (a present or disclosed sign a counsellor must
   hear is right; hyperbole, idioms, satire and others' stories are false; the judgements
   and why are in the judgements file; an alert nobody judged counts as false), and recall
   per group on ``benchmarks/data/wellbeing.jsonl``, the set written by hand for the rule
   (explicit, indirect, obfuscated and French statements; idioms, hyperbole, quotations,
   song lyrics, book titles, news and negations that must stay quiet). Targets (issue 16):
   at most 0.2 false alerts per 1,000, recall at least 0.9 on explicit statements.

``--baseline REF`` also runs the detectors as they are at git ref REF (their ``detectors/``
folder, extracted to a temporary directory and imported in a child process) on the same
data, and prints both side by side.

    .venv/bin/python benchmarks/alert_precision.py [--baseline main] [--show 40]
        [--json out.json]

Targets (issue 11): at most 1.0 false pii.student alert and 0.1 critical per 1,000 real
comments; recall of named, numbered or photographed students in school posts at least 0.98.
No assertion: the figures are for reading.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import district_roster  # noqa: E402
import real_comments  # noqa: E402

DATA = HERE / "data"
POSTS = DATA / "school_posts.jsonl"
DISTRICT = DATA / "alert_district.json"
JUDGEMENTS = DATA / "real_comment_judgements.jsonl"
IMAGES = ROOT / "tests" / "data"
KEY = b"alert_precision benchmark roster key (not a secret)"
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
BATCH = 500
RULES = ("pii.student", "language.prohibited", "media.inquiry", "wellbeing.self_harm")
WELLBEING = "wellbeing.self_harm"
WELLBEING_SET = DATA / "wellbeing.jsonl"  # labelled by hand for the rule (wellbeing_quality.py)
TARGET_WELLBEING_RECALL, TARGET_WELLBEING_ALERTS = 0.9, 0.2
SEVERITIES = ("critical", "high", "medium", "low")
TARGET_FALSE, TARGET_CRITICAL, TARGET_RECALL = 1.0, 0.1, 0.98
# Label kinds in school_posts.jsonl whose recall the 0.98 target covers.
IDENTIFYING = ("full name", "initial + surname", "name tag", "student number", "photo",
               "tied contact", "tied birth date")  # fmt: skip
_FORMS = {
    "full": "full name", "tag": "name tag", "initial": "first name + initial",
    "first": "first name", "initial_last": "initial + surname", "number": "roster number",
}  # fmt: skip


# --- the district --------------------------------------------------------------------------


def load_district() -> dict[str, Any]:
    return json.loads(DISTRICT.read_text("utf-8"))


def build_context(roster_rows: Sequence[dict[str, str]]) -> Any:
    """The context a worker builds, with whichever ``detectors`` package is imported.

    The organisation units' contacts go into ``Context.org_contacts`` when the package has
    it, and always into the older ``extra`` keys (``allow_phones``, ``allow_addresses``,
    ``district_domains``) so an older package sees the same district.
    """
    from detectors import Context
    from detectors.roster import RosterIndex, student_key

    district = load_district()
    units = district["org_units"]
    names = {f.name for f in dataclasses.fields(Context)}
    kw: dict[str, Any] = {}
    if "org_contacts" in names:
        from detectors import OrgContact

        kw["org_contacts"] = tuple(
            OrgContact(
                name=u["name"], addresses=(u["address"],), phones=(u["phone"],),
                emails=(u["email"],), websites=(u["website"],),
            )
            for u in units
        )  # fmt: skip
    extra = {
        "allow_phones": tuple(u["phone"] for u in units),
        "allow_addresses": tuple(u["address"] for u in units),
    }
    return Context(
        now=NOW,
        district_domains=tuple(district["district_domains"]),
        roster=RosterIndex.from_rows(KEY, roster_rows),
        consents=frozenset(
            student_key(KEY, r["student_number"])
            for r in district_roster.planted_students()
            if r.get("media_release") == "yes"
        ),
        region=district["region"],
        extra=extra,
        **kw,
    )


def load_posts() -> list[dict[str, Any]]:
    posts = [json.loads(line) for line in POSTS.read_text("utf-8").splitlines() if line.strip()]
    for post in posts:
        for span in post.get("labels", []) + post.get("negatives", []):
            if "start" in span and not 0 <= span["start"] < span["end"] <= len(post["text"]):
                raise SystemExit(f"{POSTS}: post {post['id']} has a span outside its text")
    return posts


# --- running the detectors (this process, or a child with an older package) -------------


def _suite() -> list[Any]:
    from detectors.images import ImageDetector
    from detectors.language import LanguageDetector
    from detectors.media import MediaInquiryDetector
    from detectors.pii import PiiDetector

    suite = [PiiDetector(), LanguageDetector(), MediaInquiryDetector(), ImageDetector()]
    try:  # a --baseline ref from before the rule has none
        from detectors.wellbeing import WellbeingDetector
    except ImportError:
        return suite
    return [*suite, WellbeingDetector()]


def wellbeing_labelled(context: Any, suite: Sequence[Any]) -> dict[str, list[int]]:
    """``wellbeing.self_harm`` on the hand-written labelled set: per ``label:group``,
    ``[alerted, items]`` (recall for positive groups, false alerts for negative ones)."""
    import detectors
    from detectors import TextItem

    rows = [json.loads(line) for line in WELLBEING_SET.read_text("utf-8").splitlines() if line]
    items = [TextItem(id=r["id"], text=r["text"], kind="comment") for r in rows]
    hit = {f.subject for f in detectors.run(items, context, detectors=suite) if f.rule == WELLBEING}
    groups: dict[str, list[int]] = {}
    for row in rows:
        counts = groups.setdefault(f"{row['label']}:{row['group']}", [0, 0])
        counts[0] += row["id"] in hit
        counts[1] += 1
    return groups


def _rows(found: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {
            "item": f.subject, "rule": f.rule, "severity": f.severity, "start": f.start,
            "end": f.end, "kind": sub_kind(f.details), "score": round(f.score, 3),
        }
        for f in found
    ]  # fmt: skip


def sub_kind(details: dict[str, Any]) -> str:
    label = str(details.get("label", ""))
    if label == "student name":
        return _FORMS.get(str(details.get("form", "")), str(details.get("form", "")))
    return label or "photo"


def run_detectors() -> dict[str, Any]:
    """Findings on the real comments and on the school posts, with the imported package."""
    import detectors
    from detectors import ImageItem, TextItem

    roster = district_roster.build_roster()
    context = build_context(roster.rows)
    suite = _suite()
    comments = real_comments.load_all()
    started = time.perf_counter()
    found = []
    for i in range(0, len(comments), BATCH):
        items = [TextItem(id=c.id, text=c.text, kind="comment") for c in comments[i : i + BATCH]]
        found.extend(detectors.run(items, context, detectors=suite))
    seconds = time.perf_counter() - started
    posts = load_posts()
    consent = {p["id"]: True for p in posts if p.get("photo_consent")}
    if consent:
        context = dataclasses.replace(context, extra={**context.extra, "post_consent": consent})
    post_items: list[Any] = []
    for post in posts:
        post_items.append(TextItem(id=post["id"], text=post["text"], kind="post"))
        if post.get("photo"):
            data = (IMAGES / post["photo"]).read_bytes()
            post_items.append(ImageItem(id=post["id"] + "/photo", post_id=post["id"], data=data))
    post_found = detectors.run(post_items, context, detectors=suite)
    return {
        "wellbeing": wellbeing_labelled(context, suite),
        "comments": _rows(found),
        "posts": _rows(post_found),
        "seconds": seconds,
        "roster": district_roster.describe(roster),
        "detectors": str(Path(detectors.__file__).resolve().parent),
    }


def run_baseline(ref: str) -> dict[str, Any]:
    """:func:`run_detectors` with ``detectors/`` as it is at git ref ``ref``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "detectors"], check=True, capture_output=True
    ).stdout
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        out = Path(tmp) / "findings.json"
        env = {**os.environ, "PYTHONPATH": tmp}
        subprocess.run([sys.executable, __file__, "--worker", str(out)], check=True, env=env)
        return json.loads(out.read_text("utf-8"))


# --- figures -------------------------------------------------------------------------------


def per_thousand(count: int, total: int) -> float:
    return 1000.0 * count / total if total else 0.0


def alert_figures(rows: Sequence[dict[str, Any]], ids: set[str], rule: str) -> dict[str, Any]:
    """Alerts (a comment with findings of ``rule`` is one flag, at its highest severity)."""
    flags: dict[str, str] = {}
    kinds: Counter[str] = Counter()
    for row in rows:
        if row["rule"] != rule or row["item"] not in ids:
            continue
        kinds[row["kind"]] += 1
        best = flags.get(row["item"])
        if best is None or SEVERITIES.index(row["severity"]) < SEVERITIES.index(best):
            flags[row["item"]] = row["severity"]
    by_severity = Counter(flags.values())
    n = len(ids)
    return {
        "comments": n,
        "alerts": len(flags),
        "per_1000": per_thousand(len(flags), n),
        "critical_per_1000": per_thousand(by_severity["critical"], n),
        "by_severity": {s: per_thousand(by_severity[s], n) for s in SEVERITIES},
        "findings_by_kind": {k: per_thousand(c, n) for k, c in kinds.most_common()},
        "flagged": sorted(flags),
    }


def _overlaps(row: dict[str, Any], span: dict[str, Any]) -> bool:
    return row["start"] is not None and row["start"] < span["end"] and span["start"] < row["end"]


def post_figures(rows: Sequence[dict[str, Any]], posts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Recall per label kind (and at the expected severity), false alerts per negative kind."""
    by_item: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["rule"] == "pii.student":
            by_item[row["item"]].append(row)
    hit: Counter[str] = Counter()
    hit_severity: Counter[str] = Counter()
    total: Counter[str] = Counter()
    missed: list[tuple[str, str, str]] = []
    negatives: Counter[str] = Counter()
    negative_hits: Counter[str] = Counter()
    wrong: list[tuple[str, str, str]] = []
    for post in posts:
        found = by_item.get(post["id"], [])
        for label in post.get("labels", []):
            what = label["what"]
            total[what] += 1
            if what == "photo":
                match = by_item.get(post["id"] + "/photo", [])
            else:
                match = [r for r in found if _overlaps(r, label)]
            if match:
                hit[what] += 1
                expected = label.get("severity", "critical")
                if any(r["severity"] == expected for r in match):
                    hit_severity[what] += 1
            else:
                missed.append((post["id"], what, _excerpt(post["text"], label)))
        for negative in post.get("negatives", []):
            negatives[negative["what"]] += 1
            if "start" not in negative:  # a consented photo: no finding on the photo
                bad = by_item.get(post["id"] + "/photo", [])
            else:
                bad = [r for r in found if _overlaps(r, negative)]
            if bad:
                negative_hits[negative["what"]] += 1
                where = negative if "start" in negative else {"start": 0, "end": 0}
                wrong.append((post["id"], negative["what"], _excerpt(post["text"], where)))
    ident = [k for k in total if k in IDENTIFYING]
    return {
        "recall": {k: (hit[k], total[k]) for k in sorted(total)},
        "recall_at_severity": {k: (hit_severity[k], total[k]) for k in sorted(total)},
        "identifying_recall": (sum(hit[k] for k in ident), sum(total[k] for k in ident)),
        "negatives": {k: (negative_hits[k], negatives[k]) for k in sorted(negatives)},
        "missed": missed,
        "false": wrong,
    }


def _excerpt(text: str, span: dict[str, Any]) -> str:
    a, b = span["start"], span["end"]
    return f"{text[max(0, a - 50) : a]}[[{text[a:b]}]]{text[b : b + 50]}".replace("\n", " ")


def judgements() -> dict[tuple[str, str], bool]:
    if not JUDGEMENTS.exists():
        return {}
    out = {}
    for line in JUDGEMENTS.read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out[(row["id"], row["rule"])] = bool(row["right"])
    return out


def summarise(result: dict[str, Any]) -> dict[str, Any]:
    comments = real_comments.load_all()
    dev, held = real_comments.split(comments)
    halves = {"dev": {c.id for c in dev}, "held-out": {c.id for c in held}}
    by_source: dict[str, set[str]] = defaultdict(set)
    for c in comments:
        by_source[c.source].add(c.id)
    judged = judgements()
    out: dict[str, Any] = {"halves": {}, "sources": {}, "posts": None}
    for half, ids in halves.items():
        figures = {rule: alert_figures(result["comments"], ids, rule) for rule in RULES}
        # Every wellbeing alert on either half was read (its judgement and why are in the
        # judgements file): the target counts the alerts a person judged false.
        flagged = figures[WELLBEING]["flagged"]
        right = sum(judged.get((i, WELLBEING), False) for i in flagged)
        unjudged = sum((i, WELLBEING) not in judged for i in flagged)
        figures[WELLBEING]["judged"] = (right, len(flagged) - unjudged)
        figures[WELLBEING]["false_per_1000"] = per_thousand(len(flagged) - right, len(ids))
        for rule in ("language.prohibited", "media.inquiry"):
            if half == "dev":
                verdicts = [
                    judged[(i, rule)] for i in figures[rule]["flagged"] if (i, rule) in judged
                ]
                figures[rule]["judged"] = (sum(verdicts), len(verdicts))
        out["halves"][half] = figures
    for source, ids in sorted(by_source.items()):
        out["sources"][source] = alert_figures(result["comments"], ids, "pii.student")
    out["posts"] = post_figures(result["posts"], load_posts())
    out["wellbeing"] = result.get("wellbeing", {})
    out["seconds"] = result["seconds"]
    out["roster"] = result["roster"]
    return out


# --- printing ------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return f"{value:6.2f}"


def _ratio(pair: Sequence[int]) -> str:
    hit, total = pair
    return f"{hit / total:.3f} ({hit}/{total})" if total else "n/a"


def _row(label: str, cells: Sequence[str]) -> None:
    """One line of the report: ``label``, then each run's cell, side by side."""
    print(f"{label:34}" + "".join(f"{cell:>22}" for cell in cells))


def print_report(runs: dict[str, dict[str, Any]]) -> None:
    names = list(runs)
    first = runs[names[0]]
    print(f"Roster: {first['roster']}")
    print(f"Comments: {sum(f['pii.student']['comments'] for f in first['halves'].values()):,} "
          "real public comments; halves by a hash of their ids.")  # fmt: skip
    header = "".join(f"{n:>22}" for n in names)
    for half in ("dev", "held-out"):
        count = first["halves"][half]["pii.student"]["comments"]
        print(f"\n== pii.student on the {half} half ({count:,} comments): false alerts / 1,000")
        print(f"{'':34}{header}")
        pii = [r["halves"][half]["pii.student"] for r in runs.values()]
        _row("alerts (flags)", [_fmt(f["per_1000"]) for f in pii])
        for severity in SEVERITIES:
            _row(f"  {severity}", [_fmt(f["by_severity"][severity]) for f in pii])
        print("  findings by kind / 1,000:")
        for kind in sorted({k for f in pii for k in f["findings_by_kind"]}):
            _row(f"    {kind}", [_fmt(f["findings_by_kind"].get(kind, 0.0)) for f in pii])
        for rule in ("language.prohibited", "media.inquiry", WELLBEING):
            figures = [r["halves"][half][rule] for r in runs.values()]
            _row(f"{rule} alerts / 1,000", [_fmt(f["per_1000"]) for f in figures])
            if rule == WELLBEING:
                _row("  judged a real sign (of judged)", [_ratio(f["judged"]) for f in figures])
                _row(
                    "  false (all but judged real) / 1,000",
                    [_fmt(f["false_per_1000"]) for f in figures],
                )
            elif half == "dev":
                _row("  judged right (of judged alerts)", [_ratio(f["judged"]) for f in figures])
    print("\n== pii.student false alerts / 1,000 by source (both halves)")
    for source in first["sources"]:
        by_source = [r["sources"][source] for r in runs.values()]
        _row(
            f"  {source}",
            [f"{_fmt(f['per_1000'])} ({f['critical_per_1000']:.2f} crit)" for f in by_source],
        )
    print("\n== School posts (benchmarks/data/school_posts.jsonl): recall per kind")
    print(f"{'':34}{header}")
    posts = [r["posts"] for r in runs.values()]
    kinds = sorted({k for p in posts for k in p["recall"]})
    for kind in kinds:
        _row(f"  {kind}", [_ratio(p["recall"].get(kind, (0, 0))) for p in posts])
    _row("  named/numbered/photographed", [_ratio(p["identifying_recall"]) for p in posts])
    print("  at the expected severity:")
    for kind in kinds:
        _row(f"    {kind}", [_ratio(p["recall_at_severity"].get(kind, (0, 0))) for p in posts])
    print("  negatives alerted (spans that must stay quiet):")
    for kind in sorted({k for p in posts for k in p["negatives"]}):
        _row(f"    {kind}", [_ratio(p["negatives"].get(kind, (0, 0))) for p in posts])
    print(f"\n== {WELLBEING} on {WELLBEING_SET.name} (written for the rule; idioms, "
          "hyperbole, quotations, lyrics and titles among the negatives)")  # fmt: skip
    print(f"{'':34}{header}")
    wellbeing = [r.get("wellbeing", {}) for r in runs.values()]
    groups = sorted({g for w in wellbeing for g in w}, key=lambda g: (not g.startswith("1:"), g))
    for group in groups:
        label, name = group.split(":", 1)
        what = f"recall {name}" if label == "1" else f"false alerts {name}"
        _row(f"  {what}", [_ratio(w.get(group, (0, 0))) for w in wellbeing])
    print("\n== Targets (held-out half; the dev half beside it)")
    for name, run in runs.items():
        h, d = run["halves"]["held-out"]["pii.student"], run["halves"]["dev"]["pii.student"]
        hit, total = run["posts"]["identifying_recall"]
        recall = hit / total if total else 0.0
        print(
            f"  {name}: false {h['per_1000']:.2f} (dev {d['per_1000']:.2f}) / 1,000 "
            f"[target <= {TARGET_FALSE}], critical {h['critical_per_1000']:.2f} "
            f"(dev {d['critical_per_1000']:.2f}) [<= {TARGET_CRITICAL}], recall {recall:.3f} "
            f"[>= {TARGET_RECALL}]; {run['seconds']:.1f} s for the real comments"
        )
        w, wd = run["halves"]["held-out"][WELLBEING], run["halves"]["dev"][WELLBEING]
        explicit = run.get("wellbeing", {}).get("1:explicit", [0, 0])
        print(
            f"  {name}: {WELLBEING} alerts {w['per_1000']:.2f} (dev {wd['per_1000']:.2f}) / 1,000, "
            f"judged false {w['false_per_1000']:.2f} (dev {wd['false_per_1000']:.2f}) "
            f"[<= {TARGET_WELLBEING_ALERTS}], recall on explicit statements {_ratio(explicit)} "
            f"[>= {TARGET_WELLBEING_RECALL}]"
        )


def show(name: str, result: dict[str, Any], summary: dict[str, Any], count: int) -> None:
    """Print development-half pii.student false alerts and school-post misses (never held-out)."""
    comments = {c.id: c for c in real_comments.load_all() if real_comments.is_dev(c.id)}
    print(f"\n== {name}: development-half pii.student alerts (first {count})")
    shown = 0
    for row in result["comments"]:
        if row["rule"] == "pii.student" and row["item"] in comments and shown < count:
            text = comments[row["item"]].text
            span = {"start": row["start"] or 0, "end": row["end"] or 0}
            print(f"  {row['item']} {row['severity']} {row['kind']}: {_excerpt(text, span)!r}")
            shown += 1
    for post_id, what, excerpt in summary["posts"]["missed"][:count]:
        print(f"  MISSED {post_id} {what}: {excerpt!r}")
    for post_id, what, excerpt in summary["posts"]["false"][:count]:
        print(f"  FALSE {post_id} {what}: {excerpt!r}")


def print_sample(result: dict[str, Any], rule: str, size: int = 120, seed: int = 417) -> None:
    """The development-half comments to judge for ``rule`` (never held-out ones)."""
    import random

    dev = {c.id: c for c in real_comments.load_all() if real_comments.is_dev(c.id)}
    spans: dict[str, list[str]] = defaultdict(list)
    for row in result["comments"]:
        if row["rule"] == rule and row["item"] in dev:
            text = dev[row["item"]].text
            spans[row["item"]].append(
                text[row["start"] : row["end"]] if row["start"] is not None else ""
            )
    ids = sorted(spans)
    for i in sorted(random.Random(seed).sample(ids, min(size, len(ids)))):
        print(json.dumps({"id": i, "rule": rule, "spans": spans[i], "text": dev[i].text}))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", metavar="REF", help="also run detectors/ at this git ref")
    parser.add_argument("--show", type=int, default=0, help="print N dev-half alerts and misses")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument(
        "--sample",
        metavar="RULE",
        help="print a fixed sample (120, seed 417) of dev-half comments alerted by RULE, "
        "as JSON lines, for judging into real_comment_judgements.jsonl",
    )
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        args.worker.write_text(json.dumps(run_detectors()), "utf-8")
        return 0
    if args.sample:
        print_sample(run_detectors(), args.sample)
        return 0
    raw: dict[str, dict[str, Any]] = {}
    if args.baseline:
        raw[f"baseline {args.baseline}"] = run_baseline(args.baseline)
    raw["this tree"] = run_detectors()
    runs = {name: summarise(result) for name, result in raw.items()}
    print_report(runs)
    for name in runs if args.show else ():
        show(name, raw[name], runs[name], args.show)
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1, default=list), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
