"""Price forecasting: the course's pipeline ("course" mode) and an honest fast one ("default").

Both modes share the chronological split and are scored, with every baseline, on the same days:
the test rows after the first `eval_after` (the course's first window). Course mode predicts the
scaled level of one column and validates on the test windows (that curve is the *test* loss).
Default mode feeds every price column as day-over-day changes relative to the previous close,
predicts the next relative change over the best baseline its inputs allow (a zero-initialised
output starts exactly at that baseline), validates on the last training rows only, stops early
and keeps the best weights. No statistic of the test rows reaches training in either mode.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from core.cache import ResultCache, Serializer, make_key
from core.errors import AppError, ErrorKind
from core.metrics import BASELINE_LABELS, drift_forecast, metrics_table, persistence_forecast, previous_close_forecast
from core.models import CELL_LABELS, CELLS, model_bytes, model_summary, trainable_variables_text
from core.progress import Reporter
from core.windows import MinMaxScaling, chronological_split, make_windows, validation_cut

MODES: tuple[str, ...] = ("course", "default")
OHLC: tuple[str, ...] = ("open", "high", "low", "close")  # default inputs (adj_close only as a target)
COURSE_WINDOW = 60  # the course's window; also the test rows skipped before scoring
MODEL_CELLS: tuple[str, ...] = (*CELLS, "dense")  # "dense": the comparison page's reference only
# Upper bounds that keep one training within reason on a classroom laptop (and a typo harmless).
MAX_WINDOW, MAX_EPOCHS, MAX_BATCH, MAX_LAYERS, MAX_UNITS = 500, 2000, 8192, 8, 1024
FUTURE_DAYS = 30  # business days past the data forecast with every training (the page's maximum)


@dataclass(frozen=True)
class ForecastConfig:
    """Everything that decides a trained forecaster (the cache key, with the data fingerprint)."""

    cell: str = "lstm"  # rnn | lstm | gru ("dense" = a plain network on the same window)
    mode: str = "default"  # "course" (the course's exact pipeline) | "default" (our honest pipeline)
    window: int = 20  # past days fed to the model for each prediction
    test_size: int = 300  # last rows held out for testing
    eval_after: int = COURSE_WINDOW  # test rows before the first scored day (same for every mode)
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
        if self.cell not in MODEL_CELLS:
            raise ValueError(f"unknown cell {self.cell!r}; choose one of {', '.join(MODEL_CELLS)}")
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r}; choose course or default")
        _check_ranges(self)

    @classmethod
    def course(cls, cell: str = "lstm", **changes) -> ForecastConfig:
        """The course's settings: window 60, layers of 80 and 100 units, dropout 0.2, 50 epochs."""
        values = dict(cell=cell, mode="course", window=60, test_size=300, eval_after=60, epochs=50, batch_size=64)
        values |= dict(units=(80, 100), layers=2, dropout=0.2, learning_rate=1e-3, val_fraction=0.0, patience=0)
        values |= dict(shrink=False)
        return cls(**(values | changes))

    @classmethod
    def default(cls, cell: str = "lstm", **changes) -> ForecastConfig:
        """Our default: small window, one layer of 32 units, early stopping on the last training rows."""
        return cls(**(dict(cell=cell, mode="default") | changes))

    @property
    def label(self) -> str:
        return f"{CELL_LABELS.get(self.cell, 'Dense')} ({self.mode})"


def eval_after_for(test_size: int) -> int:
    """Test rows skipped before scoring: the course's window when the test set allows it."""
    return COURSE_WINDOW if test_size > COURSE_WINDOW else max(0, test_size // 5)


def _check_ranges(c: ForecastConfig) -> None:
    checks = [
        (1 <= c.window <= MAX_WINDOW, f"window must be between 1 and {MAX_WINDOW}"),
        (c.epochs <= MAX_EPOCHS, f"epochs must be at most {MAX_EPOCHS}"),
        (c.batch_size <= MAX_BATCH, f"batch size must be at most {MAX_BATCH}"),
        (c.layers <= MAX_LAYERS, f"layers must be at most {MAX_LAYERS}"),
        (all(u <= MAX_UNITS for u in c.units), f"units must be at most {MAX_UNITS} per layer"),
        (c.test_size > c.eval_after >= 0, "test size must be larger than the skipped test rows (eval_after)"),
        (c.epochs >= 1, "epochs must be at least 1"),
        (c.batch_size >= 1, "batch size must be at least 1"),
        (c.layers >= 1 and len(c.units) == c.layers, "give one unit count per layer"),
        (all(u >= 1 for u in c.units), "units must be at least 1"),
        (0.0 <= c.dropout < 1.0, "dropout must be in [0, 1)"),
        (c.learning_rate > 0, "learning rate must be positive"),
        (0.0 <= c.val_fraction < 1.0, "validation fraction must be in [0, 1)"),
        (c.patience >= 0, "patience must be 0 or more"),
    ]
    for ok, message in checks:
        if not ok:
            raise ValueError(message)


# ---------------------------------------------------------------------------------------------
# Encoding: raw rows -> model inputs and targets, model outputs -> prices


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
        return self.scaling.transform(self._relative(frame))

    def _relative(self, frame: pd.DataFrame) -> np.ndarray:
        """Each input column over the previous row's reference price, minus 1: (n, f)."""
        cols = [frame[c].to_numpy(float) / _previous(frame[ref].to_numpy(float)) - 1.0 for c, ref in self.columns]
        return np.stack(cols, axis=1)

    def targets(self, frame: pd.DataFrame) -> np.ndarray:
        """(n,) what the model learns: the scaled level (course) or the scaled relative change."""
        if self.mode == "course":
            return self.features(frame)[:, 0]
        return self._change(frame) / self.target_scale

    def _change(self, frame: pd.DataFrame) -> np.ndarray:
        return frame[self.target].to_numpy(float) / _previous(frame[self.anchor].to_numpy(float)) - 1.0

    def decode(self, outputs: np.ndarray, frame: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
        """Model outputs for target rows `rows` back to prices."""
        out = np.asarray(outputs, dtype=float).reshape(-1)
        if self.mode == "course":
            return self.scaling.inverse(out)
        return frame[self.anchor].to_numpy(float)[np.asarray(rows) - 1] * (1.0 + self.target_scale * out)

    @classmethod
    def fit(cls, frame: pd.DataFrame, config: ForecastConfig, n_train: int) -> Codec:
        """Statistics from the first `n_train` rows only."""
        target = config.target
        if config.mode == "course":
            scaling = MinMaxScaling.fit(frame[target].to_numpy(float)[:n_train, None])
            return cls("course", target, ((target, target),), target, scaling)
        draft = cls(
            "default", target, _input_pairs(frame, target), _anchor(frame, target), MinMaxScaling((0.0,), (1.0,))
        )
        scaling = MinMaxScaling.fit(draft._relative(frame)[1:n_train], (-1.0, 1.0))
        scale = float(np.nanstd(draft._change(frame)[1:n_train])) or 1.0
        return dataclasses.replace(draft, scaling=scaling, target_scale=scale)


def _previous(values: np.ndarray) -> np.ndarray:
    """values shifted one row down: the value known before each row (row 0: NaN)."""
    return np.concatenate([[np.nan], values[:-1]])


def _anchor(frame: pd.DataFrame, target: str) -> str:
    """The best baseline the default inputs allow: the previous close for the open, else the target."""
    return "close" if target == "open" and "close" in frame.columns else target


def _input_pairs(frame: pd.DataFrame, target: str) -> tuple[tuple[str, str], ...]:
    """Default inputs: open/high/low/close over the previous close, and the target over itself."""
    reference = "close" if "close" in frame.columns else target
    pairs = [(c, reference) for c in OHLC if c in frame.columns]
    if target not in OHLC:
        pairs.append((target, target))
    return tuple(pairs)


# ---------------------------------------------------------------------------------------------
# Model


def build_model(config: ForecastConfig, n_features: int):
    """Stacked SimpleRNN / LSTM / GRU (or dense) layers with dropout, then Dense(1); compiled."""
    import keras

    from core.models import recurrent_layer

    inputs = keras.Input((config.window, n_features), name="window")  # (batch, time, features)
    x = inputs
    if config.cell == "dense":
        x = keras.layers.Flatten(name="flatten")(x)
    for k, units in enumerate(config.units):
        last = k == config.layers - 1
        if config.cell == "dense":
            x = keras.layers.Dense(units, activation="relu", name=f"dense_{k + 1}")(x)
        else:
            x = recurrent_layer(config.cell, units, return_sequences=not last, name=f"{config.cell}_{k + 1}")(x)
        if config.dropout > 0:
            x = keras.layers.Dropout(config.dropout, name=f"dropout_{k + 1}")(x)
    # default mode: a zero output layer starts exactly at the baseline (no change over the anchor)
    zero = "zeros" if config.mode == "default" else None
    out_kw = {"kernel_initializer": zero, "bias_initializer": zero} if zero else {}
    outputs = keras.layers.Dense(1, name="prediction", **out_kw)(x)
    model = keras.Model(inputs, outputs, name=f"{config.cell}_{config.mode}")
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss="mse", jit_compile=False)
    return model


# ---------------------------------------------------------------------------------------------
# Result


@dataclass
class ForecastResult:
    """A trained forecaster scored on the evaluation days, with its baselines. Treat as read-only."""

    config: ForecastConfig
    data_fingerprint: str
    codec: Codec
    history: dict[str, list[float]]  # "loss" and "val_loss" (course mode: val_loss is the test loss)
    train_seconds: float  # model.fit wall time only
    epochs_run: int
    chosen_epoch: int  # weights kept (course: the last epoch; default: best on validation, 0 = start)
    eval_dates: pd.DatetimeIndex  # the scored days
    actual: np.ndarray  # real target values on the scored days
    predictions: np.ndarray  # model predictions on the scored days
    baselines: dict[str, np.ndarray]  # baseline name -> predictions on the scored days
    metrics: pd.DataFrame  # rows: "model" and each baseline; columns: core.metrics.METRIC_COLUMNS
    best_baseline: str  # best baseline the model's inputs allow
    tail: pd.DataFrame  # last rows of the input columns, for forecasting past the data
    keras_bytes: bytes  # the trained model as a .keras file
    summary_text: str  # model.summary() as text
    weights_text: str  # every trainable variable with its values (the course's weights.txt)
    layer_counts: list  # core.compare.LayerCount per weighted layer (parameter formulas)
    notes: list[str] = field(default_factory=list)
    future: pd.Series | None = None  # forecast of the FUTURE_DAYS business days past the data
    cached: bool = False  # True when this result came from the cache
    _model: object = field(default=None, repr=False, compare=False)  # the live keras.Model, if in this process

    @property
    def val_is_test(self) -> bool:
        """Course mode validates on the test windows: its second curve is the test loss."""
        return self.config.mode == "course"

    @property
    def model(self):
        """The keras.Model; a result trained in a worker process loads it from its bytes on first use."""
        if self._model is None:
            self._model = load_model_bytes(self.keras_bytes)
        return self._model

    def portable(self) -> ForecastResult:
        """This result without the live model (plain data that pickles; the model stays as bytes)."""
        return dataclasses.replace(self, _model=None)


def load_model_bytes(data: bytes):
    """A keras.Model from the bytes of a .keras file we wrote (safe mode, not compiled)."""
    import tempfile

    import keras

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        path.write_bytes(data)
        return keras.models.load_model(path, compile=False, safe_mode=True)


def check_data(frame: pd.DataFrame, config: ForecastConfig) -> None:
    """AppError with a clear sentence when the data cannot support the configuration."""
    if config.target not in frame.columns:
        raise AppError(ErrorKind.NO_PRICE_COLUMN, f"The data has no column {config.target!r} to predict.")
    if not pd.api.types.is_numeric_dtype(frame[config.target]):
        raise AppError(ErrorKind.TEXT_TARGET)
    needed = config.test_size + config.window + 2 * max(config.window, 10) + 2
    if len(frame) < needed:
        raise AppError(
            ErrorKind.TOO_FEW_ROWS,
            f"{len(frame)} rows are too few for window {config.window} and test size {config.test_size}: "
            f"at least {needed} are needed.",
        )
    if config.mode == "default" and (frame[list(_used_columns(frame, config))] <= 0).to_numpy().any():
        raise AppError(ErrorKind.BAD_INPUT, "Default mode needs positive prices (it predicts relative changes).")


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
# Pipeline


@dataclass
class _Arrays:
    """Windows for fitting, validation and the scored days."""

    x_fit: np.ndarray  # (samples, window, features)
    y_fit: np.ndarray  # (samples,)
    x_val: np.ndarray | None
    y_val: np.ndarray | None
    x_eval: np.ndarray
    y_eval: np.ndarray
    eval_rows: np.ndarray  # row numbers of the scored days


def prepare(frame: pd.DataFrame, config: ForecastConfig) -> tuple[Codec, _Arrays, object]:
    """Split, fit the codec on training rows, and cut the windows."""
    split = chronological_split(len(frame), config.test_size, config.eval_after)
    codec = Codec.fit(frame, config, split.n_train)
    feats, targets = codec.features(frame), codec.targets(frame)
    first = first_target_row(config)
    x_train, y_train = make_windows(feats, targets, config.window, range(first, split.n_train))
    eval_rows = np.arange(split.eval_start, split.n_rows)
    x_eval, y_eval = make_windows(feats, targets, config.window, range(split.eval_start, split.n_rows))
    if config.mode == "course":  # the course validates on the test windows (the "test loss")
        arrays = _Arrays(x_train, y_train, x_eval, y_eval, x_eval, y_eval, eval_rows)
    else:  # default: the last training windows validate; the test rows are never seen
        cut = validation_cut(len(x_train), config.val_fraction)
        has_val = cut < len(x_train)
        arrays = _Arrays(
            x_train[:cut],
            y_train[:cut],
            x_train[cut:] if has_val else None,
            y_train[cut:] if has_val else None,
            x_eval,
            y_eval,
            eval_rows,
        )
    return codec, arrays, split


def train(config: ForecastConfig, arrays: _Arrays, report: Reporter | None = None, stage: str = ""):
    """Seed, build and fit; returns (model, FitOutcome)."""
    import keras

    from core.training import fit_model

    keras.utils.set_random_seed(config.seed)
    model = build_model(config, arrays.x_fit.shape[-1])
    val = (arrays.x_val, arrays.y_val) if arrays.x_val is not None else None
    default = config.mode == "default"
    outcome = fit_model(
        model,
        arrays.x_fit,
        arrays.y_fit,
        epochs=config.epochs,
        batch_size=config.batch_size,
        validation_data=val,
        patience=config.patience if default and val is not None else None,
        keep_start_if_better=default,
        report=report,
        stage=stage,
    )
    if default and config.shrink and val is not None and outcome.chosen_epoch > 0:
        factor = shrink_output(model, val)
        outcome.notes.append(f"predicted changes scaled by {factor:.3f} (fitted on the validation rows)")
    return model, outcome


def shrink_output(model, val: tuple[np.ndarray, np.ndarray]) -> float:
    """Scale the output layer so the predicted change best fits the validation rows (factor in [0, 1]).

    Least squares of y ~ a * output gives a = <output, y> / <output, output>; clipping to [0, 1]
    only ever pulls the forecast toward its baseline, never past what the model learned.
    """
    out = model.predict(val[0], batch_size=1024, verbose=0).reshape(-1).astype(float)
    y = np.asarray(val[1], dtype=float)
    denom = float(out @ out)
    factor = float(np.clip(out @ y / denom, 0.0, 1.0)) if denom > 0 else 1.0
    layer = model.get_layer("prediction")
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


def _compute(
    frame: pd.DataFrame, fingerprint: str, config: ForecastConfig, report: Reporter | None = None
) -> ForecastResult:
    """Train and score one forecaster, with everything the pages show (texts, bytes, future days)."""
    from core.compare import layer_counts

    codec, arrays, split = prepare(frame, config)
    model, outcome = train(config, arrays, report)
    rows = arrays.eval_rows
    predictions = codec.decode(model.predict(arrays.x_eval, batch_size=256, verbose=0), frame, rows)
    actual = frame[config.target].to_numpy(float)[rows]
    baselines = baseline_forecasts(frame, config.target, rows)
    previous = baselines["persistence"]
    table, best = metrics_table(
        actual, previous, {"model": predictions, **baselines}, allowed_baselines(config, tuple(baselines))
    )
    result = ForecastResult(
        config=config,
        data_fingerprint=fingerprint,
        codec=codec,
        history=outcome.history,
        train_seconds=outcome.seconds,
        epochs_run=outcome.epochs_run,
        chosen_epoch=outcome.chosen_epoch,
        eval_dates=pd.DatetimeIndex(frame.index[rows], name="date").as_unit("ns"),
        actual=actual,
        predictions=predictions,
        baselines=baselines,
        metrics=table,
        best_baseline=best,
        tail=frame.iloc[-(config.window + 1) :].copy(),
        keras_bytes=model_bytes(model),
        summary_text=model_summary(model),
        weights_text=trainable_variables_text(model),
        layer_counts=layer_counts(model),
        notes=list(outcome.notes),
        _model=model,
    )
    result.future = _predict_future(result, FUTURE_DAYS)
    return result


def compute_portable(
    frame: pd.DataFrame, fingerprint: str, config: ForecastConfig, report: Reporter | None = None
) -> ForecastResult:
    """_compute for a worker process: the result without the live model (see core.worker)."""
    return _compute(frame, fingerprint, config, report).portable()


def run_forecast(
    data, config: ForecastConfig, *, report: Reporter | None = None, use_cache: bool = True, isolate: bool = False
) -> ForecastResult:
    """Train (or fetch from FORECAST_CACHE) a forecaster of `data` (a core.prices.PriceData).

    `isolate=True` (the app server) trains in a worker process (core.worker), so the server's
    memory does not grow with every model TensorFlow builds; the result is the same.
    """
    frame = usable_frame(data.frame, config)
    fingerprint = data.fingerprint()
    key = make_key("forecast", fingerprint, config)

    def compute() -> ForecastResult:
        if isolate:
            from core.worker import run_isolated

            return run_isolated(compute_portable, frame, fingerprint, config, report=report)
        return _compute(frame, fingerprint, config, report)

    result, cached = FORECAST_CACHE.get_or_compute(key, compute, use_cache=use_cache)
    return dataclasses.replace(result, cached=cached)


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

    From the second day on, each predicted value is fed back as a flat day (every input column
    equal to it), so uncertainty grows quickly; callers must label it as a forecast. Each day
    depends only on the days before it, so up to FUTURE_DAYS days are read from the path
    computed with the training; longer ones run the model again.
    """
    if result.future is not None and days <= len(result.future):
        return result.future.iloc[:days].copy()
    return _predict_future(result, days)


def _predict_future(result: ForecastResult, days: int) -> pd.Series:
    """forecast_future computed with the model, one day at a time."""
    frame = result.tail.copy()
    window = result.config.window
    values, dates = [], pd.bdate_range(frame.index[-1] + pd.Timedelta(days=1), periods=days)
    for date in dates:
        frame.loc[date] = np.nan
        i = len(frame) - 1
        x, _ = make_windows(result.codec.features(frame), np.zeros(len(frame)), window, range(i, i + 1))
        value = float(result.codec.decode(result.model.predict_on_batch(x), frame, np.array([i]))[0])
        frame.loc[date] = value
        values.append(value)
    return pd.Series(values, index=pd.DatetimeIndex(dates, name="date"), name="forecast")


def default_target(columns) -> str:
    """The course predicts the open; without an open column use the close (else the first)."""
    cols = list(columns)
    return next((c for c in ("open", "close", "adj_close") if c in cols), cols[0])


# ---------------------------------------------------------------------------------------------
# Disk persistence for the cache: model .keras + arrays .npz + everything else as JSON


def save_result(result: ForecastResult, folder: Path) -> None:
    (folder / "model.keras").write_bytes(result.keras_bytes)
    (folder / "summary.txt").write_text(result.summary_text, encoding="utf-8")
    (folder / "weights.txt").write_text(result.weights_text, encoding="utf-8")
    if result.future is not None:
        result.future.to_csv(folder / "future.csv", index_label="date")
    arrays = {"actual": result.actual, "predictions": result.predictions}
    arrays |= {f"baseline__{k}": v for k, v in result.baselines.items()}
    np.savez(folder / "arrays.npz", **arrays)
    result.tail.to_csv(folder / "tail.csv", index_label="date")
    meta = {
        "config": dataclasses.asdict(result.config),
        "codec": dataclasses.asdict(result.codec),
        "data_fingerprint": result.data_fingerprint,
        "history": result.history,
        "train_seconds": result.train_seconds,
        "epochs_run": result.epochs_run,
        "chosen_epoch": result.chosen_epoch,
        "metrics": result.metrics.to_dict(orient="index"),
        "best_baseline": result.best_baseline,
        "eval_dates": [d.isoformat() for d in result.eval_dates],
        "notes": result.notes,
        "layer_counts": [dataclasses.asdict(c) for c in result.layer_counts],
    }
    (folder / "result.json").write_text(json.dumps(meta))


def load_result(folder: Path) -> ForecastResult:
    """A result saved by save_result; the model stays as bytes until someone asks for it."""
    from core.compare import LayerCount

    meta = json.loads((folder / "result.json").read_text())
    arrays = np.load(folder / "arrays.npz")
    codec_d = meta["codec"]
    scaling = MinMaxScaling(**{k: tuple(v) for k, v in codec_d.pop("scaling").items()})
    codec = Codec(**{**codec_d, "columns": tuple(tuple(p) for p in codec_d["columns"])}, scaling=scaling)
    metrics = pd.DataFrame.from_dict(meta["metrics"], orient="index")
    metrics.index.name = "forecast"
    tail = pd.read_csv(folder / "tail.csv", index_col="date", parse_dates=["date"])
    return ForecastResult(
        config=ForecastConfig(**{**meta["config"], "units": tuple(meta["config"]["units"])}),
        data_fingerprint=meta["data_fingerprint"],
        codec=codec,
        history=meta["history"],
        train_seconds=meta["train_seconds"],
        epochs_run=meta["epochs_run"],
        chosen_epoch=meta["chosen_epoch"],
        eval_dates=pd.DatetimeIndex(pd.to_datetime(meta["eval_dates"]), name="date").as_unit("ns"),
        actual=arrays["actual"],
        predictions=arrays["predictions"],
        baselines={k.split("__", 1)[1]: arrays[k] for k in arrays.files if k.startswith("baseline__")},
        metrics=metrics,
        best_baseline=meta["best_baseline"],
        tail=tail,
        keras_bytes=(folder / "model.keras").read_bytes(),
        summary_text=(folder / "summary.txt").read_text(encoding="utf-8"),
        weights_text=(folder / "weights.txt").read_text(encoding="utf-8"),
        layer_counts=[LayerCount(**c) for c in meta["layer_counts"]],
        notes=meta["notes"],
        future=_read_future(folder / "future.csv"),
    )


def _read_future(path: Path) -> pd.Series | None:
    if not path.exists():
        return None
    frame = pd.read_csv(path, index_col="date", parse_dates=["date"])
    series = frame["forecast"]
    series.index = pd.DatetimeIndex(series.index, name="date")
    return series


FORECAST_CACHE: ResultCache[ForecastResult] = ResultCache(
    "forecast", max_items=16, serializer=Serializer(save_result, load_result)
)


def warm(report: Reporter | None = None, course: bool = True) -> list[dict]:
    """Train the page's embedded defaults into the cache: default mode (and course mode) per cell."""
    from core.datasets import DEFAULT_DATASET, load_dataset

    data = load_dataset(DEFAULT_DATASET)
    target = default_target(data.frame.columns)
    configs = [ForecastConfig.default(cell, target=target) for cell in CELLS]
    configs += [ForecastConfig.course(cell, target=target) for cell in CELLS] if course else []
    done = []
    for config in configs:
        result = run_forecast(data, config, report=report)
        done.append(
            {
                "page": "forecast",
                "config": config.label,
                "cached": result.cached,
                "train_seconds": round(result.train_seconds, 2),
            }
        )
    return done
