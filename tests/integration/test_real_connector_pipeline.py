"""A real connector through the monitor: the Facebook connector, its Graph API faked with
``responses``, polled by the Dramatiq actor. Proves the token stays secret end to end."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from email import message_from_bytes, policy

import dramatiq
import pytest
import requests
import responses
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import inspect, select, text

from monitor.core.app import App
from monitor.ingest.pipeline import poll_account
from monitor.jobs.tasks import Tasks
from monitor.notify.delivery import deliver, pending_outbox
from monitor.notify.digest import digest_context
from monitor.notify.render import render
from monitor.notify.routing import notifier_for
from monitor.registry import secrets
from monitor.registry.connect import moderate, set_credentials
from monitor.storage.db import session_factory
from monitor.storage.models import Account, Comment, Flag, Supervisor
from tests.support import factory
from tests.support.connector_cases import facebook as fb
from tests.support.connector_cases import x


@pytest.fixture
def app(engine, settings):
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        factory.account(
            s,
            d["school"],
            d["principal"],
            "riv-fb",
            platform="facebook",
            external_id=fb.PAGE_ID,
            handle="@riversideelem",
            audience="public",
        )
    return App(settings=settings, engine=engine, sessions=session_factory(engine))


def _with_graph(app, graph, body):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        graph.install(mock)
        app.transports["facebook"] = requests.Session()
        return body()


def _dump(engine) -> str:
    with engine.connect() as conn:
        return "".join(
            repr(conn.execute(text(f'SELECT * FROM "{t}"')).all())
            for t in inspect(engine).get_table_names()
        )


def _account(app):
    with app.sessions() as s:
        return s.scalars(select(Account).where(Account.key == "riv-fb")).one()


def test_token_never_leaks_through_poll_failure_flags_or_alerts(app, engine, caplog):
    caplog.set_level(logging.DEBUG)
    tasks = Tasks(app, StubBroker())
    check = fb.FakeGraph().on("me", {"id": fb.PAGE_ID, "name": "Riverside Elementary"})
    reached = _with_graph(
        app, check, lambda: set_credentials(app, "riv-fb", {"access_token": fb.TOKEN}, "it", fb.NOW)
    )
    assert "Riverside" in reached
    # Given a working Page, polled once by the actor
    _with_graph(
        app, fb.full_graph(), lambda: tasks.poll_account.fn(_account(app).id, fb.NOW.isoformat())
    )
    assert _account(app).last_poll_outcome == "ok"
    # When the token is revoked (Graph code 190)
    revoked = fb.failing_graph(400, fb.AUTH_REVOKED)
    later = fb.LATER.isoformat()
    _with_graph(app, revoked, lambda: tasks.poll_account.fn(_account(app).id, later))
    # Then the account is broken, flagged for IT, and the alert is written
    assert _account(app).status == "credentials_broken"
    with app.sessions() as s:
        flag = s.scalars(select(Flag).where(Flag.dedup_key.endswith(":credentials"))).one()
    assert flag.severity == "high"
    for outbox_id in pending_outbox(app):
        deliver(app, outbox_id, fb.LATER, notifier_for(app))
    alerts = "".join(p.read_text() for p in app.settings.outbox_dir.glob("*.eml"))
    assert "it-help@fvsd.example.ca" in alerts
    # And the token is nowhere: not in logs, the database, flags, audit rows or alerts
    assert fb.TOKEN not in caplog.text
    assert fb.TOKEN not in _dump(engine)
    assert fb.TOKEN not in alerts


def test_graph_rate_limit_becomes_a_retry_at_the_usage_header_time(app):
    tasks = Tasks(app, StubBroker())
    with app.sessions() as s, s.begin():
        s.get(Account, _account(app).id).credentials = secrets.encrypt(
            app.settings, {"access_token": fb.TOKEN}
        )
    limited = fb.failing_graph(
        400, fb.RATE_LIMITED, {"X-Business-Use-Case-Usage": json.dumps(fb.BUC_USAGE)}
    )
    with pytest.raises(dramatiq.Retry) as retry:
        _with_graph(
            app, limited, lambda: tasks.poll_account.fn(_account(app).id, fb.NOW.isoformat())
        )
    assert retry.value.delay == 15 * 60 * 1000  # estimated_time_to_regain_access: 15 minutes
    assert _account(app).status == "active" and _account(app).cursor == {}


def test_youtube_hide_is_recorded_with_its_50_quota_units(engine, settings):
    from googleapiclient.http import HttpMockSequence

    from monitor.registry.connect import moderate
    from monitor.storage.models import ApiUsage, AuditEntry, Comment
    from tests.support.connector_cases import youtube as yt

    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        acct = factory.account(
            s, d["school"], d["principal"], "riv-yt", platform="youtube", external_id=yt.CHANNEL
        )
        acct.credentials = secrets.encrypt(settings, yt.CREDENTIALS)
        s.flush()
        row = Comment(
            account_id=acct.id,
            external_id=yt.C_A["id"],
            post_external_id=yt.V1,
            created_at=yt.NOW,
            first_seen_at=yt.NOW,
            text="Who is the girl?",
            fingerprint="x",
        )
        s.add(row)
        s.flush()
        comment_id = row.id
    app = App(settings=settings, engine=engine, sessions=session_factory(engine))
    http = HttpMockSequence([yt.no_content()])
    app.transports["youtube"] = http
    moderate(app, comment_id, True, "student-information", "principal@fvsd.example.ca", yt.NOW)
    with app.sessions() as s:
        assert s.scalars(select(ApiUsage.units)).one() == 50
        assert s.get(Comment, comment_id).status == "hidden"
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "comment.hidden")).one()
        assert entry.actor == "principal@fvsd.example.ca"
        assert entry.detail["reason"] == "student-information"


HOSTILE_PERMISSION = fb.graph_error(
    10,
    "(#10) This endpoint requires the 'pages_read_engagement' permission <img src=x "
    "onerror=alert(1)> or the 'Page Public Content Access' feature.",
)


@pytest.mark.parametrize(
    ("body", "grant"),
    [
        (
            fb.PERMISSION_100,
            "the permission manage_pages or pages_read_engagement, or the feature 'Page Public "
            "Content Access' or 'Page Public Metadata Access' on Facebook",
        ),
        (
            HOSTILE_PERMISSION,
            "the permission pages_read_engagement, or the feature 'Page Public Content Access' "
            "on Facebook",
        ),
    ],
)
def test_a_missing_permission_alert_and_digest_name_what_it_must_grant(app, body, grant):
    with app.sessions() as s, s.begin():
        s.get(Account, _account(app).id).credentials = secrets.encrypt(
            app.settings, {"access_token": fb.TOKEN}
        )
    # Given the Page token lacks a permission (Graph code 100 or 10 naming it)
    refused = fb.failing_graph(400, body)
    result = _with_graph(app, refused, lambda: poll_account(app, _account(app).id, fb.NOW))
    # Then the poll problem is flagged with what to grant, not "refused the request"
    assert result.outcome == "ConfigurationError"
    with app.sessions() as s:
        flag = s.scalars(select(Flag).where(Flag.dedup_key.contains(":poll-problem:"))).one()
    advice = f"Grant the Hallwatch app {grant} (any one is enough), then set the new access "
    assert flag.details["grant"].startswith(advice)
    assert "`hallwatch accounts credentials riv-fb`" in flag.details["grant"]
    lacks = f"the Hallwatch app lacks {grant.removesuffix(' on Facebook')} (granting any one"
    assert f"Hallwatch cannot check @riversideelem on Facebook: {lacks}" in flag.explanation
    # And the alert to IT and the supervisor says it under "What to do", escaped
    for outbox_id in pending_outbox(app):
        deliver(app, outbox_id, fb.NOW, notifier_for(app))
    messages = [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in app.settings.outbox_dir.glob("alert-*.eml")
    ]
    [alert] = [m for m in messages if "it-help@fvsd.example.ca" in m["To"]]
    text = alert.get_body(preferencelist=("plain",)).get_content()
    html = alert.get_body(preferencelist=("html",)).get_content()
    assert f"What to do: {advice}" in text
    assert "pages_read_engagement" in html and "<img" not in html + text
    # And the digest lists the account as not checked, with what to grant
    with app.sessions() as s:
        principal = s.scalars(select(Supervisor).where(Supervisor.role == "supervisor")).one()
        text, html = render("digest", **digest_context(s, app, principal, fb.NOW))
    assert f"`hallwatch accounts credentials KEY`): @riversideelem (facebook): {lacks}" in text
    assert "Not checked recently" not in text  # listed once, with the reason
    assert "<img" not in html and "Page Public Content Access" in html


def test_a_reply_hidden_here_stays_hidden_on_later_polls(engine, settings):
    """X never says whether a reply is hidden: a reply Hallwatch hid stays "hidden" when X
    sends it again (here: re-read because the account answered it)."""
    user_keys = {
        "consumer_key": "ck-9f8e7d6c5b4a3f2e1d0c",
        "consumer_secret": "cs-Zq8Xw7Vu6Ts5Rq4Po3Nm2Lk1Jj0Ih9Gf8Ed7Cb6",
        "access_token": f"{x.USER_ID}-at7Hh6Gg5Ff4Ee3Dd2Cc1Bb0Aa",
        "access_token_secret": "ats-Yy9Xx8Ww7Vv6Uu5Tt4Ss3Rr2Qq1",
    }
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        feed = factory.account(
            s, d["school"], d["principal"], "riv-x", platform="x", external_id=x.USER_ID
        )
        feed.credentials = secrets.encrypt(settings, user_keys)
        feed_id = feed.id
    app = App(settings=settings, engine=engine, sessions=session_factory(engine))

    def polled(script, at):
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            script(mock)
            app.transports["x"] = requests.Session()
            return poll_account(app, feed_id, at)

    def statuses():
        with app.sessions() as s:
            return {c.external_id: c.status for c in s.scalars(select(Comment))}

    # Given a first poll stored the replies, and a principal hid C2 through Hallwatch
    assert polled(x.script_full, x.NOW).outcome == "ok"
    with app.sessions() as s:
        c2 = s.scalars(select(Comment.id).where(Comment.external_id == x.C2)).one()
    with responses.RequestsMock() as mock:
        mock.put(f"{x.API}/tweets/{x.C2}/hidden", json={"data": {"hidden": True}})
        app.transports["x"] = requests.Session()
        moderate(app, c2, True, "prohibited-language", "principal@fvsd.example.ca", x.NOW)
    assert statuses()[x.C2] == "hidden"

    # When the account answers C2 and C3, so X sends them again, as X does: no hidden state
    def answered(mock):
        mock.get(f"{x.API}/users/{x.USER_ID}", json=x.user())
        replies = [
            x.tweet(ident, "thanks!", 120, conversation=x.T2, reply_to=reply, reply_to_user=who)
            for ident, reply, who in (
                ("1835000000000000041", x.C3, x.NEIGHBOUR),
                ("1835000000000000040", x.C2, x.GUARDIAN),
            )
        ]
        mock.get(f"{x.API}/users/{x.USER_ID}/tweets", json=x.page(replies))
        mock.get(f"{x.API}/users/{x.USER_ID}/mentions", json=x.EMPTY)
        again = [t for t in x.mentions_page()["data"] if t["id"] in (x.C2, x.C3)]
        mock.get(f"{x.API}/tweets", json={"data": again, "includes": x.USERS})

    later = x.NOW + timedelta(hours=1)
    assert polled(answered, later).outcome == "ok"
    # Then C2 is still recorded hidden (and now answered), while C3 stays published
    with app.sessions() as s:
        rows = {c.external_id: c for c in s.scalars(select(Comment))}
    assert (rows[x.C2].status, rows[x.C2].replied_by_account) == ("hidden", True)
    assert rows[x.C3].status == "published"
    # And an unchanged poll later still says hidden
    assert polled(x.script_unchanged, later + timedelta(hours=1)).outcome == "ok"
    assert statuses()[x.C2] == "hidden"
