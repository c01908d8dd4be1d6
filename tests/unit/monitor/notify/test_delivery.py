"""Routing and delivery: each recipient gets an alert once; outages leave it pending."""

from __future__ import annotations

import email
from email import policy

import pytest
from sqlalchemy import func, select

from detectors import Finding
from monitor.ingest.flags import raise_flags
from monitor.notify.base import DeliveryError, FileNotifier
from monitor.notify.delivery import deliver
from monitor.notify.routing import route
from monitor.storage.db import session_factory
from monitor.storage.models import Account, AuditEntry, Delivery, Flag, OutboxItem
from tests.support import factory
from tests.support.factory import at

HOSTILE = "<script>alert(1)</script>\r\nBcc: victim@evil.example\n<img src=x onerror=alert(2)>"


def _finding(
    rule="visibility.public", key="account", excerpt="", subject="", explanation="It is public."
):
    return Finding(
        rule=rule,
        severity="medium",
        explanation=explanation,
        detector="test",
        version="1",
        key=key,
        excerpt=excerpt,
        subject=subject,
    )


@pytest.fixture
def world(engine, settings):
    settings = settings.replace(
        delivery__communications_email="comms-office@fvsd.example.ca",
        delivery__it_email="it-desk@fvsd.example.ca",
        delivery__fallback_email="fallback@fvsd.example.ca",
    )
    factory_ = session_factory(engine)
    with factory_() as s, s.begin():
        d = factory.district(s)
        acct = factory.account(s, d["school"], d["principal"], "riv-yt", handle=HOSTILE)
        orphan = factory.account(s, d["school"], d["principal"], "orphan", supervisor_id=None)
        ids = {"acct": acct.id, "orphan": orphan.id}
    from monitor.core.app import App

    return App(settings=settings, engine=engine, sessions=factory_), ids


def _flag(app, account_id, finding, url=""):
    with app.sessions() as s, s.begin():
        account = s.get(Account, account_id)
        [flag] = raise_flags(s, account, [finding], at(1), {finding.subject: url} if url else None)
        return flag.id, s.scalars(select(OutboxItem.id).where(OutboxItem.flag_id == flag.id)).one()


@pytest.mark.parametrize(
    ("rule", "key", "expected"),
    [
        (
            "visibility.public",
            "account",
            {"principal.riverside@fvsd.example.ca", "vp.riverside@fvsd.example.ca"},
        ),
        ("media.inquiry", "comment:c1", {"comms-office@fvsd.example.ca", "comms@fvsd.example.ca"}),
        (
            "account.unapproved",
            "credentials",
            {
                "it-desk@fvsd.example.ca",
                "it-help@fvsd.example.ca",
                "principal.riverside@fvsd.example.ca",
                "vp.riverside@fvsd.example.ca",
            },
        ),
    ],
)
def test_route_by_rule(world, rule, key, expected):
    app, ids = world
    flag_id, _ = _flag(app, ids["acct"], _finding(rule=rule, key=key))
    with app.sessions() as s:
        assert set(route(s, app, s.get(Flag, flag_id)).recipients) == expected


def test_flag_with_no_one_to_route_to_goes_to_fallback_and_is_reported(world, tmp_path):
    app, ids = world
    _, outbox_id = _flag(app, ids["orphan"], _finding())
    deliver(app, outbox_id, at(2), FileNotifier(tmp_path / "out"))
    with app.sessions() as s:
        assert s.scalars(select(Delivery.recipient)).all() == ["fallback@fvsd.example.ca"]
        assert (
            s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "alert.unrouted"))
            == 1
        )


def test_delivering_twice_sends_each_recipient_once(world, tmp_path):
    app, ids = world
    _, outbox_id = _flag(app, ids["acct"], _finding())
    notifier = FileNotifier(tmp_path / "out")
    assert deliver(app, outbox_id, at(2), notifier) == "sent"
    assert deliver(app, outbox_id, at(3), notifier) == "sent"
    with app.sessions() as s:
        rows = s.scalars(select(Delivery)).all()
    assert len(rows) == 2 and {r.attempts for r in rows} == {1}
    assert len(list((tmp_path / "out").glob("*.eml"))) == 2


class FlakyNotifier(FileNotifier):
    """Fails for the first ``failures`` sends, like a channel that is down for a while."""

    def __init__(self, folder, failures):
        super().__init__(folder)
        self.failures = failures
        self.calls = 0

    def send(self, message, recipient, name):
        self.calls += 1
        if self.calls <= self.failures:
            raise DeliveryError("connection refused")
        return super().send(message, recipient, name)


def test_outage_leaves_alert_pending_then_delivers_the_missing_copy_only(world, tmp_path):
    app, ids = world
    _, outbox_id = _flag(app, ids["acct"], _finding())
    notifier = FlakyNotifier(tmp_path / "out", failures=1)
    # When the channel is down for the first copy
    with pytest.raises(DeliveryError):
        deliver(app, outbox_id, at(2), notifier)
    with app.sessions() as s:
        item = s.get(OutboxItem, outbox_id)
        assert item.status == "pending" and item.attempts == 1 and item.last_error
        assert sorted(d.status for d in s.scalars(select(Delivery))) == ["delivered", "pending"]
    # Then the retry sends only the copy that was missing
    assert deliver(app, outbox_id, at(3), notifier) == "sent"
    assert notifier.calls == 3
    assert len(list((tmp_path / "out").glob("*.eml"))) == 2


def test_hostile_platform_text_is_escaped_and_cannot_inject_headers(world, tmp_path):
    app, ids = world
    finding = _finding(excerpt=HOSTILE, subject="comment:c9", explanation="Overdue comment.")
    _, outbox_id = _flag(app, ids["acct"], finding, url="javascript:alert(3)")
    deliver(app, outbox_id, at(2), FileNotifier(tmp_path / "out"))
    for path in (tmp_path / "out").glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert message["Bcc"] is None and "\n" not in message["Subject"]
        html = message.get_body(("html",)).get_content()
        assert "<script>" not in html and "&lt;script&gt;" in html
        assert "<img" not in html
        assert 'href="javascript:' not in html
        text = message.get_body(("plain",)).get_content()
        assert "Procedure 417" in text and "What to do:" in text
