"""SMTP (against an in-process aiosmtpd server), webhook, Slack and Teams notifiers."""

from __future__ import annotations

import datetime as dt
import email
import ipaddress
import json
import socket
import ssl
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from monitor.notify.base import DeliveryError
from monitor.notify.channels import (
    SlackNotifier,
    SmtpNotifier,
    TeamsNotifier,
    WebhookNotifier,
    slack_escape,
    teams_escape,
)
from monitor.notify.render import email as make_email

USER, PASSWORD = "hallwatch", "s3cret-Pa55word!"
HOSTILE = "Bad <b>words</b> & <!channel> \x07[click](https://evil.example)\r\nline two\x00"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _message(
    recipient: str = "principal@fvsd.example.ca", text: str = "Plain body"
) -> EmailMessage:
    message = make_email(
        "hallwatch@fvsd.example.ca",
        recipient,
        "Public account flagged",
        text,
        "<p>Plain body</p>",
        "flag-7-principal",
    )
    return message


class Collector:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.envelopes.append(envelope)
        return "250 OK"


MECHANISMS: list[str] = []


def _authenticator(server, session, envelope, mechanism, auth_data):
    MECHANISMS.append(mechanism)
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


class Server:
    """Starts and stops aiosmtpd controllers on one fixed port."""

    def __init__(self, **kwargs: Any) -> None:
        self.port = _free_port()
        self.kwargs = kwargs
        self.handler = Collector()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, **self.kwargs
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def server_factory():
    started: list[Server] = []

    def make(**kwargs: Any) -> Server:
        server = Server(**kwargs)
        server.start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


def _received(server: Server) -> list[EmailMessage]:
    return [
        email.message_from_bytes(e.content, policy=policy.default) for e in server.handler.envelopes
    ]


# ------------------------------------------------------------------------------- SMTP


def test_smtp_plain_delivery_uses_exact_envelope_recipient_and_keeps_message_id(server_factory):
    server = server_factory()
    message = _message()
    message["Bcc"] = "victim@evil.example"
    message["Cc"] = "other@evil.example"
    notifier = SmtpNotifier("127.0.0.1", server.port, "none", timeout=5)
    where = notifier.send(message, "principal@fvsd.example.ca", "flag-7")
    [envelope] = server.handler.envelopes
    assert envelope.rcpt_tos == ["principal@fvsd.example.ca"]
    assert envelope.mail_from == "hallwatch@fvsd.example.ca"
    [got] = _received(server)
    assert got["Message-ID"] == message["Message-ID"] == "<flag-7-principal@fvsd.example.ca>"
    assert got["Bcc"] is None
    assert where == f"smtp:127.0.0.1:{server.port} <flag-7-principal@fvsd.example.ca>"
    assert message["Bcc"] == "victim@evil.example"  # the caller's message is not changed


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("mechanism", ["LOGIN", "PLAIN"])
def test_smtp_auth_login_and_plain(server_factory, monkeypatch, mechanism):
    server = server_factory(
        auth_required=True, auth_require_tls=False, authenticator=_authenticator
    )
    # smtplib tries CRAM-MD5, then PLAIN, then LOGIN; pick one to exercise each.
    real = SmtpNotifier._connect

    def connect(self):
        smtp = real(self)
        smtp.ehlo()
        smtp.esmtp_features["auth"] = mechanism
        return smtp

    monkeypatch.setattr(SmtpNotifier, "_connect", connect)
    MECHANISMS.clear()
    SmtpNotifier("127.0.0.1", server.port, "none", USER, PASSWORD, timeout=5).send(
        _message(), "a@fvsd.example.ca", "n"
    )
    assert [e.rcpt_tos for e in server.handler.envelopes] == [["a@fvsd.example.ca"]]
    assert MECHANISMS == [mechanism]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_wrong_password_is_a_delivery_error_without_the_password(server_factory):
    server = server_factory(
        auth_required=True, auth_require_tls=False, authenticator=_authenticator
    )
    notifier = SmtpNotifier("127.0.0.1", server.port, "none", USER, "wrong-" + PASSWORD, timeout=5)
    with pytest.raises(DeliveryError) as info:
        notifier.send(_message(), "a@fvsd.example.ca", "n")
    text = str(info.value)
    assert "password" in text and "username" in text
    assert PASSWORD not in text and "wrong-" not in text
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert PASSWORD not in repr(notifier)
    assert server.handler.envelopes == []


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_without_login_when_auth_required_is_a_delivery_error(server_factory):
    server = server_factory(
        auth_required=True, auth_require_tls=False, authenticator=_authenticator
    )
    with pytest.raises(DeliveryError, match="530"):
        SmtpNotifier("127.0.0.1", server.port, "none").send(_message(), "a@x.example", "n")


def test_smtp_server_down_then_back(server_factory):
    server = server_factory()
    notifier = SmtpNotifier("127.0.0.1", server.port, "none", timeout=5)
    server.stop()
    with pytest.raises(DeliveryError) as info:
        notifier.send(_message(), "a@fvsd.example.ca", "n")
    assert f"127.0.0.1:{server.port}" in str(info.value)
    assert "host/port" in str(info.value)
    server.start()
    notifier.send(_message(), "a@fvsd.example.ca", "n")
    assert len(server.handler.envelopes) == 1


def test_smtp_refused_recipient_is_a_delivery_error(server_factory):
    class Refuser(Collector):
        async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
            return "550 no such user"

    server = server_factory()
    server.handler = Refuser()
    server.stop()
    server.start()
    with pytest.raises(DeliveryError, match="refused the recipient.*550"):
        SmtpNotifier("127.0.0.1", server.port, "none").send(_message(), "nobody@x.example", "n")


def test_smtp_unresolvable_host_and_bad_security():
    with pytest.raises(DeliveryError, match="resolve"):
        SmtpNotifier("no-such-host.invalid", 25, "none", timeout=5).send(_message(), "a@x", "n")
    with pytest.raises(ValueError, match="starttls"):
        SmtpNotifier("127.0.0.1", 25, "tls")


def test_smtp_starttls_against_plain_server_says_check_tls(server_factory):
    server = server_factory()
    with pytest.raises(DeliveryError, match="TLS setting"):
        SmtpNotifier("127.0.0.1", server.port, "starttls", timeout=5).send(
            _message(), "a@x.example", "n"
        )
    assert server.handler.envelopes == []


def test_smtp_ssl_against_plain_server_says_check_tls(server_factory):
    server = server_factory()
    with pytest.raises(DeliveryError, match="TLS"):
        SmtpNotifier("127.0.0.1", server.port, "ssl", timeout=5).send(
            _message(), "a@x.example", "n"
        )


# --- TLS: a self-signed certificate made with `cryptography`


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    pem = cert.public_bytes(serialization.Encoding.PEM)
    (folder / "cert.pem").write_bytes(pem)
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return folder / "cert.pem", folder / "key.pem", pem.decode()


def _server_context(certificate) -> ssl.SSLContext:
    cert, key, _ = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def test_smtp_starttls_with_auth(server_factory, certificate):
    server = server_factory(
        tls_context=_server_context(certificate),
        require_starttls=True,
        auth_required=True,
        authenticator=_authenticator,
    )
    client = ssl.create_default_context(cadata=certificate[2])
    notifier = SmtpNotifier(
        "127.0.0.1", server.port, "starttls", USER, PASSWORD, timeout=5, ssl_context=client
    )
    assert notifier.send(_message(), "a@fvsd.example.ca", "n").startswith("smtp:127.0.0.1:")
    [envelope] = server.handler.envelopes
    assert envelope.rcpt_tos == ["a@fvsd.example.ca"]


def test_smtp_starttls_untrusted_certificate_is_a_delivery_error(server_factory, certificate):
    server = server_factory(tls_context=_server_context(certificate), require_starttls=True)
    notifier = SmtpNotifier("127.0.0.1", server.port, "starttls", timeout=5)  # system CAs
    with pytest.raises(DeliveryError, match="certificate"):
        notifier.send(_message(), "a@fvsd.example.ca", "n")
    assert server.handler.envelopes == []


def test_smtp_plain_when_server_requires_starttls_is_a_delivery_error(server_factory, certificate):
    server = server_factory(tls_context=_server_context(certificate), require_starttls=True)
    with pytest.raises(DeliveryError):
        SmtpNotifier("127.0.0.1", server.port, "none", timeout=5).send(
            _message(), "a@x.example", "n"
        )
    assert server.handler.envelopes == []


def test_smtp_implicit_tls(server_factory, certificate):
    server = server_factory(ssl_context=_server_context(certificate))
    client = ssl.create_default_context(cadata=certificate[2])
    SmtpNotifier("127.0.0.1", server.port, "ssl", timeout=5, ssl_context=client).send(
        _message(), "a@fvsd.example.ca", "n"
    )
    assert [e.rcpt_tos for e in server.handler.envelopes] == [["a@fvsd.example.ca"]]


# ---------------------------------------------------------------------------- webhooks

HOOK = "https://hooks.example.org/alerts?token=TOPSECRET"
SLACK = "https://hooks.slack.com/services/T000/B000/SLACKSECRET"
TEAMS = "https://prod-00.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=SIG"


def _body(call) -> dict:
    return json.loads(call.request.body)


@responses.activate
def test_webhook_payload():
    responses.post(HOOK, status=204)
    message = _message(text="Line one\nLine two")
    where = WebhookNotifier(HOOK).send(message, "p@fvsd.example.ca", "n")
    [call] = responses.calls
    assert _body(call) == {
        "subject": "Public account flagged",
        "to": "p@fvsd.example.ca",
        "text": "Line one\nLine two\n",
        "message_id": "<flag-7-principal@fvsd.example.ca>",
    }
    assert call.request.headers["Content-Type"] == "application/json"
    assert "TOPSECRET" not in where and where.startswith("webhook:https://hooks.example.org/")


@responses.activate
@pytest.mark.parametrize(
    "kwargs",
    [
        {"status": 500, "body": "TOPSECRET boom"},
        {"body": requests.exceptions.ConnectTimeout(f"timed out {HOOK}")},
        {"body": requests.exceptions.ConnectionError(f"refused {HOOK}")},
        {"status": 302, "headers": {"Location": "https://elsewhere.example/"}},
    ],
)
def test_webhook_failures_hide_the_query_string(kwargs):
    responses.post(HOOK, **kwargs)
    with pytest.raises(DeliveryError) as info:
        WebhookNotifier(HOOK).send(_message(), "p@x.example", "n")
    assert "TOPSECRET" not in str(info.value)
    assert "hooks.example.org" in str(info.value)
    assert info.value.__cause__ is None


@responses.activate
def test_webhook_500_and_timeout_messages():
    responses.post(HOOK, status=500)
    with pytest.raises(DeliveryError, match="HTTP 500"):
        WebhookNotifier(HOOK).send(_message(), "p@x.example", "n")
    responses.replace(responses.POST, HOOK, body=requests.exceptions.ConnectTimeout("too slow"))
    with pytest.raises(DeliveryError, match="timed out"):
        WebhookNotifier(HOOK, session=requests.Session()).send(_message(), "p@x.example", "n")


def test_webhook_requires_https_except_localhost():
    with pytest.raises(ValueError, match="https") as info:
        WebhookNotifier("http://hooks.example.org/x?token=TOPSECRET")
    assert "TOPSECRET" not in str(info.value)
    WebhookNotifier("http://localhost:8080/hook")
    WebhookNotifier("http://127.0.0.1/hook")
    with pytest.raises(ValueError):
        SlackNotifier("ftp://hooks.slack.com/x")


@responses.activate
def test_slack_payload_escapes_and_truncates():
    responses.post(SLACK, body="ok")
    long = HOSTILE + "\n" + "x" * 5000
    where = SlackNotifier(SLACK).send(_message(text=long), "p@x.example", "n")
    text = _body(responses.calls[0])["text"]
    assert text.startswith("*Public account flagged*\n\nBad &lt;b&gt;words&lt;/b&gt; &amp; ")
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    assert "\x07" not in text and "\x00" not in text and "\r" not in text
    assert "line two" in text
    assert len(text) <= 3000
    assert where.startswith("slack:https://hooks.slack.com ") and "SLACKSECRET" not in where


@responses.activate
@pytest.mark.parametrize(
    "kwargs",
    [
        {"status": 500},
        {"status": 404, "body": "no_service"},
        {"status": 403, "body": "invalid_token"},
        {"status": 400, "body": "echo T000/B000/SLACKSECRET"},
        {"status": 200, "body": "not ok"},
        {"body": requests.exceptions.ConnectTimeout("slow")},
    ],
)
def test_slack_failures(kwargs):
    responses.post(SLACK, **kwargs)
    with pytest.raises(DeliveryError) as info:
        SlackNotifier(SLACK).send(_message(), "p@x.example", "n")
    assert "SLACKSECRET" not in str(info.value) and "T000" not in str(info.value)
    assert "hooks.slack.com" in str(info.value)


@responses.activate
def test_teams_adaptive_card_payload():
    responses.post(TEAMS, status=202)
    TeamsNotifier(TEAMS).send(_message(text=HOSTILE), "p@x.example", "n")
    payload = _body(responses.calls[0])
    assert payload["type"] == "message"
    [attachment] = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    title, body = card["body"]
    assert title == {
        "type": "TextBlock",
        "text": "Public account flagged",
        "weight": "Bolder",
        "wrap": True,
    }
    assert body["type"] == "TextBlock" and body["wrap"] is True
    assert "&lt;b&gt;" in body["text"] and "<b>" not in body["text"]
    assert r"\[click\]\(https://evil.example\)" in body["text"]
    assert "\x07" not in body["text"] and "\x00" not in body["text"]


@responses.activate
@pytest.mark.parametrize(
    "kwargs",
    [
        {"status": 500},
        {"status": 400, "body": "Bad payload"},
        {"status": 200, "body": "Webhook message delivery failed with error: HTTP error 429"},
        {"body": requests.exceptions.ConnectTimeout("slow")},
    ],
)
def test_teams_failures(kwargs):
    responses.post(TEAMS, **kwargs)
    with pytest.raises(DeliveryError) as info:
        TeamsNotifier(TEAMS).send(_message(), "p@x.example", "n")
    assert "sig=" not in str(info.value) and "SIG" not in str(info.value)
    assert "workflows" not in str(info.value)


def test_escapes():
    assert slack_escape("a & b <c>\x1b\r\nd") == "a &amp; b &lt;c&gt;\nd"
    assert teams_escape("*x* _y_ <z>") == r"\*x\* \_y\_ &lt;z&gt;"
