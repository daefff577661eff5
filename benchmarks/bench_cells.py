"""Cell replay benchmark: a full NumPy trace (every gate of every step) at the course stock model size.

Target (issue 5): 60 time steps through [cell](80) -> [cell](100) -> Dense(1), 1 input feature, for
SimpleRNN, LSTM and GRU together, in under 20 ms on this CPU. Weights are random (the shapes are
what counts); the clock covers both layers' traces and the output layer, not building the weights.

The verdict uses the page's own path, `core.cell_models.trace_stack`, which runs BLAS on one thread:
the per-step products are tiny (1 x 100 by 100 x 400 at most), so BLAS threads only add hand-offs,
and on a busy 2-core machine they multiply the time. The same trace through `run_cell` with the
default BLAS thread pool is printed for comparison.

    python3 benchmarks/bench_cells.py               # 60 repeats
    python3 benchmarks/bench_cells.py --repeats 200 --steps 60
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.cell_models import random_weights, trace_stack  # noqa: E402
from core.cells import dense_output, run_cell  # noqa: E402

TARGET_MS = 20.0
CELLS = ("rnn", "lstm", "gru")


def stock_model(cell: str, seed: int = 0):
    """The course stock model's recurrent layers (1 -> 80 -> 100 units) and its Dense(1), float64."""
    layers = [random_weights(cell, 1, 80, seed).as_float64(), random_weights(cell, 80, 100, seed + 1).as_float64()]
    rng = np.random.default_rng(seed)
    return layers, rng.normal(size=(100, 1)) * 0.1, np.zeros(1)


def page_path(model, xs: np.ndarray):
    layers, kernel, bias = model
    return trace_stack(layers, kernel, bias, xs, range(len(xs)))


def default_pool_path(model, xs: np.ndarray):
    layers, kernel, bias = model
    lower = run_cell(layers[0], xs)  # every intermediate of layer 1: (steps, 80)
    upper = run_cell(layers[1], lower.outputs)  # layer 2 reads layer 1's sequence: (steps, 100)
    return dense_output(upper.outputs[-1], kernel, bias, activation="linear")


def measure(path, steps: int, repeats: int) -> dict[str, list[float]]:
    xs = np.random.default_rng(1).uniform(0, 1, size=(steps, 1))  # a scaled price window
    models = {cell: stock_model(cell) for cell in CELLS}
    for model in models.values():
        path(model, xs)  # warm-up
    times: dict[str, list[float]] = {cell: [] for cell in CELLS}
    for _ in range(repeats):
        for cell, model in models.items():
            start = time.perf_counter()
            path(model, xs)
            times[cell].append((time.perf_counter() - start) * 1000)
    return times


def report(title: str, times: dict[str, list[float]]) -> float:
    print(title)
    for cell, ms in times.items():
        print(f"  {cell:5s} median {statistics.median(ms):6.2f} ms   min {min(ms):6.2f} ms   max {max(ms):7.2f} ms")
    totals = [sum(run) for run in zip(*times.values(), strict=True)]
    print(f"  all three cells: median {statistics.median(totals):.2f} ms, min {min(totals):.2f} ms")
    return statistics.median(totals)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=60)
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}; "
          f"{args.steps} steps, 1 -> 80 -> 100 units -> Dense(1), {args.repeats} repeats; the CPU is shared, so "
          "medians are contended and the minimum is the closest to an idle machine")  # fmt: skip
    total = report("page path (trace_stack, BLAS on one thread):", measure(page_path, args.steps, args.repeats))
    report(
        "run_cell with the default BLAS thread pool (comparison):", measure(default_pool_path, args.steps, args.repeats)
    )
    verdict = "meets" if total < TARGET_MS else "MISSES"
    print(f"-> page path median {total:.2f} ms for all three cells: {verdict} the {TARGET_MS:.0f} ms target")
    return 0 if total < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
