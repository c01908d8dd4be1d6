"""The one display filter for platform text, on every surface that shows it.

E-mails, digests, chat messages, the console, its audited reveal and the HTML report all
pass every value through :func:`display_text`: platform text may carry bidi controls
(``U+202E`` turns ``txt.exe`` into ``exe.txt``) or invisible characters, and neither may
reorder, hide or spoof what a supervisor reads. Escaping for HTML is the templates' job
(autoescape); this removes what escaping leaves visible.
"""

from __future__ import annotations

import re
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
