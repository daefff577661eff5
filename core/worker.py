"""Training in separate worker processes, so the app server's memory stays flat.

TensorFlow keeps some memory for every model a process builds and fits (a plain Keras loop grows
the same way; see benchmarks/bench_memory.py --pure-keras), so a server that trains all day in
its own process grows all day. The app therefore hands each forecast training to a small pool of
worker processes ("spawn": a fresh interpreter, no state shared with the server) and replaces the
pool after `tasks_per_pool` trainings: the old workers finish what they were given and exit,
returning their memory to the system. Results come back as plain data (arrays, text and the
model as .keras bytes); epoch progress comes back through a queue and is handed to the caller's
reporter in the caller's own thread (Streamlit draws only from its script thread).

`RNNLAB_TRAIN_WORKERS` sets the number of worker processes (default: 2, at most the CPU count);
0 trains in the calling process instead.
"""

from __future__ import annotations

import atexit
import importlib
import itertools
import multiprocessing
import os
import queue
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

from core.errors import AppError, ErrorKind
from core.progress import EpochInfo, Reporter

TASKS_PER_POOL = 16  # trainings before the pool is replaced by fresh processes
POLL_SECONDS = 0.1
LAST_PROGRESS_SECONDS = 10.0  # how long a finished task's last epochs may take to arrive
_TASK_DONE = None  # sent after a task's last epoch: the progress queue holds nothing more of it
_TASK_STARTED = "started"  # sent when a worker picks the task up (until then it waits in line)
WAIT_NOTICE_SECONDS = 0.5  # a task not started by then tells its reporter it is waiting

_progress_queue = None  # in a worker: where this process sends EpochInfo (set by _init_worker)


def configured_workers() -> int:
    """Worker processes wanted: $RNNLAB_TRAIN_WORKERS, else min(2, CPUs); 0 = train in-process."""
    raw = os.environ.get("RNNLAB_TRAIN_WORKERS", "").strip()
    if raw:
        try:
            return max(0, min(int(raw), 8))
        except ValueError:
            pass
    return max(1, min(2, os.cpu_count() or 1))


def _init_worker(progress_queue, preload: tuple[str, ...]) -> None:
    """Runs once in each new worker: remember the queue and import the slow modules early."""
    global _progress_queue
    _progress_queue = progress_queue
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    for name in preload:  # TensorFlow's import takes seconds: do it before the first task arrives
        importlib.import_module(name)


def _run_task(task_id: int, fn: Callable, args: tuple, kwargs: dict) -> Any:
    """In a worker: call fn with a reporter that sends each epoch to the server."""

    def report(info: EpochInfo) -> None:
        _progress_queue.put((task_id, info))

    _progress_queue.put((task_id, _TASK_STARTED))
    try:
        return fn(*args, report=report, **kwargs)
    finally:  # the queue keeps one process's items in order: this arrives after every epoch above
        _progress_queue.put((task_id, _TASK_DONE))


def ready(report: Reporter | None = None) -> int:
    """A task that does nothing: `run_isolated(ready)` returns once a worker is up (its pid)."""
    return os.getpid()


@contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Start processes without their re-running this process's __main__.

    A "spawn" child re-imports the parent's __main__ module. In the app server that is the page
    script Streamlit last ran (Streamlit installs each page as __main__), which must not run in a
    worker; so while a process starts, __main__ is an empty module. Callers hold the pool's lock.
    """
    placeholder = types.ModuleType("__main__")
    original = sys.modules.get("__main__")
    sys.modules["__main__"] = placeholder
    try:
        yield
    finally:
        if sys.modules.get("__main__") is placeholder:  # unless a page run installed its own meanwhile
            sys.modules["__main__"] = original


class TrainingPool:
    """A pool of worker processes, replaced every `tasks_per_pool` tasks. Thread-safe."""

    def __init__(
        self, workers: int, tasks_per_pool: int = TASKS_PER_POOL, preload: tuple[str, ...] = ("keras", "core.forecast")
    ) -> None:
        self.workers = workers
        self.tasks_per_pool = tasks_per_pool
        self.preload = preload  # modules each worker imports as it starts
        self._context = multiprocessing.get_context("spawn")
        self._queue = self._context.Queue()
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._retired: list[ProcessPoolExecutor] = []  # replaced executors whose workers may still run a task
        self._submitted = 0  # tasks given to the current executor
        self._ids = itertools.count(1)
        self._listeners: dict[int, queue.SimpleQueue] = {}
        self._waiting: dict[int, None] = {}  # tasks given to a pool and not started yet, in order
        self._waiting_lock = threading.Lock()
        self.pools_started = 0  # how many executors were created (for tests and benchmarks)
        self._router = threading.Thread(target=self._route_progress, name="rnnlab-progress", daemon=True)
        self._router.start()

    # -- progress from workers to the waiting callers
    def _route_progress(self) -> None:
        while True:
            try:
                task_id, info = self._queue.get()
            except (EOFError, OSError):  # the queue was closed at shutdown
                return
            if info == _TASK_STARTED:
                with self._waiting_lock:
                    self._waiting.pop(task_id, None)
                continue
            listener = self._listeners.get(task_id)
            if listener is not None:
                listener.put(info)

    # -- the executor, replaced when it has had its share of tasks
    def _new_executor(self) -> ProcessPoolExecutor:
        executor = ProcessPoolExecutor(
            self.workers, mp_context=self._context, initializer=_init_worker, initargs=(self._queue, self.preload)
        )
        with _main_module_hidden():
            for _ in range(self.workers):  # start the processes (and their TensorFlow import) now
                executor.submit(ready)
        self.pools_started += 1
        return executor

    def _submit(self, *task) -> Future:
        """Submit to the current executor, first replacing it if it has had its share of tasks."""
        with self._lock:
            if self._executor is None or self._submitted >= self.tasks_per_pool:
                old, self._executor, self._submitted = self._executor, self._new_executor(), 0
                if old is not None:
                    old.shutdown(wait=False)  # its workers finish their tasks, then exit
                    self._retired = [e for e in self._retired if getattr(e, "_processes", None)] + [old]
            self._submitted += 1
            with _main_module_hidden():  # a submit may start a process
                return self._executor.submit(*task)

    def warm(self) -> None:
        """Start the worker processes ahead of the first training (returns at once)."""
        with self._lock:
            if self._executor is None:
                self._executor = self._new_executor()

    def run(self, fn: Callable, *args, report: Reporter | None = None, **kwargs) -> Any:
        """fn(*args, report=..., **kwargs) in a worker; epochs reach `report` in this thread.

        `fn` must be a module-level function whose arguments and result pickle. Exceptions raised
        in the worker are raised here; a worker that dies becomes an AppError. While every worker is
        busy, a `report` with a `waiting(ahead)` method hears how many tasks wait before this one.
        """
        task_id = next(self._ids)
        inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._listeners[task_id] = inbox
        with self._waiting_lock:
            self._waiting[task_id] = None
        submitted = time.monotonic()
        told = None  # the last "ahead" count given to the reporter
        try:
            future = self._submit(_run_task, task_id, fn, args, kwargs)
            done = False  # the task's end marker came through the progress queue
            while not done:
                ahead = self.waiting_before(task_id)
                if ahead is not None and ahead != told and time.monotonic() - submitted >= WAIT_NOTICE_SECONDS:
                    told = ahead
                    if hasattr(report, "waiting"):
                        report.waiting(ahead)
                try:
                    future.result(timeout=POLL_SECONDS)
                    finished = True
                except TimeoutError:
                    finished = False
                except BaseException:  # raised below, after the last progress is handed on
                    finished = True
                done = _drain(inbox, report)
                if finished:
                    break
            if not done and not isinstance(future.exception(), BrokenProcessPool):
                _drain(inbox, report, wait=LAST_PROGRESS_SECONDS)  # epochs still on their way
            try:
                return future.result()
            except BrokenProcessPool as err:
                self._discard_broken()
                raise AppError(ErrorKind.TRAINING_STOPPED) from err
        finally:
            self._listeners.pop(task_id, None)
            with self._waiting_lock:
                self._waiting.pop(task_id, None)

    def waiting_before(self, task_id: int) -> int | None:
        """How many tasks wait in line before `task_id`; None once it has started."""
        with self._waiting_lock:
            order = list(self._waiting)
        return order.index(task_id) if task_id in order else None

    def _discard_broken(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor, self._submitted = None, 0

    def worker_pids(self) -> list[int]:
        """Process ids of the current executor's workers (for memory measurements)."""
        with self._lock:
            processes = getattr(self._executor, "_processes", None) or {}
            return sorted(processes)

    def shutdown(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
            self._executor = None

    def terminate(self) -> None:
        """Stop every worker now, even mid-training (the server is exiting: nobody waits for it)."""
        for executor in [self._executor, *self._retired]:
            for process in list((getattr(executor, "_processes", None) or {}).values()):
                process.terminate()


def _drain(inbox: queue.SimpleQueue, report: Reporter | None, wait: float = 0.0) -> bool:
    """Hand the epochs received so far to `report`; with `wait`, until the task's end marker
    arrives (at most that many seconds). True once the end marker was seen."""
    deadline = time.monotonic() + wait
    while True:
        try:
            info = inbox.get(timeout=max(0.0, deadline - time.monotonic())) if wait else inbox.get_nowait()
        except queue.Empty:
            return False
        if info is _TASK_DONE:
            return True
        if report is not None:
            report(info)


_POOL: TrainingPool | None = None
_POOL_LOCK = threading.Lock()


def _terminate_at_exit() -> None:
    if _POOL is not None:
        _POOL.terminate()


# At exit, Python waits for every process pool to finish its running tasks (a course-mode training
# can take minutes after Ctrl+C). Hooks registered this way run in reverse order, so this one runs
# before concurrent.futures' own (registered when it was imported above) and stops the workers.
getattr(threading, "_register_atexit", atexit.register)(_terminate_at_exit)


def pool() -> TrainingPool | None:
    """The process-wide pool, created on first use; None when workers are switched off (0)."""
    global _POOL
    workers = configured_workers()
    if workers == 0:
        return None
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = TrainingPool(workers)
        return _POOL


def warm() -> None:
    """Start the worker processes now (a page that trains calls this as it opens)."""
    training_pool = pool()
    if training_pool is not None:
        training_pool.warm()


def run_isolated(fn: Callable, *args, report: Reporter | None = None, **kwargs) -> Any:
    """fn in a worker process when workers are on, else here in this process."""
    training_pool = pool()
    if training_pool is None:
        return fn(*args, report=report, **kwargs)
    return training_pool.run(fn, *args, report=report, **kwargs)
