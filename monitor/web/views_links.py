"""The pages behind the signed action links in alert e-mails.

GET shows what the link will do and a button; only the POST (with a CSRF token) does it,
as the recipient the link was sent to. Someone signed in as another person is refused.

A link answers to the present, not to the day it was sent: it stops working once its
recipient is a disabled console user, or no longer receives that flag's alerts (another
supervisor took the account over); and it acts through the flag state machine, so a late
"Acknowledge" on a flag already resolved changes nothing and says so.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from detectors.rules import flag_title
from monitor.access.links import ACTIONS, Action, LinkError, mark_used, read_token
from monitor.access.users import find
from monitor.core.app import App
from monitor.notify.routing import route
from monitor.records.record import RecordError, change_flag, review_comment
from monitor.storage.models import Account, Comment, Flag
from monitor.web.core import MAX_ID, Ctx, check_link

NOTE = "acknowledged from the alert e-mail link"
NOT_YOURS = (
    "This link was sent to {who}, who no longer receives alerts about this account (or whose "
    "console account is disabled), so it does nothing now. Sign in to the console instead."
)


def _flags_of(db: Session, action: Action) -> list[Flag]:
    """The flags whose alerts could have carried this link."""
    if action.action == "ack":
        flag = db.get(Flag, action.target)
        return [flag] if flag is not None else []
    comment = db.get(Comment, action.target)
    if comment is None:
        return []
    ref = f"comment:{comment.external_id}"
    candidates = db.scalars(
        select(Flag).where(
            Flag.account_id == comment.account_id,
            or_(Flag.subject_ref == ref, Flag.rule_id == "comments.unreviewed"),
        )
    )
    return [
        f
        for f in candidates
        if f.subject_ref == ref or ref in [str(r) for r in (f.details or {}).get("overdue", [])]
    ]


def still_recipient(app: App, db: Session, action: Action) -> bool:
    """Whether the link's recipient would get an alert about its target today."""
    user = find(db, action.recipient)
    if user is not None and user.disabled:
        return False
    return any(
        action.recipient in route(db, app, flag).recipients for flag in _flags_of(db, action)
    )


def _check(ctx: Ctx) -> Action:
    action = read_token(ctx.app.settings, ctx.request.path_params.get("token", ""), ctx.now)
    if not 0 < action.target <= MAX_ID:
        raise LinkError("This link is not valid. Sign in to the console instead.")
    check_link(ctx, action, ", or act on the item in the console")
    return action


def _target(ctx: Ctx, action: Action) -> tuple[str, Account] | None:
    db = ctx.db
    if action.action == "ack":
        flag = db.get(Flag, action.target)
        if flag is None:
            return None
        return f"flag #{flag.id}: {flag_title(flag, flag.account.handle)}", flag.account
    comment = db.get(Comment, action.target)
    if comment is None:
        return None
    account = db.get_one(Account, comment.account_id)
    return f"comment {comment.id} by {comment.author_name or 'someone'}", account


def _refused(ctx: Ctx, exc: Exception) -> Response:
    return ctx.message("This link cannot be used", str(exc), status=410)


def confirm(ctx: Ctx) -> Response:
    try:
        action = _check(ctx)
    except LinkError as exc:
        return _refused(ctx, exc)
    found = _target(ctx, action)
    if found is None:
        return ctx.message("Not found", "What this link refers to no longer exists.", 404)
    if not still_recipient(ctx.app, ctx.db, action):
        return _refused(ctx, LinkError(NOT_YOURS.format(who=action.recipient)))
    what, account = found
    return ctx.render(
        "action.html",
        action=action,
        label=ACTIONS[action.action],
        what=what,
        account=account,
    )


def perform(ctx: Ctx) -> Response:
    """Do the action as the recipient; the used-token row and the change commit together."""
    try:
        action = _check(ctx)
        if _target(ctx, action) is None:
            return ctx.message("Not found", "What this link refers to no longer exists.", 404)
        if not still_recipient(ctx.app, ctx.db, action):
            raise LinkError(NOT_YOURS.format(who=action.recipient))
        mark_used(ctx.db, action, ctx.now)
    except LinkError as exc:
        return _refused(ctx, exc)
    try:
        if action.action == "ack":
            decision = change_flag(ctx.db, action.target, "ack", action.recipient, NOTE, ctx.now)
            changed, done = decision.changed, "The flag is acknowledged."
            done = done if changed else decision.message
        else:
            changed = review_comment(ctx.db, action.target, action.recipient, ctx.now)["changed"]
            done = "The comment is marked reviewed." if changed else "It was already reviewed."
    except RecordError as exc:
        return _refused(ctx, exc)
    if not changed:
        return ctx.message("Nothing changed", done)
    return ctx.message("Done", f"{done} Recorded as {action.recipient}. Thank you.")
