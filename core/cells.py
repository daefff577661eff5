"""Recurrent cells written out in NumPy, step by step, in Keras's weight layout.

Conventions (the same as Keras 3, so a replay matches `return_sequences=True` to float precision):
- row vectors: a step computes ``x·W + h·U + b`` with W (features, k*units), U (units, k*units);
- LSTM gate order in W, U, b: i, f, c (candidate), o;
- peephole LSTM (core/peephole.py): the LSTM layout plus a vector p (3*units,) = [p_i, p_f, p_o]; the
  input and forget gates add p_i*c_{t-1}, p_f*c_{t-1}, the output gate adds p_o*c_t;
- GRU gate order: z (update), r (reset), h (candidate); Keras mixes ``h = z*h_prev + (1-z)*cand``;
  with ``reset_after=True`` (the Keras default) the bias has two rows (input, recurrent) and the
  reset gate multiplies the recurrent product ``r * (h·U_h + b_rh)``; with ``reset_after=False``
  one bias row and the reset gate multiplies the state first: ``(r*h)·U_h``.

Every step returns a dict of every intermediate (pre-activations, gates, candidate, states), so a
page can show any number on any wire. This module imports NumPy only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

CELL_KINDS: tuple[str, ...] = ("rnn", "lstm", "gru")
REPLAY_KINDS: tuple[str, ...] = (*CELL_KINDS, "peephole")  # every cell this module replays
GATES_PER_CELL: dict[str, int] = {"rnn": 1, "lstm": 4, "gru": 3, "peephole": 4}


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function (Keras 3's recurrent activation for LSTM and GRU)."""
    return 1.0 / (1.0 + np.exp(-x))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, shifted by the maximum for stability."""
    shifted = np.exp(logits - np.max(logits, axis=-1, keepdims=True))
    return shifted / np.sum(shifted, axis=-1, keepdims=True)


@dataclass(frozen=True)
class CellWeights:
    """One recurrent layer's weights, exactly as Keras stores them (`layer.get_weights()`)."""

    cell: str  # "rnn" | "lstm" | "gru" | "peephole"
    kernel: np.ndarray = field(repr=False)  # W: (features, k*units), k = 1 / 4 / 3 / 4
    recurrent_kernel: np.ndarray = field(repr=False)  # U: (units, k*units)
    bias: np.ndarray = field(repr=False)  # (k*units,), or (2, 3*units) for a GRU with reset_after
    reset_after: bool = True  # GRU only: reset gate applied after the recurrent product
    peephole: np.ndarray | None = field(default=None, repr=False)  # peephole LSTM only: (3*units,) p_i, p_f, p_o

    def __post_init__(self):
        if self.cell not in REPLAY_KINDS:
            raise ValueError(f"unknown cell {self.cell!r}; choose one of {', '.join(REPLAY_KINDS)}")
        k, units = GATES_PER_CELL[self.cell], self.recurrent_kernel.shape[0]
        if self.kernel.ndim != 2 or self.kernel.shape[1] != k * units:
            raise ValueError(f"{self.cell} kernel must be (features, {k}*units), got {self.kernel.shape}")
        if self.recurrent_kernel.shape != (units, k * units):
            raise ValueError(
                f"{self.cell} recurrent kernel must be ({units}, {k * units}), got {self.recurrent_kernel.shape}"
            )
        two_rows = self.cell == "gru" and self.reset_after
        expected = (2, k * units) if two_rows else (k * units,)
        if self.bias.shape != expected:
            raise ValueError(f"{self.cell} bias must be {expected}, got {self.bias.shape}")
        _check_peephole(self.cell, self.peephole, units)

    @property
    def units(self) -> int:
        return self.recurrent_kernel.shape[0]

    @property
    def features(self) -> int:
        return self.kernel.shape[0]

    @property
    def variant(self) -> str:
        """'gru_reset_before' for a GRU with reset_after=False, else the cell name."""
        return "gru_reset_before" if self.cell == "gru" and not self.reset_after else self.cell

    def as_float64(self) -> CellWeights:
        f = np.float64
        peephole = None if self.peephole is None else self.peephole.astype(f)
        arrays = (self.kernel.astype(f), self.recurrent_kernel.astype(f), self.bias.astype(f))
        return CellWeights(self.cell, *arrays, self.reset_after, peephole)


def _check_peephole(cell: str, peephole: np.ndarray | None, units: int) -> None:
    """A peephole LSTM needs its (3*units,) vector; no other cell has one."""
    if cell == "peephole" and (peephole is None or np.shape(peephole) != (3 * units,)):
        got = None if peephole is None else np.shape(peephole)
        raise ValueError(f"peephole weights must be ({3 * units},), got {got}")
    if cell != "peephole" and peephole is not None:
        raise ValueError(f"only a peephole LSTM has peephole weights, not {cell}")


# ---------------------------------------------------------------- the three cells, one step each
# Shapes: x (..., features), h_prev / c_prev (..., units); a leading batch axis is allowed.


def rnn_from_parts(x_part: np.ndarray, h_part: np.ndarray, bias: np.ndarray) -> dict[str, np.ndarray]:
    """SimpleRNN after the two products: h = tanh(x·W + h·U + b). The course's worked examples
    give x·W and h·U directly, so they call this; `rnn_step` computes the products then calls it."""
    pre = x_part + h_part + bias  # (..., units)
    return {"x_part": x_part, "h_part": h_part, "bias": np.broadcast_to(bias, pre.shape), "pre": pre,
            "h": np.tanh(pre)}  # fmt: skip


def rnn_step(
    w: CellWeights, x: np.ndarray, h_prev: np.ndarray, x_part: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """One SimpleRNN step: h_t = tanh(x_t·W + h_{t-1}·U + b). `x_part` = x·W when already computed."""
    return rnn_from_parts(x @ w.kernel if x_part is None else x_part, h_prev @ w.recurrent_kernel, w.bias)


def lstm_step(w: CellWeights, x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray,
              x_part: np.ndarray | None = None) -> dict[str, np.ndarray]:  # fmt: skip
    """One LSTM step, gate order i, f, c, o; c_t = f*c_{t-1} + i*c~, h_t = o*tanh(c_t)."""
    u = w.units
    x_part = x @ w.kernel if x_part is None else x_part  # (..., 4*units)
    h_part = h_prev @ w.recurrent_kernel  # (..., 4*units)
    pre = x_part + h_part + w.bias
    gates = sigmoid(pre)  # all four blocks at once; the c block is replaced by tanh below
    i, f, o = gates[..., :u], gates[..., u : 2 * u], gates[..., 3 * u :]
    cand = np.tanh(pre[..., 2 * u : 3 * u])  # candidate cell state c~
    c = f * c_prev + i * cand
    tanh_c = np.tanh(c)
    return {"x_part": x_part, "h_part": h_part, "pre_i": pre[..., :u], "pre_f": pre[..., u : 2 * u],
            "pre_c": pre[..., 2 * u : 3 * u], "pre_o": pre[..., 3 * u :], "i": i, "f": f, "cand": cand, "o": o,
            "c_prev": c_prev, "c": c, "tanh_c": tanh_c, "h": o * tanh_c}  # fmt: skip


def peephole_step(
    w: CellWeights, x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, x_part: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """One peephole LSTM step (core/peephole.py): the LSTM's gates plus p_i*c_{t-1}, p_f*c_{t-1} and p_o*c_t."""
    u = w.units
    x_part = x @ w.kernel if x_part is None else x_part  # (..., 4*units)
    h_part = h_prev @ w.recurrent_kernel  # (..., 4*units)
    pre = x_part + h_part + w.bias
    p_i, p_f, p_o = w.peephole[:u], w.peephole[u : 2 * u], w.peephole[2 * u :]
    peep_i, peep_f = p_i * c_prev, p_f * c_prev  # the input and forget gates see the old cell state
    i, f = sigmoid(pre[..., :u] + peep_i), sigmoid(pre[..., u : 2 * u] + peep_f)
    cand = np.tanh(pre[..., 2 * u : 3 * u])  # candidate cell state c~
    c = f * c_prev + i * cand
    peep_o = p_o * c  # the output gate sees the new cell state
    o = sigmoid(pre[..., 3 * u :] + peep_o)
    tanh_c = np.tanh(c)
    return {
        "x_part": x_part,
        "h_part": h_part,
        "pre_i": pre[..., :u],
        "pre_f": pre[..., u : 2 * u],
        "pre_c": pre[..., 2 * u : 3 * u],
        "pre_o": pre[..., 3 * u :],
        "peep_i": peep_i,
        "peep_f": peep_f,
        "peep_o": peep_o,
        "i": i,
        "f": f,
        "cand": cand,
        "o": o,
        "c_prev": c_prev,
        "c": c,
        "tanh_c": tanh_c,
        "h": o * tanh_c,
    }


def gru_step(
    w: CellWeights, x: np.ndarray, h_prev: np.ndarray, x_part: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """One GRU step, gate order z, r, h; h_t = z*h_{t-1} + (1-z)*h~ (Keras's convention).
    `x_part` = x·W + b_input when already computed."""
    u = w.units
    b_in = w.bias[0] if w.reset_after else w.bias
    x_part = x @ w.kernel + b_in if x_part is None else x_part  # (..., 3*units), input bias included
    # reset_after: every recurrent block now, recurrent bias included; else z and r only (h waits for r)
    h_part = h_prev @ w.recurrent_kernel + w.bias[1] if w.reset_after else h_prev @ w.recurrent_kernel[:, : 2 * u]
    pre_zr = x_part[..., : 2 * u] + h_part[..., : 2 * u]
    zr = sigmoid(pre_zr)
    z, r = zr[..., :u], zr[..., u:]
    if w.reset_after:
        h_cand = h_part[..., 2 * u :]  # h·U_h + b_rh
        reset_h = r * h_cand  # r * (h·U_h + b_rh)
    else:
        h_cand = (r * h_prev) @ w.recurrent_kernel[:, 2 * u :]  # (r*h)·U_h
        reset_h = h_cand
    x_cand = x_part[..., 2 * u :]
    pre_cand = x_cand + reset_h
    cand = np.tanh(pre_cand)
    h = z * h_prev + (1.0 - z) * cand
    return {"x_part": x_part, "h_part": h_part, "pre_z": pre_zr[..., :u], "pre_r": pre_zr[..., u:], "z": z, "r": r,
            "x_cand": x_cand, "h_cand": h_cand, "reset_h": reset_h, "pre_cand": pre_cand, "cand": cand,
            "h_prev": h_prev, "h": h}  # fmt: skip


# ---------------------------------------------------------------- a whole sequence


@dataclass
class CellTrace:
    """Every intermediate of every step: `values[name]` is (steps, ..., width)."""

    cell: str  # "rnn" | "lstm" | "gru" | "peephole"
    values: dict[str, np.ndarray]  # name -> stacked per-step arrays, time first
    reset_after: bool = True  # GRU variant the trace was computed with

    @property
    def steps(self) -> int:
        return len(self.values["h"])

    @property
    def outputs(self) -> np.ndarray:
        """h_t for every step (what `return_sequences=True` returns, time first)."""
        return self.values["h"]

    @property
    def final_states(self) -> list[np.ndarray]:
        """[h_T] or, for an LSTM (peephole too), [h_T, c_T] (Keras's `return_state` order)."""
        last = [self.values["h"][-1]]
        return last + [self.values["c"][-1]] if self.cell in ("lstm", "peephole") else last

    def at(self, step: int) -> dict[str, np.ndarray]:
        """Every intermediate of one step (0-based)."""
        return {name: series[step] for name, series in self.values.items()}


def run_cell(w: CellWeights, xs: np.ndarray, h0: np.ndarray | None = None, c0: np.ndarray | None = None) -> CellTrace:
    """Replay a sequence xs (steps, features) or (batch, steps, features) through one cell."""
    xs = np.asarray(xs, dtype=w.kernel.dtype)
    time_first = np.moveaxis(xs, -2, 0)  # (steps, ..., features)
    state_shape = time_first.shape[1:-1] + (w.units,)
    h = np.zeros(state_shape, w.kernel.dtype) if h0 is None else np.asarray(h0)
    c = np.zeros(state_shape, w.kernel.dtype) if c0 is None else np.asarray(c0)
    x_parts = time_first @ w.kernel  # every step's x·W in one product: (steps, ..., k*units)
    if w.cell == "gru":
        x_parts += w.bias[0] if w.reset_after else w.bias
    values: dict[str, np.ndarray] = {}
    for t, (x, x_part) in enumerate(zip(time_first, x_parts, strict=True)):
        if w.cell == "rnn":
            rec = rnn_step(w, x, h, x_part)
        elif w.cell in ("lstm", "peephole"):
            rec = (lstm_step if w.cell == "lstm" else peephole_step)(w, x, h, c, x_part)
            c = rec["c"]
        else:
            rec = gru_step(w, x, h, x_part)
        h = rec["h"]
        if not values:  # one array per intermediate, filled step by step (cheaper than stacking at the end)
            values = {name: np.empty((len(time_first), *np.shape(v)), np.result_type(v)) for name, v in rec.items()}
        for name, v in rec.items():
            values[name][t] = v
    return CellTrace(w.cell, values, w.reset_after)


def dense_output(h: np.ndarray, kernel: np.ndarray, bias: np.ndarray, activation: str = "softmax") -> dict:
    """The output layer y = act(h·V + c): returns logits and the activated output."""
    logits = h @ kernel + bias
    if activation == "softmax":
        out = softmax(logits)
    elif activation in ("linear", None):
        out = logits
    else:
        raise ValueError(f"unknown output activation {activation!r}; use 'softmax' or 'linear'")
    return {"h_part": h @ kernel, "bias": bias, "logits": logits, "y": out}


# ---------------------------------------------------------------- parameter counts


def cell_parameter_breakdown(cell: str, features: int, units: int, reset_after: bool = True) -> dict[str, int]:
    """Kernel, recurrent kernel and bias counts of one recurrent layer (and their total); a peephole LSTM
    also has "peephole"."""
    if cell not in REPLAY_KINDS:
        raise ValueError(f"unknown cell {cell!r}; choose one of {', '.join(REPLAY_KINDS)}")
    k = GATES_PER_CELL[cell]
    bias_rows = 2 if cell == "gru" and reset_after else 1
    parts = {"kernel": features * k * units, "recurrent_kernel": units * k * units, "bias": bias_rows * k * units}
    if cell == "peephole":
        parts["peephole"] = 3 * units  # one weight per gate (i, f, o) and unit
    return {**parts, "total": sum(parts.values())}


def cell_parameter_count(cell: str, features: int, units: int, reset_after: bool = True) -> int:
    """SimpleRNN u(f+u)+u; LSTM 4[u(f+u)+u]; GRU 3[u(f+u)+2u] (reset_after) or 3[u(f+u)+u];
    peephole LSTM 4u(f+u+1) + 3u."""
    return cell_parameter_breakdown(cell, features, units, reset_after)["total"]


def dense_parameter_count(inputs: int, outputs: int) -> int:
    """A Dense layer: inputs*outputs weights + outputs biases."""
    return inputs * outputs + outputs


def embedding_parameter_count(vocabulary: int, dimensions: int) -> int:
    """An Embedding table: one row of `dimensions` numbers per token."""
    return vocabulary * dimensions
