"""Plain typed records that every connector returns.

Connectors turn platform payloads into these and nothing else. They are frozen, hold only
timezone-aware UTC datetimes, and know nothing of the database or the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

Visibility = Literal["public", "private", "unlisted", "unpublished", "unknown"]
CommentStatus = Literal["published", "held", "hidden", "rejected", "deleted"]


def utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime; naive values are refused."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: connectors must give aware UTC times")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class AccountRef:
    """What a connector is told about the account it polls (never a database row)."""

    platform: str
    external_id: str
    handle: str = ""


@dataclass(frozen=True)
class Media:
    """A photo or video attached to a post."""

    external_id: str
    kind: Literal["photo", "video", "other"] = "photo"
    url: str = ""
    alt_text: str = ""


@dataclass(frozen=True)
class Profile:
    """The account's public face and privacy settings at the time of the poll."""

    external_id: str
    handle: str
    display_name: str = ""
    about: str = ""
    website: str = ""
    contact_email: str = ""
    visibility: Visibility = "unknown"
    comments_enabled: bool | None = None
    comments_held: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Post:
    """A post, video or article published by the account."""

    external_id: str
    created_at: datetime
    text: str = ""
    url: str = ""
    visibility: Visibility = "unknown"
    media: tuple[Media, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "created_at", utc(self.created_at))


@dataclass(frozen=True)
class Comment:
    """A comment or reply on one of the account's posts.

    ``by_account`` marks comments written by the account itself; ``replied_by_account``
    says the account answered it, which counts as a review.

    ``hidden`` says whether the comment is hidden from the public: True exactly when
    ``status`` is "hidden", False when the platform reported it visible, and None when
    the platform cannot say (X never reports whether a reply is hidden; its replies come
    with ``status`` "published" and ``hidden`` None). On None the store keeps the state
    it recorded, so a reply Hallwatch hid stays hidden.
    """

    external_id: str
    post_external_id: str
    created_at: datetime
    text: str = ""
    author_name: str = ""
    author_id: str = ""
    url: str = ""
    status: CommentStatus = "published"
    by_account: bool = False
    replied_by_account: bool = False
    parent_external_id: str | None = None
    hidden: bool | None = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "created_at", utc(self.created_at))
        if self.status == "hidden":
            object.__setattr__(self, "hidden", True)
        elif self.hidden is True:
            raise ValueError(f"comment {self.external_id}: hidden, but status {self.status!r}")


@dataclass(frozen=True)
class Snapshot:
    """One poll's result: the profile, what is new or changed, and the next cursor.

    The cursor is a JSON-serialisable dict that the monitor stores only after everything
    this snapshot covers has been committed, and hands back on the next poll.
    ``requests`` counts the HTTP requests the poll made; ``quota_units`` what they cost
    against a platform quota (YouTube counts units, not requests). ``skipped`` names
    malformed items that were left out.
    """

    profile: Profile
    posts: tuple[Post, ...] = ()
    comments: tuple[Comment, ...] = ()
    cursor: dict[str, Any] = field(default_factory=dict)
    requests: int = 0
    quota_units: int = 0
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True)
class Administrator:
    """A person with access to manage an account, as the platform lists them.

    ``email`` is "" where the platform does not give addresses (Facebook gives names);
    ``roles`` are the platform's own words (WordPress roles, Facebook Page tasks).
    """

    name: str
    email: str = ""
    roles: tuple[str, ...] = ()
    external_id: str = ""
