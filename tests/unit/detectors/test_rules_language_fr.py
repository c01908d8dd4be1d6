"""language.prohibited, media.inquiry and pii.student on French and other languages.

Given a comment in French, when the detectors run, then French obscenity, insults, threats,
hate, accusations and media inquiries are found with the same disguises as in English, and
ordinary French comments stay quiet. Names are names: a roster student is found whatever
the language around the name.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

import detectors
from detectors.base import Context, TextItem
from detectors.langid import covered
from detectors.language import LanguageDetector, LexiconError, bundled_lexicon, load_lexicon
from detectors.media import MediaInquiryDetector
from tests.unit.detectors.test_rules_pii import found as pii_found

NOW = datetime(2026, 9, 14, 15, 0, tzinfo=UTC)
LANGUAGE = LanguageDetector(model=False)


def categories(text: str, detector: LanguageDetector = LANGUAGE, lang: str | None = "fr") -> list:
    item = TextItem(id="c1", text=text, kind="comment", language=lang)
    return sorted(
        (f.details["category"], f.details.get("obfuscation", ""))
        for f in detector.detect([item], Context(now=NOW))
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ferme ta gueule", [("obscenity", ""), ("obscenity", "")]),  # and "ta gueule"
        ("c'est de la merde ce spectacle", [("obscenity", "")]),
        ("t'es vraiment nul", [("harassment", "")]),
        ("espèce de connard", [("obscenity", "")]),
        ("Cette prof est vraiment incompétente", [("harassment", "")]),
        ("Je vais te tuer si tu reviens à l'école", [("threats", "")]),
        ("je sais où tu habites", [("threats", "")]),
        ("sale arabe retourne dans ton pays", [("hate", ""), ("hate", "")]),
        ("Le directeur est un voleur", [("defamation", "")]),
        ("son dossier médical a été partagé", [("confidential", ""), ("confidential", "")]),
        # disguises
        ("c est de la m3rde", [("obscenity", "leetspeak")]),
        ("p u t a i n", [("obscenity", "spaced letters")]),
        ("merdeeee", [("obscenity", "repeated letters")]),
        ("conn*rd", [("obscenity", "masked letters")]),
    ],
)
def test_language_prohibited_french(text: str, expected: list) -> None:
    assert categories(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Bravo à tous les élèves pour le concert de ce soir, quelle belle soirée!",
        "Merci beaucoup pour cette belle journée au musée",
        "La réunion des parents aura lieu jeudi à 19 h au gymnase",
        "Il s'en fout un peu, mais c'est correct",
        "On a tué le temps en attendant l'autobus",
        "Je vais te rappeler demain pour la sortie",
        "Les cours de français commencent lundi",
    ],
)
def test_language_prohibited_french_negatives(text: str) -> None:
    assert categories(text) == []


def test_french_lists_read_only_french_items() -> None:
    """'con' is an insult in French, a word elsewhere ('pros and cons', Spanish 'con')."""
    assert categories("quel con", lang="fr") == [("harassment", "")]
    assert categories("café con leche", lang="es") == []
    assert categories("quel con", lang="en") == []


def test_french_item_still_read_with_english_lists() -> None:
    assert categories("c'est fucking nul", lang="fr") == [("obscenity", "")]


def test_language_identified_when_not_given() -> None:
    text = "Ferme ta gueule, espèce d'imbécile, personne ne veut te voir ici"
    assert categories(text, lang=None) == categories(text, lang="fr") != []


def test_french_findings_say_their_language_and_never_quote() -> None:
    item = TextItem(id="c1", text="va chier", kind="comment", language="fr")
    (found,) = LANGUAGE.detect([item], Context(now=NOW))
    assert found.details["language"] == "fr"
    assert "chier" not in found.explanation


def test_bundled_and_district_lexicons_load_language_folders(tmp_path: Path) -> None:
    assert "fr" in bundled_lexicon().languages
    for path in bundled_lexicon().files:
        (tmp_path / f"{path}.txt").write_text("")
    (tmp_path / "es").mkdir()
    (tmp_path / "es" / "obscenity.txt").write_text("mierda\n")
    (tmp_path / ".git").mkdir()  # hidden folders are not word lists
    lexicon = load_lexicon(tmp_path)
    assert set(lexicon.languages) == {"es"}
    assert lexicon.languages["es"]["obscenity"] == ("mierda",)


def _district(tmp_path: Path) -> Path:
    for name in bundled_lexicon().files:
        (tmp_path / f"{name}.txt").write_text("")
    return tmp_path


@pytest.mark.parametrize(
    ("folder", "files", "says"),
    [
        ("notes", {"obscenity.txt": "x\n"}, "'notes' is not a language code"),
        ("punjabi", {"obscenity.txt": "x\n"}, "For Punjabi, name it 'pa'"),
        ("xx", {"obscenity.txt": "x\n"}, "ISO 639-1 code"),
        ("en", {"obscenity.txt": "x\n"}, "files at the top of the folder"),
        ("pa", {"obscenities.txt": "x\n"}, "obscenities.txt is not a word-list file"),
        ("pa", {}, "holds no word-list file"),
    ],
)
def test_district_language_folder_that_cannot_be_read_says_how_to_fix_it(
    tmp_path: Path, folder: str, files: dict[str, str], says: str
) -> None:
    _district(tmp_path)
    (tmp_path / folder).mkdir()
    for name, text in files.items():
        (tmp_path / folder / name).write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError) as raised:
        load_lexicon(tmp_path)
    message = str(raised.value)
    assert says in message
    assert str(tmp_path / folder) in message  # names the folder


PUNJABI_INSULT = "ਤੂੰ ਬਹੁਤ ਮੂਰਖ ਹੈਂ"  # "you are very foolish"
PUNJABI_THANKS = "ਸਕੂਲ ਦਾ ਪ੍ਰੋਗਰਾਮ ਬਹੁਤ ਵਧੀਆ ਸੀ, ਧੰਨਵਾਦ"


def test_district_word_list_in_another_script_is_found_as_written(tmp_path: Path) -> None:
    _district(tmp_path)
    (tmp_path / "pa").mkdir()
    (tmp_path / "pa" / "harassment.txt").write_text(
        "# ਮੂਰਖ: foolish\nਮੂਰਖ\n! ਮੂਰਖ ਦਿਵਸ\nbakwas\n", encoding="utf-8"
    )
    detector = LanguageDetector(lexicon=load_lexicon(tmp_path), model=False)

    def found(text: str) -> list[str]:
        item = TextItem(id="c1", text=text, kind="comment")  # identified: Punjabi
        return [text[f.start : f.end] for f in detector.detect([item], Context(now=NOW))]

    assert found(PUNJABI_INSULT) == ["ਮੂਰਖ"]
    assert found(PUNJABI_INSULT.replace("ਮੂਰਖ", "ਮੂ\u200bਰਖ")) == ["ਮੂ\u200bਰਖ"]  # zero-width
    assert found(PUNJABI_THANKS) == []
    assert found("ਅੱਜ ਮੂਰਖ ਦਿਵਸ ਹੈ") == []  # "!" line: an exception, as in the Latin lists
    assert found("ਮੂਰਖਾਂ ਵਾਂਗ") == []  # whole words only
    assert found("ਇਹ ਸਭ bakwas ਹੈ ਜੀ ਬਿਲਕੁਲ") == ["bakwas"]  # Latin lines: the usual reading
    assert detectors.covered_languages(str(tmp_path)) == {"en", "fr", "pa"}
    assert covered("pa", detectors.covered_languages(str(tmp_path)))
    assert not covered("pa")


def test_district_language_folder_is_read_for_that_language(tmp_path: Path) -> None:
    for name in bundled_lexicon().files:
        (tmp_path / f"{name}.txt").write_text("")
    (tmp_path / "fr").mkdir()
    (tmp_path / "fr" / "harassment.txt").write_text("gros nul\n")
    detector = LanguageDetector(lexicon=load_lexicon(tmp_path), model=False)
    assert categories("quel gros nul", detector) == [("harassment", "")]
    assert categories("quel gros nul", detector, lang="en") == []


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        (
            "Bonjour, je suis journaliste à La Presse et je prépare un reportage sur la "
            "fermeture de l'école. Pourriez-vous commenter avant 15 h?",
            True,
        ),
        (
            "Bonjour, serait-il possible de parler avec la directrice? Je suis recherchiste pour "
            "Radio-Canada.",
            True,
        ),
        ("Bravo pour le journal étudiant, belle entrevue avec la directrice!", False),
        ("J'ai lu l'article de La Presse sur le concert, bravo aux élèves!", False),
    ],
)
def test_media_inquiry_french(text: str, flagged: bool) -> None:
    item = TextItem(id="c1", text=text, kind="comment")
    assert bool(list(MediaInquiryDetector().detect([item], Context(now=NOW)))) is flagged


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Félicitations à Emma Schmidt pour son prix en sciences!", "Emma Schmidt"),
        ("¡Felicidades a Emma Schmidt por su premio de ciencias!", "Emma Schmidt"),
        ("Binabati namin si Emma Schmidt sa kanyang parangal sa agham!", "Emma Schmidt"),
        ("ਵਧਾਈਆਂ Emma Schmidt ਨੂੰ ਵਿਗਿਆਨ ਇਨਾਮ ਲਈ", "Emma Schmidt"),
        ("恭喜 Emma Schmidt 获得科学奖！", "Emma Schmidt"),
        ("Bravo à Noah Tremblay, élève de 3e année, pour sa médaille", "Noah Tremblay"),
    ],
)
def test_student_names_are_found_in_every_language(text: str, expected: str) -> None:
    # critical where the language's school words are known (English, French), else high
    found = [(span, severity) for span, severity, _ in pii_found(text)]
    assert len(found) == 1 and found[0][0] == expected and found[0][1] in ("critical", "high")


def test_student_first_name_with_french_school_context() -> None:
    # a first name alone is never more than medium (issue 11)
    assert [(s, sev) for s, sev, _ in pii_found("Bravo à Emma pour son prix en classe")] == [
        ("Emma", "medium")
    ]


def test_student_name_against_chinese_characters_without_spaces() -> None:
    assert [s for s, _, _ in pii_found("祝贺Emma Schmidt获得科学奖")] == ["Emma Schmidt"]
