"""How price rows become model inputs and targets, and model outputs become prices again.

Course mode scales the target level with min-max statistics of the training rows. Default mode
feeds every price column as a change relative to the previous close and learns the next relative
change over the best baseline its inputs allow (the anchor: the previous close for the open).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.windows import MinMaxScaling

OHLC: tuple[str, ...] = ("open", "high", "low", "close")  # default inputs (adj_close only as a target)


@dataclass(frozen=True)
class Codec:
    """How raw price rows become model inputs and targets, and outputs become prices again."""

    mode: str  # "course" | "default"
    target: str  # predicted column
    columns: tuple[tuple[str, str], ...]  # default: (input column, reference column) pairs, in feature order
    anchor: str  # default mode: prediction = anchor[i-1] * (1 + change); the best allowed baseline
    scaling: MinMaxScaling  # train-row statistics of the features (course: of the target level)
    target_scale: float = 1.0  # default mode: train-row std of the relative change

    def features(self, frame: pd.DataFrame) -> np.ndarray:
        """(n, f) scaled features; in default mode row 0 has no previous close and is NaN."""
        if self.mode == "course":
            return self.scaling.transform(frame[self.target].to_numpy(float)[:, None])
        return self.scaling.transform(self.relative(frame))

    def relative(self, frame: pd.DataFrame) -> np.ndarray:
        """Each input column over the previous row's reference price, minus 1: (n, f)."""
        cols = [frame[c].to_numpy(float) / _previous(frame[ref].to_numpy(float)) - 1.0 for c, ref in self.columns]
        return np.stack(cols, axis=1)

    def targets(self, frame: pd.DataFrame) -> np.ndarray:
        """(n,) what the model learns: the scaled level (course) or the scaled relative change."""
        if self.mode == "course":
            return self.features(frame)[:, 0]
        return self.change(frame) / self.target_scale

    def change(self, frame: pd.DataFrame) -> np.ndarray:
        return frame[self.target].to_numpy(float) / _previous(frame[self.anchor].to_numpy(float)) - 1.0

    def decode(self, outputs: np.ndarray, frame: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
        """Model outputs for target rows `rows` back to prices."""
        out = np.asarray(outputs, dtype=float).reshape(-1)
        if self.mode == "course":
            return self.scaling.inverse(out)
        return frame[self.anchor].to_numpy(float)[np.asarray(rows) - 1] * (1.0 + self.target_scale * out)

    @classmethod
    def fit(cls, frame: pd.DataFrame, mode: str, target: str, n_train: int) -> Codec:
        """Statistics from the first `n_train` rows only."""
        if mode == "course":
            scaling = MinMaxScaling.fit(frame[target].to_numpy(float)[:n_train, None])
            return cls("course", target, ((target, target),), target, scaling)
        draft = cls(
            "default", target, input_pairs(frame, target), anchor_of(frame, target), MinMaxScaling((0.0,), (1.0,))
        )
        scaling = MinMaxScaling.fit(draft.relative(frame)[1:n_train], (-1.0, 1.0))
        scale = float(np.nanstd(draft.change(frame)[1:n_train])) or 1.0
        return dataclasses.replace(draft, scaling=scaling, target_scale=scale)


def _previous(values: np.ndarray) -> np.ndarray:
    """values shifted one row down: the value known before each row (row 0: NaN)."""
    return np.concatenate([[np.nan], values[:-1]])


def anchor_of(frame: pd.DataFrame, target: str) -> str:
    """The best baseline the default inputs allow: the previous close for the open, else the target."""
    return "close" if target == "open" and "close" in frame.columns else target


def input_pairs(frame: pd.DataFrame, target: str) -> tuple[tuple[str, str], ...]:
    """Default inputs: open/high/low/close over the previous close, and the target over itself."""
    reference = "close" if "close" in frame.columns else target
    pairs = [(c, reference) for c in OHLC if c in frame.columns]
    if target not in OHLC:
        pairs.append((target, target))
    return tuple(pairs)


def codec_to_json(codec: Codec) -> dict:
    return dataclasses.asdict(codec)


def codec_from_json(record: dict) -> Codec:
    scaling = MinMaxScaling(**{k: tuple(v) for k, v in record["scaling"].items()})
    columns = tuple(tuple(pair) for pair in record["columns"])
    return Codec(**{**record, "columns": columns, "scaling": scaling})
