"""One name for each domain term. The database stores the values; code names the members.

Severities are the detectors' own (:class:`detectors.Severity`); platforms are the
connectors' (:class:`connectors.Platform`).
"""

from __future__ import annotations

from enum import StrEnum


class FlagStatus(StrEnum):
    """A flag's life: open, acknowledged, then resolved or dismissed."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


ACTIVE_FLAG = (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)  # still needs someone
CLOSED_FLAG = (FlagStatus.RESOLVED, FlagStatus.DISMISSED)


class CommentStatus(StrEnum):
    """A stored comment's state on its platform."""

    PUBLISHED = "published"
    HELD = "held"  # waiting in the platform's moderation queue
    HIDDEN = "hidden"
    REJECTED = "rejected"
    DELETED = "deleted"


NEEDS_REVIEW = (CommentStatus.PUBLISHED, CommentStatus.HELD)
REVIEWED_BY_STATUS = (CommentStatus.HIDDEN, CommentStatus.REJECTED, CommentStatus.DELETED)


class Role(StrEnum):
    """What a console user may do (see the console's scope rules)."""

    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    COMMUNICATIONS = "communications"
    IT = "it"
    AUDITOR = "auditor"
    COUNSELLOR = "counsellor"  # sees the signs of self-harm of their units, nothing else


# A rule whose evidence only these roles may read in full (the unit's supervisor within
# their units, a counsellor within theirs, an administrator): signs of self-harm.
CARE_RULES = frozenset({"wellbeing.self_harm"})
CARE_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.COUNSELLOR})
