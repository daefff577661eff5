"""Browser journeys: start the app on a free local port and drive it in headless Chromium.

Screenshots go to test-artifacts/screenshots/<test name>/ (look at them).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("RNNLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch_app(port: int, env: dict | None = None) -> subprocess.Popen:
    """`streamlit run app.py` headless on 127.0.0.1:port, returned at once (no health wait)."""
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false", "--server.fileWatcherType=none",
    ]  # fmt: skip
    base = {k: v for k, v in os.environ.items() if k != "RNNLAB_TRAIN_WORKERS"}  # the app's own default
    env = {**base, **(env or {})}
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_app(port: int, env: dict | None = None) -> subprocess.Popen:
    """launch_app, returning once the server answers its health check."""
    proc = launch_app(port, env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the app did not start within 60 s")


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def app_url():
    """The base URL of one app server shared by the journeys of a test run."""
    port = free_port()
    proc = start_app(port)
    yield f"http://127.0.0.1:{port}"
    stop_app(proc)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (scripts/test.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser page (1400x900) and a `shot(name)` helper saving numbered screenshots."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    folder = SCREENSHOTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def shot(name: str, full_page: bool = True) -> Path:
        counter["n"] += 1
        path = folder / f"{counter['n']:02d}-{name}.png"
        pg.screenshot(path=str(path), full_page=full_page)
        return path

    pg.shot = shot
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:  # what the page showed when the journey failed
        with contextlib.suppress(Exception):  # a crashed page cannot be photographed; the failure is reported
            shot("at-failure")
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (the page fixture reads whether the test failed)."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def wait_for_app(pg, timeout: float = 60_000) -> None:
    """Wait until Streamlit has run the script at least once and is not running it now."""
    pg.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    pg.wait_for_function(
        "() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
        " const state = app && app.getAttribute('data-test-script-state');"
        " return state && state !== 'initial' && state !== 'running'; }",
        timeout=timeout,
    )


def choose_language(pg, name: str) -> None:
    """Pick a language ("English" or "中文") in the sidebar's language box."""
    pg.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    pg.get_by_role("option", name=name).click()
