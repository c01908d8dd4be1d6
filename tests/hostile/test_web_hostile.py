"""The hostile comment corpus through the console: every page shows it inert.

The corpus (tests/data/hostile_comments.jsonl) is polled through the real pipeline, as in
tests/hostile/test_hostile_output.py; then every console page an administrator can open, and the
"reveal" of each flag's full text (the one place the unmasked comment is shown), are parsed:
no script, no event handler, no frame or object, no link that is not the console's own or a
plain http(s) address, and every payload's markup shown as text.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from monitor.access.users import add_user
from monitor.core.app import App
from monitor.storage.db import session_factory
from monitor.storage.models import Flag
from tests.hostile.test_hostile_output import tags, world
from tests.support.factory import at
from tests.support.hostile import hostile_comments
from tests.support.web_fixtures import PASSWORD, csrf_of, sign_in

ADMIN = "admin@fvsd.example.ca"
DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "frame", "base", "meta", "svg", "math"}


def _inert(html: str, where: str) -> None:
    page = tags(html)
    found = {tag for tag, _ in page.seen}
    # the console's own pages have one <meta> (viewport/charset) in <head>: allow those only
    assert not (found & DANGEROUS_TAGS - {"meta"}), (where, found & DANGEROUS_TAGS)
    metas = re.findall(r"<meta\b[^>]*>", html, re.I)
    assert all(("charset" in m or "viewport" in m) for m in metas), (where, metas)
    handlers = {(tag, name) for tag, name in page.seen if name.lower().startswith("on")}
    assert not handlers, (where, handlers)
    for link in page.links:
        assert link.startswith(("/", "#", "https://", "http://")), (where, link)
        assert not link.lower().startswith(("javascript:", "data:", "//")), (where, link)


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"], indirect=True)
def test_console_pages_show_the_hostile_corpus_inert(engine, settings, tmp_path):
    texts = hostile_comments()
    world(engine, settings, tmp_path, texts)
    app = App(
        settings=settings.replace(sandbox__scenario=str(tmp_path / "scenario.json")),
        engine=engine,
        sessions=session_factory(engine),
    )
    app.clock = lambda: at(6)
    with app.sessions() as s, s.begin():
        add_user(s, ADMIN, "admin", PASSWORD, "test", at(0), [])
    from starlette.testclient import TestClient

    from monitor.web.app import create_app

    client = TestClient(create_app(app), base_url="https://testserver")
    assert sign_in(client, ADMIN).status_code == 303
    with app.sessions() as s:
        flag_ids = list(s.scalars(select(Flag.id).order_by(Flag.id)))
    assert len(flag_ids) >= len(texts)
    pages = ["/", "/flags", "/comments?show=all", "/accounts", "/audit", "/report"]
    pages += [f"/flags/{i}" for i in flag_ids]
    shown = []
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        _inert(response.text, path)
        shown.append(response.text)
    for flag_id in flag_ids:  # the full, unmasked text: the most dangerous page
        page = f"/flags/{flag_id}"
        token = csrf_of(client.get(page).text)
        revealed = client.post(f"{page}/reveal", data={"csrf": token})
        assert revealed.status_code == 200, page
        _inert(revealed.text, f"{page}/reveal")
        shown.append(revealed.text)
    everything = "\n".join(shown)
    # The markup arrived, escaped: shown as text, never as a tag
    assert "&lt;script&gt;" in everything or "&lt;script" in everything
    assert "<script>document.title" not in everything
    assert "62615533" not in everything  # {{ 7919*7907 }} never evaluated


@pytest.mark.parametrize(
    "html",
    [
        '<p><img src=x onerror="alert(1)"></p>',
        "<p><script>document.title='PWNED'</script></p>",
        '<a href="javascript:alert(1)">x</a>',
        '<iframe srcdoc="<script>1</script>"></iframe>',
        '<meta http-equiv="refresh" content="0;url=https://evil.example">',
        '<a href="//evil.example">x</a>',
    ],
)
def test_the_inertness_check_catches_live_markup(html):
    with pytest.raises(AssertionError):
        _inert(html, "a page with the markup left live")
