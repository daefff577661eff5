"""Text lab, generation: character models on the one training path, the shipped models, and their replay.

`CHAR` is the spec: `train(CHAR, config, text)` with a `core.charmodel.CharConfig` and the whole text
(an embedded corpus or an upload). Its result is plain data: the held-out nats per character, the
n-gram baselines on the same held-out text, and the weights a NumPy step function needs
(core.charmodel.CharStepper), so a page generates text without TensorFlow and without retraining.

"Shipped" models are longer trainings made by scripts/make_text_models.py through the same path and
stored in assets/text_models/<corpus>.npz (weights) + .json (config, curves, score, provenance), so a
class starts with a good model at once.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.cells import CellWeights
from core.charmodel import (
    COURSE_CURVE,
    CharConfig,
    CharStepper,
    build_char_model,
    char_stepper,
    model_text,
    parameter_count,
    prepare_char,
    score_char,
)
from core.corpora import Vocab, check_text, load_corpus, split_index
from core.errors import AppError, ErrorKind
from core.i18n import text as _text
from core.ngram import ngram_nats
from core.progress import Reporter
from core.sampling import Choice, VerbatimSpan, generate, longest_verbatim_span, quatrain
from core.training import FitPlan, Prepared, Scored, TrainedModel, cached, config_from_json, config_to_json, train

PAGE_MODES: tuple[str, ...] = ("shipped", "default", "course")  # what the page and the command line offer
SHIPPED_DIR = Path(__file__).resolve().parent.parent / "assets" / "text_models"
SHIPPED_CORPORA: tuple[str, ...] = ("shakespeare", "tang")
CURVE_SEQUENCES = 256  # held-out sequences scored after every epoch for the curve (all of them at the end)
COURSE_SCORED = 1_000  # held-out windows course mode scores (its 3 x LSTM(512) reads 25 characters per target)
PROMPTS = {"shakespeare": "ROMEO:\n", "tang": "春"}  # a prompt every model of that corpus can read


# ---------------------------------------------------------------- the spec


@functools.lru_cache(maxsize=4)  # a page shows them before training, the spec scores beside them
def baselines_of(text: str) -> dict[str, float]:
    """Held-out nats per character of the n-gram baselines on `text` (already capped), last 10% held out."""
    vocab = Vocab.from_text(text)
    return ngram_nats(vocab.encode(text), split_index(len(text)), vocab.size)


def corpus_baselines(config: CharConfig, text: str) -> dict[str, float]:
    """The baselines a model of `config` is compared with: on the text it sees (capped when config caps)."""
    return baselines_of(model_text(config, text))


class CharSpec:
    """Character-level language models on the one training path: data is the whole text (str)."""

    name = "textgen"
    version = 1

    def prepare(self, config: CharConfig, data: str) -> Prepared:
        text = model_text(config, data)
        arrays = prepare_char(config, text)
        if config.many_to_one and len(arrays.y_held) > COURSE_SCORED:  # evenly spread held-out windows
            keep = np.linspace(0, len(arrays.y_held) - 1, COURSE_SCORED).round().astype(int)
            arrays = dataclasses.replace(arrays, x_held=arrays.x_held[keep], y_held=arrays.y_held[keep])
        plan = FitPlan(config.epochs, config.batch_size, config.seed, steps_per_epoch=config.steps_per_epoch or None)
        # default mode reports the loss on the first held-out sequences per epoch (a curve; it never chooses
        # the model); course mode's three LSTM(512) would spend longer on that than on its few steps
        curve = slice(0, CURVE_SEQUENCES)
        val = (arrays.x_held[curve], arrays.y_held[curve]) if config.mode == "default" else None
        return Prepared(arrays.x_train, arrays.y_train, plan, val=val, extra={"arrays": arrays, "text": text})

    def build(self, config: CharConfig, prepared: Prepared):
        return build_char_model(config, prepared.extra["arrays"].vocab.size)

    def score(self, model, prepared: Prepared, config: CharConfig) -> Scored:
        arrays = prepared.extra["arrays"]
        outputs, layout = stepper_arrays(char_stepper(model, config))
        outputs["vocab"] = codepoints(arrays.vocab.chars)
        meta = {
            "val_nats_per_char": score_char(model, arrays),
            "baselines": baselines_of(prepared.extra["text"]),
            "held_out_scored": arrays.held_out_scored,
            "vocab_size": arrays.vocab.size,
            "parameters": parameter_count(config, arrays.vocab.size),
            "text_chars": len(prepared.extra["text"]),
            "split": arrays.split,
            "train_sequences": len(arrays.x_train),
            "stepper": layout,
        }
        return Scored(outputs, meta)


CHAR = CharSpec()


def codepoints(chars: str) -> np.ndarray:
    """(len,) int64 code points of a string (how a vocabulary is stored: numeric arrays only)."""
    return np.array([ord(ch) for ch in chars], dtype=np.int64)


def stepper_arrays(stepper: CharStepper) -> tuple[dict[str, np.ndarray], dict]:
    """The weights of a step function as named arrays, and the layout (JSON-safe) to rebuild it."""
    arrays = {"logits_kernel": stepper.kernel, "logits_bias": stepper.bias}
    if stepper.embedding is not None:
        arrays["embedding"] = stepper.embedding
    for k, w in enumerate(stepper.cells):
        arrays |= {f"kernel_{k}": w.kernel, f"recurrent_{k}": w.recurrent_kernel, f"bias_{k}": w.bias}
    layout = {"cells": [w.cell for w in stepper.cells], "reset_after": [w.reset_after for w in stepper.cells]}
    return {k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()}, layout | {"window": stepper.window}


def stepper_from_arrays(arrays: dict[str, np.ndarray], layout: dict) -> CharStepper:
    """The step function `stepper_arrays` stored."""
    cells = tuple(
        CellWeights(cell, arrays[f"kernel_{k}"], arrays[f"recurrent_{k}"], arrays[f"bias_{k}"], reset_after)
        for k, (cell, reset_after) in enumerate(zip(layout["cells"], layout["reset_after"], strict=True))
    )
    kernel = arrays["logits_kernel"]
    embedding = arrays.get("embedding")
    return CharStepper(kernel.shape[1], embedding, cells, kernel, arrays["logits_bias"], int(layout["window"]))


# ---------------------------------------------------------------- a trained model, read-only


@dataclass(frozen=True, eq=False)
class CharResult:
    """A trained (or shipped) character model: its score beside the baselines, and its step function."""

    trained: TrainedModel
    shipped: dict | None = None  # the shipped model's provenance record (None: trained here)

    config = property(lambda self: self.trained.config)
    cached = property(lambda self: self.trained.cached)
    history = property(lambda self: self.trained.history)  # per epoch: "loss" (and "val_loss" in default mode)
    train_seconds = property(lambda self: self.trained.seconds)
    epochs_run = property(lambda self: self.trained.epochs)
    val_nats_per_char = property(lambda self: float(self.trained.meta["val_nats_per_char"]))
    baselines = property(lambda self: dict(self.trained.meta["baselines"]))  # name -> nats/char, same held-out text
    parameters = property(lambda self: int(self.trained.meta["parameters"]))

    @property
    def steps(self) -> int:
        """Optimizer steps the model trained for."""
        per_epoch = self.config.steps_per_epoch or -(-self.trained.meta["train_sequences"] // self.config.batch_size)
        return per_epoch * self.epochs_run

    @functools.cached_property
    def vocab(self) -> Vocab:
        return Vocab("".join(chr(int(c)) for c in self.trained.outputs["vocab"]))

    @functools.cached_property
    def stepper(self) -> CharStepper:
        return stepper_from_arrays(self.trained.outputs, self.trained.meta["stepper"])

    def beaten_baselines(self) -> list[str]:
        """Names of the baselines whose held-out nats/char are above the model's (it beats them)."""
        return [name for name, nats in self.baselines.items() if nats > self.val_nats_per_char]

    def training_part(self, text: str) -> str:
        """The part of `text` this model trained on (capped as it saw it): what a sample is checked against."""
        seen = model_text(self.config, text)
        return seen[: split_index(len(seen))]

    def default_prompt(self) -> str:
        """A prompt this model can read: the corpus's own, else a new line (or a space, or its first character)."""
        known = [p for p in (PROMPTS.get(self.config.corpus, ""), "\n", " ") if p and not self.vocab.unknown(p)]
        return known[0] if known else self.vocab.chars[0]


def check_corpus_text(config: CharConfig, text: str, lang: str = "en") -> str:
    """`text` if `config` can train on it (checked before any training), else AppError with a sentence."""
    check_text(text, lang)
    seen = len(model_text(config, text))
    if min(split_index(seen), seen - split_index(seen)) < config.seq_len + 1:
        minimum = (config.seq_len + 1) * 10
        raise AppError(ErrorKind.TEXT_TOO_SHORT, _t("error_too_short", lang, count=seen, minimum=minimum))
    return text


def _t(key: str, lang: str, **values) -> str:
    return _text("textgen", key, lang, **values)


def run_textgen(
    config: CharConfig, text: str, *, report: Reporter | None = None, cancel=None, use_cache: bool = True, lang="en"
) -> CharResult:
    """Train (or take from the cache, or from a running twin) the character model of `config` on `text`."""
    check_corpus_text(config, text, lang)
    return CharResult(train(CHAR, config, text, report=report, cancel=cancel, use_cache=use_cache))


def cached_textgen(config: CharConfig, text: str) -> CharResult | None:
    """The cached model of `config` on `text`, or None (never trains)."""
    found = cached(CHAR, config, text)
    return CharResult(found) if found is not None else None


def corpus_text(corpus: str) -> str:
    """The whole text of an embedded corpus."""
    return load_corpus(corpus)


# ---------------------------------------------------------------- shipped models


# The longer trainings scripts/make_text_models.py ships (default-mode networks, bigger and trained
# longer; each file stays under MAX_SHIPPED_BYTES): GRU(256) on Shakespeare; GRU(192) on the capped
# Tang text, whose 3,000-wide output layer dominates the size (192 x 3,000 weights).
SHIPPED_SETTINGS: dict[str, CharConfig] = {
    "shakespeare": CharConfig(units=256, dropout=0.1, learning_rate=2e-3, epochs=30, steps_per_epoch=120),
    "tang": CharConfig.for_mode(
        "default", "tang", units=192, batch_size=32, learning_rate=5e-3, epochs=10, steps_per_epoch=100
    ),
}
MAX_SHIPPED_BYTES = 5 * 2**20


def shipped_paths(corpus: str) -> tuple[Path, Path]:
    return SHIPPED_DIR / f"{corpus}.npz", SHIPPED_DIR / f"{corpus}.json"


def write_shipped(result: CharResult, record: dict) -> tuple[Path, Path]:
    """Store a trained model as a shipped one: its stepper arrays (.npz) and a JSON record (config,
    curves, score, provenance `record`). What generation needs only: no optimizer, no Keras file."""
    arrays_path, record_path = shipped_paths(result.config.corpus)
    arrays_path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(arrays_path, **result.trained.outputs)
    t = result.trained
    full = {"config": config_to_json(t.config), "history": t.history, "seconds": t.seconds, "epochs": t.epochs}
    full |= {"meta": t.meta, "provenance": record}
    record_path.write_text(json.dumps(full, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return arrays_path, record_path


@functools.cache
def load_shipped(corpus: str, lang: str = "en") -> CharResult:
    """The shipped model of an embedded corpus (read once per process); AppError when it is missing."""
    arrays_path, record_path = shipped_paths(corpus)
    if not arrays_path.exists() or not record_path.exists():
        raise AppError(ErrorKind.BAD_INPUT, _t("error_no_shipped", lang, corpus=corpus))
    record = json.loads(record_path.read_text(encoding="utf-8"))
    with np.load(arrays_path, allow_pickle=False) as stored:
        outputs = {name: stored[name] for name in stored.files}
    config = config_from_json(record["config"])
    trained = TrainedModel(
        spec=CHAR.name,
        key=f"shipped:{corpus}",
        config=config,
        history=record["history"],
        seconds=record["seconds"],
        epochs=record["epochs"],
        chosen_epoch=record["epochs"],
        keras_bytes=b"",  # generation replays the stored weights in NumPy; no Keras model is shipped
        outputs=outputs,
        meta=record["meta"],
        cached=True,
    )
    return CharResult(trained, shipped=record["provenance"])


# ---------------------------------------------------------------- generation from a result


def sample_stream(
    result: CharResult, prompt: str, length: int, temperature: float, seed: int, *, record=None, lang: str = "en"
) -> Iterator[str]:
    """The characters that follow `prompt`, one at a time (a seed makes them reproducible)."""
    return generate(result.stepper, result.vocab, prompt, length, temperature, seed, record=record, lang=lang)


def poem_stream(result: CharResult, prompt: str, temperature: float, seed: int, *, record=None, lang: str = "en"):
    """A five-character quatrain (绝句): four lines of five with the punctuation forced at its places."""
    return quatrain(result.stepper, result.vocab, prompt, temperature, seed, record=record, lang=lang)


def memorisation(result: CharResult, sample: str, text: str) -> VerbatimSpan:
    """The longest span of `sample` that occurs verbatim in the text the model trained on."""
    return longest_verbatim_span(sample, result.training_part(text))


def choices_json(record: list[Choice]) -> list[dict]:
    """What the model offered at each generated position, as JSON-safe rows."""
    return [
        {"position": c.position, "chosen": c.chosen, "forced": c.forced, "top": [[ch, p] for ch, p in c.top]}
        for c in record
    ]


def course_curve() -> list[dict]:
    """The cookbook's reported epochs (optimizer steps, hours, training and validation loss)."""
    return [dataclasses.asdict(e) for e in COURSE_CURVE]
