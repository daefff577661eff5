"""`python -m core compare`: SimpleRNN vs LSTM vs GRU (and a dense reference) over several seeds.

Prices: `--csv PATH` (or `--dataset NAME`, an embedded series); letters: `--task L1..L4`.
Prints one row per cell with mean and standard deviation over seeds, the baselines' RMSE and
the page's sentences. Models come from the shared caches unless `--no-cache`.
"""

from __future__ import annotations

import sys

from core.compare import LETTER_CELLS, LETTER_TASKS, MODES, PRICE_CELLS


def add_arguments(parser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--csv", metavar="PATH", help="price CSV file (any supported dialect)")
    source.add_argument("--dataset", metavar="NAME", help="embedded price series (default: the app's default)")
    source.add_argument("--task", choices=LETTER_TASKS, help="compare on a course letter task instead of prices")
    parser.add_argument("--ticker", help="ticker to use when the CSV holds several")
    parser.add_argument("--column", default="open", help="price column to predict (default: open)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per cell (default: 3)")
    parser.add_argument("--mode", choices=MODES, default="default", help="price pipeline (default: default)")
    parser.add_argument("--epochs", type=int, default=None, help="epochs for every model (default: the mode's own)")
    parser.add_argument("--cells", help=f"comma-separated subset of {','.join(PRICE_CELLS)} (letters: no dense)")
    parser.add_argument("--no-cache", action="store_true", help="train every model even if the cache holds it")
    parser.add_argument("--progress", action="store_true", help="print one progress line per epoch on stderr")


def _progress_line(info) -> None:
    sys.stderr.write(f"{info.stage} · epoch {info.epoch} of {info.epochs}\n")


def run(args) -> dict:
    from core.compare import CompareConfig, run_comparison, sentences

    letters = args.task is not None
    cells = (
        tuple(c.strip() for c in args.cells.split(",")) if args.cells else (LETTER_CELLS if letters else PRICE_CELLS)
    )
    data, column = (None, None) if letters else _price_data(args)
    config = CompareConfig(
        task="letters" if letters else "price", cells=cells, seeds=args.seeds, mode=args.mode, epochs=args.epochs,
        letter_task=args.task or "L1", column=column,
    )  # fmt: skip
    report = _progress_line if args.progress else None
    c = run_comparison(config, data, report=report, use_cache=not args.no_cache)
    out = {
        "task": config.task,
        "mode": config.mode if not letters else "course",
        "seeds": sorted({r.seed for r in c.runs}),
        "results": c.rows(),
        "wall_seconds": round(c.wall_seconds, 3),
        "train_seconds_total": round(sum(r.train_seconds for r in c.runs), 3),
        "trained": c.trained,
        "cached": c.cached,
        "sentences": sentences(c),
    }
    if letters:
        out["letter_task"] = config.letter_task
    else:
        out |= {"source": data.source, "column": column, "naive_rmse": c.baseline_metrics["persistence"]["rmse"],
                "best_baseline": c.best_baseline, "eval_days": len(c.actual),
                "baselines": {n: {k: m[k] for k in ("rmse", "mae", "theil_u")} for n, m in c.baseline_metrics.items()}}  # fmt: skip
    return out


def _price_data(args):
    """(PriceData, resolved target column); AppError with a sentence when either is unusable."""
    from core.prices import read_prices, resolve_column, target_series

    if args.csv:
        data = read_prices(args.csv, ticker=args.ticker)
    else:
        from core.datasets import DEFAULT_DATASET, load_dataset

        data = load_dataset(args.dataset or DEFAULT_DATASET)
    column = resolve_column(data, args.column)
    if column is None:
        target_series(data, args.column)  # raises the AppError naming the problem
    return data, column
