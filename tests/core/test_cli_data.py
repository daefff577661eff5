"""`python -m core data`: one JSON object on success, exit 2 and one stderr line on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, command: str = "data") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "core", command, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_course_csv(course_csv):
    done = cli("--csv", str(course_csv), "--column", "open", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["rows"] == 2426 and (out["start"], out["end"]) == ("2010-04-26", "2020-04-24")
    assert out["columns"] == ["open", "high", "low", "close", "volume"]
    assert out["target"] == "open" and out["tickers"] == []
    assert out["report"] == "Read 2426 rows, kept 2426: nothing needed cleaning."


def test_long_file_with_ticker(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("code,date,close\nA,2024-01-01,1\nB,2024-01-01,2\nA,2024-01-02,3\nB,2024-01-02,4\n")
    out = json.loads(cli("--csv", str(path), "--ticker", "B", "--json").stdout)
    assert out["tickers"] == ["A", "B"] and out["ticker"] == "B"
    assert out["target"] == "close" and out["rows"] == 2 and out["target_last"] == 4.0


def test_embedded_dataset():
    done = cli("--dataset", "ibm", "--json")
    out = json.loads(done.stdout)
    assert out["rows"] == 3270 and out["source"] == "embedded: IBM"
    assert out["columns"] == ["open", "high", "low", "close", "adj_close", "volume"]


@pytest.mark.parametrize(
    ("content", "args", "kind"),
    [
        (b"", (), "empty_file"),
        (b"\x00\x01\x02binary", (), "not_csv"),
        (b"open,close\n1,2\n3,4\n", (), "no_date_column"),
        (b"Date,Note\n2024-01-01,a\n2024-01-02,b\n", (), "no_price_column"),
        (b"Date,Close,Note\n2024-01-01,1,a\n2024-01-02,2,b\n", ("--column", "Note"), "text_target"),
        (b"ticker,date,close\nA,2024-01-01,1\nB,2024-01-01,2\n", (), "ticker_not_chosen"),
        (b"ticker,date,close\nA,2024-01-01,1\nB,2024-01-01,2\n", ("--ticker", "Z"), "ticker_missing"),
    ],
)
def test_bad_input_exit_2_one_line(tmp_path, content, args, kind):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    done = cli("--csv", str(path), *args, "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error [{kind}]: ")
    assert "Traceback" not in done.stderr


def test_missing_file_and_unknown_dataset():
    for args in (("--csv", "/nowhere/x.csv"), ("--dataset", "nope")):
        done = cli(*args, "--json")
        assert done.returncode == 2 and done.stderr.startswith("error [bad_input]: ")


def test_data_command_never_imports_tensorflow():
    code = (
        "import sys, io, contextlib; from core.__main__ import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): rc = main(['data', '--dataset', 'IBM', '--json'])\n"
        "print(rc, 'tensorflow' in sys.modules, 'keras' in sys.modules, 'streamlit' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["0", "False", "False", "False"]


ALL_TEXT_PRICES = "Date,Open,High,Low,Close,Volume,Adj Close\n" + "".join(
    f"2024-{m:02d}-{d:02d},n/a,n/a,n/a,n/a,{1000 + d},n/a\n" for m in range(1, 13) for d in range(1, 29)
)  # 336 rows: too few for the default forecast, so only the reader can stop it first


@pytest.mark.parametrize("command", ["data", "forecast"])
def test_price_columns_all_text_exit_2_one_line(tmp_path, command):
    path = tmp_path / "all_text.csv"
    path.write_text(ALL_TEXT_PRICES)
    done = cli("--csv", str(path), "--json", command=command)
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error [no_price_column]: ") and "Open, High, Low, Close, Adj Close" in lines[0]
