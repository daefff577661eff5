"""Train the longer character models the text lab ships with, and write assets/text_models/<corpus>.*.

One model per embedded corpus, trained through the one training path (core.training.train with
core.textgen.CHAR and core.textgen.SHIPPED_SETTINGS), so a class starts with a good model at once.
Each corpus gets <corpus>.npz (the weights the NumPy step function needs: no optimizer, no Keras
file) and <corpus>.json (config, curves, held-out score beside the n-gram baselines, provenance:
versions, commit, load average, per-epoch times). Anyone can re-run it (tens of minutes on 2 cores):

    python3 scripts/make_text_models.py                 # both corpora
    python3 scripts/make_text_models.py --corpus tang
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RNNLAB_TRAIN_WORKERS", "0")  # train in this process
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from core import textgen  # noqa: E402
from core.corpora import corpus_info  # noqa: E402


def commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def make(corpus: str, changes: dict) -> dict:
    """Train the shipped model of `corpus`, write it, and return its provenance record."""
    import keras
    import numpy as np

    config = dataclasses.replace(textgen.SHIPPED_SETTINGS[corpus], **changes)
    curve: list[dict] = []

    def report(info) -> None:
        curve.append({"epoch": info.epoch, "seconds": round(info.elapsed, 1), **info.logs})
        logs = " ".join(f"{k} {v:.4f}" for k, v in info.logs.items())
        print(f"{corpus} epoch {info.epoch}/{info.epochs} {info.elapsed:.0f} s {logs}", flush=True)

    began, load_before = time.time(), os.getloadavg()
    result = textgen.run_textgen(config, textgen.corpus_text(corpus), report=report, use_cache=False)
    record = {
        "script": "scripts/make_text_models.py",
        "made": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": commit(),
        "corpus_sha256": corpus_info(corpus).text_sha256,
        "versions": {"python": platform.python_version(), "keras": keras.__version__, "numpy": np.__version__},
        "machine": f"{os.cpu_count()} CPUs, {platform.machine()}",
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]},
        "wall_seconds": round(time.time() - began, 1),
        "fit_seconds": round(result.train_seconds, 1),
        "steps": result.steps,
        "curve": curve,  # per epoch: seconds since the start, loss, loss on the first held-out sequences
        "val_nats_per_char": result.val_nats_per_char,
        "baselines": result.baselines,
    }
    arrays, _ = textgen.write_shipped(result, record)
    size = arrays.stat().st_size
    if size > textgen.MAX_SHIPPED_BYTES:
        raise SystemExit(
            f"{arrays} is {size / 2**20:.1f} MB, above the {textgen.MAX_SHIPPED_BYTES / 2**20:.0f} MB limit"
        )
    return record | {"bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=textgen.SHIPPED_CORPORA, action="append", help="only this corpus")
    parser.add_argument("--epochs", type=int, help="override the shipped settings' epochs (a quick trial)")
    parser.add_argument("--steps", type=int, help="override the shipped settings' steps per epoch")
    args = parser.parse_args()
    changes = {k: v for k, v in (("epochs", args.epochs), ("steps_per_epoch", args.steps)) if v is not None}
    for corpus in args.corpus or textgen.SHIPPED_CORPORA:
        record = make(corpus, changes)
        beaten = [n for n, v in record["baselines"].items() if v > record["val_nats_per_char"]]
        print(
            f"{corpus}: {record['val_nats_per_char']:.3f} nats/char after {record['steps']} steps in "
            f"{record['fit_seconds']:.0f} s; beats {', '.join(beaten) or 'no baseline'}; "
            f"{record['bytes'] / 2**20:.2f} MB",
            flush=True,
        )


if __name__ == "__main__":
    main()
