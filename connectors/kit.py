"""The poll kit every connector shares: a collector for one poll, HTML to text, a quota clock.

* :class:`Collector` counts one poll's requests and quota units and builds its items,
  leaving out (and naming, by id or index only) the malformed ones.
* :func:`html_text` turns rendered HTML (WordPress, Blogger) into the text a reader sees,
  one line per block, and lists its images.
* :class:`QuotaClock` says when a platform's quota comes back: the next midnight in the
  quota's time zone (YouTube: Pacific), or the next reset day of a monthly cap (X).
"""

from __future__ import annotations

import logging
from calendar import monthrange
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from html.parser import HTMLParser
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

_T = TypeVar("_T")

MALFORMED = (ValueError, TypeError, AttributeError, KeyError)


# --- one poll ----------------------------------------------------------------------------


def label_of(raw: Any, fallback: str, limit: int = 100) -> str:
    """An item's ``id`` when it is a usable string, else ``fallback`` (never its text)."""
    item_id = raw.get("id") if isinstance(raw, dict) else None
    return item_id[:limit] if isinstance(item_id, str) and item_id.strip() else fallback


@dataclass
class Collector:
    """One poll's bookkeeping: requests and quota units spent, malformed items left out.

    Args:
        platform: the connector name, for log lines.
        log: the connector's logger.
        account: the polled account's id, for log lines.
    """

    platform: str
    log: logging.Logger
    account: str = ""
    requests: int = 0
    units: int = 0
    skipped: list[str] = field(default_factory=list)

    def count(self, requests: int = 1, units: int = 0) -> None:
        """Add one request (and what it cost against a quota)."""
        self.requests += requests
        self.units += units

    def skip(self, label: str, why: str = "") -> None:
        """Note a malformed item by ``label`` (an id or an index, never its text); an item
        met twice in one poll (a look-up may meet it again) is noted and logged once."""
        if label in self.skipped:
            return
        self.skipped.append(label)
        where = f" of account {self.account}" if self.account else ""
        reason = f" ({why})" if why else ""
        self.log.warning("%s: skipped malformed item %s%s%s", self.platform, label, where, reason)

    def build(
        self,
        raws: Iterable[Any],
        make: Callable[[Any], _T | None],
        label: Callable[[Any, int], str],
        errors: tuple[type[Exception], ...] = MALFORMED,
    ) -> list[_T]:
        """``make`` each raw item; one that raises ``errors`` is skipped, None is dropped.

        The reason logged is the exception's class name, or its message when the
        connector raised it on purpose (a :class:`Malformed`), never the item's text.
        """
        kept: list[_T] = []
        for index, raw in enumerate(raws):
            try:
                item = make(raw)
            except errors as exc:
                why = str(exc) if isinstance(exc, Malformed) else type(exc).__name__
                self.skip(label(raw, index), why)
                continue
            if item is not None:
                kept.append(item)
        return kept


class Malformed(ValueError):
    """An item lacks a usable id, time or type; the message never holds the item's text."""


# --- rendered HTML to text ----------------------------------------------------------------

BLOCKS = frozenset(
    "p br div li ul ol tr h1 h2 h3 h4 h5 h6 blockquote figcaption pre section article".split()
)
HIDDEN = frozenset(("script", "style", "template"))


class Image(NamedTuple):
    """An ``<img>`` of rendered HTML: its source, alt text and CSS classes."""

    src: str
    alt: str
    classes: tuple[str, ...]


class _Visible(HTMLParser):
    """Collects the text a reader sees, and the images."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.images: list[Image] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self._hidden += 1
        elif tag == "img":
            found = {k: v or "" for k, v in attrs}
            classes = tuple(found.get("class", "").split())
            self.images.append(Image(found.get("src", ""), found.get("alt", ""), classes))
        elif tag in BLOCKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in BLOCKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.chunks.append(data)


def html_text(markup: str) -> tuple[str, list[Image]]:
    """The visible text of rendered HTML (one line per block, blank lines dropped, runs of
    white space made one space; script, style and template left out) and its images."""
    parser = _Visible()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.chunks).splitlines())
    return "\n".join(line for line in lines if line), parser.images


# --- when quotas come back ----------------------------------------------------------------


@dataclass(frozen=True)
class QuotaClock:
    """When a platform's quota comes back.

    Args:
        zone: the time zone whose midnight starts a new quota day (YouTube: Pacific).
    """

    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))

    def day(self, now: datetime) -> Any:
        """The quota day ``now`` falls in (a ``date`` in the quota's zone)."""
        return now.astimezone(self.zone).date()

    def next_midnight(self, now: datetime) -> datetime:
        """The next midnight in the quota's zone, as aware UTC."""
        local = now.astimezone(self.zone)
        midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=self.zone)
        return midnight.astimezone(UTC)

    def seconds_to_midnight(self, now: datetime) -> float:
        """Seconds from ``now`` to :meth:`next_midnight` (never negative)."""
        return max(0.0, (self.next_midnight(now) - now.astimezone(UTC)).total_seconds())

    def next_reset_day(self, now: datetime, day: int) -> datetime:
        """The next start (00:00 in the zone) of day ``day`` of a month, after ``now``:
        when a monthly cap that resets on that day comes back. A day past a month's end
        is that month's last day."""
        local = now.astimezone(self.zone)
        year, month = local.year, local.month
        for _ in range(2):
            last = monthrange(year, month)[1]
            start = datetime(year, month, min(max(day, 1), last), tzinfo=self.zone)
            if start > local:
                return start.astimezone(UTC)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        raise AssertionError("unreachable: next month's day is always later")


PACIFIC = QuotaClock(ZoneInfo("America/Los_Angeles"))
UTC_CLOCK = QuotaClock()
