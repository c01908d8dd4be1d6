"""benchmarks/datasets.py: the provenance table of public data sets, and its checked copies.

Given a catalogue entry (a file, or a folder of files, at a commit of a repository), When it
is installed from a clone or loaded, Then the copy is the recorded one or a MissingData
error says how to get it back; reserved sets can never be marked for training or tuning.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from benchmarks import datasets


def test_catalogue_entries_are_complete_and_reserved_sets_are_never_trained_on() -> None:
    entries = datasets.catalogue()
    for name, entry in entries.items():
        assert entry["use"] in datasets.USES, name
        assert len(entry["commit"]) == 40 and len(entry["sha256"]) == 64, name
        if entry.get("reserved"):
            assert entry["use"] not in ("train", "dev"), name
    reserved = {n for n, e in entries.items() if e.get("reserved")}
    assert {"olid-test-text", "ethos-binary", "formspring"} <= reserved


def _repo(tmp_path: Path) -> tuple[Path, str]:
    work = tmp_path / "work"
    (work / "data" / "sub").mkdir(parents=True)
    (work / "data" / "a.txt").write_text("one\n")
    (work / "data" / "sub" / "b.txt").write_text("two\n")
    (work / "single.csv").write_text("text,label\nhi,0\n")
    git = ["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "data"], check=True)
    commit = subprocess.run(
        [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return work / ".git", commit


def _use_catalogue(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, commit: str, entries: dict[str, str]
) -> None:
    lines = []
    for name, (path, digest) in entries.items():
        lines += [
            f"[{name}]",
            'repo = "example/data"',
            f'commit = "{commit}"',
            f'path = "{path}"',
            f'sha256 = "{digest}"',
            'licence = "CC0-1.0"',
            'use = "dev"',
            'source = "a test repository"',
        ]
    catalogue = tmp_path / "datasets.toml"
    catalogue.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(datasets, "CATALOGUE", catalogue)
    monkeypatch.setattr(datasets, "STORE", tmp_path / "store")


def test_a_file_and_a_folder_install_from_a_clone_and_load_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git_dir, commit = _repo(tmp_path)
    folder_digest = datasets.sha256(tmp_path / "work" / "data")
    file_digest = datasets.sha256(tmp_path / "work" / "single.csv")
    _use_catalogue(
        monkeypatch,
        tmp_path,
        commit,
        {"folder": ("data/", folder_digest), "file": ("single.csv", file_digest)},
    )
    folder = datasets.install_from_git("folder", git_dir)
    assert folder.is_dir() and (folder / "sub" / "b.txt").read_text() == "two\n"
    assert datasets.install_from_git("file", git_dir).read_text() == "text,label\nhi,0\n"
    assert datasets.load_path("folder") == folder

    (folder / "sub" / "b.txt").write_text("changed\n")
    with pytest.raises(datasets.MissingData, match="not the recorded file: fetch example/data"):
        datasets.load_path("folder")


def test_a_path_missing_from_the_clone_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git_dir, commit = _repo(tmp_path)
    _use_catalogue(monkeypatch, tmp_path, commit, {"gone": ("nowhere.csv", "0" * 64)})
    with pytest.raises(datasets.MissingData, match="has no nowhere.csv"):
        datasets.install_from_git("gone", git_dir)
    with pytest.raises(datasets.MissingData, match="is not on this machine"):
        datasets.load_path("gone")
