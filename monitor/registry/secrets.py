"""Credentials at rest: Fernet encryption, MultiFernet key rotation.

The Fernet key is derived from ``secret_key`` with HKDF-SHA256 (a value that already is a
Fernet key is used as it is). During a rotation the old keys go in
``previous_secret_keys``: they still decrypt, :func:`rotate_all` re-encrypts every stored
credential under the new key, and then they can be removed. Plain credentials exist only
in memory, for the length of one poll or one command, and are never logged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.core.keys import cipher, fernet_key
from monitor.core.progress import SILENT, Progress
from monitor.core.settings import Settings
from monitor.storage.models import Account


class CredentialsError(Exception):
    """Credentials cannot be read; the message says what to do (never what they are)."""


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


def rotate_all(session: Session, settings: Settings, progress: Progress = SILENT) -> int:
    """Re-encrypt every stored credential under the current key; return how many."""
    fernet = cipher(settings)
    count = 0
    stored = Account.credentials != ""
    progress.stage(
        "Re-encrypting credentials", session.scalar(select(func.count()).where(stored)) or 0
    )
    for account in session.scalars(select(Account).where(stored)):
        try:
            account.credentials = fernet.rotate(account.credentials.encode()).decode()
        except InvalidToken:
            raise CredentialsError(
                f"account {account.key}: credentials cannot be decrypted with any configured key"
            ) from None
        count += 1
        progress.advance()
    return count


@dataclass(frozen=True)
class KeyUse:
    """Which key the stored credentials are encrypted under (counts only)."""

    current: int
    previous: int
    unreadable: int


def key_use(session: Session, settings: Settings) -> KeyUse:
    """Count the stored credentials under the current key, under a previous one (run
    ``hallwatch secrets rotate``), and under none configured (set them again)."""
    current = Fernet(fernet_key(settings.master_key))
    counts = {"current": 0, "previous": 0, "unreadable": 0}
    everyone = cipher(settings)
    for token in session.scalars(select(Account.credentials).where(Account.credentials != "")):
        try:
            current.decrypt(token.encode())
            counts["current"] += 1
        except InvalidToken:
            try:
                everyone.decrypt(token.encode())
                counts["previous"] += 1
            except InvalidToken:
                counts["unreadable"] += 1
    return KeyUse(**counts)


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
