"""Price forecasting: the course's pipeline ("course" mode) and an honest fast one ("default").

Both modes share the chronological split and are scored, with every baseline, on the same days:
the test rows after the first `eval_after` (the course's first window). Course mode predicts the
scaled level of one column and validates on the test windows (that curve is the *test* loss).
Default mode feeds every price column as day-over-day changes relative to the previous close,
predicts the next relative change over the best baseline its inputs allow (a zero-initialised
output starts exactly at that baseline), validates on the last training rows only, stops early
and keeps the best weights. No statistic of the test rows reaches training in either mode.

Training goes through the one training path (core.training) with `FORECAST`, the spec below;
`ForecastResult` reads a trained forecaster for the pages and the command line.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import AppError, ErrorKind
from core.metrics import BASELINE_LABELS, drift_forecast, metrics_table, persistence_forecast, previous_close_forecast
from core.models import (
    CELL_LABELS,
    CELLS,
    MODES,
    LayerCount,
    layer_counts,
    model_summary,
    summary_rows,
    trainable_variables_text,
)
from core.price_codec import OHLC, Codec, codec_from_json, codec_to_json
from core.progress import Reporter
from core.settings import check_choice, check_range
from core.training import FitPlan, Prepared, Scored, TrainedModel, train
from core.windows import chronological_split, make_windows, validation_cut

COURSE_WINDOW = 60  # the course's window; also the test rows skipped before scoring
# The comparison page's extra models: the peephole LSTM, a causal Conv1D (kernel 3) and "dense", the reference
MODEL_CELLS: tuple[str, ...] = (*CELLS, "peephole", "conv1d", "dense")
CONV_KERNEL = 3  # conv1d: days each filter reads
FUTURE_DAYS = 30  # business days past the data forecast with every training (the page's maximum)
# Allowed ranges: keep one training within reason on a classroom laptop (and a typo harmless).
LIMITS: dict[str, tuple[float, float]] = {
    "window": (1, 500),
    "test_size": (20, 5000),
    "epochs": (1, 2000),
    "batch_size": (1, 8192),
    "layers": (1, 8),
    "units": (1, 1024),
    "dropout": (0.0, 0.9),
    "learning_rate": (1e-5, 1.0),
    "seed": (0, 2**31 - 1),
    "val_fraction": (0.0, 0.9),
    "patience": (0, 100),
}


@dataclass(frozen=True)
class ForecastConfig:
    """Everything that decides a trained forecaster (the cache key, with the data fingerprint)."""

    cell: str = "lstm"  # rnn | lstm | gru (comparison also: peephole, conv1d, "dense" = a plain network on the window)
    mode: str = "default"  # "course" (the course's exact pipeline) | "default" (our honest pipeline)
    window: int = 20  # past days fed to the model for each prediction
    test_size: int = 300  # last rows held out for testing
    eval_after: int | None = None  # test rows before the first scored day; None: the course's window when it fits
    epochs: int = 20  # epochs (default mode may stop earlier)
    batch_size: int = 256  # windows per gradient step
    units: tuple[int, ...] | int = 32  # units per recurrent layer (one int = the same for every layer)
    layers: int = 1  # stacked recurrent layers
    dropout: float = 0.0  # dropout after each recurrent layer
    learning_rate: float = 3e-3  # Adam step size
    seed: int = 7  # keras.utils.set_random_seed
    target: str = "open"  # column to predict
    val_fraction: float = 0.3  # default mode: last share of training windows used for validation
    patience: int = 3  # default mode: epochs without validation improvement before stopping
    shrink: bool = True  # default mode: scale the predicted change by a factor in [0, 1] fitted on validation

    def __post_init__(self) -> None:
        units = (self.units,) * self.layers if isinstance(self.units, int) else tuple(int(u) for u in self.units)
        object.__setattr__(self, "units", units)
        check_choice("cell", self.cell, MODEL_CELLS)
        check_choice("mode", self.mode, MODES)
        for name, (low, high) in LIMITS.items():
            whole = isinstance(low, int)
            for value in getattr(self, name) if name == "units" else (getattr(self, name),):
                check_range(name, value, low, high, whole=whole)
        if self.eval_after is None:  # the rule lives here, so the page and the command line agree
            object.__setattr__(self, "eval_after", eval_after_for(self.test_size))
        check_range("eval_after", self.eval_after, 0, self.test_size - 1, whole=True, label="skipped test rows")
        if len(self.units) != self.layers:
            raise ValueError(f"give one unit count per layer ({self.layers} layers, {len(self.units)} counts)")

    @classmethod
    def course(cls, cell: str = "lstm", **changes) -> ForecastConfig:
        """The course's settings: window 60, layers of 80 and 100 units, dropout 0.2, 50 epochs."""
        values = dict(cell=cell, mode="course", window=60, test_size=300, epochs=50, batch_size=64)
        values |= dict(units=(80, 100), layers=2, dropout=0.2, learning_rate=1e-3, val_fraction=0.0, patience=0)
        values |= dict(shrink=False)
        return cls(**(values | changes))

    @classmethod
    def default(cls, cell: str = "lstm", **changes) -> ForecastConfig:
        """Our default: small window, one layer of 32 units, early stopping on the last training rows."""
        return cls(**(dict(cell=cell, mode="default") | changes))

    @classmethod
    def for_mode(cls, mode: str, cell: str = "lstm", **changes) -> ForecastConfig:
        """A mode's settings (its validation, patience and shrink rules included) with `changes` on top."""
        check_choice("mode", mode, MODES)
        return (cls.course if mode == "course" else cls.default)(cell, **changes)

    @property
    def label(self) -> str:
        return f"{CELL_LABELS[self.cell]} ({self.mode})"


def eval_after_for(test_size: int) -> int:
    """Test rows skipped before scoring: the course's window when the test set allows it."""
    return COURSE_WINDOW if test_size > COURSE_WINDOW else max(0, test_size // 5)


def default_target(columns) -> str:
    """The course predicts the open; without an open column use the close (else the first)."""
    cols = list(columns)
    return next((c for c in ("open", "close", "adj_close") if c in cols), cols[0])


# ---------------------------------------------------------------------------------------------
# Data checks


def check_data(frame: pd.DataFrame, config: ForecastConfig) -> None:
    """AppError with a clear sentence when the data cannot support the configuration."""
    if config.target not in frame.columns:
        raise AppError(ErrorKind.NO_PRICE_COLUMN, key="no_target_column", column=repr(config.target))
    if not pd.api.types.is_numeric_dtype(frame[config.target]):
        raise AppError(ErrorKind.TEXT_TARGET)
    needed = config.test_size + config.window + 2 * max(config.window, 10) + 2
    if len(frame) < needed:
        raise AppError(
            ErrorKind.TOO_FEW_ROWS,
            key="too_few_rows_forecast",
            rows=len(frame),
            window=config.window,
            test=config.test_size,
            need=needed,
        )
    if config.mode == "default" and (frame[list(_used_columns(frame, config))] <= 0).to_numpy().any():
        raise AppError(ErrorKind.BAD_INPUT, key="positive_prices")


def _used_columns(frame: pd.DataFrame, config: ForecastConfig) -> tuple[str, ...]:
    cols = [c for c in OHLC if c in frame.columns]  # course mode reads the close only for its baseline
    return tuple(dict.fromkeys([*cols, config.target]))


def _clean_frame(frame: pd.DataFrame, config: ForecastConfig) -> pd.DataFrame:
    """The columns the pipeline reads, as floats, without rows where any of them is missing."""
    return frame[list(_used_columns(frame, config))].astype(float).dropna()


def usable_frame(frame: pd.DataFrame, config: ForecastConfig) -> pd.DataFrame:
    """The rows and columns the pipeline uses; AppError when the data cannot support `config`."""
    check_data(frame, config)
    clean = _clean_frame(frame, config)
    check_data(clean, config)
    return clean


def first_target_row(config: ForecastConfig) -> int:
    """The first row a full window can predict (default mode: row 0 has no change, so one later)."""
    return config.window + (0 if config.mode == "course" else 1)


# ---------------------------------------------------------------------------------------------
# Windows and model


@dataclass
class Windows:
    """Windows for fitting, validation and the scored days."""

    x_fit: np.ndarray  # (samples, window, features)
    y_fit: np.ndarray  # (samples,)
    x_val: np.ndarray | None
    y_val: np.ndarray | None
    x_eval: np.ndarray
    y_eval: np.ndarray
    eval_rows: np.ndarray  # row numbers of the scored days


def prepare(frame: pd.DataFrame, config: ForecastConfig) -> tuple[Codec, Windows, object]:
    """Split, fit the codec on training rows, and cut the windows."""
    split = chronological_split(len(frame), config.test_size, config.eval_after)
    codec = Codec.fit(frame, config.mode, config.target, split.n_train)
    feats, targets = codec.features(frame), codec.targets(frame)
    first = first_target_row(config)
    x_train, y_train = make_windows(feats, targets, config.window, range(first, split.n_train))
    eval_rows = np.arange(split.eval_start, split.n_rows)
    x_eval, y_eval = make_windows(feats, targets, config.window, range(split.eval_start, split.n_rows))
    if config.mode == "course":  # the course validates on the test windows (the "test loss")
        return codec, Windows(x_train, y_train, x_eval, y_eval, x_eval, y_eval, eval_rows), split
    cut = validation_cut(len(x_train), config.val_fraction)  # default: the last training windows validate
    val = (x_train[cut:], y_train[cut:]) if cut < len(x_train) else (None, None)
    return codec, Windows(x_train[:cut], y_train[:cut], *val, x_eval, y_eval, eval_rows), split


def build_model(config: ForecastConfig, n_features: int):
    """Stacked SimpleRNN / LSTM / GRU / peephole LSTM (or causal Conv1D, or dense) layers with dropout, then
    Dense(1); compiled. Conv1D keeps one output per day (padding "causal": no day sees a later one) and is
    flattened before the output, so where in the window a pattern sits still counts."""
    import keras

    inputs = keras.Input((config.window, n_features), name="window")  # (batch, time, features)
    x = keras.layers.Flatten(name="flatten")(inputs) if config.cell == "dense" else inputs
    for k, units in enumerate(config.units):
        x = _hidden_layer(config, k, units)(x)
        if config.dropout > 0:
            x = keras.layers.Dropout(config.dropout, name=f"dropout_{k + 1}")(x)
    if config.cell == "conv1d":
        x = keras.layers.Flatten(name="flatten")(x)  # (batch, window * filters)
    # default mode: a zero output layer starts exactly at the baseline (no change over the anchor)
    zero = {"kernel_initializer": "zeros", "bias_initializer": "zeros"} if config.mode == "default" else {}
    outputs = keras.layers.Dense(1, name="prediction", **zero)(x)
    model = keras.Model(inputs, outputs, name=f"{config.cell}_{config.mode}")
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss="mse", jit_compile=False)
    return model


def _hidden_layer(config: ForecastConfig, k: int, units: int):
    """Layer k of the stack: Dense (the reference), causal Conv1D, or a recurrent cell (the last one returns h_T)."""
    import keras

    from core.models import recurrent_layer

    name = f"{config.cell}_{k + 1}"
    if config.cell == "dense":
        return keras.layers.Dense(units, activation="relu", name=name)
    if config.cell == "conv1d":
        return keras.layers.Conv1D(units, CONV_KERNEL, padding="causal", activation="tanh", name=name)
    return recurrent_layer(config.cell, units, return_sequences=k < config.layers - 1, name=name)


def shrink_factor(out: np.ndarray, y: np.ndarray) -> float:
    """The factor a in [0, 1] that best fits y ~ a * out by least squares (clipping only ever pulls the
    forecast toward its baseline, never past what the model learned)."""
    denom = float(out @ out)
    return float(np.clip(out @ y / denom, 0.0, 1.0)) if denom > 0 else 0.0


def cross_fitted_factor(out: np.ndarray, y: np.ndarray) -> float:
    """The shrink factor, checked on two validation folds (the first and second half, in time).

    The factor fitted on each half must lower the squared error on the OTHER half against the baseline
    (a zero change); otherwise the model shows no gain that carries over, and the factor is 0: the
    forecast falls back to its baseline. Else the mean of the two fitted factors.
    """
    half = len(y) // 2
    folds = [(slice(0, half), slice(half, None)), (slice(half, None), slice(0, half))]
    factors = []
    for fit_rows, check_rows in folds:
        factor = shrink_factor(out[fit_rows], y[fit_rows])
        gain = float(y[check_rows] @ y[check_rows] - np.sum((y[check_rows] - factor * out[check_rows]) ** 2))
        if factor == 0.0 or gain <= 0.0:
            return 0.0
        factors.append(factor)
    return float(np.mean(factors))


def shrink_output(model, val: tuple[np.ndarray, np.ndarray]) -> float | None:
    """Scale the output layer by the cross-fitted factor (0: exactly the baseline). None when the output
    layer is still all zero (the untrained start was kept: nothing to scale)."""
    layer = model.get_layer("prediction")
    if not any(np.any(w) for w in layer.get_weights()):
        return None
    out = model.predict(val[0], batch_size=1024, verbose=0).reshape(-1).astype(float)
    factor = cross_fitted_factor(out, np.asarray(val[1], dtype=float))
    layer.set_weights([w * factor for w in layer.get_weights()])
    return factor


def baseline_forecasts(frame: pd.DataFrame, target: str, rows: np.ndarray) -> dict[str, np.ndarray]:
    """Every baseline the data allows, on the scored rows."""
    y = frame[target].to_numpy(float)
    out = {"persistence": persistence_forecast(y, rows), "drift": drift_forecast(y, rows)}
    if target == "open" and "close" in frame.columns:
        out["previous_close"] = previous_close_forecast(frame["close"].to_numpy(float), rows)
    return out


def allowed_baselines(config: ForecastConfig, available: tuple[str, ...]) -> tuple[str, ...]:
    """Baselines the model's own inputs make possible (course mode sees the target column only)."""
    if config.mode == "course":
        return tuple(b for b in available if b != "previous_close")
    return available


# ---------------------------------------------------------------------------------------------
# The spec: what the one training path runs


class ForecastSpec:
    """Price forecasting on the one training path: data is a core.prices.PriceData."""

    name = "forecast"
    version = 4

    def prepare(self, config: ForecastConfig, data) -> Prepared:
        frame = usable_frame(data.frame, config)
        codec, windows, _ = prepare(frame, config)
        default = config.mode == "default"
        val = (windows.x_val, windows.y_val) if windows.x_val is not None else None
        patience = config.patience if default and val is not None else None
        plan = FitPlan(config.epochs, config.batch_size, config.seed, patience=patience, keep_start_if_better=default)
        extra = {"frame": frame, "codec": codec, "windows": windows, "fingerprint": data.fingerprint()}
        return Prepared(windows.x_fit, windows.y_fit, plan, val=val, extra=extra)

    def build(self, config: ForecastConfig, prepared: Prepared):
        return build_model(config, prepared.x.shape[-1])

    def score(self, model, prepared: Prepared, config: ForecastConfig) -> Scored:
        frame, codec, windows = (prepared.extra[k] for k in ("frame", "codec", "windows"))
        notes, factor = [], None
        if config.mode == "default" and config.shrink and prepared.val is not None:
            factor = shrink_output(model, prepared.val)
            if factor == 0.0:
                notes.append("no gain on both validation folds: the model falls back to its baseline")
            elif factor is not None:
                notes.append(f"predicted changes scaled by {factor:.3f} (fitted on two validation folds)")
        rows = windows.eval_rows
        predictions = codec.decode(model.predict(windows.x_eval, batch_size=256, verbose=0), frame, rows)
        actual = frame[config.target].to_numpy(float)[rows]
        baselines = baseline_forecasts(frame, config.target, rows)
        table, best = metrics_table(
            actual,
            baselines["persistence"],
            {"model": predictions, **baselines},
            allowed_baselines(config, tuple(baselines)),
        )
        tail = frame.iloc[-(config.window + 1) :]
        future = _future_path(model, codec, tail, config.window, FUTURE_DAYS)
        outputs = {"predictions": predictions, "actual": actual, "eval_dates": _ns(frame.index[rows])}
        outputs |= {f"baseline:{k}": v for k, v in baselines.items()}
        outputs |= {"tail": tail.to_numpy(float), "tail_dates": _ns(tail.index)}
        outputs |= {"future": future.to_numpy(float), "future_dates": _ns(future.index)}
        outputs |= _stack_outputs(model, config)
        meta = {
            "codec": codec_to_json(codec),
            "data_fingerprint": prepared.extra["fingerprint"],
            "metrics": table.to_dict(orient="index"),
            "best_baseline": best,
            "tail_columns": list(tail.columns),
            "summary_text": model_summary(model),
            "summary_rows": summary_rows(model),
            "weights_text": trainable_variables_text(model),
            "layer_counts": [dataclasses.asdict(c) for c in layer_counts(model)],
            "notes": notes,
            "fell_back": factor == 0.0,
        }
        return Scored(outputs, meta)


FORECAST = ForecastSpec()


def _ns(index) -> np.ndarray:
    return pd.DatetimeIndex(index).as_unit("ns").asi8


def _stack_outputs(model, config: ForecastConfig) -> dict[str, np.ndarray]:
    """The recurrent layers' weights, for the cell page's NumPy replay (no TensorFlow needed there)."""
    if config.cell not in CELLS:
        return {}
    from core.cell_models import recurrent_stack, stack_to_arrays

    return stack_to_arrays(*recurrent_stack(model))


def _future_path(model, codec: Codec, tail: pd.DataFrame, window: int, days: int) -> pd.Series:
    """The next `days` business days past the data, one at a time.

    From the second day on, each predicted value is fed back as a flat day (every input column equal
    to it), so uncertainty grows quickly; callers must label it as a forecast.
    """
    frame = tail.copy()
    values, dates = [], pd.bdate_range(frame.index[-1] + pd.Timedelta(days=1), periods=days)
    for date in dates:
        frame.loc[date] = np.nan
        i = len(frame) - 1
        x, _ = make_windows(codec.features(frame), np.zeros(len(frame)), window, range(i, i + 1))
        value = float(codec.decode(model.predict_on_batch(x), frame, np.array([i]))[0])
        frame.loc[date] = value
        values.append(value)
    return pd.Series(values, index=pd.DatetimeIndex(dates, name="date"), name="forecast")


# ---------------------------------------------------------------------------------------------
# Reading a trained forecaster


@dataclass(frozen=True, eq=False)
class ForecastResult:
    """A trained forecaster scored on the evaluation days, with its baselines. Read-only."""

    trained: TrainedModel

    config = property(lambda self: self.trained.config)
    cached = property(lambda self: self.trained.cached)
    history = property(lambda self: self.trained.history)  # "loss", "val_loss" (course: the test loss)
    train_seconds = property(lambda self: self.trained.seconds)
    epochs_run = property(lambda self: self.trained.epochs)
    chosen_epoch = property(lambda self: self.trained.chosen_epoch)  # 0 = the untrained start was kept
    keras_bytes = property(lambda self: self.trained.keras_bytes)
    model = property(lambda self: self.trained.model)  # loaded from the bytes on first use
    predictions = property(lambda self: self.trained.outputs["predictions"])
    actual = property(lambda self: self.trained.outputs["actual"])
    data_fingerprint = property(lambda self: self.trained.meta["data_fingerprint"])
    best_baseline = property(lambda self: self.trained.meta["best_baseline"])
    summary_text = property(lambda self: self.trained.meta["summary_text"])
    weights_text = property(lambda self: self.trained.meta["weights_text"])
    notes = property(lambda self: self.trained.meta["notes"])
    fell_back = property(lambda self: self.trained.meta.get("fell_back", False))  # validation showed no gain

    @property
    def val_is_test(self) -> bool:
        """Course mode validates on the test windows: its second curve is the test loss."""
        return self.config.mode == "course"

    @functools.cached_property
    def codec(self) -> Codec:
        return codec_from_json(self.trained.meta["codec"])

    @functools.cached_property
    def eval_dates(self) -> pd.DatetimeIndex:
        return _dates(self.trained.outputs["eval_dates"])

    @functools.cached_property
    def baselines(self) -> dict[str, np.ndarray]:
        outputs = self.trained.outputs
        return {k.split(":", 1)[1]: v for k, v in outputs.items() if k.startswith("baseline:")}

    @functools.cached_property
    def metrics(self) -> pd.DataFrame:
        table = pd.DataFrame.from_dict(self.trained.meta["metrics"], orient="index")
        table.index.name = "forecast"
        return table

    @functools.cached_property
    def tail(self) -> pd.DataFrame:
        out = self.trained.outputs
        return pd.DataFrame(out["tail"], index=_dates(out["tail_dates"]), columns=self.trained.meta["tail_columns"])

    @functools.cached_property
    def future(self) -> pd.Series:
        out = self.trained.outputs
        return pd.Series(out["future"], index=_dates(out["future_dates"]), name="forecast")

    @functools.cached_property
    def layer_counts(self) -> list[LayerCount]:
        return [LayerCount(**c) for c in self.trained.meta["layer_counts"]]


def _dates(ns: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(np.asarray(ns, dtype="int64"), unit="ns"), name="date")


@dataclass(frozen=True)
class SplitView:
    """Where a configuration splits a series: what the page draws before anything is trained."""

    dates: pd.DatetimeIndex  # the rows the pipeline keeps
    values: np.ndarray  # the target on those rows
    test_start: pd.Timestamp  # first test row (training rows end before it)
    val_start: pd.Timestamp | None  # default mode: first row whose window validates; None in course mode
    eval_start: pd.Timestamp  # first scored day (test rows before it only feed the first windows)


def split_view(frame: pd.DataFrame, config: ForecastConfig) -> SplitView:
    """The training / validation / test / scored rows `prepare` would use; AppError if the data cannot do it."""
    clean = usable_frame(frame, config)
    split = chronological_split(len(clean), config.test_size, config.eval_after)
    val_start = None
    if config.mode == "default":  # prepare's validation windows: the last ones before the test rows
        first = first_target_row(config)
        n_windows = split.n_train - first
        cut = validation_cut(n_windows, config.val_fraction)
        val_start = clean.index[first + cut] if cut < n_windows else None
    dates = pd.DatetimeIndex(clean.index)
    return SplitView(
        dates, clean[config.target].to_numpy(float), dates[split.n_train], val_start, dates[split.eval_start]
    )


# ---------------------------------------------------------------------------------------------
# Reading a result


def forecast_table(result: ForecastResult) -> pd.DataFrame:
    """The metrics table with readable row names: the model first, then each baseline."""
    table = result.metrics.copy()
    names = {"model": result.config.label, **BASELINE_LABELS}
    table.index = [names.get(name, name) for name in table.index]
    table.index.name = "forecast"
    return table


def baseline_verdicts(result: ForecastResult) -> list[tuple[str, bool, float]]:
    """(baseline, model beat it on RMSE, model RMSE / baseline RMSE) for every baseline."""
    rmse = result.metrics["rmse"]
    return [(name, bool(rmse["model"] < rmse[name]), float(rmse["model"] / rmse[name])) for name in result.baselines]


def predictions_frame(result: ForecastResult) -> pd.DataFrame:
    """The scored days with the real value, the model and every baseline (the predictions CSV)."""
    frame = pd.DataFrame({"actual": result.actual, "model": result.predictions, **result.baselines})
    frame.index = pd.DatetimeIndex(result.eval_dates, name="date")
    return frame


def summary(result: ForecastResult) -> dict:
    """The JSON object of `python -m core forecast`."""
    model = result.metrics.loc["model"]
    best = result.best_baseline
    dates = result.eval_dates
    return {
        "cell": result.config.cell,
        "mode": result.config.mode,
        "target": result.config.target,
        "cached": result.cached,
        "train_seconds": round(result.train_seconds, 3),
        "epochs_run": result.epochs_run,
        "chosen_epoch": result.chosen_epoch,
        "fell_back": bool(result.fell_back),  # default mode: validation showed no gain, the baseline is used
        "eval_start": dates[0].date().isoformat(),
        "eval_end": dates[-1].date().isoformat(),
        "n_eval": len(dates),
        **{k: float(model[k]) for k in ("mse", "rmse", "mae", "mape")},
        "naive_rmse": float(result.metrics.loc["persistence", "rmse"]),
        "best_naive": best,
        "best_naive_rmse": float(result.metrics.loc[best, "rmse"]),
        "rmse_vs_best_naive": float(model["rmse_vs_best"]),
        "theil_u": float(model["theil_u"]),
        "direction_accuracy": float(model["direction_accuracy"]),
        "change_std_ratio": float(model["change_std_ratio"]),
        "baselines": {name: {k: float(v) for k, v in result.metrics.loc[name].items()} for name in result.baselines},
        "config": dataclasses.asdict(result.config),
        "notes": result.notes,
    }


def forecast_future(result: ForecastResult, days: int) -> pd.Series:
    """A forecast of the next `days` business days past the data (not a scored prediction).

    Each day depends only on the days before it, so up to FUTURE_DAYS days are read from the path
    computed with the training; longer ones run the model again.
    """
    if days <= len(result.future):
        return result.future.iloc[:days].copy()
    return _future_path(result.model, result.codec, result.tail, result.config.window, days)


def run_forecast(
    data, config: ForecastConfig, *, report: Reporter | None = None, cancel=None, use_cache: bool = True
) -> ForecastResult:
    """Train (or take from the cache, or from a running twin) a forecaster of `data` (a PriceData).

    The data is checked here first, so a series that cannot support the settings is refused at once.
    """
    usable_frame(data.frame, config)
    result = ForecastResult(train(FORECAST, config, data, report=report, cancel=cancel, use_cache=use_cache))
    if not result.cached and result.epochs_run:
        _record_pace(config, len(data.frame), result.train_seconds / result.epochs_run)
    return result


def cached_forecast(data, config: ForecastConfig) -> ForecastResult | None:
    """The finished result of exactly these settings on this series, if one is cached (never trains)."""
    from core.training import cached

    found = cached(FORECAST, config, data)
    return ForecastResult(found) if found is not None else None


# How long a training takes on this machine: seconds per epoch per 1000 rows, measured by the runs
# this server (or `python -m core warm`) made, per model shape. A course-mode run is announced with it.
def _pace_key(config: ForecastConfig) -> str:
    return f"{config.mode}-{config.cell}-{config.layers}x{'-'.join(map(str, config.units))}-w{config.window}-b{config.batch_size}"


def _pace_file():
    from core.cache import cache_root

    return cache_root() / "forecast_pace.json"


def _record_pace(config: ForecastConfig, rows: int, seconds_per_epoch: float) -> None:
    import contextlib
    import json
    import os

    with contextlib.suppress(OSError, ValueError):
        path = _pace_file()
        paces = json.loads(path.read_text("utf-8")) if path.exists() else {}
        paces[_pace_key(config)] = round(seconds_per_epoch * 1000 / max(rows, 1), 6)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(paces, sort_keys=True), "utf-8")
        tmp.replace(path)


def expected_seconds(data, config: ForecastConfig) -> float | None:
    """The expected training time of `config` on `data` from earlier runs of the same model shape on this
    machine (all epochs; early stopping can end it sooner), or None when none was measured here."""
    import contextlib
    import json

    with contextlib.suppress(OSError, ValueError):
        pace = json.loads(_pace_file().read_text("utf-8")).get(_pace_key(config))
        if pace:
            return float(pace) * len(data.frame) / 1000 * config.epochs
    return None


def warm_items(course: bool = True) -> list[tuple[str, Callable]]:
    """What "prepare for class" trains for this page: (label, run(report, cancel)) per model — default mode
    (and course mode) per cell, on the default embedded series."""
    from core.datasets import DEFAULT_DATASET, load_dataset

    def item(config: ForecastConfig) -> tuple[str, Callable]:
        return f"forecast · {config.label}", lambda report, cancel: run_forecast(
            load_dataset(DEFAULT_DATASET), config, report=report, cancel=cancel
        )

    target = default_target(load_dataset(DEFAULT_DATASET).frame.columns)
    modes = ("default", "course") if course else ("default",)
    return [item(ForecastConfig.for_mode(mode, cell, target=target)) for mode in modes for cell in CELLS]
