"""How a long piece of work reports its progress, without knowing who (if anyone) watches.

A service that can take minutes (a roster import of 15,000 students, a purge, a key
rotation) takes a ``progress`` argument and calls ``progress.stage(label, total)`` when a
step of known size begins and ``progress.advance(n)`` as it goes. The command line passes a
terminal progress bar (:mod:`monitor.cli.progress`), which shows only on a terminal;
everything else passes :data:`SILENT`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, TypeVar

T = TypeVar("T")


class Progress(Protocol):
    """Receives a long task's progress."""

    def stage(self, label: str, total: int) -> None:
        """A step of ``total`` units begins (the previous one, if any, is done)."""

    def advance(self, count: int = 1) -> None:
        """``count`` more units of the current step are done."""


class Silent:
    """Progress that nobody watches."""

    def stage(self, label: str, total: int) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass


SILENT: Progress = Silent()


def advancing(progress: Progress, items: Iterable[T]) -> Iterator[T]:
    """Each of ``items``, advancing ``progress`` by one once it is done (or skipped)."""
    for item in items:
        yield item
        progress.advance()
