"""Progress bars for long commands: shown on a terminal, silent when piped.

A bar is drawn on standard error, and only when standard error is a terminal: piped or
redirected (cron, systemd, a script), a command prints exactly what it always printed.
(Click's own bar would still print its label once when not on a terminal, so no bar is
made at all then.) Standard output, which scripts read, never carries a bar.

Three ways to use it:

- a loop in a command: ``for account in track(accounts, "Checking accounts"): ...``
  (``hallwatch discover`` and ``hallwatch poll`` do this);
- a service that reports stages (:class:`monitor.core.progress.Progress`)::

      with terminal_progress() as progress:
          rotate_all(session, settings, progress=progress)

- a file being read: ``reading(stream, path, progress)`` advances by the bytes read.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sized
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TextIO, TypeVar, cast

import click

from monitor.core.progress import SILENT, Progress

T = TypeVar("T")


def showing(stream: IO[Any] | None = None) -> bool:
    """Whether a bar would be seen: ``stream`` (standard error) is a terminal."""
    stream = stream or sys.stderr
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


class TerminalBar:
    """A :class:`~monitor.core.progress.Progress` drawn with click's progress bar."""

    def __init__(self, file: TextIO) -> None:
        self.file = file
        self._bar: Any = None

    def stage(self, label: str, total: int) -> None:
        self.close()
        self._bar = click.progressbar(
            length=max(total, 0), label=label, file=self.file, show_pos=True, show_eta=True
        )
        self._bar.__enter__()

    def advance(self, count: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(count)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


@contextmanager
def terminal_progress() -> Iterator[Progress]:
    """A bar on standard error if it is a terminal; else :data:`SILENT`."""
    if not showing():
        yield SILENT
        return
    bar = TerminalBar(sys.stderr)
    try:
        yield bar
    finally:
        bar.close()


def track(items: Iterable[T], label: str, length: int | None = None) -> Iterator[T]:
    """Iterate ``items`` with a bar on a terminal (``length`` when ``items`` has no len())."""
    if not showing():
        yield from items
        return
    if length is None and isinstance(items, Sized):
        length = len(items)
    with click.progressbar(
        items, length=length, label=label, file=sys.stderr, show_pos=True, show_eta=True
    ) as bar:
        yield from bar


class _Reading:
    """A text stream that advances ``progress`` by the bytes of each line read."""

    def __init__(self, stream: TextIO, progress: Progress) -> None:
        self.stream, self.progress = stream, progress

    def __iter__(self) -> _Reading:
        return self

    def __next__(self) -> str:
        line = next(self.stream)
        self.progress.advance(len(line.encode("utf-8", "surrogatepass")))
        return line

    def readline(self, size: int = -1) -> str:
        line = self.stream.readline(size)
        self.progress.advance(len(line.encode("utf-8", "surrogatepass")))
        return line

    def read(self, size: int = -1) -> str:
        text = self.stream.read(size)
        self.progress.advance(len(text.encode("utf-8", "surrogatepass")))
        return text


def reading(stream: TextIO, path: str | Path, progress: Progress) -> TextIO:
    """``stream`` (of the file at ``path``), reporting a "Reading <name>" stage as it is read."""
    progress.stage(f"Reading {Path(path).name}", Path(path).stat().st_size)
    return cast(TextIO, _Reading(stream, progress))
