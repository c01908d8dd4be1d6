"""Fetching media is safe: the platform's hosts only, https, public addresses, bounded."""

from __future__ import annotations

import pytest
import requests
import responses

from connectors import Media, PermanentError, TransientError
from connectors.http import fetch_media_bytes, host_allowed
from connectors.x import XConnector

HOSTS = ("twimg.com",)


def public(_host):
    return True


def fetch(url, **kw):
    kw.setdefault("resolve", public)
    return fetch_media_bytes(requests.Session(), url, HOSTS, platform="x", **kw)


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        ("pbs.twimg.com", True),
        ("twimg.com", True),
        ("eviltwimg.com", False),
        ("twimg.com.evil.example", False),
        ("169.254.169.254", False),
    ],
)
def test_host_allow_list(host, ok):
    assert host_allowed(host, HOSTS) is ok


@responses.activate
def test_allowed_https_media_is_fetched():
    responses.get("https://pbs.twimg.com/media/a.jpg", body=b"\xff\xd8jpeg")
    assert fetch("https://pbs.twimg.com/media/a.jpg") == b"\xff\xd8jpeg"


@pytest.mark.parametrize(
    "url",
    [
        "http://pbs.twimg.com/a.jpg",
        "https://example.com/a.jpg",
        "file:///etc/passwd",
        "https://169.254.169.254/latest/meta-data",
    ],
)
def test_refused_urls(url):
    with pytest.raises(PermanentError, match="refused"):
        fetch(url)


def test_private_address_refused_even_on_an_allowed_host():
    with pytest.raises(PermanentError, match="refused"):
        fetch("https://pbs.twimg.com/a.jpg", resolve=lambda host: False)


@responses.activate
def test_redirect_elsewhere_is_refused():
    responses.get(
        "https://pbs.twimg.com/a.jpg",
        status=302,
        headers={"Location": "https://internal.example/secret"},
    )
    with pytest.raises(PermanentError, match="refused"):
        fetch("https://pbs.twimg.com/a.jpg")


@responses.activate
def test_too_large_is_refused_without_reading_it_all():
    responses.get("https://pbs.twimg.com/big.jpg", body=b"x" * 2048)
    with pytest.raises(PermanentError, match="larger"):
        fetch("https://pbs.twimg.com/big.jpg", max_bytes=1024)


@responses.activate
def test_server_error_is_transient():
    responses.get("https://pbs.twimg.com/a.jpg", status=503)
    with pytest.raises(TransientError):
        fetch("https://pbs.twimg.com/a.jpg")


def test_connector_fetch_media_uses_its_platform_hosts():
    connector = XConnector({"bearer_token": "t"}, requests.Session())
    with pytest.raises(PermanentError, match="refused"):
        connector.fetch_media(Media("m1", url="https://evil.example/a.jpg"))
