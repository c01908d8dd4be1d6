"""Discovery: link-back from the schools' sites, platform search within budget, decisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from googleapiclient.http import HttpMockSequence
from sqlalchemy import func, select

from connectors.sandbox_sites import SandboxSites
from monitor.core.app import App
from monitor.ingest.discover import run_discovery
from monitor.registry import secrets, usage
from monitor.registry.candidates import CandidateError, Registration, decide
from monitor.storage.db import session_factory
from monitor.storage.models import Account, AuditEntry, Candidate
from tests.support import factory

NOW = factory.at(30)
PAGE = """<a href="https://twitter.com/riversidegr5">Grade 5</a>
<a href="https://www.instagram.com/riverside.eagles/?hl=en">Eagles</a>"""


@pytest.fixture
def app(settings, engine, tmp_path):
    site = tmp_path / "websites" / "riverside.fvsd.example.ca"
    site.mkdir(parents=True)
    (site / "index.html").write_text(PAGE)
    sites = SandboxSites(tmp_path / "websites")
    built = App(settings=settings, engine=engine, sessions=session_factory(engine))
    built.transports.update(web=sites.session(), web_resolve=sites.knows)
    with built.sessions() as s, s.begin():
        base = factory.district(s)
        factory.account(
            s, base["school"], base["principal"], "riv-x", platform="x", handle="@RiversideGr5"
        )
        yt = factory.account(s, base["school"], base["principal"], "riv-yt")
        yt.credentials = secrets.encrypt(settings, {"api_key": "AIzaTestKey"})
    return built


def _candidates(app):
    with app.sessions() as s:
        return [(c.identity, c.status, c.source) for c in s.scalars(select(Candidate))]


def _accounts(app):
    with app.sessions() as s:
        return s.scalar(select(func.count(Account.id)))


def test_link_back_finds_the_unregistered_account_and_never_polls_it(app):
    report = run_discovery(app, NOW, search=False)
    assert report.new == ["instagram:riverside.eagles"] and report.registered == 1
    assert _candidates(app) == [
        ("instagram:riverside.eagles", "new", "linked from https://riverside.fvsd.example.ca")
    ]
    assert _accounts(app) == 2  # a candidate is not an account: nothing polls it
    # the district's site has no page in the sandbox: said, not a crash
    assert report.sites["https://www.fvsd.example.ca"].startswith("not read")
    again = run_discovery(app, factory.at(40), search=False)
    assert again.new == [] and again.seen_again == 1 and len(_candidates(app)) == 1


SEARCH = {
    "kind": "youtube#searchListResponse",
    "etag": "e1",
    "regionCode": "CA",
    "pageInfo": {"totalResults": 2, "resultsPerPage": 10},
    "items": [
        {
            "kind": "youtube#searchResult",
            "etag": "e2",
            "id": {"kind": "youtube#channel", "channelId": "UCriversideEaglesSports1"},
            "snippet": {
                "publishedAt": "2025-09-02T16:00:00Z",
                "channelId": "UCriversideEaglesSports1",
                "title": "Riverside Elementary Eagles",
                "description": "Sports at Riverside Elementary, Fraser Valley School District.",
                "thumbnails": {},
                "channelTitle": "Riverside Elementary Eagles",
                "liveBroadcastContent": "none",
                "publishTime": "2025-09-02T16:00:00Z",
            },
        },
        {
            "kind": "youtube#searchResult",
            "etag": "e3",
            "id": {"kind": "youtube#channel", "channelId": "UCriversideElemOhio00001"},
            "snippet": {
                "publishedAt": "2020-01-02T16:00:00Z",
                "channelId": "UCriversideElemOhio00001",
                "title": "Riverside Elementary",
                "description": "Riverside Elementary School, Dayton, Ohio.",
                "thumbnails": {},
                "channelTitle": "Riverside Elementary",
                "liveBroadcastContent": "none",
                "publishTime": "2020-01-02T16:00:00Z",
            },
        },
    ],
}


def _searching(app, units=500):
    app.settings = app.settings.replace(
        discovery__youtube_search_account="riv-yt", discovery__youtube_search_units=units
    )
    mock = HttpMockSequence([({"status": "200"}, json.dumps(SEARCH))])
    app.transports["youtube"] = mock
    return mock


def test_a_search_counts_100_units_and_keeps_only_hits_naming_the_district(app):
    _searching(app)
    report = run_discovery(app, NOW)
    assert "instagram:riverside.eagles" in report.new
    assert "youtube:channel/UCriversideEaglesSports1" in report.new
    assert "youtube:channel/UCriversideElemOhio00001" not in report.new  # a namesake school
    with app.sessions() as s:
        assert usage.spent_today(s, "youtube", NOW) == (1, 100)  # against the day's quota
        assert usage.spent_today(s, "youtube", NOW, "search") == (1, 100)


class _Stages:
    def __init__(self) -> None:
        self.seen: list[list] = []

    def stage(self, label: str, total: int) -> None:
        self.seen.append([label, total, 0])

    def advance(self, count: int = 1) -> None:
        self.seen[-1][2] += count


def test_progress_hears_of_each_website_and_each_school_searched(app):
    _searching(app)
    stages = _Stages()
    run_discovery(app, NOW, progress=stages)
    # two units with a website (the district's and Riverside's), one school searched
    assert stages.seen == [["Reading websites", 2, 2], ["Searching YouTube", 1, 1]]


def test_a_search_over_budget_is_not_made_and_says_so(app):
    mock = _searching(app, units=100)
    with app.sessions() as s, s.begin():
        usage.record_search(s, "youtube", NOW, 1, 100)  # today's budget already spent
    report = run_discovery(app, NOW)
    assert any("over the discovery budget" in line for line in report.searches)
    assert not any(k.startswith("youtube:") for k in report.new)
    assert len(mock._iterable) == 1  # the search was never sent


def test_a_search_when_the_days_quota_is_kept_for_polls_is_not_made(app):
    _searching(app)
    with app.sessions() as s, s.begin():
        usage.record(s, "youtube", NOW, 50, 9_950)
    report = run_discovery(app, NOW)
    assert any("kept for polls" in line for line in report.searches)


def test_register_goes_through_approval_and_the_other_decisions_are_recorded(app):
    run_discovery(app, NOW, search=False)
    with app.sessions() as s:
        candidate_id = s.scalars(select(Candidate.id)).one()
    with app.sessions() as s, s.begin():
        with pytest.raises(CandidateError):
            decide(s, candidate_id, "register", "principal@fvsd.example.ca", NOW)
    with app.sessions() as s, s.begin():
        reg = Registration("riv-ig-eagles", "RIV", "coach@fvsd.example.ca", "Coach")
        decide(s, candidate_id, "register", "principal@fvsd.example.ca", NOW, "", reg)
    with app.sessions() as s:
        account = s.scalars(select(Account).where(Account.key == "riv-ig-eagles")).one()
        assert (account.platform, account.approval_status) == ("instagram", "pending")
        assert s.get_one(Candidate, candidate_id).status == "registered"
        assert s.scalars(
            select(AuditEntry).where(AuditEntry.action == "candidate.registered")
        ).one()
    with app.sessions() as s, s.begin(), pytest.raises(CandidateError, match="already decided"):
        decide(s, candidate_id, "personal", "principal@fvsd.example.ca", NOW)


def test_the_sandbox_district_sites_show_one_unregistered_account():
    folder = Path(__file__).resolve().parents[4] / "examples" / "sandbox-district" / "websites"
    sites = SandboxSites(folder)
    from connectors.web import read_page

    links = read_page(
        "https://riverside.fvsd.example.ca", session=sites.session(), resolve=sites.knows
    )
    assert [link.key for link in links] == [
        "x:riversidegr5",
        "facebook:riversideelementaryfvsd",
        "instagram:riverside.eagles.sports",
    ]
