"""Owners acknowledge Procedure 417 through a signed, one-time e-mailed link; no console account."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from monitor.access.links import action_url, procedure_url
from monitor.ingest.pipeline import procedure_sweep
from monitor.notify.acknowledgements import claim_requests, pending_requests
from monitor.notify.delivery import deliver
from monitor.notify.routing import notifier_for
from monitor.registry.acknowledge import standing
from monitor.storage.models import Account, Acknowledgement, AuditEntry, Flag
from tests.support.web_fixtures import NOW, ROLES, build, csrf_of, sign_in

OWNER = "patel@fvsd.example.ca"  # owns riv-yt and mtn-yt in the web fixtures


@pytest.fixture
def district(settings, engine):
    return build(settings.replace(procedure__version="2", procedure__grace_days=0), engine)


def _path(district, account="riv_account", recipient=OWNER, expires=None):
    url = procedure_url(
        district.app.settings,
        recipient,
        district.ids[account],
        expires or NOW + timedelta(days=14),
    )
    return url.removeprefix(district.app.settings.web.base_url)


def _confirm(client, path, **form):
    page = client.get(path)
    assert page.status_code == 200, page.text
    data = {"csrf": csrf_of(page.text), "version": "2", "understood": "yes", **form}
    return client.post(path, data=data)


def _acks(district):
    with district.app.sessions() as s:
        return list(s.scalars(select(Acknowledgement)))


def test_the_page_shows_the_key_points_and_opening_it_records_nothing(district):
    client = district.client()
    page = client.get(_path(district))
    assert page.status_code == 200
    assert "I have read and understood" in page.text and "Version 2" in page.text
    assert "District email address" in page.text  # a key point, from core/procedure.py
    assert _acks(district) == []


def test_confirming_records_who_when_and_which_version_and_resolves_the_flags(district):
    app = district.app
    claim_requests(app, NOW - timedelta(days=1))  # asked yesterday; grace 0 in this test
    procedure_sweep(app, NOW)
    with app.sessions() as s:
        flags = list(s.scalars(select(Flag).where(Flag.rule_id == "account.unacknowledged")))
    assert len(flags) == 2  # riv-yt and mtn-yt, one owner
    done = _confirm(district.client(), _path(district))
    assert done.status_code == 200 and "Recorded" in done.text
    (ack,) = _acks(district)
    assert (ack.email, ack.procedure_version, ack.acknowledged_at) == (OWNER, "2", NOW)
    with app.sessions() as s:
        statuses = {
            f.status
            for f in s.scalars(select(Flag).where(Flag.rule_id == "account.unacknowledged"))
        }
        assert statuses == {"resolved"}
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "procedure.acknowledged")
        ).one()
        assert entry.actor == OWNER
        assert standing(s, app.settings, OWNER, NOW).current


def test_a_link_used_twice_works_once(district):
    path = _path(district)
    assert _confirm(district.client(), path).status_code == 200
    again = district.client().get(path)
    assert again.status_code == 410 and "already been used" in again.text
    assert len(_acks(district)) == 1


def test_an_expired_link_is_refused(district):
    path = _path(district, expires=NOW - timedelta(minutes=1))
    page = district.client().get(path)
    assert page.status_code == 410 and "expired" in page.text
    assert _acks(district) == []


def test_a_link_for_an_account_the_recipient_no_longer_owns_is_refused(district):
    path = _path(district)
    with district.app.sessions() as s, s.begin():
        s.get_one(Account, district.ids["riv_account"]).owner_email = "k.liu@fvsd.example.ca"
    page = district.client().get(path)
    assert page.status_code == 410 and "wrong account" in page.text
    assert _acks(district) == []


def test_a_tampered_or_flag_link_token_does_not_open_the_page(district):
    path = _path(district)
    assert district.client().get(path[:-3] + "xyz").status_code == 410
    flag_link = action_url(district.app.settings, OWNER, "ack", 1, NOW + timedelta(days=1))
    token = flag_link.rsplit("/", 1)[1]
    assert district.client().get(f"/p/{token}").status_code == 410  # another kind of link


def test_a_version_bump_between_opening_and_confirming_records_nothing(district):
    client = district.client()
    path = _path(district)
    page = client.get(path)
    done = client.post(path, data={"csrf": csrf_of(page.text), "version": "1", "understood": "yes"})
    assert done.status_code == 410 and "updated" in done.text
    assert _acks(district) == []


def test_a_post_without_the_browser_csrf_token_changes_nothing(district):
    client = district.client()
    path = _path(district)
    client.get(path)
    refused = client.post(path, data={"csrf": "forged", "version": "2", "understood": "yes"})
    assert refused.status_code == 403 and _acks(district) == []


def test_someone_signed_in_as_another_person_cannot_use_the_link(district):
    client = district.client()
    sign_in(client, ROLES["admin"])
    page = client.get(_path(district))
    assert page.status_code == 410 and "someone else" in page.text


def test_requests_go_once_a_week_through_the_send_once_engine(district):
    app = district.app
    claimed, asked = claim_requests(app, NOW)
    assert len(claimed) == 1 and asked == []  # one owner, two accounts: one e-mail
    again, asked = claim_requests(app, NOW + timedelta(hours=1))
    assert again == [] and asked == [OWNER]
    for outbox_id in pending_requests(app):
        assert deliver(app, outbox_id, NOW, notifier_for(app)) == "sent"
        assert deliver(app, outbox_id, NOW, notifier_for(app)) == "sent"  # no second copy
    sent = list(app.settings.outbox_dir.glob("ack-request-*.eml"))
    assert len(sent) == 1
    text = sent[0].read_text()
    assert "/p/" in text and "Procedure 417" in text
    next_week, _ = claim_requests(app, NOW + timedelta(days=7))
    assert len(next_week) == 1  # the weekly reminder


def test_a_version_bump_asks_everyone_again(district):
    app = district.app
    with app.sessions() as s, s.begin():
        s.add(Acknowledgement(email=OWNER, procedure_version="2", acknowledged_at=NOW, via="link"))
    assert claim_requests(app, NOW)[0] == []
    bumped = app.settings.replace(procedure__version="3")
    app.settings = bumped
    assert len(claim_requests(app, NOW)[0]) == 1


def test_the_account_page_section_shows_the_state(district):
    client = district.client()
    sign_in(client, ROLES["supervisor"])
    page = client.get(f"/accounts/{district.ids['riv_account']}/procedure")
    assert page.status_code == 200
    assert "has not acknowledged version 2" in page.text and "Administrative access" in page.text
    other = client.get(f"/accounts/{district.ids['mtn_account']}/procedure")
    assert other.status_code == 404  # another school's account


def test_the_account_page_compares_the_registrys_administrators_with_the_platforms(district):
    from monitor.registry.admins import Admin, save_platform_list

    account_id = district.ids["riv_account"]
    with district.app.sessions() as s, s.begin():
        s.get_one(Account, account_id).administrators = "patel@fvsd.example.ca; coach.kim@gmail.com"
        save_platform_list(
            s,
            account_id,
            NOW,
            "YouTube channel managers",
            [Admin("patel@fvsd.example.ca", "Patel"), Admin("former.vp@fvsd.example.ca", "VP")],
        )
    client = district.client()
    sign_in(client, ROLES["auditor"])
    page = client.get(f"/accounts/{account_id}/procedure").text
    rows = {
        m.group(1): m.group(0)
        for m in re.finditer(r"<tr>\s*<td[^>]*>[^<]*?([\w.]+@[\w.]+)[^<]*</td>.*?</tr>", page, re.S)
    }
    assert (
        "listed" in rows["patel@fvsd.example.ca"] and "has access" in rows["patel@fvsd.example.ca"]
    )
    assert "listed" in rows["coach.kim@gmail.com"] and "no access" in rows["coach.kim@gmail.com"]
    assert "not listed" in rows["former.vp@fvsd.example.ca"]
    assert "has access" in rows["former.vp@fvsd.example.ca"]
    assert "The platform's list was read" in page
