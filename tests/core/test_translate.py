"""Seq2seq translation: config, vocabularies, arrays for teacher forcing, tiny untrained models (shapes,
shared weights, attention rows summing to 1), greedy decoding, scores, BLEU and the document's figures.
Nothing here trains a model."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from core.errors import AppError, ErrorKind
from core.translate import (
    DOCUMENT_RUNS,
    END,
    PAD,
    RESERVED,
    START,
    UNKNOWN,
    CharVocab,
    Scores,
    TranslateConfig,
    baseline_outputs,
    bleu_tokens,
    build_translate_model,
    char_accuracy,
    corpus_bleu,
    corpus_pairs,
    document_slips,
    exact_match,
    greedy_translate,
    inference_models,
    prepare_translate,
    score_outputs,
    score_translate,
    translate_text,
)

TINY = {"units": 8, "embed_dim": 4, "n_pairs": 60, "n_test": 10}


def tiny(**changes) -> TranslateConfig:
    return TranslateConfig(**(TINY | changes))


@pytest.fixture(scope="module")
def long_dates():
    config = tiny(variant="long")
    return config, prepare_translate(config, corpus_pairs(config))


# ---------------------------------------------------------------- config


def test_config_is_hashable_and_validated():
    config = TranslateConfig()
    assert hash(config) == hash(TranslateConfig())
    assert config.task == "dates" and config.variant == "long" and config.attention
    for field, value, words in [
        ("task", "poems", "dates, numerals, upload"),
        ("variant", "medium", "short, long"),
        ("attention_kind", "dot", "luong, bahdanau"),
        ("encoder", "tri", "uni, bi"),
        ("attention", "yes", "True or False"),
        ("units", 0, "Units"),
        ("learning_rate", 0.0, "Learning rate"),
        ("n_test", 5000, "Held-out pairs"),
    ]:
        with pytest.raises(ValueError, match=words):
            dataclasses.replace(config, **{field: value})
    with pytest.raises(ValueError, match="even"):
        TranslateConfig(encoder="bi", units=63)
    assert TranslateConfig(encoder="uni", units=63).units == 63


# ---------------------------------------------------------------- vocabularies and arrays


def test_char_vocab_reserves_pad_start_end_unknown():
    vocab = CharVocab.of(["ba", "ab!"])
    assert vocab.chars == ("!", "a", "b") and vocab.size == 7
    assert (PAD, START, END, UNKNOWN) == (0, 1, 2, 3) and [vocab.token(i) for i in range(4)] == list(RESERVED)
    assert vocab.ids("ab?") == [5, 6, UNKNOWN]
    assert vocab.text_of([5, 6, END, 5]) == "ab"
    assert vocab.text_of([START, 4, PAD, 6]) == "!b"


def test_prepare_builds_teacher_forcing_arrays(long_dates):
    config, data = long_dates
    (source, decoder_in), target = data.train_inputs, data.train_targets
    n_train = config.n_pairs - config.n_test
    assert source.shape == (n_train, data.max_source_len) and source.dtype == np.int32
    assert decoder_in.shape == target.shape == (n_train, data.max_target_len)
    assert data.max_target_len == 3 * 11  # three ISO dates and two spaces, then END
    assert data.test_inputs[0].shape == (config.n_test, data.max_source_len)
    assert (decoder_in[:, 0] == START).all()
    assert (decoder_in[:, 1:] == target[:, :-1]).all()  # the decoder reads the true previous character
    assert (target[:, -1] == END).all()
    first_source, first_target = data.train_pairs[0]
    assert data.source_vocab.text_of(source[0]) == first_source
    assert data.target_vocab.text_of(target[0]) == first_target
    assert not {s for s, _ in data.train_pairs} & {s for s, _ in data.test_pairs}


def test_vocabularies_come_from_training_pairs_only():
    config = tiny(task="upload", n_pairs=40, n_test=4)
    pairs = tuple((f"{i:02d}", f"t{i:02d}") for i in range(40))
    data = prepare_translate(config, pairs)
    train_chars = {ch for s, _ in data.train_pairs for ch in s}
    assert set(data.source_vocab.chars) == train_chars


def test_upload_corpus_keeps_at_most_n_pairs_reproducibly():
    uploaded = tuple((f"s{i}", f"t{i}") for i in range(100))
    config = tiny(task="upload", n_pairs=50)
    kept = corpus_pairs(config, uploaded)
    assert len(kept) == 50 and kept == corpus_pairs(config, uploaded) and set(kept) <= set(uploaded)
    assert corpus_pairs(dataclasses.replace(config, n_pairs=200), uploaded) == uploaded


# ---------------------------------------------------------------- models


@pytest.mark.parametrize(
    ("attention", "kind", "encoder"),
    [(True, "luong", "bi"), (True, "bahdanau", "uni"), (False, "luong", "bi"), (False, "luong", "uni")],
)
def test_training_model_shapes_and_compilation(long_dates, attention, kind, encoder):
    config, data = long_dates
    config = dataclasses.replace(config, attention=attention, attention_kind=kind, encoder=encoder)
    model = build_translate_model(config, data.source_vocab.size, data.target_vocab.size)
    probs = np.asarray(model.predict_on_batch([data.train_inputs[0][:3], data.train_inputs[1][:3]]))
    assert probs.shape == (3, data.max_target_len, data.target_vocab.size)
    assert np.allclose(probs.sum(axis=-1), 1, atol=1e-5)
    assert model.optimizer is not None and model.loss.ignore_class == PAD
    names = {layer.name for layer in model.layers}
    assert ("attention" in names) == attention
    if attention:
        wanted = "Attention" if kind == "luong" else "AdditiveAttention"
        assert type(model.get_layer("attention")).__name__ == wanted


def test_inference_models_share_the_trained_weights(long_dates):
    config, data = long_dates
    model = build_translate_model(config, data.source_vocab.size, data.target_vocab.size)
    encoder, step = inference_models(model, config)
    for name in ("source_embedding", "encoder"):
        assert encoder.get_layer(name) is model.get_layer(name)
    for name in ("target_embedding", "decoder", "attention", "attentional", "output"):
        assert step.get_layer(name) is model.get_layer(name)
    assert encoder.count_params() + step.count_params() == model.count_params()


@pytest.mark.parametrize("attention", [True, False])
def test_greedy_decoding_is_the_teacher_forced_model_fed_its_own_outputs(long_dates, attention):
    config, data = long_dates
    config = dataclasses.replace(config, attention=attention)
    model = build_translate_model(config, data.source_vocab.size, data.target_vocab.size)
    sources = [s for s, _ in data.test_pairs[:4]]
    result = greedy_translate(model, config, data, sources)
    for source, out in zip(sources, result.texts, strict=True):
        ids = data.target_vocab.ids(out)
        steps = min(len(ids) + 1, data.max_target_len)
        decoder_in = np.array([[START, *ids][:steps]], dtype=np.int32)
        source_ids = np.array([data.source_vocab.ids(source)], dtype=np.int32)
        probs = np.asarray(model.predict_on_batch([source_ids, decoder_in]))[0]
        probs[:, [PAD, START, UNKNOWN]] = -1  # greedy decoding writes only characters or END
        forced = probs.argmax(axis=-1)
        assert data.target_vocab.text_of(forced) == out


def test_attention_map_is_output_steps_by_input_characters_and_rows_sum_to_one(long_dates):
    config, data = long_dates
    model = build_translate_model(config, data.source_vocab.size, data.target_vocab.size)
    sources = [s for s, _ in data.test_pairs[:3]] + ["May 6, 19"]
    result = greedy_translate(model, config, data, sources)
    assert len(result.attention) == 4
    for source, out, weights in zip(sources, result.texts, result.attention, strict=True):
        assert weights.shape[1] == len(source)
        assert weights.shape[0] in (len(out), len(out) + 1)  # + the step that wrote END
        assert np.allclose(weights.sum(axis=1), 1, atol=1e-5) and (weights >= 0).all()
    no_attention = dataclasses.replace(config, attention=False)
    plain = build_translate_model(no_attention, data.source_vocab.size, data.target_vocab.size)
    assert greedy_translate(plain, no_attention, data, sources).attention is None


def test_translate_text_returns_the_heat_map_and_refuses_bad_input(long_dates):
    config, data = long_dates
    model = build_translate_model(config, data.source_vocab.size, data.target_vocab.size)
    typed = translate_text(model, config, data, "  二〇一九年五月六日 ")
    assert typed.source == "二〇一九年五月六日"
    assert typed.weights.shape == (len(typed.output_steps), len(typed.source))
    assert "".join(s for s in typed.output_steps if s != "<end>") == typed.output
    for bad, words in [("   ", "Type something"), ("x" * (data.max_source_len + 1), "longer than")]:
        with pytest.raises(AppError) as caught:
            translate_text(model, config, data, bad)
        assert caught.value.kind == ErrorKind.BAD_INPUT and words in caught.value.sentence
    with pytest.raises(AppError, match="请输入"):
        translate_text(model, config, data, "", lang="zh")


def test_score_translate_scores_the_model_beside_the_baselines(long_dates):
    config, data = long_dates
    model = build_translate_model(config, data.source_vocab.size, data.target_vocab.size)
    scores = score_translate(model, config, data)
    assert scores.n_test == config.n_test == len(scores.predictions)
    assert set(scores.baselines) == {"copy", "majority", "majority_char"}
    assert scores.model.bleu is None  # BLEU only for uploaded sentence pairs
    assert 0 <= scores.model.exact_match <= 1 and 0 <= scores.model.char_accuracy <= 1
    targets, sources = [t for _, t in data.test_pairs], [s for s, _ in data.test_pairs]
    assert scores.baselines["copy"] == score_outputs(targets, sources, with_bleu=False)
    assert scores.model == score_outputs(targets, scores.predictions, with_bleu=False)


# ---------------------------------------------------------------- metrics and baselines


def test_bleu_on_a_hand_checked_sentence():
    # p1 = 5/6 ("the" is clipped to once), p2 = 3/5, p3 = 2/4, p4 = 1/3, equal lengths: BP = 1
    # BLEU = (5/6 * 3/5 * 2/4 * 1/3) ** (1/4) = (1/12) ** 0.25 = 0.5373
    assert corpus_bleu(["the cat sat on a mat"], ["the cat sat on the mat"]) == pytest.approx(53.73, abs=0.005)


def test_bleu_sums_counts_over_the_corpus_and_applies_the_brevity_penalty():
    # matches/totals: 9/10, 6/8, 4/6, 2/4; c = 10 < r = 11, so BP = exp(1 - 11/10)
    expected = 100 * math.exp(-0.1) * (0.9 * 0.75 * 4 / 6 * 0.5) ** 0.25
    refs, cands = ["the cat sat on a mat", "a b c d e"], ["the cat sat on the mat", "a b c d"]
    assert corpus_bleu(refs, cands) == pytest.approx(expected) == pytest.approx(62.32, abs=0.005)
    assert corpus_bleu(["a b c d"], ["a b c d"]) == 100
    assert corpus_bleu(["a b c d e"], ["a b c"]) == 0  # no 4-gram at all
    assert corpus_bleu(["a b"], [""]) == 0


def test_bleu_reads_each_chinese_character_as_a_word():
    assert bleu_tokens("我爱 cats, ok") == ["我", "爱", "cats,", "ok"]
    assert corpus_bleu(["我爱可爱的猫"], ["我爱可爱的猫"]) == 100


def test_exact_match_and_character_accuracy():
    targets = ["2019-05-06", "2020-01-02", "abc"]
    outputs = ["2019-05-06", "2020-01-03", "abcde"]
    assert exact_match(targets, outputs) == pytest.approx(1 / 3)
    # 10 + 9 + 3 right out of 10 + 10 + 5 (an extra character counts as wrong)
    assert char_accuracy(targets, outputs) == pytest.approx(22 / 25)
    assert char_accuracy(["abc"], [""]) == 0


def test_baselines_copy_majority_and_majority_per_character():
    train = tuple(zip("abcde", ["2019-05-06", "2019-05-06", "2018-05-07", "1999-05-07", "2011-05-07"], strict=True))
    test = (("May 6", "2019-05-06"), ("2020-01-02", "2020-01-02"))
    guesses = baseline_outputs(train, test)
    assert guesses["copy"] == ["May 6", "2020-01-02"]
    assert guesses["majority"] == ["2019-05-06"] * 2
    assert guesses["majority_char"] == ["2019-05-07"] * 2
    scores = score_outputs([t for _, t in test], guesses["copy"], with_bleu=False)
    assert scores == Scores(0.5, 0.5, None)  # "May 6" has no character in place; the copy of an ISO date has all


# ---------------------------------------------------------------- the document


def test_the_document_figures_and_slips():
    plain, attended = DOCUMENT_RUNS
    assert (plain.attention, plain.test_bleu) == ("none", 3.9)
    assert (attended.attention, attended.test_bleu, attended.seconds) == ("scaled_luong", 17.5, 20_790.0)
    for run in DOCUMENT_RUNS:
        assert (run.layers, run.units, run.optimizer, run.learning_rate, run.steps) == (2, 128, "SGD", 1.0, 12_000)
    english, chinese = document_slips("en"), document_slips("zh")
    assert len(english) == len(chinese) == 4
    assert "Bahdanau" in english[0] and "Luong" in english[0] and "Vietnamese" in english[1]
    assert "final state" in english[2] and "越南语" in chinese[1]
