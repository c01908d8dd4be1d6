"""What of a stored comment a page may show: its text with every flagged span masked.

Every page that lists comments (the review queue, a flag's page, the to-do list) shows
comment text through :func:`masked_comments`; the unmasked text is shown only by the
audited "Reveal" (``evidence.revealed`` in the audit log). A comment that any rule flagged
shows its text with each span the rules found (a student's name, a phone number...)
replaced by its label; when a flag recorded no spans, or the stored text changed since, the
flag's own excerpt (masked when it was raised) is shown instead. A comment no rule flagged
shows its text.

A comment with a sign of self-harm on it (``CARE_RULES``) is masked whole, and for anyone
but the unit's supervisor, a counsellor or an administrator its author's name is withheld
too (:func:`care_comments`): who wrote it is the sensitive part.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

import detectors
from monitor.core.domain import CARE_RULES
from monitor.storage.models import Comment, Flag

PURGED = "(the text was purged under the retention period)"
WITHHELD = "(withheld: a wellbeing concern)"


def _spans(flag: Flag, text: str) -> list[tuple[int, int, str]] | None:
    """The flag's spans if they fit ``text``; None when it recorded none that do."""
    found = []
    for span in (flag.details or {}).get("spans", []):
        try:
            start, end, label = int(span[0]), int(span[1]), str(span[2])
        except (TypeError, ValueError, IndexError):
            return None
        if not 0 <= start < end <= len(text):
            return None
        found.append((start, end, label))
    return found or None


def masked_text(text: str, flags: Sequence[Flag]) -> str:
    """``text`` as a page may show it, given the flags raised on it (see the module)."""
    if not text:
        return PURGED
    if not flags:
        return text
    spans: list[tuple[int, int, str]] = []
    for flag in flags:
        found = _spans(flag, text)
        if found is None:
            return flag.excerpt or "(masked: open the flag to reveal it)"
        spans += found
    return detectors.redact(text, spans)


def masked_comments(session: Session, comments: Sequence[Comment]) -> dict[int, str]:
    """Comment id -> the text to show, for a whole page of comments in one query."""
    refs = {f"comment:{c.external_id}" for c in comments}
    accounts = {c.account_id for c in comments}
    flags: dict[tuple[int, str], list[Flag]] = defaultdict(list)
    if refs:
        query = (
            select(Flag)
            .where(Flag.subject_ref.in_(sorted(refs)), Flag.account_id.in_(sorted(accounts)))
            .order_by(Flag.id)
        )
        for flag in session.scalars(query):
            flags[(flag.account_id, flag.subject_ref)].append(flag)
    return {
        c.id: masked_text(c.text, flags.get((c.account_id, f"comment:{c.external_id}"), []))
        for c in comments
    }


def care_comments(session: Session, comments: Sequence[Comment]) -> set[int]:
    """Ids of the ``comments`` on which a sign of self-harm was flagged (one query)."""
    if not comments:
        return set()
    found = session.execute(
        select(Flag.account_id, Flag.subject_ref).where(
            Flag.subject_ref.in_(sorted({f"comment:{c.external_id}" for c in comments})),
            Flag.account_id.in_(sorted({c.account_id for c in comments})),
            Flag.rule_id.in_(sorted(CARE_RULES)),
        )
    )
    pairs = {(account, ref) for account, ref in found}
    return {c.id for c in comments if (c.account_id, f"comment:{c.external_id}") in pairs}
