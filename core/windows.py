"""Chronological split, scaling fitted on training rows only, and sliding windows.

Everything here is NumPy only: no TensorFlow, no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Split:
    """Row ranges of a chronological split: train = rows [0, n_train), test = the last rows."""

    n_rows: int  # rows in the whole series
    n_train: int  # first rows used for fitting (and for scaler statistics)
    eval_start: int  # first scored row (a test row); every mode and baseline is scored from here

    @property
    def n_test(self) -> int:
        return self.n_rows - self.n_train

    @property
    def n_eval(self) -> int:
        return self.n_rows - self.eval_start


def chronological_split(n_rows: int, test_size: int, eval_after: int) -> Split:
    """Test = the last `test_size` rows; scored days = test rows after the first `eval_after`."""
    if test_size < 1 or eval_after < 0 or eval_after >= test_size:
        raise ValueError(f"need 0 <= eval_after ({eval_after}) < test_size ({test_size})")
    if test_size >= n_rows:
        raise ValueError(f"test_size ({test_size}) must be smaller than the number of rows ({n_rows})")
    n_train = n_rows - test_size
    return Split(n_rows=n_rows, n_train=n_train, eval_start=n_train + eval_after)


@dataclass(frozen=True)
class MinMaxScaling:
    """Per-column min-max scaling to `feature_range`, with statistics of the training rows only."""

    data_min: tuple[float, ...]  # per-column minimum of the training rows
    data_max: tuple[float, ...]  # per-column maximum of the training rows
    feature_range: tuple[float, float] = (0.0, 1.0)  # where min and max land (the course uses 0..1)

    @classmethod
    def fit(cls, train_rows: np.ndarray, feature_range: tuple[float, float] = (0.0, 1.0)) -> MinMaxScaling:
        rows = np.asarray(train_rows, dtype=float).reshape(len(train_rows), -1)  # (rows, columns)
        return cls(tuple(rows.min(axis=0).tolist()), tuple(rows.max(axis=0).tolist()), feature_range)

    def _scale(self) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.feature_range
        span = np.asarray(self.data_max) - np.asarray(self.data_min)
        span = np.where(span == 0, 1.0, span)  # a constant column maps to the low end
        return (hi - lo) / span, lo - np.asarray(self.data_min) * (hi - lo) / span

    def transform(self, values: np.ndarray) -> np.ndarray:
        """Scale rows shaped (rows, columns) or a 1-D single-column series."""
        scale, shift = self._scale()
        arr = np.asarray(values, dtype=float)
        out = arr.reshape(len(arr), -1) * scale + shift
        return out.reshape(arr.shape)

    def inverse(self, values: np.ndarray, column: int = 0) -> np.ndarray:
        """Undo the scaling of one column (predictions come back as one column)."""
        scale, shift = self._scale()
        return (np.asarray(values, dtype=float) - shift[column]) / scale[column]


def make_windows(features: np.ndarray, targets: np.ndarray, window: int, rows: range) -> tuple[np.ndarray, np.ndarray]:
    """Inputs features[i-window:i] and target targets[i] for every target row i in `rows`.

    features: (n, f) or (n,); returns x (len(rows), window, f) and y (len(rows),).
    """
    feats = np.asarray(features, dtype=np.float32)
    feats = feats.reshape(len(feats), -1)  # (n, f)
    if len(rows) and rows.start < window:
        raise ValueError(f"row {rows.start} has fewer than {window} earlier rows for its window")
    idx = np.asarray(rows)[:, None] + np.arange(-window, 0)[None, :]  # (samples, window)
    x = feats[idx] if len(rows) else np.zeros((0, window, feats.shape[1]), np.float32)
    y = np.asarray(targets, dtype=np.float32)[np.asarray(rows, dtype=int)]
    return x, y


def validation_cut(n_samples: int, fraction: float) -> int:
    """Index splitting training windows into fit and validation: the last `fraction` validates."""
    n_val = int(round(n_samples * fraction))
    return n_samples - max(1, n_val) if fraction > 0 else n_samples
