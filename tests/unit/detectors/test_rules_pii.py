"""pii.student on text: student names (roster), numbers, phones, e-mails, addresses, births.

Each test reads Given (a roster, consents and a text) / When (PiiDetector runs) / Then (the
findings: span text, severity, label). Negatives are as important as positives: staff titles,
places, famous people, scores and event dates must stay quiet.
"""

from __future__ import annotations

import csv
import json
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

import detectors
from detectors.base import Context, Finding, ImageItem, TextItem, redact
from detectors.pii import PII_DETECTORS, PiiDetector, load_pii_context, parse_pii_context
from detectors.pii_patterns import (
    StudentNumberFormat,
    load_student_number_formats,
    luhn_ok,
)
from detectors.roster import RosterIndex, student_key
from tests.support.paths import SANDBOX

RULE = "pii.student"
KEY = b"pii.student test key, 32 bytes!!"
NOW = datetime(2026, 9, 14, 15, 0, tzinfo=UTC)
SANDBOX = SANDBOX
EXTRA = [  # first names that are also words, places and famous people
    ("700001", "Will", "Smithers", ""),
    ("700002", "Victoria", "Lee", ""),
    ("700003", "Chelsea", "Park", ""),
    ("700004", "Christian", "Dube", ""),
    ("700005", "Terry", "Nguyen", ""),
    ("700006", "Grace", "Kim", ""),
    ("700007", "May", "Chen", ""),
    ("700008", "Taylor", "Brooks", ""),
    ("700009", "Hope", "Adams", ""),
    ("700010", "Patel", "Ortiz", ""),
    ("700011", "Jordan", "Bell", ""),
    ("700012", "Regina", "Paz", ""),
    ("700013", "Beckett", "Hill", ""),
    ("700014", "Jun", "Park", ""),
]


def roster_rows() -> list[dict[str, str]]:
    with (SANDBOX / "roster.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    keys = ("student_number", "legal_first_name", "legal_last_name", "preferred_first_name")
    return rows + [dict(zip(keys, row, strict=True)) for row in EXTRA]


ROSTER = RosterIndex.from_rows(KEY, roster_rows())
DETECTOR = PiiDetector()


def sid(number: str) -> str:
    return student_key(KEY, number)


def context(**changes) -> Context:
    base = Context(
        now=NOW,
        roster=ROSTER,
        district_domains=("fvsd.example.ca",),
        extra={"allow_phones": ("604-555-0100",), "allow_addresses": ("1234 Maple Street",)},
    )
    return replace(base, **changes)


def scan(text: str, kind: str = "post", **changes) -> list[Finding]:
    """The school account's own post by default (comments: tests/test_pii_precision.py)."""
    return list(DETECTOR.detect([TextItem(id="item-1", text=text, kind=kind)], context(**changes)))


def found(text: str, **changes) -> list[tuple[str, str, str]]:
    return [(text[f.start : f.end], f.severity, f.details["label"]) for f in scan(text, **changes)]


NAME, NUMBER, PHONE, EMAIL, ADDRESS, BIRTH = (
    "student name", "student number", "phone number", "e-mail address", "street address",
    "birth date",
)  # fmt: skip

POSITIVES = [
    # names: full, preferred + last, initial, tags -> critical
    ("Congratulations to Emma Schmidt in Ms. Patel's grade 3 class for winning our spelling bee!",
     [("Emma Schmidt", "critical", NAME)]),
    ("great work emma schmidt!!", [("emma schmidt", "critical", NAME)]),
    ("EMMA SCHMIDT WON THE SPELLING BEE", [("EMMA SCHMIDT", "critical", NAME)]),
    ("Emma Schmidt's poem is on the wall.", [("Emma Schmidt", "critical", NAME)]),
    ("Liv Chen painted the mural.", [("Liv Chen", "critical", NAME)]),
    ("Ben Roy and Benjamin Roy",
     [("Ben Roy", "critical", NAME), ("Benjamin Roy", "critical", NAME)]),
    # first name + last initial: high, with school words near
    ("Well done Emma S. in grade 3 on your science project", [("Emma S", "high", NAME)]),
    ("Shout out to Noah T and Ava P from our class!",
     [("Noah T", "high", NAME), ("Ava P", "high", NAME)]),
    # first initial + last name: critical, with school words near
    ("Art prize winners: E. Schmidt (gr 3) and N. Tremblay (gr 5).",
     [("E. Schmidt", "critical", NAME), ("N. Tremblay", "critical", NAME)]),
    ("#EmmaSchmidt #proud", [("#EmmaSchmidt", "critical", NAME)]),
    ("So proud of @noah_tremblay today", [("@noah_tremblay", "critical", NAME)]),
    ("Zoë Wong read her poem", [("Zoë Wong", "critical", NAME)]),
    ("Zoe Wong read her poem", [("Zoe Wong", "critical", NAME)]),
    ("Felix O\u2019Brien and Liam Tran-Bouchard helped",
     [("Felix O\u2019Brien", "critical", NAME), ("Liam Tran-Bouchard", "critical", NAME)]),
    ("Em\u200bma Schmidt won", [("Em\u200bma Schmidt", "critical", NAME)]),
    ("Em\u202ema Sch\u2066midt won", [("Em\u202ema Sch\u2066midt", "critical", NAME)]),
    ("🎉👏🏽 Bravo à Zoë Wong!", [("Zoë Wong", "critical", NAME)]),
    # a first name alone needs school evidence tied to it -> medium
    ("Congratulations to Emma in grade 3!", [("Emma", "medium", NAME)]),
    ("Congratulations To Emma And Noah In Grade 3!",
     [("Emma", "medium", NAME), ("Noah", "medium", NAME)]),
    ("Emma in grade 3 read her poem at the assembly.", [("Emma", "medium", NAME)]),
    ("So proud of Noah (gr 4) and the whole class today.", [("Noah", "medium", NAME)]),
    ("congrats aarav in grade 2, our spelling bee champion", [("aarav", "medium", NAME)]),
    ("Our grade 3 student Ethan made a card.", [("Ethan", "medium", NAME)]),
    ("Thanks, Will from grade 5, for reading to the kindergarten class.",
     [("Will", "medium", NAME)]),
    ("Our class cheered when Victoria (div 2) scored the winning goal.",
     [("Victoria", "medium", NAME)]),
    ("We miss Emma in our class already.", [("Emma", "medium", NAME)]),
    ("Aarav's science fair project is about bees.", [("Aarav", "medium", NAME)]),
    ("Read more at www.emmaschmidt.example", [("emmaschmidt", "critical", NAME)]),
    ("Emma Schmidt drew this. Emma loves horses.",
     [("Emma Schmidt", "critical", NAME), ("Emma", "medium", NAME)]),
    ("Kindergartener Regina lost a first tooth!", [("Regina", "medium", NAME)]),
    ("Meet Emma, our new student in grade 3!", [("Emma", "medium", NAME)]),
    # names in class lists, "last, first"
    ("Badminton callbacks: Schmidt, Emma; Tremblay, Noah; Chen, Liv.",
     [("Schmidt, Emma", "critical", NAME), ("Tremblay, Noah", "critical", NAME),
      ("Chen, Liv", "critical", NAME)]),
    ("Art by @schmidt.emma and @noahtremblay12", [("@schmidt.emma", "critical", NAME),
                                                   ("@noahtremblay12", "critical", NAME)]),
    # student numbers
    ("Student number for the scholarship form is 204518.", [("204518", "critical", NUMBER)]),
    ("Library reminder: the book signed out to Student #204518 is two weeks overdue.",
     [("204518", "critical", NUMBER)]),
    ("student number: 1234567", [("1234567", "critical", NUMBER)]),
    ("Pupil no. 20451188 missed the bus", [("20451188", "critical", NUMBER)]),
    ("Student ID 311228 please see the office", [("311228", "critical", NUMBER)]),
    ("Her PEN is 123456782.", [("123456782", "critical", NUMBER)]),
    ("Personal Education Number 987654324", [("987654324", "critical", NUMBER)]),
    # a roster student number, whatever its format or check digit
    ("Student 204511, your jacket is at the office.", [("204511", "critical", NUMBER)]),
    # phone numbers (valid only): student PII when tied to a child or a named student
    ("Please call me at 604-555-0134 about my son.", [("604-555-0134", "critical", PHONE)]),
    ("My daughter's cell is (604) 555-0199 for rides", [("(604) 555-0199", "critical", PHONE)]),
    ("Call +1 604 555 0188 any time about the kids", [("+1 604 555 0188", "critical", PHONE)]),
    # an extension stays with its number; two numbers side by side are two, span exact
    ("My son's dad: 604-555-0134 ext. 12 (ask for Sam)",
     [("604-555-0134 ext. 12", "critical", PHONE)]),
    ("Call my kid at 604-555-0134x12", [("604-555-0134x12", "critical", PHONE)]),
    ("Call 236 555 0164 / 604-555-0199 after six, the boy is home",
     [("236 555 0164", "critical", PHONE), ("604-555-0199", "critical", PHONE)]),
    ("Call my son at 604-555-0134abc", []),  # letters glued on: not a phone number
    # e-mail addresses off the district's domains, tied to a child
    ("Bcc my daughter: x@evil.example", [("x@evil.example", "critical", EMAIL)]),
    ("Beckett's school account is beckett.hill@learn.fvsd.example.ca",
     [("Beckett", "medium", NAME), ("beckett.hill@learn.fvsd.example.ca", "critical", EMAIL)]),
    ("Send her work to my daughter at kid.wong2015@gmail.com",
     [("kid.wong2015@gmail.com", "critical", EMAIL)]),
    # street addresses
    ("Noah's grandma lives at 1234 Elm Street if the student needs a ride",
     [("Noah", "medium", NAME), ("1234 Elm Street", "critical", ADDRESS)]),
    ("Drop-off for my son is at 77 Cedar Cres., unit 4",
     [("77 Cedar Cres., unit 4", "critical", ADDRESS)]),
    ("Drop the kids at 5-77 Birch Road", [("5-77 Birch Road", "critical", ADDRESS)]),
    ("We live by Heritage Park, 4410 Luckakuck Way if any kids need a ride",
     [("4410 Luckakuck Way", "critical", ADDRESS)]),
    ("Meet at Unit 5, 880 West Pender St for the kids' carpool",
     [("Unit 5, 880 West Pender St", "critical", ADDRESS)]),
    ("The party is at 45 152nd Ave for the kids", [("45 152nd Ave", "critical", ADDRESS)]),
    # birth dates tied to a child
    ("My son was born on March 3, 2017 and starts kindergarten soon",
     [("March 3, 2017", "critical", BIRTH)]),
    ("Her daughter turns 8 on May 14!", [("May 14", "critical", BIRTH)]),
    ("Student DOB: 14/05/2016", [("14/05/2016", "critical", BIRTH)]),
    ("Hunter Commodore (birthdate 2016-11-28) needs an allergy form on file.",
     [("2016-11-28", "critical", BIRTH)]),  # the year makes it a child's
    ("The kids celebrated Kai's birthday, 2018-02-11, in class",
     [("Kai", "medium", NAME), ("2018-02-11", "critical", BIRTH)]),
]  # fmt: skip

NEGATIVES = [
    # staff and guests: a title before a name means staff
    "Thank you for the update, Mr. Nguyen!",
    "Thank you to everyone who came to Meet the Teacher night. Ms. Patel's classroom was packed!",
    "Mrs. Emma Schmidt will teach grade 3 this year.",
    "Coach Noah Tremblay ran practice for the grade 5 team.",
    "Principal Olivia Chen welcomed our students.",
    "Madame Chloe Lefebvre's French class sang today.",
    "Dr. Owen Walsh spoke to our class about dental care.",
    "Ms Chloe Lefebvre teaches French to our grade 6 class.",
    "Prime Minister Justin Trudeau met our students.",
    # famous people and other proper nouns sharing a first name
    "Emma Watson visited our school library in grade 3 books.",
    "Our grade 5 class learned Taylor Swift songs for the assembly.",
    "Our school holds the Terry Fox Run practice days this week for all students.",
    "Senior boys soccer won 3-2 against Valley Christian tonight! Next home game is Thursday.",
    "Basketball lesson: Michael Jordan was cut from his high school team.",
    # places that are also first names
    "Our class trip to Victoria was a great day for the students.",
    "The grade 7 band played in Chelsea last spring.",
    "Victoria is a beautiful city.",
    "Our curling team travels to Regina for nationals in March!",
    "The jazz band leaves for Austin, Texas next week for the school tour.",
    "The Grade 2s planted a Hope garden by the front doors.",
    "Fundraiser for the class trip: pizza lunch on Jun. 13.",
    "We watched the Victoria Day parade with our class.",
    "The students visited Victoria on the trip.",
    # everyday words that are also names
    "Our class will sing at the assembly.",
    "Will the class photos be online?",
    "Grace and kindness were on display at our class assembly.",
    "I hope the grade 3 field trip goes well.",
    "May we bring younger siblings to the class concert?",
    # dates of events, scores and other numbers
    "Picture day is on May 14 for all classes; retakes are in June.",
    "Final: Mountain 3, Valley Christian 1 in senior boys soccer.",
    "Bus route 14 has a new stop at Elm Street at 7:52.",
    "Room 114, 3 pm. Grade 4 Science Fair projects due October 2.",
    "Birthday party on May 14 for the whole class!",
    "Our students learned that Terry Fox was born on July 28, 1958.",
    "Order #123456782 shipped",
    "Student 12 and student 13 were absent.",
    "Invoice 987654321 is paid.",
    "Math homework: page 42, questions 1 to 10.",
    # the district's own contact details
    "Questions? Call the office at 604 555 0100.",
    "Email office@fvsd.example.ca or principal@riv.fvsd.example.ca",
    "Riverside Elementary, 1234 Maple St., is open from 8:00 to 3:30.",
    "Graduation ceremony: Heritage Park, 44140 Luckakuck Way.",
    "The band concert is at the Cultural Centre, 9201 Corbould Street, at 7 pm.",
    "For hot lunch orders for the class contact the PAC at riversidepac@gmail.com.",
    "Questions? Write to n.tremblay@fvsd.example.ca at the district office",
    "Tracking 9876543240123 for the class order",
    # a first name alone with no school context
    "Emma, thanks for the cookies!",
    "Noah's ark was the theme of the party",
    # not names at all
    "Emmanuel and Schmidtz",
    "",
]

POSITIVE_IDS = [f"{RULE}-positive-{i}" for i in range(len(POSITIVES))]
NEGATIVE_IDS = [f"{RULE}-negative-{i}" for i in range(len(NEGATIVES))]


@pytest.mark.parametrize(("text", "expected"), POSITIVES, ids=POSITIVE_IDS)
def test_pii_student_positives(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize("text", NEGATIVES, ids=NEGATIVE_IDS)
def test_pii_student_negatives(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(("text", "expected"), POSITIVES, ids=POSITIVE_IDS)
def test_pii_student_findings_carry_no_pii(text: str, expected: list) -> None:
    for finding in scan(text):
        shown = text[finding.start : finding.end]
        assert shown not in finding.explanation
        assert shown not in json.dumps(finding.details)
        assert finding.explanation.endswith(".") and finding.explanation.count(". ") == 0
        assert finding.rule == RULE and finding.excerpt == ""
        assert finding.key == finding.subject == "item-1"
        assert finding.detector == "text.pii" and finding.version == "2"
        assert 0.0 <= finding.score <= 1.0


def test_pii_student_consent_suppresses_the_name() -> None:
    text = "Congratulations to Emma Schmidt and Noah Tremblay!"
    consents = frozenset({sid("204511")})
    assert found(text, consents=consents) == [("Noah Tremblay", "critical", NAME)]


def test_pii_student_consent_covers_first_name_for_every_candidate() -> None:
    text = "Congratulations to Emma in grade 3!"
    assert found(text, consents=frozenset({sid("204511")})) == []


def test_pii_student_name_details_hold_a_key_not_a_name() -> None:
    (finding,) = scan("Congratulations to Emma Schmidt!")
    assert finding.details == {  # no name, no number: the student's keyed hash
        "label": NAME,
        "entity": "STUDENT_NAME",
        "student": sid("204511"),
        "form": "full",
        "candidates": 1,
    }


def test_pii_student_first_name_alone_is_medium_with_a_lower_score() -> None:
    (full,) = scan("Congratulations to Emma Schmidt!")
    (first,) = scan("Congratulations to Emma in grade 3!")
    assert (full.severity, first.severity) == ("critical", "medium")
    assert first.score < full.score
    assert first.details["form"] == "first"
    assert "first name" in first.explanation


def test_pii_student_first_name_needs_school_evidence_tied_to_it() -> None:
    assert found("Emma loves horses.") == []
    # in a comment, school words merely near are not enough; in the account's own post they are
    assert [f.severity for f in scan("Emma loves horses, says our class.", kind="comment")] == []
    assert found("Emma loves horses, says our class.") == [("Emma", "medium", NAME)]
    assert [f.severity for f in scan("Emma in our class loves horses.", kind="comment")] == [
        "medium"
    ]


def test_pii_student_offsets_after_accents_and_emoji() -> None:
    text = "🎉🎉 Félicitations à toute la classe! 👏🏽 Bravo Emma Schmidt 🏆"
    (finding,) = scan(text)
    assert text[finding.start : finding.end] == "Emma Schmidt"
    assert redact(text, [(finding.start, finding.end, "student name")]).endswith(
        "Bravo [student name] 🏆"
    )


def test_pii_student_zero_width_inside_a_name_matches_the_written_span() -> None:
    text = "Well done E\u200bm\u200cma Schm\u00adidt!"
    (finding,) = scan(text)
    assert text[finding.start : finding.end] == "E\u200bm\u200cma Schm\u00adidt"


def test_pii_student_hostile_megabyte_input_is_bounded() -> None:
    text = "Congratulations to Emma Schmidt! " + "a" * 1_000_000 + " Noah Tremblay"
    started = time.perf_counter()
    findings = scan(text)
    assert time.perf_counter() - started < 2.0
    assert [text[f.start : f.end] for f in findings] == ["Emma Schmidt"]


def test_pii_student_hostile_digits_and_repeats_are_bounded() -> None:
    started = time.perf_counter()
    scan("1 " * 500_000)
    scan("Student #" + "9" * 100_000)
    scan("Emma Schmidt " * 50_000)
    scan("a@" * 300_000)
    assert time.perf_counter() - started < 5.0


def test_pii_student_findings_per_item_are_capped() -> None:
    assert len(scan("Emma Schmidt, " * 2_000)) == 200
    assert len(scan("my son's mail a@b.cc " * 2_000)) == 200


def test_pii_student_without_roster_still_finds_patterns() -> None:
    text = "Emma Schmidt, Student #204511, 604-555-0134"
    assert found(text, roster=None) == [
        ("204511", "critical", NUMBER),
        ("604-555-0134", "critical", PHONE),
    ]


def test_pii_student_roster_name_makes_contact_details_critical() -> None:
    assert found("Ask Emma Schmidt's mum: 604-555-0134") == [
        ("Emma Schmidt", "critical", NAME),
        ("604-555-0134", "critical", PHONE),
    ]


def test_pii_student_district_allow_lists_come_from_context() -> None:
    text = "About my son: call 604-555-0134 or write to kid.wong@other.example"
    assert [f[2] for f in found(text)] == [PHONE, EMAIL]
    allowed = {"allow_phones": ("+1 604 555 0134",), "district_domains": ("other.example",)}
    assert found(text, extra=allowed) == []


def test_pii_student_alt_text_is_scanned() -> None:
    image = ImageItem(
        id="img-1", post_id="post-1", data=b"", alt_text="Emma Schmidt holds her award"
    )
    (finding,) = DETECTOR.detect([image], context())
    assert (finding.subject, finding.key, finding.start, finding.end) == ("img-1", "img-1", 0, 12)
    assert "photo description" in finding.explanation
    assert (finding.details["field"], finding.details["post"]) == ("alt_text", "post-1")
    assert list(PiiDetector(scan_alt_text=False).detect([image], context())) == []


def test_pii_student_post_and_profile_wording() -> None:
    (post,) = scan("Congratulations to Emma Schmidt!", kind="post")
    (profile,) = scan("Congratulations to Emma Schmidt!", kind="profile")
    assert post.explanation.startswith("This post ")
    assert profile.explanation.startswith("This profile ")


def test_pii_student_detect_is_deterministic_over_a_batch() -> None:
    items = [TextItem(id=f"c{i}", text=text) for i, (text, _) in enumerate(POSITIVES)]
    first = [f.as_dict() for f in DETECTOR.detect(items, context())]
    again = [f.as_dict() for f in PiiDetector().detect(items, context())]
    assert first == again and len(first) >= len(POSITIVES)


def test_pii_student_runs_through_detectors_run_and_respects_enabled() -> None:
    items = [TextItem(id="c1", text="Congratulations to Emma Schmidt!")]
    assert [f.rule for f in detectors.run(items, context(), PII_DETECTORS)] == [RULE]
    off = context(enabled=frozenset({"language.prohibited"}))
    assert detectors.run(items, off, PII_DETECTORS) == []


# ---- data files and check digits -------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "valid"),
    [("123456782", True), ("987654324", True), ("100000009", True), ("123456789", False),
     ("987654321", False), ("000000000", True), ("4539578763621486", True)],
)  # fmt: skip
def test_pii_student_luhn_check_digit(number: str, valid: bool) -> None:
    assert luhn_ok(number) is valid


def test_pii_student_bundled_formats_have_check_hooks() -> None:
    formats = {f.name: f for f in load_student_number_formats()}
    assert set(formats) == {"student-number", "bc-pen"}
    assert formats["bc-pen"].validate_result("123456782")
    assert not formats["bc-pen"].validate_result("123456789")
    assert formats["student-number"].validate_result("204518")


def test_pii_student_district_formats_load_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "formats.toml"
    path.write_text(
        '[[format]]\nname = "district-id"\npattern = \'\\bSD(\\d{5})\\b\'\ncheck = "none"\n'
        "score = 0.8\n",
        encoding="utf-8",
    )
    detector = PiiDetector(student_number_formats=load_student_number_formats(path))
    (finding,) = detector.detect([TextItem(id="x", text="Pupil SD12345 was absent")], context())
    assert (finding.start, finding.end, finding.details["format"]) == (8, 13, "district-id")
    assert finding.severity == "critical"


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "x", "pattern": "(unclosed"},
        {"name": "x", "pattern": "\\d+", "check": "mod97"},
        {"name": "x", "pattern": "\\d+", "score": 1.5},
    ],
    ids=[f"{RULE}-bad-regex", f"{RULE}-bad-check", f"{RULE}-bad-score"],
)
def test_pii_student_bad_format_fails_at_construction(bad: dict) -> None:
    with pytest.raises(Exception):  # noqa: B017 - re.error or ValueError
        StudentNumberFormat.from_dict(bad)


def test_pii_student_context_words_load_and_reject_unknown_sections(tmp_path: Path) -> None:
    words = load_pii_context()
    assert {"grade", "class", "kindergarten", "student", "school"} <= words.school_context
    assert not {"our", "team", "proud", "won"} & words.school_context  # in every comment
    assert {"mr", "ms", "coach", "principal", "madame"} <= words.staff_titles
    path = tmp_path / "context.txt"
    path.write_text("[school_context]\nchoir\n[staff_titles]\nmr\n", encoding="utf-8")
    custom = load_pii_context(path)
    assert custom.school_context == frozenset({"choir"})
    detector = PiiDetector(context_words=custom)
    item = TextItem(id="x", text="Emma Schmidt sang in the choir", kind="comment")
    assert [f.severity for f in detector.detect([item], context())] == ["critical"]
    assert [f.severity for f in DETECTOR.detect([item], context())] == ["high"]
    with pytest.raises(ValueError):
        parse_pii_context("[surnames]\nsmith\n")
