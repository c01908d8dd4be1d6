"""The ``facebook`` connector: one Facebook Page, read and moderated with a Page access token.

A poll makes one request per stream that can change: ``GET /{page-id}`` for the profile, and
``GET /{page-id}/posts`` for the posts created since the cursor's window (see
:class:`connectors.graph.Window`), each with its newest comments nested in the same answer
(``filter(stream)``: replies come flat, with their ``parent``). More requests are made only
for what is new: further pages of posts, or of a recent post's comments when the whole
nested page is newer than the previous poll, or of an album past :data:`ALBUM_PHOTOS`.

A post's photos come in the same answer. A post with several photos is one attachment of
``type`` "album" whose photos are its ``subattachments``; the Graph API returns only 12 of
them unless asked for more (``subattachments.limit(n)``), and gives a StoryAttachment's
``media_type`` only when the field is named, so both edges name their fields. Every photo
becomes a :class:`~connectors.records.Media` of kind "photo" whose id is the photo's own
id (``target.id``).

Pages cannot be private, only unpublished, and cannot switch comments off.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, Literal

from connectors.base import Connector
from connectors.errors import ConfigurationError
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
from connectors.records import (
    AccountRef,
    Administrator,
    Comment,
    Media,
    Post,
    Profile,
    Snapshot,
    Visibility,
    utc,
)

log = logging.getLogger(__name__)

PLATFORM = "facebook"
PAGE_FIELDS = "id,name,username,about,description,website,emails,is_published,link"
COMMENT_FIELDS = "id,message,from,created_time,is_hidden,can_hide,permalink_url"
COMMENTS_PER_POST = 50
ALBUM_PHOTOS = 100  # subattachments asked for per album (the Graph API's default is 12)
# StoryAttachment fields (Graph API reference, "Story Attachment"): media_type is not a
# default field, so it is named; type, media{image,source} and target{id,url} are.
ATTACHMENT_FIELDS = "type,media_type,media,target,url,description"
POST_FIELDS = (
    "id,message,created_time,permalink_url,"
    f"attachments{{{ATTACHMENT_FIELDS},"
    f"subattachments.limit({ALBUM_PHOTOS}){{{ATTACHMENT_FIELDS}}}}},"
    f"comments.filter(stream).order(reverse_chronological).limit({COMMENTS_PER_POST})"
    f"{{{COMMENT_FIELDS},parent{{{COMMENT_FIELDS}}}}}"
)
PHOTO_TYPES = frozenset(("photo", "cover_photo", "profile_media"))
VIDEO_TYPES = frozenset(("video", "video_autoplay", "video_inline", "animated_image_autoplay"))


class FacebookConnector(Connector):
    """A Facebook Page through the Graph API (facebook-sdk).

    Credentials: ``{"access_token": "<Page access token>"}``, a Page access token for the
    account's Page (``AccountRef.external_id`` is the Page id). See
    ``docs/connecting/facebook.md`` for the permissions it needs. Without the token, the
    first call raises ConfigurationError naming the key.
    """

    platform = PLATFORM
    media_hosts = ("fbcdn.net", "facebook.com")
    display_name = "Facebook"
    can_be_private = False  # a Page can be unpublished, never private
    can_disable_comments = False
    can_hold_comments = False
    can_hide_comments = True
    admin_list = "Facebook Page assigned users"

    def _client(self) -> GraphClient:
        token = require_token(self.credentials, self.platform)
        return GraphClient(token, self.transport, platform=self.platform, clock=self.clock)

    def fetch(self, account: AccountRef, cursor: Mapping[str, Any] | None = None) -> Snapshot:
        """Read the Page and its posts and comments since ``cursor``.

        Args:
            account: the Page; ``external_id`` is its Page id.
            cursor: ``{"posts": {"as_of": ..., "backfill": ...}}`` from the previous poll.

        Raises:
            AuthRevoked, ConfigurationError, RateLimited, TransientError, PermanentError.
        """
        client, now = self._client(), utc(self.clock())
        page_id = node_id(account.external_id, self.platform)
        window = Window.load(cursor, "posts", now, self.platform)
        profile = _profile(client.get(page_id, fields=PAGE_FIELDS), account)
        timeline = Timeline(client, window)
        raws = timeline.read(f"{page_id}/posts", POST_FIELDS, "created_time")
        skips = Collector(self.platform, log, page_id)
        posts, comments = _Reader(timeline, page_id, profile.visibility, skips).read(raws)
        return Snapshot(
            profile=profile,
            posts=tuple(posts),
            comments=tuple(comments),
            cursor=window.dump("posts", timeline.backfill),
            requests=client.requests,
            skipped=tuple(skips.skipped),
        )

    def check_credentials(self, account: AccountRef) -> str:
        """``GET /me``: the token must be a Page token for the account's Page."""
        me = self._client().get("me", fields="id,name")
        if str(me.get("id")) != account.external_id:
            raise ConfigurationError(
                f"facebook: the token belongs to id {str(me.get('id'))[:40]}, not Page "
                f"{account.external_id}; give a Page access token for this Page",
                platform=self.platform,
                code="wrong-page",
            )
        return f"Facebook Page {str(me.get('name') or '')[:100]!r} ({account.external_id})"

    def administrators(self, account: AccountRef) -> list[Administrator]:
        """The Page's business and system users with their tasks (``GET /{page-id}/
        assigned_users?business=...``). Facebook gives names and ids, never e-mail.

        Needs the ``business_id`` credential (the business that owns the Page), a Page token
        of someone with the MANAGE task, and the ``pages_manage_metadata`` permission.
        """
        business = str(self.credentials.get("business_id") or "").strip()
        if not business:
            raise ConfigurationError(
                "facebook: reading the Page's administrators needs the credential "
                "'business_id' (the Meta business that owns the Page); set it with "
                "`hallwatch accounts credentials ACCOUNT`",
                platform=self.platform,
                code="business_id",
            )
        client = self._client()
        page_id = node_id(account.external_id, self.platform)
        page = client.get(
            f"{page_id}/assigned_users",
            business=node_id(business, self.platform),
            fields="id,name,tasks",
            limit=100,
        )
        people = [_assigned(raw) for raw in data_of(page)]
        for _ in range(9):  # at most ten pages of a hundred people
            link = next_link(page)
            if link is None:
                break
            page = client.follow(link)
            people += [_assigned(raw) for raw in data_of(page)]
        return [p for p in people if p is not None]

    def hide_comment(self, account: AccountRef, comment_id: str) -> None:
        """Hide a comment (``POST /{comment-id}`` with ``is_hidden=true``); never deletes."""
        self._set_hidden(comment_id, True)

    def unhide_comment(self, account: AccountRef, comment_id: str) -> None:
        """Show a hidden comment again (``is_hidden=false``)."""
        self._set_hidden(comment_id, False)

    def _set_hidden(self, comment_id: str, hidden: bool) -> None:
        self._client().set_hidden(comment_id, "is_hidden", hidden, self.platform)


def _assigned(raw: Any) -> Administrator | None:
    """An AssignedUser (``id``, ``name``, ``tasks``); None when malformed."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
        return None
    tasks = raw.get("tasks")
    roles = tuple(t for t in tasks if isinstance(t, str)) if isinstance(tasks, list) else ()
    return Administrator(
        name=_text(raw, "name") or "", roles=roles, external_id=str(raw["id"])[:40]
    )


def _text(raw: Mapping[str, Any], key: str) -> str | None:
    """A text field ("" when absent), or None when it has the wrong type."""
    value = raw.get(key, "")
    return value if isinstance(value, str) else None


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _profile(page: Mapping[str, Any], account: AccountRef) -> Profile:
    published = page.get("is_published")
    visibility: Visibility = (
        "public" if published is True else "unpublished" if published is False else "unknown"
    )
    listed = page.get("emails")
    emails = [e for e in listed if isinstance(e, str)] if isinstance(listed, list) else []
    about = [t for t in (page.get("about"), page.get("description")) if isinstance(t, str) and t]
    username = page.get("username")
    return Profile(
        external_id=account.external_id,
        handle=f"@{username}"
        if isinstance(username, str) and username
        else account.handle or account.external_id,
        display_name=_text(page, "name") or "",
        about="\n".join(about),
        website=_text(page, "website") or "",
        contact_email=emails[0] if emails else "",
        visibility=visibility,
        comments_enabled=True,  # a Page cannot switch comments off
        comments_held=False,  # nor hold them for review
        extra={"link": _text(page, "link") or ""},
    )


def _post(raw: Any, visibility: Visibility, more: Any = None) -> Post | None:
    if not isinstance(raw, Mapping):
        return None
    post_id, created, text = (
        raw.get("id"),
        parse_time(raw.get("created_time")),
        _text(raw, "message"),
    )
    if not isinstance(post_id, str) or not post_id or created is None or text is None:
        return None
    return Post(
        external_id=post_id,
        created_at=created,
        text=text,
        url=_text(raw, "permalink_url") or "",
        visibility=visibility,
        media=_media(raw, post_id, more),
    )


def media_kind(item: Mapping[str, Any]) -> Literal["photo", "video", "other"]:
    """A StoryAttachment's kind, from the fields the Graph API returns.

    ``type`` is a default field ("photo", "video_autoplay", "album", "share"...) and
    ``media_type`` comes only when asked for. An item that says neither but carries
    ``media.image`` (an album photo read without its fields named) is a photo; a link
    preview (``type`` "share") is not.
    """
    kind, named = str(item.get("type") or ""), str(item.get("media_type") or "")
    if kind in VIDEO_TYPES or named == "video":
        return "video"
    if kind in PHOTO_TYPES or named == "photo":
        return "photo"
    if not kind and not named and _dict(_dict(item.get("media")).get("image")).get("src"):
        return "photo"
    return "other"


def _media(raw: Mapping[str, Any], post_id: str, more: Any = None) -> tuple[Media, ...]:
    """Photos and videos of a post's attachments; an album's are its subattachments.

    Args:
        more: returns an album's next page of subattachments (or None); given by the
            reader, which spends the poll's page budget on it.
    """
    found: dict[str, Media] = {}
    for attachment in data_of(_dict(raw.get("attachments"))):
        attachment = _dict(attachment)
        subs = _dict(attachment.get("subattachments"))
        items = data_of(subs)
        while more is not None and (page := more(subs)):
            subs = page
            items.extend(data_of(subs))
        for item in items or [attachment]:
            item = _dict(item)
            fallback = f"{post_id}:{len(found)}"  # no id: its place in the post, stable
            media_id = str(_dict(item.get("target")).get("id") or fallback)
            found.setdefault(
                media_id,
                Media(
                    external_id=media_id,
                    kind=media_kind(item),
                    url=str(_dict(_dict(item.get("media")).get("image")).get("src") or ""),
                    alt_text=_text(item, "description") or "",
                ),
            )
    return tuple(found.values())


def _comment(raw: Any, post: Post, page_id: str) -> Comment | None:
    if not isinstance(raw, Mapping):
        return None
    comment_id, created, text = (
        raw.get("id"),
        parse_time(raw.get("created_time")),
        _text(raw, "message"),
    )
    if not isinstance(comment_id, str) or not comment_id or created is None or text is None:
        return None
    author, parent = _dict(raw.get("from")), _dict(raw.get("parent")).get("id")
    return Comment(
        external_id=comment_id,
        post_external_id=post.external_id,
        created_at=created,
        text=text,
        author_name=str(author.get("name") or ""),
        author_id=str(author.get("id") or ""),
        url=_text(raw, "permalink_url") or "",
        status="hidden" if raw.get("is_hidden") is True else "published",
        by_account=str(author.get("id") or "") == page_id,
        parent_external_id=parent if isinstance(parent, str) and parent else None,
    )


class _Reader:
    """Turns one poll's raw posts into records, following comment pages where needed."""

    def __init__(self, timeline: Timeline, page_id: str, visibility: Visibility, skips: Collector):
        self.timeline, self.page_id, self.visibility, self.skips = (
            timeline,
            page_id,
            visibility,
            skips,
        )

    def read(self, raws: list[Any]) -> tuple[list[Post], list[Comment]]:
        posts: dict[str, Post] = {}
        comments: dict[str, Comment] = {}
        for index, raw in enumerate(raws):
            post = _post(raw, self.visibility, self._album_page)
            if post is None:
                self.skips.skip(label_of(raw, f"posts[{index}]"))
            elif post.external_id not in posts:
                posts[post.external_id] = post
                comments.update((c.external_id, c) for c in self._thread(raw, post))
        return list(posts.values()), list(comments.values())

    def _album_page(self, page: Mapping[str, Any]) -> dict[str, Any] | None:
        """An album's next page of photos, while the poll has pages left."""
        if next_link(page) is None:
            return None
        found = self.timeline.follow(page)
        if found is None:
            log.warning(
                "facebook: an album of account %s has more photos than this poll has pages "
                "left for; the photos past the first %d are not read this poll",
                self.page_id,
                ALBUM_PHOTOS,
            )
        return found

    def _thread(self, raw: Mapping[str, Any], post: Post) -> list[Comment]:
        """The post's comments; a comment the Page answered is ``replied_by_account``."""
        found: dict[str, Comment] = {}
        parents: dict[str, Any] = {}
        for index, item in enumerate(self._pages(raw.get("comments"), post)):
            comment = _comment(item, post, self.page_id)
            if comment is None:
                self.skips.skip(label_of(item, f"{post.external_id}/comments[{index}]"))
                continue
            found.setdefault(comment.external_id, comment)
            if comment.by_account and comment.parent_external_id:
                parents[comment.parent_external_id] = _dict(item).get("parent")
        for parent_id, parent_raw in parents.items():
            parent = found.get(parent_id) or _comment(parent_raw, post, self.page_id)
            if parent is not None:  # an older parent comes from the reply's ``parent`` field
                found[parent_id] = replace(parent, replied_by_account=True)
        return list(found.values())

    def _pages(self, first: Any, post: Post) -> list[Any]:
        """The nested comments, plus further pages while a recent post's page is all new."""
        window, page = self.timeline.window, _dict(first)
        items = data_of(page)
        while post.created_at >= window.recent and _all_newer(items, window.watermark):
            page = self.timeline.follow(page) or {}
            if not page:
                break
            items.extend(data_of(page))
        return items


def _all_newer(items: list[Any], moment: datetime) -> bool:
    times = [t for i in items if (t := parse_time(_dict(i).get("created_time"))) is not None]
    return bool(times) and min(times) > moment
