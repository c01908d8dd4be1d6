"""wellbeing.self_harm: signs of suicidal thinking or self-harm, in English and French.

Given a comment, when WellbeingDetector runs, then a sign gives one critical finding whose
explanation never quotes the words and whose span covers the whole text (so the excerpt is
masked); idioms, hyperbole, jokes, quotations, titles, news, awareness posts, negations and
threats against someone else give nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

import detectors
from detectors.base import CLAUSES, Context, TextItem, redact
from detectors.language import LanguageDetector
from detectors.wellbeing import (
    LABEL,
    RULE,
    WellbeingDetector,
    bundled_wellbeing,
    load_wellbeing,
    parse_sections,
)

NOW = datetime(2026, 9, 14, 15, 0, tzinfo=UTC)
DETECTOR = WellbeingDetector()


def scan(text: str, kind: str = "comment", language: str | None = None) -> list:
    item = TextItem(id="c1", text=text, kind=kind, language=language)
    return list(DETECTOR.detect([item], Context(now=NOW)))


def category(text: str, language: str | None = None) -> str | None:
    found = scan(text, language=language)
    assert len(found) <= 1
    return found[0].details["category"] if found else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("so tired of existing", "ideation"),
        ("soon none of this will matter to me", "ideation"),
        ("I want to disappear forever", "ideation"),
        ("kms", "intent"),
        ("I'm going to kill myself tonight.", "intent"),
        ("honestly i want to die and nobody notices", "ideation"),
        ("I've decided to end my life this weekend", "intent"),
        ("I keep having suicidal thoughts every night", "intent"),
        ("I wrote my suicide note last night", "intent"),
        ("Everyone would be better off without me", "ideation"),
        ("nobody would miss me if I was gone", "ideation"),
        ("I took all of my pills, I'm sorry", "method"),
        ("im gonna jump off the bridge tonight and end it", "method"),
        ("By the time you read this I'll be gone", "farewell"),
        ("This is my final goodbye. I love you all.", "farewell"),
        ("I started cutting myself again", "self_harm"),
        ("I hurt myself on purpose last night", "self_harm"),
        ("My friend said she wants to kill herself, what do I do?", "about_someone"),
        ("A girl in my class is cutting herself", "about_someone"),
        # the exceptions stay narrow: a negation, schoolwork or advice nearby is no cover
        ("I don't think I can go on, I want to die", "ideation"),
        ("I want to die because of the bullying at school", "ideation"),
        ("the test doesn't matter, I'm going to kill myself tonight", "intent"),
        ("I'm feeling suicidal again and I don't know who to tell", "intent"),
    ],
)
def test_wellbeing_self_harm_english_signs(text: str, expected: str) -> None:
    assert category(text, "en") == expected


@pytest.mark.parametrize(
    ("text", "expected", "technique"),
    [
        ("i w4nt t0 d1e", "ideation", "leetspeak"),
        ("k i l l myself", "intent", "spaced letters"),
        ("I want to k.i.l.l myself", "intent", "spaced letters"),
        ("i want to diiiie", "ideation", "repeated letters"),
        ("I want to ⚰️", "ideation", "emoji in place of words"),
        ("gonna 🪢 myself tonight", "method", "emoji in place of words"),
        ("I'm going to take all my 💊 tonight", "method", "emoji in place of words"),
        ("I want to dіe", "ideation", "lookalike or hidden characters"),  # Cyrillic i
        ("K M S", "intent", "spaced letters"),
    ],
)
def test_wellbeing_self_harm_sees_through_disguises(
    text: str, expected: str, technique: str
) -> None:
    found = scan(text, language="en")
    assert [f.details["category"] for f in found] == [expected]
    assert found[0].details["obfuscation"] == technique
    assert technique in found[0].explanation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Je veux mourir.", "ideation"),
        ("j'en ai marre de vivre", "ideation"),
        ("je vais me suicider ce soir", "intent"),
        ("je veux disparaître pour toujours", "ideation"),
        ("tout le monde serait mieux sans moi", "ideation"),
        ("personne ne me regretterait si je partais", "ideation"),
        ("je me scarifie encore", "self_harm"),
        ("je vais mettre fin à mes jours", "intent"),
        ("adieu à tous, c'est mon dernier message", "farewell"),
        ("je vais sauter du pont ce soir", "method"),
        ("bientôt rien de tout ça ne comptera pour moi", "ideation"),
        ("je vais me s u i c i d e r", "intent"),
        ("ma meilleure amie veut se suicider", "about_someone"),
    ],
)
def test_wellbeing_self_harm_french_signs(text: str, expected: str) -> None:
    assert category(text, "fr") == expected
    found = scan(text, language="fr")
    assert "obfuscation" not in found[0].details or found[0].details["obfuscation"] != (
        "lookalike or hidden characters"
    )  # accents are spelling, not disguise


@pytest.mark.parametrize(
    "text",
    [
        # idioms and hyperbole
        "that test destroyed me",
        "my phone is dying",
        "I'm dead 😂",
        "this homework is killing me",
        "I could kill myself for forgetting my lunch again",
        "I'd rather die than wear that sweater",
        "I want to die of embarrassment",
        "kill me now, it's another group project",
        "I want to die lol this is so embarrassing",
        "kms 😂 I sent it to the wrong group chat",
        "this song makes me want to die, it's so good",
        "ran 5 kms for the charity run today",
        # quotations, lyrics, titles
        '"I want to die" is the saddest line in the whole play',
        "Just finished 13 Reasons Why, it's a hard show to watch",
        "Suicide Squad was way better than I expected",
        "I Don't Wanna Live Forever is such a good song",
        "the lyrics 'I just want to die today' hit hard",
        # news and awareness
        "A student in Ontario died by suicide last year; the school held a vigil",
        "September is Suicide Prevention Month. You are not alone.",
        "If you or someone you know is thinking about suicide, call or text 9-8-8.",
        # negation
        "I would never kill myself, don't worry",
        "I don't want to die, I want things to get better",
        "I'm not suicidal, just stressed about exams",
        "Relax, the late fee isn't going to end my life",
        "fingers crossed I don't kms before the deadline",
        # a question or advice to someone else, as awareness posts put it
        "Are you feeling suicidal? Talk to someone you trust today.",
        "If you're feeling suicidal, please call or text 9-8-8.",
        # a story of having been saved, and doing something safely
        "This program saved me from ending my life three years ago, and I am doing well now",
        "How do I carry the canoe alone without hurting myself?",
        # schoolwork hyperbole and the idiom
        "this chem test makes me want to die",
        "I want to die because of this essay, it's due at 8",
        "I keep shooting myself in the foot with late assignments",
        # harm to someone else is a threat, not wellbeing
        "kys",
        "go kill yourself",
        "I'm going to kill you",
        # everyday words that come close
        "Goodbye everyone, see you next year! Have a great summer",
        "I cut myself shaving this morning, ouch",
        "This is my final post as PAC chair, thank you all",
        # French idioms
        "je suis mort de rire 😂",
        "ce devoir me tue",
        "mdr je veux mourir j'ai envoyé ça au mauvais groupe",
        "je ne veux pas mourir, je veux juste que ça aille mieux",
    ],
)
def test_wellbeing_self_harm_negatives(text: str) -> None:
    assert scan(text) == []


def test_wellbeing_self_harm_finding_is_critical_masked_and_never_quotes() -> None:
    text = "I just want to die. Soon none of this will matter."
    (found,) = scan(text, language="en")
    assert found.rule == RULE == "wellbeing.self_harm"
    assert found.severity == "critical"
    assert (found.start, found.end) == (0, len(text))
    assert found.details["label"] == LABEL
    assert redact(text, [(found.start, found.end, found.details["label"])]) == f"[{LABEL}]"
    assert "want to die" not in found.explanation
    assert "none of this will matter" not in found.explanation.lower()
    assert "not a disciplinary" in found.explanation
    cue_start, cue_end = found.details["cue"]
    assert "want to die" in text[cue_start:cue_end]
    assert found.clause == CLAUSES[RULE] and "duty of care" in found.clause.lower()


def test_wellbeing_self_harm_one_finding_per_item_naming_the_most_serious_sign() -> None:
    found = scan("I want to disappear forever. I'm going to kill myself tonight.")
    assert [f.details["category"] for f in found] == ["intent"]


def test_wellbeing_self_harm_ignores_profile_text() -> None:
    assert scan("I want to die", kind="profile") == []
    assert len(scan("I want to die", kind="post")) == 1


def test_wellbeing_self_harm_threats_stay_with_language_prohibited() -> None:
    """'kys' is a threat against someone else: language.prohibited, not wellbeing."""
    language = LanguageDetector(model=False)
    item = TextItem(id="c1", text="kys", kind="comment")
    assert [f.details["category"] for f in language.detect([item], Context(now=NOW))] == ["threats"]
    assert scan("kys") == []


def test_wellbeing_self_harm_is_in_the_default_suite_and_runs_through_run() -> None:
    assert any(isinstance(d, WellbeingDetector) for d in detectors.default_detectors())
    items = [TextItem(id="c1", text="so tired of existing", kind="comment")]
    found = detectors.run(items, Context(now=NOW, enabled=frozenset({RULE})))
    assert [f.rule for f in found] == [RULE]
    assert detectors.run(items, Context(now=NOW, enabled=frozenset({"pii.student"}))) == []


def test_wellbeing_self_harm_french_items_read_with_english_too() -> None:
    """A French comment that switches to English is still read."""
    assert category("franchement I want to die", "fr") == "ideation"


def test_wellbeing_self_harm_district_file_and_bad_section(tmp_path: Path) -> None:
    (tmp_path / "en.txt").write_text("[ideation]\nwant to vanish into thin air\n")
    detector = WellbeingDetector(load_wellbeing(tmp_path))
    item = TextItem(id="c1", text="I want to vanish into thin air", kind="comment")
    assert len(list(detector.detect([item], Context(now=NOW)))) == 1
    with pytest.raises(ValueError, match=r"unknown section \[feelings\].*use one of"):
        parse_sections("[feelings]\nsad\n")


def test_wellbeing_self_harm_bundled_languages() -> None:
    assert set(bundled_wellbeing().languages) == {"en", "fr"}


def test_wellbeing_self_harm_hostile_input_is_bounded() -> None:
    text = "I want to " + "⚰️" * 50_000 + " die " * 10_000
    found = scan(text)
    assert len(found) <= 1
