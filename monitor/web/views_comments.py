"""The comment review queue: filter by account, pages, each comment linked to its post on
the platform, text masked where a rule flagged it; mark reviewed (one or ticked ones, with
an undo), or hide on the platform with a reason."""

from __future__ import annotations

from sqlalchemy import select
from starlette.responses import Response

from detectors.rules import HIDE_REASONS
from monitor.access.scope import accounts_seen, can, comments_seen
from monitor.access.users import Person
from monitor.core.domain import CARE_ROLES
from monitor.records.evidence import WITHHELD, care_comments, masked_comments
from monitor.records.record import RecordError, review_comment, undo_review
from monitor.registry.connect import ConnectError, moderate
from monitor.storage.models import Account, Comment, Post
from monitor.storage.queries import unreviewed
from monitor.web.core import Ctx, form_ids, not_found, path_id, short_session
from monitor.web.paging import paginate
from monitor.web.views_auth import safe_next

BULK_VERBS = {"review": "marked reviewed", "unreview": "no longer marked reviewed"}


def queue(ctx: Ctx, error: str = "") -> Response:
    show = ctx.request.query_params.get("show", "unreviewed")
    keys = list(
        ctx.db.scalars(select(Account.key).where(accounts_seen(ctx.user)).order_by(Account.key))
    )
    account = ctx.request.query_params.get("account", "")
    account = account if account in keys else ""
    query = (
        select(Comment, Account, Post.url)
        .join(Account, Comment.account_id == Account.id)
        .outerjoin(Post, Comment.post_id == Post.id)
        .where(comments_seen(ctx.user), Comment.by_account.is_(False))
        .order_by(Comment.first_seen_at, Comment.id)
    )
    if show != "all":
        query = query.where(unreviewed())
    if account:
        query = query.where(Account.key == account)
    found, page = paginate(ctx, query)
    comments = [c for c, _, _ in found]
    shown = masked_comments(ctx.db, comments)
    care = care_comments(ctx.db, comments) if ctx.user.role not in CARE_ROLES else set()
    rows = [
        (c, a, shown[c.id], c.url or post_url or "", WITHHELD if c.id in care else c.author_name)
        for c, a, post_url in found
    ]
    return ctx.render(
        "comments.html",
        rows=rows,
        page=page,
        show=show,
        account=account,
        accounts=keys,
        reasons=HIDE_REASONS,
        overdue_before=ctx.now - ctx.app.settings.review_window,
        can_act=can(ctx.user, "comment.review"),
        back=str(ctx.request.url.path)
        + (f"?{ctx.request.url.query}" if ctx.request.url.query else ""),
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


def _back(ctx: Ctx) -> str:
    return safe_next(ctx.form.get("back", "/comments"), "/comments")


def review(ctx: Ctx) -> Response:
    comment = visible_comment(ctx, ctx.user, path_id(ctx, "comment_id"))
    try:
        review_comment(ctx.db, comment.id, ctx.user.email, ctx.now, ctx.form.get("note", ""))
    except RecordError as exc:
        return queue(ctx, error=str(exc))
    return ctx.redirect(_back(ctx))


def bulk(ctx: Ctx) -> Response:
    """Mark every ticked comment the person may see reviewed (or, as its undo, take those
    reviews back); the answer lists what changed and offers the undo."""
    verb = ctx.form.get("verb", "")
    ids = form_ids(ctx)
    if verb not in BULK_VERBS:
        return ctx.message("Nothing done", "Use the buttons on the page.", status=400)
    if not ids:
        return ctx.message(
            "Nothing selected", "Tick the comments first, then press the button.", status=400
        )
    visible = list(
        ctx.db.scalars(
            select(Comment.id)
            .join(Account, Comment.account_id == Account.id)
            .where(Comment.id.in_(ids), comments_seen(ctx.user))
            .order_by(Comment.id)
        )
    )
    changed = []
    for comment_id in visible:
        if verb == "review":
            done = review_comment(ctx.db, comment_id, ctx.user.email, ctx.now)["changed"]
        else:
            done = undo_review(ctx.db, comment_id, ctx.user.email, ctx.now)
        if done:
            changed.append(comment_id)
    noun = "comment" if len(changed) == 1 else "comments"
    return ctx.render(
        "result.html",
        heading=f"{len(changed)} {noun} {BULK_VERBS[verb]}",
        items=[f"comment {i}" for i in changed],
        skipped=len(ids) - len(changed),
        undo_action="/comments/bulk",
        undo_verb="unreview" if verb == "review" else "review",
        undo_label="Undo" if verb == "review" else "Mark them reviewed again",
        undo_ids=changed,
        back=_back(ctx),
    )


def hide(ctx: Ctx) -> Response:
    """Hide on the platform (the connector call, then the record, as ``hallwatch comments
    hide`` does); a refused reason or platform error leaves everything as it was."""
    comment = visible_comment(ctx, ctx.user, path_id(ctx, "comment_id"))
    reason = ctx.form.get("reason", "")
    if reason not in HIDE_REASONS:
        return queue(ctx, error="Choose one of the listed reasons for hiding the comment.")
    try:
        moderate(ctx.app, comment.id, True, reason, ctx.user.email, ctx.now)
    except ConnectError as exc:
        return queue(ctx, error=f"The comment was not hidden: {exc}")
    return ctx.redirect(_back(ctx))
