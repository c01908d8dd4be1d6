"""SSO against an in-process OpenID Connect provider (uvicorn on an ephemeral port)."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.web_fixtures import ROLES, build

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
CLIENT_ID = "hallwatch-console"


class Provider:
    """Discovery, JWKS and a token endpoint that signs whatever ID token a test scripted."""

    def __init__(self) -> None:
        self.codes: dict[str, dict[str, Any]] = {}
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/token", self.token, methods=["POST"]),
            ]
        )
        self.server = uvicorn.Server(uvicorn.Config(app, port=self.port, log_level="warning"))

    async def discovery(self, request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
            }
        )

    async def jwks(self, request: Request) -> JSONResponse:
        return JSONResponse({"keys": [KEY.as_dict(private=False)]})

    async def token(self, request: Request) -> JSONResponse:
        form = await request.form()
        claims = self.codes.pop(str(form.get("code")), None)
        if claims is None:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        now = int(time.time())
        body = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300, **claims}
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, body, KEY)
        return JSONResponse({"access_token": "at", "token_type": "Bearer", "id_token": id_token})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def provider():
    p = Provider()
    thread = threading.Thread(target=p.server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not p.server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield p
    p.server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def district(settings, engine, provider):
    settings = settings.replace(
        web__oidc__metadata_url=f"{provider.issuer}/.well-known/openid-configuration",
        web__oidc__client_id=CLIENT_ID,
        web__oidc__client_secret="client-secret",
        web__oidc__allowed_domains="fvsd.example.ca",
    )
    return build(settings, engine)


def _start(client) -> dict[str, str]:
    response = client.get("/login/sso", follow_redirects=False)
    assert response.status_code == 303
    query = parse_qs(urlparse(response.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    return {k: v[0] for k, v in query.items()}


def _callback(client, provider, claims, state=None, code="code-1"):
    sent = _start(client)
    provider.codes[code] = {"nonce": sent["nonce"], **claims}
    return client.get(
        f"/login/sso/callback?code={code}&state={state or sent['state']}", follow_redirects=False
    )


def test_sso_signs_in_an_existing_user(district, provider):
    client = district.client()
    email = ROLES["supervisor"]
    response = _callback(client, provider, {"sub": "1", "email": email, "email_verified": True})
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert email in client.get("/").text


def test_sso_rejects_a_wrong_state(district, provider):
    client = district.client()
    response = _callback(client, provider, {"email": ROLES["admin"]}, state="forged")
    assert response.status_code == 400 and "state" in response.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sso_rejects_a_wrong_nonce(district, provider):
    client = district.client()
    sent = _start(client)
    provider.codes["code-2"] = {"nonce": "replayed", "email": ROLES["admin"]}
    response = client.get(f"/login/sso/callback?code=code-2&state={sent['state']}")
    assert response.status_code == 400 and "could not be verified" in response.text
    assert client.get("/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("email", ["stranger@fvsd.example.ca", "admin@elsewhere.example.com"])
def test_sso_rejects_unknown_or_foreign_emails(district, provider, email):
    client = district.client()
    response = _callback(client, provider, {"email": email, "email_verified": True})
    assert response.status_code == 400 and "Sign-in failed" in response.text
    assert client.get("/", follow_redirects=False).status_code == 303
