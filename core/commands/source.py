"""The price source shared by the `data` and `forecast` commands: --csv or --dataset, --column, --ticker."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.datasets import list_datasets, load_dataset
from core.prices import PriceData, default_target, read_prices, resolve_column, target_series


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--csv", type=Path, help="a price CSV in any supported dialect (gzip is fine)")
    source.add_argument("--dataset", help="an embedded series: " + ", ".join(i.name for i in list_datasets()))
    parser.add_argument("--column", help="target column (default: open, else close)")
    parser.add_argument("--ticker", help="the ticker to keep from a file holding several")


def load_source(args: argparse.Namespace) -> tuple[PriceData, str]:
    """(the price data, the resolved target column); AppError with a sentence when either is unusable."""
    if args.csv is not None:
        data = read_prices(args.csv, ticker=args.ticker, name=f"file: {args.csv.name}")
    else:
        data = load_dataset(args.dataset)
    column = default_target(data) if args.column is None else args.column
    target_series(data, column)  # raises TEXT_TARGET / NO_PRICE_COLUMN for a bad --column
    return data, resolve_column(data, column) or column
