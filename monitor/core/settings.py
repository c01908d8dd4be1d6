"""Settings: one TOML file, every key overridable by a ``HALLWATCH_*`` environment variable.

The file comes from ``--config`` or ``HALLWATCH_CONFIG``; with neither, the embedded defaults
apply (SQLite under ``./var``, the in-memory broker). A key ``delivery.outbox_dir`` in the
file is ``[delivery] outbox_dir = ...`` and ``HALLWATCH_DELIVERY_OUTBOX_DIR`` in the
environment. Any invalid setting stops start-up with one :class:`SettingsError` that names
the key and says how to fix it.
"""

from __future__ import annotations

import os
import re
import secrets
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENV_PREFIX = "HALLWATCH_"


class SettingsError(Exception):
    """A setting is missing or invalid; the message names the key and the fix."""


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be text")
    return value.strip()


MAX_NUMBER = 1e9  # no setting needs more; inf, nan and 1e300 would overflow a timedelta


def _number(value: Any, low: float, strict: bool, wanted: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(wanted) from None
    if not (number > low if strict else number >= low) or not number <= MAX_NUMBER:
        raise ValueError(wanted)  # also refuses nan, which compares false to everything
    return number


def _positive_number(value: Any) -> float:
    return _number(value, 0, True, f"must be a number greater than 0 (at most {MAX_NUMBER:g})")


def _not_negative(value: Any) -> float:
    return _number(value, 0, False, f"must be a number, 0 or more (at most {MAX_NUMBER:g})")


def _domains(value: Any) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value)
    domains = tuple(str(d).strip().lower().lstrip("@") for d in items if str(d).strip())
    for domain in domains:
        if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", domain):
            raise ValueError(f"{domain!r} is not a domain name like 'sd33.bc.ca'")
    return domains


def _key_list(value: Any) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(str(item).strip() for item in items if str(item).strip())


def _timezone(value: Any) -> str:
    try:
        ZoneInfo(_text(value))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("is not an IANA time zone such as 'America/Vancouver'") from exc
    return _text(value)


def _broker(value: Any) -> str:
    url = _text(value)
    if url != "memory" and not url.startswith(("redis://", "rediss://", "amqp://", "amqps://")):
        raise ValueError(
            "must be 'memory', a redis:// URL such as redis://127.0.0.1:6379/0, or a RabbitMQ "
            "amqp:// URL such as amqp://hallwatch:PASSWORD@mq.district.ca:5672/%2F"
        )
    return url


def _redis(value: Any) -> str:
    url = _text(value)
    if url and not url.startswith(("redis://", "rediss://")):
        raise ValueError("must be empty or a redis:// URL such as redis://127.0.0.1:6379/1")
    return url


def _database(value: Any) -> str:
    url = _text(value)
    if not url.startswith(("sqlite", "postgresql")):
        raise ValueError(
            "must be a SQLAlchemy URL such as sqlite:///var/hallwatch.db or "
            "postgresql+psycopg://user@host/db"
        )
    return url


def _channel(value: Any) -> str:
    if _text(value) not in ("file", "smtp"):
        raise ValueError("must be 'file' or 'smtp'")
    return _text(value)


def _https_url(problem: str) -> Callable[[Any], str]:
    """A parser for an optional https:// URL (plain http only on this machine, for tests)."""

    def parse(value: Any) -> str:
        url = _text(value)
        local = url.startswith(("http://localhost", "http://127.0.0.1"))
        if url and not (url.startswith("https://") or local):
            raise ValueError(problem)
        return url

    return parse


_webhook = _https_url("must be an https:// URL (the webhook address from the chat app)")
_metadata_url = _https_url(
    "must be the provider's https:// discovery URL, e.g. "
    "https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration"
)


def _security(value: Any) -> str:
    if _text(value) not in ("starttls", "ssl", "none"):
        raise ValueError("must be 'starttls', 'ssl' or 'none'")
    return _text(value)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in ("true", "false", "1", "0", "yes", "no"):
        raise ValueError("must be true or false")
    return text in ("true", "1", "yes")


def _base_url(value: Any) -> str:
    url = _text(value).rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise ValueError("must be the console's public address, e.g. https://hallwatch.sd33.ca")
    return url


def _email(value: Any) -> str:
    text = _text(value)
    if text and not re.fullmatch(r"[^@\s]+@[^@\s]+", text):
        raise ValueError("must be an e-mail address like it-help@district.ca")
    return text


@dataclass(frozen=True)
class _Key:
    name: str
    default: Any
    parse: Callable[[Any], Any]
    help: str


KEYS: tuple[_Key, ...] = (
    _Key("database_url", "sqlite:///var/hallwatch.db", _database, "where Hallwatch keeps its data"),
    _Key("broker_url", "memory", _broker, "'memory' (one process), a redis:// or an amqp:// URL"),
    _Key(
        "rate_limit_url",
        "",
        _redis,
        "Redis for the API budgets all workers share (default: the broker's Redis; required "
        "with a RabbitMQ broker)",
    ),
    _Key("timezone", "America/Vancouver", _timezone, "the district's time zone"),
    _Key("district_domains", (), _domains, "the district's e-mail domains, e.g. ['sd33.ca']"),
    _Key("review_window_hours", 24.0, _positive_number, "hours before a comment is overdue"),
    _Key("poll_interval_minutes", 15.0, _positive_number, "how often each account is polled"),
    _Key("stale_after_hours", 72.0, _positive_number, "an account not polled this long is flagged"),
    _Key("secret_key", "", _text, "key for signing and encryption; generated under var/ if empty"),
    _Key("var_dir", "var", _text, "folder for the SQLite file, the outbox and the digests"),
    _Key(
        "previous_secret_keys",
        (),
        _key_list,
        "old secret keys still accepted for decryption during a key rotation",
    ),
    _Key("sandbox.scenario", "", _text, "serve every account from this sandbox scenario file"),
    _Key(
        "sandbox.latency_seconds",
        0.0,
        _not_negative,
        "seconds each sandbox poll takes (fault-injection tests make a poll slow to kill it)",
    ),
    _Key(
        "broker.heartbeat_timeout_seconds",
        60.0,
        _positive_number,
        "Redis broker: a worker silent this long is dead and its unacked messages are requeued",
    ),
    _Key(
        "broker.maintenance_chance",
        1000.0,
        _positive_number,
        "Redis broker: broker commands per million that also requeue dead workers' messages",
    ),
    _Key("limits.polls_per_minute", 60.0, _positive_number, "polls per platform per minute"),
    _Key(
        "limits.poll_lock_seconds",
        900.0,
        _positive_number,
        "longest one poll holds its account (a worker killed mid-poll blocks it this long)",
    ),
    _Key("detection.lexicon_dir", "", _text, "folder of the district's own word lists"),
    _Key("retention.evidence_days", 365.0, _positive_number, "days before evidence text is purged"),
    _Key("detection.region", "CA", _text, "country for phone numbers, e.g. CA or US"),
    _Key("detection.max_images_per_poll", 10.0, _positive_number, "photos analysed per poll"),
    _Key("limits.youtube_daily_quota", 10000.0, _positive_number, "YouTube API units per day"),
    _Key("delivery.outbox_dir", "", _text, "folder for .eml files (default: <var_dir>/outbox)"),
    _Key("delivery.from_address", "hallwatch@localhost", _email, "the From: of every e-mail"),
    _Key("delivery.communications_email", "", _email, "receives media inquiries"),
    _Key("delivery.it_email", "", _email, "receives broken credentials and operational problems"),
    _Key("delivery.fallback_email", "", _email, "receives flags with no one else to go to"),
    _Key(
        "delivery.channel", "file", _channel, "'file' (.eml files in the outbox folder) or 'smtp'"
    ),
    _Key(
        "delivery.group_minutes",
        60.0,
        _not_negative,
        "minutes over which non-urgent alerts are grouped into one message (0: no grouping)",
    ),
    _Key("delivery.webhook_url", "", _webhook, "also post every alert to this JSON webhook"),
    _Key("delivery.slack_webhook_url", "", _webhook, "also post every alert to Slack"),
    _Key("delivery.teams_webhook_url", "", _webhook, "also post every alert to Microsoft Teams"),
    _Key("smtp.host", "localhost", _text, "the district's mail server"),
    _Key("smtp.port", 587.0, _positive_number, "its port (587 STARTTLS, 465 SSL, 25 none)"),
    _Key("smtp.security", "starttls", _security, "'starttls', 'ssl' or 'none'"),
    _Key("smtp.username", "", _text, "login for the mail server, if it needs one"),
    _Key("smtp.password", "", _text, "its password: set HALLWATCH_SMTP_PASSWORD, not the file"),
    _Key("web.host", "127.0.0.1", _text, "address the console listens on"),
    _Key("web.port", 8080.0, _positive_number, "port the console listens on"),
    _Key("web.base_url", "http://127.0.0.1:8080", _base_url, "the console's address in e-mails"),
    _Key("web.serve_in_run", True, _flag, "`hallwatch run` also serves the console"),
    _Key("web.idle_minutes", 60.0, _positive_number, "minutes before an idle sign-in expires"),
    _Key("web.link_days", 7.0, _positive_number, "days an e-mail action link stays valid"),
    _Key("web.oidc.metadata_url", "", _metadata_url, "the SSO provider's discovery URL (optional)"),
    _Key("web.oidc.client_id", "", _text, "the console's client id at the SSO provider"),
    _Key("web.oidc.client_secret", "", _text, "its client secret: set the variable, not the file"),
    _Key("web.oidc.allowed_domains", (), _domains, "e-mail domains allowed to sign in by SSO"),
    _Key("web.oidc.label", "district account", _text, "the SSO button says 'Sign in with ...'"),
)
KNOWN = {k.name: k for k in KEYS}
SECRET_KEYS = frozenset(
    {
        "secret_key",
        "previous_secret_keys",
        "smtp.password",
        "web.oidc.client_secret",
        "delivery.webhook_url",  # webhook URLs carry their own tokens
        "delivery.slack_webhook_url",
        "delivery.teams_webhook_url",
    }
)


def _without_password(value: Any) -> Any:
    """``amqp://user:secret@host`` -> ``amqp://user:***@host``; anything else unchanged."""
    if isinstance(value, str) and "://" in value and "@" in value:
        return re.sub(r"(://[^:/@]*:)[^@/]+@", r"\1***@", value)
    return value


def env_name(key: str) -> str:
    """``delivery.outbox_dir`` -> ``HALLWATCH_DELIVERY_OUTBOX_DIR``."""
    return ENV_PREFIX + key.replace(".", "_").upper()


@dataclass(frozen=True)
class Settings:
    """Validated settings. Build with :func:`load_settings`."""

    values: Mapping[str, Any] = field(default_factory=dict)
    source: str = "embedded defaults"

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def __repr__(self) -> str:  # secrets never reach a log line or a traceback
        shown = {
            k: ("***" if k in SECRET_KEYS and v else _without_password(v))
            for k, v in self.values.items()
        }
        return f"Settings({shown!r}, source={self.source!r})"

    @property
    def database_url(self) -> str:
        return str(self.values["database_url"])

    @property
    def broker_url(self) -> str:
        return str(self.values["broker_url"])

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.values["timezone"])

    @property
    def district_domains(self) -> tuple[str, ...]:
        return tuple(self.values["district_domains"])

    @property
    def review_window(self) -> timedelta:
        return timedelta(hours=self.values["review_window_hours"])

    @property
    def poll_interval(self) -> timedelta:
        return timedelta(minutes=self.values["poll_interval_minutes"])

    @property
    def group_window(self) -> timedelta:
        return timedelta(minutes=self.values["delivery.group_minutes"])

    @property
    def stale_after(self) -> timedelta:
        return timedelta(hours=self.values["stale_after_hours"])

    @property
    def var_dir(self) -> Path:
        return Path(self.values["var_dir"])

    @property
    def outbox_dir(self) -> Path:
        configured = self.values["delivery.outbox_dir"]
        return Path(configured) if configured else self.var_dir / "outbox"

    @property
    def digest_dir(self) -> Path:
        return self.var_dir / "digests"

    @property
    def secret_key(self) -> str:
        """The configured key, or one generated once into ``<var_dir>/secret.key`` (mode 0600)."""
        if self.values["secret_key"]:
            return str(self.values["secret_key"])
        path = self.var_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(32))
        return path.read_text().strip()

    @property
    def previous_secret_keys(self) -> tuple[str, ...]:
        return tuple(self.values["previous_secret_keys"])

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with ``changes`` (keys as in the file, dots as ``__``) validated."""
        raw = dict(self.values)
        raw.update({k.replace("__", "."): v for k, v in changes.items()})
        return _validate(raw, self.source)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return _flatten(tomllib.load(handle))
    except FileNotFoundError:
        raise SettingsError(
            f"config file {path} does not exist: check --config or HALLWATCH_CONFIG, "
            "or leave both unset to use the embedded defaults"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(
            f"config file {path} is not valid TOML ({exc}): fix that line"
        ) from None
    except UnicodeDecodeError as exc:
        raise SettingsError(
            f"config file {path} is not UTF-8 text (byte {exc.start}): save it as UTF-8"
        ) from None
    except OSError as exc:
        raise SettingsError(
            f"config file {path} cannot be read ({exc.strerror or type(exc).__name__}): "
            "check --config or HALLWATCH_CONFIG"
        ) from None


def _validate(raw: Mapping[str, Any], source: str) -> Settings:
    unknown = sorted(set(raw) - set(KNOWN))
    if unknown:
        known = ", ".join(KNOWN)
        raise SettingsError(f"unknown setting {unknown[0]!r} in {source}; known settings: {known}")
    values: dict[str, Any] = {}
    for key in KEYS:
        value = raw.get(key.name, key.default)
        try:
            values[key.name] = key.parse(value)
        except (ValueError, TypeError) as exc:
            shown = "(hidden)" if key.name in SECRET_KEYS else repr(_without_password(value))
            raise SettingsError(
                f"setting {key.name!r} ({env_name(key.name)}) = {shown} {exc}; "
                f"it is {key.help}. Fix it in {source} or unset it to use the default "
                f"{key.default!r}."
            ) from None
    if values["broker_url"].startswith("amqp") and not values["rate_limit_url"]:
        raise SettingsError(
            f"broker_url is RabbitMQ, so rate_limit_url ({env_name('rate_limit_url')}) must "
            "name the Redis that holds the API budgets all workers share, e.g. "
            f"redis://127.0.0.1:6379/1. Set it in {source}."
        )
    return Settings(values=values, source=source)


def load_settings(
    config: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read the TOML file (``config`` or ``$HALLWATCH_CONFIG``), then the environment.

    Raises:
        SettingsError: naming the first bad key and how to fix it.
    """
    env = os.environ if environ is None else environ
    path = config or env.get("HALLWATCH_CONFIG") or None
    raw = _read_file(Path(path)) if path else {}
    for key in KEYS:
        if env_name(key.name) in env:
            raw[key.name] = env[env_name(key.name)]
    source = f"{path} and HALLWATCH_* variables" if path else "HALLWATCH_* variables or defaults"
    return _validate(raw, source)
