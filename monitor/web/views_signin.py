"""The e-mailed sign-in link: the way back in that no throttle closes.

Asking for a link always gets the same answer, whether or not the address has an account
(no user enumeration), and the message is sent after the answer (so the time taken says
nothing either). At most :data:`LINKS_PER_WINDOW` links go to one address per window. The
link opens a confirmation page (mail scanners fetch links; a GET changes nothing); its
button signs the person in, once, within :data:`~monitor.access.links.SIGN_IN_MINUTES`.
"""

from __future__ import annotations

from sqlalchemy import func, select
from starlette.background import BackgroundTask
from starlette.responses import Response

from monitor.access.links import (
    SIGN_IN_MINUTES,
    LinkError,
    SignIn,
    is_used,
    mark_sign_in_used,
    read_sign_in,
    sign_in_url,
)
from monitor.access.users import UserError, find, normalise_email
from monitor.notify.signin import send_sign_in_link
from monitor.storage import audit
from monitor.storage.models import AuditEntry, User
from monitor.web.auth import THROTTLE_WINDOW
from monitor.web.core import Ctx
from monitor.web.views_auth import signed_in

LINKS_PER_WINDOW = 3
SENT = "user.sign_in_link_sent"


def link_form(ctx: Ctx) -> Response:
    return ctx.render("signin_link.html", email="", error="", sent="")


def send_link(ctx: Ctx) -> Response:
    try:
        email = normalise_email(ctx.form.get("email", ""))
    except UserError as exc:
        return ctx.render("signin_link.html", code=400, email="", sent="", error=str(exc))
    if "@" not in email:
        return ctx.render(
            "signin_link.html", code=400, email="", sent="", error="Give your e-mail address."
        )
    response = ctx.render("signin_link.html", email=email, error="", sent=email)
    user = find(ctx.db, email)
    if user is None or user.disabled or _recently_sent(ctx, email) >= LINKS_PER_WINDOW:
        return response
    url = sign_in_url(ctx.app.settings, user.id, user.email, ctx.now)
    audit.record(ctx.db, user.email, SENT, "user", user.email, at=ctx.now, ip=ctx.address)
    response.background = BackgroundTask(
        send_sign_in_link, ctx.app, user.email, url, SIGN_IN_MINUTES
    )
    return response


def _recently_sent(ctx: Ctx, email: str) -> int:
    query = select(func.count(AuditEntry.id)).where(
        AuditEntry.action == SENT,
        AuditEntry.object_id == email,
        AuditEntry.at > ctx.now - THROTTLE_WINDOW,
    )
    return ctx.db.scalar(query) or 0


def _check(ctx: Ctx) -> tuple[SignIn, User]:
    link = read_sign_in(ctx.app.settings, ctx.request.path_params.get("token", ""), ctx.now)
    user = ctx.db.get(User, link.user_id)
    if user is None or user.disabled or user.email != link.email:
        raise LinkError("This sign-in link is for an account that is no longer active.")
    if is_used(ctx.db, link):
        raise LinkError(
            "This sign-in link has already been used; it works once. Ask for a new one on "
            "the sign-in page."
        )
    return link, user


def confirm(ctx: Ctx) -> Response:
    try:
        link, _ = _check(ctx)
    except LinkError as exc:
        return ctx.message("This link cannot be used", str(exc), status=410)
    return ctx.render("signin_confirm.html", email=link.email, token=link.token)


def perform(ctx: Ctx) -> Response:
    try:
        link, user = _check(ctx)
        mark_sign_in_used(ctx.db, link, ctx.now)
    except LinkError as exc:
        return ctx.message("This link cannot be used", str(exc), status=410)
    return signed_in(ctx, user, "/", "e-mail link")
