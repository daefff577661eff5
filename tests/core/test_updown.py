"""Up/down classification: windows, split, train-only scaling, baselines, skill bound, article slips."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from core.datasets import load_dataset
from core.errors import AppError, ErrorKind
from core.updown import (
    ARTICLE_SLIP_KEYS,
    UpDownConfig,
    article_parameter_counts,
    article_slips,
    baseline_scores,
    build_updown_model,
    classifier_score,
    log_returns,
    prepare_updown,
    score_updown,
    skill_bound,
    skill_sentence,
    skill_verdict,
    split_points,
    updown_windows,
)


def pct(x: float) -> float:
    return round(100 * x, 1)


def baseline_percentages(name: str, config: UpDownConfig) -> tuple[int, tuple[float, float, float]]:
    prepared = prepare_updown(config, load_dataset(name))
    b = baseline_scores(prepared)
    return prepared.n_test, (pct(b["always_up"].accuracy), pct(b["yesterday"].accuracy), pct(b["logistic"].accuracy))


# The issue's figures (1,004 test days) come from 10 returns per window and a logistic regression
# fitted on the first 80% (training + validation rows); see the module docstring.
ISSUE = UpDownConfig(window=10, logistic_rows="train+validation")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("SP500", (52.3, 46.5, 52.2)), ("NASDAQ", (55.1, 48.3, 54.8))],
)
def test_issue_baseline_figures_reproduce(name, expected):
    n_test, figures = baseline_percentages(name, ISSUE)
    assert n_test == 1004
    assert figures == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("SP500", (52.3, 46.5, 53.7)), ("NASDAQ", (55.1, 48.3, 55.1))],
)
def test_stated_definitions_window_20_logistic_on_training_rows(name, expected):
    n_test, figures = baseline_percentages(name, UpDownConfig())
    assert n_test == 1002  # 5,031 closes -> 5,030 returns -> 5,010 windows of 20; the last 20%
    assert figures == expected


def test_skill_bound_for_sp500_is_54_9_percent():
    prepared = prepare_updown(ISSUE, load_dataset("SP500"))
    p0 = baseline_scores(prepared)["always_up"].accuracy
    assert p0 == pytest.approx(525 / 1004)
    assert pct(skill_bound(p0, 1004)) == 54.9
    assert skill_bound(p0, 1004) == pytest.approx(p0 + 1.645 * math.sqrt(p0 * (1 - p0) / 1004))
    assert not skill_verdict(551 / 1004, p0, 1004).has_skill  # 54.88% < 54.884%
    assert skill_verdict(552 / 1004, p0, 1004).has_skill  # one more right day: 54.98%


def test_skill_verdict_and_sentences():
    assert skill_bound(0.5, 100) == pytest.approx(0.58225)
    no, yes = skill_verdict(0.58, 0.5, 100), skill_verdict(0.59, 0.5, 100)
    assert (no.has_skill, yes.has_skill) == (False, True)
    assert skill_verdict(0.58225, 0.5, 100).has_skill is False  # equal to the bound is not above it
    assert skill_sentence(no) == (
        "Right on 58.0% of 100 test days, not above 58.2%, the one-sided 95% bound over always-up (50.0%): "
        "the model shows no skill."
    )
    assert "显示出预测能力" in skill_sentence(yes, "zh") and "没有" not in skill_sentence(yes, "zh")
    with pytest.raises(ValueError):
        skill_bound(0.5, 0)
    with pytest.raises(ValueError):
        skill_bound(1.5, 10)


def test_windows_labels_and_split():
    r = np.array([0.1, -0.2, 0.0, 0.3, -0.1, 0.2])
    x, y = updown_windows(r, 2)
    assert x.tolist() == [[0.1, -0.2], [-0.2, 0.0], [0.0, 0.3], [0.3, -0.1]]
    assert y.tolist() == [0, 1, 0, 1]  # label = next return > 0; the flat day (0.0) is down
    assert log_returns([1.0, np.e, 1.0]).tolist() == pytest.approx([1.0, -1.0])
    assert split_points(5010, 0.6, 0.2) == (3006, 4008)
    assert split_points(5020, 0.6, 0.2) == (3012, 4016)


def test_prepare_scales_with_training_rows_only_and_aligns_dates():
    data = load_dataset("SP500")
    config = UpDownConfig()
    p = prepare_updown(config, data)
    assert p.x_fit.shape == (3006, 20, 1) and p.x_val.shape == (1002, 20, 1) and p.x_test.shape == (1002, 20, 1)
    assert p.x_fit.dtype == np.float32 and set(np.unique(p.y_fit)) == {0.0, 1.0}
    returns = log_returns(data.frame["close"].to_numpy())
    train = returns[: 3006 + 20]
    assert (p.mean, p.std) == pytest.approx((train.mean(), train.std()))
    assert p.test_dates[-1] == np.datetime64("2018-12-31") and len(p.test_dates) == p.n_test
    # the last test sample: inputs are the 20 returns before the final day's, its label is the final move
    assert p.last_return_test[-1] == pytest.approx(returns[-2])
    assert p.y_test[-1] == float(returns[-1] > 0)
    # changing every test price changes nothing the model or the scaler learns from
    frame = data.frame.copy()
    frame.iloc[-900:, frame.columns.get_loc("close")] *= 3.0
    q = prepare_updown(config, frame)
    assert (q.mean, q.std) == (p.mean, p.std)
    np.testing.assert_array_equal(q.x_fit, p.x_fit)
    np.testing.assert_array_equal(q.y_fit, p.y_fit)


def test_bad_data_gets_a_sentence():
    data = load_dataset("SP500")
    with pytest.raises(AppError) as err:
        prepare_updown(UpDownConfig(column="price"), data)
    assert err.value.kind is ErrorKind.BAD_INPUT and "close" in str(err.value)
    frame = data.frame.copy()
    frame.iloc[5, frame.columns.get_loc("close")] = -1.0
    with pytest.raises(AppError) as err:
        prepare_updown(UpDownConfig(), frame)
    assert err.value.kind is ErrorKind.BAD_INPUT
    short = pd.DataFrame({"close": np.linspace(10, 20, 80)}, index=pd.date_range("2020-01-01", periods=80))
    with pytest.raises(AppError) as err:
        prepare_updown(UpDownConfig(), short)
    assert err.value.kind is ErrorKind.TOO_FEW_ROWS and "at least 20 samples" in str(err.value)
    tiny = pd.DataFrame({"close": [1.0, 2.0]}, index=pd.date_range("2020-01-01", periods=2))
    with pytest.raises(AppError):
        prepare_updown(UpDownConfig(), tiny)


def test_config_validation():
    assert UpDownConfig() == UpDownConfig() and hash(UpDownConfig()) == hash(UpDownConfig())
    with pytest.raises(ValueError, match="Unknown cell 'transformer'"):
        UpDownConfig(cell="transformer")
    with pytest.raises(ValueError, match="train, train\\+validation"):
        UpDownConfig(logistic_rows="all")
    for bad in (dict(window=0), dict(dropout=1.0), dict(train_fraction=0.7, validation_fraction=0.3), dict(units=0)):
        with pytest.raises(ValueError):
            UpDownConfig(**bad)


def test_classifier_score_counts():
    y = np.array([0, 0, 1, 1, 1])
    s = classifier_score("m", y, np.array([0.2, 0.7, 0.9, 0.4, 0.6]))
    assert s.confusion == ((1, 1), (1, 2))  # rows actual down/up, columns predicted down/up
    assert s.accuracy == pytest.approx(3 / 5)
    assert s.balanced_accuracy == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert s.auc == pytest.approx(4 / 6)  # 4 of the 6 (up, down) pairs are ordered right
    constant = classifier_score("always_up", y, np.ones(5))
    assert (constant.accuracy, constant.balanced_accuracy, constant.auc) == (0.6, 0.5, 0.5)
    assert math.isnan(classifier_score("one class", np.ones(3), np.ones(3)).auc)


def test_score_updown_puts_the_model_beside_the_baselines():
    p = prepare_updown(UpDownConfig(), load_dataset("NASDAQ"))
    perfect = score_updown(p.y_test.reshape(-1, 1), p)
    assert (perfect.model.accuracy, perfect.model.auc, perfect.skill.has_skill) == (1.0, 1.0, True)
    assert set(perfect.baselines) == {"always_up", "yesterday", "logistic"}
    up = score_updown(np.full(p.n_test, 0.9), p)
    assert up.model.accuracy == up.baselines["always_up"].accuracy and not up.skill.has_skill
    assert up.n_test == up.skill.n == 1002
    with pytest.raises(ValueError, match="one probability per test row"):
        score_updown(np.ones(5), p)


def test_model_is_compiled_with_the_issue_layers():
    config = UpDownConfig()
    model = build_updown_model(config, (20, 1))
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "LSTM", "Dropout", "Dense"]
    assert model.count_params() == 4 * 32 * (1 + 32 + 1) + 33
    assert model.layers[2].rate == 0.2 and model.layers[3].activation.__name__ == "sigmoid"
    assert model.loss == "binary_crossentropy" and model.optimizer is not None
    assert model.output_shape == (None, 1)
    gru = build_updown_model(UpDownConfig(cell="gru", units=8), (20, 1))
    assert gru.count_params() == 3 * 8 * (1 + 8 + 2) + 9


def test_article_parameter_count_against_formula_and_keras():
    import keras

    c = article_parameter_counts()
    assert (c.printed_lstm, c.formula_lstm, c.formula_total, c.printed_total) == (41_792, 17_152, 17_217, 41_857)
    assert c.formula_text == "4·64·(2+64+1)" and not c.possible_for_some_features
    lstm = keras.layers.LSTM(64)
    lstm(keras.Input((10, 2)))
    assert lstm.count_params() == c.formula_lstm


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_article_slips_as_data(lang):
    slips = article_slips(lang)
    assert tuple(s.key for s in slips) == ARTICLE_SLIP_KEYS
    assert all(s.article and s.fact and "{" not in s.article + s.fact for s in slips)
    count = next(s for s in slips if s.key == "parameter_count")
    assert "41,792" in count.article and "17,152" in count.fact


def test_importing_the_module_stays_free_of_tensorflow_and_sklearn():
    code = (
        "import sys, core.updown; print('tensorflow' in sys.modules, 'keras' in sys.modules, 'sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False", "False"]
