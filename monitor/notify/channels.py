"""Delivery channels beyond the outbox folder: SMTP, a generic JSON webhook, Slack and Teams.

Every class here follows :class:`monitor.notify.base.Notifier`: a ``channel`` name and
``send(message, recipient, name) -> str``. A failure raises
:class:`~monitor.notify.base.DeliveryError` whose text says what to check and never carries a
password, a token or a webhook URL's secret parts, so it is safe to store and show.
"""

from __future__ import annotations

import html
import re
import smtplib
import socket
import ssl
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import requests

from monitor.core.display import display_text
from monitor.notify.base import DeliveryError

SECURITY_MODES = ("starttls", "ssl", "none")
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
SLACK_LIMIT = 3000
TEAMS_LIMIT = 20000

_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_MARKDOWN = re.compile(r"([\\*_\[\]()`{}~])")
_WORD = re.compile(r"[^A-Za-z0-9_.:*-]+")


def plain_text(message: EmailMessage) -> str:
    """The message's text/plain body ('' when it has none)."""
    part = message.get_body(preferencelist=("plain",))
    if part is None:
        return ""
    content = part.get_content()
    return content if isinstance(content, str) else ""


def clean(text: str) -> str:
    """Normalises line breaks and drops control characters other than newlines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return display_text(_CONTROL.sub("", text))


def slack_escape(text: str) -> str:
    """Slack mrkdwn: only &, < and > are control characters (they make links and mentions)."""
    return clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def teams_escape(text: str) -> str:
    """Adaptive Card TextBlock text is CommonMark: escape HTML and the link/emphasis marks."""
    return _MARKDOWN.sub(r"\\\1", html.escape(clean(text), quote=False))


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return re.sub(r"&[a-z]{0,3}$", "", text[: limit - 1]).rstrip() + "…"  # no cut entity


def _header(message: EmailMessage, name: str) -> str:
    return clean(str(message.get(name) or "")).replace("\n", " ").strip()


# --------------------------------------------------------------------------------- SMTP


class SmtpNotifier:
    """Sends through an SMTP relay: STARTTLS, implicit TLS ("ssl") or plain ("none").

    The envelope recipient is exactly ``recipient`` whatever the headers say, Bcc headers are
    never transmitted, and the caller's Message-ID is kept (it is what de-duplicates).
    """

    channel = "smtp"

    def __init__(
        self,
        host: str,
        port: int,
        security: str = "starttls",
        username: str = "",
        password: str = "",
        timeout: float = 30,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if security not in SECURITY_MODES:
            raise ValueError(f"SMTP security must be one of {', '.join(SECURITY_MODES)}")
        if not host:
            raise ValueError("SMTP host is empty")
        self.host = host
        self.port = int(port)
        self.security = security
        self.username = username
        self._password = password
        self.timeout = timeout
        self.ssl_context = ssl_context

    def __repr__(self) -> str:
        return f"SmtpNotifier({self.host!r}, {self.port}, {self.security!r})"

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def _context(self) -> ssl.SSLContext:
        return self.ssl_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self._context()
            )
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.security == "starttls":
                smtp.ehlo()
                smtp.starttls(context=self._context())
                smtp.ehlo()
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage, recipient: str, name: str) -> str:
        message_id = _header(message, "Message-ID")
        try:
            smtp = self._connect()
        except Exception as exc:
            raise self._error(exc, "connecting") from None
        try:
            try:
                if self.username:
                    smtp.login(self.username, self._password)
                smtp.send_message(message, to_addrs=[recipient])
            except Exception as exc:
                raise self._error(exc, "sending") from None
        finally:
            _close(smtp)
        return f"smtp:{self.where} {message_id}".rstrip()

    def _error(self, exc: Exception, stage: str) -> DeliveryError:
        where = self.where
        tls = f"the TLS setting (security={self.security})"
        text: str
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            text = (
                f"SMTP server {where} rejected the login for user {self.username!r} "
                f"({exc.smtp_code}); check the SMTP username and password"
            )
        elif isinstance(exc, smtplib.SMTPRecipientsRefused):
            codes = ", ".join(f"{code}" for code, _ in exc.recipients.values())
            text = f"SMTP server {where} refused the recipient ({codes}); check the address"
        elif isinstance(exc, smtplib.SMTPSenderRefused):
            text = (
                f"SMTP server {where} refused the sender ({exc.smtp_code}); check "
                "delivery.from_address and that the account may send as it"
            )
        elif isinstance(exc, smtplib.SMTPNotSupportedError):
            text = f"SMTP server {where} does not support this ({_short(exc)}); check {tls}"
        elif isinstance(exc, smtplib.SMTPServerDisconnected):
            text = (
                f"SMTP server {where} closed the connection while {stage}; check the host/port "
                f"and {tls}"
            )
        elif isinstance(exc, smtplib.SMTPResponseException):
            text = f"SMTP server {where} answered {exc.smtp_code} while {stage}"
            if exc.smtp_code in (530, 534, 535, 538):
                text += "; check the SMTP credentials and " + tls
        elif isinstance(exc, smtplib.SMTPException):
            text = f"SMTP error while {stage} to {where}: {_short(exc)}"
        elif isinstance(exc, ssl.SSLError):
            text = (
                f"TLS failed with SMTP server {where} ({type(exc).__name__}); check {tls} "
                "(port 465 is usually 'ssl', 587 'starttls') and the server's certificate"
            )
        elif isinstance(exc, TimeoutError):
            text = (
                f"SMTP server {where} timed out while {stage}; check the host/port and "
                "that the firewall allows the connection"
            )
        elif isinstance(exc, socket.gaierror):
            text = f"cannot resolve SMTP host {self.host!r}; check the host name"
        elif isinstance(exc, ConnectionRefusedError):
            text = f"SMTP server {where} refused the connection; check the host/port"
        elif isinstance(exc, OSError):
            text = (
                f"cannot reach SMTP server {where} ({exc.strerror or type(exc).__name__}); "
                "check the host/port"
            )
        else:
            text = f"SMTP delivery to {where} failed while {stage} ({type(exc).__name__})"
        return DeliveryError(self._scrub(text))

    def _scrub(self, text: str) -> str:
        if self._password:
            text = text.replace(self._password, "***")
        return text


def _short(exc: Exception) -> str:
    return _WORD.sub(" ", str(exc)).strip()[:80] or type(exc).__name__


def _close(smtp: smtplib.SMTP) -> None:
    """QUIT politely; a failing QUIT after the message was accepted is not a failed send."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        smtp.close()


# ----------------------------------------------------------------------------- webhooks


def _check_url(url: str, what: str) -> None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError(f"{what} URL has no host")
    if parts.scheme == "https" or (parts.scheme == "http" and host in LOCAL_HOSTS):
        return
    raise ValueError(f"{what} URL must use https (http only for localhost): {_host_only(url)}")


def _host_only(url: str) -> str:
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}"


def _without_query(url: str) -> str:
    """Scheme, host, port and path: no user info, query or fragment (they may hold tokens)."""
    return _host_only(url) + urlsplit(url).path


def _post(
    session: requests.Session | None,
    url: str,
    payload: dict[str, Any],
    timeout: float | tuple[float, float],
    shown: str,
    what: str,
) -> requests.Response:
    def call(s: requests.Session) -> requests.Response:
        return s.post(url, json=payload, timeout=timeout, allow_redirects=False)

    try:
        if session is not None:
            return call(session)
        with requests.Session() as own:
            return call(own)
    except requests.exceptions.Timeout:
        raise DeliveryError(f"{what} {shown} timed out; check the URL and network") from None
    except requests.exceptions.SSLError:
        raise DeliveryError(f"{what} {shown}: TLS failed; check the certificate") from None
    except requests.exceptions.ConnectionError:
        raise DeliveryError(f"cannot reach {what} {shown}; check the URL and network") from None
    except requests.exceptions.RequestException as exc:
        # The text of a requests error carries the full URL, so only its type is shown.
        raise DeliveryError(f"{what} {shown} failed ({type(exc).__name__})") from None


def _secret_parts(url: str) -> list[str]:
    """Path segments, query values and user info of a URL: any of them may be a token."""
    parts = urlsplit(url)
    pieces = [*parts.path.split("/"), parts.username or "", parts.password or ""]
    pieces += [v for _, _, v in (p.partition("=") for p in parts.query.split("&"))]
    return sorted((p for p in pieces if len(p) >= 4), key=len, reverse=True)


def _status_error(response: requests.Response, url: str, shown: str, what: str) -> DeliveryError:
    body = response.text or ""
    for secret in _secret_parts(url):
        body = body.replace(secret, "***")
    body = _WORD.sub(" ", body).strip()[:60]
    hint = {
        401: "; check the token",
        403: "; check the token",
        404: "; check the URL",
        410: "; the webhook was removed",
        413: "; the message is too large",
        429: "; rate limited",
    }.get(response.status_code, "")
    detail = f": {body}" if body else ""
    return DeliveryError(f"{what} {shown} answered HTTP {response.status_code}{detail}{hint}")


class WebhookNotifier:
    """POSTs ``{"subject", "to", "text", "message_id"}`` as JSON; any 2xx is delivered."""

    channel = "webhook"

    def __init__(
        self,
        url: str,
        session: requests.Session | None = None,
        timeout: float | tuple[float, float] = (5, 15),
    ) -> None:
        _check_url(url, "webhook")
        self.url = url
        self.session = session
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"WebhookNotifier({_without_query(self.url)!r})"

    def payload(self, message: EmailMessage, recipient: str) -> dict[str, Any]:
        return {
            "subject": _header(message, "Subject"),
            "to": recipient,
            "text": clean(plain_text(message)),
            "message_id": _header(message, "Message-ID"),
        }

    def send(self, message: EmailMessage, recipient: str, name: str) -> str:
        shown = _without_query(self.url)
        response = _post(
            self.session, self.url, self.payload(message, recipient), self.timeout, shown, "webhook"
        )
        if not 200 <= response.status_code < 300:
            raise _status_error(response, self.url, shown, "webhook")
        return f"webhook:{shown} {_header(message, 'Message-ID')}".rstrip()


class _ChatWebhook:
    """Shared by Slack and Teams: the whole URL is a secret, so only its host is ever shown."""

    channel = ""
    what = ""

    def __init__(
        self,
        webhook_url: str,
        session: requests.Session | None = None,
        timeout: float | tuple[float, float] = (5, 15),
    ) -> None:
        _check_url(webhook_url, self.what)
        self.webhook_url = webhook_url
        self.session = session
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"{type(self).__name__}({_host_only(self.webhook_url)!r})"

    def payload(self, message: EmailMessage) -> dict[str, Any]:
        raise NotImplementedError

    def _ok(self, response: requests.Response) -> bool:
        return 200 <= response.status_code < 300

    def send(self, message: EmailMessage, recipient: str, name: str) -> str:
        shown = _host_only(self.webhook_url)
        response = _post(
            self.session, self.webhook_url, self.payload(message), self.timeout, shown, self.what
        )
        if not self._ok(response):
            raise _status_error(response, self.webhook_url, shown, self.what)
        return f"{self.channel}:{shown} {_header(message, 'Message-ID')}".rstrip()


class SlackNotifier(_ChatWebhook):
    """A Slack incoming webhook: ``{"text": "*subject*\\n\\nbody"}``; Slack answers 200 "ok"."""

    channel = "slack"
    what = "Slack webhook"

    def payload(self, message: EmailMessage) -> dict[str, Any]:
        subject = slack_escape(_header(message, "Subject")).replace("*", "")
        body = slack_escape(plain_text(message)).strip()
        text = f"*{subject}*\n\n{body}" if subject else body
        return {"text": _truncate(text, SLACK_LIMIT)}

    def _ok(self, response: requests.Response) -> bool:
        return response.status_code == 200 and response.text.strip() == "ok"


class TeamsNotifier(_ChatWebhook):
    """A Microsoft Teams incoming webhook or Workflows webhook, as an Adaptive Card message."""

    channel = "teams"
    what = "Teams webhook"

    def payload(self, message: EmailMessage) -> dict[str, Any]:
        subject = teams_escape(_header(message, "Subject"))
        body = _truncate(teams_escape(plain_text(message)).strip(), TEAMS_LIMIT)
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": [
                {"type": "TextBlock", "text": subject, "weight": "Bolder", "wrap": True},
                {"type": "TextBlock", "text": body, "wrap": True},
            ],
        }
        return {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": None,
                    "content": card,
                }
            ],
        }

    def _ok(self, response: requests.Response) -> bool:
        # Legacy Office 365 connectors answer 200 with an error text when Teams refused it.
        failed = "delivery failed" in (response.text or "").lower()
        return 200 <= response.status_code < 300 and not failed
