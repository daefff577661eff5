"""Text corpora for the character models: the embedded ones, uploads, vocabularies and the split.

The two embedded corpora live in assets/corpora (provenance.json is written by
scripts/make_corpora.py). Loading never touches the network. Every model and every n-gram baseline
holds out the same text: the last 10% by position (never random windows, which overlap the
training text and flatter the score).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, fields
from functools import cache, cached_property
from pathlib import Path

import numpy as np

from core.errors import AppError, ErrorKind
from core.i18n import text as _text

CORPORA_DIR = Path(__file__).resolve().parent.parent / "assets" / "corpora"
PROVENANCE = CORPORA_DIR / "provenance.json"
HELD_OUT_TENTHS = 1  # the last tenth of a text is held out (split by position)
MAX_UPLOAD_BYTES = 5 * 2**20  # 5 MB: four tiny-shakespeares; n-grams and an epoch stay quick
MIN_TEXT_CHARS = 2_000  # below this the held-out tenth holds too few sequences to score
MAX_VOCAB = 10_000  # distinct characters; the Tang corpus has 6,054, the output layer grows with it
PLACEHOLDER = "□"  # stands for every character outside a capped vocabulary (the Tang corpus's own mark)
CONTROL_SHARE = 0.01  # more control characters than this (besides tab and newline): not a text


def _t(key: str, lang: str, **values) -> str:
    return _text("textgen", key, lang, **values)


@dataclass(frozen=True)
class CorpusInfo:
    """Where one embedded corpus comes from and what it holds (a record of provenance.json)."""

    name: str  # key used by pages and the command line (--corpus shakespeare)
    file: str  # stored gzip file under assets/corpora
    language: str  # "en" or "zh": the language of the text
    source_repository: str  # GitHub repository the text was taken from
    source_commit: str  # commit of that repository
    source_path: str  # file(s) inside it
    selection: str  # what was kept from the source
    licence: str  # licence of the repository (and of the text where it differs)
    licence_file: str  # copy of the licence text under assets/corpora ("" when none is needed)
    file_sha256: str  # sha256 of the stored .gz file
    file_bytes: int  # size of the stored .gz file
    text_sha256: str  # sha256 of the uncompressed UTF-8 text
    text_bytes: int  # size of the uncompressed text in bytes
    characters: int  # length of the text in characters
    distinct: int  # distinct characters (the vocabulary size)
    lines: int  # newline characters

    @property
    def path(self) -> Path:
        return CORPORA_DIR / self.file

    def label(self, lang: str = "en") -> str:
        """What a user reads in the corpus picker."""
        return _t(f"corpus_{self.name}_label", lang)


@cache
def _provenance() -> dict:
    return json.loads(PROVENANCE.read_text(encoding="utf-8"))


def list_corpora() -> list[CorpusInfo]:
    """Every embedded corpus, in the order the picker shows them."""
    known = {f.name for f in fields(CorpusInfo)}
    return [CorpusInfo(**{k: v for k, v in r.items() if k in known}) for r in _provenance()["corpora"]]


DEFAULT_CORPUS: str = _provenance()["default"]


def corpus_info(name: str, lang: str = "en") -> CorpusInfo:
    """The record of `name` (case-insensitive); AppError BAD_INPUT naming the choices otherwise."""
    for info in list_corpora():
        if info.name == str(name).strip().lower():
            return info
    choices = ", ".join(i.name for i in list_corpora())
    raise AppError(ErrorKind.BAD_INPUT, _t("error_unknown_corpus", lang, name=name, choices=choices))


@cache
def load_corpus(name: str) -> str:
    """The whole text of an embedded corpus (decompressed once per process)."""
    return gzip.decompress(corpus_info(name).path.read_bytes()).decode("utf-8")


# ---------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class Vocab:
    """The characters a model reads and writes: distinct characters sorted by code point; id = position."""

    chars: str  # every character once, in code-point order

    @classmethod
    def from_text(cls, text: str) -> Vocab:
        return cls("".join(sorted(set(text))))

    @property
    def size(self) -> int:
        return len(self.chars)

    @cached_property
    def _codes(self) -> np.ndarray:  # (size,) code points, ascending
        return np.frombuffer(self.chars.encode("utf-32-le"), dtype=np.uint32)

    def unknown(self, text: str) -> list[str]:
        """The distinct characters of `text` that are not in the vocabulary, in order of appearance."""
        allowed = set(self.chars)
        return [ch for ch in dict.fromkeys(text) if ch not in allowed]

    def encode(self, text: str, lang: str = "en") -> np.ndarray:
        """(len(text),) int32 ids; AppError BAD_INPUT naming characters the vocabulary lacks."""
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        ids = np.minimum(np.searchsorted(self._codes, codes), self.size - 1)
        if not np.array_equal(self._codes[ids], codes):
            missing = self.unknown(text)
            shown = " ".join(repr(ch) for ch in missing[:5]) + (" …" if len(missing) > 5 else "")
            raise AppError(ErrorKind.BAD_INPUT, _t("error_unknown_chars", lang, chars=shown, count=len(missing)))
        return ids.astype(np.int32)

    def decode(self, ids) -> str:
        """The characters of a sequence of ids."""
        codes = self._codes[np.asarray(ids, dtype=np.int64).reshape(-1)]
        return codes.astype("<u4").tobytes().decode("utf-32-le")


# ---------------------------------------------------------------- the split by position


def split_index(length: int) -> int:
    """Characters [0, split) train, [split, length) are held out: the last tenth, by position."""
    return length * (10 - HELD_OUT_TENTHS) // 10


def split_text(text: str) -> tuple[str, str]:
    """(training text, held-out text); the held-out part is the last 10% of the characters."""
    cut = split_index(len(text))
    return text[:cut], text[cut:]


def cap_vocabulary(text: str, max_size: int) -> str:
    """`text` with at most `max_size` distinct characters: the max_size - 1 most frequent in the
    training part (ties by code point) stay, every other character becomes PLACEHOLDER.

    The Tang corpus's 3,000 most frequent characters cover 98.7% of it; capping shrinks the output
    layer (and its time) by half. Baselines must be computed on the capped text too.
    """
    if max_size < 2:
        raise ValueError(f"max_size must be at least 2 (got {max_size})")
    vocab = Vocab.from_text(text)
    if vocab.size <= max_size:
        return text
    ids = vocab.encode(text)
    counts = np.bincount(ids[: split_index(len(ids))], minlength=vocab.size)
    if PLACEHOLDER in vocab.chars:
        counts[vocab.chars.index(PLACEHOLDER)] = -1  # it stays anyway: do not spend a kept place on it
    ranked = np.lexsort((np.arange(vocab.size), -counts))  # most frequent first, then by code point
    keep = np.zeros(vocab.size, bool)
    keep[ranked[: max_size - 1]] = True
    out = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).copy()
    out[~keep[ids]] = ord(PLACEHOLDER)
    return out.tobytes().decode("utf-32-le")


# ---------------------------------------------------------------- uploads


def read_uploaded_text(data: bytes, lang: str = "en", max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """The text of an uploaded file, newlines normalised to "\\n"; AppError with a sentence when unusable.

    Refuses: empty, larger than `max_bytes`, binary (NUL bytes), not UTF-8 (a BOM is allowed),
    mostly control characters, shorter than MIN_TEXT_CHARS, more than MAX_VOCAB distinct characters.
    """
    if not data or not data.strip():
        raise AppError(ErrorKind.EMPTY_FILE, _t("error_empty", lang))
    if len(data) > max_bytes:
        limit, size = _megabytes(max_bytes), _megabytes(len(data))
        raise AppError(ErrorKind.FILE_TOO_LARGE, _t("error_too_large", lang, size=size, limit=limit))
    if b"\x00" in data:
        raise AppError(ErrorKind.NOT_TEXT, _t("error_binary", lang))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise AppError(ErrorKind.NOT_TEXT, _t("error_not_utf8", lang, offset=err.start)) from err
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\t")
    if controls > CONTROL_SHARE * len(text):
        raise AppError(ErrorKind.NOT_TEXT, _t("error_binary", lang))
    return check_text(text, lang)


def check_text(text: str, lang: str = "en") -> str:
    """`text` itself if a character model can train on it, else AppError with the reason."""
    if not text.strip():
        raise AppError(ErrorKind.EMPTY_FILE, _t("error_empty", lang))
    if len(text) < MIN_TEXT_CHARS:
        raise AppError(ErrorKind.TEXT_TOO_SHORT, _t("error_too_short", lang, count=len(text), minimum=MIN_TEXT_CHARS))
    distinct = len(set(text))
    if distinct > MAX_VOCAB:
        raise AppError(ErrorKind.BAD_INPUT, _t("error_too_many_chars", lang, count=distinct, limit=MAX_VOCAB))
    return text


def _megabytes(n: int) -> str:
    return f"{n / 2**20:.1f}"
