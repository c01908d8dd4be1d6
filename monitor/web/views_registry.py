"""The account registry: status, approval, audience policy, the public-account exceptions
register, credentials status (never the credentials), and approving a new account."""

from __future__ import annotations

from sqlalchemy import select
from starlette.responses import Response

from monitor.access.scope import accounts_seen, can
from monitor.registry.accounts import approve_account
from monitor.storage.models import Account
from monitor.web.core import Ctx, not_found


def accounts(ctx: Ctx, error: str = "") -> Response:
    rows = list(
        ctx.db.scalars(select(Account).where(accounts_seen(ctx.user)).order_by(Account.key))
    )
    today = ctx.now.astimezone(ctx.app.settings.timezone).date()
    exceptions = [a for a in rows if a.audience == "public"]
    pending = [a for a in rows if a.approval_status != "approved"]
    return ctx.render(
        "accounts.html",
        rows=rows,
        exceptions=exceptions,
        pending=pending,
        today=today,
        can_approve=can(ctx.user, "account.approve"),
        error=error,
        code=400 if error else 200,
    )


def approve(ctx: Ctx) -> Response:
    try:
        account_id = int(ctx.request.path_params["account_id"])
    except (KeyError, ValueError):
        raise not_found() from None
    account = ctx.db.scalars(
        select(Account).where(Account.id == account_id, accounts_seen(ctx.user))
    ).one_or_none()
    if account is None:
        raise not_found()
    if ctx.form.get("confirm") != "yes":
        return accounts(ctx, error="Tick the box to confirm you approve this account.")
    today = ctx.now.astimezone(ctx.app.settings.timezone).date()
    approve_account(ctx.db, account.id, ctx.user.email, ctx.now, today, ctx.form.get("note", ""))
    return ctx.redirect("/accounts")
