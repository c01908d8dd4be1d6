"""Query predicates that more than one part of Hallwatch asks the same way."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

import detectors
from monitor.core.domain import NEEDS_REVIEW
from monitor.storage.models import Account, Candidate, Comment, MediaItem, Post


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


def held_for_approval() -> ColumnElement[bool]:
    """An ``Account`` registered from a discovery candidate and not approved yet: Hallwatch
    does not poll it (nor calls it stale) until its supervisor approves it. Accounts
    imported into the registry keep being polled while they wait, as before: for them,
    ``account.unapproved`` is the point."""
    return and_(
        Account.approval_status != "approved",
        exists().where(Candidate.account_id == Account.id),
    )


def is_held(session: Session, account_id: int) -> bool:
    """Whether :func:`held_for_approval` holds for one account."""
    query = select(Account.id).where(Account.id == account_id, held_for_approval())
    return session.scalar(query) is not None


def waiting_photo() -> ColumnElement[bool]:
    """A photo not analysed yet (faces, GPS): it waits for a poll with room under the
    per-poll cap."""
    return and_(MediaItem.kind == "photo", MediaItem.analysed_at.is_(None))


@dataclass(frozen=True)
class PhotoBacklog:
    """An account's photos still waiting for analysis, and those that could not be fetched."""

    waiting: int = 0
    not_fetched: int = 0


def photo_backlog(
    session: Session, account_ids: Sequence[int] | None = None
) -> dict[int, PhotoBacklog]:
    """Photos waiting and photos that could not be fetched, per account (one query); accounts
    with neither are left out. ``account_ids``: only these accounts (default: all)."""
    waiting = func.sum(case((waiting_photo(), 1), else_=0))
    failed = func.sum(case((MediaItem.analysis_error != "", 1), else_=0))
    query = (
        select(Post.account_id, waiting, failed)
        .join(MediaItem, MediaItem.post_id == Post.id)
        .where(MediaItem.kind == "photo")
        .where(or_(MediaItem.analysed_at.is_(None), MediaItem.analysis_error != ""))
        .group_by(Post.account_id)
    )
    if account_ids is not None:
        query = query.where(Post.account_id.in_(list(account_ids)))
    return {
        account_id: PhotoBacklog(int(w or 0), int(f or 0))
        for account_id, w, f in session.execute(query)
    }


def covered_languages(lexicon_dir: str) -> frozenset[str]:
    """:func:`detectors.covered_languages`; a word-list folder that cannot be read (the
    workers say so loudly) counts only the bundled languages, so counts still go out."""
    try:
        return detectors.covered_languages(lexicon_dir)
    except (OSError, ValueError):
        return detectors.covered_languages("")


NOT_IDENTIFIED = ("", "und")  # stored before languages were identified; too little to tell


def unchecked_languages(
    session: Session,
    covered: Collection[str],
    since: datetime,
    until: datetime | None = None,
    account_ids: Sequence[int] | None = None,
) -> dict[int, Counter[str]]:
    """Comments first seen in ``[since, until)`` in a language the text rules do not cover
    (not in ``covered``, not undetermined), per account and language code, in one query.

    The account's own comments are not counted (the rules never read them). Such comments
    were still matched against the roster and still count for review.
    """
    query = (
        select(Comment.account_id, Comment.language, func.count())
        .where(
            Comment.by_account.is_(False),
            Comment.first_seen_at >= since,
            Comment.language.not_in([*NOT_IDENTIFIED, *sorted(covered)]),
        )
        .group_by(Comment.account_id, Comment.language)
    )
    if until is not None:
        query = query.where(Comment.first_seen_at < until)
    if account_ids is not None:
        query = query.where(Comment.account_id.in_(list(account_ids)))
    found: dict[int, Counter[str]] = {}
    for account_id, language, n in session.execute(query):
        found.setdefault(account_id, Counter())[language] += n
    return found
