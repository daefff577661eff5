"""Counting baselines: character n-gram models, scored in nats per character on the held-out text.

What a network buys over counting: every model of the text lab is compared with these numbers,
computed on the same held-out text (the last 10%, `core.corpora.split_index`), with counts taken
from the training part only.

The smoothing is interpolated absolute discounting (Ney, Essen and Kneser 1994) with D = 0.75,
recursively down to the uniform distribution. For a character x after the context h of n-1
characters (h' is h without its oldest character):

    P_0(x)     = 1 / V                                     (V = distinct characters of the whole text)
    P_n(x | h) = (max(c(hx) - D, 0) + D * N(h) * P_{n-1}(x | h')) / c(h)   if c(h) > 0
    P_n(x | h) = P_{n-1}(x | h')                                            if c(h) = 0

c(hx): times hx occurs in the training text; c(h): times h occurs followed by a training character;
N(h): distinct characters that follow h in the training text. Every held-out character gets a
probability above zero, even one never seen in training. Held-out characters near the split use the
training characters before them as context (the text is one stream).

This reproduces the issue's tiny-shakespeare figures exactly: uniform 4.174, unigram 3.347, bigram
2.487, trigram 2.056, 4-gram 1.790, 5-gram 1.692. (Kneser-Ney's continuation counts would score
lower, e.g. 1.566 for the 5-gram; plain add-k smoothing higher.)
"""

from __future__ import annotations

import numpy as np

BASELINE_NAMES: tuple[str, ...] = ("uniform", "unigram", "bigram", "trigram", "4-gram", "5-gram")
DISCOUNT = 0.75  # absolute discount D subtracted from every seen count
MAX_ORDER = 5  # the longest n-gram (the 5-gram reads 4 characters of context)


def gram_ids(ids: np.ndarray, order: int, vocab_size: int) -> list[np.ndarray]:
    """For n = 1..order: (len(ids),) dense id of the n-gram ending at each position (-1 before n-1).

    Ids are built order by order, (id of the (n-1)-gram before) * V + character, then renumbered
    densely, so they never overflow whatever the vocabulary size.
    """
    ids = np.asarray(ids, dtype=np.int64)
    grams = [ids]
    for n in range(2, order + 1):
        previous = grams[-1]
        keys = previous[n - 2 : -1] * vocab_size + ids[n - 1 :]  # positions n-1 .. end
        _, dense = np.unique(keys, return_inverse=True)
        grams.append(np.concatenate([np.full(n - 1, -1, np.int64), dense.reshape(-1)]))
    return grams


def _order_probabilities(
    gram: np.ndarray, context: np.ndarray, n: int, split: int, lower: np.ndarray, discount: float
) -> np.ndarray:
    """P_n of every held-out character, given P_{n-1} (`lower`) for the same characters."""
    train = slice(n - 1, split)  # positions whose whole n-gram lies in the training text
    grams_seen = gram[train]
    contexts_seen = context[train]
    n_contexts = int(context.max()) + 1
    count_gram = np.bincount(grams_seen, minlength=int(gram.max()) + 1)  # c(hx)
    count_context = np.bincount(contexts_seen, minlength=n_contexts)  # c(h)
    context_of_gram = np.zeros(len(count_gram), np.int64)
    context_of_gram[grams_seen] = contexts_seen  # an n-gram's context is part of it: one value per gram
    followers = np.bincount(context_of_gram[count_gram > 0], minlength=n_contexts)  # N(h)
    c_hx, c_h = count_gram[gram[split:]], count_context[context[split:]]
    n_h = followers[context[split:]]
    mixed = (np.maximum(c_hx - discount, 0.0) + discount * n_h * lower) / np.maximum(c_h, 1)
    return np.where(c_h > 0, mixed, lower)


def ngram_nats(
    ids: np.ndarray, split: int, vocab_size: int, max_order: int = MAX_ORDER, discount: float = DISCOUNT
) -> dict[str, float]:
    """Held-out nats per character of the uniform model and of the 1..max_order-gram models.

    ids: (length,) character ids of the whole text; [0, split) trains, [split, length) is scored.
    """
    ids = np.asarray(ids, dtype=np.int64)
    if not 1 <= max_order <= len(BASELINE_NAMES) - 1:
        raise ValueError(f"max_order must be from 1 to {len(BASELINE_NAMES) - 1} (got {max_order})")
    if not max_order <= split < len(ids):
        raise ValueError(f"split must leave at least {max_order} training and 1 held-out character (got {split})")
    if vocab_size < 1 or ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError("every id must be from 0 to vocab_size - 1")
    grams = gram_ids(ids, max_order, vocab_size)
    probability = np.full(len(ids) - split, 1.0 / vocab_size)  # P_0 for every held-out character
    nats = {BASELINE_NAMES[0]: float(np.log(vocab_size))}
    for n in range(1, max_order + 1):
        # the context of the n-gram ending at p is the (n-1)-gram ending at p-1; the unigram's is empty
        context = np.zeros(len(ids), np.int64) if n == 1 else np.concatenate([[-1], grams[n - 2][:-1]])
        probability = _order_probabilities(grams[n - 1], context, n, split, probability, discount)
        nats[BASELINE_NAMES[n]] = float(-np.mean(np.log(probability)))
    return nats


def ngram_baselines(text: str, max_order: int = MAX_ORDER) -> dict[str, float]:
    """Held-out nats per character of the counting baselines for a whole text (last 10% held out)."""
    from core.corpora import Vocab, split_index

    vocab = Vocab.from_text(text)
    return ngram_nats(vocab.encode(text), split_index(len(text)), vocab.size, max_order)
