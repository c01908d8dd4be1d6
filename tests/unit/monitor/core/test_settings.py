import re

import pytest

from monitor.core.settings import SettingsError, env_name, load_settings
from tests.support.paths import ROOT


def test_embedded_defaults_need_no_file_or_environment():
    s = load_settings(environ={})
    assert s.database_url == "sqlite:///var/hallwatch.db"
    assert s.broker_url == "memory"
    assert s.timezone.key == "America/Vancouver"
    assert s.review_window.total_seconds() == 24 * 3600


def test_toml_file_then_environment_overrides(tmp_path):
    config = tmp_path / "hallwatch.toml"
    config.write_text(
        'broker_url = "redis://127.0.0.1:6379/0"\n'
        'district_domains = ["sd33.bc.ca", "@Students.SD33.bc.ca"]\n'
        "review_window_hours = 12\n"
        '[delivery]\nit_email = "it@sd33.bc.ca"\n'
    )
    s = load_settings(config, environ={"HALLWATCH_REVIEW_WINDOW_HOURS": "6"})
    assert s.broker_url == "redis://127.0.0.1:6379/0"
    assert s.district_domains == ("sd33.bc.ca", "students.sd33.bc.ca")
    assert s.review_window.total_seconds() == 6 * 3600  # environment beats the file
    assert s.delivery.it_email == "it@sd33.bc.ca"


def test_config_path_from_environment(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('timezone = "America/Toronto"\n')
    assert (
        load_settings(environ={"HALLWATCH_CONFIG": str(config)}).timezone.key == "America/Toronto"
    )


def test_every_key_has_an_environment_name():
    assert env_name("delivery.outbox_dir") == "HALLWATCH_DELIVERY_OUTBOX_DIR"


@pytest.mark.parametrize(
    ("variable", "value", "key"),
    [
        ("HALLWATCH_REVIEW_WINDOW_HOURS", "a day", "review_window_hours"),
        ("HALLWATCH_REVIEW_WINDOW_HOURS", "-1", "review_window_hours"),
        ("HALLWATCH_TIMEZONE", "Mars/Olympus", "timezone"),
        ("HALLWATCH_BROKER_URL", "kafka://x", "broker_url"),
        ("HALLWATCH_DATABASE_URL", "mysql://x", "database_url"),
        ("HALLWATCH_DISTRICT_DOMAINS", "not a domain", "district_domains"),
        ("HALLWATCH_DELIVERY_IT_EMAIL", "it-at-district", "delivery.it_email"),
    ],
)
def test_invalid_setting_stops_with_one_message_naming_key_and_fix(variable, value, key):
    with pytest.raises(SettingsError) as err:
        load_settings(environ={variable: value})
    message = str(err.value)
    assert repr(key) in message and variable in message
    assert "Fix it in" in message


def test_unknown_key_in_file_is_named(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("review_windw_hours = 3\n")
    with pytest.raises(SettingsError, match="unknown setting 'review_windw_hours'"):
        load_settings(config, environ={})


def test_missing_and_broken_files_say_what_to_do(tmp_path):
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", environ={})
    broken = tmp_path / "broken.toml"
    broken.write_text("timezone = \n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(broken, environ={})


def test_secret_key_generated_once_with_private_mode(tmp_path):
    s = load_settings(environ={"HALLWATCH_VAR_DIR": str(tmp_path)})
    first = s.master_key
    assert first and first == s.master_key
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600


def test_repr_never_shows_secrets():
    s = load_settings(
        environ={
            "HALLWATCH_SECRET_KEY": "s3cret-key-value",
            "HALLWATCH_SMTP_PASSWORD": "mail-pass-123",
            "HALLWATCH_PREVIOUS_SECRET_KEYS": "old-key-456",
        }
    )
    shown = repr(s)
    for secret in ("s3cret-key-value", "mail-pass-123", "old-key-456"):
        assert secret not in shown
    assert s.master_key == "s3cret-key-value" and s.smtp.password == "mail-pass-123"


@pytest.mark.parametrize(
    ("variable", "value"),
    [("HALLWATCH_DELIVERY_CHANNEL", "pigeon"), ("HALLWATCH_SMTP_SECURITY", "tls1.0")],
)
def test_delivery_channel_and_smtp_security_are_checked(variable, value):
    with pytest.raises(SettingsError, match=variable):
        load_settings(environ={variable: value})


def test_the_production_example_settings_file_loads():
    example = ROOT / "deploy" / "hallwatch.example.toml"
    s = load_settings(example, environ={})
    assert s.delivery.channel == "smtp" and s.broker_url.startswith("redis://")


def test_the_example_settings_file_lists_every_key():
    # deploy/hallwatch.example.toml is where an IT person learns the settings: every key is
    # there, set or commented out, in its section ([sandbox] is for the demo only).
    from monitor.core.settings import KEYS

    text = (ROOT / "deploy" / "hallwatch.example.toml").read_text()
    sections: dict[str, str] = {"": ""}
    current = ""
    for line in text.splitlines():
        if line.startswith("["):
            current = line.strip("[] ")
            sections.setdefault(current, "")
        else:
            sections[current] += line + "\n"
    missing = []
    for key in KEYS:
        section, _, leaf = key.name.rpartition(".")
        if section == "sandbox":
            continue
        body = sections.get(section, "")
        if not re.search(rf"^#? ?{leaf} *=", body, re.M):
            missing.append(key.name)
    assert not missing, f"not in deploy/hallwatch.example.toml: {missing}"
