"""Baselines for a seasonal series, computed on exactly the test points a model is scored on.

Every function takes the whole series `y` (n,), the index `start` of the first test point (the
test points are y[start:]) and the season length `m`. Statistics come from y[:start] only; a
one-step forecast of y[t] may also read the actual values before t (they are known by then), a
recursive forecast reads nothing after y[start - 1].

Forecast kinds: "one_step" (each test point from the actual values before it) and "recursive"
(all test points from the forecast origin start - 1, i = 0 .. n_test - 1 steps past it).
statsmodels is imported inside the functions that need it.
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np

FORECASTS: tuple[str, ...] = ("one_step", "recursive")
# Baselines per forecast kind, in the order a table shows them.
BASELINES: dict[str, tuple[str, ...]] = {
    "one_step": ("persistence", "seasonal_naive", "seasonal_naive_growth", "holt_winters", "sarima"),
    "recursive": ("persistence", "seasonal_naive", "seasonal_naive_log_drift", "holt_winters", "sarima"),
}
# The naive (non-statistical) ones: what a model must beat to claim it learned something.
NAIVE: tuple[str, ...] = ("persistence", "seasonal_naive", "seasonal_naive_growth", "seasonal_naive_log_drift")
STATISTICAL: tuple[str, ...] = ("holt_winters", "sarima")  # references from statsmodels, fitted on the training values
BASELINE_LABELS: dict[str, str] = {
    "persistence": "persistence (next = last)",
    "seasonal_naive": "seasonal naive y[t-m]",
    "seasonal_naive_growth": "seasonal naive x growth y[t-m]*y[t-1]/y[t-m-1]",
    "seasonal_naive_log_drift": "seasonal naive + log drift",
    "holt_winters": "Holt-Winters (additive trend, multiplicative season)",
    "sarima": "SARIMA(0,1,1)(0,1,1)m on the log",
}


def _steps(y: np.ndarray, start: int) -> np.ndarray:
    """0, 1, ... n_test - 1: steps past the forecast origin."""
    return np.arange(len(y) - start)


def persistence(y: np.ndarray, start: int, m: int, forecast: str) -> np.ndarray:
    """One step: y[t-1]. Recursive: the last training value y[start-1] for every step."""
    y = np.asarray(y, dtype=float)
    if forecast == "one_step":
        return y[start - 1 : -1].copy()
    return np.full(len(y) - start, y[start - 1])


def seasonal_naive(y: np.ndarray, start: int, m: int, forecast: str) -> np.ndarray:
    """One step: y[t-m]. Recursive: the last training season repeated, y[start-m + (i mod m)]."""
    y = np.asarray(y, dtype=float)
    if forecast == "one_step":
        return y[start - m : len(y) - m].copy()
    return y[start - m + _steps(y, start) % m]


def seasonal_naive_growth(y: np.ndarray, start: int, m: int, forecast: str = "one_step") -> np.ndarray:
    """One step only: last season's value times the latest year-on-year growth, y[t-m]*y[t-1]/y[t-m-1]."""
    if forecast != "one_step":
        raise ValueError("seasonal naive x growth is a one-step baseline")
    y = np.asarray(y, dtype=float)
    t = np.arange(start, len(y))
    return y[t - m] * y[t - 1] / y[t - m - 1]


def log_drift(y: np.ndarray, start: int, m: int) -> float:
    """Mean yearly log growth g over the training values: mean of log y[t] - log y[t-m], m <= t < start.

    Every training year counts (the sum telescopes: g = (mean log of the last training season -
    mean log of the first) * m / (start - m)). Averaging only the last season's differences gives
    16.95 instead of the issue's 17.62 on airline's last 12 months; this definition gives 17.62.
    """
    z = np.log(np.asarray(y, dtype=float)[:start])
    return float(np.mean(z[m:] - z[:-m]))


def seasonal_naive_log_drift(y: np.ndarray, start: int, m: int, forecast: str) -> np.ndarray:
    """Recursive: exp(log y[start-m + (i mod m)] + g * (i div m + 1)). One step: y[t-m] * exp(g)."""
    y = np.asarray(y, dtype=float)
    g = log_drift(y, start, m)
    if forecast == "one_step":
        return y[start - m : len(y) - m] * np.exp(g)
    i = _steps(y, start)
    return np.exp(np.log(y[start - m + i % m]) + g * (i // m + 1))


@contextlib.contextmanager
def _quiet_one_thread():
    """Silence the optimisers' convergence chatter and run BLAS on one thread.

    statsmodels' state-space filters multiply tiny matrices: threaded BLAS only adds overhead
    (measured on airline: SARIMA 5.2 s of CPU with 2 threads, 0.5 s with 1).
    """
    from threadpoolctl import threadpool_limits  # a scikit-learn dependency

    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.simplefilter("ignore")
        yield


def holt_winters(y: np.ndarray, start: int, m: int, forecast: str) -> np.ndarray:
    """statsmodels ExponentialSmoothing (additive trend, multiplicative season) fitted on y[:start].

    Recursive: its forecast from the origin. One step: the same parameters and initial states
    run over the whole series (nothing re-estimated), its one-step fitted values on the test points.
    """
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    y = np.asarray(y, dtype=float)
    with _quiet_one_thread():
        fit = ExponentialSmoothing(y[:start], trend="add", seasonal="mul", seasonal_periods=m).fit()
        if forecast == "recursive":
            return np.asarray(fit.forecast(len(y) - start), dtype=float)
        p = fit.params
        known = ExponentialSmoothing(
            y,
            trend="add",
            seasonal="mul",
            seasonal_periods=m,
            initialization_method="known",
            initial_level=p["initial_level"],
            initial_trend=p["initial_trend"],
            initial_seasonal=p["initial_seasons"],
        )
        rerun = known.fit(
            smoothing_level=p["smoothing_level"],
            smoothing_trend=p["smoothing_trend"],
            smoothing_seasonal=p["smoothing_seasonal"],
            optimized=False,
        )
    return np.asarray(rerun.fittedvalues, dtype=float)[start:]


def sarima(y: np.ndarray, start: int, m: int, forecast: str) -> np.ndarray:
    """SARIMA(0,1,1)(0,1,1)m on log y, parameters fitted on y[:start]; exp of the log forecast.

    One step: the fitted parameters applied to the whole series (not re-estimated), one-step
    predictions on the test points. Recursive: the multi-step forecast from the origin.
    """
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    z = np.log(np.asarray(y, dtype=float))
    with _quiet_one_thread():
        fit = SARIMAX(z[:start], order=(0, 1, 1), seasonal_order=(0, 1, 1, m)).fit(disp=False)
        if forecast == "recursive":
            return np.exp(np.asarray(fit.forecast(len(z) - start), dtype=float))
        whole = fit.apply(z)
        return np.exp(np.asarray(whole.predict(start=start, end=len(z) - 1), dtype=float))


_FUNCTIONS = {
    "persistence": persistence,
    "seasonal_naive": seasonal_naive,
    "seasonal_naive_growth": seasonal_naive_growth,
    "seasonal_naive_log_drift": seasonal_naive_log_drift,
    "holt_winters": holt_winters,
    "sarima": sarima,
}


def baseline_forecast(name: str, y: np.ndarray, start: int, m: int, forecast: str) -> np.ndarray:
    """One baseline's forecast of the test points y[start:]."""
    if name not in _FUNCTIONS:
        raise ValueError(f"unknown baseline {name!r}; choose one of {', '.join(_FUNCTIONS)}")
    if forecast not in FORECASTS:
        raise ValueError(f"unknown forecast {forecast!r}; choose one of {', '.join(FORECASTS)}")
    return _FUNCTIONS[name](y, start, m, forecast)


def seasonal_baselines(y: np.ndarray, start: int, m: int, forecast: str) -> dict[str, np.ndarray]:
    """Every baseline of the forecast kind, name -> predictions of y[start:]."""
    return {name: baseline_forecast(name, y, start, m, forecast) for name in BASELINES[forecast]}
