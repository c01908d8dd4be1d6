"""The console in a real browser: headless Chromium (Debian's) driven by Playwright, against
uvicorn on an ephemeral port, with the demo district loaded.

Chromium comes from ``/usr/bin/chromium`` (``.ci/run`` installs it); Playwright never
downloads a browser. Without Chromium the tests skip on a laptop and fail under ``CI=true``.
With ``HALLWATCH_SCREENSHOTS=1`` it also saves ``docs/console-dashboard.png`` and
``docs/console-flag.png`` for the README.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from monitor.access.links import alert_links
from monitor.core.app import App
from monitor.core.settings import load_settings
from monitor.jobs.demo import DEMO_PASSWORD, demo_clock, demo_settings, demo_users, run_demo
from monitor.notify.routing import route
from monitor.storage.db import open_app
from monitor.storage.models import Account, Comment, Flag
from monitor.web.app import create_app
from tests.support.paths import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CI = os.environ.get("CI", "").lower() == "true"
ROOT = ROOT
DISTRICT = ROOT / "examples" / "sandbox-district"
ADMIN, PRINCIPAL = "admin@fvsd.example.ca", "principal.riverside@fvsd.example.ca"
HOSTILE = "<script>alert('xss')</script><img src=x onerror=alert(1)> hello"


def _require_chromium() -> Any:
    if not CHROMIUM.exists():
        if CI:
            pytest.fail(f"{CHROMIUM} is missing; CI=true requires it (.ci/run installs it)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); CI runs this test")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if CI:
            pytest.fail("the playwright package is missing; install the [test] extra")
        pytest.skip("the playwright package is not installed (pip install -e '.[test]')")
    return sync_playwright


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[App, str]]:
    import uvicorn

    _require_chromium()
    tmp = tmp_path_factory.mktemp("console")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "HALLWATCH_VAR_DIR": str(tmp),
        "HALLWATCH_DATABASE_URL": f"sqlite:///{tmp}/hw.db",
        "HALLWATCH_WEB_BASE_URL": base,
        "HALLWATCH_SECRET_KEY": "browser-test-secret",
    }
    settings = demo_settings(load_settings(environ=env), DISTRICT)
    run_demo(settings, DISTRICT)
    app = open_app(settings)
    app.clock = demo_clock(DISTRICT)  # as `hallwatch demo` serves it
    demo_users(app)
    server = uvicorn.Server(
        uvicorn.Config(create_app(app), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the console did not start"
    yield app, base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Any]:
    sync_playwright = _require_chromium()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def _sign_in(browser: Any, base: str, email: str, width: int = 1100, height: int = 900) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{base}/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    assert page.url == f"{base}/", page.locator("main").inner_text()
    return page


def _comment_flag(app: App) -> tuple[int, int, str]:
    """An open flag about overdue comments, one of its unreviewed comments, and a person
    its alerts go to."""
    with app.sessions() as s:
        for flag in s.scalars(
            select(Flag).where(Flag.rule_id == "comments.unreviewed", Flag.status == "open")
        ):
            for recipient in route(s, app, flag).recipients:
                links = alert_links(app.settings, s, flag, recipient)
                if any(link.label.startswith("Mark comment") for link in links):
                    return flag.id, int(links[-1].label.split()[2]), recipient
    raise AssertionError("the demo has no flag with an unreviewed comment")


def test_screenshots_of_the_dashboard_and_a_flag(console, browser, tmp_path):
    app, base = console
    # HALLWATCH_SCREENSHOTS=1 refreshes the README's pictures; otherwise they go to tmp.
    shots = ROOT / "docs" if os.environ.get("HALLWATCH_SCREENSHOTS") == "1" else tmp_path
    page = _sign_in(browser, base, PRINCIPAL, **LAPTOP)
    assert page.get_by_role("heading", name="To do").is_visible()
    page.screenshot(path=str(shots / "console-dashboard.png"), full_page=False)
    with app.sessions() as s:
        flag_id = s.scalars(
            select(Flag.id)
            .join(Account, Flag.account_id == Account.id)
            .where(Flag.rule_id == "pii.student", Account.key.like("riv-%"))
        ).first()
    assert flag_id is not None
    page.goto(f"{base}/flags/{flag_id}")
    assert page.locator("#excerpt").is_visible()
    page.screenshot(path=str(shots / "console-flag.png"), full_page=False)
    # On a phone the same pages fit the screen: nothing scrolls sideways.
    phone = _sign_in(browser, base, PRINCIPAL, **PHONE)
    for path in ("/", f"/flags/{flag_id}", "/flags", "/comments", "/accounts"):
        phone.goto(f"{base}{path}")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, path


def test_alert_link_review_resolve_and_audit(console, browser):
    app, base = console
    flag_id, comment_id, recipient = _comment_flag(app)
    page = browser.new_context(viewport=LAPTOP).new_page()  # from the e-mail: not signed in
    with app.sessions() as s:
        flag = s.get_one(Flag, flag_id)
        link = next(
            x for x in alert_links(app.settings, s, flag, recipient) if f" {comment_id} " in x.label
        )
    assert link.url.startswith(base)
    page.goto(link.url)
    assert page.get_by_role("heading", name="Confirm: mark comment reviewed").is_visible(), (
        page.locator("main").inner_text()
    )
    page.get_by_role("button", name="Yes, mark comment reviewed").click()
    assert page.get_by_text("The comment is marked reviewed").is_visible()
    page = _sign_in(browser, base, ADMIN)
    page.goto(f"{base}/flags/{flag_id}")
    page.get_by_label("Note for the record").fill("replied to the parent; comments now held")
    page.get_by_role("button", name="Resolve").click()
    assert page.locator("#flag-status").inner_text() == "resolved"
    page.get_by_role("link", name="Audit log").click()
    rows = page.locator("tbody tr")
    resolved = rows.filter(has_text="flag.resolved").filter(has_text=f"flag {flag_id}")
    assert resolved.filter(has_text=ADMIN).count() == 1
    reviewed = rows.filter(has_text="comment.reviewed").filter(has_text=f"comment {comment_id}")
    assert reviewed.filter(has_text=recipient).count() == 1


def test_a_supervisor_is_denied_another_schools_flag(console, browser):
    app, base = console
    with app.sessions() as s:
        other = s.scalars(
            select(Flag.id)
            .join(Account, Flag.account_id == Account.id)
            .where(Account.key.like("mtn-%"))
        ).first()
    page = _sign_in(browser, base, PRINCIPAL)
    response = page.goto(f"{base}/flags/{other}")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", name="Not found").is_visible()


def test_a_forged_form_is_rejected(console, browser):
    app, base = console
    with app.sessions() as s:
        flag_id = s.scalars(
            select(Flag.id)
            .join(Account, Flag.account_id == Account.id)
            .where(Account.key.like("riv-%"), Flag.status == "open")
        ).first()
    page = _sign_in(browser, base, PRINCIPAL)
    page.goto(f"{base}/flags/{flag_id}")
    page.locator("form[action$='/status'] input[name=csrf]").evaluate("e => e.value = 'forged'")
    page.get_by_role("button", name="Acknowledge").click()
    assert page.get_by_role("heading", name="Form expired").is_visible()
    with app.sessions() as s:
        assert s.get_one(Flag, flag_id).status == "open"


def test_hostile_comment_text_is_inert(console, browser):
    app, base = console
    with app.sessions() as s, s.begin():
        account = s.scalars(select(Account).where(Account.key.like("riv-%"))).first()
        assert account is not None
        now = app.now()
        s.add(
            Comment(
                account_id=account.id,
                external_id="hostile-1",
                post_external_id="p",
                created_at=now - timedelta(days=2),
                first_seen_at=now - timedelta(days=2),
                text=HOSTILE,
                author_name="<b>Mallory</b>",
                fingerprint="hostile-1",
            )
        )
    page = _sign_in(browser, base, PRINCIPAL)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{base}/comments")
    page.wait_for_load_state("load")
    assert page.get_by_text(HOSTILE, exact=True).count() == 1
    assert page.get_by_text("<b>Mallory</b>", exact=True).count() == 1
    assert page.locator("main img").count() == 0 and page.locator("main script").count() == 0
    assert dialogs == []


# --- a principal's day at phone and laptop widths (issue 14, item 14) -------------------------


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone-390x844", "laptop-1280x800"])
def test_the_to_do_list_most_severe_first_with_one_main_action(console, browser, viewport):
    app, base = console
    page = _sign_in(browser, base, PRINCIPAL, **viewport)
    items = page.locator("ol.todo > li")
    assert items.count() > 3
    badges = [items.nth(i).locator(".head .badge").first.inner_text() for i in range(items.count())]
    order = ["critical", "high", "medium", "low"]
    assert badges == sorted(badges, key=order.index), badges
    first = items.first
    assert first.locator(".title").is_visible() and "Raised" in first.inner_text()
    assert "PDT" in first.inner_text() or "PST" in first.inner_text()
    # its one main action is in view without scrolling sideways
    action = first.locator(".act button, .act a").first
    assert action.is_visible()
    box = action.bounding_box()
    assert box is not None and box["x"] + box["width"] <= viewport["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone-390x844", "laptop-1280x800"])
def test_filter_then_bulk_acknowledge_then_undo(console, browser, viewport):
    app, base = console
    page = _sign_in(browser, base, PRINCIPAL, **viewport)
    page.goto(f"{base}/flags")
    page.get_by_label("Rule", exact=True).select_option(label="Student information")
    page.get_by_label("Sort", exact=True).select_option(label="oldest first")
    page.get_by_role("button", name="Show").click()
    assert "rule=pii.student" in page.url and "sort=oldest" in page.url
    rows = page.locator("tbody tr")
    assert rows.count() >= 2
    assert all("pii.student" in rows.nth(i).inner_text() for i in range(rows.count()))
    ticks = page.locator("tbody input[type=checkbox]")
    assert ticks.count() >= 2
    ids = [ticks.nth(i).get_attribute("value") for i in range(2)]
    ticks.nth(0).check()
    ticks.nth(1).check()
    page.get_by_role("button", name="Acknowledge ticked flags").click()
    assert page.get_by_role("heading", name="2 flags acknowledged").is_visible()
    with app.sessions() as s:
        assert {s.get_one(Flag, int(i)).status for i in ids} == {"acknowledged"}
    page.get_by_role("button", name="Undo").click()
    assert page.get_by_role("heading", name="2 flags reopened").is_visible()
    with app.sessions() as s:
        assert {s.get_one(Flag, int(i)).status for i in ids} == {"open"}
    page.get_by_role("link", name="Back to the list").click()
    assert "rule=pii.student" in page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone-390x844", "laptop-1280x800"])
def test_bulk_mark_reviewed_and_undo_in_the_comment_queue(console, browser, viewport):
    app, base = console
    page = _sign_in(browser, base, PRINCIPAL, **viewport)
    page.goto(f"{base}/comments")
    ticks = page.locator("tbody input[type=checkbox]")
    assert ticks.count() >= 1
    comment_id = int(ticks.first.get_attribute("value") or 0)
    ticks.first.check()
    page.get_by_role("button", name="Mark ticked comments reviewed").click()
    assert page.get_by_role("heading", name="1 comment marked reviewed").is_visible()
    with app.sessions() as s:
        assert s.get_one(Comment, comment_id).reviewed_by == PRINCIPAL
    page.get_by_role("button", name="Undo").click()
    assert page.get_by_role("heading", name="1 comment no longer marked reviewed").is_visible()
    with app.sessions() as s:
        assert s.get_one(Comment, comment_id).reviewed_at is None
