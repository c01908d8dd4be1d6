"""The holes a security review found in the console (issue 14), each reproduced as an attack.

Every test here performs the attack the review described and fails on the console as it
was before the fix: padded e-mails sidestepping the sign-in throttle (1), locking a person
out and choosing one's address with X-Forwarded-For (2), personal information unmasked on a
flag's page (3), IT approving accounts (5), bad input answered with a 500 (6), and the
cookies (8). Action links (4) are in test_web_links.py; the CLI's --by (5) in
tests/unit/monitor/cli/test_cli_actor.py; spreadsheet formulas (7) in
tests/unit/monitor/registry/test_export_spreadsheet.py.
"""

from __future__ import annotations

import email
import logging
import random
import re
import socket
import time
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from monitor.storage.db import make_engine, upgrade
from monitor.storage.models import Account, AuditEntry, Flag, LoginAttempt
from monitor.web.app import create_app
from tests.support.web_fixtures import (
    BASE_URL,
    BROWSER_COOKIE,
    HOSTILE,
    PASSWORD,
    ROLES,
    SESSION_COOKIE,
    _flag,
    build,
    csrf_of,
    post,
    sign_in,
)

ADMIN = ROLES["admin"]


@pytest.fixture
def engine(tmp_path):
    """SQLite only: these are attacks on the web layer (test_web.py covers PostgreSQL)."""
    eng = make_engine(f"sqlite:///{tmp_path / 'hallwatch.db'}")
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def district(settings, engine):
    return build(settings, engine)


def _client(district, address: str = "203.0.113.10", **kw) -> TestClient:
    return TestClient(create_app(district.app), base_url=BASE_URL, client=(address, 50000), **kw)


def _signed_in(district, role: str, address: str = "203.0.113.10") -> TestClient:
    client = _client(district, address)
    assert sign_in(client, ROLES[role]).status_code == 303
    return client


def _audit(district, action: str) -> list[AuditEntry]:
    with district.app.sessions() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# --- 1. The sign-in throttle cannot be sidestepped ---------------------------------------

WHITESPACE = " \t\u00a0\u2003\u3000"


def _padded(address: str, n: int) -> str:
    """``address`` and ~400 characters of mixed whitespace, then a letter: cut to 320
    characters and trimmed, it was ``address`` again, but a new e-mail to the throttle."""
    rng = random.Random(n)
    return address + "".join(rng.choice(WHITESPACE) for _ in range(400)) + "x"


def test_padding_an_email_cannot_buy_more_guesses_against_a_throttled_account(district):
    attacker = _client(district)
    for _ in range(5):
        assert sign_in(attacker, ADMIN, "wrong password!!").status_code == 400
    # 25 more guesses, each with the address padded differently, the right password last
    answers = [sign_in(attacker, _padded(ADMIN, n), "wrong password!!") for n in range(24)]
    answers.append(sign_in(attacker, _padded(ADMIN, 99), PASSWORD))
    assert all(a.status_code == 400 for a in answers)
    assert all("at most 320 characters" in a.text for a in answers)
    # padding that fits in 320 characters is the same address, so the same throttle
    for variant in (f"\u00a0{ADMIN}\t", f" {ADMIN.upper()} ", f"\u3000{ADMIN}\u200b"):
        assert sign_in(attacker, variant, PASSWORD).status_code == 429, variant
    assert SESSION_COOKIE not in attacker.cookies
    with district.app.sessions() as s:
        assert set(s.scalars(select(LoginAttempt.email))) == {ADMIN}


# --- 2. Nobody can lock a principal out; the address is not the client's to choose --------


def test_guesses_from_one_place_never_lock_the_owner_out_elsewhere(district):
    attacker = _client(district, "198.51.100.66")
    for _ in range(6):
        assert sign_in(attacker, ADMIN, "wrong password!!").status_code in (400, 429)
    assert sign_in(attacker, ADMIN, PASSWORD).status_code == 429  # the guesser waits
    assert sign_in(_client(district, "203.0.113.10"), ADMIN).status_code == 303  # the owner not


def test_a_distributed_guesser_is_stopped_and_the_owner_gets_back_in_by_email(district):
    proxy = "10.0.0.2"
    district.app.settings = district.app.settings.replace(web__trusted_proxies=[proxy])
    attacker = _client(district, proxy)
    for n in range(30):  # from 30 addresses, behind the district's proxy
        attacker.headers["x-forwarded-for"] = f"198.51.100.{n + 1}"
        assert sign_in(attacker, ADMIN, "wrong password!!").status_code == 400
    owner = _client(district, proxy, headers={"x-forwarded-for": "203.0.113.10"})
    refused = sign_in(owner, ADMIN)
    assert refused.status_code == 429 and "sign-in link e-mailed" in refused.text
    # the way back in: an e-mailed link, which no password throttle closes
    asked = post(owner, "/login/link", "/login/link", {"email": f" {ADMIN.upper()} "})
    assert asked.status_code == 200 and "a sign-in link is on its way" in asked.text
    link = _link_in_outbox(district)
    confirm = owner.get(link)
    assert confirm.status_code == 200 and f"Sign in as {ADMIN}" in confirm.text
    assert owner.get("/", follow_redirects=False).status_code == 303  # a GET signs nobody in
    done = owner.post(link, data={"csrf": csrf_of(confirm.text)}, follow_redirects=False)
    assert done.status_code == 303 and owner.get("/").status_code == 200
    assert _audit(district, "user.signed_in")[-1].detail["method"] == "e-mail link"
    again = _client(district, proxy).get(link)
    assert again.status_code == 410 and "works once" in again.text


def _link_in_outbox(district) -> str:
    files = sorted((district.app.settings.outbox_dir).glob("signin-*.eml"))
    assert files, "no sign-in e-mail was written"
    message = email.message_from_bytes(files[-1].read_bytes())
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    found = re.search(
        r"https://testserver(/login/link/\S+)", text.get_payload(decode=True).decode()
    )
    assert found
    return found.group(1)


def test_asking_for_a_sign_in_link_tells_nothing_about_who_has_an_account(district):
    client = _client(district)
    known = post(client, "/login/link", "/login/link", {"email": ADMIN})
    unknown = post(client, "/login/link", "/login/link", {"email": "nobody@fvsd.example.ca"})
    assert known.status_code == unknown.status_code == 200
    strip = [
        r.text.replace(ADMIN, "X").replace("nobody@fvsd.example.ca", "X") for r in (known, unknown)
    ]
    assert re.sub(r'value="[^"]+"', "", strip[0]) == re.sub(r'value="[^"]+"', "", strip[1])
    for _ in range(5):  # at most three links per address per window
        post(client, "/login/link", "/login/link", {"email": ADMIN})
    assert len(_audit(district, "user.sign_in_link_sent")) == 3


def test_an_expired_or_tampered_sign_in_link_is_refused(district):
    client = _client(district)
    post(client, "/login/link", "/login/link", {"email": ADMIN})
    link = _link_in_outbox(district)
    assert client.get(link[:-4] + "abcd").status_code == 410
    district.now[0] += timedelta(minutes=16)
    late = client.get(link)
    assert late.status_code == 410 and "older than 15 minutes" in late.text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_client_cannot_choose_its_address_with_x_forwarded_for(district):
    """Through the server `hallwatch run` starts (uvicorn): a spoofed X-Forwarded-For from a
    client that is not a configured proxy is ignored, so nobody can charge failures to a
    school's address (and lock it out) or spread guesses over made-up addresses."""
    from monitor.cli.web import serve_in_thread

    port = _free_port()
    district.app.settings = district.app.settings.replace(
        web__port=port, web__base_url=f"http://127.0.0.1:{port}"
    )
    server, thread = serve_in_thread(district.app)
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, headers={"x-forwarded-for": "192.0.2.77"}) as client:
            token = csrf_of(client.get("/login").text)
            data = {"email": ADMIN, "password": "wrong password!!", "csrf": token, "next": "/"}
            assert client.post("/login", data=data).status_code == 400
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    with district.app.sessions() as s:
        assert list(s.scalars(select(LoginAttempt.ip))) == ["127.0.0.1"]


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        ((), "192.0.2.77", "10.0.0.2"),  # no proxy configured: the header is the client's word
        (("10.0.0.2",), "192.0.2.77", "192.0.2.77"),
        (("10.0.0.2",), "6.6.6.6, 192.0.2.77", "192.0.2.77"),  # left of the proxy's: claimed
        (("10.0.0.0/24",), "192.0.2.77, 10.0.0.9", "192.0.2.77"),  # a chain of our proxies
        (("10.0.0.2",), "not-an-address", "10.0.0.2"),
        (("10.0.0.2",), "", "10.0.0.2"),
    ],
)
def test_the_client_address_comes_from_x_forwarded_for_only_through_trusted_proxies(
    trusted, forwarded, expected
):
    from starlette.requests import Request

    from monitor.web.auth import client_address, networks

    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    request = Request({"type": "http", "headers": headers, "client": ("10.0.0.2", 1234)})
    assert client_address(request, networks(trusted)) == expected


# --- 3. No personal information unmasked outside "Reveal" --------------------------------


def test_an_unreviewed_comments_flag_shows_its_comments_masked_and_reveals_nothing(district):
    """The Riverside comment names a student ("Emma S."); a pii.student flag masked it. A
    comments.unreviewed flag listing the same comment must not show it unmasked."""
    with district.app.sessions() as s, s.begin():
        account = s.get_one(Account, district.ids["riv_account"])
        flag = _flag(
            account,
            "comments.unreviewed",
            "medium",
            "window:2026-09-16",
            details={"overdue": ["comment:c1"], "held": 0},
        )
        s.add(flag)
        s.flush()
        flag_id = flag.id
    client = _signed_in(district, "supervisor")
    for page in (f"/flags/{flag_id}", "/comments", "/", "/comments?show=all"):
        html = client.get(page).text
        assert "Emma S." not in html and "Emma" not in html, page
    assert "[name] is in 4B" in client.get(f"/flags/{flag_id}").text
    assert _audit(district, "evidence.revealed") == []


def test_a_flagged_comment_is_masked_by_its_spans_wherever_it_is_listed(district):
    with district.app.sessions() as s, s.begin():
        flag = s.get_one(Flag, district.ids["riv_flag"])
        start = HOSTILE.index("Emma S.")
        flag.details = {"spans": [[start, start + len("Emma S."), "student name"]]}
    html = _signed_in(district, "admin").get("/comments").text
    assert "Emma S." not in html and "[student name] is in 4B" in html


# --- 5. Roles as documented --------------------------------------------------------------


def test_it_cannot_approve_an_account(district):
    client = _signed_in(district, "it")
    account_id = district.ids["mtn_account"]
    page = client.get("/accounts")
    assert f"/accounts/{account_id}/approve" not in page.text
    refused = post(client, "/accounts", f"/accounts/{account_id}/approve", {"confirm": "yes"})
    assert refused.status_code == 403
    with district.app.sessions() as s:
        assert s.get_one(Account, account_id).approval_status == "pending"
    assert _audit(district, "account.approved") == []


# --- 6. Bad input gets a 4xx, never a 500 with a traceback --------------------------------


@pytest.fixture
def quiet_client(district, caplog):
    caplog.set_level(logging.INFO)
    client = _client(district, raise_server_exceptions=False)
    assert sign_in(client, ADMIN).status_code == 303
    return client


BAD_GETS = [
    ("/flags/99999999999999999999", 404),
    ("/flags/2147483648", 404),
    ("/flags?page=99999999999999999999&status=%00&severity=%ff&rule=x&sort=y", 200),
    ("/flags?account=" + "x" * 5000, 200),
    ("/comments?page=-1&account=%00", 200),
    ("/audit?page=abc&actor=" + " " * 400, 200),
    ("/report?start=0001-01-01&end=9999-12-31&format=csv", 400),
    ("/report?start=9999-12-31&end=9999-12-31&format=html", 400),
    ("/report?start=2026-02-30&format=csv", 400),
    ("/report?start=%2B99999-01-01&format=csv", 400),
    ("/a/" + "A" * 5000, 410),
    ("/login/link/" + "A" * 5000, 410),
]


@pytest.mark.parametrize(("path", "status"), BAD_GETS)
def test_bad_input_in_a_url_is_refused_with_a_clear_page(quiet_client, caplog, path, status):
    response = quiet_client.get(path)
    assert response.status_code == status, response.text[-300:]
    assert "Traceback" not in caplog.text and "Exception" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_huge_ids_in_forms_are_refused_not_500(quiet_client, district, caplog):
    page = f"/flags/{district.ids['riv_flag']}"
    for url in (
        "/flags/99999999999999999999/status",
        "/comments/99999999999999999999/review",
        "/accounts/99999999999999999999/approve",
    ):
        assert post(quiet_client, page, url, {"verb": "ack", "confirm": "yes"}).status_code == 404
    bulk = post(quiet_client, page, "/flags/bulk", {"verb": "ack", "ids": "99999999999999999999"})
    assert bulk.status_code == 400 and "Nothing selected" in bulk.text
    odd = quiet_client.post("/flags/bulk", data={"verb": "ack", "ids": "1", "csrf": "é\u202e"})
    assert odd.status_code == 403
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_note_over_4000_characters_is_refused_and_nothing_changes(district):
    client = _signed_in(district, "supervisor")
    page = f"/flags/{district.ids['riv_flag']}"
    refused = post(client, page, f"{page}/status", {"verb": "resolve", "note": "x" * 4001})
    assert refused.status_code == 400 and "keep it under 4,000" in refused.text
    with district.app.sessions() as s:
        assert s.get_one(Flag, district.ids["riv_flag"]).status == "open"
    assert _audit(district, "flag.resolved") == []
    ok = post(client, page, f"{page}/status", {"verb": "resolve", "note": "x" * 4000})
    assert ok.status_code == 303


def test_the_sso_callback_with_sso_off_is_404_and_echoes_nothing(district):
    client = _client(district)
    marker = "<script>alert(1)</script>provider-said-this"
    response = client.get("/login/sso/callback", params={"error": marker, "state": "é"})
    assert response.status_code == 404
    assert "provider-said-this" not in response.text and "alert(1)" not in response.text


# --- 8. Cookies: __Host- prefix, CSRF tied to the session, Origin checked -----------------


def test_every_cookie_is_host_prefixed_and_secure_over_https(district):
    client = _client(district)
    cookies = client.get("/login").headers.get_list("set-cookie")
    cookies += sign_in(client, ADMIN).headers.get_list("set-cookie")
    assert cookies and all(c.startswith("__Host-") for c in cookies)
    for cookie in cookies:
        assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie, cookie
    assert "strict-transport-security" in client.get("/login").headers


def test_on_plain_http_localhost_the_cookies_have_no_prefix_and_it_still_works(district):
    district.app.settings = district.app.settings.replace(web__base_url="http://127.0.0.1:8080")
    client = TestClient(create_app(district.app), base_url="http://127.0.0.1:8080")
    response = sign_in(client, ADMIN)
    cookies = response.headers.get_list("set-cookie")
    assert response.status_code == 303 and any(c.startswith("hw_session=") for c in cookies)
    assert not any("__Host-" in c or "Secure" in c for c in cookies)
    assert client.get("/").status_code == 200
    assert "strict-transport-security" not in client.get("/").headers


@pytest.mark.parametrize("base_url", ["http://hallwatch.fvsd.example.ca", "http://10.1.2.3:8080"])
def test_the_console_refuses_plain_http_anywhere_but_this_machine(district, base_url):
    from monitor.web.core import ConsoleError

    district.app.settings = district.app.settings.replace(web__base_url=base_url)
    with pytest.raises(ConsoleError, match="HTTPS"):
        create_app(district.app)


def test_a_csrf_token_from_another_session_is_refused(district):
    """Cookie tossing: the attacker plants their own browser cookie (and its form token) in
    the victim's browser; the victim's session rides along. The token was computed for the
    attacker's session, so it is refused."""
    attacker = _signed_in(district, "auditor", "198.51.100.66")
    planted_token = csrf_of(attacker.get("/").text)
    victim = _signed_in(district, "supervisor")
    planted = 0
    for cookie in list(attacker.cookies.jar):
        if cookie.name.endswith("hw_b"):  # whatever the console names it
            victim.cookies.set(cookie.name, cookie.value, domain=cookie.domain, path=cookie.path)
            planted += 1
    assert planted == 1 and victim.cookies.get(BROWSER_COOKIE) == attacker.cookies.get(
        BROWSER_COOKIE
    )
    flag_id = district.ids["riv_flag"]
    forged = victim.post(
        f"/flags/{flag_id}/status",
        data={"verb": "ack", "csrf": planted_token},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    with district.app.sessions() as s:
        assert s.get_one(Flag, flag_id).status == "open"


def test_a_token_from_before_sign_in_does_not_work_after_it(district):
    client = _client(district)
    before = csrf_of(client.get("/login").text)
    sign_in(client, ADMIN)
    flag_id = district.ids["riv_flag"]
    stale = client.post(
        f"/flags/{flag_id}/status", data={"verb": "ack", "csrf": before}, follow_redirects=False
    )
    assert stale.status_code == 403


@pytest.mark.parametrize(
    "headers",
    [{"origin": "https://evil.example"}, {"origin": "null"}, {"sec-fetch-site": "cross-site"}],
)
def test_a_post_from_another_site_is_refused_even_with_a_good_token(district, headers):
    client = _signed_in(district, "supervisor")
    flag_id = district.ids["riv_flag"]
    token = csrf_of(client.get(f"/flags/{flag_id}").text)
    response = client.post(
        f"/flags/{flag_id}/status",
        data={"verb": "ack", "csrf": token},
        headers=headers,
        follow_redirects=False,
    )
    assert response.status_code == 403 and "another site" in response.text
    same = client.post(
        f"/flags/{flag_id}/status",
        data={"verb": "ack", "csrf": token},
        headers={"origin": BASE_URL, "sec-fetch-site": "same-origin"},
        follow_redirects=False,
    )
    assert same.status_code == 303
