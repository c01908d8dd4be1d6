"""Builders for a tiny district and sandbox scenario, for pipeline tests."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from monitor.core.app import App
from monitor.storage.db import session_factory
from monitor.storage.models import Account, OrgUnit, Supervisor

START = datetime(2026, 9, 14, 15, 0, tzinfo=UTC)  # Monday 08:00 in Vancouver


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def district(session: Session) -> dict[str, Any]:
    """One district, one school, its principal, comms and IT."""
    fvsd = OrgUnit(
        code="FVSD",
        name="Fraser Valley School District",
        kind="district",
        website="https://www.fvsd.example.ca",
    )
    riv = OrgUnit(
        code="RIV",
        name="Riverside Elementary",
        kind="school",
        parent=fvsd,
        website="https://riverside.fvsd.example.ca",
    )
    session.add_all([fvsd, riv])
    session.flush()
    principal = Supervisor(
        email="principal.riverside@fvsd.example.ca",
        name="Dana Lee",
        org_unit_id=riv.id,
        backup_email="vp.riverside@fvsd.example.ca",
        role="supervisor",
    )
    comms = Supervisor(
        email="comms@fvsd.example.ca", name="Comms", org_unit_id=fvsd.id, role="communications"
    )
    it = Supervisor(email="it-help@fvsd.example.ca", name="IT", org_unit_id=fvsd.id, role="it")
    session.add_all([principal, comms, it])
    session.flush()
    return {"district": fvsd, "school": riv, "principal": principal}


def account(
    session: Session, school: OrgUnit, supervisor: Supervisor, key: str, **kw: Any
) -> Account:
    values: dict[str, Any] = {
        "key": key,
        "platform": "youtube",
        "external_id": key,
        "handle": f"@{key}",
        "org_unit_id": school.id,
        "owner_name": "Ms. Patel",
        "owner_email": "patel@fvsd.example.ca",
        "supervisor_id": supervisor.id,
        "approval_status": "approved",
        "approved_by": supervisor.email,
        "approved_on": date(2026, 9, 1),
        "audience": "private",
        "comments_policy": "moderated",
        "status": "active",
    }
    values.update(kw)
    row = Account(**values)
    session.add(row)
    session.flush()
    return row


CLEAN_PROFILE = {
    "handle": "@clean",
    "display_name": "Riverside Elementary",
    "about": "Official channel of Riverside Elementary, Fraser Valley School District.",
    "website": "https://riverside.fvsd.example.ca",
    "contact_email": "patel@fvsd.example.ca",
    "visibility": "private",
    "comments_enabled": True,
    "comments_held": False,
}


def scenario(path: Path, accounts: dict[str, dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"start": START.isoformat(), "accounts": accounts}))
    return path


def app_for(settings: Any, engine: Any, scenario_path: Path) -> App:
    settings = settings.replace(sandbox__scenario=str(scenario_path))
    return App(settings=settings, engine=engine, sessions=session_factory(engine))
