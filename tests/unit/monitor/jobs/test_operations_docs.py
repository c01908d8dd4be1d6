"""docs/operations.md and deploy/ say only what the code does."""

from __future__ import annotations

import re
import tomllib

import yaml

from monitor.core.heartbeat import COMPONENTS
from monitor.core.settings import KNOWN
from monitor.jobs.metrics import METRICS
from tests.support.paths import ROOT

DOC = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
DRAMATIQ = {
    "dramatiq_messages_total",
    "dramatiq_message_errors_total",
    "dramatiq_message_retries_total",
    "dramatiq_message_rejects_total",
    "dramatiq_messages_inprogress",
    "dramatiq_delayed_messages_inprogress",
    "dramatiq_message_duration_milliseconds",
}


def _yaml_blocks() -> list[dict]:
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", DOC, re.S)]


def test_the_scrape_configuration_and_rules_are_valid_yaml_with_the_three_alerts():
    scrape, rules = _yaml_blocks()
    jobs = {job["job_name"]: job for job in scrape["scrape_configs"]}
    assert jobs["hallwatch"]["metrics_path"] == "/metrics"
    assert jobs["hallwatch"]["authorization"]["type"] == "Bearer"
    alerts = {rule["alert"]: rule["expr"] for rule in rules["groups"][0]["rules"]}
    assert (
        "hallwatch_seconds_since_last_successful_poll > 3600" in alerts["HallwatchNoSuccessfulPoll"]
    )
    assert (
        "hallwatch_alerts_pending_oldest_seconds > 3600" in alerts["HallwatchAlertsPendingTooLong"]
    )
    assert 'state="credentials_broken"' in alerts["HallwatchBrokenCredentials"]


def test_every_metric_the_doc_names_exists():
    named = set(re.findall(r"\b(?:hallwatch|dramatiq)_[a-z_]+", DOC))
    known = set(METRICS) | DRAMATIQ
    for name in named:
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        assert name in known or base in known, name
    assert set(METRICS) <= named  # and every metric is documented


def test_every_setting_the_doc_names_exists():
    for key in re.findall(r"`((?:logging|metrics|status)\.[a-z_]+)`", DOC):
        assert key in KNOWN, key
    assert {k for k in KNOWN if k.split(".")[0] in ("logging", "metrics", "status")} <= set(
        re.findall(r"`((?:logging|metrics|status)\.[a-z_]+)`", DOC)
    )


def test_compose_checks_every_long_running_service():
    compose = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())
    services = compose["services"]
    for name in COMPONENTS:
        test = services[name]["healthcheck"]["test"]
        assert test == ["CMD", "hallwatch-health", "--component", name]
        assert services[name]["restart"] == "unless-stopped"
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "--skip-logging" in services["worker"]["command"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["hallwatch-health"] == "monitor.core.heartbeat:main"


def test_systemd_units_restart_on_failure_and_on_a_hang():
    for unit in ("hallwatch-scheduler.service", "hallwatch-worker@.service"):
        text = (ROOT / "deploy" / "systemd" / unit).read_text()
        assert "Restart=on-failure" in text and "WatchdogSec=" in text
        assert "NotifyAccess=all" in text
    worker = (ROOT / "deploy" / "systemd" / "hallwatch-worker@.service").read_text()
    assert "HALLWATCH_METRICS_WORKER_PORT=919%i" in worker and "--skip-logging" in worker


def test_deployed_workers_consume_every_queue():
    # A --queues list in a unit or the compose file would silently leave a queue unread
    # (the procedure queue once was): workers consume every queue Hallwatch declares.
    from monitor.jobs.broker import QUEUES

    for path in ("deploy/systemd/hallwatch-worker@.service", "deploy/docker-compose.yml"):
        text = (ROOT / path).read_text()
        assert "--queues" not in text, path
    assert "procedure" in QUEUES
