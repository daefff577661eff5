"""Forecast metrics and the naive baselines every model is measured against.

All functions take plain arrays of the scored days. `previous` is the target's last known value
before each scored day (what persistence predicts), used for changes and directions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BASELINE_LABELS: dict[str, str] = {
    "persistence": "persistence (tomorrow = today)",
    "drift": "drift (today + average step)",
    "previous_close": "previous close",
}
METRIC_COLUMNS: tuple[str, ...] = (
    "mse",
    "rmse",
    "mae",
    "mape",
    "theil_u",
    "rmse_vs_best",
    "direction_accuracy",
    "change_std_ratio",
)


def persistence_forecast(target: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Next value = last value: target[i - 1] for every scored row i."""
    return np.asarray(target, dtype=float)[np.asarray(rows) - 1]


def drift_forecast(target: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Last value plus the average step since the first value: y_t + (y_t - y_1) / (t - 1).

    With 0-based row i scored, y_t = target[i - 1] sits at 1-based position t = i.
    """
    y = np.asarray(target, dtype=float)
    rows = np.asarray(rows)
    if rows.min() < 2:
        raise ValueError("drift needs at least two earlier values")
    last = y[rows - 1]
    return last + (last - y[0]) / (rows - 1)


def previous_close_forecast(close: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Tomorrow's open = today's close: close[i - 1] for every scored row i."""
    return np.asarray(close, dtype=float)[np.asarray(rows) - 1]


def error_metrics(actual: np.ndarray, predicted: np.ndarray, previous: np.ndarray) -> dict[str, float]:
    """MSE, RMSE, MAE, MAPE (%), direction accuracy and change-std ratio of one forecast."""
    a, p, prev = (np.asarray(v, dtype=float) for v in (actual, predicted, previous))
    err = p - a
    mse = float(np.mean(err**2))
    actual_change, predicted_change = a - prev, p - prev
    std_actual = float(np.std(actual_change))
    return {
        "mse": mse,
        "rmse": float(np.sqrt(mse)),
        "mae": float(np.mean(np.abs(err))),
        "mape": float(np.mean(np.abs(err / a)) * 100.0),
        # a day counts when the predicted and the actual change have the same sign (0 = no change)
        "direction_accuracy": float(np.mean(np.sign(predicted_change) == np.sign(actual_change))),
        # near 0 exposes a model that learned to say "no change"
        "change_std_ratio": float(np.std(predicted_change) / std_actual) if std_actual > 0 else float("nan"),
    }


def metrics_table(
    actual: np.ndarray,
    previous: np.ndarray,
    forecasts: dict[str, np.ndarray],
    allowed_baselines: tuple[str, ...],
) -> tuple[pd.DataFrame, str]:
    """One row per forecast (the model and every baseline) and the best baseline's name.

    Theil's U divides by the persistence RMSE; `rmse_vs_best` by the best (lowest RMSE) of the
    `allowed_baselines` — those the model's own inputs make possible.
    """
    rows = {name: error_metrics(actual, pred, previous) for name, pred in forecasts.items()}
    naive = rows["persistence"]["rmse"]
    best = min(allowed_baselines, key=lambda name: rows[name]["rmse"])
    for values in rows.values():
        values["theil_u"] = values["rmse"] / naive if naive > 0 else float("nan")
        values["rmse_vs_best"] = values["rmse"] / rows[best]["rmse"] if rows[best]["rmse"] > 0 else float("nan")
    table = pd.DataFrame.from_dict(rows, orient="index")[list(METRIC_COLUMNS)]
    table.index.name = "forecast"
    return table, best
