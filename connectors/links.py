"""Social media links on a web page, each normalised to one account identity.

A school's website links its accounts in many forms: ``fb.com/x``, ``m.facebook.com/x``,
``instagram.com/x/?hl=en``, ``youtube.com/@x``, ``youtube.com/channel/UC...``, ``x.com/x``
and ``twitter.com/x``. :func:`account_link` turns each into an :class:`AccountLink` whose
``key`` is the same for every form of one account (``x:riversidegr5``); links that are not
an account (a post, a share button, a login page) give None. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from connectors.http import host_allowed

MAX_LINKS = 2000  # per page; a page with more is cut there

# Paths on the platforms that are features, not accounts.
FACEBOOK_NOT_ACCOUNTS = frozenset(
    "sharer sharer.php share share.php dialog plugins login login.php home.php watch events "
    "help policies privacy legal business ads marketplace gaming hashtag search photo.php "
    "photo story.php permalink.php l.php tr".split()
)
INSTAGRAM_NOT_ACCOUNTS = frozenset(
    "p reel reels tv explore stories accounts about legal developer direct web".split()
)
X_NOT_ACCOUNTS = frozenset(
    "intent share home search hashtag i explore settings login logout signup tos privacy "
    "messages notifications compose".split()
)
YOUTUBE_NOT_ACCOUNTS = frozenset("watch embed shorts playlist results feed redirect live".split())
HANDLE = re.compile(r"[A-Za-z0-9_.\-]{1,100}")
YOUTUBE_ID = re.compile(r"UC[A-Za-z0-9_-]{22}")
BLOG_HOSTS = {
    "wordpress.com": "wordpress",
    "edublogs.org": "blog",
    "tumblr.com": "blog",
    "substack.com": "blog",
}


@dataclass(frozen=True)
class AccountLink:
    """One account a link points at.

    ``platform`` is the connector's platform name where Hallwatch has one ("facebook",
    "instagram", "x", "youtube", "wordpress", "blogger"), else "tiktok" or "blog";
    ``handle`` is how people write it; ``key`` is the identity, the same for every form.
    """

    platform: str
    handle: str
    key: str
    url: str


@dataclass(frozen=True)
class SearchHit:
    """An account a platform search found, with the words it shows about itself."""

    link: AccountLink
    title: str = ""
    description: str = ""


def _host(url: str) -> tuple[str, list[str], dict[str, list[str]]]:
    parts = urlsplit(url.strip())
    try:
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        host = ""
    segments = [unquote(s) for s in parts.path.split("/") if s]
    return host, segments, parse_qs(parts.query)


def account_link(url: str) -> AccountLink | None:
    """The account ``url`` points at, or None when it is not one (see the module doc)."""
    if not url.lower().startswith(("http://", "https://")):
        return None
    host, path, query = _host(url)
    if host_allowed(host, ("facebook.com", "fb.com", "fb.me")):
        return _facebook(path, query)
    if host_allowed(host, ("instagram.com", "instagr.am")):
        return _simple("instagram", path, INSTAGRAM_NOT_ACCOUNTS, "https://www.instagram.com/{}/")
    if host_allowed(host, ("x.com", "twitter.com")):
        return _simple("x", path, X_NOT_ACCOUNTS, "https://x.com/{}", at=True)
    if host_allowed(host, ("youtube.com",)):
        return _youtube(path)
    if host_allowed(host, ("tiktok.com",)):
        if path and path[0].startswith("@") and HANDLE.fullmatch(path[0][1:]):
            name = path[0][1:]
            return AccountLink(
                "tiktok", "@" + name, f"tiktok:{name.lower()}", f"https://www.tiktok.com/@{name}"
            )
        return None
    return _blog(host, path)


def _simple(
    platform: str, path: list[str], reserved: frozenset[str], form: str, at: bool = False
) -> AccountLink | None:
    if not path or path[0].lower() in reserved or not HANDLE.fullmatch(path[0].lstrip("@")):
        return None
    name = path[0].lstrip("@")
    handle = ("@" + name) if at or platform == "instagram" else name
    return AccountLink(platform, handle, f"{platform}:{name.lower()}", form.format(name))


def _facebook(path: list[str], query: dict[str, list[str]]) -> AccountLink | None:
    if not path:
        return None
    first = path[0].lower()
    if first == "profile.php" and query.get("id", [""])[0].isdigit():
        number = query["id"][0]
        return AccountLink(
            "facebook",
            number,
            f"facebook:id/{number}",
            f"https://www.facebook.com/profile.php?id={number}",
        )
    if first in ("pages", "people") and len(path) >= 2:  # /pages/Name/123, /people/Name/123
        number = path[-1] if path[-1].isdigit() else ""
        if number:
            return AccountLink(
                "facebook", number, f"facebook:id/{number}", f"https://www.facebook.com/{number}"
            )
        return None
    if first == "groups" and len(path) >= 2 and HANDLE.fullmatch(path[1]):
        return AccountLink(
            "facebook",
            f"groups/{path[1]}",
            f"facebook:groups/{path[1].lower()}",
            f"https://www.facebook.com/groups/{path[1]}",
        )
    if first in FACEBOOK_NOT_ACCOUNTS or not HANDLE.fullmatch(path[0]):
        return None
    if path[0].isdigit():
        return AccountLink(
            "facebook", path[0], f"facebook:id/{path[0]}", f"https://www.facebook.com/{path[0]}"
        )
    name = path[0]
    return AccountLink(
        "facebook", name, f"facebook:{name.lower()}", f"https://www.facebook.com/{name}"
    )


def _youtube(path: list[str]) -> AccountLink | None:
    if not path or path[0].lower() in YOUTUBE_NOT_ACCOUNTS:
        return None
    first = path[0]
    if first.startswith("@") and HANDLE.fullmatch(first[1:]):
        return AccountLink(
            "youtube", first, f"youtube:{first.lower()}", f"https://www.youtube.com/{first}"
        )
    if first == "channel" and len(path) >= 2 and YOUTUBE_ID.fullmatch(path[1]):
        return AccountLink(
            "youtube",
            path[1],
            f"youtube:channel/{path[1]}",
            f"https://www.youtube.com/channel/{path[1]}",
        )
    if first in ("c", "user") and len(path) >= 2 and HANDLE.fullmatch(path[1]):
        return AccountLink(
            "youtube",
            path[1],
            f"youtube:{first}/{path[1].lower()}",
            f"https://www.youtube.com/{first}/{path[1]}",
        )
    return None


def _blog(host: str, path: list[str]) -> AccountLink | None:
    spot = re.fullmatch(r"([a-z0-9-]+)\.blogspot\.[a-z.]+", host)
    if spot:  # country domains (.ca, .co.uk) are the same blog
        site = f"{spot.group(1)}.blogspot.com"
        return AccountLink("blogger", site, f"blogger:{site}", f"https://{site}/")
    for domain, platform in BLOG_HOSTS.items():
        if host.endswith("." + domain) and not host.startswith("www."):
            return AccountLink(platform, host, f"{platform}:{host}", f"https://{host}/")
    if host == "medium.com" and path and path[0].startswith("@"):
        name = path[0].lower()
        return AccountLink(
            "blog",
            f"medium.com/{path[0]}",
            f"blog:medium.com/{name}",
            f"https://medium.com/{path[0]}",
        )
    return None


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("a", "link", "area") and len(self.hrefs) < MAX_LINKS:
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href.strip())


def page_links(html: str, base_url: str) -> list[str]:
    """Every ``href`` on the page (``a``, ``area``, ``link``), made absolute, in order."""
    parser = _Anchors()
    parser.feed(html)
    parser.close()
    return [urljoin(base_url, href) for href in parser.hrefs]


def account_links(html: str, base_url: str) -> list[AccountLink]:
    """The accounts a page links to, one per identity, in the order first linked."""
    found: dict[str, AccountLink] = {}
    for url in page_links(html, base_url):
        link = account_link(url)
        if link is not None:
            found.setdefault(link.key, link)
    return list(found.values())


def registered_keys(platform: str, handle: str, external_id: str, website: str = "") -> set[str]:
    """The identities a registered account answers to (its handle, its id, its address)."""
    keys: set[str] = set()
    name = handle.strip().lstrip("@")
    if platform in ("instagram", "x", "tiktok") and name:
        keys.add(f"{platform}:{name.lower()}")
    elif platform == "facebook":
        if name and not name.isdigit():
            keys.add(f"facebook:{name.lower()}")
        for value in (external_id, name):
            if value.isdigit():
                keys.add(f"facebook:id/{value}")
    elif platform == "youtube":
        if name:
            keys.add(f"youtube:@{name.lower()}")
        if YOUTUBE_ID.fullmatch(external_id):
            keys.add(f"youtube:channel/{external_id}")
    for address in (external_id, website):
        link = account_link(address) if address.startswith(("http://", "https://")) else None
        if link is not None:
            keys.add(link.key)
        elif platform in ("wordpress", "blogger") and address.startswith(("http://", "https://")):
            host, _, _ = _host(address)
            keys.add(f"{platform}:{host}")
    return keys
