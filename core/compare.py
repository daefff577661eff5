"""SimpleRNN vs LSTM vs GRU (and a dense reference) on the same footing, over several seeds.

Every model goes through the page pipelines (`run_forecast`, `train_letters`, `core.grad.run_memory`),
that is through the one training path and its cache, so a model already trained elsewhere in the app
is reused. The comparison then reduces each cell's seeds to mean ± standard deviation and says in a
sentence whether a difference is larger than the seed noise. Three tasks: a price series, a course
letter task, and "long memory" (the adding problem at a chosen T), the case where the cell matters.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.forecast import ForecastConfig, run_forecast
from core.grad import memory_config, run_memory
from core.i18n import text
from core.letters import LetterConfig, train_letters
from core.memory_tasks import MEMORY_CELLS, within_baseline
from core.models import CELL_LABELS, MODES, formula_text
from core.progress import EpochInfo, Reporter
from core.settings import check_range

TASKS: tuple[str, ...] = ("price", "letters", "memory")
PRICE_CELLS: tuple[str, ...] = ("rnn", "lstm", "gru", "dense")  # compared unless the caller picks cells
LETTER_CELLS: tuple[str, ...] = ("rnn", "lstm", "gru")
# Every model a task offers: the peephole LSTM everywhere, a causal Conv1D for prices (issue #13)
CELL_CHOICES: dict[str, tuple[str, ...]] = {
    "price": ("rnn", "lstm", "gru", "peephole", "conv1d", "dense"),
    "letters": (*LETTER_CELLS, "peephole"),
    "memory": MEMORY_CELLS,
}
DEFAULT_CELLS: dict[str, tuple[str, ...]] = {"price": PRICE_CELLS, "letters": LETTER_CELLS, "memory": MEMORY_CELLS}
LETTER_TASKS: tuple[str, ...] = ("L1", "L2", "L3", "L4")
# metric -> True when lower is better
PRICE_METRICS: dict[str, bool] = {"rmse": True, "mae": True, "theil_u": True, "rmse_vs_best": True}
BASELINE_TOLERANCE = 0.005  # within 0.5% of the best baseline's RMSE counts as "the same as it"
LETTER_METRICS: dict[str, bool] = {"accuracy": False, "epochs_to_100": True, "final_loss": True}
MEMORY_METRICS: dict[str, bool] = {"mse": True, "solved": False}  # solved: share of seeds with test MSE < 0.01


@dataclass(frozen=True)
class CompareConfig:
    """One comparison: which task, which cells, how many seeds, and the shared training settings."""

    task: str = "price"  # "price" (a price series), "letters" (a course letter task) or "memory" (adding problem)
    cells: tuple[str, ...] | None = None  # models compared (None: the task's default set); see CELL_CHOICES
    seeds: int = 3  # K seeds per cell: first_seed, first_seed + 1, ...
    first_seed: int | None = None  # None: the pipeline's own seed, so the page's model is reused
    mode: str = "default"  # price pipeline: "default" (ours) or "course" (the chapter's)
    epochs: int | None = None  # None: the mode's own epochs (and stopping rule)
    letter_task: str = "L1"  # course letter task, for task="letters"
    column: str | None = None  # price target column; None: the pipeline's default ("open")
    steps: int = 50  # long memory: T, the length of the adding problem's sequences

    def __post_init__(self):
        if self.task not in TASKS:
            raise ValueError(f"unknown task {self.task!r}; choose one of {', '.join(TASKS)}")
        allowed = CELL_CHOICES[self.task]
        object.__setattr__(self, "cells", DEFAULT_CELLS[self.task] if self.cells is None else tuple(self.cells))
        if not self.cells or len(set(self.cells)) != len(self.cells):
            raise ValueError("choose at least one cell, each once")
        bad = [c for c in self.cells if c not in allowed]
        if bad:
            raise ValueError(f"cell {bad[0]!r} is not available for {self.task}; choose from {', '.join(allowed)}")
        if not 1 <= self.seeds <= 10:
            raise ValueError(f"seeds must be between 1 and 10, got {self.seeds}")
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r}; choose one of {', '.join(MODES)}")
        if self.epochs is not None and not 1 <= self.epochs <= 1000:
            raise ValueError(f"epochs must be between 1 and 1000, got {self.epochs}")
        if self.letter_task not in LETTER_TASKS:
            raise ValueError(f"unknown letter task {self.letter_task!r}; choose one of {', '.join(LETTER_TASKS)}")
        check_range("steps", self.steps, 2, 1000, whole=True, label="sequence length T")

    @property
    def n_models(self) -> int:
        return len(self.cells) * self.seeds

    @property
    def metrics(self) -> dict[str, bool]:
        """The task's metrics (name -> lower is better)."""
        return {"price": PRICE_METRICS, "letters": LETTER_METRICS, "memory": MEMORY_METRICS}[self.task]


# ---------------------------------------------------------------- aggregation over seeds


def mean_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof=1) of the finite values; std 0 for one value.

    Values that are NaN (e.g. "never reached 100%") are left out; all NaN gives (nan, nan).
    """
    arr = np.asarray([v for v in values if v is not None], dtype=float)
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        return math.nan, math.nan
    std = float(np.std(arr, ddof=1)) if arr.size > 1 else 0.0
    return float(np.mean(arr)), std


@dataclass
class ModelRun:
    """One trained model (one cell, one seed) as the comparison needs it."""

    cell: str
    seed: int
    metrics: dict[str, float]  # the task's metrics for this model
    history: dict[str, list[float]]  # per-epoch curves ("loss", "val_loss" / "accuracy")
    train_seconds: float  # the model's own training time (also when it came from the cache)
    epochs_run: int
    cached: bool  # True when the shared cache already held this model
    params: int
    formula: str
    predictions: np.ndarray | None = None  # price: the scored days' predictions


@dataclass
class CellSummary:
    """One cell's seeds reduced to mean ± std."""

    cell: str
    runs: list[ModelRun]
    stats: dict[str, tuple[float, float]]  # metric -> (mean, std)

    @property
    def params(self) -> int:
        return self.runs[0].params

    @property
    def formula(self) -> str:
        return self.runs[0].formula

    @property
    def train_seconds_total(self) -> float:
        return float(sum(r.train_seconds for r in self.runs))

    @property
    def epochs_run(self) -> tuple[float, float]:
        return mean_std([r.epochs_run for r in self.runs])

    def mean(self, metric: str) -> float:
        return self.stats[metric][0]

    def std(self, metric: str) -> float:
        return self.stats[metric][1]


def summarize(runs: Sequence[ModelRun], metrics: Sequence[str]) -> list[CellSummary]:
    """Group runs by cell (first-seen order) and reduce every metric to (mean, std) over seeds."""
    by_cell: dict[str, list[ModelRun]] = {}
    for run in runs:
        by_cell.setdefault(run.cell, []).append(run)
    return [
        CellSummary(cell, group, {m: mean_std([r.metrics.get(m, math.nan) for r in group]) for m in metrics})
        for cell, group in by_cell.items()
    ]


# ---------------------------------------------------------------- sentences aware of seed noise


@dataclass(frozen=True)
class Verdict:
    """How two neighbours in the ranking compare on one metric."""

    kind: str  # "tie": |difference| <= the larger std; "clear": larger; "one_seed": no spread known; "equal"
    better: str  # cell ahead on the metric's mean
    worse: str
    metric: str
    difference: float  # |mean difference|
    spread: float  # the larger of the two standard deviations


def rank(summaries: Sequence[CellSummary], metric: str, lower_is_better: bool) -> list[CellSummary]:
    """Cells from best to worst on a metric's mean; cells without a value go last."""

    def key(s: CellSummary) -> float:
        m = s.mean(metric)
        return math.inf if math.isnan(m) else (m if lower_is_better else -m)

    return sorted(summaries, key=key)


def verdicts(summaries: Sequence[CellSummary], metric: str, lower_is_better: bool) -> list[Verdict]:
    """A verdict for each neighbouring pair of the ranking on `metric`."""
    ranked = [s for s in rank(summaries, metric, lower_is_better) if not math.isnan(s.mean(metric))]
    out = []
    for a, b in zip(ranked, ranked[1:], strict=False):
        diff, spread = abs(a.mean(metric) - b.mean(metric)), max(a.std(metric), b.std(metric))
        one_seed = len(a.runs) < 2 or len(b.runs) < 2
        kind = "equal" if diff < 1e-12 else ("one_seed" if one_seed else ("tie" if diff <= spread else "clear"))
        out.append(Verdict(kind, a.cell, b.cell, metric, diff, spread))
    return out


def verdict_sentence(v: Verdict, lang: str = "en") -> str:
    names = {"better": CELL_LABELS[v.better], "worse": CELL_LABELS[v.worse]}
    metric = text("compare", f"metric_{v.metric}", lang)
    return text("compare", f"verdict_{v.kind}", lang, metric=metric, difference=_num(v.difference),
                spread=_num(v.spread), **names)  # fmt: skip


def decimals_for(stds: Sequence[float], floor: int = 0, cap: int = 4) -> int:
    """Decimals that show the smallest non-zero spread with two significant digits."""
    spreads = [abs(x) for x in stds if x and math.isfinite(x)]
    if not spreads:
        return floor
    return int(min(cap, max(floor, 1 - math.floor(math.log10(min(spreads))))))


def _num(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 100 else f"{x:,.0f}"


# ---------------------------------------------------------------- the whole comparison


@dataclass
class Comparison:
    """Everything a page, a figure or the command line shows about one comparison."""

    config: CompareConfig
    runs: list[ModelRun]
    summaries: list[CellSummary]
    wall_seconds: float  # this batch's own time (small when the cache held the models)
    eval_dates: np.ndarray | None = None  # price: the scored days
    actual: np.ndarray | None = None  # price: the real target on those days
    baselines: dict[str, np.ndarray] = field(default_factory=dict)  # price: name -> predictions
    baseline_metrics: dict[str, dict[str, float]] = field(default_factory=dict)  # name -> metrics
    best_baseline: str | None = None
    memory_baseline: float | None = None  # long memory: the constant guess's MSE on the same test sequences

    @property
    def trained(self) -> int:
        return sum(not r.cached for r in self.runs)

    @property
    def cached(self) -> int:
        return sum(r.cached for r in self.runs)

    @property
    def headline(self) -> str:
        return {"price": "rmse", "letters": "accuracy", "memory": "mse"}[self.config.task]

    def summary(self, cell: str) -> CellSummary:
        return next(s for s in self.summaries if s.cell == cell)

    def predictions_by_cell(self) -> dict[str, np.ndarray]:
        """cell -> (seeds, days) predictions (price only)."""
        return {
            s.cell: np.stack([r.predictions for r in s.runs])
            for s in self.summaries
            if s.runs[0].predictions is not None
        }

    def histories_by_cell(self) -> dict[str, list[dict[str, list[float]]]]:
        return {s.cell: [r.history for r in s.runs] for s in self.summaries}

    def stats(self, metrics: Sequence[str] | None = None) -> dict[str, dict[str, tuple[float, float]]]:
        """metric -> cell -> (mean, std), for the bar chart."""
        return {m: {s.cell: s.stats[m] for s in self.summaries} for m in (metrics or list(self.config.metrics))}

    def references(self) -> dict[str, tuple[float, str]]:
        """Lines for the bar chart: the best baseline's value of each price metric; 100% for letters."""
        if self.config.task == "letters":
            return {"accuracy": (1.0, "100%")}
        if self.config.task == "memory":
            return {"mse": (self.memory_baseline, "1/6")} if self.memory_baseline is not None else {}
        if not self.best_baseline:
            return {}
        base = self.baseline_metrics[self.best_baseline]
        return {m: (base[m], self.best_baseline) for m in PRICE_METRICS if m in base}

    def rows(self) -> list[dict]:
        """One plain row per cell (the command line's "results")."""
        out = []
        for s in self.summaries:
            row = {"cell": s.cell, "params": s.params, "formula": s.formula,
                   "train_seconds_total": round(s.train_seconds_total, 3), "epochs_run_mean": s.epochs_run[0],
                   "seeds": [r.seed for r in s.runs], "cached": sum(r.cached for r in s.runs)}  # fmt: skip
            for metric, (mean, std) in s.stats.items():
                row[f"{metric}_mean"], row[f"{metric}_std"] = _json_float(mean), _json_float(std)
            out.append(row)
        return out


def _json_float(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def sentences(c: Comparison, lang: str = "en") -> list[str]:
    """The comparison in words: ranking, seed-noise verdicts, baselines (price), cost."""
    metric, lower = c.headline, c.config.metrics[c.headline]
    if c.config.task == "letters" and all(s.mean("accuracy") == 1.0 for s in c.summaries):
        metric, lower = "epochs_to_100", True  # every model is perfect: compare the speed instead
    ranked = rank(c.summaries, metric, lower)
    gaps = [abs(a.mean(metric) - b.mean(metric)) for a, b in zip(ranked, ranked[1:], strict=False)]
    d = decimals_for([*(s.std(metric) for s in ranked), *gaps], floor=METRIC_DIGITS[metric])
    listing = " · ".join(f"{CELL_LABELS[s.cell]} {_pm(s.mean(metric), s.std(metric), d)}" for s in ranked)
    out = [text("compare", "ranking", lang, metric=text("compare", f"metric_{metric}", lang), seeds=c.config.seeds,
                listing=listing)]  # fmt: skip
    out += [verdict_sentence(v, lang) for v in verdicts(c.summaries, metric, lower)]
    more = {"price": _baseline_sentences, "letters": _letter_sentences, "memory": _memory_sentences}
    out += more[c.config.task](c, lang)
    cost = _cost_sentence(ranked[0], c.summaries, lang)
    return [*out, cost] if cost else out


def _baseline_sentences(c: Comparison, lang: str) -> list[str]:
    if not c.best_baseline:
        return []
    best = c.baseline_metrics[c.best_baseline]["rmse"]
    ratio = {s.cell: s.mean("rmse") / best if best > 0 else math.nan for s in c.summaries}
    losers = [s for s in c.summaries if ratio[s.cell] > 1.0 + BASELINE_TOLERANCE]
    matches = [s for s in c.summaries if abs(ratio[s.cell] - 1.0) <= BASELINE_TOLERANCE]
    winners = [s for s in c.summaries if ratio[s.cell] < 1.0 - BASELINE_TOLERANCE]
    values = {"baseline": c.best_baseline.replace("_", " "), "rmse": _num(best)}
    out = []
    if losers:
        names = ", ".join(CELL_LABELS[s.cell] for s in losers)
        key = "baseline_all_lose" if len(losers) == len(c.summaries) else "baseline_some_lose"
        out.append(text("compare", key, lang, names=names, **values))
    if matches:
        names = ", ".join(CELL_LABELS[s.cell] for s in matches)
        out.append(text("compare", "baseline_match", lang, names=names, **values))
    for s in winners:
        gain = 100.0 * (1.0 - s.mean("rmse") / best) if best > 0 else 0.0
        out.append(text("compare", "baseline_win", lang, name=CELL_LABELS[s.cell], gain=f"{gain:.0f}", **values))
    return out


def _letter_sentences(c: Comparison, lang: str) -> list[str]:
    out = []
    for s in c.summaries:
        misses = [r.seed for r in s.runs if r.metrics["accuracy"] < 1.0]
        if misses:
            out.append(text("compare", "letters_missed", lang, name=CELL_LABELS[s.cell], count=len(misses),
                            seeds=len(s.runs), which=", ".join(map(str, misses))))  # fmt: skip
    return out


def _memory_sentences(c: Comparison, lang: str) -> list[str]:
    """Which cells solved the task in every seed, which stayed at the no-memory baseline, which diverged."""
    base = c.memory_baseline if c.memory_baseline is not None else math.nan
    names = lambda group: ", ".join(CELL_LABELS[s.cell] for s in group)  # noqa: E731
    solved = [s for s in c.summaries if s.mean("solved") == 1.0]
    stuck = [s for s in c.summaries if math.isfinite(s.mean("mse")) and within_baseline(s.mean("mse"), base, "mse")]
    out = [text("compare", "memory_solved", lang, names=names(solved), steps=c.config.steps)] if solved else []
    if stuck:
        out.append(text("compare", "memory_stuck", lang, names=names(stuck), baseline=f"{base:.3f}"))
    diverged = [r for r in c.runs if not math.isfinite(r.metrics["mse"])]
    if diverged:
        which = ", ".join(text("compare", "memory_run", lang, name=CELL_LABELS[r.cell], seed=r.seed) for r in diverged)
        out.append(text("compare", "memory_diverged", lang, which=which))
    return out


def _cost_sentence(best: CellSummary, summaries: Sequence[CellSummary], lang: str) -> str:
    smallest = min(summaries, key=lambda s: s.params)
    if smallest.cell == best.cell:
        return text("compare", "cost_best_is_smallest", lang, name=CELL_LABELS[best.cell]) if len(summaries) > 1 else ""
    time_ratio = (
        best.train_seconds_total / smallest.train_seconds_total if smallest.train_seconds_total > 0 else math.nan
    )
    return text("compare", "cost", lang, best=CELL_LABELS[best.cell], small=CELL_LABELS[smallest.cell],
                params=f"{best.params / smallest.params:.1f}", time=f"{time_ratio:.1f}")  # fmt: skip


# ---------------------------------------------------------------- progress over the whole batch


class BatchProgress:
    """Turns per-model training reports into batch reports: 'model i of n (cell, seed) · time left'.

    The time left in all is the current model's time left plus, for every model still to come,
    the mean training time of its cell in this batch (or of any cell, or the current projection).
    """

    def __init__(self, report: Reporter | None, plan: Sequence[tuple[str, int]], lang: str = "en") -> None:
        self.report = report
        self.plan = list(plan)  # (cell, seed) in training order
        self.lang = lang
        self.seconds: dict[str, list[float]] = {}  # cell -> training times seen in this batch
        self.index = 0  # 0-based index of the model being trained

    def _estimate(self, cell: str, projected: float) -> float:
        """Expected training time of a model still to come."""
        own = self.seconds.get(cell)
        if own:
            return float(np.mean(own))
        seen = [s for times in self.seconds.values() for s in times]
        same_as_current = cell == self.plan[self.index][0]
        return projected if same_as_current or not seen else float(np.mean(seen))

    def seconds_left(self, info: EpochInfo) -> float:
        projected = info.elapsed / max(info.fraction, 1e-9)  # the current model's full time
        rest = self.plan[self.index + 1 :]
        return info.seconds_left + sum(self._estimate(cell, projected) for cell, _ in rest)

    def stage(self, info: EpochInfo, cached: bool = False) -> str:
        cell, seed = self.plan[self.index]
        key = "stage_cached" if cached else "stage"
        return text("compare", key, self.lang, i=self.index + 1, n=len(self.plan), name=CELL_LABELS[cell], seed=seed,
                    left=f"{self.seconds_left(info):.0f}")  # fmt: skip

    def model_reporter(self, index: int) -> Reporter | None:
        """The reporter handed to model `index`'s training."""
        self.index = index
        if self.report is None:
            return None
        return lambda info: self.report(dataclasses.replace(info, stage=self.stage(info)))

    def finished(self, run: ModelRun) -> None:
        """Record a model's time; a cached model reports once so the bar still moves."""
        if not run.cached:
            self.seconds.setdefault(run.cell, []).append(run.train_seconds)
        elif self.report is not None:
            n = max(1, run.epochs_run)
            info = EpochInfo(n, n, 0.0, {k: v[-1] for k, v in run.history.items() if v}, run.history)
            self.report(dataclasses.replace(info, stage=self.stage(info, cached=True)))


def seed_list(config: CompareConfig, pipeline_seed: int) -> list[int]:
    first = pipeline_seed if config.first_seed is None else config.first_seed
    return [first + k for k in range(config.seeds)]


def training_plan(config: CompareConfig, seeds: Sequence[int]) -> list[tuple[str, int]]:
    """Seed-major order: every cell's first seed comes first, so early results cover every cell."""
    return [(cell, seed) for seed in seeds for cell in config.cells]


# ---------------------------------------------------------------- running the batch


def default_epochs(task: str, mode: str = "default") -> int:
    """The pipeline's own epochs for a task and mode (what the page's epochs field starts at)."""
    if task == "letters":
        return LetterConfig().epochs
    if task == "memory":
        return memory_config().epochs
    return ForecastConfig.for_mode(mode).epochs


def forecast_config(config: CompareConfig, cell: str, seed: int | None = None):
    """The page pipeline's configuration for one model of the comparison (same split, window, epochs)."""
    base = ForecastConfig.for_mode(config.mode, cell)
    changes = {"seed": base.seed if seed is None else seed}
    if config.epochs is not None:
        changes["epochs"] = config.epochs
    if config.column is not None:
        changes["target"] = config.column
    return dataclasses.replace(base, **changes)


def letter_config(config: CompareConfig, cell: str, seed: int | None = None):
    """The course letter task's configuration for one model of the comparison."""
    base = LetterConfig.course(config.letter_task, cell)
    changes = {"seed": base.seed if seed is None else seed}
    if config.epochs is not None:
        changes["epochs"] = config.epochs
    return dataclasses.replace(base, **changes)


def long_memory_config(config: CompareConfig, cell: str, seed: int | None = None):
    """The memory lab's model for one (cell, seed) of the comparison: the adding problem at T = config.steps."""
    changes = {} if config.epochs is None else {"epochs": config.epochs}
    return memory_config("adding", config.steps, cell, 0 if seed is None else seed, **changes)


def _memory_run(result, cell: str, seed: int) -> ModelRun:
    metrics = {"mse": result.score, "solved": float(result.solved)}  # mse NaN when the run diverged
    return ModelRun(
        cell=cell, seed=seed, metrics=metrics, history=dict(result.history), train_seconds=float(result.train_seconds),
        epochs_run=int(result.epochs_run), cached=bool(result.cached), params=int(result.params), formula=result.formula,
    )  # fmt: skip


def _price_run(result, cell: str, seed: int) -> ModelRun:
    row = result.metrics.loc["model"]
    counts = result.layer_counts  # computed with the training (no model needs loading here)
    return ModelRun(
        cell=cell, seed=seed, metrics={m: float(row[m]) for m in PRICE_METRICS}, history=dict(result.history),
        train_seconds=float(result.train_seconds), epochs_run=int(result.epochs_run), cached=bool(result.cached),
        params=sum(c.count for c in counts), formula=formula_text(counts), predictions=np.asarray(result.predictions),
    )  # fmt: skip


def epochs_to_full_accuracy(accuracy: Sequence[float]) -> float:
    """The first epoch (1-based) whose accuracy is 100%, or NaN when none is."""
    hits = [k for k, a in enumerate(accuracy, start=1) if a >= 1.0 - 1e-9]
    return float(hits[0]) if hits else math.nan


def _letter_run(result, cell: str, seed: int) -> ModelRun:
    counts = result.layer_counts
    metrics = {
        "accuracy": float(result.accuracy),
        "epochs_to_100": epochs_to_full_accuracy(result.history.get("accuracy", [])),
        "final_loss": float(result.history["loss"][-1]) if result.history.get("loss") else math.nan,
    }
    return ModelRun(
        cell=cell, seed=seed, metrics=metrics, history=dict(result.history), train_seconds=float(result.train_seconds),
        epochs_run=int(result.epochs_run), cached=bool(result.cached), params=sum(c.count for c in counts),
        formula=formula_text(counts),
    )  # fmt: skip


def run_comparison(
    config: CompareConfig,
    data=None,
    *,
    report: Reporter | None = None,
    cancel=None,
    use_cache: bool = True,
    lang: str = "en",
) -> Comparison:
    """Train (or fetch from the cache) every cell x seed on the one training path and summarize them.

    `data` is a core.prices.PriceData for task "price" (unused otherwise). `report` receives
    each epoch of each model, with `stage` = "model i of n (cell, seed k) · about X s left in all";
    `cancel()` True stops the batch (AppError CANCELLED).
    """
    if config.task == "price" and data is None:
        raise ValueError("a price comparison needs a price series")
    pipeline_seed = CONFIG_FOR[config.task](config, config.cells[0]).seed
    plan = training_plan(config, seed_list(config, pipeline_seed))
    progress = BatchProgress(report, plan, lang)
    began = time.perf_counter()
    runs, last = [], None
    for index, (cell, seed) in enumerate(plan):
        options = dict(report=progress.model_reporter(index), cancel=cancel, use_cache=use_cache)
        run, last = _train_one(config, data, cell, seed, options)
        progress.finished(run)
        runs.append(run)
    order = {cell: k for k, cell in enumerate(config.cells)}
    runs.sort(key=lambda r: (order[r.cell], r.seed))  # cell-major for tables and figures
    comparison = Comparison(config, runs, summarize(runs, list(config.metrics)), time.perf_counter() - began)
    if config.task == "price":
        _attach_baselines(comparison, last)
    elif config.task == "memory":
        comparison.memory_baseline = float(last.baseline)  # the same test sequences for every model
    return comparison


CONFIG_FOR = {"price": forecast_config, "letters": letter_config, "memory": long_memory_config}


def _train_one(config: CompareConfig, data, cell: str, seed: int, options: dict):
    """(ModelRun, the pipeline's result) of one model, trained or from the cache."""
    if config.task == "price":
        result = run_forecast(data, forecast_config(config, cell, seed), **options)
        return _price_run(result, cell, seed), result
    if config.task == "memory":
        result = run_memory(long_memory_config(config, cell, seed), **options)
        return _memory_run(result, cell, seed), result
    result = train_letters(letter_config(config, cell, seed), **options)
    return _letter_run(result, cell, seed), result


def _attach_baselines(c: Comparison, result) -> None:
    """Real prices and baselines are the same for every model (same data, split and scored days)."""
    c.eval_dates = np.asarray(result.eval_dates)
    c.actual = np.asarray(result.actual, dtype=float)
    c.baselines = {name: np.asarray(v, dtype=float) for name, v in result.baselines.items()}
    table = result.metrics
    c.baseline_metrics = {name: {m: float(table.loc[name, m]) for m in table.columns} for name in c.baselines}
    c.best_baseline = result.best_baseline


# ---------------------------------------------------------------- tables for the page

METRIC_DIGITS: dict[str, int] = {
    "rmse": 2,
    "mae": 2,
    "theil_u": 3,
    "rmse_vs_best": 3,
    "accuracy": 2,
    "epochs_to_100": 1,
    "final_loss": 4,
    "mse": 4,
    "solved": 2,
}


def _pm(mean: float, std: float, digits: int) -> str:
    return "–" if math.isnan(mean) else f"{mean:,.{digits}f} ± {std:,.{digits}f}"


def summary_frame(c: Comparison, lang: str = "en") -> pd.DataFrame:
    """One row per cell: parameters, time, epochs and every metric as 'mean ± std' (headers in `lang`)."""

    def col(key: str) -> str:
        return text("compare", f"col_{key}", lang)

    digits = {m: decimals_for([s.std(m) for s in c.summaries], floor=METRIC_DIGITS[m]) for m in c.config.metrics}
    rows = []
    for s in c.summaries:
        row = {col("model"): CELL_LABELS[s.cell], col("params"): f"{s.params:,}",
               col("seconds"): f"{s.train_seconds_total:.1f}", col("epochs"): _pm(*s.epochs_run, 1)}  # fmt: skip
        for metric in c.config.metrics:
            row[col(metric)] = _pm(*s.stats[metric], digits[metric])
        row[col("cached")] = f"{sum(r.cached for r in s.runs)} / {len(s.runs)}"
        rows.append(row)
    return pd.DataFrame(rows)


def formula_frame(c: Comparison, lang: str = "en") -> pd.DataFrame:
    model, params, formula = (text("compare", f"col_{k}", lang) for k in ("model", "params", "formula"))
    return pd.DataFrame([{model: CELL_LABELS[s.cell], params: s.params, formula: s.formula} for s in c.summaries])


def runs_frame(c: Comparison, lang: str = "en") -> pd.DataFrame:
    """Every single run: cell, seed, time, epochs, cache, metrics."""

    def col(key: str) -> str:
        return text("compare", f"col_{key}", lang)

    rows = [{col("model"): CELL_LABELS[r.cell], col("seed"): r.seed, col("seconds"): round(r.train_seconds, 2),
             col("epochs"): r.epochs_run, col("cached"): r.cached,
             **{col(m): round(r.metrics[m], METRIC_DIGITS[m] + 1) for m in c.config.metrics}} for r in c.runs]  # fmt: skip
    return pd.DataFrame(rows)


def baseline_frame(c: Comparison, lang: str = "en") -> pd.DataFrame:
    """The baselines' metrics on the same days (price only), headers and names in `lang`."""
    keep = ("rmse", "mae", "theil_u", "direction_accuracy")
    frame = pd.DataFrame({n: {k: m[k] for k in keep} for n, m in c.baseline_metrics.items()}).T
    frame.index = [text("forecast", f"short_{n}", lang) for n in frame.index]
    frame.columns = [text("compare", f"col_{k}", lang) for k in keep]
    return frame.round(3)
