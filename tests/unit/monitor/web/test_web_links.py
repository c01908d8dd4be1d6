"""Signed action links from alert e-mails: bound to the recipient, expiring, single use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from monitor.access.links import action_url, alert_links, link_expiry
from monitor.storage.models import AuditEntry, Comment, Flag, UsedActionToken
from tests.support.web_fixtures import NOW, ROLES, build, csrf_of, sign_in

RECIPIENT = "principal.riverside@fvsd.example.ca"


@pytest.fixture
def district(settings, engine):
    return build(settings, engine)


def _path(district, action, target, recipient=RECIPIENT, expires=None):
    url = action_url(
        district.app.settings, recipient, action, target, expires or NOW + timedelta(days=7)
    )
    return url.removeprefix(district.app.settings.web.base_url)


def _status(district):
    with district.app.sessions() as s:
        return s.get_one(Flag, district.ids["riv_flag"]).status


def _confirm(client, path):
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(path, data={"csrf": csrf_of(page.text)}, follow_redirects=False)


def test_opening_a_link_changes_nothing_and_confirming_acts_as_the_recipient(district):
    client = district.client()
    path = _path(district, "ack", district.ids["riv_flag"])
    page = client.get(path)
    assert page.status_code == 200 and "Confirm: acknowledge flag" in page.text
    client.get(path)  # a mail scanner fetching it twice changes nothing either
    assert _status(district) == "open"
    done = client.post(path, data={"csrf": csrf_of(page.text)})
    assert done.status_code == 200 and "The flag is acknowledged" in done.text
    assert _status(district) == "acknowledged"
    with district.app.sessions() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "flag.acknowledged")).one()
        assert entry.actor == RECIPIENT


def test_a_comment_link_marks_the_comment_reviewed(district):
    client = district.client()
    assert (
        _confirm(client, _path(district, "review", district.ids["riv_comment"])).status_code == 200
    )
    with district.app.sessions() as s:
        assert s.get_one(Comment, district.ids["riv_comment"]).reviewed_by == RECIPIENT


def test_a_link_works_once(district):
    path = _path(district, "ack", district.ids["riv_flag"])
    assert _confirm(district.client(), path).status_code == 200
    again = district.client().get(path)
    assert again.status_code == 410 and "already been used" in again.text
    with district.app.sessions() as s:
        assert len(list(s.scalars(select(UsedActionToken)))) == 1


def test_a_second_post_of_the_same_link_is_refused(district):
    client = district.client()
    path = _path(district, "review", district.ids["riv_comment"])
    token = csrf_of(client.get(path).text)
    assert client.post(path, data={"csrf": token}).status_code == 200
    second = client.post(path, data={"csrf": token})
    assert second.status_code == 410 and "already been used" in second.text


def test_an_expired_link_is_refused(district):
    client = district.client()
    path = _path(district, "ack", district.ids["riv_flag"], expires=NOW + timedelta(hours=1))
    token = csrf_of(client.get(path).text)
    district.now[0] = NOW + timedelta(hours=2)
    for response in (client.get(path), client.post(path, data={"csrf": token})):
        assert response.status_code == 410 and "expired" in response.text
    assert _status(district) == "open"


def test_a_tampered_link_is_refused(district):
    client = district.client()
    path = _path(district, "ack", district.ids["riv_flag"])
    other = _path(district, "ack", district.ids["mtn_flag"])
    # another flag's payload under this link's signature
    forged = other.rsplit(".", 1)[0] + "." + path.rsplit(".", 1)[1]
    for bad in (path[:-3] + "abc", forged, "/a/not-a-token"):
        response = client.get(bad)
        assert response.status_code == 410 and "not valid" in response.text, bad
    assert _status(district) == "open"


def test_someone_signed_in_as_another_person_cannot_use_the_link(district):
    client = district.client()
    sign_in(client, ROLES["admin"])
    path = _path(district, "ack", district.ids["riv_flag"])
    response = client.get(path)
    assert response.status_code == 410 and "sent to someone else" in response.text
    assert _status(district) == "open"


def test_the_link_post_needs_the_csrf_token(district):
    client = district.client()
    path = _path(district, "ack", district.ids["riv_flag"])
    client.get(path)
    assert client.post(path, data={}).status_code == 403
    assert _status(district) == "open"


def test_alert_links_are_stable_per_recipient_and_carried_by_the_email(district):
    from monitor.notify.alerts import alert_message

    with district.app.sessions() as s:
        flag = s.get_one(Flag, district.ids["riv_flag"])
        first = alert_links(district.app.settings, s, flag, RECIPIENT)
        again = alert_links(district.app.settings, s, flag, RECIPIENT)
        other = alert_links(district.app.settings, s, flag, "vp.riverside@fvsd.example.ca")
        message = alert_message(district.app, flag, RECIPIENT, 1)
        expires = link_expiry(district.app.settings, flag.first_seen_at)
    assert first == again and first != other
    labels = [link.label for link in first]
    assert labels[:2] == ["Open in the console", "Acknowledge this flag"]
    assert any(label.startswith("Mark comment") for label in labels)
    assert expires == flag.first_seen_at + timedelta(days=7)
    text = message.get_body(("plain",)).get_content()
    assert first[1].url in text and "https://testserver/a/" in text


def test_a_link_sent_before_a_key_rotation_still_opens_until_the_old_key_is_dropped(district):
    path = _path(district, "ack", district.ids["riv_flag"])
    old = district.app.settings
    district.app.settings = old.replace(secret_key="rotated", previous_secret_keys=[old.master_key])
    page = district.client().get(path)
    assert page.status_code == 200 and "Confirm: acknowledge flag" in page.text
    fresh = _path(district, "ack", district.ids["riv_flag"])
    assert fresh != path  # new links are signed with the new key
    district.app.settings = district.app.settings.replace(previous_secret_keys=[])
    assert district.client().get(path).status_code == 410
    assert district.client().get(fresh).status_code == 200


# --- issue 14, item 4: a link answers to the present --------------------------------------


def test_a_link_stops_working_once_its_recipient_is_disabled(district):
    from monitor.access.users import disable_user

    path = _path(district, "ack", district.ids["riv_flag"])
    with district.app.sessions() as s, s.begin():
        disable_user(s, RECIPIENT, "admin@fvsd.example.ca", NOW)
    client = district.client()
    page = client.get(path)
    assert page.status_code == 410 and "no longer receives alerts" in page.text
    assert _status(district) == "open"


def test_a_link_stops_working_once_its_recipient_no_longer_supervises_the_account(district):
    from monitor.storage.models import Account, Supervisor

    path = _path(district, "ack", district.ids["riv_flag"])
    review = _path(district, "review", district.ids["riv_comment"])
    client = district.client()
    token = csrf_of(client.get(path).text)  # opened while still the supervisor ...
    with district.app.sessions() as s, s.begin():  # ... then the account changes hands
        other = s.scalars(
            select(Supervisor).where(Supervisor.email == "principal.mountain@fvsd.example.ca")
        ).one()
        s.get_one(Account, district.ids["riv_account"]).supervisor_id = other.id
    late = client.post(path, data={"csrf": token})
    assert late.status_code == 410 and "no longer receives alerts" in late.text
    assert client.get(review).status_code == 410
    assert _status(district) == "open"
    with district.app.sessions() as s:
        assert s.get_one(Comment, district.ids["riv_comment"]).reviewed_at is None
        assert list(s.scalars(select(UsedActionToken))) == []


def test_a_late_acknowledge_never_moves_a_resolved_flag_backwards(district):
    from monitor.records.record import change_flag

    path = _path(district, "ack", district.ids["riv_flag"])
    with district.app.sessions() as s, s.begin():
        change_flag(s, district.ids["riv_flag"], "resolve", RECIPIENT, "name removed", NOW)
    done = _confirm(district.client(), path)
    assert done.status_code == 200
    assert "already resolved" in done.text and "changes nothing" in done.text
    assert _status(district) == "resolved"
    with district.app.sessions() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "flag")))
    assert "flag.acknowledged" not in actions
