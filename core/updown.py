"""Up/down classification of daily moves, done honestly, with the baselines it must beat.

Inputs are the last `window` log returns of one price column; the label is 1 (up) when the next
log return is > 0, else 0 (down; a flat day counts as down). Samples are split in time, 60/20/20
by default: fit / validation (early stopping) / test. The returns are standardised with the mean
and standard deviation of the training rows only. Every score comes with three baselines on
exactly the same test rows: always-up, yesterday's sign, and a logistic regression on the same
inputs. A model shows skill only above the one-sided 95% binomial bound over always-up.

The issue's baseline figures (1,004 test days; S&P 500 52.3 / 46.5 / 52.2%) come from 10 returns per
window (the article's maxlen) and a logistic regression fitted on training + validation rows:
`UpDownConfig(window=10, logistic_rows="train+validation")`. With 20 returns there are 1,002 test days.

The article this page grows out of (seed 001) gets its labels, features and parameter count wrong;
`article_slips` and `article_parameter_counts` give those slips as data.

`UPDOWN` (the spec) hands the arrays to the one training path; `run_updown` trains several seeds and
reads them as an `UpDownResult`. NumPy at import time; Keras and scikit-learn are imported inside the
functions that need them.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.cells import cell_parameter_count, dense_parameter_count
from core.errors import AppError, ErrorKind
from core.i18n import text
from core.models import CELLS, summary_rows
from core.progress import Reporter
from core.seed_runs import mean_std, seed_configs, train_seeds
from core.settings import check_choice, check_range
from core.training import FitPlan, Prepared, Scored, TrainedModel

LOGISTIC_ROWS: tuple[str, ...] = ("train", "train+validation")
BASELINES: tuple[str, ...] = ("always_up", "yesterday", "logistic")
PRESETS: tuple[str, ...] = ("issue", "stated")  # see UpDownConfig.preset
MIN_PART_SAMPLES = 20  # fewest samples allowed in each of fit, validation and test
SKILL_Z = 1.645  # one-sided 95% normal quantile
# Allowed ranges: keep one training within reason on a classroom laptop (and a typo harmless).
LIMITS: dict[str, tuple[float, float]] = {
    "window": (1, 250),
    "units": (1, 1024),
    "dropout": (0.0, 0.9),
    "epochs": (1, 2000),
    "batch_size": (1, 8192),
    "learning_rate": (1e-5, 1.0),
    "patience": (0, 100),
    "seed": (0, 2**31 - 1),
    "train_fraction": (0.05, 0.9),
    "validation_fraction": (0.05, 0.9),
}


@dataclass(frozen=True)
class UpDownConfig:
    """Everything that decides an up/down classifier (the cache key, with the data fingerprint)."""

    cell: str = "lstm"  # rnn | lstm | gru
    window: int = 20  # past log returns fed to the model for one prediction
    units: int = 32  # units of the recurrent layer
    dropout: float = 0.2  # dropout between the recurrent layer and the sigmoid output
    epochs: int = 30  # most epochs (early stopping usually ends sooner)
    batch_size: int = 64  # windows per gradient step
    learning_rate: float = 1e-3  # Adam step size
    patience: int = 5  # epochs without a better validation loss before stopping (best weights kept)
    seed: int = 7  # keras.utils.set_random_seed
    column: str = "close"  # price column whose log returns are the input
    train_fraction: float = 0.6  # first share of the samples: fitting rows (and scaling statistics)
    validation_fraction: float = 0.2  # next share: validation rows (early stopping); the rest is test
    logistic_rows: str = "train"  # rows the logistic-regression baseline is fitted on: train | train+validation

    def __post_init__(self) -> None:
        check_choice("cell", self.cell, CELLS)
        check_choice("logistic_rows", self.logistic_rows, LOGISTIC_ROWS)
        for name, (low, high) in LIMITS.items():
            check_range(name, getattr(self, name), low, high, whole=isinstance(low, int))
        if self.train_fraction + self.validation_fraction >= 1.0:
            raise ValueError("The training and validation fractions must leave rows for the test.")

    @classmethod
    def preset(cls, name: str = "issue", **changes) -> UpDownConfig:
        """ "issue": the settings behind the issue's baseline figures (10 returns per window, the logistic
        regression fitted on training + validation rows: 1,004 test days on the embedded indices);
        "stated": the issue's stated definitions (20 returns, logistic on the training rows: 1,002 days)."""
        check_choice("preset", name, PRESETS)
        values = dict(window=10, logistic_rows="train+validation") if name == "issue" else {}
        return cls(**(values | changes))


# ---------------------------------------------------------------- data: returns, windows, split


def log_returns(prices: np.ndarray) -> np.ndarray:
    """r[i] = log(p[i+1] / p[i]): one return fewer than prices."""
    return np.diff(np.log(np.asarray(prices, dtype=float)))


def updown_windows(returns: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Sample k: inputs r[k : k+window], label 1 if r[k+window] > 0 else 0.

    Returns x (n, window) float64 and y (n,) int64, n = len(returns) - window.
    """
    r = np.asarray(returns, dtype=float)
    n = len(r) - window
    idx = np.arange(n)[:, None] + np.arange(window)[None, :]  # (n, window)
    return r[idx], (r[window:] > 0).astype(np.int64)


def split_points(n_samples: int, train_fraction: float, validation_fraction: float) -> tuple[int, int]:
    """(first validation sample, first test sample) of a chronological split of `n_samples`."""
    # The small epsilon keeps 0.6 * 5010 = 3006 from landing on 3005 through float error.
    fit_end = math.floor(n_samples * train_fraction + 1e-9)
    val_end = math.floor(n_samples * (train_fraction + validation_fraction) + 1e-9)
    return fit_end, val_end


@dataclass(frozen=True)
class UpDownArrays:
    """Model-ready arrays of one series: chronological fit / validation / test parts."""

    x_fit: np.ndarray = field(repr=False)  # (n_fit, window, 1) float32, standardised returns
    y_fit: np.ndarray = field(repr=False)  # (n_fit,) float32, 1 = up
    x_val: np.ndarray = field(repr=False)  # (n_val, window, 1)
    y_val: np.ndarray = field(repr=False)  # (n_val,)
    x_test: np.ndarray = field(repr=False)  # (n_test, window, 1)
    y_test: np.ndarray = field(repr=False)  # (n_test,)
    last_return_test: np.ndarray = field(repr=False)  # (n_test,) raw last input return: yesterday's sign
    test_dates: np.ndarray = field(repr=False)  # (n_test,) datetime64: the day whose move is predicted
    mean: float  # mean of the training returns (scaling statistic)
    std: float  # standard deviation of the training returns (scaling statistic)
    window: int  # returns per sample
    logistic_rows: str  # rows the logistic baseline is fitted on

    @property
    def n_test(self) -> int:
        return len(self.y_test)

    @property
    def validation_data(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x_val, self.y_val


def _price_column(data, column: str) -> tuple[np.ndarray, np.ndarray]:
    """(prices, dates) of `column` from PriceData or a DataFrame indexed by date."""
    frame = getattr(data, "frame", data)
    if column not in frame.columns:
        choices = ", ".join(str(c) for c in frame.columns)
        raise AppError(ErrorKind.BAD_INPUT, key="seq_column_missing", column=column, choices=choices)
    prices = np.asarray(frame[column], dtype=float)
    if not np.all(np.isfinite(prices)) or np.any(prices <= 0):
        raise AppError(ErrorKind.BAD_INPUT, key="seq_returns_positive", column=column)
    return prices, np.asarray(frame.index, dtype="datetime64[ns]")


def _check_size(n_samples: int, fit_end: int, val_end: int, config: UpDownConfig) -> None:
    parts = (fit_end, val_end - fit_end, n_samples - val_end)
    if min(parts) < MIN_PART_SAMPLES:
        need = math.ceil(
            MIN_PART_SAMPLES
            / min(
                config.train_fraction,
                config.validation_fraction,
                1 - config.train_fraction - config.validation_fraction,
            )
        )
        raise AppError(
            ErrorKind.TOO_FEW_ROWS,
            key="seq_updown_too_few",
            least=MIN_PART_SAMPLES,
            fit=parts[0],
            val=parts[1],
            test=parts[2],
            rows=need + config.window + 1,
        )


def prepare_updown(config: UpDownConfig, data) -> UpDownArrays:
    """Log returns of `config.column` -> standardised windows, split 60/20/20 in time.

    `data`: PriceData or a DataFrame with a date index. Scaling statistics come from the returns
    of the training rows only (every return up to the last training label).
    """
    prices, dates = _price_column(data, config.column)
    returns = log_returns(prices)
    x, y = updown_windows(returns, config.window) if len(returns) > config.window else (np.zeros((0, 1)), [])
    n = len(y)
    fit_end, val_end = split_points(n, config.train_fraction, config.validation_fraction)
    _check_size(n, fit_end, val_end, config)
    train_returns = returns[: fit_end + config.window]  # inputs and labels of the fitting rows
    mean, std = float(train_returns.mean()), float(train_returns.std())
    z = ((x - mean) / (std if std > 0 else 1.0)).astype(np.float32)[..., None]  # (n, window, 1)
    labels = np.asarray(y, dtype=np.float32)
    # label k is the move from day k+window to day k+window+1 (price rows)
    label_dates = dates[config.window + 1 :]
    return UpDownArrays(
        x_fit=z[:fit_end],
        y_fit=labels[:fit_end],
        x_val=z[fit_end:val_end],
        y_val=labels[fit_end:val_end],
        x_test=z[val_end:],
        y_test=labels[val_end:],
        last_return_test=x[val_end:, -1],
        test_dates=label_dates[val_end:],
        mean=mean,
        std=std,
        window=config.window,
        logistic_rows=config.logistic_rows,
    )


# ---------------------------------------------------------------- model


def build_updown_model(config: UpDownConfig, input_shape: tuple[int, int]):
    """Input (window, 1) -> [cell](units) -> Dropout -> Dense(1, sigmoid); Adam, binary cross-entropy."""
    import keras

    from core.models import recurrent_layer

    keras.utils.set_random_seed(config.seed)
    inputs = keras.Input(shape=tuple(input_shape), name="returns")  # (batch, window, 1)
    h = recurrent_layer(config.cell, config.units, name=config.cell)(inputs)  # (batch, units)
    h = keras.layers.Dropout(config.dropout, name="dropout")(h)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="p_up")(h)  # (batch, 1): P(next return > 0)
    model = keras.Model(inputs, outputs, name=f"updown_{config.cell}")
    model.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate), loss="binary_crossentropy", metrics=["accuracy"]
    )
    return model


# ---------------------------------------------------------------- scores and baselines


@dataclass(frozen=True)
class ClassifierScore:
    """One classifier's scores on the test rows."""

    name: str  # "model" | "always_up" | "yesterday" | "logistic"
    accuracy: float  # share of test days whose direction was right
    balanced_accuracy: float  # mean of the recall on up days and on down days
    auc: float  # area under the ROC curve of the scores (0.5 for a constant; NaN with one class only)
    confusion: tuple[tuple[int, int], tuple[int, int]]  # rows: actual down, up; columns: predicted down, up


def classifier_score(name: str, y_true: np.ndarray, scores: np.ndarray, threshold: float = 0.5) -> ClassifierScore:
    """Scores of `scores` (probability of up, or 0/1) against labels `y_true` (1 = up)."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y_true).astype(int).ravel()
    s = np.asarray(scores, dtype=float).ravel()
    pred = (s > threshold).astype(int)
    cm = np.zeros((2, 2), dtype=int)
    np.add.at(cm, (y, pred), 1)
    recalls = [cm[c, c] / cm[c].sum() for c in (0, 1) if cm[c].sum() > 0]
    auc = float(roc_auc_score(y, s)) if len(np.unique(y)) == 2 else math.nan
    confusion = ((int(cm[0, 0]), int(cm[0, 1])), (int(cm[1, 0]), int(cm[1, 1])))
    return ClassifierScore(name, float(np.mean(pred == y)), float(np.mean(recalls)), auc, confusion)


def logistic_probabilities(prepared: UpDownArrays) -> np.ndarray:
    """P(up) on the test rows from a logistic regression on the same standardised inputs."""
    from sklearn.linear_model import LogisticRegression

    x_fit, y_fit = prepared.x_fit, prepared.y_fit
    if prepared.logistic_rows == "train+validation":
        x_fit, y_fit = np.concatenate([x_fit, prepared.x_val]), np.concatenate([y_fit, prepared.y_val])
    flat = x_fit.reshape(len(x_fit), -1)  # (n, window): one column per lag
    model = LogisticRegression(max_iter=1000).fit(flat, y_fit.astype(int))
    return model.predict_proba(prepared.x_test.reshape(prepared.n_test, -1))[:, 1]


def baseline_scores(prepared: UpDownArrays) -> dict[str, ClassifierScore]:
    """Always-up, yesterday's sign and logistic regression, on exactly the model's test rows."""
    y = prepared.y_test
    return {
        "always_up": classifier_score("always_up", y, np.ones(prepared.n_test)),
        "yesterday": classifier_score("yesterday", y, (prepared.last_return_test > 0).astype(float)),
        "logistic": classifier_score("logistic", y, logistic_probabilities(prepared)),
    }


@dataclass(frozen=True)
class SkillVerdict:
    """Is an accuracy above what always-up reaches by luck? One-sided 95% binomial bound."""

    accuracy: float  # the model's test accuracy
    always_up: float  # p0: the always-up accuracy (share of up days) on the same rows
    n: int  # test days
    bound: float  # p0 + 1.645 * sqrt(p0 (1 - p0) / n)
    has_skill: bool  # accuracy > bound


def skill_bound(p0: float, n: int, z: float = SKILL_Z) -> float:
    """One-sided upper bound of always-up's accuracy over `n` days: p0 + z * sqrt(p0 (1 - p0) / n)."""
    if n < 1 or not 0.0 <= p0 <= 1.0:
        raise ValueError(f"need n >= 1 and 0 <= p0 <= 1, got n={n}, p0={p0}")
    return p0 + z * math.sqrt(p0 * (1.0 - p0) / n)


def skill_verdict(accuracy: float, always_up: float, n: int) -> SkillVerdict:
    """Skill is claimed only when `accuracy` is strictly above the bound over always-up."""
    bound = skill_bound(always_up, n)
    return SkillVerdict(accuracy, always_up, n, bound, bool(accuracy > bound))


def skill_sentence(verdict: SkillVerdict, lang: str = "en") -> str:
    """One sentence for the page: skill, or no skill, with the numbers."""
    key = "skill_yes" if verdict.has_skill else "skill_no"
    return text(
        "seq_updown",
        key,
        lang,
        accuracy=f"{100 * verdict.accuracy:.1f}",
        bound=f"{100 * verdict.bound:.1f}",
        always_up=f"{100 * verdict.always_up:.1f}",
        n=f"{verdict.n:,}",
    )


@dataclass(frozen=True)
class UpDownScore:
    """The model's test scores beside every baseline, and the skill verdict."""

    model: ClassifierScore
    baselines: dict[str, ClassifierScore]  # BASELINES -> score on the same test rows
    skill: SkillVerdict
    n_test: int


def score_updown(probabilities: np.ndarray, prepared: UpDownArrays, threshold: float = 0.5) -> UpDownScore:
    """Score P(up) on the test rows (shape (n_test,) or (n_test, 1)) with the baselines and the verdict."""
    p = np.asarray(probabilities, dtype=float).ravel()
    if p.shape != (prepared.n_test,):
        raise ValueError(f"need one probability per test row ({prepared.n_test}), got {p.shape[0]}")
    model = classifier_score("model", prepared.y_test, p, threshold)
    baselines = baseline_scores(prepared)
    verdict = skill_verdict(model.accuracy, baselines["always_up"].accuracy, prepared.n_test)
    return UpDownScore(model, baselines, verdict, prepared.n_test)


# ---------------------------------------------------------------- the article's slips, as data

ARTICLE_LSTM_UNITS, ARTICLE_FEATURES, ARTICLE_WINDOW = 64, 2, 10  # LSTM(64, input_shape=(10, 2))
ARTICLE_PRINTED_LSTM, ARTICLE_PRINTED_DENSE, ARTICLE_PRINTED_TOTAL = 41_792, 65, 41_857
ARTICLE_SLIP_KEYS: tuple[str, ...] = (
    "label_vs_mean",
    "same_day_feature",
    "parameter_count",
    "input_shape",
    "duplicate_feature",
)


@dataclass(frozen=True)
class ArticleParameters:
    """The article's printed parameter counts beside the formula's (LSTM(64) on 2 features, Dense(1))."""

    units: int  # 64
    features: int  # 2
    printed_lstm: int  # 41,792 as printed
    formula_lstm: int  # 4U(F+U+1) = 17,152
    formula_text: str  # "4·64·(2+64+1)"
    printed_dense: int  # 65 (right)
    formula_dense: int  # 64·1+1 = 65
    printed_total: int  # 41,857
    formula_total: int  # 17,217
    possible_for_some_features: bool  # False: 41,792 is not a multiple of 4U = 256, whatever F is


def article_parameter_counts() -> ArticleParameters:
    """The article's LSTM(64) -> Dense(1) counts: printed and by formula."""
    u, f = ARTICLE_LSTM_UNITS, ARTICLE_FEATURES
    lstm, dense = cell_parameter_count("lstm", f, u), dense_parameter_count(u, 1)
    return ArticleParameters(
        units=u,
        features=f,
        printed_lstm=ARTICLE_PRINTED_LSTM,
        formula_lstm=lstm,
        formula_text=f"4·{u}·({f}+{u}+1)",
        printed_dense=ARTICLE_PRINTED_DENSE,
        formula_dense=dense,
        printed_total=ARTICLE_PRINTED_TOTAL,
        formula_total=lstm + dense,
        possible_for_some_features=ARTICLE_PRINTED_LSTM % (4 * u) == 0,
    )


@dataclass(frozen=True)
class ArticleSlip:
    """One thing the article gets wrong: what it shows and what is true."""

    key: str  # one of ARTICLE_SLIP_KEYS
    article: str  # what the article does or prints
    fact: str  # what is true, and why it matters


def article_slips(lang: str = "en") -> list[ArticleSlip]:
    """The article's slips in `lang`, with the parameter numbers filled in."""
    c = article_parameter_counts()
    numbers = dict(
        printed=f"{c.printed_lstm:,}",
        formula=f"{c.formula_lstm:,}",
        formula_text=c.formula_text,
        units=c.units,
        features=c.features,
        window=ARTICLE_WINDOW,
    )
    return [
        ArticleSlip(
            key,
            text("seq_updown", f"slip_{key}_article", lang, **numbers),
            text("seq_updown", f"slip_{key}_fact", lang, **numbers),
        )
        for key in ARTICLE_SLIP_KEYS
    ]


# ---------------------------------------------------------------- on the one training path


def score_dict(score: ClassifierScore) -> dict:
    """A ClassifierScore as JSON-safe data (the confusion matrix as nested lists)."""
    return {k: ([list(row) for row in v] if k == "confusion" else v) for k, v in dataclasses.asdict(score).items()}


class UpDownSpec:
    """The up/down classifier on the one training path: data is a core.prices.PriceData (or a DataFrame).

    Early stopping on the validation rows (patience 0: never) keeps the best epoch's weights.
    """

    name = "updown"
    version = 1

    def prepare(self, config: UpDownConfig, data) -> Prepared:
        arrays = prepare_updown(config, data)
        plan = FitPlan(
            config.epochs, config.batch_size, config.seed, patience=config.patience or None, jit_compile=True
        )
        extra = {"arrays": arrays, "source": getattr(data, "source", "data")}
        return Prepared(arrays.x_fit, arrays.y_fit, plan, val=arrays.validation_data, extra=extra)

    def build(self, config: UpDownConfig, prepared: Prepared):
        return build_updown_model(config, prepared.x.shape[1:])

    def score(self, model, prepared: Prepared, config: UpDownConfig) -> Scored:
        arrays = prepared.extra["arrays"]
        probabilities = np.asarray(model.predict(arrays.x_test, batch_size=1024, verbose=0), dtype=float).ravel()
        s = score_updown(probabilities, arrays)
        outputs = {"probabilities": probabilities, "y_test": arrays.y_test}
        outputs["test_dates"] = np.asarray(arrays.test_dates, dtype="datetime64[ns]").astype("int64")
        meta = {
            "model": score_dict(s.model),
            "baselines": {name: score_dict(b) for name, b in s.baselines.items()},
            "skill": dataclasses.asdict(s.skill),
            "n_test": s.n_test,
            "train_rows": len(arrays.y_fit),
            "validation_rows": len(arrays.y_val),
            "summary_rows": summary_rows(model),
            "source": prepared.extra["source"],
        }
        return Scored(outputs, meta)


UPDOWN = UpDownSpec()


def _score(record: dict) -> ClassifierScore:
    values = dict(record)
    values["confusion"] = tuple(tuple(int(c) for c in row) for row in values["confusion"])
    return ClassifierScore(**values)


@dataclass(frozen=True, eq=False)
class UpDownResult:
    """One configuration trained with several seeds, scored on the same test days as every baseline."""

    runs: tuple[TrainedModel, ...]  # one per seed

    config = property(lambda self: self.runs[0].config)
    seeds = property(lambda self: tuple(r.config.seed for r in self.runs))
    cached = property(lambda self: all(r.cached for r in self.runs))
    train_seconds = property(lambda self: float(sum(r.seconds for r in self.runs)))  # every seed's fit
    fit_seconds = property(lambda self: float(np.mean([r.seconds for r in self.runs])))  # mean per seed
    history = property(lambda self: self.runs[0].history)
    n_test = property(lambda self: self.runs[0].meta["n_test"])
    source = property(lambda self: self.runs[0].meta["source"])

    @functools.cached_property
    def scores(self) -> tuple[ClassifierScore, ...]:
        """The model's scores, one per seed."""
        return tuple(_score(r.meta["model"]) for r in self.runs)

    @functools.cached_property
    def baselines(self) -> dict[str, ClassifierScore]:
        return {name: _score(v) for name, v in self.runs[0].meta["baselines"].items()}

    def mean_std(self, metric: str) -> tuple[float, float]:
        """Mean and spread over seeds of one of the model's metrics (accuracy, balanced_accuracy, auc)."""
        return mean_std([getattr(s, metric) for s in self.scores])

    @property
    def accuracy(self) -> float:
        return self.mean_std("accuracy")[0]

    @functools.cached_property
    def skill(self) -> SkillVerdict:
        """The verdict for the mean accuracy over seeds (the bound is the same for every seed)."""
        return skill_verdict(self.accuracy, self.baselines["always_up"].accuracy, self.n_test)

    @functools.cached_property
    def test_dates(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(pd.to_datetime(self.runs[0].outputs["test_dates"], unit="ns"), name="date")

    @property
    def probabilities(self) -> np.ndarray:
        """(seeds, n_test) P(up) of every seed."""
        return np.stack([r.outputs["probabilities"] for r in self.runs])

    def confusion(self) -> np.ndarray:
        """(2, 2) the confusion matrix summed over seeds: rows actual down/up, columns predicted down/up."""
        return np.sum([np.asarray(s.confusion) for s in self.scores], axis=0)


def run_updown(
    config: UpDownConfig,
    data,
    *,
    seeds: int = 3,
    report: Reporter | None = None,
    cancel=None,
    use_cache: bool = True,
    lang: str = "en",
) -> UpDownResult:
    """Train `seeds` seeds of `config` on `data` (a PriceData); the data is checked before anything trains."""
    prepare_updown(config, data)
    configs = seed_configs(config, seeds)
    return UpDownResult(
        train_seeds(UPDOWN, configs, data, report=report, cancel=cancel, use_cache=use_cache, lang=lang)
    )


def updown_summary(result: UpDownResult) -> dict:
    """The JSON object of `python -m core seq updown` (accuracies as fractions)."""
    dates = result.test_dates
    skill = result.skill
    out = {
        "task": "updown",
        "source": result.source,
        "column": result.config.column,
        "window": result.config.window,
        "logistic_rows": result.config.logistic_rows,
        "n_test": result.n_test,
        "test_start": dates[0].date().isoformat(),
        "test_end": dates[-1].date().isoformat(),
        "seeds": list(result.seeds),
        "accuracy": result.accuracy,
        "accuracy_std": result.mean_std("accuracy")[1],
        "accuracy_by_seed": [s.accuracy for s in result.scores],
        "balanced_accuracy": result.mean_std("balanced_accuracy")[0],
        "auc": result.mean_std("auc")[0],
        "confusion": result.confusion().tolist(),
        "fit_seconds": result.fit_seconds,
        "fit_seconds_by_seed": [r.seconds for r in result.runs],
        "epochs_run": [r.epochs for r in result.runs],
        "cached": result.cached,
    }
    out |= {name: b.accuracy for name, b in result.baselines.items()}
    out["baselines"] = {name: score_dict(b) for name, b in result.baselines.items()}
    out |= {"skill_threshold": skill.bound, "has_skill": skill.has_skill, "verdict": skill_sentence(skill)}
    counts = article_parameter_counts()
    out["article_parameters"] = {
        "printed": counts.printed_lstm,
        "formula": counts.formula_lstm,
        "formula_text": counts.formula_text,
    }
    out["config"] = dataclasses.asdict(result.config)
    return out
