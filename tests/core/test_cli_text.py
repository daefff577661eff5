"""`python -m core text generate|translate` over the same code paths as the page (tiny settings)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.__main__ import main
from core.corpora import load_corpus

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *args: str) -> tuple[int, dict | None, str]:
    """main() in this process (TensorFlow is loaded once for every test): (status, JSON or None, stderr)."""
    status = main(["text", *args, "--json"])
    out = capsys.readouterr()
    return status, (json.loads(out.out) if status == 0 else None), out.err


@pytest.fixture(scope="module")
def text_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("text") / "tiny.txt"
    path.write_text(load_corpus("shakespeare")[:6000], encoding="utf-8")
    return path


def test_generate_trains_scores_and_samples(capsys, text_file):
    tiny = ("--units", "8", "--epochs", "1", "--steps", "2", "--length", "40", "--seed", "3")
    status, result, err = run(capsys, "generate", "--file", str(text_file), *tiny)
    assert status == 0, err
    assert {"val_nats_per_char", "fit_seconds", "baselines", "sample"} <= set(result)
    assert {"bigram", "trigram"} <= set(result["baselines"]) and result["baselines"]["bigram"] == pytest.approx(
        2.4329, abs=1e-4
    )
    assert (result["corpus"], result["units"], result["steps"], result["cached"]) == ("upload", 8, 2, False)
    assert len(result["sample"]) == 40 and result["longest_verbatim"]["length"] >= 1
    status, again, _ = run(capsys, "generate", "--file", str(text_file), *tiny)
    assert again["cached"] is True and again["sample"] == result["sample"]  # same seed, same text


def test_generate_with_the_shipped_tang_model_writes_a_quatrain(capsys):
    status, result, err = run(capsys, "generate", "--corpus", "tang", "--mode", "shipped", "--poem")
    assert status == 0, err
    assert result["shipped"] is True and result["val_nats_per_char"] < result["baselines"]["trigram"]
    assert len(result["sample"]) == 24 and result["sample"][5::6] == "，。，。"


def test_translate_over_two_seeds_and_a_typed_input(capsys):
    tiny = ("--epochs", "1", "--pairs", "60", "--test", "10", "--units", "8", "--variant", "short")
    status, result, err = run(capsys, "translate", *tiny, "--seeds", "2", "--input", "May 6, 2019")
    assert status == 0, err
    assert result["seeds"] == [7, 8] and len(result["exact_match_per_seed"]) == 2
    assert result["exact_match"] == pytest.approx(sum(result["exact_match_per_seed"]) / 2, abs=1e-4)
    assert {"exact_match", "char_accuracy", "fit_seconds"} <= set(result) and result["attention"] == "luong"
    typed = result["translation"]
    rows, columns = typed["attention_shape"]
    assert columns == len("May 6, 2019") and rows == len(typed["looked_at"]) >= len(typed["output"])


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("generate", "--file", "/no/such/file.txt"), "Cannot read /no/such/file.txt"),
        (("generate", "--corpus", "tang", "--temperature", "9"), "temperature must be from 0"),
        (("generate", "--prompt", ""), "Type a prompt"),
        (("translate", "--seeds", "0"), "--seeds must be from 1 to 10"),
        (("translate", "--pairs", "10"), "Pairs must be from 20"),
    ],
)
def test_bad_input_exits_2_with_one_sentence(capsys, args, words):
    status, _, err = run(capsys, *args)
    assert status == 2 and len(err.strip().splitlines()) == 1 and words in err


def test_a_bad_upload_and_a_bad_choice_from_a_real_command_line(tmp_path):
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\x00\x00" * 500)
    env = {**os.environ, "RNNLAB_CACHE_DIR": str(tmp_path / "cache")}
    for args, words in (
        (["generate", "--file", str(binary), "--mode", "course"], "not a text file"),
        (["generate", "--mode", "fast"], "invalid choice"),
    ):
        out = subprocess.run(
            [sys.executable, "-m", "core", "text", *args, "--json"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        lines = out.stderr.strip().splitlines()
        assert out.returncode == 2 and len(lines) == 1 and words in lines[0] and not out.stdout
