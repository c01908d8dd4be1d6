"""Signing in and out with a password. SSO is in :mod:`monitor.web.oidc`."""

from __future__ import annotations

from starlette.responses import Response

from monitor.access.users import check_password, find
from monitor.storage import audit
from monitor.storage.models import User
from monitor.web import auth
from monitor.web.core import Ctx

FAILED = "That e-mail and password do not match an active account. Check both and try again."


def safe_next(value: str, default: str = "/") -> str:
    """Only a path on this site: never ``//evil.example``, a full URL, or a path a browser
    would read as one (backslashes, and tabs or line breaks, which browsers drop)."""
    if (
        not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(char) < 33 or ord(char) == 127 for char in value)
    ):
        return default
    return value


def login_form(ctx: Ctx) -> Response:
    if ctx.person is not None:
        return ctx.redirect("/")
    return ctx.render("login.html", next=safe_next(ctx.request.query_params.get("next", "/")))


def login(ctx: Ctx) -> Response:
    email = ctx.form.get("email", "").strip().lower()[:320]
    password = ctx.form.get("password", "")
    target = safe_next(ctx.form.get("next", "/"))
    ip = ctx.request.client.host if ctx.request.client else "unknown"
    db = ctx.db
    until = auth.throttled_until(db, email, ip, ctx.now)
    if until is not None:
        return ctx.render(
            "login.html",
            code=429,
            next=target,
            email=email,
            error=f"Too many failed sign-ins. Try again after {until:%H:%M} UTC "
            f"({max(1, int((until - ctx.now).total_seconds() // 60) + 1)} minutes).",
        )
    user = find(db, email)
    ok = check_password(user.password_hash if user else "", password)
    ok = ok and user is not None and not user.disabled
    auth.note_attempt(db, email, ip, ok, ctx.now)
    if not ok or user is None:
        return ctx.render("login.html", code=400, next=target, email=email, error=FAILED)
    return signed_in(ctx, user, target, "password")


def signed_in(ctx: Ctx, user: object, target: str, method: str) -> Response:
    """Start a fresh session (new token, new CSRF cookie) and record the sign-in."""
    assert isinstance(user, User)
    auth.end_session(ctx.db, ctx.console.keys.unsign(ctx.request.cookies.get(auth.SESSION_COOKIE)))
    token = auth.start_session(ctx.db, user, ctx.now)
    audit.record(
        ctx.db, user.email, "user.signed_in", "user", user.email, at=ctx.now, method=method
    )
    ctx.cookies[auth.SESSION_COOKIE] = ctx.console.keys.sign(token)
    ctx.cookies[auth.BROWSER_COOKIE] = ctx.console.keys.sign(auth.new_token())
    return ctx.redirect(target)


def logout(ctx: Ctx) -> Response:
    auth.end_session(ctx.db, ctx.console.keys.unsign(ctx.request.cookies.get(auth.SESSION_COOKIE)))
    ctx.cookies[auth.SESSION_COOKIE] = None
    return ctx.redirect("/login")
