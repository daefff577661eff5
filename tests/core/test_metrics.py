"""Metrics and baselines on hand-computed examples."""

from __future__ import annotations

import numpy as np
import pytest

from core.metrics import (
    drift_forecast,
    error_metrics,
    metrics_table,
    persistence_forecast,
    previous_close_forecast,
)


def test_error_metrics_hand_example():
    actual, predicted, previous = [10.0, 12.0, 11.0], [11.0, 12.0, 10.0], [10.0, 10.0, 12.0]
    m = error_metrics(actual, predicted, previous)
    assert m["mse"] == pytest.approx(2 / 3)
    assert m["rmse"] == pytest.approx(np.sqrt(2 / 3))
    assert m["mae"] == pytest.approx(2 / 3)
    assert m["mape"] == pytest.approx((1 / 10 + 0 + 1 / 11) / 3 * 100)
    # predicted changes [1, 2, -2], actual [0, 2, -1]: signs agree on days 2 and 3
    assert m["direction_accuracy"] == pytest.approx(2 / 3)
    assert m["change_std_ratio"] == pytest.approx(np.std([1, 2, -2]) / np.std([0, 2, -1]))


def test_no_change_forecast_has_zero_change_ratio():
    m = error_metrics([2.0, 3.0, 1.0], [1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert m["change_std_ratio"] == 0.0
    assert m["direction_accuracy"] == 0.0


def test_persistence_is_yesterdays_value():
    y = np.array([5.0, 6.0, 8.0, 7.0])
    np.testing.assert_array_equal(persistence_forecast(y, np.array([2, 3])), [6.0, 8.0])


def test_drift_adds_the_average_step_since_the_first_value():
    y = np.array([10.0, 12.0, 14.0, 20.0])
    # row 3: last = 14 at position t = 3, step (14 - 10) / 2 = 2 -> 16
    np.testing.assert_allclose(drift_forecast(y, np.array([2, 3])), [12.0 + 2.0, 14.0 + 2.0])
    with pytest.raises(ValueError):
        drift_forecast(y, np.array([1]))


def test_previous_close_is_yesterdays_close():
    close = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(previous_close_forecast(close, np.array([1, 2])), [1.0, 2.0])


def test_metrics_table_scores_relative_to_persistence_and_best_allowed_baseline():
    actual = np.array([10.0, 11.0, 12.0, 13.0])
    previous = np.array([9.0, 10.0, 11.0, 12.0])  # persistence errs by 1 every day
    forecasts = {"model": actual + 0.5, "persistence": previous, "drift": actual - 2.0, "previous_close": actual - 0.25}
    table, best = metrics_table(actual, previous, forecasts, ("persistence", "drift"))
    assert best == "persistence"  # previous_close is better but not allowed
    assert table.loc["persistence", "theil_u"] == pytest.approx(1.0)
    assert table.loc["model", "theil_u"] == pytest.approx(0.5)
    assert table.loc["model", "rmse_vs_best"] == pytest.approx(0.5)
    table, best = metrics_table(actual, previous, forecasts, ("persistence", "drift", "previous_close"))
    assert best == "previous_close"
    assert table.loc["model", "rmse_vs_best"] == pytest.approx(2.0)
    assert list(table.index) == ["model", "persistence", "drift", "previous_close"]
