"""Discovery candidates: accounts that look like the District's and are not in the registry.

A candidate is recorded once per identity (``instagram:riverside.garden``), with where it
was first found and when. Hallwatch never polls a candidate. A person decides:

* ``register``: it becomes a registry account waiting for supervisor approval (the
  registry's own rules then apply, including ``account.unapproved`` until approved);
* ``not_ours``: not a District account;
* ``personal``: a staff member's personal account: out of scope, never watched.

A decision can be undone (:func:`reopen`): the candidate waits for a decision again. Undoing
a registration retires the account it made (approval "rejected"), which is only possible
while that account still waits for approval; after approval the registry is where it changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

import connectors
from connectors.links import AccountLink, registered_keys
from monitor.registry.accounts import EMAIL, MANUAL_ONLY, PLATFORMS
from monitor.storage import audit
from monitor.storage.models import Account, Candidate, OrgUnit, ProfileSnapshot

DECISIONS = {"register": "registered", "not-ours": "not_ours", "personal": "personal"}
STATES = {
    "new": "waiting for a decision",
    "registered": "registered",
    "not_ours": "not ours",
    "personal": "personal account of staff: out of scope",
}


class CandidateError(Exception):
    """A decision cannot be recorded; the message says what to do."""


def known_identities(session: Session) -> set[str]:
    """Every identity a registered account (retired ones too) answers to."""
    websites = dict(
        session.execute(
            select(ProfileSnapshot.account_id, ProfileSnapshot.website).order_by(
                ProfileSnapshot.taken_at
            )
        ).all()
    )
    keys: set[str] = set()
    for account in session.scalars(select(Account)):
        site = websites.get(account.id, "")
        keys |= registered_keys(account.platform, account.handle, account.external_id, site)
    return keys


def note_found(
    session: Session, link: AccountLink, source: str, org_unit_id: int | None, now: datetime
) -> bool:
    """Record ``link`` as a candidate (or see it again); True when it is new."""
    row = session.scalars(select(Candidate).where(Candidate.identity == link.key)).first()
    if row is not None:
        row.last_seen_at = now
        return False
    session.add(
        Candidate(
            identity=link.key[:300],
            platform=link.platform,
            handle=link.handle[:300],
            url=link.url[:1000],
            source=source[:2000],
            org_unit_id=org_unit_id,
            first_seen_at=now,
            last_seen_at=now,
            status="new",
        )
    )
    session.flush()
    return True


@dataclass(frozen=True)
class Registration:
    """What a person gives to register a candidate."""

    key: str
    org_unit: str
    owner_email: str = ""
    owner_name: str = ""
    external_id: str = ""


def decide(
    session: Session,
    candidate_id: int,
    decision: str,
    actor: str,
    now: datetime,
    note: str = "",
    registration: Registration | None = None,
) -> Candidate:
    """Record a person's decision on a candidate (``register``, ``not-ours``, ``personal``).

    Raises:
        CandidateError: unknown candidate or decision, no actor, already decided, or a
            registration the registry would refuse (the message says why).
    """
    candidate = session.get(Candidate, candidate_id)
    if candidate is None:
        raise CandidateError(f"no candidate {candidate_id}; see `hallwatch candidates list`")
    if decision not in DECISIONS:
        raise CandidateError(f"decision must be one of {', '.join(DECISIONS)}")
    if not actor.strip():
        raise CandidateError("say who decides (--by EMAIL)")
    if candidate.status != "new":
        raise CandidateError(
            f"candidate {candidate_id} was already decided ({candidate.status} by "
            f"{candidate.decided_by})"
        )
    if decision == "register":
        candidate.account_id = _register(session, candidate, registration, actor, now).id
    candidate.status, candidate.decided_by, candidate.decided_at = DECISIONS[decision], actor, now
    candidate.note = note.strip()[:2000]
    audit.record(
        session,
        actor,
        f"candidate.{DECISIONS[decision]}",
        "candidate",
        candidate.identity,
        at=now,
        note=candidate.note,
    )
    session.flush()
    return candidate


def _register(
    session: Session,
    candidate: Candidate,
    registration: Registration | None,
    actor: str,
    now: datetime,
) -> Account:
    if registration is None or not registration.key.strip() or not registration.org_unit:
        raise CandidateError("registering needs an account id and an org unit code")
    if candidate.platform not in PLATFORMS:
        raise CandidateError(
            f"Hallwatch has no platform {candidate.platform!r}; register the account by hand "
            "as a manual one, or mark the candidate not ours"
        )
    key = registration.key.strip()
    if len(key) > 80 or any(ch.isspace() for ch in key):
        raise CandidateError("an account id is at most 80 characters, with no spaces")
    owner = registration.owner_email.strip()
    if owner and not EMAIL.fullmatch(owner):
        raise CandidateError(f"{owner[:100]!r} is not an e-mail address")
    if session.scalars(select(Account).where(Account.key == key)).first() is not None:
        raise CandidateError(f"account id {key!r} is taken; choose another")
    unit = session.scalars(select(OrgUnit).where(OrgUnit.code == registration.org_unit)).first()
    if unit is None:
        raise CandidateError(f"no org unit {registration.org_unit!r}")
    external = registration.external_id.strip() or candidate.handle
    manual = candidate.platform in MANUAL_ONLY
    account = Account(
        key=key,
        platform=candidate.platform,
        external_id=external[:200],
        handle=candidate.handle[:200],
        org_unit_id=unit.id,
        owner_name=registration.owner_name.strip()[:200],
        owner_email=registration.owner_email.strip().lower()[:320],
        approval_status="pending",
        status="manual" if manual else "active",
        notes=f"Registered from discovery ({candidate.source[:300]}) by {actor}.",
        registered_at=now,
    )
    session.add(account)
    session.flush()
    audit.record(
        session, actor, "account.registered", "account", key, at=now, candidate=candidate.identity
    )
    return account


def reopen(
    session: Session, candidate_id: int, actor: str, now: datetime, note: str = ""
) -> Candidate:
    """Undo a decision: the candidate waits for a decision again.

    Undoing a registration retires the account it made and rejects its approval (its
    identity then counts as registered, so discovery does not raise it again as new).

    Raises:
        CandidateError: unknown candidate, no actor, not decided, or registered as an
            account that was approved since (change that one in the registry).
    """
    candidate = session.get(Candidate, candidate_id)
    if candidate is None:
        raise CandidateError(f"no candidate {candidate_id}; see `hallwatch candidates list`")
    if not actor.strip():
        raise CandidateError("say who decides (--by EMAIL)")
    if candidate.status == "new":
        raise CandidateError(f"candidate {candidate_id} waits for a decision already")
    before = candidate.status
    if candidate.status == "registered" and candidate.account_id is not None:
        account = session.get_one(Account, candidate.account_id)
        if account.approval_status == "approved":
            raise CandidateError(
                f"account {account.key} was approved since it was registered; to undo it, "
                "retire it in the registry (status retired in the accounts CSV)"
            )
        account.status, account.approval_status = "retired", "rejected"
        audit.record(
            session,
            actor,
            "account.retired",
            "account",
            account.key,
            at=now,
            candidate=candidate.identity,
            why="registration undone",
        )
    candidate.status, candidate.decided_by, candidate.decided_at = "new", "", None
    candidate.account_id, candidate.note = None, note.strip()[:2000]
    audit.record(
        session,
        actor,
        "candidate.reopened",
        "candidate",
        candidate.identity,
        at=now,
        was=before,
        note=candidate.note,
    )
    session.flush()
    return candidate


def suggested_key(candidate: Candidate, unit_code: str) -> str:
    """An account id to offer when registering: ``riv-instagram-riverside-eagles``."""
    words = "".join(ch if ch.isalnum() else "-" for ch in candidate.handle.lower())
    slug = "-".join(w for w in words.split("-") if w)[:60]
    return "-".join(p for p in (unit_code.lower(), candidate.platform, slug) if p)


def list_candidates(session: Session, status: str | None = "new") -> list[Candidate]:
    query = select(Candidate).order_by(Candidate.first_seen_at.desc(), Candidate.id)
    if status:
        query = query.where(Candidate.status == status)
    return list(session.scalars(query))


def display_platform(platform: str) -> str:
    """How people write the platform ("YouTube"), or the name itself ("tiktok")."""
    try:
        return connectors.get_connector(platform).facts().display_name
    except connectors.UnknownPlatform:
        return {"tiktok": "TikTok", "blog": "Blog"}.get(platform, platform)
