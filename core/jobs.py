"""Running work shared by key: one `Job` per distinct request, followed by every caller that asks.

A job runs in a thread of its own (core.training hands it a training, which goes on to a worker
process), so it outlives the browser tab that started it: a reload, a second tab or another student
with the same request attaches to the running job and follows its epochs; its result is stored
whether or not anyone still waits. A caller cancels its job only when nobody else follows it.
This module knows nothing of models: it shares, follows and cancels.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import threading
from collections.abc import Callable
from typing import Any

from core.errors import AppError, ErrorKind
from core.progress import EpochInfo, Reporter

POLL_SECONDS = 0.1


class Job:
    """One training in progress (or finished): its epochs so far, its result or error."""

    def __init__(self, key: str) -> None:
        self.key = key
        self._cond = threading.Condition()
        self.events: list[EpochInfo] = []  # every epoch reported so far
        self.ahead: int | None = None  # trainings waiting for a worker before this one (None: started)
        self.notices: list[str] = []  # sentence keys for the followers (e.g. the cluster fell back to local)
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.cancel_event = threading.Event()  # set: the training stops within one batch
        self.followers: dict[object, int] = {}  # caller id -> waits in progress

    @classmethod
    def finished(cls, key: str, result: Any) -> Job:
        job = cls(key)
        job.finish(result=result)
        return job

    # ------------------------------------------------------------- the training thread's side
    def __call__(self, info: EpochInfo) -> None:  # the job is the training's reporter
        with self._cond:
            self.ahead = None
            self.events.append(info)
            self._cond.notify_all()

    def waiting(self, ahead: int) -> None:
        with self._cond:
            self.ahead = ahead
            self._cond.notify_all()

    def notice(self, key: str) -> None:
        """A sentence (a key of assets/text/<lang>/common.toml) every follower's reporter hears once."""
        with self._cond:
            self.notices.append(key)
            self._cond.notify_all()

    def finish(self, result: Any = None, error: BaseException | None = None) -> None:
        with self._cond:
            self.result, self.error, self.done = result, error, True
            self._cond.notify_all()
        for follower in [f for f, job in list(_LAST_JOB.items()) if job is self]:
            _LAST_JOB.pop(follower, None)

    def wait_done(self, timeout: float) -> bool:
        """Block until the job has ended (at most `timeout` seconds); True if it has."""
        with self._cond:
            return self._cond.wait_for(lambda: self.done, timeout=timeout)

    # ------------------------------------------------------------- the callers' side
    @property
    def last_epoch(self) -> int:
        return self.events[-1].epoch if self.events else 0

    def wait(self, report: Reporter | None = None, cancel=None, follower: object = None) -> Any:
        """Follow the job until it ends: each new epoch goes to `report` (a late caller first gets the
        latest one, whose history holds the curves so far). `cancel()` True cancels. Returns the
        result or raises the training's error."""
        follower = follower or _FOLLOWER.get() or object()
        _LAST_JOB[follower] = self
        with self._cond:
            self.followers[follower] = self.followers.get(follower, 0) + 1
            seen = max(0, len(self.events) - 1)
        told, noted = None, 0
        try:
            while True:
                with self._cond:
                    self._cond.wait_for(lambda n=seen: len(self.events) > n or self.done, timeout=POLL_SECONDS)
                    new, seen, ahead, done = self.events[seen:], len(self.events), self.ahead, self.done
                    notices, noted = self.notices[noted:], len(self.notices)
                for key in notices if hasattr(report, "notice") else ():
                    report.notice(key)
                for info in new if report is not None else ():
                    report(info)
                if hasattr(report, "tick"):  # lets a page notice a click (Cancel) while nothing else happens
                    report.tick()
                if ahead is not None and ahead != told and hasattr(report, "waiting"):
                    told = ahead
                    report.waiting(ahead)
                if done:
                    break
                if cancel is not None and cancel():
                    self.cancel(follower)
        finally:
            with self._cond:
                self.followers[follower] -= 1
                if not self.followers[follower]:
                    del self.followers[follower]
        if self.error is not None:
            raise self.error
        return self.result

    def cancel(self, follower: object = None) -> bool:
        """Cancel the training unless another caller follows it; True when it was cancelled."""
        with self._cond:
            others = [f for f in self.followers if f != follower]
            if others or self.done:
                return False
            self.cancel_event.set()
            return True


_JOBS: dict[str, Job] = {}
_FOLLOWER: contextvars.ContextVar = contextvars.ContextVar("rnnlab_follower", default=None)
_LAST_JOB: dict[object, Job] = {}  # follower -> the job it followed last (what its Cancel cancels)
_LOCK = threading.Lock()
_ids = itertools.count(1)
trainings_started = 0  # how many jobs this process started (tests and benchmarks count trainings with it)


@contextlib.contextmanager
def following(follower: object):
    """Trainings waited for inside this block follow (and can be cancelled) as `follower`, e.g. a
    browser session, so that a later request of that session can cancel them."""
    token = _FOLLOWER.set(follower)
    try:
        yield
    finally:
        _FOLLOWER.reset(token)


def cancel_for(follower: object) -> tuple[Job, bool] | None:
    """Cancel the running job `follower` followed last: (job, cancelled) — `cancelled` is False when
    another follower still needs it (then only `follower` stops following). None when nothing runs."""
    job = _LAST_JOB.get(follower)
    if job is None or job.done:
        return None
    return job, job.cancel(follower)


def submit(
    key: str,
    work: Callable[[Job], Any],
    *,
    lookup: Callable[[], Any] | None = None,
    store: Callable[[Any], None] | None = None,
    share: bool = True,
) -> Job:
    """The job of `key`: the running twin, a finished job from `lookup()`, or `work(job)` started now.

    `work` runs in a thread of its own with the job as its reporter (`job(info)`, `job.waiting(n)`)
    and `job.cancel_event` as its stop signal; `store(result)` runs before the job leaves the
    registry, so a later request finds the result through `lookup`. `share=False`: never shared.
    """
    global trainings_started
    with _LOCK:
        twin = _JOBS.get(key) if share else None
        if twin is not None:
            return twin
        found = lookup() if lookup is not None else None
        if found is not None:
            return Job.finished(key, found)
        job = Job(key)
        if share:
            _JOBS[key] = job
        trainings_started += 1
    thread = threading.Thread(target=_run, args=(job, work, store), name=f"rnnlab-job-{next(_ids)}")
    thread.daemon = True  # the server's exit stops the workers (core.worker.stop_all), not this thread
    thread.start()
    return job


def _run(job: Job, work: Callable[[Job], Any], store: Callable[[Any], None] | None) -> None:
    try:
        result = work(job)
        if store is not None:
            store(result)  # stored before the job leaves the registry
        job.finish(result=result)
    except BaseException as err:  # the followers raise it (AppError for the user, anything else is a bug)
        job.finish(error=err if isinstance(err, Exception) else AppError(ErrorKind.TRAINING_STOPPED))
    finally:
        with _LOCK:
            if _JOBS.get(job.key) is job:
                del _JOBS[job.key]
