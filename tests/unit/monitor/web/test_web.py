"""The console over HTTP (Starlette's TestClient): sign-in, CSRF, roles, scope, evidence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from monitor.access.users import check_password, hash_password
from monitor.storage.models import Account, AuditEntry, Comment, Flag, LoginAttempt, User
from tests.support import factory
from tests.support.web_fixtures import (
    HOSTILE,
    PASSWORD,
    ROLES,
    SESSION_COOKIE,
    build,
    csrf_of,
    post,
    sign_in,
)


@pytest.fixture
def district(settings, engine):
    return build(settings, engine)


def _client(district, role):
    client = district.client()
    assert sign_in(client, ROLES[role]).status_code == 303
    return client


def _flag(district, key):
    with district.app.sessions() as s:
        return s.get_one(Flag, district.ids[key])


def _audit(district, action):
    with district.app.sessions() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_passwords_are_argon2id_hashes():
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$v=19$")
    assert check_password(stored, "correct horse battery")
    assert not check_password(stored, "correct horse batterY")
    assert not check_password("", "anything at all")


def test_sign_in_sets_a_host_prefixed_secure_httponly_samesite_session_cookie(district):
    client = district.client()
    response = sign_in(client, ROLES["admin"])
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(f"{SESSION_COOKIE}="))
    assert "Secure" in session and "HttpOnly" in session and "SameSite=lax" in session
    assert "Path=/" in session and "Domain" not in session
    assert client.get("/").status_code == 200
    with district.app.sessions() as s:
        assert s.scalars(select(User).where(User.email == ROLES["admin"])).one().last_login_at


def test_a_new_session_on_every_sign_in(district):
    client = district.client()
    sign_in(client, ROLES["admin"])
    first = client.cookies.get(SESSION_COOKIE)
    sign_in(client, ROLES["admin"])
    assert client.cookies.get(SESSION_COOKIE) != first


@pytest.mark.parametrize(
    "email, password",
    [(ROLES["admin"], "wrong password!!"), ("nobody@fvsd.example.ca", PASSWORD)],
)
def test_failed_sign_in_says_the_same_whoever_it_is(district, email, password):
    client = district.client()
    response = sign_in(client, email, password)
    assert response.status_code == 400
    assert "do not match an active account" in response.text
    assert SESSION_COOKIE not in client.cookies
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sign_in_is_throttled_after_five_failures_and_says_when_to_retry(district):
    client = district.client()
    for _ in range(5):
        assert sign_in(client, ROLES["admin"], "wrong password!!").status_code == 400
    refused = sign_in(client, ROLES["admin"])  # even the right password
    assert refused.status_code == 429
    assert "Try again after" in refused.text
    assert SESSION_COOKIE not in client.cookies
    # The throttle is in the database, so another process (a new app) sees it too ...
    other = build.__globals__["District"](district.app)  # same App, new console instance
    other.app.clock = district.app.clock
    assert sign_in(other.client(), ROLES["admin"]).status_code == 429
    # ... and it lifts once the failures leave the 15-minute window.
    district.now[0] += timedelta(minutes=16)
    assert sign_in(client, ROLES["admin"]).status_code == 303
    with district.app.sessions() as s:
        assert s.scalar(select(LoginAttempt.id).where(LoginAttempt.success.is_(True)))


def test_a_disabled_user_cannot_sign_in_and_loses_its_session(district):
    from monitor.access.users import disable_user

    client = _client(district, "auditor")
    with district.app.sessions() as s, s.begin():
        disable_user(s, ROLES["auditor"], "test", district.now[0])
    assert client.get("/", follow_redirects=False).status_code == 303
    assert sign_in(district.client(), ROLES["auditor"]).status_code == 400


def test_an_idle_session_expires(district):
    client = _client(district, "admin")
    district.now[0] += timedelta(minutes=61)
    response = client.get("/flags", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


@pytest.mark.parametrize("token", [None, "", "0" * 64])
def test_a_post_without_the_right_csrf_token_is_refused_and_changes_nothing(district, token):
    client = _client(district, "admin")
    flag_id = district.ids["riv_flag"]
    data = {"verb": "ack", "note": "seen"}
    if token is not None:
        data["csrf"] = token
    response = client.post(f"/flags/{flag_id}/status", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert _flag(district, "riv_flag").status == "open"
    # The same request with the page's token works.
    data.pop("csrf", None)
    ok = post(client, f"/flags/{flag_id}", f"/flags/{flag_id}/status", data)
    assert ok.status_code == 303
    assert _flag(district, "riv_flag").status == "acknowledged"


def test_login_itself_needs_the_csrf_token(district):
    client = district.client()
    response = client.post("/login", data={"email": ROLES["admin"], "password": PASSWORD})
    assert response.status_code == 403 and SESSION_COOKIE not in client.cookies


# Each role's access: page -> expected status. 403 = not for the role.
MATRIX = {
    "/": {"admin": 200, "supervisor": 200, "communications": 200, "it": 200, "auditor": 200},
    "/flags": {"admin": 200, "supervisor": 200, "communications": 200, "it": 200, "auditor": 200},
    "/comments": {
        "admin": 200,
        "supervisor": 200,
        "communications": 200,
        "it": 403,
        "auditor": 200,
    },
    "/accounts": {
        "admin": 200,
        "supervisor": 200,
        "communications": 403,
        "it": 200,
        "auditor": 200,
    },
    "/audit": {"admin": 200, "supervisor": 403, "communications": 403, "it": 403, "auditor": 200},
    # A supervisor downloads their own units' report (issue 14, item 12).
    "/report": {"admin": 200, "supervisor": 200, "communications": 403, "it": 403, "auditor": 200},
}
# Which flags each role sees (others answer 404).
FLAGS_SEEN = {
    "admin": {"riv_flag", "mtn_flag", "media_flag", "it_flag"},
    "supervisor": {"riv_flag", "media_flag", "it_flag"},
    "communications": {"media_flag"},
    "it": {"it_flag"},
    "auditor": {"riv_flag", "mtn_flag", "media_flag", "it_flag"},
}


@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_roles_pages_and_flags(district, role):
    client = _client(district, role)
    for path, expected in MATRIX.items():
        assert client.get(path).status_code == expected[role], (role, path)
    for key in ("riv_flag", "mtn_flag", "media_flag", "it_flag"):
        status = client.get(f"/flags/{district.ids[key]}").status_code
        assert status == (200 if key in FLAGS_SEEN[role] else 404), (role, key)


def test_the_auditor_reads_but_cannot_change_anything(district):
    client = _client(district, "auditor")
    flag_id = district.ids["riv_flag"]
    response = post(client, f"/flags/{flag_id}", f"/flags/{flag_id}/status", {"verb": "ack"})
    assert response.status_code == 403
    assert _flag(district, "riv_flag").status == "open"


def test_a_supervisor_gets_404_for_another_schools_flag_comment_and_account(district):
    client = _client(district, "supervisor")
    mtn_flag, mtn_comment = district.ids["mtn_flag"], district.ids["mtn_comment"]
    assert client.get(f"/flags/{mtn_flag}").status_code == 404
    assert client.get("/flags/999999").status_code == 404  # same answer as a missing one
    page = f"/flags/{district.ids['riv_flag']}"
    assert post(client, page, f"/flags/{mtn_flag}/status", {"verb": "ack"}).status_code == 404
    assert post(client, page, f"/flags/{mtn_flag}/reveal").status_code == 404
    assert post(client, page, f"/comments/{mtn_comment}/review").status_code == 404
    approve = f"/accounts/{district.ids['mtn_account']}/approve"
    assert post(client, "/accounts", approve, {"confirm": "yes"}).status_code == 404
    assert _flag(district, "mtn_flag").status == "open"
    listing = client.get("/flags?status=all").text
    assert "mtn-yt" not in listing and "riv-yt" in listing
    assert "Nice game" not in client.get("/comments").text
    with district.app.sessions() as s:
        assert s.get_one(Comment, mtn_comment).reviewed_at is None
        assert s.get_one(Account, district.ids["mtn_account"]).approval_status == "pending"


def test_evidence_is_masked_until_revealed_and_revealing_is_audited(district):
    client = _client(district, "supervisor")
    page = f"/flags/{district.ids['riv_flag']}"
    shown = client.get(page).text
    assert "[name] is in 4B" in shown and "Emma S." not in shown
    assert _audit(district, "evidence.revealed") == []
    revealed = post(client, page, f"{page}/reveal")
    assert revealed.status_code == 200 and "Emma S. is in 4B" in revealed.text
    (entry,) = _audit(district, "evidence.revealed")
    assert entry.actor == ROLES["supervisor"] and entry.object_id == str(district.ids["riv_flag"])
    assert "Emma S." not in client.get(page).text  # shown once, masked again after


def test_hostile_comment_text_is_shown_inert(district):
    client = _client(district, "admin")
    with district.app.sessions() as s, s.begin():
        flag = s.get_one(Flag, district.ids["riv_flag"])
        flag.subject_ref = "post:other"  # so the queue shows the comment's own text
    html = client.get("/comments").text
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "onerror=&#34;alert(1)&#34;" in html
    assert HOSTILE not in html


def test_security_headers_on_every_page(district):
    response = district.client().get("/login")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert '<html lang="en">' in response.text and 'name="viewport"' in response.text
    assert 'href="#main"' in response.text  # skip link


def test_reviewing_a_comment_and_resolving_a_flag_go_on_the_record(district):
    client = _client(district, "supervisor")
    page = f"/flags/{district.ids['riv_flag']}"
    comment_id = district.ids["riv_comment"]
    assert post(client, page, f"/comments/{comment_id}/review", {"back": page}).status_code == 303
    refused = post(client, page, f"{page}/status", {"verb": "resolve"})
    assert refused.status_code == 400 and "only with a note" in refused.text
    done = post(client, page, f"{page}/status", {"verb": "resolve", "note": "removed the post"})
    assert done.status_code == 303
    assert _flag(district, "riv_flag").status == "resolved"
    with district.app.sessions() as s:
        assert s.get_one(Comment, comment_id).reviewed_by == ROLES["supervisor"]
    audit = _client(district, "admin").get("/audit").text
    assert "comment.reviewed" in audit and "flag.resolved" in audit and "removed the post" in audit


def test_hiding_needs_a_reason_from_the_list(district):
    client = _client(district, "supervisor")
    comment_id = district.ids["riv_comment"]
    response = post(client, "/comments", f"/comments/{comment_id}/hide", {"reason": "i dislike it"})
    assert response.status_code == 400 and "Choose one of the listed reasons" in response.text
    with district.app.sessions() as s:
        assert s.get_one(Comment, comment_id).status == "published"


def test_hiding_a_comment_goes_through_the_platform_and_on_the_record(district, tmp_path):
    """The console calls the account's connector (here the sandbox, serving every account)
    and then records the decision: hidden, reviewed by whom, and the reason's clause."""
    from monitor.storage.models import AuditEntry
    from tests.support.factory import CLEAN_PROFILE

    scenario = factory.scenario(
        tmp_path / "scenario.json",
        {"riv-yt": {"profile": {**CLEAN_PROFILE, "handle": "@riv-yt"}}},
    )
    district.app.settings = district.app.settings.replace(sandbox__scenario=str(scenario))
    client = _client(district, "supervisor")
    comment_id = district.ids["riv_comment"]
    done = post(client, "/comments", f"/comments/{comment_id}/hide", {"reason": "off-purpose"})
    assert done.status_code == 303
    with district.app.sessions() as s:
        comment = s.get_one(Comment, comment_id)
        assert comment.status == "hidden" and comment.reviewed_by == ROLES["supervisor"]
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "comment.hidden")).one()
        assert entry.actor == ROLES["supervisor"] and entry.detail["reason"] == "off-purpose"
    # Another school's comment: not found, and not hidden
    other = district.ids["mtn_comment"]
    assert (
        post(client, "/comments", f"/comments/{other}/hide", {"reason": "off-purpose"}).status_code
        == 404
    )
    with district.app.sessions() as s:
        assert s.get_one(Comment, other).status == "published"


def test_approving_an_account_records_who_and_when(district):
    client = _client(district, "admin")
    account_id = district.ids["mtn_account"]
    unticked = post(client, "/accounts", f"/accounts/{account_id}/approve", {"note": "ok"})
    assert unticked.status_code == 400
    response = post(client, "/accounts", f"/accounts/{account_id}/approve", {"confirm": "yes"})
    assert response.status_code == 303
    with district.app.sessions() as s:
        account = s.get_one(Account, account_id)
        assert account.approval_status == "approved" and account.approved_by == ROLES["admin"]
    assert [e.object_id for e in _audit(district, "account.approved")] == ["mtn-yt"]


def test_registry_shows_credentials_status_never_the_secret(district):
    from monitor.registry import secrets

    with district.app.sessions() as s, s.begin():
        account = s.get_one(Account, district.ids["riv_account"])
        account.credentials = secrets.encrypt(district.app.settings, {"token": "sekrit-value"})
        account.credentials_set_at = district.now[0]
    html = _client(district, "it").get("/accounts").text
    assert "set Wed 16 Sep 2026 10:00 PDT" in html and "sekrit-value" not in html
    assert account.credentials not in html


def test_report_exports_csv_and_html(district):
    client = _client(district, "auditor")
    csv = client.get("/report?start=2026-09-01&end=2026-09-30&format=csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("id,account,handle")
    assert len(csv.text.splitlines()) == 5
    html = client.get("/report?start=2026-09-01&end=2026-09-30&format=html")
    assert "attachment" in html.headers["content-disposition"] and "4 flag(s)" in html.text
    assert client.get("/report?start=nonsense&format=csv").status_code == 400


def test_signing_out_ends_the_session(district):
    client = _client(district, "admin")
    assert post(client, "/", "/logout").status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_next_never_leaves_the_site(district):
    client = district.client()
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "email": ROLES["admin"],
            "password": PASSWORD,
            "csrf": token,
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "/\\evil.example", "/\t/evil.example", "https://evil.example/", "/\n/x"],
)
def test_redirects_after_sign_in_or_review_never_leave_the_site(district, target):
    from monitor.web.views_auth import safe_next

    assert safe_next(target) == "/" and safe_next("/flags?status=open") == "/flags?status=open"
    client = _client(district, "supervisor")
    comment_id = district.ids["riv_comment"]
    response = post(client, "/comments", f"/comments/{comment_id}/review", {"back": target})
    assert response.status_code == 303 and response.headers["location"] == "/comments"
