"""Heartbeats: how a long-running process shows it is alive, and the check that reads them.

The scheduler writes one after every tick; each Dramatiq worker process writes one every
few seconds from a thread that first checks that its consumer and worker threads run. A
heartbeat is a small JSON file, ``<var_dir>/heartbeats/<component>-<host>-<pid>.json``, with
its time and how old it may get. Under systemd with ``WatchdogSec=``, each beat also pings
the watchdog (``WATCHDOG=1`` on ``$NOTIFY_SOCKET``), so a hung process is restarted like a
crashed one.

``hallwatch-health --component worker`` (the same check as ``hallwatch health --component
worker``, without loading the whole command line) exits 0 when every process of that
component running on this machine has a fresh heartbeat, and 1 when none runs, one is late,
or one reports a problem. It prints one line saying which.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.core.settings import Settings, SettingsError, load_settings

COMPONENTS = ("scheduler", "worker")
FORGOTTEN = timedelta(days=1)  # a file this old is from a machine or container long gone


@dataclass(frozen=True)
class Beat:
    """One process's last heartbeat."""

    component: str
    host: str
    pid: int
    started: str  # the process's start time (Linux), so a reused pid is not taken for it
    at: datetime
    max_age: float
    problem: str = ""

    def age(self, now: datetime) -> float:
        return (now - self.at).total_seconds()


@dataclass(frozen=True)
class Health:
    """The outcome of a liveness check: ``ok`` and one line for a person."""

    ok: bool
    message: str


def folder(settings: Settings) -> Path:
    return settings.var_dir / "heartbeats"


def _path(settings: Settings, component: str, host: str, pid: int) -> Path:
    return folder(settings) / f"{component}-{host}-{pid}.json"


def _started(pid: int) -> str:
    """The process's start time in clock ticks since boot ("" where /proc is missing)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]  # field 22; the name in (...) may hold spaces


def write(
    settings: Settings,
    component: str,
    max_age: float,
    problem: str = "",
    now: datetime | None = None,
) -> Path:
    """Record that this process is alive (atomically); ping systemd's watchdog if healthy."""
    pid, host = os.getpid(), socket.gethostname()
    path = _path(settings, component, host, pid)
    path.parent.mkdir(parents=True, exist_ok=True)
    beat = {
        "component": component,
        "host": host,
        "pid": pid,
        "started": _started(pid),
        "at": (now or datetime.now(UTC)).isoformat(),
        "max_age": max_age,
        "problem": problem,
    }
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(beat), encoding="utf-8")
    os.replace(temporary, path)
    if not problem:
        notify_watchdog()
    return path


def remove(settings: Settings, component: str) -> None:
    """Forget this process's heartbeat (a clean stop is not a dead process)."""
    _path(settings, component, socket.gethostname(), os.getpid()).unlink(missing_ok=True)


def notify_watchdog() -> None:
    """``WATCHDOG=1`` to systemd when the unit has ``WatchdogSec=`` (else nothing)."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address or not os.environ.get("WATCHDOG_USEC"):
        return
    if address.startswith("@"):  # an abstract socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(address)
            sock.sendall(b"WATCHDOG=1")
    except OSError:
        pass  # no watchdog to tell; the heartbeat file still says it


def _read(path: Path) -> Beat | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Beat(
            component=str(data["component"]),
            host=str(data["host"]),
            pid=int(data["pid"]),
            started=str(data.get("started", "")),
            at=datetime.fromisoformat(data["at"]),
            max_age=float(data["max_age"]),
            problem=str(data.get("problem", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # half-written by a process killed mid-write, or not ours


def _running(beat: Beat) -> bool:
    """The process that wrote ``beat`` still runs (the same process, not a reused pid)."""
    try:
        os.kill(beat.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it runs, as another user
    return not beat.started or _started(beat.pid) in ("", beat.started)


def beats(settings: Settings, component: str, now: datetime | None = None) -> list[Beat]:
    """Heartbeats of ``component`` processes running on this machine; the files of
    processes that stopped are removed on the way."""
    now = now or datetime.now(UTC)
    host = socket.gethostname()
    found = []
    for path in sorted(folder(settings).glob(f"{component}-*.json")):
        beat = _read(path)
        if beat is None or beat.component != component:
            continue
        if beat.host == host and _running(beat):
            found.append(beat)
        elif beat.host == host or now - beat.at > FORGOTTEN:
            path.unlink(missing_ok=True)
    return found


def check(settings: Settings, component: str, now: datetime | None = None) -> Health:
    """Whether every ``component`` process on this machine is alive and well."""
    now = now or datetime.now(UTC)
    alive = beats(settings, component, now)
    if not alive:
        return Health(False, f"no {component} is running on this machine (no heartbeat)")
    for beat in alive:
        if beat.age(now) > beat.max_age:
            return Health(
                False,
                f"{component} process {beat.pid}: last heartbeat {beat.age(now):.0f} s ago "
                f"(at most {beat.max_age:.0f} s expected): it is stuck",
            )
        if beat.problem:
            return Health(False, f"{component} process {beat.pid}: {beat.problem}")
    newest = min(beat.age(now) for beat in alive)
    return Health(
        True, f"{component}: {len(alive)} process(es) alive, last heartbeat {newest:.0f} s ago"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``hallwatch-health --component scheduler|worker [--config FILE]``: exit 0 or 1."""
    parser = argparse.ArgumentParser(
        prog="hallwatch-health", description="Liveness check of this machine's Hallwatch processes."
    )
    parser.add_argument("--component", required=True, choices=COMPONENTS)
    parser.add_argument("--config", default=None, help="settings file (default $HALLWATCH_CONFIG)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
    except SettingsError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    health = check(settings, args.component)
    print(("healthy: " if health.ok else "unhealthy: ") + health.message)
    return 0 if health.ok else 1


if __name__ == "__main__":
    sys.exit(main())
