"""The ``instagram`` connector: an Instagram professional account through the Graph API.

The account is reached with the Page access token of the Facebook Page it is linked to;
``AccountRef.external_id`` is the Instagram user id. A poll makes one request per stream
that can change: ``GET /{ig-user-id}`` for the profile, and ``GET /{ig-user-id}/media``
for the media created since the cursor's window (see :class:`connectors.graph.Window`),
each with its newest comments and their replies nested in the same answer. A recent
media's further comment pages are read only when its ``comments_count`` changed since the
previous poll (the cursor keeps the counts of recent media).

A carousel (``media_type`` CAROUSEL_ALBUM) holds its photos and videos as ``children``,
asked for in the same request (``children{id,media_type,media_url}``): each child becomes
a :class:`~connectors.records.Media` with the child's own id, photos as "photo" and videos
as "video". Media whose ``media_url`` Instagram withholds (copyrighted material) keep an
empty URL.

Business and creator accounts cannot be private. ``Profile.comments_enabled`` is True
when any of the ten most recent media accepts comments (read in the profile request),
False when none does, and None when the account has no media.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from connectors.base import Connector
from connectors.graph import (
    GraphClient,
    Timeline,
    Window,
    data_of,
    next_link,
    node_id,
    parse_time,
    require_token,
)
from connectors.kit import Collector, label_of
from connectors.records import AccountRef, Comment, Media, Post, Profile, Snapshot, utc

log = logging.getLogger(__name__)

PLATFORM = "instagram"
RECENT_MEDIA = 10
PROFILE_FIELDS = (
    f"id,username,name,biography,website,media.limit({RECENT_MEDIA}){{is_comment_enabled}}"
)
PER_PAGE = 50
REPLY_FIELDS = "id,text,timestamp,username,hidden,from,parent_id"
COMMENT_FIELDS = (
    f"id,text,timestamp,username,hidden,from,replies.limit({PER_PAGE}){{{REPLY_FIELDS}}}"
)
CHILD_FIELDS = "id,media_type,media_url"  # permalink is not available on album children
MEDIA_FIELDS = (
    "id,caption,timestamp,permalink,media_type,media_url,is_comment_enabled,comments_count,"
    f"children{{{CHILD_FIELDS}}},comments.limit({PER_PAGE}){{{COMMENT_FIELDS}}}"
)
CAROUSEL = "CAROUSEL_ALBUM"
KINDS: Mapping[str, Any] = {"IMAGE": "photo", "VIDEO": "video", "REELS": "video"}


class InstagramConnector(Connector):
    """An Instagram business or creator account through the Graph API (facebook-sdk).

    Credentials: ``{"access_token": "<Page access token>"}``, the Page access token of the
    Facebook Page the Instagram account is linked to (``AccountRef.external_id`` is the
    Instagram user id). See ``docs/connecting/instagram.md``. Without the token, the first
    call raises ConfigurationError naming the key.
    """

    platform = PLATFORM
    media_hosts = ("cdninstagram.com", "fbcdn.net")
    display_name = "Instagram"
    can_be_private = False  # business and creator accounts cannot be private
    can_disable_comments = True  # per post (is_comment_enabled)
    can_hold_comments = False
    can_hide_comments = True

    def _client(self) -> GraphClient:
        token = require_token(self.credentials, self.platform)
        return GraphClient(token, self.transport, platform=self.platform, clock=self.clock)

    def fetch(self, account: AccountRef, cursor: Mapping[str, Any] | None = None) -> Snapshot:
        """Read the account and its media and comments since ``cursor``.

        Args:
            account: the account; ``external_id`` is its Instagram user id.
            cursor: ``{"media": {"as_of": ..., "backfill": ..., "comment_counts": {...}}}``.

        Raises:
            AuthRevoked, ConfigurationError, RateLimited, TransientError, PermanentError.
        """
        client, now = self._client(), utc(self.clock())
        user_id = node_id(account.external_id, self.platform)
        window = Window.load(cursor, "media", now, self.platform)
        user = client.get(user_id, fields=PROFILE_FIELDS)
        profile = _profile(user, account)
        timeline = Timeline(client, window)
        raws = timeline.read(f"{user_id}/media", MEDIA_FIELDS, "timestamp")
        skips = Collector(self.platform, log, user_id)
        reader = _Reader(timeline, str(user.get("username") or ""), skips)
        posts, comments = reader.read(raws)
        return Snapshot(
            profile=profile,
            posts=tuple(posts),
            comments=tuple(comments),
            cursor=window.dump("media", timeline.backfill, comment_counts=reader.counts),
            requests=client.requests,
            skipped=tuple(skips.skipped),
        )

    def check_credentials(self, account: AccountRef) -> str:
        """``GET /{ig-user-id}?fields=id,username``: what the token reaches."""
        user_id = node_id(account.external_id, self.platform)
        user = self._client().get(user_id, fields="id,username")
        return f"Instagram account @{str(user.get('username') or '')[:100]} ({user_id})"

    def hide_comment(self, account: AccountRef, comment_id: str) -> None:
        """Hide a comment (``POST /{ig-comment-id}`` with ``hide=true``); never deletes."""
        self._set_hidden(comment_id, True)

    def unhide_comment(self, account: AccountRef, comment_id: str) -> None:
        """Show a hidden comment again (``hide=false``)."""
        self._set_hidden(comment_id, False)

    def _set_hidden(self, comment_id: str, hidden: bool) -> None:
        self._client().set_hidden(comment_id, "hide", hidden, self.platform)


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(raw: Mapping[str, Any], key: str) -> str | None:
    """A text field ("" when absent), or None when it has the wrong type."""
    value = raw.get(key, "")
    return value if isinstance(value, str) else None


def _profile(user: Mapping[str, Any], account: AccountRef) -> Profile:
    flags = [_dict(m).get("is_comment_enabled") for m in data_of(_dict(user.get("media")))]
    enabled = True if any(f is True for f in flags) else (False if flags else None)
    username = user.get("username")
    return Profile(
        external_id=account.external_id,
        handle=f"@{username}"
        if isinstance(username, str) and username
        else account.handle or account.external_id,
        display_name=_text(user, "name") or "",
        about=_text(user, "biography") or "",
        website=_text(user, "website") or "",
        visibility="public",  # business and creator accounts cannot be private
        comments_enabled=enabled,
        comments_held=False,
    )


def _post(raw: Any) -> Post | None:
    if not isinstance(raw, Mapping):
        return None
    media_id, created = raw.get("id"), parse_time(raw.get("timestamp"))
    caption = _text(raw, "caption")
    if not isinstance(media_id, str) or not media_id or created is None or caption is None:
        return None
    return Post(
        external_id=media_id,
        created_at=created,
        text=caption,
        url=_text(raw, "permalink") or "",
        visibility="public",
        media=_media(raw, media_id),
    )


def _media(raw: Mapping[str, Any], media_id: str) -> tuple[Media, ...]:
    """The media itself, or a carousel's children (each photo and video with its own id)."""
    if raw.get("media_type") != CAROUSEL:
        kind = KINDS.get(str(raw.get("media_type")), "other")
        return (Media(external_id=media_id, kind=kind, url=_text(raw, "media_url") or ""),)
    found: dict[str, Media] = {}
    for index, child in enumerate(data_of(_dict(raw.get("children")))):
        child = _dict(child)
        child_id = child.get("id")
        key = child_id if isinstance(child_id, str) and child_id else f"{media_id}:{index}"
        kind = KINDS.get(str(child.get("media_type")), "other")
        found.setdefault(key, Media(key, kind, _text(child, "media_url") or ""))
    # no children in the answer: the carousel itself, as one item of unknown kind
    return tuple(found.values()) or (Media(media_id, "other", _text(raw, "media_url") or ""),)


class _Reader:
    """Turns one poll's raw media into records, following comment pages where needed."""

    def __init__(self, timeline: Timeline, username: str, skips: Collector) -> None:
        self.timeline, self.username, self.skips = timeline, username.lower(), skips
        old = timeline.window.extra.get("comment_counts")
        self.previous = {k: v for k, v in _dict(old).items() if isinstance(v, int)}
        self.counts: dict[str, int] = {}

    def read(self, raws: list[Any]) -> tuple[list[Post], list[Comment]]:
        posts: dict[str, Post] = {}
        comments: dict[str, Comment] = {}
        for index, raw in enumerate(raws):
            post = _post(raw)
            if post is None:
                self.skips.skip(label_of(raw, f"media[{index}]"))
            elif post.external_id not in posts:
                posts[post.external_id] = post
                comments.update((c.external_id, c) for c in self._thread(raw, post))
        return list(posts.values()), list(comments.values())

    def _thread(self, raw: Mapping[str, Any], post: Post) -> list[Comment]:
        """Comments and replies; one the account answered is ``replied_by_account``."""
        found: list[Comment] = []
        for index, item in enumerate(self._pages(raw, post)):
            top = self._comment(item, post, None)
            if top is None:
                self.skips.skip(label_of(item, f"{post.external_id}/comments[{index}]"))
                continue
            replies = []
            for number, reply_raw in enumerate(data_of(_dict(_dict(item).get("replies")))):
                reply = self._comment(reply_raw, post, top.external_id)
                if reply is None:
                    self.skips.skip(label_of(reply_raw, f"{top.external_id}/replies[{number}]"))
                else:
                    replies.append(reply)
            found.append(replace(top, replied_by_account=any(r.by_account for r in replies)))
            found.extend(replies)
        return found

    def _comment(self, raw: Any, post: Post, parent: str | None) -> Comment | None:
        if not isinstance(raw, Mapping):
            return None
        comment_id, created, text = (
            raw.get("id"),
            parse_time(raw.get("timestamp")),
            _text(raw, "text"),
        )
        if not isinstance(comment_id, str) or not comment_id or created is None or text is None:
            return None
        author = _dict(raw.get("from"))
        username = str(raw.get("username") or author.get("username") or "")
        return Comment(
            external_id=comment_id,
            post_external_id=post.external_id,
            created_at=created,
            text=text,
            author_name=username,
            author_id=str(author.get("id") or ""),
            url=post.url,  # comments have no permalink of their own
            status="hidden" if raw.get("hidden") is True else "published",
            by_account=bool(self.username) and username.lower() == self.username,
            parent_external_id=parent,
        )

    def _pages(self, raw: Mapping[str, Any], post: Post) -> list[Any]:
        """Nested comments, plus every further page when a recent media's count changed."""
        page: Mapping[str, Any] | None = _dict(raw.get("comments"))
        items, count = data_of(page), raw.get("comments_count")
        if post.created_at < self.timeline.window.recent or not isinstance(count, int):
            return items
        done = self.previous.get(post.external_id) == count
        while not done and page is not None:
            done = next_link(page) is None
            page = None if done else self.timeline.follow(page)
            items.extend(data_of(page))
        if done:  # all its comments were read now or before: skip its pages until it changes
            self.counts[post.external_id] = count
        return items
