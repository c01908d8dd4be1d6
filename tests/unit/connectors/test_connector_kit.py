"""The poll kit every connector shares, and the platform facts declared on connector classes."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

import connectors
from connectors import Comment, ConfigurationError, get_connector
from connectors.kit import PACIFIC, UTC_CLOCK, Collector, Malformed, QuotaClock, html_text
from connectors.manual import SnapchatConnector

LOG = logging.getLogger("tests.kit")

# --- the collector ---------------------------------------------------------------------------


def make(raw: dict) -> str | None:
    if raw.get("skip"):
        return None
    if "when" not in raw:
        raise Malformed("no time")
    return str(raw["id"])


def test_collector_keeps_good_items_and_names_malformed_ones_by_id_or_index(caplog) -> None:
    # Given items where one has no time, one is not an object, and one is to be left out
    raws = [
        {"id": "a", "when": 1},
        {"id": "b", "text": "private words"},
        "junk",
        {"id": "c", "when": 2, "skip": True},
    ]
    poll = Collector("demo", LOG, "acct-1")
    # When built
    kept = poll.build(raws, make, lambda raw, i: raw["id"] if isinstance(raw, dict) else f"[{i}]")
    # Then the good ones are kept, the malformed ones named (never their text)
    assert kept == ["a"]
    assert poll.skipped == ["b", "[2]"]
    assert "no time" in caplog.text and "AttributeError" in caplog.text
    assert "private words" not in caplog.text and "acct-1" in caplog.text


def test_an_item_met_twice_is_skipped_and_logged_once(caplog) -> None:
    poll = Collector("demo", LOG)
    poll.skip("post 7", "no id")
    poll.skip("post 7", "no id")
    assert poll.skipped == ["post 7"] and caplog.text.count("post 7") == 1


def test_collector_counts_requests_and_units() -> None:
    poll = Collector("demo", LOG)
    poll.count()
    poll.count(1, 50)
    assert (poll.requests, poll.units) == (2, 50)


# --- HTML to text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "text", "alts"),
    [
        ("<p>Hello <b>class</b></p><p>Bye</p>", "Hello class\nBye", []),
        ("a<br>b", "a\nb", []),
        ("<p>a</p>b", "a\nb", []),
        ("<h5>Title</h5>x", "Title\nx", []),
        ("<script>alert(1)</script><style>p{}</style>seen", "seen", []),
        ("<template><p>hidden</p></template>shown", "shown", []),
        ("  lots   of\t space\xa0here ", "lots of space here", []),
        ('<img src="a.jpg" alt="Kids at recess"><img src="b.jpg">', "", ["Kids at recess", ""]),
        ("&lt;not a tag&gt; &amp; more", "<not a tag> & more", []),
        ("", "", []),
    ],
)
def test_html_text_keeps_what_a_reader_sees(markup: str, text: str, alts: list[str]) -> None:
    found, images = html_text(markup)
    assert found == text
    assert [image.alt for image in images] == alts


def test_html_images_keep_their_classes() -> None:
    (image,) = html_text('<img class="size-large wp-image-77" src="https://x.example/a.jpg">')[1]
    assert image.classes == ("size-large", "wp-image-77") and image.src.endswith("a.jpg")


# --- the quota clock -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "day", "resets"),
    [
        (datetime(2026, 9, 14, 15, tzinfo=UTC), 10, datetime(2026, 10, 10, tzinfo=UTC)),
        (datetime(2026, 9, 5, 15, tzinfo=UTC), 10, datetime(2026, 9, 10, tzinfo=UTC)),
        (datetime(2026, 9, 10, 0, 0, 1, tzinfo=UTC), 10, datetime(2026, 10, 10, tzinfo=UTC)),
        (datetime(2026, 9, 9, 23, 59, tzinfo=UTC), 10, datetime(2026, 9, 10, tzinfo=UTC)),
        (datetime(2026, 12, 20, tzinfo=UTC), 3, datetime(2027, 1, 3, tzinfo=UTC)),
        (datetime(2027, 1, 31, 12, tzinfo=UTC), 31, datetime(2027, 2, 28, tzinfo=UTC)),
        (datetime(2027, 2, 28, 12, tzinfo=UTC), 31, datetime(2027, 3, 31, tzinfo=UTC)),
    ],
)
def test_a_monthly_cap_resets_on_its_next_reset_day(
    now: datetime, day: int, resets: datetime
) -> None:
    assert UTC_CLOCK.next_reset_day(now, day) == resets


@pytest.mark.parametrize(
    ("now", "seconds"),
    [
        (datetime(2026, 9, 14, 6, 59, tzinfo=UTC), 60.0),  # 23:59 Pacific (summer time)
        (datetime(2026, 9, 14, 7, 0, tzinfo=UTC), 86_400.0),  # midnight Pacific
        (datetime(2026, 12, 14, 7, 59, tzinfo=UTC), 60.0),  # 23:59 Pacific (standard time)
        (datetime(2026, 3, 8, 8, 0, tzinfo=UTC), 82_800.0),  # a 23-hour day (DST begins)
    ],
)
def test_a_daily_quota_resets_at_midnight_in_its_zone(now: datetime, seconds: float) -> None:
    assert PACIFIC.seconds_to_midnight(now) == seconds


def test_the_quota_day_is_the_date_in_the_quota_zone() -> None:
    late = datetime(2026, 9, 15, 3, tzinfo=UTC)  # 20:00 on the 14th in Vancouver
    assert QuotaClock(ZoneInfo("America/Vancouver")).day(late).day == 14
    assert UTC_CLOCK.day(late).day == 15


# --- platform facts on the connector classes -------------------------------------------------

FACTS = {
    # platform: (can_be_private, can_disable_comments, can_hold, can_hide, reports_hidden, name)
    "facebook": (False, False, False, True, True, "Facebook"),
    "instagram": (False, True, False, True, True, "Instagram"),
    "x": (True, True, False, True, False, "X"),
    "youtube": (True, True, True, True, True, "YouTube"),
    "wordpress": (True, True, True, True, True, "WordPress"),
    "blogger": (True, True, True, False, True, "Blogger"),
    "snapchat": (True, True, False, False, True, "Snapchat"),
}


@pytest.mark.parametrize(("platform", "expected"), sorted(FACTS.items()))
def test_each_platform_declares_its_facts_on_its_connector(platform: str, expected) -> None:
    facts = get_connector(platform).facts()
    got = (
        facts.can_be_private,
        facts.can_disable_comments,
        facts.can_hold_comments,
        facts.can_hide_comments,
        facts.reports_hidden,
        facts.display_name,
    )
    assert got == expected
    assert connectors.CAPABILITIES[platform] == facts == connectors.capabilities(platform)


def test_the_capabilities_view_lists_every_platform_in_the_registry_order() -> None:
    assert list(connectors.CAPABILITIES) == list(connectors.platform_names())
    assert connectors.platform_names()[-1] == "sandbox"
    assert connectors.available_platforms() == sorted(connectors.platform_names())


def test_quotas_are_declared_where_the_platform_counts_units() -> None:
    youtube = get_connector("youtube").facts().quota
    assert youtube is not None and (youtube.period, youtube.units) == ("day", 10_000)
    assert youtube.clock == PACIFIC
    assert dict(youtube.costs) == {"list": 1, "moderate": 50, "search": 100}
    x = get_connector("x").facts().quota
    assert x is not None and (x.period, x.units) == ("month", None)
    assert get_connector("facebook").facts().quota is None


def test_snapchat_is_manual_attestation_only_and_says_so() -> None:
    facts = connectors.capabilities("snapchat")
    assert facts.manual_only and not facts.has_api
    account = connectors.AccountRef("snapchat", "rivsnap")
    for call in (SnapchatConnector().fetch, SnapchatConnector().check_credentials):
        with pytest.raises(ConfigurationError) as raised:
            call(account)
        assert "no API" in str(raised.value) and "manual" in str(raised.value)


def test_an_unknown_platform_has_no_api() -> None:
    assert connectors.capabilities("myspace").manual_only
    assert "myspace" not in connectors.CAPABILITIES
    with pytest.raises(KeyError):
        connectors.CAPABILITIES["myspace"]


# --- a comment's hidden state ----------------------------------------------------------------

WHEN = datetime(2026, 9, 14, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "given", "hidden"),
    [
        ("hidden", False, True),  # the status decides
        ("published", False, False),
        ("held", False, False),
        ("published", None, None),  # the platform cannot say (X)
        ("hidden", None, True),
    ],
)
def test_hidden_follows_the_status_or_stays_unknown(
    status: str, given: bool | None, hidden: bool | None
) -> None:
    comment = Comment("c1", "p1", WHEN, status=status, hidden=given)  # type: ignore[arg-type]
    assert comment.hidden is hidden


def test_a_comment_cannot_be_hidden_and_published_at_once() -> None:
    with pytest.raises(ValueError, match="hidden"):
        Comment("c1", "p1", WHEN, status="published", hidden=True)


def test_every_platform_is_one_enum_member_with_a_connector():
    assert [str(p) for p in connectors.Platform] == list(connectors.platform_names())
    for platform in connectors.Platform:
        assert connectors.get_connector(platform).platform == platform
