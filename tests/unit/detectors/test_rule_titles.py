"""Each flag's plain title (issue 14, items 9 and 11): what was found and where, in a
principal's words, from the one rules table; never a rule id or a severity word."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from detectors.rules import RULES, flag_title


@dataclass
class F:
    rule_id: str
    dedup_key: str
    subject_type: str = "account"
    details: dict[str, Any] = field(default_factory=dict)


A = "patel-grade3"
TITLES = [
    (
        F(
            "pii.student",
            f"pii.student:{A}:post:p1",
            "post",
            {"label": "student name", "form": "full"},
        ),
        "A student's full name in a post on patel-grade3",
    ),
    (
        F(
            "pii.student",
            f"pii.student:{A}:comment:c1",
            "comment",
            {"label": "student name", "form": "first"},
        ),
        "A student's first name in a comment on patel-grade3",
    ),
    (
        F("pii.student", f"pii.student:{A}:post:p1", "post", {"label": "birth date"}),
        "A child's birth date in a post on patel-grade3",
    ),
    (
        F("pii.student", f"pii.student:{A}:media:p1:m1", "media", {"label": "photo", "post": "p1"}),
        "A photo of students with no consent on file in a post on patel-grade3",
    ),
    (
        F("pii.student", f"pii.student:{A}:post:p1", "post", {}),
        "Student information in a post on patel-grade3",
    ),
    (
        F(
            "language.prohibited",
            f"language.prohibited:{A}:comment:c1",
            "comment",
            {"label": "threat"},
        ),
        "Threatening language in a comment on patel-grade3",
    ),
    (
        F("media.inquiry", f"media.inquiry:{A}:comment:c1", "comment", {"label": "media inquiry"}),
        "A media inquiry in a comment on patel-grade3",
    ),
    (
        F(
            "comments.unreviewed",
            f"comments.unreviewed:{A}:window:2026-09-16",
            "account",
            {"overdue": ["comment:a", "comment:b", "comment:c"]},
        ),
        "3 comments waiting for review on patel-grade3",
    ),
    (
        F(
            "comments.unreviewed",
            f"comments.unreviewed:{A}:window:2026-09-16",
            "account",
            {"overdue": ["comment:a"]},
        ),
        "1 comment waiting for review on patel-grade3",
    ),
    (
        F("visibility.public", f"visibility.public:{A}:post:p9", "post"),
        "A public post on patel-grade3",
    ),
    (
        F("visibility.public", f"visibility.public:{A}:account"),
        "patel-grade3 is public but registered as private",
    ),
    (
        F("account.unapproved", f"account.unapproved:{A}:credentials"),
        "patel-grade3 stopped working: IT must reconnect it",
    ),
    (
        F("account.unapproved", f"account.unapproved:{A}:approval:pending"),
        "patel-grade3 has no supervisor approval",
    ),
    (
        F("account.personal_email", f"account.personal_email:{A}:email:x@gmail.com"),
        "patel-grade3 uses a personal e-mail address",
    ),
    (
        F("account.unidentified", f"account.unidentified:{A}:identification"),
        "patel-grade3 does not identify the school",
    ),
    (
        F("account.unacknowledged", f"account.unacknowledged:{A}:acknowledgement:1:t@sd.ca"),
        "The owner of patel-grade3 has not acknowledged Procedure 417",
    ),
    (
        F("account.admin_access", f"account.admin_access:{A}:admin:departed:t@sd.ca"),
        "An administrator of patel-grade3 has left the District",
    ),
    (F("rule.unknown_here", f"rule.unknown_here:{A}:x"), "rule.unknown_here on patel-grade3"),
]


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_has_its_own_titles(rule):
    assert RULES[rule].titles, f"{rule} would show its id to a principal"


@pytest.mark.parametrize(("flag", "title"), TITLES)
def test_each_flag_has_a_plain_title(flag, title):
    assert flag_title(flag, A) == title


@pytest.mark.parametrize("rule", sorted(RULES))
def test_known_rules_never_show_their_id_or_a_severity_word(rule):
    for prefix, _ in RULES[rule].titles or (("", ""),):
        text = flag_title(F(rule, f"{rule}:{A}:{prefix}x", "post", {"label": "x"}), A)
        assert rule not in text and "{" not in text
        assert not any(w in text.upper() for w in ("CRITICAL", "HIGH", "MEDIUM", "LOW "))
