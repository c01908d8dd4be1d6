"""Who is a unit's counsellor contact for signs of self-harm (``wellbeing.self_harm``).

The unit's own ``counsellor_email``; else the nearest parent unit's (a school under a
district that has a counselling team); else the district's ``[wellbeing] counsellor_email``
setting; else nobody, and the alert says so to the principal with how to set one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.core.settings import Settings
from monitor.storage.models import Account, OrgUnit

HOW_TO_SET = (
    "add a counsellor_email column to the org-units CSV and run `hallwatch orgs import`, "
    "or set [wellbeing] counsellor_email (HALLWATCH_WELLBEING_COUNSELLOR_EMAIL) for the "
    "whole district"
)


@dataclass(frozen=True)
class Counsellor:
    """A counsellor contact and where it came from; ``email`` is "" when there is none."""

    email: str
    source: str  # "unit" | "parent" | "district" | "" (none anywhere)
    unit_name: str = ""  # the unit whose contact it is (unit or parent)

    @property
    def described(self) -> str:
        """Whose contact it is, in a principal's words."""
        if self.source == "district":
            return "the District's counsellor contact"
        if self.source:
            return f"the counsellor contact of {self.unit_name}"
        return ""


def counsellor_for(settings: Settings, unit: OrgUnit) -> Counsellor:
    """The counsellor contact for accounts of ``unit`` (see the module)."""
    seen: set[int] = set()
    node: OrgUnit | None = unit
    while node is not None and node.id not in seen:
        seen.add(node.id)
        if node.counsellor_email:
            source = "unit" if node is unit else "parent"
            return Counsellor(node.counsellor_email.lower(), source, node.name)
        node = node.parent
    district = settings.wellbeing.counsellor_email
    if district:
        return Counsellor(district.lower(), "district")
    return Counsellor("", "")


def units_without_counsellor(session: Session, settings: Settings) -> list[str]:
    """Codes of the units with active accounts whose self-harm alerts would reach no
    counsellor (empty when the district setting is set)."""
    if settings.wellbeing.counsellor_email:
        return []
    units = session.scalars(
        select(OrgUnit)
        .where(OrgUnit.id.in_(select(Account.org_unit_id).where(Account.status != "retired")))
        .order_by(OrgUnit.code)
    )
    return [unit.code for unit in units if not counsellor_for(settings, unit).email]
