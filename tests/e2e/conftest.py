"""Real-browser tests: Playwright driving Debian's Chromium against a real server process."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.server import ROOT, ServerProcess

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("No Chromium in CI: .ci/run must install the 'chromium' package.")
        pytest.skip("No Chromium found: install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM=/path/to/chrome.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(database_url, tmp_path):
    process = ServerProcess(database_url, tmp_path / "instance").start()
    yield process
    process.kill()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
