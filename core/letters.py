"""Letter prediction: the course's four letter models (L1-L4) and free configurations.

A model reads `input_len` letters (one-hot vectors, or ids looked up in an Embedding) and predicts
the next letter of the alphabet. It trains on the one training path (core.training) with
`LETTERS`; typed predictions replay the trained weights in NumPy (core.cells), so a page that
shows a letter model never needs TensorFlow.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import string
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.cache import make_key
from core.cells import dense_output, run_cell
from core.errors import AppError, ErrorKind
from core.models import (
    CELL_LABELS,
    RECURRENT_KINDS,
    LayerCount,
    layer_counts,
    load_model_bytes,
    model_summary,
    summary_rows,
    trainable_variables_text,
)
from core.progress import Reporter
from core.settings import check_choice, check_range
from core.training import FitPlan, Prepared, Scored, TrainedModel, cached, train

ALPHABET_5 = "abcde"
ALPHABET_26 = string.ascii_lowercase
ENCODINGS: tuple[str, ...] = ("onehot", "embedding")
LIMITS: dict[str, tuple[float, float]] = {  # allowed ranges of the numeric settings
    "embed_dim": (1, 64),
    "units": (1, 256),
    "epochs": (1, 5000),
    "learning_rate": (0.0001, 1.0),
    "batch_size": (1, 1024),
    "seed": (0, 2**31 - 1),
}
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class CourseTask:
    """The settings of one course letter example (SPEC.md, L1-L4)."""

    name: str  # "L1".."L4"
    alphabet: str  # the letters in order
    input_len: int  # letters read per prediction
    cyclic: bool  # True: the alphabet wraps around (e -> a)
    encoding: str  # "onehot" or "embedding"
    embed_dim: int  # Embedding size (used only with "embedding")
    units: int  # recurrent units


TASKS: dict[str, CourseTask] = {
    "L1": CourseTask("L1", ALPHABET_5, 1, True, "onehot", 2, 3),
    "L2": CourseTask("L2", ALPHABET_5, 1, True, "embedding", 2, 3),
    "L3": CourseTask("L3", ALPHABET_5, 4, True, "onehot", 2, 3),
    "L4": CourseTask("L4", ALPHABET_26, 4, False, "embedding", 2, 10),
}


@dataclass(frozen=True)
class LetterConfig:
    """Everything that decides a letter model; the object itself is (part of) the cache key."""

    task: str = "custom"  # "L1".."L4" for a course task (its data), else "custom"
    alphabet: str = ALPHABET_5  # distinct letters in order; the next letter of the last one wraps if cyclic
    input_len: int = 1  # letters read per prediction (time steps), 1-8
    cyclic: bool = True  # windows wrap around the end of the alphabet (course L1-L3) or stop there (L4)
    encoding: str = "onehot"  # "onehot": one vector of len(alphabet) per letter; "embedding": learned vectors
    embed_dim: int = 2  # size of a learned letter vector (only with encoding="embedding")
    cell: str = "rnn"  # "rnn" (SimpleRNN), "lstm", "gru" or "peephole" (the cell page's and comparison's peephole LSTM)
    units: int = 3  # recurrent units (the size of the memory h_t)
    epochs: int = 100  # passes over the training samples
    learning_rate: float = 0.01  # Adam step size
    batch_size: int = 32  # samples per update (all course tasks fit in one batch)
    seed: int = 7  # keras.utils.set_random_seed: initial weights and shuffling

    def __post_init__(self) -> None:
        check_choice("task", self.task, (*TASKS, "custom"))
        check_alphabet(self.alphabet, self.input_len)
        check_choice("encoding", self.encoding, ENCODINGS)
        check_choice("cell", self.cell, RECURRENT_KINDS)
        for name, (low, high) in LIMITS.items():
            check_range(name, getattr(self, name), low, high, whole=isinstance(low, int))

    @classmethod
    def course(cls, task: str, cell: str = "rnn", **changes) -> LetterConfig:
        """The course settings of task "L1".."L4" (Adam 0.01, batch 32, 100 epochs, seed 7)."""
        if task not in TASKS:
            raise ValueError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
        t = TASKS[task]
        base = cls(task, t.alphabet, t.input_len, t.cyclic, t.encoding, t.embed_dim, cell, t.units)
        return dataclasses.replace(base, **changes) if changes else base

    @property
    def n_letters(self) -> int:
        return len(self.alphabet)

    @property
    def cell_label(self) -> str:
        return CELL_LABELS[self.cell]

    def matches_course(self) -> bool:
        """True when the data and model shape are the course task's (cell, epochs, seed may differ)."""
        if self.task not in TASKS:
            return False
        t = TASKS[self.task]
        mine = (self.alphabet, self.input_len, self.cyclic, self.encoding, self.units)
        same_embed = self.encoding == "onehot" or self.embed_dim == t.embed_dim
        return mine == (t.alphabet, t.input_len, t.cyclic, t.encoding, t.units) and same_embed


def check_alphabet(alphabet: str, input_len: int) -> None:
    """ValueError naming the problem: empty alphabet, spaces, repeated letters, or too short for input_len."""
    if not isinstance(alphabet, str) or not alphabet:
        raise ValueError("The alphabet is empty: type at least two distinct letters.")
    if any(ch.isspace() for ch in alphabet):
        raise ValueError("The alphabet contains a space: type the letters without spaces.")
    if len(alphabet) > 64:
        raise ValueError(f"The alphabet has {len(alphabet)} letters; at most 64 are allowed.")
    others = [ch for ch in dict.fromkeys(alphabet) if not ch.isalnum()]
    if others:
        raise ValueError(f"The alphabet may hold only letters and digits; {', '.join(map(repr, others))} is neither.")
    repeated = sorted({ch for ch in alphabet if alphabet.count(ch) > 1}, key=alphabet.index)
    if repeated:
        raise ValueError(
            f"The alphabet repeats {', '.join(repr(ch) for ch in repeated)}: every letter must appear once."
        )
    check_range("input_len", input_len, 1, 8, whole=True, label="input length")
    if len(alphabet) < input_len + 1:
        raise ValueError(
            f"An input of {input_len} letters plus the letter to predict needs at least {input_len + 1} "
            f"distinct letters, but the alphabet {alphabet!r} has only {len(alphabet)}."
        )


# ---------------------------------------------------------------- data


def training_windows(config: LetterConfig) -> tuple[list[str], list[str]]:
    """Input strings and the letter following each (cyclic windows wrap around the alphabet)."""
    a, n, k = config.alphabet, config.n_letters, config.input_len
    starts = range(n) if config.cyclic else range(n - k)
    inputs = ["".join(a[(s + i) % n] for i in range(k)) for s in starts]
    targets = [a[(s + k) % n] for s in starts]
    return inputs, targets


def encode(config: LetterConfig, texts: list[str]) -> np.ndarray:
    """Model input for strings of `input_len` letters: (samples, time, letters) one-hot or (samples, time) ids."""
    index = {ch: i for i, ch in enumerate(config.alphabet)}
    ids = np.array([[index[ch] for ch in t] for t in texts], dtype=np.int32).reshape(len(texts), config.input_len)
    if config.encoding == "embedding":
        return ids
    return np.eye(config.n_letters, dtype=np.float32)[ids]


def make_dataset(config: LetterConfig) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """x (encoded inputs), y (ids of the next letters) and the input strings, in alphabet order."""
    inputs, targets = training_windows(config)
    index = {ch: i for i, ch in enumerate(config.alphabet)}
    y = np.array([index[ch] for ch in targets], dtype=np.int32)
    return encode(config, inputs), y, inputs


# ---------------------------------------------------------------- model


def build_letter_model(config: LetterConfig):
    """keras.Input -> (Embedding "embedding" | one-hot input) -> recurrent "rnn" -> Dense "dense" (softmax)."""
    import keras

    from core.models import recurrent_layer

    n = config.n_letters
    if config.encoding == "embedding":
        inputs = keras.Input(shape=(config.input_len,), dtype="int32", name="letters")
        hidden = keras.layers.Embedding(n, config.embed_dim, name="embedding")(inputs)
    else:
        inputs = keras.Input(shape=(config.input_len, n), name="letters")
        hidden = inputs
    hidden = recurrent_layer(config.cell, config.units, name="rnn")(hidden)
    outputs = keras.layers.Dense(n, activation="softmax", name="dense")(hidden)
    return keras.Model(inputs, outputs, name=f"letters_{config.task}")


def expected_shapes(config: LetterConfig) -> tuple[tuple, tuple]:
    """(input shape, output shape) of a model for this configuration, batch dimension as None."""
    x_shape = (None, config.input_len) if config.encoding == "embedding" else (None, config.input_len, config.n_letters)
    return x_shape, (None, config.n_letters)


# ---------------------------------------------------------------- training (the one training path)


class LettersSpec:
    """Letter prediction on the one training path: the data is generated from the config (data=None)."""

    name = "letters"
    version = 2

    def prepare(self, config: LetterConfig, data=None) -> Prepared:
        x, y, inputs = make_dataset(config)
        return Prepared(x, y, FitPlan(config.epochs, config.batch_size, config.seed), extra={"inputs": inputs})

    def build(self, config: LetterConfig, prepared: Prepared):
        import keras

        model = build_letter_model(config)
        model.compile(
            optimizer=keras.optimizers.Adam(config.learning_rate),
            loss=keras.losses.SparseCategoricalCrossentropy(),
            metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
            jit_compile=False,
        )
        return model

    def score(self, model, prepared: Prepared, config: LetterConfig) -> Scored:
        return _scored(model, config)


LETTERS = LettersSpec()


def _scored(model, config: LetterConfig) -> Scored:
    """The model as NumPy arrays (typed predictions need no TensorFlow) and its texts."""
    from core.cell_models import cell_model_to_arrays, from_keras

    arrays, cell_meta = cell_model_to_arrays(from_keras(model, config.alphabet))
    meta = {
        "cell_model": cell_meta,
        "summary_text": model_summary(model),
        "summary_rows": summary_rows(model),
        "weights_text": trainable_variables_text(model),
        "layer_counts": [dataclasses.asdict(c) for c in layer_counts(model)],
    }
    return Scored(arrays, meta)


@dataclass(frozen=True, eq=False)
class LetterResult:
    """A trained letter model (read-only): predictions come from its NumPy replay."""

    trained: TrainedModel

    config = property(lambda self: self.trained.config)
    cached = property(lambda self: self.trained.cached)
    history = property(lambda self: self.trained.history)  # per epoch: "loss", "accuracy"
    train_seconds = property(lambda self: self.trained.seconds)
    epochs_run = property(lambda self: self.trained.epochs)  # a continued model counts every epoch
    resumed_at = property(lambda self: self.trained.resumed_at)  # epochs after which training was continued
    key = property(lambda self: self.trained.key)
    keras_bytes = property(lambda self: self.trained.keras_bytes)
    model = property(lambda self: self.trained.model)  # the keras.Model, loaded on first use
    summary_text = property(lambda self: self.trained.meta["summary_text"])
    summary_rows = property(lambda self: self.trained.meta["summary_rows"])
    weights_text = property(lambda self: self.trained.meta["weights_text"])

    @functools.cached_property
    def cell_model(self):
        from core.cell_models import cell_model_from_arrays

        return cell_model_from_arrays(self.trained.outputs, self.trained.meta["cell_model"])

    @functools.cached_property
    def _final(self) -> tuple[float, dict[str, str]]:
        x, y, inputs = make_dataset(self.config)
        predicted = np.argmax(_numpy_probabilities(self.cell_model, x), axis=-1)
        a = self.config.alphabet
        return float(np.mean(predicted == y)), {s: a[int(p)] for s, p in zip(inputs, predicted, strict=True)}

    @property
    def accuracy(self) -> float:
        """Share of training inputs whose next letter the final model predicts."""
        return self._final[0]

    @property
    def predictions(self) -> dict[str, str]:
        """Input string -> predicted letter, for every training input."""
        return self._final[1]

    @functools.cached_property
    def layer_counts(self) -> list[LayerCount]:
        return [LayerCount(**c) for c in self.trained.meta["layer_counts"]]


def train_letters(
    config: LetterConfig, *, report: Reporter | None = None, cancel=None, use_cache: bool = True
) -> LetterResult:
    """Train (or fetch from the cache) the model of `config`; `report` gets EpochInfo per epoch."""
    return LetterResult(train(LETTERS, config, report=report, cancel=cancel, use_cache=use_cache))


def cached_letters(config: LetterConfig) -> LetterResult | None:
    """The cached model of `config`, or None (never trains)."""
    found = cached(LETTERS, config)
    return LetterResult(found) if found is not None else None


def continue_training(
    result: LetterResult, extra_epochs: int, *, report: Reporter | None = None, cancel=None, use_cache: bool = True
) -> LetterResult:
    """Train a copy of `result`'s model for `extra_epochs` more (fresh Adam, as the course's resumed
    checkpoint does); cached under its own key; the history continues the old curves."""
    check_range("extra_epochs", extra_epochs, 1, 5000, whole=True)
    config = dataclasses.replace(result.config, epochs=extra_epochs)
    trained = train(LETTERS, config, report=report, cancel=cancel, start=result.trained, use_cache=use_cache)
    return LetterResult(dataclasses.replace(trained, config=result.config))


def warm_items() -> list[tuple[str, Callable]]:
    """What "prepare for class" trains for this page: the four course tasks (SimpleRNN, seed 7)."""
    return [
        (
            f"letters · {task}",
            lambda report, cancel, task=task: train_letters(LetterConfig.course(task), report=report, cancel=cancel),
        )
        for task in TASKS
    ]


# ---------------------------------------------------------------- prediction


def check_text(config: LetterConfig, text: str) -> str:
    """The typed letters, lower-cased when the alphabet is; AppError BAD_INPUT naming what is wrong."""
    text = (text or "").strip()
    if text.lower() != text and all(ch.lower() in config.alphabet for ch in text):
        text = text.lower()
    outside = [ch for ch in dict.fromkeys(text) if ch not in config.alphabet]
    if outside:
        letters = ", ".join(repr(ch) for ch in outside)
        raise AppError(ErrorKind.BAD_INPUT, key="not_in_alphabet", letters=letters, alphabet=repr(config.alphabet))
    if len(text) != config.input_len:
        raise AppError(ErrorKind.BAD_INPUT, key="type_exactly", n=config.input_len, text=repr(text), got=len(text))
    return text


def _numpy_probabilities(cell_model, x: np.ndarray) -> np.ndarray:
    """(samples, letters) next-letter probabilities of encoded inputs, by the model's NumPy replay."""
    inputs = cell_model.embedding[x] if cell_model.embedding is not None else x  # (samples, time, features)
    trace = run_cell(cell_model.weights.as_float64(), np.asarray(inputs, dtype=np.float64))
    return dense_output(trace.outputs[-1], cell_model.dense_kernel, cell_model.dense_bias)["y"]


def _probabilities(result: LetterResult, config: LetterConfig, texts: list[str]) -> np.ndarray:
    return _numpy_probabilities(result.cell_model, encode(config, texts))


def predict_next(result: LetterResult, config: LetterConfig, text: str) -> dict[str, float]:
    """Probability of every letter of the alphabet following `text` (in alphabet order)."""
    probs = _probabilities(result, config, [check_text(config, text)])[0]
    return {ch: float(p) for ch, p in zip(config.alphabet, probs, strict=True)}


def keep_going(result: LetterResult, config: LetterConfig, text: str, steps: int) -> str:
    """Feed each predicted letter back in for `steps` steps; returns `text` plus the generated letters."""
    check_range("steps", steps, 1, 500, whole=True)
    out = check_text(config, text)
    for _ in range(steps):
        probs = _probabilities(result, config, [out[-config.input_len :]])[0]
        out += config.alphabet[int(np.argmax(probs))]
    return out


@dataclass(frozen=True)
class MappingRow:
    """One training input: what should follow, what the model predicts, and how sure it is."""

    text: str  # the input letters
    expected: str  # the letter that follows in the alphabet
    predicted: str  # the model's most likely letter
    probability: float  # the model's probability of `predicted`
    runner_up: str  # the second most likely letter (shows a model hesitating between two)

    @property
    def correct(self) -> bool:
        return self.predicted == self.expected


def mapping_rows(result: LetterResult, config: LetterConfig) -> list[MappingRow]:
    """The course's mapping table: every training input -> predicted letter."""
    x, y, inputs = make_dataset(config)
    probs = _numpy_probabilities(result.cell_model, x)  # (samples, letters)
    order = np.argsort(-probs, axis=-1)
    a = config.alphabet
    return [
        MappingRow(text, a[int(y[i])], a[int(order[i, 0])], float(probs[i, order[i, 0]]), a[int(order[i, 1])])
        for i, text in enumerate(inputs)
    ]


def loss_still_falling(history: dict[str, list[float]], window: int = 10, by: float = 0.01) -> bool:
    """True when the loss fell by more than `by` (relative) over the last `window` epochs: more epochs would help."""
    loss = history.get("loss", [])
    if len(loss) <= window:
        return True
    return loss[-1] < loss[-1 - window] * (1 - by)


# ---------------------------------------------------------------- inspection


@dataclass(frozen=True)
class EmbeddingView:
    """Learned letter vectors reduced to 2-D for a scatter plot."""

    letters: str  # the alphabet, one point per letter
    coords: np.ndarray  # (letters, 2)
    embed_dim: int  # size of the learned vectors
    explained: float | None  # share of variance the 2-D projection keeps (None: no projection needed)


def embedding_view(result: LetterResult, config: LetterConfig) -> EmbeddingView:
    """The Embedding matrix (letters x size): as is for size 2, else its first two principal components."""
    if config.encoding != "embedding" or result.cell_model.embedding is None:
        raise AppError(ErrorKind.BAD_SETTING, key="no_embedding")
    matrix = np.asarray(result.cell_model.embedding, dtype=np.float64)  # (letters, size)
    dim = matrix.shape[1]
    if dim == 1:
        return EmbeddingView(config.alphabet, np.column_stack([matrix[:, 0], np.zeros(len(matrix))]), 1, None)
    if dim == 2:
        return EmbeddingView(config.alphabet, matrix, 2, None)
    centred = matrix - matrix.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)  # PCA through the SVD
    explained = float((singular[:2] ** 2).sum() / max((singular**2).sum(), 1e-12))
    return EmbeddingView(config.alphabet, centred @ vt[:2].T, dim, explained)


# ---------------------------------------------------------------- files


def load_uploaded_model(data: bytes, config: LetterConfig) -> LetterResult:
    """A .keras file (loaded in safe mode) checked against `config`'s shapes; AppError BAD_MODEL_FILE if unusable."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise AppError(ErrorKind.BAD_MODEL_FILE, key="letter_model_too_large")
    model = load_model_bytes(data)
    _check_model_shapes(model, config)
    _check_probabilities(model, config)
    scored = _scored(model, config)
    key = make_key("letters-upload", hashlib.sha256(data).hexdigest())
    trained = TrainedModel(LETTERS.name, key, config, {}, 0.0, 0, 0, data, scored.outputs, scored.meta)
    return LetterResult(trained)


def _check_model_shapes(model, config: LetterConfig) -> None:
    want_in, want_out = expected_shapes(config)
    try:
        got_in, got_out = tuple(model.input_shape), tuple(model.output_shape)
    except (AttributeError, ValueError) as err:
        raise AppError(ErrorKind.BAD_MODEL_FILE, key="several_inputs") from err
    if got_in != want_in or got_out != want_out:
        raise AppError(
            ErrorKind.BAD_MODEL_FILE,
            key="wrong_shapes",
            got_in=_shape(got_in),
            got_out=_shape(got_out),
            want_in=_shape(want_in),
            n=config.n_letters,
            want_out=_shape(want_out),
        )


def _check_probabilities(model, config: LetterConfig) -> None:
    x, _, _ = make_dataset(config)
    try:
        probs = np.asarray(model(x, training=False), dtype=np.float64)
    except Exception as err:  # a model that cannot even run on the task's inputs is the wrong file
        raise AppError(ErrorKind.BAD_MODEL_FILE, key="cannot_read_letters") from err
    if not (np.all(probs >= 0) and np.allclose(probs.sum(axis=-1), 1.0, atol=1e-3)):
        raise AppError(ErrorKind.BAD_MODEL_FILE, key="not_probabilities")


def _shape(shape) -> str:
    return "(" + ", ".join("batch" if d is None else str(d) for d in shape) + ")"
