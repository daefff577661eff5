"""`python -m core data --csv PATH [--column open] [--ticker T] --json`: read and clean a price series.

Prints rows, start, end, columns (canonical names found), target, tickers (long files) and the
cleaning report. `--dataset NAME` reads an embedded series instead of a file. No TensorFlow.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.datasets import list_datasets, load_dataset
from core.prices import PriceData, default_target, read_prices, resolve_column, target_series


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--csv", type=Path, help="a price CSV in any supported dialect (gzip is fine)")
    names = ", ".join(i.name for i in list_datasets())
    source.add_argument("--dataset", help=f"an embedded series: {names}")
    parser.add_argument("--column", help="target column (default: open, else close)")
    parser.add_argument("--ticker", help="the ticker to keep from a file holding several")


def run(args: argparse.Namespace) -> dict:
    if args.csv is not None:
        data = read_prices(args.csv, ticker=args.ticker, name=f"file: {args.csv.name}")
    else:
        data = load_dataset(args.dataset)
    target = default_target(data) if args.column is None else args.column
    series = target_series(data, target)  # raises TEXT_TARGET / NO_PRICE_COLUMN for a bad --column
    return summary(data, resolve_column(data, target) or target, series)


def summary(data: PriceData, target: str, series) -> dict:
    """The JSON object of the command."""
    return {
        "rows": len(data.frame),
        "start": data.start.date().isoformat(),
        "end": data.end.date().isoformat(),
        "columns": data.columns,
        "target": target,
        "tickers": list(data.tickers),
        "ticker": data.ticker,
        "report": data.report,
        "source": data.source,
        "target_last": float(series.iloc[-1]),
        "fingerprint": data.fingerprint(),
    }
