"""Pure, deterministic detectors: records plus context in, findings out.

The single entry point is :func:`run`. Detectors never import ``monitor`` or ``connectors``,
never touch a database, a file or the network, and never read the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from detectors.base import (
    CLAUSES,
    SEVERITIES,
    AccountState,
    CommentState,
    Context,
    Detector,
    Finding,
    ImageItem,
    Item,
    PostState,
    ProfileState,
    TextItem,
    redact,
)
from detectors.structural import STRUCTURAL_DETECTORS

DEFAULT_STRUCTURAL: tuple[Detector, ...] = STRUCTURAL_DETECTORS


@lru_cache(maxsize=1)
def default_detectors() -> tuple[Detector, ...]:
    """Every detector with the bundled word lists, built once (the model loads here)."""
    from detectors.images import ImageDetector
    from detectors.language import LanguageDetector
    from detectors.media import MediaInquiryDetector
    from detectors.pii import PiiDetector
    from detectors.wellbeing import WellbeingDetector

    text = (PiiDetector(), LanguageDetector(), MediaInquiryDetector(), WellbeingDetector())
    return (*STRUCTURAL_DETECTORS, *text, ImageDetector())


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
    "CommentState",
    "Context",
    "Detector",
    "Finding",
    "ImageItem",
    "Item",
    "PostState",
    "ProfileState",
    "TextItem",
    "default_detectors",
    "redact",
    "run",
]
