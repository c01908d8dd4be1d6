"""A small two-school district with flags, comments and one console user per role."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from starlette.testclient import TestClient

from monitor.access.users import add_user, hash_password
from monitor.core.app import App
from monitor.core.settings import Settings
from monitor.storage.db import session_factory
from monitor.storage.models import Account, Comment, Flag, OrgUnit, Supervisor
from monitor.web.app import create_app
from tests.support import factory

NOW = datetime(2026, 9, 16, 17, 0, tzinfo=UTC)
BASE_URL = "https://testserver"  # as in production: HTTPS, so the cookies are __Host-
SESSION_COOKIE = "__Host-hw_session"
BROWSER_COOKIE = "__Host-hw_b"
PASSWORD = "a long enough password"
HOSTILE = '<script>alert("x")</script><img src=x onerror="alert(1)"> Emma S. is in 4B'
HASH = hash_password(PASSWORD)
ROLES = {
    "admin": "admin@fvsd.example.ca",
    "supervisor": "principal.riverside@fvsd.example.ca",
    "communications": "comms@fvsd.example.ca",
    "it": "it-help@fvsd.example.ca",
    "auditor": "auditor@fvsd.example.ca",
}


@dataclass
class District:
    """Ids of what the tests act on, and a settable clock."""

    app: App
    ids: dict[str, int] = field(default_factory=dict)
    now: list[datetime] = field(default_factory=lambda: [NOW])

    def client(self) -> TestClient:
        return TestClient(create_app(self.app), base_url=BASE_URL)


def _flag(account: Account, rule: str, severity: str, key: str, **kw: Any) -> Flag:
    values: dict[str, Any] = {
        "dedup_key": f"{rule}:{account.key}:{key}",
        "rule_id": rule,
        "severity": severity,
        "account_id": account.id,
        "subject_type": "account",
        "explanation": f"{rule} on {account.key}",
        "clause": "Procedure 417",
        "detector": "test",
        "detector_version": "1",
        "first_seen_at": NOW - timedelta(hours=30),
        "last_seen_at": NOW - timedelta(hours=1),
    }
    values.update(kw)
    return Flag(**values)


def build(settings: Settings, engine: Engine) -> District:
    settings = settings.replace(web__base_url=BASE_URL)
    district = District(App(settings=settings, engine=engine, sessions=session_factory(engine)))
    district.app.clock = lambda: district.now[0]
    with district.app.sessions() as s, s.begin():
        base = factory.district(s)
        mtn = OrgUnit(code="MTN", name="Mountain Secondary", kind="school", parent=base["district"])
        s.add(mtn)
        s.flush()
        other = Supervisor(email="principal.mountain@fvsd.example.ca", name="M", org_unit_id=mtn.id)
        s.add(other)
        s.flush()
        riv_acct = factory.account(s, base["school"], base["principal"], "riv-yt")
        mtn_acct = factory.account(s, mtn, other, "mtn-yt", approval_status="pending")
        riv_comment = _comment(riv_acct, "c1", HOSTILE)
        mtn_comment = _comment(mtn_acct, "c9", "Nice game, Mountain!")
        s.add_all([riv_comment, mtn_comment])
        s.flush()
        riv_flag = _flag(
            riv_acct,
            "pii.student",
            "critical",
            "c1",
            subject_type="comment",
            subject_ref="comment:c1",
            excerpt="[name] is in 4B",
            details={"label": "student name", "form": "full"},
        )
        mtn_flag = _flag(mtn_acct, "language.prohibited", "high", "c9", subject_ref="comment:c9")
        media = _flag(riv_acct, "media.inquiry", "high", "m1")
        broken = _flag(riv_acct, "account.unapproved", "high", "credentials")
        s.add_all([riv_flag, mtn_flag, media, broken])
        s.flush()
        people = [*ROLES.items(), ("supervisor", "principal.mountain@fvsd.example.ca")]
        for role, email in people:
            orgs = ["RIV"] if email == ROLES["supervisor"] else []
            user, _ = add_user(s, email, role, "", "test", NOW, orgs)
            user.password_hash = HASH  # argon2id is slow on purpose: hash once per run
        district.ids = {
            "riv_flag": riv_flag.id,
            "mtn_flag": mtn_flag.id,
            "media_flag": media.id,
            "it_flag": broken.id,
            "riv_comment": riv_comment.id,
            "mtn_comment": mtn_comment.id,
            "riv_account": riv_acct.id,
            "mtn_account": mtn_acct.id,
        }
    return district


def _comment(account: Account, external: str, text: str) -> Comment:
    return Comment(
        account_id=account.id,
        external_id=external,
        post_external_id="p1",
        created_at=NOW - timedelta(hours=30),
        first_seen_at=NOW - timedelta(hours=30),
        text=text,
        author_name="Parent",
        fingerprint=external,
    )


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf": token, "next": "/"},
        follow_redirects=False,
    )


def post(client: TestClient, page: str, url: str, data: dict[str, str] | None = None) -> Any:
    """POST ``data`` with the CSRF token from ``page``, as a browser submitting a form."""
    token = csrf_of(client.get(page).text)
    return client.post(url, data={"csrf": token, **(data or {})}, follow_redirects=False)
