"""E-mail rendering with Jinja2. HTML templates autoescape; headers are single-line.

Every value a template prints, and every header, goes through the one display filter
(:func:`monitor.core.display.display_text`) first.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from detectors import Severity
from detectors.rules import rule_name
from monitor.core.display import display_text, header_text, local_day, safe_url

# An account's registry status as a principal reads it.
STATUS_WORDS = {
    "active": "checked by Hallwatch",
    "manual": "checked by hand (no API)",
    "retired": "retired",
    "credentials_broken": "not working: IT must reconnect it",
}
SEVERITY_WORDS: dict[str, str] = {  # keyed by the stored value (a Severity)
    Severity.CRITICAL: "Urgent: act today",
    Severity.HIGH: "High: act this week",
    Severity.MEDIUM: "Medium",
    Severity.LOW: "Low",
}


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("monitor.notify", "templates"),
        autoescape=select_autoescape(["html", "html.j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=display_text,
    )
    env.filters["safe_url"] = safe_url
    env.filters["day"] = local_day
    env.globals["rule_name"] = rule_name
    env.globals["status_words"] = STATUS_WORDS
    return env


def render(name: str, **context: Any) -> tuple[str, str]:
    """Render ``name.txt.j2`` and ``name.html.j2``; return (text, html)."""
    env = environment()
    text = env.get_template(f"{name}.txt.j2").render(**context)
    html = env.get_template(f"{name}.html.j2").render(**context)
    return text, html


def email(
    sender: str, recipient: str, subject: str, text: str, html: str, message_id: str
) -> EmailMessage:
    """A multipart/alternative message with a stable Message-ID (for de-duplication)."""
    message = EmailMessage()
    message["From"] = header_text(sender)
    message["To"] = header_text(recipient)
    message["Subject"] = header_text(subject)
    domain = sender.rpartition("@")[2] or "hallwatch.local"
    local = re.sub(r"[^A-Za-z0-9.-]", "-", message_id)[:150]
    message["Message-ID"] = f"<{local}@{header_text(domain)}>"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
