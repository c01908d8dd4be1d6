"""The one display filter for platform text, on every surface that shows it.

E-mails, digests, chat messages, the console, its audited reveal and the HTML report all
pass every value through :func:`display_text`: platform text may carry bidi controls
(``U+202E`` turns ``txt.exe`` into ``exe.txt``) or invisible characters, and neither may
reorder, hide or spoof what a supervisor reads. Escaping for HTML is the templates' job
(autoescape); this removes what escaping leaves visible.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from typing import Any

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


def safe_url(value: str) -> str:
    """Only http(s) links leave the template; anything else (``javascript:``...) becomes ''."""
    return value if value.lower().startswith(("https://", "http://")) else ""


def header_text(value: str) -> str:
    """Platform text made safe for a header: no control characters, bounded."""
    flat = re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+", " ", display_text(value)).strip()
    return flat[:HEADER_LIMIT]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: str) -> str:
    """Text made safe for a CSV a person opens in a spreadsheet: the display filter, then a
    cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR)
    gets a leading apostrophe, which spreadsheets show as text."""
    value = display_text(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def from_spreadsheet_cell(value: str) -> str:
    """What :func:`spreadsheet_cell` wrote, read back (the apostrophe it added removed)."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def local_time(value: datetime | None, zone: tzinfo) -> str:
    """``value`` in the district's zone with the zone named: ``Wed 16 Sep 2026 10:00 PDT``."""
    if value is None:
        return ""
    local = value.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M %Z}"


def local_day(value: date | None) -> str:
    """A calendar day as people read it: ``Wed 16 Sep 2026``."""
    return f"{value:%a} {value.day} {value:%b %Y}" if value is not None else ""


def age(value: datetime, now: datetime) -> str:
    """How long ago, in the largest whole unit: ``just now``, ``3 hours ago``, ``2 days ago``."""
    seconds = (now - value).total_seconds()
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    return "just now"
