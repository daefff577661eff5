"""Long-memory benchmark: the adding problem swept over T for SimpleRNN, LSTM, GRU and the dense reference.

Target (issue 15): at T = 50 LSTM and GRU solve the task (test MSE < 0.01) in all 3 seeds, each training in
at most 60 s on the 2-core CPU, while SimpleRNN stays within 10% of the no-memory baseline (MSE 1/6).
Every model is the lab's budget (core.memory_tasks defaults: 32 units, Adam 0.01, batch 32, 15 epochs,
2,000 training sequences) trained through the one training path; fit seconds are the loop's own wall time.
By default nothing comes from the cache (`--cached` reuses and stores models, as `python -m core grad sweep`).

    python3 benchmarks/bench_memory_task.py                      # T 5,10,20,50,100 x rnn,lstm,gru,dense x 3 seeds
    python3 benchmarks/bench_memory_task.py --T 50               # the target row only
    python3 benchmarks/bench_memory_task.py --T 20,50 --cells lstm,gru --seeds 1 --json-out sweep.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("RNNLAB_TRAIN_WORKERS", "0")  # train in this process: fit seconds without a worker's start

TARGET_T = 50
TARGET_SECONDS = 60.0


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--T", default="5,10,20,50,100", help="comma list of sequence lengths")
    p.add_argument("--cells", default="rnn,lstm,gru,dense", help="comma list of rnn,lstm,gru,peephole,dense")
    p.add_argument("--seeds", type=int, default=3, help="seeds per (T, cell): 0, 1, ...")
    p.add_argument("--task", default="adding", choices=["adding", "first"])
    p.add_argument("--cached", action="store_true", help="reuse cached models and store new ones")
    p.add_argument("--json-out", default=None, help="also write the rows as JSON here")
    return p.parse_args(argv)


def progress(info) -> None:
    if info.epoch == info.epochs:
        sys.stderr.write(f"  {info.stage}: done\n")


def table(points) -> list[str]:
    lines = [
        "| T | model | test score (mean ± std) | score / baseline | solved | fit s (mean, max) |",
        "|" + " --- |" * 6,
    ]
    for p in points:
        mean, std = p.mean_std
        score = "diverged" if math.isnan(mean) else f"{mean:.4f} ± {std:.4f}"
        relative = "–" if math.isnan(mean) else f"{mean / p.baseline:.2f}"
        seconds = f"{p.mean_seconds:.1f}, {max(p.seconds):.1f}"
        lines.append(f"| {p.steps} | {p.cell} | {score} | {relative} | {sum(p.solved)}/{len(p.seeds)} | {seconds} |")
    return lines


def verdict(points) -> list[str]:
    """The issue's target at T = 50, when that row was run."""
    from core.memory_tasks import within_baseline

    at = {p.cell: p for p in points if p.steps == TARGET_T}
    out = []
    for cell in ("lstm", "gru"):
        if cell in at:
            p = at[cell]
            fast = max(p.seconds) <= TARGET_SECONDS
            out.append(
                f"{cell} at T={TARGET_T}: solved {sum(p.solved)}/{len(p.seeds)} seeds, slowest fit "
                f"{max(p.seconds):.1f} s -> {'MET' if all(p.solved) and fast else 'NOT MET'}"
            )
    if "rnn" in at:
        p = at["rnn"]
        near = all(math.isfinite(s) and within_baseline(s, p.baseline, "mse") for s in p.scores)
        out.append(
            f"rnn at T={TARGET_T}: scores {', '.join(f'{s:.4f}' for s in p.scores)} vs baseline "
            f"{p.baseline:.4f} -> {'within 10% (MET)' if near else 'NOT within 10%'}"
        )
    return out


def main(argv=None) -> None:
    args = parse_args(argv)
    from core import grad

    steps = tuple(int(v) for v in args.T.split(","))
    cells = tuple(c.strip() for c in args.cells.split(","))
    configs = grad.sweep_configs(args.task, steps, cells, args.seeds)
    load_before = os.getloadavg()
    print(
        f"{len(configs)} models · {platform.processor() or platform.machine()} · {os.cpu_count()} CPUs · "
        f"load before {load_before[0]:.2f}",
        flush=True,
    )
    began = time.perf_counter()
    results = grad.run_sweep(configs, report=progress, use_cache=args.cached)
    wall = time.perf_counter() - began
    points = sorted(grad.collect_sweep(results), key=lambda p: (p.steps, cells.index(p.cell)))
    baselines = ", ".join(f"T={t}: {b:.4f}" for t, b in dict((p.steps, p.baseline) for p in points).items())
    print(f"\nTask {args.task}; baseline (the constant guess on each T's test sequences): {baselines}")
    print("\n".join(table(points)))
    print("\n".join(["", *verdict(points)]))
    cached = sum(r.cached for r in results)
    print(
        f"\nwall {wall:.0f} s for {len(results)} models ({cached} from the cache); load after {os.getloadavg()[0]:.2f}"
    )
    if args.json_out:
        rows = [
            grad.cell_summary([r for r in results if (r.config.steps, r.config.cell) == (p.steps, p.cell)])
            for p in points
        ]
        Path(args.json_out).write_text(json.dumps({"task": args.task, "rows": rows, "wall_seconds": wall}, indent=1))


if __name__ == "__main__":
    main()
