"""Pure, deterministic detectors: records plus context in, findings out.

The single entry point is :func:`run`. Detectors never import ``monitor`` or ``connectors``,
never touch a database, a file or the network, and never read the clock.
"""

from __future__ import annotations

from collections.abc import Sequence

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

DEFAULT_DETECTORS: tuple[Detector, ...] = STRUCTURAL_DETECTORS


def run(
    items: Sequence[Item],
    context: Context,
    detectors: Sequence[Detector] = DEFAULT_DETECTORS,
) -> list[Finding]:
    """Apply every enabled detector and return their findings, in a stable order."""
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
    "DEFAULT_DETECTORS",
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
    "redact",
    "run",
]
