"""`python -m core seq <task>` (core/commands/seq.py): one JSON object, bad input as one line."""

from __future__ import annotations

import json

import pytest

from core.__main__ import main


def run(capsys, *argv: str) -> tuple[int, dict | None, str]:
    code = main(["seq", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else None), err


def test_seasonal_prints_the_model_beside_every_baseline(capsys, isolated_cache):
    code, out, _ = run(capsys, "seasonal", "--epochs", "2", "--seeds", "1", "--json")
    assert code == 0
    assert {"rmse", "rmse_std", "fit_seconds", "baselines"} <= set(out)
    assert out["n_test"] == 29 and out["test_start"] == "1958-08-01" and out["seeds"] == [7]
    baselines = {k: round(v, 2) for k, v in out["baselines"].items()}
    assert baselines["seasonal_naive"] == 46.08 and baselines["seasonal_naive_growth"] == 19.25
    assert round(out["baselines"]["persistence"], 1) == 52.5 and round(out["baselines"]["sarima"], 1) == 15.9
    assert out["rmse_std"] == 0.0 and out["verdict"].startswith("The model (RMSE")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["seasonal", "--dataset", "SP500"], "--dataset must be airline"),
        (["multistep", "--dataset", "IBM"], "--dataset must be pair or airline"),
        (["seasonal", "--seeds", "11"], "Seeds must be from 1 to 10"),
        (["seasonal", "--epochs", "0"], "Epochs must be from 1 to 5000"),
        (["updown", "--dataset", "NOPE"], "NOPE"),
    ],
)
def test_bad_input_is_one_line_and_status_2(capsys, isolated_cache, argv, says):
    code, _, err = run(capsys, *argv)
    assert code == 2 and says in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_unknown_task_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["seq", "sort"])
    assert exit_.value.code == 2 and "invalid choice" in capsys.readouterr().err
