"""Sequence lab benchmark: each tab's default, 3 seeds, no cache: fit time, the model's score, each baseline.

One process (RNNLAB_TRAIN_WORKERS=0: the models train here, as the command line trains them). Prints
one block per task and one JSON line per task, and the load average when it started and ended.

    python3 benchmarks/bench_seq.py                          # all four tabs, seeds 7, 8, 9
    python3 benchmarks/bench_seq.py --tasks seasonal --splits seed,last12
    python3 benchmarks/bench_seq.py --tasks updown --json-out test-artifacts/bench/seq.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["RNNLAB_TRAIN_WORKERS"] = "0"

TARGETS = {"seed": 19.25, "last12": 17.62}  # the default seasonal targets (best naive RMSE)
TARGET_SECONDS = 15.0  # seasonal default: fit seconds per seed


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tasks", default="seasonal,multistep,updown,shapes", help="comma list of the four tasks")
    p.add_argument("--splits", default="seed,last12,last24", help="seasonal splits")
    p.add_argument("--seeds", type=int, default=3, help="seeds per model (default 3)")
    p.add_argument("--json-out", default=None, help="also append every summary as a JSON line to this file")
    return p.parse_args(argv)


def seasonal(args) -> list[dict]:
    from core import seasonal as sea

    out = []
    for split in args.splits.split(","):
        s = sea.seasonal_summary(
            sea.run_seasonal(sea.SeasonalConfig.default(split=split), None, seeds=args.seeds, use_cache=False)
        )
        target = TARGETS.get(split)
        print(f"seasonal default, split {split} ({s['forecast']}, {s['n_test']} points), seeds {s['seeds']}")
        print(f"  model RMSE {s['rmse']:.2f} ± {s['rmse_std']:.2f}  by seed {[round(v, 2) for v in s['rmse_by_seed']]}")
        print(
            f"  fit seconds per seed {s['fit_seconds']:.1f} (target <= {TARGET_SECONDS:.0f})  epochs {s['epochs_run']}"
        )
        print("  baselines " + ", ".join(f"{k} {v:.2f}" for k, v in s["baselines"].items()))
        if target:
            print(f"  target: mean RMSE <= {target} -> {'met' if s['rmse'] <= target else 'NOT met'}")
        out.append(s)
    return out


def multistep(args) -> list[dict]:
    from core import multistep as ms

    out = []
    for name, config, data in (
        ("S&P 500 + NASDAQ, 40 -> 40", ms.MultistepConfig.course(), ms.pair_data()),
        ("airline, 24 -> 12", ms.MultistepConfig.airline(), ms.airline_data()),
    ):
        s = ms.multistep_summary(ms.run_multistep(config, data, seeds=args.seeds, use_cache=False))
        shown = [h for h in ms.HORIZONS_SHOWN if h <= config.n_out] + ([config.n_out] if config.n_out < 40 else [])
        print(f"multistep {name}: {s['test_windows']} test windows, seeds {s['seeds']}, first series {s['columns'][0]}")
        print(
            f"  fit seconds per seed {s['fit_seconds']:.1f}; mean RMSE over horizons {s['rmse']:.2f} ± {s['rmse_std']:.2f}"
        )
        for key in ("rmse", *[f"{b}" for b in s["baselines"]]):
            values = s["rmse_by_horizon"] if key == "rmse" else s[f"{key}_by_horizon"]
            cells = ", ".join(f"h{h} {values[h - 1]:.1f}" for h in sorted(set(shown)))
            print(f"  {'model' if key == 'rmse' else key:<15} {cells}")
        print(f"  horizons won {s['horizons_won']}")
        out.append(s | {"name": name})
    return out


def updown(args) -> list[dict]:
    from core import updown as ud
    from core.datasets import load_dataset

    out = []
    for name in ("SP500", "NASDAQ"):
        s = ud.updown_summary(ud.run_updown(ud.UpDownConfig(), load_dataset(name), seeds=args.seeds, use_cache=False))
        print(
            f"updown {name}: {s['n_test']} test days, seeds {s['seeds']}, fit seconds per seed {s['fit_seconds']:.1f}"
        )
        print(
            f"  accuracy {s['accuracy']:.1%} ± {s['accuracy_std']:.1%}, balanced {s['balanced_accuracy']:.1%}, AUC {s['auc']:.3f}"
        )
        print(f"  always up {s['always_up']:.1%}, yesterday {s['yesterday']:.1%}, logistic {s['logistic']:.1%}")
        print(f"  skill bound {s['skill_threshold']:.1%}: {'skill' if s['has_skill'] else 'no skill'}")
        out.append(s | {"name": name})
    return out


def shapes(args) -> list[dict]:
    from core import shapes as sh

    s = sh.shapes_summary(sh.run_shape_tasks(sh.task_configs(), seeds=args.seeds, use_cache=False))
    for task, r in s["tasks"].items():
        print(f"shapes {task:<12} ({r['panel']}): MSE {r['mse']:.4g} vs mean {r['mean_baseline_mse']:.4g} "
              f"(ratio {r['ratio']:.3f}), fit seconds per seed {r['fit_seconds']:.1f} (target <= 10)")  # fmt: skip
    return [s]


def main(argv=None) -> int:
    args = parse_args(argv)
    import keras  # noqa: F401  (imported before timing starts)

    print(f"# load average at start: {os.getloadavg()}")
    began, rows = time.perf_counter(), []
    for task in args.tasks.split(","):
        rows += {"seasonal": seasonal, "multistep": multistep, "updown": updown, "shapes": shapes}[task](args)
    print(f"# load average at end: {os.getloadavg()}; wall {time.perf_counter() - began:.0f} s")
    if args.json_out:
        Path(args.json_out).parent.mkdir(parents=True, exist_ok=True)
        with open(args.json_out, "a") as f:
            for row in rows:
                f.write(json.dumps(row, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
