"""The comment review queue: mark reviewed, or hide on the platform with a reason."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from detectors.rules import HIDE_REASONS
from monitor.access.scope import can, comments_seen
from monitor.access.users import Person
from monitor.records.record import RecordError, review_comment
from monitor.registry.connect import ConnectError, moderate
from monitor.storage.models import Account, Comment, Flag
from monitor.storage.queries import unreviewed
from monitor.web.core import Ctx, not_found, short_session
from monitor.web.views_auth import safe_next

QUEUE_LIMIT = 200


def _shown(db: Session, comments: list[Comment]) -> list[str]:
    """A flagged comment shows its flag's masked excerpt (its first flag's); others their text
    (no PII found). One query for the whole page."""
    refs = {f"comment:{c.external_id}" for c in comments}
    excerpts: dict[tuple[int, str], str] = {}
    if refs:
        query = (
            select(Flag.account_id, Flag.subject_ref, Flag.excerpt)
            .where(Flag.subject_ref.in_(refs))
            .order_by(Flag.id)
        )
        for account_id, ref, excerpt in db.execute(query):
            excerpts.setdefault((account_id, ref), excerpt)
    return [excerpts.get((c.account_id, f"comment:{c.external_id}"), c.text) for c in comments]


def queue(ctx: Ctx, notice: str = "", error: str = "") -> Response:
    show = ctx.request.query_params.get("show", "unreviewed")
    query = (
        select(Comment, Account)
        .join(Account, Comment.account_id == Account.id)
        .where(comments_seen(ctx.user), Comment.by_account.is_(False))
        .order_by(Comment.first_seen_at)
    )
    if show != "all":
        query = query.where(unreviewed())
    found = [(c, a) for c, a in ctx.db.execute(query.limit(QUEUE_LIMIT))]
    shown = _shown(ctx.db, [c for c, _ in found])
    rows = [(c, a, text) for (c, a), text in zip(found, shown, strict=True)]
    overdue_before = ctx.now - ctx.app.settings.review_window
    return ctx.render(
        "comments.html",
        rows=rows,
        show=show,
        reasons=HIDE_REASONS,
        overdue_before=overdue_before,
        can_act=can(ctx.user, "comment.review"),
        notice=notice,
        error=error,
        code=400 if error else 200,
    )


def visible_comment(ctx: Ctx, person: Person, comment_id: int) -> Comment:
    with short_session(ctx.app) as db:
        row = db.execute(
            select(Comment)
            .join(Account, Comment.account_id == Account.id)
            .where(Comment.id == comment_id, comments_seen(person))
        ).scalar_one_or_none()
    if row is None:
        raise not_found()
    return row


def _comment_id(ctx: Ctx) -> int:
    try:
        return int(ctx.request.path_params["comment_id"])
    except (KeyError, ValueError):
        raise not_found() from None


def _back(ctx: Ctx) -> str:
    return safe_next(ctx.form.get("back", "/comments"), "/comments")


def review(ctx: Ctx) -> Response:
    comment = visible_comment(ctx, ctx.user, _comment_id(ctx))
    try:
        review_comment(ctx.db, comment.id, ctx.user.email, ctx.now, ctx.form.get("note", ""))
    except RecordError as exc:
        return queue(ctx, error=str(exc))
    return ctx.redirect(_back(ctx))


def hide(ctx: Ctx) -> Response:
    """Hide on the platform (the connector call, then the record, as ``hallwatch comments
    hide`` does); a refused reason or platform error leaves everything as it was."""
    comment = visible_comment(ctx, ctx.user, _comment_id(ctx))
    reason = ctx.form.get("reason", "")
    if reason not in HIDE_REASONS:
        return queue(ctx, error="Choose one of the listed reasons for hiding the comment.")
    try:
        moderate(ctx.app, comment.id, True, reason, ctx.user.email, ctx.now)
    except ConnectError as exc:
        return queue(ctx, error=f"The comment was not hidden: {exc}")
    return ctx.redirect(_back(ctx))
