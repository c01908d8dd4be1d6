"""Logging set-up with a scrubber: secrets never reach a log line."""

from __future__ import annotations

import logging
import re

SECRET = re.compile(
    r"(?i)(access_token|token|password|secret|authorization|api[_-]?key)([\"']?\s*[:=]\s*[\"']?|\s+)"
    r"([^\s\"'&,]+)"
)


class ScrubFilter(logging.Filter):
    """Masks ``token=...``-style values in every record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}***", message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ScrubFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
