"""What deploy/ gives the console (issue 14, item 2): every [web] key in the example settings,
a systemd unit, and a reverse-proxy example with HTTPS and HSTS that the console's
trusted_proxies setting matches."""

from __future__ import annotations

import re

import pytest

from monitor.core.settings import KEYS, load_settings
from tests.support.paths import ROOT

DEPLOY = ROOT / "deploy"
WEB_KEYS = [k.name for k in KEYS if k.name.startswith("web.")]


@pytest.mark.parametrize("key", WEB_KEYS)
def test_the_example_settings_list_every_web_key(key):
    text = (DEPLOY / "hallwatch.example.toml").read_text(encoding="utf-8")
    section, _, name = key.rpartition(".")
    block = text.split(f"[{section}]\n", 1)[1].split("\n[", 1)[0]
    assert re.search(rf"^#? ?{name} =|{name}:", block, re.M), f"{key} is not in [{section}]"


def test_the_example_settings_load_and_serve_over_https_behind_the_proxy():
    settings = load_settings(DEPLOY / "hallwatch.example.toml", environ={})
    assert settings.web.base_url.startswith("https://")
    assert settings.web.host == "127.0.0.1" and settings.web.trusted_proxies == ("127.0.0.1/32",)
    assert settings.manual_attestation_days == 30


def test_the_console_unit_and_the_proxies_serve_https_with_hsts():
    unit = (DEPLOY / "systemd" / "hallwatch-web.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/hallwatch/.venv/bin/hallwatch web" in unit
    assert "User=hallwatch" in unit and "NoNewPrivileges=yes" in unit
    nginx = (DEPLOY / "proxy" / "nginx-hallwatch.conf").read_text(encoding="utf-8")
    assert "listen 443 ssl" in nginx and "return 301 https://" in nginx
    assert 'Strict-Transport-Security "max-age=31536000' in nginx
    assert "proxy_pass http://127.0.0.1:8080" in nginx
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in nginx  # appends, as trusted
    caddy = (DEPLOY / "proxy" / "Caddyfile").read_text(encoding="utf-8")
    assert "Strict-Transport-Security" in caddy and "reverse_proxy 127.0.0.1:8080" in caddy
