"""Four students train at once through the Ray backend (#16): each sees its own result, and two who
asked for the same thing share one training.

The server runs with RNNLAB_RAY_ADDRESS on a local head started here (127.0.0.1, token authentication
on; tests/ray_head.py) and writes its training log, so the journey checks what the server trained.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.e2e.conftest import SCREENSHOTS, free_port, start_app, stop_app, wait_for_app
from tests.e2e.test_training_journey import SCORED, events, open_forecast
from tests.ray_head import ray_installed, start_head

pytestmark = [pytest.mark.e2e, pytest.mark.cluster]
SEEDS = (301, 301, 302, 303)  # the first two students ask for the identical training


@pytest.fixture(scope="module")
def ray_server():
    if not ray_installed():
        pytest.skip("Ray is not installed (pip install -r requirements-cluster.txt)")
    head = start_head(cpus=2)
    folder = Path(tempfile.mkdtemp(prefix="rnnlab-ray-journey-"))
    log = folder / "training.jsonl"
    port = free_port()
    env = {**head.env, "RNNLAB_RAY_ADDRESS": head.address}
    env |= {"RNNLAB_CACHE_DIR": str(folder / "cache"), "RNNLAB_TRAINING_LOG": str(log)}
    try:
        proc = start_app(port, env=env)
    except Exception:
        head.stop()
        raise
    yield f"http://127.0.0.1:{port}", log
    stop_app(proc)
    head.stop()


def test_four_sessions_train_at_once_through_ray(browser, ray_server):
    url, log = ray_server
    contexts = [browser.new_context(viewport={"width": 1280, "height": 720}) for _ in SEEDS]
    pages = [context.new_page() for context in contexts]
    (SCREENSHOTS / "ray-journey").mkdir(parents=True, exist_ok=True)
    try:
        for pg, seed in zip(pages, SEEDS, strict=True):
            pg.set_default_timeout(120_000)
            open_forecast(pg, url, epochs=2, seed=seed)
        for pg in pages:  # four sessions press Train, one right after the other
            pg.get_by_role("button", name="Train", exact=True).click()
        for pg in pages:
            pg.get_by_text(SCORED).wait_for(timeout=400_000)
            wait_for_app(pg)
        for n, (pg, seed) in enumerate(zip(pages, SEEDS, strict=True)):
            body = pg.inner_text("body")
            assert "Traceback" not in body and "cannot be reached" not in body and "was lost" not in body
            assert pg.get_by_label("Seed", exact=True).input_value() == str(seed)  # each session kept its own
            assert pg.get_by_text(SCORED).count() == 1
            pg.screenshot(path=str(SCREENSHOTS / "ray-journey" / f"{n + 1:02d}-seed-{seed}.png"))
        started = [e for e in events(log) if e["spec"] == "forecast" and e["event"] == "started"]
        finished = [e for e in events(log) if e["spec"] == "forecast" and e["event"] == "finished"]
        assert len(started) == len(finished) == 3  # the identical request trained once
        assert len({e["key"] for e in started}) == 3
    finally:
        for context in contexts:
            context.close()
