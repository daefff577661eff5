"""`python -m core warm --json`: train the embedded defaults of every page into the cache, ahead of class.

Forecasting (default and course mode per cell on the default embedded series), then letters and
cells when those pages provide a `warm()`. Prints what was trained and what was already cached.
"""

from __future__ import annotations

import argparse
import importlib
import time


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-course", action="store_true", help="skip the (slow) course-mode forecasts")


def run(args: argparse.Namespace) -> dict:
    from core import forecast

    began = time.perf_counter()
    done = {"forecast": forecast.warm(course=not args.no_course)}
    for page in ("letters", "cells"):
        try:
            module = importlib.import_module(f"core.{page}")
        except ImportError:
            continue
        if hasattr(module, "warm"):
            done[page] = module.warm() or "done"
    return {"warmed": done, "seconds": round(time.perf_counter() - began, 1)}
