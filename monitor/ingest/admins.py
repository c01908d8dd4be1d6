"""Reading each account's administrators from its platform, where the platform shares them.

Run daily with the procedure sweep. What the platform showed, or why it could not be read
(the platform does not share it, the token lacks a permission), is kept per account in
``admin_lists``; the ``account.admin_access`` rule compares it with the registry.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

import connectors
from monitor.core.app import App
from monitor.registry.admins import Admin, save_platform_list
from monitor.registry.connect import account_ref, connector_for, serving_connector
from monitor.registry.secrets import CredentialsError
from monitor.storage.models import Account
from monitor.storage.queries import held_for_approval

log = logging.getLogger(__name__)


def refresh_admin_lists(app: App, now: datetime) -> dict[str, int]:
    """Read the platform's list for every active account whose platform shares it (not an
    account registered from discovery that waits for approval: nothing asks its platform).

    Returns counts: "read", "unavailable" (recorded with the reason), "skipped".
    """
    counts = {"read": 0, "unavailable": 0, "skipped": 0}
    with app.sessions() as session:
        query = select(Account.id).where(Account.status == "active", ~held_for_approval())
        ids = list(session.scalars(query))
    for account_id in ids:
        counts[_refresh(app, account_id, now)] += 1
    return counts


def _refresh(app: App, account_id: int, now: datetime) -> str:
    with app.sessions() as session:
        account = session.get_one(Account, account_id)
        name = serving_connector(app, account.platform)
        source = connectors.get_connector(name).admin_list if name else ""
        if not source:
            return "skipped"
        ref = account_ref(account)
        try:
            connector = connector_for(app, account, now)
        except (connectors.UnknownPlatform, CredentialsError, connectors.ConnectorError) as exc:
            return _unavailable(app, account_id, now, source, str(exc))
    try:
        people = connector.administrators(ref)
    except (connectors.RateLimited, connectors.TransientError) as exc:
        log.info("account %s: administrators not read this time (%s)", account_id, exc)
        return "skipped"
    except connectors.ConnectorError as exc:
        return _unavailable(app, account_id, now, source, str(exc))
    with app.sessions() as session, session.begin():
        found = [Admin(p.email.lower(), p.name) for p in people]
        save_platform_list(session, account_id, now, source, found)
    return "read"


def _unavailable(app: App, account_id: int, now: datetime, source: str, why: str) -> str:
    with app.sessions() as session, session.begin():
        save_platform_list(session, account_id, now, source, None, why[:500])
    return "unavailable"
