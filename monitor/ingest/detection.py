"""The detector suite a worker runs, the roster it matches against, and evidence grouping.

Findings on one item for one rule become one flag: the most severe finding leads, every
span is listed, and the excerpt masks each span with its label, so the PII or the
offensive word itself never reaches an alert, a digest or the flag's excerpt.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import detectors
from detectors.roster import RosterIndex
from monitor.core.settings import Settings
from monitor.registry.roster import RosterKeyError, load_index, roster_version
from monitor.storage.models import OrgUnit

EXCERPT = 280
RANK = {s: i for i, s in enumerate(detectors.SEVERITIES)}


log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def suite(lexicon_dir: str = "") -> tuple[detectors.Detector, ...]:
    """The worker's detector suite (:func:`detectors.build`), tuned for a worker process."""
    import cv2  # deferred: OpenCV is heavy, and only a worker that analyses photos needs it

    cv2.setNumThreads(1)  # Dramatiq's worker threads are the parallelism; no oversubscription
    # Alt text reaches the PII detector as its own TextItem (see the pipeline's _text_items).
    built = detectors.build(lexicon_dir, alt_text_items=True)
    # The word lists, automata and model weights live as long as the process: move them
    # (and everything else alive now) out of the cyclic collector's reach, so its
    # collections during detection walk only the batch at hand (about 10% of detection
    # time with the model loaded; see benchmarks/detector_throughput.py).
    gc.freeze()
    return built


def settings_suite(settings: Settings) -> tuple[detectors.Detector, ...]:
    return suite(settings.detection.lexicon_dir)


def org_contacts(session: Session) -> tuple[detectors.OrgContact, ...]:
    """Every organisation unit's published address, phone, e-mail and website: a school's
    own contact details, which ``pii.student`` never reports."""
    return tuple(
        detectors.OrgContact(
            name=unit.name,
            addresses=(unit.address,) if unit.address else (),
            phones=(unit.phone,) if unit.phone else (),
            emails=(unit.email,) if unit.email else (),
            websites=(unit.website,) if unit.website else (),
        )
        for unit in session.scalars(select(OrgUnit).order_by(OrgUnit.id))
    )


def detection_context(
    settings: Settings,
    now: datetime,
    units: Sequence[detectors.OrgContact] = (),
    **kw: Any,
) -> detectors.Context:
    """The detectors' context from the settings and the registry, built the one way that a
    worker's poll and ``hallwatch scan`` share (so a setting changes both alike).

    Args:
        settings: district domains, the district's own phones and addresses, the phone region,
            the procedure version owners acknowledge and how long an acknowledgement lasts.
        now: the time the findings are made at.
        units: the organisation units' contacts (:func:`org_contacts`).
        **kw: the rest of :class:`detectors.Context` (account, roster, consents, enabled).
    """
    district = detectors.OrgContact(
        name="district settings",
        phones=settings.detection.allow_phones,
        addresses=settings.detection.allow_addresses,
    )
    return detectors.Context(
        now=now,
        review_window=settings.review_window,
        stale_after=settings.stale_after,
        district_domains=settings.district_domains,
        region=settings.detection.region,
        org_contacts=(district, *units),
        procedure_version=settings.procedure.version,
        acknowledge_within=settings.acknowledge_within,
        acknowledge_grace=settings.acknowledge_grace,
        **kw,
    )


class RosterCache:
    """The roster index and consents, reloaded only when the stored roster changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = ""
        self._value: tuple[RosterIndex | None, frozenset[str]] = (None, frozenset())

    def get(
        self, session: Session, settings: Settings
    ) -> tuple[RosterIndex | None, frozenset[str]]:
        version = roster_version(session)
        with self._lock:
            if version != self._version:
                try:
                    self._value = load_index(session, settings)
                except RosterKeyError as exc:
                    # Every other rule still runs; say loudly (once) what to do.
                    log.error("%s", exc)
                    self._value = (None, frozenset())
                self._version = version
            return self._value


ROSTER = RosterCache()


def _spans(found: Sequence[detectors.Finding]) -> list[tuple[int, int, str]]:
    return [
        (f.start, f.end, str(f.details.get("label", f.rule)))
        for f in found
        if f.start is not None and f.end is not None
    ]


def masked_excerpt(text: str, spans: Sequence[tuple[int, int, str]], limit: int = EXCERPT) -> str:
    """``text`` with every span masked, cut to ``limit`` characters around the first span."""
    start = max(0, min((s for s, _, _ in spans), default=0) - 80)
    window = [(max(s, start) - start, e - start, lab) for s, e, lab in spans if e > start]
    masked = detectors.redact(text[start:], window)
    flat = " ".join(masked.split())
    prefix = "… " if start else ""
    return prefix + (flat if len(flat) <= limit else flat[: limit - 1] + "…")


def group(
    findings: Sequence[detectors.Finding], texts: Mapping[str, str]
) -> list[detectors.Finding]:
    """One finding per (rule, subject), most severe first, with a masked excerpt."""
    by_item: dict[str, list[detectors.Finding]] = {}
    grouped: list[detectors.Finding] = []
    for finding in findings:
        if not finding.subject:  # account-level findings keep their own keys
            grouped.append(finding)
        else:
            by_item.setdefault(finding.subject, []).append(finding)
    for subject, found in by_item.items():
        every_span = _spans(found)
        rules: dict[str, list[detectors.Finding]] = {}
        for finding in found:
            rules.setdefault(finding.rule, []).append(finding)
        for rule_findings in rules.values():
            grouped.append(_merge(rule_findings, every_span, texts.get(subject, "")))
    return grouped


def _merge(
    found: list[detectors.Finding], spans: list[tuple[int, int, str]], text: str
) -> detectors.Finding:
    lead = min(found, key=lambda f: (RANK[f.severity], -f.score))
    if len(found) == 1 and lead.start is None and not text:
        return lead
    labels = sorted({str(f.details.get("label", f.rule)) for f in found})
    details = {**lead.details, "labels": labels, "spans": [list(s) for s in _spans(found)]}
    excerpt = masked_excerpt(text, spans) if text else lead.excerpt
    return replace(lead, details=details, excerpt=excerpt)
