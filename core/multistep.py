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

This module prepares arrays, builds the compiled training model and scores; it never trains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import AppError, ErrorKind
from core.models import CELLS

NORMALISE_SPREAD = 2.5  # the cookbook divides by 2.5 standard deviations
EPSILON = 1e-5  # the cookbook adds it to the mean and to the std
MAX_STEPS, MAX_UNITS, MAX_LAYERS, MAX_ITERATIONS = 500, 256, 4, 200_000


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

    def __post_init__(self) -> None:
        if self.cell not in CELLS:
            raise ValueError(f"unknown cell {self.cell!r}; choose one of {', '.join(CELLS)}")
        if self.gap < 0:
            object.__setattr__(self, "gap", self.n_out)
        checks = [
            (1 <= self.n_in <= MAX_STEPS and 1 <= self.n_out <= MAX_STEPS, f"steps must be between 1 and {MAX_STEPS}"),
            (1 <= self.units <= MAX_UNITS, f"units must be between 1 and {MAX_UNITS}"),
            (1 <= self.layers <= MAX_LAYERS, f"layers must be between 1 and {MAX_LAYERS}"),
            (self.learning_rate > 0 and 0 < self.rho < 1, "learning rate must be positive and rho in (0, 1)"),
            (0 <= self.momentum < 1 and self.l2 >= 0, "momentum must be in [0, 1) and l2 at least 0"),
            (self.batch_size >= 1, "batch size must be at least 1"),
            (1 <= self.iterations <= MAX_ITERATIONS, f"iterations must be between 1 and {MAX_ITERATIONS}"),
            (0 < self.test_fraction < 1 and self.season >= 0, "test fraction must be in (0, 1), season at least 0"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)

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
        raise AppError(ErrorKind.TEXT_TARGET, f"The column {text_columns[0]!r} holds text, not numbers.")
    if values.isna().to_numpy().any():
        raise AppError(ErrorKind.BAD_INPUT, "Some values are missing or not numbers; fill or drop them first.")
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
            f"{n} days are too few for windows of {config.n_in} + {config.n_out} days with a gap of "
            f"{config.gap} days: at least {_days_needed(config)} are needed.",
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
