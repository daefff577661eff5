"""Model building blocks shared by every page: one cell vocabulary, one switch on the cell type,
parameter counts with their formulas, and a model's summary, variables and .keras bytes."""

from __future__ import annotations

import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.cells import cell_parameter_count, dense_parameter_count, embedding_parameter_count
from core.errors import AppError, ErrorKind

CELLS: tuple[str, ...] = ("rnn", "lstm", "gru")  # the recurrent cells every page offers
# Display names of every model kind; "dense" is the comparison's reference without recurrence, "peephole" the
# peephole LSTM (core/peephole.py) and "conv1d" a causal convolution, both offered by the comparison page.
CELL_LABELS: dict[str, str] = {
    "rnn": "SimpleRNN",
    "lstm": "LSTM",
    "gru": "GRU",
    "dense": "Dense",
    "peephole": "Peephole LSTM",
    "conv1d": "Conv1D",
}
RECURRENT_KINDS: tuple[str, ...] = (*CELLS, "peephole")  # every cell `recurrent_layer` builds
MODES: tuple[str, ...] = ("default", "course")  # our honest pipeline first, then the course's own


def check_cell(cell: str, allowed: Sequence[str] = CELLS) -> str:
    """Return `cell` if it is one of `allowed`, else raise ValueError naming the choices."""
    if cell not in allowed:
        raise ValueError(f"unknown cell {cell!r}; choose one of {', '.join(allowed)}")
    return cell


def check_mode(mode: str) -> str:
    """Return `mode` if it is "default" or "course", else raise ValueError naming the choices."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    return mode


def recurrent_layer(cell: str, units: int, *, return_sequences: bool = False, name: str | None = None, **kwargs):
    """A Keras recurrent layer of the given cell type (SimpleRNN / LSTM / GRU, or the peephole LSTM:
    keras.layers.RNN(PeepholeLSTMCell), whose extra keyword arguments go to the cell)."""
    import keras  # imported here so that modules using only CELLS stay TensorFlow-free

    if check_cell(cell, RECURRENT_KINDS) == "peephole":
        from core.peephole import peephole_layer

        state = {"return_state": kwargs.pop("return_state")} if "return_state" in kwargs else {}
        return peephole_layer(units, return_sequences=return_sequences, name=name, **state, **kwargs)
    layer_class = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[cell]
    return layer_class(units, return_sequences=return_sequences, name=name, **kwargs)


# ---------------------------------------------------------------- parameter counts with formulas


@dataclass(frozen=True)
class LayerCount:
    """One layer's trainable parameters and the formula that gives them."""

    layer: str  # e.g. "LSTM(80)"
    formula: str  # e.g. "4·[80·(1+80)+80]"
    count: int


def recurrent_formula(cell: str, features: int, units: int, reset_after: bool = True) -> LayerCount:
    """SimpleRNN u(f+u)+u; LSTM 4[u(f+u)+u]; GRU 3[u(f+u)+2u] (Keras's reset_after=True); peephole LSTM
    4[u(f+u)+u]+3u (one peephole weight per gate i, f, o and unit)."""
    inner = f"{units}·({features}+{units})"
    formula = {
        "rnn": f"{inner}+{units}",
        "lstm": f"4·[{inner}+{units}]",
        "gru": f"3·[{inner}+{'2·' if reset_after else ''}{units}]",
        "peephole": f"4·[{inner}+{units}]+3·{units}",
    }[cell]
    name = f"{CELL_LABELS[cell]}({units})"
    return LayerCount(name, formula, cell_parameter_count(cell, features, units, reset_after))


def dense_formula(inputs: int, outputs: int) -> LayerCount:
    return LayerCount(f"Dense({outputs})", f"{inputs}·{outputs}+{outputs}", dense_parameter_count(inputs, outputs))


def conv1d_formula(kernel: int, features: int, filters: int) -> LayerCount:
    """Conv1D: k·f·u weights + u biases (the lecture notes' Conv1D(2, 3) on 4 features: 3·4·2+2 = 26)."""
    count = kernel * features * filters + filters
    return LayerCount(f"Conv1D({filters}, {kernel})", f"{kernel}·{features}·{filters}+{filters}", count)


def embedding_formula(vocabulary: int, dimensions: int) -> LayerCount:
    count = embedding_parameter_count(vocabulary, dimensions)
    return LayerCount(f"Embedding({vocabulary}, {dimensions})", f"{vocabulary}·{dimensions}", count)


_RECURRENT_CLASSES = {"SimpleRNN": "rnn", "LSTM": "lstm", "GRU": "gru"}


def _layer_count(layer) -> LayerCount | None:
    """The formula of one Keras layer from its weight shapes; None for a layer without weights."""
    weights = layer.get_weights()
    if not weights:
        return None
    kind = type(layer).__name__
    if kind == "RNN" and type(layer.cell).__name__ == "PeepholeLSTMCell":
        return recurrent_formula("peephole", weights[0].shape[0], layer.cell.units)
    if kind == "Conv1D":
        return conv1d_formula(*weights[0].shape)
    if kind in _RECURRENT_CLASSES:
        kernel, bias = weights[0], weights[-1]
        return recurrent_formula(_RECURRENT_CLASSES[kind], kernel.shape[0], layer.units, bias.ndim == 2)
    if kind == "Dense":
        return dense_formula(*weights[0].shape)
    if kind == "Embedding":
        return embedding_formula(*weights[0].shape)
    count = int(layer.count_params())  # any other layer: the count without a formula
    return LayerCount(kind, str(count), count)


def layer_counts(model) -> list[LayerCount]:
    """Every weighted layer of a Keras model with its parameter formula."""
    return [c for c in (_layer_count(layer) for layer in model.layers) if c is not None]


def formula_text(counts: Sequence[LayerCount]) -> str:
    """'LSTM(80): 4·[80·(1+80)+80] = 26,240 · Dense(1): 80·1+1 = 81 · total 26,321'."""
    parts = [f"{c.layer}: {c.formula} = {c.count:,}" for c in counts]
    return " · ".join([*parts, f"total {sum(c.count for c in counts):,}"])


# ---------------------------------------------------------------- inspection and files


def summary_rows(model) -> list[dict]:
    """model.summary() as data: one row per layer (name, type, output shape, parameters)."""
    rows = []
    for layer in model.layers:
        try:
            shape = tuple(layer.output.shape)
        except (AttributeError, ValueError):  # a layer used more than once has no single output
            shape = ()
        rows.append(
            {
                "layer": layer.name,
                "type": type(layer).__name__,
                "output_shape": "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")",
                "params": int(layer.count_params()),
            }
        )
    return rows


def model_summary(model) -> str:
    """The whole summary table as plain text (every column, whatever the terminal width)."""
    rows = summary_rows(model)
    header = {"layer": "Layer (type)", "output_shape": "Output Shape", "params": "Param #"}
    cells = [(f"{r['layer']} ({r['type']})", r["output_shape"], f"{r['params']:,}") for r in rows]
    widths = [max(len(c[i]) for c in [tuple(header.values()), *cells]) for i in range(3)]
    line = "  ".join("-" * w for w in widths)
    out = [f'Model: "{model.name}"', line, "  ".join(h.ljust(w) for h, w in zip(header.values(), widths, strict=True))]
    out.append(line)
    out += ["  ".join((c[0].ljust(widths[0]), c[1].ljust(widths[1]), c[2].rjust(widths[2]))) for c in cells]
    total = sum(r["params"] for r in rows)
    trainable = int(sum(np.prod(v.shape) for v in model.trainable_weights))
    out += [line, f"Total params: {total:,}", f"Trainable params: {trainable:,}"]
    out.append(f"Non-trainable params: {total - trainable:,}")
    return "\n".join(out)


def trainable_variables_text(model) -> str:
    """Every trainable variable: name, shape and values (the course's weights.txt)."""
    blocks = []
    for v in model.trainable_variables:
        values = np.array2string(np.asarray(v), precision=6, suppress_small=True, threshold=sys.maxsize)
        blocks.append(f"{v.path}\n{tuple(v.shape)}\n{values}\n")
    return "\n".join(blocks)


def load_model_bytes(data: bytes):
    """A keras.Model from the bytes of a .keras file, in safe mode and not compiled.

    Anything that is not a loadable Keras 3 model, or that holds Python code (a Lambda layer), is
    refused with AppError(BAD_MODEL_FILE) and a sentence; nothing else is ever executed.
    """
    import keras

    from core.peephole import register_peephole

    register_peephole()  # the app's one custom layer: a model holding it loads like any other
    if not data:
        raise AppError(ErrorKind.BAD_MODEL_FILE, key="model_file_empty")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        path.write_bytes(data)
        if not zipfile.is_zipfile(path):
            raise AppError(ErrorKind.BAD_MODEL_FILE, key="not_keras_zip")
        try:
            return keras.saving.load_model(path, compile=False, safe_mode=True)
        except Exception as err:  # any unreadable file is the user's wrong file, said in one sentence
            raise AppError(ErrorKind.BAD_MODEL_FILE, key=_load_failure_key(err)) from err


def _load_failure_key(err: Exception) -> str:
    message = str(err)
    return "model_has_code" if "safe_mode" in message or "unsafe" in message.lower() else "model_unreadable"
