"""Trainings outlive the browser tab, and Cancel is ours: a student reloads mid-training, a teacher cancels.

The server runs with its real training workers and writes its training log (RNNLAB_TRAINING_LOG), so
the journey can check what the server itself trained, not only what the page shows.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest

from tests.e2e.conftest import free_port, start_app, stop_app, wait_for_app

pytestmark = pytest.mark.e2e
SCORED = re.compile(r"^Scored on \d+ days")  # the result's line (the split caption also says "scored on")
EPOCH = re.compile(r"epoch (\d+) of (\d+)")


@pytest.fixture(scope="module")
def server():
    folder = Path(tempfile.mkdtemp(prefix="rnnlab-training-journey-"))
    log = folder / "training.jsonl"
    port = free_port()
    proc = start_app(port, env={"RNNLAB_CACHE_DIR": str(folder / "cache"), "RNNLAB_TRAINING_LOG": str(log)})
    yield f"http://127.0.0.1:{port}", log
    stop_app(proc)


def events(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


def open_forecast(page, url: str, epochs: int, seed: int) -> None:
    """The forecasting page with course settings, a given number of epochs and seed."""
    page.goto(f"{url}/Stock_forecasting")
    wait_for_app(page)
    page.get_by_role("button", name="Reset to course settings").click()
    wait_for_app(page)
    page.get_by_label("Epochs", exact=True).fill(str(epochs))
    page.get_by_label("Seed", exact=True).fill(str(seed))
    page.get_by_text("SimpleRNN", exact=True).click()


def shown_epoch(page) -> int | None:
    bar = page.locator('[data-testid="stProgress"]')
    if not bar.count():
        return None
    found = EPOCH.search(bar.first.inner_text())
    return int(found.group(1)) if found else None


def wait_for_epoch(page, at_least: int, timeout_s: float = 180.0) -> int:
    for _ in range(int(timeout_s * 5)):
        epoch = shown_epoch(page)
        if epoch is not None and epoch >= at_least:
            return epoch
        page.wait_for_timeout(200)
    raise AssertionError(f"no epoch {at_least} shown within {timeout_s} s")


def test_a_reload_attaches_to_the_running_training(page, server):
    url, log = server
    open_forecast(page, url, epochs=12, seed=101)
    page.get_by_role("button", name="Train", exact=True).click()
    before = wait_for_epoch(page, 2)
    page.shot("before-reload")
    page.reload()  # the tab's script run ends; the training goes on in its job
    wait_for_app(page)
    open_forecast(page, url, epochs=12, seed=101)  # the same settings again
    page.get_by_role("button", name="Train", exact=True).click()
    first_seen = wait_for_epoch(page, 1)
    page.shot("attached")
    assert first_seen >= before  # the epochs continue where they were, they do not restart at 1
    page.get_by_text(SCORED).wait_for(timeout=300_000)
    wait_for_app(page)
    assert page.locator('[data-testid="stProgress"]').count() == 0
    shown = page.get_by_text(SCORED)
    where = shown.evaluate_all("els => els.map(e => e.closest('[data-testid]')?.outerHTML.slice(0, 300))")
    assert shown.count() == 1, where  # the result arrived once
    started = [e for e in events(log) if e["spec"] == "forecast" and e["event"] == "started"]
    finished = [e for e in events(log) if e["spec"] == "forecast" and e["event"] == "finished"]
    assert len(started) == 1 and len(finished) == 1 and finished[0]["epoch"] == 12  # the server trained it once
    page.shot("result")


def test_cancel_stops_within_an_epoch_and_train_works_again(page, server):
    url, log = server
    open_forecast(page, url, epochs=40, seed=202)
    page.get_by_role("button", name="Train", exact=True).click()
    wait_for_epoch(page, 1)
    page.get_by_role("button", name="Cancel training").click()
    message = page.get_by_text("Training cancelled after epoch", exact=False)
    message.wait_for(timeout=60_000)
    wait_for_app(page)
    stopped = EPOCH.search(message.inner_text())
    assert page.locator('[data-testid="stProgress"]').count() == 0  # no bar left behind
    cancelled = [e for e in events(log) if e["event"] == "cancelled"]
    assert len(cancelled) == 1 and cancelled[0]["epoch"] < 40
    assert stopped is None or int(stopped.group(1)) < 40
    page.shot("cancelled")
    page.get_by_label("Epochs", exact=True).fill("2")  # Train works again
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text(SCORED).wait_for(timeout=300_000)
    wait_for_app(page)
    assert "Traceback" not in page.inner_text("body")
    page.shot("trained-after-cancel")
