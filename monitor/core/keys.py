"""Keys derived from the secret key: one per purpose, with the previous keys of a rotation.

The secret key lives outside the database (settings or ``<var_dir>/secret.key``). Each use
(credentials, the roster's keyed hashes, console sessions, signed links) derives its own key
with HKDF-SHA256, so no two uses share one.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from monitor.core.settings import Settings

INFO = b"hallwatch credentials v1"


def fernet_key(secret: str) -> bytes:
    """The Fernet key for ``secret``."""
    try:
        if len(base64.urlsafe_b64decode(secret.encode())) == 32:
            return secret.encode()
    except (binascii.Error, ValueError):
        pass
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"hallwatch", info=INFO)
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))


def derived_key(settings: Settings, info: bytes) -> bytes:
    """A 32-byte key for one purpose (``info``), derived from the secret key with HKDF."""
    return _derive(settings.master_key, info)


def derived_keys(settings: Settings, info: bytes) -> list[bytes]:
    """:func:`derived_key` of the current secret key, then of each previous one."""
    return [
        _derive(secret, info) for secret in (settings.master_key, *settings.previous_secret_keys)
    ]


def _derive(secret: str, info: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"hallwatch", info=info)
    return hkdf.derive(secret.encode())


def key_id(secret: str) -> str:
    """A short name for a secret key, safe to show: 8 hex digits of a key derived for this
    purpose only (so it says which key is in use without revealing anything of it)."""
    return _derive(secret, b"hallwatch key id v1").hex()[:8]


def cipher(settings: Settings) -> MultiFernet:
    """The current key first (it encrypts), then the previous ones (they still decrypt)."""
    keys = [settings.master_key, *settings.previous_secret_keys]
    return MultiFernet([Fernet(fernet_key(k)) for k in keys])
