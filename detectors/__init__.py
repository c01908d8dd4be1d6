"""Pure, deterministic detectors: records plus context in, findings out.

The single entry point is :func:`run`. Detectors never import ``monitor`` or ``connectors``,
never touch a database, a file or the network, and never read the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from detectors.base import (
    CLAUSES,
    SEVERITIES,
    AccountState,
    AdminState,
    CommentState,
    Context,
    Detector,
    Finding,
    ImageItem,
    Item,
    OrgContact,
    PostState,
    ProfileState,
    Severity,
    TextItem,
    redact,
)
from detectors.langid import COVERED
from detectors.procedure import PROCEDURE_DETECTORS
from detectors.structural import STRUCTURAL_DETECTORS

if TYPE_CHECKING:
    from detectors.language import Lexicon

DEFAULT_STRUCTURAL: tuple[Detector, ...] = (*STRUCTURAL_DETECTORS, *PROCEDURE_DETECTORS)


@lru_cache(maxsize=8)
def build(lexicon_dir: str = "", alt_text_items: bool = False) -> tuple[Detector, ...]:
    """The detector suite, built in this one place and once per set of options (the word
    lists, automata and model load here).

    Args:
        lexicon_dir: a district's own copy of ``detectors/data/lexicon`` ("" for the bundled
            lists).
        alt_text_items: the caller passes each photo's alt text as a ``TextItem`` of its own
            (the worker does, so alt text is checked even when the photo cannot be fetched);
            then the PII detector does not read it again from the ``ImageItem``.
    """
    # Deferred: these modules bring OpenCV, NumPy, the automata and the language model, which
    # `import detectors` (the structural rules, the CLI's --help) does not need.
    from detectors.images import ImageDetector
    from detectors.language import LanguageDetector
    from detectors.media import MediaInquiryDetector
    from detectors.pii import PiiDetector
    from detectors.wellbeing import WellbeingDetector

    lexicon = _lexicon(lexicon_dir) if lexicon_dir else None
    text = (
        PiiDetector(scan_alt_text=not alt_text_items),
        LanguageDetector(lexicon=lexicon),
        MediaInquiryDetector(),
        WellbeingDetector(),
    )
    return (*DEFAULT_STRUCTURAL, *text, ImageDetector())


@lru_cache(maxsize=8)
def _lexicon(lexicon_dir: str) -> Lexicon:
    # Deferred, as in build(): detectors.language loads the automata and the model.
    from detectors.language import load_lexicon

    return load_lexicon(lexicon_dir)


@lru_cache(maxsize=8)
def covered_languages(lexicon_dir: str = "") -> frozenset[str]:
    """The languages the text rules read in their own words: English and French, and each
    language the district added word lists for (``<lang>/`` folders of ``lexicon_dir``).
    A comment identified as any other language (not ``"und"``) was not checked for
    language (:func:`detectors.langid.covered`).

    Raises:
        detectors.language.LexiconError: a folder of ``lexicon_dir`` is not a language code
            (the message says what to do).
    """
    if not lexicon_dir:
        return COVERED
    return COVERED | frozenset(_lexicon(lexicon_dir).languages)


def default_detectors() -> tuple[Detector, ...]:
    """Every detector with the bundled word lists (:func:`build` with its defaults)."""
    return build()


def run(
    items: Sequence[Item],
    context: Context,
    detectors: Sequence[Detector] | None = None,
) -> list[Finding]:
    """Apply every enabled detector and return their findings, in a stable order.

    Args:
        items: posts, comments and photos to scan (structural rules read the context).
        context: everything else a detector may know; ``now`` is given, never read.
        detectors: the suite to run; default :func:`default_detectors`.
    """
    if detectors is None:
        detectors = default_detectors()
    findings: list[Finding] = []
    for detector in detectors:
        if context.enabled is not None and not set(detector.rules) & context.enabled:
            continue
        for found in detector.detect(items, context):
            if context.enabled is None or found.rule in context.enabled:
                findings.append(found)
    return findings


__all__ = [
    "CLAUSES",
    "DEFAULT_STRUCTURAL",
    "SEVERITIES",
    "AccountState",
    "AdminState",
    "CommentState",
    "Context",
    "Detector",
    "Finding",
    "ImageItem",
    "Item",
    "OrgContact",
    "PostState",
    "ProfileState",
    "Severity",
    "TextItem",
    "covered_languages",
    "default_detectors",
    "redact",
    "run",
]
