"""A pytest plugin: every log of the test run is kept, and searched for secrets at the end.

- Every log record any code emits during the session (root logger at DEBUG) is written,
  unscrubbed, to ``session.log`` in the log folder (printed in the summary). Records are
  taken where a logger hands them to its handlers (``Logger.callHandlers``: after the
  logger's level and filters), so a test or command that replaces the root logger's
  handlers (``configure_logging``) cannot hide them.
- Tests that start processes hand their output to :func:`keep_log`.
- At the end, the folder and every ``*.log`` file under pytest's temporary folder are searched
  (a JSON log line, ``logging.format = json``, both as written and with its values unescaped)
  for every secret the suite uses: string literals the tests assign to names or keys that say
  token / secret / password / api key (found by reading the tests' source), the values tests
  add to :data:`tests.support.secrets_registry.KNOWN_SECRETS`, and token shapes (Graph ``EAA...``,
  ``Bearer ...``, Google ``ya29.``/``GOCSPX-``/``1//``). A hit fails the run and says where.
"""

from __future__ import annotations

import ast
import json
import logging
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import TESTS
from tests.support.secrets_registry import KNOWN_SECRETS

SECRET_NAME = re.compile(
    r"(?i)(token|secret|passw(or)?d|api_?key|bearer|consumer_key|client_id)$|^(token|secret)"
)
PAGING_NAME = re.compile(r"(?i)page|pagination|next|cursor|sync")  # page tokens are not secrets
PATTERNS = (
    re.compile(r"\bEAA[A-Za-z0-9]{20,}"),  # Graph API user/page tokens
    re.compile(r"(?i)\bbearer\s+(?!\*)[A-Za-z0-9._~+/-]{16,}=*"),
    re.compile(r"\bya29\.[A-Za-z0-9_-]{10,}"),  # Google OAuth access tokens
    re.compile(r"\bGOCSPX-[A-Za-z0-9_-]{10,}"),  # Google OAuth client secrets
    re.compile(r"\b1//0[A-Za-z0-9_-]{10,}"),  # Google refresh tokens
    re.compile(r"\bxox[abpr]-[A-Za-z0-9-]{10,}"),  # Slack tokens
)
# Values that look like secrets by name but are public shapes, not secrets.
NOT_SECRETS = frozenset({"client-not-enrolled", "invalid_client", "invalid_grant"})
# The one logger left out of the capture: integration/test_log_scan.py writes secrets through it
# on purpose, to show that the scanner catches them.
CANARY = "tests.support.logscan.canary"
_state: dict[str, Any] = {}


def _literal_secrets(path: Path) -> set[str]:
    """String literals given to secret-sounding names, keys or keywords in one test file."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError):
        return set()
    found: set[str] = set()

    def keep(name: str, value: ast.AST | None) -> None:
        if (
            isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and SECRET_NAME.search(name)
            and not PAGING_NAME.search(name)
        ):
            found.add(value.value)

    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    keep(target.id, node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            keep(node.target.id, node.value)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    keep(key.value, value)
        elif isinstance(node, ast.keyword) and node.arg:
            keep(node.arg, node.value)
    return found


def suite_secrets(root: Path = TESTS) -> set[str]:
    """Every secret the test suite uses (long enough to be unambiguous in a log)."""
    found = set(KNOWN_SECRETS)
    for path in root.rglob("*.py"):
        found |= _literal_secrets(path)
    return {s for s in found if len(s) >= 10 and s not in NOT_SECRETS and not s.isspace()}


@dataclass(frozen=True)
class Hit:
    """A secret found in a log: where, and a masked hint of which secret."""

    path: Path
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


class LogScanner:
    """Searches log files for known secret values and token shapes."""

    def __init__(self, secrets: Iterable[str], patterns: Iterable[re.Pattern[str]] = PATTERNS):
        self.secrets = sorted(set(secrets), key=len, reverse=True)
        self.patterns = tuple(patterns)

    def scan_text(self, path: Path, text: str) -> list[Hit]:
        hits = []
        for number, line in enumerate(text.splitlines(), start=1):
            for seen in {line, _decoded(line)}:
                hits += self._scan_line(path, number, seen)
        return sorted(set(hits), key=lambda hit: (str(hit.path), hit.line, hit.what))

    def _scan_line(self, path: Path, number: int, line: str) -> list[Hit]:
        hits = []
        for secret in self.secrets:
            if secret in line:
                hits.append(Hit(path, number, f"test secret {secret[:4]}... ({len(secret)})"))
        for pattern in self.patterns:
            if match := pattern.search(line):
                hits.append(Hit(path, number, f"token shape {match.group()[:6]}..."))
        return hits

    def scan(self, paths: Iterable[Path]) -> list[Hit]:
        hits = []
        for path in paths:
            hits += self.scan_text(path, path.read_text(encoding="utf-8", errors="replace"))
        return hits


def _decoded(line: str) -> str:
    """A JSON log line (``logging.format = json``) as its text values, unescaped: a secret
    whose characters JSON escapes (``\\u00e9``, ``\\"``) is found as it was written."""
    if not line.startswith("{"):
        return line
    try:
        entry = json.loads(line)
    except ValueError:
        return line
    if not isinstance(entry, dict):
        return line
    return "\n".join(str(value) for value in entry.values())


def log_dir() -> Path:
    return Path(_state["dir"])


def keep_log(name: str, text: str) -> Path:
    """Keep the output of a process a test started, so the end-of-run scan reads it."""
    path = log_dir() / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.log"
    with path.open("a", encoding="utf-8", errors="replace") as handle:
        handle.write(text)
    return path


def _capture_every_record(path: Path) -> None:
    handle = path.open("a", encoding="utf-8", errors="backslashreplace", buffering=1)
    call_handlers = logging.Logger.callHandlers
    formatter = logging.Formatter()

    def capture(self: logging.Logger, record: logging.LogRecord) -> None:
        if record.name != CANARY:
            try:
                text = record.getMessage()
            except Exception:  # a broken format string is the caller's bug, not ours to raise
                text = f"{record.msg!r} % {record.args!r}"
            if record.exc_info:
                text += "\n" + formatter.formatException(record.exc_info)
            handle.write(f"{record.levelname} {record.name}: {text}\n")
        call_handlers(self, record)

    _state.update(file=handle, call_handlers=call_handlers)
    logging.Logger.callHandlers = capture  # type: ignore[method-assign]


def pytest_configure(config: pytest.Config) -> None:
    folder = os.environ.get("HALLWATCH_TEST_LOG_DIR") or tempfile.mkdtemp(prefix="hallwatch-logs-")
    Path(folder).mkdir(parents=True, exist_ok=True)
    _state["dir"] = folder
    _capture_every_record(Path(folder) / "session.log")
    logging.getLogger().setLevel(logging.DEBUG)


def _logs(session: pytest.Session) -> list[Path]:
    paths = sorted(log_dir().glob("*.log"))
    factory = getattr(session.config, "_tmp_path_factory", None)
    basetemp = getattr(factory, "_basetemp", None) if factory else None
    if basetemp is not None and Path(basetemp).exists():
        paths += sorted(Path(basetemp).rglob("*.log"))
    return paths


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if "file" not in _state:
        return
    logging.Logger.callHandlers = _state.pop("call_handlers")  # type: ignore[method-assign]
    _state.pop("file").close()
    paths = _logs(session)
    hits = LogScanner(suite_secrets()).scan(paths)
    size = sum(p.stat().st_size for p in paths)
    _state["summary"] = f"log scan: {len(paths)} log file(s), {size:,} bytes, in {log_dir()}"
    _state["hits"] = hits
    if hits:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if "summary" not in _state:
        return
    hits = _state["hits"]
    terminalreporter.write_line(
        _state["summary"] + (f": {len(hits)} SECRET(S) FOUND" if hits else ": no secret found")
    )
    for hit in hits[:50]:
        terminalreporter.write_line(f"  {hit}", red=True)
