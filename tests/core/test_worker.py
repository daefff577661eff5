"""Training in worker processes: the same result as in-process, progress, errors, recycling."""

from __future__ import annotations

import os
import pickle
import threading
import time

import numpy as np
import pytest

from core import worker
from core.errors import AppError, ErrorKind
from core.forecast import ForecastConfig, run_forecast
from core.progress import EpochInfo


def report_epochs(n: int, report=None) -> int:
    """A task for the pool: report n epochs, return this worker's pid."""
    for epoch in range(1, n + 1):
        report(EpochInfo(epoch, n, 0.0, {"loss": 1.0 / epoch}))
    return os.getpid()


def fail_with(kind: str, report=None) -> None:
    raise AppError(ErrorKind(kind), "a sentence from the worker")


def die(report=None) -> None:
    os._exit(3)


def sleep_for(seconds: float, report=None) -> None:
    time.sleep(seconds)


@pytest.fixture
def small_pool():
    training_pool = worker.TrainingPool(1, tasks_per_pool=2, preload=())
    yield training_pool
    training_pool.shutdown()


def test_progress_reaches_the_calling_thread_in_order(small_pool):
    seen = []
    pid = small_pool.run(report_epochs, 4, report=seen.append)
    assert pid != os.getpid()
    assert [info.epoch for info in seen] == [1, 2, 3, 4]
    assert seen[-1].logs == {"loss": 0.25}


def test_pool_is_replaced_after_its_share_of_tasks(small_pool):
    pids = [small_pool.run(report_epochs, 1) for _ in range(3)]
    assert pids[0] == pids[1] != pids[2]  # tasks 1-2 in the first pool's worker, task 3 in a new one
    assert small_pool.pools_started == 2


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


def test_terminate_stops_a_task_mid_run(small_pool):
    """What the server does at exit: a long training does not hold Ctrl+C for minutes."""
    raised = []

    def call() -> None:
        try:
            small_pool.run(sleep_for, 120)
        except AppError as err:
            raised.append(err)

    caller = threading.Thread(target=call)
    caller.start()
    deadline = time.monotonic() + 60
    while not small_pool.worker_pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # the task is running in the worker now
    began = time.monotonic()
    small_pool.terminate()
    caller.join(timeout=60)
    assert not caller.is_alive() and time.monotonic() - began < 30
    assert len(raised) == 1 and raised[0].kind is ErrorKind.TRAINING_STOPPED


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
    small_pool = worker.TrainingPool(1, tasks_per_pool=10, preload=())  # one pool for all four tasks
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
    assert third.waits and third.waits[0] == 1 and third.waits == sorted(third.waits, reverse=True)  # 1 before it
    assert [i.epoch for i in second] == [1, 2] and [i.epoch for i in third] == [1, 2]
    small_pool.shutdown()


@pytest.mark.parametrize(("value", "expected"), [("0", 0), ("3", 3), ("99", 8), ("-1", 0), ("two", None)])
def test_worker_count_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("RNNLAB_TRAIN_WORKERS", value)
    default = max(1, min(2, os.cpu_count() or 1))
    assert worker.configured_workers() == (default if expected is None else expected)


def test_isolated_training_equals_training_here(isolated_cache):
    """The server path (a worker process) gives the same model, scores and future as in-process."""
    from core.datasets import DEFAULT_DATASET, load_dataset

    data = load_dataset(DEFAULT_DATASET)
    config = ForecastConfig.default("gru", epochs=2, seed=3, target="open")
    seen = []
    isolated = run_forecast(data, config, report=seen.append, use_cache=False, isolate=True)
    here = run_forecast(data, config, use_cache=False)
    assert [info.epoch for info in seen] == list(range(1, isolated.epochs_run + 1))
    assert isolated._model is None and here._model is not None  # the worker sent bytes, not a model
    np.testing.assert_allclose(isolated.predictions, here.predictions, rtol=1e-6)
    np.testing.assert_allclose(isolated.future.to_numpy(), here.future.to_numpy(), rtol=1e-6)
    assert isolated.summary_text == here.summary_text
    assert [c.count for c in isolated.layer_counts] == [c.count for c in here.layer_counts]
    for a, b in zip(isolated.model.get_weights(), here.model.get_weights(), strict=True):  # loaded on demand
        np.testing.assert_allclose(a, b, rtol=1e-6)
