"""A corpus of hostile comments through the real pipeline: nothing executes anywhere.

Every text in ``tests/data/hostile_comments.jsonl`` (XSS, attribute and header injection,
``javascript:``/``data:`` links, template syntax, chat mentions, bidi overrides, null bytes,
huge strings) is posted as a comment on a sandbox account, with hostile author names and
links, under an account whose registry handle is hostile too. Polling flags each one; the
alerts go out as ``.eml`` files and as webhook, Slack and Teams payloads; the supervisor's
weekly digest is written. Then: no tag or attribute beyond what the templates write, no
``javascript:``/``data:`` link, no extra header, no evaluated template (``{{7*7}}`` stays as
written), no chat mention, no control character; and headless Chromium, loading the HTML,
runs none of the payloads' scripts (each would set ``document.title``).
"""

from __future__ import annotations

import email
import json
import subprocess
from email import policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select

from monitor.ingest import pipeline
from monitor.notify.base import FileNotifier
from monitor.notify.channels import SlackNotifier, TeamsNotifier, WebhookNotifier
from monitor.notify.delivery import deliver
from monitor.notify.digest import write_preview
from monitor.storage.db import session_factory
from monitor.storage.models import OutboxItem, Supervisor
from tests.e2e.test_digest_browser import CHROMIUM, _require_chromium
from tests.support import factory
from tests.support.factory import CLEAN_PROFILE, at
from tests.support.hostile import hostile_comments

TRIGGER = "you stupid idiot "  # prohibited language: every comment becomes a flag and an alert
PRINCIPAL = "principal.riverside@fvsd.example.ca"
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
HEADERS = {"from", "to", "subject", "message-id", "mime-version", "content-type"}


class Tags(HTMLParser):
    """Every (tag, attribute) a page has, and the values of its links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.seen: set[tuple[str, str]] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.add((tag, ""))
        for name, value in attrs:
            self.seen.add((tag, name))
            if name in ("href", "src", "action", "formaction") and value:
                self.links.append(value)


def tags(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    return parser


def world(engine, settings, tmp_path, texts: list[str]):  # type: ignore[no-untyped-def]
    comments = [
        {
            "id": f"c{i}",
            "post": "p1",
            "at_hours": 2,
            "text": TRIGGER + text,
            "author_name": text[:300],
            "url": text if text.startswith(("javascript:", "data:")) else f"https://yt.example/{i}",
        }
        for i, text in enumerate(texts)
    ]
    accounts = {
        "riv-yt": {
            "profile": CLEAN_PROFILE,
            "posts": [{"id": "p1", "at_hours": 1, "text": "Sports day"}],
            "comments": comments,
        }
    }
    path = factory.scenario(tmp_path / "scenario.json", accounts)
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        handle = "<script>document.title='PWNED'</script>\r\nBcc: victim@evil.example"
        account = factory.account(s, d["school"], d["principal"], "riv-yt", handle=handle)
        account_id = account.id
    app = factory.app_for(settings, engine, path)
    result = pipeline.poll_account(app, account_id, at(3))
    assert len(result.new_flags) >= len(texts), "every hostile comment is flagged"
    out = tmp_path / "outbox"
    with app.sessions() as s:
        outbox = s.scalars(select(OutboxItem.id)).all()
        principal = s.scalars(select(Supervisor).where(Supervisor.email == PRINCIPAL)).one()
    for outbox_id in outbox:
        assert deliver(app, outbox_id, at(4), FileNotifier(out)) == "sent"
    digest = write_preview(app, principal, at(5), tmp_path / "digest.html")
    messages = [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(out.glob("*.eml"))
    ]
    return messages, digest.read_text(encoding="utf-8")


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def sqlite_world(tmp: Path, texts: list[str]):  # type: ignore[no-untyped-def]
    from monitor.core.settings import load_settings
    from monitor.storage.db import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp / 'h.db'}")
    upgrade(engine)
    settings = load_settings(
        environ={
            "HALLWATCH_VAR_DIR": str(tmp / "var"),
            "HALLWATCH_SECRET_KEY": "hostile-output-key-0123",
            "HALLWATCH_DELIVERY_GROUP_MINUTES": "0",
        }
    )
    try:
        return world(engine, settings, tmp, texts)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def benign(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The same pipeline on harmless texts: what the templates themselves write."""
    tmp = tmp_path_factory.mktemp("benign")
    messages, digest = sqlite_world(tmp, ["plain words", "more plain words"])
    return set().union(*(tags(parts(m)[1]).seen for m in messages)) | tags(digest).seen


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The corpus through the pipeline on SQLite, once for the module."""
    return sqlite_world(tmp_path_factory.mktemp("hostile"), hostile_comments())


@pytest.fixture
def hostile_on_postgresql(engine, settings, tmp_path):  # type: ignore[no-untyped-def]
    return world(engine, settings, tmp_path, hostile_comments())


def test_corpus_is_what_it_should_be():
    corpus = hostile_comments()
    assert len(corpus) >= 40
    for needle in ("<script>", "onerror=", "javascript:", "\r\nBcc:", "{{7*7}}", "<!channel>"):
        assert any(needle in text for text in corpus), needle


def test_alert_emails_carry_no_markup_links_headers_or_controls(hostile, benign):
    check_alert_emails(hostile[0], benign)


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_alert_emails_on_postgresql_too(hostile_on_postgresql, benign):
    # PostgreSQL refuses what SQLite stores (a NUL byte): the corpus must get through it too
    check_alert_emails(hostile_on_postgresql[0], benign)


def check_alert_emails(messages: list[EmailMessage], benign: set[tuple[str, str]]) -> None:
    assert len(messages) >= 2 * len(hostile_comments())  # the principal and the backup
    texts = []
    for message in messages:
        assert {name.lower() for name in message.keys()} <= HEADERS, message.keys()
        assert "\n" not in str(message["Subject"]) and "\r" not in str(message["Subject"])
        text, html = parts(message)
        texts.append(text)
        page = tags(html)
        assert page.seen <= benign, page.seen - benign
        assert all(link.lower().startswith(("https://", "http://")) for link in page.links)
        for body in (text, html, str(message["Subject"])):
            assert "\x00" not in body and "\x1b" not in body
            assert not BIDI & set(body)
    shown = "\n".join(texts)
    # Template syntax is shown as written, never evaluated
    # (7919 * 7907 = 62615533: a product no id, token or time in a message can contain)
    assert "{{ 7919*7907 }}" in shown and "${7919*7907}" in shown
    assert "{{7*7}}" in shown and "${7*7}" in shown and "62615533" not in shown


def test_chat_payloads_neutralise_mentions_and_markup(hostile):
    messages, _ = hostile
    for message in messages:
        slack = SlackNotifier("https://hooks.slack.example/services/T0/B0/x").payload(message)
        assert "<!" not in slack["text"] and "<@" not in slack["text"]
        assert "<https://evil" not in slack["text"] and "<script" not in slack["text"]
        teams = json.dumps(TeamsNotifier("https://teams.example/webhook").payload(message))
        assert "<at>" not in teams and "<script" not in teams
        assert "](javascript:" not in teams
        hook = WebhookNotifier("https://hooks.example/in").payload(message, PRINCIPAL)
        assert "\x00" not in json.dumps(hook) and not BIDI & set(json.dumps(hook))


def test_digest_has_only_the_templates_markup(hostile, benign):
    _, digest = hostile
    page = tags(digest)
    assert page.seen <= benign, page.seen - benign
    assert all(link.lower().startswith(("https://", "http://")) for link in page.links)
    assert "<script>document.title" not in digest and not BIDI & set(digest)


def chromium_title(page: Path, profile: Path) -> str:
    """The page's document.title after it loaded and ran whatever scripts it has."""
    done = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=3000",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        check=True,
        timeout=90,
        capture_output=True,
        text=True,
    )
    start = done.stdout.find("<title>")
    return done.stdout[start + 7 : done.stdout.find("</title>", start)]


def test_no_payload_runs_in_a_browser(hostile, tmp_path):
    _require_chromium()
    messages, digest = hostile
    # Every alert's HTML body on one page, so one browser start loads all of them
    pages = {"digest": digest, "alerts": "".join(parts(m)[1] for m in messages[::2])}
    titles = {}
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        titles[name] = chromium_title(path, tmp_path / "profile")
    assert "PWNED" not in "".join(titles.values()), titles
    assert titles["alerts"] == "Hallwatch alert" and "Hallwatch" in titles["digest"]


def test_the_browser_check_would_see_a_script_run(tmp_path):
    # The check is not one that cannot fail: an unescaped payload does change the title.
    _require_chromium()
    path = tmp_path / "unescaped.html"
    path.write_text(f"<title>x</title><p>{hostile_comments()[1]}</p>", encoding="utf-8")
    assert chromium_title(path, tmp_path / "profile") == "PWNED"


def test_alerts_over_real_smtp_reach_only_their_recipient(hostile):
    from monitor.notify.channels import SmtpNotifier
    from tests.unit.monitor.notify.test_channels import Server, _received

    messages, _ = hostile
    server = Server()
    server.start()
    try:
        notifier = SmtpNotifier("127.0.0.1", server.port, security="none")
        for message in messages[::8]:
            notifier.send(message, PRINCIPAL, "alert")
    finally:
        server.stop()
    envelopes = server.handler.envelopes
    assert len(envelopes) == len(messages[::8])
    assert all(e.rcpt_tos == [PRINCIPAL] for e in envelopes), "no injected Bcc or To"
    for received in _received(server):
        assert {name.lower() for name in received.keys()} <= HEADERS
        assert not BIDI & set(str(received["Subject"]))
