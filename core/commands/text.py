"""`python -m core text generate|translate ... --json`: the text lab from the command line.

generate: train (or take from the cache, or load the shipped model of) a character model and print its
held-out nats per character beside the n-gram baselines, and a sample:
    python -m core text generate [--corpus shakespeare|tang | --file F] [--mode default|course|shipped] [--seed 7]
translate: train a seq2seq model over one or more seeds and print exact match and character accuracy:
    python -m core text translate [--variant short|long] [--attention on|off] [--seeds 3] [--input TEXT]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from core.errors import AppError, ErrorKind

MAX_FILE_BYTES = 6 * 2**20  # read at most this much of --file (the readers refuse above their own limits)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    gen = actions.add_parser("generate", help="character-level generation (nats/char, baselines, a sample)")
    gen.add_argument("--json", action="store_true", help="print one JSON object (the default output)")
    source = gen.add_mutually_exclusive_group()
    source.add_argument("--corpus", choices=("shakespeare", "tang"), default=None, help="embedded corpus")
    source.add_argument("--file", type=Path, help="a UTF-8 text file to train on instead")
    gen.add_argument("--mode", choices=("default", "course", "shipped"), default="default")
    gen.add_argument("--cell", choices=("rnn", "lstm", "gru"), help="recurrent cell (default mode: gru)")
    gen.add_argument("--seed", type=int, default=7, help="training seed and sampling seed")
    gen.add_argument("--epochs", type=int, help="override the mode's epochs")
    gen.add_argument("--steps", type=int, help="override the mode's steps per epoch (0: one pass per epoch)")
    gen.add_argument("--units", type=int, help="override the units of each recurrent layer")
    gen.add_argument("--prompt", help="text the sample starts from (default: one the corpus knows)")
    gen.add_argument("--length", type=int, default=300, help="characters to sample")
    gen.add_argument("--temperature", type=float, default=0.8, help="sampling temperature (0 = argmax)")
    gen.add_argument("--poem", action="store_true", help="sample a five-character quatrain (Tang models)")
    gen.add_argument("--no-cache", action="store_true", help="always train (never read or write the cache)")

    tr = actions.add_parser("translate", help="seq2seq translation with or without attention")
    tr.add_argument("--json", action="store_true", help="print one JSON object (the default output)")
    tr.add_argument("--task", choices=("dates", "numerals"), default="dates")
    tr.add_argument("--file", type=Path, help="a TSV of sentence pairs (source<TAB>target) instead of a task")
    tr.add_argument("--variant", choices=("short", "long"), default="long")
    tr.add_argument("--attention", choices=("on", "off"), default="on")
    tr.add_argument("--attention-kind", choices=("luong", "bahdanau"), default="luong")
    tr.add_argument("--encoder", choices=("uni", "bi"), default="uni")
    tr.add_argument("--seeds", type=int, default=1, help="train this many seeds (seed, seed+1, ...) and average")
    tr.add_argument("--seed", type=int, default=7)
    tr.add_argument("--epochs", type=int)
    tr.add_argument("--pairs", type=int, help="pairs generated (held-out ones included)")
    tr.add_argument("--test", type=int, help="held-out pairs")
    tr.add_argument("--units", type=int)
    tr.add_argument("--input", help="also translate this text with the first seed's model (and its attention map)")
    tr.add_argument("--no-cache", action="store_true", help="always train (never read or write the cache)")


def run(args: argparse.Namespace) -> dict:
    return generate(args) if args.action == "generate" else translate(args)


def read_file(path: Path) -> bytes:
    """The bytes of --file; AppError with a sentence when it cannot be read."""
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_FILE_BYTES)
    except OSError as err:
        raise AppError(ErrorKind.BAD_INPUT, f"Cannot read {path}: {err.strerror or err}.") from err


# ---------------------------------------------------------------- generate


def generate(args: argparse.Namespace) -> dict:
    from core import textgen
    from core.charmodel import CharConfig
    from core.corpora import read_uploaded_text

    check_sampling(args)
    corpus = "upload" if args.file is not None else (args.corpus or "shakespeare")
    text = read_uploaded_text(read_file(args.file)) if args.file is not None else textgen.corpus_text(corpus)
    if args.mode == "shipped":
        if corpus == "upload":
            raise AppError(ErrorKind.BAD_INPUT, "Shipped models exist for the embedded corpora only; drop --file.")
        result = textgen.load_shipped(corpus)
    else:
        changes = {"epochs": args.epochs, "steps_per_epoch": args.steps, "units": args.units, "cell": args.cell}
        changes = {k: v for k, v in changes.items() if v is not None} | {"seed": args.seed}
        config = CharConfig.for_mode(args.mode, corpus, **changes)
        result = textgen.run_textgen(config, text, use_cache=not args.no_cache)
    prompt = args.prompt if args.prompt is not None else result.default_prompt()
    if args.poem:
        sample = "".join(textgen.poem_stream(result, args.prompt or "", args.temperature, args.seed))
    else:
        sample = "".join(textgen.sample_stream(result, prompt, args.length, args.temperature, args.seed))
    span = textgen.memorisation(result, sample, text)
    return {
        "corpus": corpus,
        "mode": args.mode,
        "cell": result.config.cell,
        "units": result.config.units,
        "val_nats_per_char": round(result.val_nats_per_char, 4),
        "baselines": {name: round(v, 4) for name, v in result.baselines.items()},
        "beats": result.beaten_baselines(),
        "fit_seconds": round(result.train_seconds, 2),
        "steps": result.steps,
        "parameters": result.parameters,
        "cached": result.cached,
        "shipped": result.shipped is not None,
        "prompt": "" if args.poem else prompt,
        "temperature": args.temperature,
        "sample": sample,
        "longest_verbatim": {"length": span.length, "text": span.text, "occurrences": span.occurrences},
    }


def check_sampling(args: argparse.Namespace) -> None:
    """The sampling settings, checked before any training (a refused request costs nothing)."""
    from core.i18n import text
    from core.sampling import MAX_LENGTH, MAX_TEMPERATURE

    if not 0 <= args.temperature <= MAX_TEMPERATURE:
        sentence = text("textgen", "error_temperature", value=args.temperature, high=MAX_TEMPERATURE)
        raise AppError(ErrorKind.BAD_SETTING, sentence)
    if not 1 <= args.length <= MAX_LENGTH:
        raise AppError(ErrorKind.BAD_SETTING, text("textgen", "error_length", value=args.length, high=MAX_LENGTH))
    if args.prompt == "" and not args.poem:
        raise AppError(ErrorKind.BAD_INPUT, text("textgen", "error_empty_prompt"))


# ---------------------------------------------------------------- translate


def translate(args: argparse.Namespace) -> dict:
    from core import translation
    from core.translate import TranslateConfig

    if not 1 <= args.seeds <= 10:
        raise AppError(ErrorKind.BAD_SETTING, f"--seeds must be from 1 to 10 (got {args.seeds}).")
    changes = {"epochs": args.epochs, "n_pairs": args.pairs, "n_test": args.test, "units": args.units}
    changes = {k: v for k, v in changes.items() if v is not None}
    config = TranslateConfig(
        task=args.task,
        variant=args.variant,
        attention=args.attention == "on",
        attention_kind=args.attention_kind,
        encoder=args.encoder,
        seed=args.seed,
        **changes,
    )
    data = None
    if args.file is not None:
        data = read_file(args.file)
        config = translation.upload_config(config, data)
    results = translation.run_seeds(config, args.seeds, data, use_cache=not args.no_cache)
    first = results[0]
    out = {
        "task": config.task,
        "variant": config.variant if config.task != "upload" else None,
        "attention": config.attention_kind if config.attention else "off",
        "encoder": config.encoder,
        "seeds": [r.config.seed for r in results],
        "exact_match": round(statistics.fmean(r.exact_match for r in results), 4),
        "exact_match_per_seed": [round(r.exact_match, 4) for r in results],
        "char_accuracy": round(statistics.fmean(r.char_accuracy for r in results), 4),
        "char_accuracy_per_seed": [round(r.char_accuracy, 4) for r in results],
        "fit_seconds": round(statistics.fmean(r.train_seconds for r in results), 2),
        "fit_seconds_per_seed": [round(r.train_seconds, 2) for r in results],
        "n_test": first.n_test,
        "baselines": first.baselines,
        "examples": [{"input": s, "target": t, "output": p} for s, t, p in first.examples[:5]],
        "cached": [r.cached for r in results],
    }
    if config.task == "upload":
        out["bleu"] = round(statistics.fmean(r.bleu for r in results), 2)
    if args.input is not None:
        out["translation"] = typed(first, args.input)
    return out


def typed(result, source: str) -> dict:
    """The translation of a typed input and, per output character, the input character it looked at most."""
    found = result.translate(source)
    row = {"input": found.source, "output": found.output, "unknown": list(found.unknown)}
    if found.weights is not None:
        row["attention_shape"] = list(found.weights.shape)
        row["looked_at"] = [found.source[int(i)] for i in found.weights.argmax(axis=1)]
    return row
