"""Comments in languages the word lists do not cover: counted, and said in the weekly digest
over real SMTP (aiosmtpd in-process); a district's own word lists for a language make it
covered.

Given a poll that stores comments in English, French, Punjabi and Tagalog, when the weekly
digest goes out, then it says how many comments in Punjabi and in Tagalog were not checked
for language and that the comment-review rule still applies. Given the district adds
Punjabi word lists, then a Punjabi insult is flagged and Punjabi comments are no longer
counted as unchecked.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from importlib import resources

import pytest
from sqlalchemy import select

from monitor.ingest import pipeline
from monitor.notify.delivery import deliver
from monitor.notify.digest import claim_weekly_digests
from monitor.notify.routing import notifier_for
from monitor.storage.db import session_factory
from monitor.storage.models import Flag
from tests.support import factory
from tests.support.factory import CLEAN_PROFILE, at
from tests.unit.monitor.notify.test_channels import Server, _received

PUNJABI = ["ਸਕੂਲ ਦਾ ਪ੍ਰੋਗਰਾਮ ਬਹੁਤ ਵਧੀਆ ਸੀ, ਧੰਨਵਾਦ", "ਤੂੰ ਬਹੁਤ ਮੂਰਖ ਹੈਂ"]  # thanks; "you fool"
TAGALOG = "Salamat po sa mga guro, ang ganda ng programa kahapon"
FRENCH = "Merci beaucoup aux enseignants pour cette belle sortie au musée"
ENGLISH = "Thank you to all the volunteers who helped with the bake sale this week"
PRINCIPAL = "principal.riverside@fvsd.example.ca"


@pytest.fixture
def smtp():
    server = Server()
    server.start()
    yield server
    server.stop()


def _world(engine, settings, tmp_path, smtp, lexicon_dir=""):
    texts = [*PUNJABI, TAGALOG, FRENCH, ENGLISH, "👍"]
    comments = [
        {"id": f"c{i}", "post": "p1", "at_hours": 2, "text": text, "author_name": "A parent"}
        for i, text in enumerate(texts)
    ]
    comments.append(
        {"id": "own", "post": "p1", "at_hours": 2, "text": PUNJABI[0], "by_account": True}
    )
    account = {
        "profile": {**CLEAN_PROFILE, "handle": "@riv"},
        "posts": [{"id": "p1", "at_hours": 1, "text": "Multicultural night photos"}],
        "comments": comments,
    }
    path = factory.scenario(tmp_path / "scenario.json", {"riv": account})
    settings = settings.replace(
        delivery__channel="smtp",
        smtp__host="127.0.0.1",
        smtp__port=smtp.port,
        smtp__security="none",
        detection__lexicon_dir=lexicon_dir,
    )
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        account_id = factory.account(s, d["school"], d["principal"], "riv").id
    app = factory.app_for(settings, engine, path)
    pipeline.poll_account(app, account_id, at(20))
    return app


def _digest_to(app, smtp, email):
    now = at(20) + timedelta(hours=1)
    for outbox_id in claim_weekly_digests(app, now):
        deliver(app, outbox_id, now, notifier_for(app))
    [message] = [m for m in _received(smtp) if m["To"] == email]
    return message


def test_digest_says_how_many_comments_in_each_language_were_not_checked(
    engine, settings, tmp_path, smtp
):
    app = _world(engine, settings, tmp_path, smtp)
    message = _digest_to(app, smtp, PRINCIPAL)
    text = " ".join(message.get_body(("plain",)).get_content().split())
    html = message.get_body(("html",)).get_content()
    assert "2 comments in Punjabi were not checked for language this week." in text
    assert "1 comment in Tagalog was not checked for language this week." in text
    assert "The comment-review rule still applies" in text
    assert "French" not in text and "English" not in text  # covered: not counted
    assert "not checked for language: Punjabi 2, Tagalog 1" in text  # the account's line
    assert "<strong>2</strong> comments in Punjabi were not checked" in html
    assert "The comment-review rule still applies:</strong>" in html
    # Without word lists for Punjabi, the insult was not flagged.
    with app.sessions() as s:
        assert not list(s.scalars(select(Flag).where(Flag.rule_id == "language.prohibited")))


def test_district_punjabi_word_list_flags_the_insult_and_punjabi_counts_as_checked(
    engine, settings, tmp_path, smtp
):
    lexicon = tmp_path / "lexicon"
    shutil.copytree(str(resources.files("detectors").joinpath("data", "lexicon")), lexicon)
    (lexicon / "pa").mkdir()
    (lexicon / "pa" / "harassment.txt").write_text("# foolish\nਮੂਰਖ\n", encoding="utf-8")
    app = _world(engine, settings, tmp_path, smtp, lexicon_dir=str(lexicon))
    with app.sessions() as s:
        flagged = list(
            s.scalars(select(Flag.subject_ref).where(Flag.rule_id == "language.prohibited"))
        )
    assert flagged == ["comment:c1"]
    message = _digest_to(app, smtp, PRINCIPAL)
    text = " ".join(message.get_body(("plain",)).get_content().split())
    assert "1 comment in Tagalog was not checked for language this week." in text
    assert "Punjabi" not in text
