"""Seq2seq translation, character by character: an LSTM encoder-decoder with or without attention.

Training (by the shared training path) uses teacher forcing: the decoder reads the true previous
character and learns the next one. Testing feeds the decoder its own previous output (greedy), one
step at a time, with inference models that share the trained layers; with attention each step also
returns which input characters it looked at (a row of the heat map).

What the document (the TF1 nmt project) does, its figures and its slips are kept here as data.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from core.i18n import text
from core.pairs import TASKS as GENERATED_TASKS
from core.pairs import VARIANTS, Pair, generate_pairs, split_pairs
from core.settings import check_choice, check_range

TASKS: tuple[str, ...] = (*GENERATED_TASKS, "upload")
ATTENTION_KINDS: tuple[str, ...] = ("luong", "bahdanau")  # keras Attention (dot product) | AdditiveAttention
ENCODERS: tuple[str, ...] = ("uni", "bi")
PAD, START, END, UNKNOWN = 0, 1, 2, 3  # reserved ids of every vocabulary
RESERVED = ("<pad>", "<start>", "<end>", "<unk>")


@dataclass(frozen=True)
class TranslateConfig:
    """Everything that decides a translation model; the object itself is (part of) the cache key."""

    task: str = "dates"  # "dates", "numerals" (generated) or "upload" (pairs passed in by the caller)
    variant: str = "long"  # "short": one item per input; "long": several (generated tasks only)
    attention: bool = True  # True: the decoder attends over every encoder output; False: only the final state
    attention_kind: str = "luong"  # "luong": dot-product score (keras Attention); "bahdanau": additive score
    encoder: str = "uni"  # "uni": one LSTM; "bi": a Bi-LSTM whose two halves of `units` are concatenated
    units: int = 64  # decoder LSTM units = size of each encoder output (each direction has units/2 if bi)
    embed_dim: int = 32  # size of the learned vector of each character (source and target each have one)
    epochs: int = 5  # passes over the training pairs
    batch_size: int = 32  # pairs per update
    learning_rate: float = 0.01  # Adam step size
    clipnorm: float = 1.0  # gradients clipped to this global norm (the document clips too); 0 = no clipping
    n_pairs: int = 4000  # pairs generated (or uploaded pairs used, at most), held-out ones included
    n_test: int = 400  # held-out pairs, never trained on
    seed: int = 7  # the corpus, the split, the initial weights and the shuffling

    def __post_init__(self) -> None:
        check_choice("task", self.task, TASKS)
        check_choice("variant", self.variant, VARIANTS)
        check_choice("attention_kind", self.attention_kind, ATTENTION_KINDS, label="attention kind")
        check_choice("encoder", self.encoder, ENCODERS)
        if not isinstance(self.attention, bool):
            raise ValueError(f"attention must be True or False (got {self.attention!r})")
        for name, (low, high) in LIMITS.items():
            check_range(name, getattr(self, name), low, high, whole=isinstance(low, int), label=LABELS[name])
        check_range("n_test", self.n_test, 1, self.n_pairs // 2, whole=True, label=LABELS["n_test"])
        if self.encoder == "bi" and self.units % 2:
            raise ValueError(
                f"A Bi-LSTM encoder splits the units in two halves: units must be even (got {self.units})."
            )


# Allowed ranges of the numeric settings (n_test also stays at most half of n_pairs).
LIMITS: dict[str, tuple[float, float]] = {
    "units": (2, 512),
    "embed_dim": (1, 256),
    "epochs": (1, 500),
    "batch_size": (1, 4096),
    "n_pairs": (20, 200_000),
    "n_test": (1, 100_000),
    "seed": (0, 2**31 - 1),
    "learning_rate": (1e-5, 1.0),
    "clipnorm": (0.0, 100.0),
}
LABELS: dict[str, str] = {
    "units": "units",
    "embed_dim": "embedding size",
    "epochs": "epochs",
    "batch_size": "batch size",
    "n_pairs": "pairs",
    "n_test": "held-out pairs",
    "seed": "seed",
    "learning_rate": "learning rate",
    "clipnorm": "clipping norm",
}


# ---------------------------------------------------------------- the document, as data


@dataclass(frozen=True)
class DocumentRun:
    """One run the document reports (TF1 nmt, IWSLT'15 Vietnamese -> English)."""

    attention: str  # "none" or the nmt flag it used ("scaled_luong")
    layers: int  # LSTM layers in the encoder and in the decoder
    units: int  # units per LSTM layer
    optimizer: str  # what the run's log shows
    learning_rate: float
    steps: int  # training steps
    dropout: float
    test_bleu: float  # BLEU on tst2013 (0-100)
    seconds: float | None  # training time, where the document prints it


DOCUMENT_RUNS: tuple[DocumentRun, ...] = (
    DocumentRun("none", 2, 128, "SGD", 1.0, 12_000, 0.2, 3.9, None),
    DocumentRun("scaled_luong", 2, 128, "SGD", 1.0, 12_000, 0.2, 17.5, 20_790.0),
)
DOCUMENT_SLIPS: tuple[str, ...] = ("slip_bahdanau", "slip_language", "slip_final_state", "slip_optimizer")


def document_slips(lang: str = "en") -> list[str]:
    """What the document gets wrong, one sentence each, in `lang`."""
    return [text("translate", key, lang) for key in DOCUMENT_SLIPS]


# ---------------------------------------------------------------- vocabularies and arrays


@dataclass(frozen=True)
class CharVocab:
    """Characters and their ids: 0 pad, 1 start, 2 end, 3 unknown, then the characters in sorted order."""

    chars: tuple[str, ...]  # every known character, sorted

    @classmethod
    def of(cls, sentences) -> CharVocab:
        return cls(tuple(sorted({ch for s in sentences for ch in s})))

    @property
    def size(self) -> int:
        return len(RESERVED) + len(self.chars)

    def token(self, i: int) -> str:
        return RESERVED[i] if i < len(RESERVED) else self.chars[i - len(RESERVED)]

    @functools.cached_property
    def _index(self) -> dict[str, int]:
        return {ch: i for i, ch in enumerate(self.chars, len(RESERVED))}

    def ids(self, sentence: str) -> list[int]:
        """Ids of the characters; an unseen character becomes UNKNOWN."""
        return [self._index.get(ch, UNKNOWN) for ch in sentence]

    def text_of(self, ids) -> str:
        """Characters up to the first END (pads and start skipped)."""
        out = []
        for i in ids:
            if i == END:
                break
            if i >= len(RESERVED):
                out.append(self.chars[i - len(RESERVED)])
        return "".join(out)


@dataclass(frozen=True)
class TranslateData:
    """Arrays for training and testing. Inputs are (source ids, decoder input ids); targets are ids."""

    train_inputs: tuple[np.ndarray, np.ndarray]  # (pairs, source steps), (pairs, target steps) int32
    train_targets: np.ndarray  # (pairs, target steps) int32: the decoder input shifted by one, END, pads
    test_inputs: tuple[np.ndarray, np.ndarray]  # the held-out pairs, same layout
    test_targets: np.ndarray
    train_pairs: tuple[Pair, ...]  # the sentences behind the arrays
    test_pairs: tuple[Pair, ...]
    source_vocab: CharVocab
    target_vocab: CharVocab
    max_source_len: int  # longest source in the corpus (typed inputs are limited to this)
    max_target_len: int  # longest target + END: the most steps greedy decoding takes


def corpus_pairs(config: TranslateConfig, uploaded: tuple[Pair, ...] = ()) -> tuple[Pair, ...]:
    """The generated corpus of `config`, or at most `n_pairs` of the uploaded pairs (a seeded sample)."""
    if config.task != "upload":
        return generate_pairs(config.task, config.variant, config.n_pairs, config.seed)
    if len(uploaded) <= config.n_pairs:
        return tuple(uploaded)
    keep = sorted(np.random.default_rng(config.seed).choice(len(uploaded), config.n_pairs, replace=False))
    return tuple(uploaded[i] for i in keep)


def _pad(rows: list[list[int]], width: int) -> np.ndarray:
    out = np.full((len(rows), width), PAD, dtype=np.int32)
    for i, row in enumerate(rows):
        out[i, : len(row)] = row
    return out


def encode_pairs(pairs, source_vocab: CharVocab, target_vocab: CharVocab, source_len: int, target_len: int):
    """((source ids, decoder inputs), decoder targets) padded to the given widths (targets include END)."""
    sources = [source_vocab.ids(s)[:source_len] for s, _ in pairs]
    targets = [target_vocab.ids(t)[: target_len - 1] for _, t in pairs]
    decoder_in = [[START, *t] for t in targets]  # teacher forcing: the true previous character
    decoder_out = [[*t, END] for t in targets]
    return (_pad(sources, source_len), _pad(decoder_in, target_len)), _pad(decoder_out, target_len)


def prepare_translate(config: TranslateConfig, pairs: tuple[Pair, ...]) -> TranslateData:
    """Split `pairs` (no held-out input is trained on), build vocabularies from training pairs, encode."""
    train, test = split_pairs(tuple(pairs), config.n_test, config.seed)
    source_vocab = CharVocab.of(s for s, _ in train)
    target_vocab = CharVocab.of(t for _, t in train)
    source_len = max(len(s) for s, _ in pairs)
    target_len = max(len(t) for _, t in pairs) + 1
    train_x, train_y = encode_pairs(train, source_vocab, target_vocab, source_len, target_len)
    test_x, test_y = encode_pairs(test, source_vocab, target_vocab, source_len, target_len)
    return TranslateData(
        train_x, train_y, test_x, test_y, train, test, source_vocab, target_vocab, source_len, target_len
    )


# ---------------------------------------------------------------- models


def _encoder(config: TranslateConfig, embedded, trained=None):
    """Encoder outputs (batch, source steps, units) and the decoder's initial state [h, c] of `units` each.

    With `trained` (a built model) its layers are reused; otherwise new ones are made.
    """
    import keras

    def layer(name, make):
        return trained.get_layer(name) if trained is not None else make()

    if config.encoder == "uni":
        lstm = layer(
            "encoder", lambda: keras.layers.LSTM(config.units, return_sequences=True, return_state=True, name="encoder")
        )
        outputs, h, c = lstm(embedded)
        return outputs, [h, c]
    half = keras.layers.LSTM(config.units // 2, return_sequences=True, return_state=True, name="encoder_lstm")
    outputs, fh, fc, bh, bc = layer("encoder", lambda: keras.layers.Bidirectional(half, name="encoder"))(embedded)
    join_h = layer("encoder_h", lambda: keras.layers.Concatenate(name="encoder_h"))
    join_c = layer("encoder_c", lambda: keras.layers.Concatenate(name="encoder_c"))
    return outputs, [join_h([fh, bh]), join_c([fc, bc])]


HEAD_LAYERS = ("attention", "context_and_state", "attentional", "output")  # after the decoder LSTM


def _head_layers(config: TranslateConfig, target_vocab_size: int) -> dict:
    """The layers after the decoder LSTM, by name (the attention ones only with attention)."""
    import keras

    layers = {"output": keras.layers.Dense(target_vocab_size, activation="softmax", name="output")}
    if config.attention:
        if config.attention_kind == "luong":  # score = g * (s_t . h_i): the document's "scaled Luong"
            layers["attention"] = keras.layers.Attention(use_scale=True, name="attention")
        else:  # score = v . tanh(s_t + h_i) (keras adds no W, U): Bahdanau's additive score, placed as Luong's
            layers["attention"] = keras.layers.AdditiveAttention(name="attention")
        layers["context_and_state"] = keras.layers.Concatenate(name="context_and_state")
        layers["attentional"] = keras.layers.Dense(config.units, activation="tanh", name="attentional")
    return layers


def _decoder_head(layers: dict, decoder_seq, encoder_outputs, source_mask):
    """Per-step probabilities (batch, steps, vocab) and attention weights (batch, steps, source steps) or None.

    With attention, each decoder state s_t (its current state, not a final one) scores every encoder
    output, the softmax weights average them into a context c_t, and tanh(W [c_t; s_t]) feeds the softmax.
    """
    if "attention" not in layers:
        return layers["output"](decoder_seq), None
    context, scores = layers["attention"](
        [decoder_seq, encoder_outputs], mask=[None, source_mask], return_attention_scores=True
    )
    hidden = layers["attentional"](layers["context_and_state"]([context, decoder_seq]))
    return layers["output"](hidden), scores


def build_translate_model(config: TranslateConfig, source_vocab_size: int, target_vocab_size: int):
    """Compiled training model (teacher forcing): [source ids, decoder input ids] -> next-character probabilities.

    Layers are named (source_embedding, encoder, target_embedding, decoder, then HEAD_LAYERS) so that
    `inference_models` can reuse them.
    """
    import keras

    source = keras.Input(shape=(None,), dtype="int32", name="source")  # (batch, source steps)
    decoder_in = keras.Input(shape=(None,), dtype="int32", name="decoder_in")  # (batch, target steps)
    embed = keras.layers.Embedding(source_vocab_size, config.embed_dim, mask_zero=True, name="source_embedding")
    encoder_outputs, state = _encoder(config, embed(source))
    target_embed = keras.layers.Embedding(target_vocab_size, config.embed_dim, name="target_embedding")
    decoder = keras.layers.LSTM(config.units, return_sequences=True, return_state=True, name="decoder")
    decoder_seq, _, _ = decoder(target_embed(decoder_in), initial_state=state)
    head = _head_layers(config, target_vocab_size)
    probs, _ = _decoder_head(head, decoder_seq, encoder_outputs, keras.ops.not_equal(source, PAD))
    model = keras.Model([source, decoder_in], probs, name="seq2seq_attention" if config.attention else "seq2seq")
    clip = {"global_clipnorm": config.clipnorm} if config.clipnorm else {}
    model.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate, **clip),
        loss=keras.losses.SparseCategoricalCrossentropy(ignore_class=PAD),  # pads after END cost nothing
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
    return model


def inference_models(model, config: TranslateConfig):
    """(encoder, decoder step) models sharing the trained layers' weights; they predict, they do not train.

    encoder: source ids (batch, S) -> [outputs (batch, S, units), h, c]
    step: [previous ids (batch, 1), h, c, encoder outputs, source ids] -> [probs (batch, 1, vocab), h, c]
          plus attention weights (batch, 1, S) when the model attends.
    """
    import keras

    source = keras.Input(shape=(None,), dtype="int32", name="source")
    outputs, state = _encoder(config, model.get_layer("source_embedding")(source), model)
    encoder = keras.Model(source, [outputs, *state], name="inference_encoder")
    previous = keras.Input(shape=(1,), dtype="int32", name="previous")
    h_in, c_in = keras.Input(shape=(config.units,), name="h"), keras.Input(shape=(config.units,), name="c")
    memory = keras.Input(shape=(None, config.units), name="encoder_outputs")
    step_source = keras.Input(shape=(None,), dtype="int32", name="step_source")
    embedded = model.get_layer("target_embedding")(previous)
    seq, h, c = model.get_layer("decoder")(embedded, initial_state=[h_in, c_in])
    head = {name: model.get_layer(name) for name in HEAD_LAYERS if name in {layer.name for layer in model.layers}}
    probs, scores = _decoder_head(head, seq, memory, keras.ops.not_equal(step_source, PAD))
    step_outputs = [probs, h, c] + ([scores] if scores is not None else [])
    step = keras.Model([previous, h_in, c_in, memory, step_source], step_outputs, name="inference_step")
    return encoder, step


# ---------------------------------------------------------------- greedy decoding


@dataclass(frozen=True)
class Translations:
    """Greedy outputs for a list of inputs and, with attention, where each output character looked."""

    texts: tuple[str, ...]  # one output per input, END and pads removed
    attention: tuple[np.ndarray, ...] | None  # per input: (output characters + END, input characters), rows sum to 1


def greedy_translate(model, config: TranslateConfig, data: TranslateData, sources, batch_size: int = 512):
    """Translate `sources` by feeding the decoder its own previous output, at most data.max_target_len steps."""
    encoder, step = inference_models(model, config)
    texts: list[str] = []
    maps: list[np.ndarray] = []
    sources = list(sources)
    for start in range(0, len(sources), batch_size):
        chunk = sources[start : start + batch_size]
        ids, weights = _greedy_batch(encoder, step, data, chunk)
        for row, (source, out) in enumerate(zip(chunk, ids, strict=True)):
            texts.append(data.target_vocab.text_of(out))
            if weights is not None:
                n_out = _steps_used(out)
                maps.append(weights[row, :n_out, : min(len(source), data.max_source_len)])
    return Translations(tuple(texts), tuple(maps) if config.attention else None)


def _steps_used(ids: np.ndarray) -> int:
    """Output steps up to and including the first END (all steps when none came)."""
    ends = np.flatnonzero(ids == END)
    return int(ends[0]) + 1 if ends.size else len(ids)


def _greedy_batch(encoder, step, data: TranslateData, sources: list[str]):
    """Output ids (batch, steps) and attention weights (batch, steps, source steps) or None."""
    width = max(1, min(data.max_source_len, max(len(s) for s in sources)))
    source = _pad([data.source_vocab.ids(s)[:width] for s in sources], width)
    memory, h, c = (np.asarray(t) for t in encoder.predict_on_batch(source))
    previous = np.full((len(sources), 1), START, dtype=np.int32)
    out_ids, out_weights = [], []
    for _ in range(data.max_target_len):
        outputs = step.predict_on_batch([previous, h, c, memory, source])
        probs, h, c = (np.asarray(t) for t in outputs[:3])
        probs = probs[:, -1].copy()  # (batch, vocab)
        probs[:, [PAD, START, UNKNOWN]] = -1  # it writes only characters or END
        previous = probs.argmax(axis=-1).astype(np.int32)[:, None]  # (batch, 1): its own output, fed back
        out_ids.append(previous[:, 0])
        if len(outputs) > 3:
            out_weights.append(np.asarray(outputs[3])[:, 0])  # (batch, source steps)
        if np.all(np.any(np.stack(out_ids, axis=1) == END, axis=1)):
            break
    weights = np.stack(out_weights, axis=1) if out_weights else None
    return np.stack(out_ids, axis=1), weights


# ---------------------------------------------------------------- typed input


@dataclass(frozen=True)
class TypedTranslation:
    """One typed input, its greedy translation and (with attention) the heat map of where each output looked."""

    source: str  # the input as the model read it
    output: str  # the translation (END removed)
    output_steps: tuple[str, ...]  # the characters of each decoder step, "<end>" last when it came
    weights: np.ndarray | None  # (output steps, input characters); each row sums to 1


def translate_text(model, config: TranslateConfig, data: TranslateData, source: str, lang: str = "en"):
    """Translate one typed input; AppError BAD_INPUT (in `lang`) when it is empty or longer than training inputs."""
    from core.errors import AppError, ErrorKind

    source = source.strip()
    if not source:
        raise AppError(ErrorKind.BAD_INPUT, text("translate", "input_empty", lang))
    if len(source) > data.max_source_len:
        raise AppError(ErrorKind.BAD_INPUT, text("translate", "input_too_long", lang, limit=data.max_source_len))
    result = greedy_translate(model, config, data, [source])
    output = result.texts[0]
    steps = tuple(output) + (() if len(output) >= data.max_target_len else (RESERVED[END],))
    weights = result.attention[0] if result.attention is not None else None
    return TypedTranslation(source, output, steps, weights)


# ---------------------------------------------------------------- scores and baselines


_TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\s\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
)


def bleu_tokens(sentence: str) -> list[str]:
    """Words split on white space; every Chinese or Japanese character is a word of its own."""
    return _TOKEN.findall(sentence)


def _ngrams(tokens: list[str], n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def corpus_bleu(references, candidates, max_n: int = 4) -> float:
    """Corpus BLEU-4 (Papineni et al. 2002), 0-100: clipped n-gram precisions summed over the corpus,
    their geometric mean, times the brevity penalty exp(1 - r/c) when the candidates are shorter (c <= r).
    One reference per candidate; no smoothing (any n-gram order without a match gives 0)."""
    matches, totals = [0] * max_n, [0] * max_n
    ref_len = cand_len = 0
    for reference, candidate in zip(references, candidates, strict=True):
        ref, cand = bleu_tokens(reference), bleu_tokens(candidate)
        ref_len, cand_len = ref_len + len(ref), cand_len + len(cand)
        for n in range(1, max_n + 1):
            cand_grams, ref_grams = _ngrams(cand, n), _ngrams(ref, n)
            matches[n - 1] += sum(min(count, ref_grams[gram]) for gram, count in cand_grams.items())
            totals[n - 1] += max(0, len(cand) - n + 1)
    if cand_len == 0 or min(matches) == 0:
        return 0.0
    log_precision = sum(math.log(m / t) for m, t in zip(matches, totals, strict=True)) / max_n
    brevity = 1.0 if cand_len > ref_len else math.exp(1 - ref_len / cand_len)
    return 100 * brevity * math.exp(log_precision)


def exact_match(targets, predictions) -> float:
    """Share of outputs equal to their target, 0-1."""
    targets, predictions = list(targets), list(predictions)
    return sum(p == t for p, t in zip(predictions, targets, strict=True)) / max(1, len(targets))


def char_accuracy(targets, predictions) -> float:
    """Characters right at their position, over the longer of output and target summed over pairs (0-1):
    a missing or an extra character counts as wrong."""
    right = total = 0
    for target, prediction in zip(targets, predictions, strict=True):
        right += sum(a == b for a, b in zip(target, prediction, strict=False))
        total += max(len(target), len(prediction))
    return right / max(1, total)


def baseline_outputs(train_pairs, test_pairs) -> dict[str, list[str]]:
    """What doing nothing clever gives on the held-out inputs.

    copy: the input itself; majority: the most common training target for every input;
    majority_char: at each position the most common training character, as long as the most common length.
    """
    counts = Counter(t for _, t in train_pairs)
    majority = min(counts, key=lambda t: (-counts[t], t))  # ties: the first in sorted order, for determinism
    length = min(Counter(len(t) for _, t in train_pairs).most_common(), key=lambda lc: (-lc[1], lc[0]))[0]
    columns = [Counter(t[i] for _, t in train_pairs if len(t) > i) for i in range(length)]
    per_char = "".join(min(col, key=lambda ch, col=col: (-col[ch], ch)) for col in columns)
    n = len(test_pairs)
    return {"copy": [s for s, _ in test_pairs], "majority": [majority] * n, "majority_char": [per_char] * n}


@dataclass(frozen=True)
class Scores:
    """Scores of one set of outputs on the held-out pairs (shares 0-1; BLEU 0-100 or None)."""

    exact_match: float
    char_accuracy: float
    bleu: float | None  # corpus BLEU-4, for uploaded sentence pairs only


@dataclass(frozen=True)
class TranslateScores:
    """The model's held-out scores, the baselines' on the same pairs, and the model's outputs."""

    model: Scores
    baselines: dict[str, Scores]  # "copy", "majority", "majority_char"
    predictions: tuple[str, ...]  # greedy outputs, in the order of data.test_pairs
    n_test: int


def score_outputs(targets, outputs, with_bleu: bool) -> Scores:
    targets, outputs = list(targets), list(outputs)
    bleu = corpus_bleu(targets, outputs) if with_bleu else None
    return Scores(exact_match(targets, outputs), char_accuracy(targets, outputs), bleu)


def score_translate(model, config: TranslateConfig, data: TranslateData) -> TranslateScores:
    """Greedy-decode every held-out input and score it, beside the baselines on the same pairs."""
    outputs = greedy_translate(model, config, data, [s for s, _ in data.test_pairs]).texts
    targets = [t for _, t in data.test_pairs]
    with_bleu = config.task == "upload"
    baselines = {
        name: score_outputs(targets, guess, with_bleu)
        for name, guess in baseline_outputs(data.train_pairs, data.test_pairs).items()
    }
    return TranslateScores(score_outputs(targets, outputs, with_bleu), baselines, outputs, len(targets))
