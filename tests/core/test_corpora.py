"""Embedded corpora: provenance matches the stored files; vocabulary, encoding, the split and uploads."""

from __future__ import annotations

import gzip
import hashlib
import json
import socket

import numpy as np
import pytest

from core.corpora import (
    CORPORA_DIR,
    DEFAULT_CORPUS,
    MAX_UPLOAD_BYTES,
    MIN_TEXT_CHARS,
    PLACEHOLDER,
    PROVENANCE,
    Vocab,
    cap_vocabulary,
    check_text,
    corpus_info,
    list_corpora,
    load_corpus,
    read_uploaded_text,
    split_index,
    split_text,
)
from core.errors import AppError, ErrorKind

INFOS = list_corpora()
# The sha256 of the uncompressed texts as the shared PROVENANCE.md lists them.
TEXT_SHA256 = {
    "shakespeare": "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
    "tang": "08cf60279b346083d1e2384034639a2029332ebbff38051a7fc1a938f4f92eac",
}


def test_two_corpora_and_a_default():
    assert [i.name for i in INFOS] == ["shakespeare", "tang"]
    assert DEFAULT_CORPUS == "shakespeare"


@pytest.mark.parametrize("info", INFOS, ids=lambda i: i.name)
def test_sha256_of_every_stored_file_and_text(info):
    stored = info.path.read_bytes()
    assert hashlib.sha256(stored).hexdigest() == info.file_sha256
    assert len(stored) == info.file_bytes
    raw = gzip.decompress(stored)
    assert hashlib.sha256(raw).hexdigest() == info.text_sha256 == TEXT_SHA256[info.name]
    assert len(raw) == info.text_bytes


@pytest.mark.parametrize("info", INFOS, ids=lambda i: i.name)
def test_provenance_record_is_complete(info):
    for field in ("file", "language", "source_repository", "source_commit", "source_path", "selection", "licence"):
        assert getattr(info, field), f"{info.name}: {field} is empty"
    assert "MIT" in info.licence and "public domain" in info.licence
    if info.licence_file:
        assert (CORPORA_DIR / info.licence_file).is_file()
    assert (CORPORA_DIR / "PROVENANCE.md").read_text(encoding="utf-8").count(info.file_sha256) == 1


def test_provenance_json_lists_only_stored_files():
    record = json.loads(PROVENANCE.read_text(encoding="utf-8"))
    assert {r["file"] for r in record["corpora"]} <= {p.name for p in CORPORA_DIR.iterdir()}


@pytest.mark.parametrize("info", INFOS, ids=lambda i: i.name)
def test_each_corpus_loads_offline_as_recorded(info, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("loading an embedded corpus must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    load_corpus.cache_clear()
    text = load_corpus(info.name)
    assert (len(text), len(set(text)), text.count("\n")) == (info.characters, info.distinct, info.lines)


def test_known_figures_of_the_corpora():
    shakespeare, tang = corpus_info("shakespeare"), corpus_info("Tang")
    assert (shakespeare.characters, shakespeare.distinct) == (1_115_394, 65)
    assert (tang.characters, tang.distinct, tang.lines) == (808_476, 6_054, 18_420)
    assert load_corpus("shakespeare").startswith("First Citizen:\n")
    poems = load_corpus("tang").splitlines()
    assert {len(p) for p in poems} == {24, 48}  # quatrains and regulated verses, punctuation included
    assert sum(len(p) == 24 for p in poems) == 3_921


def test_labels_in_both_languages():
    assert "Shakespeare" in corpus_info("shakespeare").label("en")
    assert "唐诗" in corpus_info("tang").label("zh")


def test_unknown_corpus_names_the_choices():
    with pytest.raises(AppError) as err:
        corpus_info("poe")
    assert err.value.kind == ErrorKind.BAD_INPUT
    assert "shakespeare" in str(err.value) and "tang" in str(err.value)
    with pytest.raises(AppError, match="内置语料"):
        corpus_info("poe", lang="zh")


# ---------------------------------------------------------------- vocabulary


def test_vocabulary_is_the_sorted_distinct_characters():
    vocab = Vocab.from_text(load_corpus("shakespeare"))
    assert vocab.size == 65
    assert vocab.chars[:3] == "\n !" and vocab.chars[-3:] == "xyz"
    assert list(vocab.chars) == sorted(vocab.chars)
    assert hash(vocab) == hash(Vocab(vocab.chars))  # part of a cache key


def test_encode_decode_round_trip_english_and_chinese():
    for name in ("shakespeare", "tang"):
        text = load_corpus(name)
        vocab = Vocab.from_text(text)
        ids = vocab.encode(text[:5000])
        assert ids.dtype == np.int32 and ids.min() >= 0 and ids.max() < vocab.size
        assert vocab.decode(ids) == text[:5000]
    vocab = Vocab("abc")
    assert vocab.encode("cab").tolist() == [2, 0, 1]
    assert vocab.decode([2, 0, 1]) == "cab"
    assert vocab.encode("").tolist() == [] and vocab.decode([]) == ""


def test_encoding_unknown_characters_names_them():
    vocab = Vocab("abc")
    with pytest.raises(AppError) as err:
        vocab.encode("abxcy😀")
    assert err.value.kind == ErrorKind.BAD_INPUT
    assert str(err.value).startswith("3 character(s) never occur")
    assert "'x' 'y' '😀'" in str(err.value)
    assert vocab.unknown("abxcyx") == ["x", "y"]
    with pytest.raises(AppError, match="训练文本中从未出现"):
        vocab.encode("z", lang="zh")


# ---------------------------------------------------------------- split by position


def test_split_holds_out_the_last_tenth_by_position():
    text = load_corpus("shakespeare")
    train, held_out = split_text(text)
    assert split_index(len(text)) == len(train) == 1_003_854
    assert len(held_out) == 111_540
    assert train + held_out == text
    assert held_out == text[-111_540:]
    assert split_index(10) == 9 and split_index(2000) == 1800


def test_vocabulary_cap_keeps_the_most_frequent_training_characters():
    text = "a" * 40 + "b" * 30 + "c" * 20 + "x" * 10  # x is frequent, but only in the held-out tenth
    capped = cap_vocabulary(text, 3)
    assert set(capped) == {"a", "b", PLACEHOLDER}
    assert capped == "a" * 40 + "b" * 30 + PLACEHOLDER * 30
    assert cap_vocabulary("ab□" * 10 + "c", 3) == "ab□" * 10 + PLACEHOLDER  # □ takes no kept place
    with pytest.raises(ValueError, match="at least 2"):
        cap_vocabulary("abc", 1)


# ---------------------------------------------------------------- uploads


def _long_text(n: int = MIN_TEXT_CHARS) -> str:
    return ("To be, or not to be: that is the question.\n" * (n // 40 + 1))[:n]


def test_upload_of_good_text_normalises_newlines_and_drops_a_bom():
    text = _long_text()
    assert read_uploaded_text(text.encode("utf-8")) == text
    windows = "\ufeff" + text.replace("\n", "\r\n")
    assert read_uploaded_text(windows.encode("utf-8")) == text
    poem = ("床前明月光，疑是地上霜。舉頭望明月，低頭思故鄉。\n" * 100).encode("utf-8")
    assert read_uploaded_text(poem).startswith("床前明月光")


@pytest.mark.parametrize(
    ("data", "kind", "words"),
    [
        (b"", ErrorKind.EMPTY_FILE, "empty"),
        (b"  \n\n ", ErrorKind.EMPTY_FILE, "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(3000), ErrorKind.NOT_TEXT, "binary"),
        ("床前明月光".encode("gbk") * 500, ErrorKind.NOT_TEXT, "GBK"),
        (bytes(range(1, 32)) * 100, ErrorKind.NOT_TEXT, "binary"),
        (b"Too short.\n", ErrorKind.TEXT_TOO_SHORT, "11 characters"),
    ],
    ids=["empty", "blank", "png", "gbk", "control", "short"],
)
def test_bad_uploads_get_a_sentence(data, kind, words):
    with pytest.raises(AppError) as err:
        read_uploaded_text(data)
    assert err.value.kind == kind
    assert words in str(err.value)
    assert str(err.value).endswith(".")


def test_too_large_upload_says_the_limit():
    with pytest.raises(AppError) as err:
        read_uploaded_text(b"a" * (MAX_UPLOAD_BYTES + 1))
    assert err.value.kind == ErrorKind.FILE_TOO_LARGE
    assert "5.0 MB" in str(err.value)
    with pytest.raises(AppError, match="上限"):
        read_uploaded_text(b"abc" * 1000, lang="zh", max_bytes=100)


def test_too_many_distinct_characters():
    text = "".join(chr(0x4E00 + i) for i in range(10_001))
    with pytest.raises(AppError, match="10001 distinct characters"):
        check_text(text)


def test_error_sentences_in_chinese():
    for data in (b"", b"\x00abc", "中文".encode("gbk") * 1000, b"short"):
        with pytest.raises(AppError) as err:
            read_uploaded_text(data, lang="zh")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value))
