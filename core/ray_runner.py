"""Trainings as Ray tasks on a cluster: what core.worker uses when RNNLAB_RAY_ADDRESS is set.

Three places, three parts of this module:

- The app server: a `RayRunner` hands each training to the bridge and follows it as a local worker
  would be followed: epochs in order to the caller's reporter, `waiting(ahead)` while the cluster is
  busy, cancel. When the cluster cannot be reached, or is lost during a training, `run` raises
  ClusterUnavailable (its `notice`: `cluster_unreachable` or `cluster_lost`, sentences in
  assets/text/<lang>/common.toml), and core.worker trains on this machine instead; after a failure
  the cluster is tried again after RETRY_SECONDS (until then `run` gives up at once, without waiting
  for a connection).
- The bridge: a process of its own that the runner starts, the app server's one Ray driver. Ray ends
  a driver whose head has been gone for a minute, and its calls can block while a cluster is in
  trouble; in a process of its own that costs the bridge, never the server. It watches the head and
  exits when it stops answering.
- The cluster: each training is a Ray task (`train_task`; CPUs per task from RNNLAB_RAY_CPUS;
  `max_calls` replaces a worker process after as many trainings as the local pool does). Its epochs
  and its outcome go to one progress actor (`ProgressHub`, no CPU), in the order the task sent them;
  the bridge takes them from there. Cancel is `ray.cancel`: the task's main thread gets a
  KeyboardInterrupt and raises the stop flag the training loop polls between batches.

The app's code reaches the cluster as the job's working directory, so worker machines need only
the packages (requirements.txt and requirements-cluster.txt). Ray itself is imported only in the
bridge and on the cluster, never in the app server. What crosses the bridge (requests, epochs,
results) is pickled in memory, as a ProcessPoolExecutor does; nothing from the cluster is written to
disk except through the cache's own format (core/training.py save_trained).

`RNNLAB_RAY_CPUS` sets the CPUs each training reserves on the cluster (default 1).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing
import os
import pickle
import queue
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.errors import AppError, ErrorKind
from core.progress import EpochInfo, Reporter

UNREACHABLE = "cluster_unreachable"  # keys of sentences in assets/text/<lang>/common.toml
LOST = "cluster_lost"
RETRY_SECONDS = 30.0  # after a failure, trainings skip the cluster for this long, then it is tried again
CONNECT_SECONDS = 90.0  # the bridge's start and ray.init (a wrong token fails after about 25 s)
PROBE_SECONDS = 2.0  # a TCP connect to the head
PAGE_PROBE_SECONDS = 0.3  # the same, when a page asks (Home)
WATCH_SECONDS = 1.0  # the bridge probes the head this often ...
WATCH_FAILURES = 3  # ... and gives up after this many failures in a row
HUB_SECONDS = 30.0  # longest wait for the progress actor's answer
CANCEL_GRACE_SECONDS = 10.0  # a cancelled task still running after this is killed (ray.cancel(force=True))
OUTCOME_SECONDS = 10.0  # how long a finished task's outcome may take to come through the progress actor
POLL_SECONDS = 0.1
WAIT_NOTICE_SECONDS = 0.5  # a task not started by then tells its reporter it is waiting
ROOT = Path(__file__).resolve().parent.parent  # the app: shipped to the cluster as the working directory
SHIP_EXCLUDES = [".git", "test-artifacts", ".hypothesis", "__pycache__", "*.keras"]  # .gitignore is honoured too

# What travels: requests (server -> bridge), events (bridge -> server), items (task -> hub -> bridge).
RUN, CANCEL, STOP = "run", "cancel", "stop"
UP, FAILED, DOWN = "up", "failed", "down"  # bridge states (task id 0)
STARTED, EPOCH, OUTCOME, CANCELLED = "started", "epoch", "outcome", "cancelled"


def configured_cpus() -> float:
    """CPUs each training reserves on the cluster: $RNNLAB_RAY_CPUS, else 1 (0.25 to 64)."""
    try:
        return max(0.25, min(float(os.environ.get("RNNLAB_RAY_CPUS", "") or 1), 64.0))
    except ValueError:
        return 1.0


class ClusterUnavailable(Exception):
    """The cluster cannot take this training; `notice` is UNREACHABLE or LOST, `detail` says why."""

    def __init__(self, notice: str, detail: str = "") -> None:
        super().__init__(f"{notice}: {detail}" if detail else notice)
        self.notice, self.detail = notice, detail


def probe(host: str, port: int, timeout: float = PROBE_SECONDS) -> bool:
    """True when something accepts a TCP connection at host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def split_address(address: str) -> tuple[str, int] | None:
    """(host, port) of "ray://host:port" or "host:port"; None for "auto" (Ray finds it) or a bad address."""
    rest = address.removeprefix("ray://")
    host, _, port = rest.rpartition(":")
    if not host or not port.isdigit():
        return None
    return host.strip("[]"), int(port)


# ---------------------------------------------------------------------------------------------
# On the cluster


class ProgressHub:
    """One per bridge, on the cluster: items as tasks send them, until the bridge takes them.

    Ray runs the calls one caller makes to one actor in the order it made them, so a task's epochs
    and its outcome come out in order."""

    def __init__(self) -> None:
        self.items: list[tuple[int, str, Any]] = []

    def put(self, task_id: int, kind: str, value: Any) -> None:
        self.items.append((task_id, kind, value))

    def take(self) -> list[tuple[int, str, Any]]:
        items, self.items = self.items, []
        return items


def train_task(hub, task_id: int, payload: bytes) -> None:
    """A Ray task: fn(*args, report=..., should_stop=..., **kwargs) from `payload`; epochs and the
    outcome go to `hub`. The training runs in a thread, so that the KeyboardInterrupt of ray.cancel
    (raised in this, the main thread) can become the stop flag the loop polls between batches."""
    import ray

    fn, args, kwargs = pickle.loads(payload)
    hub.put.remote(task_id, STARTED, os.getpid())
    stop, finished, outcome = threading.Event(), threading.Event(), []

    def report(info: EpochInfo) -> None:
        hub.put.remote(task_id, EPOCH, pickle.dumps(info))

    def train() -> None:
        try:
            outcome.append((True, fn(*args, report=report, should_stop=stop.is_set, **kwargs)))
        except Exception as err:  # the caller raises it (an AppError, the loop's Cancelled ...)
            outcome.append((False, err))
        finally:
            finished.set()

    threading.Thread(target=train, name="rnnlab-ray-training", daemon=True).start()
    while True:
        try:
            if finished.wait(POLL_SECONDS):
                break
        except KeyboardInterrupt:  # ray.cancel: the loop stops at its next batch
            stop.set()
    ok, value = outcome[0] if outcome else (False, RuntimeError("the training ended without an outcome"))
    ray.get(hub.put.remote(task_id, OUTCOME, dumps_outcome(ok, value)))  # after every epoch above


def dumps_outcome(ok: bool, value: Any) -> bytes:
    """(ok, result or error) as bytes; an error that does not pickle travels as its text."""
    try:
        return pickle.dumps((ok, value))
    except Exception:  # an exception holding something unpicklable
        return pickle.dumps((False, RuntimeError(f"{type(value).__name__}: {value}")))


# ---------------------------------------------------------------------------------------------
# The bridge (its own process)


def bridge_main(address: str, cpus: float, max_calls: int, requests, events, parent: int) -> None:
    """Connect to the cluster, say UP (with its CPUs) or FAILED, then run trainings until told to stop."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        import ray

        target = split_address(address)  # None for "auto": Ray looks for the cluster this machine joined
        if (target is None and address != "auto") or (target is not None and not probe(*target)):
            raise ConnectionError(f"nothing answers at {address}")
        ray.init(
            address=address,
            runtime_env={
                "working_dir": str(ROOT),
                "excludes": SHIP_EXCLUDES,
                "env_vars": {"TF_CPP_MIN_LOG_LEVEL": "2"},
            },
            logging_level="warning",
            log_to_driver=False,
        )
        hub = ray.remote(num_cpus=0, max_restarts=0)(ProgressHub).remote()
        ray.get(hub.take.remote(), timeout=CONNECT_SECONDS)
        target = target or split_address(ray.get_runtime_context().gcs_address)
    except Exception as err:  # unreachable, refused (a wrong token), a bad address: the training fails with a sentence
        events.put((0, FAILED, f"{type(err).__name__}: {err}"[:300]))
        _exit(events)
    events.put((0, UP, float(ray.cluster_resources().get("CPU", 0))))
    Bridge(hub, events, target, cpus, max_calls).serve(requests, parent)


def _exit(events) -> None:
    """Leave the bridge at once, after the events already sent have reached the server."""
    events.close()
    events.join_thread()
    os._exit(0)


class Bridge:
    """Submits tasks, forwards what the progress actor holds, turns Ray's failures into events."""

    def __init__(self, hub, events, head: tuple[str, int], cpus: float, max_calls: int) -> None:
        import ray

        self.hub, self.events, self.head = hub, events, head
        self.tasks: dict[int, Any] = {}  # task id -> ObjectRef of the running task
        self.outcomes: dict[int, threading.Event] = {}  # set once the task's outcome was forwarded
        self.started: set[int] = set()  # tasks that began on a worker
        self.lock = threading.Lock()
        self.remote = ray.remote(num_cpus=cpus, max_calls=max_calls, max_retries=0)(train_task)

    def serve(self, requests, parent: int) -> None:
        for target in (self._pump, self._watch):
            threading.Thread(target=target, daemon=True).start()
        while os.getppid() == parent:  # the server gone: so is this driver (and with it its tasks)
            try:
                request = requests.get(timeout=1.0)
            except queue.Empty:
                continue
            if request[0] == STOP:
                break
            try:
                (self._run if request[0] == RUN else self._cancel)(*request[1:])
            except Exception as err:  # Ray refused the request: that training ends with cluster_lost
                self.events.put((request[1], DOWN, (f"{type(err).__name__}: {err}"[:300], False)))
        _exit(self.events)

    def _run(self, task_id: int, payload: bytes) -> None:
        with self.lock:
            self.outcomes[task_id] = threading.Event()
            self.tasks[task_id] = ref = self.remote.remote(self.hub, task_id, payload)
        threading.Thread(target=self._follow, args=(task_id, ref), daemon=True).start()

    def _cancel(self, task_id: int) -> None:
        import ray

        ref = self.tasks.get(task_id)
        if ref is None:
            return
        ray.cancel(ref)

        def force() -> None:  # a batch that takes longer than the grace: end the worker process
            if task_id in self.tasks:
                with contextlib.suppress(Exception):
                    ray.cancel(ref, force=True)

        threading.Timer(CANCEL_GRACE_SECONDS, force).start()

    def _follow(self, task_id: int, ref) -> None:
        """Wait for the task; its outcome comes through the hub, a failure of Ray's is sent from here."""
        import ray
        from ray.exceptions import TaskCancelledError, WorkerCrashedError

        failure, patience = None, OUTCOME_SECONDS
        try:
            ray.get(ref)
        except TaskCancelledError:  # a started task still sends the loop's own Cancelled
            failure, patience = (CANCELLED, None), CANCEL_GRACE_SECONDS if task_id in self.started else 0.0
        except WorkerCrashedError as err:  # its worker process died: this training only
            failure, patience = (DOWN, (f"{type(err).__name__}", False)), 1.0
        except Exception as err:  # a node, the head or the task's code is lost: the cluster too
            failure, patience = (DOWN, (f"{type(err).__name__}: {err}"[:300], True)), 1.0
        arrived = self.outcomes[task_id].wait(patience)
        with self.lock:
            self.tasks.pop(task_id, None)
            self.outcomes.pop(task_id, None)
            self.started.discard(task_id)
        if not arrived:
            self.events.put((task_id, *(failure or (DOWN, ("no outcome from the task", False)))))

    def _pump(self) -> None:
        """Forward what the progress actor holds, in order; a hub that does not answer ends the bridge."""
        import ray

        while True:
            time.sleep(POLL_SECONDS)
            if not self.tasks:
                continue
            try:
                items = ray.get(self.hub.take.remote(), timeout=HUB_SECONDS)
            except Exception as err:
                self.events.put((0, DOWN, f"the progress actor is lost ({type(err).__name__})"))
                _exit(self.events)
            for task_id, kind, value in items:
                self.events.put((task_id, kind, value))
                if kind == STARTED:
                    self.started.add(task_id)
                elif kind == OUTCOME and task_id in self.outcomes:
                    self.outcomes[task_id].set()

    def _watch(self) -> None:
        """Probe the head; when it stops answering, say so and leave before Ray ends this process."""
        failures = 0
        while failures < WATCH_FAILURES:
            time.sleep(WATCH_SECONDS)
            failures = 0 if probe(*self.head) else failures + 1
        self.events.put((0, DOWN, f"the head at {self.head[0]}:{self.head[1]} stopped answering"))
        _exit(self.events)


# ---------------------------------------------------------------------------------------------
# The app server's side


class RayRunner:
    """Trainings on the cluster at `address`, followed from this process. Thread-safe."""

    def __init__(self, address: str, cpus: float | None = None, tasks_per_child: int = 16, context=None) -> None:
        self.address = address
        self.cpus = cpus or configured_cpus()  # CPUs each training reserves on the cluster
        self.tasks_per_child = tasks_per_child  # Ray's max_calls: trainings before a worker process is replaced
        self._context = context or multiprocessing.get_context("spawn")
        self._lock = threading.Lock()  # one connection attempt at a time
        self._state_lock = threading.Lock()
        self._bridge = None
        self._requests = self._events = None
        self.state = "off"  # off | up | down
        self.cluster_cpus = 0.0
        self.detail = ""  # why the cluster is down (for logs and tests)
        self._retry_at = 0.0  # while down: when the cluster may be tried again
        self._ids = itertools.count(1)
        self._inboxes: dict[int, queue.SimpleQueue] = {}
        self._waiting: dict[int, None] = {}  # tasks submitted and not started yet, in order
        self.pids: set[int] = set()  # cluster worker processes that ran a task
        self.running: dict[int, int] = {}  # task id -> the worker process running it (tests kill one)

    # ------------------------------------------------------------- connecting
    def connect(self) -> None:
        """Start the bridge unless it runs; raise ClusterUnavailable when the cluster cannot be used now."""
        with self._lock:
            if self.state == "up" and self._bridge is not None and self._bridge.is_alive():
                return
            if self.state == "down" and time.monotonic() < self._retry_at:
                raise ClusterUnavailable(UNREACHABLE, self.detail)
            self._start_bridge()

    def _start_bridge(self) -> None:
        requests, events = self._context.Queue(), self._context.Queue()
        bridge = self._context.Process(
            target=bridge_main,
            args=(self.address, self.cpus, self.tasks_per_child, requests, events, os.getpid()),
            name="rnnlab-ray-bridge",
            daemon=True,
        )
        bridge.start()
        kind, value = _first_event(bridge, events)
        if kind != UP:
            _end(bridge)
            self._mark_down(str(value))
            raise ClusterUnavailable(UNREACHABLE, str(value))
        self._bridge, self._requests, self._events = bridge, requests, events
        self.state, self.cluster_cpus, self.detail = "up", float(value), ""
        threading.Thread(target=self._route, args=(bridge, events), name="rnnlab-ray-events", daemon=True).start()

    def connect_in_background(self) -> None:
        """Start connecting without waiting (a page warms the cluster as it opens)."""
        if self._lock.locked() or (self.state == "up" and self._bridge is not None and self._bridge.is_alive()):
            return

        def attempt() -> None:
            with contextlib.suppress(ClusterUnavailable):
                self.connect()

        threading.Thread(target=attempt, name="rnnlab-ray-connect", daemon=True).start()

    def reachable(self) -> bool:
        """A page's cheap question (at most PAGE_PROBE_SECONDS): False while the cluster is known to be down
        or nothing answers at its address. Starts connecting in the background when not connected."""
        if self.state == "up" and self._bridge is not None and self._bridge.is_alive():
            return True
        if self.state == "down" and time.monotonic() < self._retry_at:
            return False
        self.connect_in_background()
        target = split_address(self.address)
        return probe(*target, timeout=PAGE_PROBE_SECONDS) if target else self.state != "down"

    def _mark_down(self, detail: str) -> None:
        # the user reads one sentence; whoever runs the app reads why (a wrong token, a dead head ...)
        logging.getLogger("rnnlab.ray").warning("Ray cluster %s unavailable: %s", self.address, detail)
        with self._state_lock:
            self.state, self.detail = "down", detail
            self._retry_at = time.monotonic() + RETRY_SECONDS

    def _route(self, bridge, events) -> None:
        """Hand the bridge's events to the trainings that wait for them; notice when it is gone."""
        while True:
            try:
                task_id, kind, value = events.get(timeout=0.5)
            except queue.Empty:
                if bridge.is_alive():
                    continue
                task_id, kind, value = 0, DOWN, "the bridge process exited"
            except (EOFError, OSError, ValueError):
                task_id, kind, value = 0, DOWN, "the bridge's queue closed"
            if task_id == 0:  # the cluster is gone: every training followed here ends with cluster_lost
                self._lose(bridge, str(value))
                return
            if kind == STARTED:
                with self._state_lock:
                    self._waiting.pop(task_id, None)
                    self.pids.add(value)
                    self.running[task_id] = value
            inbox = self._inboxes.get(task_id)
            if inbox is not None:
                inbox.put((kind, value))

    def _lose(self, bridge, detail: str) -> None:
        if self._bridge is bridge:
            self._mark_down(detail)
        for inbox in list(self._inboxes.values()):
            inbox.put((DOWN, (detail, True)))
        _end(bridge)

    # ------------------------------------------------------------- running
    def run(self, fn: Callable, *args, report: Reporter | None = None, cancel=None, **kwargs) -> Any:
        """fn(*args, report=..., should_stop=..., **kwargs) as a Ray task; its epochs reach `report` here.

        Raises what fn raised (an AppError, the loop's Cancelled ...), or ClusterUnavailable when the
        cluster cannot take the training or is lost during it (the caller trains elsewhere)."""
        self.connect()
        bridge, requests = self._bridge, self._requests
        payload = pickle.dumps((fn, args, kwargs))
        task_id, inbox = next(self._ids), queue.SimpleQueue()
        self._inboxes[task_id] = inbox
        with self._state_lock:
            self._waiting[task_id] = None
        try:
            requests.put((RUN, task_id, payload))
            return self._follow(task_id, bridge, requests, inbox, report, cancel)
        finally:
            self._inboxes.pop(task_id, None)
            with self._state_lock:
                self._waiting.pop(task_id, None)
                self.running.pop(task_id, None)

    def _follow(self, task_id, bridge, requests, inbox, report, cancel) -> Any:
        submitted, told, cancelled, last = time.monotonic(), None, False, None
        while True:
            ahead = self.waiting_before(task_id)
            if ahead is not None and ahead != told and time.monotonic() - submitted >= WAIT_NOTICE_SECONDS:
                told = ahead
                if hasattr(report, "waiting"):
                    report.waiting(ahead)
            if cancel is not None and cancel.is_set() and not cancelled:
                cancelled = True
                requests.put((CANCEL, task_id))
            try:
                kind, value = inbox.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if not bridge.is_alive() and inbox.empty():
                    raise ClusterUnavailable(LOST, "the bridge process exited") from None
                continue
            if kind == EPOCH:
                last = pickle.loads(value)
                if report is not None:
                    report(last)
            elif kind == OUTCOME:
                ok, result = pickle.loads(value)
                if ok:
                    return result
                raise result
            elif kind == CANCELLED:  # stopped before its first batch (or killed after the grace)
                epoch, epochs = (last.epoch, last.epochs) if last else (0, 0)
                raise AppError(ErrorKind.CANCELLED, f"Training cancelled after epoch {epoch} of {epochs}.")
            elif kind == DOWN:
                detail, whole_cluster = value
                if whole_cluster:
                    self._mark_down(detail)
                raise ClusterUnavailable(LOST, detail)

    def waiting_before(self, task_id: int) -> int | None:
        """How many trainings wait for the cluster before `task_id`; None once it has started."""
        with self._state_lock:
            order = list(self._waiting)
        return order.index(task_id) if task_id in order else None

    def stop(self) -> None:
        """End the bridge (its trainings end with it: Ray stops a finished driver's tasks)."""
        with self._state_lock:
            bridge, requests, self._bridge = self._bridge, self._requests, None
            self.state = "off"
        if bridge is not None:
            with contextlib.suppress(Exception):
                requests.put((STOP,))
            bridge.join(timeout=5)
            _end(bridge)


def _first_event(bridge, events) -> tuple[str, Any]:
    """The bridge's first word (UP with the cluster's CPUs, or FAILED with why), or FAILED when it
    died or stayed silent for CONNECT_SECONDS."""
    deadline = time.monotonic() + CONNECT_SECONDS
    while time.monotonic() < deadline:
        try:
            _, kind, value = events.get(timeout=0.2)
            return kind, value
        except queue.Empty:
            if not bridge.is_alive() and events.empty():
                return FAILED, f"the bridge process exited ({bridge.exitcode})"
    return FAILED, f"no connection within {CONNECT_SECONDS:.0f} s"


def _end(process) -> None:
    """Make sure a bridge process is gone."""
    if process.is_alive():
        process.terminate()
        process.join(timeout=5)
    if process.is_alive():
        process.kill()
        process.join(timeout=5)
