"""The language of each post and comment: identified once when stored, and handed to the
detectors so they do not identify it again.

Given posts and comments in English, French and Punjabi, when a poll stores them, then each
row holds its language (SQLite and PostgreSQL); a changed text is identified again, an
unchanged one is not, and the detectors read the stored language.
"""

from __future__ import annotations

from sqlalchemy import select

from connectors import records
from detectors import langid
from monitor.ingest import pipeline
from monitor.ingest.store import save_snapshot
from monitor.storage.db import session_factory
from monitor.storage.models import Comment, Flag, Post
from tests.support import factory
from tests.support.factory import CLEAN_PROFILE, at

FRENCH = "Franchement, ce prof est vraiment nul. Ferme ta gueule, espèce de connard."
PUNJABI = "ਸਕੂਲ ਦਾ ਪ੍ਰੋਗਰਾਮ ਬਹੁਤ ਵਧੀਆ ਸੀ, ਧੰਨਵਾਦ"
ENGLISH = "Thank you to all the volunteers who helped with the bake sale this week"


def _spy(monkeypatch) -> list[str]:
    """Every text handed to the identifier (the memo is cleared, so none is skipped)."""
    langid.forget()
    asked: list[str] = []
    real = langid.identify_many

    def spy(texts):
        asked.extend(texts)
        return real(texts)

    monkeypatch.setattr(langid, "identify_many", spy)
    return asked


def test_poll_stores_each_language_once_and_the_detectors_read_it(
    engine, settings, tmp_path, monkeypatch
):
    comments = [
        {"id": "fr", "post": "p1", "at_hours": 2, "text": FRENCH, "author_name": "A"},
        {"id": "pa", "post": "p1", "at_hours": 2, "text": PUNJABI, "author_name": "B"},
        {"id": "en", "post": "p1", "at_hours": 2, "text": ENGLISH, "author_name": "C"},
        {"id": "emoji", "post": "p1", "at_hours": 2, "text": "👏👏", "author_name": "D"},
    ]
    account = {
        "profile": {**CLEAN_PROFILE, "handle": "@langs"},
        "posts": [
            {"id": "p1", "at_hours": 1, "text": "Journée sportive: merci à tous les parents!"}
        ],
        "comments": comments,
    }
    path = factory.scenario(tmp_path / "scenario.json", {"langs": account})
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        account_id = factory.account(s, d["school"], d["principal"], "langs").id
    app = factory.app_for(settings, engine, path)
    asked = _spy(monkeypatch)

    pipeline.poll_account(app, account_id, at(20))

    with app.sessions() as s:
        stored = dict(s.execute(select(Comment.external_id, Comment.language)).all())
        post_language = s.scalar(select(Post.language))
        flagged = set(
            s.scalars(select(Flag.subject_ref).where(Flag.rule_id == "language.prohibited"))
        )
    assert stored == {"fr": "fr", "pa": "pa", "en": "en", "emoji": "und"}
    assert post_language == "fr"
    # Identified once each, when stored: the detectors were handed the stored language.
    assert sorted(asked) == sorted([c["text"] for c in comments] + [account["posts"][0]["text"]])
    assert flagged == {"comment:fr"}  # read with the French lists

    # A second poll stores nothing new and identifies nothing.
    asked.clear()
    pipeline.poll_account(app, account_id, at(30))
    assert asked == []


def test_changed_text_is_identified_again_and_an_old_row_gets_its_language(db):
    d = factory.district(db)
    account = factory.account(db, d["school"], d["principal"], "store")
    profile = records.Profile(external_id="x", handle="@store")
    post = records.Post(external_id="p1", created_at=at(1), text=ENGLISH)
    comment = records.Comment(
        external_id="c1", post_external_id="p1", created_at=at(2), text=ENGLISH
    )
    snapshot = records.Snapshot(profile=profile, posts=(post,), comments=(comment,))
    changes = save_snapshot(db, account, snapshot, at(3))
    assert [c.language for c in changes.comments] == ["en"]

    edited = records.Comment(external_id="c1", post_external_id="p1", created_at=at(2), text=FRENCH)
    changes = save_snapshot(
        db, account, records.Snapshot(profile=profile, comments=(edited,)), at(4)
    )
    assert [c.language for c in changes.comments] == ["fr"]

    # A deleted comment comes back empty: its text and language are kept.
    gone = records.Comment(
        external_id="c1", post_external_id="p1", created_at=at(2), text="", status="deleted"
    )
    changes = save_snapshot(db, account, records.Snapshot(profile=profile, comments=(gone,)), at(5))
    assert [(c.text, c.language) for c in changes.comments] == [(FRENCH, "fr")]

    # A row stored before languages were identified ("" from the migration) gets one when
    # it changes.
    row = db.scalars(select(Post)).one()
    row.language = ""
    db.flush()
    moved = records.Post(external_id="p1", created_at=at(1), text=ENGLISH, url="https://x/p1")
    changes = save_snapshot(db, account, records.Snapshot(profile=profile, posts=(moved,)), at(6))
    assert [p.language for p in changes.posts] == ["en"]
