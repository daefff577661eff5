"""Seasonal series (the lecture notes' airline passengers): data, splits, two pipelines, scoring.

Course mode is the notes' set-up read correctly: their PyTorch input (141, 1, 3) is time-major,
so it is ONE sequence of 141 months (batch 1) whose step t holds the previous 3 months as 3
features, and the LSTM state runs across months. The notes scale with the whole series (the test
maximum leaks into training); `scaling="train"` gives the same model with training-only scaling.

Default mode is our honest pipeline: log values, statistics from the training months only, a
window of two seasons of seasonal log differences plus the position in the season, and a small
model predicting the change over seasonal naive + log drift (its zero-initialised output starts
exactly at that baseline), validated on the last training season. That anchor, not the one-step
growth baseline, because on airline the growth rule is so good on the validation season
(RMSE 7.9, Aug 1957 .. Jul 1958) that early stopping kept the untrained start: the model could
only tie 19.25; from the log-drift anchor it learns the growth rule and more.

This module prepares arrays, builds compiled models and scores predictions; `SEASONAL` (the spec)
hands them to the one training path (core/training.py fits the model between `build_seasonal_model`
and `score_seasonal`), and `run_seasonal` trains several seeds and reads them as a `SeasonalResult`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import AppError, ErrorKind
from core.i18n import text
from core.metrics import error_metrics
from core.models import CELLS, summary_rows
from core.progress import Reporter
from core.seasonal_baselines import FORECASTS, NAIVE, STATISTICAL, log_drift, seasonal_baselines
from core.seed_runs import mean_std, seed_configs, train_seeds
from core.settings import check_choice, check_range
from core.training import FitPlan, Prepared, Scored, TrainedModel
from core.windows import MinMaxScaling

# The 144 monthly totals of international airline passengers (thousands), 1949-01 .. 1960-12
# (Box & Jenkins' series G; public facts). One line per year.
_AIRLINE_TEXT = """
112 118 132 129 121 135 148 148 136 119 104 118
115 126 141 135 125 149 170 170 158 133 114 140
145 150 178 163 172 178 199 199 184 162 146 166
171 180 193 181 183 218 230 242 209 191 172 194
196 196 236 235 229 243 264 272 237 211 180 201
204 188 235 227 234 264 302 293 259 229 203 229
242 233 267 269 270 315 364 347 312 274 237 278
284 277 317 313 318 374 413 405 355 306 271 306
315 301 356 348 355 422 465 467 404 347 305 336
340 318 362 348 363 435 491 505 404 359 310 337
360 342 406 396 420 472 548 559 463 407 362 405
417 391 419 461 472 535 622 606 508 461 390 432
"""
AIRLINE_PASSENGERS: tuple[int, ...] = tuple(int(v) for v in _AIRLINE_TEXT.split())

MODES: tuple[str, ...] = ("course", "default")
SPLITS: tuple[str, ...] = ("seed", "last12", "last24")
SCALINGS: tuple[str, ...] = ("series", "train")  # series: the notes' whole-series min-max (leaks)
SEASONAL_CELLS: tuple[str, ...] = (*CELLS, "conv1d")
ANCHORS: tuple[str, ...] = ("seasonal_naive_log_drift", "seasonal_naive_growth")
CHOICES: dict[str, tuple[str, ...]] = {
    "mode": MODES,
    "split": SPLITS,
    "forecast": FORECASTS,
    "scaling": SCALINGS,
    "cell": SEASONAL_CELLS,
    "anchor": ANCHORS,
}
COURSE_LAGS = 3  # the notes' look_back: previous months fed as the features of one step
COURSE_TRAIN_RATE = 0.8  # the notes' share of targets used for training
SEASON_NAMES: dict[int, str] = {12: "monthly", 4: "quarterly", 52: "weekly", 5: "business-daily", 7: "daily"}
# Allowed ranges: keep one training within reason on a classroom laptop (and a typo harmless).
LIMITS: dict[str, tuple[float, float]] = {
    "units": (1, 256),
    "layers": (1, 4),
    "lags": (0, 120),
    "season": (0, 366),
    "epochs": (1, 5000),
    "batch_size": (1, 4096),
    "learning_rate": (1e-5, 1.0),
    "patience": (0, 500),
    "seed": (0, 2**31 - 1),
}


def airline_series() -> pd.Series:
    """The airline passengers as a monthly series (DatetimeIndex of month starts, 1949-01 .. 1960-12)."""
    index = pd.date_range("1949-01-01", periods=len(AIRLINE_PASSENGERS), freq="MS", name="date")
    return pd.Series(np.asarray(AIRLINE_PASSENGERS, dtype=float), index=index, name="passengers")


# ---------------------------------------------------------------------------------------------
# Season length and checks


def infer_season(index: pd.DatetimeIndex) -> int:
    """Season length from regular dates: monthly 12, quarterly 4, weekly 52, business-daily 5, daily 7.

    Trading days (weekdays only, gaps of at most 4 calendar days for holidays) count as
    business-daily. Anything else raises AppError(BAD_INPUT) with a sentence.
    """
    dates = pd.DatetimeIndex(index)
    if len(dates) < 3 or not dates.is_monotonic_increasing or not dates.is_unique:
        raise AppError(ErrorKind.BAD_INPUT, key="seq_dates_few")
    months = np.diff(np.asarray(dates.year) * 12 + np.asarray(dates.month))
    days = np.diff(_days(dates))
    if np.all(months == 1):
        return 12
    if np.all(months == 3):
        return 4
    if np.all(months == 12):
        raise AppError(ErrorKind.BAD_INPUT, key="seq_yearly")
    if np.all(days == 7):
        return 52
    if np.all(days == 1):
        return 7
    if np.all(dates.dayofweek < 5) and np.all((days >= 1) & (days <= 4)):
        return 5
    raise AppError(ErrorKind.BAD_INPUT, key="seq_uneven_dates")


def _days(dates: pd.DatetimeIndex) -> np.ndarray:
    """Whole days since the epoch, whatever the index's time unit."""
    return np.asarray((dates.normalize() - pd.Timestamp("1970-01-01")).days)


def check_values(series: pd.Series) -> np.ndarray:
    """The values as floats; AppError when they are text, missing or not positive (logs need > 0)."""
    values = pd.to_numeric(pd.Series(series), errors="coerce").to_numpy(dtype=float)
    if not len(values) or np.isnan(values).all():
        raise AppError(ErrorKind.TEXT_TARGET, key="seq_no_numbers")
    if np.isnan(values).any():
        raise AppError(ErrorKind.BAD_INPUT, key="seq_missing_values")
    if (values <= 0).any():
        raise AppError(ErrorKind.BAD_INPUT, key="seq_not_positive")
    return values


# ---------------------------------------------------------------------------------------------
# Configuration


@dataclass(frozen=True)
class SeasonalConfig:
    """Everything that decides a trained seasonal model (the cache key, with the data fingerprint)."""

    mode: str = "default"  # "course" (the notes' set-up) | "default" (our honest pipeline)
    split: str = "seed"  # seed (the notes' 80% of targets) | last12 | last24 (the last 12 / 24 points test)
    forecast: str = ""  # one_step | recursive; "" = the split's own (seed: one_step, lastN: recursive)
    scaling: str = "train"  # course mode: "series" (the notes' leak) or "train"; default mode: "train" only
    cell: str = "gru"  # rnn | lstm | gru | conv1d
    units: int = 16  # units (filters for conv1d) per layer
    layers: int = 1  # stacked layers
    lags: int = 0  # course: previous points fed as features of each step (3); default: window, 0 = two seasons
    season: int = 0  # season length; 0 = inferred from the dates
    epochs: int = 300  # most epochs (default mode stops earlier on the validation season)
    batch_size: int = 32  # samples per step (course: 1 = the one sequence, full batch)
    learning_rate: float = 0.01  # Adam step size
    anchor: str = "seasonal_naive_log_drift"  # default mode's zero-output baseline (growth: one step only)
    patience: int = 20  # default mode: epochs without validation improvement before stopping (0 = never)
    seed: int = 7  # keras.utils.set_random_seed
    column: str = ""  # the data's column to model ("" = its first column; the airline has one)

    def __post_init__(self) -> None:
        forecast = self.forecast or ("one_step" if self.split == "seed" else "recursive")
        object.__setattr__(self, "forecast", forecast)
        for name, choices in CHOICES.items():
            check_choice(name, getattr(self, name), choices)
        for name, (low, high) in LIMITS.items():
            check_range(name, getattr(self, name), low, high, whole=isinstance(low, int))
        _check_rules(self)

    @classmethod
    def course(cls, cell: str = "lstm", **changes) -> SeasonalConfig:
        """The notes: 3 lags, 2 layers of 6 units, Adam 0.1, MSE, 1000 full-batch epochs, whole-series scaling."""
        values = dict(mode="course", split="seed", scaling="series", cell=cell, units=6, layers=2, lags=COURSE_LAGS)
        values |= dict(epochs=1000, batch_size=1, learning_rate=0.1, patience=0)
        return cls(**(values | changes))

    @classmethod
    def default(cls, cell: str = "gru", **changes) -> SeasonalConfig:
        """Our default: GRU(16) on two seasons, Adam 0.01, batch 32, <= 300 epochs, patience 20.

        Chosen by short experiments on airline (seeds 1-3, mean RMSE): seed split one step 17.93
        (best naive 19.25), last 12 recursive 16.44 (17.62), last 24 recursive 32.84 (17.02: lost).
        """
        return cls(**(dict(mode="default", cell=cell) | changes))

    @property
    def label(self) -> str:
        return f"{self.cell} ({self.mode}, {self.split}, {self.forecast})"


def _check_rules(c: SeasonalConfig) -> None:
    """Rules between settings (ranges are checked against LIMITS)."""
    checks = [
        (c.mode == "course" or c.scaling == "train", "Default mode scales with the training values only."),
        (c.mode == "default" or c.lags >= 1, "Course mode needs at least one lag."),
        (c.anchor != "seasonal_naive_growth" or c.forecast == "one_step", "The growth anchor is one-step only."),
        (c.season != 1, "A season of one point is no season."),
    ]
    for ok, message in checks:
        if not ok:
            raise ValueError(message)


# ---------------------------------------------------------------------------------------------
# Splits


def n_test_points(split: str, n: int) -> int:
    """Test points at the end of a series of n points.

    seed: the notes' split, read on any series: targets start after COURSE_LAGS points and the
    first int(0.8 * targets) train; on airline that is 112 targets (Apr 1949 .. Jul 1958) and 29
    test months (Aug 1958 .. Dec 1960). lastN: the last N points.
    """
    if split == "seed":
        targets = n - COURSE_LAGS
        return targets - int(targets * COURSE_TRAIN_RATE)
    if split in ("last12", "last24"):
        return int(split[4:])
    raise ValueError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")


def season_of(config: SeasonalConfig, series: pd.Series) -> int:
    """The configured season length, or the one the dates imply."""
    return config.season or infer_season(pd.DatetimeIndex(series.index))


def window_of(config: SeasonalConfig, season: int) -> int:
    """Steps per model input: course mode's lags are features of ONE step; default: lags or two seasons.

    Two seasons let the model see how last year's change compares with the year before (with
    one season its recursive 12-month forecast lost to seasonal naive + log drift: 21.4 vs 17.62).
    """
    return config.lags or 2 * season


def minimum_length(config: SeasonalConfig, season: int) -> int:
    """Fewest training points a configuration needs before its test points.

    Two full seasons plus one for the baselines (Holt-Winters needs two seasons, the growth
    baseline y[t-m-1]); default mode needs one season before its first difference, one window,
    at least m + 1 fitting targets and a validation season.
    """
    if config.mode == "course":
        return max(2 * season + 1, config.lags + 2)
    return 2 * season + window_of(config, season) + season + 1


def split_points(config: SeasonalConfig, series: pd.Series) -> tuple[int, int]:
    """(season length, index of the first test point); AppError when the series is too short."""
    season = season_of(config, series)
    n = len(series)
    n_test = n_test_points(config.split, n) if n > COURSE_LAGS else 0
    start = n - n_test
    need = minimum_length(config, season)
    if n_test < 1 or start < need:
        raise AppError(
            ErrorKind.TOO_FEW_ROWS,
            key="seq_too_short",
            n=n,
            season=season,
            split=config.split,
            need=need,
            test=max(n_test, 1),
        )
    return season, start


# ---------------------------------------------------------------------------------------------
# Codecs: series values <-> model inputs, targets and outputs


@dataclass(frozen=True)
class CourseCodec:
    """The notes' encoding: min-max scaled values, step t of ONE sequence holds y[t-lags:t]."""

    lags: int  # previous points per step (the notes' look_back, 3)
    scaling: MinMaxScaling  # min/max of the whole series (the notes) or of the training values

    def inputs(self, values: np.ndarray, targets: range) -> np.ndarray:
        """(1, targets.stop - lags, lags): one sequence from the first possible target up to the last."""
        scaled = self.scaling.transform(np.asarray(values, dtype=float))
        idx = np.arange(self.lags, targets.stop)[:, None] + np.arange(-self.lags, 0)[None, :]  # (steps, lags)
        return scaled[idx][None].astype(np.float32)

    def targets(self, values: np.ndarray, targets: range) -> np.ndarray:
        """(1, len(targets), 1): the scaled values the sequence's steps must output."""
        scaled = self.scaling.transform(np.asarray(values, dtype=float)[targets.start : targets.stop])
        return scaled[None, :, None].astype(np.float32)

    def decode(self, outputs: np.ndarray, values: np.ndarray, targets: range) -> np.ndarray:
        """The outputs of `targets` (the sequence's last steps) back to values."""
        out = np.asarray(outputs, dtype=float).reshape(-1)  # one output per step, steps lags .. stop-1
        return self.scaling.inverse(out[targets.start - self.lags : targets.stop - self.lags])


@dataclass(frozen=True, eq=False)
class DefaultCodec:
    """Our encoding: seasonal log differences d[s] = log y[s] - log y[s-m] - g, scaled by their training std.

    A window of `window` steps holds, per step, d[s] / scale and the position in the season as
    sin / cos. The model predicts (d[t] - anchor term) / scale: zero output = the anchor baseline
    (growth: d[t] = d[t-1], i.e. y[t-m]*y[t-1]/y[t-m-1]; log drift: d[t] = 0, i.e. y[t-m]*exp(g)).
    """

    season: int  # m
    window: int  # steps per input
    drift: float  # g: mean yearly log growth of the training values (core.seasonal_baselines.log_drift)
    scale: float  # std of the training values' d
    anchor: str  # "seasonal_naive_growth" (one step) | "seasonal_naive_log_drift" (recursive)
    positions: np.ndarray  # (n,) position of every point in its season (month of year - 1, weekday ...)

    def _differences(self, values: np.ndarray) -> np.ndarray:
        """(n,) scaled seasonal log differences; NaN for the first season."""
        z = np.log(np.asarray(values, dtype=float))
        d = np.full(len(z), np.nan)
        d[self.season :] = (z[self.season :] - z[: -self.season] - self.drift) / self.scale
        return d

    def _anchor_term(self, d: np.ndarray, targets: range) -> np.ndarray:
        t = np.arange(targets.start, targets.stop)
        return d[t - 1] if self.anchor == "seasonal_naive_growth" else np.zeros(len(t))

    def inputs(self, values: np.ndarray, targets: range) -> np.ndarray:
        """(len(targets), window, 3): per step d / scale, sin and cos of the position in the season."""
        angle = 2 * np.pi * self.positions[: len(values)] / self.season
        features = np.stack([self._differences(values), np.sin(angle), np.cos(angle)], axis=1)  # (n, 3)
        idx = np.arange(targets.start, targets.stop)[:, None] + np.arange(-self.window, 0)[None, :]
        return features[idx].astype(np.float32)

    def targets(self, values: np.ndarray, targets: range) -> np.ndarray:
        """(len(targets), 1): the scaled change of d over the anchor."""
        d = self._differences(values)
        return (d[targets.start : targets.stop] - self._anchor_term(d, targets))[:, None].astype(np.float32)

    def decode(self, outputs: np.ndarray, values: np.ndarray, targets: range) -> np.ndarray:
        """exp(log y[t-m] + g + scale * (output + anchor term)) for every target t."""
        d = self._differences(values)
        t = np.arange(targets.start, targets.stop)
        change = np.asarray(outputs, dtype=float).reshape(-1) + self._anchor_term(d, targets)
        return np.exp(np.log(np.asarray(values, dtype=float)[t - self.season]) + self.drift + self.scale * change)


def season_positions(dates: pd.DatetimeIndex, season: int) -> np.ndarray:
    """Position of each date in its season (month of year, quarter, week of year, weekday).

    When `season` is not the one the dates imply (a length set by hand), the position is i mod m.
    """
    dates = pd.DatetimeIndex(dates)
    if infer_season_or_zero(dates) != season:
        return np.arange(len(dates)) % season
    by_season = {12: dates.month - 1, 4: dates.quarter - 1, 7: dates.dayofweek, 5: dates.dayofweek}
    if season == 52:
        return np.minimum(np.asarray(dates.isocalendar().week, dtype=int) - 1, 51)
    return np.asarray(by_season[season], dtype=int)


# ---------------------------------------------------------------------------------------------
# Prepare: series -> arrays for fitting and what scoring needs


@dataclass(frozen=True, eq=False)
class SeasonalArrays:
    """Model inputs and targets for fitting and validation, and what scoring needs."""

    config: SeasonalConfig
    dates: pd.DatetimeIndex  # (n,) dates of the whole series
    values: np.ndarray  # (n,) the series
    season: int  # season length m
    test_start: int  # index of the first test point; test points are values[test_start:]
    codec: CourseCodec | DefaultCodec  # statistics from values[:test_start] (course "series": all values)
    fit_targets: range  # indices of the points x_fit / y_fit predict
    x_fit: np.ndarray  # course (1, steps, lags): one sequence; default (samples, window, 3)
    y_fit: np.ndarray  # course (1, steps, 1); default (samples, 1)
    x_val: np.ndarray | None = None  # default: the last training season; course: None (the notes validate on nothing)
    y_val: np.ndarray | None = None

    @property
    def input_shape(self) -> tuple[int | None, int]:
        """What build_seasonal_model needs: (None, lags) for course mode's sequence, (window, 3) otherwise."""
        return (None, self.x_fit.shape[-1]) if self.config.mode == "course" else tuple(self.x_fit.shape[1:])

    @property
    def validation(self) -> tuple[np.ndarray, np.ndarray] | None:
        return None if self.x_val is None else (self.x_val, self.y_val)

    @property
    def test_dates(self) -> pd.DatetimeIndex:
        return self.dates[self.test_start :]


def prepare_seasonal(config: SeasonalConfig, series: pd.Series) -> SeasonalArrays:
    """Split the series, fit the codec on the training values, and cut the arrays for fitting."""
    values = check_values(series)
    season, start = split_points(config, series)
    dates = pd.DatetimeIndex(series.index)
    if config.mode == "course":
        return _prepare_course(config, values, dates, season, start)
    return _prepare_default(config, values, dates, season, start)


def _prepare_course(
    config: SeasonalConfig, values: np.ndarray, dates: pd.DatetimeIndex, season: int, start: int
) -> SeasonalArrays:
    """ONE training sequence (batch 1) of the targets before the test points, lags as features."""
    seen = values if config.scaling == "series" else values[:start]  # "series": the notes' leak
    codec = CourseCodec(config.lags, MinMaxScaling.fit(seen[:, None]))
    fit = range(config.lags, start)
    x_fit, y_fit = codec.inputs(values[:start], fit), codec.targets(values, fit)
    return SeasonalArrays(config, dates, values, season, start, codec, fit, x_fit, y_fit)


def _prepare_default(
    config: SeasonalConfig, values: np.ndarray, dates: pd.DatetimeIndex, season: int, start: int
) -> SeasonalArrays:
    """Windows of the training points; the last training season validates; the test points are never read."""
    train = values[:start]
    window = window_of(config, season)
    g = log_drift(train, start, season)
    d = np.log(train[season:]) - np.log(train[:-season]) - g
    codec = DefaultCodec(season, window, g, float(np.std(d)) or 1.0, config.anchor, season_positions(dates, season))
    first, val_start = season + window, start - season
    fit, val = range(first, val_start), range(val_start, start)
    x_fit, y_fit = codec.inputs(train, fit), codec.targets(train, fit)
    x_val, y_val = codec.inputs(train, val), codec.targets(train, val)
    return SeasonalArrays(config, dates, values, season, start, codec, fit, x_fit, y_fit, x_val, y_val)


# ---------------------------------------------------------------------------------------------
# Model


def build_seasonal_model(config: SeasonalConfig, input_shape: tuple[int | None, int]):
    """Compiled model: course (None, lags) -> per-step outputs; default (window, 3) -> one output."""
    import keras

    inputs = keras.Input(input_shape, name="sequence" if config.mode == "course" else "window")
    x = inputs
    per_step = config.mode == "course"  # course mode outputs one prediction per month of the sequence
    for k in range(config.layers):
        x = _layer(config, k, return_sequences=per_step or k < config.layers - 1)(x)
    if config.cell == "conv1d" and not per_step:
        x = keras.layers.Flatten(name="flatten")(x)  # keep where in the window each feature sits
    # default mode: a zero output starts exactly at the anchor baseline
    zero = {"kernel_initializer": "zeros", "bias_initializer": "zeros"} if not per_step else {}
    outputs = keras.layers.Dense(1, name="prediction", **zero)(x)
    model = keras.Model(inputs, outputs, name=f"seasonal_{config.cell}_{config.mode}")
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss="mse", jit_compile=False)
    return model


def _layer(config: SeasonalConfig, k: int, return_sequences: bool):
    """Layer k: a recurrent cell, or a causal Conv1D (kernel 3) that keeps one output per step."""
    import keras

    from core.models import recurrent_layer

    name = f"{config.cell}_{k + 1}"
    if config.cell == "conv1d":
        return keras.layers.Conv1D(config.units, 3, padding="causal", activation="tanh", name=name)
    return recurrent_layer(config.cell, config.units, return_sequences=return_sequences, name=name)


# ---------------------------------------------------------------------------------------------
# Scoring


@dataclass(frozen=True, eq=False)
class SeasonalScore:
    """Predictions on the test points, beside every baseline on the same points."""

    forecast: str  # one_step | recursive
    dates: pd.DatetimeIndex  # the test points
    actual: np.ndarray  # (n_test,)
    predictions: np.ndarray  # (n_test,)
    baselines: dict[str, np.ndarray]  # name -> (n_test,)
    metrics: pd.DataFrame  # rows "model" and each baseline; columns rmse, mape, mae, mse, ...
    best_naive: str  # the naive baseline with the lowest RMSE on these points
    fitted_dates: pd.DatetimeIndex  # every training target (default mode: the validation season too)
    fitted: np.ndarray  # the model's one-step outputs there (the notes' "fitted values")

    @property
    def rmse(self) -> float:
        return float(self.metrics.loc["model", "rmse"])

    @property
    def mape(self) -> float:
        return float(self.metrics.loc["model", "mape"])


def score_seasonal(model, prepared: SeasonalArrays, config: SeasonalConfig) -> SeasonalScore:
    """Predict the test points (one step or recursively) and score them beside every baseline.

    `model`: a keras.Model or any function mapping model inputs to outputs.
    """
    predict = _predictor(model)
    values, start, codec = prepared.values, prepared.test_start, prepared.codec
    test = range(start, len(values))
    if config.forecast == "one_step":
        predictions = codec.decode(predict(codec.inputs(values, test)), values, test)
    else:
        predictions = recursive_forecast(predict, codec, values[:start], len(test))
    fit = range(prepared.fit_targets.start, start)  # every training target (default: validation too)
    fitted = codec.decode(predict(codec.inputs(values[:start], fit)), values, fit)
    baselines = seasonal_baselines(values, start, prepared.season, config.forecast)
    actual = values[start:]
    table = _metrics_table(actual, values[start - 1 : -1], {"model": predictions, **baselines})
    naive = [n for n in baselines if n in NAIVE]
    best = min(naive, key=lambda n: table.loc[n, "rmse"])
    dates = prepared.dates
    return SeasonalScore(
        config.forecast, dates[start:], actual, predictions, baselines, table, best, dates[fit.start : fit.stop], fitted
    )


def _predictor(model):
    """A function x -> outputs as a NumPy array, from a keras.Model or a plain function."""
    if hasattr(model, "predict_on_batch"):
        return lambda x: np.asarray(model(x, training=False))
    return lambda x: np.asarray(model(x))


def recursive_forecast(predict, codec: CourseCodec | DefaultCodec, history: np.ndarray, steps: int) -> np.ndarray:
    """`steps` points past `history`, each predicted from the points before it (earlier predictions included)."""
    values = np.concatenate([np.asarray(history, dtype=float), np.full(steps, np.nan)])
    for t in range(len(history), len(values)):
        target = range(t, t + 1)
        values[t] = codec.decode(predict(codec.inputs(values[: t + 1], target)), values, target)[0]
    return values[len(history) :]


def _metrics_table(actual: np.ndarray, previous: np.ndarray, forecasts: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per forecast: MSE, RMSE, MAE, MAPE (%), direction accuracy, change-std ratio."""
    rows = {name: error_metrics(actual, pred, previous) for name, pred in forecasts.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "forecast"
    return table


# ---------------------------------------------------------------------------------------------
# What a page shows beside the numbers


def shape_table(prepared: SeasonalArrays, lang: str = "en") -> list[dict[str, str]]:
    """Rows (reading, shape, axes, meaning): course mode's time-major vs batch-major readings, or default's windows."""
    if prepared.config.mode == "default":
        return _default_shapes(prepared, lang)
    lags, fit = prepared.config.lags, prepared.fit_targets
    steps, test = len(prepared.values) - lags, len(prepared.values) - prepared.test_start
    day = _day_text(prepared.dates)
    blanks = dict(steps=steps, lags=lags, fit=len(fit), test=test, first=day(fit.start), last=day(fit.stop - 1))
    blanks |= dict(test_first=day(prepared.test_start), test_last=day(len(prepared.values) - 1))
    rows = [
        ("notes", (steps, 1, lags), "axes_time_major"),
        ("keras", (1, steps, lags), "axes_batch_major"),
        ("fit", (1, len(fit), lags), "axes_batch_major"),
        ("output", (1, steps, 1), "axes_batch_major"),
        ("misread", (steps, 1, lags), "axes_batch_major"),
    ]
    return [_shape_row(key, shape, axes, blanks, lang) for key, shape, axes in rows]


def _default_shapes(prepared: SeasonalArrays, lang: str) -> list[dict[str, str]]:
    day = _day_text(prepared.dates)
    fit, start, m = prepared.fit_targets, prepared.test_start, prepared.season
    window = prepared.codec.window
    anchor = prepared.config.anchor.replace("_", " ")
    fit_blanks = dict(samples=len(fit), window=window, first=day(fit.start), last=day(fit.stop - 1))
    val_blanks = dict(samples=m, first=day(start - m), last=day(start - 1))
    return [
        _shape_row("window", prepared.x_fit.shape, "axes_batch_major", fit_blanks, lang),
        _shape_row("validation", prepared.x_val.shape, "axes_batch_major", val_blanks, lang),
        _shape_row("default_output", (len(fit), 1), "axes_output", dict(anchor=anchor), lang),
    ]


def _shape_row(key: str, shape: tuple, axes: str, blanks: dict, lang: str) -> dict[str, str]:
    return {
        "reading": text("seasonal", f"shape_reading_{key}", lang),
        "shape": "(" + ", ".join(str(int(s)) for s in shape) + ")",
        "axes": text("seasonal", axes, lang),
        "meaning": text("seasonal", f"shape_meaning_{key}", lang, **blanks),
    }


def _day_text(dates: pd.DatetimeIndex):
    """i -> the date of point i as text (year-month for monthly points)."""
    monthly = len(dates) > 2 and infer_season_or_zero(dates) in (12, 4)
    return lambda i: dates[i].strftime("%Y-%m" if monthly else "%Y-%m-%d")


def infer_season_or_zero(dates: pd.DatetimeIndex) -> int:
    """infer_season, or 0 for dates it cannot read."""
    try:
        return infer_season(dates)
    except AppError:
        return 0


def scaling_leak(prepared: SeasonalArrays, lang: str = "en") -> str | None:
    """A sentence when the scaling read values of the test points (course mode's whole-series min-max), else None."""
    codec = prepared.codec
    if not isinstance(codec, CourseCodec):
        return None
    train = prepared.values[: prepared.test_start]
    low, high = codec.scaling.data_min[0], codec.scaling.data_max[0]
    if low >= train.min() and high <= train.max():
        return None
    values = dict(low=f"{low:g}", high=f"{high:g}", train_low=f"{train.min():g}", train_high=f"{train.max():g}")
    return text("seasonal", "scaling_leak", lang, **values)


def verdict(score: SeasonalScore, lang: str = "en") -> str:
    """One sentence: does the model beat the best naive baseline on the test points (RMSE, 2 decimals)?"""
    return verdict_sentence(score.rmse, score.best_naive, float(score.metrics.loc[score.best_naive, "rmse"]), lang)


def verdict_sentence(model_rmse: float, best_naive: str, best_rmse: float, lang: str = "en") -> str:
    """The verdict of a model RMSE against the best naive baseline's (compared at 2 decimals)."""
    rmse, best = round(model_rmse, 2), round(best_rmse, 2)
    key = "verdict_win" if rmse < best else "verdict_tie" if rmse == best else "verdict_loss"
    name = text("seasonal", f"baseline_{best_naive}", lang)
    return text("seasonal", key, lang, rmse=f"{rmse:.2f}", name=name, best=f"{best:.2f}")


# ---------------------------------------------------------------------------------------------
# On the one training path: the spec, several seeds, and a read-only view for the pages

AIRLINE_SOURCE = "embedded: airline passengers"


def series_of(data, column: str = "") -> pd.Series:
    """The series to model: the airline passengers (data None) or one column of a PriceData / DataFrame."""
    if data is None:
        return airline_series()
    frame = getattr(data, "frame", data)
    if frame.shape[1] == 0:
        raise AppError(ErrorKind.NO_PRICE_COLUMN)
    name = column or frame.columns[0]
    if name not in frame.columns:
        raise AppError(ErrorKind.NO_PRICE_COLUMN, key="seq_no_column", column=repr(name))
    return frame[name]


def check_seasonal(config: SeasonalConfig, data) -> SeasonalArrays:
    """The arrays `config` trains on; AppError with a sentence when the data cannot support it."""
    return prepare_seasonal(config, series_of(data, config.column))


def fit_plan(config: SeasonalConfig, has_validation: bool) -> FitPlan:
    """Course: the one sequence, full batch, every epoch, no validation, steps compiled with XLA (one
    fixed shape; about 10x faster through 1000 epochs of a long sequence on CPU). Default: batches, early
    stopping on the validation season, and the untrained start (the anchor baseline) kept when no epoch
    beats it (XLA would recompile for each batch shape and gains nothing there)."""
    if config.mode == "course":
        return FitPlan(config.epochs, 1, config.seed, shuffle=False, stateful_sequence=True, jit_compile=True)
    patience = config.patience if config.patience and has_validation else None
    return FitPlan(config.epochs, config.batch_size, config.seed, patience=patience, keep_start_if_better=True)


class SeasonalSpec:
    """A seasonal model on the one training path: data is None (the airline) or a core.prices.PriceData."""

    name = "seasonal"
    version = 1

    def prepare(self, config: SeasonalConfig, data) -> Prepared:
        series = series_of(data, config.column)
        arrays = prepare_seasonal(config, series)
        plan = fit_plan(config, arrays.validation is not None)
        source = AIRLINE_SOURCE if data is None else getattr(data, "source", "data")
        extra = {"arrays": arrays, "source": source, "column": str(series.name)}
        return Prepared(arrays.x_fit, arrays.y_fit, plan, val=arrays.validation, extra=extra)

    def build(self, config: SeasonalConfig, prepared: Prepared):
        return build_seasonal_model(config, prepared.extra["arrays"].input_shape)

    def score(self, model, prepared: Prepared, config: SeasonalConfig) -> Scored:
        arrays = prepared.extra["arrays"]
        s = score_seasonal(model, arrays, config)
        outputs = {"test_dates": _ns(s.dates), "actual": s.actual, "predictions": s.predictions}
        outputs |= {"fitted_dates": _ns(s.fitted_dates), "fitted": s.fitted}
        outputs |= {"dates": _ns(arrays.dates), "values": arrays.values}
        outputs |= {f"baseline:{name}": values for name, values in s.baselines.items()}
        meta = {
            "metrics": {row: {k: float(v) for k, v in values.items()} for row, values in s.metrics.iterrows()},
            "best_naive": s.best_naive,
            "forecast": s.forecast,
            "season": arrays.season,
            "test_start": arrays.test_start,
            "leaks": scaling_leak(arrays) is not None,
            "x_fit_shape": list(arrays.x_fit.shape),
            "summary_rows": summary_rows(model),
            "source": prepared.extra["source"],
            "column": prepared.extra["column"],
        }
        return Scored(outputs, meta)


SEASONAL = SeasonalSpec()


def _ns(index) -> np.ndarray:
    return pd.DatetimeIndex(index).as_unit("ns").asi8


def _dates(ns: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(np.asarray(ns, dtype="int64"), unit="ns"), name="date")


@dataclass(frozen=True, eq=False)
class SeasonalResult:
    """One configuration trained with several seeds, scored on the same test points as every baseline."""

    runs: tuple[TrainedModel, ...]  # one per seed, in seed order

    config = property(lambda self: self.runs[0].config)  # the first seed's configuration
    seeds = property(lambda self: tuple(r.config.seed for r in self.runs))
    cached = property(lambda self: all(r.cached for r in self.runs))
    train_seconds = property(lambda self: float(sum(r.seconds for r in self.runs)))  # every seed's fit
    fit_seconds = property(lambda self: float(np.mean([r.seconds for r in self.runs])))  # mean per seed
    history = property(lambda self: self.runs[0].history)
    forecast = property(lambda self: self.runs[0].meta["forecast"])
    season = property(lambda self: self.runs[0].meta["season"])
    best_naive = property(lambda self: self.runs[0].meta["best_naive"])
    leaks = property(lambda self: self.runs[0].meta["leaks"])
    source = property(lambda self: self.runs[0].meta["source"])

    def _out(self, name: str) -> np.ndarray:
        return self.runs[0].outputs[name]

    @functools.cached_property
    def rmse_by_seed(self) -> np.ndarray:
        return np.array([r.meta["metrics"]["model"]["rmse"] for r in self.runs])

    @property
    def rmse(self) -> float:
        return mean_std(self.rmse_by_seed)[0]

    @property
    def rmse_std(self) -> float:
        return mean_std(self.rmse_by_seed)[1]

    @functools.cached_property
    def dates(self) -> pd.DatetimeIndex:
        return _dates(self._out("test_dates"))

    @functools.cached_property
    def series(self) -> pd.Series:
        return pd.Series(self._out("values"), index=_dates(self._out("dates")), name=self.runs[0].meta["column"])

    actual = property(lambda self: self._out("actual"))

    @functools.cached_property
    def predictions(self) -> np.ndarray:
        """(seeds, n_test) every seed's predictions of the test points."""
        return np.stack([r.outputs["predictions"] for r in self.runs])

    @functools.cached_property
    def fitted(self) -> pd.Series:
        """The first seed's one-step outputs on the training targets (the notes' fitted values)."""
        return pd.Series(self._out("fitted"), index=_dates(self._out("fitted_dates")), name="fitted")

    @functools.cached_property
    def baselines(self) -> dict[str, np.ndarray]:
        outputs = self.runs[0].outputs
        return {k.split(":", 1)[1]: v for k, v in outputs.items() if k.startswith("baseline:")}

    @functools.cached_property
    def metrics(self) -> pd.DataFrame:
        """Rows "model" (the mean over seeds of each metric) and every baseline; columns rmse, mae, mape ..."""
        tables = [pd.DataFrame.from_dict(r.meta["metrics"], orient="index") for r in self.runs]
        table = tables[0].copy()
        table.loc["model"] = pd.concat([t.loc[["model"]] for t in tables]).mean()
        table.index.name = "forecast"
        return table

    def baseline_rmse(self, name: str) -> float:
        return float(self.metrics.loc[name, "rmse"])

    def verdict(self, lang: str = "en") -> str:
        """The model's mean RMSE against the best naive baseline's, and any statistical reference that does better."""
        lines = [verdict_sentence(self.rmse, self.best_naive, self.baseline_rmse(self.best_naive), lang)]
        for name in (n for n in STATISTICAL if n in self.baselines):
            if self.baseline_rmse(name) < round(self.rmse, 2):
                value = f"{self.baseline_rmse(name):.2f}"
                label = text("seasonal", f"baseline_{name}", lang)
                lines.append(text("seasonal", "reference_better", lang, name=label, rmse=value))
        return " ".join(lines)

    @property
    def beats_best_naive(self) -> bool:
        return round(self.rmse, 2) < round(self.baseline_rmse(self.best_naive), 2)


def run_seasonal(
    config: SeasonalConfig,
    data=None,
    *,
    seeds: int = 3,
    report: Reporter | None = None,
    cancel=None,
    use_cache: bool = True,
    lang: str = "en",
) -> SeasonalResult:
    """Train `seeds` seeds of `config` (config.seed, +1, ...) on `data` (None: the airline); the data is
    checked first, so a series that cannot support the settings is refused before anything trains."""
    check_seasonal(config, data)
    configs = seed_configs(config, seeds)
    runs = train_seeds(SEASONAL, configs, data, report=report, cancel=cancel, use_cache=use_cache, lang=lang)
    return SeasonalResult(runs)


def seasonal_summary(result: SeasonalResult) -> dict:
    """The JSON object of `python -m core seq seasonal`."""
    dates = result.dates
    return {
        "task": "seasonal",
        "source": result.source,
        "mode": result.config.mode,
        "split": result.config.split,
        "forecast": result.forecast,
        "cell": result.config.cell,
        "scaling": result.config.scaling,
        "season": result.season,
        "n_test": len(dates),
        "test_start": dates[0].date().isoformat(),
        "test_end": dates[-1].date().isoformat(),
        "seeds": list(result.seeds),
        "rmse": result.rmse,
        "rmse_std": result.rmse_std,
        "rmse_by_seed": result.rmse_by_seed.tolist(),
        "mape": float(result.metrics.loc["model", "mape"]),
        "fit_seconds": result.fit_seconds,
        "fit_seconds_by_seed": [r.seconds for r in result.runs],
        "epochs_run": [r.epochs for r in result.runs],
        "cached": result.cached,
        "baselines": {name: result.baseline_rmse(name) for name in result.baselines},
        "best_naive": result.best_naive,
        "best_naive_rmse": result.baseline_rmse(result.best_naive),
        "beats_best_naive": result.beats_best_naive,
        "scaling_leaks": result.leaks,
        "verdict": result.verdict(),
        "config": dataclasses.asdict(result.config),
    }


def warm_items(course: bool = True) -> list[tuple[str, Callable]]:
    """What "prepare for class" trains for the Sequence lab's seasonal tab, with the page's seed counts:
    our default (3 seeds) and, with `course`, the lecture notes' model (1 seed), on the airline series."""

    def item(label: str, config: SeasonalConfig, seeds: int) -> tuple[str, Callable]:
        return label, lambda report, cancel: run_seasonal(config, seeds=seeds, report=report, cancel=cancel)

    items = [item("seq · seasonal default", SeasonalConfig.default(), 3)]
    return items + ([item("seq · seasonal course", SeasonalConfig.course(), 1)] if course else [])
