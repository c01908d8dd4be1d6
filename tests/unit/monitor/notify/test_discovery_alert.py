"""The weekly discovery alert: one grouped message per supervisor per week, their units only."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta

import pytest

from monitor.notify.delivery import deliver
from monitor.notify.digest import claim_weekly_digests
from monitor.notify.discovery import claim_discovery_alerts, deliver_discovery
from monitor.notify.routing import notifier_for
from monitor.storage.models import Candidate, OrgUnit, Supervisor
from tests.support import factory
from tests.support.web_fixtures import HOSTILE

NOW = factory.at(0)  # Monday 08:00 in Vancouver


@pytest.fixture
def app(engine, settings, tmp_path):
    built = factory.app_for(settings, engine, factory.scenario(tmp_path / "s.json", {}))
    with built.sessions() as s, s.begin():
        d = factory.district(s)
        factory.account(s, d["school"], d["principal"], "riv-yt")
        mtn = OrgUnit(code="MTN", name="Mountain Secondary", kind="school", parent=d["district"])
        s.add(mtn)
        s.flush()
        s.add(Supervisor(email="principal.mountain@fvsd.example.ca", name="M", org_unit_id=mtn.id))
        rows = [
            ("instagram:riverside.eagles", "@riverside.eagles", d["school"].id, "new", 2),
            ("x:hostile", HOSTILE, d["school"].id, "new", 3),
            ("x:decided", "@decided", d["school"].id, "not_ours", 4),
            ("x:old", "@old", d["school"].id, "new", 24 * 9),  # before this week's alert
            ("instagram:mountain.band", "@mountain.band", mtn.id, "new", 2),
        ]
        for identity, handle, unit, status, hours in rows:
            s.add(
                Candidate(
                    identity=identity,
                    platform=identity.split(":")[0],
                    handle=handle,
                    url="https://www.instagram.com/x/",
                    source="linked from https://riverside.fvsd.example.ca",
                    org_unit_id=unit,
                    first_seen_at=NOW - timedelta(hours=hours),
                    last_seen_at=NOW - timedelta(hours=hours),
                    status=status,
                )
            )
    return built


def _sent(app, prefix):
    return {
        p.name: email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in app.settings.outbox_dir.glob(f"{prefix}-*.eml")
    }


def _parts(message):
    return {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if not part.is_multipart()
    }


def test_one_alert_per_supervisor_per_week_listing_only_their_units_new_candidates(app):
    claimed = claim_discovery_alerts(app, NOW)
    assert len(claimed) == 2  # Riverside's and Mountain's principals; nobody else
    assert claim_discovery_alerts(app, NOW + timedelta(hours=3)) == []  # the same ISO week
    for outbox_id in claimed:
        assert deliver_discovery(app, outbox_id, NOW, notifier_for(app)) == "sent"
        assert deliver_discovery(app, outbox_id, NOW, notifier_for(app)) == "sent"  # no copy
    sent = _sent(app, "discovery")
    assert len(sent) == 2
    riverside = next(m for m in sent.values() if m["To"] == "principal.riverside@fvsd.example.ca")
    assert (
        str(riverside["Subject"]).strip().startswith("[Hallwatch] 2 social media account(s) found")
    )
    parts = _parts(riverside)
    text, html = parts["text/plain"], parts["text/html"]
    assert "@riverside.eagles" in text and "@mountain.band" not in text
    assert "@decided" not in text and "@old" not in text
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "https://" in text and "/discovery" in text
    assert re.search(r"@riverside.eagles: \S+ \(candidate \d+\)", text)  # the CLI needs the id


def test_next_weeks_alert_lists_only_what_is_new_since(app):
    assert len(claim_discovery_alerts(app, NOW)) == 2
    assert claim_discovery_alerts(app, NOW + timedelta(days=7)) == []  # nothing new


def test_the_digest_lists_the_undecided_candidates_and_the_owners_acknowledgement(app):
    for outbox_id in claim_weekly_digests(app, NOW):
        deliver(app, outbox_id, NOW, notifier_for(app))
    digests = [
        _parts(m)
        for m in _sent(app, "digest").values()
        if m["To"] == "principal.riverside@fvsd.example.ca"
    ]
    assert len(digests) == 1
    text, html = digests[0]["text/plain"], digests[0]["text/html"]
    assert "Accounts found that are not in the registry" in text
    assert "@riverside.eagles" in text and "@mountain.band" not in text
    assert "@decided" not in text
    assert "Procedure 417 acknowledged by the owner: no" in text
    assert "Procedure 417 not acknowledged" in html and "<script>" not in html
    # And both forms link to the console's page where a person decides
    page = f"{app.settings.web.base_url}/discovery"
    assert f"Decide on the console: {page}" in text
    assert f'<a href="{page}">Accounts found</a>' in html
