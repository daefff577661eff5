"""`python -m core warm --json`: train the embedded defaults of every page into the cache, ahead of class.

Forecasting (default and course mode per cell on the default embedded series), then letters and
cells when those pages provide a `warm()`. Prints what was trained and what was already cached.
"""

from __future__ import annotations

import argparse
import time


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-course", action="store_true", help="skip the (slow) course-mode forecasts")


def run(args: argparse.Namespace) -> dict:
    from core.classroom import prepare_for_class

    began = time.perf_counter()
    done = prepare_for_class(course=not args.no_course)
    return {"warmed": done, "seconds": round(time.perf_counter() - began, 1)}
