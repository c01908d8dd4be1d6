"""The connector error taxonomy, grouped by what the monitor should do about each.

::

    ConnectorError
    ├── AuthRevoked        fatal: mark the account "credentials broken", stop polling it
    ├── ConfigurationError fatal: the platform refuses this set-up (e.g. API access level)
    ├── RateLimited        retry at ``retry_after`` seconds, never sleep in a worker
    ├── TransientError     retry with backoff (5xx, timeouts, connection resets)
    └── PermanentError     do not retry (bad request, item or account gone)

Messages never contain a token: connectors build them from status codes and platform
error codes only.
"""

from __future__ import annotations


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
    """The platform refuses this configuration (for example a missing API access level)."""


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
