"""One poll: fetch, store what is new or changed, detect, flag, advance the cursor.

Everything a poll writes (posts, comments, profile snapshot, flags, outbox rows, the new
cursor, the audit row) commits in one transaction, so a crash anywhere leaves the account as
it was and the next poll (or the redelivered message) does the same work again, finding the
same flags by their dedup keys. Photos are stored as waiting in that transaction and
analysed after it, the oldest waiting first and at most ``max_images_per_poll`` a poll
(:mod:`monitor.ingest.photos`). A usage cap pauses the account's polls
(:mod:`monitor.ingest.pauses`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.orm import Session

import connectors
import detectors
from connectors import (
    AuthRevoked,
    ConfigurationError,
    ConnectorError,
    PermanentError,
    UsageCapped,
)
from monitor.core.app import App
from monitor.ingest.detection import (
    ROSTER,
    detection_context,
    group,
    org_contacts,
    settings_suite,
)
from monitor.ingest.flags import raise_flags
from monitor.ingest.pauses import end_pause, pause
from monitor.ingest.photos import WaitingPhoto, analyse_waiting, oldest_waiting
from monitor.ingest.store import Changes, latest_profiles, save_snapshot
from monitor.registry import usage
from monitor.registry.acknowledge import first_request, newest
from monitor.registry.admins import admin_states
from monitor.registry.connect import account_ref, connector_for, serving_connector
from monitor.registry.secrets import CredentialsError
from monitor.storage import audit
from monitor.storage.models import (
    Account,
    Comment,
    Flag,
    MediaItem,
    OrgUnit,
    OutboxItem,
    Post,
    ProfileSnapshot,
)
from monitor.storage.queries import is_held, unreviewed

log = logging.getLogger(__name__)
POLLABLE = ("active",)


@dataclass
class PollResult:
    """What one poll did, for logs, the CLI and tests."""

    account: str
    outcome: str
    new_flags: list[int] = field(default_factory=list)
    new_outbox: list[int] = field(default_factory=list)
    posts: int = 0
    comments: int = 0
    retry_after: float | None = None
    photos: int = 0  # analysed this poll


def _profile_state(row: ProfileSnapshot | None) -> detectors.ProfileState | None:
    if row is None:
        return None
    return detectors.ProfileState(
        visibility=row.visibility,
        comments_enabled=row.comments_enabled,
        about=row.about,
        website=row.website,
        contact_email=row.contact_email,
    )


def _identification(account: Account) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names that identify the account's school or district, and their website domains."""
    names: list[str] = []
    domains: list[str] = []
    unit: OrgUnit | None = account.org_unit
    seen: set[int] = set()
    while unit is not None and id(unit) not in seen:  # a loop of parents ends the walk
        seen.add(id(unit))
        names.append(unit.name)
        if host := urlparse(unit.website).hostname:
            domains.append(host)
        unit = unit.parent
    return tuple(names), tuple(domains)


def _expiry(day: object) -> datetime | None:
    return datetime.combine(day, time.max, tzinfo=UTC) if day else None  # type: ignore[arg-type]


def rules_status(account: Account, held: bool = False) -> str:
    """The account's status as the rules see it: "paused" while a usage cap pauses its
    polls, "waiting" while it waits for approval before its first poll (registered from
    discovery: :func:`~monitor.storage.queries.held_for_approval`); for neither is a poll
    problem or "not checked recently" raised."""
    if account.status != "active":
        return account.status
    if held:
        return "waiting"
    return "paused" if account.paused_until is not None else "active"


def account_state(
    session: Session,
    account: Account,
    version: str = "",
    district_domains: tuple[str, ...] = (),
) -> detectors.AccountState:
    """Everything the structural rules need about ``account``, read from the store.

    ``version`` is the procedure version owners must acknowledge (the newest
    acknowledgement of it is passed, else the newest of any version).
    """
    profiles = latest_profiles(session, account.id, 2)
    # Plain rows, not ORM objects: an account can have hundreds of unreviewed comments and
    # every poll reads them all, so building (and identity-mapping) entities dominated a
    # steady-state poll (benchmarks/scale.py).
    comments = session.execute(
        select(
            Comment.external_id,
            Comment.first_seen_at,
            Comment.status,
            Comment.reviewed_at,
            Comment.by_account,
        ).where(Comment.account_id == account.id, unreviewed())
    )
    # Only public posts can break a visibility rule; never load an account's whole history.
    posts = session.execute(
        select(Post.external_id, Post.visibility, Post.url).where(
            Post.account_id == account.id, Post.visibility == "public"
        )
    )
    names, domains = _identification(account)
    caps = connectors.capabilities(account.platform)
    acked = newest(session, account.owner_email, version) if account.owner_email else None
    current = acked if acked is not None and acked.procedure_version == version else None
    asked = first_request(
        session, account.owner_email, version, current.acknowledged_at if current else None
    )
    admins, admin_source = admin_states(session, account, district_domains)
    return detectors.AccountState(
        id=account.key,
        platform=account.platform,
        handle=account.handle,
        can_be_private=caps.can_be_private,
        has_api=caps.has_api,
        platform_name=caps.display_name,
        owner_email=account.owner_email,
        approval_status=account.approval_status,
        audience=account.audience,
        educational_need=account.educational_need,
        audience_expires=_expiry(account.audience_expires),
        comments_policy=account.comments_policy,
        status=rules_status(account, is_held(session, account.id)),
        last_polled_at=account.last_polled_at,
        registered_at=account.registered_at,
        last_poll_outcome=account.last_poll_outcome,
        last_poll_error=account.last_poll_error,
        profile=_profile_state(profiles[0] if profiles else None),
        previous_profile=_profile_state(profiles[1] if len(profiles) > 1 else None),
        posts=tuple(
            detectors.PostState(id=f"post:{p.external_id}", visibility=p.visibility, url=p.url)
            for p in posts
        ),
        comments=tuple(
            detectors.CommentState(
                id=f"comment:{c.external_id}",
                first_seen_at=c.first_seen_at,
                status=c.status,
                reviewed_at=c.reviewed_at,
                by_account=c.by_account,
            )
            for c in comments
        ),
        identification_terms=names,
        website_domains=domains,
        acknowledged_at=acked.acknowledged_at if acked else None,
        acknowledged_version=acked.procedure_version if acked else "",
        acknowledgement_requested_at=asked,
        administrators=admins,
        admin_list_source=admin_source,
    )


def _media_by_post(session: Session, changes: Changes) -> dict[int, list[MediaItem]]:
    ids = [p.id for p in changes.posts]
    if not ids:
        return {}
    found: dict[int, list[MediaItem]] = {}
    for media in session.scalars(select(MediaItem).where(MediaItem.post_id.in_(ids))):
        found.setdefault(media.post_id, []).append(media)
    return found


def _text_items(session: Session, changes: Changes) -> list[detectors.TextItem]:
    """Posts, their photos' alt text, and comments not written by the account itself."""
    media = _media_by_post(session, changes)
    items: list[detectors.TextItem] = []
    for post in changes.posts:
        pid = f"post:{post.external_id}"
        items.append(
            detectors.TextItem(id=pid, text=post.text, kind="post", language=post.language or None)
        )
        items += [
            detectors.TextItem(
                id=f"alt:{post.external_id}:{m.external_id}",
                text=m.alt_text,
                kind="post",
                parent_id=pid,
            )
            for m in media.get(post.id, [])
            if m.alt_text
        ]
    items += [
        detectors.TextItem(
            id=f"comment:{c.external_id}",
            text=c.text,
            kind="comment",
            parent_id=f"post:{c.post_external_id}",
            language=c.language or None,  # identified when stored (monitor.ingest.store)
        )
        for c in changes.comments
        if not c.by_account
    ]
    return items


def _urls(items: Sequence[detectors.TextItem], changes: Changes) -> dict[str, str]:
    urls = {f"post:{p.external_id}": p.url for p in changes.posts}
    urls.update({f"comment:{c.external_id}": c.url for c in changes.comments})
    urls.update(
        {i.id: urls.get(i.parent_id, "") for i in items if i.parent_id and i.id not in urls}
    )
    return urls


def detect_and_flag(
    app: App,
    session: Session,
    account: Account,
    now: datetime,
    changes: Changes | None = None,
    enabled: frozenset[str] | None = None,
) -> list[Flag]:
    """Run the detectors over the account and what changed; write flags and outbox rows."""
    session.flush()
    settings = app.settings
    state = account_state(session, account, settings.procedure.version, settings.district_domains)
    items = _text_items(session, changes) if changes else []
    roster, consents = ROSTER.get(session, app.settings) if items else (None, frozenset())
    context = detection_context(
        app.settings,
        now,
        org_contacts(session) if items else (),
        account=state,
        enabled=enabled,
        roster=roster,
        consents=consents,
    )
    found = detectors.run(items, context, settings_suite(app.settings))
    findings = group(found, {item.id: item.text for item in items})
    urls = _urls(items, changes) if changes else None
    return raise_flags(session, account, findings, now, urls, app.settings.group_window)


def poll_account(app: App, account_id: int, now: datetime) -> PollResult:
    """Poll one account. Raises RateLimited and TransientError for the actor to retry."""
    with app.sessions() as session:
        account = session.get(Account, account_id)
        if account is None or account.status not in POLLABLE:
            return PollResult(account=str(account_id), outcome="skipped")
        if is_held(session, account_id):  # registered from discovery, not approved yet
            return PollResult(account=account.key, outcome="skipped")
        if account.paused_until is not None and account.paused_until > now:
            return PollResult(account=account.key, outcome="paused")  # no request: still capped
        cursor = dict(account.cursor or {})
        ref = account_ref(account)
        try:
            connector = connector_for(app, account, now)
        except (connectors.UnknownPlatform, CredentialsError, ConnectorError) as exc:
            return _record_failure(app, account_id, now, type(exc).__name__, exc)
    try:
        snapshot = connector.fetch(ref, cursor)
    except UsageCapped as exc:
        key, notice = pause(app, account_id, exc, now)
        return PollResult(key, "paused", new_outbox=notice)
    except (AuthRevoked, ConfigurationError, PermanentError) as exc:
        return _record_failure(app, account_id, now, type(exc).__name__, exc)
    result, waiting = _store_poll(app, account_id, snapshot, now, connector.platform)
    photos = analyse_waiting(app, account_id, connector, now, waiting)
    if photos.flags:
        ids = [f.id for f in photos.flags]
        result.new_flags += ids
        result.new_outbox += _outbox_ids(app, ids, now)
    result.photos = photos.analysed
    return result


def polled_as_of(app: App, account_id: int, now: datetime) -> bool:
    """Whether the account's last poll worked and was the one as of ``now`` (a message's
    time), i.e. a copy of the same message already did it."""
    with app.sessions() as session:
        query = select(Account.last_polled_at, Account.last_poll_outcome)
        row = session.execute(query.where(Account.id == account_id)).one_or_none()
    return row is not None and row[0] == now and row[1] == "ok"


def connector_name(app: App, account_id: int) -> str:
    """The connector that serves the account: its platform, or "sandbox" in sandbox mode."""
    with app.sessions() as session:
        platform = session.scalar(select(Account.platform).where(Account.id == account_id))
    return serving_connector(app, platform or "")


def _store_poll(
    app: App, account_id: int, snapshot: connectors.Snapshot, now: datetime, platform: str
) -> tuple[PollResult, list[WaitingPhoto]]:
    """Store the snapshot, flag what it changed, advance the cursor; return the result and
    the oldest photos waiting for analysis (this snapshot's new ones included), one more
    than the per-poll cap, read in the same transaction."""
    cap = app.settings.detection.max_images_per_poll
    with app.sessions() as session, session.begin():
        account = session.get_one(Account, account_id, with_for_update=True)
        changes = save_snapshot(session, account, snapshot, now)
        account.last_polled_at, account.last_poll_outcome, account.last_poll_error = now, "ok", ""
        end_pause(account)
        flags = detect_and_flag(app, session, account, now, changes)
        account.cursor = dict(snapshot.cursor)
        usage.record(session, platform, now, snapshot.requests, snapshot.quota_units)
        audit.record(
            session,
            audit.SYSTEM,
            "account.polled",
            "account",
            account.key,
            at=now,
            posts=len(changes.posts),
            comments=len(changes.comments),
            skipped=len(snapshot.skipped),
            requests=snapshot.requests,
        )
        result = PollResult(
            account.key,
            "ok",
            [f.id for f in flags],
            posts=len(changes.posts),
            comments=len(changes.comments),
        )
        waiting = oldest_waiting(session, account.id, cap + 1)
    result.new_outbox = _outbox_ids(app, result.new_flags, now)
    if snapshot.skipped:
        log.warning("poll %s: skipped %d malformed item(s)", result.account, len(snapshot.skipped))
    return result, waiting


def _needed(needs: Sequence[str]) -> str:
    """``ConfigurationError.needs`` in words: permissions are snake_case, features are
    named in words ("the permission a or b, or the feature 'C'")."""
    permissions = [n for n in needs if n == n.lower()]
    features = [f"'{n}'" for n in needs if n != n.lower()]
    return ", or ".join(
        f"the {noun} {' or '.join(names)}"
        for noun, names in (("permission", permissions), ("feature", features))
        if names
    )


def missing(needs: Sequence[str]) -> str:
    """The account's poll error for a missing permission: short enough (most often) for
    the rules' explanation, which shows the first 200 characters."""
    return f"the Hallwatch app lacks {_needed(needs)} (granting any one is enough)"


def grant_advice(platform: str, needs: Sequence[str], account: str) -> str:
    """What IT must do about a missing permission (any one of ``needs`` is enough, as the
    platform says), for the alert's "What to do"."""
    name = connectors.capabilities(platform).display_name or platform
    return (
        f"Grant the Hallwatch app {_needed(needs)} on {name} (any one is enough), then set "
        f"the new access token with `hallwatch accounts credentials {account}`."
    )


def _record_failure(
    app: App, account_id: int, now: datetime, outcome: str, exc: Exception
) -> PollResult:
    """A fatal connector error: record it and flag it; broken credentials stop polling.

    A missing permission (``ConfigurationError.needs``) is recorded as what the app lacks,
    and its flag carries what IT must grant (``details["grant"]``, the alert's advice), so
    every alert and digest that shows the problem names the permission.
    """
    with app.sessions() as session, session.begin():
        account = session.get_one(Account, account_id, with_for_update=True)
        if isinstance(exc, AuthRevoked):
            account.status = "credentials_broken"
        needs = exc.needs if isinstance(exc, ConfigurationError) else ()
        grant = grant_advice(account.platform, needs, account.key) if needs else ""
        error = missing(needs) if needs else str(exc)  # the whole message: audit and log
        account.last_poll_outcome, account.last_poll_error = outcome, error[:2000]
        end_pause(account)
        audit.record(
            session,
            audit.SYSTEM,
            "account.poll_failed",
            "account",
            account.key,
            at=now,
            outcome=outcome,
            error=str(exc)[:500],
        )
        flags = detect_and_flag(app, session, account, now)
        for flag in flags:
            if grant and ":poll-problem:" in flag.dedup_key:
                flag.details = {**flag.details, "needs": list(needs), "grant": grant}
        result = PollResult(account.key, outcome, [f.id for f in flags])
    log.warning(
        "account %s: poll failed (%s: %s)%s",
        result.account,
        outcome,
        str(exc)[:200],
        "; marked credentials_broken until IT reconnects it"
        if isinstance(exc, AuthRevoked)
        else "",
    )
    result.new_outbox = _outbox_ids(app, result.new_flags, now)
    return result


def _outbox_ids(app: App, flag_ids: list[int], now: datetime) -> list[int]:
    """The new flags' outbox rows that are due now (grouped ones wait for their window)."""
    if not flag_ids:
        return []
    with app.sessions() as session:
        query = select(OutboxItem.id).where(
            OutboxItem.flag_id.in_(flag_ids), OutboxItem.deliver_after <= now
        )
        return list(session.scalars(query))


def review_sweep(app: App, now: datetime) -> list[int]:
    """Raise ``comments.unreviewed`` (and stale-poll) flags for every watched account."""
    created: list[int] = []
    with app.sessions() as session:
        ids = list(session.scalars(select(Account.id).where(Account.status.in_(POLLABLE))))
    for account_id in ids:
        with app.sessions() as session, session.begin():
            account = session.get_one(Account, account_id)
            rules = frozenset({"comments.unreviewed", "account.unapproved"})
            created += [f.id for f in detect_and_flag(app, session, account, now, enabled=rules)]
    return created


PROCEDURE_RULES = frozenset({"account.unacknowledged", "account.admin_access"})


def procedure_sweep(app: App, now: datetime) -> list[int]:
    """Raise ``account.unacknowledged`` and ``account.admin_access`` for every account in
    the registry that is not retired, polled or not (manual accounts have owners too)."""
    created: list[int] = []
    with app.sessions() as session:
        ids = list(session.scalars(select(Account.id).where(Account.status != "retired")))
    for account_id in ids:
        with app.sessions() as session, session.begin():
            account = session.get_one(Account, account_id)
            found = detect_and_flag(app, session, account, now, enabled=PROCEDURE_RULES)
            created += [f.id for f in found]
    return created


__all__ = [
    "ConnectorError",
    "PollResult",
    "account_state",
    "poll_account",
    "procedure_sweep",
    "review_sweep",
]
