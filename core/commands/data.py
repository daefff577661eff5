"""`python -m core data --csv PATH [--column open] [--ticker T] --json`: read and clean a price series.

Prints rows, start, end, columns (canonical names found), target, tickers (long files) and the
cleaning report. `--dataset NAME` reads an embedded series instead of a file. No TensorFlow.
"""

from __future__ import annotations

import argparse

from core.commands.source import add_source_arguments, load_source
from core.prices import PriceData, target_series


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_arguments(parser)


def run(args: argparse.Namespace) -> dict:
    data, target = load_source(args)
    return summary(data, target, target_series(data, target))


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
