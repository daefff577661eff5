"""Fuzzing the price reader: whatever bytes arrive, the only exception that escapes is AppError.

Hypothesis feeds `read_prices` random bytes, random CSV-like text and mutated copies of a file in
every supported dialect (Yahoo, stooq, tushare, akshare, investing.com, semicolon with decimal
comma, a long file with several tickers, gzip). A successful read must be a clean frame; a failure
must be the app's own error, with the right kind where a test can tell (empty, binary, too short).
Examples are bounded (deadline off) so the suite stays fast on a shared 2-core machine.
"""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.errors import AppError, ErrorKind
from core.prices import check_length, find_tickers, parse_numbers, read_prices, target_series

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ROWS = 30


def _series(rows: int = ROWS, seed: int = 0) -> pd.DataFrame:
    """A small synthetic OHLCV series on business days (enough rows for any dialect)."""
    rng = np.random.default_rng(seed)
    close = 1000 + np.cumsum(rng.normal(0, 5, rows))
    dates = pd.bdate_range("2021-01-04", periods=rows)
    return pd.DataFrame(
        {"open": close + rng.normal(0, 2, rows), "close": close, "volume": rng.integers(1e5, 1e7, rows)},
        index=dates,
    ).assign(high=lambda f: f[["open", "close"]].max(axis=1) + 3, low=lambda f: f[["open", "close"]].min(axis=1) - 3)


def yahoo(f: pd.DataFrame) -> str:
    rows = [
        f"{d:%Y-%m-%d},{r.open:.2f},{r.high:.2f},{r.low:.2f},{r.close:.2f},{r.close:.2f},{r.volume}"
        for d, r in f.iterrows()
    ]
    return "Date,Open,High,Low,Close,Adj Close,Volume\n" + "\n".join(rows) + "\n"


def stooq(f: pd.DataFrame) -> str:
    rows = [f"{d:%Y-%m-%d},{r.open:.2f},{r.high:.2f},{r.low:.2f},{r.close:.2f},{r.volume},0" for d, r in f.iterrows()]
    return "Date,Open,High,Low,Close,Volume,OpenInt\n" + "\n".join(rows) + "\n"


def tushare(f: pd.DataFrame) -> str:
    rows = [
        f"{i + 74},{d:%Y-%m-%d},{r.open:.3f},{r.close:.3f},{r.high:.3f},{r.low:.3f},{r.volume / 100:.2f},600519"
        for i, (d, r) in enumerate(f.iterrows())
    ]
    return ",date,open,close,high,low,volume,code\n" + "\n".join(rows) + "\n"


def akshare(f: pd.DataFrame) -> str:
    rows = [
        f"{d:%Y-%m-%d},{r.open:.2f},{r.close:.2f},{r.high:.2f},{r.low:.2f},{r.volume},{r.volume * r.close:.1f},1.5,0.3,2.1,0.8"
        for d, r in f.iterrows()
    ]
    return "日期,开盘,收盘,最高,最低,成交量,成交额,振幅,涨跌幅,涨跌额,换手率\n" + "\n".join(rows) + "\n"


def investing(f: pd.DataFrame) -> str:
    rows = [
        f'"{d:%m/%d/%Y}","{r.close:,.2f}","{r.open:,.2f}","{r.high:,.2f}","{r.low:,.2f}","{r.volume / 1e6:.2f}M","0.12%"'
        for d, r in f.iloc[::-1].iterrows()
    ]
    return '"Date","Price","Open","High","Low","Vol.","Change %"\n' + "\n".join(rows) + "\n"


def semicolon(f: pd.DataFrame) -> str:
    def num(x: float) -> str:
        return f"{x:.2f}".replace(".", ",")

    rows = [f"{d:%d.%m.%Y};{num(r.open)};{num(r.high)};{num(r.low)};{num(r.close)};{r.volume}" for d, r in f.iterrows()]
    return "Date;Open;High;Low;Close;Volume\n" + "\n".join(rows) + "\n"


def long_file(f: pd.DataFrame) -> str:
    rows = []
    for ticker, shift in (("AAA", 0.0), ("BBB", 50.0)):
        rows += [
            f"{d:%Y-%m-%d},{ticker},{r.open + shift:.2f},{r.close + shift:.2f},{r.volume}" for d, r in f.iterrows()
        ]
    return "Date,Ticker,Open,Close,Volume\n" + "\n".join(rows) + "\n"


DIALECTS = {
    "yahoo": yahoo,
    "stooq": stooq,
    "tushare": tushare,
    "akshare": akshare,
    "investing": investing,
    "semicolon": semicolon,
    "long": long_file,
}
SAMPLE = _series()
FILES: dict[str, bytes] = {name: make(SAMPLE).encode("utf-8") for name, make in DIALECTS.items()}
FILES["akshare_gbk"] = akshare(SAMPLE).encode("gb18030")
FILES["yahoo_gzip"] = gzip.compress(FILES["yahoo"], mtime=0)


def read_or_app_error(raw: bytes | str, ticker: str | None = None):
    """read_prices' result, or the AppError it raised; any other exception fails the test."""
    try:
        data = read_prices(raw, ticker=ticker)
    except AppError as err:
        assert isinstance(err.kind, ErrorKind)
        assert err.sentence and "\n" not in err.sentence.strip()
        return err
    check_clean(data)
    return data


def check_clean(data) -> None:
    """What every successful read promises: dated, ascending, unique, float, non-empty."""
    frame = data.frame
    assert len(frame) >= 1 and frame.shape[1] >= 1
    assert isinstance(frame.index, pd.DatetimeIndex)
    assert frame.index.is_monotonic_increasing and frame.index.is_unique
    assert all(dtype == np.float64 for dtype in frame.dtypes)
    assert np.isfinite(frame.to_numpy()).all(), "a clean frame holds finite numbers only"
    assert isinstance(data.report, str) and data.report.startswith("Read ")


# ----------------------------------------------------------------------------- the originals


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_dialect_reads_cleanly(name):
    data = read_prices(FILES[name], ticker="BBB" if name == "long" else None)
    check_clean(data)
    assert len(data.frame) == ROWS
    close = target_series(data, "close").to_numpy()
    expected = SAMPLE["close"].to_numpy() + (50.0 if name == "long" else 0.0)
    assert np.allclose(close, expected, atol=0.01)
    assert data.frame.index[0] == SAMPLE.index[0]


# ----------------------------------------------------------------------------- known reader bugs
# Each was found by the fuzzing below and pinned here so the failure names its cause.


@pytest.mark.parametrize("raw", [b"\x0c", b"\x1f", b"\x85", "\u3000".encode(), "\u2028".encode(), b" \x0c\n\x0b "])
def test_unicode_blank_file_is_empty_not_index_error(raw):
    # str.splitlines()/strip() treat these as line breaks or blanks, leaving no lines to sniff.
    err = read_or_app_error(raw)
    assert isinstance(err, AppError) and err.kind == ErrorKind.EMPTY_FILE


def test_corrupt_gzip_is_not_csv_not_zlib_error():
    raw = bytearray(
        gzip.compress(b"Date,Close\n" + b"\n".join(b"2020-01-%02d,%d" % (i, i) for i in range(1, 29)), mtime=0)
    )
    raw[12] ^= 0xFF  # a damaged deflate stream raises zlib.error, not OSError/EOFError
    err = read_or_app_error(bytes(raw))
    assert isinstance(err, AppError) and err.kind == ErrorKind.NOT_CSV


@pytest.mark.parametrize("bad", ["inf", "-inf", "1e400", "Infinity"])
def test_infinite_prices_are_not_kept(bad):
    rows = [f"2020-01-{d:02d},{bad if d == 3 else 100 + d}" for d in range(1, 9)]
    result = read_or_app_error(("Date,Close\n" + "\n".join(rows) + "\n").encode())
    if not isinstance(result, AppError):  # read: the infinite cell was treated as a gap
        assert np.isfinite(result.frame["close"].to_numpy()).all()
        assert len(result.frame) in (7, 8)


# ----------------------------------------------------------------------------- random input


@FUZZ
@given(st.binary(max_size=2048))
@example(b"")
@example(b"\x00")
@example(b"\xef\xbb\xbf")
@example(b"\x1f\x8b\x08\x00garbage")
@example(b"PK\x03\x04" + b"\x00" * 40)
def test_random_bytes_only_raise_app_error(raw):
    read_or_app_error(raw)


@FUZZ
@given(st.binary(min_size=1, max_size=1024).map(lambda b: b"\x00" + b))
def test_binary_bytes_are_not_csv(raw):
    err = read_or_app_error(raw)
    assert isinstance(err, AppError) and err.kind == ErrorKind.NOT_CSV


@FUZZ
@given(st.booleans(), st.text(alphabet=" \t\r\n\x0b\x0c\x1c\x1f\x85\u3000\u2028", max_size=50))
def test_empty_or_blank_files_are_empty(bom, text):
    raw = ("\ufeff" if bom else "") + text  # a byte-order mark may lead; blanks of any kind follow
    err = read_or_app_error(raw.encode("utf-8"))
    assert isinstance(err, AppError) and err.kind == ErrorKind.EMPTY_FILE


CELL = st.one_of(
    st.sampled_from(
        ["2020-01-02", "01/02/2020", "1,234.56", "3.44M", "-", "", "NaN", "abc", "日期", "开盘", '"', "1e308"]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(-(10**20), 10**20).map(str),
    st.dates().map(str),
    st.text(max_size=8),
)
HEADER = st.one_of(
    st.sampled_from(["Date", "Open", "High", "Low", "Close", "Adj Close", "Volume", "Ticker", "code", "Price", ""]),
    st.text(max_size=8),
)


@st.composite
def csv_like(draw) -> str:
    """A header and rows of plausible and implausible cells, with a random delimiter."""
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    width = draw(st.integers(1, 7))
    header = [draw(HEADER) for _ in range(width)]
    rows = [[draw(CELL) for _ in range(draw(st.integers(0, width + 1)))] for _ in range(draw(st.integers(0, 12)))]
    return "\n".join(delimiter.join(r) for r in [header, *rows])


@FUZZ
@given(csv_like(), st.one_of(st.none(), st.sampled_from(["AAA", "", "<b>x</b>"])))
def test_random_csv_like_text_only_raises_app_error(text, ticker):
    read_or_app_error(text.encode("utf-8"), ticker=ticker)


# ----------------------------------------------------------------------------- mutated dialects


@st.composite
def mutated(draw) -> tuple[str, bytes]:
    """A dialect file with one to three random edits (cut, insert, replace, line shuffles)."""
    name = draw(st.sampled_from(sorted(FILES)))
    raw = bytearray(FILES[name])
    for _ in range(draw(st.integers(1, 3))):
        edit = draw(st.sampled_from(["cut", "insert", "replace", "truncate", "dup_line", "drop_line", "swap_lines"]))
        raw = apply_edit(draw, edit, raw)
    return name, bytes(raw)


def apply_edit(draw, edit: str, raw: bytearray) -> bytearray:
    at = draw(st.integers(0, max(len(raw) - 1, 0)))
    if edit == "cut":
        return raw[:at] + raw[at + draw(st.integers(1, 64)) :]
    if edit == "insert":
        return raw[:at] + draw(st.binary(min_size=1, max_size=16)) + raw[at:]
    if edit == "replace":
        return (
            raw[:at]
            + draw(st.sampled_from([b",", b";", b'"', b"\n", b"\r", b"-", b".", b"\xff", b"M", b"9"]))
            + raw[at + 1 :]
        )
    if edit == "truncate":
        return raw[:at]
    lines = bytes(raw).split(b"\n")
    i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
    if edit == "dup_line":
        lines.insert(j, lines[i])
    elif edit == "drop_line":
        del lines[i]
    else:
        lines[i], lines[j] = lines[j], lines[i]
    return bytearray(b"\n".join(lines))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.sampled_from([None, "AAA", "BBB", "ZZZ"]))
def test_mutated_dialect_files_only_raise_app_error(case, ticker):
    name, raw = case
    result = read_or_app_error(raw, ticker=ticker)
    if isinstance(result, AppError):
        return
    try:  # whatever was read, asking for the usual targets is answered with data or an AppError
        series = target_series(result, "close")
        assert len(series) == len(result.frame)
    except AppError as err:
        assert err.kind in (ErrorKind.NO_PRICE_COLUMN, ErrorKind.TEXT_TARGET)


@FUZZ
@given(st.sampled_from(sorted(FILES)), st.integers(0, 3))
def test_header_only_or_few_rows_is_empty_or_too_short(name, keep):
    """A file cut to its header (and up to 3 rows) is EMPTY_FILE, or TOO_FEW_ROWS for a forecast."""
    text = FILES[name] if name != "yahoo_gzip" else FILES["yahoo"]
    lines = text.split(b"\n")
    body = [line for line in lines[1:] if line.strip()][:keep]
    result = read_or_app_error(b"\n".join([lines[0], *body]) + b"\n", ticker="AAA" if name == "long" else None)
    if keep == 0:
        assert isinstance(result, AppError) and result.kind == ErrorKind.EMPTY_FILE
        return
    assert not isinstance(result, AppError), result
    assert len(result.frame) == keep
    with pytest.raises(AppError) as caught:
        check_length(len(result.frame), window=60, test_size=30)
    assert caught.value.kind == ErrorKind.TOO_FEW_ROWS


@FUZZ
@given(st.binary(max_size=512))
def test_find_tickers_only_raises_app_error(raw):
    try:
        found = find_tickers(raw)
    except AppError:
        return
    assert isinstance(found, tuple)


@FUZZ
@given(st.lists(st.text(max_size=12), max_size=20), st.booleans())
def test_parse_numbers_never_raises(cells, decimal_comma):
    values = pd.Series(cells, dtype="string")
    parsed = parse_numbers(values, decimal_comma)
    assert len(parsed) == len(cells)
    assert parsed.dtype == np.float64
