"""The poll pipeline: store, detect, flag and outbox in one transaction; idempotent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from monitor.ingest import pipeline
from monitor.storage.db import session_factory
from monitor.storage.models import Account, AuditEntry, Comment, Flag, OrgUnit, OutboxItem, Post
from tests.support import factory
from tests.support.factory import CLEAN_PROFILE, at


def _count(app, column, *where):
    with app.sessions() as s:
        return s.scalar(select(func.count(column)).where(*where))


def _flags(app, rule=None):
    with app.sessions() as s:
        q = select(Flag)
        if rule:
            q = q.where(Flag.rule_id == rule)
        return list(s.scalars(q))


@pytest.fixture
def world(engine, settings, tmp_path):
    comments = [
        {"id": "c1", "post": "p1", "at_hours": 2, "text": "Great game!", "author_name": "A parent"},
        {
            "id": "c2",
            "post": "p1",
            "at_hours": 3,
            "text": "When is the next one?",
            "author_name": "B",
        },
        {
            "id": "c3",
            "post": "p1",
            "at_hours": 4,
            "text": "Thanks!",
            "author_name": "C",
            "changes": [{"at_hours": 6, "replied_by_account": True}],
        },
        {"id": "c4", "post": "p1", "at_hours": 4.5, "text": "Reply", "by_account": True},
    ]
    accounts = {
        "busy": {
            "profile": {**CLEAN_PROFILE, "handle": "@busy"},
            "posts": [
                {"id": "p1", "at_hours": 1, "text": "Sports day photos", "visibility": "private"}
            ],
            "comments": comments,
        },
        "broken": {
            "profile": {**CLEAN_PROFILE, "handle": "@broken"},
            "errors": [{"from_hours": 24, "kind": "auth_revoked", "message": "token revoked"}],
        },
    }
    path = factory.scenario(tmp_path / "scenario.json", accounts)
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        busy = factory.account(s, d["school"], d["principal"], "busy")
        broken = factory.account(s, d["school"], d["principal"], "broken")
        ids = {"busy": busy.id, "broken": broken.id}
    app = factory.app_for(settings, engine, path)
    return app, ids


def test_comments_unreviewed_raised_once_after_the_window(world):
    app, ids = world
    # Given comments first seen on day one
    pipeline.poll_account(app, ids["busy"], at(20))
    assert _flags(app, "comments.unreviewed") == []
    # When the next day's poll runs past the 24 h window
    result = pipeline.poll_account(app, ids["busy"], at(45))
    # Then one flag lists the two unreviewed comments (not the replied one, not our own)
    [flag] = _flags(app, "comments.unreviewed")
    assert flag.details["overdue"] == ["comment:c1", "comment:c2"]
    assert flag.id in result.new_flags
    assert _count(app, OutboxItem.id, OutboxItem.flag_id == flag.id) == 1


def test_platform_reply_counts_as_review(world):
    app, ids = world
    pipeline.poll_account(app, ids["busy"], at(20))
    with app.sessions() as s:
        c3 = s.scalars(select(Comment).where(Comment.external_id == "c3")).one()
    assert c3.reviewed_by == "platform:reply" and c3.reviewed_at == at(20)


def test_polling_the_same_data_twice_makes_no_second_flag_or_outbox_row(world):
    app, ids = world
    pipeline.poll_account(app, ids["busy"], at(20))
    pipeline.poll_account(app, ids["busy"], at(45))
    flags, outbox = _count(app, Flag.id), _count(app, OutboxItem.id)
    assert flags >= 1 and outbox == flags
    # When the same poll runs again, and again with the cursor lost (a redelivered message)
    again = pipeline.poll_account(app, ids["busy"], at(45))
    with app.sessions() as s, s.begin():
        s.get(Account, ids["busy"]).cursor = {}
    lost = pipeline.poll_account(app, ids["busy"], at(45))
    # Then nothing new is recorded
    assert again.new_flags == [] and lost.new_flags == []
    assert (_count(app, Flag.id), _count(app, OutboxItem.id)) == (flags, outbox)
    assert _count(app, Post.id) == 1 and _count(app, Comment.id) == 4
    assert max(f.occurrences for f in _flags(app)) >= 2  # repeats are counted, not re-sent


def test_cursor_advances_only_with_the_commit(world, monkeypatch):
    app, ids = world

    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(pipeline, "raise_flags", boom)
    with pytest.raises(RuntimeError):
        pipeline.poll_account(app, ids["busy"], at(20))
    with app.sessions() as s:
        account = s.get(Account, ids["busy"])
        assert account.cursor == {} and account.last_polled_at is None
    assert _count(app, Post.id) == 0 and _count(app, Comment.id) == 0
    # And the next poll, with the fault gone, stores everything
    monkeypatch.undo()
    pipeline.poll_account(app, ids["busy"], at(20))
    assert _count(app, Comment.id) == 4


def test_revoked_credentials_mark_account_broken_and_flag_it(world):
    app, ids = world
    pipeline.poll_account(app, ids["broken"], at(20))
    result = pipeline.poll_account(app, ids["broken"], at(30))
    assert result.outcome == "AuthRevoked"
    with app.sessions() as s:
        account = s.get(Account, ids["broken"])
        assert account.status == "credentials_broken"
        assert "token" not in account.last_poll_error or "revoked" in account.last_poll_error
    [flag] = _flags(app, "account.unapproved")
    assert flag.severity == "high" and flag.dedup_key.endswith(":credentials")
    # And a broken account is not polled again until fixed
    assert pipeline.poll_account(app, ids["broken"], at(40)).outcome == "skipped"


def test_every_poll_is_in_the_audit_log(world):
    app, ids = world
    pipeline.poll_account(app, ids["busy"], at(20))
    assert _count(app, AuditEntry.id, AuditEntry.action == "account.polled") == 1
    assert _count(app, AuditEntry.id, AuditEntry.action == "flag.raised") == len(_flags(app))


def test_review_sweep_flags_overdue_comments_without_polling(world):
    app, ids = world
    pipeline.poll_account(app, ids["busy"], at(20))
    created = pipeline.review_sweep(app, at(46))
    [flag] = _flags(app, "comments.unreviewed")
    assert flag.id in created
    assert pipeline.review_sweep(app, at(46.5)) == []  # same window: no second flag


def test_account_unapproved_a_new_account_is_not_stale_before_its_first_poll(world):
    # Given one account registered just now and one registered long ago, neither polled
    app, ids = world
    with app.sessions() as s, s.begin():
        s.get(Account, ids["busy"]).registered_at = at(0)
        s.get(Account, ids["broken"]).registered_at = at(0) - timedelta(days=10)
    # When the first sweep runs before the first polls (the scheduler enqueues both at once)
    pipeline.review_sweep(app, at(0.1))
    # Then only the old one is "not checked ever"
    keys = {f.dedup_key for f in _flags(app, "account.unapproved")}
    assert keys == {"account.unapproved:broken:stale"}


def test_deleted_comment_keeps_its_stored_text_as_evidence(world):
    from connectors import records
    from monitor.ingest.store import save_comment

    app, ids = world
    with app.sessions() as s, s.begin():
        account = s.get(Account, ids["busy"])
        first = records.Comment("z1", "p1", at(1), text="You will regret this")
        save_comment(s, account, first, at(1), {}, {})
    with app.sessions() as s, s.begin():
        account = s.get(Account, ids["busy"])
        known = {c.external_id: c for c in s.scalars(select(Comment))}
        gone = records.Comment("z1", "p1", at(1), text="", status="deleted")
        save_comment(s, account, gone, at(2), known, {})
    with app.sessions() as s:
        row = s.scalars(select(Comment).where(Comment.external_id == "z1")).one()
        assert row.status == "deleted" and row.text == "You will regret this"
        assert row.reviewed_by == "platform:deleted"


def test_identification_walks_up_the_units_once_even_round_a_loop_of_parents():
    # Given a school whose parent chain comes back to itself (the CSV import refuses such a
    # loop; one edited into the database by hand must still not hang a worker)
    district = OrgUnit(code="D", name="District", kind="district", website="https://d.example")
    school = OrgUnit(code="S", name="School", kind="school", website="https://s.example")
    school.parent = district
    district.parent = school
    account = Account(key="s-fb", org_unit=school)
    # When the names that identify the account are gathered
    names, domains = pipeline._identification(account)
    # Then each unit is read once and the walk ends
    assert names == ("School", "District")
    assert domains == ("s.example", "d.example")
