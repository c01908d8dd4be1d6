"""One contract, every connector: the same checks through each platform's scripted HTTP.

Each module in ``tests/connector_cases`` fakes its platform's documented responses; this
file holds every connector to the seam in DESIGN.md and the error taxonomy.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from datetime import UTC

import pytest

import connectors
from connectors import AuthRevoked, RateLimited, Snapshot, TransientError
from tests import connector_cases

PLATFORMS = sorted(m.name for m in pkgutil.iter_modules(connector_cases.__path__))
EXPECTED = {"facebook", "instagram", "x", "youtube", "wordpress", "blogger"}


def test_every_platform_has_a_contract_case():
    assert set(PLATFORMS) == EXPECTED


@pytest.fixture(params=PLATFORMS)
def case(request):
    module = importlib.import_module(f"tests.connector_cases.{request.param}")
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
