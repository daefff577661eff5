"""`python -m core cells` over the same code paths as the page."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", "cells", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)  # fmt: skip


def test_check_reports_every_cell_below_target():
    out = cli("--check", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert set(result) == {"rnn", "lstm", "gru", "gru_reset_before", "peephole"}
    assert all(0 < d <= 1e-5 for d in result.values()), result


def test_worked_example_json():
    out = cli("--worked-example", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["prediction"] == "c"
    assert [round(v, 2) for v in result["h"]] == [-0.95, 0.80, 0.72]
    assert [round(v, 2) for v in result["y"]] == [0.02, 0.02, 0.91, 0.03, 0.02]
    bcde = result["bcde"]
    assert bcde["prediction"] == "a" and len(bcde["h"]) == 4
    assert [round(v, 2) for v in bcde["h"][2]] == [0.60, 0.46, -0.98]
    assert [round(v, 2) for v in bcde["y"]] == [0.71, 0.14, 0.10, 0.05, 0.00]


def test_trace_and_bad_letters():
    out = cli("--trace", "bcde", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert {cell: r["prediction"] for cell, r in result.items()} == {
        "rnn": "a",
        "lstm": "a",
        "gru": "a",
        "peephole": "a",
    }  # every shipped model
    bad = cli("--trace", "xyz", "--json")
    assert bad.returncode == 2 and bad.stderr.startswith("error [bad_input]") and bad.stdout == ""
