"""The connector base class and the per-platform capability table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import requests

from connectors.errors import PermanentError
from connectors.records import AccountRef, Media, Snapshot

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Capabilities:
    """What a platform allows, which decides what the rules may ask of an account."""

    can_be_private: bool
    can_disable_comments: bool
    can_hold_comments: bool
    has_api: bool = True
    can_hide_comments: bool = False


# Facts from DESIGN.md, "What the platforms allow".
CAPABILITIES: Mapping[str, Capabilities] = {
    "facebook": Capabilities(
        can_be_private=False,
        can_disable_comments=False,
        can_hold_comments=False,
        can_hide_comments=True,
    ),
    "instagram": Capabilities(
        can_be_private=False,
        can_disable_comments=True,
        can_hold_comments=False,
        can_hide_comments=True,
    ),
    "x": Capabilities(
        can_be_private=True,
        can_disable_comments=True,
        can_hold_comments=False,
        can_hide_comments=True,
    ),
    "youtube": Capabilities(
        can_be_private=True,
        can_disable_comments=True,
        can_hold_comments=True,
        can_hide_comments=True,
    ),
    "wordpress": Capabilities(
        can_be_private=True,
        can_disable_comments=True,
        can_hold_comments=True,
        can_hide_comments=True,
    ),
    "blogger": Capabilities(can_be_private=True, can_disable_comments=True, can_hold_comments=True),
    "sandbox": Capabilities(can_be_private=True, can_disable_comments=True, can_hold_comments=True),
    "snapchat": Capabilities(
        can_be_private=True, can_disable_comments=True, can_hold_comments=False, has_api=False
    ),
}


def capabilities(platform: str) -> Capabilities:
    """Return what ``platform`` allows; unknown platforms have no API."""
    return CAPABILITIES.get(
        platform,
        Capabilities(
            can_be_private=True, can_disable_comments=True, can_hold_comments=False, has_api=False
        ),
    )


class Connector:
    """Base class: one subclass per platform.

    Args:
        credentials: the account's decrypted credentials (a dict); never logged.
        transport: an injected HTTP transport (``requests.Session`` or an httplib2-like object).
        clock: returns the current aware UTC time; injected so polls are reproducible.
    """

    platform: ClassVar[str] = ""
    media_hosts: ClassVar[tuple[str, ...]] = ()  # the platform's own media CDNs

    def __init__(
        self,
        credentials: Mapping[str, Any] | None = None,
        transport: Any = None,
        *,
        clock: Clock = system_clock,
    ) -> None:
        self.credentials = dict(credentials or {})
        self.transport = transport
        self.clock = clock

    @property
    def capabilities(self) -> Capabilities:
        return capabilities(self.platform)

    def fetch(self, account: AccountRef, cursor: Mapping[str, Any] | None = None) -> Snapshot:
        """Return what is new or changed since ``cursor``, and the next cursor."""
        raise NotImplementedError

    def check_credentials(self, account: AccountRef) -> str:
        """Make one cheap call with the credentials; return what they give access to.

        Raises:
            AuthRevoked, ConfigurationError, RateLimited, TransientError, PermanentError.
        """
        raise NotImplementedError

    def fetch_media(self, media: Media) -> bytes:
        """The bytes of a photo, fetched safely from the platform's own media hosts only.

        Raises:
            PermanentError: the URL is not https on one of ``media_hosts``, resolves to a
                private address, redirects elsewhere, or is too large.
            TransientError: a network error or a server error.
        """
        from connectors.http import fetch_media_bytes, session_with_timeout

        session = self.transport if isinstance(self.transport, requests.Session) else None
        return fetch_media_bytes(
            session_with_timeout(session), media.url, self.media_hosts, platform=self.platform
        )

    def hide_comment(self, account: AccountRef, comment_id: str) -> None:
        """Hide a comment on the platform (only ever on a person's decision; never deletes)."""
        raise PermanentError(
            f"{self.platform}: hiding comments is not supported", platform=self.platform
        )

    def unhide_comment(self, account: AccountRef, comment_id: str) -> None:
        """Undo :meth:`hide_comment`."""
        raise PermanentError(
            f"{self.platform}: hiding comments is not supported", platform=self.platform
        )

    def __repr__(self) -> str:  # never show credentials
        return f"<{type(self).__name__} platform={self.platform!r}>"
