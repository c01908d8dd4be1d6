"""The procedure's own paperwork: the owner's acknowledgement and who holds administrative access.

Both read only what the monitor put in ``context.account``: the owner's newest
acknowledgement, and every administrator with where they were found (the registry, the
platform) and whether the District still employs them. Nothing here reads a clock, a
directory or a platform.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from detectors.base import AccountState, AdminState, Context, Detector, Finding, Item, Severity
from detectors.structural import _day, _label, on_district


class AcknowledgementDetector(Detector):
    """Raises ``account.unacknowledged`` (low) when the owner has not acknowledged the current
    version of the procedure, or the acknowledgement is older than ``acknowledge_within``.

    An owner is flagged only once they have had ``acknowledge_grace`` to answer the first
    request Hallwatch sent them (an account with no owner e-mail at once: nobody can be
    asked). Raises nothing when no procedure version is configured, and nothing for retired
    accounts. The key names the version and the owner, so a new version or a new owner is a
    new flag, and an expired acknowledgement names the day it was given.
    """

    name = "procedure.acknowledgement"
    version = "1"
    rules = ("account.unacknowledged",)

    def detect(self, items: Sequence[Item], context: Context) -> Iterable[Finding]:
        account = context.account
        wanted = context.procedure_version
        if account is None or not wanted or account.status == "retired":
            return []
        owner = account.owner_email.strip().lower()
        details = {
            "version": wanted,
            "owner": owner,
            "acknowledged_version": account.acknowledged_version,
            "acknowledged_at": (
                account.acknowledged_at.isoformat() if account.acknowledged_at else None
            ),
        }
        problem, key = self._problem(account, context, owner)
        if problem is None or (owner and not self._answer_overdue(account, context)):
            return []
        return [
            self.finding("account.unacknowledged", Severity.LOW, problem, key, details=details),
        ]

    @staticmethod
    def _answer_overdue(account: AccountState, context: Context) -> bool:
        asked = account.acknowledgement_requested_at
        return asked is not None and context.now - asked >= context.acknowledge_grace

    @staticmethod
    def _problem(account: AccountState, context: Context, owner: str) -> tuple[str | None, str]:
        wanted = context.procedure_version
        base = f"acknowledgement:{wanted}:{owner or 'no-owner'}"
        label = _label(account)
        if not owner:
            return (
                f"{label} has no owner e-mail on record, so nobody has acknowledged Procedure "
                f"417 (version {wanted}) for it; record the owner's District e-mail in the "
                "registry so Hallwatch can ask them."
            ), base
        when = account.acknowledged_at
        if when is None:
            return (
                f"The owner of {label} ({owner}) has not acknowledged Procedure 417 although "
                "Hallwatch asked them; remind them to open the e-mailed link and confirm."
            ), base
        if account.acknowledged_version != wanted:
            return (
                f"The owner of {label} ({owner}) acknowledged version "
                f"{account.acknowledged_version} of Procedure 417 on {_day(when)}, but the "
                f"current version is {wanted}; they are asked to read it and confirm again."
            ), base
        if context.now - when > context.acknowledge_within:
            return (
                f"The owner of {label} ({owner}) acknowledged Procedure 417 on {_day(when)}, "
                f"more than {context.acknowledge_within.days} days ago, so the acknowledgement "
                "expired; they are asked to confirm again."
            ), f"{base}:expired:{_day(when)}"
        return None, base


class AdminAccessDetector(Detector):
    """Raises ``account.admin_access`` for the administrators of an account that are not in order.

    * an administrator on a non-District e-mail address (high);
    * an administrator who left the District (high), as the monitor found from the staff
      directory or a disabled console sign-in;
    * the platform's list differing from the registry's (medium): someone on the platform
      who is not on the registry's list, or someone on the registry's list the platform
      does not show. Only when the platform's list is known.

    Each problem is its own flag, keyed by the person, so fixing one closes one.
    Raises nothing about e-mail domains when no District domains are configured.
    """

    name = "procedure.admin_access"
    version = "1"
    rules = ("account.admin_access",)

    def detect(self, items: Sequence[Item], context: Context) -> Iterable[Finding]:
        account = context.account
        if account is None or account.status == "retired":
            return []
        found: dict[str, Finding] = {}
        for admin in account.administrators:
            for finding in self._person(account, admin, context):
                found.setdefault(finding.key, finding)
        return list(found.values())

    def _person(self, account: AccountState, admin: AdminState, context: Context) -> list[Finding]:
        who = admin.email or admin.name or "an unnamed administrator"
        ident = (admin.email or admin.name).strip().lower()
        label = _label(account)
        details = {
            "email": admin.email,
            "name": admin.name,
            "registered": admin.registered,
            "on_platform": admin.on_platform,
            "source": account.admin_list_source,
        }
        out: list[Finding] = []
        if admin.email and context.district_domains:
            if not on_district(admin.email, context.district_domains):
                out.append(
                    self.finding(
                        "account.admin_access",
                        Severity.HIGH,
                        f"{who} has administrative access to {label} but is not a District "
                        "e-mail address; give access only to District accounts and remove "
                        "this one.",
                        f"admin:personal:{ident}",
                        details={**details, "problem": "personal"},
                    )
                )
        if admin.staff == "departed":
            how = f" ({admin.staff_source})" if admin.staff_source else ""
            out.append(
                self.finding(
                    "account.admin_access",
                    Severity.HIGH,
                    f"{who} has administrative access to {label} but has left the District"
                    f"{how}; remove their access and name a current administrator.",
                    f"admin:departed:{ident}",
                    details={**details, "problem": "departed", "how": admin.staff_source},
                )
            )
        out.extend(self._difference(account, admin, who, ident, label, details))
        return out

    def _difference(
        self,
        account: AccountState,
        admin: AdminState,
        who: str,
        ident: str,
        label: str,
        details: dict[str, object],
    ) -> list[Finding]:
        source = account.admin_list_source
        if not source or admin.on_platform is None:
            return []
        if admin.on_platform and not admin.registered:
            return [
                self.finding(
                    "account.admin_access",
                    Severity.MEDIUM,
                    f"{who} has administrative access to {label} on {source} but is not on "
                    "the registry's list of administrators; add them to the registry or "
                    "remove their access.",
                    f"admin:unregistered:{ident}",
                    details={**details, "problem": "not-in-registry"},
                )
            ]
        if admin.registered and not admin.on_platform:
            return [
                self.finding(
                    "account.admin_access",
                    Severity.MEDIUM,
                    f"The registry lists {who} as an administrator of {label}, but {source} "
                    "does not; update the registry's list of administrators.",
                    f"admin:missing:{ident}",
                    details={**details, "problem": "not-on-platform"},
                )
            ]
        return []


PROCEDURE_DETECTORS: tuple[Detector, ...] = (AcknowledgementDetector(), AdminAccessDetector())
