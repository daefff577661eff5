"""`python -m core forecast --csv PATH [--column open] [--cell lstm] [--mode default] ... --json`.

Trains (or takes from the cache) a price forecaster and prints one JSON object: fit time, the
evaluation days, the model's metrics and every baseline's. `--dataset NAME` uses an embedded
series instead of a file. `--epochs` overrides the mode's epoch count; `--no-cache` always trains.
"""

from __future__ import annotations

import argparse

from core.commands.source import add_source_arguments, load_source

SETTINGS = ("window", "test_size", "epochs", "batch_size", "units", "layers", "dropout", "learning_rate", "seed")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_arguments(parser)
    parser.add_argument("--cell", default="lstm", choices=("rnn", "lstm", "gru"))
    parser.add_argument("--mode", default="default", choices=("course", "default"))
    parser.add_argument("--window", type=int, help="days per input window (course 60)")
    parser.add_argument("--test-size", type=int, help="last rows held out (course 300)")
    parser.add_argument("--epochs", type=int, help="override the mode's epoch count")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--units", type=int, nargs="+", help="units per layer, e.g. --units 80 100")
    parser.add_argument("--layers", type=int)
    parser.add_argument("--dropout", type=float)
    parser.add_argument("--learning-rate", type=float)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=0, help="also forecast this many business days past the data")
    parser.add_argument("--no-cache", action="store_true", help="always train (never read or write the cache)")


def config_from_args(args: argparse.Namespace, target: str):
    """The mode's settings with every given flag applied on top."""
    from core.forecast import ForecastConfig

    changes = {name: getattr(args, name) for name in SETTINGS if getattr(args, name, None) is not None}
    if "units" in changes:
        changes["units"] = tuple(changes["units"])
        changes.setdefault("layers", len(changes["units"]) if len(changes["units"]) > 1 else None)
        if changes["layers"] is None:
            del changes["layers"]
    elif "layers" in changes:  # more or fewer layers: repeat the first layer's units
        base = ForecastConfig.for_mode(args.mode, args.cell)
        changes["units"] = (base.units + (base.units[-1],) * changes["layers"])[: changes["layers"]]
    return ForecastConfig.for_mode(args.mode, args.cell, target=target, **changes)


def run(args: argparse.Namespace) -> dict:
    from core.forecast import forecast_future, run_forecast, summary

    data, column = load_source(args)
    config = config_from_args(args, column)
    result = run_forecast(data, config, use_cache=not args.no_cache)
    out = summary(result) | {"source": data.source}
    if args.days > 0:
        future = forecast_future(result, args.days)
        out["forecast"] = {d.date().isoformat(): round(float(v), 4) for d, v in future.items()}
    return out
