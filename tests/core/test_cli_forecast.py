"""`python -m core forecast ... --json`: one JSON object, the cache, and bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from core.prices import read_prices

KEYS = {"cell", "mode", "cached", "train_seconds", "epochs_run", "eval_start", "eval_end", "n_eval", "mse", "rmse",
        "mae", "mape", "naive_rmse", "best_naive", "best_naive_rmse", "theil_u", "direction_accuracy",
        "change_std_ratio"}  # fmt: skip


def cli(root, *args, cache_dir):
    env = {**os.environ, "RNNLAB_CACHE_DIR": str(cache_dir), "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, "-m", "core", "forecast", *args, "--json"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


@pytest.fixture(scope="module")
def small_csv(course_csv, tmp_path_factory):
    """The last 400 rows of the course file, in the course's own tushare layout."""
    path = tmp_path_factory.mktemp("data") / "small.csv"
    lines = course_csv.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:1] + lines[-400:]))
    return path


def test_forecast_prints_the_metrics_and_reuses_the_cache(root, small_csv, tmp_path):
    args = ("--csv", str(small_csv), "--cell", "rnn", "--mode", "course", "--window", "10", "--test-size", "100",
            "--units", "8", "8", "--epochs", "2", "--days", "3")  # fmt: skip
    first = cli(root, *args, cache_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    out = json.loads(first.stdout)
    assert set(out) >= KEYS
    assert (out["cell"], out["mode"], out["cached"], out["epochs_run"]) == ("rnn", "course", False, 2)
    data = read_prices(small_csv)
    assert out["n_eval"] == 40 and out["eval_end"] == data.end.date().isoformat()
    assert out["eval_start"] == data.frame.index[-40].date().isoformat()
    assert out["best_naive"] in ("persistence", "drift")  # course mode sees only the open
    assert out["theil_u"] == pytest.approx(out["rmse"] / out["naive_rmse"])
    assert len(out["forecast"]) == 3
    again = json.loads(cli(root, *args, cache_dir=tmp_path).stdout)
    assert again["cached"] is True and again["rmse"] == out["rmse"] and again["train_seconds"] == out["train_seconds"]


def test_bad_input_exits_2_with_one_line(root, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01\x02 not a csv")
    result = cli(root, "--csv", str(bad), cache_dir=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error [")
    result = cli(root, "--dataset", "IBM", "--window", "0", cache_dir=tmp_path)
    assert result.returncode == 2 and "Window must be from 1 to 500" in result.stderr
