"""Detector inputs and outputs: pure values, no I/O, no clock reads.

A detector is a class with a ``name``, a ``version``, the ``rules`` it raises and a
``detect(items, context)`` method returning :class:`Finding` values. Structural detectors
read ``context.account``; text detectors (issue 3) read the items.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar, Literal

from detectors.rules import CLAUSES


class Severity(StrEnum):
    """How soon a finding needs someone, most urgent first. The database, the alerts and
    the metrics store and show the values ("critical", ...)."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


SEVERITIES: tuple[Severity, ...] = tuple(Severity)  # most urgent first


@dataclass(frozen=True)
class TextItem:
    """A post or comment to scan. ``id`` is whatever the caller uses to find it again.

    ``parent_id`` is a comment's post (its ``TextItem.id``), so photo and consent findings
    can be tied to the post they belong to. ``language`` is the text's ISO 639-1 code as
    :func:`detectors.langid.identify` gives it (``"und"`` when it cannot be told); ``None``
    means "identify it" (the text detectors do, once per text).
    """

    id: str
    text: str
    kind: Literal["post", "comment", "profile"] = "post"
    parent_id: str = ""
    language: str | None = None


@dataclass(frozen=True)
class ImageItem:
    """A photo attached to a post: its bytes (already fetched by the monitor) and alt text."""

    id: str
    post_id: str
    data: bytes
    alt_text: str = ""


Item = TextItem | ImageItem


@dataclass(frozen=True)
class CommentState:
    """A stored comment's review state, as the comments rule needs it."""

    id: str
    first_seen_at: datetime
    status: str = "published"  # published | held | hidden | rejected | deleted
    reviewed_at: datetime | None = None
    by_account: bool = False


@dataclass(frozen=True)
class ProfileState:
    """The facts of one profile snapshot that the structural rules read."""

    visibility: str = "unknown"
    comments_enabled: bool | None = None
    about: str = ""
    website: str = ""
    contact_email: str = ""


@dataclass(frozen=True)
class PostState:
    """A post's id and visibility, for per-item visibility checks."""

    id: str
    visibility: str = "unknown"
    url: str = ""


@dataclass(frozen=True)
class AdminState:
    """One person with administrative access to an account, as the monitor found them.

    ``email`` is lower-case ("" when the platform names people without an address, as
    Facebook does); ``name`` is how the registry or the platform names them.
    ``registered``: on the registry's list. ``on_platform``: on the platform's list (None
    when the platform's list is not known). ``staff``: "current" (in the staff directory
    or the supervisors list), "departed" (how the monitor knows: ``staff_source``) or
    "unknown" (no directory to check against).
    """

    email: str
    name: str = ""
    registered: bool = True
    on_platform: bool | None = None
    staff: str = "unknown"  # current | departed | unknown
    staff_source: str = ""


@dataclass(frozen=True)
class AccountState:
    """Everything the structural rules know about one account at one moment."""

    id: str
    platform: str
    handle: str
    can_be_private: bool
    has_api: bool = True
    platform_name: str = ""  # how people write the platform ("YouTube"); the connector's fact
    owner_email: str = ""
    approval_status: str = "approved"  # approved | pending | rejected
    audience: str = "private"  # private | public
    educational_need: str = ""
    audience_expires: datetime | None = None
    comments_policy: str = "moderated"  # off | moderated | on
    status: str = "active"  # active | credentials_broken | manual | retired
    last_polled_at: datetime | None = None
    registered_at: datetime | None = None
    last_poll_outcome: str = ""  # "" or "ok" when the last poll worked
    last_poll_error: str = ""
    profile: ProfileState | None = None
    previous_profile: ProfileState | None = None
    posts: tuple[PostState, ...] = ()
    comments: tuple[CommentState, ...] = ()
    identification_terms: tuple[str, ...] = ()
    website_domains: tuple[str, ...] = ()
    # The owner's newest acknowledgement of Procedure 417: of the current version if there
    # is one, else of any earlier version (so a finding can say which version it was).
    acknowledged_at: datetime | None = None
    acknowledged_version: str = ""
    # When Hallwatch first asked the owner to acknowledge the current version (after their
    # newest acknowledgement); None: not asked yet.
    acknowledgement_requested_at: datetime | None = None
    administrators: tuple[AdminState, ...] = ()
    admin_list_source: str = ""  # "" when the platform's list is not known, else its source


@dataclass(frozen=True)
class OrgContact:
    """The published contact details of one organisation unit: the district, a school, an
    office. They are the school's own, never a student's: ``pii.student`` ignores them.

    Attributes:
        name: The unit's name, for messages only.
        addresses: Street addresses as written ("418 Alder Avenue"); compared without case,
            punctuation or suffix spelling ("418 Alder Ave." is the same).
        phones: Phone numbers in any common format, read in ``Context.region``.
        emails: Whole e-mail addresses ("oakgroveoffice@gmail.com").
        websites: Website URLs or bare host names; an e-mail on such a host (or under it) is
            the unit's unless its local part is a student's name.
    """

    name: str = ""
    addresses: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    websites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    """Everything a detector may know besides the items; ``now`` is given, never read.

    ``org_contacts`` are the organisation units' own addresses, phones, e-mails and websites
    (never student PII). The older ``extra`` keys ``allow_phones``, ``allow_addresses`` and
    ``district_domains`` are still read and add to them.
    """

    now: datetime
    review_window: timedelta = timedelta(hours=24)
    stale_after: timedelta = timedelta(days=3)
    district_domains: tuple[str, ...] = ()
    account: AccountState | None = None
    enabled: frozenset[str] | None = None  # rule ids; None means all
    roster: Any = None  # a detectors.roster.RosterIndex: keyed hashes of enrolled students
    consents: frozenset[str] = frozenset()  # student keys with a media release on file
    region: str = "CA"  # default region for phone numbers
    org_contacts: tuple[OrgContact, ...] = ()
    procedure_version: str = ""  # the version owners must acknowledge; "" = not checked
    acknowledge_within: timedelta = timedelta(days=365)
    acknowledge_grace: timedelta = timedelta(days=14)  # after the first request, to answer
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """One thing wrong, with the evidence and the sentence that explains it.

    ``key`` identifies the subject within the rule (with the account it forms the flag's
    dedup key), so that the same problem found twice is the same flag.
    """

    rule: str
    severity: Severity
    explanation: str
    detector: str
    version: str
    key: str
    subject: str = ""  # item id, or "" for the account itself
    start: int | None = None
    end: int | None = None
    score: float = 1.0
    excerpt: str = ""
    details: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def clause(self) -> str:
        return CLAUSES.get(self.rule, "")

    @property
    def span(self) -> tuple[int, int] | None:
        return (self.start, self.end) if self.start is not None and self.end is not None else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "score": self.score,
            "detector": self.detector,
            "version": self.version,
            "explanation": self.explanation,
        }


def redact(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, label)`` span replaced by ``[label]``.

    Overlapping spans merge; the result is what alerts, digests and the database excerpt
    show, so the PII itself never leaves the evidence text.
    """
    out: list[str] = []
    position = 0
    for start, end, label in sorted(spans):
        if end <= position:
            continue
        start = max(start, position)
        out.append(text[position:start])
        out.append(f"[{label}]")
        position = end
    out.append(text[position:])
    return "".join(out)


class Detector:
    """Base class. Subclasses set ``name``, ``version`` and ``rules`` and implement ``detect``."""

    name: ClassVar[str] = ""
    version: ClassVar[str] = "0"
    rules: ClassVar[tuple[str, ...]] = ()

    def detect(self, items: Sequence[Item], context: Context) -> Iterable[Finding]:
        """Findings for ``items`` (TextItem and ImageItem; ignore the kinds you don't read).

        Called with a whole batch so models can score it at once. No I/O, no clock.
        """
        raise NotImplementedError

    def finding(
        self, rule: str, severity: Severity, explanation: str, key: str, **kw: Any
    ) -> Finding:
        """A :class:`Finding` from this detector (same result as calling ``Finding(...)``).

        Detectors make tens of thousands of these a second; the frozen dataclass's
        ``__init__`` sets each field through ``object.__setattr__``, several times the cost
        of filling the instance dictionary at once as done here.
        """
        unknown = kw.keys() - _OPTIONAL
        if unknown:
            raise TypeError(f"Finding got unexpected fields {sorted(unknown)}")
        found = object.__new__(Finding)
        values = found.__dict__
        values.update(_DEFAULTS)
        values["details"] = {}
        values.update(kw)
        values["rule"], values["severity"], values["explanation"] = rule, severity, explanation
        values["detector"], values["version"], values["key"] = self.name, self.version, key
        return found


_DEFAULTS = {
    f.name: f.default for f in fields(Finding) if f.default is not MISSING and f.name != "details"
}
_OPTIONAL = frozenset(_DEFAULTS) | {"details"}
