"""The translation spec on the one training path (tiny trainings), the NumPy replay of greedy decoding
against Keras, attention map shapes for typed inputs, and uploads checked before any training."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from core import translation
from core.errors import AppError, ErrorKind
from core.seq2seq_replay import greedy, weights_from_arrays, weights_from_model, weights_to_arrays
from core.translate import (
    TranslateConfig,
    build_translate_model,
    corpus_pairs,
    prepare_translate,
    translate_text,
)

# One batch per epoch (50 training pairs): one traced shape, the quickest training there is.
TINY = TranslateConfig(units=8, embed_dim=4, n_pairs=60, n_test=10, epochs=1, batch_size=64, variant="short")


@pytest.mark.parametrize(
    ("attention", "kind", "encoder"),
    [(True, "luong", "uni"), (True, "bahdanau", "bi"), (False, "luong", "bi"), (True, "luong", "bi")],
)
def test_numpy_replay_is_keras_greedy_decoding(attention, kind, encoder):
    import keras

    config = dataclasses.replace(TINY, variant="long", attention=attention, attention_kind=kind, encoder=encoder)
    data = prepare_translate(config, corpus_pairs(config))
    keras.utils.set_random_seed(3)
    model = build_translate_model(config, data.source_vocab.size, data.target_vocab.size)
    rng = np.random.default_rng(0)  # untrained weights are too small to write anything but one character
    model.set_weights([w + rng.normal(0, 0.5, w.shape).astype(w.dtype) for w in model.get_weights()])
    arrays, layout = weights_to_arrays(weights_from_model(model, kind if attention else None))
    weights = weights_from_arrays(arrays, layout)  # through the stored form, as a page gets them
    for source, _ in data.test_pairs[:3]:
        expected = translate_text(model, config, data, source)
        ids, rows = greedy(weights, data.source_vocab.ids(source), data.max_target_len)
        assert data.target_vocab.text_of(ids) == expected.output and expected.output
        if attention:
            assert rows.shape == expected.weights.shape == (len(ids), len(source))
            assert np.max(np.abs(rows - expected.weights)) < 1e-5
        else:
            assert rows is None and expected.weights is None


@pytest.fixture(scope="module")
def trained() -> translation.TranslateResult:
    return translation.run_translate(TINY, use_cache=False)


def test_the_spec_trains_and_scores_beside_the_baselines(trained):
    assert trained.n_test == 10 and len(trained.examples) == 10 and trained.bleu is None
    assert 0 <= trained.exact_match <= 1 and 0 <= trained.char_accuracy <= 1
    assert set(trained.baselines) == {"copy", "majority", "majority_char"}
    assert set(trained.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(a.dtype.kind in "fiu" for a in trained.trained.outputs.values())
    json.dumps(trained.trained.meta)


def test_typed_input_gets_a_translation_and_an_attention_map_of_its_shape(trained):
    found = trained.translate("  May 6, 2019 ")
    assert found.source == "May 6, 2019"
    assert found.weights.shape == (len(found.output_steps), len(found.source))
    assert np.allclose(found.weights.sum(axis=1), 1, atol=1e-5)
    assert found.output_steps[: len(found.output)] == tuple(found.output)
    odd = trained.translate("May 6, 2019 ©")
    assert "©" in odd.unknown and odd.weights.shape[1] == len("May 6, 2019 ©")


def test_typed_input_errors_are_sentences(trained):
    with pytest.raises(AppError, match="Type something"):
        trained.translate("   ")
    with pytest.raises(AppError, match=str(trained.max_source_len)):
        trained.translate("1" * (trained.max_source_len + 1))
    with pytest.raises(AppError, match="请输入"):
        trained.translate("", lang="zh")


def tsv(n: int) -> bytes:
    return "".join(f"{k} apples\t{k} 个苹果\n" for k in range(n)).encode("utf-8")


def test_uploads_are_checked_before_training():
    with pytest.raises(AppError) as err:
        translation.run_translate(dataclasses.replace(TINY, task="upload"))
    assert err.value.kind == ErrorKind.BAD_INPUT and "Upload a TSV" in err.value.sentence
    with pytest.raises(AppError) as err:
        translation.upload_config(TINY, b"one\ttwo\tthree\n" * 120)
    assert "3 columns" in err.value.sentence
    config = translation.upload_config(TranslateConfig(), tsv(150))
    assert (config.task, config.n_pairs, config.n_test) == ("upload", 150, 15)
    small = translation.upload_config(TranslateConfig(n_pairs=100, n_test=40), tsv(150))
    assert (small.n_pairs, small.n_test) == (100, 10)


def test_uploaded_pairs_get_a_bleu_and_a_model_without_attention_no_map():
    data = tsv(120)
    config = translation.upload_config(dataclasses.replace(TINY, attention=False), data)
    result = translation.run_translate(config, data, use_cache=False)
    assert 0 <= result.bleu <= 100 and result.n_test == 6 and result.baselines["copy"]["bleu"] is not None
    found = result.translate("7 apples")
    assert found.weights is None and result.trained.meta["layout"]["attention"] is None
