"""Public data sets that nobody here wrote: where each came from, and a checked loader.

The data itself is never committed (``benchmarks/data/external/`` is ignored by git). Each
set's provenance is one table of ``benchmarks/datasets.toml``::

    [olid-test]                      # the name scripts load it by
    repo = "owner/name"              # the public GitHub repository it was taken from
    commit = "40 hex digits"         # the commit it was read at
    path = "data/test.tsv"           # the file's path in that repository; a path ending in
                                     # "/" is a folder of many small files, kept whole
    sha256 = "..."                   # of the file as stored under benchmarks/data/external/
                                     # (of a folder: of its sorted "name sha256" lines)
    licence = "CC-BY-4.0"            # as the repository states it ("unstated" if it does not)
    use = "test"                     # "train", "dev", "test", "real-comments" or "names"
    reserved = false                 # true for a set reserved for independent evaluation
    source = "..."                   # one line: who made it, what it holds, how it is labelled

``load_path(name)`` returns the local file after checking its sha256, or raises
:class:`MissingData` saying exactly how to get it back on a fresh machine;
``install_from_git(name, git_dir)`` copies it out of a bare clone of its repository.
"""

from __future__ import annotations

import hashlib
import subprocess
import tomllib
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "datasets.toml"
STORE = HERE / "data" / "external"
USES = ("train", "dev", "test", "real-comments", "names")
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
        if entry.get("reserved") and entry["use"] in ("train", "dev"):
            raise ValueError(f"{CATALOGUE.name}: [{name}] is reserved: no training or tuning on it")
    return entries


def local_path(name: str) -> Path:
    """Where data set ``name`` is kept on this machine (whether or not it is there)."""
    entry = catalogue()[name]
    return STORE / name / Path(entry["path"].rstrip("/")).name


def sha256(path: Path) -> str:
    """Of a file's bytes; of a folder, of its sorted ``"relative/name sha256"`` lines."""
    if path.is_dir():
        lines = sorted(
            f"{file.relative_to(path).as_posix()} {sha256(file)}\n"
            for file in path.rglob("*")
            if file.is_file()
        )
        return hashlib.sha256("".join(lines).encode()).hexdigest()
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def install_from_git(name: str, git_dir: Path) -> Path:
    """Copy data set ``name`` out of a bare clone of its repository, at the recorded commit.

    Raises:
        MissingData: the clone lacks that commit or path, or what it holds is not the
            recorded file.
    """
    entry = catalogue()[name]
    path = local_path(name)
    git = ["git", "--git-dir", str(git_dir)]
    commit, source = entry["commit"], entry["path"]
    if source.endswith("/"):
        listing = subprocess.run(
            [*git, "ls-tree", "-r", "--name-only", commit, source],
            capture_output=True,
            text=True,
        )
        files = listing.stdout.split()
    else:
        files = [source]
    if not files:
        raise MissingData(f"{git_dir} has no {source} at {commit}")
    for file in files:
        shown = subprocess.run([*git, "show", f"{commit}:{file}"], capture_output=True)
        if shown.returncode:
            raise MissingData(f"{git_dir} has no {file} at {commit}: {shown.stderr.decode()}")
        target = path / Path(file).relative_to(source) if source.endswith("/") else path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(shown.stdout)
    return load_path(name)


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
        f"to {_shown(path)}"
    )
    if not path.exists():
        raise MissingData(f"data set {name!r} is not on this machine: {how}")
    if sha256(path) != entry["sha256"]:
        raise MissingData(f"data set {name!r} at {path} is not the recorded file: {how}")
    return path


def _shown(path: Path) -> Path:
    """``path`` relative to the project when it is inside it."""
    return path.relative_to(HERE.parent) if path.is_relative_to(HERE.parent) else path


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
