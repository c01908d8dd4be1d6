"""The weekly digest: exactly once per supervisor per ISO week, in the district's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from monitor.delivery import deliver
from monitor.digest import claim_weekly_digests, digest_context
from monitor.models import DigestSent, OutboxItem, Supervisor
from monitor.notify import DeliveryError, FileNotifier
from tests import factory


@pytest.fixture
def app(engine, settings, tmp_path):
    path = factory.scenario(tmp_path / "s.json", {})
    app = factory.app_for(settings, engine, path)
    with app.sessions() as s, s.begin():
        d = factory.district(s)
        factory.account(s, d["school"], d["principal"], "riv-yt")
        factory.account(
            s, d["school"], d["principal"], "riv-snap", platform="snapchat", status="manual"
        )
        factory.account(s, d["school"], d["principal"], "riv-broken", status="credentials_broken")
    return app


def _digests(app):
    with app.sessions() as s:
        return s.scalar(select(func.count(DigestSent.id)))


def test_digest_claimed_once_per_supervisor_per_iso_week(app):
    monday = datetime(2026, 9, 21, 15, 0, tzinfo=UTC)
    assert len(claim_weekly_digests(app, monday)) == 3  # principal, comms, IT
    assert claim_weekly_digests(app, monday) == []
    assert claim_weekly_digests(app, datetime(2026, 9, 27, 6, 0, tzinfo=UTC)) == []  # Sat 23:00 PDT
    assert len(claim_weekly_digests(app, datetime(2026, 9, 28, 15, 0, tzinfo=UTC))) == 3
    assert _digests(app) == 6


def test_digest_iso_week_follows_the_district_time_zone(app):
    # Sunday 2026-09-20 23:30 in Vancouver is Monday 06:30 UTC: still ISO week 38 locally
    sunday_night = datetime(2026, 9, 21, 6, 30, tzinfo=UTC)
    with app.sessions() as s:
        sup = s.scalars(select(Supervisor).where(Supervisor.role == "supervisor")).one()
        assert digest_context(s, app, sup, sunday_night)["week"] == "2026-W38"


def test_digest_lists_manual_attestation_and_broken_credentials(app, tmp_path):
    now = datetime(2026, 9, 21, 15, 0, tzinfo=UTC)
    ids = claim_weekly_digests(app, now)
    for outbox_id in ids:
        deliver(app, outbox_id, now, FileNotifier(tmp_path / "out"))
    page = (
        app.settings.digest_dir / "2026-W39" / "principal.riverside@fvsd.example.ca.html"
    ).read_text()
    assert "Manual attestation required" in page and "@riv-snap" in page
    assert "Credentials broken" in page and "@riv-broken" in page
    assert len(list((tmp_path / "out").glob("digest-*.eml"))) == 3


class DownNotifier(FileNotifier):
    def send(self, message, recipient, name):
        raise DeliveryError("smtp down")


def test_digest_survives_an_outage_and_is_sent_once_later(app, tmp_path):
    now = datetime(2026, 9, 21, 15, 0, tzinfo=UTC)
    [first, *_] = claim_weekly_digests(app, now)
    with pytest.raises(DeliveryError):
        deliver(app, first, now, DownNotifier(tmp_path / "out"))
    with app.sessions() as s:
        assert s.get(OutboxItem, first).status == "pending"
    assert deliver(app, first, now, FileNotifier(tmp_path / "out")) == "sent"
    assert deliver(app, first, now, FileNotifier(tmp_path / "out")) == "sent"
    assert len(list((tmp_path / "out").glob("digest-*.eml"))) == 1
