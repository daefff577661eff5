"""Cell replay benchmark: a full NumPy trace (every gate of every step) at the course stock model size.

Target (issue 5): 60 time steps through [cell](80) -> [cell](100) -> Dense(1), 1 input feature, for
SimpleRNN, LSTM and GRU together, in under 20 ms on this CPU. Weights are random (the shapes are
what counts); the clock covers the two traces and the output layer, not building the weights.
The products are tiny (100 x 400 at most), so BLAS threads only add hand-offs; on a busy 2-core machine
they multiply the time. The run is measured with the BLAS thread pool limited to one thread (through
threadpoolctl, installed with scikit-learn) and, for comparison, with the default pool.

    python3 benchmarks/bench_cells.py               # 30 repeats, prints per-cell and total figures
    python3 benchmarks/bench_cells.py --repeats 100 --steps 60
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

from core.cell_models import random_weights  # noqa: E402
from core.cells import dense_output, run_cell  # noqa: E402

TARGET_MS = 20.0
CELLS = ("rnn", "lstm", "gru")


def stock_model(cell: str, seed: int = 0):
    """The course stock model's recurrent layers (1 -> 80 -> 100 units) and its Dense(1), float64."""
    first = random_weights(cell, 1, 80, seed).as_float64()
    second = random_weights(cell, 80, 100, seed + 1).as_float64()
    rng = np.random.default_rng(seed)
    return first, second, rng.normal(size=(100, 1)) * 0.1, np.zeros(1)


def full_trace(model, xs: np.ndarray) -> dict:
    first, second, kernel, bias = model
    lower = run_cell(first, xs)  # every intermediate of layer 1: (steps, 80)
    upper = run_cell(second, lower.outputs)  # layer 2 reads layer 1's sequence: (steps, 100)
    return dense_output(upper.outputs[-1], kernel, bias, activation="linear")


def measure(steps: int, repeats: int) -> dict[str, list[float]]:
    xs = np.random.default_rng(1).uniform(0, 1, size=(steps, 1))  # a scaled price window
    models = {cell: stock_model(cell) for cell in CELLS}
    for model in models.values():
        full_trace(model, xs)  # warm-up
    times: dict[str, list[float]] = {cell: [] for cell in CELLS}
    for _ in range(repeats):
        for cell, model in models.items():
            start = time.perf_counter()
            full_trace(model, xs)
            times[cell].append((time.perf_counter() - start) * 1000)
    return times


def blas_threads(n: int | None):
    """A context limiting BLAS to n threads (None: leave the default pool)."""
    import contextlib

    if n is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=n, user_api="blas")


def report(title: str, times: dict[str, list[float]]) -> float:
    print(title)
    for cell, ms in times.items():
        print(f"  {cell:5s} median {statistics.median(ms):6.2f} ms   min {min(ms):6.2f} ms   max {max(ms):6.2f} ms")
    totals = [sum(run) for run in zip(*times.values(), strict=True)]
    print(f"  all three cells: median {statistics.median(totals):.2f} ms, min {min(totals):.2f} ms")
    return statistics.median(totals)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}; "
          f"{args.steps} steps, 1 -> 80 -> 100 units -> Dense(1), {args.repeats} repeats; the CPU is shared, so "
          "medians are contended and the minimum is the closest to an idle machine")  # fmt: skip
    with blas_threads(None):
        report("default BLAS thread pool:", measure(args.steps, args.repeats))
    with blas_threads(1):
        total = report("BLAS limited to 1 thread:", measure(args.steps, args.repeats))
    verdict = "meets" if total < TARGET_MS else "MISSES"
    print(f"-> median {total:.2f} ms with one BLAS thread: {verdict} the {TARGET_MS:.0f} ms target")
    return 0 if total < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
