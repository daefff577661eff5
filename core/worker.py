"""Where a training runs: a pool of worker processes (the app server) or this process (the CLI).

TensorFlow keeps some memory for every model a process builds and fits (a plain Keras loop grows
the same way; see benchmarks/bench_memory.py --pure-keras), so a server that trained all day in
its own process would grow all day. The server therefore hands each training to a standard
`ProcessPoolExecutor` whose "spawn" workers (fresh interpreters) are replaced after
`TASKS_PER_CHILD` trainings (`max_tasks_per_child`), returning their memory to the system.
Results come back as plain data; epoch progress comes back through a queue and is handed to the
caller's reporter in the caller's thread; a cancel request reaches the worker through a shared
flag that the training loop polls between batches.

`RNNLAB_TRAIN_WORKERS` sets the number of worker processes (default: 2, at most the CPU count);
0 trains in the calling process instead (the command line does, since it is a process of its own).
"""

from __future__ import annotations

import importlib
import itertools
import os
import queue
import sys
import threading
import time
import types
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import SpawnContext, SpawnProcess
from typing import Any

from core.errors import AppError, ErrorKind
from core.progress import EpochInfo, Reporter

TASKS_PER_CHILD = 16  # trainings before a worker process is replaced by a fresh one
SLOTS = 256  # cancel flags: at most this many trainings submitted at once
POLL_SECONDS = 0.1
LAST_PROGRESS_SECONDS = 10.0  # how long a finished task's last epochs may take to arrive
WAIT_NOTICE_SECONDS = 0.5  # a task not started by then tells its reporter it is waiting
_TASK_DONE = "done"  # sent after a task's last epoch: the progress queue holds nothing more of it
_TASK_STARTED = "started"  # sent when a worker picks a task up (until then it waits in line)

# In a worker process (set by _init_worker):
_progress_queue = None  # where this process sends progress
_cancel_flags = None  # shared with the server: flags[slot] == 1 asks task `slot` to stop
_parent_pid = None  # the server: a worker whose parent died stops its training


def configured_workers() -> int:
    """Worker processes wanted: $RNNLAB_TRAIN_WORKERS, else min(2, CPUs); 0 = train in-process."""
    raw = os.environ.get("RNNLAB_TRAIN_WORKERS", "").strip()
    if raw:
        try:
            return max(0, min(int(raw), 8))
        except ValueError:
            pass
    return max(1, min(2, os.cpu_count() or 1))


# ---------------------------------------------------------------------------------------------
# Processes that do not re-run the server's page script


_START_LOCK = threading.Lock()


class _CleanMainProcess(SpawnProcess):
    """A spawn process that does not import the parent's __main__.

    A spawn child re-imports the parent's __main__ module. In the app server that is the page
    script Streamlit ran last (Streamlit installs each page as __main__), which must not run in a
    worker; so while this process starts, __main__ is an empty module. Every start goes through
    here, including the executor's own replacements of recycled workers.
    """

    def start(self) -> None:
        with _START_LOCK:
            placeholder, original = types.ModuleType("__main__"), sys.modules.get("__main__")
            sys.modules["__main__"] = placeholder
            try:
                super().start()
            finally:
                if sys.modules.get("__main__") is placeholder:  # unless a page run installed its own meanwhile
                    sys.modules["__main__"] = original


class _CleanSpawnContext(SpawnContext):
    Process = _CleanMainProcess


# ---------------------------------------------------------------------------------------------
# The worker side


def _init_worker(progress_queue, cancel_flags, preload: tuple[str, ...]) -> None:
    """Runs once in each new worker: remember the channels and import the slow modules early."""
    global _progress_queue, _cancel_flags, _parent_pid
    _progress_queue, _cancel_flags, _parent_pid = progress_queue, cancel_flags, os.getppid()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    for name in preload:  # TensorFlow's import takes seconds: do it before the first task arrives
        importlib.import_module(name)


def _run_task(task_id: int, slot: int, fn: Callable, args: tuple, kwargs: dict) -> Any:
    """In a worker: fn(*args, report=..., should_stop=..., **kwargs), progress sent to the server."""

    def report(info: EpochInfo) -> None:
        _progress_queue.put((task_id, info))

    def should_stop() -> bool:
        return _cancel_flags[slot] == 1 or os.getppid() != _parent_pid

    _progress_queue.put((task_id, (_TASK_STARTED, os.getpid())))
    try:
        return fn(*args, report=report, should_stop=should_stop, **kwargs)
    finally:  # the queue keeps one process's items in order: this arrives after every epoch above
        _progress_queue.put((task_id, _TASK_DONE))


def ready(report: Reporter | None = None, should_stop=None) -> int:
    """A task that does nothing: `pool.run(ready)` returns once a worker is up (its pid)."""
    return os.getpid()


# ---------------------------------------------------------------------------------------------
# The server side


class TrainingPool:
    """A ProcessPoolExecutor with progress, waiting notices and cancel flags. Thread-safe."""

    def __init__(
        self, workers: int, tasks_per_child: int = TASKS_PER_CHILD, preload: tuple[str, ...] = ("core.training",)
    ) -> None:
        self.workers = workers
        self.tasks_per_child = tasks_per_child
        self.preload = preload  # modules each worker imports as it starts
        self._context = _CleanSpawnContext()
        self._queue = self._context.Queue()
        self._flags = self._context.RawArray("b", SLOTS)
        self._free_slots = list(range(SLOTS))
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._ids = itertools.count(1)
        self._listeners: dict[int, queue.SimpleQueue] = {}
        self._waiting: dict[int, None] = {}  # tasks submitted and not started yet, in order
        self.pids: set[int] = set()  # every worker process that ran a task (for measurements)
        self._router = threading.Thread(target=self._route_progress, name="rnnlab-progress", daemon=True)
        self._router.start()

    def _route_progress(self) -> None:
        while True:
            try:
                task_id, info = self._queue.get()
            except (EOFError, OSError, ValueError):  # the queue was closed at shutdown
                return
            if isinstance(info, tuple) and info[0] == _TASK_STARTED:
                with self._lock:
                    self._waiting.pop(task_id, None)
                    self.pids.add(info[1])
                continue
            listener = self._listeners.get(task_id)
            if listener is not None:
                listener.put(info)

    def _executor_now(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    self.workers,
                    mp_context=self._context,
                    initializer=_init_worker,
                    initargs=(self._queue, self._flags, self.preload),
                    max_tasks_per_child=self.tasks_per_child,
                )
            return self._executor

    def warm(self) -> None:
        """Start a worker process (and its TensorFlow import) ahead of the first training."""
        self._executor_now().submit(_run_task, 0, 0, ready, (), {})

    def _take_slot(self) -> int:
        with self._lock:
            if not self._free_slots:
                raise AppError(ErrorKind.TRAINING_STOPPED, key="too_many_waiting")
            slot = self._free_slots.pop()
        self._flags[slot] = 0
        return slot

    def run(self, fn: Callable, *args, report: Reporter | None = None, cancel=None, **kwargs) -> Any:
        """fn(*args, report=..., should_stop=..., **kwargs) in a worker; epochs reach `report` here.

        `fn` must be a module-level function whose arguments and result pickle. Exceptions raised in
        the worker are raised here; a worker that dies becomes AppError(TRAINING_STOPPED). While every
        worker is busy, a `report` with a `waiting(ahead)` method hears how many tasks wait before
        this one. `cancel` (a threading.Event) set asks the training to stop.
        """
        task_id, slot = next(self._ids), self._take_slot()
        inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._listeners[task_id] = inbox
        with self._lock:
            self._waiting[task_id] = None
        try:
            future = self._executor_now().submit(_run_task, task_id, slot, fn, args, kwargs)
            done = self._follow(task_id, slot, future, inbox, report, cancel)
            if not done and not isinstance(future.exception(), BrokenProcessPool):
                _drain(inbox, report, wait=LAST_PROGRESS_SECONDS)  # epochs still on their way
            try:
                return future.result()
            except BrokenProcessPool as err:
                self._discard_broken()
                raise AppError(ErrorKind.TRAINING_STOPPED) from err
        finally:
            self._listeners.pop(task_id, None)
            with self._lock:
                self._waiting.pop(task_id, None)
                self._free_slots.append(slot)

    def _follow(self, task_id, slot, future, inbox, report, cancel) -> bool:
        """Hand progress to `report` until the task ends; True once its end marker was seen."""
        submitted, told = time.monotonic(), None
        while True:
            ahead = self.waiting_before(task_id)
            if ahead is not None and ahead != told and time.monotonic() - submitted >= WAIT_NOTICE_SECONDS:
                told = ahead
                if hasattr(report, "waiting"):
                    report.waiting(ahead)
            if cancel is not None and cancel.is_set():
                self._flags[slot] = 1
                future.cancel()  # not started yet: it never will
            try:
                future.result(timeout=POLL_SECONDS)
                finished = True
            except TimeoutError:
                finished = False
            except BaseException:  # raised by the caller, after the last progress is handed on
                finished = True
            done = _drain(inbox, report)
            if finished:
                return done

    def waiting_before(self, task_id: int) -> int | None:
        """How many tasks wait in line before `task_id`; None once it has started."""
        with self._lock:
            order = list(self._waiting)
        return order.index(task_id) if task_id in order else None

    def _discard_broken(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def worker_pids(self) -> list[int]:
        """Worker processes that ran a task and are still alive (for memory measurements)."""
        return sorted(pid for pid in self.pids if os.path.exists(f"/proc/{pid}"))

    def stop(self, wait: bool = False) -> None:
        """Ask every training to stop now and let the workers exit (the server is shutting down)."""
        for slot in range(SLOTS):
            self._flags[slot] = 1
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=wait, cancel_futures=True)


def _drain(inbox: queue.SimpleQueue, report: Reporter | None, wait: float = 0.0) -> bool:
    """Hand the epochs received so far to `report`; with `wait`, until the task's end marker
    arrives (at most that many seconds). True once the end marker was seen."""
    deadline = time.monotonic() + wait
    while True:
        try:
            info = inbox.get(timeout=max(0.0, deadline - time.monotonic())) if wait else inbox.get_nowait()
        except queue.Empty:
            return False
        if info == _TASK_DONE:
            return True
        if report is not None:
            report(info)


# ---------------------------------------------------------------------------------------------
# The one decision: a worker process, or here


_POOL: TrainingPool | None = None
_POOL_LOCK = threading.Lock()
_LOCAL_LOCK = threading.Lock()  # seeding is global: in-process trainings run one at a time


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


def stop_all() -> None:
    """Stop every running training and the workers (called when the server shuts down)."""
    if _POOL is not None:
        _POOL.stop()


def run(fn: Callable, *args, report: Reporter | None = None, cancel=None, **kwargs) -> Any:
    """fn(*args, report=..., should_stop=..., **kwargs) in a worker process when workers are on,
    else here (one at a time). `cancel` is a threading.Event that asks the training to stop."""
    training_pool = pool()
    if training_pool is not None:
        return training_pool.run(fn, *args, report=report, cancel=cancel, **kwargs)
    should_stop = cancel.is_set if cancel is not None else None
    with _LOCAL_LOCK:
        return fn(*args, report=report, should_stop=should_stop, **kwargs)
