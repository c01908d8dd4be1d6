"""Normalisation behind ``language.prohibited`` (and ``media.inquiry``): folding, the readings
that undo obfuscation, offsets back to the original text, masks and phrase patterns.

Each table row is (original text, expected normalised text or reading, and where it maps
back to); the negatives show what must stay as it is.
"""

from __future__ import annotations

import re

import pytest

from detectors.folding import MAX_CHARS, Normalised, fold, normalise, variants, word_form
from detectors.phrases import MaskIndex, Phrase, PhraseBook, read_lines

RULE = "language.prohibited"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, World!", "hello, world!"),
        ("ｆｕｌｌ width", "full width"),  # NFKC compatibility forms
        ("Ѕhіt", "shit"),  # Cyrillic lookalikes
        ("ΑΒΕ", "abe"),  # Greek capitals
        ("fυck", "fuck"),  # Greek upsilon
        ("f\u200buck", "fuck"),  # zero-width space
        ("f\u202euck", "fuck"),  # bidi override
        ("f\u00adu\u2060ck", "fuck"),  # soft hyphen, word joiner
        ("fück", "fuck"),  # diacritics dropped
        ("Straße", "strasse"),  # casefold
        ("great job 👏", "great job ?"),  # emoji: one for one, offsets kept
    ],
    ids=lambda value: f"{RULE}-{value!r}"[:60],
)
def test_language_prohibited_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("You're an idiot!!!", "you re an idiot   "),
        ("sh1t", "shit"),
        ("5h1t", "shit"),
        ("$hit", "shit"),
        ("a55hole", "asshole"),
        ("sh!t happens!", "shit happens "),
        ("fuuuuck", "fuuck"),
        ("f u c k", "fuck"),
        ("f.u.c.k you", "fuck you"),
        ("f-u-c-k", "fuck"),
        ("Ѕhіt", "shit"),
        ("so cool", "so cool"),
        ("See you at 3pm", "see you at epm"),
    ],
    ids=lambda value: f"{RULE}-{value!r}"[:60],
)
def test_language_prohibited_normalise_text(text: str, expected: str) -> None:
    assert normalise(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "f.u.c.k you",
        "fuuuuck you",
        "Ѕh\u200bіt happens",
        "a55hole",
        "ｆｕｃｋ off",
        "Straße und fück",
        "plain words only",
        "great job 👏👏 really",
        "",
    ],
    ids=lambda value: f"{RULE}-offsets-{value!r}"[:60],
)
def test_language_prohibited_offsets_point_into_original(text: str) -> None:
    result = normalise(text)
    assert len(result.offsets) == len(result.text)
    assert result.offsets == sorted(result.offsets)
    assert all(0 <= index < len(text) for index in result.offsets)
    for position, char in enumerate(result.text):
        if char != " ":
            original = text[result.offsets[position]]
            assert fold(original) != "" or char == original


@pytest.mark.parametrize(
    ("text", "reading", "technique", "word", "span"),
    [
        ("what the f.u.c.k", "what the fuck", "spaced letters", "fuck", "f.u.c.k"),
        ("so stuuupid", "so stupid", "repeated letters", "stupid", "stuuupid"),
        ("so fuuuuck it", "so fuck it", "repeated letters", "fuck", "fuuuuck"),
        ("assssss", "ass", "repeated letters", "ass", "assssss"),
        ("ki11 you", "kill you", "leetspeak", "kill", "ki11"),
        ("1d10t", "idiot", "leetspeak", "idiot", "1d10t"),
        ("you @$$", "you ass", "leetspeak", "ass", "@$$"),
        ("Ѕh\u200bіt!", "shit ", "", "shit", "Ѕh\u200bіt"),
        ("ok Ѕh\u200bіt", "ok shit", "", "shit", "Ѕh\u200bіt"),
    ],
    ids=lambda value: f"{RULE}-{value!r}"[:60],
)
def test_language_prohibited_variants_map_back(
    text: str, reading: str, technique: str, word: str, span: str
) -> None:
    forms = {form.text: form for form in variants(text)}
    assert reading in forms, list(forms)
    form = forms[reading]
    assert form.technique == technique
    start = form.text.index(word)
    begin, end = form.span(start, start + len(word))
    assert text[begin:end] == span


@pytest.mark.parametrize(
    "text",
    ["Room 455 is open", "Great job!!!", "See you at 3pm on the 4th", "Class of 2024", "hello"],
    ids=lambda value: f"{RULE}-plain-{value}",
)
def test_language_prohibited_ordinary_text_has_few_readings(text: str) -> None:
    forms = variants(text)
    assert forms[0].technique == ""
    assert [f.technique for f in forms[1:]] in ([], ["leetspeak"])


def test_language_prohibited_normalised_accepts_an_offset_list() -> None:
    reading = Normalised("ab", [3, 5], limit=7)
    assert reading.offsets == [3, 5]
    assert reading.span(0, 1) == (3, 5)
    assert reading.span(0, 2) == (3, 7)


def test_language_prohibited_long_text_is_cut() -> None:
    text = "a " * MAX_CHARS
    assert len(normalise(text).text) <= MAX_CHARS
    assert len(variants(text)[0].text) == MAX_CHARS


def test_language_prohibited_hostile_input_is_fast() -> None:
    import time

    hostile = ["a" * MAX_CHARS, "a-" * MAX_CHARS, "f u " * MAX_CHARS, "1a" * MAX_CHARS]
    book = PhraseBook({"obscenity": ["fuck", "watch your back"]}, maskable=["obscenity"])
    started = time.perf_counter()
    for text in hostile:
        book.scan(text)
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("what the f***", "f***"),
        ("f*ck this", "f*ck"),
        ("sh*t happens", "sh*t"),
        ("you a**hole", "a**hole"),
        ("f--k", "f--k"),
        ("so f#%k it", "f#%k"),
        ("well-known author", None),
        ("snake_case", None),
        ("f**", None),  # too short to tell
        ("****", None),  # no first letter
        ("the s*** list", "s***"),
    ],
    ids=lambda value: f"{RULE}-mask-{value!r}"[:60],
)
def test_language_prohibited_masked_words(text: str, expected: str | None) -> None:
    index = MaskIndex([("fuck", "obscenity"), ("shit", "obscenity"), ("asshole", "obscenity")])
    found = index.find(fold(text))
    assert [text[s:e] for s, e, _ in found] == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("line", "text", "expected"),
    [
        ("watch your back", "Watch your, back!", "Watch your, back"),
        ("i know where (you|he) (live|park)", "I know where he parks", None),
        ("i know where (you|he) (live|park)", "i KNOW where you park", "i KNOW where you park"),
        ("bring (a|my|) gun to school", "bring gun to school", "bring gun to school"),
        ("bring (a|my|) gun to school", "bring my gun to school", "bring my gun to school"),
        ("won't be safe", "you wont be safe", None),
        ("won't be safe", "you won't be safe", "won't be safe"),
        ("by #pm", "call me by 4:30pm", "by 4:30pm"),
        ("by #pm", "call me by 4pm", "by 4pm"),
        ("mr * is a thief", "Mr. Smith is a thief", "Mr. Smith is a thief"),
        ("{who} stole", "the coach stole it", "the coach stole"),
        ("kill {who}", "skill the coach", None),
    ],
    ids=lambda value: f"{RULE}-phrase-{value!r}"[:60],
)
def test_language_prohibited_phrase_patterns(line: str, text: str, expected: str | None) -> None:
    phrase = Phrase(line, {"who": "the coach | he"})
    form = word_form(text)
    match = re.search(phrase.regex, form)
    assert (text[match.start() : match.end()] if match else None) == expected


@pytest.mark.parametrize(
    ("line", "triggers"),
    [
        ("watch your back", {"watch"}),
        ("(kill|stab) (you|him)", {"kill", "stab"}),
        ("bring (a|) (gun|knife) to school", {"gun", "knife"}),
        ("* is a (thief|liar)", {"thief", "liar"}),
        ("(a|) *", None),
        ("idiot", {"idiot"}),
    ],
    ids=lambda value: f"{RULE}-trigger-{value!r}"[:60],
)
def test_language_prohibited_phrase_triggers(line: str, triggers: set[str] | None) -> None:
    found = Phrase(line, {}).triggers
    assert (set(found) if found is not None else None) == triggers


@pytest.mark.parametrize(
    "line",
    ["(unclosed", "closed)", "{missing} word", "()", "{loop} word", "!"],
    ids=lambda value: f"{RULE}-bad-{value}",
)
def test_language_prohibited_bad_phrase_is_rejected(line: str) -> None:
    with pytest.raises(ValueError):
        Phrase(line, {"loop": "a | {loop}"})


def test_language_prohibited_read_lines_skips_comments_and_reads_groups() -> None:
    entries, groups = read_lines(["# header", "", "{who} = he | she", "  idiot  ", "by #pm"])
    assert entries == ["idiot", "by #pm"]
    assert groups == {"who": "he | she"}


def test_language_prohibited_exceptions_silence_matches_inside_them() -> None:
    book = PhraseBook({"obscenity": ["dick", "!moby dick"]})
    assert [m.category for m in book.scan("We read Moby Dick").matches] == []
    assert [m.category for m in book.scan("what a dick").matches] == ["obscenity"]


def test_language_prohibited_bad_data_line_names_its_file() -> None:
    with pytest.raises(ValueError, match="threats: unclosed"):
        PhraseBook({"threats": ["watch your back", "kill (you"]})


@pytest.mark.parametrize(
    ("line", "requires"),
    [
        ("watch your back", [{"watch"}, {"your"}, {"back"}]),
        ("bring (a|) (gun|knife) to school", [{"bring"}, {"gun", "knife"}, {"to"}, {"school"}]),
        ("* is a (thief|liar)", [{"is"}, {"a"}, {"thief", "liar"}]),
        ("call me by #pm", [{"call"}, {"me"}, {"by"}]),
    ],
    ids=lambda value: f"{RULE}-requires-{value!r}"[:60],
)
def test_language_prohibited_phrase_requires_every_part(line: str, requires: list) -> None:
    assert [set(part) for part in Phrase(line, {}).requires] == requires


def test_language_prohibited_phrase_needing_an_absent_word_is_not_reported() -> None:
    book = PhraseBook({"threats": ["watch your back", "idiot"]})
    assert book.scan("watch the game, back row").matches == []  # "your" is missing
    assert [m.category for m in book.scan("Watch your back.").matches] == ["threats"]


def test_language_prohibited_a_batch_scans_as_each_text_alone() -> None:
    """Texts are joined for one automaton walk: nothing may leak across their boundaries."""
    from detectors.language import LanguageDetector

    book = LanguageDetector(model=False)._book
    texts = [
        "you are a",  # ends where the next begins: "a" + "ss" must not join
        "ss and a f u",
        "c k",
        "sh1t happens",
        "3pm pickup",
        "what an idiot!",
        "",
        "f***",
        "\u202efuck",
        "perfectly fine",
        "b i t c h",
    ]
    assert book.scan_many(texts) == [book.scan(text) for text in texts]
    assert [bool(s.matches) for s in book.scan_many(texts)] == [
        False, False, False, True, False, True, False, True, True, False, True,
    ]  # fmt: skip
