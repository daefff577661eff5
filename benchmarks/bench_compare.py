"""Comparison benchmark: cells x seeds through the page pipelines, without the cache.

Target (issue 6): SimpleRNN, LSTM and GRU x 3 seeds in default mode on SH600519 in at most 100 s of
training in total on the 2-core CPU. Training time is the sum of the models' own fit times (what
the comparison reports); wall time adds data preparation, prediction and scoring. Examples:

    python3 benchmarks/bench_compare.py                          # the target: rnn,lstm,gru x 3, default
    python3 benchmarks/bench_compare.py --cells rnn,lstm,gru,dense
    python3 benchmarks/bench_compare.py --letters L2 --seeds 5    # a letter task instead of prices
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

COURSE_CSV = ROOT.parent / "shared" / "data" / "SH600519.csv"
TARGET_SECONDS = 100.0


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cells", default="rnn,lstm,gru", help="comma list of rnn,lstm,gru,dense")
    p.add_argument("--seeds", type=int, default=3, help="seeds per cell")
    p.add_argument("--mode", default="default", choices=["default", "course"])
    p.add_argument("--epochs", type=int, default=None, help="override the mode's epochs")
    p.add_argument("--dataset", default="SH600519", help="SH600519 (the course file) or an embedded series")
    p.add_argument("--letters", default=None, choices=["L1", "L2", "L3", "L4"], help="compare on a letter task")
    return p.parse_args(argv)


def load(name: str):
    from core.datasets import load_dataset
    from core.prices import read_prices

    if name.upper() == "SH600519":
        if not COURSE_CSV.exists():
            sys.exit(f"{COURSE_CSV} not found (it is never committed); pass --dataset NAME")
        return read_prices(COURSE_CSV)
    return load_dataset(name)


def main(argv=None) -> int:
    args = parse_args(argv)
    from core.compare import CompareConfig, run_comparison, sentences

    task = "letters" if args.letters else "price"
    config = CompareConfig(task=task, cells=tuple(args.cells.split(",")), seeds=args.seeds, mode=args.mode,
                           epochs=args.epochs, letter_task=args.letters or "L1")  # fmt: skip
    data = load(args.dataset) if task == "price" else None
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs (shared: timings are contended)")
    began = time.perf_counter()
    c = run_comparison(config, data, use_cache=False)
    wall = time.perf_counter() - began
    for r in c.runs:
        metrics = " ".join(f"{k} {v:9.4f}" for k, v in r.metrics.items())
        print(f"{r.cell:5s} seed {r.seed:<3d} fit {r.train_seconds:7.2f}s epochs {r.epochs_run:3d} {metrics}")
    for row in c.rows():
        head = "rmse" if task == "price" else "accuracy"
        print(f"{row['cell']:5s} params {row['params']:7,d} fit total {row['train_seconds_total']:7.2f}s "
              f"{head} {row[head + '_mean']:.4f} ± {row[head + '_std']:.4f}")  # fmt: skip
    total = sum(r.train_seconds for r in c.runs)
    verdict = "within" if total <= TARGET_SECONDS else "OVER"
    print(f"training total {total:.1f} s ({verdict} the {TARGET_SECONDS:.0f} s target) · wall {wall:.1f} s")
    for sentence in sentences(c):
        print("#", sentence)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
