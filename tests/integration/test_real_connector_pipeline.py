"""A real connector through the monitor: the Facebook connector, its Graph API faked with
``responses``, polled by the Dramatiq actor. Proves the token stays secret end to end."""

from __future__ import annotations

import json
import logging

import dramatiq
import pytest
import requests
import responses
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import inspect, select, text

from monitor.core.app import App
from monitor.jobs.tasks import Tasks
from monitor.notify.delivery import deliver, pending_outbox
from monitor.notify.routing import notifier_for
from monitor.registry import secrets
from monitor.registry.connect import set_credentials
from monitor.storage.db import session_factory
from monitor.storage.models import Account, Flag
from tests.support import factory
from tests.support.connector_cases import facebook as fb


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
