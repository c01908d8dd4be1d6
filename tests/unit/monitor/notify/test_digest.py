"""The weekly digest: exactly once per supervisor per ISO week, in the district's time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from monitor.notify.base import DeliveryError, FileNotifier
from monitor.notify.delivery import deliver
from monitor.notify.digest import claim_weekly_digests, digest_context
from monitor.notify.render import render
from monitor.storage.models import (
    Account,
    Comment,
    DigestSent,
    Flag,
    OrgUnit,
    OutboxItem,
    Supervisor,
)
from tests.support import factory


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
        item = s.get_one(OutboxItem, first)
        # the one send-once engine records a failed digest as it does an alert
        assert (item.status, item.attempts, item.last_error) == ("pending", 1, "smtp down")
    assert deliver(app, first, now, FileNotifier(tmp_path / "out")) == "sent"
    assert deliver(app, first, now, FileNotifier(tmp_path / "out")) == "sent"
    assert len(list((tmp_path / "out").glob("digest-*.eml"))) == 1
    with app.sessions() as s:
        item = s.get_one(OutboxItem, first)
        assert (item.status, item.attempts, item.last_error) == ("sent", 2, "")


# --- What the digest reports per account -------------------------------------------------

NOW = datetime(2026, 9, 23, 19, 0, tzinfo=UTC)  # Wednesday noon in Vancouver, ISO week 39
WEEK_START = datetime(2026, 9, 21, 7, 0, tzinfo=UTC)  # Monday 00:00 PDT
HOSTILE = "<script>alert(1)</script>"


def _at(day: int, hour: float) -> datetime:
    return datetime(2026, 9, day, tzinfo=UTC) + timedelta(hours=hour)


def _comment(s, account, ref, first_seen, reviewed_after=None, **kw):
    reviewed = None if reviewed_after is None else first_seen + timedelta(hours=reviewed_after)
    s.add(
        Comment(
            account_id=account.id,
            external_id=ref,
            post_external_id="p1",
            created_at=first_seen,
            first_seen_at=first_seen,
            reviewed_at=reviewed,
            fingerprint=ref,
            **kw,
        )
    )


def _flag(s, account, rule, first_seen, status="open"):
    flag = Flag(
        dedup_key=f"{account.key}:{rule}:{first_seen.isoformat()}:{status}",
        rule_id=rule,
        severity="high",
        account_id=account.id,
        subject_type="account",
        explanation="test",
        detector="test",
        detector_version="1",
        status=status,
        first_seen_at=first_seen,
        last_seen_at=first_seen,
    )
    s.add(flag)
    s.flush()
    return flag


def _alert(s, flag, status="pending", error=""):
    s.add(
        OutboxItem(
            dedup_key=f"alert:{flag.id}",
            kind="alert",
            flag_id=flag.id,
            created_at=flag.first_seen_at,
            status=status,
            last_error=error,
        )
    )


@pytest.fixture
def busy(app):
    """Known comments, incidents and alerts on @riv-yt; one account out of the principal's scope."""
    with app.sessions() as s, s.begin():
        yt = s.scalars(select(Account).where(Account.key == "riv-yt")).one()
        yt.audience, yt.notes = "public", "<img src=x onerror=alert(1)> & co"
        hill = OrgUnit(code="HIL", name="Hillside", kind="school")
        s.add(hill)
        s.flush()
        other = Supervisor(email="p.hill@fvsd.example.ca", name="Hill", org_unit_id=hill.id)
        s.add(other)
        s.flush()
        hostile = factory.account(s, hill, other, "hil-yt", handle=HOSTILE)
        # This week's comments: reviewed after 2, 30, 5 and 1.5 hours; two not reviewed.
        _comment(s, yt, "c1", _at(21, 10), 2)
        _comment(s, yt, "c2", _at(21, 12), 30)
        _comment(s, yt, "c3", _at(22, 10), 5)
        _comment(s, yt, "c4", _at(22, 12))  # overdue
        _comment(s, yt, "c5", _at(22, 13), by_account=True)  # the account's own: not counted
        _comment(s, yt, "c6", _at(23, 10))  # 9 hours old: not overdue yet
        _comment(s, yt, "c7", _at(23, 11), 1.5)
        # Last week (Sunday evening in Vancouver): not in this week's share.
        _comment(s, yt, "c8", _at(20, 12), 1)
        _comment(s, yt, "c9", _at(21, 6.5), status="held")  # overdue, held for review
        _comment(s, yt, "c10", _at(19, 1), status="hidden")  # hidden counts as handled
        pii = _flag(s, yt, "pii.student", WEEK_START + timedelta(hours=1))
        _flag(s, yt, "pii.student", _at(22, 9), status="resolved")
        _flag(s, yt, "language.prohibited", _at(23, 8))
        _flag(s, yt, "pii.student", WEEK_START - timedelta(hours=1))  # last week
        _flag(s, yt, "language.prohibited", _at(15, 20), status="resolved")  # last week
        _flag(s, yt, "account.unidentified", _at(1, 12))  # ISO week 36
        _flag(s, yt, "visibility.public", _at(16, 12), status="acknowledged")
        _flag(s, yt, "comments.unreviewed", datetime(2026, 8, 18, 12, tzinfo=UTC))  # W34
        _flag(s, yt, "comments.unreviewed", datetime(2026, 8, 11, 12, tzinfo=UTC))  # W33
        _alert(s, pii, error="<b>smtp</b> refused")
        _alert(s, _flag(s, yt, "media.inquiry", _at(23, 9)), status="sent")
        _alert(s, _flag(s, hostile, "language.prohibited", _at(23, 9)))
    return app


def _context(app, email, now=NOW):
    with app.sessions() as s:
        sup = s.scalars(select(Supervisor).where(Supervisor.email == email)).one()
        return digest_context(s, app, sup, now)


def _line(context, key):
    [line] = [ln for ln in context["lines"] if ln.account.key == key]
    return line


PRINCIPAL = "principal.riverside@fvsd.example.ca"


def test_digest_review_share_and_median_for_comments_first_seen_this_week(busy):
    line = _line(_context(busy, PRINCIPAL), "riv-yt")
    assert line.comments_in_week == 6
    assert line.reviewed_in_window == 3
    assert line.review_share == "3/6 (50%)"
    assert line.median_review_hours == "3.5"  # median of 1.5, 2, 5, 30
    idle = _line(_context(busy, PRINCIPAL), "riv-broken")
    assert (idle.review_share, idle.median_review_hours) == ("-", "-")


def test_digest_counts_comments_overdue_now(busy):
    context = _context(busy, PRINCIPAL)
    assert _line(context, "riv-yt").overdue == 2  # c4 published, c9 held
    assert context["total_overdue"] == 2


def test_digest_counts_incidents_of_this_week_only(busy):
    line = _line(_context(busy, PRINCIPAL), "riv-yt")
    assert line.incidents == {"pii.student": 2, "language.prohibited": 1}
    next_week = _line(_context(busy, PRINCIPAL, NOW + timedelta(days=7)), "riv-yt")
    assert sum(next_week.incidents.values()) == 0


def test_digest_shows_identification_visibility_and_open_flags(busy):
    line = _line(_context(busy, PRINCIPAL), "riv-yt")
    assert not line.identified and line.public_flagged
    assert line.open_flags["pii.student"] == 2 and "language.prohibited" in line.open_flags
    text, html = render("digest", **_context(busy, PRINCIPAL))
    assert "not identified" in html and "public against policy" in html
    assert "not identified" in text and "median review 3.5 h" in text


def test_digest_lists_pending_alerts_in_scope_only(busy):
    pending = _context(busy, PRINCIPAL)["pending"]
    assert [(p["handle"], p["rule"]) for p in pending] == [("@riv-yt", "pii.student")]
    district = _context(busy, "comms@fvsd.example.ca")["pending"]
    assert sorted(p["rule"] for p in district) == ["language.prohibited", "pii.student"]
    assert HOSTILE not in [ln.account.handle for ln in _context(busy, PRINCIPAL)["lines"]]


def test_digest_trend_is_an_inline_svg_with_six_bars(busy):
    context = _context(busy, PRINCIPAL)
    bars = context["chart"]["bars"]
    assert [b["label"] for b in bars] == [f"2026-W{n}" for n in range(34, 40)]
    assert [b["count"] for b in bars] == [1, 0, 1, 0, 3, 4]  # W33 and out-of-scope flags left out
    _, html = render("digest", **context)
    [svg] = re.findall(r"<svg\b.*?</svg>", html, re.S)
    assert len(re.findall(r"<rect\b", svg)) == 6
    assert 'role="img"' in svg and 'aria-label="Flags raised per ISO week' in svg
    assert re.search(r"<svg[^>]*>\s*<title>Flags raised", svg)
    assert "<script" not in html and not re.search(r"<[^>]*\b(src|href)=", html)  # no JS/links


def test_digest_escapes_handles_notes_and_errors(busy):
    _, html = render("digest", **_context(busy, "comms@fvsd.example.ca"))
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt; &amp; co" in html
    assert "<b>smtp" not in html and "&lt;b&gt;smtp&lt;/b&gt; refused" in html
