"""The flag queue (filters, sort, pages, bulk actions with undo), a flag's page (evidence
masked until revealed), and the decisions on a flag, through the one state machine."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from starlette.responses import Response

from detectors.rules import RULES, flag_title, rule_name
from monitor.access.scope import (
    accounts_seen,
    can,
    flags_seen,
    is_it_job,
    may_reveal,
)
from monitor.core.domain import ACTIVE_FLAG, CARE_ROLES
from monitor.notify.alerts import what_to_do
from monitor.records.evidence import WITHHELD, care_comments, masked_comments
from monitor.records.lifecycle import STATUSES, TRANSITIONS, next_status
from monitor.records.record import RecordError, change_flag, change_flags, show_flag
from monitor.storage import audit
from monitor.storage.models import Account, Comment, Flag, Post
from monitor.web.core import Ctx, form_ids, not_found, path_id
from monitor.web.paging import paginate
from monitor.web.views_auth import safe_next
from monitor.web.views_todo import SEVERITIES, SEVERITY_RANK, account_label

ACTIVE = "active"  # open or acknowledged: what still needs someone
STATUS_CHOICES = (ACTIVE, *STATUSES, "all")
SORTS = {
    "severity": (SEVERITY_RANK, Flag.first_seen_at, Flag.id),
    "oldest": (Flag.first_seen_at, Flag.id),
    "newest": (Flag.first_seen_at.desc(), Flag.id.desc()),
}
BUTTONS = {"ack": "Acknowledge", "resolve": "Resolve", "dismiss": "Dismiss", "reopen": "Reopen"}
BULK_VERBS = {"ack": "acknowledged", "reopen": "reopened"}


def _choice(ctx: Ctx, name: str, choices: Any, default: str) -> str:
    value = ctx.request.query_params.get(name, default)
    return value if value in choices else default


def flag_list(ctx: Ctx) -> Response:
    params = ctx.request.query_params
    status = _choice(ctx, "status", STATUS_CHOICES, ACTIVE)
    severity = _choice(ctx, "severity", SEVERITIES, "")
    rule = _choice(ctx, "rule", RULES, "")
    sort = _choice(ctx, "sort", SORTS, "severity")
    accounts = list(
        ctx.db.execute(
            select(Account.key, Account.handle).where(accounts_seen(ctx.user)).order_by(Account.key)
        )
    )
    account = params.get("account", "")
    account = account if account in {key for key, _ in accounts} else ""
    query = (
        select(Flag, Account)
        .join(Account, Flag.account_id == Account.id)
        .where(flags_seen(ctx.user))
        .order_by(*SORTS[sort])
    )
    if status == ACTIVE:
        query = query.where(Flag.status.in_(ACTIVE_FLAG))
    elif status in STATUSES:
        query = query.where(Flag.status == status)
    if severity:
        query = query.where(Flag.severity == severity)
    if rule:
        query = query.where(Flag.rule_id == rule)
    if account:
        query = query.where(Account.key == account)
    rows, page = paginate(ctx, query)
    return ctx.render(
        "flags.html",
        rows=[(f, a, flag_title(f, account_label(a))) for f, a in rows],
        page=page,
        status=status,
        severity=severity,
        rule=rule,
        sort=sort,
        account=account,
        accounts=accounts,
        statuses=STATUS_CHOICES,
        severities=SEVERITIES,
        rules=[(r, rule_name(r)) for r in RULES],
        sorts=SORTS,
        can_change=can(ctx.user, "flag.change"),
        back=str(ctx.request.url.path)
        + (f"?{ctx.request.url.query}" if ctx.request.url.query else ""),
    )


def visible_flag(ctx: Ctx, flag_id: int) -> Flag:
    """The flag if ``ctx.user`` may see it; 404 otherwise, as if it did not exist."""
    row = ctx.db.execute(
        select(Flag)
        .join(Account, Flag.account_id == Account.id)
        .where(Flag.id == flag_id, flags_seen(ctx.user))
    ).scalar_one_or_none()
    if row is None:
        raise not_found()
    return row


def evidence(ctx: Ctx, flag: Flag) -> list[tuple[Comment, str, str]]:
    """The comments a flag is about, each with its text masked (see records.evidence) and
    its author's name (withheld from a role outside CARE_ROLES when a sign of self-harm was
    flagged on it): a comment another rule flagged never shows unmasked here."""
    refs = [flag.subject_ref] if flag.subject_ref.startswith("comment:") else []
    refs += [r for r in (flag.details or {}).get("overdue", []) if str(r).startswith("comment:")]
    if not refs:
        return []
    externals = [str(r).split(":", 1)[1] for r in refs]
    rows = list(
        ctx.db.scalars(
            select(Comment)
            .where(Comment.account_id == flag.account_id, Comment.external_id.in_(externals))
            .order_by(Comment.first_seen_at)
        )
    )
    shown = masked_comments(ctx.db, rows)
    care = care_comments(ctx.db, rows) if ctx.user.role not in CARE_ROLES else set()
    return [(c, shown[c.id], WITHHELD if c.id in care else c.author_name) for c in rows]


def flag_detail(
    ctx: Ctx, revealed: str | None = None, error: str = "", notice: str = ""
) -> Response:
    flag = visible_flag(ctx, path_id(ctx, "flag_id"))
    shown = show_flag(ctx.db, flag.id)
    changing = can(ctx.user, "flag.change")
    return ctx.render(
        "flag.html",
        flag=flag,
        title=flag_title(flag, account_label(flag.account)),
        rule=rule_name(flag.rule_id),
        history=[(datetime.fromisoformat(h["at"]), h) for h in shown["history"]],
        account=flag.account,
        todo=what_to_do(flag, ctx.app.settings),
        it_job=is_it_job(flag.rule_id, flag.dedup_key),
        comments=evidence(ctx, flag),
        verbs=[(v, BUTTONS[v]) for v in TRANSITIONS if changing and next_status(flag.status, v)],
        can_review=can(ctx.user, "comment.review"),
        can_reveal=_has_full_text(flag) and may_reveal(ctx.db, ctx.user, flag),
        care_only=_has_full_text(flag) and not may_reveal(ctx.db, ctx.user, flag),
        revealed=revealed,
        error=error,
        notice=notice,
        code=400 if error else 200,
    )


def _has_full_text(flag: Flag) -> bool:
    return flag.subject_ref.startswith(("comment:", "post:"))


def flag_change(ctx: Ctx) -> Response:
    flag = visible_flag(ctx, path_id(ctx, "flag_id"))
    verb = ctx.form.get("verb", "")
    try:
        decision = change_flag(
            ctx.db, flag.id, verb, ctx.user.email, ctx.form.get("note", ""), ctx.now
        )
    except RecordError as exc:
        return flag_detail(ctx, error=str(exc))
    if not decision.changed:
        return flag_detail(ctx, notice=decision.message)
    return ctx.redirect(f"/flags/{flag.id}")


def bulk(ctx: Ctx) -> Response:
    """Acknowledge (or, as the undo of that, reopen) every ticked flag the person may see;
    the page that answers lists what changed and offers the undo."""
    verb = ctx.form.get("verb", "")
    back = safe_next(ctx.form.get("back", "/"), "/")
    ids = form_ids(ctx)
    if verb not in BULK_VERBS:
        return ctx.message("Nothing done", "Use the buttons on the page.", status=400)
    if not ids:
        return ctx.message(
            "Nothing selected",
            "Tick the flags to act on first, then press the button.",
            status=400,
        )
    try:
        decisions = change_flags(
            ctx.db,
            ids,
            verb,
            ctx.user.email,
            ctx.form.get("note", ""),
            ctx.now,
            flags_seen(ctx.user),
        )
    except RecordError as exc:
        return ctx.message("Nothing done", str(exc), status=400)
    changed = [d.flag_id for d in decisions if d.changed]
    unchanged = len(ids) - len(changed)
    undo = {"ack": "reopen", "reopen": "ack"}[verb]
    return ctx.render(
        "result.html",
        heading=f"{len(changed)} flag{'' if len(changed) == 1 else 's'} {BULK_VERBS[verb]}",
        items=[f"#{i}" for i in changed],
        skipped=unchanged,
        undo_action="/flags/bulk",
        undo_verb=undo,
        undo_label="Undo" if verb == "ack" else "Acknowledge them again",
        undo_ids=changed,
        back=back,
    )


def reveal(ctx: Ctx) -> Response:
    """Show the flagged item's full stored text once, and put that on the record."""
    flag = visible_flag(ctx, path_id(ctx, "flag_id"))
    if not may_reveal(ctx.db, ctx.user, flag):
        audit.record(ctx.db, ctx.user.email, "evidence.reveal_refused", "flag", flag.id, at=ctx.now)
        return ctx.message(
            "Not for your role",
            "The full text of a sign of self-harm is shown only to the school's principal, a "
            "counsellor and an administrator. The masked excerpt is what your role sees.",
            status=403,
        )
    kind, _, external = flag.subject_ref.partition(":")
    model: Any = {"comment": Comment, "post": Post}.get(kind)
    if model is None:
        raise not_found()
    text = ctx.db.scalar(
        select(model.text).where(model.account_id == flag.account_id, model.external_id == external)
    )
    audit.record(
        ctx.db, ctx.user.email, "evidence.revealed", "flag", flag.id, at=ctx.now, subject=kind
    )
    full = text or "(the stored text was purged under the retention period)"
    return flag_detail(ctx, revealed=full)
