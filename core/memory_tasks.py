"""Long-memory tasks where the answer depends on an input far back: where SimpleRNN, LSTM and GRU differ.

- "adding": each step holds (a number drawn uniformly from [0, 1), a marker 0/1); exactly two steps are
  marked, one in the first half and one in the second half, and the target is the sum of the two marked
  numbers. A constant guess scores MSE 1/6 at best (see `ADDING_BASELINE_MSE`).
- "first": each step holds one of k symbols (one-hot); the target is the first symbol of the sequence,
  T - 1 steps before the model answers. Guessing scores accuracy 1/k.

A training spec calls `prepare_memory(config)` (seeded arrays), `build_memory_model(config, input_shape)`
(a compiled model) and `score_memory(model, arrays)` (test score beside the baseline on the same samples).
Nothing here trains.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from core.gradients import CLIP_KINDS, optimizer_clip_arguments
from core.i18n import text
from core.settings import SettingError, check_choice, check_range

TASKS: tuple[str, ...] = ("adding", "first")
# "peephole": the peephole LSTM (core/peephole.py); "dense": Flatten + Dense, no recurrence
MEMORY_CELLS: tuple[str, ...] = ("rnn", "lstm", "gru", "peephole", "dense")
OPTIMIZERS: tuple[str, ...] = ("adam", "sgd")
SWEEP_STEPS: tuple[int, ...] = (5, 10, 20, 50, 100)  # the T values the page sweeps
SPLITS: tuple[str, ...] = ("train", "val", "test")
# Allowed ranges of the numeric settings (whole numbers where the bounds are ints)
LIMITS: dict[str, tuple[float, float]] = {
    "steps": (2, 1000),
    "symbols": (2, 64),
    "n_train": (1, 1_000_000),
    "n_val": (1, 1_000_000),
    "n_test": (1, 1_000_000),
    "data_seed": (0, 2**31 - 1),
    "units": (1, 1024),
    "batch_size": (1, 65536),
    "epochs": (1, 10000),
    "seed": (0, 2**31 - 1),
    "learning_rate": (1e-6, 10.0),
    "recurrent_gain": (0.01, 10.0),
}

# The best constant guess for a + b with a, b independent U[0, 1): predict E[a + b] = 1; its MSE is
# E[(a + b - 1)^2] = Var(a + b) = Var(a) + Var(b) = 2 * (1/12) = 1/6 (Var U[0, 1) = 1/12). Any other
# constant c adds (c - 1)^2, so 1/6 ~ 0.167 is the floor of every model that ignores the markers.
ADDING_BASELINE_MSE: float = 1.0 / 6.0
SOLVED_MSE: float = 0.01  # adding: a model with a test MSE below this has solved the task
SOLVED_ACCURACY: float = 0.95  # first symbol: a model at or above this accuracy has solved the task


@dataclass(frozen=True)
class MemoryTaskConfig:
    """One long-memory model: task, data, cell and training settings; the object is (part of) the cache key."""

    task: str = "adding"  # "adding" (regression on two marked numbers) or "first" (classify the first symbol)
    steps: int = 50  # T, the sequence length; the answer depends on an input up to T - 1 steps back
    symbols: int = 4  # k, the number of symbols for task "first" (chance accuracy 1/k); unused by "adding"
    n_train: int = 2000  # training sequences
    n_val: int = 500  # validation sequences (a training path may stop early on them)
    n_test: int = 1000  # test sequences: the score and the baseline are computed on these
    data_seed: int = 0  # seed of the sequences, fixed across model seeds so every model sees the same data
    cell: str = "lstm"  # "rnn" (SimpleRNN), "lstm", "gru", "peephole" or "dense" (Flatten + Dense, no recurrence)
    units: int = 32  # recurrent units (hidden units of the dense reference)
    optimizer: str = "adam"  # "adam" or "sgd" (plain, no momentum: clipping's effect is easiest to see)
    learning_rate: float = 0.01  # the optimizer's step size
    batch_size: int = 32  # sequences per update
    epochs: int = 15  # passes over the training sequences (the budget: 945 updates with the defaults)
    clip: str = "none"  # "none", "clipvalue", "clipnorm" (each variable) or "global_clipnorm" (all together)
    clip_threshold: float = 0.0  # the clipping argument's value; 0.0 when clip is "none"
    recurrent_gain: float = 1.0  # SimpleRNN only: W_hh = gain x a random orthogonal matrix (1.0 elsewhere)
    seed: int = 0  # keras.utils.set_random_seed before building: initial weights and shuffling

    def __post_init__(self):
        for name, choices in (("task", TASKS), ("cell", MEMORY_CELLS), ("optimizer", OPTIMIZERS), ("clip", CLIP_KINDS)):
            check_choice(name, getattr(self, name), choices)
        for name, (low, high) in LIMITS.items():
            _check_number(name, getattr(self, name), low, high)
            if isinstance(low, int):  # NumPy integers become ints: one cache key, JSON-safe
                object.__setattr__(self, name, int(getattr(self, name)))
        if self.clip != "none":
            check_range("clip_threshold", self.clip_threshold, 1e-6, 1e6, label="clip threshold")
        # Settings that cannot change the model are normalised, so equal models share one cache key.
        if self.clip == "none":
            object.__setattr__(self, "clip_threshold", 0.0)
        if self.cell != "rnn":
            object.__setattr__(self, "recurrent_gain", 1.0)
        object.__setattr__(self, "clip_threshold", float(self.clip_threshold))
        object.__setattr__(self, "recurrent_gain", float(self.recurrent_gain))
        object.__setattr__(self, "learning_rate", float(self.learning_rate))

    @property
    def features(self) -> int:
        """Inputs per step: (number, marker) for adding; one-hot of k symbols for first."""
        return 2 if self.task == "adding" else self.symbols

    @property
    def metric(self) -> str:
        return "mse" if self.task == "adding" else "accuracy"


# The defaults above are the measured budget: at T = 50 on the adding problem LSTM and GRU reached test MSE
# 0.0006-0.0023 and 0.0003-0.0005 (seeds 0, 1, 2) while SimpleRNN stayed at 0.163-0.173 (baseline 0.168);
# about 13-18 CPU seconds per model on the 2-core machine. The first-symbol task does NOT show that gap with
# this kind of budget: at T = 50 (4 symbols, 10,000 sequences, 5 epochs, seed 0) SimpleRNN reached accuracy
# 0.81 while LSTM (0.235; 0.267 after 15 epochs) and GRU (0.246) stayed at chance.


def _check_number(name: str, value, low, high) -> None:
    """SettingError naming the field unless low <= value <= high; int bounds also need an int (not 50.0, not True)."""
    whole = isinstance(low, int)
    if whole and (isinstance(value, bool) or not isinstance(value, int | np.integer)):
        label = name.replace("_", " ")
        raise SettingError(
            name, f"{label.capitalize()} must be a whole number (got {value!r}).", low, high, value=value
        )
    check_range(name, value.item() if isinstance(value, np.integer) else value, low, high, whole=whole)


def task_sentence(config: MemoryTaskConfig, lang: str = "en") -> str:
    """The task and its no-memory baseline in one sentence."""
    if config.task == "adding":
        return text("grad", "adding_task", lang)
    return text("grad", "first_task", lang, symbols=config.symbols, chance=f"{1 / config.symbols:.3g}")


# The clipping demo (measured once, seed 0): SimpleRNN with W_hh = 2 x orthogonal, plain SGD 0.05, T = 20.
# Without clipping the loss reached 5.7e27 in the first epoch and inf in the second; with global_clipnorm 1
# it trained to test MSE 0.153 (baseline 0.167) in 10 epochs.
CLIPPING_DEMO = MemoryTaskConfig(
    steps=20, cell="rnn", recurrent_gain=2.0, optimizer="sgd", learning_rate=0.05, epochs=10, seed=0
)
CLIPPING_CHOICES: tuple[tuple[str, float], ...] = (
    ("none", 0.0),
    ("clipvalue", 1.0),
    ("clipnorm", 1.0),
    ("global_clipnorm", 1.0),
    ("global_clipnorm", 5.0),
)


def clipping_demo_configs() -> list[MemoryTaskConfig]:
    """The page's clipping runs: the same diverging SimpleRNN without clipping and with each kind of clipping."""
    return [dataclasses.replace(CLIPPING_DEMO, clip=kind, clip_threshold=t) for kind, t in CLIPPING_CHOICES]


# ---------------------------------------------------------------- data


def adding_problem(n: int, steps: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """x (n, T, 2) float32: [number in [0, 1), marker]; y (n, 1): the sum of the two marked numbers.

    One marker falls in the first half (steps 0..T//2-1), the other in the second half, so the first
    marked number must be held for at least T - T//2 steps."""
    values = rng.random((n, steps))
    half = steps // 2
    first = rng.integers(0, half, n)
    second = rng.integers(half, steps, n)
    markers = np.zeros((n, steps))
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1).astype(np.float32)
    y = (values[rows, first] + values[rows, second]).astype(np.float32)[:, None]
    return x, y


def first_symbol(n: int, steps: int, symbols: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """x (n, T, k) float32 one-hot symbols; y (n,) int32: the index of the first symbol."""
    ids = rng.integers(0, symbols, (n, steps))
    x = np.eye(symbols, dtype=np.float32)[ids]
    return x, ids[:, 0].astype(np.int32)


def make_split(config: MemoryTaskConfig, split: str) -> tuple[np.ndarray, np.ndarray]:
    """One split's (x, y). Each split has its own random stream (data_seed, split), so the test
    sequences do not change when n_train or n_val do."""
    check_choice("split", split, SPLITS)
    n = {"train": config.n_train, "val": config.n_val, "test": config.n_test}[split]
    rng = np.random.default_rng([config.data_seed, SPLITS.index(split)])
    if config.task == "adding":
        return adding_problem(n, config.steps, rng)
    return first_symbol(n, config.steps, config.symbols, rng)


def prepare_memory(config: MemoryTaskConfig, data=None) -> dict[str, np.ndarray]:
    """Arrays x_train, y_train, x_val, y_val, x_test, y_test (`data` is unused: the task makes its own)."""
    arrays: dict[str, np.ndarray] = {}
    for split in SPLITS:
        arrays[f"x_{split}"], arrays[f"y_{split}"] = make_split(config, split)
    return arrays


# ---------------------------------------------------------------- model


def _optimizer(config: MemoryTaskConfig):
    import keras

    clip = optimizer_clip_arguments(config.clip, config.clip_threshold)
    if config.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=config.learning_rate, **clip)
    return keras.optimizers.Adam(learning_rate=config.learning_rate, **clip)


def _hidden(config: MemoryTaskConfig, inputs):
    """The memory part: a recurrent layer reading the whole sequence (the peephole LSTM too), or Flatten + Dense."""
    import keras

    from core.models import recurrent_layer

    if config.cell == "dense":
        flat = keras.layers.Flatten(name="flatten")(inputs)
        return keras.layers.Dense(config.units, activation="relu", name="dense_hidden")(flat)
    extra = {}
    if config.cell == "rnn":
        extra["recurrent_initializer"] = keras.initializers.Orthogonal(gain=config.recurrent_gain)
    return recurrent_layer(config.cell, config.units, name="memory", **extra)(inputs)


def build_memory_model(config: MemoryTaskConfig, input_shape: tuple[int, int]):
    """keras.Input (T, features) -> memory -> Dense(1) (adding, MSE) or Dense(k, softmax) (first, cross-entropy).

    Compiled with the config's optimizer, learning rate and clipping; seed with keras.utils.set_random_seed
    before calling for reproducible initial weights."""
    import keras

    expected = (config.steps, config.features)
    if tuple(input_shape) != expected:
        raise ValueError(f"input_shape must be {expected} for this config, got {tuple(input_shape)}")
    inputs = keras.Input(shape=expected, name="sequence")
    hidden = _hidden(config, inputs)
    if config.task == "adding":
        outputs = keras.layers.Dense(1, name="sum")(hidden)
        loss, metrics = "mse", []
    else:
        outputs = keras.layers.Dense(config.symbols, activation="softmax", name="symbol")(hidden)
        loss, metrics = "sparse_categorical_crossentropy", ["accuracy"]
    model = keras.Model(inputs, outputs, name=f"memory_{config.task}_{config.cell}")
    # No XLA: the training loop (core.training.fit) compiles Keras's train_step without it whatever this says,
    # and with it predict() compiled XLA anew for each batch shape (LSTM, T = 50, one seed, measured with the
    # loop: fit 26.1 s vs 29.6 s under load 6-7, i.e. the same; train + score 31.9 s vs 31.5 s).
    model.compile(optimizer=_optimizer(config), loss=loss, metrics=metrics, jit_compile=False)
    return model


# ---------------------------------------------------------------- scores


def is_classification(arrays: dict[str, np.ndarray]) -> bool:
    """True for the first-symbol task (integer class targets), False for adding (float sums)."""
    return np.issubdtype(arrays["y_test"].dtype, np.integer)


def baseline_score(arrays: dict[str, np.ndarray]) -> dict[str, float]:
    """The no-memory baseline on the test samples, measured and in theory.

    adding: MSE of the constant guess 1 (theory 1/6); first: accuracy of always answering the most
    frequent training symbol (theory 1/k, k = the number of symbols)."""
    y = arrays["y_test"]
    if not is_classification(arrays):
        return {"baseline": float(np.mean((y.astype(np.float64) - 1.0) ** 2)), "baseline_theory": ADDING_BASELINE_MSE}
    k = arrays["x_test"].shape[-1]
    majority = int(np.argmax(np.bincount(arrays["y_train"], minlength=k)))
    return {"baseline": float(np.mean(y == majority)), "baseline_theory": 1.0 / k}


def score_memory(model, arrays: dict[str, np.ndarray]) -> dict[str, float | str | bool]:
    """Test score (MSE for adding, accuracy for first) beside the baseline on the same samples.

    `relative` is score / baseline (adding: below 1 beats the constant guess; first: above 1 beats chance);
    `solved` applies SOLVED_MSE or SOLVED_ACCURACY. A model with non-finite predictions (training diverged)
    has score and relative None."""
    predictions = np.asarray(model.predict(arrays["x_test"], verbose=0))
    y = arrays["y_test"]
    base = baseline_score(arrays)
    if not np.all(np.isfinite(predictions)):  # training diverged: no score (None keeps the record JSON-safe)
        metric = "accuracy" if is_classification(arrays) else "mse"
        return {"metric": metric, "score": None, **base, "relative": None, "solved": False}
    if is_classification(arrays):
        metric, score = "accuracy", float(np.mean(np.argmax(predictions, axis=-1) == y))
        solved = score >= SOLVED_ACCURACY
    else:
        metric, score = "mse", float(np.mean((predictions.astype(np.float64) - y) ** 2))
        solved = score < SOLVED_MSE
    return {"metric": metric, "score": score, **base, "relative": score / base["baseline"], "solved": bool(solved)}


def within_baseline(score: float, baseline: float, metric: str, margin: float = 0.10) -> bool:
    """True when a model is no more than `margin` (10%) better than the baseline: it learned (almost) nothing."""
    if metric == "mse":
        return score >= (1.0 - margin) * baseline
    return score <= (1.0 + margin) * baseline
