"""The end-of-run log scan (tests/logscan.py) is live and can fail."""

from __future__ import annotations

import json
import logging
import uuid

from monitor.core.logs import JsonFormatter, ScrubFilter
from tests.support.logscan import CANARY, LogScanner, keep_log, log_dir, suite_secrets

GRAPH_TOKEN = "EAAGlogScanCanaryToken0123456789ZZ"


def test_the_scanner_knows_the_suites_secrets():
    secrets = suite_secrets()
    assert GRAPH_TOKEN in secrets  # from this file's own assignment
    assert "EAAGm0PX4ZCpsBAOqZBZCsecretPageTokenZDZD" in secrets  # tests/support/connector_cases
    assert len(secrets) >= 20


def test_a_logged_secret_is_caught_with_its_file_and_line(tmp_path):
    # Given a log that a careless line of code wrote a token into
    path = tmp_path / "careless.txt"  # not *.log, so the end-of-run scan does not fail on it
    handler = logging.FileHandler(path)
    logger = logging.getLogger(CANARY)
    logger.addHandler(handler)
    try:
        logger.warning("polling page 123")
        logger.warning("calling graph with access_token=%s", GRAPH_TOKEN)
        logger.warning(
            "retrying with header Authorization: Bearer %s", "AAAAAAAAAAAAAAAAAAAAAxyz123"
        )
    finally:
        logger.removeHandler(handler)
        handler.close()
    # When a scanner with the suite's secrets reads it
    hits = LogScanner(suite_secrets()).scan([path])
    # Then both lines are found, by line number, and the hint does not repeat the secret
    assert sorted({hit.line for hit in hits}) == [2, 3]
    assert all(GRAPH_TOKEN not in str(hit) for hit in hits)


def test_a_clean_log_has_no_hits(tmp_path):
    path = tmp_path / "clean.log"
    path.write_text("polled riv-fb: 3 posts, 2 comments\naccess_token=*** (scrubbed)\n")
    assert LogScanner(suite_secrets()).scan([path]) == []


def test_every_record_of_the_session_reaches_the_session_log():
    marker = f"log-scan-marker-{uuid.uuid4().hex}"
    logging.getLogger("monitor.some.module").debug("a debug record %s", marker)
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers[:] = []  # as configure_logging does; the capture survives it
    try:
        logging.getLogger("connectors.x").info("an info record %s", marker)
    finally:
        root.handlers[:] = saved
    text = (log_dir() / "session.log").read_text(encoding="utf-8")
    assert text.count(marker) == 2


def test_process_output_is_kept_for_the_scan():
    path = keep_log("test-process", "worker started\n")
    assert path.parent == log_dir() and "worker started" in path.read_text()


def test_sdk_debug_records_never_reach_a_log(caplog):
    # tweepy logs every request's headers at DEBUG, Authorization: Bearer included
    import connectors  # noqa: F401  (installs the filters)

    caplog.set_level(logging.DEBUG)
    marker = f"sdk-marker-{uuid.uuid4().hex}"
    logging.getLogger("tweepy.client").debug("Headers: Authorization: Bearer %s", marker)
    logging.getLogger("googleapiclient.discovery").debug("URL: ...&key=%s", marker)
    logging.getLogger("tweepy.client").warning("Rate limit exceeded %s", "warn-marker")
    assert marker not in caplog.text and "warn-marker" in caplog.text
    assert marker not in (log_dir() / "session.log").read_text(encoding="utf-8")


def test_x_connector_fetch_at_debug_logs_no_bearer_token(caplog):
    from tests.support.connector_cases import x

    caplog.set_level(logging.DEBUG)
    x.case().fetch("full")
    assert x.SECRET not in caplog.text and "Bearer" not in caplog.text


JSON_TOKEN = "EAAGjsonLine\u00e9CanaryToken0123456789"  # JSON writes the é as \u00e9


def test_a_secret_in_a_json_log_line_is_caught_even_when_escaped(tmp_path):
    # Given a careless line written in the JSON format (logging.format = json)
    path = tmp_path / "careless-json.txt"  # not *.log: the end-of-run scan must not fail on it
    handler = logging.FileHandler(path)
    handler.setFormatter(JsonFormatter("worker"))
    logger = logging.getLogger(CANARY)
    logger.addHandler(handler)
    try:
        logger.warning("polling page 123")
        logger.warning("token was %s", JSON_TOKEN)
    finally:
        logger.removeHandler(handler)
        handler.close()
    raw = path.read_text()
    assert JSON_TOKEN not in raw and "\\u00e9" in raw  # written escaped, so not found as is
    # When the scanner reads it, Then the line is caught (the line's values, unescaped)
    hits = LogScanner(suite_secrets()).scan([path])
    assert [hit.line for hit in hits] == [2] and JSON_TOKEN not in str(hits[0])


def test_json_logs_of_the_real_set_up_are_scrubbed_before_the_scan(tmp_path):
    # The formatter configure_logging() installs for logging.format = json scrubs first
    path = tmp_path / "worker.log"
    handler = logging.FileHandler(path)
    handler.setFormatter(JsonFormatter("worker"))
    handler.addFilter(ScrubFilter())
    logger = logging.getLogger(CANARY)  # on purpose: left out of the session capture
    logger.addHandler(handler)
    try:
        logger.warning("GET /me?access_token=%s", GRAPH_TOKEN)
    finally:
        logger.removeHandler(handler)
        handler.close()
    assert LogScanner(suite_secrets()).scan([path]) == []
    assert json.loads(path.read_text())["message"] == "GET /me?access_token=***"
