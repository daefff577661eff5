"""A class at once: N headless Chromium sessions train on ONE app server (127.0.0.1) at the same time.

Phase 1 (concurrency): every session opens the Stock forecasting page at the same moment; the first
two keep the page's defaults (embedded series) and must get identical results with ONE training
between them; the others each upload their own CSV. All train together. Checks: every session
finishes; each page shows only its own data source and its own model; results equal a reference
trained alone in this process (`--verify`); the cache entries on disk equal the distinct requests.
Phase 2 (memory): the sessions keep training new seeds until the server has trained 48 models;
the server's RSS after 16 and after 48 trainings is reported (target ratio <= 1.15): the server
process plus its training worker processes (core.worker), and each part on its own.
Phase 3 (speed): a fresh session asks for a model trained in the last round (in memory), then for
the first one (evicted from memory to disk by now), then changes a display widget (a rerun with
the result in its session): these are the "cached re-render" timings.

Bounded: 4-8 sessions, few epochs, an overall time limit; traffic only to the app on 127.0.0.1.
Prints one JSON object (and writes it to --out).

    python3 benchmarks/bench_load.py [--sessions 4] [--epochs 2] [--trainings 48] [--max-seconds 1500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_startup import machine  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_app, stop_app  # noqa: E402

PAGE = "/Stock_forecasting"
MEMORY_RATIO_TARGET = 1.15
# The result is on screen: the script has finished, nothing is stale, the result's own script is
# shown (it names the seed) and both Plotly charts have drawn their SVG.
DRAWN_JS = """m => {
  const app = document.querySelector('[data-testid="stApp"]');
  const state = app && app.getAttribute('data-test-script-state');
  if (!state || state === 'initial' || state === 'running' || document.querySelector('[data-stale="true"]')) return false;
  if (![...document.querySelectorAll('[data-testid="stCode"]')].some(e => e.textContent.includes(m))) return false;
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  return charts.length >= 2 && charts.every(c => c.querySelector('.main-svg'));
}"""
RUNNING_JS = (
    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
    " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')"
)


@dataclass
class Session:
    """One browser session: its data (embedded defaults or its own upload) and what it saw."""

    index: int
    upload: Path | None  # None: the page's default embedded series
    page: object = None
    results: list[dict] = field(default_factory=list)

    @property
    def source(self) -> str:
        return f"upload: {self.upload.name}" if self.upload else "embedded:"


def synthetic_csv(folder: Path, index: int) -> Path:
    """A session's own Yahoo-style file: a random walk with its own seed, length and dates."""
    rng = np.random.default_rng(1000 + index)
    rows = 560 + 23 * index
    close = 50 + 10 * index + np.cumsum(rng.normal(0, 0.8, rows))
    dates = pd.bdate_range(f"{2001 + index}-01-02", periods=rows)
    frame = pd.DataFrame(
        {"Open": close + rng.normal(0, 0.3, rows), "High": close + 1, "Low": close - 1, "Close": close,
         "Adj Close": close, "Volume": rng.integers(1e5, 1e6, rows)},
        index=pd.Index(dates.strftime("%Y-%m-%d"), name="Date"),
    )  # fmt: skip
    path = folder / f"session-{index}.csv"
    frame.round(4).to_csv(path)
    return path


def log(message: str) -> None:
    """Progress on stderr (stdout carries only the JSON result)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- driving one page


async def settle(page, timeout_ms: float = 300_000) -> None:
    await page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    await page.wait_for_function(RUNNING_JS, timeout=timeout_ms)


async def open_forecast(page, url: str, upload: Path | None) -> None:
    await page.goto(url + PAGE)
    await page.locator('[data-testid="stForm"]').wait_for(timeout=120_000)
    await settle(page)
    if upload is not None:
        await page.locator('[data-testid="stRadio"]').first.get_by_text("Upload a CSV").click()
        await settle(page)
        await page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
        await page.get_by_text(f"upload: {upload.name}", exact=False).first.wait_for(timeout=120_000)
        await page.locator('[data-testid="stForm"]').wait_for(timeout=120_000)
        await settle(page)
        # The form's settings are lost while the page waits for a file (see tests/e2e/test_offline_journey.py):
        # put the defaults back with the page's own button, and the default cell.
        await page.get_by_role("button", name="Use default settings").click()
        await settle(page)
        await page.locator('[data-testid="stForm"]').get_by_text("LSTM", exact=True).click()


async def set_number(page, label: str, value: int) -> None:
    box = page.locator('[data-testid="stForm"] input[type="number"]').and_(page.get_by_label(label, exact=True))
    await box.fill(str(value))


async def train(page, seed: int, epochs: int, timeout_ms: float) -> dict:
    """Set epochs and seed, press Train, wait for this model's result; returns what the page shows."""
    await set_number(page, "Epochs", epochs)
    await set_number(page, "Seed", seed)
    start = time.perf_counter()
    await page.locator('[data-testid="stForm"]').get_by_role("button", name="Train").click()
    try:
        await wait_drawn(page, seed, timeout_ms)
    except Exception as err:  # a session that never shows its result is a failure to report, not a crash
        shot = ROOT / "test-artifacts" / "bench" / f"load-timeout-seed{seed}-{int(time.time())}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(shot), full_page=True)
        log(f"  no result for seed {seed} after {time.perf_counter() - start:.0f} s ({type(err).__name__}); see {shot}")
        return {"rmse": None, "cached": False, "heading": "", "scored": None, "body": "",
                "errors": [f"no result: {type(err).__name__}"], "seed": seed, "seconds": None}  # fmt: skip
    seconds = time.perf_counter() - start
    return await read_result(page) | {"seed": seed, "seconds": round(seconds, 3)}


async def wait_drawn(page, seed: int, timeout_ms: float) -> None:
    """Until the result of `seed` is fully drawn (its stand-alone script names its own seed)."""
    await page.wait_for_function(DRAWN_JS, arg=f"set_random_seed({seed})", timeout=timeout_ms, polling=20)


async def read_result(page) -> dict:
    metric = page.locator('[data-testid="stMetric"]')
    rmse = await metric.filter(has_text="Model RMSE").locator('[data-testid="stMetricValue"]').inner_text()
    fit = await metric.filter(has_text="Fit time").inner_text()
    body = await page.inner_text("main")
    errors = await page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
    scored = re.search(r"Scored on (\d+) days, (\S+) to (\S+):", body)
    return {
        "rmse": float(rmse.replace(",", "")),
        "cached": "from the cache" in fit,
        "heading": next((line for line in body.splitlines() if " · target: " in line), ""),
        "scored": scored.groups() if scored else None,
        "errors": errors,
        "body": body,
    }


# ----------------------------------------------------------------------------- measuring the server


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmRSS")


def descendants(pid: int) -> list[int]:
    """Every living process below `pid` (the server's training workers)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(children.get(child, []))
    return found


def server_memory(pid: int) -> dict:
    """RSS of the server process and of its worker processes; "total" is what the machine gives the app."""
    workers = []
    for child in descendants(pid):
        try:
            workers.append(rss_mib(child))
        except (OSError, RuntimeError):
            continue
    main = rss_mib(pid)
    return {"main": main, "workers": round(sum(workers), 1), "worker_count": len(workers),
            "total": round(main + sum(workers), 1)}  # fmt: skip


def cache_entries(cache_dir: Path) -> int:
    folder = cache_dir / "trained"  # core.training's one cache (every page's trainings)
    return sum(1 for p in folder.iterdir() if (p / "COMPLETE").exists()) if folder.exists() else 0


# ----------------------------------------------------------------------------- the phases


async def phase_concurrent(sessions: list[Session], url: str, epochs: int, timeout_ms: float) -> float:
    await asyncio.gather(*(open_forecast(s.page, url, s.upload) for s in sessions))
    start = time.perf_counter()
    results = await asyncio.gather(*(train(s.page, 7, epochs, timeout_ms) for s in sessions))
    for s, r in zip(sessions, results, strict=True):
        s.results.append(r)
    return time.perf_counter() - start


def check_isolation(sessions: list[Session]) -> list[str]:
    """Problems: a page showing another session's file, or not its own source, or an error."""
    problems = []
    names = {s.index: s.upload.name for s in sessions if s.upload}
    for s in sessions:
        for r in s.results:
            others = [n for i, n in names.items() if i != s.index and n in r["body"]]
            if others:
                problems.append(f"session {s.index} sees {others}")
            if s.source not in r["heading"]:
                problems.append(f"session {s.index} heading {r['heading']!r} lacks {s.source!r}")
            if r["errors"]:
                problems.append(f"session {s.index} errors {r['errors']}")
    return problems


async def phase_memory(sessions, epochs, trainings, pid, trained_so_far, timeout_ms) -> dict:
    """Train new seeds round by round until `trainings` models were trained; RSS at 16 and at the end."""
    seed, marks = 100, {"last_default_seed": None}
    trained = trained_so_far
    while trained < trainings:
        mark = 16 if trained < 16 else trainings  # rounds end exactly on the 16th and the last training
        batch = sessions[: min(len(sessions), mark - trained)]
        results = await asyncio.gather(*(train(s.page, seed + s.index, epochs, timeout_ms) for s in batch))
        for s, r in zip(batch, results, strict=True):
            s.results.append(r)
        trained += sum(not r["cached"] for r in results)
        marks["last_default_seed"] = seed if batch[0].upload is None else marks["last_default_seed"]
        log(f"  trained {trained} models so far (server memory {server_memory(pid)} MiB)")
        seed += 100
        if trained >= 16 and "rss_after_16_mib" not in marks:
            await asyncio.sleep(2)
            marks |= memory_marks(server_memory(pid), "16") | {"trained_at_first_mark": trained}
    await asyncio.sleep(2)
    return marks | memory_marks(server_memory(pid), "48") | {"trained_total": trained}


def memory_marks(memory: dict, label: str) -> dict:
    """rss_after_<label>_mib: the server with its workers; the parts beside it."""
    return {f"rss_after_{label}_mib": memory["total"], f"main_rss_after_{label}_mib": memory["main"],
            f"workers_rss_after_{label}_mib": memory["workers"], f"workers_after_{label}": memory["worker_count"]}  # fmt: skip


async def phase_cached(context_factory, url: str, epochs: int, recent_seed: int, timeout_ms: float) -> dict:
    """Cached results: clicks timed from Train until the result is fully drawn (charts included).

    A newcomer (a fresh browser profile: every script chunk of the page still to load) asks for a
    model still in memory; then, in the same page, for one evicted to disk and for the first again;
    then changes a display widget (a rerun with the result in its session).
    """
    context = await context_factory()
    page = await context.new_page()
    await open_forecast(page, url, None)
    first_view = await train(page, recent_seed, epochs, timeout_ms)  # trained in the last round: in memory
    disk_hit = await train(page, 7, epochs, timeout_ms)  # the first model: evicted from memory by now
    memory_hit = await train(page, recent_seed, epochs, timeout_ms)
    box = page.get_by_label("Forecast days past the data", exact=True).and_(page.locator("input"))
    start = time.perf_counter()
    await box.fill("6")
    await box.press("Enter")
    await page.get_by_text("FORECAST of the next 6 business days").wait_for(timeout=timeout_ms)
    await wait_drawn(page, recent_seed, timeout_ms)
    rerun = time.perf_counter() - start
    await context.close()
    return {
        "cached_first_view_s": first_view["seconds"], "cached_first_view_hit": first_view["cached"],
        "cached_memory_click_s": memory_hit["seconds"], "cached_memory_hit": memory_hit["cached"],
        "cached_disk_click_s": disk_hit["seconds"], "cached_disk_hit": disk_hit["cached"],
        "rerun_with_result_s": round(rerun, 3),
    }  # fmt: skip


# ----------------------------------------------------------------------------- reference and main


def reference_rmse(session: Session, seed: int, epochs: int) -> float:
    """The same request trained alone in this process, without any cache."""
    from core.datasets import DEFAULT_DATASET, load_dataset
    from core.forecast import ForecastConfig, run_forecast
    from core.prices import default_target, read_prices

    data = (
        read_prices(session.upload.read_bytes(), name=session.source)
        if session.upload
        else load_dataset(DEFAULT_DATASET)
    )
    config = ForecastConfig.default("lstm", epochs=epochs, seed=seed, target=default_target(data, "open"))
    return float(run_forecast(data, config, use_cache=False).metrics.loc["model", "rmse"])


async def run(args) -> dict:
    from playwright.async_api import async_playwright

    cache_dir = Path(tempfile.mkdtemp(prefix="rnnlab-load-cache-"))
    folder = Path(tempfile.mkdtemp(prefix="rnnlab-load-data-"))
    port = free_port()
    training_log = cache_dir.parent / f"{cache_dir.name}-training.jsonl"  # what the server itself trained
    proc = start_app(port, {"RNNLAB_CACHE_DIR": str(cache_dir), "RNNLAB_TRAINING_LOG": str(training_log)})
    url = f"http://127.0.0.1:{port}"
    timeout_ms = args.train_timeout * 1000
    began = time.perf_counter()
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            sessions = [Session(i, None if i < 2 else synthetic_csv(folder, i)) for i in range(args.sessions)]
            for s in sessions:
                context = await browser.new_context(viewport={"width": 1400, "height": 900})
                s.page = await context.new_page()
            rss_start = server_memory(proc.pid)["total"]
            log(f"phase 1: {args.sessions} sessions train at once (server RSS {rss_start} MiB)")
            concurrent_s = await phase_concurrent(sessions, url, args.epochs, timeout_ms)
            first = [s.results[0] for s in sessions]
            entries_after_first = cache_entries(cache_dir)
            started_first = trainings_started(training_log)
            trained_first = sum(not r["cached"] for r in first)
            log(f"phase 1 done in {concurrent_s:.1f} s; phase 2: training up to {args.trainings} models")
            memory = await phase_memory(sessions, args.epochs, args.trainings, proc.pid, trained_first, timeout_ms)
            log(f"phase 2 done: {memory}; phase 3: cached result and re-render")
            cached = await phase_cached(
                lambda: browser.new_context(viewport={"width": 1400, "height": 900}),
                url, args.epochs, memory.pop("last_default_seed") or 7, timeout_ms,
            )  # fmt: skip
            await browser.close()
    finally:
        server_rss_end = server_memory(proc.pid)["total"] if proc.poll() is None else None
        stop_app(proc)
    result = summarize(args, sessions, first, concurrent_s, entries_after_first, memory, cached, started_first)
    result |= {"rss_at_start_mib": rss_start, "rss_at_end_mib": server_rss_end,
               "cache_entries_end": cache_entries(cache_dir), "wall_s": round(time.perf_counter() - began, 1)}  # fmt: skip
    if args.verify:
        log("verifying: the same requests trained alone in this process")
        result |= verify(sessions, args.epochs)
    result["ok"] = all(result[k] for k in ("all_finished", "isolated", "identical_trained_once", "memory_ok")) and (
        result.get("matches_reference", True)
    )
    return result


def trainings_started(log_path: Path) -> int:
    """Trainings the server started so far, from its training log (RNNLAB_TRAINING_LOG)."""
    if not log_path.exists():
        return 0
    return sum(json.loads(line)["event"] == "started" for line in log_path.read_text("utf-8").splitlines() if line)


def summarize(args, sessions, first, concurrent_s, entries_after_first, memory, cached, started_first=None) -> dict:
    defaults = [r for s, r in zip(sessions, first, strict=True) if s.upload is None]
    problems = check_isolation(sessions)
    ratio = memory["rss_after_48_mib"] / memory["rss_after_16_mib"] if "rss_after_16_mib" in memory else None
    return {
        "benchmark": "load",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "sessions": args.sessions,
        "epochs": args.epochs,
        "concurrent_round_s": round(concurrent_s, 2),
        "first_round": [{k: r[k] for k in ("seconds", "cached", "rmse", "scored")} for r in first],
        "all_finished": all(not r["errors"] for s in sessions for r in s.results),
        "isolated": not problems,
        "problems": problems[:10],
        "identical_same_result": len({r["rmse"] for r in defaults}) == 1,
        # Identical requests share one training: the second session attaches to the running one (so both
        # may say "trained now"); the server's own log counts what it started.
        "trainings_started_first_round": started_first,
        "identical_trained_once": started_first == 1 + sum(s.upload is not None for s in sessions),
        "cache_entries_after_first_round": entries_after_first,
        "distinct_requests_first_round": 1 + sum(s.upload is not None for s in sessions),
        **memory,
        "rss_ratio_48_vs_16": round(ratio, 3) if ratio else None,
        "memory_ratio_target": MEMORY_RATIO_TARGET,
        "memory_ok": ratio is not None and ratio <= MEMORY_RATIO_TARGET,
        **cached,
    }


def verify(sessions: list[Session], epochs: int) -> dict:
    """Re-train the first round's default and one upload alone; the page must show the same RMSE."""
    checks = []
    for s in [sessions[0], *[s for s in sessions if s.upload][:1]]:
        shown = s.results[0]["rmse"]
        alone = reference_rmse(s, 7, epochs)
        checks.append({"session": s.index, "shown": shown, "alone": round(alone, 4), "same": abs(shown - alone) < 5e-3})
    return {"reference_checks": checks, "matches_reference": all(c["same"] for c in checks)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=4, help="browser sessions at once (4-8)")
    parser.add_argument("--epochs", type=int, default=2, help="epochs per training (1-20; kept small)")
    parser.add_argument("--trainings", type=int, default=48, help="models the server trains in all (16-96)")
    parser.add_argument("--train-timeout", type=int, default=300, help="seconds one training may take")
    parser.add_argument("--max-seconds", type=int, default=1500, help="the whole benchmark's time limit")
    parser.add_argument("--no-verify", dest="verify", action="store_false", help="skip the reference re-training")
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "bench" / "load.json")
    args = parser.parse_args()
    if not (4 <= args.sessions <= 8 and 1 <= args.epochs <= 20 and 16 <= args.trainings <= 96):
        parser.error("bounds: 4 <= sessions <= 8, 1 <= epochs <= 20, 16 <= trainings <= 96")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    result = asyncio.run(asyncio.wait_for(run(args), timeout=args.max_seconds))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
