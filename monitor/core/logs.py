"""Logging set-up with a scrubber: secrets never reach a log line."""

from __future__ import annotations

import logging
import re

# key=value (URLs, forms) and "key": "value" (JSON); plain prose such as "access token: expired"
# is left alone so messages stay readable.
SECRET = re.compile(
    r"(?i)\b(access_token|refresh_token|token|password|secret|client_secret|api_key|apikey|key"
    r"|oauth_signature|oauth_token)"
    r"(=|[\"']\s*:\s*[\"'])([^\s\"'&,]+)"
)
BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")


def scrub(text: str) -> str:
    """Mask credential values in ``text``."""
    text = SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    return BEARER.sub(lambda m: f"{m.group(1)} ***", text)


class ScrubFilter(logging.Filter):
    """Masks ``token=...``-style values in every record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


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


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ScrubFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
