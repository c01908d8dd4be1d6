"""Notifiers: one small interface for every delivery channel.

Issue 1 ships the file notifier, which writes each message as an ``.eml`` file into the
outbox folder (what the embedded default uses). SMTP and webhooks plug in here later.
"""

from __future__ import annotations

import os
import re
import tempfile
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol


class DeliveryError(Exception):
    """A channel could not deliver; the delivery stays pending and is retried."""


class Notifier(Protocol):
    """Delivers one message to one recipient and returns where it went."""

    channel: str

    def send(self, message: EmailMessage, recipient: str, name: str) -> str: ...


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:120]


class FileNotifier:
    """Writes ``<folder>/<name>.eml`` atomically; writing the same name twice overwrites it."""

    channel = "file"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage, recipient: str, name: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{_safe(name)}.eml"
        handle, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(bytes(message))
            os.replace(tmp, target)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise DeliveryError(f"cannot write {target}: {exc.strerror}") from exc
        return str(target)
