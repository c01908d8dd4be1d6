"""Blogger blogs through the Blogger API v3 (google-api-python-client, offline discovery).

One poll reads three streams, each one request when nothing changed: ``blogs.get`` (the
profile), ``posts.list(startDate=...)`` and ``comments.listByBlog(startDate=...)``, newest
first with ``nextPageToken`` paging. ``startDate`` is inclusive, so the cursor keeps the ids
seen at the newest time and drops them when they come back.

Comments held for moderation (``PENDING``) stay in the cursor; the comment query starts at
the oldest of them, so an approval (``LIVE``), a spam verdict or an emptied comment shows
up as a change. Blogger has no "hide": :meth:`hide_comment` is left to the base class.

Cursor (JSON), per stream ``posts`` and ``comments``::

    {"floor": newest time covered, "floor_ids": [...], "top": ..., "top_ids": [...],
     "start": startDate of a backlog in progress, "resume": page token | null,
     "pending": [[comment_id, published_at], ...]}          # comments only

plus ``"authors": [...]``, the blog's post authors (their comments are the account's).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from connectors import kit
from connectors.errors import PermanentError
from connectors.google import (
    MAX_PAGES,
    GoogleConnector,
    Hints,
    dig,
    newest_first,
    pairs,
    parse_time,
    rfc3339,
    text_of,
)
from connectors.records import AccountRef, Comment, CommentStatus, Media, Post, Profile, Snapshot

log = logging.getLogger(__name__)

PLATFORM = "blogger"
STATUSES: Mapping[str, CommentStatus] = {
    "LIVE": "published",
    "PENDING": "held",
    "SPAM": "hidden",
    "EMPTIED": "deleted",
}
KEEP_AUTHORS, KEEP_PENDING, MAX_PARENTS = 20, 200, 20


def html_text(html: str) -> tuple[str, list[tuple[str, str]]]:
    """Plain text of an HTML body, and its images as (src, alt)."""
    text, images = kit.html_text(html)
    return text, [(image.src, image.alt) for image in images]


@dataclass
class _Dated:
    """Where a ``startDate``-filtered stream stands: covered up to ``floor``."""

    floor: datetime | None = None
    floor_ids: list[str] = field(default_factory=list)
    top: datetime | None = None
    top_ids: list[str] = field(default_factory=list)
    start: str | None = None
    resume: str | None = None

    @classmethod
    def load(cls, raw: Any) -> _Dated:
        raw = raw if isinstance(raw, Mapping) else {}

        def ids(key: str) -> list[str]:
            value = raw.get(key)
            return [i for i in value if isinstance(i, str)] if isinstance(value, list) else []

        def token(key: str) -> str | None:
            value = raw.get(key)
            return value if isinstance(value, str) and value else None

        return cls(
            parse_time(raw.get("floor")),
            ids("floor_ids"),
            parse_time(raw.get("top")),
            ids("top_ids"),
            token("start"),
            token("resume"),
        )

    def is_old(self, moment: datetime, item_id: str) -> bool:
        if self.floor is None:
            return False
        return moment < self.floor or (moment == self.floor and item_id in self.floor_ids)

    def saw(self, moment: datetime, item_id: str) -> None:
        if self.top is None or moment > self.top:
            self.top, self.top_ids = moment, [item_id]
        elif moment == self.top and item_id not in self.top_ids:
            self.top_ids.append(item_id)

    def finish(self, start: str | None, resume: str | None) -> dict[str, Any]:
        """The stream's next cursor: a backlog to resume, or everything up to ``top``."""
        if resume is None and self.top is not None:
            merged = self.floor_ids if self.top == self.floor else []
            self.floor, self.floor_ids = self.top, newest_first(self.top_ids, merged, 100)
        return {
            "floor": rfc3339(self.floor) if self.floor else None,
            "floor_ids": self.floor_ids,
            "top": rfc3339(self.top) if self.top else None,
            "top_ids": self.top_ids,
            "start": start if resume else None,
            "resume": resume,
        }


@dataclass
class _Poll:
    blog_id: str
    old: Mapping[str, Any]
    authors: list[str]
    cursor: dict[str, Any] = field(default_factory=dict)
    post_urls: dict[str, str] = field(default_factory=dict)
    collector: kit.Collector | None = None

    def skip(self, kind: str, item: Any, label: str) -> None:
        assert self.collector is not None  # set by fetch
        self.collector.skip(kit.label_of(item, label), kind)

    def comment(self, item: Any) -> Comment | None:
        cid, post_id = dig(item, "id"), text_of(item, "post", "id")
        created = parse_time(dig(item, "published"))
        if not isinstance(cid, str) or not cid or not post_id or created is None:
            return None
        author = text_of(item, "author", "id")
        post_url = self.post_urls.get(post_id, "")
        stamp = int(created.timestamp() * 1000)
        return Comment(
            external_id=cid,
            post_external_id=post_id,
            created_at=created,
            text=html_text(text_of(item, "content"))[0],
            author_name=text_of(item, "author", "displayName"),
            author_id=author,
            url=f"{post_url}?showComment={stamp}#c{cid}" if post_url else "",
            status=STATUSES.get(text_of(item, "status"), "published"),
            by_account=bool(author) and author in self.authors,
            parent_external_id=text_of(item, "inReplyTo", "id") or None,
        )


class BloggerConnector(GoogleConnector):
    """A Blogger blog: its profile, posts and comments (read only).

    Credentials (one of):

    - a blog admin's OAuth sign-in, needed for comments awaiting moderation and spam:
      ``{"refresh_token", "client_id", "client_secret"}`` and optionally ``"token"``,
      scope ``blogger.readonly``;
    - ``{"api_key"}``: a public blog's published posts and comments only.

    The account's ``external_id`` is the blog id (digits).
    """

    platform = PLATFORM
    display_name = "Blogger"
    can_be_private = True  # readers can be limited to invited people
    can_disable_comments = True
    can_hold_comments = True  # comment moderation holds comments as PENDING
    can_hide_comments = False  # Blogger's API has no "hide"
    media_hosts = ("blogger.googleusercontent.com", "bp.blogspot.com", "googleusercontent.com")
    api, version = "blogger", "v3"
    hints = Hints(
        api="Blogger API v3",
        scope="https://www.googleapis.com/auth/blogger.readonly",
        owner="a Google account that is an administrator of the blog",
    )

    def fetch(self, account: AccountRef, cursor: Mapping[str, Any] | None = None) -> Snapshot:
        """Return the blog's profile and the posts and comments new or changed since ``cursor``.

        Raises:
            AuthRevoked, ConfigurationError, RateLimited, TransientError, PermanentError.
        """
        meter = self.start_poll(account.external_id)
        old = cursor if isinstance(cursor, Mapping) else {}
        kept = old.get("authors")
        authors = [a for a in kept if isinstance(a, str)] if isinstance(kept, list) else []
        poll = _Poll(account.external_id, old, authors, collector=meter)
        blog = self.call(self.service.blogs().get(blogId=poll.blog_id))
        posts = self._posts(poll)
        comments = self._comments(poll)
        poll.cursor["authors"] = poll.authors[:KEEP_AUTHORS]
        return Snapshot(
            profile=_profile(blog, account),
            posts=tuple(posts),
            comments=tuple(comments),
            cursor=poll.cursor,
            requests=meter.requests,
            quota_units=meter.units,
            skipped=tuple(meter.skipped),
        )

    def check_credentials(self, account: AccountRef) -> str:
        """Look the blog up (one request); say what the credentials reach."""
        self.start_poll()
        blog = self.call(self.service.blogs().get(blogId=account.external_id))
        how = "admin sign-in" if self.uses_oauth else "API key: public data"
        return f"Blogger blog {text_of(blog, 'name') or account.external_id} ({how})"

    def _read(
        self, method: Callable[..., Any], start: str | None, resume: str | None
    ) -> tuple[list[Any], str | None]:
        """Up to MAX_PAGES pages from ``resume`` (None: the first page)."""
        items: list[Any] = []
        token = resume
        for _ in range(MAX_PAGES):
            page = self.call(method(startDate=start, pageToken=token))
            items.extend(page.get("items") or [])
            token = page.get("nextPageToken") or None
            if token is None:
                break
        return items, token

    def _posts(self, poll: _Poll) -> list[Post]:
        state = _Dated.load(poll.old.get("posts"))
        start = state.start if state.resume else _iso(state.floor)
        method = partial(
            self.service.posts().list,
            blogId=poll.blog_id,
            fetchBodies=True,
            orderBy="PUBLISHED",
            maxResults=50,
        )
        items, resume = self._read(method, start, state.resume)
        posts = []
        for index, item in enumerate(items):
            post = _post(item)
            if post is None:
                poll.skip("post", item, f"posts[{index}]")
                continue
            poll.post_urls[post.external_id] = post.url
            if author := text_of(item, "author", "id"):
                poll.authors = newest_first([author], poll.authors, KEEP_AUTHORS)
            if not state.is_old(post.created_at, post.external_id):
                state.saw(post.created_at, post.external_id)
                posts.append(post)
        poll.cursor["posts"] = state.finish(start, resume)
        return posts

    def _comments(self, poll: _Poll) -> list[Comment]:
        raw = poll.old.get("comments")
        state = _Dated.load(raw)
        pending = pairs(dig(raw, "pending"))
        start = state.start if state.resume else _earliest(state.floor, pending.values())
        kwargs: dict[str, Any] = {"blogId": poll.blog_id, "fetchBodies": True, "maxResults": 50}
        if self.uses_oauth:
            kwargs["status"] = list(STATUSES)
        method = partial(self.service.comments().listByBlog, **kwargs)
        items, resume = self._read(method, start, state.resume)
        found: dict[str, Comment] = {}
        listed: set[str] = set()
        for index, item in enumerate(items):
            comment = poll.comment(item)
            if comment is None:
                poll.skip("comment", item, f"comments[{index}]")
                continue
            cid = comment.external_id
            listed.add(cid)
            if cid in pending:
                if comment.status != "held":
                    found[cid] = comment
                    del pending[cid]
            elif not state.is_old(comment.created_at, cid):
                state.saw(comment.created_at, cid)
                found[cid] = comment
                if comment.status == "held":
                    pending[cid] = rfc3339(comment.created_at)
        if resume is None:
            pending = {k: v for k, v in pending.items() if k in listed}
        self._mark_replied(poll, found)
        poll.cursor["comments"] = {
            **state.finish(start, resume),
            "pending": [[k, v] for k, v in list(pending.items())[:KEEP_PENDING]],
        }
        return list(found.values())

    def _mark_replied(self, poll: _Poll, found: dict[str, Comment]) -> None:
        """Set ``replied_by_account`` on comments the blog's authors answered.

        A parent older than this poll is fetched with ``comments.get`` (one request each).
        """
        replies = [c for c in found.values() if c.by_account and c.parent_external_id]
        for reply in replies[:MAX_PARENTS]:
            parent_id = reply.parent_external_id or ""
            parent = found.get(parent_id)
            if parent is None:
                parent = self._parent(poll, reply.post_external_id, parent_id)
            if parent is not None:
                found[parent.external_id] = replace(parent, replied_by_account=True)

    def _parent(self, poll: _Poll, post_id: str, comment_id: str) -> Comment | None:
        request = self.service.comments().get(
            blogId=poll.blog_id, postId=post_id, commentId=comment_id
        )
        try:
            return poll.comment(self.call(request))
        except PermanentError:  # the parent is gone: nothing left to mark
            return None


def _iso(moment: datetime | None) -> str | None:
    return rfc3339(moment) if moment else None


def _earliest(floor: datetime | None, pending: Any) -> str | None:
    """The comment query's start: the floor, or the oldest comment still held."""
    times = [t for t in (parse_time(p) for p in pending) if t is not None]
    if floor is None:
        return None
    return rfc3339(min([floor, *times]))


def _post(item: Any) -> Post | None:
    post_id = dig(item, "id")
    created = parse_time(dig(item, "published"))
    if not isinstance(post_id, str) or not post_id or created is None:
        return None
    text, images = html_text(text_of(item, "content"))
    extra = [(text_of(i, "url"), "") for i in dig(item, "images") or []]
    media: list[Media] = []
    urls: set[str] = set()
    for src, alt in [*images, *extra]:
        if src and src not in urls:
            urls.add(src)
            media.append(Media(f"{post_id}/img{len(media)}", "photo", src, alt))
    return Post(
        external_id=post_id,
        created_at=created,
        text=f"{text_of(item, 'title')}\n\n{text}".strip(),
        url=text_of(item, "url"),
        media=tuple(media),
    )


def _profile(blog: Mapping[str, Any], account: AccountRef) -> Profile:
    """Blogger does not say whether readers are restricted: visibility stays "unknown"
    unless the blog is deleted."""
    url = text_of(blog, "url")
    deleted = text_of(blog, "status") == "DELETED"
    return Profile(
        external_id=account.external_id,
        handle=account.handle or urlsplit(url).hostname or account.external_id,
        display_name=text_of(blog, "name"),
        about=html_text(text_of(blog, "description"))[0],
        website=url,
        visibility="unpublished" if deleted else "unknown",
        extra={"locale": dig(blog, "locale", "language"), "status": text_of(blog, "status")},
    )
