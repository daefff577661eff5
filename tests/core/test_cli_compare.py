"""`python -m core compare ... --json` over the same code paths as the page (tiny runs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRICE_KEYS = {"cell", "params", "train_seconds_total", "rmse_mean", "rmse_std", "mae_mean", "mae_std", "theil_u_mean",
              "theil_u_std"}  # fmt: skip


def cli(*args: str, cache: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **({"RNNLAB_CACHE_DIR": str(cache)} if cache else {})}
    return subprocess.run([sys.executable, "-m", "core", "compare", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=400, env=env)  # fmt: skip


def test_price_comparison_json_on_the_course_file(course_csv, tmp_path):
    out = cli("--csv", str(course_csv), "--seeds", "2", "--epochs", "1", "--cells", "rnn,dense", "--json",
              cache=tmp_path)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout)
    assert [r["cell"] for r in result["results"]] == ["rnn", "dense"]
    for row in result["results"]:
        assert set(row) >= PRICE_KEYS
        assert row["seeds"] == [7, 8] and row["rmse_std"] >= 0 and row["train_seconds_total"] > 0
        assert row["theil_u_mean"] == pytest.approx(row["rmse_mean"] / result["naive_rmse"])
    rnn = result["results"][0]
    assert rnn["params"] == 32 * (4 + 32) + 32 + 33  # SimpleRNN(32) on open/high/low/close + Dense(1)
    assert result["naive_rmse"] == pytest.approx(19.6, abs=0.05)  # SPEC.md: persistence on the 240 days
    assert result["baselines"]["previous_close"]["rmse"] == pytest.approx(11.9, abs=0.05)
    assert result["eval_days"] == 240 and (result["trained"], result["cached"]) == (4, 0)
    again = json.loads(cli("--csv", str(course_csv), "--seeds", "2", "--epochs", "1", "--cells", "rnn,dense",
                           "--json", cache=tmp_path).stdout)  # fmt: skip
    assert (again["trained"], again["cached"]) == (0, 4)
    assert again["results"][0]["rmse_mean"] == pytest.approx(rnn["rmse_mean"])


def test_letter_comparison_json(tmp_path):
    out = cli("--task", "L3", "--seeds", "1", "--epochs", "30", "--cells", "rnn,lstm", "--progress", "--json",
              cache=tmp_path)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout)
    assert result["task"] == "letters" and result["letter_task"] == "L3"
    assert [r["cell"] for r in result["results"]] == ["rnn", "lstm"]
    assert result["results"][0]["params"] == 3 * (5 + 3) + 3 + 3 * 5 + 5
    assert result["results"][1]["params"] == 4 * (3 * (5 + 3) + 3) + 3 * 5 + 5
    assert all(0.0 <= r["accuracy_mean"] <= 1.0 and r["accuracy_std"] == 0.0 for r in result["results"])
    assert "seed luck" in " ".join(result["sentences"])
    assert "model 2 of 2 (LSTM, seed 7)" in out.stderr and "epoch 30 of 30" in out.stderr
    args = ("--task", "L3", "--seeds", "1", "--epochs", "30", "--cells", "rnn,lstm", "--json")
    cached = json.loads(cli(*args, cache=tmp_path).stdout)
    fresh = json.loads(cli(*args, "--no-cache", cache=tmp_path).stdout)
    assert (cached["trained"], cached["cached"]) == (0, 2) and (fresh["trained"], fresh["cached"]) == (2, 0)
    assert fresh["results"][0]["accuracy_mean"] == result["results"][0]["accuracy_mean"]  # same seed, same model


def test_bad_settings_exit_2_with_one_line(tmp_path):
    bad_cell = cli("--task", "L1", "--cells", "dense", "--json", cache=tmp_path)
    assert bad_cell.returncode == 2 and bad_cell.stdout == ""
    assert bad_cell.stderr.strip().splitlines()[-1].startswith("error [bad_setting]: cell 'dense' is not available")
    csv = tmp_path / "p.csv"
    csv.write_text("date,close\n2020-01-01,1\n2020-01-02,2\n")
    no_column = cli("--csv", str(csv), "--column", "volume", "--json", cache=tmp_path)
    assert no_column.returncode == 2
    assert no_column.stderr.strip().splitlines()[-1].startswith("error [no_price_column]")
    seeds = cli("--task", "L1", "--seeds", "0", "--json", cache=tmp_path)
    assert seeds.returncode == 2 and "seeds must be between 1 and 10" in seeds.stderr
