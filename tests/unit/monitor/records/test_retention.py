"""Evidence retention: old post/comment text is blanked; rows, flags and the audit log stay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.cli import main
from monitor.core.settings import Settings
from monitor.records import retention
from monitor.records.lifecycle import set_status
from monitor.records.retention import PurgeResult, purge
from monitor.storage.db import make_engine, session_factory, upgrade
from monitor.storage.models import Account, AuditEntry, Comment, Flag, MediaItem, Post, utcnow
from tests.support.factory import START, account, district

NOW = START + timedelta(days=400)
OLD = NOW - timedelta(days=40)
NEW = NOW - timedelta(days=5)


@dataclass
class World:
    acct: Account
    old_post: Post
    old_post_media: MediaItem
    held_post: Post
    held_post_media: MediaItem
    new_post: Post
    new_post_media: MediaItem
    old_comment: Comment
    held_comment: Comment
    new_comment: Comment
    post_flag: Flag
    comment_flag: Flag
    closed_flag: Flag


def _post(session: Session, acct: Account, ext: str, seen: Any, text: str) -> Post:
    row = Post(
        account_id=acct.id,
        external_id=ext,
        created_at=seen,
        first_seen_at=seen,
        text=text,
        url=f"https://example.test/{ext}",
        fingerprint=ext,
    )
    session.add(row)
    session.flush()
    return row


def _media(session: Session, post: Post, alt: str) -> MediaItem:
    row = MediaItem(post_id=post.id, external_id=f"m-{post.external_id}", alt_text=alt)
    session.add(row)
    session.flush()
    return row


def _comment(session: Session, acct: Account, post: Post, ext: str, seen: Any) -> Comment:
    row = Comment(
        account_id=acct.id,
        post_id=post.id,
        external_id=ext,
        post_external_id=post.external_id,
        created_at=seen,
        first_seen_at=seen,
        text=f"comment {ext}",
        author_name=f"Parent {ext}",
        status="published",
        reviewed_at=seen,
        reviewed_by="principal.riverside@fvsd.example.ca",
        fingerprint=ext,
    )
    session.add(row)
    session.flush()
    return row


def _flag(session: Session, acct: Account, ref: str, status: str) -> Flag:
    kind = ref.split(":", 1)[0]
    row = Flag(
        dedup_key=f"pii:{acct.id}:{ref}",
        rule_id="pii.phone",
        severity="high",
        account_id=acct.id,
        subject_type=kind,
        subject_ref=ref,
        excerpt="call me at [phone]",
        explanation="A phone number was posted.",
        detector="pii",
        detector_version="1",
        status=status,
        first_seen_at=OLD,
        last_seen_at=OLD,
    )
    session.add(row)
    session.flush()
    return row


def build(session: Session) -> World:
    d = district(session)
    acct = account(session, d["school"], d["principal"], "riv-yt")
    other = account(session, d["school"], d["principal"], "riv-ig", platform="instagram")
    old_post = _post(session, acct, "p-old", OLD, "old post text")
    held_post = _post(session, acct, "p-held", OLD, "held post text")
    new_post = _post(session, acct, "p-new", NEW, "new post text")
    # A post with the same external id on another account: its flag must not hold ours.
    other_post = _post(session, other, "p-old2", NEW, "other")
    world = World(
        acct=acct,
        old_post=old_post,
        old_post_media=_media(session, old_post, "a photo of the gym"),
        held_post=held_post,
        held_post_media=_media(session, held_post, "held alt text"),
        new_post=new_post,
        new_post_media=_media(session, new_post, "new alt text"),
        old_comment=_comment(session, acct, old_post, "c-old", OLD),
        held_comment=_comment(session, acct, old_post, "c-held", OLD),
        new_comment=_comment(session, acct, new_post, "c-new", NEW),
        post_flag=_flag(session, acct, "post:p-held", "open"),
        comment_flag=_flag(session, acct, "comment:c-held", "acknowledged"),
        closed_flag=_flag(session, acct, "comment:c-old", "resolved"),
    )
    _flag(session, other, "post:p-old", "open")  # other account: does not hold acct's p-old
    assert other_post.id
    session.commit()
    return world


def snapshot(session: Session) -> dict[str, Any]:
    session.expire_all()
    posts = {p.external_id: p.text for p in session.scalars(select(Post))}
    media = {m.external_id: m.alt_text for m in session.scalars(select(MediaItem))}
    comments = {
        c.external_id: (c.text, c.author_name, c.status, c.reviewed_by, c.first_seen_at)
        for c in session.scalars(select(Comment))
    }
    flags = {
        f.id: (f.status, f.excerpt, f.subject_ref, f.notes, f.last_seen_at)
        for f in session.scalars(select(Flag))
    }
    audits = [(a.id, a.action, a.detail) for a in session.scalars(select(AuditEntry))]
    return {"posts": posts, "media": media, "comments": comments, "flags": flags, "audit": audits}


def test_dry_run_changes_nothing_and_counts(db: Session) -> None:
    build(db)
    before = snapshot(db)
    result = purge(db, NOW, 30, dry_run=True)
    db.commit()
    assert result == PurgeResult(posts=1, comments=1, media=1, held_by_open_flags=2)
    assert snapshot(db) == before


def test_real_run_blanks_only_old_unflagged_evidence(db: Session) -> None:
    w = build(db)
    before = snapshot(db)
    result = purge(db, NOW, 30)
    db.commit()
    assert result == PurgeResult(posts=1, comments=1, media=1, held_by_open_flags=2)
    after = snapshot(db)
    assert after["posts"] == {
        "p-old": "",
        "p-held": "held post text",
        "p-new": "new post text",
        "p-old2": "other",
    }
    assert after["media"] == {
        "m-p-old": "",
        "m-p-held": "held alt text",
        "m-p-new": "new alt text",
    }
    old = after["comments"]["c-old"]
    assert old[:2] == ("", "")
    assert old[2:] == before["comments"]["c-old"][2:]  # status, review state, times kept
    assert after["comments"]["c-held"] == before["comments"]["c-held"]
    assert after["comments"]["c-new"] == before["comments"]["c-new"]
    # Rows and ids stay; flags are untouched.
    assert db.get(Post, w.old_post.id) is not None
    assert db.get(Comment, w.old_comment.id) is not None
    assert after["flags"] == before["flags"]


def test_audit_row_written_and_earlier_audit_untouched(db: Session) -> None:
    w = build(db)
    set_status(db, w.closed_flag, "resolved", "dana@fvsd.example.ca", "fixed", OLD)
    db.commit()
    before = snapshot(db)["audit"]
    purge(db, NOW, 30)
    db.commit()
    after = snapshot(db)["audit"]
    assert after[: len(before)] == before
    (entry,) = after[len(before) :]
    assert entry[1] == "evidence.purged"
    assert entry[2]["posts"] == 1
    assert entry[2]["comments"] == 1
    assert entry[2]["media"] == 1
    assert entry[2]["held_by_open_flags"] == 2
    row = db.scalars(select(AuditEntry).where(AuditEntry.action == "evidence.purged")).one()
    assert row.at == NOW and row.actor == "system"


def test_open_flag_evidence_kept_until_flag_resolved(db: Session) -> None:
    w = build(db)
    purge(db, NOW, 30)
    db.commit()
    set_status(db, w.post_flag, "resolved", "dana@fvsd.example.ca", "taken down", NOW)
    db.commit()
    assert purge(db, NOW, 30) == PurgeResult(posts=1, comments=0, media=1, held_by_open_flags=1)
    db.commit()
    set_status(db, w.comment_flag, "dismissed", "dana@fvsd.example.ca", "not a number", NOW)
    db.commit()
    assert purge(db, NOW, 30) == PurgeResult(posts=0, comments=1, media=0, held_by_open_flags=0)
    db.commit()
    after = snapshot(db)
    assert after["posts"]["p-held"] == ""
    assert after["media"]["m-p-held"] == ""
    assert after["comments"]["c-held"][:2] == ("", "")
    assert after["posts"]["p-new"] == "new post text"


def test_second_run_purges_nothing(db: Session) -> None:
    build(db)
    purge(db, NOW, 30)
    db.commit()
    before = snapshot(db)
    again = purge(db, NOW, 30)
    db.commit()
    assert again == PurgeResult(posts=0, comments=0, media=0, held_by_open_flags=2)
    after = snapshot(db)
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"
    }
    assert len(after["audit"]) == len(before["audit"]) + 1


def test_batches_cover_more_rows_than_one_batch(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH", 2)
    w = build(db)
    for n in range(5):
        _comment(db, w.acct, w.old_post, f"c-extra-{n}", OLD)
    db.commit()
    assert purge(db, NOW, 30).comments == 6
    db.commit()
    assert purge(db, NOW, 30).comments == 0


def test_days_from_settings(db: Session, settings: Settings) -> None:
    build(db)
    days = settings.replace(retention__evidence_days=30).retention.evidence_days
    assert purge(db, NOW, days, dry_run=True).posts == 1
    assert settings.retention.evidence_days == 365
    assert purge(db, NOW, settings.retention.evidence_days, dry_run=True).total == 0


def test_rejects_bad_days(db: Session) -> None:
    with pytest.raises(ValueError):
        purge(db, NOW, 0)


def test_cli_purge_dry_run_then_real(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'hallwatch.db'}"
    (tmp_path / "var").mkdir()
    engine = make_engine(url)
    upgrade(engine)
    now = utcnow()
    with session_factory(engine)() as session:
        d = district(session)
        acct = account(session, d["school"], d["principal"], "riv-yt")
        post = _post(session, acct, "p-old", now - timedelta(days=50), "old text")
        _comment(session, acct, post, "c-old", now - timedelta(days=50))
        _post(session, acct, "p-new", now - timedelta(days=1), "new text")
        session.commit()
    env = {
        "HALLWATCH_VAR_DIR": str(tmp_path / "var"),
        "HALLWATCH_DATABASE_URL": url,
        "HALLWATCH_CONFIG": "",
    }
    runner = CliRunner()
    dry = runner.invoke(main, ["purge", "--dry-run", "--days", "30"], env=env)
    assert dry.exit_code == 0, dry.output
    assert "Dry run: would blank the text of 1 post(s), 1 comment(s)" in dry.output
    assert "nothing was changed" in dry.output
    real = runner.invoke(main, ["purge", "--days", "30"], env=env)
    assert real.exit_code == 0, real.output
    assert real.output.startswith("Blanked the text of 1 post(s), 1 comment(s)")
    default = runner.invoke(main, ["purge", "--dry-run"], env=env)
    assert "(365 days)" in default.output
    bad = runner.invoke(main, ["purge", "--days", "0"], env=env)
    assert bad.exit_code != 0
    with session_factory(engine)() as session:
        texts = {p.external_id: p.text for p in session.scalars(select(Post))}
        assert texts == {"p-old": "", "p-new": "new text"}
        actions = list(session.scalars(select(AuditEntry.action)))
        assert actions.count("evidence.purged") == 1
    engine.dispose()
