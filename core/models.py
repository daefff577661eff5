"""Model building blocks shared by every page: one switch on the cell type."""

from __future__ import annotations

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
