"""Logging set-up: a scrubber so secrets never reach a log line, context fields, two formats.

``[logging] format``: ``text`` writes ``time LEVEL logger: message`` lines (with the context
fields at the end); ``json`` writes one JSON object per line for a log pipeline:

    {"time": "2026-09-14T15:02:11.204Z", "level": "WARNING", "logger": "monitor.ingest.pipeline",
     "message": "...", "component": "worker", "account_id": 12, "platform": "facebook",
     "message_id": "3c5e...", "actor": "poll_account", "queue": "poll"}

Context fields come from :func:`log_context` (or :func:`bind`): every record logged inside
the block, in that thread, carries them. Only the names in :data:`CONTEXT_FIELDS` may be
bound, and only ids and names of things (an account's database id, a platform, a message
id): never a person's name, an e-mail address, an account handle or platform text. The
scrubber masks credential values in every message and traceback, and the bound parameters
SQLAlchemy puts in its error messages (they can hold a comment's text).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from monitor.core.settings import Settings

# key=value (URLs, forms) and "key": "value" (JSON); plain prose such as "access token: expired"
# is left alone so messages stay readable.
SECRET = re.compile(
    r"(?i)\b(access_token|refresh_token|token|password|secret|client_secret|api_key|apikey|key"
    r"|oauth_signature|oauth_token)"
    r"(=|[\"']\s*:\s*[\"'])([^\s\"'&,]+)"
)
BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
# SQLAlchemy's errors end with "[parameters: (...)]": the values of the failed statement.
SQL_PARAMETERS = re.compile(r"\[parameters: [^\n]*")

CONTEXT_FIELDS = ("account_id", "platform", "message_id", "actor", "queue", "outbox_id")
_SAFE_VALUE = re.compile(r"[A-Za-z0-9_.:-]{1,80}")
_context: ContextVar[Mapping[str, str | int]] = ContextVar(
    "hallwatch_log_context", default=MappingProxyType({})
)


def scrub(text: str) -> str:
    """Mask credential values and SQL statement parameters in ``text``."""
    text = SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    text = BEARER.sub(lambda m: f"{m.group(1)} ***", text)
    return SQL_PARAMETERS.sub("[parameters: hidden]", text)


def bind(**fields: str | int) -> Token[Mapping[str, str | int]]:
    """Add context fields for this thread (or task) until :func:`unbind` with the token.

    Raises:
        ValueError: a field not in :data:`CONTEXT_FIELDS`, or a value that is not a plain id
            (a programming error: only ids and names of things go in logs).
    """
    for name, value in fields.items():
        if name not in CONTEXT_FIELDS:
            raise ValueError(f"log context field {name!r} is not one of {CONTEXT_FIELDS}")
        if not isinstance(value, int) and not _SAFE_VALUE.fullmatch(str(value)):
            raise ValueError(f"log context field {name!r} must be an id, not free text")
    return _context.set({**_context.get(), **fields})


def unbind(token: Token[Mapping[str, str | int]]) -> None:
    _context.reset(token)


@contextmanager
def log_context(**fields: str | int) -> Iterator[None]:
    """Every record logged in the block carries ``fields`` (see :func:`bind`)."""
    token = bind(**fields)
    try:
        yield
    finally:
        unbind(token)


def current_context() -> dict[str, str | int]:
    return dict(_context.get())


class ScrubFilter(logging.Filter):
    """Masks ``token=...``-style values in every record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


class ContextFilter(logging.Filter):
    """Copies the bound context fields onto each record (in the thread that logs it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.hallwatch_context = current_context()
        return True


class TextFormatter(logging.Formatter):
    """``time LEVEL logger: message [field=value ...]``, tracebacks scrubbed."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = getattr(record, "hallwatch_context", None)
        if not fields:
            return line
        head, newline, rest = line.partition("\n")
        shown = " ".join(f"{k}={v}" for k, v in fields.items())
        return f"{head} [{shown}]{newline}{rest}"

    def formatException(self, ei: Any) -> str:  # noqa: N802 (logging's name)
        return scrub(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return scrub(super().formatStack(stack_info))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ASCII only, so no character in a message can split it."""

    def __init__(self, component: str = "") -> None:
        super().__init__()
        self.component = component

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        if self.component:
            entry["component"] = self.component
        entry.update(getattr(record, "hallwatch_context", None) or {})
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__ if record.exc_info[0] else ""
            entry["traceback"] = scrub(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = scrub(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=True, default=str)


# Libraries that log request URLs (with tokens in the query) or auth headers at INFO/DEBUG.
QUIET = (
    "urllib3",
    "requests_oauthlib",
    "oauthlib",
    "googleapiclient",
    "google_auth_httplib2",
    "httplib2",
    "tweepy",
    "facebook",
)


def configure_logging(
    level: int | None = None, *, settings: Settings | None = None, component: str = ""
) -> None:
    """Log to standard error in ``settings.logging.format`` at its level (or ``level``).

    ``component`` (``scheduler``, ``worker``, ``web``...) names the process in JSON lines.
    """
    fmt = settings.logging.format if settings is not None else "text"
    if level is None:
        named = settings.logging.level.upper() if settings is not None else "INFO"
        level = logging.getLevelNamesMapping()[named]
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(component) if fmt == "json" else TextFormatter())
    handler.addFilter(ScrubFilter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
