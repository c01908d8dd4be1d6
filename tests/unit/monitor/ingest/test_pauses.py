"""X's monthly usage cap: the real X connector (X API v2 faked with ``responses``, the 429
``usage-capped`` problem as X sends it), the scheduler and the Dramatiq actors.

The account's polls pause until the cap resets, one notice goes to IT per cap and period
however many accounts hit it, the digest and ``flags list`` show it, and nothing retries
or floods the log while the cap holds.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from typing import Any

import dramatiq
import pytest
import requests
import responses
from click.testing import CliRunner
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import select

import connectors
from monitor.cli import main
from monitor.core.app import App
from monitor.ingest import pipeline
from monitor.ingest.pauses import notice_key
from monitor.jobs import scheduler
from monitor.jobs.broker import in_process_worker
from monitor.jobs.tasks import Tasks
from monitor.notify.delivery import deliver
from monitor.notify.digest import digest_context
from monitor.notify.render import render
from monitor.registry import secrets
from monitor.storage.db import session_factory
from monitor.storage.models import Account, AuditEntry, Flag, OutboxItem, Supervisor
from tests.support import factory
from tests.support.connector_cases import x

NOW = x.NOW  # 2026-09-14 15:00 UTC
RESETS = datetime(2026, 10, 10, tzinfo=UTC)  # cap_reset_day 10 (GET /2/usage/tweets)
PAC_ID = "1500000000000000002"
PROFILES = re.compile(re.escape(x.API) + r"/users/\d+(\?.*)?$")
HOSTILE = {**x.USAGE_CAPPED, "detail": "Usage cap exceeded: <script>alert(1)</script>"}


@pytest.fixture
def app(engine, settings):
    """Two X accounts of one school on the same X Project (so under the same cap)."""
    settings = settings.replace(delivery__it_email="it-desk@fvsd.example.ca")
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        for key, user_id, handle in (
            ("riv-x", x.USER_ID, f"@{x.HANDLE}"),
            ("riv-pac", PAC_ID, "@riversidepac"),
        ):
            account = factory.account(
                s,
                d["school"],
                d["principal"],
                key,
                platform="x",
                external_id=user_id,
                handle=handle,
                audience="public",
                educational_need="School news for families",
                registered_at=NOW - timedelta(days=1),  # "not checked recently" after 3 days
            )
            account.credentials = secrets.encrypt(settings, {"bearer_token": x.SECRET})
    app = App(settings=settings, engine=engine, sessions=session_factory(engine))
    app.transports["x"] = requests.Session()
    return app


def capped(mock: responses.RequestsMock, body: dict[str, Any] = x.USAGE_CAPPED) -> None:
    """Every read answers X's 429 usage-capped problem; the usage endpoint says day 10."""
    mock.get(PROFILES, json=body, status=429)
    mock.get(f"{x.API}/usage/tweets", json=x.USAGE)


def working(mock: responses.RequestsMock) -> None:
    """The cap has reset: the first account's poll works, the second has nothing new."""
    x.script_full(mock)
    for path in ("tweets", "mentions"):
        mock.get(f"{x.API}/users/{PAC_ID}/{path}", json=x.EMPTY)
    mock.get(f"{x.API}/users/{PAC_ID}", json=x.user())


def accounts(app: App) -> dict[str, Account]:
    with app.sessions() as s:
        return {a.key: a for a in s.scalars(select(Account))}


def notices(app: App) -> list[OutboxItem]:
    with app.sessions() as s:
        return list(s.scalars(select(OutboxItem).where(OutboxItem.kind == "notice")))


def cli(app: App, *args: str) -> str:
    env = {
        "HALLWATCH_VAR_DIR": str(app.settings.var_dir),
        "HALLWATCH_DATABASE_URL": app.engine.url.render_as_string(hide_password=False),
        "HALLWATCH_CONFIG": "",
    }
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


class Outcomes(dramatiq.Middleware):
    """Every message a worker processed: its actor, the exception it raised (a Retry
    included), and the retries Dramatiq counted on it."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, int]] = []

    def after_process_message(self, broker, message, *, result=None, exception=None):
        failed = type(exception).__name__ if exception is not None else ""
        self.seen.append((message.actor_name, failed, message.options.get("retries", 0)))


def test_a_capped_account_pauses_until_the_reset_with_no_retry_and_one_log_line(app, caplog):
    caplog.set_level(logging.DEBUG)
    outcomes = Outcomes()
    broker = StubBroker()
    broker.add_middleware(outcomes)
    tasks = Tasks(app, broker)
    worker = in_process_worker(broker, threads=2)
    ticks = [NOW + timedelta(minutes=m) for m in (0, 15, 30, 60, 6 * 60, 24 * 60, 7 * 24 * 60)]
    polled: list[int] = []
    try:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            capped(mock)
            # Given X's monthly cap is used up, when the scheduler ticks for a week
            for at in ticks:
                polled.append(len(scheduler.tick(app, tasks, at).polls))
                for queue in ("poll", "sweep", "digest", "deliver"):
                    broker.join(queue, fail_fast=True)
            calls = [c.request.url for c in mock.calls]
    finally:
        worker.stop()
    # Then each account is polled once, makes its two requests, and is paused until the reset
    assert polled == [2, 0, 0, 0, 0, 0, 0]
    assert len([u for u in calls if PROFILES.match(u.split("?")[0])]) == 2
    assert len([u for u in calls if "/usage/tweets" in u]) == 2
    for account in accounts(app).values():
        assert (account.status, account.paused_until) == ("active", RESETS)
        assert account.last_poll_outcome == "UsageCapped"
        assert account.pause_reason == "X API monthly product cap used up"
    # And no message was retried or failed (a rate limit would have retried eight times)
    polls = [o for o in outcomes.seen if o[0] == "poll_account"]
    assert polls == [("poll_account", "", 0)] * 2
    assert all(failed == "" and retries == 0 for _, failed, retries in outcomes.seen)
    # And the log says it once per account, at warning; nothing else warns (the weekly
    # discovery run, which the same ticks start, reads the test district's websites apart)
    warnings = [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name != "monitor.ingest.discover"
    ]
    assert len(warnings) == 2, [r.getMessage() for r in warnings]
    assert all("paused until 2026-10-10 00:00 UTC" in r.getMessage() for r in warnings)
    assert len([r for r in caplog.records if "cap" in r.getMessage().lower()]) == 2
    # And neither a poll problem nor "not checked recently" is flagged per account
    with app.sessions() as s:
        assert not [
            f.dedup_key for f in s.scalars(select(Flag).where(Flag.rule_id == "account.unapproved"))
        ]
    # And one notice went to IT for the cap, not one per account
    (notice,) = notices(app)
    assert notice.status == "sent"
    sent = sorted(p.name for p in app.settings.outbox_dir.glob("notice-*.eml"))
    assert len(sent) == 2 and {"it-desk" in n or "it-help" in n for n in sent} == {True}


def test_polls_resume_by_themselves_when_the_cap_resets(app):
    tasks = Tasks(app, StubBroker())
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        capped(mock)
        for account in accounts(app).values():
            pipeline.poll_account(app, account.id, NOW)
    # Given the accounts are paused until 10 October; a day before, nothing is due
    assert scheduler.due_accounts(app, RESETS - timedelta(days=1)) == []
    # When the cap has reset and the scheduler ticks
    after = RESETS + timedelta(minutes=5)
    due = scheduler.tick(app, tasks, after).polls
    assert sorted(due) == sorted(a.id for a in accounts(app).values())
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        working(mock)
        results = [pipeline.poll_account(app, account_id, after) for account_id in due]
    # Then the polls work and the pause is over
    assert {r.outcome for r in results} == {"ok"}
    for account in accounts(app).values():
        assert (account.paused_until, account.pause_reason) == (None, "")
        assert (account.last_polled_at, account.last_poll_outcome) == (after, "ok")


def test_a_paused_account_is_not_asked_again_before_the_reset(app):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        capped(mock)
        first = pipeline.poll_account(app, accounts(app)["riv-x"].id, NOW)
    # When a poll message for it runs anyway (sent before the pause, or `hallwatch poll`)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        capped(mock)
        again = pipeline.poll_account(app, accounts(app)["riv-x"].id, NOW + timedelta(hours=1))
        asked = len(mock.calls)
    # Then it asks X nothing and says it is paused
    assert (first.outcome, again.outcome, asked) == ("paused", "paused", 0)
    assert len(first.new_outbox) == 1 and again.new_outbox == []


def test_the_one_notice_names_the_cap_and_what_it_can_do_and_escapes_x_words(app):
    # Given both accounts hit the cap, X's explanation carrying markup
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        capped(mock, HOSTILE)
        results = [pipeline.poll_account(app, a.id, NOW) for a in accounts(app).values()]
    # Then one notice is queued, by the first account to hit the cap
    (notice,) = notices(app)
    assert [r.new_outbox for r in results] == [[notice.id], [notice.id]]  # still pending
    # When it is delivered (twice: at-least-once)
    assert deliver(app, notice.id, NOW) == "sent"
    assert deliver(app, notice.id, NOW) == "sent"
    files = sorted(app.settings.outbox_dir.glob("notice-*.eml"))
    recipients = {"it-desk@fvsd.example.ca", "it-help@fvsd.example.ca"}
    assert len(files) == len(recipients)  # IT only: no supervisor, once each
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    # Then it names the cap, when polls resume, the accounts, and how IT resumes them
    assert "X API monthly product cap used up" in message["Subject"]
    for words in (
        "Cap: X API monthly product cap",
        "Polls resume: 2026-10-10 00:00 UTC, when the cap resets.",
        "@riversideelem (riv-x), until 2026-10-10 00:00 UTC",
        "@riversidepac (riv-pac), until 2026-10-10 00:00 UTC",
        "hallwatch accounts resume --platform x --by YOUR-EMAIL",
        "console.x.com",
    ):
        assert words in text, words
    # And X's own words are shown escaped, never as markup
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_digest_and_flags_list_show_paused_accounts_and_it_can_resume_them(app):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        capped(mock, HOSTILE)
        for account in accounts(app).values():
            pipeline.poll_account(app, account.id, NOW)
    # Then IT's digest lists both paused accounts with the cap and the reset (escaped)
    with app.sessions() as s:
        it = s.scalars(select(Supervisor).where(Supervisor.role == "it")).one()
        text, html = render("digest", **digest_context(s, app, it, NOW))
    assert "Polls paused by a usage cap" in text
    for handle in ("@riversideelem", "@riversidepac"):
        assert f"{handle} (x, riv-" in text
    assert "X API monthly product cap used up, until 2026-10-10 00:00 UTC" in text
    assert "Not checked recently" not in text and "<script>" not in html
    # And `hallwatch flags list` says so, with the command that resumes them
    listed = cli(app, "flags", "list")
    assert (
        "Polls paused: riv-x (X API monthly product cap used up) until 2026-10-10 00:00 UTC; "
        "once IT raised the plan: hallwatch accounts resume riv-x --by EMAIL"
    ) in listed
    # When IT raised the plan and resumes the X accounts
    out = cli(app, "accounts", "resume", "--platform", "x", "--by", "it-help@fvsd.example.ca")
    assert "resumed: riv-pac, riv-x" in out
    # Then they are due at the next tick, and the resume is audited
    later = NOW + timedelta(minutes=1)
    assert {a.key for a in scheduler.due_accounts(app, later)} == {"riv-x", "riv-pac"}
    with app.sessions() as s:
        actors = s.scalars(select(AuditEntry.actor).where(AuditEntry.action == "account.resumed"))
        assert list(actors) == ["it-help@fvsd.example.ca"] * 2
    # And if the cap still holds they pause again, with no second notice for the same cap
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        capped(mock)
        pipeline.poll_account(app, accounts(app)["riv-x"].id, later)
    assert accounts(app)["riv-x"].paused_until == RESETS and len(notices(app)) == 1


def test_resume_says_what_it_did_not_find(app):
    env_out = CliRunner().invoke(
        main,
        ["accounts", "resume", "riv-x", "--by", "it-help@fvsd.example.ca"],
        env={
            "HALLWATCH_VAR_DIR": str(app.settings.var_dir),
            "HALLWATCH_DATABASE_URL": app.engine.url.render_as_string(hide_password=False),
            "HALLWATCH_CONFIG": "",
        },
    )
    assert env_out.exit_code == 1 and "no paused account matches" in env_out.output
    nothing = CliRunner().invoke(main, ["accounts", "resume", "--by", "it@fvsd.example.ca"])
    assert nothing.exit_code == 2 and "name the accounts to resume" in nothing.output


def _cap(**kw: Any) -> connectors.UsageCapped:
    values: dict[str, Any] = {"resets_at": RESETS, "exact": True, "period": "Monthly"}
    values["scope"] = "Product"
    return connectors.UsageCapped("x: capped", **(values | kw))


@pytest.mark.parametrize(
    ("cap", "account", "now", "key"),
    [
        # the reset day is known: the period is the one ending then, for every account
        (_cap(), "riv-x", NOW, "notice:usage-capped:x:product:2026-10-10"),
        (_cap(), "riv-pac", NOW + timedelta(days=9), "notice:usage-capped:x:product:2026-10-10"),
        # X did not say: one notice per calendar month while it lasts
        (_cap(exact=False), "riv-x", NOW, "notice:usage-capped:x:product:2026-09"),
        (
            _cap(exact=False),
            "riv-pac",
            NOW + timedelta(days=3),
            "notice:usage-capped:x:product:2026-09",
        ),
        (
            _cap(exact=False),
            "riv-x",
            NOW + timedelta(days=20),
            "notice:usage-capped:x:product:2026-10",
        ),
        # a daily cap: one notice per day
        (
            _cap(period="Daily", exact=False, resets_at=datetime(2026, 9, 15, tzinfo=UTC)),
            "riv-x",
            NOW,
            "notice:usage-capped:x:product:2026-09-15",
        ),
        # a cap on one account (not the Project) is that account's own
        (_cap(scope="Account"), "riv-x", NOW, "notice:usage-capped:x:account:2026-10-10:riv-x"),
        (_cap(scope=""), "riv-x", NOW, "notice:usage-capped:x:plan:2026-10-10"),
    ],
)
def test_one_notice_per_cap_and_period(cap, account, now, key):
    assert notice_key("x", cap, account, now) == key
