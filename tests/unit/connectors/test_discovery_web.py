"""Discovery's web side: one identity per account whatever the link's form, and safe fetching."""

from __future__ import annotations

import pytest
import requests
import responses

from connectors import PermanentError, TransientError
from connectors.links import account_link, account_links, registered_keys
from connectors.web import RobotsRefused, read_page

SITE = "https://riverside.fvsd.example.ca/"
PAGE = """<html><body>
<a href="https://fb.com/RiversideElem">f</a>
<a href="https://m.facebook.com/riversideelem?ref=bookmarks">f</a>
<a href="https://www.facebook.com/RiversideElem/">f</a>
<a href="https://www.instagram.com/riverside.eagles/?hl=en">i</a>
<a href="https://instagram.com/Riverside.Eagles">i</a>
<a href="https://www.youtube.com/@RiversideMusic">y</a>
<a href="https://m.youtube.com/@riversidemusic/videos">y</a>
<a href="https://youtube.com/channel/UCriversideMusicRoom0001">y</a>
<a href="https://x.com/RiversideGr5">x</a>
<a href="https://twitter.com/riversidegr5">x</a>
<a href="https://mobile.twitter.com/RiversideGr5?lang=en">x</a>
<a href="https://www.tiktok.com/@riv.eagles">t</a>
<a href="https://rivgr3.blogspot.ca/">b</a>
<a href="https://rivgr3.blogspot.com/2026/09/post.html">b</a>
<a href="https://www.facebook.com/sharer/sharer.php?u=x">share</a>
<a href="https://twitter.com/intent/tweet?text=x">tweet</a>
<a href="https://www.youtube.com/watch?v=abc">a video</a>
<a href="/about">about</a>
</body></html>"""


def test_every_listed_form_of_a_link_is_one_identity():
    keys = [link.key for link in account_links(PAGE, SITE)]
    assert keys == [
        "facebook:riversideelem",
        "instagram:riverside.eagles",
        "youtube:@riversidemusic",
        "youtube:channel/UCriversideMusicRoom0001",
        "x:riversidegr5",
        "tiktok:riv.eagles",
        "blogger:rivgr3.blogspot.com",
    ]


def test_a_youtube_channel_is_one_account_with_its_handle_and_its_id():
    # The @handle and the channel id are two forms of one channel: a registered account
    # answers to both (the id is its external_id), so neither is a candidate.
    keys = registered_keys("youtube", "@RiversideMusic", "UCriversideMusicRoom0001")
    found = {link.key for link in account_links(PAGE, SITE) if link.platform == "youtube"}
    assert found <= keys


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://fb.com/FraserValleySD", "facebook:fraservalleysd"),
        ("https://web.facebook.com/profile.php?id=100000000000301", "facebook:id/100000000000301"),
        ("https://www.facebook.com/pages/Riverside/100000000000301", "facebook:id/100000000000301"),
        ("https://www.facebook.com/groups/riversidepac", "facebook:groups/riversidepac"),
        ("https://www.facebook.com/login.php", None),
        ("https://www.instagram.com/p/Cx123/", None),
        ("https://www.instagram.com/explore/tags/x/", None),
        ("https://x.com/home", None),
        ("https://x.com/search?q=riverside", None),
        ("https://youtu.be/abc", None),
        ("https://www.youtube.com/c/RiversideMusic", "youtube:c/riversidemusic"),
        ("https://patel.wordpress.com/", "wordpress:patel.wordpress.com"),
        ("https://www.wordpress.com/", None),
        ("https://medium.com/@riverside", "blog:medium.com/@riverside"),
        ("mailto:office@fvsd.example.ca", None),
        ("javascript:alert(1)", None),
        ("https://www.fvsd.example.ca/schools", None),
    ],
)
def test_account_link(url, key):
    link = account_link(url)
    assert (link.key if link else None) == key


def _site(rsps, robots=(404, ""), page=(200, PAGE), **extra):
    rsps.add(responses.GET, SITE + "robots.txt", status=robots[0], body=robots[1])
    rsps.add(responses.GET, SITE, status=page[0], body=page[1], **extra)


def _read(**kw):
    return read_page(SITE, session=requests.Session(), resolve=lambda host: True, **kw)


def test_a_page_is_read_once_with_a_missing_robots_file():
    with responses.RequestsMock() as rsps:
        _site(rsps)
        assert len(_read()) == 7
        assert [c.request.url for c in rsps.calls] == [SITE + "robots.txt", SITE]


def test_robots_txt_is_respected():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        _site(rsps, robots=(200, "User-agent: HallwatchDiscovery\nDisallow: /\n"))
        with pytest.raises(RobotsRefused):
            _read()
        assert len(rsps.calls) == 1  # the page itself was never asked for


def test_an_unreachable_robots_file_means_no_crawling():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        _site(rsps, robots=(503, "busy"))
        with pytest.raises(RobotsRefused):
            _read()


def test_a_site_that_redirects_to_a_private_address_is_refused():
    hosts = {"riverside.fvsd.example.ca": True, "intranet.riverside.fvsd.example.ca": False}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, SITE + "robots.txt", status=404)
        rsps.add(
            responses.GET,
            SITE,
            status=302,
            headers={"Location": "https://intranet.riverside.fvsd.example.ca/"},
        )
        with pytest.raises(PermanentError) as raised:
            read_page(SITE, session=requests.Session(), resolve=lambda h: hosts.get(h, False))
        assert "refused" in str(raised.value)
        assert [c.request.url for c in rsps.calls] == [SITE + "robots.txt", SITE]


def test_a_redirect_off_the_listed_site_is_not_followed():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, SITE + "robots.txt", status=404)
        rsps.add(
            responses.GET, SITE, status=301, headers={"Location": "https://elsewhere.example/"}
        )
        with pytest.raises(PermanentError):
            _read()
        assert len(rsps.calls) == 2


@pytest.mark.parametrize("url", ["http://riverside.fvsd.example.ca/", "ftp://x/", "riverside"])
def test_only_https_sites_are_read(url):
    with pytest.raises(PermanentError):
        read_page(url, session=requests.Session(), resolve=lambda host: True)


def test_a_page_over_the_size_cap_is_refused():
    with responses.RequestsMock() as rsps:
        _site(rsps, page=(200, PAGE * 50))
        with pytest.raises(PermanentError) as raised:
            _read(max_bytes=4096)
        assert "larger than" in str(raised.value)


def test_a_page_that_takes_longer_than_the_deadline_is_given_up():
    with responses.RequestsMock() as rsps:
        _site(rsps, page=(200, PAGE * 200))  # four 64 KiB reads, under the size cap
        ticks = iter(range(0, 10_000, 10))  # every look at the clock is 10 s later
        with pytest.raises(TransientError, match="too long"):
            _read(deadline=25, clock=lambda: next(ticks))


def test_a_youtube_handle_and_a_channel_id_stay_two_identities_offline():
    # Without asking YouTube, @handle and /channel/UC... cannot be known to be one channel:
    # an unregistered channel linked both ways is two candidates (registering one of them
    # with its channel id as external_id makes both count as registered; see
    # test_a_youtube_channel_is_one_account_with_its_handle_and_its_id).
    handle = account_link("https://www.youtube.com/@RiversideMusic")
    channel = account_link("https://www.youtube.com/channel/UCriversideMusicRoom0001")
    assert handle and channel and handle.key != channel.key
