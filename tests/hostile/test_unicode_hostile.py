"""Unicode tricks: invisible and bidi characters and lookalike letters neither hide what the
detectors look for, nor reorder or spoof what alerts, digests and chat messages show.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import detectors
from detectors.roster import RosterIndex
from monitor.notify.channels import SlackNotifier, TeamsNotifier, clean
from monitor.notify.render import display_text, email, header_text, render

NOW = datetime(2026, 9, 14, 15, tzinfo=UTC)
KEY = b"unicode-test-key"
ROSTER = RosterIndex.from_rows(
    KEY,
    [{"student_number": "204518", "legal_first_name": "Emma", "legal_last_name": "Schmidt"}],
)
INVISIBLE = (
    "\u200b\u200c\u200d\u2060\ufeff"  # zero width space / non-joiner / joiner, word joiner, BOM
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # bidi isolates
    "\u200e\u200f\u061c\u00ad"  # marks, soft hyphen
)
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
LOOKALIKE = {
    "a": "а",
    "c": "с",
    "e": "е",
    "i": "і",
    "o": "о",
    "p": "р",
    "s": "ѕ",
    "x": "х",
    "y": "у",
    "E": "Е",
    "S": "Ѕ",
    "M": "М",
    "T": "Т",
    "H": "Н",
}
CASES = [
    ("you are a stupid idiot", "language.prohibited"),
    ("I will shoot you tomorrow", "language.prohibited"),
    ("Great job today Emma Schmidt!", "pii.student"),
    ("I'm a reporter with CTV News, can the principal comment?", "media.inquiry"),
]


def rules(text: str) -> set[str]:
    item = detectors.TextItem(id="c1", text=text, kind="comment")
    return {f.rule for f in detectors.run([item], detectors.Context(now=NOW, roster=ROSTER))}


@st.composite
def disguised(draw: st.DrawFn, text: str) -> str:
    """``text`` with invisible characters slipped in and some letters swapped for lookalikes."""
    chars = list(text)
    for index in sorted(
        draw(st.lists(st.integers(0, len(chars) - 1), max_size=6, unique=True)), reverse=True
    ):
        if chars[index] in LOOKALIKE and draw(st.booleans()):
            chars[index] = LOOKALIKE[chars[index]]
        else:
            chars.insert(index, draw(st.sampled_from(INVISIBLE)))
    return "".join(chars)


@pytest.mark.parametrize(("text", "rule"), CASES)
def test_plain_cases_are_found(text, rule):
    assert rule in rules(text)


@pytest.mark.parametrize(("text", "rule"), CASES)
@settings(max_examples=60)
@given(data=st.data())
def test_invisible_characters_and_lookalikes_hide_nothing(text, rule, data):
    assert rule in rules(data.draw(disguised(text)))


@pytest.mark.parametrize(("text", "rule"), CASES)
def test_every_invisible_character_between_every_letter_hides_nothing(text, rule):
    for char in INVISIBLE:
        assert rule in rules(char.join(text)), repr(char)


def test_a_right_to_left_override_does_not_hide_a_name_written_in_logical_order():
    assert "pii.student" in rules("Well done \u202eEmma Schmidt\u202c!")
    assert "pii.student" in rules("Well done \u2067Emma\u2069 \u2066Schmidt\u2069!")


# --- what people see: no control that reorders or hides text survives -------------------------

SPOOF = "Invoice \u202etxt.exe\u202c from \u2066Principal\u2069 zero\u200bwidth\ufeff\u2060"


def test_display_text_strips_bidi_controls_and_invisible_characters():
    shown = display_text(SPOOF)
    assert not set(shown) & set(INVISIBLE.replace("\u200d", ""))
    assert shown == "Invoice txt.exe from Principal zerowidth"


def test_display_text_keeps_emoji_sequences_and_real_right_to_left_text():
    family, hebrew = "\U0001f468\u200d\U0001f469\u200d\U0001f467", "שלום עולם"
    assert display_text(f"{family} {hebrew}") == f"{family} {hebrew}"


def test_headers_carry_no_bidi_controls_or_invisible_characters():
    assert header_text(SPOOF) == "Invoice txt.exe from Principal zerowidth"
    message = email("a@fvsd.example.ca", "b@fvsd.example.ca", SPOOF, "t", "<p>h</p>", "id-1")
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert not set(str(parsed["Subject"])) & set(BIDI_CONTROLS)


def test_rendered_html_and_text_carry_no_bidi_controls():
    text, html = render("alert", **_alert_context(SPOOF))
    for body in (text, html):
        assert not set(body) & set(BIDI_CONTROLS)
        assert "\ufeff" not in body and "\u200b" not in body
    assert "Invoice txt.exe from Principal" in html


def test_chat_messages_carry_no_bidi_controls():
    assert clean(SPOOF) == display_text(SPOOF)
    message = EmailMessage()
    message["Subject"] = "Alert"
    message.set_content(SPOOF)
    for notifier in (SlackNotifier, TeamsNotifier):
        payload = str(notifier("https://hooks.example/T0/B0/x").payload(message))
        assert not set(payload) & set(BIDI_CONTROLS), notifier.__name__
        assert "txt.exe" in payload


def _alert_context(excerpt: str) -> dict:
    from types import SimpleNamespace

    org = SimpleNamespace(name="Riverside Elementary")
    account = SimpleNamespace(
        handle="@riv\u202e", platform="youtube", org_unit=org, owner_name="", owner_email=""
    )
    flag = SimpleNamespace(
        id=1,
        severity="high",
        rule_id="language.prohibited",
        explanation="A comment uses prohibited language.",
        excerpt=excerpt,
        subject_url="https://youtube.example/watch?v=1\u202e",
        clause="Procedure 417",
        first_seen_at=NOW,
        detector="language",
        detector_version="1",
    )
    links = [SimpleNamespace(label="Mark comment c1\u202e reviewed", url="https://hw.example/a/x")]
    return {
        "flag": flag,
        "account": account,
        "action": "Hide it.",
        "ack_command": "hallwatch",
        "links": links,
        # A sign of self-harm's counsellor lines print registry text too.
        "care": {
            "counsellor": "counsellor\u202e@fvsd.example.ca",
            "whose": "the counsellor contact of Riverside\u202e",
            "is_you": "",
            "unit": "Riverside\u202e",
            "how_to_set": "set it",
        },
        "plain": {
            "title": "Obscene language in a comment on @riv\u202e",
            "rule": "Prohibited language",
            "urgency": "High",
            "raised": "Wed 16 Sep 2026 10:00 PDT",
        },
    }
