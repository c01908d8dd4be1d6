"""The console's ASGI app: routes, security headers, error pages, static files."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from monitor.core.app import App
from monitor.web import (
    oidc,
    views_attest,
    views_audit,
    views_auth,
    views_comments,
    views_discovery,
    views_flags,
    views_links,
    views_procedure,
    views_signin,
    views_todo,
)
from monitor.web import views_registry as registry
from monitor.web.core import Console, page, templates
from monitor.web.views_ops import routes as ops_routes

STATIC = Path(__file__).parent / "static"
HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none';"
        b" base-uri 'none'; object-src 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    # Action tokens live in URLs: no other site ever gets a Referer. Not "no-referrer", with
    # which browsers send "Origin: null" on the console's own form posts (Fetch standard),
    # and the origin check (core._foreign) needs the real origin.
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]


HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeaders:
    """Adds the headers above to every response (a plain ASGI middleware: no overhead);
    over HTTPS also Strict-Transport-Security (the reverse proxy may send it too)."""

    def __init__(self, app: ASGIApp, secure: bool = False) -> None:
        self.app = app
        self.headers = [*HEADERS, HSTS] if secure else HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *self.headers]
            await send(message)

        await self.app(scope, receive, sending)


def _error_page(status: int, title: str, text: str) -> HTMLResponse:
    html = (
        templates()
        .get_template("message.html")
        .render(me=None, csrf="", nav=[], path="", sso=False, sso_label="", title=title, text=text)
    )
    return HTMLResponse(html, status_code=status)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        return _error_page(404, "Not found", "There is nothing here, or it is not yours to see.")
    if status == 405:
        return _error_page(405, "Not allowed", "Use the buttons on the page.")
    if 400 <= status < 500:
        return _error_page(
            status,
            "Not understood",
            "That request was not understood. Go back and use the page's own links and buttons.",
        )
    return _error_page(status, "Something went wrong", "Try again, or tell IT.")


def routes() -> list[Route | Mount]:
    return [
        *ops_routes(),  # /healthz, /readyz, /metrics: for IT's tools, no sign-in
        Route("/", page(views_todo.dashboard, "dashboard")),
        Route("/login", page(views_auth.login_form, public=True)),
        Route("/login", page(views_auth.login, public=True), methods=["POST"]),
        Route("/login/link", page(views_signin.link_form, public=True)),
        Route("/login/link", page(views_signin.send_link, public=True), methods=["POST"]),
        Route("/login/link/{token}", page(views_signin.confirm, public=True)),
        Route("/login/link/{token}", page(views_signin.perform, public=True), methods=["POST"]),
        Route("/logout", page(views_auth.logout, public=True), methods=["POST"]),
        Route("/login/sso", page(oidc.start, public=True)),
        Route("/login/sso/callback", page(oidc.callback, public=True)),
        Route("/flags", page(views_flags.flag_list, "flags")),
        Route("/flags/bulk", page(views_flags.bulk, "flag.change"), methods=["POST"]),
        Route("/flags/{flag_id:int}", page(views_flags.flag_detail, "flags")),
        Route(
            "/flags/{flag_id:int}/status",
            page(views_flags.flag_change, "flag.change"),
            methods=["POST"],
        ),
        Route(
            "/flags/{flag_id:int}/reveal",
            page(views_flags.reveal, "evidence.reveal"),
            methods=["POST"],
        ),
        Route("/comments", page(views_comments.queue, "comments")),
        Route("/comments/bulk", page(views_comments.bulk, "comment.review"), methods=["POST"]),
        Route(
            "/comments/{comment_id:int}/review",
            page(views_comments.review, "comment.review"),
            methods=["POST"],
        ),
        Route(
            "/comments/{comment_id:int}/hide",
            page(views_comments.hide, "comment.hide"),
            methods=["POST"],
        ),
        Route("/accounts", page(registry.accounts, "accounts")),
        Route(
            "/accounts/{account_id:int}/approve",
            page(registry.approve, "account.approve"),
            methods=["POST"],
        ),
        Route(
            "/accounts/{account_id:int}/procedure",
            page(views_procedure.account_procedure, "accounts"),
        ),
        Route(
            "/accounts/{account_id:int}/attest",
            page(views_attest.attest, "account.attest"),
            methods=["POST"],
        ),
        Route("/discovery", page(views_discovery.discovery, "discovery")),
        Route(
            "/discovery/{candidate_id:int}/decide",
            page(views_discovery.decide_post, "candidate.decide"),
            methods=["POST"],
        ),
        Route(
            "/discovery/{candidate_id:int}/reopen",
            page(views_discovery.reopen_post, "candidate.decide"),
            methods=["POST"],
        ),
        Route("/audit", page(views_audit.audit_log, "audit")),
        Route("/report", page(views_audit.report, "report")),
        Route("/a/{token}", page(views_links.confirm, public=True)),
        Route("/a/{token}", page(views_links.perform, public=True), methods=["POST"]),
        Route("/p/{token}", page(views_procedure.acknowledge_page, public=True)),
        Route("/p/{token}", page(views_procedure.acknowledge_post, public=True), methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


def create_app(app: App) -> Starlette:
    """The console for ``app`` (its settings, database and clock)."""
    web = Starlette(
        routes=routes(),
        exception_handlers={HTTPException: _http_error, 500: _http_error},
    )
    web.state.console = console = Console(app)  # ConsoleError: plain http off this machine
    web.add_middleware(SecurityHeaders, secure=console.cookies.secure)
    return web
