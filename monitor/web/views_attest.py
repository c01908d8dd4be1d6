"""Recording a manual check of an account with no API (Snapchat): what was checked against
Procedure 417 and on which day. See :mod:`monitor.registry.attestations`."""

from __future__ import annotations

from datetime import date

from starlette.responses import Response

from monitor.registry.attestations import CHECKS, AttestationError, record_attestation
from monitor.web.core import Ctx
from monitor.web.views_registry import accounts, visible_account


def attest(ctx: Ctx) -> Response:
    account = visible_account(ctx)
    today = ctx.now.astimezone(ctx.app.settings.timezone).date()
    raw = ctx.form.get("checked_on", "") or today.isoformat()
    try:
        checked_on = date.fromisoformat(raw[:10])
    except ValueError:
        return accounts(ctx, error="Give the day of the check like 2026-09-30.")
    try:
        record_attestation(
            ctx.db,
            account,
            ctx.user.email,
            checked_on,
            today,
            [c for c in CHECKS if ctx.form.get(c) == "yes"],
            ctx.form.get("note", ""),
            ctx.now,
            ctx.app.settings.manual_attestation_days,
        )
    except AttestationError as exc:
        return accounts(ctx, error=str(exc))
    return ctx.redirect(f"/accounts#account-{account.id}")
