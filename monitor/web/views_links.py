"""The pages behind the signed action links in alert e-mails.

GET shows what the link will do and a button; only the POST (with a CSRF token) does it,
as the recipient the link was sent to. Someone signed in as another person is refused.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.responses import Response

from monitor.access.links import ACTIONS, Action, LinkError, is_used, mark_used, read_token
from monitor.records.record import RecordError, change_flag, review_comment
from monitor.storage.models import Account, Comment, Flag
from monitor.web.core import Ctx

NOTE = "acknowledged from the alert e-mail link"


def _check(ctx: Ctx) -> Action:
    action = read_token(ctx.app.settings, ctx.request.path_params.get("token", ""), ctx.now)
    if ctx.person is not None and ctx.person.email != action.recipient:
        raise LinkError(
            f"This link was sent to someone else, and you are signed in as {ctx.person.email}. "
            "Open it from your own e-mail, or act on the item in the console."
        )
    if is_used(ctx.db, action):
        raise LinkError("This link has already been used; it works once.")
    return action


def _target(db: Session, action: Action) -> tuple[str, Account] | None:
    if action.action == "ack":
        flag = db.get(Flag, action.target)
        if flag is None:
            return None
        return f"flag #{flag.id} ({flag.severity} {flag.rule_id}): {flag.explanation}", flag.account
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
    found = _target(ctx.db, action)
    if found is None:
        return ctx.message("Not found", "What this link refers to no longer exists.", 404)
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
        mark_used(ctx.db, action, ctx.now)
    except LinkError as exc:
        return _refused(ctx, exc)
    try:
        if action.action == "ack":
            changed = change_flag(ctx.db, action.target, "ack", action.recipient, NOTE, ctx.now)
            done = "The flag is acknowledged." if changed else "The flag was already acknowledged."
        else:
            result = review_comment(ctx.db, action.target, action.recipient, ctx.now)
            done = (
                "The comment is marked reviewed."
                if result["changed"]
                else "The comment had already been reviewed."
            )
    except RecordError as exc:
        return _refused(ctx, exc)
    return ctx.message("Done", f"{done} Recorded as {action.recipient}. Thank you.")
