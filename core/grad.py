"""Memory and gradients lab (page "grad"): long-memory and clipping runs on the one training path, the power
argument in numbers, and per-step gradient norms of the models the app trains.

- `MEMORY` trains one long-memory model (core.memory_tasks) per config: a sweep over T, cells and seeds is
  one `train` call per (T, cell, seed), each cached on its own, so a class trains only what it asks for.
- `CLIPPING` trains the same kind of model while the loop records every update's loss and global gradient
  norm before and after the optimizer's clipping (FitPlan.record_updates). Both stop cleanly at the first
  update whose loss is NaN or infinite (FitPlan.stop_on_divergence); such a run is kept as "diverged".
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core.gradients import ScalarRnn, StepGradients, power_argument, step_gradient_norms
from core.i18n import text
from core.memory_tasks import (
    SWEEP_STEPS,
    MemoryTaskConfig,
    build_memory_model,
    clipping_demo_configs,
    prepare_memory,
    score_memory,
)
from core.models import CELL_LABELS, formula_text, layer_counts
from core.progress import Reporter
from core.training import FitPlan, Prepared, Scored, TrainedModel, cached, train

SWEEP_CELLS: tuple[str, ...] = ("rnn", "lstm", "gru", "dense")  # the page's sweep (the peephole: on the comparison)
SWEEP_SEEDS = 3  # seeds 0, 1, 2 per (T, cell)
POWER_SEED = 0  # the inputs of the scalar RNN in the power argument


# ---------------------------------------------------------------- the specs


class MemorySpec:
    """A long-memory model (adding problem or first symbol) on the one training path; data is None."""

    def __init__(self, name: str, record_updates: bool) -> None:
        self.name = name  # cache namespace
        self.version = 1
        self.record_updates = record_updates  # the clipping panel's per-update loss and norms

    def prepare(self, config: MemoryTaskConfig, data=None) -> Prepared:
        arrays = prepare_memory(config)
        plan = FitPlan(
            config.epochs, config.batch_size, config.seed, record_updates=self.record_updates, stop_on_divergence=True
        )
        val = (arrays["x_val"], arrays["y_val"])
        return Prepared(arrays["x_train"], arrays["y_train"], plan, val=val, extra={"arrays": arrays})

    def build(self, config: MemoryTaskConfig, prepared: Prepared):
        return build_memory_model(config, prepared.x.shape[1:])

    def score(self, model, prepared: Prepared, config: MemoryTaskConfig) -> Scored:
        counts = layer_counts(model)
        meta = {**score_memory(model, prepared.extra["arrays"]), "params": sum(c.count for c in counts)}
        return Scored({}, meta | {"formula": formula_text(counts)})


MEMORY = MemorySpec("memory", record_updates=False)
CLIPPING = MemorySpec("clipping", record_updates=True)


@dataclass(frozen=True, eq=False)
class MemoryResult:
    """One trained long-memory model, read-only: its test score beside the no-memory baseline."""

    trained: TrainedModel

    config = property(lambda self: self.trained.config)
    cached = property(lambda self: self.trained.cached)
    history = property(lambda self: self.trained.history)  # per epoch: "loss", "val_loss" (and accuracy)
    train_seconds = property(lambda self: self.trained.seconds)
    epochs_run = property(lambda self: self.trained.epochs)
    metric = property(lambda self: self.trained.meta["metric"])  # "mse" (adding) or "accuracy" (first)
    baseline = property(lambda self: self.trained.meta["baseline"])  # the constant guess on the same test samples
    solved = property(lambda self: bool(self.trained.meta["solved"]))
    params = property(lambda self: self.trained.meta["params"])
    formula = property(lambda self: self.trained.meta["formula"])

    @property
    def score(self) -> float:
        """Test MSE or accuracy; NaN when training diverged (the weights it stopped with score nothing meaningful)."""
        value = self.trained.meta["score"]
        return math.nan if value is None or self.diverged else float(value)

    @property
    def diverged(self) -> bool:
        return bool(self.trained.meta.get("fit", {}).get("diverged", False))

    @property
    def diverged_update(self) -> int | None:
        """The update (counted from 1) whose loss was NaN or infinite, or None."""
        return self.trained.meta.get("fit", {}).get("diverged_update")

    @property
    def updates(self) -> dict[str, np.ndarray]:
        """Per update (clipping runs): "loss", "grad_norm" (before clipping), "clipped_norm", "epoch"."""
        return {k.removeprefix("fit:"): v for k, v in self.trained.outputs.items() if k.startswith("fit:")}


def run_memory(
    config: MemoryTaskConfig, *, report: Reporter | None = None, cancel=None, use_cache: bool = True, spec=MEMORY
) -> MemoryResult:
    """Train (or fetch from the cache) one long-memory model."""
    return MemoryResult(train(spec, config, None, report=report, cancel=cancel, use_cache=use_cache))


def cached_memory(config: MemoryTaskConfig, spec=MEMORY) -> MemoryResult | None:
    """The cached model of `config`, or None (never trains)."""
    found = cached(spec, config)
    return MemoryResult(found) if found is not None else None


def memory_config(task: str = "adding", steps: int = 50, cell: str = "lstm", seed: int = 0, **changes):
    """The lab's budget (MemoryTaskConfig's measured defaults) for one (task, T, cell, seed)."""
    return MemoryTaskConfig(task=task, steps=steps, cell=cell, seed=seed, **changes)


def stage_reporter(report: Reporter | None, index: int, total: int, label: str, lang: str = "en"):
    """A reporter for model `index` (0-based) of a batch: each epoch's info says 'model i of n (label)'."""
    if report is None:
        return None
    stage = text("grad", "stage", lang, i=index + 1, n=total, name=label)
    return lambda info: report(dataclasses.replace(info, stage=stage))


# ---------------------------------------------------------------- the T sweep


@dataclass(frozen=True)
class SweepPoint:
    """One (T, cell) of a sweep as plain numbers: one entry per seed found (cached or trained)."""

    steps: int
    cell: str
    seeds: tuple[int, ...]
    scores: tuple[float, ...]  # test MSE or accuracy; NaN for a run that diverged
    seconds: tuple[float, ...]  # fit seconds
    solved: tuple[bool, ...]
    baseline: float  # the constant guess on the same test sequences (the same for every model of a task and T)

    @property
    def mean_std(self) -> tuple[float, float]:
        """Mean and sample std (ddof=1; 0 for one seed) of the finite scores; NaN when none."""
        finite = np.array([v for v in self.scores if math.isfinite(v)])
        if finite.size == 0:
            return math.nan, math.nan
        return float(finite.mean()), float(finite.std(ddof=1)) if finite.size > 1 else 0.0

    @property
    def mean_seconds(self) -> float:
        return float(np.mean(self.seconds)) if self.seconds else math.nan


def sweep_configs(task: str = "adding", steps=SWEEP_STEPS, cells=SWEEP_CELLS, seeds: int = SWEEP_SEEDS, **changes):
    """Every (T, cell, seed) of a sweep, T-major then seed then cell (early results cover every cell)."""
    return [memory_config(task, t, c, s, **changes) for t in steps for s in range(seeds) for c in cells]


def collect_sweep(results: Sequence[MemoryResult]) -> list[SweepPoint]:
    """Results grouped into one point per (T, cell), in first-seen order."""
    groups: dict[tuple[int, str], list[MemoryResult]] = {}
    for r in results:
        groups.setdefault((r.config.steps, r.config.cell), []).append(r)
    return [
        SweepPoint(
            t,
            c,
            tuple(r.config.seed for r in rs),
            tuple(r.score for r in rs),
            tuple(r.train_seconds for r in rs),
            tuple(r.solved for r in rs),
            float(rs[0].baseline),
        )
        for (t, c), rs in groups.items()
    ]


def cached_sweep(task: str = "adding", steps=SWEEP_STEPS, cells=SWEEP_CELLS, seeds: int = SWEEP_SEEDS, **changes):
    """The sweep as far as the cache holds it (never trains)."""
    found = [cached_memory(c) for c in sweep_configs(task, steps, cells, seeds, **changes)]
    return collect_sweep([r for r in found if r is not None])


def run_sweep(configs: Sequence[MemoryTaskConfig], *, report=None, cancel=None, use_cache=True, lang="en"):
    """Train (or fetch) every config in order, each reported as 'model i of n'; the results, in order."""
    out = []
    for i, config in enumerate(configs):
        label = f"{CELL_LABELS[config.cell]}, T = {config.steps}, seed {config.seed}"
        options = dict(report=stage_reporter(report, i, len(configs), label, lang), cancel=cancel, use_cache=use_cache)
        out.append(run_memory(config, **options))
    return out


def cell_summary(results: Sequence[MemoryResult]) -> dict:
    """One cell's seeds at one T as plain data (the command line's row)."""
    (point,) = collect_sweep(results)
    mean, std = point.mean_std
    return {
        "cell": point.cell,
        "steps": point.steps,
        "metric": results[0].metric,
        "score": _finite(mean),
        "score_std": _finite(std),
        "scores": [_finite(v) for v in point.scores],
        "seeds": list(point.seeds),
        "solved": sum(point.solved),
        "diverged": sum(r.diverged for r in results),
        "baseline": point.baseline,
        "fit_seconds": round(point.mean_seconds, 2),
        "fit_seconds_per_seed": [round(v, 2) for v in point.seconds],
        "params": results[0].params,
    }


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


# ---------------------------------------------------------------- clipping


def clipping_runs(*, report=None, cancel=None, use_cache=True, lang="en") -> list[MemoryResult]:
    """The pinned SimpleRNN (gain 2, SGD) without clipping and with each clipping choice."""
    configs = clipping_demo_configs()
    out = []
    for i, config in enumerate(configs):
        label = clip_label(config.clip, config.clip_threshold)
        options = dict(report=stage_reporter(report, i, len(configs), label, lang), cancel=cancel, use_cache=use_cache)
        out.append(run_memory(config, spec=CLIPPING, **options))
    return out


def warm_items() -> list[tuple[str, Callable]]:
    """What "prepare for class" (core.classroom) trains for this page: the five clipping runs (about a minute in
    all). The T sweep (60 models) is too long for that: `python -m core grad sweep` trains it before class."""
    return [
        (
            f"grad · {clip_label(config.clip, config.clip_threshold)}",
            lambda report, cancel, config=config: run_memory(config, report=report, cancel=cancel, spec=CLIPPING),
        )
        for config in clipping_demo_configs()
    ]


def cached_clipping_runs() -> list[MemoryResult] | None:
    """All five clipping runs from the cache, or None when any is missing."""
    found = [cached_memory(c, spec=CLIPPING) for c in clipping_demo_configs()]
    return None if any(r is None for r in found) else found


def clip_label(kind: str, threshold: float) -> str:
    """'none', 'clipvalue 1', 'global_clipnorm 5' ..."""
    return kind if kind == "none" else f"{kind} {threshold:g}"


# ---------------------------------------------------------------- the power argument


def power_inputs(steps: int, seed: int = POWER_SEED) -> tuple[float, ...]:
    """x_1..x_T for the scalar RNN: N(0, 1) draws, small enough that tanh does not saturate at once."""
    return tuple(float(v) for v in 0.5 * np.random.default_rng(seed).normal(size=steps))


def relative_difference(arg) -> float:
    """Largest |closed form - autodiff| / max(1, |closed form|) over every dh_T/dh_k and dL/dw of a PowerArgument.

    Relative, because with |w| > 1 the values reach 1e17 and more, where float64 itself is coarser than 1e-5."""
    closed = np.append(arg.closed_state, arg.closed_loss_w)
    autodiff = np.append(arg.autodiff_state, arg.autodiff_loss_w)
    return float(np.max(np.abs(closed - autodiff) / np.maximum(1.0, np.abs(closed))))


def power_check(w: float, steps: int, activation: str = "linear", seed: int = POWER_SEED) -> dict:
    """dh_T/dh_0 and dL/dw of a scalar RNN by closed form and by GradientTape (linear: dh_T/dh_0 = w^T)."""
    if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w) or not -10 <= w <= 10:
        raise ValueError(f"w must be a number from -10 to 10 (got {w!r})")
    arg = power_argument(ScalarRnn(float(w), activation=activation), power_inputs(steps, seed), target=1.0)
    return {
        "w": float(w),
        "T": arg.steps,
        "activation": activation,
        "power": abs(float(w)) ** arg.steps,
        "closed_form": float(arg.closed_state[0]),
        "autodiff": float(arg.autodiff_state[0]),
        "dL_dw_closed_form": arg.closed_loss_w,
        "dL_dw_autodiff": arg.autodiff_loss_w,
        "max_difference": arg.max_difference,
        "relative_difference": relative_difference(arg),
    }


# ---------------------------------------------------------------- per-step norms of the app's own models

MAX_NORM_SAMPLES = 64  # windows used for a model's per-step norms (enough for a stable mean; a Jacobian per step)


def letter_step_norms(result) -> tuple[StepGradients, StepGradients]:
    """||dL/dh_k|| and ||dh_T/dh_k|| per step of a trained letter model (core.letters.LetterResult)."""
    from core.letters import make_dataset

    x, y, _ = make_dataset(result.config)
    model = result.model
    loss = step_gradient_norms(model, x, y, loss="sparse_categorical_crossentropy")
    return loss, step_gradient_norms(model, x)


def forecast_step_norms(result, data) -> tuple[StepGradients, StepGradients]:
    """The same for a trained forecaster (core.forecast.ForecastResult) on its last training windows."""
    from core.forecast import prepare, usable_frame

    config = result.config
    _, windows, _ = prepare(usable_frame(data.frame, config), config)
    x, y = windows.x_fit[-MAX_NORM_SAMPLES:], windows.y_fit[-MAX_NORM_SAMPLES:]
    model = result.model
    return step_gradient_norms(model, x, y, loss="mse"), step_gradient_norms(model, x[-8:])


# ---------------------------------------------------------------- the peephole LSTM


def _zero_peephole(features: int, units: int, seed: int):
    """Random LSTM weights (Keras layout) and the same weights as a peephole LSTM with p = 0."""
    from core.cell_models import random_weights
    from core.cells import CellWeights

    lstm = random_weights("lstm", features, units, seed)
    zero = CellWeights("peephole", lstm.kernel, lstm.recurrent_kernel, lstm.bias, True, np.zeros(3 * units, "float32"))
    return lstm, zero


def _inputs(features: int, steps: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(4, steps, features)).astype("float32")  # (batch, T, F)


def zero_peephole_numpy_difference(features: int, units: int, steps: int = 12, seed: int = 0) -> float:
    """Max |peephole - LSTM| of the NumPy replays (every step's h, final h and c) with the peepholes at zero."""
    from core.cells import run_cell

    lstm, zero = _zero_peephole(features, units, seed)
    xs = _inputs(features, steps, seed).astype(np.float64)
    a, b = run_cell(lstm.as_float64(), xs), run_cell(zero.as_float64(), xs)
    pairs = zip([a.outputs, *a.final_states], [b.outputs, *b.final_states], strict=True)
    return float(max(np.max(np.abs(x - y)) for x, y in pairs))


def peephole_checks(features: int, units: int, steps: int = 12, seed: int = 0) -> dict:
    """Against Keras: the layer's parameter count, RNN(PeepholeLSTMCell) with p = 0 vs keras.layers.LSTM, and the
    NumPy replay of a peephole LSTM with random non-zero peepholes vs the Keras cell."""
    import keras

    from core.cell_models import keras_run, random_weights, replay_difference
    from core.peephole import peephole_layer

    lstm, zero = _zero_peephole(features, units, seed)
    xs = _inputs(features, steps, seed)
    (seq_a, states_a), (seq_b, states_b) = keras_run(lstm, xs), keras_run(zero, xs)
    pairs = zip([seq_a, *states_a], [seq_b, *states_b], strict=True)
    zero_difference = float(max(np.max(np.abs(x - y)) for x, y in pairs))
    layer = peephole_layer(units)
    inputs = keras.Input((steps, features))
    keras.Model(inputs, layer(inputs))
    replay = replay_difference(random_weights("peephole", features, units, seed + 1), xs)
    return {"keras_params": int(layer.count_params()), "zero_difference": zero_difference, "replay_difference": replay}
