"""Print the performance report (Markdown) from the benchmark scripts' JSON outputs.

Reads what the benchmarks wrote (missing ones are listed as "not measured"):
  test-artifacts/bench/startup.json   python3 benchmarks/bench_startup.py
  test-artifacts/bench/load.json      python3 benchmarks/bench_load.py
  test-artifacts/bench/forecast.jsonl python3 benchmarks/bench_forecast.py --json-out test-artifacts/bench/forecast.jsonl

    python3 benchmarks/report.py [--dir test-artifacts/bench] [--note "quiet machine"]

Paste the output into README's performance section.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOT_MEASURED = "not measured"


def load_json(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.exists() else None


def load_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def seconds(value: float | None) -> str:
    return "no result (see load.json)" if value is None else f"{value:.2f} s"


def verdict(ok: bool | None) -> str:
    return "" if ok is None else (" ✅" if ok else " ❌ (misses)")


def startup_rows(s: dict | None) -> list[tuple[str, str, str]]:
    if s is None:
        return [("Cold start: `streamlit run` → rendered home page", NOT_MEASURED, "≤ 4 s")]
    runs = ", ".join(f"{x:.2f}" for x in s["cold_start_runs_s"])
    return [
        (
            f"Cold start: `streamlit run` → rendered home page in Chromium (median of {len(s['cold_start_runs_s'])})",
            f"{s['cold_start_median_s']:.2f} s (runs {runs}; server answering after {s.get('server_answering_median_s', 0):.2f} s"
            + (f"; CPU probe {s['cpu_probe_s'][0]:.3f}/{s['cpu_probe_s'][1]:.3f} s" if "cpu_probe_s" in s else "")
            + ")"
            + verdict(s.get("cold_start_ok")),
            f"≤ {s['cold_start_target_s']:.0f} s",
        ),
        ("Home page reload on a running server", f"{s['home_reload_s']:.2f} s" + verdict(s.get("reload_ok")), "< 1 s"),
    ]


def load_rows(d: dict | None) -> list[tuple[str, str, str]]:
    if d is None:
        return [("Concurrent sessions / memory / cached re-render", NOT_MEASURED, "")]
    first = d["first_round"]
    trained = sum(not r["cached"] for r in first)
    ratio = d.get("rss_ratio_48_vs_16")
    return [
        (
            f"Concurrent sessions: {d['sessions']} Chromium sessions train at once on one server ({d['epochs']} epochs)",
            f"all finished in {d['concurrent_round_s']:.1f} s; {trained} trainings for {len(first)} requests "
            f"(identical requests trained once: {'yes' if d['identical_trained_once'] else 'NO'}); "
            f"isolated: {'yes' if d['isolated'] else 'NO'}"
            + (
                f"; same RMSE as trained alone: {'yes' if d['matches_reference'] else 'NO'}"
                if "matches_reference" in d
                else ""
            ),
            "all correct, isolated, identical requests train once",
        ),
        (
            f"Server memory (RSS of the server and its training workers) after 16 vs after "
            f"{d.get('trained_total', 48)} trainings",
            f"{d.get('rss_after_16_mib')} MiB → {d.get('rss_after_48_mib')} MiB, ratio {ratio}"
            + verdict(d.get("memory_ok"))
            + (
                f" (server process {d['main_rss_after_16_mib']} → {d['main_rss_after_48_mib']} MiB; "
                f"workers {d['workers_rss_after_16_mib']} → {d['workers_rss_after_48_mib']} MiB)"
                if "main_rss_after_16_mib" in d
                else ""
            ),
            f"ratio ≤ {d['memory_ratio_target']}",
        ),
        (
            "Cached result, first view in a fresh browser (every script chunk of the page still to load): "
            "Train → result fully drawn",
            seconds(d.get("cached_first_view_s")),
            "(no target; reported)",
        ),
        (
            "Cached result still in memory: Train → result fully drawn (charts included)",
            seconds(d["cached_memory_click_s"]) + verdict((d["cached_memory_click_s"] or 99) < 1.0),
            "< 1 s",
        ),
        (
            "Cached result evicted to disk (read back): Train → result fully drawn",
            seconds(d["cached_disk_click_s"]) + verdict((d["cached_disk_click_s"] or 99) < 1.0),
            "< 1 s",
        ),
        (
            "Page with a result re-renders after a widget change",
            seconds(d["rerun_with_result_s"]) + verdict(d["rerun_with_result_s"] < 1.0),
            "< 1 s",
        ),
    ]


def forecast_rows(runs: list[dict]) -> list[str]:
    """One row per dataset and cell: mean fit seconds, RMSE and best baseline RMSE of each mode."""
    if not runs:
        return [f"Training times course vs default: {NOT_MEASURED}."]
    lines = [
        "| data | cell | course fit (s) | course RMSE | its best baseline | default fit (s) | default RMSE | its best baseline | runs |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for dataset, cell in dict.fromkeys((r["dataset"], r["cell"]) for r in runs):
        mine = [r for r in runs if r["dataset"] == dataset and r["cell"] == cell]
        cells = []
        for mode in ("course", "default"):
            m = [r for r in mine if r["mode"] == mode]
            mean = lambda key: statistics.mean(r[key] for r in m)  # noqa: B023, E731
            cells += [f"{mean('train_seconds'):.1f}", f"{mean('rmse'):.2f}", f"{mean('best_naive_rmse'):.2f} ({m[0]['best_naive']})"] if m else ["–"] * 3  # fmt: skip
        lines.append(f"| {dataset} | {cell} | {' | '.join(cells)} | {len(mine)} |")
    return lines


def report(folder: Path, note: str) -> str:
    startup = load_json(folder / "startup.json")
    load = load_json(folder / "load.json")
    forecast = load_lines(folder / "forecast.jsonl")
    source = next((x for x in (startup, load) if x), None)
    when = ", ".join(sorted({x["date"] for x in (startup, load) if x})) or "not measured"
    lines = [
        f"Measured {when} on {source['machine'] if source else 'this machine'}"
        + (f" ({note})" if note else "")
        + " by `benchmarks/` (see benchmarks/README.md).",
        "",
        "| figure | measured | target |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in startup_rows(startup) + load_rows(load)]
    lines += ["", "Training time per cell, course mode vs default mode (`bench_forecast.py`, no cache):", ""]
    lines += forecast_rows(forecast)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "test-artifacts" / "bench")
    parser.add_argument("--note", default="", help="e.g. 'shared machine, contended' or 'quiet machine'")
    args = parser.parse_args()
    print(report(args.dir, args.note))


if __name__ == "__main__":
    main()
