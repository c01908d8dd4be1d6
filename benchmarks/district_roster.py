"""A district-sized roster drawn from real name distributions, for ``alert_precision.py``.

Given names are drawn by their frequency among US births of 2010, 2014 and 2018 (the Social
Security Administration's national counts: students of grades 1 to 11 in 2026), sex by the
same counts; surnames by their share of the US population in the 1990 census. Provenance:
``benchmarks/datasets.toml`` (``use = "names"``). The draw has a fixed seed, so the roster
is the same on every machine that holds the same files.

Real rosters hold given names that are also everyday words. Each name of
:data:`WORD_NAMES` is in the SSA counts; the ones the draw happens not to pick (rare ones
such as Maple, Bill or Star) are given to a drawn student at random, which places them at
about the rank of a name given to one child in 15,000 (rarer than their real rank for most,
so the roster is if anything kinder to the detector), and :func:`build_roster` says which.
Surnames that are words (:data:`WORD_SURNAMES`) are treated the same way.

The students named in the school posts (``benchmarks/data/school_roster.csv``, written for
the benchmark: names and numbers are invented) take the place of drawn students, so the
roster stays at :data:`STUDENTS`.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from datasets import load_path

HERE = Path(__file__).resolve().parent
SCHOOL_ROSTER = HERE / "data" / "school_roster.csv"
STUDENTS = 15_000
SEED = 417
BIRTH_YEARS = ("ssa-yob2010", "ssa-yob2014", "ssa-yob2018")
WORD_NAMES = (
    "Love King Hope Summer Grace Justice River Royal Autumn Maple Faith Joy Rose Will Mark "
    "Bill May June Angel Major Sunny Star Destiny Harmony Honor Sky Storm Brooks Miles Chase "
    "Hunter Ivy Lily Daisy Jack Max Rich Guy Drew Sage Haven True Ocean Rain Dallas Austin "
    "Phoenix Paris London Georgia Jordan Victoria Lincoln Story"
).split()
WORD_SURNAMES = "King Young Rivera Love Rose Brown Green White Black Hope Summers Bell".split()
FIELDS = ("student_number", "legal_first_name", "legal_last_name", "preferred_first_name",
          "school", "grade")  # fmt: skip
SCHOOLS = ("RIV", "OAK", "MAP", "CED", "LAK", "MTN", "VAL", "HIL")


@dataclass
class Roster:
    """The students, and what the draw had to add by hand."""

    rows: list[dict[str, str]]
    forced_first: list[str] = field(default_factory=list)
    forced_last: list[str] = field(default_factory=list)
    planted: int = 0


def given_names() -> tuple[list[str], list[float]]:
    """Every given name of the SSA birth years, with its summed count (both sexes)."""
    counts: Counter[str] = Counter()
    for name in BIRTH_YEARS:
        for line in load_path(name).read_text("utf-8").splitlines():
            given, _sex, count = line.split(",")
            counts[given] += int(count)
    names = sorted(counts)
    return names, [float(counts[n]) for n in names]


def surnames() -> tuple[list[str], list[float]]:
    """Census surnames (title case) with their share of the population."""
    names, weights = [], []
    for line in load_path("census-surnames").read_text("utf-8").splitlines():
        parts = line.split()
        if len(parts) == 4:
            names.append(parts[0].title())
            weights.append(float(parts[1]))
    return names, weights


def planted_students() -> list[dict[str, str]]:
    """The students of the school posts (invented), as roster rows."""
    with SCHOOL_ROSTER.open(newline="", encoding="utf-8") as stream:
        keep = (*FIELDS, "media_release")
        return [{k: row.get(k, "") or "" for k in keep} for row in csv.DictReader(stream)]


def build_roster(students: int = STUDENTS, seed: int = SEED) -> Roster:
    """The district's roster: ``students`` rows, the same for the same seed and files."""
    rng = random.Random(seed)
    firsts, first_weights = given_names()
    lasts, last_weights = surnames()
    planted = planted_students()
    drawn = students - len(planted)
    taken = {row["student_number"] for row in planted}
    rows: list[dict[str, str]] = []
    for first, last in zip(
        rng.choices(firsts, first_weights, k=drawn),
        rng.choices(lasts, last_weights, k=drawn),
        strict=True,
    ):
        number = str(rng.randrange(100_000_000, 1_000_000_000))
        while number in taken:
            number = str(rng.randrange(100_000_000, 1_000_000_000))
        taken.add(number)
        rows.append({
            "student_number": number, "legal_first_name": first, "legal_last_name": last,
            "preferred_first_name": "", "school": rng.choice(SCHOOLS),
            "grade": str(rng.randrange(0, 13)),
        })  # fmt: skip
    roster = Roster(rows)
    have_first = {r["legal_first_name"] for r in rows}
    have_last = {r["legal_last_name"] for r in rows}
    for name in WORD_NAMES:
        if name not in have_first:
            rng.choice(rows)["legal_first_name"] = name
            roster.forced_first.append(name)
    for name in WORD_SURNAMES:
        if name not in have_last:
            rng.choice(rows)["legal_last_name"] = name
            roster.forced_last.append(name)
    roster.rows = planted + rows
    roster.planted = len(planted)
    return roster


def describe(roster: Roster) -> str:
    """One paragraph on the roster for the report."""
    firsts = Counter(r["legal_first_name"] for r in roster.rows)
    words = sum(firsts[n] for n in WORD_NAMES)
    forced = ", ".join(roster.forced_first) or "none"
    forced_last = ", ".join(roster.forced_last) or "none"
    return (
        f"{len(roster.rows):,} students ({roster.planted} of them the invented students of "
        f"the school posts), {len(firsts):,} distinct given names, "
        f"{len({r['legal_last_name'] for r in roster.rows}):,} distinct surnames; "
        f"{words} students carry one of the {len(WORD_NAMES)} given names that are words. "
        f"Not drawn, so added at about one child in {len(roster.rows):,}: given names "
        f"{forced}; surnames {forced_last}."
    )
