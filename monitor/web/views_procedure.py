"""Procedure 417 in the console: the owner's acknowledgement page and an account's section.

``/p/{token}`` is the page behind the e-mailed link: it needs no console account. GET shows
the procedure's key points and a button; only the POST (with the CSRF token bound to this
browser, and the version the page showed) records the acknowledgement, as the link's
recipient, and uses the link up. A link is refused when it expired, was used, was sent to
someone who no longer owns its account, or someone else is signed in.

:func:`procedure_section` gives an account page what ``_account_procedure.html`` shows:
acknowledgement state, administrators (registry and platform) and where the password is kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

import connectors
from monitor.access.links import Action, LinkError, mark_used, read_procedure_token
from monitor.access.scope import accounts_seen
from monitor.core.procedure import KEY_POINTS, TITLE
from monitor.core.settings import Settings
from monitor.records.acknowledge import acknowledge
from monitor.registry.acknowledge import first_request, standing
from monitor.registry.admins import admin_states, platform_list
from monitor.storage.models import Account, AdminList
from monitor.web.core import Ctx, check_link, not_found, path_id


def _owned(db: Session, email: str) -> list[Account]:
    query = select(Account).where(
        func.lower(Account.owner_email) == email, Account.status != "retired"
    )
    return list(db.scalars(query.order_by(Account.key)))


def _check(ctx: Ctx) -> tuple[Action, Account]:
    settings = ctx.app.settings
    action = read_procedure_token(settings, ctx.request.path_params.get("token", ""), ctx.now)
    check_link(ctx, action)
    account = ctx.db.get(Account, action.target)
    if account is None or account.owner_email.strip().lower() != action.recipient:
        raise LinkError(
            "This link was sent to the owner of an account that now has another owner (or no "
            "longer exists), so it is for the wrong account. Nothing was recorded; ask your "
            "supervisor to send you a new link."
        )
    return action, account


def _refused(ctx: Ctx, exc: Exception) -> Response:
    return ctx.message("This link cannot be used", str(exc), status=410)


def acknowledge_page(ctx: Ctx) -> Response:
    """GET: what the link asks, the key points and the button; changes nothing."""
    try:
        action, account = _check(ctx)
    except LinkError as exc:
        return _refused(ctx, exc)
    settings = ctx.app.settings
    return ctx.render(
        "procedure_ack.html",
        action=action,
        title_text=TITLE,
        points=KEY_POINTS,
        version=settings.procedure.version,
        accounts=_owned(ctx.db, action.recipient),
        state=standing(ctx.db, settings, action.recipient, ctx.now),
        account=account,
    )


def acknowledge_post(ctx: Ctx) -> Response:
    """POST: record the acknowledgement as the recipient; the used link commits with it."""
    settings = ctx.app.settings
    try:
        action, account = _check(ctx)
        if ctx.form.get("version") != settings.procedure.version:
            raise LinkError(
                "The procedure was updated after this page was opened. Open the link again to "
                "read the current version; nothing was recorded."
            )
        if ctx.form.get("understood") != "yes":
            return ctx.message(
                "Not recorded",
                "Tick 'I have read and understood' to confirm; nothing was recorded.",
                status=400,
            )
        mark_used(ctx.db, action, ctx.now)
    except LinkError as exc:
        return _refused(ctx, exc)
    acknowledge(ctx.db, settings, action.recipient, ctx.now, account.id, via="link")
    return ctx.message(
        "Thank you",
        f"Recorded: {action.recipient} has read and understood Procedure 417 (version "
        f"{settings.procedure.version}) on {ctx.now:%Y-%m-%d}. Your supervisor can see this "
        "in Hallwatch.",
    )


# --- an account's section ------------------------------------------------------------------


def procedure_section(
    db: Session, settings: Settings, account: Account, now: datetime
) -> dict[str, Any]:
    """What the account page's Procedure 417 section shows (``_account_procedure.html``)."""
    owner = account.owner_email.strip().lower()
    state = standing(db, settings, owner, now) if owner else None
    acked_at = state.at if state is not None and state.version else None
    asked = first_request(db, owner, settings.procedure.version, acked_at) if owner else None
    people, source = admin_states(db, account, settings.district_domains)
    platform, list_source, why = platform_list(db, account.id)
    checked = db.scalar(select(AdminList.checked_at).where(AdminList.account_id == account.id))
    return {
        "owner": owner,
        "ack": state,
        "asked": asked,
        "version": settings.procedure.version,
        "admins": people,
        "admin_source": source
        or list_source
        or connectors.capabilities(account.platform).display_name,
        "platform_known": platform is not None,
        "platform_why": why,
        "admins_checked": checked,
        "password_entry": account.password_entry,
        "domains": settings.district_domains,
    }


def account_procedure(ctx: Ctx) -> Response:
    """``/accounts/{id}/procedure``: the section on a page of its own (until the account page
    includes the partial)."""
    account_id = path_id(ctx, "account_id")  # 404 for an id no row can have
    account = ctx.db.scalars(
        select(Account).where(Account.id == account_id, accounts_seen(ctx.user))
    ).one_or_none()
    if account is None:
        raise not_found()
    section = procedure_section(ctx.db, ctx.app.settings, account, ctx.now)
    return ctx.render("account_procedure.html", account=account, procedure=section)
