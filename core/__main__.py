"""Headless command line: `python -m core <command> ... --json` prints one JSON object.

Each command lives in core/commands/<name>.py with `add_arguments(parser)` and `run(args) -> dict`.
They are imported only when called, so `python -m core data` never imports TensorFlow.
Bad input exits with status 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from contextlib import contextmanager

from core.errors import AppError, ErrorKind

COMMANDS: dict[str, str] = {
    "data": "read and clean a price CSV",
    "forecast": "train a price forecaster and score it against baselines",
    "letters": "train a course letter-prediction model",
    "cells": "replay recurrent cells in NumPy and check them against Keras",
    "compare": "compare SimpleRNN, LSTM, GRU (and a dense reference) over seeds",
    "warm": "train the embedded defaults of every page into the cache",
    "seq": "sequence lab: seasonal, multistep, updown and shapes tasks",
    "text": "text lab: character generation and translation with attention",
    "grad": "memory and gradients lab: power argument, clipping, long memory",
}


# Commands that train or replay Keras models; TensorFlow is imported up front for these, quietly.
NEEDS_KERAS = {"forecast", "letters", "cells", "compare", "warm", "seq", "text", "grad"}


@contextmanager
def _native_stderr_silenced():
    """TensorFlow's native start-up log lines bypass Python and its log-level settings; drop them."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _import_keras_quietly() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with _native_stderr_silenced():
        import keras  # noqa: F401


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, status 2, like every other bad input
        sys.stderr.write(f"error [{ErrorKind.BAD_SETTING.value}]: {message}\n")
        raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("RNNLAB_TRAIN_WORKERS", "0")  # the command line is a process of its own: train here
    parser = _Parser(prog="python -m core", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    name = next((a for a in argv if not a.startswith("-")), None)
    for command, help_text in COMMANDS.items():
        p = sub.add_parser(command, help=help_text)
        p.add_argument("--json", action="store_true", help="print one JSON object (the default output)")
        if command == name:  # only the called command's module is imported
            module = importlib.import_module(f"core.commands.{command}")
            module.add_arguments(p)
    args = parser.parse_args(argv)
    if args.command in NEEDS_KERAS:
        _import_keras_quietly()
    module = importlib.import_module(f"core.commands.{args.command}")
    try:
        result = module.run(args)
    except AppError as err:
        sys.stderr.write(err.to_line() + "\n")
        return 2
    except ValueError as err:  # configuration validation in __post_init__
        sys.stderr.write(AppError(ErrorKind.BAD_SETTING, str(err)).to_line() + "\n")
        return 2
    try:
        json.dump(result, sys.stdout, ensure_ascii=False, default=_jsonable)
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error worth a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _jsonable(value):
    """Encode NumPy scalars and arrays, dates and paths."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


if __name__ == "__main__":
    raise SystemExit(main())
