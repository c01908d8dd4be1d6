"""Fetching media is safe, guarantee by guarantee (no real network: DNS and HTTP are faked).

Each platform's photos come only from its own media hosts over https; names must resolve
to public addresses only, and the address actually connected to must be public too (DNS
rebinding); every redirect is checked the same way; bodies are streamed and stopped at the
size cap and at an overall deadline; no compressed transfer is asked for; and a photo that
declares 50,000 x 50,000 pixels is refused from its header, never decoded.
"""

from __future__ import annotations

import socket
import time
import tracemalloc
from types import SimpleNamespace

import pytest
import requests
import responses

from connectors import Media, PermanentError, TransientError
from connectors.blogger import BloggerConnector
from connectors.facebook import FacebookConnector
from connectors.http import fetch_media_bytes, public_address
from connectors.instagram import InstagramConnector
from connectors.wordpress import WordPressConnector
from connectors.x import XConnector
from connectors.youtube import YouTubeConnector
from detectors.images import MAX_PIXELS, analyse_image
from tests.unit.detectors.test_rules_images import png

PUBLIC = "157.240.22.35"
DNS = {
    "pbs.twimg.com": [PUBLIC],
    "mixed.twimg.com": [PUBLIC, "10.0.0.7"],
    "metadata.twimg.com": ["169.254.169.254"],
    "loopback.twimg.com": ["127.0.0.1"],
    "lan.twimg.com": ["192.168.1.20"],
    "v6.twimg.com": ["::1"],
    "mapped.twimg.com": ["::ffff:10.1.2.3"],
}


@pytest.fixture
def dns(monkeypatch):
    """Names resolve from :data:`DNS`; any other name to a public address."""

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in DNS and not host.endswith(".example"):
            addresses = [PUBLIC]
        else:
            addresses = DNS.get(host, [PUBLIC])
        family = lambda a: socket.AF_INET6 if ":" in a else socket.AF_INET  # noqa: E731
        return [(family(a), socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def fetch(url, **kw):
    return fetch_media_bytes(requests.Session(), url, ("twimg.com",), platform="x", **kw)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.20.30.40", False),
        ("172.16.5.4", False),
        ("192.168.0.10", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::5", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("not an address", False),
        (PUBLIC, True),
        ("2a03:2880:f10c:83:face:b00c:0:25de", True),
    ],
)
def test_public_address(address, public):
    assert public_address(address) is public


@pytest.mark.parametrize(
    "host", ["mixed", "metadata", "loopback", "lan", "v6", "mapped", "unresolvable"]
)
@responses.activate
def test_a_media_host_that_resolves_privately_is_refused_before_any_request(dns, host, monkeypatch):
    if host == "unresolvable":
        monkeypatch.setattr(socket, "getaddrinfo", _fail)
    with pytest.raises(PermanentError, match="refused"):
        fetch(f"https://{host}.twimg.com/media/a.jpg")
    assert len(responses.calls) == 0


def _fail(*args, **kwargs):
    raise socket.gaierror("no such name")


@pytest.mark.parametrize(
    ("location", "why"),
    [
        ("https://metadata.twimg.com/latest/meta-data/", "refused"),
        ("https://loopback.twimg.com/a.jpg", "refused"),
        ("http://pbs.twimg.com/a.jpg", "refused"),  # no downgrade to http
        ("https://169.254.169.254/latest/meta-data/", "refused"),
        ("https://evil.example/a.jpg", "refused"),
        ("//[::1]/a.jpg", "refused"),
    ],
)
@responses.activate
def test_every_redirect_is_checked_like_the_first_url(dns, location, why):
    responses.get("https://pbs.twimg.com/a.jpg", status=302, headers={"Location": location})
    with pytest.raises(PermanentError, match=why):
        fetch("https://pbs.twimg.com/a.jpg")
    assert len(responses.calls) == 1, "the refused hop was never requested"


@responses.activate
def test_redirects_are_followed_three_times_at_most(dns):
    for n in range(5):
        responses.get(
            f"https://pbs.twimg.com/{n}.jpg",
            status=301,
            headers={"Location": f"/{n + 1}.jpg"},
        )
    with pytest.raises(PermanentError, match="too many"):
        fetch("https://pbs.twimg.com/0.jpg")
    assert len(responses.calls) == 4


@responses.activate
def test_an_allowed_redirect_is_followed_and_no_compression_is_asked_for(dns):
    responses.get("https://pbs.twimg.com/a.jpg", status=302, headers={"Location": "/b.jpg"})
    responses.get("https://pbs.twimg.com/b.jpg", body=b"\xff\xd8jpeg")
    assert fetch("https://pbs.twimg.com/a.jpg") == b"\xff\xd8jpeg"
    assert all(c.request.headers["Accept-Encoding"] == "identity" for c in responses.calls)


def _answer(peer: str, body: bytes = b"\xff\xd8jpeg") -> requests.Response:
    chunks = [body]
    response = requests.Response()
    response.status_code = 200
    response.raw = SimpleNamespace(
        _connection=SimpleNamespace(sock=SimpleNamespace(getpeername=lambda: (peer, 443))),
        read1=lambda *args, **kwargs: chunks.pop(0) if chunks else b"",
        close=lambda: None,
        release_conn=lambda: None,
    )
    return response


class PinnedSession(requests.Session):
    """Answers every GET itself, as if connected to ``peer`` (a rebinding DNS answer)."""

    def __init__(self, peer: str) -> None:
        super().__init__()
        self.peer = peer

    def get(self, url, **kwargs):  # type: ignore[override]
        return _answer(self.peer)


@pytest.mark.parametrize(("peer", "ok"), [("10.0.0.5", False), ("::1", False), (PUBLIC, True)])
def test_the_address_actually_connected_to_must_be_public_too(dns, peer, ok):
    # The name passed the check (it resolved to a public address), then the connection went
    # to whatever the second lookup said: DNS rebinding.
    session = PinnedSession(peer)
    call = lambda: fetch_media_bytes(  # noqa: E731
        session, "https://pbs.twimg.com/a.jpg", ("twimg.com",), platform="x"
    )
    if ok:
        assert call() == b"\xff\xd8jpeg"
    else:
        with pytest.raises(PermanentError, match="private address"):
            call()


@responses.activate
def test_a_declared_size_over_the_cap_is_refused_without_reading(dns):
    responses.get(
        "https://pbs.twimg.com/big.jpg", body=b"x" * 10, headers={"Content-Length": "999999999"}
    )
    with pytest.raises(PermanentError, match="larger"):
        fetch("https://pbs.twimg.com/big.jpg", max_bytes=1024)


@responses.activate
def test_an_undeclared_body_is_stopped_at_the_cap(dns):
    responses.get("https://pbs.twimg.com/big.jpg", body=b"x" * (512 * 1024))
    started = time.perf_counter()
    with pytest.raises(PermanentError, match="larger"):
        fetch("https://pbs.twimg.com/big.jpg", max_bytes=100 * 1024)
    assert time.perf_counter() - started < 2


@responses.activate
def test_a_slow_download_stops_at_the_deadline(dns):
    responses.get("https://pbs.twimg.com/slow.jpg", body=b"x" * (400 * 1024))
    ticks = iter(range(0, 10_000, 10))  # every look at the clock is 10 s later
    with pytest.raises(TransientError, match="too long"):
        fetch("https://pbs.twimg.com/slow.jpg", deadline=25, clock=lambda: next(ticks))


HOSTS = [
    (FacebookConnector, {}, "https://scontent.xx.fbcdn.net/v/t39/1.jpg"),
    (InstagramConnector, {}, "https://scontent.cdninstagram.com/v/t51/1.jpg"),
    (XConnector, {"bearer_token": "x"}, "https://pbs.twimg.com/media/1.jpg"),
    (YouTubeConnector, {"api_key": "k"}, "https://i.ytimg.com/vi/abc/hqdefault.jpg"),
    (BloggerConnector, {"api_key": "k"}, "https://blogger.googleusercontent.com/img/b/1.jpg"),
    (WordPressConnector, {"base_url": "https://blog.school.example"}, "https://i0.wp.com/1.jpg"),
    (
        WordPressConnector,
        {"base_url": "https://blog.school.example"},
        "https://blog.school.example/wp-content/uploads/1.jpg",
    ),
]


@pytest.mark.parametrize(("cls", "credentials", "url"), HOSTS)
@responses.activate
def test_each_platform_fetches_from_its_own_media_hosts_only(dns, cls, credentials, url):
    connector = cls(credentials, requests.Session())
    responses.get(url, body=b"\xff\xd8jpeg")
    assert connector.fetch_media(Media("m1", url=url)) == b"\xff\xd8jpeg"
    for other in (
        "https://evil.example/1.jpg",
        url.replace("https://", "http://"),
        url.replace("https://", "https://attacker.example/?u="),
        "https://169.254.169.254/latest/meta-data/iam",
        "file:///etc/passwd",
    ):
        with pytest.raises(PermanentError, match="refused"):
            connector.fetch_media(Media("m2", url=other))
    assert len(responses.calls) == 1


@responses.activate
def test_a_decompression_bomb_is_refused_from_its_header_not_decoded(dns):
    bomb = png(50_000, 50_000)  # 2.5 billion pixels declared, about 1 KB on the wire
    assert len(bomb) < 4096
    responses.get("https://pbs.twimg.com/media/bomb.png", body=bomb)
    data = XConnector({"bearer_token": "x"}, requests.Session()).fetch_media(
        Media("m1", url="https://pbs.twimg.com/media/bomb.png")
    )
    tracemalloc.start()
    started = time.perf_counter()
    facts = analyse_image(data)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # Pillow refuses it at open (over twice its pixel limit); a smaller bomb meets ours
    assert facts.faces == 0 and facts.skipped == "decompression bomb"
    assert analyse_image(png(8_000, 6_000)).skipped == f"over {MAX_PIXELS:,} pixels"
    assert elapsed < 1 and peak < 16 * 1024 * 1024, (elapsed, peak)
