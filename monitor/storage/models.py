"""SQLAlchemy 2.x models. The same models run on SQLite and PostgreSQL.

Times are stored as UTC and always come back timezone-aware (:class:`UTCDateTime`), so
SQLite, which keeps no zone, behaves like PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from monitor.core.domain import CommentStatus, FlagStatus

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend; naive values are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (for migrations on both backends)."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class OrgUnit(Base):
    """The district, a school or a department."""

    __tablename__ = "org_units"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # district | school | department
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    website: Mapped[str] = mapped_column(String(500), default="")
    # The unit's published contact details (the school office): never a student's.
    address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    phone: Mapped[str] = mapped_column(String(60), default="", server_default="")
    email: Mapped[str] = mapped_column(String(320), default="", server_default="")
    # Who hears of a wellbeing.self_harm signal besides the principal (the district's
    # counsellor contact when empty).
    counsellor_email: Mapped[str] = mapped_column(String(320), default="", server_default="")

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id])


class Supervisor(Base):
    """A person who receives alerts and digests for an organisation unit."""

    __tablename__ = "supervisors"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    backup_email: Mapped[str] = mapped_column(String(320), default="")
    role: Mapped[str] = mapped_column(String(20), default="supervisor")

    org_unit: Mapped[OrgUnit] = relationship()


class Account(Base):
    """A registered professional social media account."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    platform: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str] = mapped_column(String(200))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    owner_name: Mapped[str] = mapped_column(String(200), default="")
    owner_email: Mapped[str] = mapped_column(String(320), default="")
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("supervisors.id"))
    approval_status: Mapped[str] = mapped_column(String(20), default="pending")
    approved_by: Mapped[str] = mapped_column(String(320), default="")
    approved_on: Mapped[date | None] = mapped_column(Date)
    audience: Mapped[str] = mapped_column(String(20), default="private")
    educational_need: Mapped[str] = mapped_column(Text, default="")
    audience_expires: Mapped[date | None] = mapped_column(Date)
    comments_policy: Mapped[str] = mapped_column(String(20), default="moderated")
    status: Mapped[str] = mapped_column(String(30), default="active")
    notes: Mapped[str] = mapped_column(Text, default="")
    cursor: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_polled_at: Mapped[datetime | None]
    # When the account entered the registry: a new account is not "stale" before its first poll.
    registered_at: Mapped[datetime | None] = mapped_column(default=_utcnow)
    last_poll_outcome: Mapped[str] = mapped_column(String(30), default="")
    last_poll_error: Mapped[str] = mapped_column(Text, default="")
    credentials: Mapped[str] = mapped_column(Text, default="", server_default="")  # Fernet
    credentials_set_at: Mapped[datetime | None]
    credentials_checked: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # Who holds administrative access, as the registry records it: "Name <email>; email".
    administrators: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Where the District keeps the account's password (a password-manager entry's name);
    # passwords themselves are never stored.
    password_entry: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Polls paused (the platform's usage cap is used up) until this time, and why; NULL when
    # not paused. Cleared by the next poll that is not capped, or by `accounts resume`.
    paused_until: Mapped[datetime | None]
    pause_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    org_unit: Mapped[OrgUnit] = relationship()
    supervisor: Mapped[Supervisor | None] = relationship()


class Attestation(Base):
    """A supervisor's recorded check of an account Hallwatch cannot read (no API): the day,
    what was checked against the procedure, and by whom. Kept; never edited."""

    __tablename__ = "attestations"
    __table_args__ = (Index("ix_attestations_account_checked", "account_id", "checked_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    checked_on: Mapped[date] = mapped_column(Date)  # the district's calendar day
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(320))
    comments: Mapped[bool] = mapped_column(Boolean)  # comments off, or moderated and reviewed
    privacy: Mapped[bool] = mapped_column(Boolean)  # private, or a recorded educational need
    student_information: Mapped[bool] = mapped_column(Boolean)  # none without consent
    note: Mapped[str] = mapped_column(Text, default="")


class ProfileSnapshot(Base):
    """The account's profile and privacy settings, recorded whenever they change."""

    __tablename__ = "profile_snapshots"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    taken_at: Mapped[datetime]
    visibility: Mapped[str] = mapped_column(String(20), default="unknown")
    comments_enabled: Mapped[bool | None] = mapped_column(Boolean)
    comments_held: Mapped[bool | None] = mapped_column(Boolean)
    display_name: Mapped[str] = mapped_column(String(300), default="")
    about: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    fingerprint: Mapped[str] = mapped_column(String(64))


class Post(Base):
    """A post, video or article of a registered account."""

    __tablename__ = "posts"
    __table_args__ = (UniqueConstraint("account_id", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    external_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    first_seen_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(1000), default="")
    visibility: Mapped[str] = mapped_column(String(20), default="unknown")
    fingerprint: Mapped[str] = mapped_column(String(64))
    # ISO 639-1 code from detectors.langid ("und" undetermined, "" stored before 0012).
    language: Mapped[str] = mapped_column(String(16), default="", server_default="")


class Comment(Base):
    """A comment with its first-seen time and review state."""

    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("account_id", "external_id"),
        Index("ix_comments_review", "account_id", "reviewed_at", "first_seen_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    external_id: Mapped[str] = mapped_column(String(200))
    post_external_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    first_seen_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text, default="")
    author_name: Mapped[str] = mapped_column(String(300), default="")
    url: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(20), default=CommentStatus.PUBLISHED)
    by_account: Mapped[bool] = mapped_column(Boolean, default=False)
    replied_by_account: Mapped[bool] = mapped_column(Boolean, default=False)
    reviewed_at: Mapped[datetime | None]
    reviewed_by: Mapped[str] = mapped_column(String(320), default="")
    fingerprint: Mapped[str] = mapped_column(String(64))
    # ISO 639-1 code from detectors.langid ("und" undetermined, "" stored before 0012).
    language: Mapped[str] = mapped_column(String(16), default="", server_default="")


class MediaItem(Base):
    """A photo or video attached to a post.

    A photo waits for analysis (faces, GPS) while ``analysed_at`` is NULL; each poll
    analyses the oldest waiting ones, up to ``detection.max_images_per_poll``.
    ``analysis_error`` says why a photo could not be analysed (it could not be fetched).
    """

    __tablename__ = "media"
    __table_args__ = (
        UniqueConstraint("post_id", "external_id"),
        Index("ix_media_waiting", "analysed_at", "post_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    external_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="photo")
    url: Mapped[str] = mapped_column(String(1000), default="")
    alt_text: Mapped[str] = mapped_column(Text, default="")
    analysed_at: Mapped[datetime | None]
    analysis_error: Mapped[str] = mapped_column(String(300), default="", server_default="")


class Flag(Base):
    """One noncompliance finding; ``dedup_key`` makes it idempotent."""

    __tablename__ = "flags"
    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(400), unique=True)
    rule_id: Mapped[str] = mapped_column(String(60), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    subject_type: Mapped[str] = mapped_column(String(20))  # account | post | comment
    subject_ref: Mapped[str] = mapped_column(String(200), default="")
    subject_url: Mapped[str] = mapped_column(String(1000), default="")
    excerpt: Mapped[str] = mapped_column(Text, default="")
    explanation: Mapped[str] = mapped_column(Text)
    clause: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    detector: Mapped[str] = mapped_column(String(60))
    detector_version: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=FlagStatus.OPEN)
    notes: Mapped[str] = mapped_column(Text, default="")
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    occurrences: Mapped[int] = mapped_column(Integer, default=1)

    account: Mapped[Account] = relationship()


class OutboxItem(Base):
    """A message to deliver, written in the same transaction as what caused it."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(400), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # alert | digest | notice
    flag_id: Mapped[int | None] = mapped_column(ForeignKey("flags.id"))
    # A notice (an operational message to IT, not about a flag) carries what it is about.
    detail: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]
    # Urgent alerts are due at once; the rest at the end of their grouping window.
    deliver_after: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")


class Delivery(Base):
    """One recipient's copy of an outbox item; unique so nobody gets it twice."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("outbox_id", "recipient", "channel"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"))
    recipient: Mapped[str] = mapped_column(String(320))
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivered_at: Mapped[datetime | None]
    location: Mapped[str] = mapped_column(String(1000), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")


class DigestSent(Base):
    """A weekly digest, exactly once per supervisor per ISO week."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("supervisor_id", "iso_year", "iso_week"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("supervisors.id"))
    iso_year: Mapped[int] = mapped_column(Integer)
    iso_week: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    path: Mapped[str] = mapped_column(String(1000), default="")


class RosterEntry(Base):
    """One keyed hash (HMAC) of one normalised name form of one enrolled student.

    The raw roster is never stored: ``digest`` and ``student_key`` are HMACs under a key
    derived from the secret key, which lives outside the database.
    """

    __tablename__ = "roster_entries"
    __table_args__ = (UniqueConstraint("digest", "student_key", "form"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), index=True)
    student_key: Mapped[str] = mapped_column(String(64), index=True)
    form: Mapped[str] = mapped_column(String(20))
    school: Mapped[str] = mapped_column(String(40), default="")


class Consent(Base):
    """A student's media release (photos and names), by keyed student number."""

    __tablename__ = "consents"
    id: Mapped[int] = mapped_column(primary_key=True)
    student_key: Mapped[str] = mapped_column(String(64), unique=True)
    media_release: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(300), default="")


class ApiUsage(Base):
    """Requests and quota units spent per platform per day (YouTube's quota is per day)."""

    __tablename__ = "api_usage"
    __table_args__ = (UniqueConstraint("platform", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    units: Mapped[int] = mapped_column(Integer, default=0)


class PollCount(Base):
    """Polls per platform, day and outcome (``ok``, ``auth_revoked``, ``transient_error``...):
    what `hallwatch status` and the console's /metrics count, whichever worker polled."""

    __tablename__ = "poll_counts"
    __table_args__ = (UniqueConstraint("platform", "day", "outcome"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(40))
    polls: Mapped[int] = mapped_column(Integer, default=0)


class ScheduleSlot(Base):
    """A claimed unit of scheduled work; the unique key makes a second scheduler a no-op."""

    __tablename__ = "schedule_slots"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    claimed_at: Mapped[datetime]
    claimed_by: Mapped[str] = mapped_column(String(200), default="")


class AuditEntry(Base):
    """Every human and system action, append-only."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(30), default="")
    object_id: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class User(Base):
    """A person who signs in to the console; supervisors are scoped to their units."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))  # admin|supervisor|communications|it|auditor
    password_hash: Mapped[str] = mapped_column(String(200), default="")  # "" = SSO only
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]

    org_units: Mapped[list[OrgUnit]] = relationship(secondary="user_org_units")


class UserOrgUnit(Base):
    """The organisation units a supervisor user may see (with their child units)."""

    __tablename__ = "user_org_units"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), primary_key=True)


class LoginAttempt(Base):
    """One sign-in attempt, kept for throttling across processes."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_email_at", "email", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    email: Mapped[str] = mapped_column(String(320))
    ip: Mapped[str] = mapped_column(String(64), index=True)
    success: Mapped[bool] = mapped_column(Boolean, default=False)


class WebSession(Base):
    """A signed-in browser; the cookie holds a random token, the row only its digest."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class UsedActionToken(Base):
    """A signed e-mail action link that has been used; the unique digest makes it work once."""

    __tablename__ = "used_action_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime]
    recipient: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(30))
    target: Mapped[str] = mapped_column(String(200))


class Acknowledgement(Base):
    """An owner confirmed they read and understood one version of Procedure 417."""

    __tablename__ = "acknowledgements"
    __table_args__ = (Index("ix_acknowledgements_email_at", "email", "acknowledged_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    procedure_version: Mapped[str] = mapped_column(String(40))
    acknowledged_at: Mapped[datetime]
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))  # the link's
    via: Mapped[str] = mapped_column(String(20), default="link")


class AdminList(Base):
    """The administrators a platform shows for an account, as last read (one row per account).

    ``status`` is "ok" (``people`` is the list), or "unavailable" with ``detail`` saying why
    (the platform does not share it, or the credentials may not read it).
    """

    __tablename__ = "admin_lists"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), unique=True)
    checked_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[str] = mapped_column(String(20), default="ok")
    detail: Mapped[str] = mapped_column(Text, default="")
    people: Mapped[list[Any]] = mapped_column(JSON, default=list)


class StaffMember(Base):
    """One current employee, from the District's staff directory export (SSO directory)."""

    __tablename__ = "staff_directory"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    imported_at: Mapped[datetime]


class Candidate(Base):
    """An account that looks like the District's and is not in the registry (never polled).

    ``identity`` is the normalised account (``instagram:riverside.garden``), unique; a person
    decides: ``registered`` (then ``account_id``), ``not_ours`` or ``personal`` (a staff
    member's personal account: out of scope).
    """

    __tablename__ = "discovery_candidates"
    id: Mapped[int] = mapped_column(primary_key=True)
    identity: Mapped[str] = mapped_column(String(300), unique=True)
    platform: Mapped[str] = mapped_column(String(20))
    handle: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(1000), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    decided_by: Mapped[str] = mapped_column(String(320), default="")
    decided_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))

    org_unit: Mapped[OrgUnit | None] = relationship()
