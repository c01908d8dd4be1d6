"""Who gets a flag, and through which channels.

The account's supervisor and backup get its flags; media inquiries go to the communications
office instead; broken credentials and connection problems also go to IT. Signs of
self-harm (``wellbeing.self_harm``) also go to a counsellor contact (the unit's, a parent
unit's or the district's: :mod:`monitor.registry.counsellors`). A flag with no one
to go to goes to the fallback address, and that is audited. Each configured chat webhook is a
recipient of a copy of every alert.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.core.app import App
from monitor.core.domain import Role
from monitor.notify.base import FileNotifier, Notifier
from monitor.notify.channels import SlackNotifier, SmtpNotifier, TeamsNotifier, WebhookNotifier
from monitor.registry.counsellors import Counsellor, counsellor_for
from monitor.storage.models import Account, Flag, Supervisor

WELLBEING = "wellbeing.self_harm"


@dataclass(frozen=True)
class Route:
    """Who gets a flag, and why."""

    recipients: tuple[str, ...]
    reason: str
    # For signs of self-harm: the counsellor contact looked up (its email "" when none).
    counsellor: Counsellor | None = None


def _role_emails(session: Session, role: str) -> list[str]:
    return list(session.scalars(select(Supervisor.email).where(Supervisor.role == role)))


def route(session: Session, app: App, flag: Flag) -> Route:
    """The account's supervisor and backup; media to communications; broken credentials to IT."""
    settings = app.settings
    account: Account = flag.account
    people: list[str] = []
    counsellor = None
    if flag.rule_id == "media.inquiry":
        people += [
            settings.delivery.communications_email,
            *_role_emails(session, Role.COMMUNICATIONS),
        ]
    elif flag.rule_id == "account.unapproved" and _operational(flag.dedup_key):
        people += [settings.delivery.it_email, *_role_emails(session, Role.IT)]
    if account.supervisor is not None and flag.rule_id != "media.inquiry":
        people += [account.supervisor.email, account.supervisor.backup_email]
    if flag.rule_id == WELLBEING:
        if account.supervisor is None:  # a principal must hear of it: the district's desk
            people.append(settings.delivery.fallback_email)
        counsellor = counsellor_for(settings, account.org_unit)
        people.append(counsellor.email)
    return _to(app, people, counsellor)


def it_route(session: Session, app: App) -> Route:
    """IT only: the IT address and IT-role supervisors (a notice about the platforms, such
    as a usage cap, concerns no one account's supervisor); else the fallback address."""
    return _to(app, [app.settings.delivery.it_email, *_role_emails(session, Role.IT)])


def _to(app: App, people: list[str], counsellor: Counsellor | None = None) -> Route:
    """``people`` once each (lower case, blanks dropped); none: the fallback address."""
    unique = tuple(dict.fromkeys(p.lower() for p in people if p))
    if unique:
        return Route(unique, "routed", counsellor)
    delivery = app.settings.delivery
    fallback = delivery.fallback_email or delivery.from_address
    return Route((fallback.lower(),), "fallback", counsellor)


def _operational(dedup_key: str) -> bool:
    """Broken credentials and connection problems are IT's to fix."""
    return dedup_key.endswith(":credentials") or ":poll-problem:" in dedup_key


def chat_targets(app: App) -> list[tuple[str, Notifier]]:
    """The configured chat webhooks, each a recipient that gets a copy of every alert."""
    delivery, transport = app.settings.delivery, app.transports.get("webhooks")
    targets: list[tuple[str, Notifier]] = []
    if delivery.webhook_url:
        targets.append(("webhook", WebhookNotifier(delivery.webhook_url, transport)))
    if delivery.slack_webhook_url:
        targets.append(("slack", SlackNotifier(delivery.slack_webhook_url, transport)))
    if delivery.teams_webhook_url:
        targets.append(("teams", TeamsNotifier(delivery.teams_webhook_url, transport)))
    return targets


def notifier_for(app: App) -> Notifier:
    """The configured channel: SMTP, or .eml files in the outbox folder (the default)."""
    settings = app.settings
    if settings.delivery.channel == "smtp":
        return SmtpNotifier(
            settings.smtp.host,
            settings.smtp.port,
            settings.smtp.security,
            settings.smtp.username,
            settings.smtp.password,
        )
    return FileNotifier(settings.outbox_dir)
