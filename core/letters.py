"""Letter prediction: the course's four letter models (L1-L4) and free configurations.

A model reads `input_len` letters (one-hot vectors, or ids looked up in an Embedding) and predicts
the next letter of the alphabet. Training runs a compiled step per batch that keeps `model.fit`'s
semantics (batches of `batch_size`, a fresh shuffle every epoch, Adam, sparse categorical
cross-entropy, loss and accuracy measured on each batch before its update), without fit's
per-epoch set-up cost, which dominates on five to twenty-six samples.
"""

from __future__ import annotations

import dataclasses
import json
import string
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.cache import ResultCache, Serializer, fingerprint_array, make_key
from core.errors import AppError, ErrorKind
from core.models import CELL_LABELS, check_cell, model_bytes, model_summary, trainable_variables_text  # noqa: F401
from core.progress import EpochTracker, Reporter

ALPHABET_5 = "abcde"
ALPHABET_26 = string.ascii_lowercase
ENCODINGS: tuple[str, ...] = ("onehot", "embedding")
CACHE_VERSION = 1  # bump when training changes, so older cached results are not reused
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
    cell: str = "rnn"  # "rnn" (SimpleRNN), "lstm" or "gru"
    units: int = 3  # recurrent units (the size of the memory h_t)
    epochs: int = 100  # passes over the training samples
    learning_rate: float = 0.01  # Adam step size
    batch_size: int = 32  # samples per update (all course tasks fit in one batch)
    seed: int = 7  # keras.utils.set_random_seed: initial weights and shuffling

    def __post_init__(self) -> None:
        if self.task != "custom" and self.task not in TASKS:
            raise ValueError(f"unknown task {self.task!r}; choose one of {', '.join(TASKS)} or 'custom'")
        check_alphabet(self.alphabet, self.input_len)
        if self.encoding not in ENCODINGS:
            raise ValueError(f"unknown encoding {self.encoding!r}; choose 'onehot' or 'embedding'")
        check_cell(self.cell)
        _check_range("Embedding size", self.embed_dim, 1, 64)
        _check_range("Units", self.units, 1, 256)
        _check_range("Epochs", self.epochs, 1, 5000)
        _check_range("Batch size", self.batch_size, 1, 1024)
        _check_range("Seed", self.seed, 0, 2**31 - 1)
        if not 0 < self.learning_rate <= 1:
            raise ValueError(f"The learning rate must be above 0 and at most 1 (got {self.learning_rate}).")

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


def _check_range(name: str, value, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high} (got {value!r}).")


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
    _check_range("Input length", input_len, 1, 8)
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


# ---------------------------------------------------------------- training


@dataclass
class LetterResult:
    """A trained letter model and what training measured. Treat a cached one as read-only."""

    model: object  # keras.Model
    config: LetterConfig  # what was trained
    history: dict[str, list[float]] = field(default_factory=dict)  # per epoch: "loss", "accuracy"
    accuracy: float = 0.0  # share of training inputs whose next letter the final model predicts
    train_seconds: float = 0.0  # wall seconds of training (building and tracing included)
    epochs_run: int = 0  # epochs in history (a continued model counts all of them)
    cached: bool = False  # True when this call found it in the cache
    predictions: dict[str, str] = field(default_factory=dict)  # input string -> predicted letter
    key: str = ""  # cache key (continued models chain from it)
    resumed_at: tuple[int, ...] = ()  # epochs after which training was continued (for the curves)


_TRAIN_LOCK = threading.Lock()  # seeding is global: one training at a time keeps runs reproducible


def result_key(config: LetterConfig) -> str:
    return make_key("letters", CACHE_VERSION, config)


def _compiled_step(model, optimizer, x_spec, loss_fn):
    """One compiled update: forward, loss, gradients, Adam; returns (batch loss, correct predictions)."""
    import tensorflow as tf

    variables = model.trainable_variables

    @tf.function(jit_compile=False, input_signature=[x_spec, tf.TensorSpec((None,), tf.int32)])
    def step(x, y):
        with tf.GradientTape() as tape:
            probs = model(x, training=True)
            loss = loss_fn(y, probs)
        grads = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(grads, variables, strict=True))
        hits = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(probs, axis=-1, output_type=tf.int32), y), tf.float32))
        return loss, hits

    return step


def fit_compiled(model, x, y, config: LetterConfig, tracker: EpochTracker, epochs_before: int = 0) -> None:
    """Train like model.fit(x, y, batch_size, epochs, shuffle=True); logs go to `tracker` per epoch."""
    import keras
    import tensorflow as tf

    optimizer = keras.optimizers.Adam(config.learning_rate)
    optimizer.build(model.trainable_variables)
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    x_spec = tf.TensorSpec((None, *x.shape[1:]), tf.as_dtype(x.dtype))
    step = _compiled_step(model, optimizer, x_spec, loss_fn)
    rng = np.random.default_rng(config.seed + epochs_before)  # a continued run shuffles differently
    n = len(x)
    for epoch in range(1, config.epochs + 1):
        order = rng.permutation(n)  # fit shuffles the samples every epoch
        loss_sum, hits = 0.0, 0.0
        for start in range(0, n, config.batch_size):
            idx = order[start : start + config.batch_size]
            loss, correct = step(x[idx], y[idx])
            loss_sum += float(loss) * len(idx)  # fit's epoch loss: batch losses weighted by batch size
            hits += float(correct)
        tracker.epoch_done(epoch, {"loss": loss_sum / n, "accuracy": hits / n})


def _final_predictions(model, config: LetterConfig) -> tuple[float, dict[str, str]]:
    x, y, inputs = make_dataset(config)
    predicted = np.argmax(np.asarray(model(x, training=False)), axis=-1)
    accuracy = float(np.mean(predicted == y))
    return accuracy, {s: config.alphabet[int(p)] for s, p in zip(inputs, predicted, strict=True)}


def _train_fresh(config: LetterConfig, report: Reporter | None) -> LetterResult:
    import keras

    with _TRAIN_LOCK:
        start = time.perf_counter()
        keras.utils.set_random_seed(config.seed)
        model = build_letter_model(config)
        x, y, _ = make_dataset(config)
        tracker = EpochTracker(config.epochs, report)
        fit_compiled(model, x, y, config, tracker)
        seconds = time.perf_counter() - start
    accuracy, predictions = _final_predictions(model, config)
    return LetterResult(model, config, tracker.history, accuracy, seconds, config.epochs, False, predictions)


def train_letters(config: LetterConfig, *, report: Reporter | None = None, use_cache: bool = True) -> LetterResult:
    """Train (or fetch from LETTERS_CACHE) the model of `config`; `report` gets EpochInfo per epoch."""
    key = result_key(config)

    def compute() -> LetterResult:
        return dataclasses.replace(_train_fresh(config, report), key=key)

    result, was_cached = LETTERS_CACHE.get_or_compute(key, compute, use_cache=use_cache)
    return dataclasses.replace(result, cached=was_cached)


def _copy_model(model):
    import keras

    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


def continue_training(
    result: LetterResult, extra_epochs: int, *, report: Reporter | None = None, use_cache: bool = True
) -> LetterResult:
    """Train a copy of `result.model` for `extra_epochs` more (fresh Adam, as the course's resumed
    checkpoint does); cached under its own key; the history continues the old curves."""
    _check_range("Extra epochs", extra_epochs, 1, 5000)
    key = make_key("letters-continue", CACHE_VERSION, result.key or _weights_key(result.model), extra_epochs)

    def compute() -> LetterResult:
        import keras

        config = dataclasses.replace(result.config, epochs=extra_epochs)
        done = result.epochs_run
        with _TRAIN_LOCK:
            start = time.perf_counter()
            keras.utils.set_random_seed(config.seed + done)
            model = _copy_model(result.model)
            x, y, _ = make_dataset(config)
            tracker = EpochTracker(extra_epochs, report)  # epochs of this run; the curves hold all of them
            tracker.history = {k: list(v) for k, v in result.history.items()}
            fit_compiled(model, x, y, config, tracker, epochs_before=done)
            seconds = time.perf_counter() - start
        accuracy, predictions = _final_predictions(model, result.config)
        total, resumed = done + extra_epochs, (*result.resumed_at, done)
        return LetterResult(
            model, result.config, tracker.history, accuracy, seconds, total, False, predictions, key, resumed
        )

    value, was_cached = LETTERS_CACHE.get_or_compute(key, compute, use_cache=use_cache)
    return dataclasses.replace(value, cached=was_cached)


def _weights_key(model) -> str:
    return make_key("letters-weights", *(fingerprint_array(w) for w in model.get_weights()))


def warm() -> dict[str, str]:
    """Train the four course tasks (SimpleRNN, seed 7) into the cache; says per task what happened."""
    done = {}
    for task in TASKS:
        result = train_letters(LetterConfig.course(task))
        done[task] = f"{'cached' if result.cached else 'trained'}, accuracy {result.accuracy:.0%}"
    return done


# ---------------------------------------------------------------- prediction


def check_text(config: LetterConfig, text: str) -> str:
    """The typed letters, lower-cased when the alphabet is; AppError BAD_INPUT naming what is wrong."""
    text = (text or "").strip()
    if text.lower() != text and all(ch.lower() in config.alphabet for ch in text):
        text = text.lower()
    outside = [ch for ch in dict.fromkeys(text) if ch not in config.alphabet]
    if outside:
        letters = ", ".join(repr(ch) for ch in outside)
        raise AppError(ErrorKind.BAD_INPUT, f"{letters} is not in the alphabet {config.alphabet!r}.")
    if len(text) != config.input_len:
        raise AppError(
            ErrorKind.BAD_INPUT,
            f"Type exactly {config.input_len} letter(s); {text!r} has {len(text)}.",
        )
    return text


def _probabilities(model, config: LetterConfig, text: str) -> np.ndarray:
    return np.asarray(model(encode(config, [text]), training=False))[0]


def predict_next(result_or_model, config: LetterConfig, text: str) -> dict[str, float]:
    """Probability of every letter of the alphabet following `text` (in alphabet order)."""
    model = getattr(result_or_model, "model", result_or_model)
    probs = _probabilities(model, config, check_text(config, text))
    return {ch: float(p) for ch, p in zip(config.alphabet, probs, strict=True)}


def keep_going(result_or_model, config: LetterConfig, text: str, steps: int) -> str:
    """Feed each predicted letter back in for `steps` steps; returns `text` plus the generated letters."""
    _check_range("Steps", steps, 1, 500)
    model = getattr(result_or_model, "model", result_or_model)
    out = check_text(config, text)
    for _ in range(steps):
        probs = _probabilities(model, config, out[-config.input_len :])
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


def mapping_rows(result_or_model, config: LetterConfig) -> list[MappingRow]:
    """The course's mapping table: every training input -> predicted letter."""
    model = getattr(result_or_model, "model", result_or_model)
    x, y, inputs = make_dataset(config)
    probs = np.asarray(model(x, training=False))  # (samples, letters)
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


def embedding_view(model, config: LetterConfig) -> EmbeddingView:
    """The Embedding matrix (letters x size): as is for size 2, else its first two principal components."""
    if config.encoding != "embedding":
        raise AppError(ErrorKind.BAD_SETTING, "This model reads one-hot letters: it has no Embedding to show.")
    matrix = np.asarray(model.get_layer("embedding").get_weights()[0], dtype=np.float64)  # (letters, size)
    dim = matrix.shape[1]
    if dim == 1:
        return EmbeddingView(config.alphabet, np.column_stack([matrix[:, 0], np.zeros(len(matrix))]), 1, None)
    if dim == 2:
        return EmbeddingView(config.alphabet, matrix, 2, None)
    centred = matrix - matrix.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)  # PCA through the SVD
    explained = float((singular[:2] ** 2).sum() / max((singular**2).sum(), 1e-12))
    return EmbeddingView(config.alphabet, centred @ vt[:2].T, dim, explained)


_SCRIPT = """\"\"\"Letter prediction {title} as a stand-alone Keras script in the course's six steps.

Written by RNN Lab from the page's settings. Run: python {file_name}
\"\"\"

# 1. import
import keras
import numpy as np

# 2. training data: every input of {input_len} letter(s) and the letter that follows it
alphabet = {alphabet!r}
input_len = {input_len}
cyclic = {cyclic}  # {cyclic_note}
n = len(alphabet)
starts = range(n) if cyclic else range(n - input_len)
inputs = ["".join(alphabet[(s + i) % n] for i in range(input_len)) for s in starts]
x_train = np.array([[alphabet.index(ch) for ch in text] for text in inputs], dtype="int32")  # (samples, time)
y_train = np.array([(s + input_len) % n for s in starts], dtype="int32")  # id of the next letter
{one_hot_line}keras.utils.set_random_seed({seed})  # initial weights and shuffling

# 3. the model
model = keras.Sequential(
    [
        keras.Input(shape={input_shape}{input_dtype}),
{embedding_line}        keras.layers.{cell_class}({units}),
        keras.layers.Dense(n, activation="softmax"),
    ]
)

# 4. compile
model.compile(
    optimizer=keras.optimizers.Adam({learning_rate}),
    loss=keras.losses.SparseCategoricalCrossentropy(),
    metrics=["sparse_categorical_accuracy"],
)

# 5. fit
history = model.fit(x_train, y_train, batch_size={batch_size}, epochs={epochs}, verbose=2)

# 6. summary
model.summary()

# afterwards: the prediction for every training input
predicted = model.predict(x_train, verbose=0).argmax(axis=1)
for text, p in zip(inputs, predicted):
    print(text, "->", alphabet[p])
"""


def script_file_name(config: LetterConfig) -> str:
    return f"letters_{config.task}_{config.cell}.py"


def standalone_script(config: LetterConfig) -> str:
    """An equivalent plain-Keras script (model.fit) in the course's six steps."""
    onehot = config.encoding == "onehot"
    title = config.task if config.task != "custom" else f"({config.alphabet[:8]}…, {config.input_len} letters)"
    return _SCRIPT.format(
        title=title,
        file_name=script_file_name(config),
        alphabet=config.alphabet,
        input_len=config.input_len,
        cyclic=config.cyclic,
        cyclic_note="windows wrap around the end of the alphabet" if config.cyclic else "windows stop at the end",
        one_hot_line='x_train = np.eye(n, dtype="float32")[x_train]  # one-hot: (samples, time, letters)\n'
        if onehot
        else "",
        seed=config.seed,
        input_shape="(input_len, n)" if onehot else "(input_len,)",
        input_dtype="" if onehot else ', dtype="int32"',
        embedding_line="" if onehot else f"        keras.layers.Embedding(n, {config.embed_dim}),\n",
        cell_class=config.cell_label,
        units=config.units,
        learning_rate=config.learning_rate,
        batch_size=config.batch_size,
        epochs=config.epochs,
    )


# ---------------------------------------------------------------- files


def load_uploaded_model(data: bytes, config: LetterConfig) -> LetterResult:
    """A .keras file (loaded with safe_mode) checked against `config`'s shapes; AppError BAD_MODEL_FILE if unusable."""
    if not data:
        raise AppError(ErrorKind.BAD_MODEL_FILE, "The uploaded file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise AppError(ErrorKind.BAD_MODEL_FILE, "The uploaded file is larger than 20 MB: no letter model is that big.")
    model = _load_keras_bytes(data)
    _check_model_shapes(model, config)
    _check_probabilities(model, config)
    accuracy, predictions = _final_predictions(model, config)
    result = LetterResult(model, config, {}, accuracy, 0.0, 0, False, predictions)
    result.key = _weights_key(model)
    return result


def _load_keras_bytes(data: bytes):
    import zipfile

    import keras

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.keras"
        path.write_bytes(data)
        if not zipfile.is_zipfile(path):
            raise AppError(
                ErrorKind.BAD_MODEL_FILE, "This is not a .keras model file (a .keras file is a zip archive)."
            )
        try:
            return keras.saving.load_model(path, compile=False, safe_mode=True)
        except Exception as err:  # any unreadable file is the user's wrong file, said in one sentence
            raise AppError(ErrorKind.BAD_MODEL_FILE, _load_failure_sentence(err)) from err


def _load_failure_sentence(err: Exception) -> str:
    message = str(err)
    if "safe_mode" in message or "unsafe" in message.lower():
        return "This model contains Python code (for example a Lambda layer), so it cannot be loaded safely and is refused."
    return "This .keras file cannot be loaded as a Keras model: it may be damaged, or not a model saved by Keras 3."


def _check_model_shapes(model, config: LetterConfig) -> None:
    want_in, want_out = expected_shapes(config)
    try:
        got_in, got_out = tuple(model.input_shape), tuple(model.output_shape)
    except (AttributeError, ValueError) as err:
        raise AppError(ErrorKind.BAD_MODEL_FILE, "The model has more than one input or output.") from err
    if got_in != want_in or got_out != want_out:
        raise AppError(
            ErrorKind.BAD_MODEL_FILE,
            f"This model reads inputs of shape {_shape(got_in)} and outputs {_shape(got_out)}, but this task "
            f"needs inputs of shape {_shape(want_in)} and {config.n_letters} letter probabilities {_shape(want_out)}.",
        )


def _check_probabilities(model, config: LetterConfig) -> None:
    x, _, _ = make_dataset(config)
    try:
        probs = np.asarray(model(x, training=False), dtype=np.float64)
    except Exception as err:  # a model that cannot even run on the task's inputs is the wrong file
        raise AppError(ErrorKind.BAD_MODEL_FILE, "The model cannot read this task's letters.") from err
    if not (np.all(probs >= 0) and np.allclose(probs.sum(axis=-1), 1.0, atol=1e-3)):
        raise AppError(
            ErrorKind.BAD_MODEL_FILE,
            "The model's outputs are not probabilities (its last layer needs a softmax activation).",
        )


def _shape(shape) -> str:
    return "(" + ", ".join("batch" if d is None else str(d) for d in shape) + ")"


# ---------------------------------------------------------------- cache


def _save_result(result: LetterResult, folder: Path) -> None:
    result.model.save(folder / "model.keras")
    meta = {
        "config": dataclasses.asdict(result.config),
        "history": result.history,
        "accuracy": result.accuracy,
        "train_seconds": result.train_seconds,
        "epochs_run": result.epochs_run,
        "predictions": result.predictions,
        "key": result.key,
        "resumed_at": list(result.resumed_at),
    }
    (folder / "result.json").write_text(json.dumps(meta), encoding="utf-8")


def _load_result(folder: Path) -> LetterResult:
    import keras

    meta = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    model = keras.saving.load_model(folder / "model.keras", compile=False)
    config = LetterConfig(**meta.pop("config"))
    meta["resumed_at"] = tuple(meta.get("resumed_at", ()))
    return LetterResult(model=model, config=config, cached=True, **meta)


LETTERS_CACHE: ResultCache[LetterResult] = ResultCache(
    "letters", max_items=32, serializer=Serializer(_save_result, _load_result)
)
