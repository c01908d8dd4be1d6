"""The service container: settings, database and clock, built once per process
(:func:`monitor.storage.db.open_app`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from monitor.core.settings import Settings

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class App:
    """What every actor and command needs; pass it explicitly, never as a global."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock = system_clock
    transports: dict[str, Any] = field(default_factory=dict)

    def now(self, as_of: str | datetime | None = None) -> datetime:
        """``as_of`` (ISO text or datetime) as aware UTC, or the clock's time."""
        if as_of is None:
            return self.clock()
        if isinstance(as_of, str):
            as_of = datetime.fromisoformat(as_of)
        if as_of.tzinfo is None:
            raise ValueError(f"as_of {as_of!r} has no time zone")
        return as_of.astimezone(UTC)
