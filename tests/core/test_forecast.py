"""The forecast pipeline: same scored days for every mode and baseline, honest default, cache."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from core import jobs
from core.errors import AppError, ErrorKind
from core.forecast import (
    FUTURE_DAYS,
    Codec,
    ForecastConfig,
    build_model,
    forecast_future,
    forecast_table,
    prepare,
    run_forecast,
)
from core.prices import PriceData, read_prices
from core.training import RESULTS

TINY = dict(window=10, test_size=100, eval_after=20, epochs=3, units=8, batch_size=64)


@pytest.fixture(scope="module")
def small(course_csv) -> PriceData:
    """The last 450 rows of the course file (a few hundred rows keep training to seconds)."""
    data = read_prices(course_csv)
    return PriceData(data.frame.iloc[-450:].copy(), data.report, "test: last 450 rows")


def with_test_rows_changed(data: PriceData, factor: float) -> PriceData:
    frame = data.frame.copy()
    wobble = factor + 0.05 * np.sin(np.arange(100))[:, None]  # a different change every day
    frame.iloc[-100:] = frame.iloc[-100:].to_numpy() * wobble
    return PriceData(frame, data.report, "test: changed test rows")


def test_course_settings_are_the_courses():
    c = ForecastConfig.course("gru")
    assert (c.window, c.test_size, c.eval_after, c.epochs, c.batch_size) == (60, 300, 60, 50, 64)
    assert (c.units, c.layers, c.dropout, c.learning_rate, c.target) == ((80, 100), 2, 0.2, 1e-3, "open")


@pytest.mark.parametrize("change", [dict(cell="tcn"), dict(mode="fast"), dict(units=(8, 8)), dict(dropout=1.0)])
def test_config_rejects_bad_values(change):
    with pytest.raises(ValueError):
        ForecastConfig(**(dict(cell="lstm") | change))


def test_course_scaler_uses_training_rows_only(small):
    config = ForecastConfig.course("rnn", **TINY)
    codec, arrays, split = prepare(small.frame, config)
    train_open = small.frame["open"].to_numpy()[: split.n_train]
    assert codec.scaling.data_min == (train_open.min(),) and codec.scaling.data_max == (train_open.max(),)
    assert arrays.x_val is arrays.x_eval  # the course validates on the test windows


def test_default_training_arrays_ignore_the_test_rows(small):
    config = ForecastConfig.default("lstm", **TINY)
    codec, arrays, _ = prepare(small.frame, config)
    codec2, arrays2, _ = prepare(with_test_rows_changed(small, 1.3).frame, config)
    assert codec == codec2
    np.testing.assert_array_equal(arrays.x_fit, arrays2.x_fit)
    np.testing.assert_array_equal(arrays.x_val, arrays2.x_val)
    assert not np.allclose(arrays.x_eval, arrays2.x_eval)  # only the scored windows changed
    assert [c for c, _ in codec.columns] == ["open", "high", "low", "close"] and codec.anchor == "close"


def test_zero_initialised_default_model_starts_at_the_previous_close(small):
    config = ForecastConfig.default("gru", **TINY)
    codec, arrays, _ = prepare(small.frame, config)
    model = build_model(config, arrays.x_eval.shape[-1])
    start = codec.decode(model.predict(arrays.x_eval, verbose=0), small.frame, arrays.eval_rows)
    np.testing.assert_allclose(start, small.frame["close"].to_numpy()[arrays.eval_rows - 1])


def test_every_mode_and_baseline_is_scored_on_the_same_days(small):
    course = run_forecast(small, ForecastConfig.course("rnn", **TINY), use_cache=False)
    default = run_forecast(small, ForecastConfig.default("rnn", **TINY), use_cache=False)
    expected = small.frame.index[-80:]
    assert course.eval_dates.equals(expected) and default.eval_dates.equals(expected)
    for result in (course, default):
        assert len(result.predictions) == len(result.actual) == 80
        assert all(len(v) == 80 for v in result.baselines.values())
        np.testing.assert_allclose(result.actual, small.frame["open"].to_numpy()[-80:])
    for name in course.baselines:
        np.testing.assert_array_equal(course.baselines[name], default.baselines[name])
    assert list(course.metrics.index) == ["model", "persistence", "drift", "previous_close"]
    assert course.best_baseline in ("persistence", "drift")  # course inputs do not include the close
    assert default.best_baseline == "previous_close"
    assert course.val_is_test and not default.val_is_test
    assert course.epochs_run == 3 and len(course.history["val_loss"]) == 3


def test_default_weights_do_not_depend_on_test_rows(small):
    config = ForecastConfig.default("lstm", **TINY)
    first = run_forecast(small, config, use_cache=False)
    changed = run_forecast(with_test_rows_changed(small, 1.2), config, use_cache=False)
    for a, b in zip(first.model.get_weights(), changed.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert first.epochs_run == changed.epochs_run
    assert not np.allclose(first.actual, changed.actual)


def test_cache_hit_returns_the_same_numbers_without_training(small):
    config = ForecastConfig.default("rnn", **TINY | dict(seed=11))
    first = run_forecast(small, config)
    started = jobs.trainings_started
    again = run_forecast(small, config)
    assert (first.cached, again.cached, jobs.trainings_started) == (False, True, started)
    pd.testing.assert_frame_equal(first.metrics, again.metrics)
    RESULTS.clear_memory()  # a restart: the result comes back from disk
    loaded = run_forecast(small, config)
    assert loaded.cached and jobs.trainings_started == started and loaded.config == config
    pd.testing.assert_frame_equal(first.metrics, loaded.metrics)
    np.testing.assert_allclose(first.predictions, loaded.predictions)
    assert loaded.eval_dates.equals(first.eval_dates) and loaded.codec == first.codec
    np.testing.assert_allclose(forecast_future(loaded, 3).to_numpy(), forecast_future(first, 3).to_numpy(), rtol=1e-6)
    assert "model" not in loaded.trained.__dict__  # a disk hit reads no model until one is asked for
    assert (loaded.summary_text, loaded.weights_text, loaded.keras_bytes) == (
        first.summary_text,
        first.weights_text,
        first.keras_bytes,
    )
    assert loaded.layer_counts == first.layer_counts and loaded.future.equals(first.future)
    x = np.linspace(-1, 1, int(np.prod(first.model.input_shape[1:]))).reshape((1, *first.model.input_shape[1:]))
    np.testing.assert_allclose(loaded.model.predict(x, verbose=0), first.model.predict(x, verbose=0), rtol=1e-6)


def test_future_forecast_covers_the_next_business_days(small):
    result = run_forecast(small, ForecastConfig.default("rnn", **TINY), use_cache=False)
    future = forecast_future(result, 5)
    assert len(future) == 5 and future.index[0] > small.frame.index[-1]
    assert all(d.weekday() < 5 for d in future.index)
    last_close = small.frame["close"].iloc[-1]
    assert np.all(np.abs(future.to_numpy() / last_close - 1) < 0.2)
    # the page reads the path computed with the training; running the model again gives the same days
    longer = forecast_future(result, FUTURE_DAYS + 2)
    np.testing.assert_allclose(future.to_numpy(), longer.to_numpy()[:5], rtol=1e-6)
    np.testing.assert_allclose(result.future.to_numpy(), longer.to_numpy()[:FUTURE_DAYS], rtol=1e-6)


def test_table_names_the_model_and_every_baseline(small):
    result = run_forecast(small, ForecastConfig.default("rnn", **TINY), use_cache=False)
    table = forecast_table(result)
    assert list(table.index) == ["SimpleRNN (default)", "persistence (tomorrow = today)",
                                 "drift (today + average step)", "previous close"]  # fmt: skip
    assert table.iloc[0]["rmse"] == pytest.approx(result.metrics.loc["model", "rmse"])


def test_dense_reference_builds_on_the_same_window(small):
    config = ForecastConfig.default("dense", **TINY)
    model = build_model(config, 4)
    assert model.input_shape == (None, 10, 4) and model.output_shape == (None, 1)


def test_too_few_rows_is_a_user_error(small):
    short = PriceData(small.frame.iloc[:120].copy(), small.report, "short")
    with pytest.raises(AppError) as err:
        run_forecast(short, ForecastConfig.default("rnn", **TINY), use_cache=False)
    assert err.value.kind is ErrorKind.TOO_FEW_ROWS


def test_missing_target_is_a_user_error(small):
    config = dataclasses.replace(ForecastConfig.default("rnn", **TINY), target="turnover")
    with pytest.raises(AppError) as err:
        run_forecast(small, config, use_cache=False)
    assert err.value.kind is ErrorKind.NO_PRICE_COLUMN


def test_close_target_uses_persistence_as_its_anchor(small):
    codec = Codec.fit(small.frame, "default", "close", 350)
    assert codec.anchor == "close" and codec.target == "close"


@pytest.mark.parametrize("mode", ["course", "default"])
def test_standalone_script_has_six_steps_and_compiles(mode):
    from core.scripts import standalone_script

    config = ForecastConfig.course("gru") if mode == "course" else ForecastConfig.default("gru")
    code = standalone_script(config)
    steps = ["# 1. import", "# 2. data", "# 3. model", "# 4. compile", "# 5. fit", "# 6. evaluate"]
    positions = [code.index(step) for step in steps]
    assert positions == sorted(positions)
    compile(code, "script.py", "exec")
    assert ("validation_data=(x_eval, y_eval)" in code) == (mode == "course")
    assert ("EarlyStopping" in code) == (mode == "default")


def test_standalone_script_runs_and_scores_the_same_days(small, tmp_path):
    import subprocess
    import sys

    from core.scripts import standalone_script

    small.frame.to_csv(tmp_path / "prices.csv", index_label="date")
    code = standalone_script(ForecastConfig.default("rnn", **TINY | dict(epochs=1)))
    (tmp_path / "script.py").write_text(code)
    run = subprocess.run([sys.executable, "script.py", "prices.csv"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300, env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert "scored days: 2019-12-25 .. 2020-04-24 (80)" in run.stdout
    assert "previous close" in run.stdout and (tmp_path / "forecast_rnn_default.keras").exists()


# ----------------------------------------------------------------------------- the split drawn before training


@pytest.mark.parametrize("mode", ["default", "course"])
def test_split_view_marks_the_rows_the_pipeline_uses(mode):
    from core.datasets import DEFAULT_DATASET, load_dataset
    from core.forecast import _clean_frame, split_view

    data = load_dataset(DEFAULT_DATASET)
    factory = ForecastConfig.default if mode == "default" else ForecastConfig.course
    config = factory("gru", target="open", test_size=250)
    view = split_view(data.frame, config)
    clean = _clean_frame(data.frame, config)
    _, arrays, split = prepare(clean, config)
    assert view.dates.equals(pd.DatetimeIndex(clean.index)) and len(view.values) == len(clean)
    assert view.test_start == clean.index[split.n_train]
    assert view.eval_start == clean.index[arrays.eval_rows[0]] and clean.index.get_loc(view.eval_start) == (
        len(clean) - 250 + 60)  # fmt: skip
    if mode == "default":  # the validation windows predict the last training rows, up to the test rows
        assert clean.index.get_loc(view.test_start) - clean.index.get_loc(view.val_start) == len(arrays.y_val)
    else:  # the course validates on the test windows: no validation rows of its own
        assert view.val_start is None


def test_split_view_of_too_short_data_is_a_user_error():
    from core.datasets import DEFAULT_DATASET, load_dataset
    from core.forecast import split_view

    frame = load_dataset(DEFAULT_DATASET).frame.iloc[:200]
    with pytest.raises(AppError) as raised:
        split_view(frame, ForecastConfig.course("lstm", target="open"))
    assert raised.value.kind is ErrorKind.TOO_FEW_ROWS


def test_split_figure_shades_and_names_each_part():
    from core.datasets import DEFAULT_DATASET, load_dataset
    from core.figures.forecast import split_figure
    from core.forecast import split_view

    view = split_view(load_dataset(DEFAULT_DATASET).frame, ForecastConfig.default("lstm", target="open"))
    fig = split_figure(view, labels={"series": "open", "validation": "V", "test": "T", "scored": "S"})
    names = [trace.name for trace in fig.data]
    assert names == ["V", "T", "S", "open"]  # shaded parts first, the series drawn over them
    scored = fig.data[2]
    assert (min(scored.x), max(scored.x)) == (view.eval_start, view.dates[-1]) and scored.fill == "toself"
    assert fig.layout.yaxis.range[0] < view.values.min() and fig.layout.yaxis.range[1] > view.values.max()


def test_shrink_is_checked_on_two_validation_folds():
    from core.forecast import cross_fitted_factor

    rng = np.random.default_rng(0)
    signal = rng.normal(size=400)
    y = 0.5 * signal + 0.1 * rng.normal(size=400)  # a real, lasting gain: kept, scaled near 0.5
    assert cross_fitted_factor(signal, y) == pytest.approx(0.5, abs=0.05)
    drifting = np.concatenate([y[:200], -y[200:]])  # the first half's gain turns into a loss: baseline
    assert cross_fitted_factor(signal, drifting) == 0.0
    assert cross_fitted_factor(np.zeros(400), y) == 0.0  # nothing learned
