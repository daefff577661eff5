"""`python -m core letters` over the same code paths as the page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli(cache: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "RNNLAB_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-m", "core", "letters", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip


def test_l3_json_then_cached(tmp_path):
    out = cli(tmp_path, "--task", "L3", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert {"task", "cell", "accuracy", "train_seconds", "epochs_run", "predictions"} <= set(result)
    assert (result["task"], result["cell"], result["accuracy"], result["epochs_run"]) == ("L3", "rnn", 1.0, 100)
    assert result["predictions"] == {"abcd": "e", "bcde": "a", "cdea": "b", "deab": "c", "eabc": "d"}
    assert result["cached"] is False and 0 < result["train_seconds"] < 60
    again = cli(tmp_path, "--task", "L3", "--predict", "bcde", "--json")
    assert again.returncode == 0, again.stderr
    second = json.loads(again.stdout)
    assert second["cached"] is True and second["predictions"] == result["predictions"]
    probs = second["probabilities"]
    assert max(probs, key=probs.get) == "a" and abs(sum(probs.values()) - 1) < 1e-3


def test_gru_few_epochs_no_cache(tmp_path):
    out = cli(tmp_path, "--task", "L1", "--cell", "gru", "--epochs", "3", "--seed", "1", "--no-cache", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert (result["cell"], result["epochs_run"], result["seed"]) == ("gru", 3, 1)
    assert set(result["predictions"]) == set("abcde") and not (tmp_path / "letters").exists()


def test_bad_arguments_exit_2_with_one_sentence(tmp_path):
    out = cli(tmp_path, "--task", "L5", "--json")
    assert out.returncode == 2 and "invalid choice" in out.stderr.strip().splitlines()[-1]
    out = cli(tmp_path, "--task", "L1", "--epochs", "0", "--json")
    assert out.returncode == 2
    assert out.stderr.strip().splitlines()[-1] == "error [bad_setting]: Epochs must be from 1 to 5000 (got 0)."
