"""``/discovery`` in the console: the accounts discovery found, scoped, and the decisions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from monitor.ingest.pipeline import poll_account, review_sweep
from monitor.jobs.scheduler import due_accounts
from monitor.notify.discovery import claim_discovery_alerts, deliver_discovery
from monitor.notify.routing import notifier_for
from monitor.storage.models import Account, AuditEntry, Candidate, Flag, OrgUnit
from tests.support.web_fixtures import HOSTILE, NOW, ROLES, build, csrf_of, post, sign_in

MOUNTAIN = "principal.mountain@fvsd.example.ca"


@pytest.fixture
def district(settings, engine):
    built = build(settings, engine)
    with built.app.sessions() as s, s.begin():
        units = {u.code: u.id for u in s.scalars(select(OrgUnit))}

        def found(identity, platform, handle, unit, source, hours=2):
            row = Candidate(
                identity=identity,
                platform=platform,
                handle=handle,
                url=f"https://www.instagram.com/{handle}/",
                source=source,
                org_unit_id=units[unit],
                first_seen_at=NOW - timedelta(hours=hours),
                last_seen_at=NOW - timedelta(hours=hours),
            )
            s.add(row)
            s.flush()
            return row.id

        built.ids["riv_candidate"] = found(
            "instagram:riverside.eagles",
            "instagram",
            "@riverside.eagles",
            "RIV",
            "linked from https://riverside.fvsd.example.ca",
        )
        built.ids["mtn_candidate"] = found(
            "instagram:mountain.band",
            "instagram",
            "@mountain.band",
            "MTN",
            "linked from https://mountain.fvsd.example.ca",
        )
        built.ids["hostile_candidate"] = found(
            "x:hostile", "x", HOSTILE, "RIV", f"X search for '{HOSTILE}'", hours=3
        )
    return built


def _client(district, role="supervisor", email=None):
    client = district.client()
    assert sign_in(client, email or ROLES[role]).status_code == 303
    return client


def _candidate(district, key):
    with district.app.sessions() as s:
        row = s.get_one(Candidate, district.ids[key])
        s.expunge(row)
        return row


def _audit(district, action):
    with district.app.sessions() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _register(client, district, key="riv-ig-eagles", unit="RIV", candidate="riv_candidate"):
    return post(
        client,
        "/discovery",
        f"/discovery/{district.ids[candidate]}/decide",
        {
            "decision": "register",
            "key": key,
            "org_unit": unit,
            "owner_email": "coach@fvsd.example.ca",
            "owner_name": "Coach Kim",
        },
    )


def test_a_supervisor_sees_only_the_candidates_of_their_units(district):
    page = _client(district).get("/discovery")
    assert page.status_code == 200
    assert "@riverside.eagles" in page.text and "@mountain.band" not in page.text
    assert "2 wait for a decision" in page.text
    assert "Riverside Elementary (RIV)" in page.text
    assert 'href="https://riverside.fvsd.example.ca"' in page.text  # the page that linked it
    assert "First seen Wed 16 Sep 2026 08:00 PDT (2 hours ago)" in page.text  # local time
    other = _client(district, email=MOUNTAIN).get("/discovery")
    assert "@mountain.band" in other.text and "@riverside.eagles" not in other.text


def test_an_administrator_and_an_auditor_see_every_candidate_but_only_one_decides(district):
    admin = _client(district, "admin").get("/discovery")
    auditor = _client(district, "auditor").get("/discovery")
    for page in (admin, auditor):
        assert page.status_code == 200
        assert "@riverside.eagles" in page.text and "@mountain.band" in page.text
    assert "Not ours" in admin.text and "Not ours" not in auditor.text


def test_the_auditor_cannot_decide_and_it_and_communications_cannot_open_the_page(district):
    auditor = _client(district, "auditor")
    refused = post(
        auditor,
        "/discovery",
        f"/discovery/{district.ids['riv_candidate']}/decide",
        {"decision": "not-ours"},
    )
    assert refused.status_code == 403 and "Not for your role" in refused.text
    assert _candidate(district, "riv_candidate").status == "new"
    for role in ("it", "communications"):
        client = _client(district, role)
        assert client.get("/discovery").status_code == 403
        assert 'href="/discovery"' not in client.get("/").text  # not in their navigation
        token = csrf_of(client.get("/").text)
        posted = client.post(
            f"/discovery/{district.ids['riv_candidate']}/decide",
            data={"csrf": token, "decision": "not-ours"},
        )
        assert posted.status_code == 403
    assert _candidate(district, "riv_candidate").status == "new"


def test_another_units_candidate_answers_404_like_one_that_does_not_exist(district):
    client = _client(district)
    for candidate_id in (district.ids["mtn_candidate"], 999_999, 2**40):
        response = post(
            client, "/discovery", f"/discovery/{candidate_id}/decide", {"decision": "not-ours"}
        )
        assert response.status_code == 404
    assert _candidate(district, "mtn_candidate").status == "new"


def test_a_decision_without_the_csrf_token_changes_nothing(district):
    client = _client(district)
    client.get("/discovery")
    refused = client.post(
        f"/discovery/{district.ids['riv_candidate']}/decide",
        data={"csrf": "forged", "decision": "not-ours"},
    )
    assert refused.status_code == 403 and "Form expired" in refused.text
    assert _candidate(district, "riv_candidate").status == "new"


@pytest.mark.parametrize(
    ("decision", "status", "shown"),
    [
        ("not-ours", "not_ours", "not ours"),
        ("personal", "personal", "personal account of staff: out of scope"),
    ],
)
def test_not_ours_and_personal_are_recorded_audited_and_can_be_undone(
    district, decision, status, shown
):
    client = _client(district)
    target = district.ids["riv_candidate"]
    done = post(client, "/discovery", f"/discovery/{target}/decide", {"decision": decision})
    assert done.status_code == 303 and done.headers["location"] == f"/discovery?done={decision}"
    row = _candidate(district, "riv_candidate")
    assert (row.status, row.decided_by, row.decided_at) == (status, ROLES["supervisor"], NOW)
    (entry,) = _audit(district, f"candidate.{status}")
    assert (entry.actor, entry.object_id) == (ROLES["supervisor"], "instagram:riverside.eagles")
    waiting = client.get("/discovery")
    assert "@riverside.eagles" not in waiting.text and "1 waits for a decision" in waiting.text
    decided = client.get("/discovery?show=decided")
    assert shown in decided.text and "Undo this decision" in decided.text
    undone = post(client, "/discovery?show=decided", f"/discovery/{target}/reopen")
    assert undone.status_code == 303
    assert _candidate(district, "riv_candidate").status == "new"
    assert len(_audit(district, "candidate.reopened")) == 1


def test_register_it_makes_an_account_that_waits_for_approval_and_is_not_polled_before(district):
    app = district.app
    client = _client(district)
    done = _register(client, district)
    assert done.status_code == 303
    with app.sessions() as s:
        account = s.scalars(select(Account).where(Account.key == "riv-ig-eagles")).one()
        account_id = account.id
        assert (account.platform, account.handle, account.approval_status) == (
            "instagram",
            "@riverside.eagles",
            "pending",
        )
        assert account.owner_email == "coach@fvsd.example.ca"
    assert _candidate(district, "riv_candidate").account_id == account_id
    assert len(_audit(district, "candidate.registered")) == 1
    assert len(_audit(district, "account.registered")) == 1
    decided = client.get("/discovery?show=decided")
    assert "registered as riv-ig-eagles (waiting for approval)" in decided.text
    assert "riv-ig-eagles" in client.get("/accounts").text  # in "Waiting for approval"

    later = NOW + timedelta(days=5)
    assert account_id not in {a.id for a in due_accounts(app, later)}
    assert poll_account(app, account_id, later).outcome == "skipped"
    review_sweep(app, later)
    with app.sessions() as s:
        keys = {f.dedup_key for f in s.scalars(select(Flag).where(Flag.account_id == account_id))}
        assert s.get_one(Account, account_id).last_polled_at is None
    # no supervisor approval is a flag; "not checked lately" is not (it waits on purpose)
    assert keys == {"account.unapproved:riv-ig-eagles:approval:pending"}

    approved = post(
        client, "/accounts", f"/accounts/{account_id}/approve", {"confirm": "yes", "note": "ok"}
    )
    assert approved.status_code == 303
    assert account_id in {a.id for a in due_accounts(app, later)}


def test_undoing_a_registration_retires_the_account_while_it_waits_for_approval(district):
    client = _client(district)
    _register(client, district)
    target = district.ids["riv_candidate"]
    assert post(client, "/discovery?show=all", f"/discovery/{target}/reopen").status_code == 303
    with district.app.sessions() as s:
        account = s.scalars(select(Account).where(Account.key == "riv-ig-eagles")).one()
        assert (account.status, account.approval_status) == ("retired", "rejected")
    row = _candidate(district, "riv_candidate")
    assert (row.status, row.account_id) == ("new", None)
    assert len(_audit(district, "account.retired")) == 1


def test_a_supervisor_cannot_register_into_another_unit_and_is_told_why(district):
    client = _client(district)
    refused = _register(client, district, unit="MTN")
    assert refused.status_code == 400 and "Choose one of your organisation units" in refused.text
    taken = _register(client, district, key="riv-yt")  # the fixtures' Riverside channel
    assert taken.status_code == 400 and "is taken; choose another" in taken.text
    assert _candidate(district, "riv_candidate").status == "new"


def test_hostile_handles_and_sources_are_escaped(district):
    page = _client(district).get("/discovery")
    assert "<script>" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;" in page.text
    assert 'onerror="' not in page.text


def test_the_dashboard_and_the_navigation_point_to_undecided_candidates(district):
    client = _client(district)
    home = client.get("/")
    assert 'href="/discovery"' in home.text
    assert "Accounts found that are not in the registry (2)" in home.text
    for candidate in ("riv_candidate", "hostile_candidate"):
        post(
            client,
            "/discovery",
            f"/discovery/{district.ids[candidate]}/decide",
            {"decision": "not-ours"},
        )
    assert "Accounts found that are not in the registry" not in client.get("/").text


def test_the_weekly_alerts_link_opens_the_page(district):
    app = district.app
    claimed = claim_discovery_alerts(app, NOW)
    assert len(claimed) == 2  # Riverside's and Mountain's supervisors
    for outbox_id in claimed:
        assert deliver_discovery(app, outbox_id, NOW, notifier_for(app)) == "sent"
    sent = {path.read_text() for path in app.settings.outbox_dir.glob("discovery-*.eml")}
    riverside = next(text for text in sent if ROLES["supervisor"] in text)
    links = set(re.findall(r"https://testserver/[^\s\"<>]*", riverside))
    assert links == {"https://testserver/discovery"}
    client = district.client()
    assert client.get("/discovery", follow_redirects=False).status_code == 303  # sign in first
    sign_in(client, ROLES["supervisor"])
    page = client.get(links.pop().removeprefix("https://testserver"))
    assert page.status_code == 200 and "@riverside.eagles" in page.text
