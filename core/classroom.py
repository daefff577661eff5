"""Before class: train every page's embedded defaults into the cache, so each course button answers at once.

One plan for the command line (`python -m core warm`) and the home page's "Prepare for class": each page's
recipe module lists what it trains (`warm_items()`: (label, run(report, cancel)) pairs), and the plan runs
them one after the other through the one training path, with progress for the whole batch.
"""

from __future__ import annotations

import dataclasses
import importlib
import time
from collections.abc import Callable

from core.progress import Reporter

# Recipe modules that may list trainings to prepare (a lab module joins by defining warm_items()).
MODULES: tuple[str, ...] = ("core.letters", "core.forecast", "core.seasonal", "core.charmodel", "core.grad")


def warm_plan(course: bool = True) -> list[tuple[str, Callable]]:
    """Every (label, run) pair of every module that has some; `course=False` skips slow course-mode runs."""
    plan = []
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # a lab not installed in this build
            continue
        items = getattr(module, "warm_items", None)
        if items is not None:
            plan += items(course) if "course" in items.__code__.co_varnames else items()
    return plan


def prepare_for_class(report: Reporter | None = None, cancel=None, course: bool = True) -> list[dict]:
    """Run the plan; `report` hears every epoch with stage "i of n · label". Returns what each step did."""
    plan = warm_plan(course)
    done, began = [], time.perf_counter()
    for i, (label, run) in enumerate(plan, start=1):
        stage = f"{i}/{len(plan)} · {label}"
        reporter = None if report is None else (lambda info, s=stage: report(dataclasses.replace(info, stage=s)))
        result = run(reporter, cancel)
        done.append({"step": label, "cached": bool(result.cached), "train_seconds": round(result.train_seconds, 2)})
    return [*done, {"step": "total", "seconds": round(time.perf_counter() - began, 1)}]
