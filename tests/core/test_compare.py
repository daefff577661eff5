"""Architecture comparison: aggregation over seeds, parameter formulas, noise-aware sentences,
batch progress, figures, and small real comparisons that go through the shared caches."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from core.compare import (
    BatchProgress,
    CompareConfig,
    Comparison,
    ModelRun,
    decimals_for,
    epochs_to_full_accuracy,
    mean_std,
    run_comparison,
    sentences,
    summarize,
    training_plan,
    verdicts,
)
from core.figures.compare import loss_figure, metric_bars_figure, predictions_figure
from core.progress import EpochInfo


def run(cell: str, seed: int, rmse: float, seconds: float = 1.0, params: int = 10, cached: bool = False) -> ModelRun:
    return ModelRun(cell, seed, {"rmse": rmse, "mae": rmse / 2}, {"loss": [1.0, 0.5]}, seconds, 2, cached, params, "f")


# ---------------------------------------------------------------- aggregation


def test_mean_std_is_the_sample_standard_deviation():
    mean, std = mean_std([2.0, 4.0, 9.0])
    assert mean == pytest.approx(5.0)
    # ((2-5)^2 + (4-5)^2 + (9-5)^2) / (3 - 1) = 26 / 2 = 13
    assert std == pytest.approx(math.sqrt(13.0))


def test_mean_std_of_one_value_and_of_missing_values():
    assert mean_std([3.5]) == (3.5, 0.0)
    assert mean_std([1.0, math.nan, 3.0]) == (2.0, pytest.approx(math.sqrt(2.0)))
    mean, std = mean_std([math.nan, math.nan])
    assert math.isnan(mean) and math.isnan(std)


def test_summarize_groups_runs_by_cell_over_seeds():
    runs = [run("rnn", 7, 10.0, 2.0), run("lstm", 7, 20.0, 5.0), run("rnn", 8, 14.0, 3.0), run("lstm", 8, 20.0, 4.0)]
    rnn, lstm = summarize(runs, ["rmse", "mae"])
    assert (rnn.cell, lstm.cell) == ("rnn", "lstm")
    assert rnn.stats["rmse"] == (12.0, pytest.approx(math.sqrt(8.0)))  # (4 + 4) / 1
    assert rnn.stats["mae"] == (6.0, pytest.approx(math.sqrt(2.0)))
    assert lstm.stats["rmse"] == (20.0, 0.0)
    assert rnn.train_seconds_total == 5.0 and lstm.train_seconds_total == 9.0
    assert [r.seed for r in rnn.runs] == [7, 8]


def test_decimals_show_the_smallest_spread():
    assert decimals_for([0.0408, 0.0029, 0.0331], floor=2) == 4  # 11.9162 ± 0.0029, not 11.9 ± 0
    assert decimals_for([0.0, 0.0], floor=2) == 2
    assert decimals_for([0.2], floor=2) == 2 and decimals_for([5.3], floor=0) == 1


def test_epochs_to_full_accuracy():
    assert epochs_to_full_accuracy([0.2, 0.8, 1.0, 1.0]) == 3.0
    assert math.isnan(epochs_to_full_accuracy([0.2, 0.8, 0.8]))


# ---------------------------------------------------------------- noise-aware sentences


def comparison_of(values: dict[str, list[float]], params: dict[str, int] | None = None) -> Comparison:
    runs = [
        run(cell, 7 + k, v, params=(params or {}).get(cell, 10))
        for cell, vs in values.items()
        for k, v in enumerate(vs)
    ]
    config = CompareConfig(cells=tuple(values), seeds=len(next(iter(values.values()))))
    return Comparison(config, runs, summarize(runs, list(config.metrics)), 0.0)


def test_verdict_is_a_tie_when_the_difference_is_within_the_spread():
    c = comparison_of({"lstm": [10.0, 12.0, 14.0], "gru": [11.0, 12.5, 14.0], "rnn": [30.0, 31.0, 32.0]})
    (first, second) = verdicts(c.summaries, "rmse", lower_is_better=True)
    assert (first.better, first.worse, first.kind) == ("lstm", "gru", "tie")
    assert first.difference == pytest.approx(0.5) and first.spread == pytest.approx(2.0)
    assert (second.better, second.worse, second.kind) == ("gru", "rnn", "clear")
    text = " ".join(sentences(c))
    assert "LSTM and GRU differ by less than their spread across seeds" in text
    assert "GRU is ahead of SimpleRNN by more than their spread" in text


def test_one_seed_gives_no_verdict_on_noise():
    c = comparison_of({"lstm": [10.0], "gru": [11.0]})
    (v,) = verdicts(c.summaries, "rmse", lower_is_better=True)
    assert v.kind == "one_seed"
    assert "seed luck" in " ".join(sentences(c))


def test_higher_is_better_ranking_and_cost_sentence():
    c = comparison_of({"rnn": [1.0, 1.0], "lstm": [3.0, 3.0]}, params={"rnn": 10, "lstm": 40})
    (v,) = verdicts(c.summaries, "rmse", lower_is_better=False)
    assert (v.better, v.worse) == ("lstm", "rnn")
    text = " ".join(sentences(c))  # lower RMSE is better: SimpleRNN wins and is the smallest
    assert text.startswith("Ranked by RMSE (mean ± std over 2 seed(s)): SimpleRNN 1.00 ± 0.00 · LSTM 3.00 ± 0.00.")
    assert "SimpleRNN is both the best and the smallest model here." in text


def test_baseline_sentences():
    c = comparison_of({"lstm": [10.0, 10.0], "gru": [20.0, 20.0], "dense": [12.03, 12.03]})
    c.best_baseline = "previous_close"
    c.baseline_metrics = {"previous_close": {"rmse": 12.0}}
    text = " ".join(sentences(c))
    assert "LSTM beats the best baseline, previous close (RMSE 12), by 17% on average." in text
    assert "GRU lose to the best baseline" in text
    assert "Dense match the best baseline" in text
    assert "先" in " ".join(sentences(c, lang="zh")) or "基线" in " ".join(sentences(c, lang="zh"))


# ---------------------------------------------------------------- configuration and progress


def test_config_validation_and_defaults():
    assert CompareConfig().cells == ("rnn", "lstm", "gru", "dense")
    assert CompareConfig(task="letters").cells == ("rnn", "lstm", "gru")
    assert CompareConfig().seeds == 3
    for bad in ({"task": "poems"}, {"seeds": 0}, {"mode": "fast"}, {"epochs": 0}, {"cells": ()},
                {"task": "letters", "cells": ("dense",)}, {"letter_task": "L9"}, {"cells": ("rnn", "rnn")}):  # fmt: skip
        with pytest.raises(ValueError):
            CompareConfig(**bad)
    assert hash(CompareConfig()) == hash(CompareConfig())  # usable as a cache key


def test_training_plan_is_seed_major():
    plan = training_plan(CompareConfig(cells=("rnn", "gru"), seeds=2), [7, 8])
    assert plan == [("rnn", 7), ("gru", 7), ("rnn", 8), ("gru", 8)]


def test_batch_progress_stage_and_time_left():
    seen: list[EpochInfo] = []
    plan = [("rnn", 7), ("lstm", 7), ("rnn", 8), ("lstm", 8)]
    progress = BatchProgress(seen.append, plan)
    progress.model_reporter(0)(EpochInfo(1, 4, 2.0, {"loss": 1.0}))  # 2 s per epoch: 6 s left, model 8 s
    assert seen[-1].stage == "model 1 of 4 (SimpleRNN, seed 7) · about 30 s left in all"  # 6 + 3 x 8
    progress.finished(run("rnn", 7, 1.0, seconds=8.0))
    progress.model_reporter(1)(EpochInfo(2, 4, 10.0, {"loss": 1.0}))  # LSTM 5 s per epoch: 10 s left
    assert seen[-1].stage == "model 2 of 4 (LSTM, seed 7) · about 38 s left in all"  # 10 + rnn 8 + lstm 20
    assert (seen[-1].epoch, seen[-1].epochs) == (2, 4)
    progress.model_reporter(2)
    progress.finished(run("rnn", 8, 1.0, cached=True))  # a cached model still reports once
    assert "from the cache" in seen[-1].stage and seen[-1].fraction == 1.0


# ---------------------------------------------------------------- figures on synthetic data


def test_figures_on_synthetic_inputs():
    dates = pd.bdate_range("2024-01-01", periods=5)
    actual = np.arange(5.0)
    preds = {"lstm": np.vstack([actual + 1, actual + 3]), "gru": actual + 0.5}
    fig = predictions_figure(dates, actual, preds, {"persistence": actual - 1})
    names = [t.name for t in fig.data if t.showlegend is not False]
    assert names == ["persistence", "LSTM", "real", "GRU"]  # one panel per model; each kind of line listed once
    assert [a.text for a in fig.layout.annotations] == ["LSTM", "GRU"]  # the panels' titles
    lstm_mean = next(t for t in fig.data if t.name == "LSTM")
    assert list(lstm_mean.y) == [2.0, 3.0, 4.0, 5.0, 6.0]  # mean of the two seeds
    band = [t for t in fig.data if t.fill == "tonexty"]
    assert len(band) == 1 and list(band[0].y) == list(actual + 1)  # the lower edge: the lowest seed

    loss = loss_figure({"rnn": [{"loss": [1, 0.5], "val_loss": [1.2, 0.7]}, {"loss": [0.9, 0.4]}]})
    assert len(loss.data) == 3 and loss.layout.yaxis.type == "log"
    assert [t.line.dash for t in loss.data] == ["solid", "dot", "solid"]

    bars = metric_bars_figure(
        {"rmse": {"rnn": (2.0, 0.5), "gru": (1.0, 0.1)}, "mae": {"rnn": (1.0, 0.2), "gru": (0.5, 0.0)}}
    )
    assert len(bars.data) == 2
    assert list(bars.data[0].y) == [2.0, 1.0] and list(bars.data[0].error_y.array) == [0.5, 0.1]
    assert [a.text for a in bars.layout.annotations] == ["rmse", "mae"]
    assert list(bars.data[0].text) == ["2", "1"]
    with_line = metric_bars_figure({"rmse": {"rnn": (2.0, 0.5)}}, references={"rmse": (1.5, "previous close")})
    assert [s.y0 for s in with_line.layout.shapes] == [1.5]
    assert "previous close" in [a.text for a in with_line.layout.annotations]


# ---------------------------------------------------------------- small real comparisons (tiny, few epochs)


def synthetic_prices(n: int = 420):
    from core.prices import read_prices

    rng = np.random.default_rng(3)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    opn = close * (1 + rng.normal(0, 0.002, n))
    frame = pd.DataFrame({"date": pd.bdate_range("2020-01-01", periods=n).strftime("%Y-%m-%d"), "open": opn,
                          "high": np.maximum(opn, close) * 1.01, "low": np.minimum(opn, close) * 0.99, "close": close})  # fmt: skip
    return read_prices(frame.to_csv(index=False).encode(), name="synthetic")


def test_price_comparison_reuses_a_model_trained_elsewhere(isolated_cache):
    from core.forecast import ForecastConfig, run_forecast

    data = synthetic_prices()
    elsewhere = run_forecast(data, ForecastConfig.default("gru", epochs=1))  # e.g. the forecasting page
    assert not elsewhere.cached
    seen: list[EpochInfo] = []
    c = run_comparison(CompareConfig(cells=("gru", "dense"), seeds=1, epochs=1), data, report=seen.append)
    gru, dense = c.summary("gru"), c.summary("dense")
    assert gru.runs[0].cached and not dense.runs[0].cached
    assert (c.trained, c.cached) == (1, 1)
    assert gru.mean("rmse") == pytest.approx(float(elsewhere.metrics.loc["model", "rmse"]))
    assert gru.params == elsewhere.model.count_params() == 3 * (32 * (4 + 32) + 2 * 32) + 33
    assert dense.params == (20 * 4) * 32 + 32 + 33  # Flatten(window 20 x 4 columns) -> Dense(32) -> Dense(1)
    assert c.predictions_by_cell()["dense"].shape == (1, len(c.actual)) == (1, 240)
    assert c.best_baseline in c.baselines and set(c.baselines) >= {"persistence", "drift"}
    best_rmse = c.baseline_metrics[c.best_baseline]["rmse"]
    assert c.references()["rmse"] == (best_rmse, c.best_baseline)  # the figure labels it in the page language
    assert c.references()["rmse_vs_best"][0] == pytest.approx(1.0)
    assert [i.stage.split(" (")[0] for i in seen] == ["model 1 of 2", "model 2 of 2"]


def test_letter_comparison_reports_accuracy_and_epochs_to_100(isolated_cache):
    c = run_comparison(CompareConfig(task="letters", letter_task="L1", cells=("rnn", "gru"), seeds=2, epochs=40))
    assert [s.cell for s in c.summaries] == ["rnn", "gru"]
    for s in c.summaries:
        assert [r.seed for r in s.runs] == [7, 8]
        accs = [r.metrics["accuracy"] for r in s.runs]
        assert s.stats["accuracy"] == (pytest.approx(np.mean(accs)), pytest.approx(np.std(accs, ddof=1)))
        for r in s.runs:
            assert r.epochs_run == 40 and r.metrics["final_loss"] == r.history["loss"][-1]
            expected = epochs_to_full_accuracy(r.history["accuracy"])
            assert r.metrics["epochs_to_100"] == pytest.approx(expected, nan_ok=True)
    assert c.summary("rnn").params == 3 * (5 + 3) + 3 + 3 * 5 + 5  # SimpleRNN(3) + Dense(5) on one-hot 5
    again = run_comparison(CompareConfig(task="letters", letter_task="L1", cells=("rnn", "gru"), seeds=2, epochs=40))
    assert again.cached == 4 and again.trained == 0
