"""One display filter on every surface: a bidi override in platform text never reaches a person.

A comment carrying U+202E (RIGHT-TO-LEFT OVERRIDE, which turns "gnp.exe" into "exe.png" on
screen) and other invisible controls goes through the real pipeline; then every surface that
shows platform text is read: the alert e-mail (subject, text and HTML), the digest, each chat
payload, the console's pages, its audited reveal of the full text, and the noncompliance
report as HTML and CSV. None of them may carry a bidi or invisible control character.
"""

from __future__ import annotations

import io
import json
from datetime import date

from sqlalchemy import select
from starlette.testclient import TestClient

from monitor.access.users import add_user
from monitor.core.app import App
from monitor.notify.channels import SlackNotifier, TeamsNotifier, WebhookNotifier
from monitor.records.record import noncompliance_report, report_csv, report_html
from monitor.storage.db import session_factory
from monitor.storage.models import Comment, Flag
from monitor.web.app import create_app
from tests.hostile.test_hostile_output import BIDI, PRINCIPAL, parts, world
from tests.support.factory import at
from tests.support.web_fixtures import PASSWORD, csrf_of, sign_in

SPOOF = "see my file \u202egnp.exe\u202c and \u2066this\u2069 \u200bword"
HIDDEN = BIDI | {"\u200b"}
ADMIN = "admin@fvsd.example.ca"


def _clean(surface: str, text: str) -> None:
    assert not HIDDEN & set(text), (surface, sorted(HIDDEN & set(text)))


def test_a_bidi_override_is_stripped_on_every_surface(engine, settings, tmp_path):
    messages, digest = world(engine, settings, tmp_path, [SPOOF])
    with session_factory(engine)() as s:  # the stored text keeps what the platform sent
        stored = s.scalars(select(Comment.text)).one()
        flag_ids = list(s.scalars(select(Flag.id)))
    assert "\u202e" in stored
    assert messages and flag_ids
    for message in messages:
        text, html = parts(message)
        for surface, value in (
            ("subject", str(message["Subject"])),
            ("text", text),
            ("html", html),
        ):
            _clean(f"e-mail {surface}", value)
    _clean("digest", digest)
    for message in messages[:1]:
        _clean(
            "webhook",
            json.dumps(WebhookNotifier("https://h.example/in").payload(message, PRINCIPAL)),
        )
        _clean("slack", json.dumps(SlackNotifier("https://h.example/s").payload(message)))
        _clean("teams", json.dumps(TeamsNotifier("https://h.example/t").payload(message)))
    app = App(
        settings=settings.replace(sandbox__scenario=str(tmp_path / "scenario.json")),
        engine=engine,
        sessions=session_factory(engine),
    )
    app.clock = lambda: at(6)
    with app.sessions() as s, s.begin():
        add_user(s, ADMIN, "admin", PASSWORD, "test", at(0), [])
    client = TestClient(create_app(app), base_url="https://testserver")
    assert sign_in(client, ADMIN).status_code == 303
    for path in ["/", "/flags", "/comments?show=all", *(f"/flags/{i}" for i in flag_ids)]:
        _clean(f"console {path}", client.get(path).text)
    for flag_id in flag_ids:
        page = f"/flags/{flag_id}"
        revealed = client.post(f"{page}/reveal", data={"csrf": csrf_of(client.get(page).text)})
        assert "gnp.exe" in revealed.text  # the full text is shown ...
        _clean(f"reveal {page}", revealed.text)  # ... without its controls
    with app.sessions() as s:
        rows = noncompliance_report(s, date(2026, 9, 1), date(2026, 9, 30), settings.timezone)
    assert rows
    _clean("report html", report_html(rows))
    out = io.StringIO()
    report_csv(rows, out)
    _clean("report csv", out.getvalue())
