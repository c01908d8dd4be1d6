"""The connector error taxonomy, grouped by what the monitor should do about each.

::

    ConnectorError
    ├── AuthRevoked        fatal: mark the account "credentials broken", stop polling it
    ├── ConfigurationError fatal: the platform refuses this set-up (e.g. API access level,
    │   │                  a permission the app lacks: ``needs`` names what to grant)
    │   └── UsageCapped    the plan's cap for a whole period is used up (X's monthly cap):
    │                      pause the account's polls until ``resets_at``, tell IT once
    ├── RateLimited        retry at ``retry_after`` seconds, never sleep in a worker
    ├── TransientError     retry with backoff (5xx, timeouts, connection resets)
    └── PermanentError     do not retry (bad request, item or account gone)

Messages never contain a token: connectors build them from status codes and platform
error codes only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from connectors.records import utc


class ConnectorError(Exception):
    """Base class for every error a connector raises."""

    retriable = False

    def __init__(self, message: str, *, platform: str = "", code: str = "") -> None:
        super().__init__(message)
        self.platform = platform
        self.code = code


class AuthRevoked(ConnectorError):
    """The credentials were revoked or expired; a person must reconnect the account."""


class ConfigurationError(ConnectorError):
    """The platform refuses this configuration (for example a missing API access level).

    ``needs`` names the permissions or features to grant, when the platform said which
    (Graph API ``pages_read_engagement``...); empty otherwise.
    """

    def __init__(
        self, message: str, *, platform: str = "", code: str = "", needs: Iterable[str] = ()
    ) -> None:
        super().__init__(message, platform=platform, code=code)
        self.needs = tuple(needs)


class UsageCapped(ConfigurationError):
    """The plan's usage cap for a whole period is used up (X: the monthly post cap).

    Not a rate limit: every request fails the same way until the cap resets or the plan
    is raised, so retrying burns nothing but time and logs. Pause the account's polls
    until ``resets_at`` and tell IT once per cap.

    Attributes:
        resets_at: aware UTC time to poll again. When ``exact`` is False the platform did
            not say when the cap resets, and this is a re-check a day away.
        exact: whether ``resets_at`` comes from the platform.
        period: the cap's period as the platform names it ("Monthly", "Daily") or "".
        scope: what the cap covers ("Product", "Account") or "".
        detail: the platform's own one-line explanation (platform text: escape it).
    """

    def __init__(
        self,
        message: str,
        *,
        resets_at: datetime,
        exact: bool,
        period: str = "",
        scope: str = "",
        detail: str = "",
        platform: str = "",
        code: str = "usage-capped",
    ) -> None:
        super().__init__(message, platform=platform, code=code)
        self.resets_at = utc(resets_at)
        self.exact = exact
        self.period, self.scope, self.detail = period[:40], scope[:40], detail[:200]


class RateLimited(ConnectorError):
    """The platform asks us to come back later."""

    retriable = True

    def __init__(self, message: str, *, retry_after: float, platform: str = "", code: str = ""):
        super().__init__(message, platform=platform, code=code)
        self.retry_after = max(0.0, float(retry_after))


class TransientError(ConnectorError):
    """A passing failure (5xx, timeout); retry with backoff."""

    retriable = True


class PermanentError(ConnectorError):
    """A failure that retrying will not fix."""
