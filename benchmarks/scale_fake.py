"""A synthetic district served through the real connectors: fake platform APIs in-process.

Four platforms answer here, each in the shape of its documented responses (the same
shapes as ``tests/support/connector_cases``): the Graph API for Facebook Pages and Instagram, X API
v2 and the YouTube Data API v3. Account ``i`` of a platform has an external id that encodes
``i`` (:func:`external_id`), so any process can answer for any account without shared state.

- Cycle 1 serves each account's history: ``posts`` posts, ``comments_per_account``
  comments in all, every ``flag_every``-th comment one the detectors flag.
- From cycle 2 on, every ``change_every``-th account has one new post per cycle with
  ``new_comments`` new comments (one of them a media inquiry, delivered at once); the rest
  serve exactly what they served before, so a poll of them should cost the API floor.

The transports are injected into the connectors (a ``requests.Session`` whose adapter
answers, and an ``httplib2``-like object for Google's client). Each request sleeps the
configured latency (``time.sleep`` releases the GIL, so a worker's threads overlap) and is
counted in a :class:`Ledger`, in Redis when the benchmark runs worker processes.

A worker process builds them from the environment through :func:`transports`, named by
``HALLWATCH_CONNECTOR_TRANSPORT=benchmarks.scale_fake:transports`` (a benchmark and test
hook; see ``monitor/worker.py``).
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httplib2
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

PLATFORMS = ("facebook", "instagram", "x", "youtube")
STREAMS = {"facebook": 2, "instagram": 2, "x": 3, "youtube": 4}  # that can change, per poll
DISTRICT = "Riverside Elementary, Fraser Valley School District"
WEBSITE = "https://riverside.fvsd.example.ca"
BENIGN = (
    "Great work everyone, see you at the concert!",
    "Thanks for the update, looking forward to sports day on Friday.",
    "Is the library open during the break? My kids love the new books.",
    "What a lovely photo of the garden project, well done to the grade 4 class.",
    "Will the bus schedule change next week because of the snow?",
)
FLAGGED = (
    "This teacher is a complete idiot and a loser",
    "Hi, I am a reporter with the Valley News. Could someone from the school comment for "
    "our story?",
)
INQUIRY = FLAGGED[1]


def external_id(platform: str, index: int) -> str:
    """The account's platform id; the index is recoverable from it."""
    return {
        "facebook": f"1041{index:09d}",
        "instagram": f"1784{index:011d}",
        "x": f"9{index:011d}",
        "youtube": f"UC{index:022d}",
    }[platform]


def index_of(platform: str, ident: str) -> int:
    return int(ident[2:] if platform == "youtube" else ident[4:] if platform != "x" else ident[1:])


@dataclass(frozen=True)
class World:
    """What the synthetic district holds; the same in every process (from the environment)."""

    t0: float  # Unix time the history is relative to (cycle 1 starts after it)
    comments_per_account: int = 400
    change_every: int = 5
    new_comments: int = 10
    flag_every: int = 200
    latency: float = 0.1

    @property
    def posts(self) -> int:
        return max(1, min(25, -(-self.comments_per_account // 50)))

    def changes(self, index: int) -> bool:
        return index % self.change_every == 0

    def history(self, index: int) -> list[dict[str, Any]]:
        """Posts newest first, each with its comments newest first (all older than 4 days)."""
        start = self.t0 - 10 * 86400
        per_post = -(-self.comments_per_account // self.posts)
        out, left = [], self.comments_per_account
        for j in range(self.posts):
            n, left = min(per_post, left), left - min(per_post, left)
            created = start + j * 3600
            comments = [
                {
                    "n": j * 1000 + k,
                    "at": created + 60 * (k + 1),
                    "text": self._text(index, j * per_post + k),
                }
                for k in range(n)
            ]
            out.append({"n": j, "at": created, "text": f"Post {j}: {DISTRICT} news", "c": comments})
        return out[::-1]

    def _text(self, index: int, k: int) -> str:
        seq = index * self.comments_per_account + k
        if self.flag_every and seq % self.flag_every == self.flag_every - 1:
            return FLAGGED[(seq // self.flag_every) % len(FLAGGED)]
        return BENIGN[seq % len(BENIGN)]

    def content(self, index: int, cycle: int, starts: list[float]) -> list[dict[str, Any]]:
        """Everything the account shows during ``cycle``, newest post first."""
        posts = self.history(index)
        if not self.changes(index):
            return posts
        for m in range(2, cycle + 1):
            created = starts[m - 1] - 30
            comments = [
                {
                    "n": 100_000 * m + k,
                    "at": created + 1 + k * 0.5,
                    "text": INQUIRY if k == 0 else BENIGN[k % len(BENIGN)],
                }
                for k in range(self.new_comments)
            ]
            posts.insert(
                0, {"n": 1000 * m, "at": created, "text": f"Cycle {m} news", "c": comments}
            )
        return posts

    @classmethod
    def from_env(cls, environ: Any = os.environ) -> World:
        return cls(
            t0=float(environ["HALLWATCH_SCALE_T0"]),
            comments_per_account=int(environ.get("HALLWATCH_SCALE_COMMENTS", 400)),
            change_every=int(environ.get("HALLWATCH_SCALE_CHANGE_EVERY", 5)),
            new_comments=int(environ.get("HALLWATCH_SCALE_NEW_COMMENTS", 10)),
            flag_every=int(environ.get("HALLWATCH_SCALE_FLAG_EVERY", 200)),
            latency=float(environ.get("HALLWATCH_SCALE_LATENCY_MS", 100)) / 1000,
        )


# --- counting ------------------------------------------------------------------------------


class Ledger:
    """The current cycle, and requests counted per (cycle, platform, account); in memory."""

    def __init__(self) -> None:
        self.cycle, self.starts = 1, [time.time()]
        self.counts: dict[tuple[int, str, int], int] = {}
        self._lock = threading.Lock()

    def begin(self, cycle: int, start: float) -> None:
        self.cycle, self.starts = cycle, [*self.starts[: cycle - 1], start]

    def state(self) -> tuple[int, list[float]]:
        return self.cycle, self.starts

    def count(self, platform: str, index: int, cpu: float) -> None:
        with self._lock:
            key = (self.cycle, platform, index)
            self.counts[key] = self.counts.get(key, 0) + 1


class RedisLedger(Ledger):
    """The same, shared by every process through Redis (``scale:*`` keys)."""

    def __init__(self, url: str) -> None:
        import redis

        super().__init__()
        self.client = redis.Redis.from_url(url)
        self._cached: tuple[float, int, list[float]] = (0.0, 1, [])

    def begin(self, cycle: int, start: float) -> None:
        starts = [*self.state()[1][: cycle - 1], start]
        self.client.set("scale:cycle", json.dumps({"cycle": cycle, "starts": starts}))

    def state(self) -> tuple[int, list[float]]:
        at, cycle, starts = self._cached
        if time.monotonic() - at > 0.5:
            raw = self.client.get("scale:cycle")
            data = json.loads(raw) if raw else {"cycle": 1, "starts": [time.time()]}
            cycle, starts = data["cycle"], data["starts"]
            self._cached = (time.monotonic(), cycle, starts)
        return cycle, starts

    def count(self, platform: str, index: int, cpu: float) -> None:
        cycle = self.state()[0]
        pipe = self.client.pipeline(transaction=False)
        pipe.hincrby(f"scale:requests:{cycle}", f"{platform}:{index}", 1)
        pipe.hsetnx(f"scale:first:{cycle}", f"{platform}:{index}", time.time())
        pipe.hincrbyfloat("scale:fake_cpu", str(os.getpid()), cpu)
        pipe.execute()

    def requests(self, cycle: int) -> dict[tuple[str, int], int]:
        """Requests per (platform, account index) in ``cycle``."""
        return {k: int(v) for k, v in self._hash(f"scale:requests:{cycle}").items()}

    def first_request(self, cycle: int) -> dict[tuple[str, int], float]:
        """When each account's poll made its first request in ``cycle`` (Unix time)."""
        return {k: float(v) for k, v in self._hash(f"scale:first:{cycle}").items()}

    def _hash(self, key: str) -> dict[tuple[str, int], bytes]:
        out = {}
        for field, value in self.client.hgetall(key).items():
            platform, index = field.decode().split(":")
            out[(platform, int(index))] = value
        return out


# --- the platforms -------------------------------------------------------------------------


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _tweet_id(user: str, post: dict[str, Any], comment: dict[str, Any] | None = None) -> str:
    """Numeric ids that grow with time: the user's block, the post's slot, the reply."""
    slot = post["n"] if post["n"] < 1000 else 100 + post["n"] // 1000
    reply = 0 if comment is None else 1 + comment["n"] % 1000
    return str(int(user) * 10**7 + slot * 10**4 + reply)


def _z(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z")


class Platforms:
    """Answers a request (platform, path, params) from the world: (status, body)."""

    def __init__(self, world: World, ledger: Ledger) -> None:
        self.world, self.ledger = world, ledger

    def answer(self, host: str, path: str, params: dict[str, str]) -> tuple[str, int, Any]:
        if host == "graph.facebook.com":
            return self._graph(path.split("/")[2:], params)
        if host == "api.twitter.com":
            return self._x(path.split("/")[2:], params)
        if host == "youtube.googleapis.com":
            return self._youtube(path.rsplit("/", 1)[-1], params)
        raise AssertionError(f"no fake API at {host}")

    def _posts(self, platform: str, ident: str) -> tuple[int, list[dict[str, Any]]]:
        index = index_of(platform, ident)
        cycle, starts = self.ledger.state()
        return index, self.world.content(index, cycle, starts)

    # Graph API: GET /{id} and /{id}/posts (Pages), /{id}/media (Instagram)
    def _graph(self, parts: list[str], params: dict[str, str]) -> tuple[str, int, Any]:
        node = parts[0]
        platform = "facebook" if node.startswith("1041") else "instagram"
        index, posts = self._posts(platform, node)
        if len(parts) == 1:
            return platform, index, self._graph_profile(platform, node, index)
        since = float(params.get("since", 0))
        data = [self._graph_post(platform, node, p) for p in posts if p["at"] >= since]
        return platform, index, {"data": data, "paging": {"cursors": {"after": "QVFIUmZAfter"}}}

    def _graph_profile(self, platform: str, node: str, index: int) -> dict[str, Any]:
        name = f"Riverside class {index}"
        if platform == "facebook":
            return {
                "id": node,
                "name": name,
                "username": f"riverside{index}",
                "about": DISTRICT,
                "website": WEBSITE,
                "emails": [f"office{index}@fvsd.example.ca"],
                "is_published": True,
                "link": f"https://www.facebook.com/riverside{index}",
            }
        return {
            "id": node,
            "username": f"riverside{index}",
            "name": name,
            "biography": DISTRICT,
            "website": WEBSITE,
            "media": {"data": [{"is_comment_enabled": True, "id": "1"}]},
        }

    def _graph_post(self, platform: str, node: str, post: dict[str, Any]) -> dict[str, Any]:
        pid = f"{node}_{post['n']}"
        if platform == "facebook":
            comments = [
                {
                    "id": f"{pid}_{c['n']}",
                    "message": c["text"],
                    "from": {"name": "Jordan Lee", "id": "6241187735911"},
                    "created_time": _iso(c["at"]),
                    "is_hidden": False,
                    "can_hide": True,
                    "permalink_url": f"https://www.facebook.com/{pid}?comment_id={c['n']}",
                }
                for c in post["c"][::-1]
            ]
            return {
                "id": pid,
                "message": post["text"],
                "created_time": _iso(post["at"]),
                "permalink_url": f"https://www.facebook.com/{pid}",
                "comments": {"data": comments, "paging": {"cursors": {"after": "QzFhZAfter"}}},
            }
        comments = [
            {
                "id": f"{pid}_{c['n']}",
                "text": c["text"],
                "timestamp": _iso(c["at"]),
                "username": "parent.jordan",
                "hidden": False,
                "from": {"id": "17841455555", "username": "parent.jordan"},
            }
            for c in post["c"][::-1]
        ]
        return {
            "id": pid,
            "caption": post["text"],
            "timestamp": _iso(post["at"]),
            "permalink": f"https://www.instagram.com/p/{pid}/",
            "media_type": "VIDEO",
            "media_url": "",
            "is_comment_enabled": True,
            "comments_count": len(comments),
            "comments": {"data": comments, "paging": {"cursors": {"after": "QzFhZAfter"}}},
        }

    # X API v2: GET /2/users/:id, /2/users/:id/tweets, /2/users/:id/mentions
    def _x(self, parts: list[str], params: dict[str, str]) -> tuple[str, int, Any]:
        user = parts[1]
        index, posts = self._posts("x", user)
        if len(parts) == 2:
            return "x", index, {"data": self._x_user(user, index)}
        if parts[2] == "tweets":
            items = [
                {
                    "id": _tweet_id(user, p),
                    "text": p["text"],
                    "created_at": _z(p["at"]),
                    "conversation_id": _tweet_id(user, p),
                    "reply_settings": "everyone",
                }
                for p in posts
            ]
        else:
            items = [
                {
                    "id": _tweet_id(user, p, c),
                    "text": f"@riverside{index} {c['text']}",
                    "created_at": _z(c["at"]),
                    "author_id": "2244994945",
                    "conversation_id": _tweet_id(user, p),
                    "in_reply_to_user_id": user,
                    "referenced_tweets": [{"type": "replied_to", "id": _tweet_id(user, p)}],
                }
                for p in posts
                for c in p["c"]
            ]
            items.sort(key=lambda t: int(t["id"]), reverse=True)
        return "x", index, self._x_page(items, params, parts[2] == "mentions")

    def _x_user(self, user: str, index: int) -> dict[str, Any]:
        return {
            "id": user,
            "name": f"Riverside class {index}",
            "username": f"riverside{index}",
            "protected": False,
            "description": DISTRICT,
            "url": WEBSITE,
        }

    def _x_page(self, items: list[dict[str, Any]], params: dict[str, str], users: bool) -> Any:
        since = int(params.get("since_id") or 0)
        items = [t for t in items if int(t["id"]) > since]
        start = int(params.get("pagination_token", "0") or 0)
        size = int(params.get("max_results", 100))
        page = items[start : start + size]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if start + size < len(items):
            meta["next_token"] = str(start + size)
        body: dict[str, Any] = {"meta": meta}
        if page:
            body["data"] = page
            if users:
                body["includes"] = {
                    "users": [{"id": "2244994945", "name": "Jordan Lee", "username": "jlee"}]
                }
        return body

    # YouTube Data API v3
    def _youtube(self, method: str, params: dict[str, str]) -> tuple[str, int, Any]:
        channel = (
            params.get("id")
            or params.get("allThreadsRelatedToChannelId")
            or "UC" + params.get("playlistId", "UU")[2:]
        )
        if method == "videos":  # ids are <channel>-<n>
            channel = params["id"].split(",")[0].split("-")[0]
        index, posts = self._posts("youtube", channel)
        if method == "channels":
            return "youtube", index, {"items": [self._yt_channel(channel, index)]}
        if method == "playlistItems":
            items = [
                {
                    "id": f"PLI{channel}-{p['n']}",
                    "snippet": {"publishedAt": _z(p["at"]), "title": p["text"]},
                    "contentDetails": {"videoId": f"{channel}-{p['n']}"},
                    "status": {"privacyStatus": "public"},
                }
                for p in posts
            ]
            return "youtube", index, self._yt_page(items, params, 50)
        if method == "videos":
            wanted = set(params["id"].split(","))
            items = [
                {
                    "id": f"{channel}-{p['n']}",
                    "snippet": {"publishedAt": _z(p["at"]), "title": p["text"], "description": ""},
                    "status": {"privacyStatus": "public"},
                }
                for p in posts
                if f"{channel}-{p['n']}" in wanted
            ]
            return "youtube", index, {"items": items}
        if params.get("moderationStatus") == "heldForReview":
            return "youtube", index, {"items": []}
        threads = [
            self._yt_thread(channel, p, c)
            for p in posts
            for c in sorted(p["c"], key=lambda c: -c["at"])
        ]
        threads.sort(key=lambda t: t["snippet"]["topLevelComment"]["snippet"]["publishedAt"])
        return "youtube", index, self._yt_page(threads[::-1], params, 100)

    def _yt_channel(self, channel: str, index: int) -> dict[str, Any]:
        return {
            "id": channel,
            "snippet": {
                "title": f"Riverside class {index}",
                "description": f"{DISTRICT}. {WEBSITE}",
                "customUrl": f"@riverside{index}",
            },
            "status": {"privacyStatus": "public", "madeForKids": False},
            "contentDetails": {"relatedPlaylists": {"uploads": "UU" + channel[2:]}},
        }

    def _yt_thread(self, channel: str, post: dict[str, Any], c: dict[str, Any]) -> dict[str, Any]:
        video, cid = f"{channel}-{post['n']}", f"Ug{channel[2:]}x{c['n']}"
        snippet = {
            "videoId": video,
            "textDisplay": c["text"],
            "textOriginal": c["text"],
            "authorDisplayName": "Jordan Lee",
            "authorChannelId": {"value": "UCparent000000000000000"},
            "publishedAt": _z(c["at"]),
            "updatedAt": _z(c["at"]),
        }
        return {
            "id": cid,
            "snippet": {
                "channelId": channel,
                "videoId": video,
                "topLevelComment": {"id": cid, "snippet": snippet},
                "totalReplyCount": 0,
                "canReply": True,
                "isPublic": True,
            },
        }

    def _yt_page(self, items: list[Any], params: dict[str, str], size: int) -> Any:
        start = int(params.get("pageToken", "0") or 0)
        body: dict[str, Any] = {"items": items[start : start + size]}
        if start + size < len(items):
            body["nextPageToken"] = str(start + size)
        return body

    def serve(self, url: str) -> bytes:
        """Answer ``url`` after the latency; count it against its account."""
        began = time.process_time()
        parts = urlsplit(url)
        platform, index, body = self.answer(
            parts.hostname or "", parts.path, dict(parse_qsl(parts.query))
        )
        data = json.dumps(body).encode()
        self.ledger.count(platform, index, time.process_time() - began)
        time.sleep(self.world.latency)
        return data


# --- the transports ------------------------------------------------------------------------


class _Adapter(BaseAdapter):
    def __init__(self, platforms: Platforms) -> None:
        super().__init__()
        self.platforms = platforms

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        response = requests.Response()
        response.status_code, response.reason = 200, "OK"
        response._content = self.platforms.serve(str(request.url))
        response.headers = CaseInsensitiveDict({"Content-Type": "application/json; charset=UTF-8"})
        response.url, response.request, response.encoding = str(request.url), request, "utf-8"
        return response

    def close(self) -> None:
        pass


class FakeSession(requests.Session):
    """A ``requests.Session`` whose every https request the fake platforms answer."""

    def __init__(self, platforms: Platforms) -> None:
        super().__init__()
        self.mount("https://", _Adapter(platforms))


class FakeHttp:
    """An ``httplib2.Http`` stand-in for Google's client."""

    def __init__(self, platforms: Platforms) -> None:
        self.platforms = platforms

    def request(
        self,
        uri: str,
        method: str = "GET",
        body: Any = None,
        headers: Any = None,
        redirections: int = 5,
        connection_type: Any = None,
    ) -> tuple[Any, bytes]:
        data = self.platforms.serve(uri)
        return httplib2.Response({"status": "200", "content-type": "application/json"}), data


def build(world: World, ledger: Ledger) -> dict[str, Any]:
    """Transports by connector name, as ``App.transports`` takes them."""
    platforms = Platforms(world, ledger)
    session = FakeSession(platforms)
    return {"facebook": session, "instagram": session, "x": session, "youtube": FakeHttp(platforms)}


def transports() -> dict[str, Any]:
    """The worker hook: the world and a Redis ledger from ``HALLWATCH_SCALE_*``."""
    return build(World.from_env(), RedisLedger(os.environ["HALLWATCH_SCALE_REDIS"]))


def credentials(platform: str) -> dict[str, str]:
    """Credentials each connector accepts (never checked by the fake APIs)."""
    if platform == "youtube":
        return {
            "token": "ya29.fake",
            "refresh_token": "1//fake",
            "client_id": "c",
            "client_secret": "s",
        }
    if platform == "x":
        return {"bearer_token": "AAAAfake"}
    return {"access_token": "EAAfake"}


__all__ = ["PLATFORMS", "STREAMS", "World", "build", "credentials", "external_id", "transports"]
