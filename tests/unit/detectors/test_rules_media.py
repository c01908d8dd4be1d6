"""media.inquiry: a journalist or news outlet asking the school for comment.

Given a comment, When the media detector runs, Then an inquiry (a source: a self-introduced
journalist or a named outlet, plus a request for comment, an interview or a statement) is
flagged at the source's span, and everything else is not: parents who saw the news, praise
for a story, "comment below", and students interviewing staff for a school project.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest

from detectors.base import Context, Finding, TextItem
from detectors.media import MediaInquiryDetector, bundled_media_cues, load_media_cues

RULE = "media.inquiry"
CONTEXT = Context(now=datetime(2024, 5, 14, 15, 30, tzinfo=UTC))


@pytest.fixture(scope="module")
def detector() -> MediaInquiryDetector:
    return MediaInquiryDetector()


def scan(detector: MediaInquiryDetector, text: str, kind: str = "comment") -> list[Finding]:
    item = TextItem(id="c-1", text=text, kind=kind)  # type: ignore[arg-type]
    return list(detector.detect([item], CONTEXT))


def case_id(value: object) -> str:
    return f"{RULE}-{value!r}"[:70]


INQUIRIES = [
    (
        "Hi, I'm a reporter with CTV News working on a story about the lunch program. "
        "Could someone comment by 4pm?",
        "I'm a reporter",
        "CTV News",
    ),
    (
        "Jane here from the Chilliwack Progress. We'd like to interview the principal about "
        "the fire. Please contact me at 604-555-0100.",
        "the Chilliwack Progress",
        "The Chilliwack Progress",
    ),
    (
        "I am a journalist on deadline, can someone from the district provide a statement?",
        "I am a journalist",
        None,
    ),
    (
        "Media request: Global News would like a statement from the district regarding the "
        "lockdown.",
        "Media request",
        "Global News",
    ),
    (
        "Producer at CBC Radio here, hoping to speak with the principal for tonight's "
        "broadcast. Reach me at jane@cbc.ca",
        "Producer at",
        "CBC",
    ),
    (
        "Freelance journalist writing a piece for The Tyee on portable classrooms - is anyone "
        "available to comment this week?",
        "writing a piece",
        "The Tyee",
    ),
    (
        "This is Sam Lee, Vancouver Sun. Requesting comment on the bus cancellations; my "
        "deadline is 3 pm.",
        "Vancouver Sun",
        "Vancouver Sun",
    ),
    (
        "Press inquiry: CTV Vancouver is following the water main break and would like a "
        "statement from the principal.",
        "Press inquiry",
        "CTV Vancouver",
    ),
    (
        "I'm an editor at the Times Colonist. Could you send me a statement on the closure "
        "by end of day?",
        "I'm an editor",
        "Times Colonist",
    ),
    (
        "We're putting together a segment for the evening news and would love to talk with "
        "a teacher. Call me at 604 555 0199",
        "putting together a segment",
        None,
    ),
    (
        "Hello from the Valley Herald! Any comment on the new catchment boundaries? Please "
        "email me.",
        "Valley Herald",
        "Valley Herald",
    ),
    (
        "Hi, I'm a reporter for the abbotsford news (sorry for the lowercase) - would the "
        "school be able to comment for our story? my deadline is noon.",
        "I'm a reporter",
        "Abbotsford News",
    ),
]


@pytest.mark.parametrize(("text", "span", "outlet"), INQUIRIES, ids=case_id)
def test_media_inquiry_flags_journalists_asking_for_comment(
    detector: MediaInquiryDetector, text: str, span: str, outlet: str | None
) -> None:
    found = scan(detector, text)
    assert len(found) == 1
    finding = found[0]
    assert text[finding.start : finding.end] == span
    assert finding.details["outlet"] == outlet
    assert finding.rule == RULE and finding.severity == "high"


NOT_INQUIRIES = [
    "I saw this on CBC last night, great story!",
    "Great story!",
    "Please comment below with your favourite memory",
    "Leave a comment below and tag a friend who was there!",
    "Hi Mr. Chen, I'm a grade 11 student and I'd like to interview you for my journalism "
    "class assignment.",
    "I'm a reporter for the school newspaper - can I interview the principal about the new gym?",
    "Could I interview a teacher for my school project? It's due Friday.",
    "The Province announced new funding today, what a statement!",
    "My mom is a reporter at the Vancouver Sun. Go team!",
    "CTV did a great piece on our robotics team, congrats!",
    "Watching Global News tonight, our principal was interviewed about the new gym!",
    "Thanks for the statement from the principal about the lockdown.",
    "Our kids are working on a story for the young authors contest, so exciting!",
    "Can someone call me back about the bus schedule? My number is 604 555 0100.",
    "Is the deadline for the field trip forms by 3pm Friday?",
    "",
]


@pytest.mark.parametrize("text", NOT_INQUIRIES, ids=case_id)
def test_media_inquiry_ignores_everything_else(detector: MediaInquiryDetector, text: str) -> None:
    assert scan(detector, text) == []


def test_media_inquiry_finding_fields(detector: MediaInquiryDetector) -> None:
    text = INQUIRIES[0][0]
    (finding,) = scan(detector, text)
    assert finding.detector == "media" and finding.version == "1"
    assert finding.key == "c-1" and finding.subject == "c-1"
    assert finding.excerpt == ""
    assert finding.details["label"] == "media inquiry"
    assert finding.details["cues"] == ["identify", "outlet", "request"]
    assert 0.0 <= finding.score <= 1.0
    assert "communications office" in finding.explanation
    assert finding.clause.startswith("Procedure 417, Media Inquiries")


def test_media_inquiry_scans_posts_but_not_profiles(detector: MediaInquiryDetector) -> None:
    text = INQUIRIES[2][0]
    assert len(scan(detector, text, kind="post")) == 1
    assert scan(detector, text, kind="profile") == []


def test_media_inquiry_batch(detector: MediaInquiryDetector) -> None:
    texts = ["Great story!", INQUIRIES[0][0], "comment below", INQUIRIES[3][0]]
    items = [TextItem(id=f"c-{i}", text=t, kind="comment") for i, t in enumerate(texts)]
    assert [f.subject for f in detector.detect(items, CONTEXT)] == ["c-1", "c-3"]


@pytest.fixture
def district_files(tmp_path: Path) -> tuple[Path, Path]:
    data = resources.files("detectors").joinpath("data")
    outlets = tmp_path / "outlets.txt"
    outlets.write_text("# ours\nGrizzly Gazette Weekly\n", encoding="utf-8")
    cues = tmp_path / "cues.txt"
    cues.write_text(data.joinpath("media_cues.txt").read_text(encoding="utf-8"), encoding="utf-8")
    return outlets, cues


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Grizzly Gazette Weekly here: any comment on the closure?", True),
        ("CTV News here: any comment on the closure?", False),  # not in the district list
        ("I'm a reporter. Any comment on the closure?", True),
    ],
    ids=case_id,
)
def test_media_inquiry_district_cues_replace_bundled(
    district_files: tuple[Path, Path], text: str, flagged: bool
) -> None:
    detector = MediaInquiryDetector(load_media_cues(*district_files))
    assert bool(scan(detector, text)) is flagged


def test_media_inquiry_unknown_section_is_an_error(tmp_path: Path) -> None:
    cues = tmp_path / "cues.txt"
    cues.write_text("[identify]\nreporter\n[typo]\nx\n", encoding="utf-8")
    outlets = tmp_path / "outlets.txt"
    outlets.write_text("CBC\n", encoding="utf-8")
    with pytest.raises(ValueError, match="typo"):
        load_media_cues(str(outlets), str(cues))


def test_media_inquiry_bundled_cues_have_every_section() -> None:
    cues = bundled_media_cues()
    assert "CBC" in cues.outlets and "Chilliwack Progress" in cues.outlets
    assert all(cues.sections[name] for name in ("identify", "request", "exclude"))
