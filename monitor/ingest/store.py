"""Storing what a poll returned: profile snapshots, posts, comments and media.

Only what is new or changed is written, and the caller gets exactly that back so the
detectors run over nothing twice. The language of each new or changed text is identified
here, once, and stored with it. Platform-side review (a reply from the account, a hidden,
rejected or deleted comment, a held comment released) is recorded as the comment's review.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import records
from detectors.langid import identify
from monitor.core.domain import REVIEWED_BY_STATUS, CommentStatus
from monitor.storage.models import Account, Comment, MediaItem, Post, ProfileSnapshot

log = logging.getLogger(__name__)

MAX_TEXT = 20_000  # platform text is hostile: bound what we keep
MAX_ID = 200  # the external id columns' width; a longer id is skipped, never cut (cut ids collide)
REVIEWED_STATUSES = frozenset(REVIEWED_BY_STATUS)


# PostgreSQL text holds no NUL, and no UTF-8 encodes a lone surrogate ("\ud800" in JSON).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def fingerprint(*parts: Any) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


def bounded(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` cut to ``limit`` characters, with what no database can store replaced."""
    text = text if len(text) <= limit else text[:limit]
    return _UNSTORABLE.sub("\ufffd", text)


@dataclass
class Changes:
    """What one snapshot added or changed."""

    profile: ProfileSnapshot | None = None
    previous_profile: ProfileSnapshot | None = None
    posts: list[Post] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)


def latest_profiles(session: Session, account_id: int, n: int = 2) -> list[ProfileSnapshot]:
    query = (
        select(ProfileSnapshot)
        .where(ProfileSnapshot.account_id == account_id)
        .order_by(ProfileSnapshot.taken_at.desc(), ProfileSnapshot.id.desc())
        .limit(n)
    )
    return list(session.scalars(query))


def save_profile(
    session: Session, account: Account, profile: records.Profile, now: datetime
) -> tuple[ProfileSnapshot | None, ProfileSnapshot | None]:
    """Record the profile if it changed; return (new snapshot or None, previous snapshot)."""
    fields = asdict(profile)
    fields.pop("extra", None)
    print_ = fingerprint(fields)
    previous = next(iter(latest_profiles(session, account.id, 1)), None)
    if previous is not None and previous.fingerprint == print_:
        return None, previous
    snapshot = ProfileSnapshot(
        account_id=account.id,
        taken_at=now,
        visibility=profile.visibility,
        comments_enabled=profile.comments_enabled,
        comments_held=profile.comments_held,
        display_name=bounded(profile.display_name, 300),
        about=bounded(profile.about, 5000),
        website=bounded(profile.website, 500),
        contact_email=bounded(profile.contact_email, 320),
        fingerprint=print_,
    )
    session.add(snapshot)
    return snapshot, previous


def _set_text(row: Post | Comment, text: str) -> None:
    """Store a post's or comment's text and, when it is new or changed (or was stored
    before languages were identified), its language (:func:`detectors.langid.identify`),
    so the detectors and the coverage counts never identify it again."""
    if text != row.text or not row.language:
        row.language = identify(text)
    row.text = text


def save_post(
    session: Session, account: Account, post: records.Post, now: datetime, known: dict[str, Post]
) -> Post | None:
    """Insert or update one post; return it only if new or changed.

    ``known`` maps external ids to the account's stored posts (prefetched in one query) and
    is updated with new rows.
    """
    print_ = fingerprint(post.text, post.url, post.visibility, [asdict(m) for m in post.media])
    row = known.get(post.external_id)
    if row is not None and row.fingerprint == print_:
        return None
    is_new = row is None
    if row is None:
        row = Post(account_id=account.id, external_id=post.external_id, first_seen_at=now)
        session.add(row)
        known[post.external_id] = row
    row.created_at = post.created_at
    _set_text(row, bounded(post.text))
    row.url = bounded(post.url, 1000)
    row.visibility = post.visibility
    row.fingerprint = print_
    session.flush()
    _save_media(session, row, post.media, is_new)
    return row


def _save_media(
    session: Session, post: Post, media: tuple[records.Media, ...], is_new: bool
) -> None:
    query = select(MediaItem).where(MediaItem.post_id == post.id)
    known = {} if is_new or not media else {m.external_id: m for m in session.scalars(query)}
    for item in media:
        row = known.get(item.external_id) or MediaItem(
            post_id=post.id, external_id=item.external_id
        )
        row.kind, row.url, row.alt_text = (
            item.kind,
            bounded(item.url, 1000),
            bounded(item.alt_text, 2000),
        )
        session.add(row)


def _review_source(comment: records.Comment, status: str, previous_status: str | None) -> str:
    if comment.replied_by_account:
        return "platform:reply"
    if status in REVIEWED_STATUSES:
        return f"platform:{status}"
    if previous_status == CommentStatus.HELD and status == CommentStatus.PUBLISHED:
        return "platform:approved"
    return ""


def save_comment(
    session: Session,
    account: Account,
    comment: records.Comment,
    now: datetime,
    known: dict[str, Comment],
    posts: dict[str, Post],
) -> Comment | None:
    """Insert or update one comment and its review state; return it only if new or changed.

    A platform that cannot say whether a comment is hidden (X: ``hidden`` None, status
    "published") does not undo a hide recorded here: the stored "hidden" stays.
    """
    row = known.get(comment.external_id)
    status: str = comment.status
    if (
        comment.hidden is None
        and status == CommentStatus.PUBLISHED
        and row is not None
        and row.status == CommentStatus.HIDDEN
    ):
        status = CommentStatus.HIDDEN
    print_ = fingerprint(comment.text, status, comment.replied_by_account, comment.url)
    if row is not None and row.fingerprint == print_:
        return None
    previous_status = row.status if row is not None else None
    if row is None:
        row = Comment(account_id=account.id, external_id=comment.external_id, first_seen_at=now)
        known[comment.external_id] = row
    post = posts.get(comment.post_external_id)
    row.post_id = post.id if post is not None else None
    row.post_external_id = comment.post_external_id
    row.created_at = comment.created_at
    if comment.text or not row.text:  # a deleted comment comes back empty: keep the evidence
        _set_text(row, bounded(comment.text))
    row.author_name = bounded(comment.author_name, 300)
    row.url = bounded(comment.url, 1000)
    row.status = status
    row.by_account = comment.by_account
    row.replied_by_account = comment.replied_by_account
    row.fingerprint = print_
    session.add(row)
    source = _review_source(comment, status, previous_status)
    if source and row.reviewed_at is None:
        row.reviewed_at, row.reviewed_by = now, source
    return row


CHUNK = 500


def _prefetch(session: Session, model: Any, account_id: int, ids: set[str]) -> dict[str, Any]:
    """The account's stored rows among ``ids``, by external id, in a few queries."""
    found: dict[str, Any] = {}
    ordered = sorted(ids)
    for i in range(0, len(ordered), CHUNK):
        chunk = ordered[i : i + CHUNK]
        query = select(model).where(model.account_id == account_id, model.external_id.in_(chunk))
        found.update({row.external_id: row for row in session.scalars(query)})
    return found


def _too_long(kind: str, ident: str, account: str) -> bool:
    """True (and a warning) for an id the database cannot hold: too long, or a NUL in it."""
    if len(ident) <= MAX_ID and not _UNSTORABLE.search(ident):
        return False
    log.warning(
        "skipped %s %r of account %s: id longer than %d characters (%d) or not storable text",
        kind,
        _UNSTORABLE.sub("?", ident[:40]),
        account,
        MAX_ID,
        len(ident),
    )
    return True


def _storable(snapshot: records.Snapshot, account: str) -> records.Snapshot:
    """The snapshot without items whose ids do not fit the database (hostile or broken)."""
    posts = tuple(
        replace(
            p, media=tuple(m for m in p.media if not _too_long("media", m.external_id, account))
        )
        for p in snapshot.posts
        if not _too_long("post", p.external_id, account)
    )
    comments = tuple(
        c
        for c in snapshot.comments
        if not _too_long("comment", c.external_id, account)
        and not _too_long("comment's post", c.post_external_id, account)
    )
    return replace(snapshot, posts=posts, comments=comments)


def save_snapshot(
    session: Session, account: Account, snapshot: records.Snapshot, now: datetime
) -> Changes:
    """Store a whole snapshot (posts before comments, so comments find their post)."""
    changes = Changes()
    changes.profile, changes.previous_profile = save_profile(
        session, account, snapshot.profile, now
    )
    snapshot = _storable(snapshot, account.key)
    post_ids = {p.external_id for p in snapshot.posts}
    posts = _prefetch(
        session, Post, account.id, post_ids | {c.post_external_id for c in snapshot.comments}
    )
    comments = _prefetch(session, Comment, account.id, {c.external_id for c in snapshot.comments})
    for post in snapshot.posts:
        if (row := save_post(session, account, post, now, posts)) is not None:
            changes.posts.append(row)
    for comment in snapshot.comments:
        if (crow := save_comment(session, account, comment, now, comments, posts)) is not None:
            changes.comments.append(crow)
    session.flush()
    return changes
