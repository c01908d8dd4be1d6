"""The connector base class, on which each platform declares its facts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

import requests

from connectors.errors import PermanentError
from connectors.http import fetch_media_bytes, session_with_timeout
from connectors.kit import UTC_CLOCK, QuotaClock
from connectors.records import AccountRef, Administrator, Media, Snapshot

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Quota:
    """A platform's own quota, counted in units per period (YouTube: 10,000 a day).

    Args:
        period: "day" or "month".
        units: the default allowance per period; None when the plan sets it and the API
            does not say (X's monthly cap).
        clock: when a period starts (YouTube's day starts at midnight Pacific).
        costs: units per kind of call, e.g. ``{"list": 1, "moderate": 50}``.
    """

    period: str
    units: int | None
    clock: QuotaClock = UTC_CLOCK
    costs: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Capabilities:
    """What a platform allows, which decides what the rules may ask of an account.

    Read from the connector class (:meth:`Connector.facts`); see DESIGN.md, "What the
    platforms allow". ``has_api`` False means manual attestation only.
    """

    can_be_private: bool
    can_disable_comments: bool
    can_hold_comments: bool
    has_api: bool = True
    can_hide_comments: bool = False
    reports_hidden: bool = True
    display_name: str = ""
    quota: Quota | None = None

    @property
    def manual_only(self) -> bool:
        """No API Hallwatch can read: the account is attested by a person."""
        return not self.has_api


class Connector:
    """Base class: one subclass per platform.

    Each subclass declares its platform's facts as class attributes (what
    :meth:`facts` returns, and what ``connectors.CAPABILITIES`` shows):

    * ``display_name``: how people write the platform's name ("YouTube", "X").
    * ``can_be_private``: an account can be made private (Facebook Pages and Instagram
      professional accounts cannot).
    * ``can_disable_comments``: comments can be switched off for the whole account.
    * ``can_hold_comments``: comments can be held for review before they show.
    * ``can_hide_comments``: a comment can be hidden (``hide_comment`` works).
    * ``reports_hidden``: the API says whether a comment is hidden; when False (X), a
      comment's ``hidden`` is None and the store keeps the state it recorded.
    * ``has_api``: False for platforms with no API for this (manual attestation only).
    * ``quota``: the platform's own unit quota, if it has one.
    * ``admin_list``: what :meth:`administrators` reads ("Facebook Page assigned users"),
      or "" when Hallwatch cannot read who administers an account on this platform.

    Args:
        credentials: the account's decrypted credentials (a dict); never logged.
        transport: an injected HTTP transport (``requests.Session`` or an httplib2-like object).
        clock: returns the current aware UTC time; injected so polls are reproducible.
    """

    platform: ClassVar[str] = ""
    media_hosts: ClassVar[tuple[str, ...]] = ()  # the platform's own media CDNs
    display_name: ClassVar[str] = ""
    can_be_private: ClassVar[bool] = True
    can_disable_comments: ClassVar[bool] = True
    can_hold_comments: ClassVar[bool] = False
    can_hide_comments: ClassVar[bool] = False
    reports_hidden: ClassVar[bool] = True
    has_api: ClassVar[bool] = True
    quota: ClassVar[Quota | None] = None
    admin_list: ClassVar[str] = ""

    @classmethod
    def facts(cls) -> Capabilities:
        """The platform's facts, as declared on the class."""
        return Capabilities(
            can_be_private=cls.can_be_private,
            can_disable_comments=cls.can_disable_comments,
            can_hold_comments=cls.can_hold_comments,
            has_api=cls.has_api,
            can_hide_comments=cls.can_hide_comments,
            reports_hidden=cls.reports_hidden,
            display_name=cls.display_name or cls.platform.capitalize(),
            quota=cls.quota,
        )

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
        """The platform's facts (see :meth:`facts`)."""
        return self.facts()

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
        session = self.transport if isinstance(self.transport, requests.Session) else None
        return fetch_media_bytes(
            session_with_timeout(session), media.url, self.media_hosts, platform=self.platform
        )

    def administrators(self, account: AccountRef) -> list[Administrator]:
        """The people the platform lists as able to manage the account (see ``admin_list``).

        Raises:
            PermanentError: the platform does not share this (``admin_list`` is "").
            AuthRevoked, ConfigurationError, RateLimited, TransientError.
        """
        raise PermanentError(
            f"{self.platform}: Hallwatch cannot read who administers an account here; keep "
            "the registry's list of administrators up to date by hand",
            platform=self.platform,
            code="no-admin-list",
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
