"""Letter models for the cell page: shipped as NumPy arrays, replayed in NumPy, checked against Keras.

A model file (assets/cells/<cell>.npz) holds the recurrent layer's weights in Keras's layout, the
output layer, optionally an embedding table, and a JSON metadata record (task, training figures,
Keras's own parameter count and the measured replay difference). Loading needs NumPy only; the
functions that build or measure against Keras import it inside themselves.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.cells import CellTrace, CellWeights, cell_parameter_count, dense_output, run_cell
from core.errors import AppError, ErrorKind
from core.models import CELL_LABELS

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "cells"
VARIANTS: tuple[str, ...] = ("rnn", "lstm", "gru", "gru_reset_before", "peephole")
CELL_NAMES: dict[str, str] = CELL_LABELS  # every cell a CellModel may hold (peephole included)


@dataclass
class CellModel:
    """A letter model: [embedding or one-hot] -> recurrent cell -> Dense(softmax)."""

    weights: CellWeights  # the recurrent layer, Keras layout
    dense_kernel: np.ndarray = field(repr=False)  # (units, letters)
    dense_bias: np.ndarray = field(repr=False)  # (letters,)
    alphabet: str = "abcde"  # the letters, in index order
    embedding: np.ndarray | None = field(default=None, repr=False)  # (letters, dims) or None for one-hot
    meta: dict = field(default_factory=dict)  # task, seed, epochs, accuracy, count_params, replay_difference ...

    @property
    def cell(self) -> str:
        return self.weights.cell

    @property
    def input_length(self) -> int:
        return int(self.meta.get("input_length", 4))

    def encode(self, text: str) -> np.ndarray:
        """Letters -> (steps, features): one-hot rows, or embedding rows."""
        text = check_letters(text, self.alphabet)
        idx = [self.alphabet.index(ch) for ch in text]
        table = np.eye(len(self.alphabet)) if self.embedding is None else self.embedding
        return table[idx].astype(np.float64)

    def parameter_count(self) -> int:
        """Our formula's count of the whole model (embedding + cell + dense)."""
        w = self.weights
        total = cell_parameter_count(w.cell, w.features, w.units, w.reset_after) + self.dense_kernel.size
        total += self.dense_bias.size
        return total + (0 if self.embedding is None else self.embedding.size)


@dataclass
class LetterTrace:
    """A replay of one input string: every step of the cell, then the output layer."""

    text: str  # the input letters
    trace: CellTrace  # every intermediate of every step
    output: dict  # dense_output(h_T): h_part, bias, logits, y
    alphabet: str

    @property
    def probabilities(self) -> np.ndarray:
        return self.output["y"]

    @property
    def prediction(self) -> str:
        return self.alphabet[int(np.argmax(self.output["y"]))]


def check_letters(text: str, alphabet: str, max_len: int = 12) -> str:
    """Lower-case, strip spaces; raise AppError(BAD_INPUT) naming the allowed letters."""
    clean = "".join(text.split()).lower()
    if not clean or len(clean) > max_len or any(ch not in alphabet for ch in clean):
        raise AppError(ErrorKind.BAD_INPUT, key="type_letters", n=max_len, alphabet=repr(alphabet), text=repr(text))
    return clean


_BLAS: list = []  # a threadpoolctl controller, created on first use


def one_blas_thread():
    """A context running BLAS on one thread: the per-step products are tiny, so threads only add hand-offs,
    and on a busy machine they multiply the time (see benchmarks/bench_cells.py). No-op without threadpoolctl."""
    try:
        if not _BLAS:
            from threadpoolctl import ThreadpoolController  # installed with scikit-learn

            _BLAS.append(ThreadpoolController())
        return _BLAS[0].limit(limits=1, user_api="blas")
    except ImportError:
        return contextlib.nullcontext()


def trace_letters(model: CellModel, text: str) -> LetterTrace:
    """Replay `text` through the model in NumPy (float64)."""
    trace = run_cell(model.weights.as_float64(), model.encode(text))
    out = dense_output(trace.outputs[-1], model.dense_kernel.astype(np.float64), model.dense_bias.astype(np.float64))
    return LetterTrace(text=check_letters(text, model.alphabet), trace=trace, output=out, alphabet=model.alphabet)


def worked_trace(result) -> LetterTrace:
    """A course worked example (core.worked_examples.WorkedResult) in the page's trace form."""
    values = {name: np.stack([r[name] for r in result.records]) for name in result.records[0]}
    text = "".join(s.letter for s in result.example.steps)
    output = {"h_part": np.array(result.example.output_h_part), "bias": np.array(result.example.b_y),
              "logits": result.logits, "y": result.y}  # fmt: skip
    return LetterTrace(text=text, trace=CellTrace("rnn", values), output=output, alphabet="abcde")


def parameter_rows(model: CellModel) -> list[dict]:
    """Each layer's count written out from its formula; the last row is the total."""
    w, n = model.weights, len(model.alphabet)
    f, u = w.features, w.units
    rows = []
    if model.embedding is not None:
        rows.append({"layer": "Embedding", "formula": f"{n}·{f}", "count": model.embedding.size})
    inner = f"{u}·({f}+{u}) + {'2·' if w.cell == 'gru' and w.reset_after else ''}{u}"
    gates = {"rnn": "", "lstm": "4 × ", "gru": "3 × ", "peephole": "4 × "}[w.cell]
    formula = f"{gates}({inner})" if gates else inner
    formula += f" + 3·{u}" if w.cell == "peephole" else ""  # one peephole weight per gate (i, f, o) and unit
    rows.append(
        {"layer": CELL_NAMES[w.cell], "formula": formula, "count": cell_parameter_count(w.cell, f, u, w.reset_after)}
    )
    rows.append({"layer": "Dense", "formula": f"{u}·{n} + {n}", "count": u * n + n})
    rows.append(
        {"layer": "total", "formula": " + ".join(str(r["count"]) for r in rows), "count": model.parameter_count()}
    )
    return rows


def convention_numbers(models: dict[str, CellModel], traces: dict[str, LetterTrace], step: int) -> dict:
    """One worked number per convention at `step` (0-based), unit 1, from the rnn and gru replays of one text."""
    rnn, gru = models["rnn"], models["gru"]
    text = traces["gru"].text
    j = rnn.alphabet.index(text[step])
    g = traces["gru"].trace.at(step)
    u = gru.weights.units
    b_rh = float(gru.weights.bias[1, 2 * u]) if gru.weights.reset_after else 0.0
    r, hu = float(g["r"][0]), float(g["h_cand"][0]) - b_rh  # h·U_h without its bias
    return {
        "letter": text[step], "index": j + 1, "w_row": float(rnn.weights.kernel[j, 0]),
        "x_part": float(traces["rnn"].trace.at(step)["x_part"][0]),
        "r": r, "hu": hu, "b_rh": b_rh, "keras_term": r * (hu + b_rh), "single_bias_term": r * hu + b_rh,
        "z": float(g["z"][0]), "course_z": 1 - float(g["z"][0]), "h": float(g["h"][0]),
        "h_prev": float(g["h_prev"][0]), "cand": float(g["cand"][0]),
    }  # fmt: skip


# ---------------------------------------------------------------- files


def model_path(cell: str) -> Path:
    return ASSETS / f"{cell}.npz"


def cell_model_to_arrays(model: CellModel) -> tuple[dict[str, np.ndarray], dict]:
    """A letter model as plain arrays plus JSON metadata (a .npz file, or a trained result's outputs)."""
    w = model.weights
    arrays = {
        "kernel": w.kernel,
        "recurrent_kernel": w.recurrent_kernel,
        "bias": w.bias,
        "dense_kernel": model.dense_kernel,
        "dense_bias": model.dense_bias,
    }
    if model.embedding is not None:
        arrays["embedding"] = model.embedding
    if w.peephole is not None:
        arrays["peephole"] = w.peephole
    return arrays, {**model.meta, "cell": w.cell, "reset_after": w.reset_after, "alphabet": model.alphabet}


def cell_model_from_arrays(arrays, meta: dict) -> CellModel:
    """The letter model `cell_model_to_arrays` wrote."""
    weights = CellWeights(
        meta["cell"],
        arrays["kernel"],
        arrays["recurrent_kernel"],
        arrays["bias"],
        bool(meta.get("reset_after", True)),
        arrays.get("peephole"),
    )
    embedding = arrays.get("embedding")
    return CellModel(weights, arrays["dense_kernel"], arrays["dense_bias"], meta["alphabet"], embedding, meta)


def save_cell_model(model: CellModel, path: Path) -> None:
    """Write arrays + JSON metadata into one .npz (readable without pickle)."""
    arrays, meta = cell_model_to_arrays(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, meta=np.array(json.dumps(meta, sort_keys=True)), **arrays)


def load_cell_model(path_or_cell: str | Path) -> CellModel:
    """Read a model file (or the shipped one for "rnn" / "lstm" / "gru"); AppError if unusable."""
    path = model_path(path_or_cell) if str(path_or_cell) in VARIANTS else Path(path_or_cell)
    try:
        with np.load(path, allow_pickle=False) as data:
            return cell_model_from_arrays({k: data[k] for k in data.files}, json.loads(str(data["meta"])))
    except (OSError, KeyError, ValueError) as err:
        raise AppError(ErrorKind.BAD_MODEL_FILE, key="cell_file_unreadable", name=path.name, reason=str(err)) from err


SHIPPED: tuple[str, ...] = ("rnn", "lstm", "gru", "peephole")  # the letter models in assets/cells


def shipped_models() -> dict[str, CellModel]:
    """The course letter models that ship with the app, by cell."""
    return {cell: load_cell_model(cell) for cell in SHIPPED}


# ---------------------------------------------------------------- Keras (imported lazily)


def from_keras(model, alphabet: str = "abcde", meta: dict | None = None) -> CellModel:
    """Extract a CellModel from a Keras letter model: [Embedding] -> one recurrent layer -> Dense.

    Layers are found by their type, so a model saved by the stand-alone script works too; any other
    shape is refused with AppError(BAD_MODEL_FILE) (the NumPy replay knows only this one).
    """
    recurrent = [layer for layer in model.layers if type(layer).__name__ in ("SimpleRNN", "LSTM", "GRU", "RNN")]
    dense = [layer for layer in model.layers if type(layer).__name__ == "Dense"]
    embeddings = [layer for layer in model.layers if type(layer).__name__ == "Embedding"]
    if len(recurrent) != 1 or len(dense) != 1 or len(embeddings) > 1:
        raise AppError(ErrorKind.BAD_MODEL_FILE, key="not_letter_shape")
    dense_kernel, dense_bias = (np.asarray(a) for a in dense[0].get_weights())
    embedding = np.asarray(embeddings[0].get_weights()[0]) if embeddings else None
    meta = {**(meta or {}), "count_params": int(model.count_params())}
    return CellModel(layer_weights(recurrent[0]), dense_kernel, dense_bias, alphabet, embedding, meta)


def layer_weights(layer) -> CellWeights:
    """The weights of a Keras SimpleRNN / LSTM / GRU layer, or of keras.layers.RNN(PeepholeLSTMCell)."""
    kinds = {"SimpleRNN": "rnn", "LSTM": "lstm", "GRU": "gru", "PeepholeLSTMCell": "peephole"}
    name = type(layer.cell).__name__ if type(layer).__name__ == "RNN" else type(layer).__name__
    if name not in kinds:
        raise AppError(ErrorKind.BAD_MODEL_FILE, key="cannot_replay_layer", name=name)
    arrays = [np.asarray(a) for a in layer.get_weights()]  # kernel, recurrent kernel, bias (, peephole)
    peephole = arrays[3] if kinds[name] == "peephole" else None
    return CellWeights(kinds[name], *arrays[:3], bool(getattr(layer, "reset_after", True)), peephole)


def keras_layer(weights: CellWeights, return_state: bool = True):
    """A Keras recurrent layer of the same kind and size as `weights` (unbuilt)."""
    import keras

    if weights.cell == "peephole":
        from core.peephole import peephole_layer

        return peephole_layer(weights.units, return_sequences=True, return_state=return_state)
    cls = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[weights.cell]
    extra = {"reset_after": weights.reset_after} if weights.cell == "gru" else {}
    return cls(weights.units, return_sequences=True, return_state=return_state, **extra)


def keras_run(weights: CellWeights, xs: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Keras's own per-step outputs (batch, steps, units) and final states for inputs xs."""
    import keras

    xs = np.asarray(xs, dtype="float32")
    inp = keras.Input(shape=xs.shape[1:])
    layer = keras_layer(weights)
    model = keras.Model(inp, layer(inp))
    layer.set_weights(keras_weight_list(weights))
    seq, *states = model.predict(xs, verbose=0)
    return np.asarray(seq), [np.asarray(s) for s in states]


def keras_weight_list(weights: CellWeights) -> list[np.ndarray]:
    """The arrays in `layer.set_weights` order: kernel, recurrent kernel, bias (and the peephole vector)."""
    arrays = [weights.kernel, weights.recurrent_kernel, weights.bias]
    return arrays if weights.peephole is None else [*arrays, weights.peephole]


def replay_difference(weights: CellWeights, xs: np.ndarray) -> float:
    """Max |NumPy replay - Keras| over every step's output and the final states, xs (batch, steps, features)."""
    seq, states = keras_run(weights, xs)
    trace = run_cell(weights.as_float64(), np.asarray(xs, dtype=np.float64))
    ours = [np.moveaxis(trace.outputs, 0, 1), *trace.final_states]
    return float(max(np.max(np.abs(a - b)) for a, b in zip(ours, [seq, *states], strict=True)))


def model_replay_difference(model: CellModel, texts: list[str] | None = None) -> float:
    """The replay difference of a letter model over `texts` (default: every cyclic window of its alphabet),
    including its softmax output against Keras's Dense layer."""
    import keras

    n, a = model.input_length, model.alphabet
    texts = texts or [(a * 2)[i : i + n] for i in range(len(a))]
    xs = np.stack([model.encode(t) for t in texts])
    difference = replay_difference(model.weights, xs)
    seq, _ = keras_run(model.weights, xs)
    dense = keras.layers.Dense(len(a), activation="softmax")
    dense.build((None, model.weights.units))
    dense.set_weights([model.dense_kernel, model.dense_bias])
    keras_probs = np.asarray(dense(seq[:, -1, :]))
    ours = np.stack([trace_letters(model, t).probabilities for t in texts])
    return max(difference, float(np.max(np.abs(ours - keras_probs))))


@dataclass
class StackTrace:
    """A replay of a stacked recurrent model (the forecasting page's) over one input window."""

    text: tuple[str, ...]  # one label per time step (dates), used as the heatmaps' x labels
    layers: list[CellTrace]  # one trace per recurrent layer, bottom first
    output: dict  # dense_output(h_T of the top layer), activation linear

    def layer(self, k: int) -> LetterTrace:
        """Layer k in the form the cell figures take."""
        return LetterTrace(text=self.text, trace=self.layers[k], output=self.output, alphabet="")


def recurrent_stack(model) -> tuple[list[CellWeights], np.ndarray, np.ndarray]:
    """The recurrent layers ("<cell>_1", "<cell>_2", ... as core.forecast names them) and the output Dense."""
    names = {"SimpleRNN": "rnn", "LSTM": "lstm", "GRU": "gru"}
    layers = [layer for layer in model.layers if type(layer).__name__ in names]
    if not layers:
        raise AppError(ErrorKind.BAD_MODEL_FILE, key="no_recurrent_layer")
    weights = [CellWeights(names[type(layer).__name__], *(np.asarray(a) for a in layer.get_weights()),
                           bool(getattr(layer, "reset_after", True))) for layer in layers]  # fmt: skip
    kernel, bias = (np.asarray(a) for a in model.layers[-1].get_weights())
    return weights, kernel, bias


_GATES_TO_CELL = {1: "rnn", 4: "lstm", 3: "gru"}  # kernel columns / units -> cell


def stack_to_arrays(weights: list[CellWeights], kernel, bias) -> dict[str, np.ndarray]:
    """A recurrent stack as plain arrays ("stack:<k>:kernel" ...), for a trained result's outputs."""
    out = {"stack:out_kernel": np.asarray(kernel), "stack:out_bias": np.asarray(bias)}
    for k, w in enumerate(weights):
        out |= {
            f"stack:{k}:kernel": w.kernel,
            f"stack:{k}:recurrent_kernel": w.recurrent_kernel,
            f"stack:{k}:bias": w.bias,
        }
    return out


def stack_from_arrays(arrays: dict[str, np.ndarray]) -> tuple[list[CellWeights], np.ndarray, np.ndarray]:
    """The stack `stack_to_arrays` wrote (the cell type follows from the kernel's width)."""
    weights, k = [], 0
    while f"stack:{k}:kernel" in arrays:
        kernel, recurrent, bias = (arrays[f"stack:{k}:{n}"] for n in ("kernel", "recurrent_kernel", "bias"))
        cell = _GATES_TO_CELL[kernel.shape[1] // recurrent.shape[0]]
        weights.append(CellWeights(cell, kernel, recurrent, bias, bias.ndim == 2 or cell != "gru"))
        k += 1
    if not weights:
        raise AppError(ErrorKind.BAD_MODEL_FILE, key="no_recurrent_layer")
    return weights, arrays["stack:out_kernel"], arrays["stack:out_bias"]


def trace_stack(weights: list[CellWeights], kernel, bias, window: np.ndarray, labels) -> StackTrace:
    """Replay window (steps, features) through every layer (dropout is off at prediction time)."""
    traces, inputs = [], np.asarray(window, dtype=np.float64)
    with one_blas_thread():
        for w in weights:
            traces.append(run_cell(w.as_float64(), inputs))
            inputs = traces[-1].outputs  # the next layer reads this layer's whole sequence
    out = dense_output(inputs[-1], np.asarray(kernel, np.float64), np.asarray(bias, np.float64), "linear")
    return StackTrace(tuple(labels), traces, out)


def stack_replay_difference(model, window: np.ndarray) -> float:
    """Max |NumPy - Keras| over every layer's per-step outputs and the model's prediction for one window."""
    import keras

    weights, kernel, bias = recurrent_stack(model)
    trace = trace_stack(weights, kernel, bias, window, range(len(window)))
    layers = [layer for layer in model.layers if type(layer).__name__ in ("SimpleRNN", "LSTM", "GRU")]
    x = np.asarray(window, dtype="float32")[None]
    differences = [abs(float(np.asarray(model.predict(x, verbose=0)).ravel()[0]) - float(trace.output["y"][0]))]
    for layer, ours in zip(layers, trace.layers, strict=True):
        seq_out = keras.Model(model.inputs, layer.output).predict(x, verbose=0)[0]  # (steps, units) or (units,)
        mine = ours.outputs if seq_out.ndim == 2 else ours.outputs[-1]
        differences.append(float(np.max(np.abs(mine - seq_out))))
    return max(differences)


def random_weights(variant: str, features: int, units: int, seed: int = 0, scale: float = 0.8) -> CellWeights:
    """Random non-zero weights and biases (both GRU bias rows, the peephole vector) in Keras's layout."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    rng = np.random.default_rng(seed)
    cell = "gru" if variant.startswith("gru") else variant
    reset_after = variant != "gru_reset_before"
    k = {"rnn": 1, "lstm": 4, "gru": 3, "peephole": 4}[cell]
    bias_shape = (2, k * units) if cell == "gru" and reset_after else (k * units,)
    draw = lambda *shape: rng.uniform(-scale, scale, shape).astype("float32")  # noqa: E731
    arrays = draw(features, k * units), draw(units, k * units), draw(*bias_shape)
    return CellWeights(cell, *arrays, reset_after, draw(3 * units) if cell == "peephole" else None)


def check_all(steps: int = 24, seed: int = 0, include_shipped: bool = True) -> dict[str, float]:
    """Max replay difference per variant over random weights (and the shipped letter models)."""
    rng = np.random.default_rng(seed)
    xs = rng.normal(size=(4, steps, 3)).astype("float32")
    result = {v: replay_difference(random_weights(v, 3, 5, seed + i), xs) for i, v in enumerate(VARIANTS)}
    if include_shipped:
        for cell in SHIPPED:
            if model_path(cell).exists():
                result[cell] = max(result[cell], model_replay_difference(load_cell_model(cell)))
    return result
