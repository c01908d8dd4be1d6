"""Evidence retention: blank stored post and comment text after the retention period.

Rows are kept (ids, times, review state, status) because flags and the audit log refer to
them; only the evidence text goes: ``Post.text``, the post's ``MediaItem.alt_text``,
``Comment.text`` and ``Comment.author_name``. Flags (whose excerpt is already redacted) and
the audit log are never touched. Evidence that a flag still ``open`` or ``acknowledged``
refers to (``Flag.subject_ref`` ``post:<external_id>`` / ``comment:<external_id>`` on the
same account) waits until that flag is resolved or dismissed.

The work is done in bounded batches of ids, so a large database is never loaded at once;
the caller owns the transaction (commit once, with the audit row).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, and_, exists, func, literal, or_, select, update
from sqlalchemy.orm import Session

from monitor.core.domain import ACTIVE_FLAG
from monitor.core.progress import SILENT, Progress
from monitor.storage import audit
from monitor.storage.models import Comment, Flag, MediaItem, Post

BATCH = 1000
HOLDING_STATUSES = ACTIVE_FLAG


@dataclass(frozen=True)
class PurgeResult:
    """What was (or, in a dry run, would be) blanked, and what open flags held back."""

    posts: int = 0
    comments: int = 0
    media: int = 0
    held_by_open_flags: int = 0

    @property
    def total(self) -> int:
        return self.posts + self.comments + self.media


def cutoff_for(now: datetime, days: float) -> datetime:
    """Evidence first seen before this time is due for purging."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware UTC datetime")
    if days <= 0:
        raise ValueError("days must be greater than 0")
    return now - timedelta(days=days)


def _held(kind: str, account_id: Any, external_id: Any) -> ColumnElement[bool]:
    """An open or acknowledged flag refers to this post/comment."""
    return exists().where(
        Flag.account_id == account_id,
        Flag.subject_ref == literal(f"{kind}:", String) + external_id,
        Flag.status.in_(HOLDING_STATUSES),
    )


def _post_held() -> ColumnElement[bool]:
    return _held("post", Post.account_id, Post.external_id)


def _comment_held() -> ColumnElement[bool]:
    return _held("comment", Comment.account_id, Comment.external_id)


def _media_left() -> ColumnElement[bool]:
    return exists().where(MediaItem.post_id == Post.id, MediaItem.alt_text != "")


def _post_due(cutoff: datetime) -> ColumnElement[bool]:
    return and_(Post.first_seen_at < cutoff, Post.text != "", ~_post_held())


def _comment_due(cutoff: datetime) -> ColumnElement[bool]:
    return and_(
        Comment.first_seen_at < cutoff,
        or_(Comment.text != "", Comment.author_name != ""),
        ~_comment_held(),
    )


def _media_due(cutoff: datetime) -> ColumnElement[bool]:
    old_free_post = (
        select(Post.id).where(Post.first_seen_at < cutoff, ~_post_held()).scalar_subquery()
    )
    return and_(MediaItem.alt_text != "", MediaItem.post_id.in_(old_free_post))


def _count(session: Session, model: Any, where: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(where)) or 0)


def _blank(
    session: Session,
    model: Any,
    where: ColumnElement[bool],
    values: dict[str, str],
    progress: Progress = SILENT,
) -> int:
    """Blank ``values`` on every row matching ``where``, ``BATCH`` ids at a time."""
    if progress is not SILENT:  # counting costs a query: only when someone watches
        progress.stage(f"Blanking {model.__tablename__}", _count(session, model, where))
    done = 0
    while True:
        ids = list(session.scalars(select(model.id).where(where).order_by(model.id).limit(BATCH)))
        if not ids:
            return done
        session.execute(update(model).where(model.id.in_(ids)).values(**values))
        done += len(ids)
        progress.advance(len(ids))


def held_count(session: Session, cutoff: datetime) -> int:
    """Old posts and comments with evidence left that open/acknowledged flags hold back."""
    posts = _count(
        session,
        Post,
        and_(Post.first_seen_at < cutoff, or_(Post.text != "", _media_left()), _post_held()),
    )
    comments = _count(
        session,
        Comment,
        and_(
            Comment.first_seen_at < cutoff,
            or_(Comment.text != "", Comment.author_name != ""),
            _comment_held(),
        ),
    )
    return posts + comments


def purge(
    session: Session,
    now: datetime,
    days: float,
    dry_run: bool = False,
    progress: Progress = SILENT,
) -> PurgeResult:
    """Blank evidence text first seen more than ``days`` before ``now``.

    A dry run only counts. A real run blanks in batches and adds one ``evidence.purged``
    audit row with the counts; the caller commits.
    """
    cutoff = cutoff_for(now, days)
    held = held_count(session, cutoff)
    if dry_run:
        return PurgeResult(
            posts=_count(session, Post, _post_due(cutoff)),
            comments=_count(session, Comment, _comment_due(cutoff)),
            media=_count(session, MediaItem, _media_due(cutoff)),
            held_by_open_flags=held,
        )
    result = PurgeResult(
        media=_blank(session, MediaItem, _media_due(cutoff), {"alt_text": ""}, progress),
        posts=_blank(session, Post, _post_due(cutoff), {"text": ""}, progress),
        comments=_blank(
            session, Comment, _comment_due(cutoff), {"text": "", "author_name": ""}, progress
        ),
        held_by_open_flags=held,
    )
    audit.record(
        session,
        audit.SYSTEM,
        "evidence.purged",
        at=now,
        days=days,
        cutoff=cutoff.isoformat(),
        **asdict(result),
    )
    return result
