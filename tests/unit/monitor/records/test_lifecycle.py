"""The flag state machine (issue 14, item 4): every verb from every status, what it does,
and that the CLI, the console and the e-mailed links all go through it."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.records.lifecycle import NOTE_LIMIT, LifecycleError, apply, next_status, verb_of
from monitor.storage.models import AuditEntry, Flag
from tests.support.factory import START, account, at, district

BOSS = "principal.riverside@fvsd.example.ca"

# (status, verb) -> status after, or None: not allowed (nothing changes)
TABLE = [
    ("open", "ack", "acknowledged"),
    ("open", "resolve", "resolved"),
    ("open", "dismiss", "dismissed"),
    ("open", "reopen", None),
    ("acknowledged", "ack", None),
    ("acknowledged", "resolve", "resolved"),
    ("acknowledged", "dismiss", "dismissed"),
    ("acknowledged", "reopen", "open"),
    ("resolved", "ack", None),  # a late acknowledge never moves a flag backwards
    ("resolved", "resolve", None),
    ("resolved", "dismiss", None),
    ("resolved", "reopen", "open"),  # only an explicit reopen does
    ("dismissed", "ack", None),
    ("dismissed", "resolve", None),
    ("dismissed", "dismiss", None),
    ("dismissed", "reopen", "open"),
]


@pytest.mark.parametrize(("status", "verb", "after"), TABLE)
def test_the_transition_table(status, verb, after):
    assert next_status(status, verb) == after


def _flag(session: Session, status: str) -> Flag:
    d = district(session)
    acct = account(session, d["school"], d["principal"], "riv-yt")
    flag = Flag(
        dedup_key="pii.student:riv-yt:post:p1",
        rule_id="pii.student",
        severity="critical",
        account_id=acct.id,
        subject_type="post",
        explanation="x",
        detector="pii",
        detector_version="1",
        status=status,
        first_seen_at=START,
        last_seen_at=START,
    )
    session.add(flag)
    session.flush()
    return flag


@pytest.mark.parametrize(("status", "verb", "after"), TABLE)
def test_apply_moves_and_records_or_says_why_not(db, status, verb, after):
    flag = _flag(db, status)
    decision = apply(db, flag, verb, BOSS, "because", at(1))
    db.flush()
    actions = list(db.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "flag")))
    if after is None:
        assert not decision.changed and flag.status == status and actions == []
        assert f"#{flag.id}" in decision.message and status in decision.message
    else:
        assert decision.changed and flag.status == after
        assert len(actions) == 1 and actions[0].startswith("flag.")
        entry = db.scalars(select(AuditEntry)).one()
        assert entry.detail == {"previous": status, "status": after, "note": "because"}


@pytest.mark.parametrize(
    ("word", "verb"),
    [("ack", "ack"), ("acknowledge", "ack"), ("acknowledged", "ack"), ("Resolved", "resolve"),
     ("dismiss", "dismiss"), ("open", "reopen"), ("reopen", "reopen")],
)  # fmt: skip
def test_verbs_and_status_names_mean_the_same(word, verb):
    assert verb_of(word) == verb


@pytest.mark.parametrize("word", ["delete", "", "closed", "acked"])
def test_unknown_verbs_are_refused(word):
    with pytest.raises(LifecycleError, match="must be one of ack, resolve, dismiss, reopen"):
        verb_of(word)


def test_notes_are_needed_to_close_and_bounded(db):
    flag = _flag(db, "open")
    with pytest.raises(LifecycleError, match="only with a note"):
        apply(db, flag, "resolve", BOSS, "   ", at(1))
    with pytest.raises(LifecycleError, match="under 4,000"):
        apply(db, flag, "ack", BOSS, "x" * (NOTE_LIMIT + 1), at(1))
    assert flag.status == "open"
    assert apply(db, flag, "ack", BOSS, "x" * NOTE_LIMIT, at(1)).changed


def test_every_surface_uses_the_one_machine():
    """The CLI, the console and the links call records.change_flag(s), which is apply()."""
    import inspect
    import re

    from monitor.cli import flags as cli_flags
    from monitor.records import record
    from monitor.web import views_flags, views_links

    assert "lifecycle.apply" in inspect.getsource(record.change_flag)
    assert "lifecycle.apply" in inspect.getsource(record.change_flags)
    for module in (cli_flags, views_flags, views_links):
        source = inspect.getsource(module)
        assert "change_flag" in source, module.__name__
        assert not re.search(r"\.status =[^=]", source), module.__name__  # no status set by hand
