"""Sequence shapes in Keras: many-to-one, many-to-many, one-to-many, encoder-decoder, return_state.

Five panels as data (the Keras code, a builder of the compiled model, and a per-layer shape table
read from the built model), one tiny task per shape with a seeded generator and a scorer against
predicting the mean, parameter counts by formula, and Conv1D's output length and parameter count
(the lecture notes' example). The cookbook's and the notes' slips are given as data.

`SHAPE_TASK` (the spec) trains a task on the one training path; `run_shape_tasks` trains several and
reads them as a `ShapeTasksResult`; `shape_report` reads the five panels' models in a training worker
(so the page's server never imports TensorFlow). NumPy at import time; Keras is imported inside the
functions that build models.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.cells import cell_parameter_count
from core.i18n import text
from core.models import CELL_LABELS, CELLS, check_cell, summary_rows
from core.progress import Reporter
from core.seed_runs import mean_std, seed_configs, train_seeds
from core.settings import check_choice, check_range
from core.training import FitPlan, Prepared, Scored, TrainedModel

PANELS: tuple[str, ...] = (
    "many_to_one",
    "many_to_many_aligned",
    "one_to_many",
    "many_to_many_unaligned",
    "return_state",
)
TASKS: tuple[str, ...] = ("running_sum", "count_up", "echo", "reverse")
TASK_PANEL: dict[str, str] = {
    "running_sum": "many_to_one",
    "count_up": "one_to_many",
    "echo": "many_to_many_aligned",
    "reverse": "many_to_many_unaligned",
}
CLEAR_RATIO = 0.5  # a task model "beats the mean clearly" when its MSE is at most half the mean's
MAX_STEPS, MAX_UNITS, MAX_SAMPLES, MAX_EPOCHS = 100, 256, 50_000, 500
# Allowed ranges of a task's settings: each task stays a few seconds on a classroom laptop.
TASK_LIMITS: dict[str, tuple[float, float]] = {
    "steps": (2, MAX_STEPS),
    "units": (1, MAX_UNITS),
    "delay": (1, MAX_STEPS - 1),
    "max_start": (1, 1000),
    "train_samples": (1, MAX_SAMPLES),
    "test_samples": (1, MAX_SAMPLES),
    "epochs": (1, MAX_EPOCHS),
    "batch_size": (1, 4096),
    "learning_rate": (1e-5, 1.0),
    "seed": (0, 2**31 - 1),
}


# ---------------------------------------------------------------- panel models


@dataclass(frozen=True)
class ShapeDims:
    """The sizes a panel's model is built with."""

    cell: str = "lstm"  # rnn | lstm | gru
    steps: int = 6  # T: time steps read (or, for one-to-many, written)
    steps_out: int = 4  # time steps written by the encoder-decoder (differs from T: unaligned)
    features: int = 1  # F: numbers per input step
    units: int = 8  # U: units of each recurrent layer
    learning_rate: float = 0.01  # Adam step size of the compiled model

    def __post_init__(self) -> None:
        check_cell(self.cell)
        limits = {"steps": MAX_STEPS, "steps_out": MAX_STEPS, "features": MAX_STEPS, "units": MAX_UNITS}
        for name, most in limits.items():
            if not 1 <= getattr(self, name) <= most:
                raise ValueError(f"{name} must be between 1 and {most}")
        if self.learning_rate <= 0:
            raise ValueError("learning rate must be positive")


def _compile(model, dims: ShapeDims):
    import keras

    model.compile(optimizer=keras.optimizers.Adam(dims.learning_rate), loss="mse")
    return model


def build_many_to_one(dims: ShapeDims):
    """(batch, T, F) -> [cell](U), last state only -> Dense(1) -> (batch, 1)."""
    import keras

    from core.models import recurrent_layer

    inputs = keras.Input((dims.steps, dims.features), name="sequence")  # (batch, T, F)
    last = recurrent_layer(dims.cell, dims.units, name=dims.cell)(inputs)  # (batch, U): return_sequences=False
    outputs = keras.layers.Dense(1, name="head")(last)  # (batch, 1): linear, so not bounded to (-1, 1)
    return _compile(keras.Model(inputs, outputs, name="many_to_one"), dims)


def build_many_to_many_aligned(dims: ShapeDims):
    """(batch, T, F) -> [cell](U, return_sequences) -> TimeDistributed(Dense(1)) -> (batch, T, 1)."""
    import keras

    from core.models import recurrent_layer

    inputs = keras.Input((dims.steps, dims.features), name="sequence")  # (batch, T, F)
    states = recurrent_layer(dims.cell, dims.units, return_sequences=True, name=dims.cell)(inputs)  # (batch, T, U)
    outputs = keras.layers.TimeDistributed(keras.layers.Dense(1), name="head")(states)  # (batch, T, 1)
    return _compile(keras.Model(inputs, outputs, name="many_to_many_aligned"), dims)


def build_one_to_many(dims: ShapeDims):
    """(batch, F) -> RepeatVector(T) -> [cell](U, return_sequences) -> TimeDistributed(Dense(1)) -> (batch, T, 1)."""
    import keras

    from core.models import recurrent_layer

    inputs = keras.Input((dims.features,), name="start")  # (batch, F): one vector, no time axis
    repeated = keras.layers.RepeatVector(dims.steps, name="repeat")(inputs)  # (batch, T, F)
    states = recurrent_layer(dims.cell, dims.units, return_sequences=True, name=dims.cell)(repeated)  # (batch, T, U)
    outputs = keras.layers.TimeDistributed(keras.layers.Dense(1), name="head")(states)  # (batch, T, 1)
    return _compile(keras.Model(inputs, outputs, name="one_to_many"), dims)


def build_many_to_many_unaligned(dims: ShapeDims):
    """Encoder-decoder: (batch, T, F) -> encoder state -> repeated T_out times -> decoder -> (batch, T_out, 1)."""
    import keras

    from core.models import recurrent_layer

    inputs = keras.Input((dims.steps, dims.features), name="sequence")  # (batch, T, F)
    encoded, *states = recurrent_layer(dims.cell, dims.units, return_state=True, name="encoder")(inputs)
    repeated = keras.layers.RepeatVector(dims.steps_out, name="repeat")(encoded)  # (batch, T_out, U)
    decoder = recurrent_layer(dims.cell, dims.units, return_sequences=True, name="decoder")
    decoded = decoder(repeated, initial_state=states)  # (batch, T_out, U), starting from the encoder's state
    outputs = keras.layers.TimeDistributed(keras.layers.Dense(1), name="head")(decoded)  # (batch, T_out, 1)
    return _compile(keras.Model(inputs, outputs, name="many_to_many_unaligned"), dims)


def build_return_state(dims: ShapeDims):
    """(batch, T, F) -> [cell](U, return_sequences, return_state): every h, then the final state(s).

    LSTM returns [sequence, h, c]; GRU and SimpleRNN return [sequence, h]; h equals the sequence's last step.
    """
    import keras

    from core.models import recurrent_layer

    inputs = keras.Input((dims.steps, dims.features), name="sequence")  # (batch, T, F)
    layer = recurrent_layer(dims.cell, dims.units, return_sequences=True, return_state=True, name=dims.cell)
    sequence, *states = layer(inputs)  # (batch, T, U), then (batch, U) per state
    return _compile(keras.Model(inputs, [sequence, *states], name="return_state"), dims)


BUILDERS: dict[str, Callable] = {
    "many_to_one": build_many_to_one,
    "many_to_many_aligned": build_many_to_many_aligned,
    "one_to_many": build_one_to_many,
    "many_to_many_unaligned": build_many_to_many_unaligned,
    "return_state": build_return_state,
}

# The same models as plain Keras, for the page; a test checks each builds what its builder builds.
CODE: dict[str, str] = {
    "many_to_one": """\
inputs = keras.Input(({T}, {F}))                        # (batch, T, F)
h = keras.layers.{layer}({U})(inputs)                 # return_sequences=False: last h, (batch, U)
outputs = keras.layers.Dense(1)(h)                    # (batch, 1), linear: any value
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam({lr}), loss="mse")""",
    "many_to_many_aligned": """\
inputs = keras.Input(({T}, {F}))                        # (batch, T, F)
hs = keras.layers.{layer}({U}, return_sequences=True)(inputs)   # every h: (batch, T, U)
outputs = keras.layers.TimeDistributed(keras.layers.Dense(1))(hs)   # (batch, T, 1)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam({lr}), loss="mse")""",
    "one_to_many": """\
inputs = keras.Input(({F},))                           # (batch, F): 2-D, no time axis
repeated = keras.layers.RepeatVector({T})(inputs)      # (batch, T, F)
hs = keras.layers.{layer}({U}, return_sequences=True)(repeated)   # (batch, T, U)
outputs = keras.layers.TimeDistributed(keras.layers.Dense(1))(hs)   # (batch, T, 1)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam({lr}), loss="mse")""",
    "many_to_many_unaligned": """\
inputs = keras.Input(({T}, {F}))                        # (batch, T, F)
encoded, *states = keras.layers.{layer}({U}, return_state=True)(inputs)   # (batch, U) + final state(s)
repeated = keras.layers.RepeatVector({T_out})(encoded)   # (batch, T_out, U)
decoded = keras.layers.{layer}({U}, return_sequences=True)(repeated, initial_state=states)   # (batch, T_out, U)
outputs = keras.layers.TimeDistributed(keras.layers.Dense(1))(decoded)   # (batch, T_out, 1)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam({lr}), loss="mse")""",
    "return_state": """\
inputs = keras.Input(({T}, {F}))                        # (batch, T, F)
sequence, *states = keras.layers.{layer}({U}, return_sequences=True, return_state=True)(inputs)
# sequence: (batch, T, U); states: [h, c] for LSTM, [h] for GRU and SimpleRNN, each (batch, U)
model = keras.Model(inputs, [sequence, *states])
model.compile(optimizer=keras.optimizers.Adam({lr}), loss="mse")""",
}


def panel_code(panel: str, dims: ShapeDims) -> str:
    """The Keras code of `panel` with the sizes of `dims` filled in."""
    if panel not in CODE:
        raise ValueError(f"unknown panel {panel!r}; choose one of {', '.join(PANELS)}")
    return CODE[panel].format(
        T=dims.steps,
        F=dims.features,
        U=dims.units,
        T_out=dims.steps_out,
        layer=CELL_LABELS[dims.cell],  # the Keras class names: SimpleRNN, LSTM, GRU
        lr=dims.learning_rate,
    )


@dataclass(frozen=True)
class LayerShape:
    """One row of a shape table, read from a built model."""

    name: str  # the layer's name in the model
    kind: str  # its class, e.g. "LSTM", "TimeDistributed"
    input_shape: tuple  # e.g. (None, 6, 1); a tuple of shapes for several inputs; () for an Input
    output_shape: tuple  # e.g. (None, 8); a tuple of shapes for several outputs (return_state)
    params: int  # count_params() of the layer


def _shapes(tensors) -> tuple:
    """A KerasTensor's shape, or a tuple of shapes for a list of them."""
    if isinstance(tensors, (list, tuple)):
        return tuple(_shapes(t) for t in tensors)
    return tuple(tensors.shape)


def shape_table(model) -> list[LayerShape]:
    """Every layer of a built functional model with its input and output shapes and parameters."""
    rows = []
    for layer in model.layers:
        is_input = type(layer).__name__ == "InputLayer"
        inputs = () if is_input else _shapes(layer.input)
        rows.append(LayerShape(layer.name, type(layer).__name__, inputs, _shapes(layer.output), layer.count_params()))
    return rows


def format_shape(shape: tuple) -> str:
    """'(batch, 6, 1)'; several shapes joined with ' + '."""
    if shape and isinstance(shape[0], tuple):
        return " + ".join(format_shape(s) for s in shape)
    return "(" + ", ".join("batch" if d is None else str(d) for d in shape) + ")"


@dataclass(frozen=True)
class ShapePanel:
    """One panel of the shapes tab: the code to show and a builder of the same compiled model."""

    key: str  # one of PANELS
    code: str  # plain Keras code of the model
    build: Callable = field(repr=False, compare=False)  # () -> compiled keras.Model
    task: str | None  # the live task that uses this shape, if any


def shape_panels(dims: ShapeDims | None = None) -> tuple[ShapePanel, ...]:
    """The five panels for `dims`; nothing is built until a panel's `build()` is called."""
    dims = dims or ShapeDims()
    task_of = {panel: task for task, panel in TASK_PANEL.items()}
    return tuple(
        ShapePanel(key, panel_code(key, dims), functools.partial(BUILDERS[key], dims), task_of.get(key))
        for key in PANELS
    )


# ---------------------------------------------------------------- parameter counts by formula

FORMULAS: dict[str, str] = {"rnn": "U(F+U+1)", "lstm": "4U(F+U+1)", "gru": "3U(F+U+2)"}


@dataclass(frozen=True)
class ParameterFormula:
    """A recurrent layer's parameter count and the formula that gives it (Keras 3, GRU reset_after)."""

    layer: str  # e.g. "LSTM(8)"
    formula: str  # e.g. "4U(F+U+1)"
    filled: str  # e.g. "4·8·(1+8+1)"
    count: int  # e.g. 320


def parameter_formula(cell: str, features: int, units: int) -> ParameterFormula:
    """SimpleRNN U(F+U+1), LSTM 4U(F+U+1), GRU 3U(F+U+2) with F and U filled in."""
    check_cell(cell)
    gates, extra = {"rnn": ("", 1), "lstm": ("4·", 1), "gru": ("3·", 2)}[cell]
    filled = f"{gates}{units}·({features}+{units}+{extra})"
    count = cell_parameter_count(cell, features, units)  # the cell module's count, checked against Keras in tests
    return ParameterFormula(f"{CELL_LABELS[cell]}({units})", FORMULAS[cell], filled, count)


# ---------------------------------------------------------------- Conv1D (lecture notes)


def conv1d_output_length(length: int, kernel: int, strides: int = 1) -> int:
    """Output steps of a 'valid' Conv1D: floor((L - k) / s) + 1."""
    if min(length, kernel, strides) < 1 or kernel > length:
        raise ValueError(f"need 1 <= kernel ({kernel}) <= length ({length}) and strides >= 1 ({strides})")
    return (length - kernel) // strides + 1


def conv1d_parameter_count(kernel: int, features: int, filters: int) -> int:
    """k·F weights per filter plus one bias each: k·F·filters + filters."""
    return kernel * features * filters + filters


@dataclass(frozen=True)
class Conv1DTable:
    """Conv1D on one input, as Keras builds it, beside the formulas (and PyTorch's channel-first layout)."""

    input_shape: tuple[int, int, int]  # Keras (batch, L, F): channels last
    output_shape: tuple[int, int, int]  # read from the built layer: (batch, out, filters)
    kernel_shape: tuple[int, int, int]  # Keras kernel (k, F, filters)
    params: int  # count_params() of the built layer
    formula_length: int  # floor((L - k) / s) + 1
    formula_params: int  # k·F·filters + filters
    torch_input_shape: tuple[int, int, int]  # the notes' (batch, F, L): channels first
    torch_output_shape: tuple[int, int, int]  # (batch, filters, out)


def conv1d_table(
    batch: int = 1, length: int = 9, features: int = 4, filters: int = 2, kernel: int = 3, strides: int = 2
) -> Conv1DTable:
    """Build keras.layers.Conv1D(filters, kernel, strides) on zeros of (batch, length, features) and read it."""
    import keras

    layer = keras.layers.Conv1D(filters, kernel, strides=strides)
    out = layer(np.zeros((batch, length, features), dtype="float32"))
    steps = conv1d_output_length(length, kernel, strides)
    return Conv1DTable(
        input_shape=(batch, length, features),
        output_shape=tuple(int(d) for d in out.shape),
        kernel_shape=tuple(int(d) for d in layer.kernel.shape),
        params=int(layer.count_params()),
        formula_length=steps,
        formula_params=conv1d_parameter_count(kernel, features, filters),
        torch_input_shape=(batch, features, length),
        torch_output_shape=(batch, filters, steps),
    )


# ---------------------------------------------------------------- one tiny live task per shape


@dataclass(frozen=True)
class ShapeTaskConfig:
    """Everything that decides one tiny shape task's data and model (the cache key)."""

    task: str = "running_sum"  # running_sum | count_up | echo | reverse
    cell: str = "lstm"  # rnn | lstm | gru
    steps: int = 8  # sequence length: read (running_sum, echo, reverse) or written (count_up)
    units: int = 32  # units of each recurrent layer
    delay: int = 2  # echo only: output step t repeats input step t - delay (zeros before)
    max_start: int = 9  # count_up only: start values are the integers 0..max_start
    train_samples: int = 1000  # generated training sequences
    test_samples: int = 500  # generated held-out sequences (scored; never trained on)
    epochs: int = 10  # passes over the training sequences
    batch_size: int = 32  # sequences per gradient step
    learning_rate: float = 0.01  # Adam step size
    seed: int = 7  # seeds the generator and keras.utils.set_random_seed

    def __post_init__(self) -> None:
        check_choice("task", self.task, TASKS)
        check_choice("cell", self.cell, CELLS)
        for name, (low, high) in TASK_LIMITS.items():
            check_range(name, getattr(self, name), low, high, whole=isinstance(low, int))
        if self.delay >= self.steps:
            raise ValueError("The echo's delay must be smaller than the number of steps.")

    @classmethod
    def for_task(cls, task: str, **changes) -> ShapeTaskConfig:
        """The defaults for `task`: 4-8 CPU seconds of model.fit each in scratch runs (TF 2.21, 2-core CPU)."""
        check_choice("task", task, TASKS)
        return cls(**({"task": task} | TASK_DEFAULTS[task] | changes))

    @property
    def dims(self) -> ShapeDims:
        """The panel sizes of this task's model (one feature in, one number out per step)."""
        return ShapeDims(
            cell=self.cell,
            steps=self.steps,
            steps_out=self.steps,
            features=1,
            units=self.units,
            learning_rate=self.learning_rate,
        )


# Per-task changes to the defaults. Scratch runs (LSTM, seed 7, 1,000 samples, 10 epochs) reached an MSE
# of 0.09% (sum), 0.4% (count), 0.04% (echo) of predicting the mean; reversing 8 steps only 11%, 6 steps 5%.
TASK_DEFAULTS: dict[str, dict] = {
    "running_sum": {},
    "count_up": {},
    "echo": {},
    "reverse": {"steps": 6},
}


def running_sum_data(n: int, steps: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """x (n, steps, 1) uniform in [-1, 1); y (n, 1) = the sum of each sequence."""
    x = rng.uniform(-1.0, 1.0, size=(n, steps, 1)).astype(np.float32)
    return x, x.sum(axis=1)


def count_up_data(n: int, steps: int, max_start: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """x (n, 1) an integer start s in 0..max_start; y (n, steps, 1) = s+1, s+2, ..., s+steps."""
    start = rng.integers(0, max_start + 1, size=(n, 1)).astype(np.float32)
    y = start[:, None, :] + np.arange(1, steps + 1, dtype=np.float32)[None, :, None]  # (n, steps, 1)
    return start, y


def echo_data(n: int, steps: int, delay: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """x (n, steps, 1) uniform in [-1, 1); y[t] = x[t - delay], 0 for the first `delay` steps."""
    x = rng.uniform(-1.0, 1.0, size=(n, steps, 1)).astype(np.float32)
    y = np.zeros_like(x)
    y[:, delay:] = x[:, :-delay]
    return x, y


def reverse_data(n: int, steps: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """x (n, steps, 1) uniform in [-1, 1); y = x in reverse order."""
    x = rng.uniform(-1.0, 1.0, size=(n, steps, 1)).astype(np.float32)
    return x, x[:, ::-1].copy()


@dataclass(frozen=True)
class ShapeTaskData:
    """Generated training and held-out sequences of one task."""

    x_train: np.ndarray = field(repr=False)
    y_train: np.ndarray = field(repr=False)
    x_test: np.ndarray = field(repr=False)
    y_test: np.ndarray = field(repr=False)


def make_task_data(config: ShapeTaskConfig) -> ShapeTaskData:
    """Training then held-out samples from one generator seeded with `config.seed`."""
    rng = np.random.default_rng(config.seed)
    make = {
        "running_sum": lambda n: running_sum_data(n, config.steps, rng),
        "count_up": lambda n: count_up_data(n, config.steps, config.max_start, rng),
        "echo": lambda n: echo_data(n, config.steps, config.delay, rng),
        "reverse": lambda n: reverse_data(n, config.steps, rng),
    }[config.task]
    x_train, y_train = make(config.train_samples)
    x_test, y_test = make(config.test_samples)
    return ShapeTaskData(x_train, y_train, x_test, y_test)


def build_task_model(config: ShapeTaskConfig):
    """The compiled panel model of the task's shape, seeded with `config.seed`."""
    import keras

    keras.utils.set_random_seed(config.seed)
    return BUILDERS[TASK_PANEL[config.task]](config.dims)


@dataclass(frozen=True)
class ShapeTaskScore:
    """A task model's held-out error beside predicting the training targets' mean."""

    mse: float  # the model's mean squared error on the held-out samples
    mean_mse: float  # the same for predicting the training mean (per output step)
    ratio: float  # mse / mean_mse: below CLEAR_RATIO the model beats the mean clearly
    beats_mean_clearly: bool  # ratio <= CLEAR_RATIO
    n_test: int  # held-out samples


def score_shape_task(predictions: np.ndarray, data: ShapeTaskData) -> ShapeTaskScore:
    """MSE of `predictions` (shaped like y_test) and of the training mean, on the same held-out samples."""
    pred = np.asarray(predictions, dtype=float)
    if pred.shape != data.y_test.shape:
        raise ValueError(f"predictions must be shaped {data.y_test.shape}, got {pred.shape}")
    mean = data.y_train.mean(axis=0, keepdims=True)  # per output step, from training samples only
    mse = float(np.mean((pred - data.y_test) ** 2))
    mean_mse = float(np.mean((mean - data.y_test) ** 2))
    ratio = mse / mean_mse if mean_mse > 0 else float("inf")
    return ShapeTaskScore(mse, mean_mse, ratio, bool(ratio <= CLEAR_RATIO), len(data.y_test))


def task_sentence(score: ShapeTaskScore, lang: str = "en") -> str:
    """One sentence: the model's MSE against predicting the mean."""
    key = "task_beats_mean" if score.beats_mean_clearly else "task_not_beaten"
    return text(
        "seq_shapes",
        key,
        lang,
        mse=f"{score.mse:.3g}",
        mean_mse=f"{score.mean_mse:.3g}",
        ratio=f"{score.ratio:.2g}",
        n=score.n_test,
    )


# ---------------------------------------------------------------- the documents' slips, as data

SLIP_KEYS: tuple[str, ...] = (
    "lstm_units_as_output",
    "repeat_vector_2d",
    "input_shape_keras3",
    "conv1d_layout",
    "conv1d_kernel_size",
)


@dataclass(frozen=True)
class DocumentSlip:
    """One thing a source document gets wrong or leaves out: what it shows and what is true."""

    key: str  # one of SLIP_KEYS
    document: str  # "cookbook" (seed 003) | "notes" (seed 004)
    shows: str  # what the document does
    fact: str  # what is true, and why it matters


def document_slips(lang: str = "en") -> list[DocumentSlip]:
    """The cookbook's and the lecture notes' slips about shapes, in `lang`."""
    source = {key: "notes" if key.startswith("conv1d") else "cookbook" for key in SLIP_KEYS}
    return [
        DocumentSlip(
            key,
            source[key],
            text("seq_shapes", f"slip_{key}_shows", lang),
            text("seq_shapes", f"slip_{key}_fact", lang),
        )
        for key in SLIP_KEYS
    ]


def repeat_vector_error(steps: int = 6, features: int = 1, repeats: int = 4) -> str:
    """Keras's own message when RepeatVector gets a 3-D (batch, T, F) input (the cookbook's set-up)."""
    import keras

    try:
        keras.layers.RepeatVector(repeats)(keras.Input((steps, features)))
    except ValueError as err:
        return str(err)
    raise AssertionError("RepeatVector accepted a 3-D input")  # Keras changed: the slip note must change too


def lstm_output_bound(units: int = 1, steps: int = 6, scale: float = 100.0, seed: int = 7) -> float:
    """Largest |output| of an LSTM(units) used as the model's last layer, fed inputs as large as `scale`.

    h = o·tanh(c) with o in (0, 1): whatever the weights, no output is larger than 1 in magnitude.
    """
    import keras

    keras.utils.set_random_seed(seed)
    layer = keras.layers.LSTM(units)
    x = np.random.default_rng(seed).uniform(-scale, scale, size=(64, steps, 1)).astype("float32")
    return float(np.max(np.abs(np.asarray(layer(x)))))


# ---------------------------------------------------------------- the panels as plain data


def layer_rows(model) -> list[dict]:
    """shape_table(model) as JSON-safe rows with the shapes written out."""
    return [
        {
            "layer": r.name,
            "type": r.kind,
            "input": format_shape(r.input_shape) if r.input_shape else "",
            "output": format_shape(r.output_shape),
            "params": r.params,
        }
        for r in shape_table(model)
    ]


def _shape_report_here(dims: ShapeDims, report=None, should_stop=None) -> dict:
    """Build the five panel models and Conv1D's layer and read them (runs where Keras may be imported)."""
    from core.models import model_summary

    panels = {}
    for panel in shape_panels(dims):
        model = panel.build()
        panels[panel.key] = {
            "summary_rows": summary_rows(model),
            "summary_text": model_summary(model),
            "layers": layer_rows(model),
        }
    return {"panels": panels, "conv1d": dataclasses.asdict(conv1d_table())}


def shape_report(dims: ShapeDims) -> dict:
    """Every panel's summary rows, summary text and layer shapes for `dims`, plus the Conv1D table.

    Read from real Keras models built in a training worker (in this process when workers are off).
    """
    from core import worker

    return worker.run(_shape_report_here, dims)


def parameter_rows(features: int, units: int) -> list[ParameterFormula]:
    """The three cells' parameter counts for F and U, each with its formula."""
    return [parameter_formula(cell, features, units) for cell in CELLS]


# ---------------------------------------------------------------- on the one training path


class ShapeTaskSpec:
    """One tiny shape task on the one training path; the data is generated from the config (data None)."""

    name = "shape_task"
    version = 1

    def prepare(self, config: ShapeTaskConfig, data=None) -> Prepared:
        task_data = make_task_data(config)
        plan = FitPlan(config.epochs, config.batch_size, config.seed, jit_compile=True)
        return Prepared(task_data.x_train, task_data.y_train, plan, extra={"data": task_data})

    def build(self, config: ShapeTaskConfig, prepared: Prepared):
        return build_task_model(config)

    def score(self, model, prepared: Prepared, config: ShapeTaskConfig) -> Scored:
        task_data = prepared.extra["data"]
        predictions = np.asarray(model.predict(task_data.x_test, batch_size=1024, verbose=0), dtype=np.float32)
        s = score_shape_task(predictions, task_data)
        examples = slice(0, EXAMPLES)
        outputs = {"example_x": task_data.x_test[examples], "example_y": task_data.y_test[examples]}
        outputs["example_predictions"] = predictions[examples]
        meta = {
            "score": dataclasses.asdict(s),
            "params": int(model.count_params()),
            "summary_rows": summary_rows(model),
            "layers": layer_rows(model),
        }
        return Scored(outputs, meta)


SHAPE_TASK = ShapeTaskSpec()
EXAMPLES = 3  # held-out samples kept for the page (input, target, prediction)


def task_configs(cell: str = "lstm", seed: int = 7, tasks: tuple[str, ...] = TASKS, **changes) -> tuple:
    """Each task's defaults with the same cell, seed and `changes` (units, epochs ...)."""
    return tuple(ShapeTaskConfig.for_task(task, cell=cell, seed=seed, **changes) for task in tasks)


@dataclass(frozen=True, eq=False)
class ShapeTasksResult:
    """Several shape tasks, each trained with one or more seeds (task-major order)."""

    runs: tuple[TrainedModel, ...]

    cached = property(lambda self: all(r.cached for r in self.runs))
    train_seconds = property(lambda self: float(sum(r.seconds for r in self.runs)))  # all of them

    @property
    def tasks(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.config.task for r in self.runs))

    def task_runs(self, task: str) -> tuple[TrainedModel, ...]:
        return tuple(r for r in self.runs if r.config.task == task)

    def score(self, task: str) -> ShapeTaskScore:
        """The task's score; with several seeds, the mean MSE and ratio over seeds."""
        scores = [ShapeTaskScore(**r.meta["score"]) for r in self.task_runs(task)]
        mse, mean_mse = mean_std([s.mse for s in scores])[0], scores[0].mean_mse
        ratio = mse / mean_mse if mean_mse > 0 else float("inf")
        return ShapeTaskScore(mse, mean_mse, ratio, bool(ratio <= CLEAR_RATIO), scores[0].n_test)

    def fit_seconds(self, task: str) -> float:
        return float(np.mean([r.seconds for r in self.task_runs(task)]))


def run_shape_tasks(
    configs,
    *,
    seeds: int = 1,
    report: Reporter | None = None,
    cancel=None,
    use_cache: bool = True,
    lang: str = "en",
) -> ShapeTasksResult:
    """Train every config with `seeds` seeds (config.seed, +1, ...) on the one training path."""
    flat = tuple(c for config in configs for c in seed_configs(config, seeds))
    return ShapeTasksResult(
        train_seeds(SHAPE_TASK, flat, None, report=report, cancel=cancel, use_cache=use_cache, lang=lang)
    )


def shapes_summary(result: ShapeTasksResult, features: int = 1, units: int = 8) -> dict:
    """The JSON object of `python -m core seq shapes`."""
    tasks = {}
    for task in result.tasks:
        score, first = result.score(task), result.task_runs(task)[0]
        tasks[task] = {
            "panel": TASK_PANEL[task],
            "mse": score.mse,
            "mean_baseline_mse": score.mean_mse,
            "ratio": score.ratio,
            "beats_mean_clearly": score.beats_mean_clearly,
            "n_test": score.n_test,
            "params": first.meta["params"],
            "fit_seconds": result.fit_seconds(task),
            "seeds": [r.config.seed for r in result.task_runs(task)],
            "cell": first.config.cell,
            "units": first.config.units,
            "steps": first.config.steps,
            "sentence": task_sentence(score),
        }
    formulas = {
        f.layer: {"formula": f.formula, "filled": f.filled, "count": f.count} for f in parameter_rows(features, units)
    }
    conv = conv1d_formulas()
    return {
        "task": "shapes",
        "tasks": tasks,
        "cached": result.cached,
        "fit_seconds_total": result.train_seconds,
        "parameter_counts": formulas,
        "conv1d": conv,
    }


def conv1d_formulas(length: int = 9, features: int = 4, filters: int = 2, kernel: int = 3, strides: int = 2) -> dict:
    """The lecture notes' Conv1D by formula (no Keras): output length and parameters."""
    steps = conv1d_output_length(length, kernel, strides)
    return {
        "input": [1, length, features],
        "output": [1, steps, filters],
        "params": conv1d_parameter_count(kernel, features, filters),
    }
