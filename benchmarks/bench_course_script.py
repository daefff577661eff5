"""Course-mode fit time in the app against the stand-alone course script, in one run.

The issue's target: the app's course-mode LSTM fit is within 25% of the course script's fit on
this CPU. The "course script" here is the six-step Keras script the app generates for course
settings (the chapter's pipeline); its fit is timed by a line added around `model.fit`. The app's
fit runs where the app runs it: in a training worker process (core.worker); `--in-process` trains
in this process instead.

    python3 benchmarks/bench_course_script.py [--cell lstm] [--epochs 50] [--in-process]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
COURSE_CSV = ROOT.parent / "shared" / "data" / "SH600519.csv"


def script_fit_seconds(script: str, csv: Path) -> tuple[float, str]:
    """Run the generated script on `csv`; return its fit seconds and its printed scores."""
    timed = script.replace(
        "history = model.fit(", "_began = __import__('time').perf_counter()\nhistory = model.fit(", 1
    )
    timed = re.sub(
        r"(validation_freq=1\))", r"\1\nprint('FIT_SECONDS', __import__('time').perf_counter() - _began)", timed
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "course_script.py"
        path.write_text(timed)
        out = subprocess.run([sys.executable, str(path), str(csv)], cwd=folder, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"the course script failed:\n{out.stderr[-2000:]}")
    fit = float(re.search(r"FIT_SECONDS ([0-9.]+)", out.stdout).group(1))
    scores = "\n".join(line for line in out.stdout.splitlines() if "RMSE" in line or "scored days" in line)
    return fit, scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", default="lstm", choices=["rnn", "lstm", "gru"])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--in-process", action="store_true", help="train the app's model here, not in a worker")
    args = parser.parse_args()
    if not COURSE_CSV.exists():
        raise SystemExit(f"needs the course file at {COURSE_CSV}")

    if args.in_process:  # the one training path runs here instead of in a worker process
        os.environ["RNNLAB_TRAIN_WORKERS"] = "0"
    from core.forecast import ForecastConfig, run_forecast
    from core.prices import read_prices
    from core.scripts import standalone_script

    config = ForecastConfig.course(args.cell, epochs=args.epochs)
    data = read_prices(COURSE_CSV)
    if not args.in_process:  # start the worker (its TensorFlow import) before the clock starts, as the page does
        from core import worker

        worker.warm()
        worker.run(worker.ready)
    began = time.perf_counter()
    app = run_forecast(data, config, use_cache=False)
    app_wall = time.perf_counter() - began
    script_fit, scores = script_fit_seconds(standalone_script(config), COURSE_CSV)
    ratio = app.train_seconds / script_fit
    print(scores)
    print(
        json.dumps(
            {
                "benchmark": "course_script",
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "cell": args.cell,
                "epochs": args.epochs,
                "app_in": "this process" if args.in_process else "a training worker process",
                "app_fit_s": round(app.train_seconds, 1),
                "app_wall_s": round(app_wall, 1),
                "script_fit_s": round(script_fit, 1),
                "app_over_script": round(ratio, 3),
                "within_25_percent": abs(ratio - 1) <= 0.25,
            }
        )
    )


if __name__ == "__main__":
    main()
