"""The X connector: X API v2 through tweepy's ``Client``.

One poll reads three streams; each costs one request when nothing changed:

* the profile, ``GET /2/users/:id``: ``protected`` true means the account is private;
* the account's posts, ``GET /2/users/:id/tweets`` since the newest post seen;
* replies to the account, ``GET /2/users/:id/mentions`` since the newest mention seen. A
  mention in a conversation the account started, or answering one of its posts, is a
  comment on that conversation's first post.

When one of the account's new posts answers a comment seen in an earlier poll, one more
request (``GET /2/tweets?ids=``) re-reads those comments so they come back marked replied.
X has no switch that turns replies off for a whole account (only per post), so
``Profile.comments_enabled`` is None, and the API does not say whether a reply was hidden:
every reply comes back with ``hidden`` None (unknown), never False, so a reply Hallwatch
hid is not reported as shown again.

A 429 whose body is the ``usage-capped`` problem is the plan's monthly cap, not a
15-minute window: it becomes :class:`~connectors.errors.UsageCapped` with the time the cap
resets, read from ``GET /2/usage/tweets`` (``cap_reset_day``) when an app bearer token is
at hand, else a re-check a day later.

The cursor, JSON-serialisable::

    {"tweets": {"since_id": "...", "until_id": "...", "pending_since": "..."},
     "mentions": {...same keys...}, "post_ids": ["newest post ids", ...]}

``until_id``/``pending_since`` appear only when a stream had more than ``MAX_PAGES`` pages:
the next poll reads the older rest (below ``until_id``), then moves on from ``pending_since``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

import requests
import tweepy

from connectors.base import Connector, Quota
from connectors.errors import ConfigurationError, ConnectorError, PermanentError, UsageCapped
from connectors.http import error_for_status, network_error, session_with_timeout
from connectors.kit import UTC_CLOCK, Collector, Malformed, label_of
from connectors.links import AccountLink, SearchHit
from connectors.records import AccountRef, Comment, Media, Post, Profile, Snapshot, utc

log = logging.getLogger(__name__)

PLATFORM = "x"
WEB = "https://x.com"
MAX_PAGES = 10
PAGE_SIZE = 100
KEEP_POST_IDS = 300
OAUTH1_KEYS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
STREAM_KEYS = ("since_id", "until_id", "pending_since")
HOW_TO_SET = "set them with `hallwatch accounts credentials ACCOUNT`"
PROFILE_FIELDS = ["protected", "description", "url", "name", "username", "entities"]
TWEET_FIELDS = [
    "created_at",
    "conversation_id",
    "in_reply_to_user_id",
    "referenced_tweets",
    "attachments",
    "reply_settings",
]
POST_PARAMS: dict[str, Any] = {
    "tweet_fields": TWEET_FIELDS,
    "expansions": ["attachments.media_keys"],
    "media_fields": ["alt_text", "type", "url", "preview_image_url"],
}
REPLY_PARAMS: dict[str, Any] = {
    "tweet_fields": [*TWEET_FIELDS, "author_id"],
    "expansions": ["author_id"],
    "user_fields": ["username", "name"],
}
ACCESS_LEVEL = (
    "x: the X API refused this app (403 client-not-enrolled): reading an account's posts and "
    "mentions needs a paid X API access level, Basic or higher (or pay-per-use credits); the "
    "Free level cannot. Attach the app to a Project and change its access level in the X "
    "Developer Console (console.x.com, Projects & Apps / Products)"
)
USER_CONTEXT = (
    "needs the account's own user-context keys (consumer_key, consumer_secret, access_token, "
    f"access_token_secret); {HOW_TO_SET}"
)
USAGE_CAPPED = "usage-capped"
USAGE_ROUTE = "/2/usage/tweets"
RECHECK = timedelta(days=1)  # when X does not say when the cap resets
RAISE_PLAN = (
    "or raise the plan (or buy credits) in the X Developer Console (console.x.com, "
    "Projects & Apps / Products)"
)
Mode = Literal["app", "oauth1", "oauth2"]
MEDIA_KINDS: Mapping[str, Literal["photo", "video", "other"]] = {
    "photo": "photo",
    "video": "video",
    "animated_gif": "video",
}


class _Quiet(logging.Filter):
    """Keeps tokens out of the SDKs' debug logs (tweepy logs the Authorization header)."""

    BEARER = re.compile(r"Bearer [^'\"\s,}]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith(("oauthlib", "requests_oauthlib")):
            return record.levelno > logging.DEBUG  # signing logs carry the OAuth 1.0a keys
        message = record.getMessage()
        if "Bearer " in message:
            record.msg, record.args = self.BEARER.sub("Bearer ***", message), None
        return True


SDK_LOGGERS = (
    "tweepy.client",
    "requests_oauthlib.oauth1_auth",
    "oauthlib.oauth1.rfc5849",
    "oauthlib.oauth1.rfc5849.signature",
)
for _name in SDK_LOGGERS:
    _logger = logging.getLogger(_name)
    if not any(isinstance(f, _Quiet) for f in _logger.filters):
        _logger.addFilter(_Quiet())


def _missing(keys: list[str], why: str) -> ConfigurationError:
    return ConfigurationError(
        f"x: missing credential key(s) {', '.join(keys)} ({why}); {HOW_TO_SET}",
        platform=PLATFORM,
        code="missing-credentials",
    )


def _auth(credentials: Mapping[str, Any]) -> tuple[Mode, dict[str, str | None]]:
    """Pick the authentication from the keys given; tweepy's ``user_auth=True`` is OAuth 1.0a."""
    given = {k: v for k, v in credentials.items() if isinstance(v, str) and v.strip()}
    if any(k in given for k in OAUTH1_KEYS if k != "access_token"):
        missing = [k for k in OAUTH1_KEYS if k not in given]
        if missing:
            raise _missing(missing, "OAuth 1.0a user context needs all four keys")
        return "oauth1", {
            "bearer_token": given.get("bearer_token"),
            **{k: given[k] for k in OAUTH1_KEYS},
        }
    if "access_token" in given:  # alone: an OAuth 2.0 user access token, sent as a bearer
        return "oauth2", {"bearer_token": given["access_token"]}
    if "bearer_token" in given:
        return "app", {"bearer_token": given["bearer_token"]}
    raise _missing(["bearer_token"], "or the user-context keys")


def _title(body: Mapping[str, Any], fallback: str) -> str:
    errors = body.get("errors")
    first = errors[0] if isinstance(errors, list) and errors else {}
    title = body.get("title") or (first.get("title") if isinstance(first, dict) else None)
    return str(title or fallback)[:80]


def _kind(problem: Mapping[str, Any]) -> str:
    return str(problem.get("type") or "").rsplit("/problems/", 1)[-1]


def _forbidden(problem: Mapping[str, Any], title: str) -> ConfigurationError:
    kind = _kind(problem)
    if problem.get("reason") == "client-not-enrolled":
        return ConfigurationError(ACCESS_LEVEL, platform=PLATFORM, code="client-not-enrolled")
    if kind == "unsupported-authentication":
        message = f"x: this call {USER_CONTEXT}"
    elif kind == "oauth1-permissions":
        message = (
            "x: the app's permission is Read only; set it to Read and write under the app's "
            "User authentication settings, then regenerate the access token and secret"
        )
    else:
        message = (
            f"x: forbidden (403 {title}); check the app's access level and permissions "
            "(OAuth 2.0 scopes tweet.read users.read tweet.moderate.write)"
        )
    return ConfigurationError(message, platform=PLATFORM, code=kind or "forbidden")


def _mapped(exc: tweepy.HTTPException, now: datetime) -> ConnectorError:
    """The taxonomy error for a failed X API call, from the status and the problem body."""
    response = exc.response
    try:
        problem = response.json()
    except ValueError:
        problem = None
    problem = problem if isinstance(problem, dict) else {}
    status, title = response.status_code, _title(problem, response.reason or "error")
    if status == 403:
        return _forbidden(problem, title)
    if status == 401:
        message = f"x: the credentials were rejected (401 {title}); reconnect: {HOW_TO_SET}"
    elif status == 429 and _kind(problem) == USAGE_CAPPED:
        return _capped(problem, now, None)
    elif status == 429:
        message = f"x: rate limited (429 {title})"
    else:
        message = f"x: request failed ({status} {title})"
    headers = dict(response.headers)
    return error_for_status(status, message, platform=PLATFORM, headers=headers, now=now)


def _word(problem: Mapping[str, Any], key: str) -> str:
    value = problem.get(key)
    return value if isinstance(value, str) and value.isascii() and value.isalpha() else ""


def _capped(problem: Mapping[str, Any], now: datetime, reset_day: int | None) -> UsageCapped:
    """The ``UsageCapExceededProblem`` (``period`` Daily or Monthly, ``scope`` Account or
    Product) as :class:`UsageCapped`; ``reset_day`` is ``cap_reset_day`` when known."""
    period, scope = _word(problem, "period"), _word(problem, "scope")
    detail = problem.get("detail")
    which = f"{period.lower() or 'usage'} {scope.lower() or 'plan'} cap".strip()
    if reset_day is not None:
        resets, exact = UTC_CLOCK.next_reset_day(now, reset_day), True
        when = f"it resets on {resets:%Y-%m-%d} (day {reset_day} of the plan's month, UTC)"
    elif period == "Daily":
        resets, exact = UTC_CLOCK.next_midnight(now), False
        when = "it resets within a day; Hallwatch tries again at midnight UTC"
    else:
        resets, exact = utc(now) + RECHECK, False
        when = "X did not say when it resets; Hallwatch tries again once a day"
    return UsageCapped(
        f"x: the X API plan's {which} is used up (429 {USAGE_CAPPED}): X refuses every "
        f"read until the cap resets; {when}. Wait for it, {RAISE_PLAN}",
        resets_at=resets,
        exact=exact,
        period=period,
        scope=scope,
        detail=detail if isinstance(detail, str) else "",
        platform=PLATFORM,
    )


def _reset_day(body: Any) -> int | None:
    """``data.cap_reset_day`` of ``GET /2/usage/tweets`` (a day of the month), or None."""
    data = body.get("data") if isinstance(body, dict) else None
    day = data.get("cap_reset_day") if isinstance(data, dict) else None
    if isinstance(day, str) and day.isdigit():
        day = int(day)
    return day if isinstance(day, int) and not isinstance(day, bool) and 1 <= day <= 31 else None


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _obj(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    return value if isinstance(value, str) else ""


def _ident(raw: Any) -> str:
    value = raw.get("id") if isinstance(raw, dict) else None
    if not isinstance(value, str) or not value.isdigit():
        raise Malformed("no id")
    return value


def _when(raw: Mapping[str, Any]) -> datetime:
    value = raw.get("created_at")
    if not isinstance(value, str):
        raise Malformed("no created_at")
    try:
        return utc(datetime.fromisoformat(value))
    except ValueError:
        raise Malformed("created_at is not an ISO 8601 time with a zone") from None


def _by_key(values: Any, key: str) -> dict[str, Mapping[str, Any]]:
    return {
        v[key]: v for v in _items(values) if isinstance(v, dict) and isinstance(v.get(key), str)
    }


def _status_url(username: str, tweet_id: str) -> str:
    return f"{WEB}/{username}/status/{tweet_id}" if username else f"{WEB}/i/web/status/{tweet_id}"


def _replied_to(tweet: Mapping[str, Any]) -> str | None:
    """The id of the tweet this one replies to: X ids are strings of digits; anything else
    (a mangled payload) is not an id, and sorting by ``int`` would fail on it."""
    for ref in _items(tweet.get("referenced_tweets")):
        if isinstance(ref, dict) and ref.get("type") == "replied_to":
            ident = ref.get("id")
            if isinstance(ident, (str, int)) and str(ident).isascii() and str(ident).isdigit():
                return str(ident)
    return None


def _urls(user: Mapping[str, Any], where: str) -> list[Mapping[str, Any]]:
    section = _obj(_obj(user.get("entities")).get(where))
    return [u for u in _items(section.get("urls")) if isinstance(u, dict)]


def _profile(user: Mapping[str, Any], account: AccountRef) -> Profile:
    """The profile; t.co links in the bio and website are expanded where X gives them."""
    about = _text(user, "description")
    for link in _urls(user, "description"):
        about = about.replace(_text(link, "url") or "\0", _text(link, "expanded_url") or "\0")
    site = [_text(u, "expanded_url") for u in _urls(user, "url") if _text(u, "expanded_url")]
    protected = user.get("protected")
    return Profile(
        external_id=account.external_id,
        handle=_text(user, "username") or account.handle or account.external_id,
        display_name=_text(user, "name"),
        about=about,
        website=site[0] if site else _text(user, "url"),
        visibility="private"
        if protected is True
        else "public"
        if protected is False
        else "unknown",
        comments_enabled=None,
        extra={"protected": protected},
    )


def _media(tweet: Mapping[str, Any], media: Mapping[str, Mapping[str, Any]]) -> tuple[Media, ...]:
    found = []
    for key in _items(_obj(tweet.get("attachments")).get("media_keys")):
        item = media.get(key)
        if item is not None:
            found.append(
                Media(
                    external_id=key,
                    kind=MEDIA_KINDS.get(_text(item, "type"), "other"),
                    url=_text(item, "url") or _text(item, "preview_image_url"),
                    alt_text=_text(item, "alt_text"),
                )
            )
    return tuple(found)


@dataclass(frozen=True)
class _Thread:
    """What decides whether a mention is a comment, and how to fill it."""

    account_id: str
    post_ids: frozenset[str]
    replied: frozenset[str]
    users: Mapping[str, Mapping[str, Any]]


def _comment(tweet: Mapping[str, Any], thread: _Thread) -> Comment | None:
    tweet_id, created = _ident(tweet), _when(tweet)
    conversation, parent = _text(tweet, "conversation_id"), _replied_to(tweet)
    to_account = tweet.get("in_reply_to_user_id") == thread.account_id
    if not (to_account or {conversation, parent} & thread.post_ids):
        return None  # a mention that is not a reply to the account: not a comment
    if not (conversation or parent):
        raise Malformed("a reply without conversation_id")
    author_id = _text(tweet, "author_id")
    user = thread.users.get(author_id, {})
    name, username = _text(user, "name"), _text(user, "username")
    return Comment(
        external_id=tweet_id,
        post_external_id=conversation or str(parent),
        created_at=created,
        text=_text(tweet, "text"),
        author_name=f"{name} (@{username})" if name and username else name or username,
        author_id=author_id,
        url=_status_url(username, tweet_id),
        by_account=author_id == thread.account_id,
        replied_by_account=tweet_id in thread.replied,
        parent_external_id=parent if parent and parent != conversation else None,
        hidden=None,  # X never says whether a reply is hidden
    )


def _user_problem(body: Mapping[str, Any]) -> None:
    """Raise for a 200 whose only content is an error about the user itself."""
    if body.get("data") is not None:
        return
    for err in _items(body.get("errors")):
        if not isinstance(err, dict) or err.get("resource_type") != "user":
            continue
        if _kind(err) == "not-authorized-for-resource":
            raise ConfigurationError(
                f"x: the account is protected; reading it {USER_CONTEXT}",
                platform=PLATFORM,
                code="not-authorized-for-resource",
            )
        raise PermanentError(
            f"x: the account cannot be read ({_title(err, 'error')}); check its user id, "
            "or whether it was suspended or deleted",
            platform=PLATFORM,
            code=_kind(err) or "not-found",
        )


def _stream_state(raw: Any, stream: str) -> dict[str, str]:
    if raw is None:
        return {}
    ok = isinstance(raw, Mapping) and set(raw) <= set(STREAM_KEYS)
    if ok and all(isinstance(v, str) and v.isdigit() for v in raw.values()):
        return dict(raw)
    log.warning("x: ignoring an invalid %s cursor; reading that stream from the start", stream)
    return {}


def _label(kind: str) -> Callable[[Any, int], str]:
    return lambda raw, index: label_of(raw, f"{kind}[{index}]", 40)


class _LastAnswer:
    """The session tweepy is given: it remembers the status and headers of the last answer."""

    def __init__(self, session: requests.Session) -> None:
        self._session = session
        self.status: int | None = None
        self.headers: dict[str, str] = {}

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        self.status, self.headers = None, {}
        response = self._session.request(method, url, **kwargs)
        self.status, self.headers = response.status_code, dict(response.headers)
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


class XConnector(Connector):
    """Polls one X account through the X API v2 (tweepy ``Client``).

    Credentials (give one set; ``hallwatch accounts credentials ACCOUNT`` stores them):

    * ``bearer_token``: the app's bearer token (app-only); reads public accounts.
    * ``consumer_key``, ``consumer_secret``, ``access_token``, ``access_token_secret``:
      OAuth 1.0a user context of the account itself (the app's API key and secret plus the
      account's access token and secret); needed to hide replies and to read a protected
      account. tweepy's ``user_auth=True`` means exactly this OAuth 1.0a set.
    * ``access_token`` alone: an OAuth 2.0 user access token (scopes ``tweet.read
      users.read tweet.moderate.write``), sent as the bearer. It expires after two hours
      and Hallwatch cannot refresh it, so prefer the OAuth 1.0a keys.

    The transport is an injected ``requests.Session``, given a default timeout.
    """

    platform = PLATFORM
    media_hosts = ("twimg.com",)
    display_name = "X"
    can_be_private = True  # User.protected
    can_disable_comments = True  # per post (reply_settings), not for the whole account
    can_hold_comments = False
    can_hide_comments = True
    reports_hidden = False  # the API never says whether a reply is hidden
    quota = Quota(period="month", units=None, clock=UTC_CLOCK)  # the plan's monthly cap

    _built: Any = None
    _mode: Mode = "app"

    def _client(self) -> Any:
        if self._built is None:
            mode, keys = _auth(self.credentials)
            client = tweepy.Client(**keys, return_type=dict, wait_on_rate_limit=False)
            client.session = _LastAnswer(session_with_timeout(self.transport))
            self._built, self._mode = client, mode
        return self._built

    def _call(
        self, poll: Collector | None, method: str, *args: Any, **params: Any
    ) -> dict[str, Any]:
        client = self._client()
        if poll is not None:
            poll.count()
        try:
            body = getattr(client, method)(*args, user_auth=self._mode == "oauth1", **params)
        except tweepy.HTTPException as exc:
            error = _mapped(exc, self.clock())
            if isinstance(error, UsageCapped) and error.period != "Daily":
                error = self._when_cap_resets(poll, exc) or error
            raise error from None
        except requests.RequestException as exc:
            raise network_error(exc, PLATFORM) from None
        except (AttributeError, TypeError, KeyError) as exc:
            # tweepy builds its HTTPException from the error body and breaks on one that is
            # not the documented shape (a list, null, errors that are numbers...).
            answer = client.session
            if not isinstance(answer, _LastAnswer) or answer.status is None:
                raise  # not about an answer: a bug, not a platform error
            message = f"x: HTTP {answer.status} with a malformed error body ({type(exc).__name__})"
            raise error_for_status(
                answer.status, message, platform=PLATFORM, headers=answer.headers, now=self.clock()
            ) from None
        if not isinstance(body, dict):
            raise PermanentError("x: the response is not a JSON object", platform=PLATFORM)
        if body.get("data") is not None and body.get("errors"):
            titles = sorted(
                {_title(e, "error") for e in _items(body["errors"]) if isinstance(e, dict)}
            )
            log.info("x: %s returned %d partial errors (%s)", method, len(body["errors"]), titles)
        return body

    def _when_cap_resets(
        self, poll: Collector | None, exc: tweepy.HTTPException
    ) -> UsageCapped | None:
        """The cap error with its reset time from ``GET /2/usage/tweets`` (one request, with
        the app's bearer token only: X refuses user tokens there); None when unknown."""
        client = self._client()
        if not client.bearer_token or self._mode == "oauth2":
            return None
        if poll is not None:
            poll.count()
        try:
            day = _reset_day(client.request("GET", USAGE_ROUTE).json())
        except (tweepy.HTTPException, requests.RequestException, ValueError) as failed:
            log.info("x: the usage cap's reset day is unknown (%s)", type(failed).__name__)
            return None
        try:
            problem = exc.response.json()
        except ValueError:
            problem = {}
        problem = problem if isinstance(problem, dict) else {}
        return _capped(problem, self.clock(), day) if day is not None else None

    def _user(self, poll: Collector | None, method: str, **params: Any) -> Mapping[str, Any]:
        body = self._call(poll, method, **params)
        _user_problem(body)
        if not isinstance(body.get("data"), dict) or not _text(body["data"], "id"):
            raise PermanentError("x: the response holds no user", platform=PLATFORM)
        return body["data"]

    def _stream(
        self, poll: Collector, method: str, user_id: str, state: Mapping[str, str], params: Any
    ) -> tuple[list[Any], dict[str, list[Any]], dict[str, str]]:
        """Read one timeline since the cursor, at most ``MAX_PAGES`` pages; the next state."""
        since, until = state.get("since_id"), state.get("until_id")
        items: list[Any] = []
        includes: dict[str, list[Any]] = {}
        token = newest = oldest = None
        for _ in range(MAX_PAGES):
            body = self._call(
                poll,
                method,
                user_id,
                since_id=since,
                until_id=until,
                pagination_token=token,
                max_results=PAGE_SIZE,
                **params,
            )
            _user_problem(body)
            items += _items(body.get("data"))
            for key, values in _obj(body.get("includes")).items():
                includes.setdefault(key, []).extend(_items(values))
            meta = _obj(body.get("meta"))
            newest, oldest = newest or meta.get("newest_id"), meta.get("oldest_id") or oldest
            if not (token := meta.get("next_token")):
                break
        top = (state.get("pending_since") if until else None) or newest or since
        if token and oldest:
            rest = {"since_id": since, "until_id": oldest, "pending_since": top}
            return items, includes, {k: str(v) for k, v in rest.items() if v}
        return items, includes, {"since_id": str(top)} if top else {}

    def fetch(self, account: AccountRef, cursor: Mapping[str, Any] | None = None) -> Snapshot:
        """Return the profile, new posts and new or newly answered replies since ``cursor``.

        Raises:
            AuthRevoked, ConfigurationError, RateLimited, TransientError, PermanentError.
        """
        user_id, old = _account_id(account), cursor if isinstance(cursor, Mapping) else {}
        poll = Collector(PLATFORM, log, user_id)
        user = self._user(poll, "get_user", id=user_id, user_fields=PROFILE_FIELDS)
        profile = _profile(user, account)
        posts, replied, tweets = self._posts(poll, profile, user_id, old.get("tweets"))
        known = [p.external_id for p in posts] + [
            i for i in _items(old.get("post_ids")) if isinstance(i, str) and i.isdigit()
        ]
        thread = _Thread(user_id, frozenset(known), frozenset(replied), {})
        comments, mentions = self._comments(poll, thread, old.get("mentions"))
        return Snapshot(
            profile=profile,
            posts=tuple(posts),
            comments=tuple(comments),
            cursor={
                "tweets": tweets,
                "mentions": mentions,
                "post_ids": list(dict.fromkeys(known))[:KEEP_POST_IDS],
            },
            requests=poll.requests,
            skipped=tuple(poll.skipped),
        )

    def _posts(
        self, poll: Collector, profile: Profile, user_id: str, state: Any
    ) -> tuple[list[Post], set[str], dict[str, str]]:
        """New posts, the ids of tweets they answer (not the account's own), the next state."""
        raw, extra, after = self._stream(
            poll, "get_users_tweets", user_id, _stream_state(state, "tweets"), POST_PARAMS
        )
        make = _post_maker(profile, _by_key(extra.get("media"), "media_key"))
        replied = {
            parent
            for t in raw
            if isinstance(t, dict)
            and (parent := _replied_to(t))
            and t.get("in_reply_to_user_id") != user_id
        }
        return poll.build(raw, make, _label("tweets")), replied, after

    def _comments(
        self, poll: Collector, thread: _Thread, state: Any
    ) -> tuple[list[Comment], dict[str, str]]:
        """New replies to the account, plus earlier ones it has now answered; the next state."""
        raw, extra, after = self._stream(
            poll,
            "get_users_mentions",
            thread.account_id,
            _stream_state(state, "mentions"),
            REPLY_PARAMS,
        )
        thread = replace(thread, users=_by_key(extra.get("users"), "id"))
        comments = poll.build(raw, lambda t: _comment(t, thread), _label("mentions"))
        seen = {c.external_id for c in comments}
        return comments + self._replied_earlier(poll, thread, set(thread.replied) - seen), after

    def _replied_earlier(self, poll: Collector, thread: _Thread, ids: set[str]) -> list[Comment]:
        """Re-read comments from earlier polls that the account has now answered."""
        wanted = sorted(ids - thread.post_ids, key=int, reverse=True)[:PAGE_SIZE]
        if not wanted:
            return []
        body = self._call(poll, "get_tweets", ids=wanted, **REPLY_PARAMS)
        users = {**thread.users, **_by_key(_obj(body.get("includes")).get("users"), "id")}
        answered = replace(thread, users=users)
        data = _items(body.get("data"))
        return poll.build(data, lambda t: _comment(t, answered), _label("replied"))

    def check_credentials(self, account: AccountRef) -> str:
        """One cheap call: ``/2/users/me`` with user context, else ``/2/users/:id``."""
        self._client()
        fields = ["protected", "username"]
        if self._mode == "app":
            user = self._user(None, "get_user", id=_account_id(account), user_fields=fields)
            handle = _text(user, "username")
            return f"app-only bearer token: reads public data of @{handle}; cannot hide replies"
        user = self._user(None, "get_me", user_fields=fields)
        kind = "OAuth 1.0a" if self._mode == "oauth1" else "OAuth 2.0"
        who = f"{kind} user context for @{_text(user, 'username')}"
        if _text(user, "id") != account.external_id:
            return (
                f"{who}, not the polled account: reads public data only; hiding its replies fails"
            )
        return f"{who}: reads its posts and replies and can hide replies"

    def search_users(self, query: str, max_results: int = 20) -> list[SearchHit]:
        """Public accounts matching ``query`` (``GET /2/users/search``): available to the Pro
        access level and higher, with user-context authentication only.

        Raises:
            ConfigurationError: the access level or the authentication does not allow it
                (403 client-not-enrolled, unsupported-authentication).
            AuthRevoked, RateLimited, TransientError, PermanentError.
        """
        if self._auth_mode() == "app":
            raise ConfigurationError(f"x: searching users {USER_CONTEXT}", platform=PLATFORM)
        params = {"query": query[:200], "max_results": max(1, min(max_results, 1000))}
        params["user.fields"] = "description,url"
        body = self._call(
            None,
            "_make_request",
            "GET",
            "/2/users/search",
            params=params,
            endpoint_parameters=("query", "max_results", "user.fields"),
        )
        found: list[SearchHit] = []
        for user in _items(body.get("data")):
            words = _obj(user)
            name = _text(words, "username")
            if name:
                link = AccountLink("x", "@" + name, f"x:{name.lower()}", f"{WEB}/{name}")
                found.append(SearchHit(link, _text(words, "name"), _text(words, "description")))
        return found

    def _auth_mode(self) -> Mode:
        self._client()
        return self._mode

    def hide_comment(self, account: AccountRef, comment_id: str) -> None:
        """Hide a reply (``PUT /2/tweets/:id/hidden``); needs the account's user context."""
        self._hide(comment_id, hidden=True)

    def unhide_comment(self, account: AccountRef, comment_id: str) -> None:
        """Unhide a reply hidden before."""
        self._hide(comment_id, hidden=False)

    def _hide(self, comment_id: str, hidden: bool) -> None:
        self._client()
        if self._mode == "app":
            raise ConfigurationError(
                f"x: hiding replies {USER_CONTEXT}", platform=PLATFORM, code="app-only"
            )
        if not str(comment_id).isdigit():
            raise PermanentError("x: a reply id is a number", platform=PLATFORM, code="bad-id")
        body = self._call(None, "hide_reply" if hidden else "unhide_reply", str(comment_id))
        data = body.get("data")
        if not isinstance(data, dict) or data.get("hidden") is not hidden:
            raise PermanentError(
                "x: X did not confirm the change", platform=PLATFORM, code="unconfirmed"
            )


def _account_id(account: AccountRef) -> str:
    if not account.external_id.isdigit():
        raise PermanentError(
            "x: the account's external id must be its numeric X user id",
            platform=PLATFORM,
            code="bad-id",
        )
    return account.external_id


def _post_maker(profile: Profile, media: Mapping[str, Mapping[str, Any]]) -> Callable[[Any], Post]:
    def make(tweet: Any) -> Post:
        tweet_id = _ident(tweet)
        return Post(
            external_id=tweet_id,
            created_at=_when(tweet),
            text=_text(tweet, "text"),
            url=_status_url(profile.handle, tweet_id),
            visibility="private" if profile.visibility == "private" else "public",
            media=_media(tweet, media),
        )

    return make
