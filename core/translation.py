"""Text lab, translation: the seq2seq models of core/translate.py on the one training path, and their replay.

`TRANSLATE` is the spec: `train(TRANSLATE, config, data)` with a `core.translate.TranslateConfig`;
data is None for the generated corpora (dates, numerals: made from the config) or the raw bytes of an
uploaded TSV of sentence pairs. Its result holds the held-out scores beside the copy/majority
baselines, a few held-out examples, and the weights greedy decoding needs, so a page translates a
typed input and draws its attention map in NumPy (core.seq2seq_replay), without retraining.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

from core.errors import AppError, ErrorKind
from core.i18n import text as _text
from core.pairs import read_pairs_tsv, split_pairs
from core.progress import Reporter
from core.seq2seq_replay import Seq2SeqWeights, greedy, weights_from_arrays, weights_from_model, weights_to_arrays
from core.training import FitPlan, Prepared, Scored, TrainedModel, cached, train
from core.translate import (
    RESERVED,
    CharVocab,
    TranslateConfig,
    build_translate_model,
    corpus_pairs,
    prepare_translate,
    score_translate,
)

EXAMPLES = 12  # held-out pairs shown with the model's output
UPLOAD_HELD_OUT_SHARE = 10  # an upload holds out one pair in this many (at most the config's n_test)


def _t(key: str, lang: str, **values) -> str:
    return _text("translate", key, lang, **values)


def codepoints(chars) -> np.ndarray:
    """(len,) int64 code points of a sequence of single characters (vocabularies are stored as numbers)."""
    return np.array([ord(ch) for ch in chars], dtype=np.int64)


class TranslateSpec:
    """Seq2seq translation on the one training path: data is None (generated pairs) or an uploaded TSV (bytes)."""

    name = "translate"
    version = 1

    def prepare(self, config: TranslateConfig, data) -> Prepared:
        uploaded = read_pairs_tsv(data) if config.task == "upload" else ()
        prepared = prepare_translate(config, corpus_pairs(config, uploaded))
        plan = FitPlan(config.epochs, config.batch_size, config.seed)
        val = (prepared.test_inputs, prepared.test_targets)  # teacher-forced held-out loss: a curve, never a choice
        return Prepared(prepared.train_inputs, prepared.train_targets, plan, val=val, extra={"data": prepared})

    def build(self, config: TranslateConfig, prepared: Prepared):
        data = prepared.extra["data"]
        return build_translate_model(config, data.source_vocab.size, data.target_vocab.size)

    def score(self, model, prepared: Prepared, config: TranslateConfig) -> Scored:
        data = prepared.extra["data"]
        scores = score_translate(model, config, data)
        kind = config.attention_kind if config.attention else None
        arrays, layout = weights_to_arrays(weights_from_model(model, kind))
        arrays |= {
            "source_chars": codepoints(data.source_vocab.chars),
            "target_chars": codepoints(data.target_vocab.chars),
        }
        examples = [[s, t, p] for (s, t), p in zip(data.test_pairs[:EXAMPLES], scores.predictions, strict=False)]
        meta = {
            "model": dataclasses.asdict(scores.model),
            "baselines": {name: dataclasses.asdict(s) for name, s in scores.baselines.items()},
            "n_test": scores.n_test,
            "n_train": len(data.train_pairs),
            "max_source_len": data.max_source_len,
            "max_target_len": data.max_target_len,
            "examples": examples,
            "layout": layout,
        }
        return Scored(arrays, meta)


TRANSLATE = TranslateSpec()


@dataclass(frozen=True)
class Typed:
    """One typed input, its greedy translation and (with attention) where each output character looked."""

    source: str  # the input as the model read it (spaces at the ends removed)
    output: str  # the translation (END removed)
    output_steps: tuple[str, ...]  # the character of each decoder step, "<end>" last when it came
    weights: np.ndarray | None  # (output steps, input characters); each row sums to 1
    unknown: tuple[str, ...]  # input characters never seen in training (read as <unk>)


@dataclass(frozen=True, eq=False)
class TranslateResult:
    """A trained translation model (read-only): scores beside the baselines, and its NumPy replay."""

    trained: TrainedModel

    config = property(lambda self: self.trained.config)
    cached = property(lambda self: self.trained.cached)
    history = property(lambda self: self.trained.history)  # per epoch: loss, accuracy, val_loss, val_accuracy
    train_seconds = property(lambda self: self.trained.seconds)
    exact_match = property(lambda self: float(self.trained.meta["model"]["exact_match"]))  # 0-1
    char_accuracy = property(lambda self: float(self.trained.meta["model"]["char_accuracy"]))  # 0-1
    bleu = property(lambda self: self.trained.meta["model"]["bleu"])  # 0-100, uploads only (else None)
    baselines = property(lambda self: self.trained.meta["baselines"])  # name -> {exact_match, char_accuracy, bleu}
    examples = property(lambda self: [tuple(e) for e in self.trained.meta["examples"]])  # (input, target, output)
    n_test = property(lambda self: int(self.trained.meta["n_test"]))
    max_source_len = property(lambda self: int(self.trained.meta["max_source_len"]))

    @functools.cached_property
    def weights(self) -> Seq2SeqWeights:
        return weights_from_arrays(self.trained.outputs, self.trained.meta["layout"])

    @functools.cached_property
    def source_vocab(self) -> CharVocab:
        return CharVocab(tuple(chr(int(c)) for c in self.trained.outputs["source_chars"]))

    @functools.cached_property
    def target_vocab(self) -> CharVocab:
        return CharVocab(tuple(chr(int(c)) for c in self.trained.outputs["target_chars"]))

    def translate(self, source: str, lang: str = "en") -> Typed:
        """Translate one typed input; AppError BAD_INPUT (in `lang`) when empty or longer than any training input."""
        source = (source or "").strip()
        if not source:
            raise AppError(ErrorKind.BAD_INPUT, _t("input_empty", lang))
        if len(source) > self.max_source_len:
            raise AppError(ErrorKind.BAD_INPUT, _t("input_too_long", lang, limit=self.max_source_len))
        ids, weights = greedy(self.weights, self.source_vocab.ids(source), int(self.trained.meta["max_target_len"]))
        output = self.target_vocab.text_of(ids)
        steps = tuple(output) + ((RESERVED[ids[-1]],) if ids and ids[-1] == 2 else ())
        unknown = tuple(ch for ch in dict.fromkeys(source) if ch not in set(self.source_vocab.chars))
        return Typed(source, output, steps, weights, unknown)


def upload_config(config: TranslateConfig, raw: bytes, lang: str = "en") -> TranslateConfig:
    """`config` for an uploaded TSV: task "upload", one pair in ten held out (at most config.n_test);
    AppError with a sentence when the file is unusable (checked before any training)."""
    pairs = read_pairs_tsv(raw, lang)
    used = min(len(pairs), config.n_pairs)
    n_test = max(1, min(config.n_test, used // UPLOAD_HELD_OUT_SHARE))
    return dataclasses.replace(config, task="upload", n_pairs=max(used, 20), n_test=n_test)


def check_request(config: TranslateConfig, data, lang: str = "en") -> None:
    """AppError (with a sentence) when the request cannot train: a missing or unusable upload."""
    if config.task != "upload":
        return
    if data is None:
        raise AppError(ErrorKind.BAD_INPUT, _t("upload_missing", lang))
    pairs = corpus_pairs(config, read_pairs_tsv(data, lang))
    try:
        split_pairs(pairs, config.n_test, config.seed)
    except ValueError as err:
        raise AppError(ErrorKind.TOO_FEW_ROWS, _t("upload_too_few_inputs", lang, needed=config.n_test + 1)) from err


def run_translate(
    config: TranslateConfig, data=None, *, report: Reporter | None = None, cancel=None, use_cache=True, lang="en"
) -> TranslateResult:
    """Train (or take from the cache, or from a running twin) the translation model of `config`."""
    check_request(config, data, lang)
    return TranslateResult(train(TRANSLATE, config, data, report=report, cancel=cancel, use_cache=use_cache))


def cached_translate(config: TranslateConfig, data=None) -> TranslateResult | None:
    found = cached(TRANSLATE, config, data)
    return TranslateResult(found) if found is not None else None


def run_seeds(config: TranslateConfig, seeds: int, data=None, *, report=None, use_cache=True) -> list[TranslateResult]:
    """`seeds` trainings of `config` with seeds config.seed, config.seed + 1, ... (each cached on its own)."""
    configs = [dataclasses.replace(config, seed=config.seed + k) for k in range(seeds)]
    return [run_translate(c, data, report=report, use_cache=use_cache) for c in configs]
