"""Chronological split, train-only min-max scaling and sliding windows."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.preprocessing import MinMaxScaler

from core.windows import MinMaxScaling, chronological_split, make_windows, validation_cut


def test_split_course_settings_give_the_course_rows():
    split = chronological_split(2426, test_size=300, eval_after=60)
    assert (split.n_train, split.n_test, split.eval_start, split.n_eval) == (2126, 300, 2186, 240)


@pytest.mark.parametrize("n, test, skip", [(100, 100, 0), (100, 10, 10), (100, 10, -1)])
def test_split_rejects_impossible_sizes(n, test, skip):
    with pytest.raises(ValueError):
        chronological_split(n, test, skip)


def test_scaler_statistics_are_those_of_the_training_rows():
    rng = np.random.default_rng(0)
    values = np.cumsum(rng.normal(size=(200, 3)), axis=0) + 50
    values[150:] *= 3  # test rows far outside the training range must not move the statistics
    scaling = MinMaxScaling.fit(values[:150])
    assert scaling.data_min == tuple(values[:150].min(axis=0))
    assert scaling.data_max == tuple(values[:150].max(axis=0))
    reference = MinMaxScaler((0, 1)).fit(values[:150])
    np.testing.assert_allclose(scaling.transform(values), reference.transform(values))
    scaled = scaling.transform(values)
    assert scaled[:150].min() == pytest.approx(0.0) and scaled[:150].max() == pytest.approx(1.0)
    assert scaled[150:].max() > 1.0  # test rows are scaled with training statistics, not their own


def test_scaling_inverse_round_trips_one_column_and_custom_range():
    values = np.array([[1.0, 10.0], [3.0, 30.0], [2.0, 20.0]])
    scaling = MinMaxScaling.fit(values, (-1.0, 1.0))
    scaled = scaling.transform(values)
    np.testing.assert_allclose(scaled[:, 0], [-1.0, 1.0, 0.0])
    np.testing.assert_allclose(scaling.inverse(scaled[:, 1], column=1), values[:, 1])


def test_windows_hold_the_previous_days_and_the_next_target():
    feats = np.arange(20, dtype=float).reshape(10, 2)  # row i = [2i, 2i+1]
    target = np.arange(10, dtype=float) * 100
    x, y = make_windows(feats, target, window=3, rows=range(3, 10))
    assert x.shape == (7, 3, 2) and y.shape == (7,)
    np.testing.assert_array_equal(x[0], feats[0:3])
    np.testing.assert_array_equal(x[-1], feats[6:9])
    np.testing.assert_array_equal(y, target[3:10])


def test_windows_refuse_rows_without_enough_history():
    with pytest.raises(ValueError):
        make_windows(np.zeros(10), np.zeros(10), window=4, rows=range(3, 10))


def test_validation_cut_takes_the_last_share():
    assert validation_cut(100, 0.2) == 80
    assert validation_cut(100, 0.0) == 100
    assert validation_cut(3, 0.1) == 2  # at least one validation window
