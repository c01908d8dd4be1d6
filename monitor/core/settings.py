"""Settings: one TOML file, every key overridable by a ``HALLWATCH_*`` environment variable.

The file comes from ``--config`` or ``HALLWATCH_CONFIG``; with neither, the embedded defaults
apply (SQLite under ``./var``, the in-memory broker). A key ``delivery.outbox_dir`` in the
file is ``[delivery] outbox_dir = ...`` and ``HALLWATCH_DELIVERY_OUTBOX_DIR`` in the
environment. Any invalid setting stops start-up with one :class:`SettingsError` that names
the key and says how to fix it.

Settings are typed: each section is a frozen dataclass whose fields declare their default,
parser and help (:func:`setting`), and code reads them as attributes
(``settings.delivery.it_email``, ``settings.web.oidc.client_id``). The list of keys, their
environment names and the error messages all come from those declarations.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
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


def _text_list(value: Any) -> tuple[str, ...]:
    """A TOML list of texts, or one text with ``;`` between items (an address has commas)."""
    items = value.split(";") if isinstance(value, str) else list(value)
    return tuple(str(item).strip() for item in items if str(item).strip())


def _networks(value: Any) -> tuple[str, ...]:
    """Addresses or networks (``10.0.0.5``, ``10.0.0.0/24``, ``::1``), each checked."""
    items = value.split(",") if isinstance(value, str) else list(value)
    found = []
    for item in (str(i).strip() for i in items if str(i).strip()):
        try:
            found.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ValueError(
                f"{item!r} is not an IP address or network like 127.0.0.1 or 10.0.0.0/24"
            ) from None
    return tuple(found)


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


def _positive_int(value: Any) -> int:
    wanted = f"must be a whole number greater than 0 (at most {MAX_NUMBER:g})"
    number = _number(value, 0, True, wanted)
    if number != int(number):
        raise ValueError(wanted)
    return int(number)


def _path(value: Any) -> Path:
    if isinstance(value, Path):
        return value
    return Path(_text(value))


def _zone(value: Any) -> ZoneInfo:
    if isinstance(value, ZoneInfo):
        return value
    return ZoneInfo(_timezone(value))


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


def _log_format(value: Any) -> str:
    if _text(value).lower() not in ("text", "json"):
        raise ValueError("must be 'text' or 'json'")
    return _text(value).lower()


def _log_level(value: Any) -> str:
    if _text(value).lower() not in ("debug", "info", "warning", "error"):
        raise ValueError("must be 'debug', 'info', 'warning' or 'error'")
    return _text(value).lower()


def _port(value: Any) -> int:
    wanted = "must be a port number from 1 to 65535, or 0 to turn it off"
    number = _number(value, 0, False, wanted)
    if number != int(number) or number > 65535:
        raise ValueError(wanted)
    return int(number)


MIN_TOKEN = 24


def _token(value: Any) -> str:
    token = _text(value)
    if token and (len(token) < MIN_TOKEN or not re.fullmatch(r"[\x21-\x7e]+", token)):
        raise ValueError(
            f"must be empty or at least {MIN_TOKEN} printable characters without spaces; make one "
            'with: python3 -c "import secrets; print(secrets.token_urlsafe(32))"'
        )
    return token


def setting(default: Any, parse: Callable[[Any], Any], help: str, secret: bool = False) -> Any:
    """A settings key: its default, the parser that validates it, and what it is for."""
    meta = {"parse": parse, "help": help, "secret": secret, "raw": default}
    parsed = parse(default)
    if isinstance(parsed, (tuple, str, int, float, bool, Path, ZoneInfo)):
        return field(default=parsed, metadata=meta)
    raise TypeError(f"setting default {default!r} is not an immutable value")


def section(kind: type) -> Any:
    """A ``[section]`` of the file: a nested settings dataclass."""
    return field(default_factory=kind, metadata={"section": True})


@dataclass(frozen=True)
class SandboxSettings:
    """``[sandbox]``: the demo's and the tests' simulated platforms."""

    scenario: str = setting("", _text, "serve every account from this sandbox scenario file")
    latency_seconds: float = setting(
        0.0,
        _not_negative,
        "seconds each sandbox poll takes (fault-injection tests make a poll slow to kill it)",
    )


@dataclass(frozen=True)
class BrokerSettings:
    """``[broker]``: the Redis broker's dead-worker recovery."""

    heartbeat_timeout_seconds: float = setting(
        60.0,
        _positive_number,
        "Redis broker: a worker silent this long is dead and its unacked messages are requeued",
    )
    maintenance_chance: float = setting(
        1000.0,
        _positive_number,
        "Redis broker: broker commands per million that also requeue dead workers' messages",
    )


@dataclass(frozen=True)
class LimitsSettings:
    """``[limits]``: API budgets and poll locks."""

    polls_per_minute: float = setting(60.0, _positive_number, "polls per platform per minute")
    poll_lock_seconds: float = setting(
        900.0,
        _positive_number,
        "longest one poll holds its account (a worker killed mid-poll blocks it this long)",
    )
    youtube_daily_quota: int = setting(10000, _positive_int, "YouTube API units per day")


@dataclass(frozen=True)
class DetectionSettings:
    """``[detection]``: word lists, phone region and photos."""

    lexicon_dir: str = setting("", _text, "folder of the district's own word lists")
    region: str = setting("CA", _text, "country for phone numbers, e.g. CA or US")
    max_images_per_poll: int = setting(10, _positive_int, "photos analysed per poll")
    allow_phones: tuple[str, ...] = setting(
        (),
        _text_list,
        "the district's own phone numbers (offices, switchboard): never student information; "
        "the organisation units' phones in the registry count too",
    )
    allow_addresses: tuple[str, ...] = setting(
        (),
        _text_list,
        "the district's own street addresses: never student information; the organisation "
        "units' addresses in the registry count too",
    )


@dataclass(frozen=True)
class RetentionSettings:
    """``[retention]``: how long evidence text is kept."""

    evidence_days: float = setting(365.0, _positive_number, "days before evidence text is purged")


@dataclass(frozen=True)
class DeliverySettings:
    """``[delivery]``: where alerts and digests go."""

    outbox_dir: str = setting("", _text, "folder for .eml files (default: <var_dir>/outbox)")
    from_address: str = setting("hallwatch@localhost", _email, "the From: of every e-mail")
    communications_email: str = setting("", _email, "receives media inquiries")
    it_email: str = setting("", _email, "receives broken credentials and operational problems")
    fallback_email: str = setting("", _email, "receives flags with no one else to go to")
    channel: str = setting("file", _channel, "'file' (.eml files in the outbox folder) or 'smtp'")
    group_minutes: float = setting(
        60.0,
        _not_negative,
        "minutes over which non-urgent alerts are grouped into one message (0: no grouping)",
    )
    # Webhook URLs carry their own tokens: secret.
    webhook_url: str = setting(
        "", _webhook, "also post every alert to this JSON webhook", secret=True
    )
    slack_webhook_url: str = setting("", _webhook, "also post every alert to Slack", secret=True)
    teams_webhook_url: str = setting(
        "", _webhook, "also post every alert to Microsoft Teams", secret=True
    )


@dataclass(frozen=True)
class SmtpSettings:
    """``[smtp]``: the district's mail server."""

    host: str = setting("localhost", _text, "the district's mail server")
    port: int = setting(587, _positive_int, "its port (587 STARTTLS, 465 SSL, 25 none)")
    security: str = setting("starttls", _security, "'starttls', 'ssl' or 'none'")
    username: str = setting("", _text, "login for the mail server, if it needs one")
    password: str = setting(
        "", _text, "its password: set HALLWATCH_SMTP_PASSWORD, not the file", secret=True
    )


@dataclass(frozen=True)
class OidcSettings:
    """``[web.oidc]``: single sign-on (optional)."""

    metadata_url: str = setting("", _metadata_url, "the SSO provider's discovery URL (optional)")
    client_id: str = setting("", _text, "the console's client id at the SSO provider")
    client_secret: str = setting(
        "", _text, "its client secret: set the variable, not the file", secret=True
    )
    allowed_domains: tuple[str, ...] = setting(
        (), _domains, "e-mail domains allowed to sign in by SSO"
    )
    label: str = setting("district account", _text, "the SSO button says 'Sign in with ...'")


@dataclass(frozen=True)
class WebSettings:
    """``[web]``: the supervisor console."""

    host: str = setting("127.0.0.1", _text, "address the console listens on")
    port: int = setting(8080, _positive_int, "port the console listens on")
    base_url: str = setting("http://127.0.0.1:8080", _base_url, "the console's address in e-mails")
    serve_in_run: bool = setting(True, _flag, "`hallwatch run` also serves the console")
    idle_minutes: float = setting(60.0, _positive_number, "minutes before an idle sign-in expires")
    link_days: float = setting(7.0, _positive_number, "days an e-mail action link stays valid")
    trusted_proxies: tuple[str, ...] = setting(
        (),
        _networks,
        "addresses of the reverse proxies whose X-Forwarded-For is believed (none: the "
        "connecting address is the client's)",
    )
    oidc: OidcSettings = section(OidcSettings)


def _version(value: Any) -> str:
    text = _text(value)
    if not text or len(text) > 40 or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", text):
        raise ValueError(
            "must be a short version label of letters, digits, dots or dashes, e.g. '2024-06'"
        )
    return text


def _account_key(value: Any) -> str:
    text = _text(value)
    if len(text) > 80:
        raise ValueError("must be an account id from the registry (at most 80 characters)")
    return text


def _whole(value: Any) -> int:
    wanted = f"must be a whole number, 0 or more (at most {MAX_NUMBER:g})"
    number = _number(value, 0, False, wanted)
    if number != int(number):
        raise ValueError(wanted)
    return int(number)


@dataclass(frozen=True)
class ProcedureSettings:
    """``[procedure]``: the owners' acknowledgements of Procedure 417."""

    version: str = setting(
        "1",
        _version,
        "the version of Procedure 417 owners acknowledge; a new version asks everyone again",
    )
    acknowledge_days: float = setting(
        365.0, _positive_number, "days an owner's acknowledgement stays valid"
    )
    link_days: float = setting(
        14.0, _positive_number, "days an acknowledgement link in an e-mail stays valid"
    )
    grace_days: float = setting(
        14.0,
        _not_negative,
        "days an owner has to acknowledge after Hallwatch first asks, before the account "
        "is flagged",
    )


@dataclass(frozen=True)
class DiscoverySettings:
    """``[discovery]``: finding accounts that look like the district's and are not registered."""

    fetch_timeout_seconds: float = setting(
        20.0, _positive_number, "seconds one web page may take to arrive, redirects included"
    )
    max_page_kb: int = setting(512, _positive_int, "largest web page read, in KiB")
    user_agent: str = setting(
        "HallwatchDiscovery/1.0", _text, "the User-Agent sent, and matched in robots.txt"
    )
    youtube_search_account: str = setting(
        "",
        _account_key,
        "registered YouTube account whose stored credentials run channel searches ('' = none)",
    )
    youtube_search_units: int = setting(
        500,
        _whole,
        "YouTube quota units discovery may spend a day on search.list (100 a call; 0 = none)",
    )
    x_search_account: str = setting(
        "",
        _account_key,
        "registered X account whose stored user-context keys run user searches ('' = none)",
    )
    x_searches: int = setting(
        5, _whole, "X user searches per discovery run (needs the Pro access level; 0 = none)"
    )


@dataclass(frozen=True)
class LoggingSettings:
    """``[logging]``: what every process writes to standard error."""

    format: str = setting(
        "text",
        _log_format,
        "'text' (readable lines) or 'json' (one JSON object per line, for a log pipeline)",
    )
    level: str = setting("info", _log_level, "'debug', 'info', 'warning' or 'error'")


@dataclass(frozen=True)
class MetricsSettings:
    """``[metrics]``: Prometheus metrics (see docs/operations.md)."""

    token: str = setting(
        "",
        _token,
        "bearer token Prometheus sends to the console's /metrics (empty: /metrics is off): "
        "set HALLWATCH_METRICS_TOKEN, not the file",
        secret=True,
    )
    worker_port: int = setting(
        9191,
        _port,
        "port each `dramatiq monitor.jobs.worker` command serves Dramatiq's queue metrics on "
        "(one port per command, whatever its --processes; 0: off)",
    )
    worker_host: str = setting("0.0.0.0", _text, "address the workers' queue metrics listen on")
    worker_dir: str = setting(
        "",
        _text,
        "folder the worker processes share their queue metrics through (default: "
        "hallwatch-queue-metrics-<port> in the system's temporary folder)",
    )


@dataclass(frozen=True)
class StatusSettings:
    """``[status]``: when `hallwatch status` says a person is needed."""

    poll_silence_minutes: float = setting(
        60.0, _positive_number, "a platform with no successful poll for this long is critical"
    )
    alert_wait_minutes: float = setting(
        60.0, _positive_number, "an alert due and not yet delivered for this long is critical"
    )


@dataclass(frozen=True)
class WellbeingSettings:
    """``[wellbeing]``: who hears of signs of self-harm, and what the alert says to do."""

    counsellor_email: str = setting(
        "",
        _email,
        "the district's counsellor contact: gets every wellbeing.self_harm alert of a unit "
        "that has no counsellor_email of its own (nor a parent unit with one)",
    )
    advice: str = setting(
        "",
        _text,
        "what a wellbeing.self_harm alert says to do now (empty: the built-in advice, "
        "'This is not a disciplinary matter. Follow the District's suicide-risk protocol "
        "now...', which names the 9-8-8 Suicide Crisis Helpline)",
    )


@dataclass(frozen=True)
class Settings:
    """Validated, typed settings. Build with :func:`load_settings`; read as attributes."""

    database_url: str = setting(
        "sqlite:///var/hallwatch.db", _database, "where Hallwatch keeps its data"
    )
    broker_url: str = setting(
        "memory", _broker, "'memory' (one process), a redis:// or an amqp:// URL"
    )
    rate_limit_url: str = setting(
        "",
        _redis,
        "Redis for the API budgets all workers share (default: the broker's Redis; required "
        "with a RabbitMQ broker)",
    )
    timezone: ZoneInfo = setting("America/Vancouver", _zone, "the district's time zone")
    district_domains: tuple[str, ...] = setting(
        (), _domains, "the district's e-mail domains, e.g. ['sd33.ca']"
    )
    review_window_hours: float = setting(
        24.0, _positive_number, "hours before a comment is overdue"
    )
    poll_interval_minutes: float = setting(
        15.0, _positive_number, "how often each account is polled"
    )
    stale_after_hours: float = setting(
        72.0, _positive_number, "an account not polled this long is flagged"
    )
    manual_attestation_days: float = setting(
        30.0,
        _positive_number,
        "days a supervisor's recorded check of an account with no API (Snapchat) counts",
    )
    secret_key: str = setting(
        "",
        _text,
        "key for signing and encryption; generated under var/ if empty",
        secret=True,
    )
    var_dir: Path = setting("var", _path, "folder for the SQLite file, the outbox and the digests")
    previous_secret_keys: tuple[str, ...] = setting(
        (),
        _key_list,
        "old secret keys still accepted for decryption during a key rotation",
        secret=True,
    )
    sandbox: SandboxSettings = section(SandboxSettings)
    broker: BrokerSettings = section(BrokerSettings)
    limits: LimitsSettings = section(LimitsSettings)
    detection: DetectionSettings = section(DetectionSettings)
    retention: RetentionSettings = section(RetentionSettings)
    delivery: DeliverySettings = section(DeliverySettings)
    smtp: SmtpSettings = section(SmtpSettings)
    web: WebSettings = section(WebSettings)
    procedure: ProcedureSettings = section(ProcedureSettings)
    discovery: DiscoverySettings = section(DiscoverySettings)
    logging: LoggingSettings = section(LoggingSettings)
    metrics: MetricsSettings = section(MetricsSettings)
    status: StatusSettings = section(StatusSettings)
    wellbeing: WellbeingSettings = section(WellbeingSettings)
    source: str = field(default="embedded defaults", compare=False)

    def __repr__(self) -> str:  # secrets never reach a log line or a traceback
        shown = {
            k.name: ("***" if k.secret and self.value(k.name) else _without_password(v))
            for k in KEYS
            for v in [self.value(k.name)]
        }
        return f"Settings({shown!r}, source={self.source!r})"

    def value(self, key: str) -> Any:
        """The value of ``key`` by its dotted name (for tools that walk every key)."""
        node: Any = self
        for part in key.split("."):
            node = getattr(node, part)
        return node

    @property
    def review_window(self) -> timedelta:
        return timedelta(hours=self.review_window_hours)

    @property
    def poll_interval(self) -> timedelta:
        return timedelta(minutes=self.poll_interval_minutes)

    @property
    def group_window(self) -> timedelta:
        return timedelta(minutes=self.delivery.group_minutes)

    @property
    def acknowledge_within(self) -> timedelta:
        return timedelta(days=self.procedure.acknowledge_days)

    @property
    def acknowledge_grace(self) -> timedelta:
        return timedelta(days=self.procedure.grace_days)

    @property
    def stale_after(self) -> timedelta:
        return timedelta(hours=self.stale_after_hours)

    @property
    def manual_attestation(self) -> timedelta:
        return timedelta(days=self.manual_attestation_days)

    @property
    def outbox_dir(self) -> Path:
        configured = self.delivery.outbox_dir
        return Path(configured) if configured else self.var_dir / "outbox"

    @property
    def digest_dir(self) -> Path:
        return self.var_dir / "digests"

    @property
    def master_key(self) -> str:
        """``secret_key``, or one generated once into ``<var_dir>/secret.key`` (mode 0600)."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(32))
        return path.read_text().strip()

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with ``changes`` (keys as in the file, dots as ``__``) validated."""
        raw = {k.name: self.value(k.name) for k in KEYS}
        raw.update({k.replace("__", "."): v for k, v in changes.items()})
        return _validate(raw, self.source)


@dataclass(frozen=True)
class Key:
    """One key of the file, as :func:`setting` declared it."""

    name: str
    default: Any
    parse: Callable[[Any], Any]
    help: str
    secret: bool


def _keys(kind: type, prefix: str = "") -> Iterator[Key]:
    for f in fields(kind):
        if f.metadata.get("section"):
            yield from _keys(f.default_factory, f"{prefix}{f.name}.")  # type: ignore[arg-type]
        elif "parse" in f.metadata:
            meta = f.metadata
            yield Key(f"{prefix}{f.name}", meta["raw"], meta["parse"], meta["help"], meta["secret"])


KEYS: tuple[Key, ...] = tuple(_keys(Settings))
KNOWN = {k.name: k for k in KEYS}
SECRET_KEYS = frozenset(k.name for k in KEYS if k.secret)


def _without_password(value: Any) -> Any:
    """``amqp://user:secret@host`` -> ``amqp://user:***@host``; anything else unchanged."""
    if isinstance(value, str) and "://" in value and "@" in value:
        return re.sub(r"(://[^:/@]*:)[^@/]+@", r"\1***@", value)
    return value


def env_name(key: str) -> str:
    """``delivery.outbox_dir`` -> ``HALLWATCH_DELIVERY_OUTBOX_DIR``."""
    return ENV_PREFIX + key.replace(".", "_").upper()


def _build(kind: type, values: Mapping[str, Any], prefix: str = "") -> Any:
    """The ``kind`` dataclass filled from validated ``values`` (dotted names)."""
    kwargs: dict[str, Any] = {}
    for f in fields(kind):
        if f.metadata.get("section"):
            kwargs[f.name] = _build(f.default_factory, values, f"{prefix}{f.name}.")  # type: ignore[arg-type]
        elif "parse" in f.metadata:
            kwargs[f.name] = values[f"{prefix}{f.name}"]
    return kind(**kwargs)


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
            shown = "(hidden)" if key.secret else repr(_without_password(value))
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
    return replace(_build(Settings, values), source=source)


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
