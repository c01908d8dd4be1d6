"""``media.inquiry``: a journalist or news outlet asking the school for comment.

Procedure 417 sends media inquiries to the District, so such a comment goes to the
communications office at once. A comment is an inquiry when it has a *source* (the writer
says they are a reporter or are working on a story, or names a news outlet) *and* a
*request* (for comment, an interview, a statement, a call back, by a deadline), and no
*exclusion* (a student's school project or the school's own paper). The phrases live in
``detectors/data/media_cues.txt`` and the outlets in ``detectors/data/media_outlets.txt``;
a district loads its own copies with :func:`load_media_cues`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from detectors.base import Context, Detector, Finding, Item, Severity, TextItem
from detectors.phrases import Match, PhraseBook, read_sections

RULE = "media.inquiry"
SECTIONS = ("identify", "request", "exclude")
_OUTLET = "outlet:"


@dataclass(frozen=True)
class MediaCues:
    """Outlet names and the phrase sections of the cues file.

    Attributes:
        outlets: One outlet name per entry, as the alert should show it.
        sections: ``identify``, ``request`` and ``exclude`` to their phrase lines; group
            definitions written before the first section are repeated in each.
    """

    outlets: tuple[str, ...]
    sections: Mapping[str, tuple[str, ...]]


def _lines(source: Traversable | Path) -> list[str]:
    return [line.strip() for line in source.read_text(encoding="utf-8").splitlines()]


def load_media_cues(outlets: str | Path | Traversable, cues: str | Path | Traversable) -> MediaCues:
    """Read an outlets file and a cues file (same formats as the bundled ones).

    Args:
        outlets: A district copy of ``media_outlets.txt``.
        cues: A district copy of ``media_cues.txt``.
    """
    names = [
        line
        for line in _lines(Path(outlets) if isinstance(outlets, str) else outlets)
        if line and not line.startswith("#")
    ]
    sections = read_sections(
        _lines(Path(cues) if isinstance(cues, str) else cues), SECTIONS, "media cues"
    )
    return MediaCues(tuple(dict.fromkeys(names)), sections)


def bundled_media_cues() -> MediaCues:
    """The outlets and cues shipped in ``detectors/data``, with their French files
    (``media_outlets.fr.txt``, ``media_cues.fr.txt``: same sections, joined)."""
    data = resources.files("detectors").joinpath("data")
    english = load_media_cues(data.joinpath("media_outlets.txt"), data.joinpath("media_cues.txt"))
    french = load_media_cues(
        data.joinpath("media_outlets.fr.txt"), data.joinpath("media_cues.fr.txt")
    )
    return MediaCues(
        tuple(dict.fromkeys(english.outlets + french.outlets)),
        {name: (*english.sections[name], *french.sections[name]) for name in SECTIONS},
    )


class MediaInquiryDetector(Detector):
    """Raises ``media.inquiry`` (high) for a comment or post that is a media inquiry.

    Profile texts are ignored. The finding's span is the first source cue (the
    journalist's self-introduction or the outlet's name).

    Args:
        cues: Outlets and phrases; the bundled ones when ``None``.
    """

    name = "media"
    version = "1"
    rules = (RULE,)

    def __init__(self, cues: MediaCues | None = None) -> None:
        self.cues = cues if cues is not None else bundled_media_cues()
        sources: dict[str, tuple[str, ...]] = {f"{_OUTLET}{n}": (n,) for n in self.cues.outlets}
        sources["identify"] = self.cues.sections["identify"]
        self._sources = PhraseBook(sources, readings=False)
        requests = {k: self.cues.sections[k] for k in ("request", "exclude")}
        self._requests = PhraseBook(requests, readings=False)

    def detect(self, items: Sequence[Item], context: Context) -> Iterable[Finding]:
        texts = [
            item
            for item in items
            if isinstance(item, TextItem) and item.kind != "profile" and item.text
        ]
        scans = self._sources.scan_many([item.text for item in texts])
        sourced = [(i, s.matches) for i, s in zip(texts, scans, strict=True) if s.matches]
        requests = self._requests.scan_many([item.text for item, _ in sourced])
        findings: list[Finding] = []
        for (item, sources), others in zip(sourced, requests, strict=True):
            categories = {match.category for match in others.matches}
            if "request" in categories and "exclude" not in categories:
                findings.append(self._finding(item, sources))
        return findings

    def _finding(self, item: TextItem, sources: list[Match]) -> Finding:
        first = min(sources, key=lambda m: (m.start, -m.end))
        outlets = [m for m in sorted(sources) if m.category.startswith(_OUTLET)]
        identified = any(m.category == "identify" for m in sources)
        outlet = (
            min(outlets, key=lambda m: (m.start, -m.end)).category[len(_OUTLET) :]
            if outlets
            else None
        )
        who = (
            "someone who says they are a journalist"
            if identified
            else "someone naming a news outlet"
        )
        if outlet:
            who += f" ({outlet})"
        explanation = (
            f"This {item.kind} looks like a media inquiry: {who} asks for a comment, an "
            "interview or a statement; refer it to the District communications office "
            "instead of answering from this account."
        )
        cues = (["identify"] if identified else []) + (["outlet"] if outlet else []) + ["request"]
        score = 0.95 if identified and outlet else 0.9 if identified else 0.8
        return self.finding(
            RULE,
            Severity.HIGH,
            explanation,
            item.id,
            subject=item.id,
            start=first.start,
            end=first.end,
            score=score,
            details={"label": "media inquiry", "cues": cues, "outlet": outlet},
        )
