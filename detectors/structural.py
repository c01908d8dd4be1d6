"""Structural detectors: rules about an account's settings, registry record and poll history.

They read ``context.account`` (an :class:`~detectors.base.AccountState`) and ``context.now``
and ignore the text items. Each returns at most a few findings per account, keyed so that
the same problem found on the next poll is the same flag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from detectors.base import (
    AccountState,
    CommentState,
    Context,
    Detector,
    Finding,
    Item,
    ProfileState,
    Severity,
)

# A bare or schemed host name not preceded by "@" or part of a word (so e-mails are not links).
_HOST = re.compile(
    r"(?<![\w@.-])(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})(?![\w@-])",
    re.IGNORECASE,
)


def _label(account: AccountState) -> str:
    platform = account.platform_name or account.platform.capitalize()
    return f"{account.handle} on {platform}"


def _duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    # "24 hours" reads better than "1 day" for the default window; whole days from two up.
    for unit, size, least in (("day", 86400, 2), ("hour", 3600, 1), ("minute", 60, 1)):
        if seconds >= size * least and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}" + ("" if count == 1 else "s")
    return f"{seconds} seconds"


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).date().isoformat()


def on_district(address: str, domains: Sequence[str]) -> bool:
    """Whether ``address`` is an e-mail on one of ``domains`` (or a sub-domain of one)."""
    if "@" not in address:
        return False
    host = address.rsplit("@", 1)[1].strip().rstrip(".").lower()
    wanted = (d.strip().lstrip("@").lower() for d in domains if d.strip())
    return any(host == d or host.endswith("." + d) for d in wanted)


def window_start(now: datetime, window: timedelta) -> datetime:
    """Return the start of the UTC-based review-window bucket that holds ``now``."""
    seconds = max(window.total_seconds(), 1.0)
    bucket = int(now.timestamp() // seconds)
    return datetime.fromtimestamp(bucket * seconds, tz=UTC)


class CommentsReviewDetector(Detector):
    """Raises ``comments.unreviewed`` once per account per review window.

    A comment is overdue when it is visible or held, nobody reviewed it, the account did not
    write it, and it was first seen at least one review window ago. Also flags comments that
    are switched on where the registry says they should be off.
    """

    name = "structural.comments"
    version = "1"
    rules = ("comments.unreviewed",)

    def detect(self, items: Sequence[Item], context: Context) -> Iterable[Finding]:
        account = context.account
        if account is None or account.status in ("manual", "retired"):
            return []
        found = [self._overdue(account, context), self._policy(account)]
        return [f for f in found if f is not None]

    @staticmethod
    def _is_overdue(comment: CommentState, context: Context) -> bool:
        reviewed = (
            comment.reviewed_at is not None
            or comment.status in ("hidden", "rejected", "deleted")
            or comment.by_account
        )
        in_queue = comment.status in ("published", "held")
        age = context.now - comment.first_seen_at
        return not reviewed and in_queue and age >= context.review_window

    def _overdue(self, account: AccountState, context: Context) -> Finding | None:
        overdue = [c for c in account.comments if self._is_overdue(c, context)]
        if not overdue:
            return None
        held = sum(1 for c in overdue if c.status == "held")
        noun = "comment" if len(overdue) == 1 else "comments"
        held_note = f" ({held} of them held for review)" if held else ""
        explanation = (
            f"{_label(account)} has {len(overdue)} {noun} nobody reviewed within "
            f"{_duration(context.review_window)}{held_note}; open them in Hallwatch and "
            "reply, hide or mark each one reviewed."
        )
        start = window_start(context.now, context.review_window)
        details = {"overdue": sorted(c.id for c in overdue), "held": held}
        key = "window:" + start.isoformat()
        return self.finding(
            "comments.unreviewed", Severity.MEDIUM, explanation, key, details=details
        )

    def _policy(self, account: AccountState) -> Finding | None:
        profile = account.profile
        if account.comments_policy != "off" or profile is None:
            return None
        if profile.comments_enabled is not True:
            return None
        explanation = (
            f"{_label(account)} has comments switched on although the account register says "
            "they should be off; switch comments off or ask the supervisor to change the policy."
        )
        return self.finding(
            "comments.unreviewed",
            Severity.MEDIUM,
            explanation,
            "comments-on-against-policy",
            details={"comments_policy": account.comments_policy},
        )


class VisibilityDetector(Detector):
    """Raises ``visibility.public`` for public presences the registry does not allow.

    On a platform that can be private, a public profile or post where the registry says
    private is flagged. On any platform, a public presence needs a recorded, unexpired
    educational need. A privacy setting that changed since the last poll is flagged too.
    """

    name = "structural.visibility"
    version = "1"
    rules = ("visibility.public",)

    def detect(self, items: Sequence[Item], context: Context) -> Iterable[Finding]:
        account = context.account
        if account is None:
            return []
        found: list[Finding | None] = []
        if account.profile is not None:
            found.append(self._account(account, account.profile))
            found.append(self._need(account, account.profile, context.now))
            found.append(self._changed(account, account.profile))
        found.extend(self._posts(account))
        return [f for f in found if f is not None]

    def _account(self, account: AccountState, profile: ProfileState) -> Finding | None:
        if not account.can_be_private or account.audience != "private":
            return None
        if profile.visibility != "public":
            return None
        explanation = (
            f"{_label(account)} is public but the account register says it should be private; "
            "make it private or record the educational need for a public account."
        )
        return self.finding("visibility.public", Severity.MEDIUM, explanation, "account")

    def _need(self, account: AccountState, profile: ProfileState, now: datetime) -> Finding | None:
        if account.can_be_private and (
            profile.visibility != "public" or account.audience != "public"
        ):
            return None  # private, or public where registered private: the "account" finding
        problem = self._need_problem(account, now)
        if problem is None:
            return None
        expires = account.audience_expires
        details = {
            "audience": account.audience,
            "can_be_private": account.can_be_private,
            "audience_expires": expires.isoformat() if expires is not None else None,
        }
        return self.finding(
            "visibility.public", Severity.MEDIUM, problem, "educational-need", details=details
        )

    @staticmethod
    def _need_problem(account: AccountState, now: datetime) -> str | None:
        need = account.educational_need.strip()
        expires = account.audience_expires
        expired = expires is not None and expires <= now
        if need and not expired:
            return None
        if need and expires is not None:
            why = f"its recorded educational need expired on {_day(expires)}"
        else:
            why = "no educational need is recorded for it"
        if not account.can_be_private:
            return (
                f"{_label(account)} cannot be made private on this platform, so it is public "
                f"and {why}; record a current educational need in the exceptions register or "
                "close the account."
            )
        return (
            f"{_label(account)} is public but {why}; record a current educational need in "
            "the exceptions register or make the account private."
        )

    def _changed(self, account: AccountState, profile: ProfileState) -> Finding | None:
        previous = account.previous_profile
        if previous is None:
            return None
        old, new = previous.visibility, profile.visibility
        if old == new or "unknown" in (old, new):
            return None
        explanation = (
            f"The privacy setting of {_label(account)} changed from {old} to {new} since the "
            "last check (the platform or someone with access changed it); confirm the change "
            "was intended."
        )
        return self.finding(
            "visibility.public",
            Severity.MEDIUM,
            explanation,
            f"changed:{old}->{new}",
            details={"from": old, "to": new},
        )

    def _posts(self, account: AccountState) -> list[Finding]:
        if account.audience != "private" or not account.can_be_private:
            return []
        return [
            self.finding(
                "visibility.public",
                Severity.MEDIUM,
                f"Post {post.id} on {_label(account)} is public but the account register says "
                "the account is private; make the post private or record an educational need.",
                f"post:{post.id}",
                subject=post.id,
                details={"url": post.url},
            )
            for post in account.posts
            if post.visibility == "public"
        ]


class PersonalEmailDetector(Detector):
    """Raises ``account.personal_email`` when a contact address is not on a district domain.

    Checks the registry's owner e-mail (a missing one is a finding) and the profile's
    contact e-mail. Raises nothing when no district domains are configured.
    """

    name = "structural.email"
    version = "1"
    rules = ("account.personal_email",)

    def detect(self, items: Sequence[Item], context: Context) -> Iterable[Finding]:
        account = context.account
        domains = tuple(d.strip().lstrip("@").lower() for d in context.district_domains if d)
        if account is None or not domains:
            return []
        found: dict[str, Finding] = {}
        if not account.owner_email.strip():
            found["email:missing"] = self._missing(account)
        contact = account.profile.contact_email if account.profile is not None else ""
        for address in (account.owner_email, contact):
            normal = address.strip().lower()
            if normal and not on_district(normal, domains):
                found.setdefault("email:" + normal, self._personal(account, normal))
        return list(found.values())

    def _missing(self, account: AccountState) -> Finding:
        explanation = (
            f"{_label(account)} has no contact e-mail on record; register a District e-mail "
            "address as the account's contact and recovery address."
        )
        return self.finding("account.personal_email", Severity.HIGH, explanation, "email:missing")

    def _personal(self, account: AccountState, address: str) -> Finding:
        explanation = (
            f"{_label(account)} uses {address}, which is not a District e-mail address; "
            "change the account's contact and recovery e-mail to a District address."
        )
        return self.finding(
            "account.personal_email",
            Severity.HIGH,
            explanation,
            "email:" + address,
            details={"address": address},
        )


class ApprovalDetector(Detector):
    """Raises ``account.unapproved`` for accounts the district cannot vouch for.

    Covers a missing supervisor approval, credentials that stopped working, a platform that
    refuses the set-up (access level, permissions), and an account with an API that nobody
    polled within ``context.stale_after`` (one never polled: within ``stale_after`` of its
    ``registered_at``, so a new account is not stale before its first poll). Manual accounts
    (no API) are never stale.
    """

    name = "structural.approval"
    version = "3"
    rules = ("account.unapproved",)

    def detect(self, items: Sequence[Item], context: Context) -> Iterable[Finding]:
        account = context.account
        if account is None:
            return []
        found = [
            self._approval(account),
            self._credentials(account),
            self._poll_problem(account),
            self._stale(account, context),
        ]
        return [f for f in found if f is not None]

    def _poll_problem(self, account: AccountState) -> Finding | None:
        outcome = account.last_poll_outcome
        if account.status != "active" or outcome in ("", "ok"):
            return None
        explanation = (
            f"Hallwatch cannot check {_label(account)}: {account.last_poll_error[:200]}. "
            "Ask IT to fix the connection; until then the account is not monitored."
        )
        return self.finding(
            "account.unapproved",
            Severity.HIGH,
            explanation,
            "poll-problem:" + outcome,
            details={"outcome": outcome},
        )

    def _approval(self, account: AccountState) -> Finding | None:
        status = account.approval_status
        if status == "approved":
            return None
        explanation = (
            f"{_label(account)} has no supervisor approval on record (status: {status}); "
            "the supervisor must approve the account or have it taken down."
        )
        return self.finding(
            "account.unapproved",
            Severity.MEDIUM,
            explanation,
            "approval:" + status,
            details={"approval_status": status},
        )

    def _credentials(self, account: AccountState) -> Finding | None:
        if account.status != "credentials_broken":
            return None
        explanation = (
            f"The credentials for {_label(account)} stopped working, so Hallwatch cannot check "
            "the account; ask IT to reconnect it."
        )
        return self.finding("account.unapproved", Severity.HIGH, explanation, "credentials")

    def _stale(self, account: AccountState, context: Context) -> Finding | None:
        if not account.has_api or account.status != "active":
            return None
        last = account.last_polled_at
        if last is not None and context.now - last <= context.stale_after:
            return None
        registered = account.registered_at
        if (
            last is None
            and registered is not None
            and context.now - registered <= context.stale_after
        ):
            return None  # new in the registry; its first poll is on its way
        since = f"since {_day(last)}" if last is not None else "ever"
        explanation = (
            f"{_label(account)} has not been checked {since}; make sure it is still in use "
            "and that Hallwatch can reach it, or retire it from the account register."
        )
        return self.finding(
            "account.unapproved",
            Severity.MEDIUM,
            explanation,
            "stale",
            details={"last_polled_at": last.isoformat() if last is not None else None},
        )


class IdentificationDetector(Detector):
    """Raises ``account.unidentified`` when a profile does not identify the district or school.

    The profile's about text and website must name one of the account's identification
    terms and link to one of its website domains. Raises nothing when neither is configured.
    """

    name = "structural.identification"
    version = "1"
    rules = ("account.unidentified",)

    def detect(self, items: Sequence[Item], context: Context) -> Iterable[Finding]:
        account = context.account
        if account is None or account.profile is None:
            return []
        if not account.identification_terms and not account.website_domains:
            return []
        missing = []
        if account.identification_terms and not self._names(account, account.profile):
            missing.append("name")
        if account.website_domains and not self._links(account, account.profile):
            missing.append("link")
        return [self._finding(account, missing)] if missing else []

    @staticmethod
    def _names(account: AccountState, profile: ProfileState) -> bool:
        text = " ".join(f"{profile.about} {profile.website}".split()).lower()
        terms = (" ".join(t.split()).lower() for t in account.identification_terms)
        return any(term and term in text for term in terms)

    @staticmethod
    def _links(account: AccountState, profile: ProfileState) -> bool:
        domains = [d.strip().lower().rstrip(".") for d in account.website_domains if d.strip()]
        hosts = [m.group(1).lower() for m in _HOST.finditer(profile.about)]
        website = profile.website.strip()
        if website:
            url = website if "//" in website else "http://" + website
            hosts.append((urlsplit(url).hostname or "").lower())
        return any(h == d or h.endswith("." + d) for h in hosts for d in domains)

    def _finding(self, account: AccountState, missing: list[str]) -> Finding:
        what = {
            ("name",): "does not name the District or school",
            ("link",): "does not link to the school website",
            ("name", "link"): "neither names the District or school nor links to its website",
        }[tuple(missing)]
        explanation = (
            f"The profile of {_label(account)} {what}; add this to the profile so readers "
            "know it is an official District site."
        )
        return self.finding(
            "account.unidentified",
            Severity.LOW,
            explanation,
            "identification",
            details={"missing": missing},
        )


STRUCTURAL_DETECTORS: tuple[Detector, ...] = (
    CommentsReviewDetector(),
    VisibilityDetector(),
    PersonalEmailDetector(),
    ApprovalDetector(),
    IdentificationDetector(),
)
