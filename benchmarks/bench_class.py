"""A class pressing Train at once: local training workers vs a Ray cluster on this machine.

N students each ask for a distinct default-mode forecaster (seeds differ) through the function the
forecasting page calls (core.forecast.run_forecast), all at the same moment, first on the app's
local worker pool (RNNLAB_TRAIN_WORKERS, default 2), then on a local Ray head with as many CPUs,
started and stopped here (127.0.0.1, token authentication on; tests/ray_head.py). Each backend is
warmed first (one training per worker: TensorFlow's import and the Ray connection are start-up
costs, printed apart). A fresh results cache per backend, so nothing comes from the cache.

Printed per backend: makespan (first press to last result), p50/p95 of a student's wait (press to
result), the mean training time t (makespan x workers / N) and the start-up cost; then Ray's
overhead over local (ray makespan - local makespan) and the projection for k machines of c cores:
makespan ~ N*t/(k*c) + overhead. A training that falls back from the cluster to the local workers
fails the run (its figure would not be Ray's). On one 2-core machine Ray cannot be faster than the local pool (the
same 2 cores do the same work); what this measures is the engine's cost.

    python3 benchmarks/bench_class.py                  # 30 students, 2 workers / 2 Ray CPUs
    python3 benchmarks/bench_class.py --students 12 --json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tests.ray_head import ray_installed, start_head  # noqa: E402


def press_train(students: int, first_seed: int) -> tuple[float, list[float]]:
    """Every student presses Train at once (a thread each, as browser sessions are): (makespan, waits)."""
    from core.datasets import DEFAULT_DATASET, load_dataset
    from core.forecast import ForecastConfig, default_target, run_forecast

    data = load_dataset(DEFAULT_DATASET)
    target = default_target(data.frame.columns)
    waits: list[float] = []
    errors: list[BaseException] = []
    began = time.monotonic()

    def student(seed: int) -> None:
        try:
            run_forecast(data, ForecastConfig.default("lstm", target=target, seed=seed))
            waits.append(time.monotonic() - began)
        except BaseException as err:  # reported below: a benchmark that hides failures measures nothing
            errors.append(err)

    threads = [threading.Thread(target=student, args=(first_seed + i,)) for i in range(students)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} trainings failed, first: {errors[0]!r}")
    return time.monotonic() - began, sorted(waits)


def fresh_cache() -> None:
    """An empty results cache: a new folder, and nothing in memory from the backend before."""
    from core.training import RESULTS

    os.environ["RNNLAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="rnnlab-bench-class-")
    RESULTS.clear_memory()


def measure(label: str, students: int, workers: int, seed: int) -> dict:
    """Warm the backend (one training per worker), then the class; figures in seconds."""
    fresh_cache()
    began = time.monotonic()
    press_train(workers, seed + 10_000)  # warm-up: distinct seeds, not counted below
    startup = time.monotonic() - began
    makespan, waits = press_train(students, seed)
    figures = {
        "backend": label,
        "students": students,
        "workers": workers,
        "warmup_s": round(startup, 2),
        "makespan_s": round(makespan, 2),
        "p50_wait_s": round(statistics.median(waits), 2),
        "p95_wait_s": round(waits[max(0, round(0.95 * len(waits)) - 1)], 2),
        "t_s": round(makespan * workers / students, 2),  # mean training time on one worker
    }
    print(json.dumps(figures), file=sys.stderr, flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30, help="distinct trainings pressed at once (default 30)")
    parser.add_argument("--workers", type=int, default=2, help="local workers = Ray CPUs (default 2)")
    parser.add_argument("--seed", type=int, default=100, help="first student's seed")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = parser.parse_args()
    if not ray_installed():
        sys.exit("Ray is not installed: pip install -r requirements-cluster.txt")
    from core import worker

    os.environ["RNNLAB_TRAIN_WORKERS"] = str(args.workers)
    os.environ.pop("RNNLAB_RAY_ADDRESS", None)
    load_before = os.getloadavg()
    local = measure("local", args.students, args.workers, args.seed)
    worker.stop_all()
    head = start_head(cpus=args.workers)
    try:
        os.environ.update(head.env)
        os.environ["RNNLAB_RAY_ADDRESS"] = head.address
        ray = measure("ray", args.students, args.workers, args.seed)  # the same seeds: the same work
        ray["head_start_s"] = round(head.started_seconds, 2)
        if worker.cluster_fallbacks:  # a training that fell back to this machine is not a Ray figure
            raise RuntimeError(f"{worker.cluster_fallbacks} trainings fell back from the cluster to local workers")
    finally:
        worker.stop_all()
        head.stop()
    report(args, local, ray, load_before)


def report(args, local: dict, ray: dict, load_before) -> None:
    overhead = round(ray["makespan_s"] - local["makespan_s"], 2)
    t = local["t_s"]
    projection = {
        f"{k}x{c}": round(args.students * t / (k * c) + max(overhead, 0.0), 1) for k in (1, 2, 4, 8) for c in (2, 8)
    }
    result = {
        "students": args.students,
        "cores": os.cpu_count(),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "local_makespan_s": local["makespan_s"],
        "ray_makespan_s": ray["makespan_s"],
        "local_p50_wait_s": local["p50_wait_s"],
        "ray_p50_wait_s": ray["p50_wait_s"],
        "local_p95_wait_s": local["p95_wait_s"],
        "ray_p95_wait_s": ray["p95_wait_s"],
        "ratio_ray_to_local": round(ray["makespan_s"] / local["makespan_s"], 3),
        "t_s": t,
        "overhead_s": overhead,
        "local_warmup_s": local["warmup_s"],
        "ray_head_start_s": ray["head_start_s"],
        "ray_warmup_s": ray["warmup_s"],
        "projected_makespan_s": projection,  # "kxc": k machines of c cores, N*t/(k*c) + overhead
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{args.students} students, {args.workers} workers, {os.cpu_count()} cores, load {result['load_before']}")
    for name in ("local", "ray"):
        print(
            f"{name:>5}: makespan {result[f'{name}_makespan_s']:6.1f} s  p50 wait {result[f'{name}_p50_wait_s']:6.1f} s"
            f"  p95 wait {result[f'{name}_p95_wait_s']:6.1f} s"
        )
    print(f"ray / local makespan {result['ratio_ray_to_local']}; t = {t} s per training; overhead {overhead} s")
    print(
        f"start-up: local warm-up {local['warmup_s']} s; Ray head {ray['head_start_s']} s + warm-up {ray['warmup_s']} s"
    )
    print("projected makespan (k machines x c cores): " + ", ".join(f"{k}: {v} s" for k, v in projection.items()))


if __name__ == "__main__":
    main()
