"""Public data sets that nobody here wrote: where each came from, and a checked loader.

The data itself is never committed (``benchmarks/data/external/`` is ignored by git). Each
set's provenance is one table of ``benchmarks/datasets.toml``::

    [olid-test]                      # the name scripts load it by
    repo = "owner/name"              # the public GitHub repository it was taken from
    commit = "40 hex digits"         # the commit it was read at
    path = "data/test.tsv"           # the file's path in that repository (a folder: "dat/x/")
    sha256 = "..."                   # of the file as stored under benchmarks/data/external/
    licence = "CC-BY-4.0"            # as the repository states it ("unstated" if it does not)
    use = "test"                     # "train", "test", "real-comments" or "names"
    reserved = false                 # true for a set reserved for independent evaluation
    source = "..."                   # one line: who made it, what it holds, how it is labelled

A ``path`` ending in "/" names a folder, kept whole under ``<name>/``; its sha256 is that of
the sorted lines ``"<relative path> <sha256 of the file>\n"`` of every file in it.

``load_path(name)`` returns the local file after checking its sha256, or raises
:class:`MissingData` saying exactly how to get it back on a fresh machine.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "datasets.toml"
STORE = HERE / "data" / "external"
USES = ("train", "test", "real-comments", "names")
FIELDS = ("repo", "commit", "path", "sha256", "licence", "use", "source")


class MissingData(RuntimeError):
    """A data set is not on this machine, or is not the file that was recorded."""


def catalogue() -> dict[str, dict[str, Any]]:
    """Every recorded data set, by name, with its fields checked."""
    with CATALOGUE.open("rb") as fh:
        entries = tomllib.load(fh)
    for name, entry in entries.items():
        missing = [f for f in FIELDS if not entry.get(f)]
        if missing:
            raise ValueError(f"{CATALOGUE.name}: [{name}] lacks {', '.join(missing)}")
        if entry["use"] not in USES:
            raise ValueError(f"{CATALOGUE.name}: [{name}] use must be one of {USES}")
        if entry.get("reserved") and entry["use"] == "train":
            raise ValueError(f"{CATALOGUE.name}: [{name}] is reserved and may not be trained on")
    return entries


def local_path(name: str) -> Path:
    """Where data set ``name`` is kept on this machine (whether or not it is there)."""
    entry = catalogue()[name]
    return STORE / name / Path(entry["path"].rstrip("/")).name


def sha256(path: Path) -> str:
    """The sha256 of a file, or of a folder's listing of its files' sha256 (see above)."""
    if path.is_dir():
        lines = sorted(
            f"{p.relative_to(path).as_posix()} {sha256(p)}\n"
            for p in path.rglob("*")
            if p.is_file()
        )
        return hashlib.sha256("".join(lines).encode()).hexdigest()
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_path(name: str) -> Path:
    """The checked local copy of data set ``name``.

    Raises:
        MissingData: the file is absent or its sha256 differs from the recorded one; the
            message names the repository, commit and path to fetch it from.
    """
    entry = catalogue()[name]
    path = local_path(name)
    how = (
        f"fetch {entry['repo']} at commit {entry['commit']} and copy {entry['path']} "
        f"to {path.relative_to(HERE.parent)}"
    )
    if not path.exists():
        raise MissingData(f"data set {name!r} is not on this machine: {how}")
    if sha256(path) != entry["sha256"]:
        raise MissingData(f"data set {name!r} at {path} is not the recorded file: {how}")
    return path


def available(names: list[str]) -> tuple[list[str], list[str]]:
    """``(present, reasons)``: the names whose files are here, and why the others are not."""
    present, reasons = [], []
    for name in names:
        try:
            load_path(name)
            present.append(name)
        except MissingData as exc:
            reasons.append(str(exc))
    return present, reasons
