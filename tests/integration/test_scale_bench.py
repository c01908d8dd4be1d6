"""The scale benchmark's synthetic district parses through the real connectors, and its
fake platforms count requests the way the connectors do (no timing is asserted)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import connectors
from benchmarks.scale_fake import (
    BENIGN,
    PLATFORMS,
    STREAMS,
    Ledger,
    World,
    build,
    credentials,
    external_id,
)

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def _fetch(platform, world, ledger, index, cursor, now):
    transport = build(world, ledger)[platform]
    cls = connectors.get_connector(platform)
    connector = cls(credentials(platform), transport, clock=lambda: now)
    ref = connectors.AccountRef(platform, external_id(platform, index), f"@riverside{index}")
    return connector.fetch(ref, cursor)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_history_then_one_request_per_stream_when_unchanged(platform):
    # Given a district of two accounts: account 0 changes every cycle, account 1 never does
    world = World(t0=NOW.timestamp(), comments_per_account=120, change_every=2, latency=0)
    ledger = Ledger()
    ledger.begin(1, NOW.timestamp())
    # When both are polled once: the whole history comes through the real connector
    first = {i: _fetch(platform, world, ledger, i, None, NOW) for i in (0, 1)}
    for i, snap in first.items():
        assert len(snap.comments) == 120
        assert len(snap.posts) == world.posts
        assert not snap.skipped
        assert ledger.counts[(1, platform, i)] == snap.requests
    flagged = [c for c in first[1].comments if c.text not in BENIGN]
    assert flagged  # every flag_every-th comment is one the detectors flag
    # And in cycle 2 only the changing account has something new
    later = NOW + timedelta(minutes=20)
    ledger.begin(2, later.timestamp())
    changed = _fetch(platform, world, ledger, 0, first[0].cursor, later)
    same = _fetch(platform, world, ledger, 1, first[1].cursor, later)
    assert len(changed.comments) == world.new_comments
    assert len(changed.posts) >= 1
    assert same.comments == () and same.posts == ()
    # Then the unchanged account cost exactly one request per stream, counted at the transport
    assert ledger.counts[(2, platform, 1)] == same.requests == STREAMS[platform]
    assert ledger.counts[(2, platform, 0)] == changed.requests
