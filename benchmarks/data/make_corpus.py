"""Generate the detection-quality corpus, its roster and its consents (fixed seed).

    python benchmarks/data/make_corpus.py        # rewrites roster.csv, consent.csv, corpus.jsonl

Everything here is fictional: the students, the staff, the addresses, the 555-01xx phone
numbers. The corpus is built from the templates in corpus_templates.py; every gold span is
recorded while the text is assembled and checked again afterwards (see ``validate``).
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_templates import (  # noqa: E402
    BENIGN_GROUPS,
    LANGUAGE_GROUPS,
    MEDIA_GROUPS,
    NEGATIVE_GROUPS,
    PII_GROUPS,
)
from corpus_words import (  # noqa: E402
    ADULTS,
    DISTRICT_EMAILS,
    FAMOUS,
    FIRST_NAMES,
    LAST_NAMES,
    NON_ROSTER,
    OFFICE_PHONES,
    ORG_EMAILS,
    OUTLETS,
    REPORTERS,
    SCHOOLS,
    STAFF,
    STAFF_FULL,
    STREETS,
    SWEARS,
    TRAP_FIRSTS,
)

SEED = 417
HERE = Path(__file__).resolve().parent
STUDENTS = 200
RELEASE_YES, RELEASE_NO = 50, 70
RULES = {"pii": "pii.student", "lang": "language.prohibited", "media": "media.inquiry"}
NEG_RULE = {
    "staff_name": "pii.student",
    "consented_student": "pii.student",
    "famous_person": "pii.student",
    "place_name": "pii.student",
    "common_word": "pii.student",
    "adult_name": "pii.student",
    "non_roster_name": "pii.student",
    "name_like_word": "pii.student",
    "score": "pii.student",
    "event_date": "pii.student",
    "office_phone": "pii.student",
    "district_email": "pii.student",
    "org_email": "pii.student",
    "venue_address": "pii.student",
    "other_number": "pii.student",
    "idiom": "language.prohibited",
    "scunthorpe": "language.prohibited",
    "confidentiality_mention": "language.prohibited",
    "news_mention": "media.inquiry",
}
TOKEN = re.compile(r"\{(\w+)\}|\[\[([\w.:]+)\|(.*?)\]\]|<<(\w+)\|(.*?)>>", re.S)
DECOR_POST = (("", ""), ("", ""), ("📣 ", ""), ("", " 🎉"), ("Update: ", ""), ("", " #FVSDproud"))
DECOR_COMMENT = (("", ""), ("", ""), ("", " 😊"), ("", " 👍"), ("Hi all! ", ""), ("", " Thanks."))


@dataclass(frozen=True)
class Student:
    """One fictional student on the benchmark roster."""

    number: str
    first: str
    last: str
    preferred: str
    school: str
    grade: int
    release: str  # "yes", "no" or "" (nothing on file)

    @property
    def shown_first(self) -> str:
        return self.preferred or self.first

    @property
    def grade_text(self) -> str:
        return "Kindergarten" if self.grade == 0 else f"Grade {self.grade}"


def fold(s: str) -> str:
    """Lowercase without accents, as a roster matcher would compare names."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", s.casefold()) if not unicodedata.combining(c)
    )


def strip_accents(s: str) -> str:
    """``s`` without combining marks ("Zoë Côté" -> "Zoe Cote"), case kept."""
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def build_roster(rng: random.Random) -> list[Student]:
    """200 students with unique first names (legal and preferred) and unique full names."""
    firsts = TRAP_FIRSTS + rng.sample(FIRST_NAMES, STUDENTS - len(TRAP_FIRSTS))
    rng.shuffle(firsts)
    spellings = [fold(n) for pair in firsts for n in pair if n]
    assert len(spellings) == len(set(spellings)), "first names must be unique"
    numbers = rng.sample(range(300000, 399999), STUDENTS)
    staff_full = {fold(n) for n in STAFF_FULL}
    students: list[Student] = []
    for i, (first, preferred) in enumerate(firsts[:STUDENTS]):
        last = rng.choice(LAST_NAMES)
        while fold(f"{first} {last}") in staff_full:
            last = rng.choice(LAST_NAMES)
        school = rng.choice(list(SCHOOLS))
        low, high = SCHOOLS[school][1]
        students.append(
            Student(str(numbers[i]), first, last, preferred, school, rng.randint(low, high), "")
        )
    order = list(range(STUDENTS))
    rng.shuffle(order)
    releases = {i: "yes" for i in order[:RELEASE_YES]}
    releases.update({i: "no" for i in order[RELEASE_YES : RELEASE_YES + RELEASE_NO]})
    return [
        Student(s.number, s.first, s.last, s.preferred, s.school, s.grade, releases.get(i, ""))
        for i, s in enumerate(students)
    ]


DISTRICT = {
    "district_domains": ["fvsd.example.ca"],
    "allow_phones": OFFICE_PHONES,
    "allow_addresses": ["33046 Fourth Avenue"],
}


def write_roster(students: list[Student]) -> None:
    (HERE / "district.json").write_text(json.dumps(DISTRICT, indent=2) + "\n")
    with (HERE / "roster.csv").open("w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "student_number",
                "legal_first_name",
                "legal_last_name",
                "preferred_first_name",
                "school",
                "grade",
            ]
        )
        for s in students:
            writer.writerow([s.number, s.first, s.last, s.preferred, s.school, s.grade])
    with (HERE / "consent.csv").open("w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["student_number", "media_release"])
        for s in sorted((s for s in students if s.release), key=lambda s: s.number):
            writer.writerow([s.number, s.release])


# --- obfuscation of offensive words ---------------------------------------------------------

LEET = {"a": "@4", "e": "3", "i": "1!", "o": "0", "s": "$5", "t": "7"}
HOMOGLYPH = {"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "i": "і", "s": "ѕ", "x": "х"}
OBFUSCATIONS = (
    ("plain", 30),
    ("upper", 6),
    ("leet", 14),
    ("mask", 16),
    ("spaced", 8),
    ("repeat", 10),
    ("homoglyph", 10),
    ("zero_width", 6),
)


def obfuscate(word: str, rng: random.Random) -> tuple[str, str]:
    """Return ``(written, style)``: the word as a commenter might disguise it."""
    style = rng.choices([s for s, _ in OBFUSCATIONS], [w for _, w in OBFUSCATIONS])[0]
    letters = [i for i, c in enumerate(word) if c.isalpha()]
    if style == "upper":
        return word.upper(), style
    if style == "leet":
        spots = [i for i in letters if word[i] in LEET] or letters
        chosen = set(rng.sample(spots, k=min(len(spots), rng.randint(1, 2))))
        return "".join(
            rng.choice(LEET[c]) if i in chosen and c in LEET else c for i, c in enumerate(word)
        ), style
    if style == "mask" and len(word) > 3:
        keep_last = len(word) > 4 and rng.random() < 0.5
        middle = len(word) - 1 - (1 if keep_last else 0)
        return word[0] + "*" * middle + (word[-1] if keep_last else ""), style
    if style == "spaced":
        sep = rng.choice([" ", ".", "-"])
        return sep.join(word), style
    if style == "repeat":
        vowels = [i for i in letters if word[i] in "aeiou"] or letters
        i = rng.choice(vowels)
        return word[:i] + word[i] * rng.randint(3, 6) + word[i + 1 :], style
    if style == "homoglyph":
        spots = [i for i in letters if word[i] in HOMOGLYPH]
        if not spots:
            return word, "plain"
        chosen = set(rng.sample(spots, k=min(len(spots), rng.randint(1, 2))))
        return "".join(HOMOGLYPH[c] if i in chosen else c for i, c in enumerate(word)), style
    if style == "zero_width":
        i = rng.randint(1, len(word) - 1)
        return word[:i] + "\u200b" + word[i:], style
    return word, "plain"


# --- filling the slots of one template -------------------------------------------------------

Piece = tuple[str, dict[str, Any] | None, dict[str, Any] | None]


class Filler:
    """Resolves ``{slot}`` names for one template: one student per role, fixed per template."""

    def __init__(self, rng: random.Random, pools: dict[str, list[Student]], onums: list[str]):
        self.rng = rng
        self.pools = pools
        self.onums = onums
        self.chosen: dict[str, Student] = {}
        self.cache: dict[str, list[Piece]] = {}

    def student(self, role: str, needs: str = "") -> Student:
        if role not in self.chosen:
            pool = self.pools["released" if role == "C" else "unreleased"]
            if needs == "preferred":
                pool = [s for s in pool if s.preferred]
            elif needs == "accented":
                pool = [
                    s
                    for s in pool
                    if strip_accents(s.shown_first + s.last) != s.shown_first + s.last
                ]
            taken = {s.number for s in self.chosen.values()}
            self.chosen[role] = self.rng.choice([s for s in pool if s.number not in taken])
        return self.chosen[role]

    def __call__(self, slot: str) -> list[Piece]:
        if slot not in self.cache or slot in {"date", "onum", "phone", "ophone", "demail"}:
            self.cache[slot] = self.resolve(slot)
        return self.cache[slot]

    def resolve(self, slot: str) -> list[Piece]:
        role = {"2": "B", "3": "D"}.get(slot[-1], "A")
        base = slot.rstrip("23")
        if base.startswith("c") and base[1:] in {"full", "first"}:
            s = self.student("C")
            text = f"{s.shown_first} {s.last}" if base == "cfull" else s.shown_first
            return [(text, None, {"type": "consented_student"})]
        if base in STUDENT_SLOTS:
            needs = {"pfull": "preferred", "plain": "accented"}.get(base, "")
            return STUDENT_SLOTS[base](self, self.student(role, needs))
        if base in WORD_SLOTS:
            return WORD_SLOTS[base](self)
        raise KeyError(f"unknown slot {{{slot}}}")


def _pii(entity: str, form: str = "") -> dict[str, Any]:
    label: dict[str, Any] = {"rule": "pii.student", "entity": entity}
    if form:
        label["form"] = form
    return label


def _full(f: Filler, s: Student) -> list[Piece]:
    """A full name as people write it: legal or preferred, sometimes without its accents or
    with a zero-width character slipped into the first name."""
    use_preferred = bool(s.preferred) and f.rng.random() < 0.5
    first = s.preferred if use_preferred else s.first
    text, form = f"{first} {s.last}", "preferred" if use_preferred else "legal"
    plain = strip_accents(text)
    chance = f.rng.random()
    if plain != text and chance < 0.5:
        text, form = plain, "accents_dropped"
    elif chance < 0.06:
        cut = f.rng.randint(1, len(first) - 1)
        text, form = f"{first[:cut]}\u200b{first[cut:]} {s.last}", "zero_width"
    return [(text, _pii("student_name", form), None)]


def _tag(f: Filler, s: Student) -> list[Piece]:
    squash = re.sub(r"[^\w]", "", s.shown_first + s.last)
    text = "#" + (squash if f.rng.random() < 0.75 else squash.lower())
    return [(text, _pii("student_name", "hashtag"), None)]


def _handle(f: Filler, s: Student) -> list[Piece]:
    first, last = (re.sub(r"[^\w]", "", x).lower() for x in (fold(s.shown_first), fold(s.last)))
    pattern = f.rng.choice(["{f}.{l}", "{f}_{l}", "{f}{l}", "{f}.{l}{n}", "{l}.{f}"])
    text = "@" + pattern.format(f=first, l=last, n=f.rng.randint(5, 15))
    return [(text, _pii("student_name", "handle"), None)]


def _email(f: Filler, s: Student) -> list[Piece]:
    first, last = (re.sub(r"[^\w]", "", x).lower() for x in (fold(s.shown_first), fold(s.last)))
    user = f.rng.choice(
        [
            f"{first}.{last}{f.rng.randint(5, 17)}",
            f"{first[0]}{last}",
            f"{last}.family",
            f"{first}{last}{2008 + f.rng.randint(0, 10)}",
        ]
    )
    if f.rng.random() < 0.12:
        return [(f"{first}.{last}@learn.fvsd.example.ca", _pii("email", "student_district"), None)]
    domain = f.rng.choice(["gmail.com", "hotmail.com", "shaw.ca", "telus.net", "outlook.com"])
    return [(f"{user}@{domain}", _pii("email", "personal"), None)]


STUDENT_SLOTS = {
    "full": _full,
    "plain": lambda f, s: [
        (strip_accents(f"{s.shown_first} {s.last}"), _pii("student_name", "accents_dropped"), None)
    ],
    "lastfirst": lambda f, s: [
        (f"{s.last}, {s.shown_first}", _pii("student_name", "last_first"), None)
    ],
    "pfull": lambda f, s: [(f"{s.preferred} {s.last}", _pii("student_name", "preferred"), None)],
    "lower": lambda f, s: [
        (f"{s.shown_first} {s.last}".lower(), _pii("student_name", "lowercase"), None)
    ],
    "upper": lambda f, s: [
        (f"{s.shown_first} {s.last}".upper(), _pii("student_name", "uppercase"), None)
    ],
    "first": lambda f, s: [(s.shown_first, _pii("first_name", "school_context"), None)],
    "initial": lambda f, s: [
        (f"{s.shown_first} {s.last[0]}.", _pii("student_name", "initial"), None)
    ],
    "tag": _tag,
    "handle": _handle,
    "num": lambda f, s: [(s.number, _pii("student_number"), None)],
    "email": _email,
    "grade": lambda f, s: [(s.grade_text, None, None)],
    "school": lambda f, s: [(SCHOOLS[s.school][0], None, None)],
}


def _phone(f: Filler) -> list[Piece]:
    area = f.rng.choice(["604", "778", "236"])
    line = f"01{f.rng.randint(50, 99)}"
    text = f.rng.choice(
        [
            f"{area}-555-{line}",
            f"({area}) 555-{line}",
            f"{area}.555.{line}",
            f"{area} 555 {line}",
            f"+1 {area} 555 {line}",
            f"{area}555{line}",
        ]
    )
    return [(text, _pii("phone"), None)]


def _address(f: Filler) -> list[Piece]:
    number = str(f.rng.choice([f.rng.randint(100, 9999), f.rng.randint(41000, 51999)]))
    street = f.rng.choice(STREETS)
    unit = f.rng.choice(["", "", "", f"#{f.rng.randint(1, 40)}-", f"Unit {f.rng.randint(1, 9)}, "])
    city = f.rng.choice(["", "", ", Chilliwack", ", Sardis"])
    return [(f"{unit}{number} {street}{city}", _pii("address"), None)]


def _swear(kind: str):
    def fill(f: Filler) -> list[Piece]:
        word, category = f.rng.choice(SWEARS[kind])
        written, style = obfuscate(word, f.rng)
        label = {"rule": "language.prohibited", "category": category, "obfuscation": style}
        pieces: list[Piece] = []
        if kind == "a_ins":
            pieces.append(("an " if word[0] in "aeiou" else "a ", None, None))
        pieces.append((written, label, None))
        return pieces

    return fill


def _event_date(f: Filler) -> list[Piece]:
    month = f.rng.choice(
        ["September", "October", "November", "January", "February", "March", "April", "May", "June"]
    )
    day = f.rng.randint(1, 28)
    text = f.rng.choice(
        [
            f"{month} {day}",
            f"{month[:3]}. {day}",
            f"{f.rng.choice(['Monday', 'Wednesday', 'Friday'])}, {month} {day}",
        ]
    )
    return [(text, None, {"type": "event_date"})]


def _neg(kind: str, values: tuple[str, ...] | list[str]):
    return lambda f: [(f.rng.choice(values), None, {"type": kind})]


WORD_SLOTS = {
    "phone": _phone,
    "addr": _address,
    "obs_noun": _swear("obs_noun"),
    "obs_the": _swear("obs_the"),
    "obs_ij": _swear("obs_ij"),
    "obs_adj": _swear("obs_adj"),
    "ins": _swear("ins"),
    "a_ins": _swear("a_ins"),
    "ins_pl": _swear("ins_pl"),
    "date": _event_date,
    "staff": _neg("staff_name", STAFF),
    "stafffull": _neg("staff_name", STAFF_FULL),
    "ophone": _neg("office_phone", OFFICE_PHONES),
    "demail": _neg("district_email", DISTRICT_EMAILS),
    "orgemail": _neg("org_email", ORG_EMAILS),
    "outlet": lambda f: [(f.rng.choice(OUTLETS), None, None)],
    "reporter": _neg("adult_name", REPORTERS),
    "adult": lambda f: [(f.rng.choice(ADULTS), None, None)],
    "nonroster": lambda f: [(f.rng.choice(NON_ROSTER), None, None)],
    "onum": lambda f: [(f.onums.pop(), None, None)],
}


# --- rendering ---------------------------------------------------------------------------


def render(template: str, fill: Filler) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    """Assemble ``template``; return the text, its gold labels and its hard-negative spans."""
    out: list[str] = []
    labels: list[dict[str, Any]] = []
    negs: list[dict[str, Any]] = []
    position = 0
    last = 0
    for m in TOKEN.finditer(template):
        literal = template[last : m.start()]
        out.append(literal)
        position += len(literal)
        last = m.end()
        if m.group(1):
            pieces = fill(m.group(1))
        else:
            inner, inner_labels, inner_negs = render(m.group(3) or m.group(5), fill)
            for span in inner_labels + inner_negs:
                span["start"] += position
                span["end"] += position
            labels.extend(inner_labels)
            negs.extend(inner_negs)
            pieces = (
                [(inner, _markup_label(m.group(2)), None)]
                if m.group(2)
                else [(inner, None, {"type": m.group(4)})]
            )
        for text, label, neg in pieces:
            for span, into in ((label, labels), (neg, negs)):
                if span is not None:
                    end = position + len(text)
                    into.append({**span, "start": position, "end": end, "_text": text})
            out.append(text)
            position += len(text)
    out.append(template[last:])
    return "".join(out), labels, negs


def _markup_label(spec: str) -> dict[str, Any]:
    family, _, name = spec.partition(":")
    label: dict[str, Any] = {"rule": RULES[family]}
    label["entity" if family == "pii" else "category"] = name
    return label


# --- corpus ------------------------------------------------------------------------------


def make_items(students: list[Student], rng: random.Random) -> list[dict[str, Any]]:
    """Every item of every group, deduplicated by text, in a shuffled order with ids."""
    pools = {
        "unreleased": [s for s in students if s.release != "yes"],
        "released": [s for s in students if s.release == "yes"],
    }
    taken = {s.number for s in students}
    onums = [str(n) for n in rng.sample(range(300000, 399999), 400) if str(n) not in taken]
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    groups = {**PII_GROUPS, **LANGUAGE_GROUPS, **MEDIA_GROUPS, **NEGATIVE_GROUPS, **BENIGN_GROUPS}
    for group, (kind, count, templates) in groups.items():
        made, tries = 0, 0
        while made < count and tries < count * 20:
            tries += 1
            base = rng.choice(templates)
            decor = rng.choice(DECOR_POST if kind == "post" else DECOR_COMMENT)
            if (decor[1][1:2].isalpha() and base[-1:] not in ".!?") or (
                decor[1] and decor[1].strip() in base
            ):
                decor = ("", "")
            template = decor[0] + base + decor[1]
            text, labels, negs = render(template, Filler(rng, pools, onums))
            if text in seen:
                continue
            seen.add(text)
            items.append(
                {
                    "kind": kind,
                    "group": group,
                    "text": text,
                    "labels": labels,
                    "hard_negatives": negs,
                }
            )
            made += 1
    rng.shuffle(items)
    for n, item in enumerate(items, 1):
        item["id"] = f"{item['kind'][0]}{n:04d}"
    return [annotate(item, students) for item in items]


def _covered(start: int, end: int, spans: list[dict[str, Any]]) -> bool:
    return any(s["start"] < end and start < s["end"] for s in spans)


def annotate(item: dict[str, Any], students: list[Student]) -> dict[str, Any]:
    """Add hard-negative spans for known traps the templates did not mark themselves."""
    text = item["text"]
    taken = [s for s in item["labels"] if s["rule"] == "pii.student"] + item["hard_negatives"]
    known = [(v, "staff_name") for v in (*STAFF, *STAFF_FULL)]
    known += [(v, "famous_person") for v in FAMOUS]
    known += [(v, "office_phone") for v in OFFICE_PHONES]
    known += [(v, "district_email") for v in DISTRICT_EMAILS]
    known += [(v, "adult_name") for v in (*ADULTS, *REPORTERS)]
    known += [(v, "non_roster_name") for v in NON_ROSTER]
    known += [(s.shown_first, "name_like_word") for s in students]
    known += [(s.first, "name_like_word") for s in students if s.preferred]
    for value, kind in sorted(known, key=lambda k: -len(k[0])):
        for m in re.finditer(r"(?<![\w@.])" + re.escape(value) + r"(?!\w)", text):
            if not _covered(m.start(), m.end(), taken):
                span = {"type": kind, "start": m.start(), "end": m.end()}
                item["hard_negatives"].append(span)
                taken.append(span)
    for span in item["hard_negatives"]:
        span["rule"] = NEG_RULE[span["type"]]
    for label in item["labels"]:
        if label.get("entity") in {"student_name", "first_name"} and re.match(
            r"['\u2019]s(?!\w)", text[label["end"] :]
        ):
            label["possessive"] = True
    item["hard_negatives"].sort(key=lambda s: s["start"])
    item["labels"].sort(key=lambda s: s["start"])
    return {k: item[k] for k in ("id", "kind", "group", "text", "labels", "hard_negatives")}


# --- checks ------------------------------------------------------------------------------

PHONE_LIKE = re.compile(r"(?<!\d)(?:\+1 )?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}(?!\d)")
EMAIL_LIKE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
BANNED = re.compile(r"\b(?:n[i1]gg|f[a4]gg?[o0]t|c[u\*]nt|retard|whore|slut)", re.I)


def validate(
    items: list[dict[str, Any]], students: list[Student], expected: dict[str, str]
) -> None:
    """Fail loudly if a span is off, a student name or contact is unlabelled, or text is R-rated.

    ``expected`` maps ``"id:start:end"`` to the substring recorded while rendering.
    """
    problems: list[str] = []
    full_forms = {}
    for s in students:
        for first in {s.first, s.shown_first}:
            full_forms[fold(f"{first} {s.last}")] = s.release
    ids = Counter(item["id"] for item in items)
    problems += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    for item in items:
        text = item["text"]
        for span in item["labels"] + item["hard_negatives"]:
            start, end = span["start"], span["end"]
            key = f"{item['id']}:{start}:{end}"
            if (
                not (0 <= start < end <= len(text))
                or expected.get(key, text[start:end]) != text[start:end]
            ):
                problems.append(f"{item['id']}: bad span {span}")
            if text[start:end] != text[start:end].strip():
                problems.append(f"{item['id']}: span with outer whitespace {span}")
            if text[start - 1 : start].isalnum() or text[end : end + 1].isalnum():
                problems.append(f"{item['id']}: span cuts a word {span}")
        pii = [lab for lab in item["labels"] if lab["rule"] == "pii.student"]
        folded = fold(text)
        for form, release in full_forms.items():
            for m in re.finditer(r"(?<!\w)" + re.escape(form) + r"(?!\w)", folded):
                if release != "yes" and not _covered(m.start(), m.end(), pii):
                    problems.append(f"{item['id']}: unlabelled student name at {m.start()}")
        for pattern, kind in ((PHONE_LIKE, "phone"), (EMAIL_LIKE, "e-mail")):
            for m in pattern.finditer(text):
                if not _covered(m.start(), m.end(), item["labels"] + item["hard_negatives"]):
                    problems.append(f"{item['id']}: unlabelled {kind} {m.group()!r}")
        if BANNED.search(text):
            problems.append(f"{item['id']}: text beyond PG-13")
    if problems:
        raise SystemExit("corpus check failed:\n" + "\n".join(problems[:50]))


def summary(items: list[dict[str, Any]]) -> str:
    kinds = Counter(item["kind"] for item in items)
    labels = Counter(
        (lab["rule"], lab.get("entity") or lab.get("category"))
        for i in items
        for lab in i["labels"]
    )
    negs = Counter(n["type"] for i in items for n in i["hard_negatives"])
    clean = sum(1 for i in items if not i["labels"])
    lines = [
        f"{len(items)} items ({kinds['post']} posts, {kinds['comment']} comments); "
        f"{clean} with no gold label"
    ]
    lines += [f"  {rule:<20} {what:<18} {n:>4}" for (rule, what), n in sorted(labels.items())]
    lines += [f"  hard negative {kind:<24} {n:>4}" for kind, n in sorted(negs.items())]
    return "\n".join(lines)


def main() -> None:
    rng = random.Random(SEED)
    students = build_roster(rng)
    write_roster(students)
    items = make_items(students, rng)
    expected: dict[str, str] = {}
    for item in items:
        for span in item["labels"] + item["hard_negatives"]:
            if "_text" in span:
                expected[f"{item['id']}:{span['start']}:{span['end']}"] = span.pop("_text")
    lines = [json.dumps(item, ensure_ascii=False) for item in items]
    (HERE / "corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    reread = [json.loads(line) for line in (HERE / "corpus.jsonl").read_text("utf-8").splitlines()]
    validate(reread, students, expected)
    print(summary(reread))


if __name__ == "__main__":
    main()
