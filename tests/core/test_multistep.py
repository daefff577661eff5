"""Multi-step encoder-decoder: windows, the purged split, baselines per horizon, the model and its greedy decoding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.errors import AppError, ErrorKind
from core.multistep import (
    MultistepConfig,
    airline_frame,
    build_multistep_model,
    decode_multistep,
    decoder_inputs,
    index_pair,
    make_windows,
    multistep_baselines,
    prepare_multistep,
    rmse_per_horizon,
    score_multistep,
    split_windows,
    window_stats,
)


@pytest.fixture(scope="module")
def pair() -> pd.DataFrame:
    return index_pair()


def tiny_model(config: MultistepConfig, shapes):
    import keras

    keras.utils.set_random_seed(3)
    return build_multistep_model(config, shapes)


def test_the_two_embedded_series(pair):
    assert list(pair.columns) == ["SP500", "NASDAQ"]
    assert len(pair) == 5031 and pair.index[0] == pd.Timestamp("1999-01-04")


def test_split_keeps_a_40_day_gap_before_the_test_windows(pair):
    config = MultistepConfig.course()
    split = split_windows(len(pair), config)
    assert split.n_windows == 4951  # range(len - 2 * 40), as the cookbook
    assert split.test == range(3960, 4951) and len(split.test) == 991  # the last 20% of windows
    last_training_day = split.train[-1] + 80 - 1
    assert split.test.start - last_training_day - 1 == 40  # 40 untouched days between them
    assert split_windows(len(pair), MultistepConfig.course(gap=0)).train[-1] == 3960 - 80


def test_sp500_persistence_per_horizon_is_the_issue_figure(pair):
    """Last 20% of the cookbook's windows on the S&P 500 close: 18.7 / 53.6 / 69.6 / 100.6."""
    config = MultistepConfig.course()
    values = pair.to_numpy(float)
    test = split_windows(len(values), config).test
    _, actual = make_windows(values, test, config)
    rmse = rmse_per_horizon(actual, multistep_baselines(values, test, config)["persistence"])
    assert rmse.shape == (40, 2)
    assert [round(float(rmse[h - 1, 0]), 1) for h in (1, 10, 20, 40)] == [18.7, 53.6, 69.6, 100.6]


def test_baselines_read_only_the_input_part(pair):
    config = MultistepConfig.course()
    values = pair.to_numpy(float)
    starts = range(100, 103)
    found = multistep_baselines(values, starts, config)
    last = values[139]  # window 100's last input day
    assert np.allclose(found["persistence"][0], last)
    step = (last - values[0]) / 139
    assert np.allclose(found["drift"][0, 9], last + 10 * step)  # y_e + h * (y_e - y_0) / e
    assert "seasonal_naive" not in found


def test_seasonal_naive_for_the_airline_variant():
    config = MultistepConfig.airline()
    values = airline_frame().to_numpy(float)
    found = multistep_baselines(values, range(0, 1), config)["seasonal_naive"]
    assert np.array_equal(found[0, :, 0], values[12:24, 0])  # the last input year, repeated


def test_each_window_is_normalised_by_its_input_part():
    config = MultistepConfig.course(n_in=4, n_out=3)
    values = np.arange(20, dtype=float)[:, None] ** 2
    x, y = make_windows(values, range(0, 2), config)
    assert x.shape == (2, 4, 1) and y.shape == (2, 3, 1)
    mean, spread = window_stats(x)
    assert np.allclose(mean[0, 0, 0], np.mean([0, 1, 4, 9]) + 1e-5)
    assert np.allclose(spread[0, 0, 0], 2.5 * (np.std([0, 1, 4, 9]) + 1e-5))
    changed = values.copy()
    changed[4:7] = -1  # window 0's targets
    assert np.array_equal(window_stats(make_windows(changed, range(0, 1), config)[0])[0], mean[:1])


def test_teacher_forcing_feeds_the_previous_target():
    x = np.arange(6, dtype=float).reshape(1, 3, 2)
    y = 10 + np.arange(6, dtype=float).reshape(1, 3, 2)
    fed = decoder_inputs(x, y)
    assert np.array_equal(fed[0, 0], x[0, -1]) and np.array_equal(fed[0, 1:], y[0, :2])


def test_prepare_draws_the_cookbook_iterations(pair):
    config = MultistepConfig.course()
    prepared = prepare_multistep(config, pair)
    encoder, decoder = prepared.x_fit
    assert encoder.shape == decoder.shape == prepared.y_fit.shape == (750, 40, 2)  # 150 iterations x batch 5
    assert prepared.x_test.shape == (991, 40, 2) and config.epochs == 1
    assert prepared.shapes == ((40, 2), (40, 2))
    assert np.array_equal(decoder[:, 1:], prepared.y_fit[:, :-1])
    assert np.allclose(encoder.mean(axis=1), 0, atol=1e-3)  # normalised by their own input part
    again = prepare_multistep(config, pair)
    assert np.array_equal(again.y_fit, prepared.y_fit)  # the draw follows the seed
    assert not np.array_equal(prepare_multistep(MultistepConfig.course(seed=8), pair).y_fit, prepared.y_fit)


def test_no_test_day_reaches_the_training_windows(pair):
    config = MultistepConfig.course()
    prepared = prepare_multistep(config, pair)
    changed = pair.copy()
    changed.iloc[3960 - 40 :] *= 3  # the gap and every test day
    other = prepare_multistep(config, changed)
    assert all(np.array_equal(a, b) for a, b in zip(prepared.x_fit, other.x_fit, strict=True))
    assert np.array_equal(prepared.y_fit, other.y_fit)


def test_training_model_is_the_cookbook_network():
    config = MultistepConfig.course()
    model = tiny_model(config, ((40, 2), (40, 2)))
    names = [layer.name for layer in model.layers if layer.count_params()]
    assert sorted(names) == ["decoder_1", "decoder_2", "encoder_1", "encoder_2", "prediction"]
    # GRU (reset_after): 3U(F + U + 2); second layers read 12 features
    assert model.get_layer("encoder_1").count_params() == 3 * 12 * (2 + 12 + 2)
    assert model.get_layer("decoder_2").count_params() == 3 * 12 * (12 + 12 + 2)
    optimizer = model.optimizer
    assert optimizer.__class__.__name__ == "RMSprop"
    assert float(optimizer.learning_rate) == pytest.approx(0.007)
    assert (optimizer.rho, optimizer.momentum) == (pytest.approx(0.92), pytest.approx(0.5))
    assert model.loss.reduction == "sum"
    assert model.get_layer("encoder_1").kernel_regularizer.l2 == pytest.approx(0.003 / 2)
    x = np.zeros((3, 40, 2), "float32")
    assert model([x, x]).shape == (3, 40, 2)


def test_loss_keeps_the_cookbooks_balance():
    """Keras loss = sum of squared errors / series + (l2 / series) * sum(w**2) = (2 / series) x the cookbook's."""
    import keras

    config = MultistepConfig.course(n_in=3, n_out=2)
    model = tiny_model(config, ((3, 2), (2, 2)))
    x, d = np.ones((4, 3, 2), "float32"), np.ones((4, 2, 2), "float32")
    y = np.zeros((4, 2, 2), "float32")
    predicted = np.asarray(model([x, d]))
    weights = sum(float(np.sum(np.square(w))) for w in model.trainable_weights)
    cookbook = np.sum(predicted**2) / 2 + 0.003 * weights / 2
    ours = float(model.compute_loss(x=[x, d], y=y, y_pred=keras.ops.convert_to_tensor(predicted)))
    n_series = 2
    assert ours == pytest.approx(cookbook * 2 / n_series, rel=1e-4)


@pytest.mark.parametrize("cell", ["gru", "lstm", "rnn"])
def test_greedy_decoding_feeds_its_own_outputs(cell):
    """Fed its own greedy outputs as teacher inputs, the training model gives back exactly those outputs."""
    config = MultistepConfig.airline(cell=cell, units=4)
    prepared = prepare_multistep(config, airline_frame())
    model = tiny_model(config, prepared.shapes)
    before = [w.copy() for w in model.get_weights()]
    x = prepared.x_test[:5]
    decoded = decode_multistep(model, x, config.n_out)
    assert decoded.shape == (5, 12, 1)
    forced = np.asarray(model([x, decoder_inputs(x, decoded)]))
    assert np.allclose(forced, decoded, atol=1e-5)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))  # it only predicts


def test_score_compares_every_horizon_with_the_baselines():
    config = MultistepConfig.airline()
    prepared = prepare_multistep(config, airline_frame())
    assert prepared.split.n_windows == 108 and len(prepared.split.test) == 22
    score = score_multistep(tiny_model(config, prepared.shapes), prepared, config)
    assert set(score.rmse_by_horizon) == {"model", "persistence", "drift", "seasonal_naive"}
    assert score.predictions.shape == score.actual.shape == (22, 12, 1)
    assert score.rmse("seasonal_naive").shape == (12,)
    assert score.forecast_dates[0] == pd.Timestamp("1949-01-01") + pd.DateOffset(months=86 + 24)
    assert np.isfinite(score.rmse()).all()


def test_bad_input_gets_a_sentence(pair):
    with pytest.raises(AppError) as err:
        prepare_multistep(MultistepConfig.course(), pair.iloc[:150])
    assert err.value.kind == ErrorKind.TOO_FEW_ROWS and "at least" in err.value.sentence
    text = pair.copy()
    text["NASDAQ"] = "n/a"
    with pytest.raises(AppError) as err:
        prepare_multistep(MultistepConfig.course(), text)
    assert err.value.kind == ErrorKind.TEXT_TARGET
    with pytest.raises(ValueError, match="rnn, lstm, gru"):
        MultistepConfig(cell="conv1d")
    assert MultistepConfig.course().gap == 40 and hash(MultistepConfig.course()) == hash(MultistepConfig())
