"""Sampling: temperature, determinism, streaming from a prompt, memorisation and Tang quatrains."""

from __future__ import annotations

import itertools
import time
from collections import Counter

import numpy as np
import pytest

from core.corpora import Vocab, load_corpus, split_text
from core.errors import AppError, ErrorKind
from core.sampling import (
    QUATRAIN_PUNCTUATION,
    Choice,
    VerbatimSpan,
    generate,
    generate_text,
    longest_verbatim_span,
    poem_lines,
    quatrain,
    sample,
    tempered_probabilities,
    top_after,
    top_next,
)

LOGITS = np.log(np.array([0.5, 0.2, 0.15, 0.1, 0.05]))  # a fixed distribution: softmax(LOGITS) = these


def bigram_step(vocab: Vocab, text: str):
    """A model without TensorFlow: logits = log of smoothed bigram counts; state = nothing."""
    ids = vocab.encode(text)
    counts = np.ones((vocab.size, vocab.size))
    np.add.at(counts, (ids[:-1], ids[1:]), 1)
    table = np.log(counts / counts.sum(axis=1, keepdims=True))

    def step(state, char_id):
        calls = 0 if state is None else state
        return table[char_id], calls + 1

    return step


# ---------------------------------------------------------------- one character


def test_temperature_one_is_the_softmax():
    assert tempered_probabilities(LOGITS, 1.0) == pytest.approx([0.5, 0.2, 0.15, 0.1, 0.05])


def test_temperature_reshapes_the_distribution():
    p = np.array([0.5, 0.2, 0.15, 0.1, 0.05])
    cold = tempered_probabilities(LOGITS, 0.5)
    assert cold == pytest.approx(p**2 / np.sum(p**2))  # exp(log p / 0.5) = p^2
    hot = tempered_probabilities(LOGITS, 100.0)
    assert hot == pytest.approx(np.full(5, 0.2), abs=0.01)
    assert tempered_probabilities(LOGITS, 0).tolist() == [1, 0, 0, 0, 0]
    with pytest.raises(ValueError):
        tempered_probabilities(LOGITS, -1)


def test_sample_frequencies_match_the_softmax_chi_square():
    # 5,000 draws at T = 1 from a fixed distribution; chi-square with 4 degrees of freedom.
    rng = np.random.default_rng(2024)
    draws = [sample(LOGITS, 1.0, rng) for _ in range(5000)]
    observed = np.bincount(draws, minlength=5)
    expected = 5000 * np.array([0.5, 0.2, 0.15, 0.1, 0.05])
    chi_square = float(np.sum((observed - expected) ** 2 / expected))
    assert chi_square < 13.28  # the 99% point of chi-square(4): a true softmax sampler fails 1 seed in 100
    wrong = 5000 * tempered_probabilities(LOGITS, 0.5)  # the same draws are far from a T = 0.5 sampler
    assert float(np.sum((observed - wrong) ** 2 / wrong)) > 100


def test_temperature_zero_is_argmax_without_drawing():
    rng = np.random.default_rng(0)
    before = rng.bit_generator.state
    assert [sample(np.array([0.1, 3.0, 2.9]), 0, rng) for _ in range(5)] == [1] * 5
    assert rng.bit_generator.state == before


def test_masked_characters_are_never_drawn():
    logits = np.array([-np.inf, 0.0, -np.inf, 0.0])
    rng = np.random.default_rng(1)
    assert set(sample(logits, 2.0, rng) for _ in range(200)) == {1, 3}


def test_top_next_lists_the_likeliest_first():
    vocab = Vocab("abcde")
    top = top_next(LOGITS, vocab)
    assert [ch for ch, _ in top] == ["a", "b", "c", "d", "e"]
    assert [round(p, 2) for _, p in top] == [0.5, 0.2, 0.15, 0.1, 0.05]
    assert [ch for ch, _ in top_next(LOGITS, vocab, k=2)] == ["a", "b"]


# ---------------------------------------------------------------- generation


@pytest.fixture(scope="module")
def shakespeare():
    text = load_corpus("shakespeare")
    vocab = Vocab.from_text(text)
    return vocab, bigram_step(vocab, split_text(text)[0]), split_text(text)[0]


def test_same_seed_same_text_other_seed_other_text(shakespeare):
    vocab, step, _ = shakespeare
    first = generate_text(step, vocab, "ROMEO:", 200, 1.0, rng=7)
    assert len(first) == 200
    assert generate_text(step, vocab, "ROMEO:", 200, 1.0, rng=7) == first
    assert generate_text(step, vocab, "ROMEO:", 200, 1.0, rng=np.random.default_rng(7)) == first
    assert generate_text(step, vocab, "ROMEO:", 200, 1.0, rng=8) != first


def test_temperature_zero_follows_the_argmax_chain(shakespeare):
    vocab, step, _ = shakespeare
    text = generate_text(step, vocab, "th", 12, 0.0, rng=1)
    assert text == generate_text(step, vocab, "th", 12, 0.0, rng=2)  # no randomness at T = 0
    previous = "h"
    for ch in text:  # each character is the likeliest after the one before
        logits, _ = step(None, vocab.chars.index(previous))
        assert ch == vocab.chars[int(np.argmax(logits))]
        previous = ch
    assert text == "e the the th"  # a cold bigram loops on its likeliest word


def test_generation_streams_and_reads_the_prompt_first():
    vocab = Vocab("abc")
    seen = []

    def step(state, char_id):
        seen.append(vocab.chars[char_id])
        logits = np.full(3, -np.inf)
        logits[(char_id + 1) % 3] = 0.0  # the next letter, for sure
        return logits, len(seen)

    stream = generate(step, vocab, "ab", 5, 1.0, rng=0)
    assert seen == []  # nothing runs before the first character is asked for
    assert next(stream) == "c" and seen == ["a", "b"]
    assert "".join(stream) == "abca"
    assert seen == list("ab") + list("cabc")  # each drawn character is fed back, except the last
    assert "".join(itertools.islice(generate(step, vocab, "c", 1000, 1.0), 3)) == "abc"


def test_record_gives_the_top_five_at_every_position(shakespeare):
    vocab, step, _ = shakespeare
    record: list[Choice] = []
    text = "".join(generate(step, vocab, "First ", 30, 0.7, rng=3, record=record))
    assert [c.position for c in record] == list(range(30))
    assert "".join(c.chosen for c in record) == text
    for choice in record:
        assert len(choice.top) == 5 and not choice.forced
        probabilities = [p for _, p in choice.top]
        assert probabilities == sorted(probabilities, reverse=True) and 0 < sum(probabilities) <= 1


def test_top_after_a_typed_context(shakespeare):
    vocab, step, training = shakespeare
    top = top_after(step, vocab, "KING HENR")  # this model reads only the last character, "R"
    followers = Counter(training[i + 1] for i in range(len(training) - 1) if training[i] == "R")
    best, count = followers.most_common(1)[0]
    assert len(top) == 5 and top[0][0] == best
    assert top[0][1] == pytest.approx((count + 1) / (followers.total() + vocab.size))
    with pytest.raises(AppError, match="prompt"):
        top_after(step, vocab, "")


@pytest.mark.parametrize(
    ("prompt", "temperature", "length", "kind", "words"),
    [
        ("", 1.0, 10, ErrorKind.BAD_INPUT, "prompt"),
        ("ROMEO: 你好", 1.0, 10, ErrorKind.BAD_INPUT, "'你' '好'"),
        ("ROMEO:", -0.1, 10, ErrorKind.BAD_SETTING, "temperature"),
        ("ROMEO:", 6.0, 10, ErrorKind.BAD_SETTING, "temperature"),
        ("ROMEO:", 1.0, 0, ErrorKind.BAD_SETTING, "length"),
        ("ROMEO:", 1.0, 10**6, ErrorKind.BAD_SETTING, "length"),
    ],
    ids=["empty", "unknown", "cold", "hot", "zero", "long"],
)
def test_bad_requests_get_a_sentence_before_any_character(shakespeare, prompt, temperature, length, kind, words):
    vocab, step, _ = shakespeare
    with pytest.raises(AppError) as err:
        generate(step, vocab, prompt, length, temperature)  # raised by the call, not by the first next()
    assert err.value.kind == kind and words in str(err.value)


def test_empty_prompt_sentence_in_chinese(shakespeare):
    vocab, step, _ = shakespeare
    with pytest.raises(AppError, match="请输入"):
        generate(step, vocab, "", 10, lang="zh")


# ---------------------------------------------------------------- memorisation


def test_longest_verbatim_span_small_cases():
    training = "the cat sat on the mat"
    assert longest_verbatim_span("a cat sat here", training) == VerbatimSpan(" cat sat ", 1, 3, 1)
    assert longest_verbatim_span("xyz", training) == VerbatimSpan("", 0, -1, 0)
    assert longest_verbatim_span("", training).length == 0
    span = longest_verbatim_span("on the", training)
    assert (span.text, span.start, span.training_start, span.occurrences) == ("on the", 0, 12, 1)
    assert longest_verbatim_span("zthez", training).occurrences == 2  # "the" twice


def test_longest_verbatim_span_matches_brute_force():
    rng = np.random.default_rng(5)
    training = "".join(rng.choice(list("abc"), 300))
    for _ in range(20):
        sample_text = "".join(rng.choice(list("abcd"), 40))
        best = max((j - i for i in range(40) for j in range(i + 1, 41) if sample_text[i:j] in training), default=0)
        assert longest_verbatim_span(sample_text, training).length == best


def test_memorisation_check_is_quick_on_a_megabyte(shakespeare):
    _, _, training = shakespeare
    quoted = training[500_000:500_120]  # 120 characters copied from the training text
    sample_text = "Qx" * 100 + quoted + "zQ" * 200  # 720 characters
    began = time.perf_counter()
    longest_verbatim_span("warm up", training)  # builds the training text's index once (about 1 s)
    built = time.perf_counter()
    span = longest_verbatim_span(sample_text, training)
    assert built - began < 20 and time.perf_counter() - built < 3  # slack for a busy machine
    assert span.start <= 200 and span.length >= 120 and quoted in span.text
    assert training[span.training_start : span.training_start + span.length] == span.text


# ---------------------------------------------------------------- Tang quatrains


@pytest.fixture(scope="module")
def tang():
    text = load_corpus("tang")[:200_000]
    vocab = Vocab.from_text(text)
    return vocab, bigram_step(vocab, text)


def test_quatrain_is_a_five_by_four_grid_with_forced_punctuation(tang):
    vocab, step = tang
    for seed in range(20):
        poem = "".join(quatrain(step, vocab, temperature=1.5, rng=seed))
        lines = poem_lines(poem)
        assert len(poem) == 24 and len(lines) == 4
        assert [line[-1] for line in lines] == list(QUATRAIN_PUNCTUATION)
        assert all(len(line) == 6 and all(ch.isalpha() for ch in line[:5]) for line in lines)


def test_quatrain_starts_from_the_prompt_and_records_what_was_forced(tang):
    vocab, step = tang
    record: list[Choice] = []
    poem = "".join(quatrain(step, vocab, "白日，依山", 0.8, rng=1, record=record))
    assert poem.startswith("白日依山")
    assert [c.forced for c in record[:5]] == [True, True, True, True, False]
    assert [c.position for c in record if c.forced][4:] == [5, 11, 17, 23]  # the four marks
    same = "".join(quatrain(step, vocab, "白日，依山", 0.8, rng=1))
    assert same == poem


def test_quatrain_refuses_punctuation_unknown_or_too_many_characters(tang):
    vocab, step = tang
    with pytest.raises(AppError, match="'□'"):
        quatrain(step, vocab, "白□")
    with pytest.raises(AppError, match="'x'"):
        quatrain(step, vocab, "白x")
    with pytest.raises(AppError, match="21"):
        quatrain(step, vocab, "白" * 21)
    english = Vocab("\nabc")
    with pytest.raises(AppError, match="Tang"):
        quatrain(step, english)
    with pytest.raises(AppError, match="唐诗"):
        quatrain(step, english, lang="zh")


def test_poem_lines():
    assert poem_lines("白日依山盡，黃河入海流。") == ["白日依山盡，", "黃河入海流。"]
    assert poem_lines("白日依") == ["白日依"]
