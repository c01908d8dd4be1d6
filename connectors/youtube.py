"""YouTube channels through the YouTube Data API v3 (google-api-python-client, offline).

One poll reads four streams, each one list call (1 quota unit) when nothing changed:

1. ``channels.list`` -> the profile (privacy, description, handle, uploads playlist);
2. ``playlistItems.list`` on the uploads playlist, newest first, until a known video; new
   videos, and known ones whose privacy changed, are looked up with ``videos.list``;
3. ``commentThreads.list(allThreadsRelatedToChannelId=..., moderationStatus="published",
   order="time")`` until a known thread (YouTube has no "since"); a known thread whose
   reply count changed is returned again, so the channel's replies are seen;
4. the same with ``moderationStatus="heldForReview"`` (owner sign-in only). A held comment
   that leaves the queue is looked up with ``comments.list(id=...)``: found means approved
   (published), gone means rejected (or deleted by its author).

The cursor (JSON)::

    {"uploads": {"videos": [[video_id, privacy], ...], "resume": page_token | null},
     "published": {"threads": [[thread_id, reply_count], ...], "resume": page_token | null},
     "held": {"comments": [[comment_id, [video_id, published_at, parent_id]], ...]}}
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, cast

from connectors.base import Quota
from connectors.errors import ConfigurationError, PermanentError
from connectors.google import (
    HOW_TO_SET,
    LIST_UNITS,
    MODERATION_UNITS,
    GoogleConnector,
    Hints,
    Walk,
    dig,
    newest_first,
    pairs,
    parse_time,
    rfc3339,
    text_of,
    walk_pages,
)
from connectors.kit import PACIFIC, Collector, label_of
from connectors.links import AccountLink, SearchHit
from connectors.records import (
    AccountRef,
    Comment,
    CommentStatus,
    Media,
    Post,
    Profile,
    Snapshot,
    Visibility,
)

log = logging.getLogger(__name__)

PLATFORM = "youtube"
WATCH = "https://www.youtube.com/watch?v={}"
SCOPE = "https://www.googleapis.com/auth/youtube.force-ssl"
VISIBILITIES = ("public", "private", "unlisted")
STATUSES: Mapping[str, CommentStatus] = {
    "published": "published",
    "heldForReview": "held",
    "likelySpam": "held",
    "rejected": "rejected",
}
KEEP_VIDEOS, KEEP_THREADS, KEEP_HELD = 100, 200, 500
# search.list: 100 units a call in the quota table Hallwatch budgets by; Google's newer quota
# page gives search.list a bucket of its own (100 calls a day). Counting 100 units against the
# day's quota is the cautious reading of both (see docs/connecting/youtube.md).
SEARCH_UNITS = 100
THUMBNAILS = ("maxres", "standard", "high", "medium", "default")
_LINK = re.compile(r"https?://[^\s<>\"')]+")


@dataclass
class _Poll:
    """One poll's accumulators: the channel, the old and new cursor, what was found."""

    channel_id: str
    old: Mapping[str, Any]
    cursor: dict[str, Any] = field(default_factory=dict)
    comments: dict[str, Comment] = field(default_factory=dict)
    collector: Collector | None = None

    def state(self, stream: str) -> Mapping[str, Any]:
        value = self.old.get(stream)
        return value if isinstance(value, Mapping) else {}

    def skip(self, kind: str, item: Any, label: str) -> None:
        assert self.collector is not None  # set by fetch
        self.collector.skip(label_of(item, label), kind)

    def add(self, comment: Comment) -> None:
        previous = self.comments.get(comment.external_id)
        if previous is not None and previous.replied_by_account:
            comment = replace(comment, replied_by_account=True)
        self.comments[comment.external_id] = comment

    def comment(
        self, item: Any, video: str, default: CommentStatus, parent: str | None = None
    ) -> Comment | None:
        """A comment resource as a record, or None when it has no id or time."""
        snippet = dig(item, "snippet")
        cid = dig(item, "id")
        created = parse_time(dig(snippet, "publishedAt"))
        if not isinstance(cid, str) or not cid or created is None:
            return None
        author = text_of(snippet, "authorChannelId", "value")
        video = text_of(snippet, "videoId") or video
        return Comment(
            external_id=cid,
            post_external_id=video,
            created_at=created,
            text=text_of(snippet, "textDisplay") or text_of(snippet, "textOriginal"),
            author_name=text_of(snippet, "authorDisplayName"),
            author_id=author,
            url=f"{WATCH.format(video)}&lc={cid}",
            status=STATUSES.get(text_of(snippet, "moderationStatus"), default),
            by_account=author == self.channel_id,
            parent_external_id=parent or text_of(snippet, "parentId") or None,
        )

    def thread(self, thread: Any, label: str, default: CommentStatus) -> list[Comment]:
        """A thread's top-level comment and its included replies; [] when malformed."""
        video = text_of(thread, "snippet", "videoId") or self.channel_id
        top = self.comment(dig(thread, "snippet", "topLevelComment"), video, default)
        if top is None:
            self.skip("comment thread", thread, label)
            return []
        replies = []
        for index, raw in enumerate(dig(thread, "replies", "comments") or []):
            reply = self.comment(raw, video, default, parent=top.external_id)
            if reply is None:
                self.skip("reply", raw, f"{top.external_id}.replies[{index}]")
            else:
                replies.append(reply)
        if any(r.by_account for r in replies):
            top = replace(top, replied_by_account=True)
        return [top, *replies]


class YouTubeConnector(GoogleConnector):
    """A YouTube channel: its profile, uploads and comments, and comment moderation.

    Credentials (one of):

    - the channel owner's OAuth sign-in, needed for held comments and moderation:
      ``{"refresh_token", "client_id", "client_secret"}`` and optionally ``"token"``
      (the current access token), scope ``youtube.force-ssl``;
    - ``{"api_key"}``: public data only (no held comments, no hiding).

    The account's ``external_id`` is the channel id (``UC...``). ``quota_used`` adds up
    the quota units this instance spent, 50 for each hide or unhide.
    """

    platform = PLATFORM
    media_hosts = ("ytimg.com", "ggpht.com", "googleusercontent.com")
    display_name = "YouTube"
    can_be_private = True  # channels.list / videos.list give privacyStatus
    can_disable_comments = True
    can_hold_comments = True  # heldForReview
    can_hide_comments = True  # setModerationStatus rejected
    quota = Quota(
        period="day",
        units=10_000,
        clock=PACIFIC,
        costs={"list": LIST_UNITS, "moderate": MODERATION_UNITS, "search": SEARCH_UNITS},
    )
    api, version = "youtube", "v3"
    hints = Hints(
        api="YouTube Data API v3",
        scope=SCOPE,
        owner="a Google account that owns or manages the channel",
    )

    def fetch(self, account: AccountRef, cursor: Mapping[str, Any] | None = None) -> Snapshot:
        """Return the channel's profile and what is new or changed since ``cursor``.

        Raises:
            AuthRevoked, ConfigurationError, RateLimited, TransientError, PermanentError.
        """
        meter = self.start_poll(account.external_id)
        old = cursor if isinstance(cursor, Mapping) else {}
        poll = _Poll(account.external_id, old, collector=meter)
        channel = self._channel(poll.channel_id, "snippet,status,contentDetails,brandingSettings")
        uploads = text_of(channel, "contentDetails", "relatedPlaylists", "uploads")
        posts = self._uploads(poll, uploads) if uploads else []
        enabled = self._published(poll)
        if self.uses_oauth:
            self._held(poll)
        return Snapshot(
            profile=_profile(channel, account, enabled),
            posts=tuple(posts),
            comments=tuple(poll.comments.values()),
            cursor=poll.cursor,
            requests=meter.requests,
            quota_units=meter.units,
            skipped=tuple(meter.skipped),
        )

    def check_credentials(self, account: AccountRef) -> str:
        """Look the channel up (1 unit); say what the credentials reach."""
        self.start_poll()
        self._channel(account.external_id, "id")
        how = "owner sign-in: read and moderate" if self.uses_oauth else "API key: public data"
        return f"YouTube channel {account.external_id} ({how})"

    def search_channels(self, query: str, max_results: int = 10) -> list[SearchHit]:
        """Channels matching ``query`` (``search.list(type=channel)``, 100 units a call;
        ``quota_used`` counts them). Works with an API key.

        Raises:
            RateLimited (the day's quota is used up), ConfigurationError, TransientError...
        """
        self.start_poll()
        request = self.service.search().list(
            part="snippet", q=query[:200], type="channel", maxResults=max(1, min(max_results, 50))
        )
        response = self.call(request, units=SEARCH_UNITS)
        found = []
        for item in response.get("items") or []:
            channel = text_of(item, "id", "channelId") or text_of(item, "snippet", "channelId")
            if channel:
                link = AccountLink(
                    "youtube",
                    channel,
                    f"youtube:channel/{channel}",
                    f"https://www.youtube.com/channel/{channel}",
                )
                snippet = dig(item, "snippet")
                found.append(
                    SearchHit(link, text_of(snippet, "title"), text_of(snippet, "description"))
                )
        return found

    def channel_for_handle(self, handle: str) -> str | None:
        """The channel id of ``@handle`` (``channels.list(forHandle=...)``, 1 unit), or None."""
        self.start_poll()
        response = self.call(self.service.channels().list(part="id", forHandle=handle[:100]))
        items = response.get("items") or []
        first = items[0] if items and isinstance(items[0], dict) else {}
        channel = first.get("id")
        return channel if isinstance(channel, str) and channel else None

    def hide_comment(self, account: AccountRef, comment_id: str) -> None:
        """Reject (hide) a comment with ``comments.setModerationStatus`` (50 units)."""
        self._moderate(comment_id, "rejected")

    def unhide_comment(self, account: AccountRef, comment_id: str) -> None:
        """Publish a hidden or held comment again (50 units)."""
        self._moderate(comment_id, "published")

    def _moderate(self, comment_id: str, status: str) -> None:
        if not self.uses_oauth:
            raise ConfigurationError(
                "youtube: moderating comments needs the channel owner's OAuth sign-in "
                f"(scope {SCOPE}), not an API key; {HOW_TO_SET}",
                platform=PLATFORM,
                code="credentials",
            )
        self.start_poll()
        request = self.service.comments().setModerationStatus(
            id=comment_id, moderationStatus=status
        )
        self.call(request, units=MODERATION_UNITS)

    def _channel(self, channel_id: str, part: str) -> dict[str, Any]:
        response = self.call(self.service.channels().list(part=part, id=channel_id))
        items = response.get("items") or []
        if not items or not isinstance(items[0], dict):
            raise PermanentError(
                f"youtube: channel {channel_id} not found or not visible to these credentials; "
                "check the account's channel id",
                platform=PLATFORM,
                code="channelNotFound",
            )
        return items[0]

    def _uploads(self, poll: _Poll, playlist: str) -> list[Post]:
        state = poll.state("uploads")
        known = pairs(state.get("videos"))

        def page(token: str | None) -> Mapping[str, Any]:
            return self.call(
                self.service.playlistItems().list(
                    part="snippet,contentDetails,status",
                    playlistId=playlist,
                    maxResults=50,
                    pageToken=token,
                )
            )

        try:
            walk = walk_pages(
                page, lambda items: any(_video_id(i) in known for i in items), _resume(state)
            )
        except PermanentError as exc:
            if exc.code != "playlistNotFound":
                raise
            walk = Walk()
        seen, wanted = [], []
        for index, item in enumerate(walk.top + walk.backlog):
            video = _video_id(item)
            if not video:
                poll.skip("playlist item", item, f"playlistItems[{index}]")
                continue
            privacy = text_of(item, "status", "privacyStatus")
            seen.append([video, privacy])
            if video not in known or known[video] != privacy:
                wanted.append(video)
        videos = newest_first(seen, [[k, v] for k, v in known.items()], KEEP_VIDEOS, _first)
        poll.cursor["uploads"] = {"videos": videos, "resume": walk.resume}
        return self._videos(poll, list(dict.fromkeys(wanted)))

    def _videos(self, poll: _Poll, ids: list[str]) -> list[Post]:
        posts = []
        for start in range(0, len(ids), 50):
            chunk = ",".join(ids[start : start + 50])
            response = self.call(self.service.videos().list(part="snippet,status", id=chunk))
            for index, item in enumerate(response.get("items") or []):
                post = _post(item)
                if post is None:
                    poll.skip("video", item, f"videos[{start + index}]")
                else:
                    posts.append(post)
        return posts

    def _threads(self, poll: _Poll, status: str | None, token: str | None) -> Mapping[str, Any]:
        request = self.service.commentThreads().list(
            part="snippet,replies",
            allThreadsRelatedToChannelId=poll.channel_id,
            order="time",
            maxResults=100,
            moderationStatus=status,
            textFormat="plainText",
            pageToken=token,
        )
        return self.call(request)

    def _walk_threads(
        self, poll: _Poll, status: str | None, known: Mapping[str, Any] | None, resume: str | None
    ) -> Walk | None:
        """Page comment threads newest first (all pages when ``known`` is None).

        Returns None when the channel's comments are turned off (``commentsDisabled``).
        """
        try:
            return walk_pages(
                lambda token: self._threads(poll, status, token),
                lambda items: known is not None and any(text_of(i, "id") in known for i in items),
                resume,
            )
        except PermanentError as exc:
            if exc.code != "commentsDisabled":
                raise
            return None

    def _published(self, poll: _Poll) -> bool | None:
        """Read new published threads; return whether comments are on (None: unknown)."""
        state = poll.state("published")
        known = pairs(state.get("threads"))
        status = "published" if self.uses_oauth else None
        walk = self._walk_threads(poll, status, known, _resume(state))
        if walk is None:
            poll.cursor["published"] = dict(state)
            return False
        counts = []
        for index, thread in enumerate(walk.top + walk.backlog):
            replies = dig(thread, "snippet", "totalReplyCount")
            tid = text_of(thread, "id")
            if tid in known and known[tid] == replies:
                continue
            for comment in poll.thread(thread, f"commentThreads[{index}]", "published"):
                poll.add(comment)
            if tid:
                counts.append([tid, replies])
        old = [[k, v] for k, v in known.items()]
        poll.cursor["published"] = {
            "threads": newest_first(counts, old, KEEP_THREADS, _first),
            "resume": walk.resume,
        }
        return True if walk.top else None

    def _held(self, poll: _Poll) -> None:
        """Read the held-for-review queue; look up comments that left it."""
        held = pairs(poll.state("held").get("comments"))
        walk = self._walk_threads(poll, "heldForReview", None, None)
        if walk is None:
            poll.cursor["held"] = dict(poll.state("held"))
            return
        now_held: dict[str, list[Any]] = {}
        for index, thread in enumerate(walk.top):
            for comment in poll.thread(thread, f"heldThreads[{index}]", "held"):
                if comment.status != "held":
                    continue
                now_held[comment.external_id] = [
                    comment.post_external_id,
                    rfc3339(comment.created_at),
                    comment.parent_external_id,
                ]
                if comment.external_id not in held:
                    poll.add(comment)
        if walk.complete:
            self._released(poll, {k: v for k, v in held.items() if k not in now_held})
        else:
            now_held = {**held, **now_held}
        kept = list(now_held.items())[:KEEP_HELD]
        poll.cursor["held"] = {"comments": [[k, v] for k, v in kept]}

    def _released(self, poll: _Poll, gone: dict[str, Any]) -> None:
        """Comments that left the held queue: found -> approved; missing -> rejected."""
        ids = sorted(gone)
        for start in range(0, len(ids), 50):
            chunk = ids[start : start + 50]
            request = self.service.comments().list(
                part="snippet", id=",".join(chunk), textFormat="plainText"
            )
            found = set()
            for raw in self.call(request).get("items") or []:
                comment = poll.comment(raw, _held_video(gone, raw), "published")
                if comment is not None and comment.external_id in gone:
                    found.add(comment.external_id)
                    poll.add(comment)
            for cid in chunk:
                if cid not in found and (removed := _removed(cid, gone[cid])) is not None:
                    poll.add(removed)


def _visibility(privacy: str) -> Visibility:
    return cast(Visibility, privacy) if privacy in VISIBILITIES else "unknown"


def _first(pair: list[Any]) -> Any:
    return pair[0]


def _resume(state: Mapping[str, Any]) -> str | None:
    token = state.get("resume")
    return token if isinstance(token, str) and token else None


def _video_id(item: Any) -> str:
    return text_of(item, "contentDetails", "videoId") or text_of(
        item, "snippet", "resourceId", "videoId"
    )


def _held_video(gone: Mapping[str, Any], raw: Any) -> str:
    entry = gone.get(dig(raw, "id") or "")
    return entry[0] if isinstance(entry, list) and entry and isinstance(entry[0], str) else ""


def _removed(cid: str, entry: Any) -> Comment | None:
    """A held comment that is gone from YouTube: rejected by a moderator (or deleted)."""
    if not isinstance(entry, list) or len(entry) != 3:
        return None
    video, published, parent = entry
    created = parse_time(published)
    if not isinstance(video, str) or created is None:
        return None
    return Comment(
        external_id=cid,
        post_external_id=video,
        created_at=created,
        url=f"{WATCH.format(video)}&lc={cid}",
        status="rejected",
        parent_external_id=parent if isinstance(parent, str) else None,
    )


def _post(item: Any) -> Post | None:
    video = dig(item, "id")
    created = parse_time(dig(item, "snippet", "publishedAt"))
    if not isinstance(video, str) or not video or created is None:
        return None
    privacy = text_of(item, "status", "privacyStatus")
    title, description = text_of(item, "snippet", "title"), text_of(item, "snippet", "description")
    thumbs = [text_of(item, "snippet", "thumbnails", size, "url") for size in THUMBNAILS]
    return Post(
        external_id=video,
        created_at=created,
        text=f"{title}\n\n{description}".strip(),
        url=WATCH.format(video),
        visibility=_visibility(privacy),
        media=(Media(video, "video", next((t for t in thumbs if t), "")),),
    )


def _profile(channel: Mapping[str, Any], account: AccountRef, enabled: bool | None) -> Profile:
    """The channel as a profile; brandingSettings has no website field, so the first link
    in the description stands in for it."""
    about = text_of(channel, "snippet", "description") or text_of(
        channel, "brandingSettings", "channel", "description"
    )
    privacy = text_of(channel, "status", "privacyStatus")
    link = _LINK.search(about)
    return Profile(
        external_id=account.external_id,
        handle=text_of(channel, "snippet", "customUrl") or account.handle or account.external_id,
        display_name=text_of(channel, "snippet", "title"),
        about=about,
        website=link.group(0) if link else "",
        visibility=_visibility(privacy),
        comments_enabled=enabled,
        extra={"made_for_kids": dig(channel, "status", "madeForKids")},
    )
