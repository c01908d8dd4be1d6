"""Photos wait for analysis; each poll analyses the oldest waiting ones, up to the cap.

A poll stores every photo it reads as waiting (``MediaItem.analysed_at`` NULL) with the
rest of the snapshot, reads the account's oldest waiting photos in the same transaction
(:func:`oldest_waiting`), commits, and then analyses up to ``detection.max_images_per_poll``
of them (:func:`analyse_waiting`). A post with 30 photos is analysed over three polls: none
is skipped, none analysed twice. The queue is in the database, so a crash between the two
steps loses nothing: the next poll finds the photos still waiting.

One query finds the waiting photos; fetching happens outside any transaction; a photo is
marked analysed in the same transaction as its flags. A photo that cannot be fetched
(refused, gone, an expired address) is marked with the reason and counted as not fetched;
a passing failure (a 5xx, a timeout) leaves it waiting for the next poll.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Update, select, update
from sqlalchemy.orm import Session

import connectors
import detectors
from connectors import ConnectorError, PermanentError
from monitor.core.app import App
from monitor.ingest.detection import group, settings_suite
from monitor.ingest.flags import raise_flags
from monitor.storage.models import Account, Flag, MediaItem, Post
from monitor.storage.queries import waiting_photo

log = logging.getLogger(__name__)
PHOTO_RULES = frozenset({"pii.student"})
ERROR_LIMIT = 300  # the analysis_error column


@dataclass(frozen=True)
class WaitingPhoto:
    """A stored photo not analysed yet, with what fetching and flagging it needs."""

    id: int
    post_external_id: str
    external_id: str
    url: str
    alt_text: str
    post_url: str

    def item(self, data: bytes) -> detectors.ImageItem:
        return detectors.ImageItem(
            id=f"media:{self.post_external_id}:{self.external_id}",
            post_id=f"post:{self.post_external_id}",
            data=data,
            alt_text=self.alt_text,
        )


@dataclass
class PhotoRun:
    """What one poll's photo analysis did."""

    analysed: int = 0
    not_fetched: int = 0
    retry: int = 0  # passing failures: still waiting
    more: bool = False  # more photos wait than this poll's cap allowed
    flags: list[Flag] = field(default_factory=list)


def oldest_waiting(session: Session, account_id: int, limit: int) -> list[WaitingPhoto]:
    """The account's oldest waiting photos (stored first, analysed first), in one query."""
    query = (
        select(
            MediaItem.id,
            Post.external_id,
            MediaItem.external_id,
            MediaItem.url,
            MediaItem.alt_text,
            Post.url,
        )
        .join(Post, MediaItem.post_id == Post.id)
        .where(Post.account_id == account_id, waiting_photo())
        .order_by(MediaItem.id)
        .limit(limit)
    )
    return [WaitingPhoto(*row) for row in session.execute(query)]


def _fetch(
    connector: connectors.Connector, photos: Sequence[WaitingPhoto], run: PhotoRun
) -> tuple[list[tuple[WaitingPhoto, bytes]], dict[str, list[int]]]:
    """Fetch each photo: (photo, bytes) for those fetched, media ids by why they cannot be."""
    fetched: list[tuple[WaitingPhoto, bytes]] = []
    refused: dict[str, list[int]] = defaultdict(list)
    for photo in photos:
        if not photo.url:
            refused["the platform gave no address for this photo"].append(photo.id)
            continue
        media = connectors.Media(photo.external_id, "photo", photo.url, photo.alt_text)
        try:
            fetched.append((photo, connector.fetch_media(media)))
        except PermanentError as exc:
            refused[str(exc)[:ERROR_LIMIT]].append(photo.id)
        except ConnectorError as exc:  # passing: it stays waiting, first in line next poll
            run.retry += 1
            log.info("photo %s not fetched this poll (%s)", photo.external_id, type(exc).__name__)
    return fetched, refused


def _findings(
    app: App, images: Sequence[detectors.ImageItem], now: datetime
) -> list[detectors.Finding]:
    """Faces without consent and GPS data in ``images`` (no database, no transaction)."""
    if not images:
        return []
    context = detectors.Context(now=now, enabled=PHOTO_RULES, region=app.settings.detection.region)
    return group(detectors.run(images, context, settings_suite(app.settings)), {})


def analyse_waiting(
    app: App,
    account_id: int,
    connector: connectors.Connector,
    now: datetime,
    photos: Sequence[WaitingPhoto],
) -> PhotoRun:
    """Analyse the first ``max_images_per_poll`` of ``photos``: the account's oldest waiting
    ones, as :func:`oldest_waiting` read them (one more than the cap, to know if more wait)."""
    cap = app.settings.detection.max_images_per_poll
    run = PhotoRun(more=len(photos) > cap)
    if not photos:
        return run
    fetched, refused = _fetch(connector, photos[:cap], run)
    images = [photo.item(data) for photo, data in fetched]
    findings = _findings(app, images, now)
    urls = {photo.item(b"").id: photo.post_url for photo, _ in fetched}
    with app.sessions() as session, session.begin():
        account = session.get_one(Account, account_id)
        run.flags = raise_flags(session, account, findings, now, urls, app.settings.group_window)
        done = [photo.id for photo, _ in fetched]
        if done:
            session.execute(_mark(done, now, ""))
        for reason, ids in refused.items():
            session.execute(_mark(ids, now, reason))
        key = account.key
    run.analysed, run.not_fetched = len(fetched), sum(len(ids) for ids in refused.values())
    _log(key, run, refused)
    return run


def _mark(ids: list[int], now: datetime, error: str) -> Update:
    return (
        update(MediaItem)
        .where(MediaItem.id.in_(ids))
        .values(analysed_at=now, analysis_error=error)
        .execution_options(synchronize_session=False)
    )


def _log(account: str, run: PhotoRun, refused: dict[str, list[int]]) -> None:
    if run.not_fetched:
        reasons = "; ".join(sorted(refused))[:300]
        log.warning(
            "account %s: %d photo(s) could not be fetched and are not analysed (%s)",
            account,
            run.not_fetched,
            reasons,
        )
    if run.more or run.retry:
        log.info(
            "account %s: %d photo(s) analysed; more wait for the next poll", account, run.analysed
        )
