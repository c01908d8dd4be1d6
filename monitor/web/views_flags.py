"""Dashboard, flag queue, flag detail (evidence masked until revealed), flag actions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from starlette.responses import Response

from detectors.rules import RULES, advice, rule_name
from monitor.access.scope import accounts_seen, can, comments_seen, flags_seen
from monitor.core.domain import ACTIVE_FLAG, FlagStatus
from monitor.records.lifecycle import STATUSES
from monitor.records.record import RecordError, change_flag, show_flag
from monitor.storage import audit
from monitor.storage.models import Account, Comment, Flag, Post
from monitor.storage.queries import unreviewed
from monitor.web.core import Ctx, not_found

SEVERITIES = ("critical", "high", "medium", "low")
OPEN = ACTIVE_FLAG
PAGE_SIZE = 200
# Rules about the account itself, as opposed to what is posted on it.
ACCOUNT_RULES = (*(r for r in RULES if r.startswith("account.")), "visibility.public")


def overdue_comments(ctx: Ctx) -> Any:
    """Comments nobody reviewed within the review window, in the person's scope."""
    cutoff = ctx.now - ctx.app.settings.review_window
    return (
        select(Comment, Account)
        .join(Account, Comment.account_id == Account.id)
        .where(comments_seen(ctx.user), unreviewed(seen_before=cutoff))
    )


def attention(ctx: Ctx) -> list[tuple[Account, list[str]]]:
    """Accounts in the person's scope with an open or acknowledged account-level flag
    (not approved, broken credentials, not polled, public without a need, ...), and the
    flags' plain rule names. The rules decide; this only reads their flags."""
    found: dict[int, tuple[Account, list[str]]] = {}
    query = (
        select(Account, Flag.rule_id)
        .join(Flag, Flag.account_id == Account.id)
        .where(
            accounts_seen(ctx.user),
            Flag.subject_type == "account",
            Flag.rule_id.in_(ACCOUNT_RULES),
            Flag.status.in_(ACTIVE_FLAG),
        )
        .order_by(Account.key, Flag.rule_id)
    )
    for account, rule_id in ctx.db.execute(query):
        why = found.setdefault(account.id, (account, []))[1]
        if rule_name(rule_id) not in why:
            why.append(rule_name(rule_id))
    return list(found.values())


def dashboard(ctx: Ctx) -> Response:
    query = (
        select(Flag.severity, func.count(Flag.id))
        .join(Account, Flag.account_id == Account.id)
        .where(flags_seen(ctx.user), Flag.status == FlagStatus.OPEN)
        .group_by(Flag.severity)
    )
    counts = {severity: int(n) for severity, n in ctx.db.execute(query)}
    overdue = []
    if can(ctx.user, "comments"):
        overdue = list(ctx.db.execute(overdue_comments(ctx).order_by(Comment.first_seen_at)))
    accounts = attention(ctx) if can(ctx.user, "accounts") else []
    return ctx.render(
        "dashboard.html",
        counts=[(s, counts.get(s, 0)) for s in SEVERITIES],
        overdue=overdue[:50],
        overdue_total=len(overdue),
        accounts=accounts,
    )


def flag_list(ctx: Ctx) -> Response:
    status = ctx.request.query_params.get("status", FlagStatus.OPEN)
    severity = ctx.request.query_params.get("severity", "")
    query = (
        select(Flag, Account)
        .join(Account, Flag.account_id == Account.id)
        .where(flags_seen(ctx.user))
        .order_by(Flag.last_seen_at.desc(), Flag.id.desc())
    )
    if status in STATUSES:
        query = query.where(Flag.status == status)
    if severity in SEVERITIES:
        query = query.where(Flag.severity == severity)
    rows = list(ctx.db.execute(query.limit(PAGE_SIZE)))
    return ctx.render(
        "flags.html",
        rows=rows,
        status=status,
        severity=severity,
        statuses=STATUSES,
        severities=SEVERITIES,
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


def _flag_id(ctx: Ctx) -> int:
    try:
        return int(ctx.request.path_params["flag_id"])
    except (KeyError, ValueError):
        raise not_found() from None


def evidence(ctx: Ctx, flag: Flag) -> list[tuple[Comment, str]]:
    """The comments a flag is about, each with the text to show: the masked excerpt for
    the flagged item itself, the stored text for other comments."""
    refs = [flag.subject_ref] if flag.subject_ref.startswith("comment:") else []
    refs += [r for r in (flag.details or {}).get("overdue", []) if str(r).startswith("comment:")]
    if not refs:
        return []
    externals = [r.split(":", 1)[1] for r in refs]
    rows = ctx.db.scalars(
        select(Comment)
        .where(Comment.account_id == flag.account_id, Comment.external_id.in_(externals))
        .order_by(Comment.first_seen_at)
    )
    return [
        (c, flag.excerpt if f"comment:{c.external_id}" == flag.subject_ref else c.text)
        for c in rows
    ]


def flag_detail(ctx: Ctx, revealed: str | None = None, error: str = "") -> Response:
    flag = visible_flag(ctx, _flag_id(ctx))
    shown = show_flag(ctx.db, flag.id)
    return ctx.render(
        "flag.html",
        flag=flag,
        shown=shown,
        account=flag.account,
        todo=advice(flag.rule_id),
        comments=evidence(ctx, flag),
        can_change=can(ctx.user, "flag.change"),
        can_review=can(ctx.user, "comment.review"),
        can_reveal=can(ctx.user, "evidence.reveal") and _has_full_text(flag),
        revealed=revealed,
        error=error,
        code=400 if error else 200,
    )


def _has_full_text(flag: Flag) -> bool:
    return flag.subject_ref.startswith(("comment:", "post:"))


def flag_change(ctx: Ctx) -> Response:
    flag = visible_flag(ctx, _flag_id(ctx))
    verb = ctx.form.get("verb", "")
    try:
        change_flag(ctx.db, flag.id, verb, ctx.user.email, ctx.form.get("note", ""), ctx.now)
    except RecordError as exc:
        return flag_detail(ctx, error=str(exc))
    return ctx.redirect(f"/flags/{flag.id}")


def reveal(ctx: Ctx) -> Response:
    """Show the flagged item's full stored text once, and put that on the record."""
    flag = visible_flag(ctx, _flag_id(ctx))
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
