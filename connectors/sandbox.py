"""The sandbox platform: serves a scenario file so the whole pipeline runs with no credentials.

A scenario is a JSON file describing a few accounts and what happens on them over time.
The connector reads it once per instance and answers every ``fetch`` as a real platform
would at the time its injected clock gives, so a simulated clock replays the scenario.

Build it like every connector::

    SandboxConnector(credentials={"scenario": "/path/scenario.json"}, clock=simulated_clock)

Scenario format (every ``at_hours``/``from_hours``/``until_hours`` is a number of hours,
floats allowed, after ``start``)::

    {
      "start": "2026-09-14T15:00:00Z",
      "accounts": {
        "<external_id>": {
          "profile": {"handle": "...", "display_name": "...", "about": "...",
                      "website": "...", "contact_email": "...",
                      "visibility": "public|private|unlisted|unpublished|unknown",
                      "comments_enabled": true, "comments_held": false},
          "profile_changes": [{"at_hours": 24, "visibility": "public"}],
          "posts": [{"id": "p1", "at_hours": 1, "text": "...", "url": "...",
                     "visibility": "public",
                     "media": [{"id": "m1", "kind": "photo|video|other", "url": "...",
                                "alt_text": "..."}]}],
          "comments": [{"id": "c1", "post": "p1", "at_hours": 2, "text": "...",
                        "author_name": "...", "author_id": "...", "url": "...",
                        "parent": "<comment id>", "by_account": false,
                        "replied_by_account": false,
                        "status": "published|held|hidden|rejected|deleted",
                        "changes": [{"at_hours": 5, "status": "hidden"},
                                    {"at_hours": 6, "replied_by_account": true}]}],
          "errors": [{"from_hours": 24, "until_hours": 30,
                      "kind": "auth_revoked|rate_limited|transient|permanent|configuration",
                      "message": "...", "retry_after": 60}]
        }
      }
    }

The root may also hold a free-text ``"description"``. Only ``start``, ``accounts``, a
post's ``id`` and ``at_hours`` and a comment's ``id``, ``post`` and ``at_hours`` are
required; everything else has a default. Unknown keys are refused, so a typo never
silently falls back to a default.

What ``fetch(account, cursor)`` returns at ``now = clock()``:

* The profile: ``profile`` with every ``profile_changes`` entry timed at or before ``now``
  applied in time order.
* Posts timed in ``(as_of, now]`` (all posts up to ``now`` on the first poll).
* Comments created in ``(as_of, now]``, or older comments with a ``changes`` entry timed in
  that interval; each carries its state as of ``now`` (``status``, ``replied_by_account``).
  Nothing timed after ``now`` is ever returned.
* ``cursor = {"as_of": now.isoformat()}`` (the old ``as_of`` if the clock went back);
  polling again at the same ``now`` with it returns no posts and no comments.
* ``requests`` is a pretend request count: 1 for the profile plus 1 per post returned.
* A malformed post or comment is skipped: its id (or ``posts[3]``-style index when it has
  none) goes into ``Snapshot.skipped`` and a warning is logged, never its text. An item
  with no usable time is reported on the first poll only; others when their time falls in
  the polled interval.

An ``errors`` entry active at ``now`` (``start + from_hours <= now``, and ``now <
start + until_hours`` when given) makes ``fetch`` raise the mapped
:mod:`connectors.errors` error instead. A missing or invalid scenario file, an invalid
account-level entry, an unknown account or a bad cursor raise
:class:`~connectors.errors.PermanentError` naming the file, the JSON path and the fix.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, cast

from connectors.base import Connector
from connectors.errors import (
    AuthRevoked,
    ConfigurationError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)
from connectors.kit import Collector, label_of
from connectors.records import (
    AccountRef,
    Comment,
    Media,
    Post,
    Profile,
    Snapshot,
    Visibility,
    utc,
)

log = logging.getLogger(__name__)

PLATFORM = "sandbox"
BASE_URL = "https://sandbox.example"
VISIBILITIES = ("public", "private", "unlisted", "unpublished", "unknown")
COMMENT_STATUSES = ("published", "held", "hidden", "rejected", "deleted")
MEDIA_KINDS = ("photo", "video", "other")
PROFILE_TEXT = ("handle", "display_name", "about", "website", "contact_email")
PROFILE_FLAGS = ("comments_enabled", "comments_held")
PROFILE_KEYS = frozenset((*PROFILE_TEXT, *PROFILE_FLAGS, "visibility"))
ACCOUNT_KEYS = frozenset(("profile", "profile_changes", "posts", "comments", "errors"))
POST_KEYS = frozenset(("id", "at_hours", "text", "url", "visibility", "media"))
MEDIA_KEYS = frozenset(("id", "kind", "url", "alt_text"))
COMMENT_KEYS = frozenset(
    (
        "id",
        "post",
        "at_hours",
        "text",
        "author_name",
        "author_id",
        "url",
        "parent",
        "by_account",
        "replied_by_account",
        "status",
        "changes",
    )
)
CHANGE_KEYS = frozenset(("at_hours", "status", "replied_by_account"))
ERROR_KEYS = frozenset(("from_hours", "until_hours", "kind", "message", "retry_after"))
ERROR_KINDS: Mapping[str, type[ConnectorError]] = {
    "auth_revoked": AuthRevoked,
    "rate_limited": RateLimited,
    "transient": TransientError,
    "permanent": PermanentError,
    "configuration": ConfigurationError,
}
_MediaKind = Literal["photo", "video", "other"]
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Invalid(Exception):
    """A scenario entry is wrong: where (a JSON path), what, and how to fix it."""

    def __init__(self, path: str, problem: str, fix: str) -> None:
        super().__init__(f"{path}: {problem}; {fix}")
        self.path = path
        self.problem = problem
        self.fix = fix


# --- small typed readers; each raises _Invalid with the JSON path -------------------------


def _at(path: str, key: str | int) -> str:
    """Return the JSON path of ``key`` inside ``path`` (``$.a["b-c"][2]``)."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if _IDENTIFIER.match(key) else f"{path}[{json.dumps(key)}]"


def _object(value: Any, path: str, allowed: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid(path, f"expected an object, got {type(value).__name__}", "write {...}")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise _Invalid(
            _at(path, unknown[0]),
            "unknown key",
            f"use only {', '.join(sorted(allowed))} (check the spelling)",
        )
    return value


def _list(raw: Mapping[str, Any], key: str, path: str) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise _Invalid(_at(path, key), "expected a list", "write [...] (or leave the key out)")
    return value


def _text(raw: Mapping[str, Any], key: str, path: str, default: str = "") -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise _Invalid(_at(path, key), "expected a string", f'write "{key}": "..."')
    return value


def _ident(raw: Mapping[str, Any], key: str, path: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(_at(path, key), "missing or empty", f'give a non-empty "{key}" string')
    return value


def _flag(raw: Mapping[str, Any], key: str, path: str, default: bool | None) -> bool | None:
    value = raw.get(key, default)
    if value is not None and not isinstance(value, bool):
        raise _Invalid(_at(path, key), "expected true or false", f'write "{key}": true')
    return value


def _choice(
    raw: Mapping[str, Any], key: str, path: str, choices: tuple[str, ...], default: str
) -> str:
    value = raw.get(key, default)
    if value not in choices:
        raise _Invalid(
            _at(path, key), f"{value!r} is not allowed", f"use one of {'|'.join(choices)}"
        )
    return str(value)


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Invalid(path, "expected a number of hours", "write a number such as 1 or 2.5")
    return float(value)


def _when(raw: Mapping[str, Any], key: str, path: str, start: datetime) -> datetime:
    if key not in raw:
        raise _Invalid(_at(path, key), "missing", f'give "{key}": hours after "start"')
    hours = _number(raw[key], _at(path, key))
    try:
        return start + timedelta(hours=hours)
    except OverflowError:  # thousands of years away: no scenario means that
        raise _Invalid(
            _at(path, key), f"{hours:g} hours is out of range", "use a smaller number"
        ) from None


def _instant(value: Any, path: str, fix: str) -> datetime:
    """Parse an ISO 8601 time with an offset into aware UTC."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _Invalid(path, f"{value!r} is not an ISO 8601 time with a zone", fix)
    return moment.astimezone(UTC)


# --- the validated scenario ---------------------------------------------------------------


@dataclass(frozen=True)
class _ErrorSpec:
    begins: datetime
    ends: datetime | None
    kind: str
    message: str
    retry_after: float

    def active(self, now: datetime) -> bool:
        return self.begins <= now and (self.ends is None or now < self.ends)


@dataclass(frozen=True)
class _AccountSpec:
    path: str
    profile: Mapping[str, Any]
    profile_changes: tuple[tuple[datetime, Mapping[str, Any]], ...]
    errors: tuple[_ErrorSpec, ...]
    posts: tuple[Any, ...]
    comments: tuple[Any, ...]


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: its file, its start time and its accounts by external id."""

    file: Path
    start: datetime
    accounts: Mapping[str, _AccountSpec]


def _profile_fields(raw: Mapping[str, Any], path: str) -> dict[str, Any]:
    fields: dict[str, Any] = {k: _text(raw, k, path) for k in PROFILE_TEXT if k in raw}
    fields.update({k: _flag(raw, k, path, None) for k in PROFILE_FLAGS if k in raw})
    if "visibility" in raw:
        fields["visibility"] = _choice(raw, "visibility", path, VISIBILITIES, "unknown")
    return fields


def _profile_change(raw: Any, path: str, start: datetime) -> tuple[datetime, dict[str, Any]]:
    entry = _object(raw, path, PROFILE_KEYS | {"at_hours"})
    return _when(entry, "at_hours", path, start), _profile_fields(entry, path)


def _error_spec(raw: Any, path: str, start: datetime) -> _ErrorSpec:
    entry = _object(raw, path, ERROR_KEYS)
    kind = _choice(entry, "kind", path, tuple(ERROR_KINDS), "")
    retry_after = _number(entry.get("retry_after", 60), _at(path, "retry_after"))
    return _ErrorSpec(
        begins=_when(entry, "from_hours", path, start),
        ends=_when(entry, "until_hours", path, start) if "until_hours" in entry else None,
        kind=kind,
        message=_text(entry, "message", path, f"sandbox scenario error: {kind}"),
        retry_after=max(0.0, retry_after),
    )


def _account_spec(raw: Any, path: str, start: datetime) -> _AccountSpec:
    entry = _object(raw, path, ACCOUNT_KEYS)
    profile = _object(entry.get("profile", {}), _at(path, "profile"), PROFILE_KEYS)
    changes_path, errors_path = _at(path, "profile_changes"), _at(path, "errors")
    changes = [
        _profile_change(c, _at(changes_path, i), start)
        for i, c in enumerate(_list(entry, "profile_changes", path))
    ]
    errors = [
        _error_spec(e, _at(errors_path, i), start)
        for i, e in enumerate(_list(entry, "errors", path))
    ]
    return _AccountSpec(
        path=path,
        profile=_profile_fields(profile, _at(path, "profile")),
        profile_changes=tuple(sorted(changes, key=lambda change: change[0])),
        errors=tuple(errors),
        posts=tuple(_list(entry, "posts", path)),
        comments=tuple(_list(entry, "comments", path)),
    )


def _parse_scenario(data: Any, file: Path) -> Scenario:
    root = _object(data, "$", frozenset(("start", "accounts", "description")))
    if "start" not in root:
        raise _Invalid("$.start", "missing", 'add "start": "2026-09-14T15:00:00Z"')
    start = _instant(root["start"], "$.start", 'write "start": "2026-09-14T15:00:00Z"')
    accounts = root.get("accounts")
    if not isinstance(accounts, dict):
        raise _Invalid("$.accounts", "missing or not an object", 'add "accounts": {"<id>": {...}}')
    specs = {
        ext: _account_spec(raw, _at("$.accounts", ext), start) for ext, raw in accounts.items()
    }
    return Scenario(file=file, start=start, accounts=specs)


def load_scenario(file: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Args:
        file: path to the scenario JSON.

    Returns:
        The validated scenario (posts and comments are checked later, one by one).

    Raises:
        PermanentError: the file is missing, is not JSON, or has an invalid entry; the
            message names the file, the JSON path of the entry and how to fix it.
    """
    path = Path(file)
    key = _cache_key(path)
    if key is not None and key in _CACHE:
        return _CACHE[key]
    scenario = _read_scenario(path)
    if key is not None:
        if len(_CACHE) >= 8:
            _CACHE.clear()
        _CACHE[key] = scenario
    return scenario


# Parsed scenarios by (path, mtime, size): a worker builds one connector per poll, and
# re-reading a large scenario every time would measure the sandbox, not the pipeline.
_CACHE: dict[tuple[str, int, int], Scenario] = {}


def _cache_key(path: Path) -> tuple[str, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def _read_scenario(path: Path) -> Scenario:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _error(path, f"cannot read it ({exc.strerror or exc})", "check the path") from None
    except UnicodeDecodeError:
        raise _error(path, "it is not UTF-8 text", "save it as UTF-8 JSON") from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise _error(path, f"it is not valid JSON ({exc.msg} at {where})", "fix the JSON") from None
    try:
        return _parse_scenario(data, path)
    except _Invalid as exc:
        raise _error(path, f"invalid entry at {exc.path}: {exc.problem}", exc.fix) from None


def _error(file: Path, problem: str, fix: str) -> PermanentError:
    return PermanentError(
        f"sandbox scenario {file}: {problem}; to fix: {fix}", platform=PLATFORM, code="scenario"
    )


# --- posts and comments -------------------------------------------------------------------


def _item_url(
    raw: Mapping[str, Any], path: str, account_id: str, post: str, fragment: str = ""
) -> str:
    given = _text(raw, "url", path)
    if given:
        return given
    return f"{BASE_URL}/{account_id}/{post}" + (f"#{fragment}" if fragment else "")


def _media(raw: Any, path: str) -> Media:
    entry = _object(raw, path, MEDIA_KEYS)
    return Media(
        external_id=_ident(entry, "id", path),
        kind=cast(_MediaKind, _choice(entry, "kind", path, MEDIA_KINDS, "photo")),
        url=_text(entry, "url", path),
        alt_text=_text(entry, "alt_text", path),
    )


def _post(entry: Mapping[str, Any], path: str, created: datetime, account_id: str) -> Post:
    post_id = _ident(entry, "id", path)
    media_path = _at(path, "media")
    return Post(
        external_id=post_id,
        created_at=created,
        text=_text(entry, "text", path),
        url=_item_url(entry, path, account_id, post_id),
        visibility=cast(Visibility, _choice(entry, "visibility", path, VISIBILITIES, "unknown")),
        media=tuple(
            _media(m, _at(media_path, i)) for i, m in enumerate(_list(entry, "media", path))
        ),
    )


def _changes(
    entry: Mapping[str, Any], path: str, start: datetime
) -> list[tuple[datetime, Mapping[str, Any]]]:
    found = []
    for i, raw in enumerate(_list(entry, "changes", path)):
        change_path = _at(_at(path, "changes"), i)
        change = _object(raw, change_path, CHANGE_KEYS)
        if "status" not in change and "replied_by_account" not in change:
            raise _Invalid(change_path, "changes nothing", 'give "status" or "replied_by_account"')
        _choice(change, "status", change_path, COMMENT_STATUSES, "published")
        _flag(change, "replied_by_account", change_path, False)
        found.append((_when(change, "at_hours", change_path, start), change))
    return sorted(found, key=lambda pair: pair[0])


def _comment(
    entry: Mapping[str, Any],
    path: str,
    created: datetime,
    state: Mapping[str, Any],
    account_id: str,
) -> Comment:
    comment_id, post_id = _ident(entry, "id", path), _ident(entry, "post", path)
    parent = entry.get("parent")
    if parent is not None:
        parent = _ident(entry, "parent", path)
    return Comment(
        external_id=comment_id,
        post_external_id=post_id,
        created_at=created,
        text=_text(entry, "text", path),
        author_name=_text(entry, "author_name", path),
        author_id=_text(entry, "author_id", path),
        url=_item_url(entry, path, account_id, post_id, comment_id),
        status=state["status"],
        by_account=bool(_flag(entry, "by_account", path, False)),
        replied_by_account=state["replied_by_account"],
        parent_external_id=parent,
    )


def _state_at(
    entry: Mapping[str, Any],
    path: str,
    changes: list[tuple[datetime, Mapping[str, Any]]],
    now: datetime,
) -> dict[str, Any]:
    state = {
        "status": _choice(entry, "status", path, COMMENT_STATUSES, "published"),
        "replied_by_account": bool(_flag(entry, "replied_by_account", path, False)),
    }
    for moment, change in changes:
        if moment <= now:
            state.update({k: v for k, v in change.items() if k != "at_hours"})
    return state


@dataclass
class _Window:
    """The interval ``(since, now]`` one poll covers; ``since`` is None on the first poll."""

    since: datetime | None
    now: datetime

    def covers(self, moment: datetime) -> bool:
        return moment <= self.now and (self.since is None or moment > self.since)


class _Collector:
    """Walks one account's posts or comments, keeping good ones and noting skipped ones."""

    def __init__(self, account_id: str, spec: _AccountSpec, start: datetime, window: _Window):
        self.account_id = account_id
        self.spec = spec
        self.start = start
        self.window = window
        self.kit = Collector(PLATFORM, log, account_id)
        self.skipped = self.kit.skipped

    def collect(self, kind: str, items: tuple[Any, ...], build: Callable[..., Any]) -> list[Any]:
        kept = []
        for index, raw in enumerate(items):
            path = _at(_at(self.spec.path, kind), index)
            try:
                item = self._one(raw, path, build)
            except _Invalid as exc:
                self._skip(raw, kind, index, exc)
                continue
            if item is not None:
                kept.append(item)
        return kept

    def _one(self, raw: Any, path: str, build: Callable[..., Any]) -> Any:
        try:
            if not isinstance(raw, dict):
                raise _Invalid(path, "expected an object", "write {...}")
            created = _when(raw, "at_hours", path, self.start)
        except _Invalid:
            if self.window.since is None:
                raise
            return None  # no usable time: reported on the first poll already
        return build(raw, path, created)

    def _skip(self, raw: Any, kind: str, index: int, exc: _Invalid) -> None:
        self.kit.skip(label_of(raw, f"{kind}[{index}]"), f"{exc.path}: {exc.problem}")

    def post(self, raw: Mapping[str, Any], path: str, created: datetime) -> Post | None:
        if not self.window.covers(created):
            return None
        entry = _object(raw, path, POST_KEYS)
        return _post(entry, path, created, self.account_id)

    def comment(self, raw: Mapping[str, Any], path: str, created: datetime) -> Comment | None:
        if created > self.window.now:
            return None
        try:
            entry = _object(raw, path, COMMENT_KEYS)
            changes = _changes(entry, path, self.start)
            state = _state_at(entry, path, changes, self.window.now)
            item = _comment(entry, path, created, state, self.account_id)
        except _Invalid:
            if self.window.covers(created):
                raise
            return None  # reported when it was created
        touched = self.window.covers(created) or any(self.window.covers(t) for t, _ in changes)
        return item if touched else None


# --- the connector ------------------------------------------------------------------------


class SandboxConnector(Connector):
    """Serves a scenario file as if it were a platform; see the module docstring.

    Args:
        credentials: ``{"scenario": "/path/to/scenario.json"}``, and optionally
            ``"latency_seconds"``: how long each ``fetch`` takes, as a slow platform would
            (fault-injection tests use it to kill a worker in the middle of a poll).
        transport: unused.
        clock: returns the current aware UTC time; the demo injects a simulated clock.
    """

    platform = PLATFORM
    display_name = "Sandbox"
    can_be_private = True
    can_disable_comments = True
    can_hold_comments = True
    can_hide_comments = True  # hide_comment is accepted (the monitor records it)

    _loaded: Scenario | None = None

    def scenario(self) -> Scenario:
        """Return the validated scenario, reading the file on first use.

        Raises:
            PermanentError: no ``scenario`` credential, or the file is missing or invalid.
        """
        if self._loaded is None:
            file = self.credentials.get("scenario")
            if not isinstance(file, str | Path) or not str(file).strip():
                raise PermanentError(
                    "sandbox connector has no scenario file; to fix: set the account's "
                    'credentials to {"scenario": "/path/to/scenario.json"}',
                    platform=PLATFORM,
                    code="scenario",
                )
            self._loaded = load_scenario(file)
        return self._loaded

    def fetch(self, account: AccountRef, cursor: Mapping[str, Any] | None = None) -> Snapshot:
        """Return what the scenario shows for ``account`` between ``cursor`` and now.

        Args:
            account: the account; its ``external_id`` is the key under ``accounts``.
            cursor: ``{"as_of": "<iso time>"}`` from the previous fetch, or None/{}.

        Returns:
            The profile as of now, posts and new or changed comments since the cursor,
            and the next cursor.

        Raises:
            ConnectorError: the error an active ``errors`` entry asks for.
            PermanentError: bad scenario, unknown account or bad cursor.
        """
        scenario = self.scenario()
        now = utc(self.clock())
        spec = self._account(scenario, account.external_id)
        self._raise_scheduled(spec, account.external_id, now)
        self._wait(account)
        since = self._since(cursor, scenario.file)
        window = _Window(since=since, now=now)
        collector = _Collector(account.external_id, spec, scenario.start, window)
        posts = collector.collect("posts", spec.posts, collector.post)
        comments = collector.collect("comments", spec.comments, collector.comment)
        return Snapshot(
            profile=self._profile(spec, account, now),
            posts=tuple(posts),
            comments=tuple(comments),
            cursor={"as_of": max(now, since or now).isoformat()},
            requests=1 + len(posts),
            skipped=tuple(collector.skipped),
        )

    def _wait(self, account: AccountRef) -> None:
        """Take ``latency_seconds`` like a slow platform; the log line marks a poll in flight."""
        latency = float(self.credentials.get("latency_seconds") or 0)
        if latency > 0:
            log.info("sandbox: fetching %s (latency %.1f s)", account.external_id, latency)
            time.sleep(latency)

    def check_credentials(self, account: AccountRef) -> str:
        """The scenario stands in for credentials: check the account is in it and healthy."""
        scenario = self.scenario()
        spec = self._account(scenario, account.external_id)
        self._raise_scheduled(spec, account.external_id, utc(self.clock()))
        return f"sandbox scenario {scenario.file.name}, account {account.external_id}"

    def fetch_media(self, media: Media) -> bytes:
        """A photo the scenario ships beside it (``"url": "media/photo.jpg"``).

        Only relative paths inside the scenario's folder are served.
        """
        folder = self.scenario().file.parent.resolve()
        target = (folder / media.url).resolve()
        if "://" in media.url or not target.is_relative_to(folder) or not target.is_file():
            raise PermanentError(
                f"sandbox: no media file {media.url!r} beside the scenario", platform=PLATFORM
            )
        return target.read_bytes()

    def hide_comment(self, account: AccountRef, comment_id: str) -> None:
        """Accepted and recorded by the monitor; the scenario file is never modified."""
        self._account(self.scenario(), account.external_id)

    def unhide_comment(self, account: AccountRef, comment_id: str) -> None:
        """See :meth:`hide_comment`."""
        self._account(self.scenario(), account.external_id)

    @staticmethod
    def _account(scenario: Scenario, external_id: str) -> _AccountSpec:
        spec = scenario.accounts.get(external_id)
        if spec is None:
            raise _error(
                scenario.file,
                f"account {external_id!r} is not in the scenario",
                f"add it under {_at('$.accounts', external_id)} or fix the account's external id",
            )
        return spec

    @staticmethod
    def _raise_scheduled(spec: _AccountSpec, external_id: str, now: datetime) -> None:
        for entry in spec.errors:
            if not entry.active(now):
                continue
            message = f"{entry.message} (account {external_id})"
            if entry.kind == "rate_limited":
                raise RateLimited(
                    message, retry_after=entry.retry_after, platform=PLATFORM, code=entry.kind
                )
            raise ERROR_KINDS[entry.kind](message, platform=PLATFORM, code=entry.kind)

    @staticmethod
    def _since(cursor: Mapping[str, Any] | None, file: Path) -> datetime | None:
        if not cursor:
            return None
        fix = "pass the cursor the previous fetch returned, or None to start over"
        if not isinstance(cursor, Mapping) or set(cursor) != {"as_of"}:
            raise _error(file, f"cursor {cursor!r} is not {{'as_of': '<iso time>'}}", fix)
        try:
            return _instant(cursor["as_of"], "cursor.as_of", fix)
        except _Invalid as exc:
            raise _error(file, f"invalid {exc.path}: {exc.problem}", fix) from None

    @staticmethod
    def _profile(spec: _AccountSpec, account: AccountRef, now: datetime) -> Profile:
        fields: dict[str, Any] = {"handle": account.handle or account.external_id}
        fields.update(spec.profile)
        for moment, change in spec.profile_changes:
            if moment <= now:
                fields.update(change)
        return Profile(external_id=account.external_id, **fields)
