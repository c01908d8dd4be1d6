"""Query predicates that more than one part of Hallwatch asks the same way."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_

from monitor.core.domain import NEEDS_REVIEW
from monitor.storage.models import Comment


def unreviewed(seen_before: datetime | None = None) -> ColumnElement[bool]:
    """A visitor's comment nobody has reviewed yet: not the account's own, still published
    or held, with no review recorded; with ``seen_before``, first seen before that time
    (so overdue when that time is now minus the review window)."""
    conditions: list[ColumnElement[bool]] = [
        Comment.by_account.is_(False),
        Comment.reviewed_at.is_(None),
        Comment.status.in_(NEEDS_REVIEW),
    ]
    if seen_before is not None:
        conditions.append(Comment.first_seen_at < seen_before)
    return and_(*conditions)
