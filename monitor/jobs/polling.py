"""One poll as the workers and `hallwatch poll` run it: logged with its account and platform,
and counted by outcome (``poll_counts``: what `hallwatch status` and /metrics report)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from connectors import RateLimited, TransientError
from monitor.core.app import App
from monitor.core.logs import log_context
from monitor.ingest import pipeline
from monitor.registry import usage
from monitor.storage.models import Account

log = logging.getLogger(__name__)


def registered_platform(app: App, account_id: int) -> str:
    """The account's platform as the registry has it ("" if there is no such account)."""
    with app.sessions() as session:
        return session.scalar(select(Account.platform).where(Account.id == account_id)) or ""


def count_poll(app: App, platform: str, now: datetime, outcome: str) -> None:
    """Count one poll; a database that fails here never fails the poll itself."""
    if not platform:
        return
    try:
        with app.sessions() as session, session.begin():
            usage.record_poll(session, platform, now, outcome)
    except SQLAlchemyError as exc:
        log.warning("a %s poll was not counted (%s)", platform, type(exc).__name__)


def count_account_poll(app: App, account_id: int, now: datetime, outcome: str) -> None:
    """:func:`count_poll` for the account's platform (a poll that waits, e.g. for quota)."""
    count_poll(app, registered_platform(app, account_id), now, outcome)


def poll_counted(app: App, account_id: int, now: datetime) -> pipeline.PollResult:
    """:func:`monitor.ingest.pipeline.poll_account`, logged and counted by outcome.

    Raises:
        RateLimited, TransientError: as the pipeline does (counted first), for a retry.
    """
    platform = registered_platform(app, account_id)
    context: dict[str, str | int] = {"account_id": account_id}
    if platform:
        context["platform"] = platform
    with log_context(**context):
        try:
            result = pipeline.poll_account(app, account_id, now)
        except RateLimited:
            count_poll(app, platform, now, "rate_limited")
            raise
        except TransientError:
            count_poll(app, platform, now, "transient_error")
            raise
        except Exception:
            count_poll(app, platform, now, "error")
            raise
        if result.outcome != "skipped":  # not polled: retired, broken or gone
            count_poll(app, platform, now, result.outcome)
        return result
