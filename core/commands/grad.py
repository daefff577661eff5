"""`python -m core grad ...`: the Memory and gradients lab from the command line.

    grad memory --task adding|first --T 50 [--cells rnn,lstm,gru] [--seeds 3]   per cell: score (mean and per
                seed; MSE for adding, accuracy for first), the baseline on the same test samples, fit seconds
    grad power --w 0.9 --T 50 [--activation linear|tanh]   dh_T/dh_0 by closed form and by GradientTape
    grad sweep [--T 5,10,20,50,100] [--cells rnn,lstm,gru,dense] [--seeds 3]   train the page's T sweep into
                the cache (before class) and print its table
    grad clipping   the five clipping runs of the page (none, clipvalue, clipnorm, global_clipnorm 1 and 5)

Models come from the shared cache unless `--no-cache`. Bad input exits 2 with one line.
"""

from __future__ import annotations

import argparse
import math
import sys
import time

from core.memory_tasks import SWEEP_STEPS, TASKS

ACTIONS: tuple[str, ...] = ("memory", "power", "sweep", "clipping")
DEFAULT_CELLS = "rnn,lstm,gru"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=ACTIONS, help="what to run")
    parser.add_argument("--task", choices=TASKS, default="adding", help="memory task (default: adding)")
    parser.add_argument("--T", dest="steps", default=None, help="sequence length T (sweep: a comma-separated list)")
    parser.add_argument("--cells", default=None, help=f"comma-separated cells (default: memory {DEFAULT_CELLS})")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per cell: 0, 1, ... (default: 3)")
    parser.add_argument("--w", type=float, default=0.9, help="power: the recurrent weight w (default: 0.9)")
    parser.add_argument("--activation", choices=("linear", "tanh"), default="linear", help="power: the activation")
    parser.add_argument("--no-cache", action="store_true", help="train every model even if the cache holds it")
    parser.add_argument("--progress", action="store_true", help="print one progress line per epoch on stderr")


def _progress_line(info) -> None:
    sys.stderr.write(f"{info.stage} · epoch {info.epoch} of {info.epochs}\n")


def _whole_numbers(name: str, raw: str | None, default: tuple[int, ...]) -> tuple[int, ...]:
    if raw is None:
        return default
    try:
        return tuple(int(part) for part in raw.split(","))
    except ValueError:
        raise ValueError(f"{name} must be whole numbers separated by commas (got {raw!r})") from None


def _one_number(raw: str | None) -> int:
    found = _whole_numbers("T", raw, (50,))
    if len(found) != 1:
        raise ValueError(f"give one T for this action (got {raw!r}); a list of T is for grad sweep")
    return found[0]


def run(args: argparse.Namespace) -> dict:
    from core.settings import check_range

    check_range("seeds", args.seeds, 1, 10, whole=True)
    began = time.perf_counter()
    if args.action == "power":
        out = _power(args.w, _one_number(args.steps), args.activation)
    elif args.action == "memory":
        out = _memory(args, _one_number(args.steps))
    elif args.action == "sweep":
        out = _sweep(args, _whole_numbers("T", args.steps, SWEEP_STEPS))
    else:
        out = _clipping(args)
    return out | {"seconds": round(time.perf_counter() - began, 2)}


def _power(w: float, steps: int, activation: str) -> dict:
    from core.grad import power_check
    from core.gradients import power_sentence

    check = power_check(w, steps, activation)
    return check | {"sentence": power_sentence(w, steps) if activation == "linear" else None}


def _number(x: float) -> float | None:
    """A float for JSON; None for NaN and infinities (strict JSON has neither)."""
    return float(x) if math.isfinite(x) else None


def _cells(args, default: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in (args.cells or default).split(","))


def _memory(args, steps: int) -> dict:
    from core.grad import cell_summary, memory_config, run_sweep

    configs = [memory_config(args.task, steps, c, s) for c in _cells(args, DEFAULT_CELLS) for s in range(args.seeds)]
    report = _progress_line if args.progress else None
    results = run_sweep(configs, report=report, use_cache=not args.no_cache)
    by_cell = {}
    for r in results:
        by_cell.setdefault(r.config.cell, []).append(r)
    first = results[0]
    return {
        "task": args.task,
        "T": steps,
        "metric": first.metric,
        "baseline": first.baseline,
        "baseline_theory": first.trained.meta["baseline_theory"],
        "cells": {cell: cell_summary(rs) for cell, rs in by_cell.items()},
        "trained": sum(not r.cached for r in results),
        "cached": sum(r.cached for r in results),
    }


def _sweep(args, steps: tuple[int, ...]) -> dict:
    from core.grad import SWEEP_CELLS, collect_sweep, run_sweep, sweep_configs

    configs = sweep_configs(args.task, steps, _cells(args, ",".join(SWEEP_CELLS)), args.seeds)
    report = _progress_line if args.progress else None
    results = run_sweep(configs, report=report, use_cache=not args.no_cache)
    rows = []
    for p in sorted(collect_sweep(results), key=lambda p: (p.steps, p.cell)):
        mean, std = p.mean_std
        rows.append(
            {
                "T": p.steps,
                "cell": p.cell,
                "score": _number(mean),
                "score_std": _number(std),
                "scores": [_number(v) for v in p.scores],
                "solved": sum(p.solved),
                "fit_seconds": round(p.mean_seconds, 2),
                "baseline": p.baseline,
            }
        )
    return {
        "task": args.task,
        "metric": results[0].metric,
        "rows": rows,
        "trained": sum(not r.cached for r in results),
        "cached": sum(r.cached for r in results),
    }


def _clipping(args) -> dict:
    from core.grad import clip_label, clipping_runs

    runs = clipping_runs(report=_progress_line if args.progress else None, use_cache=not args.no_cache)
    out = []
    for r in runs:
        u = r.updates
        out.append(
            {
                "clip": clip_label(r.config.clip, r.config.clip_threshold),
                "score": _number(r.score),
                "diverged_update": r.diverged_update,
                "updates": len(u["loss"]),
                "max_norm_before": _number(max(u["grad_norm"])),
                "max_norm_after": _number(max(u["clipped_norm"])),
                "fit_seconds": round(r.train_seconds, 2),
            }
        )
    return {"runs": out}
