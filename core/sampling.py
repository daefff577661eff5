"""Sampling text from a character model: temperature, top choices, streaming, memorisation, quatrains.

Generation does not care which model produces the logits: it takes a step function
``next_logits(state, char_id) -> (logits, state)`` (state None = the start), such as
core.charmodel.char_stepper(model, config). Generators yield one character at a time, so a page
can stream them as they come.

Temperature T: p(x) is proportional to exp(logit(x) / T). T = 1 samples the model's own
distribution; T -> 0 approaches argmax (T = 0 is argmax exactly), which tends to loop on the most
frequent words; T > 1 flattens the distribution towards uniform (more novel, more misspelt).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from core.corpora import Vocab
from core.errors import AppError, ErrorKind
from core.i18n import text as _text

StepFunction = Callable[[object, int], tuple[np.ndarray, object]]
MAX_TEMPERATURE = 5.0  # beyond this every model writes noise; a slider stops here
MAX_LENGTH = 5_000  # characters per request
TOP_K = 5  # next characters shown with their probabilities

LINE_CHARS = 5  # characters per line of a five-character quatrain (五言绝句)
QUATRAIN_PUNCTUATION: tuple[str, ...] = ("，", "。", "，", "。")  # after lines 1, 2, 3, 4
POEM_START = "\n"  # the Tang corpus holds one poem per line: a poem starts after a newline


def _t(key: str, lang: str, **values) -> str:
    return _text("textgen", key, lang, **values)


# ---------------------------------------------------------------- one character


def tempered_probabilities(logits: np.ndarray, temperature: float) -> np.ndarray:
    """(vocab,) p proportional to exp(logits / T), in float64; T = 0 puts all mass on the argmax."""
    logits = np.asarray(logits, dtype=np.float64).reshape(-1)
    if temperature < 0:
        raise ValueError(f"temperature must be at least 0 (got {temperature})")
    if temperature == 0:
        return np.eye(len(logits))[int(np.argmax(logits))]
    scaled = logits / temperature
    weights = np.exp(scaled - np.max(scaled))  # -inf logits (masked characters) get weight 0
    return weights / weights.sum()


def sample(logits: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    """One character id drawn from softmax(logits / T); T = 0 returns the argmax without drawing."""
    if temperature == 0:
        return int(np.argmax(logits))
    probabilities = tempered_probabilities(logits, temperature)
    return int(rng.choice(len(probabilities), p=probabilities))


def top_next(logits: np.ndarray, vocab: Vocab, k: int = TOP_K, temperature: float = 1.0) -> list[tuple[str, float]]:
    """The k likeliest next characters with their probabilities (at `temperature`), likeliest first."""
    probabilities = tempered_probabilities(logits, temperature)
    best = np.argsort(-probabilities, kind="stable")[:k]
    return [(vocab.chars[i], float(probabilities[i])) for i in best]


@dataclass(frozen=True)
class Choice:
    """What the model offered at one generated position, and what was taken."""

    position: int  # index of the character in the generated text
    chosen: str  # the character written there
    top: tuple[tuple[str, float], ...]  # the model's top next characters and probabilities (T = 1)
    forced: bool = False  # True when the character was imposed (prompt or quatrain punctuation)


def _rng(seed_or_rng: int | np.random.Generator) -> np.random.Generator:
    return seed_or_rng if isinstance(seed_or_rng, np.random.Generator) else np.random.default_rng(seed_or_rng)


def _check_temperature(temperature: float, lang: str) -> float:
    if not 0 <= temperature <= MAX_TEMPERATURE:
        raise AppError(ErrorKind.BAD_SETTING, _t("error_temperature", lang, value=temperature, high=MAX_TEMPERATURE))
    return float(temperature)


def _check_length(length: int, lang: str) -> int:
    if isinstance(length, bool) or not isinstance(length, int | np.integer) or not 1 <= length <= MAX_LENGTH:
        raise AppError(ErrorKind.BAD_SETTING, _t("error_length", lang, value=length, high=MAX_LENGTH))
    return int(length)


# ---------------------------------------------------------------- free text


def generate(
    step: StepFunction,
    vocab: Vocab,
    prompt: str,
    length: int,
    temperature: float = 1.0,
    rng: int | np.random.Generator = 7,
    *,
    record: list[Choice] | None = None,
    lang: str = "en",
) -> Iterator[str]:
    """Yield `length` characters that follow `prompt` (the prompt itself is not yielded).

    The prompt is read first, one character at a time; then each character is drawn at
    `temperature` and fed back. A seed (or a Generator) makes the text reproducible. `record`,
    when given, receives one Choice per generated character (the top-5 the model offered there).
    Bad settings, an empty prompt or characters outside the vocabulary raise AppError now, before
    the first character is yielded.
    """
    if not prompt:
        raise AppError(ErrorKind.BAD_INPUT, _t("error_empty_prompt", lang))
    prompt_ids = vocab.encode(prompt, lang)
    temperature, length = _check_temperature(temperature, lang), _check_length(length, lang)
    return _generate(step, vocab, prompt_ids, length, temperature, _rng(rng), record)


def _generate(step, vocab, prompt_ids, length, temperature, rng, record) -> Iterator[str]:
    state = None
    for char_id in prompt_ids:
        logits, state = step(state, int(char_id))
    for position in range(length):
        char_id = sample(logits, temperature, rng)
        if record is not None:
            record.append(Choice(position, vocab.chars[char_id], tuple(top_next(logits, vocab))))
        yield vocab.chars[char_id]
        if position + 1 < length:  # the last character needs no successor
            logits, state = step(state, char_id)


def generate_text(
    step: StepFunction,
    vocab: Vocab,
    prompt: str,
    length: int,
    temperature: float = 1.0,
    rng: int | np.random.Generator = 7,
    lang: str = "en",
) -> str:
    """The whole generated text at once (what `generate` streams)."""
    return "".join(generate(step, vocab, prompt, length, temperature, rng, lang=lang))


def top_after(
    step: StepFunction, vocab: Vocab, context: str, k: int = TOP_K, lang: str = "en"
) -> list[tuple[str, float]]:
    """The model's k likeliest characters after `context` (T = 1): what it would write next there."""
    if not context:
        raise AppError(ErrorKind.BAD_INPUT, _t("error_empty_prompt", lang))
    state = None
    for char_id in vocab.encode(context, lang):
        logits, state = step(state, int(char_id))
    return top_next(logits, vocab, k)


# ---------------------------------------------------------------- memorisation


@dataclass(frozen=True)
class VerbatimSpan:
    """The longest stretch of a sample that occurs, character for character, in the training text."""

    text: str  # the stretch itself ("" when not even one character occurs)
    start: int  # where it starts in the sample
    training_start: int  # where it first occurs in the training text (-1 when text is "")
    occurrences: int  # how many times it occurs in the training text (overlaps counted once)

    @property
    def length(self) -> int:
        return len(self.text)


def longest_verbatim_span(sample_text: str, training_text: str) -> VerbatimSpan:
    """The longest substring of `sample_text` found verbatim in `training_text` (the first, if tied).

    For each start i in the sample, the longest match starting there is found from the training
    positions that share its first four characters (an index of the training text's 4-grams, built
    once per text and cached), extended one character at a time. A match starting at i+1 is at
    least the match at i minus one character, so that part is checked at once, not re-extended.
    """
    index = _training_index(training_text)
    sample_ids = index.ids_of(sample_text)
    best = (0, 0, -1)  # (length, start in the sample, start in the training text)
    known = 0  # a match of this length certainly starts at the current position
    for start in range(len(sample_ids)):
        length, where = index.longest_match(sample_ids[start:], known)
        if length > best[0]:
            best = (length, start, where)
        known = max(length - 1, 0)
    length, start, where = best
    if not length:
        return VerbatimSpan("", 0, -1, 0)
    span = sample_text[start : start + length]
    return VerbatimSpan(span, start, where, training_text.count(span))


class _TrainingIndex:
    """The training text as dense ids (+ sentinel padding) and its 4-grams sorted, for prefix lookups."""

    def __init__(self, text: str) -> None:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        self.chars, ids = np.unique(codes, return_inverse=True)  # (V,) code points, (N,) dense ids
        self.base = len(self.chars) + 1  # id len(chars) pads the end, so every position starts a 4-gram
        self.k = 4 if self.base**4 < 2**62 else 3  # characters per indexed gram; codes fit in int64
        self.ids = np.concatenate([ids.reshape(-1), np.full(self.k, self.base - 1)]).astype(np.int64)
        self.length = len(codes)
        grams = np.zeros(self.length, np.int64)  # (N,) code of the 4-gram starting at each position
        for k in range(self.k):
            grams = grams * self.base + self.ids[k : k + self.length]
        self.order = np.argsort(grams, kind="stable")  # positions, sorted by their 4-gram
        self.sorted = grams[self.order]

    def ids_of(self, text: str) -> np.ndarray:
        """Dense ids of `text`'s characters; -1 for a character the training text lacks."""
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        found = np.minimum(np.searchsorted(self.chars, codes), len(self.chars) - 1)
        return np.where(self.chars[found] == codes, found, -1).astype(np.int64)

    def _positions(self, prefix: np.ndarray) -> np.ndarray:
        """Training positions whose text starts with `prefix` (1 to 4 ids), in text order."""
        code = 0
        for char_id in prefix:
            code = code * self.base + int(char_id)
        scale = self.base ** (self.k - len(prefix))  # every 4-gram with this prefix lies in [low, high)
        low, high = np.searchsorted(self.sorted, [code * scale, (code + 1) * scale])
        return self.order[low:high]

    def longest_match(self, ids: np.ndarray, known: int = 0) -> tuple[int, int]:
        """(length, first training position) of the longest prefix of `ids` in the training text."""
        length, positions = 0, np.empty(0, np.int64)
        for k in range(1, min(self.k, len(ids)) + 1):  # short prefixes: one range lookup each
            if ids[k - 1] < 0 or not len(found := self._positions(ids[:k])):
                break
            length, positions = k, found
        if length == self.k and known > self.k:  # keep the positions that match the known stretch
            offsets = np.arange(self.k, known)
            window = self.ids[np.minimum(positions[:, None] + offsets, len(self.ids) - 1)]
            positions, length = positions[np.all(window == ids[offsets], axis=1)], known
        while length >= self.k and length < len(ids):
            keep = self.ids[positions + length] == ids[length]  # padding never equals a real id
            if not keep.any():
                break
            positions, length = positions[keep], length + 1
        return length, int(positions.min()) if length else -1


@functools.lru_cache(maxsize=4)  # a page checks many samples against the same training text
def _training_index(training_text: str) -> _TrainingIndex:
    return _TrainingIndex(training_text)


# ---------------------------------------------------------------- Tang quatrains


def quatrain(
    step: StepFunction,
    vocab: Vocab,
    prompt: str = "",
    temperature: float = 0.8,
    rng: int | np.random.Generator = 7,
    *,
    record: list[Choice] | None = None,
    lang: str = "en",
) -> Iterator[str]:
    """Yield a five-character quatrain (绝句), 24 characters: four lines of five, "，" after lines 1
    and 3, "。" after lines 2 and 4.

    The model starts after a newline (where every poem of the Tang corpus starts). The punctuation
    is imposed at its places and never drawn inside a line: there only characters that are letters
    (Han characters; not punctuation, not the corpus's placeholders □ ●) may be drawn. `prompt` gives
    the poem's first characters (punctuation and spaces in it are ignored); they are yielded too.
    """
    missing = [ch for ch in (POEM_START, *QUATRAIN_PUNCTUATION) if ch not in vocab.chars]
    if missing:
        raise AppError(ErrorKind.BAD_INPUT, _t("error_no_poem_marks", lang))
    cells = "".join(ch for ch in prompt if not ch.isspace() and ch not in "，。,.")
    allowed = np.array([ch.isalpha() for ch in vocab.chars])
    refused = [ch for ch in dict.fromkeys(cells) if ch not in vocab.chars or not allowed[vocab.chars.index(ch)]]
    if refused:
        shown = " ".join(repr(ch) for ch in refused[:5])
        raise AppError(ErrorKind.BAD_INPUT, _t("error_poem_prompt", lang, chars=shown))
    if len(cells) > LINE_CHARS * len(QUATRAIN_PUNCTUATION):
        raise AppError(ErrorKind.BAD_INPUT, _t("error_poem_prompt_long", lang, count=len(cells)))
    temperature = _check_temperature(temperature, lang)
    return _quatrain(step, vocab, vocab.encode(cells), allowed, temperature, _rng(rng), record)


def _quatrain(step, vocab, prompt_ids, allowed, temperature, rng, record) -> Iterator[str]:
    logits, state = step(None, vocab.chars.index(POEM_START))
    position = 0
    for line, mark in enumerate(QUATRAIN_PUNCTUATION):
        for k in range(LINE_CHARS):
            cell = line * LINE_CHARS + k
            forced = cell < len(prompt_ids)
            char_id = int(prompt_ids[cell]) if forced else sample(np.where(allowed, logits, -np.inf), temperature, rng)
            yield from _emit(vocab, char_id, logits, position, forced, record)
            logits, state = step(state, char_id)
            position += 1
        mark_id = vocab.chars.index(mark)
        yield from _emit(vocab, mark_id, logits, position, True, record)
        if line + 1 < len(QUATRAIN_PUNCTUATION):  # the final 。 needs no successor
            logits, state = step(state, mark_id)
        position += 1


def _emit(vocab: Vocab, char_id: int, logits, position: int, forced: bool, record) -> Iterator[str]:
    if record is not None:
        record.append(Choice(position, vocab.chars[char_id], tuple(top_next(logits, vocab)), forced))
    yield vocab.chars[char_id]


def poem_lines(poem: str) -> list[str]:
    """A poem split after each "，" or "。" (a quatrain gives its four lines of the 5x4 grid)."""
    lines, current = [], ""
    for ch in poem:
        current += ch
        if ch in "，。":
            lines.append(current)
            current = ""
    return lines + ([current] if current else [])
