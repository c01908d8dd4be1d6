"""Platforms with no API Hallwatch can read: their accounts are attested by a person.

Such accounts stay in the registry and the digest as "manual attestation required", never
silently dropped. Every call explains that, rather than failing as an unknown platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.base import Connector
from connectors.errors import ConfigurationError
from connectors.records import AccountRef, Snapshot


class ManualConnector(Connector):
    """Base for a platform with no API: nothing is polled, a person attests the account."""

    has_api = False

    def _no_api(self) -> ConfigurationError:
        return ConfigurationError(
            f"{self.platform}: the platform has no API Hallwatch can read; keep the account "
            "with status 'manual' and have its owner attest it in the digest",
            platform=self.platform,
            code="no-api",
        )

    def fetch(self, account: AccountRef, cursor: Mapping[str, Any] | None = None) -> Snapshot:
        """Raises ConfigurationError: there is nothing to poll."""
        raise self._no_api()

    def check_credentials(self, account: AccountRef) -> str:
        """Raises ConfigurationError: there are no credentials to check."""
        raise self._no_api()


class SnapchatConnector(ManualConnector):
    """Snapchat: no API for reading an account's posts or comments."""

    platform = "snapchat"
    display_name = "Snapchat"
    can_be_private = True
    can_disable_comments = True
    can_hold_comments = False


class TikTokConnector(ManualConnector):
    """TikTok: Hallwatch has no connector for it; accounts found by discovery can still be
    registered and are attested by a person."""

    platform = "tiktok"
    display_name = "TikTok"
    can_be_private = True
    can_disable_comments = True
    can_hold_comments = False
