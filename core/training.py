"""The one training path: every trained thing in the app comes from `train(spec, config, data)`.

A *spec* says what is trained (`name`, `version`, `prepare`, `build`, `score`); a frozen *config*
says how. `train` keys the cache by (spec, data fingerprint, config, starting model), runs each
distinct request once — in a worker process or in this process, decided by `core.worker.pool()`
alone — and returns a frozen `TrainedModel`: plain data (history, timings, the model as .keras
bytes, output arrays and JSON-safe meta), stored on disk in one format.

A running training is a `Job` (core.jobs): a caller with the same request attaches to it and follows
its progress instead of starting again; a training lands in the cache even when nobody waits for it
any more; `cancel` stops it within one batch.

The loop (`fit`) runs Keras's own `train_step`/`test_step` compiled once, with our batching (a fresh
shuffle of the training samples every epoch, as `model.fit` does), so the losses are fit's losses
without fit's per-epoch set-up cost, which dominates on small data (the letter tasks: 5-26 samples).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import importlib
import itertools
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from core import jobs, worker
from core.cache import ResultCache, Serializer, make_key
from core.errors import AppError, ErrorKind
from core.progress import EpochTracker, Reporter

ShouldStop = Callable[[], bool]  # polled between batches: True stops the training


# ---------------------------------------------------------------------------------------------
# What a spec hands the loop, and what comes back


@dataclass(frozen=True)
class FitPlan:
    """How the loop fits one model (a spec derives it from its config in `prepare`)."""

    epochs: int  # passes over the training samples (early stopping may end sooner)
    batch_size: int  # samples per update
    seed: int  # keras.utils.set_random_seed before building, and the shuffle order
    patience: int | None = None  # stop after this many epochs without a better val_loss; best weights kept
    keep_start_if_better: bool = False  # keep the untrained start when no epoch beats it on validation
    shuffle: bool = True  # reshuffle the training samples every epoch (as model.fit does)
    stateful_sequence: bool = False  # one long sequence per sample: never shuffled, never split into batches
    jit_compile: bool = False  # compile the train/test steps with XLA (a long recurrent sequence on CPU: ~10x faster)
    steps_per_epoch: int | None = None  # batches per epoch, drawn on from one shuffle to the next; None: one pass
    record_updates: bool = False  # record each update's loss and global gradient norm before and after clipping
    stop_on_divergence: bool = False  # end at the first update whose loss is NaN or infinite (kept as "diverged")


@dataclass
class Prepared:
    """Arrays for the loop and whatever the spec's `score` needs afterwards."""

    x: Any  # model inputs: an array (samples, ...) or a tuple of arrays for a model with several inputs
    y: Any  # targets, (samples, ...)
    plan: FitPlan
    val: tuple[Any, Any] | None = None  # (x, y) the loop reports as val_loss (and stops early on)
    extra: dict[str, Any] = field(default_factory=dict)  # evaluation arrays, codecs, frames ...


@dataclass(frozen=True)
class Scored:
    """What a spec's `score` returns: arrays for the pages and JSON-safe facts."""

    outputs: dict[str, np.ndarray]
    meta: dict[str, Any]


class Spec(Protocol):
    """What is trained. Implementations are small module-level objects (they travel to workers)."""

    name: str  # cache namespace and label, e.g. "forecast"
    version: int  # bump when prepare/build/score change, so older cached results are not reused

    def prepare(self, config, data) -> Prepared: ...

    def build(self, config, prepared: Prepared): ...  # a compiled keras.Model

    def score(self, model, prepared: Prepared, config) -> Scored: ...


@dataclass(frozen=True, eq=False)
class TrainedModel:
    """A trained model as plain data. Treat as read-only (it is shared by every session)."""

    spec: str  # the spec's name
    key: str  # the cache key of this result
    config: Any  # the frozen config it was trained with
    history: dict[str, list[float]]  # per-epoch logs ("loss", "val_loss", metrics ...)
    seconds: float  # wall time of this training's fit (a continued model: of the continuation)
    epochs: int  # epochs in `history` (a continued model counts every epoch)
    chosen_epoch: int  # the epoch whose weights were kept (0: the untrained start)
    keras_bytes: bytes  # the model as a .keras file
    outputs: dict[str, np.ndarray]  # the spec's arrays (predictions, weights for NumPy replays ...)
    meta: dict[str, Any]  # the spec's JSON-safe facts (metrics, texts, notes ...)
    resumed_at: tuple[int, ...] = ()  # epochs after which training was continued
    cached: bool = False  # True when this call found it in the cache (memory or disk)

    @functools.cached_property
    def model(self):
        """The keras.Model, loaded from the bytes on first use (safe mode)."""
        from core.models import load_model_bytes

        return load_model_bytes(self.keras_bytes)

    def __getstate__(self) -> dict:  # a loaded model never travels (workers, pickles)
        return {k: v for k, v in self.__dict__.items() if k != "model"}


# ---------------------------------------------------------------------------------------------
# The loop


@dataclass
class FitOutcome:
    history: dict[str, list[float]]
    seconds: float  # wall time of the loop
    epochs_run: int
    chosen_epoch: int
    updates: dict[str, np.ndarray] = field(default_factory=dict)  # plan.record_updates: one entry per update
    diverged_at: tuple[int, int] | None = None  # (epoch, update counted from 1) whose loss was not finite

    def records(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """The per-update arrays ("fit:<name>") and the divergence facts ("fit") a TrainedModel carries."""
        epoch, update = self.diverged_at or (None, None)
        facts = {"diverged": self.diverged_at is not None, "diverged_epoch": epoch, "diverged_update": update}
        return {f"fit:{k}": v for k, v in self.updates.items()}, facts


class Cancelled(AppError):
    """A training stopped on request; `epoch` is the last finished epoch."""

    def __init__(self, epoch: int = 0, epochs: int = 0) -> None:
        super().__init__(ErrorKind.CANCELLED, key="cancelled", epoch=epoch, epochs=epochs)
        self.epoch, self.epochs = epoch, epochs

    def __reduce__(self):
        return (type(self), (self.epoch, self.epochs))


def _batches(n: int, plan: FitPlan, rng: np.random.Generator):
    if plan.stateful_sequence:
        return [np.arange(n)]
    order = rng.permutation(n) if plan.shuffle else np.arange(n)
    return [order[s : s + plan.batch_size] for s in range(0, n, plan.batch_size)]


def _epoch_batches(n: int, plan: FitPlan, rng: np.random.Generator):
    """Yield each epoch's batches: one pass over the samples, or `plan.steps_per_epoch` batches taken in
    turn from a stream of passes (each freshly shuffled), so that short epochs still see every sample
    once before any sample comes again (as model.fit with steps_per_epoch does)."""
    if not plan.steps_per_epoch:
        while True:
            yield _batches(n, plan, rng)
    stream = (idx for _ in itertools.count() for idx in _batches(n, plan, rng))
    while True:
        yield list(itertools.islice(stream, plan.steps_per_epoch))


def _take(arrays, idx):
    """Rows `idx` of an array or of each array in a tuple."""
    return tuple(a[idx] for a in arrays) if isinstance(arrays, tuple) else arrays[idx]


def _evaluate(model, test_step, x, y, batch_size: int) -> dict[str, float]:
    model.reset_metrics()
    n = len(y)
    for s in range(0, n, max(batch_size, 1)):
        idx = np.arange(s, min(n, s + batch_size))
        test_step((_take(x, idx), y[idx]))
    return {k: float(v) for k, v in model.get_metrics_result().items()}


class _UpdateProbe:
    """Records each update's loss and global gradient norm before and after the optimizer's clipping.

    For the length of one fit it shadows two methods of the model's optimizer on the instance:
    `scale_loss` (called by Keras's train_step with the batch loss) and `_clip_gradients` (called with
    the gradients just before the update). Both still run unchanged inside Keras's own compiled step, so
    the update is exactly Keras's; the three values land in variables read after every step.
    """

    def __init__(self, model) -> None:
        import tensorflow as tf

        self.optimizer = model.optimizer
        self.loss, self.before, self.after = (tf.Variable(np.nan, dtype="float32", trainable=False) for _ in range(3))
        self.rows: list[tuple[float, float, float, int]] = []  # (loss, norm before, norm after, epoch)
        scale_loss, clip = self.optimizer.scale_loss, self.optimizer._clip_gradients

        def recorded_scale_loss(loss):
            self.loss.assign(tf.cast(loss, "float32"))
            return scale_loss(loss)

        def recorded_clip(grads):
            self.before.assign(_global_norm(grads))
            clipped = clip(grads)
            self.after.assign(_global_norm(clipped))
            return clipped

        self.optimizer.scale_loss, self.optimizer._clip_gradients = recorded_scale_loss, recorded_clip

    def collect(self, epoch: int) -> float:
        """Keep the last update's values; returns its loss."""
        row = (float(self.loss.numpy()), float(self.before.numpy()), float(self.after.numpy()), epoch)
        self.rows.append(row)
        return row[0]

    def arrays(self) -> dict[str, np.ndarray]:
        rows = np.array(self.rows, dtype=np.float64).reshape(-1, 4)
        return {
            "loss": rows[:, 0],
            "grad_norm": rows[:, 1],
            "clipped_norm": rows[:, 2],
            "epoch": rows[:, 3].astype(np.int64),
        }

    def remove(self) -> None:
        """Give the optimizer its own methods back."""
        del self.optimizer.scale_loss, self.optimizer._clip_gradients


def _remove_probe(probe: _UpdateProbe | None) -> None:
    if probe is not None:
        probe.remove()


def _global_norm(grads):
    """sqrt of the sum of every squared entry (float32, as Keras's clip_by_global_norm measures)."""
    import tensorflow as tf

    return tf.linalg.global_norm([tf.cast(g, "float32") for g in grads if g is not None])


def fit(
    model,
    prepared: Prepared,
    *,
    report: Reporter | None = None,
    should_stop: ShouldStop | None = None,
    history: dict[str, list[float]] | None = None,
    epochs_before: int = 0,
) -> FitOutcome:
    """Fit a compiled model on `prepared` like model.fit(shuffle=True, validation_data=val).

    With `plan.patience`, stop when val_loss has not improved for that many epochs and keep the best
    epoch's weights; with `plan.keep_start_if_better`, keep the untrained start when no epoch beat it.
    `history` continues earlier curves (a continued training); `should_stop` is polled per batch.
    With `plan.record_updates`, `updates` holds every update's "loss", "grad_norm" (the global norm of
    the gradients before the optimizer clips them), "clipped_norm" (after) and "epoch"; with
    `plan.stop_on_divergence`, the first update whose loss is NaN or infinite ends the loop cleanly
    (its epoch is logged) and `diverged_at` says where.
    """
    import tensorflow as tf

    plan, x, y, val = prepared.plan, prepared.x, prepared.y, prepared.val
    train_step = tf.function(model.train_step, jit_compile=plan.jit_compile, reduce_retracing=True)
    test_step = tf.function(model.test_step, jit_compile=plan.jit_compile, reduce_retracing=True)
    rng = np.random.default_rng(plan.seed + epochs_before)  # a continued run shuffles differently
    tracker = EpochTracker(plan.epochs, report)  # this run's epochs (an honest time left); curves hold all
    tracker.history = {k: list(v) for k, v in (history or {}).items()}
    val_batch = max(plan.batch_size, 256)
    start = None  # (val loss, weights) of the untrained model, when it may be kept
    if plan.keep_start_if_better and val is not None:
        start = (_evaluate(model, test_step, *val, val_batch)["loss"], model.get_weights())
    stopper = _EarlyStopping(plan.patience if val is not None else None)
    probe = _UpdateProbe(model) if plan.record_updates else None
    began = time.perf_counter()
    epoch, updates, diverged = 0, 0, None
    epochs = _epoch_batches(len(y), plan, rng)
    for epoch in range(1, plan.epochs + 1):
        model.reset_metrics()
        for idx in next(epochs):
            if should_stop is not None and should_stop():
                _remove_probe(probe)
                raise Cancelled(epoch - 1, plan.epochs)
            logs = train_step((_take(x, idx), y[idx]))
            updates += 1
            loss = probe.collect(epoch) if probe is not None else None
            if plan.stop_on_divergence and not np.isfinite(float(logs["loss"]) if loss is None else loss):
                diverged = (epoch, updates)
                break  # the epoch ends at this update; its mean loss is not finite either, so its logs show it
        logs = {k: float(v) for k, v in model.get_metrics_result().items()}
        if val is not None:
            logs |= {f"val_{k}": v for k, v in _evaluate(model, test_step, *val, val_batch).items()}
        tracker.epoch_done(epoch, logs)
        if diverged is not None or stopper.should_stop(model, epoch, logs):
            break
    _remove_probe(probe)
    seconds = time.perf_counter() - began
    chosen = stopper.restore(model) or epoch
    if start is not None and start[0] <= min(tracker.history["val_loss"][epochs_before:]):
        model.set_weights(start[1])  # no epoch beat the untrained start: keep it
        chosen = 0
    return FitOutcome(
        tracker.history,
        seconds,
        epochs_before + epoch,
        epochs_before + chosen if chosen else 0,
        probe.arrays() if probe is not None else {},
        (epochs_before + diverged[0], diverged[1]) if diverged is not None else None,
    )


class _EarlyStopping:
    """Keras's EarlyStopping(val_loss, patience, restore_best_weights=True), as the loop's helper."""

    def __init__(self, patience: int | None) -> None:
        self.patience = patience
        self.best, self.best_epoch, self.best_weights, self.waited = np.inf, 0, None, 0

    def should_stop(self, model, epoch: int, logs: dict[str, float]) -> bool:
        if self.patience is None:
            return False
        if logs["val_loss"] < self.best:
            self.best, self.best_epoch, self.best_weights, self.waited = logs["val_loss"], epoch, model.get_weights(), 0
            return False
        self.waited += 1
        return self.waited >= self.patience

    def restore(self, model) -> int:
        """Put the best epoch's weights back; returns that epoch (0: no early stopping)."""
        if self.best_weights is None:
            return 0
        model.set_weights(self.best_weights)
        return self.best_epoch


# ---------------------------------------------------------------------------------------------
# One training, wherever it runs


@dataclass(frozen=True)
class Start:
    """A trained model to continue from (its weights, its curves)."""

    key: str
    keras_bytes: bytes
    history: dict[str, list[float]]
    epochs: int
    resumed_at: tuple[int, ...]


def run_spec(
    spec: Spec,
    config,
    data,
    key: str,
    start: Start | None = None,
    *,
    report: Reporter | None = None,
    should_stop: ShouldStop | None = None,
) -> TrainedModel:
    """Seed, prepare, build (or continue), fit, score and serialise: one training, here."""
    import keras

    from core.models import load_model_bytes

    prepared = spec.prepare(config, data)
    done = start.epochs if start else 0
    keras.utils.set_random_seed(prepared.plan.seed + done)
    model = spec.build(config, prepared)
    if start is not None:  # a fresh optimizer on the old weights (as the course resumes a checkpoint)
        model.set_weights(load_model_bytes(start.keras_bytes).get_weights())
    outcome = fit(
        model,
        prepared,
        report=report,
        should_stop=should_stop,
        history=start.history if start else None,
        epochs_before=done,
    )
    scored = spec.score(model, prepared, config)
    outputs, meta = scored.outputs, scored.meta
    if prepared.plan.record_updates or prepared.plan.stop_on_divergence:  # what the loop recorded, beside the spec's
        records, facts = outcome.records()
        outputs, meta = {**outputs, **records}, {**meta, "fit": facts}
    return TrainedModel(
        spec=spec.name,
        key=key,
        config=config,
        history=outcome.history,
        seconds=outcome.seconds,
        epochs=outcome.epochs_run,
        chosen_epoch=outcome.chosen_epoch,
        keras_bytes=model_bytes(model, spec.name),
        outputs=outputs,
        meta=meta,
        resumed_at=(*start.resumed_at, done) if start else (),
    )


def model_bytes(model, name: str = "model") -> bytes:
    """The model as the bytes of a .keras file (written in a temporary folder: the one place a model is saved)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.keras"
        model.save(path)
        return path.read_bytes()


def fingerprint(data) -> str:
    """A short stable hash of a spec's data: PriceData (its own fingerprint), arrays, text, None."""
    if data is None:
        return "none"
    if hasattr(data, "fingerprint"):
        return data.fingerprint()
    if isinstance(data, str | bytes):
        raw = data.encode("utf-8") if isinstance(data, str) else data
        return hashlib.sha256(raw).hexdigest()[:16]
    from core.cache import fingerprint_array

    return fingerprint_array(data)


def request_key(spec: Spec, config, data, start: TrainedModel | None = None) -> str:
    """The cache key of a training request."""
    return make_key(spec.name, spec.version, fingerprint(data), config, start.key if start else None)


def train(
    spec: Spec,
    config,
    data=None,
    *,
    report: Reporter | None = None,
    cancel: ShouldStop | None = None,
    start: TrainedModel | None = None,
    use_cache: bool = True,
) -> TrainedModel:
    """The trained model of `config` on `data` (from the cache, from a running twin, or trained now).

    `report` receives EpochInfo per epoch in the calling thread (and `report.waiting(ahead)` while
    every worker is busy); `cancel()` is polled while waiting: True stops the training (AppError
    CANCELLED). `start` continues a trained model for `config`'s epochs. Errors of the data or
    settings are AppError with a sentence.
    """
    return submit(spec, config, data, start=start, use_cache=use_cache).wait(report, cancel)


def submit(spec: Spec, config, data=None, *, start: TrainedModel | None = None, use_cache: bool = True) -> jobs.Job:
    """The job of a request: finished at once from the cache, the running twin, or a new training
    (in a worker process or here: core.worker.run decides)."""
    key = request_key(spec, config, data, start)
    begin = Start(start.key, start.keras_bytes, start.history, start.epochs, start.resumed_at) if start else None

    def work(job: jobs.Job) -> TrainedModel:
        log_training(spec.name, key, "started")
        try:
            result = worker.run(run_spec, spec, config, data, key, begin, report=job, cancel=job.cancel_event)
        except Exception as err:
            log_training(spec.name, key, getattr(getattr(err, "kind", None), "value", "failed"), epoch=job.last_epoch)
            raise
        log_training(spec.name, key, "finished", epoch=result.epochs, seconds=round(result.seconds, 3))
        return result

    def lookup() -> TrainedModel | None:
        found = RESULTS.peek(key)
        return dataclasses.replace(found, cached=True) if found is not None else None

    if not use_cache:
        return jobs.submit(key, work, share=False)
    return jobs.submit(key, work, lookup=lookup, store=lambda result: RESULTS.put(key, result))


def log_training(spec: str, key: str, event: str, **facts) -> None:
    """One JSON line per training event in $RNNLAB_TRAINING_LOG, when set: what this server trained, when,
    and how it ended (an operator's record; a teacher can see that 30 identical requests trained once)."""
    path = os.environ.get("RNNLAB_TRAINING_LOG")
    if not path:
        return
    line = json.dumps({"time": round(time.time(), 3), "spec": spec, "key": key, "event": event, **facts})
    with contextlib.suppress(OSError), open(path, "a", encoding="utf-8") as log:
        log.write(line + "\n")


def cached(spec: Spec, config, data=None, start: TrainedModel | None = None) -> TrainedModel | None:
    """The cached result of a request (memory, then disk), or None; never trains."""
    found = RESULTS.peek(request_key(spec, config, data, start))
    return dataclasses.replace(found, cached=True) if found is not None else None


# ---------------------------------------------------------------------------------------------
# The one disk format: model.keras + outputs.npz + result.json


def config_to_json(config) -> dict:
    """A frozen dataclass config as JSON: its class and its fields."""
    kind = type(config)
    return {"class": f"{kind.__module__}:{kind.__qualname__}", "fields": dataclasses.asdict(config)}


def config_from_json(record: dict):
    """The config `config_to_json` wrote: only dataclasses of this app's `core` package are rebuilt,
    through their own validation (nothing from disk is unpickled or executed)."""
    module_name, _, name = record["class"].partition(":")
    if not module_name.startswith("core."):
        raise ValueError(f"not a configuration of this app: {record['class']!r}")
    kind = getattr(importlib.import_module(module_name), name)
    if not dataclasses.is_dataclass(kind):
        raise ValueError(f"not a configuration class: {record['class']!r}")
    return kind(**{k: _tuples(v) for k, v in record["fields"].items()})


def _tuples(value):
    """JSON lists back to the tuples a frozen config holds."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def save_trained(result: TrainedModel, folder: Path) -> None:
    (folder / "model.keras").write_bytes(result.keras_bytes)
    np.savez(folder / "outputs.npz", **result.outputs)
    record = {
        "spec": result.spec,
        "key": result.key,
        "config": config_to_json(result.config),
        "history": result.history,
        "seconds": result.seconds,
        "epochs": result.epochs,
        "chosen_epoch": result.chosen_epoch,
        "meta": result.meta,
        "resumed_at": list(result.resumed_at),
    }
    (folder / "result.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


def load_trained(folder: Path) -> TrainedModel:
    """A result written by `save_trained` (arrays without pickles, the config rebuilt and validated)."""
    record = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    with np.load(folder / "outputs.npz", allow_pickle=False) as arrays:
        outputs = {name: arrays[name] for name in arrays.files}
    return TrainedModel(
        spec=record["spec"],
        key=record["key"],
        config=config_from_json(record["config"]),
        history=record["history"],
        seconds=record["seconds"],
        epochs=record["epochs"],
        chosen_epoch=record["chosen_epoch"],
        keras_bytes=(folder / "model.keras").read_bytes(),
        outputs=outputs,
        meta=record["meta"],
        resumed_at=tuple(record["resumed_at"]),
    )


RESULTS: ResultCache[TrainedModel] = ResultCache(
    "trained", max_items=48, serializer=Serializer(save_trained, load_trained)
)
