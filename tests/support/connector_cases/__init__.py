"""Connector contract cases: one module per platform, each exposing ``case()``.

A case drives its connector through scripted fake HTTP (``responses`` for requests-based
SDKs, Google's ``HttpMockSequence`` for YouTube and Blogger) shaped like the platform's
documented responses, and :mod:`tests.contract.test_connector_contract` runs every case through
the same checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from connectors import AccountRef, Snapshot

KINDS = ("full", "unchanged", "auth_revoked", "rate_limited", "server_error", "malformed")
# kinds a case offers when its platform has the behaviour (see the attributes below)
OPTIONAL_KINDS = ("photos", "permission_missing", "javascript_error", "usage_capped", "edited")


class Case(Protocol):
    """What each platform's case module provides.

    Attributes:
        platform: the connector name for ``connectors.get_connector``.
        account: the account polled.
        secret: the token in the credentials; it must never show in errors or ``repr``.
        streams: how many streams can change; an unchanged poll makes at most this many
            requests.
        full_posts, full_comments: how many the "full" poll returns.

    Optional attributes, each with the kind it enables:
        photos, videos: "photos" polls an account whose first post holds a set of photos
            (a Facebook album, an Instagram carousel, an X post with several photos, a
            WordPress gallery): that many photos and videos.
        needs: "permission_missing" answers with the platform's missing-permission error;
            the ConfigurationError names at least these.
        (no attribute) "javascript_error": a Graph auth error served as text/javascript.
        usage_cap_resets: "usage_capped" answers with the plan's usage cap; the
            UsageCapped error resets then.
        edited: (post id, new text): "edited", given the "full" poll's cursor, answers
            after that post was edited; the poll returns it with its new text.
    """

    platform: str
    account: AccountRef
    secret: str
    streams: int
    full_posts: int
    full_comments: int

    def fetch(self, kind: str, cursor: Mapping[str, Any] | None = None) -> Snapshot:
        """Fetch with the fake platform scripted for ``kind`` (one of :data:`KINDS`).

        - "full": first poll (no cursor): every page of posts and comments.
        - "unchanged": the platform's answers when nothing changed since ``cursor``; the
          poll makes at most ``streams`` requests and returns no post or comment that the
          "full" poll did not (ideally none at all).
        - "auth_revoked", "rate_limited", "server_error": the platform's documented error
          payload for that case on the first request.
        - "malformed": a full poll where one post or comment lacks a required field.
        - :data:`OPTIONAL_KINDS`: see the optional attributes.
        """
        ...
