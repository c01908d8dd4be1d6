"""Credentials at rest: Fernet encryption, MultiFernet key rotation.

The Fernet key is derived from ``secret_key`` with HKDF-SHA256 (a value that already is a
Fernet key is used as it is). During a rotation the old keys go in
``previous_secret_keys``: they still decrypt, :func:`rotate_all` re-encrypts every stored
credential under the new key, and then they can be removed. Plain credentials exist only
in memory, for the length of one poll or one command, and are never logged.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.core.settings import Settings
from monitor.storage.models import Account

INFO = b"hallwatch credentials v1"


class CredentialsError(Exception):
    """Credentials cannot be read; the message says what to do (never what they are)."""


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
    return _derive(settings.secret_key, info)


def derived_keys(settings: Settings, info: bytes) -> list[bytes]:
    """:func:`derived_key` of the current secret key, then of each previous one."""
    return [
        _derive(secret, info) for secret in (settings.secret_key, *settings.previous_secret_keys)
    ]


def _derive(secret: str, info: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"hallwatch", info=info)
    return hkdf.derive(secret.encode())


def cipher(settings: Settings) -> MultiFernet:
    """The current key first (it encrypts), then the previous ones (they still decrypt)."""
    keys = [settings.secret_key, *settings.previous_secret_keys]
    return MultiFernet([Fernet(fernet_key(k)) for k in keys])


def encrypt(settings: Settings, credentials: Mapping[str, Any]) -> str:
    blob = json.dumps(dict(credentials), sort_keys=True).encode()
    return cipher(settings).encrypt(blob).decode()


def decrypt(settings: Settings, token: str) -> dict[str, Any]:
    """Decrypt stored credentials.

    Raises:
        CredentialsError: the secret key changed without ``previous_secret_keys``.
    """
    if not token:
        return {}
    try:
        data = json.loads(cipher(settings).decrypt(token.encode()))
    except InvalidToken:
        raise CredentialsError(
            "stored credentials cannot be decrypted with the current secret_key: if the key "
            "was changed, put the old one in previous_secret_keys (HALLWATCH_PREVIOUS_SECRET_KEYS)"
            " or set the account's credentials again"
        ) from None
    return dict(data)


def rotate_all(session: Session, settings: Settings) -> int:
    """Re-encrypt every stored credential under the current key; return how many."""
    fernet = cipher(settings)
    count = 0
    for account in session.scalars(select(Account).where(Account.credentials != "")):
        try:
            account.credentials = fernet.rotate(account.credentials.encode()).decode()
        except InvalidToken:
            raise CredentialsError(
                f"account {account.key}: credentials cannot be decrypted with any configured key"
            ) from None
        count += 1
    return count


def parse_credentials(text: str) -> dict[str, str]:
    """Credentials as given by a person: a JSON object, or ``key=value`` lines.

    Raises:
        CredentialsError: naming the line that is not understood (never its value).
    """
    text = text.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CredentialsError(f"not valid JSON (line {exc.lineno})") from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise CredentialsError(
                'give a JSON object of text values, e.g. {"access_token": "..."}'
            )
        return {str(k): v for k, v in data.items()}
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise CredentialsError(f"line {number} is not key=value")
        found[key.strip()] = value.strip()
    if not found:
        raise CredentialsError("no credentials given: write key=value lines or a JSON object")
    return found
