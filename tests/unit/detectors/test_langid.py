"""detectors.langid: the language of a short comment, offline, and which languages the text
rules cover.

Given a short text, when identify() runs, then it names the language (or "und" when there is
too little to tell); covered() says whether the word lists of the text rules read it.
"""

from __future__ import annotations

import pytest

from detectors import langid
from detectors.base import TextItem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # English, by the fast check and by the model
        ("Great job everyone, the kids had a wonderful time at the fair", "en"),
        ("Thank you to all the volunteers who helped with the bake sale this week", "en"),
        ("What time does the spring concert start on Thursday evening?", "en"),
        ("GO EAGLES!!! BEST TEAM IN THE WHOLE VALLEY, SEE YOU AT PROVINCIALS", "en"),
        ("Congrats Riverside Eagles on a fantastic season 🏀🔥", "en"),
        # French, with and without accents
        ("Bonjour, je voudrais savoir à quelle heure commence le spectacle de ce soir", "fr"),
        ("Merci beaucoup aux enseignants pour cette belle sortie au musée", "fr"),
        ("est ce que les eleves doivent apporter leur diner demain pour la sortie", "fr"),
        ("Félicitations à toute l'équipe pour la victoire de samedi!", "fr"),
        # the district's other languages
        ("Hola, ¿a qué hora empieza la reunión de padres mañana en la escuela?", "es"),
        ("Kumusta po kayo, salamat sa inyong tulong sa paaralan ngayong araw", "tl"),
        ("ਸਤ ਸ੍ਰੀ ਅਕਾਲ, ਤੁਸੀਂ ਕਿਵੇਂ ਹੋ? ਸਕੂਲ ਦਾ ਪ੍ਰੋਗਰਾਮ ਬਹੁਤ ਵਧੀਆ ਸੀ", "pa"),
        ("我今天很高兴见到你们大家，学校的音乐会非常精彩", "zh"),
        ("Vielen Dank für die Einladung zum Schulfest am Samstag", "de"),
        # too little to tell
        ("😂😂😂", "und"),
        ("", "und"),
        ("Bravo", "und"),
        ("12:30", "und"),
    ],
)
def test_identify_short_texts(text: str, expected: str) -> None:
    assert langid.identify(text) == expected


def test_identify_many_matches_identify_one_by_one() -> None:
    texts = [
        "Thank you so much for the lovely concert last night",
        "Merci pour le beau spectacle d'hier soir, les enfants étaient ravis",
        "Salamat po sa lahat ng guro sa paaralan",
        "ok",
    ]
    langid.forget()
    batch = langid.identify_many(texts)
    langid.forget()
    assert batch == [langid.identify(t) for t in texts] == ["en", "fr", "tl", "und"]


@pytest.mark.parametrize(
    ("text", "fast"),
    [
        ("Thank you to all the volunteers who helped with the bake sale", True),
        ("the concert est à 19h", None),  # a French word: the model decides
        ("Félicitations à tous", None),  # accents: the model decides
        ("Go", False),  # one word: too little to tell
    ],
)
def test_fast_english_check(text: str, fast: bool | None) -> None:
    assert langid.fast_english(text) is fast


@pytest.mark.parametrize(
    ("lang", "covered"),
    [
        ("en", True),
        ("fr", True),
        ("und", True),
        (None, True),
        ("pa", False),
        ("zh", False),
        ("tl", False),
        ("es", False),
    ],
)
def test_covered(lang: str | None, covered: bool) -> None:
    assert langid.covered(lang) is covered


def test_rule_languages_read_french_with_english_too() -> None:
    assert langid.rule_languages("fr") == ("en", "fr")
    assert langid.rule_languages("en") == ("en",)
    assert langid.rule_languages("pa") == ("en",)
    assert langid.rule_languages(None) == ("en",)


def test_languages_of_keeps_a_given_language_and_identifies_the_rest() -> None:
    items = [
        TextItem(id="a", text="Merci beaucoup pour cette belle journée", language="en"),
        TextItem(id="b", text="Merci beaucoup pour cette belle journée à l'école"),
    ]
    assert langid.languages_of(items) == ["en", "fr"]


def test_hostile_input_is_bounded_and_newlines_do_not_break_the_model() -> None:
    assert langid.identify("Bonjour\nje suis\r\nlà pour la réunion des parents\n" * 3) == "fr"
    assert langid.identify("a" * 1_000_000) == "und"
    assert langid.identify("merci pour tout " * 200_000) == "fr"  # only MAX_CHARS are read
    assert langid.clean("@user #GO https://x.example/a THIS IS LOUD") == "go this is loud"


def test_every_language_the_model_can_answer_has_an_english_name() -> None:
    labels, _ = langid.model()._model.predict("hello", k=-1)  # every label but 9
    codes = {label.removeprefix("__label__") for label in labels}
    assert len(codes) > 150
    assert codes <= set(langid.NAMES)
    assert langid.language_name("pa") == "Punjabi"
    assert langid.language_name("tl") == "Tagalog"
    assert langid.language_name("zh") == "Chinese"
    assert langid.language_name("qq") == "qq"  # unknown: the code as it is
