"""Platform connectors: platform API responses in, plain typed records out.

The public seam is :func:`get_connector`. Connectors never import ``monitor`` or ``detectors``.
Each platform's facts are declared on its connector class; :data:`CAPABILITIES` is the
read-only view of them by platform name.
"""

from __future__ import annotations

from connectors.base import Capabilities, Connector, Quota
from connectors.errors import (
    AuthRevoked,
    ConfigurationError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
    UsageCapped,
)
from connectors.http import quiet_sdk_loggers
from connectors.platforms import (
    CAPABILITIES,
    Platform,
    UnknownPlatform,
    available_platforms,
    capabilities,
    get_connector,
    platform_names,
)
from connectors.records import (
    AccountRef,
    Administrator,
    Comment,
    Media,
    Post,
    Profile,
    Snapshot,
)

quiet_sdk_loggers()  # SDK debug logs carry tokens: see connectors.http.SDK_LOGGERS

__all__ = [
    "CAPABILITIES",
    "AccountRef",
    "Administrator",
    "AuthRevoked",
    "Capabilities",
    "Comment",
    "ConfigurationError",
    "Connector",
    "ConnectorError",
    "Media",
    "PermanentError",
    "Post",
    "Profile",
    "Quota",
    "RateLimited",
    "Snapshot",
    "TransientError",
    "Platform",
    "UnknownPlatform",
    "UsageCapped",
    "available_platforms",
    "capabilities",
    "get_connector",
    "platform_names",
]
