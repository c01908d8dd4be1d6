"""Photos beyond the per-poll cap wait and are analysed in later polls, oldest first.

The real Facebook connector reads a 30-photo album ("Sports day!") from its Graph API, faked
with ``responses`` as the reference documents it; the photos come from Facebook's photo
hosts (faked the same way) and go through the pipeline's face and GPS checks.
"""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
import requests
import responses
from click.testing import CliRunner
from sqlalchemy import event, select, update

from monitor.cli import main
from monitor.core.app import App
from monitor.ingest import pipeline
from monitor.notify.digest import digest_context
from monitor.notify.render import render
from monitor.registry import secrets
from monitor.storage.db import session_factory
from monitor.storage.models import Account, Flag, MediaItem, Post, Supervisor
from monitor.storage.queries import photo_backlog
from tests.support import factory
from tests.support.connector_cases import facebook as fb
from tests.support.paths import DATA

ALBUM = 30
CAP = 10
FACES = {3, 14, 27}  # one in each poll's ten
GPS = {9, 21}
PUBLIC = "157.240.22.35"  # a Facebook CDN address


def fbid(n: int) -> str:
    return str(fb.album_photo(n)["target"]["id"])


def photo_url(n: int) -> str:
    return str(fb.album_photo(n)["media"]["image"]["src"])


def image(n: int) -> bytes:
    name = "face.jpg" if n in FACES else "gps.jpg" if n in GPS else "noface.jpg"
    return (DATA / name).read_bytes()


@pytest.fixture(autouse=True)
def facebook_cdn_resolves(monkeypatch):
    """Facebook's photo hosts resolve to a public address (there is no network here); the
    media fetcher checks that before it asks ``responses`` for the bytes."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if str(host).endswith(".fbcdn.net"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def app(engine, settings):
    settings = settings.replace(detection__max_images_per_poll=CAP)
    with session_factory(engine)() as s, s.begin():
        d = factory.district(s)
        page = factory.account(
            s,
            d["school"],
            d["principal"],
            "riv-fb",
            platform="facebook",
            external_id=fb.PAGE_ID,
            handle="@riversideelem",
            audience="public",
            educational_need="School news for families",
        )
        page.credentials = secrets.encrypt(settings, {"access_token": fb.TOKEN})
    return App(settings=settings, engine=engine, sessions=session_factory(engine))


def _account_id(app: App) -> int:
    with app.sessions() as s:
        return s.scalars(select(Account.id).where(Account.key == "riv-fb")).one()


def poll(app: App, at, photos: dict[int, tuple[int, bytes]] | None = None):
    """Poll the Page once; the album's photos answer 200 with their image unless ``photos``
    says otherwise. Returns the poll's result and the photo numbers fetched, in order."""
    answers = {n: (200, image(n)) for n in range(1, ALBUM + 1)} | (photos or {})
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fb.album_graph(ALBUM).install(mock)
        for n, (status, body) in answers.items():
            mock.get(photo_url(n), body=body, status=status, content_type="image/jpeg")
        app.transports["facebook"] = requests.Session()
        result = pipeline.poll_account(app, _account_id(app), at)
        urls = [c.request.url for c in mock.calls if ".fbcdn.net/" in c.request.url]
    by_url = {photo_url(n): n for n in answers}
    return result, [by_url[u] for u in urls]


def waiting(app: App) -> int:
    account_id = _account_id(app)
    with app.sessions() as s:
        backlog = photo_backlog(s, [account_id])
    return backlog[account_id].waiting if backlog else 0


def flags_list(app: App) -> str:
    env = {
        "HALLWATCH_VAR_DIR": str(app.settings.var_dir),
        "HALLWATCH_DATABASE_URL": app.engine.url.render_as_string(hide_password=False),
        "HALLWATCH_CONFIG": "",
    }
    result = CliRunner().invoke(main, ["flags", "list"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def digest_text(app: App, at) -> str:
    with app.sessions() as s:
        principal = s.scalars(select(Supervisor).where(Supervisor.role == "supervisor")).one()
        text, _ = render("digest", **digest_context(s, app, principal, at))
    return text


def photo_flags(app: App) -> dict[str, Flag]:
    with app.sessions() as s:
        rows = s.scalars(select(Flag).where(Flag.rule_id == "pii.student"))
        return {f.subject_ref: f for f in rows}


def test_a_30_photo_album_is_analysed_over_three_polls_none_skipped_none_twice(app):
    fetched: list[int] = []
    # Given a Page whose only post is a 30-photo album, and a cap of 10 photos per poll
    for number, left in enumerate((20, 10, 0)):
        at = fb.NOW + timedelta(minutes=15 * number)
        # When it is polled
        result, this_poll = poll(app, at)
        # Then the ten photos waiting longest are analysed, and the rest still wait
        assert result.outcome == "ok" and result.photos == CAP
        assert this_poll == list(range(10 * number + 1, 10 * number + 11))
        assert waiting(app) == left
        fetched += this_poll
        # And `hallwatch flags list` and the digest say how many wait
        listed = flags_list(app)
        if left:
            assert f"oldest first): riv-fb {left}" in listed
            assert "Photos still waiting for analysis" in listed
            assert f"photos waiting for analysis {left}" in digest_text(app, at)
        else:
            assert "waiting" not in listed and "photos waiting" not in digest_text(app, at)
    # Then every photo was fetched and checked exactly once
    assert sorted(fetched) == list(range(1, ALBUM + 1))
    # And each photo with a face (no consent recorded for the post) or GPS data is flagged
    flags = photo_flags(app)
    expected = {f"media:{fb.ALBUM_POST}:{fbid(n)}": n for n in FACES | GPS}
    assert set(flags) == set(expected)
    for ref, n in expected.items():
        flag = flags[ref]
        assert flag.severity == ("critical" if n in FACES else "high")
        assert ("face" in flag.explanation) == (n in FACES)
        assert (
            flag.subject_url == f"https://www.facebook.com/{fb.ALBUM_POST.replace('_', '/posts/')}"
        )
    # And a fourth poll finds nothing waiting: nothing fetched, nothing flagged again
    result, again = poll(app, fb.NOW + timedelta(hours=1))
    assert (result.photos, again, result.new_flags) == (0, [], [])


def test_each_poll_flags_the_photos_it_analysed_and_alerts_them_at_once(app):
    # Given the first poll (photos 1-10: a face in photo 3)
    first, _ = poll(app, fb.NOW)
    # Then its new flags include that photo's, with an alert due now (critical)
    with app.sessions() as s:
        new = s.scalars(select(Flag).where(Flag.id.in_(first.new_flags))).all()
    assert f"media:{fb.ALBUM_POST}:{fbid(3)}" in {f.subject_ref for f in new}
    assert len(first.new_outbox) >= 1


def test_album_photos_stored_before_the_fix_as_other_become_photos_to_analyse(app):
    # Given the album was stored by the old connector: same ids, every photo kind "other"
    with app.sessions() as s, s.begin():
        post = Post(
            account_id=_account_id(app),
            external_id=fb.ALBUM_POST,
            created_at=fb.NOW - timedelta(hours=1),
            first_seen_at=fb.NOW - timedelta(hours=1),
            text="Sports day!",
            fingerprint="stored-by-the-old-connector",
        )
        s.add(post)
        s.flush()
        s.add_all(
            MediaItem(post_id=post.id, external_id=fbid(n), kind="other", url=photo_url(n))
            for n in range(1, ALBUM + 1)
        )
    assert waiting(app) == 0
    # When the connector reads the album again, its photos now typed "photo"
    result, fetched = poll(app, fb.NOW)
    # Then the stored rows become photos waiting for analysis, and the first ten are analysed
    assert (result.photos, fetched) == (CAP, list(range(1, 11)))
    assert waiting(app) == ALBUM - CAP
    with app.sessions() as s:
        kinds = set(s.scalars(select(MediaItem.kind)))
        count = len(s.scalars(select(MediaItem.id)).all())
    assert (kinds, count) == ({"photo"}, ALBUM)  # the same rows, not new ones
    assert f"media:{fb.ALBUM_POST}:{fbid(3)}" in photo_flags(app)


def test_a_photo_that_cannot_be_fetched_is_recorded_and_a_passing_failure_waits(app, caplog):
    # Given photo 1's address has expired (403) and photo 2's host is failing (503)
    broken = {1: (403, b""), 2: (503, b"")}
    # When polled
    result, fetched = poll(app, fb.NOW, broken)
    # Then photo 1 is recorded as not fetched, photo 2 still waits (first in line), and
    # the other eight are analysed: nothing is skipped silently
    assert fetched == list(range(1, 11)) and result.photos == CAP - 2
    account_id = _account_id(app)
    with app.sessions() as s:
        backlog = photo_backlog(s)[account_id]
        gone = s.scalars(select(MediaItem).where(MediaItem.external_id == fbid(1))).one()
    assert (backlog.waiting, backlog.not_fetched) == (ALBUM - CAP + 1, 1)
    assert gone.analysed_at == fb.NOW and "403" in gone.analysis_error
    assert "1 photo(s) could not be fetched" in caplog.text
    assert "Photos that could not be fetched (not analysed): riv-fb 1" in flags_list(app)
    # And the next poll tries photo 2 first, then the next nine
    _, fetched = poll(app, fb.NOW + timedelta(minutes=15))
    assert fetched == [2, *range(11, 20)]


def test_one_query_per_poll_finds_the_waiting_photos(app):
    """No query per photo: the photo step reads the queue once and marks it once."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()).lower())

    event.listen(app.engine, "before_cursor_execute", count)
    try:
        poll(app, fb.NOW)
        first = list(statements)
        statements.clear()
        poll(app, fb.NOW + timedelta(minutes=15))
        second = list(statements)
    finally:
        event.remove(app.engine, "before_cursor_execute", count)
    queue = [s for s in second if s.startswith("select") and "from media" in s]
    marks = [s for s in second if s.startswith("update media")]
    assert len(queue) == 1 and len(marks) == 1  # a later poll: the queue, read and marked once
    # The first poll also reads the changed post's photos for their alt text (one query)
    assert len([s for s in first if s.startswith("select") and "from media" in s]) == 2


def test_an_unanalysed_photo_left_by_a_crash_is_analysed_by_the_next_poll(app):
    # Given a poll stored the album, then died before analysing (no photo marked analysed)
    poll(app, fb.NOW)
    with app.sessions() as s, s.begin():
        s.execute(update(MediaItem).values(analysed_at=None))
    # When the next poll runs
    result, fetched = poll(app, fb.NOW + timedelta(minutes=15))
    # Then it analyses the oldest waiting ones: the queue is in the database
    assert fetched == list(range(1, 11)) and result.photos == CAP
