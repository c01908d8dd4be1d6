"""The account registry: status, approval, audience policy, the public-account exceptions
register, credentials status (never the credentials), manual checks, and approving a new
account (a supervisor within their units, or an administrator; never IT)."""

from __future__ import annotations

from sqlalchemy import select
from starlette.responses import Response

from monitor.access.scope import accounts_seen, can
from monitor.records.lifecycle import NOTE_LIMIT
from monitor.registry.accounts import approve_account
from monitor.registry.attestations import CHECKS, due_attestations
from monitor.storage.models import Account
from monitor.web.core import Ctx, not_found, path_id


def accounts(ctx: Ctx, error: str = "", notice: str = "") -> Response:
    rows = list(
        ctx.db.scalars(select(Account).where(accounts_seen(ctx.user)).order_by(Account.key))
    )
    today = ctx.now.astimezone(ctx.app.settings.timezone).date()
    return ctx.render(
        "accounts.html",
        rows=rows,
        exceptions=[a for a in rows if a.audience == "public"],
        pending=[a for a in rows if a.approval_status != "approved"],
        manual=due_attestations(ctx.db, rows, today, ctx.app.settings),
        checks=CHECKS,
        days=f"{ctx.app.settings.manual_attestation_days:g}",
        today=today,
        can_approve=can(ctx.user, "account.approve"),
        can_attest=can(ctx.user, "account.attest"),
        error=error,
        notice=notice,
        code=400 if error else 200,
    )


def visible_account(ctx: Ctx) -> Account:
    account = ctx.db.scalars(
        select(Account).where(Account.id == path_id(ctx, "account_id"), accounts_seen(ctx.user))
    ).one_or_none()
    if account is None:
        raise not_found()
    return account


def approve(ctx: Ctx) -> Response:
    account = visible_account(ctx)
    if ctx.form.get("confirm") != "yes":
        return accounts(ctx, error="Tick the box to confirm you approve this account.")
    note = ctx.form.get("note", "")
    if len(note.strip()) > NOTE_LIMIT:
        return accounts(ctx, error=f"Keep the note under {NOTE_LIMIT:,} characters.")
    today = ctx.now.astimezone(ctx.app.settings.timezone).date()
    approve_account(ctx.db, account.id, ctx.user.email, ctx.now, today, note)
    return ctx.redirect("/accounts")
