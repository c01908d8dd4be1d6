"""``hallwatch scan``: the detectors over JSON lines, with no database needed.

Input, one object per line: ``{"id": ..., "text": ..., "kind": "post"|"comment"}``.
Output, one line per valid input line, in order:
``{"id": ..., "language": "en", "findings": [{"rule", "severity", "start", "end", "score",
"detector", "version", "explanation"}]}`` (``language``: the code the detectors read the
text as, identified as a poll identifies a stored comment; "und" when it cannot be told).
A malformed line is reported on stderr with its line number and skipped; the caller exits 2
if any line was bad.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, TextIO

import detectors
from detectors.langid import identify_many
from detectors.roster import RosterIndex
from monitor.registry.roster import read_rows

BATCH = 500
MAX_TEXT = 100_000  # characters of one text that are scanned; the rest is ignored
KINDS = ("post", "comment")
_UNDECODED = re.compile("[\udc80-\udcff]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class ScanResult:
    """Counts for the exit status and the summary line."""

    lines: int = 0
    bad: int = 0
    findings: int = 0
    errors: list[str] = field(default_factory=list)


def parse_line(number: int, line: str) -> tuple[Any, detectors.TextItem] | str:
    """The item on one input line, or the reason it is malformed."""
    if _UNDECODED.search(line):  # bytes the reader kept with errors="surrogateescape"
        return f"line {number}: not UTF-8 text"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"line {number}: not JSON ({exc.msg})"
    if not isinstance(data, dict):
        return f"line {number}: not a JSON object"
    ident, text, kind = data.get("id"), data.get("text"), data.get("kind", "comment")
    if ident is None or isinstance(ident, (dict, list)):
        return f"line {number}: 'id' is missing or not a string or number"
    if not isinstance(text, str):
        return f"line {number}: 'text' is missing or not a string"
    if kind not in KINDS:
        return f"line {number}: 'kind' must be 'post' or 'comment'"
    if isinstance(ident, str):
        ident = _LONE_SURROGATE.sub("\ufffd", ident)  # "\ud800" in JSON: not writable as UTF-8
    text = _LONE_SURROGATE.sub("\ufffd", text[:MAX_TEXT])
    # The line number is the item's id inside the scan, so repeated ids stay apart.
    return ident, detectors.TextItem(id=str(number), text=text, kind=kind)


def roster_from_csv(key: bytes, stream: TextIO) -> RosterIndex:
    """An in-memory roster index from a raw roster CSV (hashed at once, never stored)."""
    return RosterIndex.from_rows(key, [row for _, row in read_rows(stream)])


def _batches(lines: Iterable[str]) -> Iterator[list[tuple[int, str]]]:
    batch: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            batch.append((number, line))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def scan(
    lines: Iterable[str],
    out: TextIO,
    err: TextIO,
    suite: tuple[detectors.Detector, ...],
    context: detectors.Context,
) -> ScanResult:
    """Scan ``lines`` and write one JSON line per valid input line.

    ``context`` is built as a worker builds it (:func:`monitor.ingest.detection.detection_context`),
    so the settings, the roster, the consents and the organisation units' contacts act alike.
    """
    result = ScanResult()
    for batch in _batches(lines):
        parsed: list[tuple[Any, detectors.TextItem]] = []
        for number, line in batch:
            result.lines += 1
            item = parse_line(number, line)
            if isinstance(item, str):
                result.bad += 1
                err.write(item + "\n")
            else:
                parsed.append(item)
        _emit(parsed, out, context, suite, result)
    return result


def _emit(
    parsed: list[tuple[Any, detectors.TextItem]],
    out: TextIO,
    context: detectors.Context,
    suite: tuple[detectors.Detector, ...],
    result: ScanResult,
) -> None:
    # The language of each text, identified once as a poll does when it stores a comment,
    # and handed to the detectors with the item.
    languages = identify_many([item.text for _, item in parsed])
    parsed = [
        (i, replace(item, language=lang)) for (i, item), lang in zip(parsed, languages, strict=True)
    ]
    found: dict[str, list[dict[str, Any]]] = {}
    for finding in detectors.run([item for _, item in parsed], context, suite):
        found.setdefault(finding.subject, []).append(finding.as_dict())
    for ident, item in parsed:
        findings = sorted(found.get(item.id, []), key=lambda f: (f["start"] or 0, f["rule"]))
        result.findings += len(findings)
        line = {"id": ident, "language": item.language, "findings": findings}
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
