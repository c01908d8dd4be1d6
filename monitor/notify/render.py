"""E-mail rendering with Jinja2. HTML templates autoescape; headers are single-line.

Every value a template prints, and every header, goes through :func:`display_text` first:
platform text may carry bidi controls (``U+202E`` turns ``txt.exe`` into ``exe.txt``) or
invisible characters, and neither may reorder, hide or spoof what a supervisor reads.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

HEADER_LIMIT = 200
# Bidi embeddings, overrides, isolates and marks; zero-width space and non-joiner, word
# joiner, BOM, soft hyphen, Mongolian vowel separator. A zero-width joiner stays inside emoji
# sequences (family, flags) and goes between letters, where it only hides things.
_HIDDEN = re.compile(
    "[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\u200c\u2060\ufeff\u00ad\u180e]"
    "|(?<=\\w)\u200d|\u200d(?=\\w)"
    # C0 and C1 controls but tab and newline: NUL, a terminal's ESC sequences, CR overwrites
    "|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


def display_text(value: Any) -> Any:
    """``value`` with bidi and control characters and invisible ones removed (non-text as is)."""
    if isinstance(value, Markup):
        return Markup(_HIDDEN.sub("", str(value)))
    if isinstance(value, str):
        return _HIDDEN.sub("", value)
    return value


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
    return env


def safe_url(value: str) -> str:
    """Only http(s) links leave the template; anything else (``javascript:``...) becomes ''."""
    return value if value.lower().startswith(("https://", "http://")) else ""


def header_text(value: str) -> str:
    """Platform text made safe for a header: no control characters, bounded."""
    flat = re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+", " ", display_text(value)).strip()
    return flat[:HEADER_LIMIT]


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
