"""The roster index behind pii.student: normalisation, name forms, keyed hashes, matching.

Given a roster (hashed at once), When a text is matched, Then the spans point at the names as
written, in the original text, and nothing stored or printed holds a raw name.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest

from detectors.roster import (
    MAX_CHARS,
    RosterIndex,
    RosterMatch,
    digest,
    index_forms,
    name_forms,
    normalise_token,
    student_key,
)

KEY = b"pii.student test key, 32 bytes!!"
OTHER_KEY = b"another district's key, 32 bytes"

ROWS = [
    {"student_number": "204511", "legal_first_name": "Emma", "legal_last_name": "Schmidt"},
    {"student_number": "204523", "legal_first_name": "Olivia", "legal_last_name": "Chen",
     "preferred_first_name": "Liv"},
    {"student_number": "418302", "legal_first_name": "Zoë", "legal_last_name": "Wong"},
    {"student_number": "526146", "legal_first_name": "Felix", "legal_last_name": "O'Brien"},
    {"student_number": "526160", "legal_first_name": "Liam", "legal_last_name": "Tran-Bouchard"},
    {"student_number": "600001", "legal_first_name": "Mary Anne",
     "legal_last_name": "van der Berg", "school": "RIV"},
    {"student_number": "600002", "legal_first_name": "Emma", "legal_last_name": "Singh"},
    {"student_number": "600003", "legal_first_name": "Will", "legal_last_name": "Smith"},
]  # fmt: skip
RAW_NAMES = ("emma", "schmidt", "olivia", "chen", "liv", "wong", "felix", "brien", "liam",
             "tran", "bouchard", "mary", "anne", "berg", "singh", "smith")  # fmt: skip


@pytest.fixture(scope="module")
def index() -> RosterIndex:
    return RosterIndex.from_rows(KEY, ROWS)


def sid(number: str) -> str:
    return student_key(KEY, number)


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("Emma", "emma"),
        ("EMMA", "emma"),
        ("Zoë", "zoe"),
        ("ZOË", "zoe"),
        ("Zoe\u0308", "zoe"),  # decomposed diaeresis
        ("Ｅｍｍａ", "emma"),  # full-width letters
        ("Straße", "strasse"),
        ("Schmidt's", "schmidt"),
        ("Schmidt\u2019s", "schmidt"),
        ("Jess'", "jess"),
        ("Thomas", "thomas"),  # a name ending in s is not a possessive
        ("O\u2019Brien", "o'brien"),
        ("Tran-Bouchard", "tran-bouchard"),
        ("-Emma-", "emma"),
        ("Em\u200bma", "emma"),  # zero-width space
        ("Em\u202ema", "emma"),  # right-to-left override
        ("E\u00admma", "emma"),  # soft hyphen
        ("\ufeffEmma", "emma"),
        ("#EmmaSchmidt", "emmaschmidt"),
        ("@emma_schmidt", "emmaschmidt"),
        ("'s", ""),
        ("!!!", ""),
    ],
)
def test_pii_student_normalise_token(written: str, normalised: str) -> None:
    assert normalise_token(written) == normalised


def test_pii_student_name_forms_simple() -> None:
    assert name_forms("Emma", "Schmidt") == [
        ("first", "emma"),
        ("full", "emma schmidt"),
        ("full", "schmidt, emma"),
        ("tag", "emmaschmidt"),
        ("tag", "schmidtemma"),
        ("initial", "emma s"),
        ("initial_last", "e schmidt"),
    ]


def test_pii_student_name_forms_preferred_name() -> None:
    forms = name_forms("Olivia", "Chen", "Liv")
    assert ("first", "olivia") in forms and ("first", "liv") in forms
    assert ("full", "liv chen") in forms and ("tag", "livchen") in forms
    assert ("initial", "liv c") in forms
    assert {("initial_last", "o chen"), ("initial_last", "l chen")} <= set(forms)


def test_pii_student_name_forms_hyphenated_and_apostrophe() -> None:
    forms = set(name_forms("Liam", "Tran-Bouchard"))
    for text in ("liam tran-bouchard", "liam tran bouchard", "liam tran", "liam bouchard"):
        assert ("full", text) in forms
    assert ("tag", "liamtranbouchard") in forms
    assert {("full", "felix o'brien"), ("full", "felix obrien")} <= set(
        name_forms("Felix", "O'Brien")
    )


def test_pii_student_name_forms_multi_part_names() -> None:
    forms = set(name_forms("Mary Anne", "van der Berg"))
    assert ("first", "mary anne") in forms
    assert ("full", "mary anne van der berg") in forms
    assert ("initial", "mary anne v") in forms
    assert ("tag", "maryannevanderberg") in forms


def test_pii_student_name_forms_accents_and_blank_preferred() -> None:
    assert name_forms("Zoë", "Wong", "") == name_forms("Zoe", "Wong")


def test_pii_student_digest_is_hmac_sha256_and_stable() -> None:
    expected = hmac.new(KEY, b"emma schmidt", hashlib.sha256).hexdigest()
    assert digest(KEY, "emma schmidt") == expected
    assert digest(KEY, "emma schmidt") == digest(KEY, "emma schmidt")
    assert digest(OTHER_KEY, "emma schmidt") != expected


def test_pii_student_student_key_normalises_the_number() -> None:
    assert sid("204511") == sid(" 204 511 ") == sid("204-511")
    assert sid("204511") == hmac.new(KEY, b"204511", hashlib.sha256).hexdigest()
    assert sid("204511") != student_key(OTHER_KEY, "204511")
    assert sid("204511") != sid("204512")


def test_pii_student_a_different_key_gives_different_digests() -> None:
    ours = set(RosterIndex.from_rows(KEY, ROWS).entries())
    theirs = set(RosterIndex.from_rows(OTHER_KEY, ROWS).entries())
    assert ours and not ours & theirs


def test_pii_student_no_raw_name_in_entries_or_repr(index: RosterIndex) -> None:
    stored = json.dumps(index.entries()).lower() + repr(index).lower() + str(index).lower()
    for name in RAW_NAMES:
        assert name not in stored
    assert "digests" in repr(index) and "8 students" in repr(index)
    assert KEY.decode() not in stored


def test_pii_student_entries_round_trip(index: RosterIndex) -> None:
    copy = RosterIndex(KEY, index.entries())
    text = "Congratulations to Emma Schmidt and Liv Chen!"
    assert copy.match(text) == index.match(text)
    assert len(copy) == len(index)


def test_pii_student_index_forms_add_prefix_markers() -> None:
    forms = index_forms("Mary Anne", "van der Berg")
    assert forms[: len(name_forms("Mary Anne", "van der Berg"))] == name_forms(
        "Mary Anne", "van der Berg"
    )
    assert {("prefix:2", "mary"), ("prefix:3", "mary"), ("prefix:5", "mary")} <= set(forms)


def test_pii_student_index_without_markers_still_matches_full_names() -> None:
    # What an importer storing only name_forms() builds: slower, same spans.
    entries: dict[str, list[tuple[str, str]]] = {}
    for row in ROWS:
        forms = name_forms(row["legal_first_name"], row["legal_last_name"],
                           row.get("preferred_first_name", ""))  # fmt: skip
        for form, text in forms:
            entries.setdefault(digest(KEY, text), []).append((sid(row["student_number"]), form))
    plain = RosterIndex(KEY, entries)
    text = "Congratulations to Emma Schmidt, Liv Chen, Emma S. and Liam Tran Bouchard!"
    assert spans(plain, text) == [
        ("Emma Schmidt", "full"), ("Liv Chen", "full"), ("Emma S", "initial"),
        ("Liam Tran Bouchard", "full"),
    ]  # fmt: skip


def test_pii_student_from_rows_maps_digests_to_student_keys(index: RosterIndex) -> None:
    entries = index.entries()
    assert (sid("204511"), "full") in entries[digest(KEY, "emma schmidt")]
    first = entries[digest(KEY, "emma")]
    assert {(sid("204511"), "first"), (sid("600002"), "first")} <= set(first)


def spans(index: RosterIndex, text: str) -> list[tuple[str, str]]:
    """(text of the span, strongest form) per span, in order."""
    seen: dict[tuple[int, int], str] = {}
    for m in index.match(text):
        seen.setdefault((m.start, m.end), m.form)
    return [(text[s:e], form) for (s, e), form in seen.items()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Congratulations to Emma Schmidt!", [("Emma Schmidt", "full")]),
        ("congrats emma schmidt", [("emma schmidt", "full")]),
        ("EMMA SCHMIDT WON", [("EMMA SCHMIDT", "full")]),
        ("Emma Schmidt's award", [("Emma Schmidt", "full")]),
        ("Emma Schmidt\u2019s award", [("Emma Schmidt", "full")]),
        ("Well done Emma S. today", [("Emma S", "initial")]),
        ("Well done Emma S today", [("Emma S", "initial")]),
        ("well done emma s. today", [("emma s", "initial")]),
        ("Emma s is lowercase", [("Emma", "first")]),
        ("#EmmaSchmidt #proud", [("#EmmaSchmidt", "tag")]),
        ("thanks @emma_schmidt", [("@emma_schmidt", "tag")]),
        ("thanks @emma.schmidt!", [("@emma.schmidt", "tag")]),
        ("EmmaSchmidt", [("EmmaSchmidt", "tag")]),
        ("Liv Chen and Olivia Chen", [("Liv Chen", "full"), ("Olivia Chen", "full")]),
        ("Zoë Wong", [("Zoë Wong", "full")]),
        ("Zoe Wong", [("Zoe Wong", "full")]),
        ("Zoe\u0308 Wong", [("Zoe\u0308 Wong", "full")]),
        ("Felix O'Brien", [("Felix O'Brien", "full")]),
        ("Felix O\u2019Brien's", [("Felix O\u2019Brien", "full")]),
        ("Felix OBrien", [("Felix OBrien", "full")]),
        ("Liam Tran-Bouchard", [("Liam Tran-Bouchard", "full")]),
        ("Liam Tran Bouchard", [("Liam Tran Bouchard", "full")]),
        ("Liam Bouchard", [("Liam Bouchard", "full")]),
        ("Mary Anne van der Berg", [("Mary Anne van der Berg", "full")]),
        ("Mary Anne", [("Mary Anne", "first")]),
        ("Emma\nSchmidt", [("Emma\nSchmidt", "full")]),
        ("Emma\n\nSchmidt", [("Emma", "first")]),
        ("Emma, Schmidt", [("Emma", "first")]),
        ("Emma Emma Schmidt", [("Emma", "first"), ("Emma Schmidt", "full")]),
        ("Em\u200bma Schmidt", [("Em\u200bma Schmidt", "full")]),
        ("Em\u202ema Sch\u200dmidt", [("Em\u202ema Sch\u200dmidt", "full")]),
        ("\u200bEmma Schmidt\u200b", [("Emma Schmidt", "full")]),
        ("🎉👏🏽 Zoë & Emma Schmidt", [("Zoë", "first"), ("Emma Schmidt", "full")]),
        ("(Emma Schmidt)", [("Emma Schmidt", "full")]),
        (
            "Honour roll: Schmidt, Emma; Chen, Liv.",
            [("Schmidt, Emma", "full"), ("Chen, Liv", "full")],
        ),
        ("Thanks Emma, Schmidt family", [("Emma", "first")]),
        (
            "Art by @schmidt.emma and @emmaschmidt12",
            [("@schmidt.emma", "tag"), ("@emmaschmidt12", "tag")],
        ),
        ("emmaschmidt12", []),
        ("Emmanuel Schmidtz", []),
        ("Schmidt", []),
        ("", []),
        ("   \n\t ", []),
    ],
)
def test_pii_student_roster_match_spans(index: RosterIndex, text: str, expected: list) -> None:
    assert spans(index, text) == expected
    assert spans(index, text) == expected  # warm caches give the same answer


def test_pii_student_match_returns_every_student_sharing_a_form(index: RosterIndex) -> None:
    found = index.match("Thanks Emma!")
    assert {m.student_key for m in found} == {sid("204511"), sid("600002")}
    assert all(m == RosterMatch(7, 11, m.student_key, "first") for m in found)


def test_pii_student_full_name_lists_its_student_only(index: RosterIndex) -> None:
    assert index.match("Emma Schmidt") == [RosterMatch(0, 12, sid("204511"), "full")]


def test_pii_student_quiet_words_need_capitals_alone_but_start_full_names(
    index: RosterIndex,
) -> None:
    quiet = frozenset({"will"})
    assert index.match_spans("we will see", quiet) == []
    assert [s[:2] for s in index.match_spans("Thanks Will!", quiet)] == [(7, 11)]
    assert [s[:2] for s in index.match_spans("will smith won", quiet)] == [(0, 10)]
    # capitalised at a sentence start it is reported; the name filter wants school evidence
    assert [s[:2] for s in index.match_spans("Will you come? Will we?", quiet)] == [
        (0, 4),
        (15, 19),
    ]
    assert index.match_spans("we will see") != []  # without quiet words it is a name


def test_pii_student_hostile_input_is_bounded(index: RosterIndex) -> None:
    huge = ("Emma Schmidt " * 100_000) + "Liv Chen"
    started = time.perf_counter()
    found = index.match_spans(huge)
    assert time.perf_counter() - started < 2.0
    assert found and all(end <= MAX_CHARS for _, end, _ in found)
    assert index.match_spans("x" * 1_000_000) == []
    assert index.match_spans("@" + "." * 100_000) == []


def test_pii_student_results_do_not_depend_on_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [
        "Congratulations to Emma Schmidt!",
        "Thanks Will, and Liv Chen too",
        "Honour roll: Schmidt, Emma; Wong, Zoë",
        "nothing to see here (42)",
        "Em\u200bma S. and #EmmaSchmidt",
    ] * 3
    expected = [RosterIndex.from_rows(KEY, ROWS).match(t) for t in texts]
    monkeypatch.setattr("detectors.roster._CACHE_LIMIT", 2)
    tiny = RosterIndex.from_rows(KEY, ROWS)
    assert [tiny.match(t) for t in texts] == expected
