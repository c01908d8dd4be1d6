"""The request plumbing every page shares: who is asking, CSRF, roles, rendering.

A view is a plain synchronous function ``view(ctx) -> Response``; :func:`page` wraps it in a
Starlette endpoint that reads the form, then (in a worker thread, because the database
calls block) signs the person in from the cookie, refuses a POST without the right CSRF
token (403) and a role that may not open the page (403), and commits or rolls back the
view's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from monitor.access.scope import can
from monitor.access.users import Person
from monitor.core.app import App
from monitor.core.display import display_text, safe_url
from monitor.core.keys import derived_key
from monitor.web import auth

View = Callable[["Ctx"], Response]
NAV = (
    ("dashboard", "/", "Dashboard"),
    ("flags", "/flags", "Flags"),
    ("comments", "/comments", "Comments"),
    ("accounts", "/accounts", "Accounts"),
    ("audit", "/audit", "Audit log"),
    ("report", "/report", "Report"),
)


@lru_cache(maxsize=1)
def templates() -> Environment:
    env = Environment(
        loader=PackageLoader("monitor.web", "templates"),
        autoescape=True,  # platform text is hostile; never mark it safe
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=display_text,  # the one display filter, as in e-mails and chat
    )
    env.filters["safe_url"] = safe_url
    env.filters["when"] = lambda v: v.strftime("%Y-%m-%d %H:%M UTC") if v else ""
    return env


class Console:
    """What the web app keeps for its lifetime: the App, derived keys, settings."""

    def __init__(self, app: App) -> None:
        self.app = app
        settings = app.settings
        self.keys = auth.Keys(
            session=derived_key(settings, b"hallwatch console session v1"),
            csrf=derived_key(settings, b"hallwatch console csrf v1"),
            links=derived_key(settings, b"hallwatch action links v1"),
        )
        self.idle = timedelta(minutes=settings.web.idle_minutes)
        self.oidc_label = str(settings.web.oidc.label)
        self.sso = bool(settings.web.oidc.metadata_url and settings.web.oidc.client_id)
        self.oidc_metadata: dict[str, Any] = {}


@dataclass
class Ctx:
    """One request as a view sees it."""

    console: Console
    request: Request
    person: Person | None
    browser: str
    form: dict[str, str]
    now: datetime
    cookies: dict[str, str | None] = field(default_factory=dict)
    _stack: ExitStack = field(default_factory=ExitStack)
    _db: Session | None = None

    @property
    def app(self) -> App:
        return self.console.app

    @property
    def db(self) -> Session:
        """The view's session, in one transaction committed after the view returns."""
        if self._db is None:
            session = self._stack.enter_context(self.app.sessions())
            self._stack.enter_context(session.begin())
            self._db = session
        return self._db

    @property
    def user(self) -> Person:
        assert self.person is not None
        return self.person

    @property
    def csrf(self) -> str:
        return self.console.keys.csrf_token(self.browser)

    def render(self, name: str, code: int = 200, **context: Any) -> HTMLResponse:
        html = (
            templates()
            .get_template(name)
            .render(
                me=self.person,
                csrf=self.csrf,
                nav=[n for n in NAV if self.person and can(self.person, n[0])],
                path=self.request.url.path,
                sso=self.console.sso,
                sso_label=self.console.oidc_label,
                **context,
            )
        )
        return HTMLResponse(html, status_code=code)

    def message(self, title: str, text: str, status: int = 200) -> HTMLResponse:
        return self.render("message.html", code=status, title=title, text=text)

    def redirect(self, url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)


def not_found() -> HTTPException:
    return HTTPException(404, "Not found")


def page(view: View, what: str | None = None, public: bool = False) -> Callable[[Request], Any]:
    """A Starlette endpoint for ``view``; ``what`` names the page or action (see scope)."""

    async def endpoint(request: Request) -> Response:
        form: dict[str, str] = {}
        if request.method == "POST":
            raw = await request.form()
            form = {k: v for k, v in raw.items() if isinstance(v, str)}
            await raw.close()
        return await run_in_threadpool(_handle, request, view, form, what, public)

    return endpoint


def _handle(
    request: Request, view: View, form: dict[str, str], what: str | None, public: bool
) -> Response:
    console: Console = request.app.state.console
    keys = console.keys
    cookie = keys.unsign(request.cookies.get(auth.BROWSER_COOKIE))
    browser = cookie or auth.new_token()
    now = console.app.now()
    with console.app.sessions() as session, session.begin():
        token = keys.unsign(request.cookies.get(auth.SESSION_COOKIE))
        person = auth.current(session, token, now, console.idle)
    ctx = Ctx(console, request, person, browser, form, now)
    if cookie is None:
        ctx.cookies[auth.BROWSER_COOKIE] = keys.sign(browser)
    response = _guarded(ctx, view, what, public, posted=request.method == "POST", fresh=not cookie)
    for name, value in ctx.cookies.items():
        set_cookie(response, name, value)
    return response


def _guarded(
    ctx: Ctx, view: View, what: str | None, public: bool, posted: bool, fresh: bool
) -> Response:
    if posted and (fresh or not ctx.console.keys.csrf_ok(ctx.browser, ctx.form.get("csrf", ""))):
        return ctx.message(
            "Form expired",
            "This form had expired or did not come from this console, so nothing was changed. "
            "Go back, reload the page and try again.",
            status=403,
        )
    if not public and ctx.person is None:
        return ctx.redirect("/login?next=" + quote(ctx.request.url.path))
    if what and ctx.person is not None and not can(ctx.person, what):
        return ctx.message(
            "Not for your role",
            f"Your role ({ctx.person.role}) cannot do this. Ask an administrator if you need to.",
            status=403,
        )
    with ctx._stack:
        return view(ctx)


def set_cookie(response: Response, name: str, value: str | None) -> None:
    """Secure, HttpOnly, SameSite=Lax; ``None`` deletes the cookie."""
    if value is None:
        response.delete_cookie(name, path="/", secure=True, httponly=True, samesite="lax")
    else:
        response.set_cookie(name, value, path="/", secure=True, httponly=True, samesite="lax")


@contextmanager
def short_session(app: App) -> Iterator[Session]:
    """A transaction of its own, closed at once (SQLite takes its write lock at BEGIN)."""
    with app.sessions() as session, session.begin():
        yield session
