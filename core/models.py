"""Model building blocks shared by every page: one switch on the cell type."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

CELLS: tuple[str, ...] = ("rnn", "lstm", "gru")
CELL_LABELS: dict[str, str] = {"rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


def check_cell(cell: str) -> str:
    """Return `cell` if it is a known cell type, else raise ValueError naming the choices."""
    if cell not in CELLS:
        raise ValueError(f"unknown cell {cell!r}; choose one of {', '.join(CELLS)}")
    return cell


def recurrent_layer(cell: str, units: int, *, return_sequences: bool = False, name: str | None = None, **kwargs):
    """A Keras recurrent layer of the given cell type (SimpleRNN / LSTM / GRU)."""
    import keras  # imported here so that modules using only CELLS stay TensorFlow-free

    layer_class = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[check_cell(cell)]
    return layer_class(units, return_sequences=return_sequences, name=name, **kwargs)


def model_summary(model, line_length: int = 90) -> str:
    """model.summary() as plain text."""
    lines: list[str] = []
    model.summary(print_fn=lambda line, **_: lines.append(line), line_length=line_length)
    return "\n".join(lines)


def trainable_variables_text(model) -> str:
    """Every trainable variable: name, shape and values (the course's weights.txt)."""
    blocks = []
    for v in model.trainable_variables:
        values = np.array2string(np.asarray(v), precision=6, suppress_small=True, threshold=sys.maxsize)
        blocks.append(f"{v.path}\n{tuple(v.shape)}\n{values}\n")
    return "\n".join(blocks)


def model_bytes(model, name: str = "model") -> bytes:
    """The model as the bytes of a .keras file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.keras"
        model.save(path)
        return path.read_bytes()
