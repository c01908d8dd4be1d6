"""Single sign-on through the district's OpenID Connect provider (Entra ID, Google).

Authorization code flow with PKCE. The state, nonce and code verifier travel in a signed,
ten-minute cookie; the callback checks the state, exchanges the code (Authlib's OAuth 2
client), and verifies the ID token (joserfc): RS256 signature against the provider's JWKS,
issuer, audience, expiry and nonce. The verified ``email`` claim must belong to an allowed
domain and to an existing, enabled console user: nobody is created by signing in.
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from starlette.responses import Response

from monitor.access.users import find
from monitor.web.core import Ctx, not_found
from monitor.web.views_auth import safe_next, signed_in

STATE_COOKIE = "hw_oidc"  # "__Host-hw_oidc" over HTTPS, as every console cookie
# OAuth 2 error codes are short ASCII words (RFC 6749 4.1.2.1); anything else is not echoed.
_ERROR_CODE = re.compile(r"[a-z_]{1,40}")
STATE_SECONDS = 600
TIMEOUT = 10
log = logging.getLogger(__name__)


class SsoError(Exception):
    """Sign-in through the provider failed; the message is shown on the sign-in page."""


def _redirect_uri(ctx: Ctx) -> str:
    return f"{ctx.app.settings.web.base_url}/login/sso/callback"


def _metadata(ctx: Ctx) -> dict[str, Any]:
    cache = ctx.console.oidc_metadata
    url = ctx.app.settings.web.oidc.metadata_url
    if url not in cache:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        cache[url] = response.json()
    return dict(cache[url])


def _serializer(ctx: Ctx) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(ctx.console.keys.session, salt="hallwatch-oidc")


def start(ctx: Ctx) -> Response:
    """Send the browser to the provider."""
    if not ctx.console.sso:
        return ctx.message("Single sign-on is off", "Sign in with your e-mail and password.", 404)
    try:
        oidc, meta = ctx.app.settings.web.oidc, _metadata(ctx)
    except (requests.RequestException, ValueError) as exc:
        log.warning(
            "SSO: the provider's discovery document is unreachable (%s)", type(exc).__name__
        )
        return ctx.render(
            "login.html",
            code=503,
            next="/",
            error="The district's sign-in service cannot be reached just now; try again in a "
            "few minutes, or sign in with your e-mail and password.",
        )
    state, nonce, verifier = (secrets.token_urlsafe(24) for _ in range(3))
    params = {
        "response_type": "code",
        "client_id": oidc.client_id,
        "redirect_uri": _redirect_uri(ctx),
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    next_path = safe_next(ctx.request.query_params.get("next", "/"))
    ctx.cookies[STATE_COOKIE] = _serializer(ctx).dumps([state, nonce, verifier, next_path])
    return ctx.redirect(f"{meta['authorization_endpoint']}?{urlencode(params)}")


def _claims(ctx: Ctx, code: str, nonce: str, verifier: str) -> dict[str, Any]:
    oidc, meta = ctx.app.settings.web.oidc, _metadata(ctx)
    client = OAuth2Session(oidc.client_id, oidc.client_secret, redirect_uri=_redirect_uri(ctx))
    try:
        token = client.fetch_token(
            meta["token_endpoint"], code=code, code_verifier=verifier, timeout=TIMEOUT
        )
        keys = requests.get(meta["jwks_uri"], timeout=TIMEOUT).json()
        decoded = jwt.decode(token["id_token"], KeySet.import_key_set(keys), algorithms=["RS256"])
        registry = jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": meta["issuer"]},
            aud={"essential": True, "value": oidc.client_id},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        registry.validate(decoded.claims)
    except (JoseError, KeyError, ValueError, requests.RequestException) as exc:
        log.warning("SSO: the provider's answer could not be verified (%s)", type(exc).__name__)
        raise SsoError(
            "the provider's answer could not be verified; try again, or tell IT if it "
            "keeps happening"
        ) from None
    return dict(decoded.claims)


def callback(ctx: Ctx) -> Response:
    if not ctx.console.sso:
        raise not_found()  # nothing to call back; echo nothing
    ctx.cookies[STATE_COOKIE] = None
    try:
        return _callback(ctx)
    except SsoError as exc:
        return ctx.render("login.html", code=400, next="/", error=f"Sign-in failed: {exc}.")


def _callback(ctx: Ctx) -> Response:
    params = ctx.request.query_params
    if "error" in params:
        code = params.get("error", "")
        said = f" ({code})" if _ERROR_CODE.fullmatch(code) else ""
        raise SsoError(f"the provider refused the sign-in{said}")
    try:
        state, nonce, verifier, next_path = _serializer(ctx).loads(
            ctx.request.cookies.get(ctx.console.cookie(STATE_COOKIE), "")[:4000],
            max_age=STATE_SECONDS,
        )
    except (BadSignature, ValueError, TypeError):
        raise SsoError("the sign-in took too long or was started elsewhere; try again") from None
    given = params.get("state", "").encode()[:200]
    if not secrets.compare_digest(str(state).encode(), given):
        raise SsoError("the answer does not belong to this sign-in (state); try again")
    claims = _claims(ctx, params.get("code", ""), str(nonce), str(verifier))
    email = str(claims.get("email", "")).strip().lower()
    if not email or claims.get("email_verified") is False:
        raise SsoError("the provider did not give a verified e-mail address")
    domains = ctx.app.settings.web.oidc.allowed_domains
    if domains and email.rpartition("@")[2] not in domains:
        raise SsoError("that account is not on one of the district's domains")
    user = find(ctx.db, email)
    if user is None or user.disabled:
        raise SsoError(
            "there is no active console account for that e-mail; ask an administrator to add "
            "you (hallwatch users add)"
        )
    return signed_in(ctx, user, safe_next(str(next_path)), "sso")
