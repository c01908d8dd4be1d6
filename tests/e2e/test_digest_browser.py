"""The digest HTML renders in a real browser (headless Chromium) into a non-blank page.

Chromium comes from Debian (``/usr/bin/chromium``); ``.ci/run`` installs it. Without it the
test skips on a laptop and fails under ``CI=true``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from monitor.notify.render import render
from tests.unit.monitor.notify.test_digest import PRINCIPAL, _context, app, busy  # noqa: F401  (fixtures)

CHROMIUM = Path("/usr/bin/chromium")
CI = os.environ.get("CI", "").lower() == "true"


def screenshot(page: Path, png: Path, profile: Path, timeout: float = 90) -> None:
    """Load ``page`` in headless Chromium, offline, and save a 1000x1400 screenshot."""
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            "--window-size=1000,1400",
            page.resolve().as_uri(),
        ],
        check=True,
        timeout=timeout,
        capture_output=True,
    )


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if CI:
        pytest.fail(f"{CHROMIUM} is missing; CI=true requires it (.ci/run installs it)")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); CI runs this test")


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_digest_renders_in_headless_chromium(busy, tmp_path):  # noqa: F811
    _require_chromium()
    _, html = render("digest", **_context(busy, PRINCIPAL))
    page, png = tmp_path / "digest.html", tmp_path / "digest.png"
    page.write_text(html, encoding="utf-8")
    screenshot(page, png, tmp_path / "profile")
    assert png.exists() and png.stat().st_size > 10_000
    with Image.open(png) as image:
        assert image.size == (1000, 1400)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
        assert colours is None or len(colours) > 1, "the screenshot is a single colour"
