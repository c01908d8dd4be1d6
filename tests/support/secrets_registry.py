"""Secrets the test suite uses that its source does not spell out as a literal.

``tests/logscan.py`` finds most secrets by reading the tests (string literals given to names,
keys and keywords that say token, secret, password or API key); a test that builds a secret
any other way adds it here, so the end-of-run log scan searches for it too.
"""

from __future__ import annotations

KNOWN_SECRETS: set[str] = set()
