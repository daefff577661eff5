"""Benchmark: the text lab's targets, measured through the one training path (no cache).

    python3 benchmarks/bench_text.py [--part generate|shipped|translate|all] [--seeds 3] [--corpus shakespeare tang]

generate: the default mode of each corpus trained here, its held-out nats/char against the wall clock
(one point per epoch, on the first 256 held-out sequences; the final figure on the whole held-out 10%),
beside the n-gram baselines; then the shipped models' figures from their records (assets/text_models,
measured when scripts/make_text_models.py made them). Target: default < bigram within 90 s; shipped <
trigram. translate: the long-input dates task with and without attention (same settings, so the same
epochs; each run's fit seconds are printed), `--seeds` seeds. Target: attention >= no attention + 10
points of exact match. TensorFlow is imported before any timing; the load average is printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RNNLAB_TRAIN_WORKERS", "0")  # train in this process


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def generate_default(corpus: str) -> None:
    from core import textgen
    from core.charmodel import CharConfig

    config = CharConfig.for_mode("default", corpus)
    points: list[tuple[float, float]] = []

    def report(info) -> None:
        points.append((info.elapsed, info.logs.get("val_loss", float("nan"))))

    print(
        f"\n{corpus}: default mode ({config.cell_label}({config.units}), {config.epochs} x {config.steps_per_epoch}"
        f" steps of {config.batch_size}), load before {load()}"
    )
    result = textgen.run_textgen(config, textgen.corpus_text(corpus), report=report, use_cache=False)
    for seconds, nats in points:
        print(f"  {seconds:6.1f} s  held-out (first 256 sequences) {nats:.3f} nats/char")
    base = result.baselines
    verdict = "beats" if result.val_nats_per_char < base["bigram"] else "does NOT beat"
    print(
        f"  final: {result.val_nats_per_char:.3f} nats/char on the whole held-out 10% after {result.steps} steps,"
        f" fit {result.train_seconds:.1f} s; bigram {base['bigram']:.3f}, trigram {base['trigram']:.3f}:"
        f" {verdict} the bigram; load after {load()}"
    )


def shipped(corpus: str) -> None:
    from core import textgen

    result = textgen.load_shipped(corpus)
    rec, base = result.shipped, result.baselines
    beaten = result.beaten_baselines()
    print(
        f"{corpus}: shipped {result.config.cell_label}({result.config.units}) {result.val_nats_per_char:.3f} nats/char"
        f" after {rec['steps']} steps, fit {rec['fit_seconds']:.0f} s (load {rec['load_average']['before'][0]});"
        f" trigram {base['trigram']:.3f}, 4-gram {base['4-gram']:.3f}; beats: {', '.join(beaten) or 'none'};"
        f" {textgen.shipped_paths(corpus)[0].stat().st_size / 2**20:.2f} MB"
    )
    curve = rec["curve"]
    for point in curve[4::5] if len(curve) > 5 else curve:  # nats/char against the clock, every 5th epoch
        print(f"  {point['seconds']:7.1f} s  held-out (first 256 sequences) {point['val_loss']:.3f} nats/char")


def translate(seeds: int) -> None:
    from core import translation
    from core.translate import TranslateConfig

    base = TranslateConfig(variant="long")
    print(
        f"\ntranslate: dates, long inputs (several dates per input), {base.n_pairs} pairs ({base.n_test} held out),"
        f" LSTM({base.units}), {base.epochs} epochs, {seeds} seed(s); load before {load()}"
    )
    print(f"  {'model':<14} {'exact match':>12} {'char acc':>9} {'fit s':>7}  per seed exact match")
    means = {}
    for attention in (True, False):
        config = dataclasses.replace(base, attention=attention)
        runs = translation.run_seeds(config, seeds, use_cache=False)
        exact = [r.exact_match for r in runs]
        means[attention] = statistics.fmean(exact)
        name = "attention" if attention else "no attention"
        print(
            f"  {name:<14} {means[attention]:12.1%} {statistics.fmean(r.char_accuracy for r in runs):9.1%}"
            f" {statistics.fmean(r.train_seconds for r in runs):7.1f}  {', '.join(f'{e:.1%}' for e in exact)}"
        )
    copy = runs[0].baselines["copy"]["exact_match"]
    gap = 100 * (means[True] - means[False])
    print(f"  copy baseline {copy:.1%}; attention - no attention = {gap:+.1f} points (target >= 10); load {load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("generate", "shipped", "translate", "all"), default="all")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--corpus", nargs="+", choices=("shakespeare", "tang"), default=["shakespeare", "tang"])
    args = parser.parse_args()
    began = time.perf_counter()
    import keras  # noqa: F401  (the import is excluded from every timing)

    print(f"{os.cpu_count()} CPUs; load average {load()}")
    if args.part in ("generate", "all"):
        for corpus in args.corpus:
            generate_default(corpus)
    if args.part in ("generate", "shipped", "all"):
        print("\nshipped models (figures from their records):")
        for corpus in args.corpus:
            shipped(corpus)
    if args.part in ("translate", "all"):
        translate(args.seeds)
    print(f"\nbenchmark wall time {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
