"""Training in worker processes: the same result as in-process, progress, errors, recycling, cancel."""

from __future__ import annotations

import ast
import os
import pickle
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from core import worker
from core.errors import AppError, ErrorKind
from core.progress import EpochInfo

ROOT = Path(__file__).resolve().parents[2]


def report_epochs(n: int, report=None, should_stop=None) -> int:
    """A task for the pool: report n epochs, return this worker's pid."""
    for epoch in range(1, n + 1):
        report(EpochInfo(epoch, n, 0.0, {"loss": 1.0 / epoch}))
    return os.getpid()


def fail_with(kind: str, report=None, should_stop=None) -> None:
    raise AppError(ErrorKind(kind), "a sentence from the worker")


def die(report=None, should_stop=None) -> None:
    os._exit(3)


def run_until_stopped(seconds: float, report=None, should_stop=None) -> str:
    """Like a training loop: poll should_stop between small steps."""
    report(EpochInfo(1, 2, 0.0, {"loss": 1.0}))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if should_stop():
            return "stopped"
        time.sleep(0.02)
    return "finished"


def sleep_for(seconds: float, report=None, should_stop=None) -> None:
    time.sleep(seconds)


@pytest.fixture
def small_pool():
    training_pool = worker.TrainingPool(1, tasks_per_child=2, preload=())
    yield training_pool
    training_pool.stop(wait=True)


def test_progress_reaches_the_calling_thread_in_order(small_pool):
    seen = []
    pid = small_pool.run(report_epochs, 4, report=seen.append)
    assert pid != os.getpid()
    assert [info.epoch for info in seen] == [1, 2, 3, 4]
    assert seen[-1].logs == {"loss": 0.25}


def test_a_worker_is_replaced_after_its_share_of_tasks(small_pool):
    pids = [small_pool.run(report_epochs, 1) for _ in range(3)]
    assert pids[0] == pids[1] != pids[2]  # tasks 1-2 in the first worker, task 3 in a fresh one
    assert sorted(small_pool.pids) == sorted(set(pids))


def test_app_errors_cross_the_process_boundary_whole(small_pool):
    with pytest.raises(AppError) as raised:
        small_pool.run(fail_with, "too_few_rows")
    assert raised.value.kind is ErrorKind.TOO_FEW_ROWS
    assert raised.value.sentence == "a sentence from the worker"
    again = pickle.loads(pickle.dumps(AppError(ErrorKind.OFFLINE)))
    assert (again.kind, again.sentence) == (ErrorKind.OFFLINE, AppError(ErrorKind.OFFLINE).sentence)


def test_a_dead_worker_is_an_app_error_and_the_next_task_runs(small_pool):
    with pytest.raises(AppError) as raised:
        small_pool.run(die)
    assert raised.value.kind is ErrorKind.TRAINING_STOPPED
    assert small_pool.run(report_epochs, 1) != os.getpid()


def test_cancel_reaches_the_task_in_its_worker(small_pool):
    cancel = threading.Event()
    began = time.monotonic()
    timer = threading.Timer(1.0, cancel.set)
    timer.start()
    seen = []
    assert small_pool.run(run_until_stopped, 120, report=seen.append, cancel=cancel) == "stopped"
    assert time.monotonic() - began < 60 and [i.epoch for i in seen] == [1]
    assert small_pool.run(run_until_stopped, 0.1) == "finished"  # the next task's flag starts clear


def test_stop_ends_a_running_training_at_once(small_pool):
    """What the server does when it shuts down: a long training does not hold the exit for minutes."""
    results = []
    caller = threading.Thread(target=lambda: results.append(small_pool.run(run_until_stopped, 120)))
    caller.start()
    deadline = time.monotonic() + 60
    while not small_pool.worker_pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # the task is running in the worker now
    began = time.monotonic()
    small_pool.stop()
    caller.join(timeout=60)
    assert not caller.is_alive() and time.monotonic() - began < 30
    assert results == ["stopped"]


class Recorder(list):
    """A reporter that also hears when its task waits for a free worker."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[int] = []

    def __call__(self, info) -> None:
        self.append(info)

    def waiting(self, ahead: int) -> None:
        self.waits.append(ahead)


def test_a_task_behind_busy_workers_says_it_waits():
    small_pool = worker.TrainingPool(1, tasks_per_child=10, preload=())
    small_pool.run(report_epochs, 1)  # the worker is up
    first_done = threading.Event()
    busy = threading.Thread(target=lambda: (small_pool.run(sleep_for, 2.0), first_done.set()))
    busy.start()
    time.sleep(0.3)  # the one worker is busy now
    second, third = Recorder(), Recorder()
    behind = threading.Thread(target=lambda: small_pool.run(report_epochs, 2, report=third))
    waiter = threading.Thread(target=lambda: small_pool.run(report_epochs, 2, report=second))
    waiter.start()
    time.sleep(0.1)
    behind.start()  # queued after `second`
    for thread in (busy, waiter, behind):
        thread.join(timeout=60)
    assert first_done.is_set()
    assert second.waits and second.waits[0] == 0  # nobody waited before it
    assert third.waits and third.waits[0] == 1 and third.waits == sorted(third.waits, reverse=True)
    assert [i.epoch for i in second] == [1, 2] and [i.epoch for i in third] == [1, 2]
    small_pool.stop(wait=True)


@pytest.mark.parametrize(("value", "expected"), [("0", 0), ("3", 3), ("99", 8), ("-1", 0), ("two", None)])
def test_worker_count_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("RNNLAB_TRAIN_WORKERS", value)
    default = max(1, min(2, os.cpu_count() or 1))
    assert worker.configured_workers() == (default if expected is None else expected)


def test_worker_uses_no_private_attribute_of_the_standard_library():
    """Our own `self._x` is fine; `executor._processes` or `threading._register_atexit` are not."""
    tree = ast.parse((ROOT / "core" / "worker.py").read_text(encoding="utf-8"))
    private = [
        f"{ast.unparse(node)} (line {node.lineno})"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and not (isinstance(node.value, ast.Name) and node.value.id == "self")
    ]
    assert private == []


def test_training_in_a_worker_equals_training_here():
    """The server path (a worker process) gives the same model, scores and future as in-process."""
    from core.datasets import DEFAULT_DATASET, load_dataset
    from core.forecast import FORECAST, ForecastConfig, ForecastResult
    from core.training import run_spec

    data = load_dataset(DEFAULT_DATASET)
    config = ForecastConfig.default("gru", epochs=2, seed=3, target="open")
    training_pool = worker.TrainingPool(1, preload=())
    try:
        seen = []
        there = ForecastResult(training_pool.run(run_spec, FORECAST, config, data, "k", None, report=seen.append))
    finally:
        training_pool.stop(wait=True)
    here = ForecastResult(run_spec(FORECAST, config, data, "k"))
    assert [info.epoch for info in seen] == list(range(1, there.epochs_run + 1))
    np.testing.assert_allclose(there.predictions, here.predictions, rtol=1e-6)
    np.testing.assert_allclose(there.future.to_numpy(), here.future.to_numpy(), rtol=1e-6)
    assert there.summary_text == here.summary_text
    assert [c.count for c in there.layer_counts] == [c.count for c in here.layer_counts]
    for a, b in zip(there.model.get_weights(), here.model.get_weights(), strict=True):  # loaded on demand
        np.testing.assert_allclose(a, b, rtol=1e-6)
