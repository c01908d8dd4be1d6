"""Platform connectors: platform API responses in, plain typed records out.

The public seam is :func:`get_connector`. Connectors never import ``monitor`` or ``detectors``.
"""

from __future__ import annotations

from importlib import import_module

from connectors.base import CAPABILITIES, Capabilities, Connector, capabilities
from connectors.errors import (
    AuthRevoked,
    ConfigurationError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)
from connectors.http import quiet_sdk_loggers
from connectors.records import AccountRef, Comment, Media, Post, Profile, Snapshot

quiet_sdk_loggers()  # SDK debug logs carry tokens: see connectors.http.SDK_LOGGERS

# platform name -> "module:Class"; a platform listed in CAPABILITIES but not here has
# no connector yet (or no API at all, like Snapchat) and is handled as manual attestation.
_REGISTRY: dict[str, str] = {
    "facebook": "connectors.facebook:FacebookConnector",
    "instagram": "connectors.instagram:InstagramConnector",
    "x": "connectors.x:XConnector",
    "youtube": "connectors.youtube:YouTubeConnector",
    "wordpress": "connectors.wordpress:WordPressConnector",
    "blogger": "connectors.blogger:BloggerConnector",
    "sandbox": "connectors.sandbox:SandboxConnector",
}


class UnknownPlatform(LookupError):
    """No connector exists for the platform asked for."""


def get_connector(name: str) -> type[Connector]:
    """Return the connector class for platform ``name``.

    Raises:
        UnknownPlatform: with the list of platforms that do have a connector.
    """
    target = _REGISTRY.get(name)
    if target is None:
        known = ", ".join(sorted(_REGISTRY))
        raise UnknownPlatform(
            f"no connector for platform {name!r}; platforms with a connector: {known}"
        )
    module_name, _, class_name = target.partition(":")
    cls: type[Connector] = getattr(import_module(module_name), class_name)
    return cls


def available_platforms() -> list[str]:
    return sorted(_REGISTRY)


__all__ = [
    "CAPABILITIES",
    "AccountRef",
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
    "RateLimited",
    "Snapshot",
    "TransientError",
    "UnknownPlatform",
    "available_platforms",
    "capabilities",
    "get_connector",
]
