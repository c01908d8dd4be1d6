import logging

import pytest

from monitor.core.logs import ScrubFilter, scrub


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
