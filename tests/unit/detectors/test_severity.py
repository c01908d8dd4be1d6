"""Severity is one StrEnum (issue 13, item 4) whose values are what the database, alerts,
metrics and `hallwatch scan` have always stored and shown."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from detectors import SEVERITIES, AccountState, CommentState, Context, Severity, TextItem, run
from detectors.structural import CommentsReviewDetector


def test_severities_are_the_stored_words_most_urgent_first():
    assert [s.value for s in SEVERITIES] == ["critical", "high", "medium", "low"]
    assert SEVERITIES == tuple(Severity)
    assert Severity("high") is Severity.HIGH


def test_a_severity_prints_and_serialises_as_its_plain_word():
    assert str(Severity.CRITICAL) == "critical"
    assert f"{Severity.MEDIUM}|{Severity.LOW:>6}" == "medium|   low"
    assert json.dumps({"severity": Severity.HIGH}) == '{"severity": "high"}'
    assert {"critical": 1}[Severity.CRITICAL] == 1  # dicts keyed by the stored word still work


def test_findings_carry_the_enum_and_serialise_unchanged():
    now = datetime(2026, 9, 15, 12, tzinfo=UTC)
    account = AccountState(
        id="a",
        platform="facebook",
        handle="h",
        can_be_private=False,
        comments=(CommentState("c1", first_seen_at=datetime(2026, 9, 13, tzinfo=UTC)),),
    )
    [finding] = run(
        [TextItem("x", "")], Context(now=now, account=account), [CommentsReviewDetector()]
    )
    assert finding.severity is Severity.MEDIUM
    assert json.loads(json.dumps(finding.as_dict()))["severity"] == "medium"
