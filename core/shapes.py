"""Sequence shapes in Keras: many-to-one, many-to-many, one-to-many, encoder-decoder, return_state.

Five panels as data (the Keras code, a builder of the compiled model, and a per-layer shape table
read from the built model), one tiny task per shape with a seeded generator and a scorer against
predicting the mean, parameter counts by formula, and Conv1D's output length and parameter count
(the lecture notes' example). The cookbook's and the notes' slips are given as data.

NumPy at import time; Keras is imported inside the functions that build models.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.cells import cell_parameter_count
from core.i18n import text
from core.models import CELL_LABELS, check_cell

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
        if self.task not in TASKS:
            raise ValueError(f"unknown task {self.task!r}; choose one of {', '.join(TASKS)}")
        check_cell(self.cell)
        checks = [
            (2 <= self.steps <= MAX_STEPS, f"steps must be between 2 and {MAX_STEPS}"),
            (1 <= self.units <= MAX_UNITS, f"units must be between 1 and {MAX_UNITS}"),
            (1 <= self.delay < self.steps, "delay must be at least 1 and smaller than steps"),
            (1 <= self.max_start <= 1000, "max_start must be between 1 and 1000"),
            (1 <= self.train_samples <= MAX_SAMPLES, f"train samples must be between 1 and {MAX_SAMPLES}"),
            (1 <= self.test_samples <= MAX_SAMPLES, f"test samples must be between 1 and {MAX_SAMPLES}"),
            (1 <= self.epochs <= MAX_EPOCHS, f"epochs must be between 1 and {MAX_EPOCHS}"),
            (self.batch_size >= 1, "batch size must be at least 1"),
            (self.learning_rate > 0, "learning rate must be positive"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)

    @classmethod
    def for_task(cls, task: str, **changes) -> ShapeTaskConfig:
        """The defaults for `task`: 4-8 CPU seconds of model.fit each in scratch runs (TF 2.21, 2-core CPU)."""
        if task not in TASKS:
            raise ValueError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
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
