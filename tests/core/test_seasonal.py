"""Seasonal series: the airline data, season lengths, splits, baselines (the issue's figures), both pipelines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.errors import AppError, ErrorKind
from core.seasonal import (
    AIRLINE_PASSENGERS,
    CourseCodec,
    SeasonalConfig,
    airline_series,
    build_seasonal_model,
    infer_season,
    n_test_points,
    prepare_seasonal,
    recursive_forecast,
    scaling_leak,
    score_seasonal,
    season_positions,
    shape_table,
    verdict,
)
from core.seasonal_baselines import (
    BASELINES,
    baseline_forecast,
    holt_winters,
    log_drift,
    seasonal_baselines,
)

AIR = airline_series().to_numpy()


def rmse(predicted: np.ndarray, start: int) -> float:
    return float(np.sqrt(np.mean((np.asarray(predicted) - AIR[start:]) ** 2)))


def zero_output(x: np.ndarray) -> np.ndarray:
    """A stand-in for a model whose zero-initialised output layer has not moved."""
    return np.zeros((len(x), 1))


# ---------------------------------------------------------------------------------------------
# Data and season length


def test_airline_series_holds_the_144_public_monthly_totals():
    series = airline_series()
    assert len(AIRLINE_PASSENGERS) == len(series) == 144
    assert series.sum() == 40363  # mean 280.30, the published series
    assert series.index[0] == pd.Timestamp("1949-01-01") and series.index[-1] == pd.Timestamp("1960-12-01")
    assert series.iloc[:5].tolist() == [112, 118, 132, 129, 121]  # the notes' first rows
    assert series.iloc[-5:].tolist() == [606, 508, 461, 390, 432]  # and their last rows
    assert series.max() == 622 and series.idxmax() == pd.Timestamp("1960-07-01")


@pytest.mark.parametrize(
    ("freq", "season"), [("MS", 12), ("ME", 12), ("QS", 4), ("QE", 4), ("W-SUN", 52), ("B", 5), ("D", 7)]
)
def test_season_length_is_read_from_regular_dates(freq, season):
    assert infer_season(pd.date_range("2001-01-01", periods=40, freq=freq)) == season


def test_trading_days_with_holidays_count_as_business_daily():
    days = pd.bdate_range("2020-01-01", periods=60).delete([5, 17, 30])  # three holidays
    assert infer_season(days) == 5


@pytest.mark.parametrize(
    "dates",
    [
        pd.DatetimeIndex(["2001-01-01", "2001-02-01", "2001-04-01", "2001-05-01"]),  # a missing month
        pd.DatetimeIndex(["2001-01-01", "2001-01-03", "2001-01-10", "2001-01-11"]),  # ragged days
        pd.DatetimeIndex(["2001-01-01", "2001-01-01", "2001-01-02", "2001-01-03"]),  # a repeat
    ],
)
def test_irregular_dates_get_a_sentence(dates):
    with pytest.raises(AppError) as err:
        infer_season(dates)
    assert err.value.kind == ErrorKind.BAD_INPUT
    assert err.value.sentence.endswith(".")


def test_yearly_values_have_no_season():
    with pytest.raises(AppError, match="Yearly"):
        infer_season(pd.date_range("1990-01-01", periods=30, freq="YS"))


def test_season_positions_follow_the_calendar():
    assert season_positions(airline_series().index, 12)[:14].tolist() == [*range(12), 0, 1]
    quarters = pd.date_range("2001-04-01", periods=5, freq="QS")
    assert season_positions(quarters, 4).tolist() == [1, 2, 3, 0, 1]
    days = pd.date_range("2024-01-01", periods=8, freq="D")  # a Monday
    assert season_positions(days, 7).tolist() == [0, 1, 2, 3, 4, 5, 6, 0]
    assert season_positions(airline_series().index, 6)[:8].tolist() == [0, 1, 2, 3, 4, 5, 0, 1]  # set by hand


# ---------------------------------------------------------------------------------------------
# Splits


def test_seed_split_is_the_notes_split():
    assert n_test_points("seed", 144) == 29  # 141 targets, int(0.8 * 141) = 112 train
    prepared = prepare_seasonal(SeasonalConfig.course(), airline_series())
    assert prepared.test_start == 115
    assert len(prepared.fit_targets) == 112
    assert prepared.dates[prepared.fit_targets.start] == pd.Timestamp("1949-04-01")
    assert prepared.dates[prepared.fit_targets.stop - 1] == pd.Timestamp("1958-07-01")
    assert prepared.test_dates[0] == pd.Timestamp("1958-08-01") and len(prepared.test_dates) == 29
    assert n_test_points("last12", 144) == 12 and n_test_points("last24", 144) == 24


def test_split_chooses_the_forecast_kind():
    assert SeasonalConfig(split="seed").forecast == "one_step"
    assert SeasonalConfig(split="last12").forecast == "recursive"
    assert SeasonalConfig(split="last12", forecast="one_step").forecast == "one_step"


# ---------------------------------------------------------------------------------------------
# Baselines: the figures, to the printed precision


def test_seed_split_one_step_baselines():
    found = seasonal_baselines(AIR, 115, 12, "one_step")
    assert round(rmse(found["persistence"], 115), 1) == 52.5
    assert round(rmse(found["seasonal_naive"], 115), 2) == 46.08
    assert round(rmse(found["seasonal_naive_growth"], 115), 2) == 19.25
    assert round(rmse(found["sarima"], 115), 1) == 15.9


def test_last_12_months_baselines():
    found = seasonal_baselines(AIR, 132, 12, "recursive")
    assert round(rmse(found["seasonal_naive"], 132), 2) == 50.71
    assert round(rmse(found["seasonal_naive_log_drift"], 132), 2) == 17.62
    assert round(rmse(found["holt_winters"], 132), 1) == 15.8
    assert round(rmse(found["sarima"], 132), 1) == 18.6


def test_last_24_months_baselines():
    found = seasonal_baselines(AIR, 120, 12, "recursive")
    assert round(rmse(found["seasonal_naive"], 120), 1) == 77.0
    assert round(rmse(found["holt_winters"], 120), 1) == 32.5
    assert round(rmse(found["sarima"], 120), 1) == 43.2


def test_log_drift_averages_every_training_year():
    """g = mean of log y[t] - log y[t-12] over all training months (the definition that gives 17.62)."""
    z = np.log(AIR[:132])
    assert log_drift(AIR, 132, 12) == pytest.approx((z[-12:].mean() - z[:12].mean()) * 12 / 120)
    last_season_only = np.mean(z[-12:] - z[-24:-12])
    i = np.arange(12)
    other = np.exp(z[120 + i] + last_season_only)
    assert round(rmse(other, 132), 2) == 16.95  # the other reading of "mean over the last season"


def test_naive_baselines_read_the_right_months():
    t = np.arange(115, 144)
    assert np.array_equal(baseline_forecast("seasonal_naive", AIR, 115, 12, "one_step"), AIR[t - 12])
    growth = baseline_forecast("seasonal_naive_growth", AIR, 115, 12, "one_step")
    assert np.allclose(growth, AIR[t - 12] * AIR[t - 1] / AIR[t - 13])
    recursive = baseline_forecast("seasonal_naive", AIR, 120, 12, "recursive")
    assert np.array_equal(recursive, np.tile(AIR[108:120], 2))  # the last training season, repeated
    assert np.all(baseline_forecast("persistence", AIR, 120, 12, "recursive") == AIR[119])
    with pytest.raises(ValueError, match="one-step"):
        baseline_forecast("seasonal_naive_growth", AIR, 120, 12, "recursive")
    with pytest.raises(ValueError, match="choose one of"):
        baseline_forecast("prophet", AIR, 120, 12, "recursive")


def test_recursive_baselines_read_no_test_month():
    changed = AIR.copy()
    changed[132:] *= 3
    for name in BASELINES["recursive"]:
        assert np.allclose(
            baseline_forecast(name, AIR, 132, 12, "recursive"), baseline_forecast(name, changed, 132, 12, "recursive")
        )


def test_holt_winters_one_step_reuses_the_training_parameters():
    """Over the training months the re-run reproduces the fitted model's own one-step values."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    one_step = holt_winters(AIR, 115, 12, "one_step")
    fit = ExponentialSmoothing(AIR[:115], trend="add", seasonal="mul", seasonal_periods=12).fit()
    assert len(one_step) == 29
    assert round(rmse(one_step, 115), 2) == 19.63
    rerun_first = holt_winters(AIR[:116], 115, 12, "one_step")[0]  # the first test month from the origin
    assert rerun_first == pytest.approx(float(fit.forecast(1)[0]), rel=1e-6)


# ---------------------------------------------------------------------------------------------
# Configuration


def test_config_is_hashable_and_validated():
    config = SeasonalConfig.course()
    assert hash(config) == hash(SeasonalConfig.course())
    assert (config.mode, config.scaling, config.cell) == ("course", "series", "lstm")
    assert (config.units, config.layers, config.lags) == (6, 2, 3)
    assert (config.epochs, config.learning_rate, config.batch_size) == (1000, 0.1, 1)
    with pytest.raises(ValueError, match="rnn, lstm, gru, conv1d"):
        SeasonalConfig(cell="transformer")
    with pytest.raises(ValueError, match="seed, last12, last24"):
        SeasonalConfig(split="last36")
    with pytest.raises(ValueError, match="training values only"):
        SeasonalConfig.default(scaling="series")
    with pytest.raises(ValueError, match="one-step only"):
        SeasonalConfig.default(split="last12", anchor="seasonal_naive_growth")
    with pytest.raises(ValueError, match="season"):
        SeasonalConfig(season=1)


# ---------------------------------------------------------------------------------------------
# Course mode


def test_course_mode_is_one_sequence_scaled_on_the_whole_series():
    prepared = prepare_seasonal(SeasonalConfig.course(), airline_series())
    assert prepared.x_fit.shape == (1, 112, 3) and prepared.y_fit.shape == (1, 112, 1)
    assert prepared.input_shape == (None, 3) and prepared.validation is None
    scaled = (AIR - 104) / (622 - 104)  # the notes: min and max of all 144 months
    assert np.allclose(prepared.x_fit[0, 0], scaled[0:3]) and np.isclose(prepared.y_fit[0, 0, 0], scaled[3])
    assert np.allclose(prepared.x_fit[0, -1], scaled[111:114]) and np.isclose(prepared.y_fit[0, -1, 0], scaled[114])
    assert "622" in scaling_leak(prepared) and "491" in scaling_leak(prepared)


def test_course_mode_with_training_scaling_reads_no_test_month():
    prepared = prepare_seasonal(SeasonalConfig.course(scaling="train"), airline_series())
    assert prepared.codec.scaling.data_max == (491.0,)  # the training maximum (July 1958)
    assert scaling_leak(prepared) is None
    changed = airline_series()
    changed.iloc[115:] *= 5
    other = prepare_seasonal(SeasonalConfig.course(scaling="train"), changed)
    assert np.array_equal(prepared.x_fit, other.x_fit) and np.array_equal(prepared.y_fit, other.y_fit)


def test_course_model_is_the_notes_network():
    config = SeasonalConfig.course()
    model = build_seasonal_model(config, (None, 3))
    assert [layer.__class__.__name__ for layer in model.layers] == ["InputLayer", "LSTM", "LSTM", "Dense"]
    assert model.count_params() == 4 * 6 * (3 + 6 + 1) + 4 * 6 * (6 + 6 + 1) + 7  # 559
    assert model.optimizer.__class__.__name__ == "Adam"
    assert float(model.optimizer.learning_rate) == pytest.approx(0.1)
    sequence = prepare_seasonal(config, airline_series()).codec.inputs(AIR, range(115, 144))
    assert sequence.shape == (1, 141, 3)
    assert model(sequence).shape == (1, 141, 1)  # one prediction per month of the one sequence


def test_course_model_outputs_depend_only_on_earlier_months():
    """Feeding the whole sequence is a one-step forecast: output t never sees inputs after t."""
    model = build_seasonal_model(SeasonalConfig.course(), (None, 3))
    x = np.random.default_rng(0).random((1, 141, 3)).astype("float32")
    later = x.copy()
    later[:, 112:] += 1.0
    assert np.allclose(np.asarray(model(x))[:, :112], np.asarray(model(later))[:, :112], atol=1e-6)


def test_course_scoring_decodes_the_test_steps_of_the_sequence():
    config = SeasonalConfig.course()
    prepared = prepare_seasonal(config, airline_series())
    lo, hi = 104, 622

    def last_lag(x: np.ndarray) -> np.ndarray:  # a "model" that outputs each step's latest lag
        return x[:, :, -1:]

    score = score_seasonal(last_lag, prepared, config)
    assert np.allclose(score.predictions, AIR[114:143])  # = persistence, decoded from the scaled outputs
    assert np.allclose(score.fitted, AIR[2:114]) and score.fitted_dates[0] == pd.Timestamp("1949-04-01")
    assert round(score.rmse, 1) == 52.5 and score.best_naive == "seasonal_naive_growth"
    assert lo == prepared.codec.scaling.data_min[0] and hi == prepared.codec.scaling.data_max[0]


def test_recursive_course_forecast_feeds_its_own_outputs_back():
    codec = CourseCodec(3, prepare_seasonal(SeasonalConfig.course(), airline_series()).codec.scaling)
    forecast = recursive_forecast(lambda x: x[:, :, -1:], codec, AIR[:132], 12)
    assert np.allclose(forecast, AIR[131])  # persistence of its own last output


def test_shape_table_explains_time_major_and_batch_major():
    prepared = prepare_seasonal(SeasonalConfig.course(), airline_series())
    rows = shape_table(prepared)
    assert [r["shape"] for r in rows] == ["(141, 1, 3)", "(1, 141, 3)", "(1, 112, 3)", "(1, 141, 1)", "(141, 1, 3)"]
    assert rows[0]["axes"] == "(time, batch, features)" and rows[1]["axes"] == "(batch, time, features)"
    assert "ONE sequence of 141 steps" in rows[0]["meaning"]
    assert "1949-04 to 1958-07" in rows[2]["meaning"] and "1958-08 to 1960-12" in rows[3]["meaning"]
    chinese = shape_table(prepared, "zh")
    assert chinese[0]["shape"] == "(141, 1, 3)" and "序列" in chinese[0]["meaning"]


# ---------------------------------------------------------------------------------------------
# Default mode


def test_default_mode_windows_and_validation_season():
    config = SeasonalConfig.default()
    prepared = prepare_seasonal(config, airline_series())
    window = prepared.codec.window
    assert prepared.x_fit.shape[1:] == (window, 3) and prepared.y_fit.shape[1] == 1
    assert prepared.x_val.shape == (12, window, 3)  # the last training season validates
    assert prepared.input_shape == (window, 3)
    assert prepared.fit_targets.stop == 115 - 12
    assert not np.isnan(prepared.x_fit).any()
    rows = shape_table(prepared)
    assert "1957-08 to 1958-07" in rows[1]["meaning"]


def test_no_statistic_of_the_test_months_reaches_default_training():
    for split in ("seed", "last12", "last24"):
        config = SeasonalConfig.default(split=split)
        prepared = prepare_seasonal(config, airline_series())
        changed = airline_series()
        changed.iloc[prepared.test_start :] = changed.iloc[prepared.test_start :] * 7 + 100
        other = prepare_seasonal(config, changed)
        for name in ("x_fit", "y_fit", "x_val", "y_val"):
            assert np.array_equal(getattr(prepared, name), getattr(other, name)), (split, name)
        assert (prepared.codec.drift, prepared.codec.scale) == (other.codec.drift, other.codec.scale)


def test_zero_output_is_exactly_the_anchor_baseline():
    """The zero-initialised output layer starts at seasonal naive + log drift (one step and recursive)."""
    recursive = SeasonalConfig.default(split="last12")
    score = score_seasonal(zero_output, prepare_seasonal(recursive, airline_series()), recursive)
    assert np.allclose(score.predictions, score.baselines["seasonal_naive_log_drift"])
    assert round(score.rmse, 2) == 17.62
    one_step = SeasonalConfig.default()
    score = score_seasonal(zero_output, prepare_seasonal(one_step, airline_series()), one_step)
    g = log_drift(AIR, 115, 12)
    assert np.allclose(score.predictions, AIR[103:132] * np.exp(g))
    growth = SeasonalConfig.default(anchor="seasonal_naive_growth")
    score = score_seasonal(zero_output, prepare_seasonal(growth, airline_series()), growth)
    assert np.allclose(score.predictions, score.baselines["seasonal_naive_growth"])
    assert round(score.rmse, 2) == 19.25 and "only matches" in verdict(score)


def test_score_has_every_baseline_on_the_same_points():
    config = SeasonalConfig.default(split="last24")
    score = score_seasonal(zero_output, prepare_seasonal(config, airline_series()), config)
    assert list(score.metrics.index) == ["model", *BASELINES["recursive"]]
    assert len(score.actual) == len(score.predictions) == 24 and score.dates[0] == pd.Timestamp("1959-01-01")
    assert round(float(score.metrics.loc["seasonal_naive", "rmse"]), 1) == 77.0
    assert score.best_naive == "seasonal_naive_log_drift" and {"rmse", "mape"} <= set(score.metrics.columns)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru", "conv1d"])
def test_default_models_start_at_zero(cell):
    config = SeasonalConfig.default(cell=cell, layers=2)
    prepared = prepare_seasonal(config, airline_series())
    model = build_seasonal_model(config, prepared.input_shape)
    out = np.asarray(model(prepared.x_val))
    assert out.shape == (12, 1) and np.all(out == 0)
    assert model.loss == "mse"


def test_other_regular_series_work():
    dates = pd.date_range("2000-01-01", periods=60, freq="QS")
    values = 100 + 10 * np.sin(np.arange(60) * np.pi / 2) + np.arange(60)
    series = pd.Series(values, index=dates)
    for config in (SeasonalConfig.course(), SeasonalConfig.default(split="last12")):
        prepared = prepare_seasonal(config, series)
        assert prepared.season == 4
        score = score_seasonal(zero_output if config.mode == "default" else (lambda x: x[:, :, -1:]), prepared, config)
        assert np.isfinite(score.predictions).all()


# ---------------------------------------------------------------------------------------------
# Bad input


def test_too_short_series_gets_a_sentence():
    short = airline_series().iloc[:20]
    with pytest.raises(AppError) as err:
        prepare_seasonal(SeasonalConfig.course(), short)
    assert err.value.kind == ErrorKind.TOO_FEW_ROWS and "12 points" in err.value.sentence
    with pytest.raises(AppError, match="too few"):
        prepare_seasonal(SeasonalConfig.default(split="last24"), airline_series().iloc[:60])


def test_text_missing_and_negative_values_get_a_sentence():
    index = airline_series().index
    with pytest.raises(AppError) as err:
        prepare_seasonal(SeasonalConfig.course(), pd.Series(["n/a"] * 144, index=index))
    assert err.value.kind == ErrorKind.TEXT_TARGET
    gappy = airline_series()
    gappy.iloc[40] = np.nan
    with pytest.raises(AppError, match="missing"):
        prepare_seasonal(SeasonalConfig.course(), gappy)
    with pytest.raises(AppError, match="positive"):
        prepare_seasonal(SeasonalConfig.course(), airline_series() - 200)


def test_irregular_upload_gets_a_sentence_unless_the_season_is_set():
    series = airline_series().drop(airline_series().index[50])
    with pytest.raises(AppError, match="not evenly spaced"):
        prepare_seasonal(SeasonalConfig.course(), series)
    prepared = prepare_seasonal(SeasonalConfig.course(season=12), series)
    assert prepared.season == 12


def test_importing_and_preparing_stays_free_of_tensorflow_and_statsmodels():
    """A page can prepare arrays and draw the shape table before anything heavy is imported."""
    code = (
        "import sys; from core import seasonal, multistep\n"
        "p = seasonal.prepare_seasonal(seasonal.SeasonalConfig.course(), seasonal.airline_series())\n"
        "seasonal.shape_table(p); multistep.prepare_multistep(multistep.MultistepConfig.airline(), multistep.airline_frame())\n"
        "print(*(name in sys.modules for name in ('tensorflow', 'keras', 'statsmodels')))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False", "False"]
