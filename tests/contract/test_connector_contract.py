"""One contract, every connector: the same checks through each platform's scripted HTTP.

Each module in ``tests/support/connector_cases`` fakes its platform's documented responses; this
file holds every connector to the seam in DESIGN.md and the error taxonomy.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from datetime import UTC

import pytest

import connectors
from connectors import (
    AuthRevoked,
    ConfigurationError,
    RateLimited,
    Snapshot,
    TransientError,
    UsageCapped,
)
from tests.support import connector_cases

PLATFORMS = sorted(m.name for m in pkgutil.iter_modules(connector_cases.__path__))
EXPECTED = {"facebook", "instagram", "x", "youtube", "wordpress", "blogger"}


def test_every_platform_has_a_contract_case():
    assert set(PLATFORMS) == EXPECTED


@pytest.fixture(params=PLATFORMS)
def case(request):
    module = importlib.import_module(f"tests.support.connector_cases.{request.param}")
    return module.case()


def _records(snapshot: Snapshot):
    return [*snapshot.posts, *snapshot.comments]


def test_seam_get_connector_and_snapshot_shape(case):
    cls = connectors.get_connector(case.platform)
    assert issubclass(cls, connectors.Connector) and cls.platform == case.platform
    snapshot = case.fetch("full")
    assert isinstance(snapshot, Snapshot)
    assert (len(snapshot.posts), len(snapshot.comments)) == (case.full_posts, case.full_comments)
    assert snapshot.profile.external_id and snapshot.cursor and snapshot.requests >= 1
    for record in _records(snapshot):
        assert record.created_at.tzinfo is UTC or record.created_at.utcoffset().total_seconds() == 0
        assert record.external_id


def test_comments_point_at_their_posts_and_statuses_are_known(case):
    snapshot = case.fetch("full")
    for comment in snapshot.comments:
        assert comment.post_external_id
        assert comment.status in ("published", "held", "hidden", "rejected", "deleted")


def test_unchanged_account_costs_at_most_one_request_per_stream(case):
    full = case.fetch("full")
    again = case.fetch("unchanged", full.cursor)
    assert again.requests <= case.streams
    seen = {r.external_id for r in _records(full)}
    assert {r.external_id for r in _records(again)} <= seen


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("auth_revoked", AuthRevoked),
        ("rate_limited", RateLimited),
        ("server_error", TransientError),
    ],
)
def test_platform_errors_map_to_the_taxonomy_without_the_token(case, kind, error, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(error) as raised:
        case.fetch(kind)
    assert case.secret not in str(raised.value)
    assert case.secret not in caplog.text
    if kind == "rate_limited":
        assert raised.value.retry_after > 0


def test_malformed_item_is_skipped_and_the_rest_kept(case, caplog):
    caplog.set_level(logging.DEBUG)
    snapshot = case.fetch("malformed")
    assert snapshot.skipped
    assert len(_records(snapshot)) >= 1
    assert case.secret not in caplog.text


def test_repr_never_shows_credentials(case):
    cls = connectors.get_connector(case.platform)
    assert case.secret not in repr(cls({"access_token": case.secret, "token": case.secret}))


# --- every photo of a set, platform facts, and the errors that need a person ---------------


def _optional(case, attribute: str):
    if not hasattr(case, attribute):
        pytest.skip(f"{case.platform} has no {attribute!r} case")
    return getattr(case, attribute)


def test_every_photo_of_a_set_is_its_own_photo_with_a_stable_id(case):
    photos, videos = _optional(case, "photos"), _optional(case, "videos")
    first, again = case.fetch("photos"), case.fetch("photos")
    media = first.posts[0].media
    kinds = [m.kind for m in media]
    assert (kinds.count("photo"), kinds.count("video")) == (photos, videos)
    assert len({m.external_id for m in media}) == len(media)  # one Media per photo
    assert [m.external_id for m in media] == [m.external_id for m in again.posts[0].media]
    assert all(m.url.startswith("https://") for m in media if m.kind == "photo")


def test_asking_for_every_photo_costs_no_extra_request(case):
    _optional(case, "photos")
    assert case.fetch("photos").requests <= case.fetch("full").requests


def test_a_missing_permission_names_what_to_grant(case):
    needs = _optional(case, "needs")
    with pytest.raises(ConfigurationError) as raised:
        case.fetch("permission_missing")
    error = raised.value
    assert set(needs) <= set(error.needs)
    assert all(name in str(error) for name in needs)
    assert "refused the request" not in str(error) and case.secret not in str(error)
    assert "hallwatch accounts credentials" in str(error)


def test_an_auth_error_served_as_javascript_is_still_auth_revoked(case):
    if case.platform not in ("facebook", "instagram"):
        pytest.skip("only the Graph API serves errors as text/javascript")
    with pytest.raises(AuthRevoked) as raised:
        case.fetch("javascript_error")
    assert raised.value.code == "190" and case.secret not in str(raised.value)


def test_the_usage_cap_pauses_until_it_resets_and_is_no_rate_limit(case):
    resets = _optional(case, "usage_cap_resets")
    with pytest.raises(UsageCapped) as raised:
        case.fetch("usage_capped")
    error = raised.value
    assert not isinstance(error, RateLimited) and not error.retriable
    assert (error.resets_at, error.exact) == (resets, True)
    assert error.period == "Monthly" and case.secret not in str(error)


def test_an_edited_post_is_read_again_with_its_new_text(case):
    post_id, text = _optional(case, "edited")
    full = case.fetch("full")
    again = case.fetch("edited", full.cursor)
    assert [p.external_id for p in again.posts] == [post_id]
    assert text in again.posts[0].text
    assert again.requests <= case.streams


def test_hidden_is_claimed_only_where_the_platform_reports_it(case):
    cls = connectors.get_connector(case.platform)
    comments = case.fetch("full").comments
    assert comments
    for comment in comments:
        if cls.reports_hidden:
            assert comment.hidden is (comment.status == "hidden")
        else:
            assert comment.hidden is None, comment.external_id


def test_platform_facts_are_declared_on_the_connector_class(case):
    cls = connectors.get_connector(case.platform)
    facts = cls.facts()
    assert connectors.CAPABILITIES[case.platform] == facts == connectors.capabilities(cls.platform)
    assert facts.display_name and facts.has_api
    if facts.can_hide_comments:
        assert cls.hide_comment is not connectors.Connector.hide_comment
    else:
        assert cls.hide_comment is connectors.Connector.hide_comment


# --- administrators, where the platform shares them ----------------------------------------


def test_administrators_are_read_where_the_platform_shares_them(case):
    expected = _optional(case, "admins")
    cls = connectors.get_connector(case.platform)
    assert cls.admin_list  # declared on the class, for docs and the console
    people = case.administrators("admins")
    assert [(p.name, p.email) for p in people] == list(expected)
    assert all(p.external_id and p.roles for p in people)


def test_administrators_the_token_may_not_read_are_a_configuration_problem(case):
    _optional(case, "admins")
    with pytest.raises(ConfigurationError) as raised:
        case.administrators("admins_refused")
    assert case.secret not in str(raised.value)


@pytest.mark.parametrize("platform", ["youtube", "x", "instagram", "blogger"])
def test_platforms_that_do_not_share_administrators_say_so(platform):
    cls = connectors.get_connector(platform)
    assert cls.admin_list == ""
    with pytest.raises(connectors.PermanentError) as raised:
        cls({}).administrators(connectors.AccountRef(platform, "id"))
    assert raised.value.code == "no-admin-list"
