"""The generation spec on the one training path (tiny trainings), its stored step function, the shipped
models, and the checks made before any training."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from core import textgen
from core.charmodel import COURSE_SETTINGS, CharConfig
from core.corpora import load_corpus
from core.errors import AppError, ErrorKind
from core.ngram import ngram_baselines
from core.sampling import LINE_CHARS, QUATRAIN_PUNCTUATION, poem_lines

TEXT = load_corpus("shakespeare")[:6000]  # an "upload": 5,400 characters train, 600 are held out
TINY = CharConfig(corpus="upload", units=8, embed_dim=4, seq_len=16, window_step=16, epochs=2, steps_per_epoch=3)


@pytest.fixture(scope="module")
def tiny() -> textgen.CharResult:
    return textgen.run_textgen(TINY, TEXT, use_cache=False)


def test_the_spec_trains_and_scores_beside_the_baselines(tiny):
    assert tiny.steps == 6 and tiny.epochs_run == 2 and not tiny.cached
    assert len(tiny.history["loss"]) == len(tiny.history["val_loss"]) == 2  # default mode: a held-out curve
    assert tiny.baselines == pytest.approx(ngram_baselines(TEXT))  # the same held-out characters
    assert tiny.trained.meta["held_out_scored"] == 592  # 600 held-out characters, in whole chunks of 16
    assert 0 < tiny.val_nats_per_char < tiny.baselines["uniform"] + 0.5
    assert tiny.parameters == tiny.trained.model.count_params()


def test_results_are_plain_data(tiny):
    assert all(a.dtype.kind in "fiu" for a in tiny.trained.outputs.values())  # np.load needs no pickle
    json.dumps(tiny.trained.meta)
    assert tiny.vocab.chars == "".join(sorted(set(TEXT)))


def test_the_stored_step_function_replays_the_trained_model(tiny):
    ids = tiny.vocab.encode(TEXT[100:140])
    expected = np.asarray(tiny.trained.model(ids[None]))[0]  # (40, vocab) logits of the trained Keras model
    state, steps = None, []
    for char_id in ids:
        logits, state = tiny.stepper(state, int(char_id))
        steps.append(logits)
    assert np.max(np.abs(np.array(steps) - expected)) < 1e-4


def test_same_seed_same_model_and_same_text(tiny):
    again = textgen.run_textgen(TINY, TEXT, use_cache=False)
    assert again.val_nats_per_char == pytest.approx(tiny.val_nats_per_char, abs=1e-6)
    first = "".join(textgen.sample_stream(tiny, "ROMEO", 40, 1.0, 11))
    assert first == "".join(textgen.sample_stream(again, "ROMEO", 40, 1.0, 11)) and len(first) == 40
    assert first != "".join(textgen.sample_stream(tiny, "ROMEO", 40, 1.0, 12))


def test_the_cache_returns_the_same_training(tiny):
    config = dataclasses.replace(TINY, epochs=1, steps_per_epoch=1)
    trained = textgen.run_textgen(config, TEXT)
    assert not trained.cached and textgen.cached_textgen(config, TEXT).cached
    assert textgen.run_textgen(config, TEXT).val_nats_per_char == trained.val_nats_per_char


def test_course_mode_runs_its_few_steps_without_a_held_out_curve():
    config = dataclasses.replace(COURSE_SETTINGS, corpus="upload", units=4, epochs=1, steps_per_epoch=1)
    result = textgen.run_textgen(config, TEXT, use_cache=False)
    assert set(result.history) == {"loss", "accuracy"} and result.steps == 1
    assert result.trained.meta["held_out_scored"] == 24  # one target every 25 held-out characters
    assert result.stepper.window == 25 and result.stepper.embedding is None


def test_bad_texts_are_refused_before_training():
    with pytest.raises(AppError) as err:
        textgen.run_textgen(TINY, "   ")
    assert err.value.kind == ErrorKind.EMPTY_FILE
    with pytest.raises(AppError) as err:
        textgen.run_textgen(TINY, "short text " * 20)
    assert err.value.kind == ErrorKind.TEXT_TOO_SHORT and "2000" in err.value.sentence
    with pytest.raises(AppError, match="至少需要"):
        textgen.run_textgen(dataclasses.replace(TINY, seq_len=400, window_step=400), TEXT[:3000], lang="zh")


@pytest.mark.parametrize("corpus", ["shakespeare", "tang"])
def test_shipped_models_are_small_recorded_and_beat_the_trigram(corpus):
    arrays, record = textgen.shipped_paths(corpus)
    assert arrays.stat().st_size <= textgen.MAX_SHIPPED_BYTES
    result = textgen.load_shipped(corpus)
    assert result.shipped["script"] == "scripts/make_text_models.py" and result.cached
    assert result.config == dataclasses.replace(textgen.SHIPPED_SETTINGS[corpus], corpus=corpus)
    assert result.baselines == pytest.approx(textgen.corpus_baselines(result.config, load_corpus(corpus)))
    assert result.val_nats_per_char < result.baselines["trigram"]
    assert result.shipped["steps"] == result.steps and len(result.shipped["curve"]) == result.epochs_run


def test_shakespeare_shipped_model_reaches_the_issue_targets():
    result = textgen.load_shipped("shakespeare")
    assert result.val_nats_per_char < 2.06  # below the trigram (2.056)
    sample = "".join(textgen.sample_stream(result, "ROMEO:\n", 200, 0.8, 7))
    assert sample == "".join(textgen.sample_stream(result, "ROMEO:\n", 200, 0.8, 7))
    span = textgen.memorisation(result, sample, load_corpus("shakespeare"))
    assert 0 < span.length < 200 and span.occurrences >= 1


def test_shipped_tang_model_writes_a_quatrain():
    result = textgen.load_shipped("tang")
    poem = "".join(textgen.poem_stream(result, "春", 0.8, 7))
    lines = poem_lines(poem)
    assert len(lines) == 4 and poem[0] == "春"
    assert [line[-1] for line in lines] == list(QUATRAIN_PUNCTUATION)
    assert all(len(line) == LINE_CHARS + 1 and line[:-1].isalpha() for line in lines)


def test_a_missing_shipped_model_is_a_sentence(monkeypatch, tmp_path):
    monkeypatch.setattr(textgen, "SHIPPED_DIR", tmp_path)
    textgen.load_shipped.cache_clear()
    try:
        with pytest.raises(AppError, match="scripts/make_text_models.py"):
            textgen.load_shipped("shakespeare")
    finally:
        textgen.load_shipped.cache_clear()
