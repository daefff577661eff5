"""Counting baselines: the issue's tiny-shakespeare figures, the Tang figures, and the definition."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from core.corpora import Vocab, load_corpus, split_index
from core.ngram import BASELINE_NAMES, DISCOUNT, gram_ids, ngram_baselines, ngram_nats


@pytest.fixture(scope="module")
def shakespeare() -> dict[str, float]:
    began = time.perf_counter()
    figures = ngram_baselines(load_corpus("shakespeare"))
    figures["_seconds"] = time.perf_counter() - began
    return figures


def test_issue_figures_for_tiny_shakespeare(shakespeare):
    printed = {k: round(v, 3) for k, v in shakespeare.items() if k in BASELINE_NAMES}
    assert printed == {
        "uniform": 4.174,
        "unigram": 3.347,
        "bigram": 2.487,
        "trigram": 2.056,
        "4-gram": 1.790,
        "5-gram": 1.692,
    }
    assert shakespeare["uniform"] == pytest.approx(math.log(65))


def test_baselines_are_quick(shakespeare):
    assert shakespeare["_seconds"] < 15  # a few seconds on a quiet 2-core machine; slack for a busy one


def test_tang_figures():
    figures = {k: round(v, 3) for k, v in ngram_baselines(load_corpus("tang")).items()}
    assert figures == {
        "uniform": 8.708,
        "unigram": 6.492,
        "bigram": 5.718,
        "trigram": 5.714,
        "4-gram": 5.737,
        "5-gram": 5.734,
    }
    assert figures["uniform"] == round(math.log(6054), 3)


def test_tang_figures_with_the_default_vocabulary_cap():
    from core.charmodel import CharConfig, model_text

    text = model_text(CharConfig.for_mode("default", "tang"), load_corpus("tang"))  # 3,000 characters
    figures = {k: round(v, 3) for k, v in ngram_baselines(text).items()}
    assert figures == {
        "uniform": 8.006,
        "unigram": 6.338,
        "bigram": 5.584,
        "trigram": 5.583,
        "4-gram": 5.607,
        "5-gram": 5.604,
    }


def _reference(ids: list[int], split: int, vocab_size: int, order: int, discount: float = DISCOUNT) -> float:
    """The definition in core/ngram.py's docstring, written out with dictionaries."""
    from collections import Counter

    def counts(n):
        grams = Counter(tuple(ids[p - n + 1 : p + 1]) for p in range(n - 1, split))
        contexts, followers = Counter(), Counter()
        for gram, c in grams.items():
            contexts[gram[:-1]] += c
            followers[gram[:-1]] += 1
        return grams, contexts, followers

    tables = [counts(n) for n in range(1, order + 1)]
    total = 0.0
    for p in range(split, len(ids)):
        prob = 1.0 / vocab_size
        for n in range(1, order + 1):
            grams, contexts, followers = tables[n - 1]
            gram = tuple(ids[p - n + 1 : p + 1])
            c_h = contexts[gram[:-1]]
            if c_h:
                prob = (max(grams[gram] - discount, 0) + discount * followers[gram[:-1]] * prob) / c_h
        total -= math.log(prob)
    return total / (len(ids) - split)


def test_matches_the_written_definition_on_a_small_text():
    rng = np.random.default_rng(3)
    ids = rng.choice(6, size=400, p=[0.4, 0.2, 0.15, 0.1, 0.1, 0.05]).tolist()
    ids[-5:] = [5, 5, 5, 5, 5]  # held-out contexts never seen in training
    figures = ngram_nats(np.array(ids), 300, 7, max_order=5)  # id 6 never occurs at all
    for n, name in enumerate(BASELINE_NAMES):
        expected = math.log(7) if n == 0 else _reference(ids, 300, 7, n)
        assert figures[name] == pytest.approx(expected, rel=1e-12)


def test_unseen_character_still_gets_a_probability():
    text = "ab" * 100 + "abz"  # z never appears in the training part
    vocab = Vocab.from_text(text)
    figures = ngram_nats(vocab.encode(text), len(text) - 3, vocab.size, max_order=2)
    assert all(np.isfinite(v) for v in figures.values())
    assert figures["bigram"] == pytest.approx(_reference(vocab.encode(text).tolist(), len(text) - 3, 3, 2))


def test_gram_ids_are_dense_and_consistent():
    ids = np.array([0, 1, 0, 1, 2, 0, 1])
    grams = gram_ids(ids, 3, 3)
    assert grams[0].tolist() == ids.tolist()
    assert grams[1][0] == -1 and grams[1][1] == grams[1][3]  # "01" at 1 and 3
    assert grams[1][2] != grams[1][1]  # "10"
    assert grams[2][:2].tolist() == [-1, -1] and grams[2][3] != grams[2][6]  # "101" vs "201"
    assert set(grams[2][2:].tolist()) == set(range(grams[2].max() + 1))


def test_split_and_orders_are_checked():
    ids = np.zeros(10, np.int64)
    with pytest.raises(ValueError, match="split"):
        ngram_nats(ids, 10, 1)
    with pytest.raises(ValueError, match="split"):
        ngram_nats(ids, 2, 1)
    with pytest.raises(ValueError, match="max_order"):
        ngram_nats(ids, 8, 1, max_order=6)
    with pytest.raises(ValueError, match="vocab_size"):
        ngram_nats(np.array([0, 1, 2, 3, 4, 5, 6, 7]), 6, 3)


def test_short_text_uses_the_same_split():
    text = ("the cat sat on the mat. " * 100)[:2000]
    figures = ngram_baselines(text)
    assert list(figures) == list(BASELINE_NAMES)
    assert figures["5-gram"] < 0.1  # a repeated sentence is almost certain after four characters
    assert split_index(len(text)) == 1800
