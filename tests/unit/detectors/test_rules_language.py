"""language.prohibited: obscene, harassing, discriminatory, threatening and defamatory
language, and confidential information, in posts and comments.

Given a text, When the language detector runs, Then it reports each category at the span
of the original text that shows it, however the word was disguised; the negatives are
ordinary school-page text that contains look-alike words. Slurs are ROT13-encoded here, as
in the bundled list, so this file prints none.
"""

from __future__ import annotations

import codecs
import shutil
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest

from detectors.base import Context, Finding, ImageItem, TextItem
from detectors.language import (
    CATEGORIES,
    LanguageDetector,
    bundled_lexicon,
    load_lexicon,
)
from detectors.phrases import PhraseBook

RULE = "language.prohibited"
NOW = datetime(2024, 5, 14, 15, 30, tzinfo=UTC)
CONTEXT = Context(now=NOW)


def rot13(text: str) -> str:
    return codecs.decode(text, "rot13")


@pytest.fixture(scope="module")
def lexicon_only() -> LanguageDetector:
    return LanguageDetector(model=False)


@pytest.fixture(scope="module")
def with_model() -> LanguageDetector:
    return LanguageDetector()


def scan(detector: LanguageDetector, text: str, kind: str = "comment") -> list[Finding]:
    return list(detector.detect([TextItem(id="c-1", text=text, kind=kind)], CONTEXT))  # type: ignore[arg-type]


def spans(findings: list[Finding], text: str) -> set[tuple[str, str]]:
    return {(f.details["category"], text[f.start : f.end]) for f in findings}


def case_id(value: object) -> str:
    return f"{RULE}-{value!r}"[:70]


POSITIVES = [
    # obscenity
    ("This is bullshit", "obscenity", "bullshit"),
    ("What the fuck is this", "obscenity", "fuck"),
    ("Kiss my ass", "obscenity", "ass"),
    ("that guy is an asshole", "obscenity", "asshole"),
    ("Shit happens.", "obscenity", "Shit"),
    ("STFU already", "obscenity", "STFU"),
    ("Son of a bitch!", "obscenity", "Son of a bitch"),
    ("he is such a prick", "obscenity", "prick"),
    ("shut up you dumb hoe", "obscenity", "hoe"),
    ("what a load of bollocks", "obscenity", "bollocks"),
    ("this fucken app again", "obscenity", "fucken"),
    ("total asshat move", "obscenity", "asshat"),
    # harassment
    ("You are such an idiot", "harassment", "idiot"),
    ("What a loser", "harassment", "loser"),
    ("you're so stupid", "harassment", "you're so stupid"),
    ("Nobody likes you, just leave", "harassment", "Nobody likes you"),
    ("useless teacher, as always", "harassment", "useless teacher"),
    ("you are a waste of space", "harassment", "waste of space"),
    ("Go to hell", "harassment", "Go to hell"),
    ("Shut the f up", "harassment", "Shut the f up"),
    ("Mr. Lopez is a useless clown who can't teach.", "harassment", "Mr. Lopez is a useless clown"),
    ("The principal is a joke", "harassment", "The principal is a joke"),
    ("Coach Dan is so incompetent", "harassment", "Coach Dan is so incompetent"),
    ("typical libtards", "harassment", "libtards"),
    ("ok numbnuts", "harassment", "numbnuts"),
    # discrimination / hate
    (f"that kid is a {rot13('snttbg')}", "hate", rot13("snttbg")),
    (f"{rot13('ergneqf')}, all of them", "hate", rot13("ergneqf")),
    ("Immigrants should be deported", "hate", "Immigrants should be deported"),
    ("go back to your own country", "hate", "go back to your own country"),
    ("Muslims are terrorists", "hate", "Muslims are terrorists"),
    ("heil hitler", "hate", "heil hitler"),
    # threats
    ("I know where you live", "threats", "I know where you live"),
    ("I know where you park.", "threats", "I know where you park"),
    ("Watch your back.", "threats", "Watch your back"),
    ("You'll regret this", "threats", "You'll regret this"),
    ("I'm going to kill you", "threats", "kill you"),
    ("I will shoot him", "threats", "shoot him"),
    ("gonna stab her after class", "threats", "stab her"),
    ("I'm going to hurt you", "threats", "I'm going to hurt you"),
    ("Someone should bring a gun to school", "threats", "bring a gun to school"),
    ("I'm going to bomb the school", "threats", "bomb the school"),
    ("This school won't be safe tomorrow", "threats", "This school won't be safe"),
    ("kys loser", "threats", "kys"),
    ("go kill yourself", "threats", "kill yourself"),
    ("I hope you die", "threats", "hope you die"),
    # defamation
    ("Mr. Smith is a thief", "defamation", "Mr. Smith is a thief"),
    ("Mrs Jones stole from the PAC fund", "defamation", "Mrs Jones stole from"),
    ("The principal should be fired for this", "defamation", "The principal should be fired"),
    ("Jane Doe is a pedophile", "defamation", "Doe is a pedophile"),
    ("Coach Brown is a drunk", "defamation", "Coach Brown is a drunk"),
    ("honestly he is a liar", "defamation", "he is a liar"),
    # confidential information
    ("CONFIDENTIAL: staff only", "confidential", "CONFIDENTIAL"),
    ("Private and confidential - thanks", "confidential", "Private and confidential"),
    ("Tom's IEP meeting is Tuesday", "confidential", "IEP"),
    ("Her report card shows she is failing math", "confidential", "Her report card"),
    ("He was suspended for fighting", "confidential", "He was suspended"),
    ("The custody order says dad cannot pick her up", "confidential", "custody order"),
    ("She was diagnosed with ADHD last year", "confidential", "diagnosed with"),
    ("Please do not share this with parents", "confidential", "do not share this"),
]


@pytest.mark.parametrize(("text", "category", "span"), POSITIVES, ids=case_id)
def test_language_prohibited_finds_each_category(
    lexicon_only: LanguageDetector, text: str, category: str, span: str
) -> None:
    assert (category, span) in spans(scan(lexicon_only, text), text)


OBFUSCATED = [
    # leetspeak
    ("what a pile of sh1t", "obscenity", "sh1t"),
    ("5h1t", "obscenity", "5h1t"),
    ("$hit show", "obscenity", "$hit"),
    ("you a55hole", "obscenity", "a55hole"),
    ("you 1d10t", "harassment", "1d10t"),
    ("sh!t!", "obscenity", "sh!t"),
    ("you b1tch", "obscenity", "b1tch"),
    ("I will ki11 you", "threats", "ki11 you"),
    # spaced letters
    ("f u c k this", "obscenity", "f u c k"),
    ("f.u.c.k this", "obscenity", "f.u.c.k"),
    ("what the f-u-c-k", "obscenity", "f-u-c-k"),
    ("S H I T", "obscenity", "S H I T"),
    # repeated letters
    ("fuuuuck", "obscenity", "fuuuuck"),
    ("shiiiiit", "obscenity", "shiiiiit"),
    ("stuuupid teacher", "harassment", "stuuupid teacher"),
    ("you idiooooot", "harassment", "idiooooot"),
    ("assssssss", "obscenity", "assssssss"),
    # masked letters
    ("what the f***", "obscenity", "f***"),
    ("f*ck this", "obscenity", "f*ck"),
    ("sh*t happens", "obscenity", "sh*t"),
    ("you a**hole", "obscenity", "a**hole"),
    ("dumb b*tch", "obscenity", "b*tch"),
    ("f***ing hell", "obscenity", "f***ing"),
    # homoglyphs (Cyrillic, Greek) and compatibility forms
    ("ѕhіt", "obscenity", "ѕhіt"),
    ("fυck off", "obscenity", "fυck"),
    ("you іdіot", "harassment", "іdіot"),
    ("ｆｕｃｋ", "obscenity", "ｆｕｃｋ"),
    ("fück", "obscenity", "fück"),
    # zero-width and bidi characters
    ("what the f\u200buck", "obscenity", "f\u200buck"),
    ("sh\u200di\u200bt", "obscenity", "sh\u200di\u200bt"),
    ("you id\u2060iot", "harassment", "id\u2060iot"),
    ("f\u202euck", "obscenity", "f\u202euck"),
    # combined
    ("Ѕ-Н-1-Т", "obscenity", "Ѕ-Н-1-Т"),
    ("f\u200bu\u200bu\u200bu\u200buck", "obscenity", "f\u200bu\u200bu\u200bu\u200buck"),
]


@pytest.mark.parametrize(("text", "category", "span"), OBFUSCATED, ids=case_id)
def test_language_prohibited_sees_through_obfuscation(
    lexicon_only: LanguageDetector, text: str, category: str, span: str
) -> None:
    found = scan(lexicon_only, text)
    assert (category, span) in spans(found, text)
    match = next(f for f in found if text[f.start : f.end] == span)
    assert match.details.get("obfuscation")


NEGATIVES = [
    # words inside words, names, places
    "Scunthorpe United won on Saturday",
    "We studied classic literature this term",
    "Teachers assess student work every week",
    "Back-to-school sale at Dick's Sporting Goods",
    "We read Moby Dick in English class",
    "Mr. Dickson's class won the spelling bee",
    "The pussy willows are blooming by the gym",
    "Grass, bass guitar, passion, embarrassing, Essex, assignment, assassin",
    "Please bring documentation and a title page",
    "Spic and span classrooms after the cleanup!",
    "shiitake mushrooms in the cooking class",
    "a cocktail of colours in the art room",
    "Ass. Principal Jones will lead the assembly",
    # figures of speech that are not threats
    "We killed it at the concert!",
    "The kids shot some hoops at lunch",
    "What a killer performance by the jazz band",
    "The bomb-proof schedule is posted in the office",
    "That dessert was the bomb",
    "I'll shoot you an email tonight",
    "Kill them with kindness, kids!",
    "This homework is killing me",
    "You'll regret missing the concert",
    "The ice won't be safe to skate on yet",
    "Our fire drill keeps everyone safe",
    "Bring a knife and fork to the potluck",
    "Watch your step on the icy stairs",
    "The drama club will shoot the video on Friday",
    "Let's beat Sardis on Friday!",
    # words that are also obscene, in their innocent senses
    "She graduated summa cum laude from UBC",
    "Cum laude society members meet on Monday",
    "The garden hoe is back in the shed",
    "Prick your finger gently for the blood-type lab",
    # insults and accusations need a person
    "This is a joke, right?",
    "a terrible failure of the printer",
    "The fat pig won first prize at the fall fair",
    "This is a fraud alert from the bank",
    "What a lazy Sunday",
    # defamation and confidentiality look-alikes
    "the villain is a thief in this story",
    "Our teacher is a star",
    "She is a great coach",
    "Report cards go home on Friday",
    "Confidential counselling is available to all students",
    "All survey responses are kept confidential",
    "Classes were suspended due to snow",
    "The medical staff at the clinic were great",
    # numbers, punctuation and emphasis
    "Room 455 is open after lunch",
    "See you at 3pm on the 4th, class of 2024",
    "Great job!!! Sooo proud, yessss 🎉🎉",
    "Grades are A B C D and F",
    "Q & A session at 7",
    "A well-known author visits on the 5th",
    "Use snake_case for variable names",
    "We are the #1 team, 50% off tickets",
    "Thanks for sharing, looking forward to it ❤️",
    "",
]


@pytest.mark.parametrize("text", NEGATIVES, ids=case_id)
def test_language_prohibited_ignores_ordinary_text(
    lexicon_only: LanguageDetector, text: str
) -> None:
    assert scan(lexicon_only, text) == []


@pytest.mark.parametrize(
    ("category", "severity"),
    [(name, category.severity) for name, category in CATEGORIES.items()],
    ids=case_id,
)
def test_language_prohibited_severity_per_category(category: str, severity: str) -> None:
    expected = "critical" if category == "threats" else "high"
    assert severity == expected


def test_language_prohibited_finding_fields(lexicon_only: LanguageDetector) -> None:
    text = "you are an idiot and I know where you live"
    found = list(lexicon_only.detect([TextItem(id="c-9", text=text, kind="comment")], CONTEXT))
    assert len(found) == 2
    for finding in found:
        assert finding.rule == RULE
        assert finding.detector == "language" and finding.version == "2"
        assert finding.key == "c-9" and finding.subject == "c-9"
        assert 0.0 <= finding.score <= 1.0
        assert finding.excerpt == ""
        assert finding.details["label"]
        assert "idiot" not in finding.explanation and "live" not in finding.explanation
        assert finding.explanation.count(".") == 1 and finding.explanation.endswith(".")
    threat = next(f for f in found if f.details["category"] == "threats")
    assert threat.severity == "critical"
    assert threat.clause.startswith("Procedure 417")


def test_language_prohibited_scans_posts_profiles_and_skips_images(
    lexicon_only: LanguageDetector,
) -> None:
    items: list[TextItem | ImageItem] = [
        TextItem(id="p-1", text="what the fuck", kind="post"),
        TextItem(id="pr-1", text="what the fuck", kind="profile"),
        ImageItem(id="i-1", post_id="p-1", data=b"", alt_text="what the fuck"),
        TextItem(id="c-1", text="", kind="comment"),
    ]
    found = list(lexicon_only.detect(items, CONTEXT))
    assert sorted(f.subject for f in found) == ["p-1", "pr-1"]
    assert "profile text" in next(f for f in found if f.subject == "pr-1").explanation


def test_language_prohibited_batch_keeps_items_apart(lexicon_only: LanguageDetector) -> None:
    texts = ["good morning", "you idiot", "lovely", "f***", "watch your back"]
    items = [TextItem(id=f"c-{i}", text=t, kind="comment") for i, t in enumerate(texts)]
    found = list(lexicon_only.detect(items, CONTEXT))
    assert [(f.subject, texts[int(f.subject[2:])][f.start : f.end]) for f in found] == [
        ("c-1", "idiot"),
        ("c-3", "f***"),
        ("c-4", "watch your back"),
    ]


def test_language_prohibited_long_text_is_bounded(lexicon_only: LanguageDetector) -> None:
    text = "lovely day " * 5000 + "you idiot"
    assert scan(lexicon_only, text) == []  # past the first 20,000 characters
    assert spans(scan(lexicon_only, "you idiot " + text), "you idiot " + text) == {
        ("harassment", "idiot")
    }


# --- district lexicon ----------------------------------------------------------------------


@pytest.fixture
def district_dir(tmp_path: Path) -> Path:
    bundled = resources.files("detectors").joinpath("data", "lexicon")
    for name in CATEGORIES:
        source = bundled.joinpath(f"{name}.txt").read_text(encoding="utf-8")
        (tmp_path / f"{name}.txt").write_text(source, encoding="utf-8")
    harassment = (tmp_path / "harassment.txt").read_text(encoding="utf-8")
    harassment = harassment.replace("\nidiot\n", "\n") + "\nnincompoop\n"
    (tmp_path / "harassment.txt").write_text(harassment, encoding="utf-8")
    with (tmp_path / "obscenity.txt").open("a", encoding="utf-8") as out:
        out.write("\nfrobnicate\nrot13: jvqtrg\n")
    return tmp_path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("you nincompoop", {("harassment", "nincompoop")}),
        ("what a frobnicate", {("obscenity", "frobnicate")}),
        ("what a fr0bn1cate", {("obscenity", "fr0bn1cate")}),
        ("a widget", {("obscenity", "widget")}),  # rot13 entry in the district copy
        ("you idiot", set()),  # removed from the district copy
        ("you moron", {("harassment", "moron")}),  # still there
    ],
    ids=case_id,
)
def test_language_prohibited_district_lexicon_replaces_bundled(
    district_dir: Path, text: str, expected: set[tuple[str, str]]
) -> None:
    detector = LanguageDetector(lexicon=load_lexicon(district_dir), model=False)
    assert spans(scan(detector, text), text) == expected


def test_language_prohibited_district_lexicon_needs_every_file(district_dir: Path) -> None:
    (district_dir / "hate.txt").unlink()
    with pytest.raises(FileNotFoundError):
        load_lexicon(str(district_dir))


def test_language_prohibited_bundled_lexicon_is_readable() -> None:
    lexicon = bundled_lexicon()
    assert set(lexicon.files) == set(CATEGORIES)
    assert all(line == line.strip() for lines in lexicon.files.values() for line in lines)
    assert not any(
        line.lower().startswith("rot13:") for lines in lexicon.files.values() for line in lines
    )
    PhraseBook(lexicon.files)  # every line compiles


def test_language_prohibited_bundled_lexicon_copies_cleanly(tmp_path: Path) -> None:
    bundled = resources.files("detectors").joinpath("data", "lexicon")
    with resources.as_file(bundled) as folder:
        shutil.copytree(folder, tmp_path / "copy")
    assert load_lexicon(tmp_path / "copy") == bundled_lexicon()


# --- the project's own model (detectors/toxicity.py) ----------------------------------------
#
# Examples written here, none taken from any data set: what the word lists missed on real
# text (implicit insults, targeted harassment, hate without slurs), and benign school-page
# text that must stay clean (sports banter, "killed it", praise).

CLEAN = (
    "The students worked hard all term on their science fair projects and the results were "
    "fantastic; thanks to every parent who volunteered their time at the judging tables, and "
    "see you all at the spring concert on Thursday at 6:30 in the gym!"
)

MODEL_CATCHES = [
    # implicit insults
    "you ignorant hypocrite",
    "this teacher is a pathetic, ignorant fool",
    "She is a lazy teacher and a liar",
    # targeted harassment
    "shut your mouth you ignorant fool",
    # hate without slurs
    "Women should not be allowed to teach",
    "Those people are animals and they do not belong in our schools",
    "Immigrants are ruining this country, send them all back",
    "what a clown show this principal runs, absolute garbage",
    # not plain ASCII: the model reads the plain words itself
    "Sérieusement, you ignorant hypocrite",
    "you_ignorant hypocrite",
]

# Known misses: the model scores these below the threshold chosen to keep false alerts at
# a district's size low (docs/detection-language.md). Strict: a fix must move them above.
KNOWN_MISSES = [
    "girls are too emotional to lead anything",
    "go back to where you came from",
    "Nobody at this school can stand you",
]

MUST_STAY_CLEAN = [
    CLEAN,
    "Lovely photos from sports day, thank you 😊",
    "Great game tonight, our boys killed it!",
    "The choir absolutely killed it at the spring concert 🎶",
    "Our defence crushed them in the second half, what a win for the Hawks",
    "We got destroyed lol, we'll get them next time",
    "So proud of our students at the science fair",
    "Congrats to the girls basketball team on the regional title",
    "Welcome to our new families from around the world!",
    "Our Muslim and Jewish students led the interfaith assembly today",
    "Immigrant parents: free English classes start Monday in the library",
    "The bake sale starts at 3pm in the gym",
    "Reminder: picture day is Tuesday, smiles ready!",
]


@pytest.mark.parametrize("text", MODEL_CATCHES, ids=case_id)
def test_language_prohibited_model_catches_unlisted_abuse(
    with_model: LanguageDetector, lexicon_only: LanguageDetector, text: str
) -> None:
    assert scan(lexicon_only, text) == []  # no word list catches these
    found = scan(with_model, text)
    assert [f.details["source"] for f in found] == ["model"]
    finding = found[0]
    assert (finding.start, finding.end) == (0, len(text))
    assert finding.severity == "high"  # never critical: a model alone does not say "threat"
    assert finding.details == {"category": "model", "label": "abusive language", "source": "model"}
    assert "language model" in finding.explanation
    assert with_model.model is not None and finding.score >= with_model.model.threshold


@pytest.mark.xfail(strict=True, reason="known miss: below the model's threshold")
@pytest.mark.parametrize("text", KNOWN_MISSES, ids=case_id)
def test_language_prohibited_known_misses(with_model: LanguageDetector, text: str) -> None:
    assert scan(with_model, text)


@pytest.mark.parametrize("text", MUST_STAY_CLEAN, ids=case_id)
def test_language_prohibited_benign_school_text_stays_clean(
    with_model: LanguageDetector, text: str
) -> None:
    assert scan(with_model, text) == []


def test_language_prohibited_threats_stay_critical_with_the_model(
    with_model: LanguageDetector,
) -> None:
    found = scan(with_model, "I know where you live and I will hurt you")
    assert found and {f.severity for f in found} == {"critical"}
    assert {f.details["source"] for f in found} == {"lexicon"}


def test_language_prohibited_model_is_silent_when_the_lexicon_matched(
    with_model: LanguageDetector,
) -> None:
    text = "you ignorant hypocrite, you idiot"
    assert [f.details["source"] for f in scan(with_model, text)] == ["lexicon"]


@pytest.mark.parametrize(
    "text",
    [
        CLEAN,
        "you ignorant hypocrite",
        "It's 3pm; the kids' 4th-grade play was great!! 👏👏",
        "don't you dare, fool fool fool",
        "",
    ],
    ids=case_id,
)
def test_language_prohibited_model_scores_from_the_scan_equal_its_own_reading(
    with_model: LanguageDetector, text: str
) -> None:
    model = with_model.model
    assert model is not None
    columns = with_model._book.scan(text).columns
    assert columns is not None
    assert model.score_columns([columns]) == pytest.approx(model.score([text]), abs=1e-12)


def _training_score(payload: dict, text: str) -> float:
    """The logistic regression exactly as benchmarks/train_language_model.py builds its
    features, written out again from the artefact: the unit-length bag counts only bag
    words, the mean counts only words with a vector (repeats included), and the length
    terms read the number of distinct bag words."""
    import math

    from detectors.folding import prepare

    words = payload["words"]
    tokens = [w for w in prepare(text).plain.text.split() if w in words]
    bag = {w for w in tokens if words[w][3]}
    z = payload["intercept"]
    inverse_root, log_length, no_bag_word = payload["length"]
    if bag:
        z += sum(words[w][0] for w in bag) / math.sqrt(len(bag))
        z += inverse_root / math.sqrt(len(bag)) + log_length * math.log1p(len(bag)) / 3
    else:
        z += inverse_root + no_bag_word
    vectored = [w for w in tokens if words[w][2]]
    if vectored:
        z += sum(words[w][1] for w in vectored) / len(vectored)
    return 1 / (1 + math.exp(-z))


def _vector_only_words(payload: dict, count: int) -> list[str]:
    """Words that have a vector but are not bag words (rare in training)."""
    return [w for w, v in sorted(payload["words"].items()) if v[2] and not v[3]][:count]


def test_language_prohibited_model_scores_as_it_was_trained(
    with_model: LanguageDetector,
) -> None:
    """Train/serve parity: a word outside the bag of words (it has only a vector weight)
    must not dilute the bag's unit length. The first version did count such words, so the
    worker scored texts holding them lower than the threshold had been chosen for."""
    import gzip
    import json

    from detectors.toxicity import ARTEFACT

    raw = resources.files("detectors").joinpath("data", ARTEFACT).read_bytes()
    payload = json.loads(gzip.decompress(raw))
    rare = _vector_only_words(payload, 6)
    assert len(rare) == 6
    texts = [
        CLEAN,
        "you ignorant hypocrite",
        "you ignorant hypocrite " + " ".join(rare),
        " ".join(rare),
        "don't you dare, fool fool fool",
        "great game",
    ]
    model = with_model.model
    assert model is not None
    assert model.score(texts) == pytest.approx([_training_score(payload, t) for t in texts])


def test_language_prohibited_model_long_benign_text_is_not_abusive_for_its_length(
    with_model: LanguageDetector,
) -> None:
    assert scan(with_model, " ".join([CLEAN] * 40)) == []


def test_language_prohibited_model_scores_a_whole_batch_at_once(
    with_model: LanguageDetector,
) -> None:
    texts = [CLEAN, "you ignorant hypocrite", "great game", "Sérieusement, you ignorant hypocrite"]
    items = [TextItem(id=f"c-{i}", text=t, kind="comment") for i, t in enumerate(texts)]
    found = list(with_model.detect(items, CONTEXT))
    assert sorted(f.subject for f in found) == ["c-1", "c-3"]


def test_language_prohibited_model_threshold_can_be_set(lexicon_only: LanguageDetector) -> None:
    strict = LanguageDetector(threshold=0.99999)
    assert strict.model is not None and strict.model.threshold == 0.99999
    assert scan(strict, "you ignorant hypocrite") == []


def test_language_prohibited_finding_helper_equals_the_dataclass() -> None:
    """Detector.finding fills the instance directly (for speed): it must equal Finding(...)."""
    from detectors.base import Finding

    detector = LanguageDetector(model=False)
    made = detector.finding(RULE, "high", "why", "c1", subject="c1", start=2, end=5)
    assert made == Finding(
        rule=RULE, severity="high", explanation="why", detector=detector.name,
        version=detector.version, key="c1", subject="c1", start=2, end=5,
    )  # fmt: skip
    assert made.details == {} and made.details is not detector.finding(RULE, "high", "", "").details
    assert made.excerpt == "" and made.score == 1.0
    with pytest.raises(TypeError, match="unexpected fields"):
        detector.finding(RULE, "high", "why", "c1", colour="red")
