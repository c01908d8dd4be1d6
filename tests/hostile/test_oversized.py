"""Oversized platform text is bounded everywhere it enters.

The caps (documented where they are defined):

- detectors read the first ``detectors.folding.MAX_CHARS`` (20,000) characters of a text,
  and list at most ``detectors.pii.MAX_FINDINGS`` (200) PII spans per item;
- ``hallwatch scan`` passes at most ``monitor.ingest.scan.MAX_TEXT`` (100,000) characters on;
- the store keeps at most ``monitor.ingest.store.MAX_TEXT`` (20,000) characters of a post or
  comment, and skips an item whose id is longer than ``monitor.ingest.store.MAX_ID`` (200);
- a flag's excerpt is at most ``monitor.ingest.flags.EXCERPT_LIMIT`` (280) characters.
"""

from __future__ import annotations

import io
import json
import time
import tracemalloc
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

import detectors
from detectors.folding import MAX_CHARS
from detectors.pii import MAX_FINDINGS
from monitor.ingest import pipeline
from monitor.ingest.flags import EXCERPT_LIMIT
from monitor.ingest.scan import scan
from monitor.ingest.store import MAX_ID
from monitor.ingest.store import MAX_TEXT as STORED
from monitor.storage.db import session_factory
from monitor.storage.models import Comment, Flag, Post
from tests.support import factory
from tests.support.factory import CLEAN_PROFILE, at

MB = 1024 * 1024
NOW = datetime(2026, 9, 14, 15, tzinfo=UTC)
SHAPES = {
    "one long word": "a" * (10 * MB),
    "prohibited words": "you stupid idiot " * (10 * MB // 17),
    "spaced letters": "f u c k " * (10 * MB // 8),
    "e-mail addresses": "write to jo.smith@example.com " * (10 * MB // 30),
    "phone numbers": "call 604-555-0199 now " * (10 * MB // 22),
    "zero-width and bidi": "\u200b\u202e\u2066" * (10 * MB // 3),
    "cyrillic lookalikes": "ѕтυріd " * (10 * MB // 7),
    "reporter, repeated": "I am a reporter with the Valley News, can you comment? " * (MB // 5),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_detectors_on_a_10_mb_comment_finish_quickly_in_bounded_memory(shape):
    text = SHAPES[shape]
    assert len(text) >= 10 * MB - 64
    item = detectors.TextItem(id="c1", text=text, kind="comment")
    context = detectors.Context(now=NOW)
    detectors.run([item], context)  # warm: word lists and the model load once
    tracemalloc.start()
    started = time.perf_counter()
    found = detectors.run([item], context)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # Only the first MAX_CHARS characters are read, so neither grows with the 10 MB.
    assert elapsed < 5, f"{elapsed:.1f} s on a 10 MB comment"
    assert peak < 64 * MB, f"{peak / MB:.0f} MiB allocated on a 10 MB comment"
    # Findings grow with what is read, not with the input: PII stops at MAX_FINDINGS spans,
    # the other detectors at one finding per match within the first MAX_CHARS characters.
    assert len([f for f in found if f.rule == "pii.student"]) <= MAX_FINDINGS
    assert len(found) <= MAX_CHARS // 4
    assert all(f.end is None or f.end <= MAX_CHARS for f in found)


def test_detectors_read_only_the_first_max_chars():
    filler = "Lovely day at the fair. " * (MAX_CHARS // 24 + 10)
    assert len(filler) > MAX_CHARS
    context = detectors.Context(now=NOW)
    late = detectors.TextItem(id="c1", text=filler + "you stupid idiot", kind="comment")
    early = detectors.TextItem(id="c2", text="you stupid idiot " + filler, kind="comment")
    rules = {f.subject: f.rule for f in detectors.run([late, early], context)}
    assert rules == {"c2": "language.prohibited"}


def test_scan_of_a_10_mb_line_answers_one_line():
    line = json.dumps({"id": "big", "text": "you stupid idiot " * (10 * MB // 17)})
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    context = detectors.Context(now=datetime(2026, 9, 15, tzinfo=UTC))
    result = scan([line], out, err, detectors.default_detectors(), context)
    assert time.perf_counter() - started < 10
    [answer] = [json.loads(x) for x in out.getvalue().splitlines()]
    assert answer["id"] == "big" and result.bad == 0 and err.getvalue() == ""
    assert answer["findings"] and all(f["end"] <= MAX_CHARS for f in answer["findings"])


@pytest.fixture
def huge(engine, settings, tmp_path):
    big = "you stupid idiot " * (5 * MB // 17)
    accounts = {
        "huge": {
            "profile": {**CLEAN_PROFILE, "about": "x" * MB, "display_name": "y" * MB},
            "posts": [
                {"id": "p1", "at_hours": 1, "text": big, "url": "https://e.example/" + "u" * MB},
                {"id": "p" * (MAX_ID + 1), "at_hours": 1, "text": "an id too long to store"},
            ],
            "comments": [
                {"id": "c1", "post": "p1", "at_hours": 2, "text": big, "author_name": "n" * MB},
                {"id": "c" * MB, "post": "p1", "at_hours": 2, "text": "hello"},
                {"id": "c3", "post": "q" * MB, "at_hours": 2, "text": "hello"},
            ],
        }
    }
    path = factory.scenario(tmp_path / "scenario.json", accounts)
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        account_id = factory.account(s, d["school"], d["principal"], "huge").id
    return factory.app_for(settings, engine, path), account_id


def test_a_poll_of_megabyte_texts_and_ids_stores_bounded_rows(huge, caplog):
    app, account_id = huge
    result = pipeline.poll_account(app, account_id, at(3))
    assert result.outcome == "ok", result
    with app.sessions() as s:
        assert s.scalar(select(func.max(func.length(Post.text)))) == STORED
        assert s.scalar(select(func.max(func.length(Comment.text)))) == STORED
        assert s.scalar(select(func.max(func.length(Comment.author_name)))) <= 300
        assert s.scalar(select(func.max(func.length(Post.url)))) <= 1000
        assert set(s.scalars(select(Post.external_id))) == {"p1"}
        assert set(s.scalars(select(Comment.external_id))) == {"c1"}
        flags = list(s.scalars(select(Flag)))
    assert any(f.rule_id == "language.prohibited" for f in flags)
    assert all(len(f.excerpt) <= EXCERPT_LIMIT + 2 for f in flags)
    assert "id longer than" in caplog.text
    assert "c" * 300 not in caplog.text, "the log names a prefix of a huge id, not all of it"
