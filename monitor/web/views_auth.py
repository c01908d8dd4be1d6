"""Signing in and out with a password. SSO is in :mod:`monitor.web.oidc`, e-mailed sign-in
links in :mod:`monitor.web.views_signin`."""

from __future__ import annotations

from starlette.responses import Response

from monitor.access.users import MAX_PASSWORD, UserError, check_password, find, normalise_email
from monitor.storage import audit
from monitor.storage.models import User
from monitor.web import auth
from monitor.web.core import Ctx

FAILED = "That e-mail and password do not match an active account. Check both and try again."
WAIT = {
    "pair": "Too many failed sign-ins for this e-mail from here.",
    "email": "Too many failed sign-ins for this e-mail address lately, from several places.",
    "address": "Too many failed sign-ins from this network lately.",
}


def safe_next(value: str, default: str = "/") -> str:
    """Only a path on this site: never ``//evil.example``, a full URL, or a path a browser
    would read as one (backslashes, and tabs or line breaks, which browsers drop)."""
    if (
        not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or len(value) > 2000
        or any(ord(char) < 33 or ord(char) == 127 for char in value)
    ):
        return default
    return value


def login_form(ctx: Ctx) -> Response:
    if ctx.person is not None:
        return ctx.redirect("/")
    return ctx.render("login.html", next=safe_next(ctx.request.query_params.get("next", "/")))


def _refuse(ctx: Ctx, target: str, email: str, error: str, code: int = 400) -> Response:
    return ctx.render("login.html", code=code, next=target, email=email, error=error)


def login(ctx: Ctx) -> Response:
    """Check the password, within the throttle; the e-mail is normalised once, first, so
    the throttle and the look-up see the same address however it was padded or cased."""
    target = safe_next(ctx.form.get("next", "/"))
    password = ctx.form.get("password", "")
    try:
        email = normalise_email(ctx.form.get("email", ""))
    except UserError as exc:
        return _refuse(ctx, target, "", f"{str(exc).capitalize()}. Check it and try again.")
    if len(password) > MAX_PASSWORD:
        return _refuse(ctx, target, email, f"A password is at most {MAX_PASSWORD} characters.")
    ip = ctx.address
    db = ctx.db
    throttle = auth.throttled(db, email, ip, ctx.now)
    if throttle is not None:
        minutes = max(1, int((throttle.until - ctx.now).total_seconds() // 60) + 1)
        return _refuse(
            ctx,
            target,
            email,
            f"{WAIT[throttle.why]} Try again after {ctx.when(throttle.until)} ({minutes} "
            "minutes), or have a sign-in link e-mailed to you below.",
            code=429,
        )
    user = find(db, email)
    ok = check_password(user.password_hash if user else "", password)
    ok = ok and user is not None and not user.disabled
    auth.note_attempt(db, email, ip, ok, ctx.now)
    if not ok or user is None:
        return _refuse(ctx, target, email, FAILED)
    return signed_in(ctx, user, target, "password")


def signed_in(ctx: Ctx, user: object, target: str, method: str) -> Response:
    """Start a fresh session (new token, new CSRF cookie) and record the sign-in."""
    assert isinstance(user, User)
    keys = ctx.console.keys
    auth.end_session(ctx.db, keys.unsign(ctx.request.cookies.get(ctx.console.cookie(auth.SESSION))))
    token = auth.start_session(ctx.db, user, ctx.now)
    audit.record(
        ctx.db, user.email, "user.signed_in", "user", user.email, at=ctx.now, method=method
    )
    ctx.cookies[auth.SESSION] = keys.sign(token)
    ctx.cookies[auth.BROWSER] = keys.sign(auth.new_token())
    return ctx.redirect(target)


def logout(ctx: Ctx) -> Response:
    keys = ctx.console.keys
    auth.end_session(ctx.db, keys.unsign(ctx.request.cookies.get(ctx.console.cookie(auth.SESSION))))
    ctx.cookies[auth.SESSION] = None
    return ctx.redirect("/login")
