"""wellbeing.self_harm end to end: a real poll, real SMTP (aiosmtpd in-process), the real
hide path and the real weekly digest. The alert goes out at once to the principal and the
counsellor; the comment is never hidden and nothing goes to its author; the digest and the
e-mails never carry its words."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy

import pytest
from sqlalchemy import select

from connectors.sandbox import SandboxConnector
from monitor.ingest import pipeline
from monitor.notify.base import FileNotifier
from monitor.notify.delivery import deliver, pending_outbox
from monitor.notify.digest import claim_weekly_digests, digest_context
from monitor.registry.connect import moderate
from monitor.storage.models import AuditEntry, Comment, Delivery, Flag, OutboxItem, Supervisor
from tests.support import factory
from tests.support.factory import CLEAN_PROFILE, at
from tests.unit.monitor.notify.test_channels import Server, _received

TEXT = "honestly so tired of existing. soon none of this will matter to me"
COUNSELLOR = "counsellor.riverside@fvsd.example.ca"
PRINCIPAL = ("principal.riverside@fvsd.example.ca", "vp.riverside@fvsd.example.ca")


@pytest.fixture
def smtp():
    server = Server()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def world(engine, settings, tmp_path, smtp, monkeypatch):
    """Riverside's page with the comment; SMTP delivery; alerts otherwise grouped hourly.
    Every call to the connector's moderation methods is recorded."""
    path = factory.scenario(
        tmp_path / "scenario.json",
        {
            "riv-fb": {
                "profile": {**CLEAN_PROFILE, "handle": "@riv-fb", "comments_held": True},
                "posts": [{"id": "p1", "at_hours": 1, "text": "Meet the Teacher night!"}],
                "comments": [
                    {
                        "id": "c1",
                        "post": "p1",
                        "at_hours": 2,
                        "text": TEXT,
                        "author_name": "Sam R.",
                        "author_id": "user.sam.r",
                    }
                ],
            }
        },
    )
    settings = settings.replace(
        delivery__channel="smtp",
        delivery__group_minutes=60,
        smtp__host="127.0.0.1",
        smtp__port=smtp.port,
        smtp__security="none",
    )
    app = factory.app_for(settings, engine, path)
    with app.sessions() as s, s.begin():
        d = factory.district(s)
        d["school"].counsellor_email = COUNSELLOR
        account_id = factory.account(
            s, d["school"], d["principal"], "riv-fb", comments_policy="moderated"
        ).id
    calls: list[tuple[str, str]] = []
    for name in ("hide_comment", "unhide_comment"):
        original = getattr(SandboxConnector, name)

        def spy(self, account, comment_id, _name=name, _original=original):
            calls.append((_name, comment_id))
            return _original(self, account, comment_id)

        monkeypatch.setattr(SandboxConnector, name, spy)
    return app, account_id, calls


def _poll_and_send(app, account_id, when):
    pipeline.poll_account(app, account_id, when)
    for outbox_id in pending_outbox(app, due_by=when):
        deliver(app, outbox_id, when)


def test_it_is_sent_at_once_over_smtp_once_to_each_recipient(world, smtp):
    app, account_id, _ = world
    # When the poll that finds it runs (and the due outbox rows are delivered right after)
    _poll_and_send(app, account_id, at(3))
    # Then the principal, the vice-principal and the counsellor each got one message now,
    # although every other alert would wait for the hour's group
    received = _received(smtp)
    envelopes = sorted(r for e in smtp.handler.envelopes for r in e.rcpt_tos)
    assert envelopes == sorted([*PRINCIPAL, COUNSELLOR])
    for message in received:
        assert message["Subject"].startswith("Urgent: Signs of self-harm")
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert "not a disciplinary matter" in text and "9-8-8" in text
        assert "tired of existing" not in message.as_string()
    with app.sessions() as s:
        rows = s.scalars(select(Delivery)).all()
        assert sorted(r.recipient for r in rows) == sorted([*PRINCIPAL, COUNSELLOR])
        assert {r.status for r in rows} == {"delivered"}
        assert {r.delivered_at for r in rows} == {at(3)}
    # And a second poll and relay send nothing again
    _poll_and_send(app, account_id, at(4))
    assert len(smtp.handler.envelopes) == 3


def test_it_is_never_hidden_and_nothing_goes_to_the_commenter(world, smtp):
    app, account_id, calls = world
    # Given the account moderates comments, and polls run day after day
    for hour in (3, 20, 45):
        _poll_and_send(app, account_id, at(hour))
    # Then Hallwatch never called the platform's hide, and the comment is as it was
    assert calls == []
    with app.sessions() as s:
        comment = s.scalars(select(Comment).where(Comment.external_id == "c1")).one()
        assert comment.status == "published" and comment.text == TEXT
        hidden = s.scalars(select(AuditEntry).where(AuditEntry.action == "comment.hidden"))
        assert list(hidden) == []
        flag = s.scalars(select(Flag).where(Flag.rule_id == "wellbeing.self_harm")).one()
        assert flag.status == "open"
    # And every message went to the district's people only (the author has no address
    # here, and nothing was posted back on the platform)
    recipients = {r for e in smtp.handler.envelopes for r in e.rcpt_tos}
    assert recipients <= {*PRINCIPAL, COUNSELLOR}
    # The real hide path works, and only on a person's explicit command with a reason
    done = moderate(app, comment.id, True, "prohibited-language", PRINCIPAL[0], at(46))
    assert done.hidden and calls == [("hide_comment", "c1")]


def test_the_digest_counts_it_without_its_words(world, smtp, tmp_path):
    app, account_id, _ = world
    _poll_and_send(app, account_id, at(3))
    monday = datetime(2026, 9, 21, 15, 0, tzinfo=UTC)
    out = tmp_path / "digests"
    ids = claim_weekly_digests(app, monday)
    assert ids
    for outbox_id in ids:
        deliver(app, outbox_id, monday, FileNotifier(out))
    written = [
        email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in out.glob("*.eml")
    ]
    assert written
    for message in written:
        parts = [p.get_content() for p in message.walk() if p.get_content_maintype() == "text"]
        assert parts and "riv-fb" in " ".join(parts)  # decoded, and about the account
        for part in parts:
            assert "tired of existing" not in part and "Sam R." not in part
    with app.sessions() as s:
        kinds = set(s.scalars(select(OutboxItem.kind)))
        assert "digest" in kinds


def test_communications_and_it_digests_do_not_even_count_it(world, smtp):
    # Given a sign of self-harm still open (and its alert held back from sending)
    app, account_id, _ = world
    pipeline.poll_account(app, account_id, at(3))
    now = datetime(2026, 9, 21, 15, 0, tzinfo=UTC)
    with app.sessions() as s:
        assert s.scalar(select(Flag).where(Flag.rule_id == "wellbeing.self_harm"))
        people = {p.role: p for p in s.scalars(select(Supervisor))}
        # When each reader's digest is put together
        seen = {}
        for role, person in people.items():
            context = digest_context(s, app, person, now)
            (line,) = [ln for ln in context["lines"] if ln.account.id == account_id]
            seen[role] = (
                line.open_flags.get("wellbeing.self_harm", 0),
                sum(bar["count"] for bar in context["chart"]["bars"]),
                [p["rule"] for p in context["pending"]],
            )
    # Then the principal's counts it and its pending alert; communications' and IT's do not
    # (nor in the six-week trend: the same one account, one flag fewer)
    assert seen["supervisor"][0] == 1 and "wellbeing.self_harm" in seen["supervisor"][2]
    for role in ("communications", "it"):
        assert seen[role][0] == 0, role
        assert "wellbeing.self_harm" not in seen[role][2], role
        assert seen[role][1] == seen["supervisor"][1] - 1, role
