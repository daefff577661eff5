"""User errors in the user's language: the catalogue, keyed sentences, and their trip through pickle."""

from __future__ import annotations

import ast
import pickle
import re
import string
import tomllib
from pathlib import Path

import pytest

from core.errors import SENTENCES, AppError, ErrorKind
from core.training import Cancelled

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")


def catalogue(lang: str) -> dict[str, str]:
    return tomllib.loads((ROOT / "assets" / "text" / lang / "errors.toml").read_text(encoding="utf-8"))


def test_every_kind_has_a_sentence_in_both_languages():
    en, zh = catalogue("en"), catalogue("zh")
    assert {f"kind_{k.value}" for k in ErrorKind} <= set(en) and set(en) == set(zh)
    assert all(SENTENCES[k] == en[f"kind_{k.value}"] for k in ErrorKind)
    assert all(CJK.search(zh[key]) for key in zh)


def test_both_languages_fill_the_same_blanks():
    fields = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}  # noqa: E731
    en, zh = catalogue("en"), catalogue("zh")
    assert [k for k in en if fields(en[k]) != fields(zh[k])] == []


def keys_raised_in_core() -> set[str]:
    keys = set()
    for path in (ROOT / "core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "AppError":
                for kw in node.keywords:
                    if kw.arg == "key" and isinstance(kw.value, ast.Constant):
                        keys.add(kw.value.value)
    return keys


def test_every_key_raised_in_core_is_in_the_catalogue():
    found = keys_raised_in_core()
    assert len(found) > 30 and found - set(catalogue("en")) == set()


def test_a_keyed_error_speaks_english_on_the_command_line_and_chinese_on_a_page():
    err = AppError(ErrorKind.TOO_FEW_ROWS, key="too_few_rows_forecast", rows=50, window=20, test=300, need=362)
    assert err.sentence == "50 rows are too few for window 20 and test size 300: at least 362 are needed."
    assert err.to_line().startswith("error [too_few_rows]: 50 rows")
    assert err.in_language("zh") == "50 行太少：窗口 20、测试集 300 至少需要 362 行。"
    assert AppError(ErrorKind.OFFLINE).in_language("zh").startswith("无法连接价格服务器")
    assert AppError(ErrorKind.BAD_INPUT, "A plain sentence.").in_language("zh") == "A plain sentence."


@pytest.mark.parametrize(
    "err",
    [
        AppError(ErrorKind.OFFLINE),
        AppError(ErrorKind.BAD_INPUT, "A plain sentence."),
        AppError(ErrorKind.TICKER_MISSING, key="ticker_missing", ticker="'X'", tickers="A, B"),
        Cancelled(3, 40),
    ],
)
def test_errors_cross_a_process_boundary_whole(err):
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is type(err) and again.kind is err.kind and again.sentence == err.sentence
    assert again.in_language("zh") == err.in_language("zh")
