"""Which platforms have a connector, and each platform's facts, read from its class.

``CAPABILITIES`` is a read-only view: ``CAPABILITIES["facebook"]`` is
``FacebookConnector.facts()``. Connector modules are imported when first asked for, so
``import connectors`` stays light.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from enum import StrEnum
from importlib import import_module

from connectors.base import Capabilities, Connector


class Platform(StrEnum):
    """Every platform Hallwatch knows, as accounts store it, in the order people list them."""

    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    X = "x"
    YOUTUBE = "youtube"
    WORDPRESS = "wordpress"
    BLOGGER = "blogger"
    SNAPCHAT = "snapchat"
    TIKTOK = "tiktok"
    SANDBOX = "sandbox"


# platform -> "module:Class" of its connector, whose class attributes are the platform's facts
_REGISTRY: dict[str, str] = {
    Platform.FACEBOOK: "connectors.facebook:FacebookConnector",
    Platform.INSTAGRAM: "connectors.instagram:InstagramConnector",
    Platform.X: "connectors.x:XConnector",
    Platform.YOUTUBE: "connectors.youtube:YouTubeConnector",
    Platform.WORDPRESS: "connectors.wordpress:WordPressConnector",
    Platform.BLOGGER: "connectors.blogger:BloggerConnector",
    Platform.SNAPCHAT: "connectors.manual:SnapchatConnector",
    Platform.TIKTOK: "connectors.manual:TikTokConnector",
    Platform.SANDBOX: "connectors.sandbox:SandboxConnector",
}
# what an unknown platform is assumed to allow: nothing is read, a person attests
_UNKNOWN = Capabilities(
    can_be_private=True, can_disable_comments=True, can_hold_comments=False, has_api=False
)


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
    """Every platform name, sorted."""
    return sorted(_REGISTRY)


def platform_names() -> tuple[str, ...]:
    """Every platform name, in the order people list them (the sandbox last)."""
    return tuple(str(p) for p in Platform)


class _Facts(Mapping[str, Capabilities]):
    """platform -> its connector class's :meth:`~connectors.base.Connector.facts`."""

    def __getitem__(self, name: str) -> Capabilities:
        try:
            return get_connector(name).facts()
        except UnknownPlatform:
            raise KeyError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(_REGISTRY)

    def __len__(self) -> int:
        return len(_REGISTRY)

    def __repr__(self) -> str:
        return f"<platform facts of {', '.join(_REGISTRY)}>"


CAPABILITIES: Mapping[str, Capabilities] = _Facts()


def capabilities(platform: str) -> Capabilities:
    """What ``platform`` allows; an unknown platform has no API (manual attestation)."""
    return CAPABILITIES.get(platform, _UNKNOWN)
