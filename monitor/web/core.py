"""The request plumbing every page shares: who is asking, CSRF, origin, roles, rendering.

A view is a plain synchronous function ``view(ctx) -> Response``; :func:`page` wraps it in a
Starlette endpoint that reads the form, then (in a worker thread, because the database
calls block) signs the person in from the cookie, refuses a POST from another site (its
``Origin`` or ``Sec-Fetch-Site``) or without the right CSRF token (403) and a role that may
not open the page (403), and commits or rolls back the view's transaction.

The console runs over HTTPS (``web.base_url`` https://...), or over plain http only on this
machine (127.0.0.1, localhost, ::1) for local development; any other plain-http address is
refused when the app is built, because its cookies would travel in clear.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from detectors.rules import rule_name
from monitor.access.links import Action, LinkError, is_used
from monitor.access.scope import can
from monitor.access.users import Person
from monitor.core.app import App
from monitor.core.display import age, display_text, local_day, local_time, safe_url
from monitor.core.keys import derived_key
from monitor.web import auth

View = Callable[["Ctx"], Response]
MAX_FIELDS = 1000  # a bulk form holds at most a page of ticked boxes
NAV = (
    ("dashboard", "/", "To do"),
    ("flags", "/flags", "Flags"),
    ("comments", "/comments", "Comments"),
    ("accounts", "/accounts", "Accounts"),
    ("discovery", "/discovery", "Accounts found"),
    ("audit", "/audit", "Audit log"),
    ("report", "/report", "Report"),
)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_ID = 2**31 - 1  # ids are 32-bit columns; a bigger one names nothing


class ConsoleError(Exception):
    """The console cannot run with these settings; the message says what to change."""


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


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
    env.filters["day"] = local_day
    env.globals["rule_name"] = rule_name
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
        base = urlsplit(settings.web.base_url)
        if base.scheme != "https" and (base.hostname or "") not in LOCAL_HOSTS:
            raise ConsoleError(
                f"web.base_url is {settings.web.base_url}: the console runs over HTTPS (behind "
                "the district's reverse proxy, see deploy/), or over plain http only on "
                "127.0.0.1 or localhost. Set web.base_url to the https:// address people use."
            )
        self.cookies = auth.CookieNames(secure=base.scheme == "https")
        self.origin = origin_of(settings.web.base_url)
        self.trusted = auth.networks(settings.web.trusted_proxies)
        self.zone = settings.timezone

    def cookie(self, base: str) -> str:
        return self.cookies.name(base)


@dataclass
class Ctx:
    """One request as a view sees it."""

    console: Console
    request: Request
    person: Person | None
    browser: str
    form: dict[str, str]
    now: datetime
    session_token: str | None = None
    lists: dict[str, list[str]] = field(default_factory=dict)
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
        return self.console.keys.csrf_token(self.browser, self.session_token)

    @property
    def address(self) -> str:
        """The client's address (see :func:`monitor.web.auth.client_address`)."""
        return auth.client_address(self.request, self.console.trusted)

    def when(self, value: datetime | None) -> str:
        """A time in the district's zone, with the zone named."""
        return local_time(value, self.console.zone)

    def ago(self, value: datetime | None) -> str:
        return age(value, self.now) if value is not None else ""

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
                when=self.when,
                ago=self.ago,
                zone=self.now.astimezone(self.console.zone).tzname(),
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


def path_id(ctx: Ctx, name: str) -> int:
    """A numeric id from the path; 404 for one no row can have (too big for the column)."""
    try:
        value = int(ctx.request.path_params[name])
    except (KeyError, ValueError):
        raise not_found() from None
    if not 0 < value <= MAX_ID:
        raise not_found()
    return value


def form_ids(ctx: Ctx, name: str = "ids", limit: int = 500) -> list[int]:
    """The ticked ids of a bulk form: whole numbers that could be ids, at most ``limit``."""
    found = []
    for raw in ctx.lists.get(name, [])[:limit]:
        if raw.strip().isdigit() and 0 < int(raw) <= MAX_ID:
            found.append(int(raw))
    return found


def page(view: View, what: str | None = None, public: bool = False) -> Callable[[Request], Any]:
    """A Starlette endpoint for ``view``; ``what`` names the page or action (see scope)."""

    async def endpoint(request: Request) -> Response:
        lists: dict[str, list[str]] = {}
        if request.method == "POST":
            raw = await request.form(max_files=0, max_fields=MAX_FIELDS)
            for key, value in raw.multi_items():
                if isinstance(value, str):
                    lists.setdefault(key, []).append(value)
            await raw.close()
        return await run_in_threadpool(_handle, request, view, lists, what, public)

    return endpoint


def _handle(
    request: Request, view: View, lists: dict[str, list[str]], what: str | None, public: bool
) -> Response:
    console: Console = request.app.state.console
    keys = console.keys
    cookie = keys.unsign(request.cookies.get(console.cookie(auth.BROWSER)))
    browser = cookie or auth.new_token()
    now = console.app.now()
    with console.app.sessions() as session, session.begin():
        token = keys.unsign(request.cookies.get(console.cookie(auth.SESSION)))
        person = auth.current(session, token, now, console.idle)
    form = {key: values[-1] for key, values in lists.items()}
    ctx = Ctx(console, request, person, browser, form, now, token if person else None, lists)
    if cookie is None:
        ctx.cookies[auth.BROWSER] = keys.sign(browser)
    response = _guarded(ctx, view, what, public, posted=request.method == "POST", fresh=not cookie)
    for name, value in ctx.cookies.items():
        set_cookie(response, console.cookie(name), value, console.cookies.secure)
    return response


def _foreign(ctx: Ctx) -> bool:
    """A POST that a browser says came from another site (``Origin``, ``Sec-Fetch-Site``).

    The console's own origin is ``web.base_url``'s; on this machine (local development) the
    address the browser used is accepted too. A request with neither header (not a browser,
    or an old one) is left to the CSRF token."""
    headers = ctx.request.headers
    if headers.get("sec-fetch-site", "") == "cross-site":
        return True
    origin = headers.get("origin")
    if origin is None:
        return False
    allowed = {ctx.console.origin}
    if (ctx.request.url.hostname or "") in LOCAL_HOSTS:
        allowed.add(origin_of(str(ctx.request.url)))
    return origin.strip().lower() not in allowed


def _guarded(
    ctx: Ctx, view: View, what: str | None, public: bool, posted: bool, fresh: bool
) -> Response:
    if posted and _foreign(ctx):
        return ctx.message(
            "Refused",
            "This form was sent from another site, so nothing was changed. Open the console "
            f"at {ctx.console.origin} and use its buttons.",
            status=403,
        )
    csrf = ctx.form.get("csrf", "")
    if posted and (fresh or not ctx.console.keys.csrf_ok(ctx.browser, ctx.session_token, csrf)):
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


def set_cookie(response: Response, name: str, value: str | None, secure: bool) -> None:
    """HttpOnly, SameSite=Lax, Path=/, no Domain; Secure over HTTPS (``__Host-`` names);
    ``None`` deletes the cookie."""
    if value is None:
        response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite="lax")
    else:
        response.set_cookie(name, value, path="/", secure=secure, httponly=True, samesite="lax")


@contextmanager
def short_session(app: App) -> Iterator[Session]:
    """A transaction of its own, closed at once (SQLite takes its write lock at BEGIN)."""
    with app.sessions() as session, session.begin():
        yield session


def check_link(ctx: Ctx, action: Action, instead: str = "") -> None:
    """Refuse an e-mailed link when someone else is signed in, or when it was used (links
    work once); ``instead`` ends the first message (", or act on the item in the console").

    Raises:
        LinkError: what to do, for the person who opened the link.
    """
    if ctx.person is not None and ctx.person.email != action.recipient:
        raise LinkError(
            f"This link was sent to someone else, and you are signed in as {ctx.person.email}. "
            f"Open it from your own e-mail{instead}."
        )
    if is_used(ctx.db, action):
        raise LinkError("This link has already been used; it works once.")
