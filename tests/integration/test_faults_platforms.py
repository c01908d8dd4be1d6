"""Fault injection at the platforms: a storm of 429s, bursts of 5xx, and a token revoked in
the middle of a cycle, through the real Facebook (Graph API) and X (API v2) connectors,
their HTTP faked with ``responses``, polled by the Dramatiq actors on a worker, alerts over
real SMTP. Each test prints one ``fault=... lost=0 duplicates=0`` line (see
``tests/faultkit.py``)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import responses
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import select

from monitor.core.app import App
from monitor.core.settings import load_settings
from monitor.jobs.broker import in_process_worker
from monitor.jobs.tasks import Tasks
from monitor.registry import secrets
from monitor.registry.connect import set_credentials
from monitor.storage.db import make_engine, session_factory, upgrade
from monitor.storage.models import Account, Flag
from tests.support import factory, faultkit
from tests.support.connector_cases import facebook as fb
from tests.support.connector_cases import x
from tests.support.faultkit import Outcome, compare, outcome, received
from tests.unit.monitor.notify.test_channels import Server

NOW, LATER = fb.NOW, fb.LATER
X_PROFILE = f"{x.API}/users/{x.USER_ID}"
NEW_TOKEN = "EAAGm0PX4ZCpsBAOqZBZCnewPageTokenZDZD"
Script = Callable[[responses.RequestsMock], None]


@pytest.fixture
def smtp() -> Iterator[Server]:
    yield from faultkit.smtp_server()


def _app(engine: Any, settings: Any, smtp: Server) -> App:
    """A Facebook Page and an X account of one school, with working credentials."""
    settings = settings.replace(
        delivery__channel="smtp",
        smtp__host="127.0.0.1",
        smtp__port=smtp.port,
        smtp__security="none",
        delivery__it_email="it-help@fvsd.example.ca",
    )
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        page = factory.account(
            s,
            d["school"],
            d["principal"],
            "riv-fb",
            platform="facebook",
            external_id=fb.PAGE_ID,
            handle="@riversideelem",
            audience="public",
        )
        page.credentials = secrets.encrypt(settings, {"access_token": fb.TOKEN})
        feed = factory.account(
            s,
            d["school"],
            d["principal"],
            "riv-x",
            platform="x",
            external_id=x.USER_ID,
            handle=f"@{x.HANDLE}",
            audience="public",
        )
        feed.credentials = secrets.encrypt(settings, {"bearer_token": x.SECRET})
    app = App(settings=settings, engine=engine, sessions=session_factory(engine))
    app.transports.update(facebook=requests.Session(), x=requests.Session())
    return app


def _cycle(app: App, tasks: Tasks, at: Any, script: Script) -> None:
    """Poll every active account through the worker, with the platforms ``script`` fakes,
    and wait until every poll and every alert is done."""
    with app.sessions() as s:
        ids = list(s.scalars(select(Account.id).where(Account.status == "active")))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        script(mock)
        for account_id in ids:
            tasks.poll_account.send(account_id, at.isoformat())
        faultkit.drain(tasks, ("poll", "deliver"))


def _run(app: App, cycles: list[tuple[Any, Script]]) -> None:
    tasks = Tasks(app, StubBroker(), **faultkit.FAST_RETRIES)
    worker = in_process_worker(tasks.broker, threads=2)
    try:
        for at, script in cycles:
            _cycle(app, tasks, at, script)
    finally:
        worker.stop()


def _first(mock: responses.RequestsMock) -> None:
    fb.full_graph().install(mock)
    x.script_full(mock)


def _unchanged(mock: responses.RequestsMock) -> None:
    fb.unchanged_graph().install(mock)
    x.script_unchanged(mock)


NO_FAULT = [(NOW, _first), (LATER, _unchanged)]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """Two cycles, the first poll and an unchanged one, with no fault."""
    tmp = tmp_path_factory.mktemp("platforms-baseline")
    settings = load_settings(environ={**faultkit.ENV, "HALLWATCH_VAR_DIR": str(tmp / "var")})
    engine = make_engine(f"sqlite:///{tmp / 'hallwatch.db'}")
    upgrade(engine)
    server = Server()
    server.start()
    try:
        _run(_app(engine, settings, server), NO_FAULT)
        return outcome(engine, received(server))
    finally:
        server.stop()
        engine.dispose()


class _Bursty(fb.FakeGraph):
    """The fake Graph API, except that the requests numbered in ``fail`` get a 500."""

    def __init__(self, graph: fb.FakeGraph, fail: set[int]) -> None:
        super().__init__(graph.routes)
        self.fail, self.count = fail, 0

    def answer(self, request: Any) -> tuple[int, dict[str, str], str]:
        self.count += 1
        if self.count in self.fail:
            return 500, {"Content-Type": "application/json"}, json.dumps(fb.SERVER_ERROR)
        return super().answer(request)


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # the database plays no part
def test_storm_of_429s_and_bursts_of_5xx_are_waited_out_and_nothing_is_lost(
    engine, settings, smtp, baseline
):
    app = _app(engine, settings, smtp)
    storm: list[float] = []  # when X answered 429
    after_storm: list[float] = []
    reset = str(int(NOW.timestamp()) + 1)  # X: "come back in one second"

    def too_many(request: Any) -> tuple[int, dict[str, str], str]:
        storm.append(time.monotonic())
        return 429, {"x-rate-limit-reset": reset}, json.dumps(x.TOO_MANY)

    def profile(request: Any) -> tuple[int, dict[str, str], str]:
        after_storm.append(time.monotonic())
        return 200, {"Content-Type": "application/json"}, json.dumps(x.user())

    def stormy(mock: responses.RequestsMock) -> None:
        # Given X answers 429 to the next three polls, then a 503 burst on a later page;
        # responses answers a repeated match in order, each once, then the last one.
        for _ in range(3):
            mock.add_callback("GET", X_PROFILE, callback=too_many)
        mock.add_callback("GET", X_PROFILE, callback=profile)
        page_two = [x.query(pagination_token=x.NEXT_TOKEN)]
        for _ in range(2):
            mock.get(f"{X_PROFILE}/tweets", json=x.UNAVAILABLE, status=503, match=page_two)
        x.script_full(mock)
        # and the Graph API fails the first three requests and two in the middle of a poll
        _Bursty(fb.full_graph(), {1, 2, 3, 6, 7}).install(mock)

    # When the cycles run through the worker
    _run(app, [(NOW, stormy), (LATER, _unchanged)])
    # Then every 429 was honoured: the next request waited until the reset time
    assert len(storm) == 3 and after_storm
    waits = [b - a for a, b in zip(storm, [*storm[1:], after_storm[0]], strict=True)]
    assert min(waits) >= 0.95, waits
    # and once the storm passed the data is complete, nothing sent twice
    assert compare("429-storm+5xx", baseline, outcome(engine, received(smtp)))


def test_token_revoked_mid_cycle_flags_it_polls_the_rest_and_catches_up(
    engine, settings, smtp, baseline
):
    app = _app(engine, settings, smtp)

    def revoked(mock: responses.RequestsMock) -> None:
        # Given the Page's token is revoked (Graph code 190) while X answers normally
        fb.failing_graph(400, fb.AUTH_REVOKED).install(mock)
        x.script_full(mock)

    # When a cycle runs
    _run(app, [(NOW, revoked)])
    # Then the Page needs new credentials and X was still polled
    with app.sessions() as s:
        accounts = {a.key: a for a in s.scalars(select(Account))}
        problem = s.scalars(select(Flag).where(Flag.dedup_key.endswith(":credentials"))).one()
    assert accounts["riv-fb"].status == "credentials_broken"
    assert accounts["riv-fb"].cursor in (None, {})
    assert accounts["riv-x"].last_poll_outcome == "ok"
    # When IT sets a new token (checked with one call) and the next cycle runs
    with responses.RequestsMock() as mock:
        fb.FakeGraph().on("me", {"id": fb.PAGE_ID, "name": "Riverside Elementary"}).install(mock)
        set_credentials(app, "riv-fb", {"access_token": NEW_TOKEN}, "it-help", NOW)
    _run(app, [(LATER, _first)])
    # Then the Page catches up: the same flags and alerts as with no fault, none twice,
    # plus the account problem, alerted once each to IT and the supervisors
    got = outcome(engine, received(smtp))
    key = problem.dedup_key
    assert got.flags[key] == 1
    assert {r for k, r in got.alerts if k == key} == {
        "it-help@fvsd.example.ca",
        "principal.riverside@fvsd.example.ca",
        "vp.riverside@fvsd.example.ca",
    }
    assert all(n == 1 for (k, _), n in got.alerts.items() if k == key)
    rest = Outcome(
        +type(got.flags)({k: n for k, n in got.flags.items() if k != key}),
        +type(got.alerts)({k: n for k, n in got.alerts.items() if k[0] != key}),
    )
    assert compare("token-revoked", baseline, rest)
