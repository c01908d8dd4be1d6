"""The dashboard: today's to-do list.

Every open or acknowledged flag in the person's scope, most severe first and oldest first
within a severity, each with a plain title, the account and its owner, its age in the
district's time, and one main action; acknowledged items stay until resolved or dismissed.
Items that are IT's job say so and link to the account. Manual checks that are due (accounts
with no API) are listed too, for the people who record them; so are accounts discovery found
that wait for a decision, for the people who see them, and this week's comments in a
language the word lists do not cover (to be read by a person, as the review rule asks).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from starlette.responses import Response

from detectors import SEVERITIES
from detectors.rules import flag_title, rule_name
from monitor.access.scope import accounts_seen, can, flags_seen, is_it_job
from monitor.core.domain import ACTIVE_FLAG, FlagStatus, Role
from monitor.notify.digest import Week, unchecked_by_language
from monitor.registry.attestations import Due, due_attestations
from monitor.storage.models import Account, Flag
from monitor.web.core import Ctx
from monitor.web.paging import paginate
from monitor.web.views_discovery import waiting_count

SEVERITY_RANK = case({s: i for i, s in enumerate(SEVERITIES)}, value=Flag.severity, else_=9)


@dataclass(frozen=True)
class Item:
    """One line of the to-do list."""

    flag: Flag
    account: Account
    title: str
    rule: str
    it_job: bool
    action: str  # ack | decide | review | account
    label: str
    href: str


def account_label(account: Account) -> str:
    return account.handle or account.key


def todo_query(ctx: Ctx) -> Any:
    return (
        select(Flag, Account)
        .join(Account, Flag.account_id == Account.id)
        .where(flags_seen(ctx.user), Flag.status.in_(ACTIVE_FLAG))
        .order_by(SEVERITY_RANK, Flag.first_seen_at, Flag.id)
    )


def item(ctx: Ctx, flag: Flag, account: Account) -> Item:
    """The line for ``flag``, with its one main action for this person."""
    title = flag_title(flag, account_label(account))
    it_job = is_it_job(flag.rule_id, flag.dedup_key)
    if it_job or (flag.rule_id.startswith("account.") and ctx.user.role == Role.IT):
        action, label, href = "account", "See the account", f"/accounts#account-{account.id}"
    elif flag.rule_id == "comments.unreviewed" and can(ctx.user, "comments"):
        action, label = "review", "Review the comments"
        href = f"/comments?account={account.key}"
    elif flag.status == FlagStatus.OPEN and can(ctx.user, "flag.change"):
        action, label, href = "ack", "Acknowledge", ""
    else:
        action, label, href = "decide", "Open", f"/flags/{flag.id}"
        if flag.status == FlagStatus.ACKNOWLEDGED and can(ctx.user, "flag.change"):
            label, href = "Resolve or dismiss", f"/flags/{flag.id}#decision"
    return Item(flag, account, title, rule_name(flag.rule_id), it_job, action, label, href)


def unchecked_this_week(ctx: Ctx) -> list[tuple[str, int]]:
    """``(language name, comments)`` first seen this ISO week in the person's accounts in a
    language the word lists do not cover, most first (as the weekly digest counts them)."""
    settings = ctx.app.settings
    ids = list(ctx.db.scalars(select(Account.id).where(accounts_seen(ctx.user))))
    if not ids:
        return []
    week = Week.containing(ctx.now, settings.timezone)
    return unchecked_by_language(ctx.db, settings.detection.lexicon_dir, week, ids)


def dashboard(ctx: Ctx) -> Response:
    rows, page = paginate(ctx, todo_query(ctx))
    counts = dict(
        ctx.db.execute(
            select(Flag.severity, func.count(Flag.id))
            .join(Account, Flag.account_id == Account.id)
            .where(flags_seen(ctx.user), Flag.status.in_(ACTIVE_FLAG))
            .group_by(Flag.severity)
        ).all()
    )
    checks: list[Due] = []
    if can(ctx.user, "account.attest"):
        accounts = list(ctx.db.scalars(select(Account).where(accounts_seen(ctx.user))))
        today = ctx.now.astimezone(ctx.app.settings.timezone).date()
        checks = [
            d for d in due_attestations(ctx.db, accounts, today, ctx.app.settings) if d.is_due
        ]
    return ctx.render(
        "dashboard.html",
        unchecked=unchecked_this_week(ctx),
        items=[item(ctx, flag, account) for flag, account in rows],
        page=page,
        counts=[(s, int(counts.get(s, 0))) for s in SEVERITIES],
        total=sum(int(n) for n in counts.values()),
        checks=checks,
        found=waiting_count(ctx),
        can_change=can(ctx.user, "flag.change"),
    )
