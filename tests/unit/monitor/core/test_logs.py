import io
import json
import logging

import pytest

from monitor.core.logs import (
    CONTEXT_FIELDS,
    ContextFilter,
    JsonFormatter,
    ScrubFilter,
    TextFormatter,
    bind,
    configure_logging,
    log_context,
    scrub,
)
from monitor.core.settings import load_settings
from tests.support.logscan import CANARY


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("GET /v21.0/me?access_token=EAABsecret123&fields=id", "EAABsecret123"),
        ('{"access_token": "ya29.secretvalue"}', "ya29.secretvalue"),
        ("Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAsecret", "AAAAAAAAAAAAAAAAAAAAAsecret"),
        ("smtp login password=hunter2hunter2", "hunter2hunter2"),
    ],
)
def test_scrub_masks_credentials(text, secret):
    assert secret not in scrub(text) and "***" in scrub(text)


def test_scrub_leaves_prose_readable():
    text = "Error validating access token: The session was invalidated (190)"
    assert scrub(text) == text


def test_filter_scrubs_formatted_arguments():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "calling %s", ("url?token=abc123",), None
    )
    ScrubFilter().filter(record)
    assert "abc123" not in record.getMessage()


def test_libraries_that_log_urls_with_tokens_are_kept_quiet():
    from monitor.core.logs import QUIET, configure_logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level, {n: logging.getLogger(n).level for n in QUIET}
    try:
        configure_logging(logging.DEBUG)
        for name in QUIET:
            assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING
        assert "AIza" not in scrub("GET /youtube/v3/channels?part=id&key=AIzaSyFAKEKEY")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        for name, level in saved[2].items():
            logging.getLogger(name).setLevel(level)


# --- the JSON format and the context fields ---------------------------------------------

HOSTILE_MESSAGES = [
    "plain",
    "two\nlines",
    'quotes " and \\ backslash',
    "line separator \u2028 and paragraph \u2029",
    "emoji \U0001f600 and bidi \u202e",
    "nul \x00 and escape \x1b[31m",
    '{"looks": "like json"}',
]


def _json_lines(stream: io.StringIO) -> list[dict]:
    text = stream.getvalue()
    assert text.isascii()  # nothing in a message can split a line for a log shipper
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture
def json_log(tmp_path):
    """The root logger as `logging.format = json` sets it up, writing to a buffer."""
    settings = load_settings(
        environ={"HALLWATCH_LOGGING_FORMAT": "json", "HALLWATCH_VAR_DIR": str(tmp_path)}
    )
    configure_logging(settings=settings, component="worker")
    stream = io.StringIO()
    logging.getLogger().handlers[0].setStream(stream)
    return stream


def test_json_logs_parse_line_by_line(json_log):
    log = logging.getLogger("monitor.ingest.pipeline")
    for message in HOSTILE_MESSAGES:
        log.warning("poll: %s", message)
    lines = _json_lines(json_log)
    assert [line["message"] for line in lines] == [f"poll: {m}" for m in HOSTILE_MESSAGES]
    assert all(line["level"] == "WARNING" and line["component"] == "worker" for line in lines)
    assert all(line["logger"] == "monitor.ingest.pipeline" for line in lines)
    assert all(line["time"].endswith("Z") for line in lines)


def test_json_lines_carry_the_bound_context_and_only_there(json_log):
    log = logging.getLogger("monitor.jobs.tasks")
    with log_context(account_id=12, platform="facebook"):
        with log_context(message_id="3f1c-9a", actor="poll_account", queue="poll"):
            log.info("inside")
        log.info("outer")
    log.info("outside")
    inside, outer, outside = _json_lines(json_log)
    assert {k: inside[k] for k in CONTEXT_FIELDS if k in inside} == {
        "account_id": 12,
        "platform": "facebook",
        "message_id": "3f1c-9a",
        "actor": "poll_account",
        "queue": "poll",
    }
    assert "message_id" not in outer and outer["account_id"] == 12
    assert not set(CONTEXT_FIELDS) & set(outside)


def test_json_lines_scrub_secrets_in_messages_and_tracebacks(json_log):
    log = logging.getLogger(CANARY)  # secrets on purpose: kept out of the session's log capture
    log.warning("GET /me?access_token=%s", "EAAGjsonScrubTestToken0123456789")
    try:
        raise RuntimeError("refresh_token=1//0jsonScrubRefreshToken0123 rejected")
    except RuntimeError:
        log.exception("poll failed [parameters: ('Emma Stone', 'Emma is in 4B')]")
    first, second = _json_lines(json_log)
    assert "EAAG" not in first["message"] and "access_token=***" in first["message"]
    assert second["error"] == "RuntimeError"
    assert "1//0json" not in second["traceback"] and "refresh_token=***" in second["traceback"]
    assert "Emma" not in json.dumps(second) and "[parameters: hidden]" in second["message"]


@pytest.mark.parametrize(
    ("fields", "allowed"),
    [
        ({"account_id": 12}, True),
        ({"platform": "youtube", "message_id": "6a1f0c2e-8d7b-4e4f-9f3a-2b1c0d9e8f7a"}, True),
        ({"outbox_id": 7, "queue": "deliver", "actor": "deliver"}, True),
        ({"handle": "@riv_yt"}, False),  # not a context field
        ({"email": "patel@fvsd.example.ca"}, False),
        ({"platform": "Ms. Patel's page"}, False),  # free text, not an id
        ({"message_id": "Emma is in 4B"}, False),
    ],
)
def test_only_ids_go_in_the_context(fields, allowed):
    if allowed:
        with log_context(**fields):
            pass
    else:
        with pytest.raises(ValueError):
            bind(**fields)


def test_text_lines_end_with_the_context():
    record = logging.LogRecord("monitor.x", logging.WARNING, __file__, 1, "poll failed", None, None)
    with log_context(account_id=3, platform="x"):
        ContextFilter().filter(record)
    line = TextFormatter().format(record)
    assert line.endswith("WARNING monitor.x: poll failed [account_id=3 platform=x]")
    record = logging.LogRecord("monitor.x", logging.INFO, __file__, 1, "plain", None, None)
    ContextFilter().filter(record)
    assert TextFormatter().format(record).endswith("INFO monitor.x: plain")
    assert json.loads(JsonFormatter().format(record))["message"] == "plain"
