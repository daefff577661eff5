"""Multi-step forecasting with an encoder-decoder (the cookbook's bitcoin recipe, leaks fixed).

Each window holds `n_in` input steps and the `n_out` steps after them, for every series at once
(the cookbook: 40 + 40 days of USD and EUR prices; here the embedded S&P 500 and NASDAQ closes,
or any upload). Each window is normalised by the mean and standard deviation of its own input
part: (v - mean) / (2.5 * std), so nothing after the input reaches it.

The cookbook's two leaks are fixed:
- its decoder read the encoder's inputs shifted by one; ours reads the previous TARGET values in
  training (teacher forcing) and its own previous outputs at test time (`decode_multistep`);
- its 80/20 split cut the overlapping windows, so test targets sat inside training windows; ours
  keeps the last 20% of windows for testing and only training windows that end `gap` days
  (default: n_out) before the first test window begins.

This module prepares arrays, builds the compiled training model and scores; `MULTISTEP` (the spec)
hands them to the one training path, and `run_multistep` trains several seeds as a `MultistepResult`.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import AppError, ErrorKind
from core.i18n import text
from core.models import CELLS, summary_rows
from core.progress import Reporter
from core.seed_runs import mean_std, seed_configs, train_seeds
from core.settings import check_choice, check_range
from core.training import FitPlan, Prepared, Scored, TrainedModel

NORMALISE_SPREAD = 2.5  # the cookbook divides by 2.5 standard deviations
EPSILON = 1e-5  # the cookbook adds it to the mean and to the std
# Allowed ranges: keep one training within reason on a classroom laptop (and a typo harmless).
LIMITS: dict[str, tuple[float, float]] = {
    "n_in": (1, 500),
    "n_out": (1, 500),
    "units": (1, 256),
    "layers": (1, 4),
    "learning_rate": (1e-5, 1.0),
    "rho": (0.01, 0.999),
    "momentum": (0.0, 0.99),
    "l2": (0.0, 1.0),
    "batch_size": (1, 1024),
    "iterations": (1, 200_000),
    "test_fraction": (0.05, 0.9),
    "gap": (-1, 100_000),
    "season": (0, 366),
    "seed": (0, 2**31 - 1),
}


@dataclass(frozen=True)
class MultistepConfig:
    """Everything that decides a trained encoder-decoder (the cache key, with the data fingerprint)."""

    n_in: int = 40  # input steps per window (the encoder's length)
    n_out: int = 40  # predicted steps per window (the decoder's length)
    cell: str = "gru"  # rnn | lstm | gru (the cookbook: GRU)
    units: int = 12  # hidden units per layer (the cookbook's hidden_dim)
    layers: int = 2  # stacked layers in the encoder and in the decoder (layers_stacked_count)
    learning_rate: float = 0.007  # RMSprop step size
    rho: float = 0.92  # RMSprop's moving-average decay (the cookbook's "lr_decay" is TF1's `decay`, i.e. rho)
    momentum: float = 0.5  # RMSprop momentum
    l2: float = 0.003  # the cookbook's lambda_l2_reg: l2 * sum(w**2) / 2 over every weight
    batch_size: int = 5  # windows per gradient step
    iterations: int = 150  # gradient steps, each on windows drawn at random (with replacement)
    test_fraction: float = 0.2  # last share of the windows used for testing (the cookbook's 80/20)
    gap: int = -1  # purge days between the last training day and the first test window; -1 = n_out
    season: int = 0  # > 0 adds a seasonal naive baseline of this period (airline: 12)
    seed: int = 7  # keras.utils.set_random_seed, and the draw of training windows
    columns: tuple[str, ...] = ()  # the data's columns to forecast together (() = every column)

    def __post_init__(self) -> None:
        check_choice("cell", self.cell, CELLS)
        for name, (low, high) in LIMITS.items():
            check_range(name, getattr(self, name), low, high, whole=isinstance(low, int))
        if self.gap < 0:
            object.__setattr__(self, "gap", self.n_out)
        object.__setattr__(self, "columns", tuple(str(c) for c in self.columns))

    @classmethod
    def course(cls, **changes) -> MultistepConfig:
        """The cookbook: 40 in, 40 out, 2 x GRU(12), RMSprop(0.007, rho 0.92, momentum 0.5), L2 0.003, 150 x 5."""
        return cls(**changes)

    @classmethod
    def airline(cls, **changes) -> MultistepConfig:
        """The same network on the airline passengers: 24 months in, 12 out, seasonal naive baseline."""
        return cls(**(dict(n_in=24, n_out=12, season=12) | changes))

    @property
    def epochs(self) -> int:
        """One pass over the drawn windows = `iterations` steps of `batch_size` (see prepare_multistep)."""
        return 1


# ---------------------------------------------------------------------------------------------
# Data


def index_pair() -> pd.DataFrame:
    """The embedded S&P 500 and NASDAQ Composite closes on their common days (the cookbook's two series)."""
    from core.datasets import load_dataset

    closes = {name: load_dataset(name).frame["close"] for name in ("SP500", "NASDAQ")}
    return pd.DataFrame(closes).dropna()


def airline_frame() -> pd.DataFrame:
    """The airline passengers as a one-column frame."""
    from core.seasonal import airline_series

    return airline_series().to_frame()


def check_frame(frame: pd.DataFrame) -> np.ndarray:
    """(n, series) floats; AppError when a column is text or has gaps."""
    if frame.shape[1] < 1:
        raise AppError(ErrorKind.NO_PRICE_COLUMN)
    values = frame.apply(pd.to_numeric, errors="coerce")
    text_columns = [c for c in frame.columns if values[c].isna().all()]
    if text_columns:
        raise AppError(ErrorKind.TEXT_TARGET, key="seq_text_column", column=repr(text_columns[0]))
    if values.isna().to_numpy().any():
        raise AppError(ErrorKind.BAD_INPUT, key="seq_some_missing")
    return values.to_numpy(dtype=float)


# ---------------------------------------------------------------------------------------------
# Windows and split


@dataclass(frozen=True)
class WindowSplit:
    """Which windows train and which test; window i reads days i .. i + n_in - 1 and predicts the next n_out."""

    n_windows: int  # n - n_in - n_out, as the cookbook's range(len - 2 * window)
    train: range  # training windows: their last day is more than `gap` days before the first test day
    test: range  # the last test_fraction of the windows


def split_windows(n: int, config: MultistepConfig) -> WindowSplit:
    """The chronological split with its purge gap; AppError when there are too few days for it.

    With the cookbook's split (cut = int(0.8 * windows)) the S&P 500's 5031 days give 4951
    windows, 991 of them test; their persistence RMSE at horizons 1/10/20/40 is 18.7/53.6/69.6/100.6.
    """
    span = config.n_in + config.n_out
    n_windows = n - span
    cut = int(n_windows * (1 - config.test_fraction))
    last_train = cut - span - config.gap  # window i ends on day i + span - 1; the gap lies before day `cut`
    if n_windows < 2 or cut >= n_windows or last_train < 0:
        raise AppError(
            ErrorKind.TOO_FEW_ROWS,
            key="seq_too_few_days",
            n=n,
            n_in=config.n_in,
            n_out=config.n_out,
            gap=config.gap,
            need=_days_needed(config),
        )
    return WindowSplit(n_windows, range(0, last_train + 1), range(cut, n_windows))


def _days_needed(config: MultistepConfig) -> int:
    """Fewest days giving one training and one test window (found by counting up)."""
    span = config.n_in + config.n_out
    n = 2 * span + config.gap
    while True:
        windows = n - span
        cut = int(windows * (1 - config.test_fraction))
        if cut < windows and cut - span - config.gap >= 0:
            return n
        n += 1


def make_windows(values: np.ndarray, starts: range, config: MultistepConfig) -> tuple[np.ndarray, np.ndarray]:
    """Raw windows: inputs (len, n_in, series) and targets (len, n_out, series)."""
    starts_arr = np.asarray(starts)
    x_idx = starts_arr[:, None] + np.arange(config.n_in)[None, :]
    y_idx = starts_arr[:, None] + config.n_in + np.arange(config.n_out)[None, :]
    return values[x_idx], values[y_idx]


def window_stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per window and series: mean and spread (2.5 std) of the INPUT part, each (windows, 1, series)."""
    mean = x.mean(axis=1, keepdims=True) + EPSILON
    spread = NORMALISE_SPREAD * (x.std(axis=1, keepdims=True) + EPSILON)
    return mean, spread


def decoder_inputs(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Teacher forcing: step k of the decoder reads target k - 1 (step 0: the last input value)."""
    return np.concatenate([x[:, -1:, :], y[:, :-1, :]], axis=1)


# ---------------------------------------------------------------------------------------------
# Prepare


@dataclass(frozen=True, eq=False)
class MultistepArrays:
    """Normalised arrays for fitting, the test windows, and what scoring needs."""

    config: MultistepConfig
    columns: tuple[str, ...]  # the series, in feature order
    dates: pd.DatetimeIndex  # (n,) the days
    values: np.ndarray  # (n, series) raw values
    split: WindowSplit
    x_fit: tuple[np.ndarray, np.ndarray]  # encoder (draws, n_in, s) and decoder (draws, n_out, s) inputs
    y_fit: np.ndarray  # (draws, n_out, s): iterations * batch_size windows drawn from the training windows
    x_test: np.ndarray  # (test windows, n_in, s) normalised encoder inputs
    test_mean: np.ndarray  # (test windows, 1, s) per-window input mean
    test_spread: np.ndarray  # (test windows, 1, s) per-window 2.5 * input std

    @property
    def shapes(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """What build_multistep_model needs: encoder and decoder input shapes."""
        return tuple(self.x_fit[0].shape[1:]), tuple(self.x_fit[1].shape[1:])


def prepare_multistep(config: MultistepConfig, frame: pd.DataFrame) -> MultistepArrays:
    """Windows, the purged split, and `iterations * batch_size` training windows drawn at random.

    Fitting them for one epoch with `batch_size` takes exactly the cookbook's `iterations` steps.
    """
    values = check_frame(frame)
    split = split_windows(len(values), config)
    draws = np.random.default_rng(config.seed).integers(0, len(split.train), config.iterations * config.batch_size)
    x, y = make_windows(values, split.train, config)
    mean, spread = window_stats(x)
    x, y = (x - mean) / spread, (y - mean) / spread
    x, y = x[draws], y[draws]
    x_test, _ = make_windows(values, split.test, config)
    test_mean, test_spread = window_stats(x_test)
    return MultistepArrays(
        config,
        tuple(str(c) for c in frame.columns),
        pd.DatetimeIndex(frame.index),
        values,
        split,
        (x.astype(np.float32), decoder_inputs(x, y).astype(np.float32)),
        y.astype(np.float32),
        ((x_test - test_mean) / test_spread).astype(np.float32),
        test_mean,
        test_spread,
    )


# ---------------------------------------------------------------------------------------------
# Model


def build_multistep_model(config: MultistepConfig, shapes: tuple[tuple[int, int], tuple[int, int]]):
    """The teacher-forced training model [encoder inputs, decoder inputs] -> (batch, n_out, series); compiled.

    Encoder: `layers` stacked cells; their final states start the decoder's `layers` stacked cells
    (separate weights, as the cookbook's basic_rnn_seq2seq); a Dense layer maps each decoder step
    to the series. Loss: sum over the batch of squared errors averaged over the series, which for two
    series is the cookbook's sum of tf.nn.l2_loss; the L2 factor is scaled to keep its ratio.
    """
    import keras

    (n_in, n_series), (n_out, _) = shapes
    encoder_inputs = keras.Input((n_in, n_series), name="encoder_inputs")  # (batch, n_in, series)
    decoder_inputs = keras.Input((n_out, n_series), name="decoder_inputs")  # (batch, n_out, series)
    x, states = encoder_inputs, []
    for k in range(config.layers):
        x, state = _split(_cell(config, f"encoder_{k + 1}", n_series)(x))
        states.append(state)
    y = decoder_inputs
    for k in range(config.layers):
        y, _ = _split(_cell(config, f"decoder_{k + 1}", n_series)(y, initial_state=states[k]))
    outputs = keras.layers.Dense(n_series, name="prediction", **_regularised(config, n_series, recurrent=False))(y)
    model = keras.Model([encoder_inputs, decoder_inputs], outputs, name=f"encoder_decoder_{config.cell}")
    optimizer = keras.optimizers.RMSprop(config.learning_rate, rho=config.rho, momentum=config.momentum)
    model.compile(optimizer=optimizer, loss=keras.losses.MeanSquaredError(reduction="sum"), jit_compile=False)
    return model


def _split(outputs) -> tuple:
    """A recurrent layer's (sequence, state...) as (sequence, list of states)."""
    return outputs[0], list(outputs[1:])


def _cell(config: MultistepConfig, name: str, n_series: int):
    from core.models import recurrent_layer

    kwargs = _regularised(config, n_series, recurrent=True)
    return recurrent_layer(config.cell, config.units, return_sequences=True, return_state=True, name=name, **kwargs)


def _regularised(config: MultistepConfig, n_series: int, recurrent: bool) -> dict:
    """L2 on every weight, biases included (the cookbook's filter on "Bias" misses TF's lowercase names).

    The cookbook adds l2 * sum(w**2) / 2 to a sum of squared errors / 2; our loss is the sum of
    squared errors / n_series, so the same balance needs l2 / n_series on sum(w**2).
    """
    import keras

    if config.l2 == 0:
        return {}
    reg = {"kernel_regularizer": keras.regularizers.L2(config.l2 / n_series)}
    reg["bias_regularizer"] = keras.regularizers.L2(config.l2 / n_series)
    if recurrent:
        reg["recurrent_regularizer"] = keras.regularizers.L2(config.l2 / n_series)
    return reg


def decode_multistep(model, x: np.ndarray, n_out: int) -> np.ndarray:
    """Greedy decoding: (windows, n_in, s) normalised inputs -> (windows, n_out, s) predictions.

    The encoder layers read the inputs; the decoder cells start from their final states and the
    last input value, and each next step reads the decoder's own previous output (no target is
    ever read). Prediction only: the weights do not change.
    """
    encoders, decoders = _stack(model, "encoder"), _stack(model, "decoder")
    head = model.get_layer("prediction")
    sequence, states = np.asarray(x, dtype=np.float32), []
    for layer in encoders:
        sequence, state = _split(layer(sequence))
        states.append(state)
    previous, steps = sequence_step(x, -1), []  # (windows, s)
    for _ in range(n_out):
        y = previous
        for k, layer in enumerate(decoders):  # one step of each decoder cell: (windows, units)
            y, states[k] = layer.cell(y, states[k], training=False)  # states: a list in, a list out
        previous = head(y)
        steps.append(np.asarray(previous))
    return np.stack(steps, axis=1)


def sequence_step(x: np.ndarray, k: int) -> np.ndarray:
    """(windows, s): step k of every window, as float32."""
    return np.asarray(x, dtype=np.float32)[:, k, :]


def _stack(model, prefix: str) -> list:
    """The model's layers named prefix_1, prefix_2, ... in order."""
    numbered = {layer.name.removeprefix(f"{prefix}_"): layer for layer in model.layers}
    return [numbered[k] for k in sorted((k for k in numbered if k.isdigit()), key=int)]


# ---------------------------------------------------------------------------------------------
# Scoring


@dataclass(frozen=True, eq=False)
class MultistepScore:
    """Greedy forecasts of every test window, and RMSE per horizon beside the baselines."""

    columns: tuple[str, ...]  # the series
    starts: np.ndarray  # (windows,) first input day of each test window
    forecast_dates: pd.DatetimeIndex  # (windows,) first predicted day of each test window
    actual: np.ndarray  # (windows, n_out, s)
    predictions: np.ndarray  # (windows, n_out, s) the model's, back in the series' units
    baselines: dict[str, np.ndarray]  # name -> (windows, n_out, s)
    rmse_by_horizon: dict[str, np.ndarray]  # "model" and each baseline -> (n_out, s), horizon 1 first

    def rmse(self, name: str = "model", column: int = 0) -> np.ndarray:
        """(n_out,) RMSE per horizon of one forecast for one series."""
        return self.rmse_by_horizon[name][:, column]


def multistep_baselines(values: np.ndarray, starts: range, config: MultistepConfig) -> dict[str, np.ndarray]:
    """Persistence (the last input value), drift and, with a season, seasonal naive; each (windows, n_out, s).

    Drift extends the average step since the first day: y_e + h * (y_e - y_0) / e, with e the
    window's last input day (the SPEC's y_t + (y_t - y_1) / (t - 1), h steps ahead).
    """
    last = np.asarray(starts) + config.n_in - 1  # (windows,) last input day
    h = np.arange(1, config.n_out + 1)[None, :, None]  # (1, n_out, 1)
    y_last = values[last][:, None, :]  # (windows, 1, s)
    step = (values[last] - values[0]) / np.maximum(last, 1)[:, None]
    out = {"persistence": np.repeat(y_last, config.n_out, axis=1), "drift": y_last + h * step[:, None, :]}
    if config.season:
        back = config.season * np.ceil(h[0, :, 0] / config.season).astype(int)  # (n_out,)
        out["seasonal_naive"] = values[last[:, None] + h[0, :, 0][None, :] - back[None, :]]
    return out


def rmse_per_horizon(actual: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """(n_out, s): RMSE over the windows at each horizon, for each series."""
    return np.sqrt(np.mean((np.asarray(predicted) - np.asarray(actual)) ** 2, axis=0))


def score_multistep(model, prepared: MultistepArrays, config: MultistepConfig) -> MultistepScore:
    """Decode every test window greedily, undo its normalisation, and score it beside the baselines."""
    normalised = decode_multistep(model, prepared.x_test, config.n_out)
    predictions = normalised * prepared.test_spread + prepared.test_mean
    starts = prepared.split.test
    _, actual = make_windows(prepared.values, starts, config)
    baselines = multistep_baselines(prepared.values, starts, config)
    rmse = {name: rmse_per_horizon(actual, pred) for name, pred in {"model": predictions, **baselines}.items()}
    first_predicted = np.asarray(starts) + config.n_in
    return MultistepScore(
        prepared.columns,
        np.asarray(starts),
        prepared.dates[first_predicted],
        actual,
        predictions,
        baselines,
        rmse,
    )


# ---------------------------------------------------------------------------------------------
# On the one training path: the spec, several seeds, and a read-only view for the pages

INDEX_PAIR_SOURCE = "embedded: S&P 500 + NASDAQ closes"
AIRLINE_SOURCE = "embedded: airline passengers"


def pair_data():
    """The embedded S&P 500 and NASDAQ closes as a core.prices.PriceData (columns SP500, NASDAQ)."""
    from core.prices import PriceData

    return PriceData(index_pair(), "S&P 500 and NASDAQ closes on their common days.", INDEX_PAIR_SOURCE)


def airline_data():
    """The airline passengers as a core.prices.PriceData (one column, "passengers")."""
    from core.prices import PriceData

    return PriceData(airline_frame(), "144 monthly totals, 1949-1960.", AIRLINE_SOURCE)


def frame_of(data, columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """The columns to forecast from a PriceData or DataFrame; AppError naming a missing column."""
    frame = getattr(data, "frame", data)
    if frame is None or frame.shape[1] == 0:
        raise AppError(ErrorKind.NO_PRICE_COLUMN)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AppError(ErrorKind.NO_PRICE_COLUMN, key="seq_no_column_forecast", column=repr(missing[0]))
    return frame[list(columns)] if columns else frame


def check_multistep(config: MultistepConfig, data) -> MultistepArrays:
    """The arrays `config` trains on; AppError with a sentence when the data cannot support it."""
    return prepare_multistep(config, frame_of(data, config.columns))


class MultistepSpec:
    """The encoder-decoder on the one training path: data is a core.prices.PriceData (or a DataFrame).

    One epoch over `iterations * batch_size` windows drawn at random, in draw order: the cookbook's
    `iterations` steps, each on a fresh random batch.
    """

    name = "multistep"
    version = 1

    def prepare(self, config: MultistepConfig, data) -> Prepared:
        arrays = check_multistep(config, data)
        plan = FitPlan(config.epochs, config.batch_size, config.seed, shuffle=False, jit_compile=True)
        extra = {"arrays": arrays, "source": getattr(data, "source", "data")}
        return Prepared(arrays.x_fit, arrays.y_fit, plan, extra=extra)

    def build(self, config: MultistepConfig, prepared: Prepared):
        return build_multistep_model(config, prepared.extra["arrays"].shapes)

    def score(self, model, prepared: Prepared, config: MultistepConfig) -> Scored:
        arrays = prepared.extra["arrays"]
        s = score_multistep(model, arrays, config)
        outputs = {"predictions": s.predictions.astype(np.float32), "actual": s.actual.astype(np.float32)}
        outputs |= {"starts": s.starts, "forecast_dates": _ns(s.forecast_dates)}
        outputs |= {"values": arrays.values, "dates": _ns(arrays.dates)}
        outputs |= {f"rmse:{name}": values for name, values in s.rmse_by_horizon.items()}
        meta = {
            "columns": list(s.columns),
            "n_windows": arrays.split.n_windows,
            "train_windows": len(arrays.split.train),
            "test_windows": len(arrays.split.test),
            "summary_rows": summary_rows(model),
            "source": prepared.extra["source"],
        }
        return Scored(outputs, meta)


MULTISTEP = MultistepSpec()


def _ns(index) -> np.ndarray:
    return pd.DatetimeIndex(index).as_unit("ns").asi8


def _dates(ns: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(np.asarray(ns, dtype="int64"), unit="ns"), name="date")


@dataclass(frozen=True, eq=False)
class MultistepResult:
    """One configuration trained with several seeds; every test window decoded greedily and scored."""

    runs: tuple[TrainedModel, ...]  # one per seed

    config = property(lambda self: self.runs[0].config)
    seeds = property(lambda self: tuple(r.config.seed for r in self.runs))
    cached = property(lambda self: all(r.cached for r in self.runs))
    train_seconds = property(lambda self: float(sum(r.seconds for r in self.runs)))  # every seed's fit
    fit_seconds = property(lambda self: float(np.mean([r.seconds for r in self.runs])))  # mean per seed
    history = property(lambda self: self.runs[0].history)
    columns = property(lambda self: tuple(self.runs[0].meta["columns"]))
    source = property(lambda self: self.runs[0].meta["source"])
    test_windows = property(lambda self: self.runs[0].meta["test_windows"])

    def _out(self, name: str) -> np.ndarray:
        return self.runs[0].outputs[name]

    @property
    def baseline_names(self) -> tuple[str, ...]:
        return tuple(k.split(":", 1)[1] for k in self.runs[0].outputs if k.startswith("rmse:") and k != "rmse:model")

    def rmse_by_horizon(self, name: str = "model") -> np.ndarray:
        """(n_out, series): RMSE per horizon; the model's is the mean over seeds."""
        if name == "model":
            return np.mean([r.outputs["rmse:model"] for r in self.runs], axis=0)
        return self._out(f"rmse:{name}")

    def model_rmse_std(self) -> np.ndarray:
        """(n_out, series): the spread of the model's RMSE per horizon over seeds (ddof=1; 0 for one seed)."""
        stack = np.stack([r.outputs["rmse:model"] for r in self.runs])
        return stack.std(axis=0, ddof=1) if len(stack) > 1 else np.zeros(stack.shape[1:])

    def mean_rmse(self, name: str = "model", column: int = 0) -> float:
        """RMSE averaged over horizons for one series (the model: also over seeds)."""
        return float(np.mean(self.rmse_by_horizon(name)[:, column]))

    def mean_rmse_by_seed(self, column: int = 0) -> np.ndarray:
        return np.array([float(np.mean(r.outputs["rmse:model"][:, column])) for r in self.runs])

    @functools.cached_property
    def forecast_dates(self) -> pd.DatetimeIndex:
        return _dates(self._out("forecast_dates"))

    @functools.cached_property
    def series(self) -> pd.DataFrame:
        return pd.DataFrame(self._out("values"), index=_dates(self._out("dates")), columns=list(self.columns))

    starts = property(lambda self: self._out("starts"))
    actual = property(lambda self: self._out("actual"))

    @functools.cached_property
    def predictions(self) -> np.ndarray:
        """(seeds, windows, n_out, series)."""
        return np.stack([r.outputs["predictions"] for r in self.runs])

    def horizons_won(self, baseline: str, column: int = 0) -> int:
        """Horizons at which the model's mean RMSE is below the baseline's."""
        return int(np.sum(self.rmse_by_horizon()[:, column] < self.rmse_by_horizon(baseline)[:, column]))

    def verdict(self, lang: str = "en", column: int = 0) -> str:
        """One sentence per baseline: at how many horizons the model beats it, and the mean RMSE of both."""
        n_out = self.config.n_out
        lines = []
        for name in self.baseline_names:
            won = self.horizons_won(name, column)
            key = "verdict_all" if won == n_out else "verdict_none" if won == 0 else "verdict_some"
            values = dict(
                won=won,
                n=n_out,
                baseline=text("seq", f"multistep_baseline_{name}", lang),
                model=f"{self.mean_rmse('model', column):.2f}",
                base=f"{self.mean_rmse(name, column):.2f}",
            )
            lines.append(text("seq", f"multistep_{key}", lang, **values))
        return " ".join(lines)


def run_multistep(
    config: MultistepConfig,
    data,
    *,
    seeds: int = 3,
    report: Reporter | None = None,
    cancel=None,
    use_cache: bool = True,
    lang: str = "en",
) -> MultistepResult:
    """Train `seeds` seeds of `config` on `data` (a PriceData); the data is checked before anything trains."""
    check_multistep(config, data)
    configs = seed_configs(config, seeds)
    return MultistepResult(
        train_seeds(MULTISTEP, configs, data, report=report, cancel=cancel, use_cache=use_cache, lang=lang)
    )


HORIZONS_SHOWN = (1, 10, 20, 40)  # the horizons (those within n_out are printed)


def multistep_summary(result: MultistepResult) -> dict:
    """The JSON object of `python -m core seq multistep` (the first series' figures first)."""
    by_seed = result.mean_rmse_by_seed()
    columns = list(result.columns)
    model = result.rmse_by_horizon()
    out = {
        "task": "multistep",
        "source": result.source,
        "columns": columns,
        "n_in": result.config.n_in,
        "n_out": result.config.n_out,
        "test_windows": result.test_windows,
        "first_forecast": result.forecast_dates[0].date().isoformat(),
        "seeds": list(result.seeds),
        "rmse": mean_std(by_seed)[0],
        "rmse_std": mean_std(by_seed)[1],
        "fit_seconds": result.fit_seconds,
        "fit_seconds_by_seed": [r.seconds for r in result.runs],
        "cached": result.cached,
        "rmse_by_horizon": model[:, 0].tolist(),
        "rmse_std_by_horizon": result.model_rmse_std()[:, 0].tolist(),
    }
    for name in result.baseline_names:
        out[f"{name}_by_horizon"] = result.rmse_by_horizon(name)[:, 0].tolist()
    out["baselines"] = {name: result.mean_rmse(name) for name in result.baseline_names}
    out["horizons_won"] = {name: result.horizons_won(name) for name in result.baseline_names}
    out["by_series"] = {
        column: {name: result.rmse_by_horizon(name)[:, k].tolist() for name in ("model", *result.baseline_names)}
        for k, column in enumerate(columns)
    }
    out["verdict"] = result.verdict()
    out["config"] = dataclasses.asdict(result.config)
    return out
