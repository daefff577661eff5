"""Character-level language models: configuration, data, builder, held-out score and a step function.

Two modes:
- default: Embedding(64) -> GRU(128) (SimpleRNN / LSTM / GRU is a toggle) -> Dense(vocab) logits,
  every step predicts the next character (sequences of 64), Adam 3e-3, global_clipnorm 1.
- course: the cookbook's TFLearn Shakespeare network: one-hot characters -> three LSTM(512) with
  Dropout(0.5) after each -> Dense(vocab); windows of 25 characters taken every 3 characters, one
  prediction per window (its third LSTM returns no sequence), Adam 0.001, batch 128, gradients
  clipped to a global norm of 5.0. Its slips and its reported curve are data here (COURSE_CURVE,
  course_slips) so a page can show them.

Both hold out the last 10% of the text by position (never random windows). Nothing here trains:
core/training.py calls `prepare_char`, `build_char_model` and `score_char`; `char_stepper` turns
a trained model's weights into a NumPy step function for generation (core/sampling.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from core.cell_models import one_blas_thread
from core.cells import (
    CellWeights,
    cell_parameter_count,
    dense_parameter_count,
    embedding_parameter_count,
    gru_step,
    lstm_step,
    rnn_step,
    run_cell,
)
from core.corpora import Vocab, cap_vocabulary, split_index
from core.i18n import text as _text
from core.models import CELL_LABELS, CELLS
from core.settings import SettingError, check_choice, check_range

MODES: tuple[str, ...] = ("default", "course")
CORPUS_CHOICES: tuple[str, ...] = ("shakespeare", "tang", "upload")
SCORE_BATCH = 256  # held-out sequences per evaluate batch (inference only: memory, not results)


@dataclass(frozen=True)
class CharConfig:
    """Everything that decides a character model; the object itself is (part of) the cache key."""

    corpus: str = "shakespeare"  # "shakespeare" | "tang" (embedded) or "upload" (the text comes as data)
    max_vocab: int = 0  # 0 = every character; else the most frequent max_vocab - 1 and "□" for the rest
    mode: str = "default"  # "default" (fast, honest) or "course" (the cookbook's network and settings)
    cell: str = "gru"  # "rnn" (SimpleRNN), "lstm" or "gru"
    embed_dim: int = 64  # size of a learned character vector; 0 = one-hot input (the cookbook's)
    units: int = 128  # units of each recurrent layer (the size of the memory h_t)
    layers: int = 1  # stacked recurrent layers
    many_to_one: bool = False  # True: only a window's last step predicts (the cookbook); False: every step
    seq_len: int = 64  # characters a training sequence reads (time steps)
    window_step: int = 64  # characters from one training sequence's start to the next (< seq_len overlaps)
    batch_size: int = 64  # sequences per update
    learning_rate: float = 3e-3  # Adam step size
    global_clipnorm: float = 1.0  # rescale all gradients together to at most this norm; 0 = no clipping
    dropout: float = 0.0  # Dropout rate after each recurrent layer (training only)
    epochs: int = 8  # epochs of steps_per_epoch batches (one point of the curve each)
    steps_per_epoch: int = 60  # batches per epoch, drawn on through shuffled passes; 0 = one pass per epoch
    seed: int = 7  # keras.utils.set_random_seed: initial weights, shuffling and dropout

    def __post_init__(self) -> None:
        check_choice("corpus", self.corpus, CORPUS_CHOICES)
        check_choice("mode", self.mode, MODES)
        check_choice("cell", self.cell, CELLS)
        for name, (low, high) in LIMITS.items():
            check_range(name, getattr(self, name), low, high, whole=isinstance(low, int), label=LABELS[name])
        if self.max_vocab == 1:
            raise SettingError("max_vocab", "The vocabulary cap must be 0 (no cap) or at least 2.", 0, 100_000, value=1)
        if not isinstance(self.many_to_one, bool):
            raise ValueError(f"many_to_one must be True or False (got {self.many_to_one!r})")

    @classmethod
    def for_mode(cls, mode: str = "default", corpus: str = "shakespeare", **changes) -> CharConfig:
        """The settings of a mode ("default" or "course") on a corpus, with optional changes."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        if mode == "course":  # the Tang poems keep their capped vocabulary (one-hot input of 3,000, not 6,054)
            cap = DEFAULT_CHANGES.get(corpus, {}).get("max_vocab", 0)
            return dataclasses.replace(COURSE_SETTINGS, corpus=corpus, **{"max_vocab": cap, **changes})
        return cls(corpus=corpus, **{**DEFAULT_CHANGES.get(corpus, {}), **changes})

    @property
    def cell_label(self) -> str:
        return CELL_LABELS[self.cell]

    def matches_course(self) -> bool:
        """True when every setting that shapes or trains the network is the cookbook's (seed and budget aside)."""
        free = {"corpus", "max_vocab", "mode", "seed", "epochs", "steps_per_epoch"}
        names = [f.name for f in dataclasses.fields(self) if f.name not in free]
        return all(getattr(self, n) == getattr(COURSE_SETTINGS, n) for n in names)


# Allowed ranges of the numeric settings (whole numbers where the bounds are ints); the page names a
# field by its own label, the command line by LABELS.
LIMITS: dict[str, tuple[float, float]] = {
    "max_vocab": (0, 100_000),
    "embed_dim": (0, 1024),
    "units": (1, 2048),
    "layers": (1, 4),
    "seq_len": (2, 1000),
    "window_step": (1, 1000),
    "batch_size": (1, 4096),
    "epochs": (1, 1000),
    "steps_per_epoch": (0, 1_000_000),
    "seed": (0, 2**31 - 1),
    "learning_rate": (1e-5, 1.0),
    "global_clipnorm": (0.0, 100.0),
    "dropout": (0.0, 0.9),
}
LABELS: dict[str, str] = {
    "max_vocab": "vocabulary cap",
    "embed_dim": "embedding size",
    "units": "units",
    "layers": "layers",
    "seq_len": "sequence length",
    "window_step": "window step",
    "batch_size": "batch size",
    "epochs": "epochs",
    "steps_per_epoch": "steps per epoch",
    "seed": "seed",
    "learning_rate": "learning rate",
    "global_clipnorm": "gradient clipping norm",
    "dropout": "dropout rate",
}


# Default mode on the Tang poems: with 6,054 characters the output layer dominates the time. In 90 s
# on a shared 2-core machine GRU(128) at Adam 3e-3 reached 6.59 nats/char (batch 16; the unigram
# scores 6.49). Capping the vocabulary at 3,000 (98.7% of the text; compute the baselines on the
# capped text too), batches of 16 and Adam 1e-2 reached 5.07, below that text's bigram (5.58).
# The step budgets are ours (core/training.py FitPlan.steps_per_epoch): Shakespeare 8 x 60 steps of 64
# sequences (about two passes; 2.06 nats/char after 240 steps in 46 s on the shared machine, load 7),
# Tang 6 x 100 steps of 16.
DEFAULT_CHANGES: dict[str, dict] = {
    "tang": {"max_vocab": 3000, "batch_size": 16, "learning_rate": 1e-2, "epochs": 6, "steps_per_epoch": 100}
}

# The cookbook's network and settings (TFLearn lstm_generator_shakespeare). Its few-step budget is
# ours: one of its epochs took 22,082 s on the author's machine (2,614 steps of ours would take about
# 2 h on a 2-core CPU at 2.6 s a step), so in class course mode runs 4 x 4 steps (about a minute;
# one curve point per 4 steps) and shows the reported curve below.
COURSE_SETTINGS = CharConfig(
    mode="course",
    cell="lstm",
    embed_dim=0,
    units=512,
    layers=3,
    many_to_one=True,
    seq_len=25,
    window_step=3,
    batch_size=128,
    learning_rate=1e-3,
    global_clipnorm=5.0,
    dropout=0.5,
    epochs=4,
    steps_per_epoch=4,
)


@dataclass(frozen=True)
class ReportedEpoch:
    """One line of the cookbook's training log (TFLearn prints the loss in nats per character)."""

    epoch: int  # epoch number in its log
    step: int  # optimizer steps so far (batches of 128)
    seconds: float  # wall time of that epoch on the author's machine
    loss: float  # training loss at the end of the epoch
    val_loss: float  # validation loss (random 10% of the overlapping windows: optimistic)


COURSE_CURVE: tuple[ReportedEpoch, ...] = (
    ReportedEpoch(1, 10_719, 22_082.057, 2.22092, 2.12443),
    ReportedEpoch(6, 64_314, 21_842.362, 1.44823, 1.40140),
)
# What its log says about its data (TFLearn's own Shakespeare file, not tiny-shakespeare).
COURSE_DATA = {"characters": 4_573_338, "distinct": 67, "sequences": 1_524_438, "train": 1_371_994, "val": 152_444}
COURSE_SLIPS: tuple[str, ...] = ("third_lstm", "random_validation", "low_temperature")


COURSE_NOTES: tuple[str, ...] = ("data", "time")


def course_slips(lang: str = "en") -> list[str]:
    """The cookbook's slips, one sentence each, in `lang`."""
    return [_text("textgen", f"course_slip_{key}", lang) for key in COURSE_SLIPS]


def course_notes(lang: str = "en") -> list[str]:
    """What differs from the cookbook's run besides its slips (its text, its time), one sentence each."""
    return [_text("textgen", f"course_note_{key}", lang) for key in COURSE_NOTES]


# ---------------------------------------------------------------- data


def model_text(config: CharConfig, text: str) -> str:
    """The text the model (and its baselines) see: `text`, its vocabulary capped if config.max_vocab."""
    return cap_vocabulary(text, config.max_vocab) if config.max_vocab else text


@dataclass(frozen=True, eq=False)
class CharArrays:
    """Training and held-out sequences of character ids, split by position."""

    vocab: Vocab  # the characters and their ids (distinct characters of the whole text)
    split: int  # characters [0, split) train; the rest is held out
    x_train: np.ndarray  # (sequences, seq_len) int32 ids
    y_train: np.ndarray  # (sequences, seq_len) next ids, or (sequences,) when many_to_one
    x_held: np.ndarray  # (held sequences, seq_len) int32 ids
    y_held: np.ndarray  # (held sequences, seq_len) or (held sequences,): held-out characters only

    @property
    def held_out_scored(self) -> int:
        """How many held-out characters the score averages over."""
        return int(self.y_held.size)


def prepare_char(config: CharConfig, text: str) -> CharArrays:
    """Sequences for training (from the first 90% of `text`) and scoring (targets in the last 10%).

    The text is first capped to config.max_vocab characters when that is set (see model_text).

    Training: windows of seq_len+1 characters every window_step characters, wholly before the split.
    Held-out: every step predicts (many-to-many): consecutive chunks whose targets are the held-out
    characters in order (each chunk starts from a zero state, so it sees 1..seq_len characters of
    context); many-to-one: one target every seq_len characters, read from the seq_len before it.
    """
    text = model_text(config, text)
    vocab = Vocab.from_text(text)
    ids = vocab.encode(text)
    split, n = split_index(len(ids)), config.seq_len
    if split < n + 1 or len(ids) - split < n + 1:
        raise ValueError(f"the text is too short for sequences of {n}: each part needs more than {n} characters")
    windows = np.lib.stride_tricks.sliding_window_view(ids[:split], n + 1)[:: config.window_step]
    if config.many_to_one:
        x_train, y_train = windows[:, :-1], windows[:, -1]
        targets = np.arange(split, len(ids), n)  # positions of the scored held-out characters
        x_held = np.stack([ids[t - n : t] for t in targets])
        y_held = ids[targets]
    else:
        x_train, y_train = windows[:, :-1], windows[:, 1:]
        chunks = (len(ids) - split) // n
        x_held = ids[split - 1 : split - 1 + chunks * n].reshape(chunks, n)
        y_held = ids[split : split + chunks * n].reshape(chunks, n)
    arrays = (np.ascontiguousarray(a, dtype=np.int32) for a in (x_train, y_train, x_held, y_held))
    return CharArrays(vocab, split, *arrays)


# ---------------------------------------------------------------- model


def build_char_model(config: CharConfig, vocab_size: int):
    """keras.Input ids -> Embedding "embedding" (or one-hot "one_hot") -> recurrent "<cell>_1".. with
    Dropout -> Dense "logits"; compiled with Adam, sparse categorical cross-entropy from logits."""
    import keras

    from core.models import recurrent_layer

    inputs = keras.Input(shape=(None,), dtype="int32", name="chars")  # (batch, time) ids
    if config.embed_dim:
        hidden = keras.layers.Embedding(vocab_size, config.embed_dim, name="embedding")(inputs)
    else:
        hidden = keras.layers.CategoryEncoding(vocab_size, output_mode="one_hot", name="one_hot")(inputs)
    for k in range(config.layers):
        sequences = not (config.many_to_one and k == config.layers - 1)
        hidden = recurrent_layer(config.cell, config.units, return_sequences=sequences, name=f"{config.cell}_{k + 1}")(
            hidden
        )
        if config.dropout:
            hidden = keras.layers.Dropout(config.dropout, name=f"dropout_{k + 1}")(hidden)
    logits = keras.layers.Dense(vocab_size, name="logits")(hidden)  # (batch, time, vocab) or (batch, vocab)
    model = keras.Model(inputs, logits, name=f"char_{config.mode}_{config.cell}")
    clip = {"global_clipnorm": config.global_clipnorm} if config.global_clipnorm else {}
    model.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate, **clip),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
    return model


def fit_arguments(config: CharConfig) -> dict:
    """The keyword arguments of model.fit that the config decides (the training path adds the rest)."""
    steps = config.steps_per_epoch or None  # None: every training sequence once per epoch
    return {"batch_size": config.batch_size, "epochs": config.epochs, "steps_per_epoch": steps, "shuffle": True}


def score_char(model, prepared: CharArrays) -> float:
    """Held-out cross-entropy in nats per character (the same unit as core.ngram's baselines)."""
    logs = model.evaluate(prepared.x_held, prepared.y_held, batch_size=SCORE_BATCH, verbose=0, return_dict=True)
    return float(logs["loss"])


def parameter_count(config: CharConfig, vocab_size: int) -> int:
    """Trainable parameters of build_char_model(config, vocab_size), from the formulas (no TensorFlow)."""
    total = embedding_parameter_count(vocab_size, config.embed_dim) if config.embed_dim else 0
    features = config.embed_dim or vocab_size
    for _ in range(config.layers):
        total += cell_parameter_count(config.cell, features, config.units)
        features = config.units
    return total + dense_parameter_count(config.units, vocab_size)


# ---------------------------------------------------------------- generation: a NumPy step function


@dataclass(frozen=True, eq=False)
class CharStepper:
    """next_logits(state, char_id) -> (logits, state) from a trained model's weights, in NumPy.

    Stateful (window == 0): the recurrent states carry from one character to the next, as the
    many-to-many model reads a sequence. Windowed (window > 0, the cookbook's many-to-one model):
    the state is the last `window` ids, re-read from a zero state at every step, as TFLearn generates.
    """

    vocab_size: int  # characters the model reads and writes
    embedding: np.ndarray | None  # (vocab, embed_dim) lookup table; None = one-hot input
    cells: tuple[CellWeights, ...]  # recurrent layers, bottom first
    kernel: np.ndarray  # (units, vocab) output Dense kernel
    bias: np.ndarray  # (vocab,) output Dense bias
    window: int = 0  # 0 = stateful; else characters re-read per step

    def __call__(self, state, char_id: int) -> tuple[np.ndarray, object]:
        if not 0 <= int(char_id) < self.vocab_size:
            raise ValueError(f"character id {char_id} is outside 0..{self.vocab_size - 1}")
        with one_blas_thread():  # one vector per step: BLAS threads only add hand-offs (40x slower when busy)
            return self._step(state, int(char_id))

    def _step(self, state, char_id: int) -> tuple[np.ndarray, object]:
        if self.window:
            recent = (*(state or ()), char_id)[-self.window :]
            return self._read_window(recent), recent
        x = self._input(np.array([char_id]))[0]  # (features,)
        states = list(state) if state is not None else [None] * len(self.cells)
        for k, w in enumerate(self.cells):
            x, states[k] = _step_cell(w, x, states[k])
        return x @ self.kernel + self.bias, tuple(states)

    def _input(self, ids: np.ndarray) -> np.ndarray:
        """(steps, features) vectors the first recurrent layer reads."""
        if self.embedding is not None:
            return self.embedding[ids]
        return np.eye(self.vocab_size, dtype=self.kernel.dtype)[ids]

    def _read_window(self, recent: tuple[int, ...]) -> np.ndarray:
        xs = self._input(np.array(recent))  # (steps, features)
        for w in self.cells:
            xs = run_cell(w, xs).outputs  # (steps, units): the next layer reads the whole sequence
        return xs[-1] @ self.kernel + self.bias


def _step_cell(w: CellWeights, x: np.ndarray, state):
    """One step of one layer from `state` (None = zeros): (h_t, new state)."""
    zeros = np.zeros(w.units, dtype=w.kernel.dtype)
    if w.cell == "lstm":
        h, c = state if state is not None else (zeros, zeros)
        out = lstm_step(w, x, h, c)
        return out["h"], (out["h"], out["c"])
    h = state if state is not None else zeros
    out = rnn_step(w, x, h) if w.cell == "rnn" else gru_step(w, x, h)
    return out["h"], out["h"]


_KERAS_CELLS = {"SimpleRNN": "rnn", "LSTM": "lstm", "GRU": "gru"}


def _cell_weights(layer) -> CellWeights:
    kernel, recurrent, bias = (np.asarray(a) for a in layer.get_weights())
    reset_after = bool(getattr(layer, "reset_after", True))
    return CellWeights(_KERAS_CELLS[type(layer).__name__], kernel, recurrent, bias, reset_after)


def char_stepper(model, config: CharConfig) -> CharStepper:
    """The step function of a model made by build_char_model (dropout is off when generating)."""
    layers = {layer.name: layer for layer in model.layers}
    embedding = np.asarray(layers["embedding"].get_weights()[0]) if "embedding" in layers else None
    cells = tuple(_cell_weights(layer) for layer in model.layers if type(layer).__name__ in _KERAS_CELLS)
    kernel, bias = (np.asarray(a) for a in layers["logits"].get_weights())
    window = config.seq_len if config.many_to_one else 0
    return CharStepper(kernel.shape[1], embedding, cells, kernel, bias, window)
