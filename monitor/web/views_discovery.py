"""``/discovery``: accounts discovery found that are not in the registry, and the decisions.

The page lists the candidates of the person's units (an administrator's and an auditor's:
all of them), waiting ones first, with where each was found, its platform, handle, when it
was first seen and its state. A supervisor or an administrator decides: *register it* (the
same :func:`monitor.registry.candidates.decide` as ``hallwatch candidates decide``, so the
account then waits for approval and is not polled before it), *not ours*, or *personal
account of staff*; and can undo a decision (:func:`~monitor.registry.candidates.reopen`).
The auditor reads only. A candidate outside the person's units answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from starlette.responses import Response

from monitor.access.scope import can, candidates_seen
from monitor.core.domain import Role
from monitor.records.lifecycle import NOTE_LIMIT
from monitor.registry.candidates import (
    STATES,
    CandidateError,
    Registration,
    decide,
    display_platform,
    reopen,
    suggested_key,
)
from monitor.storage.models import Account, Candidate, OrgUnit
from monitor.web.core import Ctx, not_found, path_id
from monitor.web.paging import paginate

SHOW = {"waiting": "Waiting for a decision", "decided": "Decided", "all": "All"}
DONE = {
    "register": "Registered. The account now waits for its supervisor's approval in Accounts; "
    "Hallwatch does not check it before that.",
    "not-ours": "Recorded: not a District account.",
    "personal": "Recorded: a staff member's personal account, out of scope.",
    "reopen": "Undone: the account waits for a decision again.",
}
LINKED = "linked from "


@dataclass(frozen=True)
class Row:
    """One candidate as the page shows it."""

    candidate: Candidate
    unit: OrgUnit | None
    account: Account | None
    platform: str
    state: str
    source_url: str  # the page that linked it, when it was a link ('' for a search)
    suggested: str


def _show(ctx: Ctx) -> str:
    value = ctx.request.query_params.get("show", "waiting")
    return value if value in SHOW else "waiting"


def _query(ctx: Ctx, show: str) -> Any:
    query = (
        select(Candidate, OrgUnit, Account)
        .outerjoin(OrgUnit, Candidate.org_unit_id == OrgUnit.id)
        .outerjoin(Account, Candidate.account_id == Account.id)
        .where(candidates_seen(ctx.user))
    )
    if show == "waiting":
        query = query.where(Candidate.status == "new")
    elif show == "decided":
        query = query.where(Candidate.status != "new")
    waiting_first = case((Candidate.status == "new", 0), else_=1)
    return query.order_by(waiting_first, Candidate.first_seen_at.desc(), Candidate.id)


def waiting_count(ctx: Ctx) -> int:
    """Candidates in the person's scope that wait for a decision (0 without the page)."""
    if not can(ctx.user, "discovery"):
        return 0
    query = select(func.count(Candidate.id)).where(
        candidates_seen(ctx.user), Candidate.status == "new"
    )
    return int(ctx.db.scalar(query) or 0)


def _units(ctx: Ctx) -> list[OrgUnit]:
    """The units a person may register an account in: a supervisor's own, or every one."""
    query = select(OrgUnit).order_by(OrgUnit.code)
    if ctx.user.role != Role.ADMIN:
        query = query.where(OrgUnit.id.in_(sorted(ctx.user.units)))
    return list(ctx.db.scalars(query))


def _row(candidate: Candidate, unit: OrgUnit | None, account: Account | None) -> Row:
    state = STATES.get(candidate.status, candidate.status)
    if account is not None:
        approval = "approved" if account.approval_status == "approved" else "waiting for approval"
        state = f"registered as {account.key} ({approval})"
    source = candidate.source
    url = source[len(LINKED) :] if source.startswith(LINKED) else ""
    return Row(
        candidate,
        unit,
        account,
        display_platform(candidate.platform),
        state,
        url,
        suggested_key(candidate, unit.code if unit else ""),
    )


def discovery(ctx: Ctx, error: str = "", notice: str = "") -> Response:
    show = _show(ctx)
    rows, page = paginate(ctx, _query(ctx, show))
    done = ctx.request.query_params.get("done", "")
    return ctx.render(
        "discovery.html",
        code=400 if error else 200,
        rows=[_row(c, u, a) for c, u, a in rows],
        page=page,
        show=show,
        shows=SHOW,
        waiting=waiting_count(ctx),
        units=_units(ctx) if can(ctx.user, "candidate.decide") else [],
        can_decide=can(ctx.user, "candidate.decide"),
        error=error,
        notice=notice or DONE.get(done, ""),
    )


def _visible(ctx: Ctx) -> Candidate:
    candidate = ctx.db.scalars(
        select(Candidate).where(
            Candidate.id == path_id(ctx, "candidate_id"), candidates_seen(ctx.user)
        )
    ).one_or_none()
    if candidate is None:
        raise not_found()
    return candidate


def _registration(ctx: Ctx) -> Registration:
    code = ctx.form.get("org_unit", "")
    if code not in {u.code for u in _units(ctx)}:
        raise CandidateError("Choose one of your organisation units for the account.")
    return Registration(
        key=ctx.form.get("key", ""),
        org_unit=code,
        owner_email=ctx.form.get("owner_email", ""),
        owner_name=ctx.form.get("owner_name", ""),
    )


def decide_post(ctx: Ctx) -> Response:
    """Register it, not ours, or personal; a refused decision re-shows the page saying why."""
    candidate = _visible(ctx)
    decision = ctx.form.get("decision", "")
    note = ctx.form.get("note", "")
    if len(note.strip()) > NOTE_LIMIT:
        return discovery(ctx, error=f"Keep the note under {NOTE_LIMIT:,} characters.")
    try:
        registration = _registration(ctx) if decision == "register" else None
        decide(ctx.db, candidate.id, decision, ctx.user.email, ctx.now, note, registration)
    except CandidateError as exc:
        return discovery(ctx, error=_sentence(str(exc)))
    return ctx.redirect(f"/discovery?done={decision}")


def reopen_post(ctx: Ctx) -> Response:
    """Undo a decision (a registration only while the account waits for approval)."""
    candidate = _visible(ctx)
    note = ctx.form.get("note", "")
    if len(note.strip()) > NOTE_LIMIT:
        return discovery(ctx, error=f"Keep the note under {NOTE_LIMIT:,} characters.")
    try:
        reopen(ctx.db, candidate.id, ctx.user.email, ctx.now, note)
    except CandidateError as exc:
        return discovery(ctx, error=_sentence(str(exc)))
    return ctx.redirect("/discovery?done=reopen")


def _sentence(text: str) -> str:
    """A domain message (written for the command line too) as a sentence on the page."""
    text = text.replace("(--by EMAIL)", "").replace("`hallwatch candidates list`", "the list")
    return (text[:1].upper() + text[1:]).rstrip(".") + "."
