"""The e-mailed sign-in link: how a person gets back into the console when password
sign-ins for their address are throttled (or they forgot the password).

The message goes out at once on the configured channel, not through the outbox: it is
useless after 15 minutes, and the web page that asked for it has already answered.
"""

from __future__ import annotations

import logging
import secrets

from monitor.core.app import App
from monitor.notify.base import DeliveryError
from monitor.notify.render import email, render
from monitor.notify.routing import notifier_for

log = logging.getLogger(__name__)


def send_sign_in_link(app: App, recipient: str, url: str, minutes: int) -> bool:
    """Send ``url`` to ``recipient``; False (and a log line without the link) on failure."""
    text, html = render("signin", url=url, minutes=minutes, base_url=app.settings.web.base_url)
    message = email(
        app.settings.delivery.from_address,
        recipient,
        "Your Hallwatch sign-in link",
        text,
        html,
        f"hallwatch-signin-{secrets.token_hex(8)}",
    )
    try:
        notifier_for(app).send(message, recipient, f"signin-{secrets.token_hex(6)}-{recipient}")
    except DeliveryError as exc:
        log.warning("sign-in link for a console user not sent: %s", exc)
        return False
    return True
