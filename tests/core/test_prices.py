"""The price reader: every dialect of SPEC.md, the cleaning report, and each error kind."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import AppError, ErrorKind
from core.prices import (
    CANONICAL,
    check_length,
    default_target,
    find_tickers,
    parse_numbers,
    read_prices,
    resolve_column,
    target_series,
)

# ----------------------------------------------------------------------------- dialects, made on the fly


@pytest.fixture(scope="module")
def course(course_csv) -> pd.DataFrame:
    """The course file as plain columns: date (Timestamp), open, close, high, low, volume."""
    frame = pd.read_csv(course_csv, index_col=0)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.reset_index(drop=True)


def yahoo(c: pd.DataFrame) -> bytes:
    lines = ["Date,Open,High,Low,Close,Adj Close,Volume"]
    for r in c.itertuples():
        lines.append(f"{r.date:%Y-%m-%d},{r.open},{r.high},{r.low},{r.close},{r.close * 0.9},{int(r.volume)}")
    return "\n".join(lines).encode()


def stooq(c: pd.DataFrame, open_int: bool = False) -> bytes:
    lines = ["Date,Open,High,Low,Close,Volume" + (",OpenInt" if open_int else "")]
    for r in c.itertuples():
        lines.append(f"{r.date:%Y-%m-%d},{r.open},{r.high},{r.low},{r.close},{r.volume}" + (",0" if open_int else ""))
    return "\n".join(lines).encode()


def tushare(c: pd.DataFrame) -> bytes:
    lines = [",date,open,close,high,low,volume,code"]
    for i, r in enumerate(c.itertuples()):
        lines.append(f"{i + 74},{r.date:%Y-%m-%d},{r.open},{r.close},{r.high},{r.low},{r.volume},600519")
    return "\n".join(lines).encode()


def akshare(c: pd.DataFrame, encoding: str = "utf-8") -> bytes:
    lines = ["日期,开盘,收盘,最高,最低,成交量,成交额,振幅,涨跌幅,涨跌额,换手率"]
    for r in c.itertuples():
        amount = r.volume * r.close * 100
        lines.append(
            f"{r.date:%Y-%m-%d},{r.open},{r.close},{r.high},{r.low},{int(r.volume)},{amount:.1f},1.5,0.4,0.3,0.12"
        )
    return "\n".join(lines).encode(encoding)


def investing(c: pd.DataFrame) -> bytes:
    lines = ['"Date","Price","Open","High","Low","Vol.","Change %"']
    for r in c.iloc[::-1].itertuples():  # newest first
        lines.append(
            f'"{r.date:%m/%d/%Y}","{r.close:,.3f}","{r.open:,.3f}","{r.high:,.3f}","{r.low:,.3f}",'
            f'"{r.volume / 1e3:.2f}K","0.25%"'
        )
    return "\n".join(lines).encode()


def semicolon(c: pd.DataFrame) -> bytes:
    def dc(v: float) -> str:  # 1234.567 -> "1.234,567"
        return f"{v:,.3f}".replace(",", "_").replace(".", ",").replace("_", ".")

    lines = ["Date;Open;High;Low;Close;Volume"]
    for r in c.itertuples():
        lines.append(f"{r.date:%d.%m.%Y};{dc(r.open)};{dc(r.high)};{dc(r.low)};{dc(r.close)};{dc(r.volume)}")
    return "\n".join(lines).encode()


def long_file(c: pd.DataFrame) -> bytes:
    """Two tickers interleaved: the course stock and a made-up one at twice the price."""
    lines = ["symbol,date,open,high,low,close,volume"]
    for r in c.itertuples():
        lines.append(f"600519.SS,{r.date:%Y-%m-%d},{r.open},{r.high},{r.low},{r.close},{r.volume}")
        lines.append(f"TWICE,{r.date:%Y-%m-%d},{2 * r.open},{2 * r.high},{2 * r.low},{2 * r.close},{r.volume}")
    return "\n".join(lines).encode()


DIALECTS = {
    "yahoo": yahoo,
    "stooq": stooq,
    "stooq_openint": lambda c: stooq(c, open_int=True),
    "tushare": tushare,
    "akshare": akshare,
    "akshare_gbk": lambda c: akshare(c, encoding="gb18030"),
    "investing": investing,
    "semicolon_decimal_comma": semicolon,
    "gzip_yahoo": lambda c: gzip.compress(yahoo(c)),
}


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_round_trip_every_dialect(course, dialect):
    data = read_prices(DIALECTS[dialect](course), name=f"upload: {dialect}.csv")
    assert list(data.frame.index) == list(course["date"])  # same dates, ascending
    assert data.frame.index.name == "date"
    np.testing.assert_allclose(data.frame["open"], course["open"], atol=5e-4)
    np.testing.assert_allclose(data.frame["close"], course["close"], atol=5e-4)
    assert data.columns[:4] == ["open", "high", "low", "close"]
    assert data.source == f"upload: {dialect}.csv"
    assert all(dtype == np.float64 for dtype in data.frame.dtypes)


def test_course_file_read_as_is(course_csv):
    data = read_prices(course_csv)
    assert len(data.frame) == 2426
    assert (data.start, data.end) == (pd.Timestamp("2010-04-26"), pd.Timestamp("2020-04-24"))
    assert data.columns == ["open", "high", "low", "close", "volume"]  # the unnamed index and code are gone
    assert data.ticker == "600519" and data.tickers == ()
    assert data.report == "Read 2426 rows, kept 2426: nothing needed cleaning."
    assert data.source == "file: SH600519.csv"


def test_investing_is_reversed_and_volume_suffix_read(course):
    data = read_prices(investing(course))
    assert "reversed the order (the file was newest first)" in data.report
    np.testing.assert_allclose(data.frame["volume"], course["volume"], rtol=0.01)  # "3.44M" style


def test_akshare_extra_columns_kept_after_canonical(course):
    data = read_prices(akshare(course))
    assert data.columns == ["open", "high", "low", "close", "volume", "成交额", "振幅", "涨跌幅", "涨跌额", "换手率"]


def test_long_file_tickers_choice(course):
    raw = long_file(course)
    assert find_tickers(raw) == ("600519.SS", "TWICE")
    twice = read_prices(raw, ticker="twice")  # case-insensitive
    assert twice.ticker == "TWICE" and twice.tickers == ("600519.SS", "TWICE")
    np.testing.assert_allclose(twice.frame["open"], 2 * course["open"])
    assert len(twice.frame) == len(course)


# ----------------------------------------------------------------------------- cleaning report

MESSY = """Date,Open,High,Low,Close,Volume
2024-01-05,15,16,14,15.5,500
2024-01-02,10,11,9,10.5,100
2024-01-04,,14,12,13.5,300
2024-01-03,12,13,11,12.5,200
2024-01-02,10,11,9,10.5,100
not a date,1,1,1,1,1
2024-01-08,18,,17,18.5,800
2024-01-09,,,,,
2024-01-03,99,99,99,99,99
2024-01-10,20,21,19,20.5,1000
"""


def test_messy_file_report_and_values():
    data = read_prices(MESSY.encode())
    assert data.report == (
        "Read 10 rows, kept 6: dropped 1 row without a valid date; sorted the rows by date; "
        "removed 2 duplicate dates; dropped 1 row with no prices; filled 2 missing values from the previous day."
    )
    assert [d.day for d in data.frame.index] == [2, 3, 4, 5, 8, 10]
    assert data.frame.loc["2024-01-03", "open"] == 12  # the first of two duplicates is kept
    assert data.frame.loc["2024-01-04", "open"] == 12  # a gap filled from the previous day
    assert data.frame.loc["2024-01-08", "high"] == 16


def test_leading_gap_rows_dropped():
    data = read_prices(b"Date,Close,Volume\n2024-01-01,,5\n2024-01-02,3,6\n2024-01-03,4,7\n")
    assert data.report == "Read 3 rows, kept 2: dropped 1 row at the start with missing values."
    assert list(data.frame["close"]) == [3.0, 4.0]


def test_text_column_is_kept_out_of_the_frame():
    data = read_prices(b"Date,Close,Note\n2024-01-01,3,up\n2024-01-02,4,down\n")
    assert data.columns == ["close"] and data.text_columns == ("Note",)


def test_dates_found_without_a_date_header():
    data = read_prices(b"when,close\n01/02/2024,1\n01/03/2024,2\n01/31/2024,3\n")
    assert list(data.frame.index.day) == [2, 3, 31]


# ----------------------------------------------------------------------------- targets and lengths


def test_target_series_by_canonical_or_file_name(course):
    data = read_prices(akshare(course))
    assert target_series(data, "open").equals(target_series(data, "开盘"))
    assert resolve_column(data, "Close") == "close"
    assert default_target(data) == "open"
    only_close = read_prices(b"Date,Close\n2024-01-01,3\n2024-01-02,4\n")
    assert default_target(only_close) == "close"


def test_check_length_passes_at_exactly_the_minimum():
    check_length(361, window=60, test_size=300)  # one training window plus the test rows
    with pytest.raises(AppError) as err:
        check_length(360, window=60, test_size=300)
    assert err.value.kind is ErrorKind.TOO_FEW_ROWS


# ----------------------------------------------------------------------------- each error kind


def kind_of(source, **kwargs) -> ErrorKind:
    with pytest.raises(AppError) as err:
        read_prices(source, **kwargs)
    return err.value.kind


def test_error_empty_file():
    assert kind_of(b"") is ErrorKind.EMPTY_FILE
    assert kind_of(b"  \n\n") is ErrorKind.EMPTY_FILE
    assert kind_of(b"Date,Open,Close\n") is ErrorKind.EMPTY_FILE  # a header and no rows


def test_error_not_csv():
    assert kind_of(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") is ErrorKind.NOT_CSV
    assert kind_of(b"<!DOCTYPE html><html><body>Not found</body></html>") is ErrorKind.NOT_CSV
    assert kind_of(b"PK\x03\x04 spreadsheet") is ErrorKind.NOT_CSV
    assert kind_of(b"hello there, this is just a sentence\nand another one") is ErrorKind.NOT_CSV


def test_error_no_date_column():
    assert kind_of(b"open,close\n1,2\n3,4\n") is ErrorKind.NO_DATE_COLUMN
    with pytest.raises(AppError) as err:
        read_prices(b"Date,Close\nyesterday,2\ntoday,3\n")
    assert err.value.kind is ErrorKind.NO_DATE_COLUMN
    assert "'Date'" in err.value.sentence and "'yesterday'" in err.value.sentence


def test_error_no_price_column():
    assert kind_of(b"Date,Comment\n2024-01-01,up\n2024-01-02,down\n") is ErrorKind.NO_PRICE_COLUMN
    data = read_prices(b"Date,Close\n2024-01-01,3\n2024-01-02,4\n")
    with pytest.raises(AppError) as err:
        target_series(data, "open")
    assert err.value.kind is ErrorKind.NO_PRICE_COLUMN
    assert "close" in err.value.sentence  # names the columns there are


def test_error_text_target():
    data = read_prices(b"Date,Open,Close,Note\n2024-01-01,n/a?,3,up\n2024-01-02,closed,4,down\n")
    for column in ("Note", "open", "Open"):  # the open column holds words here
        with pytest.raises(AppError) as err:
            target_series(data, column)
        assert err.value.kind is ErrorKind.TEXT_TARGET


def test_error_too_few_rows():
    with pytest.raises(AppError) as err:
        check_length(100, window=60, test_size=300)
    assert err.value.kind is ErrorKind.TOO_FEW_ROWS
    assert "100 rows" in err.value.sentence and "at least 361" in err.value.sentence


def test_error_ticker_missing(course):
    with pytest.raises(AppError) as err:
        read_prices(long_file(course.head(5)), ticker="MSFT")
    assert err.value.kind is ErrorKind.TICKER_MISSING
    assert "'MSFT'" in err.value.sentence and "600519.SS, TWICE" in err.value.sentence


def test_error_ticker_not_chosen():
    raw = b"ticker,date,close\nA,2024-01-01,1\nB,2024-01-01,2\nA,2024-01-02,3\n"
    with pytest.raises(AppError) as err:
        read_prices(raw)
    assert err.value.kind is ErrorKind.TICKER_NOT_CHOSEN
    assert err.value.sentence == "The file holds 2 tickers (A, B): choose one."


def test_error_file_too_large(monkeypatch):
    monkeypatch.setattr("core.prices.MAX_BYTES", 100)
    assert kind_of(b"Date,Close\n" + b"2024-01-01,3\n" * 10) is ErrorKind.FILE_TOO_LARGE
    assert kind_of(gzip.compress(b"Date,Close\n" + b"2024-01-01,3\n" * 100)) is ErrorKind.FILE_TOO_LARGE  # unpacked


def test_error_missing_path(tmp_path):
    assert kind_of(tmp_path / "nowhere.csv") is ErrorKind.BAD_INPUT


def test_file_text_in_sentences_is_quoted_and_short():
    header = "<b>" + "x" * 100
    with pytest.raises(AppError) as err:
        read_prices(f"{header},Close\nnot-a-date,1\nnope,2\n".encode())
    assert err.value.kind is ErrorKind.NO_DATE_COLUMN  # no column parses as dates
    data = read_prices(f"Date,Close,{header}\n2024-01-01,1,a\n2024-01-02,2,b\n".encode(), name="x")
    assert data.text_columns == (header,)  # kept as text, word for word
    with pytest.raises(AppError) as err:
        target_series(data, header)
    assert len(err.value.sentence) < 120 and "…" in err.value.sentence


# ----------------------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(lambda v: round(v, 2)))
def test_parse_numbers_reads_thousands_and_decimal_comma(value):
    english = f"{value:,.2f}"
    european = english.replace(",", "_").replace(".", ",").replace("_", ".")
    got = parse_numbers(pd.Series([english, european, f"{value / 1e6:.6f}M"]), decimal_comma=False)
    assert got[0] == pytest.approx(value)
    assert parse_numbers(pd.Series([european]), decimal_comma=True)[0] == pytest.approx(value)
    assert got[2] == pytest.approx(value, abs=1)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=60))
def test_cleaned_index_is_sorted_and_unique(days):
    rows = [f"{pd.Timestamp('2024-01-01') + pd.Timedelta(days=d):%Y-%m-%d},{d}" for d in days]
    data = read_prices(("Date,Close\n" + "\n".join(rows) + "\n").encode())
    assert data.frame.index.is_monotonic_increasing and data.frame.index.is_unique
    assert len(data.frame) == len(set(days))
    assert list(data.frame["close"]) == sorted(set(days))  # each date keeps its own value


def test_fingerprint_is_stable_and_sensitive():
    a = read_prices(b"Date,Close\n2024-01-01,3\n2024-01-02,4\n")
    b = read_prices(b"Date,Close\n2024-01-02,4\n2024-01-01,3\n")
    c = read_prices(b"Date,Close\n2024-01-01,3\n2024-01-02,5\n")
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()
    assert len(a.fingerprint()) == 16
    assert set(CANONICAL) == {"open", "high", "low", "close", "adj_close", "volume"}


# ----------------------------------------------------------------------------- more real-world shapes

MORE_SHAPES = {
    "tushare_pro_newest_first": (
        b"ts_code,trade_date,open,high,low,close,pre_close,change,pct_chg,vol,amount\n"
        b"600519.SH,20200424,1248.0,1260.0,1240.0,1250.5,1245.0,5.5,0.44,30000.5,375000.1\n"
        b"600519.SH,20200423,1240.0,1250.0,1230.0,1245.0,1235.0,10,0.8,32000,398000\n",
        ["2020-04-23", "2020-04-24"],
        1250.5,
    ),
    "stooq_ascii": (
        b"<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>\n"
        b"AAPL.US,D,20200102,000000,74.06,75.15,73.8,75.09,135480400,0\n"
        b"AAPL.US,D,20200103,000000,74.29,75.14,74.13,74.36,146322800,0\n",
        ["2020-01-02", "2020-01-03"],
        74.36,
    ),
    "tdx_export_gbk_with_title_and_footer": (
        (
            "600519 贵州茅台 日线 前复权\n      日期\t    开盘\t    最高\t    最低\t    收盘\t    成交量\n"
            "2020/04/23\t1240.00\t1250.00\t1230.00\t1245.00\t32000\n"
            "2020/04/24\t1248.00\t1260.00\t1240.00\t1250.50\t30000\n数据来源:通达信\n"
        ).encode("gbk"),
        ["2020-04-23", "2020-04-24"],
        1250.5,
    ),
    "unpadded_slashes": (b"date,close\n2020/1/2,1\n2020/1/3,2\n", ["2020-01-02", "2020-01-03"], 2.0),
    "chinese_dates": ("日期,收盘\n2020年1月2日,1\n2020年1月3日,2\n".encode(), ["2020-01-02", "2020-01-03"], 2.0),
    "utf16_tabs": ("Date\tClose\n2020-01-02\t1\n2020-01-03\t2\n".encode("utf-16"), ["2020-01-02", "2020-01-03"], 2.0),
    "yahoo_null_row": (
        b"Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,1,2,0.5,1.5,1.5,100\n"
        b"2020-01-03,null,null,null,null,null,null\n2020-01-06,2,3,1.5,2.5,2.5,200\n",
        ["2020-01-02", "2020-01-06"],
        2.5,
    ),
}


@pytest.mark.parametrize("shape", sorted(MORE_SHAPES))
def test_more_real_world_shapes(shape):
    raw, dates, last_close = MORE_SHAPES[shape]
    data = read_prices(raw)
    assert list(data.frame.index.strftime("%Y-%m-%d")) == dates
    assert data.frame["close"].iloc[-1] == pytest.approx(last_close)


def test_report_in_chinese():
    data = read_prices(MESSY.encode())
    assert data.report_in("en") == data.report
    assert data.report_in("zh") == (
        "读入 10 行，保留 6 行：删除 1 行没有有效日期的数据；已按日期排序；删除 2 个重复日期；"
        "删除 1 行没有价格的数据；用前一天的值填补 2 个缺失值。"
    )
    assert read_prices(b"Date,Close\n2024-01-01,3\n").report_in("zh") == "读入 1 行，保留 1 行：无需清洗。"


def test_day_month_order_follows_the_denser_reading():
    european = read_prices(b"Date;Close\n02/01/2024;1,5\n03/01/2024;2,5\n04/01/2024;3\n")
    assert list(european.frame.index.strftime("%Y-%m-%d")) == ["2024-01-02", "2024-01-03", "2024-01-04"]
    assert list(european.frame["close"]) == [1.5, 2.5, 3.0]
    american = read_prices(b"Date,Close\n01/02/2024,1\n01/03/2024,2\n01/04/2024,3\n")
    assert list(american.frame.index.strftime("%Y-%m-%d")) == ["2024-01-02", "2024-01-03", "2024-01-04"]


# ----------------------------------------------------------------------------- price columns without numbers (#12 bug 5)

HEADER = "Date,Open,High,Low,Close,Volume,Adj Close\n"
ALL_TEXT_PRICES = HEADER + "".join(f"2024-01-0{d},n/a,n/a,n/a,n/a,{1000 + d},n/a\n" for d in range(1, 8))


def test_price_columns_all_text_is_an_error_naming_them():
    with pytest.raises(AppError) as err:
        read_prices(ALL_TEXT_PRICES.encode())
    assert err.value.kind is ErrorKind.NO_PRICE_COLUMN
    sentence = err.value.sentence
    assert "Open, High, Low, Close, Adj Close" in sentence and "'n/a'" in sentence
    assert "volume alone is not a price series" in sentence.lower()


def test_price_columns_all_empty_or_words_is_an_error_too():
    empty = "Date,Open,Close,Volume\n2024-01-01,,,5\n2024-01-02,,,6\n"
    words = "Date,Close\n2024-01-01,closed\n2024-01-02,holiday\n"
    for raw, named in ((empty, "Open, Close"), (words, "Close")):
        with pytest.raises(AppError) as err:
            read_prices(raw.encode())
        assert err.value.kind is ErrorKind.NO_PRICE_COLUMN and named in err.value.sentence


def test_volume_alone_is_not_a_price_series():
    with pytest.raises(AppError) as err:
        read_prices(b"Date,Volume\n2024-01-01,5\n2024-01-02,6\n")
    assert err.value.kind is ErrorKind.NO_PRICE_COLUMN and "volume" in err.value.sentence.lower()


def test_some_price_columns_text_are_dropped_and_named_in_both_languages():
    raw = HEADER + "".join(f"2024-01-0{d},{10 + d},n/a,low?,{11 + d},{1000 + d},\n" for d in range(1, 4))
    data = read_prices(raw.encode())
    assert data.columns == ["open", "close", "volume"]
    assert default_target(data) == "open" and default_target(data, "high") == "close"
    assert data.text_columns == ("high", "low", "adj_close")
    assert data.report == "Read 3 rows, kept 3: dropped 3 columns without numbers (High, Low, Adj Close)."
    assert data.report_in("zh") == "读入 3 行，保留 3 行：删除 3 个没有数字的列（High, Low, Adj Close）。"


def test_one_price_column_and_volume_works():
    data = read_prices(b"Date,Close,Volume\n2024-01-01,3,100\n2024-01-02,4,200\n")
    assert data.columns == ["close", "volume"] and default_target(data) == "close"
    assert data.report == "Read 2 rows, kept 2: nothing needed cleaning."


def test_report_names_a_dropped_text_column():
    data = read_prices(b"Date,Close,Note\n2024-01-01,3,up\n2024-01-02,4,down\n")
    assert data.report == "Read 2 rows, kept 2: dropped 1 column without numbers (Note)."
    assert data.report_in("zh") == "读入 2 行，保留 2 行：删除 1 个没有数字的列（Note）。"


# ----------------------------------------------------------------------------- a date and one value (for #13)

TWO_COLUMNS = {  # file, value column, dates, values
    "Date,Value": ("Date,Value\n2024-01-01,1.5\n2024-01-02,2\n2024-01-03,2.5\n", "value", "2024-01-01 02 03"),
    "month,passengers": (
        "month,passengers\n1949-01,112\n1949-02,118\n1949-03,132\n",
        "passengers",
        "1949-01-01 02-01 03-01",
    ),
    "Month,#Passengers": ("Month,#Passengers\n1949-01,112\n1949-02,118\n", "#passengers", "1949-01-01 02-01"),
    "日期,数值": ("日期,数值\n2024-01-01,1\n2024-01-02,2\n", "数值", "2024-01-01 02"),
    "quarters 2000Q1": (
        "quarter,GDP\n2000Q1,10\n2000Q2,11\n2000Q3,12\n2000Q4,13\n",
        "gdp",
        "2000-01-01 04-01 07-01 10-01",
    ),
    "quarters 2000-Q1": ("Quarter,Sales Units\n1999-Q4,1\n2000-Q1,2\n", "sales_units", "1999-10-01 2000-01-01"),
    "quarters Q1 2000": ("period,value\nQ3 2001,1\nQ4 2001,2\nQ1 2002,3\n", "value", "2001-07-01 10-01 2002-01-01"),
    "ISO weeks": ("week,sales\n2024-W01,5\n2024-W02,6\n2024-W03,7\n", "sales", "2024-01-01 08 15"),
    "weekly dates": ("Week,Sales\n2024-01-07,5\n2024-01-14,6\n", "sales", "2024-01-07 14"),
    "month names": ("Month,Sales\nJan 2020,1\nFeb 2020,2\nMar 2020,3\n", "sales", "2020-01-01 02-01 03-01"),
    "full month names": ("Month,Sales\nJanuary 2020,1\nFebruary 2020,2\n", "sales", "2020-01-01 02-01"),
    "month/year": ("Month,Sales\n11/2019,1\n12/2019,2\n01/2020,3\n", "sales", "2019-11-01 12-01 2020-01-01"),
    "Chinese months": ("月份,销量\n2019年12月,1\n2020年1月,2\n", "销量", "2019-12-01 2020-01-01"),
    "semicolons, decimal comma": ("Datum;Wert\n01.01.2024;1,5\n02.01.2024;2,5\n", "wert", "2024-01-01 02"),
}


def expand(dates: str) -> list[str]:
    """ "2024-01-01 02 03" -> the full dates (each short part replaces the end of the previous one)."""
    full, out = "", []
    for part in dates.split():
        full = full[: len(full) - len(part)] + part if full else part
        out.append(full)
    return out


@pytest.mark.parametrize("shape", sorted(TWO_COLUMNS))
def test_a_date_and_one_value_under_any_header(shape):
    raw, name, dates = TWO_COLUMNS[shape]
    data = read_prices(raw.encode())
    assert data.columns == [name] and default_target(data) == name
    assert list(data.frame.index.strftime("%Y-%m-%d")) == expand(dates)
    header = raw.splitlines()[0].replace(";", ",").split(",")[1]
    assert target_series(data, header).equals(data.frame[name])  # the header as written finds it too
    assert data.frame[name].iloc[0] == float(raw.splitlines()[1].split(";" if ";" in raw else ",")[1].replace(",", "."))


def test_value_column_is_the_default_target_before_volume():
    data = read_prices(b"Date,Value,Volume\n2024-01-01,3,100\n2024-01-02,4,200\n")
    assert default_target(data) == "value"


def test_a_date_and_one_text_column_says_so():
    with pytest.raises(AppError) as err:
        read_prices(b"Date,Comment\n2024-01-01,good\n2024-01-02,bad\n")
    assert err.value.kind is ErrorKind.NO_PRICE_COLUMN
    assert err.value.sentence == (
        "The column 'Comment' holds text, not numbers (first value: 'good'): "
        "the file needs a column of numbers beside its dates."
    )
