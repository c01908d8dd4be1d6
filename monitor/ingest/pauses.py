"""Usage caps: an account's polls pause until the platform's cap resets, and IT hears once.

When a platform says a plan's usage cap for a whole period is used up
(:class:`connectors.UsageCapped`, X's monthly cap), every request fails the same way until
the cap resets or IT raises the plan. So the poll is not retried and the account is not
"broken": its polls pause until ``resets_at`` (``Account.paused_until``), the scheduler
skips it, and one notice goes to IT per cap and period, however many accounts hit it (an
outbox row of kind "notice" whose dedup key names the cap). The digest lists paused
accounts. IT un-pauses accounts at once with ``hallwatch accounts resume`` (after raising
the plan); otherwise the first poll after the reset resumes them.

An account stays paused, for the rules too, until a poll that is not capped (or IT)
ends the pause, so an account is not reported "not checked recently" because of a cap.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

import connectors
from monitor.core.app import App
from monitor.storage import audit
from monitor.storage.db import insert_missing
from monitor.storage.models import Account, OutboxItem

log = logging.getLogger(__name__)
NOTICE = "usage-capped"
OUTCOME = "UsageCapped"


def cap_words(platform: str, exc: connectors.UsageCapped) -> str:
    """The cap in words: "X API monthly product cap"."""
    name = connectors.capabilities(platform).display_name or platform
    return f"{name} API {exc.period.lower() or 'usage'} {exc.scope.lower() or 'plan'} cap"


def notice_key(platform: str, exc: connectors.UsageCapped, account: str, now: datetime) -> str:
    """The notice's dedup key: one per cap and period. A cap on a whole Project (X's
    "Product" scope) is shared by every account on it; an "Account" cap is the account's.

    The period is the day the cap resets when known (or a daily cap's day); when the
    platform did not say, the calendar month the cap was met in.
    """
    if exc.exact or exc.period == "Daily":
        stamp = f"{exc.resets_at:%Y-%m-%d}"
    else:
        stamp = f"{now:%Y-%m}"
    key = f"notice:{NOTICE}:{platform}:{(exc.scope or 'plan').lower()}:{stamp}"
    return f"{key}:{account}" if exc.scope == "Account" else key


def pause(
    app: App, account_id: int, exc: connectors.UsageCapped, now: datetime
) -> tuple[str, list[int]]:
    """Pause the account's polls until the cap resets and queue the cap's one notice to IT.

    Returns:
        The account's key, and the notice's outbox id when it is still to be sent.
    """
    with app.sessions() as session, session.begin():
        account = session.get_one(Account, account_id, with_for_update=True)
        platform = account.platform  # the account's, also when the sandbox serves it
        words = cap_words(platform, exc)
        account.paused_until = exc.resets_at
        account.pause_reason = f"{words} used up"
        account.last_poll_outcome, account.last_poll_error = OUTCOME, str(exc)[:2000]
        key = notice_key(platform, exc, account.key, now)
        insert_missing(
            session,
            OutboxItem,
            dedup_key=key,
            kind="notice",
            created_at=now,
            deliver_after=now,
            status="pending",
            attempts=0,
            last_error="",
            detail={
                "about": NOTICE,
                "platform": platform,
                "cap": words,
                "resets_at": exc.resets_at.isoformat(),
                "exact": exc.exact,
                "said": exc.detail,  # the platform's own words: escaped wherever shown
                "message": str(exc)[:1000],  # the connector's: where to raise the plan
            },
        )
        pending = session.scalar(
            select(OutboxItem.id).where(OutboxItem.dedup_key == key, OutboxItem.status == "pending")
        )
        audit.record(
            session,
            audit.SYSTEM,
            "account.paused",
            "account",
            account.key,
            at=now,
            cap=words,
            until=exc.resets_at.isoformat(),
            exact=exc.exact,
        )
        account_key = account.key
    when = f"{exc.resets_at:%Y-%m-%d %H:%M} UTC" + ("" if exc.exact else " (re-checked then)")
    log.warning(
        "account %s: the %s is used up; polls paused until %s, not retried "
        "(IT: `hallwatch accounts resume %s` after raising the plan)",
        account_key,
        words,
        when,
        account_key,
    )
    return account_key, [pending] if pending is not None else []


def end_pause(account: Account) -> None:
    """A poll that was not capped: the pause (if any) is over."""
    account.paused_until, account.pause_reason = None, ""


def resume(
    app: App, keys: Sequence[str], platform: str | None, actor: str, now: datetime
) -> list[str]:
    """Un-pause the given paused accounts (or every paused account of ``platform``) so the
    next scheduler tick polls them; if the cap still holds they pause again, and IT gets
    no second notice for the same cap. Returns the keys resumed (audited)."""
    with app.sessions() as session, session.begin():
        query = select(Account).where(Account.paused_until.is_not(None)).order_by(Account.key)
        if keys:
            query = query.where(Account.key.in_(list(keys)))
        if platform:
            query = query.where(Account.platform == platform)
        resumed = []
        for account in session.scalars(query.with_for_update()):
            end_pause(account)
            # The next poll says how the account is; until then the rules see no problem.
            account.last_poll_outcome, account.last_poll_error = "", ""
            audit.record(session, actor, "account.resumed", "account", account.key, at=now)
            resumed.append(account.key)
    return resumed
