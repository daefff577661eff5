"""Read a price history from any common CSV dialect into one clean, dated frame.

`read_prices` takes bytes or a path and returns `PriceData`: a float frame indexed by date
(ascending, unique), canonical column names where the dialect is known, and one line saying
what was cleaned. Every unusable input raises `AppError` with one kind from core.errors.

Dialects (exact headers, see SPEC.md): Yahoo, stooq, tushare, akshare (Chinese headers),
investing.com (newest first, "1,234.56", "3.44M", MM/DD/YYYY), semicolon with decimal comma,
long files holding several tickers, and plain files of a date (daily, weekly "2024-W01", monthly
"1949-01", quarterly "2000Q1") and one value under any header ("Date,Value", "month,passengers").
Price columns holding no numbers are left out and named in the report; when no price (or, in a
file without price columns, no value) holds numbers, the file is refused: volume alone is no series.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core.cache import fingerprint_array
from core.errors import AppError, ErrorKind
from core.i18n import text

CANONICAL = ("open", "high", "low", "close", "adj_close", "volume")
MAX_BYTES = 50 * 1024 * 1024  # larger uploads are refused before parsing
MAX_PREAMBLE = 5  # title lines allowed above the header
DELIMITERS = (",", ";", "\t", "|")

# Normalised header (lower case, no spaces or punctuation) -> canonical name. Earlier aliases of
# the same canonical name win when a file has several (a real "Close" beats investing's "Price").
_ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("date", "datetime", "tradedate", "timestamp", "time", "day", "日期", "交易日期", "时间"),
    "open": ("open", "openprice", "opening", "开盘", "开盘价", "今开"),
    "high": ("high", "highprice", "最高", "最高价"),
    "low": ("low", "lowprice", "最低", "最低价"),
    "close": ("close", "closeprice", "closing", "price", "last", "收盘", "收盘价", "最新价"),
    "adj_close": ("adjclose", "adjustedclose", "adjclosing"),
    "volume": ("volume", "vol", "成交量"),
    "ticker": ("ticker", "symbol", "code", "tscode", "代码", "股票代码", "证券代码"),
}
_MISSING = {"", "-", "--", "null", "none", "nan", "na", "n/a", "#n/a"}
_DATE_FORMATS = (
    "%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y.%m.%d",
    "%d-%m-%Y", "%b %d, %Y", "%d %b %Y", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S",
    "%b %Y", "%B %Y", "%m/%Y", "%Y年%m月", "quarter", "week", "ISO8601",
)  # fmt: skip
# Periods read as their first day: "2000Q1", "2000-Q1", "Q1 2000" (quarter); "2024-W01" (ISO week, Monday)
_QUARTER = re.compile(r"^(?:(?P<y1>\d{4})\s*[-/ ]?\s*Q(?P<q1>[1-4])|Q(?P<q2>[1-4])\s*[-/ ]?\s*(?P<y2>\d{4}))$", re.I)
_WEEK = re.compile(r"^(?P<y>\d{4})-?W(?P<w>\d{2})(?:-?(?P<d>[1-7]))?$", re.I)
PRICE_ROLES = ("open", "high", "low", "close", "adj_close")  # canonical columns that are prices (not volume)
_SUFFIX = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


@dataclass(frozen=True, eq=False)
class PriceData:
    """A clean price history and how it came to be."""

    frame: pd.DataFrame  # DatetimeIndex "date", ascending, unique; float columns, canonical names first
    report: str  # one line saying what was cleaned
    source: str  # where it came from: "upload: x.csv", "embedded: AAPL", "yfinance: 600519.SS"
    tickers: tuple[str, ...] = ()  # tickers found in a long file (empty for one series)
    ticker: str | None = None  # the chosen ticker (or the only one named in the file)
    text_columns: tuple[str, ...] = ()  # columns that hold text, kept out of the frame
    notes: tuple[tuple[str, int, str], ...] = ()  # what cleaning did: (code, count, names), see cleaning_report
    rows_read: int = 0  # data rows in the file (of the chosen ticker) before cleaning

    def report_in(self, lang: str) -> str:
        """The cleaning report in another language (the English `report` when nothing is recorded)."""
        if not self.rows_read:
            return self.report
        return cleaning_report(self.notes, self.rows_read, len(self.frame), lang)

    @property
    def columns(self) -> list[str]:
        """Numeric price columns, canonical names first."""
        return list(self.frame.columns)

    def fingerprint(self) -> str:
        """A stable short hash of the values, dates and column names."""
        values = fingerprint_array(self.frame.to_numpy(dtype="float64"))
        dates = fingerprint_array(self.frame.index.asi8)
        return hashlib.sha256(f"{values}|{dates}|{list(self.frame.columns)}".encode()).hexdigest()[:16]

    @property
    def start(self) -> pd.Timestamp:
        return self.frame.index[0]

    @property
    def end(self) -> pd.Timestamp:
        return self.frame.index[-1]


# ----------------------------------------------------------------------------- public API


def read_prices(source: bytes | str | Path, *, ticker: str | None = None, name: str = "") -> PriceData:
    """Read and clean a price CSV (bytes, a path, or CSV text). Raises AppError."""
    raw, label = _load_bytes(source)
    table = _read_table(_decode(raw))
    roles = _column_roles(list(table.columns))
    if "date" not in roles:
        roles["date"] = _guess_date_column(table, roles)
    table, tickers, chosen = _select_ticker(table, roles.get("ticker"), ticker)
    dates = _parse_date_column(table[roles["date"]], roles["date"])
    numbers, text_columns, dropped = _numeric_columns(table, roles)
    frame, notes = _clean(dates, numbers)
    if dropped:  # the report always names the columns it left out
        notes = [("no_numbers", len(dropped), ", ".join(_short(name) for name in dropped)), *notes]
    report = cleaning_report(tuple(notes), len(numbers), len(frame))
    return PriceData(frame, report, name or label, tickers, chosen, text_columns, tuple(notes), len(numbers))


def find_tickers(source: bytes | str | Path) -> tuple[str, ...]:
    """The tickers of a long file (empty when it holds one series); raises AppError like read_prices."""
    raw, _ = _load_bytes(source)
    table = _read_table(_decode(raw))
    column = _column_roles(list(table.columns)).get("ticker")
    return _ticker_values(table, column) if column else ()


def target_series(data: PriceData, column: str = "open") -> pd.Series:
    """The float series of `column` (canonical or as in the file). AppError TEXT_TARGET / NO_PRICE_COLUMN."""
    name = resolve_column(data, column)
    if name is not None:
        return data.frame[name].astype("float64")
    if column in data.text_columns or _canonical_of(column) in data.text_columns:
        raise AppError(ErrorKind.TEXT_TARGET, key="text_target_column", column=_quote(column))
    known = ", ".join(data.columns) or "none"
    raise AppError(ErrorKind.NO_PRICE_COLUMN, key="no_such_column", column=_quote(column), known=known)


def resolve_column(data: PriceData, column: str) -> str | None:
    """The frame column meant by `column` ("open", "Open", "开盘" -> "open"; "Sales Units" -> "sales_units"), or None."""
    for name in (column, _canonical_of(column), column_name(column)):
        if name in data.frame.columns:
            return name
    return None


def default_target(data: PriceData, preferred: str = "open") -> str:
    """`preferred` when present, else the close, else the first numeric column that is not the volume."""
    for name in (preferred, "close", "adj_close"):
        if name in data.frame.columns:
            return name
    return next((name for name in data.columns if name != "volume"), data.columns[0])


def column_name(header: str) -> str:
    """The frame's name for a column that is not a canonical price: the header in lower case, spaces as "_".

    The standalone script (core.scripts) names the columns of the CSV it reads the same way.
    """
    return str(header).strip().lower().replace(" ", "_")


def check_length(n_rows: int, window: int, test_size: int) -> None:
    """Raise TOO_FEW_ROWS unless there is one training window plus the test rows."""
    need = window + test_size + 1
    if n_rows < need:
        raise AppError(
            ErrorKind.TOO_FEW_ROWS, key="too_few_rows_series", rows=n_rows, window=window, test=test_size, need=need
        )


# ----------------------------------------------------------------------------- bytes and text


def _load_bytes(source: bytes | str | Path) -> tuple[bytes, str]:
    """The raw bytes and a default source label. A str with a newline is CSV text, else a path."""
    if isinstance(source, bytes | bytearray):
        return bytes(source), "upload"
    if isinstance(source, str) and "\n" in source:
        return source.encode("utf-8"), "text"
    path = Path(source)
    if not path.is_file():
        raise AppError(ErrorKind.BAD_INPUT, key="no_file", path=_quote(str(path)))
    if path.stat().st_size > MAX_BYTES:
        raise AppError(ErrorKind.FILE_TOO_LARGE, key="file_too_large", mb=MAX_BYTES // 2**20)
    return path.read_bytes(), f"file: {path.name}"


def _decode(raw: bytes) -> str:
    """Text of a (possibly gzipped) CSV; EMPTY_FILE / NOT_CSV / FILE_TOO_LARGE otherwise."""
    if len(raw) > MAX_BYTES:
        raise AppError(ErrorKind.FILE_TOO_LARGE, key="file_too_large", mb=MAX_BYTES // 2**20)
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.GzipFile(fileobj=io.BytesIO(raw)).read(MAX_BYTES + 1)
        except (OSError, EOFError, zlib.error) as err:
            raise AppError(ErrorKind.NOT_CSV, key="bad_gzip") from err
        if len(raw) > MAX_BYTES:  # a small archive may unpack into a huge file
            raise AppError(ErrorKind.FILE_TOO_LARGE, key="unpacked_too_large", mb=MAX_BYTES // 2**20)
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with a byte order mark (Excel "Unicode text")
        raw = raw.decode("utf-16", errors="replace").encode("utf-8")
    if not raw.strip(b" \t\r\n\xef\xbb\xbf"):
        raise AppError(ErrorKind.EMPTY_FILE)
    head = raw[:8192]
    if b"\x00" in head or head[:4] in (b"PK\x03\x04", b"%PDF") or head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise AppError(ErrorKind.NOT_CSV, key="binary_file")
    for encoding in ("utf-8-sig", "gb18030"):  # Chinese exports are often GBK
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = raw.decode("latin-1")
    if re.match(r"\s*(<(!doctype|html|\?xml|head|body|table|div|!--)|[{\[])", text, re.IGNORECASE):
        raise AppError(ErrorKind.NOT_CSV, key="html_or_json")
    return text


def _sniff_delimiter(lines: list[str]) -> str | None:
    """The delimiter giving the header several fields and most rows the same count."""
    best, best_score = None, (0.0, 0)
    for delimiter in DELIMITERS:
        rows = list(csv.reader(lines, delimiter=delimiter))
        width = len(rows[0])
        if width < 2:
            continue
        score = (sum(len(r) == width for r in rows) / len(rows), width)
        if score[0] > 0.5 and score > best_score:  # most rows must agree with the header
            best, best_score = delimiter, score
    return best


def _find_header(lines: list[str]) -> int:
    """Index of the header below a preamble (e.g. a title line of a TDX export), or -1 when none."""
    for start in range(1, min(len(lines) - 1, MAX_PREAMBLE + 1)):
        if _sniff_delimiter(lines[start:]) is not None:
            return start
    return -1


def _parse_csv(text: str, delimiter: str) -> pd.DataFrame:
    """Every cell as a string; ragged rows are skipped."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.ParserWarning)
        try:
            return pd.read_csv(
                io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, index_col=False,
                skipinitialspace=True, on_bad_lines="skip",
            )  # fmt: skip
        except (pd.errors.ParserError, ValueError, csv.Error) as err:
            raise AppError(ErrorKind.NOT_CSV, key="not_a_table") from err


def _read_table(text: str) -> pd.DataFrame:
    """All cells as stripped strings, with `attrs["decimal_comma"]` set."""
    lines = [line for line in text.splitlines()[:40] if line.strip()]
    if not lines:
        raise AppError(ErrorKind.EMPTY_FILE)
    delimiter = _sniff_delimiter(lines)
    if delimiter is None and (start := _find_header(lines)) > 0:
        lines, text = lines[start:], text[text.index(lines[start]) :]  # skip the preamble
        delimiter = _sniff_delimiter(lines)
    if delimiter is None:
        if _canonical_of(lines[0]) is None:
            raise AppError(ErrorKind.NOT_CSV, key="no_columns")
        delimiter = ","
    table = _parse_csv(text, delimiter)
    if table.empty:
        raise AppError(ErrorKind.EMPTY_FILE, key="header_only")
    table.columns = [str(c).strip().strip('"').lstrip("\ufeff").strip() for c in table.columns]
    unnamed = [c for c in table.columns if not c or c.startswith("Unnamed:")]  # e.g. tushare's index
    table = table.drop(columns=unnamed)
    table = table.apply(lambda col: col.str.strip())
    sample = table.head(200).to_numpy().ravel().astype(str)
    table.attrs["decimal_comma"] = delimiter != "," and any(re.fullmatch(r"-?[\d.]*\d,\d+", s) for s in sample)
    return table


# ----------------------------------------------------------------------------- columns


def _normalise(header: str) -> str:
    return re.sub(r"[\s_.\-/()%*\"'<>]+", "", str(header).strip().lower())


def _canonical_of(header: str) -> str | None:
    key = _normalise(header)
    return next((role for role, names in _ALIASES.items() if key in names), None)


def _column_roles(headers: list[str]) -> dict[str, str]:
    """Role (date, ticker, canonical price) -> header; the best-ranked alias wins each role."""
    roles: dict[str, str] = {}
    for role, names in _ALIASES.items():
        ranked = [
            (names.index(_normalise(h)), h) for h in headers if _normalise(h) in names and h not in roles.values()
        ]
        if ranked:
            roles[role] = min(ranked)[1]
    return roles


def _guess_date_column(table: pd.DataFrame, roles: dict[str, str]) -> str:
    """The first column (not a price or ticker) most of whose values parse as dates."""
    taken = set(roles.values())
    for column in table.columns:
        if column not in taken and _best_date_format(table[column].head(200))[1] >= 0.9:
            return column
    raise AppError(ErrorKind.NO_DATE_COLUMN)


def _best_date_format(values: pd.Series) -> tuple[str | None, float]:
    """The date format parsing the largest share of the (non-missing) values, and that share.

    When several parse as many (03/04/2024: March or April?), the one giving the densest dates wins:
    daily prices read with day and month swapped jump by months.
    """
    values = values[~values.str.lower().isin(_MISSING)]
    if values.empty:
        return None, 0.0
    scores = {}
    for fmt in _DATE_FORMATS:
        parsed = _to_dates(values, fmt)
        share = parsed.notna().mean()
        if share > 0:
            steps = parsed.dropna().drop_duplicates().sort_values().diff().dropna()
            scores[fmt] = (share, -(steps.median().days if len(steps) else 0))
        if share == 1.0 and fmt != "%m/%d/%Y":  # only month/day can also read as day/month (next)
            break
    if not scores:
        return None, 0.0
    best = max(scores, key=lambda fmt: scores[fmt])  # ties keep the earlier format (max is stable)
    return best, scores[best][0]


def _to_dates(values: pd.Series, fmt: str) -> pd.Series:
    try:
        if fmt in ("quarter", "week"):
            parsed = _periods_to_dates(values, fmt)
        else:
            parsed = pd.to_datetime(values, format=fmt, errors="coerce")
    except (ValueError, TypeError):  # e.g. mixed time zones
        return pd.Series(pd.NaT, index=values.index)
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    years = parsed.dt.year
    # "today" / "now" parse as the current time: a real date has digits
    return parsed.where((years > 1800) & (years < 2200) & values.str.contains(r"\d", regex=True))


def _periods_to_dates(values: pd.Series, fmt: str) -> pd.Series:
    """The first day of each quarter ("2000Q1" -> 2000-01-01) or ISO week ("2024-W01" -> Monday 2024-01-01)."""
    if fmt == "quarter":
        parts = values.str.strip().str.extract(_QUARTER)
        year, quarter = parts["y1"].fillna(parts["y2"]), parts["q1"].fillna(parts["q2"])
        first_month = quarter.map({"1": "01", "2": "04", "3": "07", "4": "10"})
        return pd.to_datetime(year + "-" + first_month + "-01", format="%Y-%m-%d", errors="coerce")
    parts = values.str.strip().str.extract(_WEEK)
    text = parts["y"] + "-W" + parts["w"] + "-" + parts["d"].fillna("1")
    return pd.to_datetime(text, format="%G-W%V-%u", errors="coerce")


def _parse_date_column(values: pd.Series, header: str) -> pd.Series:
    fmt, share = _best_date_format(values.head(500))
    if fmt is None or share < 0.5:
        example = values.iloc[0] if len(values) else ""
        raise AppError(ErrorKind.NO_DATE_COLUMN, key="bad_dates", column=_quote(header), example=_quote(example))
    return _to_dates(values, fmt)


def _ticker_values(table: pd.DataFrame, column: str) -> tuple[str, ...]:
    values = table[column][~table[column].str.lower().isin(_MISSING)]
    return tuple(dict.fromkeys(values))  # in file order


def _select_ticker(table: pd.DataFrame, column: str | None, ticker: str | None):
    """Rows of the chosen ticker; returns (table, tickers listed, chosen ticker)."""
    if column is None:
        return table, (), None
    found = _ticker_values(table, column)
    if len(found) <= 1 and ticker is None:
        return table, (), (found[0] if found else None)
    shown = ", ".join(found[:12]) + (", …" if len(found) > 12 else "")
    if ticker is None:
        raise AppError(ErrorKind.TICKER_NOT_CHOSEN, key="choose_ticker", n=len(found), tickers=shown)
    match = next((t for t in found if t.strip().upper() == ticker.strip().upper()), None)
    if match is None:
        raise AppError(ErrorKind.TICKER_MISSING, key="ticker_missing", ticker=_quote(ticker), tickers=shown)
    return table[table[column] == match], (found if len(found) > 1 else ()), match


# ----------------------------------------------------------------------------- numbers


def parse_numbers(values: pd.Series, decimal_comma: bool = False) -> pd.Series:
    """Floats from text cells: "1,234.56", "1.234,56", "3.44M", "-1.2%", "" (NaN)."""
    text = values.astype("string").str.strip().str.replace(r"[\s\u00a0'\"]", "", regex=True)
    text = text.str.rstrip("%")
    suffix = text.str[-1:].str.upper()
    scale = suffix.map(_SUFFIX).astype("float64").fillna(1.0)
    text = text.where(~suffix.isin(list(_SUFFIX)), text.str[:-1])
    if decimal_comma:
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        text = text.str.replace(",", "", regex=False)
    numbers = pd.to_numeric(text, errors="coerce").astype("float64") * scale
    return numbers.where(np.isfinite(numbers))  # "inf", "1e400": a gap, never a price


def _numeric_columns(
    table: pd.DataFrame, roles: dict[str, str]
) -> tuple[pd.DataFrame, tuple[str, ...], tuple[str, ...]]:
    """Float columns (canonical names first, other headers named by `column_name`), the text columns
    (canonical or file names), and the file headers of every column left out for holding no numbers."""
    names = _frame_names(list(table.columns), roles)
    skip = {roles.get("date"), roles.get("ticker")}
    numbers, dropped = {}, []
    for column in table.columns:
        if column in skip:
            continue
        parsed = _numbers_in(table[column], table.attrs.get("decimal_comma", False))
        if parsed is None:
            dropped.append(column)
        else:
            numbers[names[column]] = parsed
    _check_series(table, roles, list(numbers), dropped)
    order = [c for c in CANONICAL if c in numbers] + [c for c in numbers if c not in CANONICAL]
    canonical = {header: role for role, header in roles.items() if role in CANONICAL}
    text_columns = tuple(canonical.get(column, column) for column in dropped)
    return pd.DataFrame({c: numbers[c] for c in order}, index=table.index), text_columns, tuple(dropped)


def _frame_names(headers: list[str], roles: dict[str, str]) -> dict[str, str]:
    """File header -> frame column name: the canonical role, else `column_name` (made unique)."""
    names = {header: role for role, header in roles.items() if role in CANONICAL}
    taken = set(names.values())
    for header in headers:
        if header in names:
            continue
        name, n = column_name(header), 1
        while name in taken:  # e.g. "Close" and "close" in one file: the second is "close_2"
            n += 1
            name = f"{column_name(header)}_{n}"
        names[header] = name
        taken.add(name)
    return names


def _numbers_in(cells: pd.Series, decimal_comma: bool) -> pd.Series | None:
    """The column as floats when at least 90% of its present cells are numbers, else None (text or empty)."""
    present = ~cells.str.lower().isin(_MISSING)
    parsed = parse_numbers(cells, decimal_comma)
    if present.sum() and parsed[present].notna().mean() >= 0.9:
        return parsed
    return None


def _check_series(table: pd.DataFrame, roles: dict[str, str], numeric: list[str], dropped: list[str]) -> None:
    """NO_PRICE_COLUMN unless a price (or, in a file without price columns, a value) holds numbers.

    Volume alone is not a price series: a file whose price columns hold only text must not be read
    as a series of volumes.
    """
    volume = "volume" in numeric
    prices = [roles[role] for role in PRICE_ROLES if role in roles]
    if prices and not any(role in numeric for role in PRICE_ROLES):
        count = "many" if len(prices) > 1 else "one"
        first = _first_value(table, prices)
        key = f"prices_no_numbers_{count}{'_volume' if volume else ''}{'' if first else '_empty'}"
        raise AppError(ErrorKind.NO_PRICE_COLUMN, key=key, names=", ".join(_short(p) for p in prices), first=first)
    if any(name != "volume" for name in numeric):
        return
    if volume:
        raise AppError(ErrorKind.NO_PRICE_COLUMN, key="volume_only")
    if dropped:
        count, first = ("many" if len(dropped) > 1 else "one"), _first_value(table, dropped)
        names = ", ".join(_short(name) for name in dropped) if len(dropped) > 1 else _quote(dropped[0])
        key = f"columns_{'text' if first else 'empty'}_{count}"
        raise AppError(ErrorKind.NO_PRICE_COLUMN, key=key, names=names, first=first)
    raise AppError(ErrorKind.NO_PRICE_COLUMN, key="no_numeric_column")


def _first_value(table: pd.DataFrame, headers: list[str]) -> str:
    """The first non-blank cell of these columns, quoted for a sentence ("" when they are empty)."""
    cells = (cell for header in headers for cell in table[header].head(100) if cell.strip())
    first = next(cells, None)
    return _quote(first) if first is not None else ""


# ----------------------------------------------------------------------------- cleaning


def _count(n: int, noun: str) -> str:
    """ "1 row", "3 rows" (English plurals for the report)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# What cleaning did, as (code, count, names): rendered in any language by `cleaning_report`.
Note = tuple[str, int, str]


def cleaning_report(notes: tuple[Note, ...], rows_read: int, rows_kept: int, lang: str = "en") -> str:
    """One line saying what was cleaned, from the phrases in assets/text/<lang>/data.toml."""
    parts = []
    for code, n, names in notes:
        plurals = {"rows": _count(n, "row"), "dates": _count(n, "duplicate date"), "values": _count(n, "missing value")}
        plurals["column_count"] = _count(n, "column")
        parts.append(
            text("data", f"clean_{code}", lang, n=n, names=names, columns=_count(n, "empty column"), **plurals)
        )
    summary = text("data", "clean_separator", lang).join(parts) or text("data", "clean_nothing", lang)
    return text(
        "data", "clean_line", lang, read=_count(rows_read, "row"), n_read=rows_read, kept=rows_kept, summary=summary
    )


def _clean(dates: pd.Series, numbers: pd.DataFrame) -> tuple[pd.DataFrame, list[Note]]:
    """Date-indexed, sorted, unique, gap-free frame and the notes on what changed."""
    notes: list[Note] = []
    valid = dates.notna().to_numpy()
    if not valid.all():
        notes.append(("no_date", int((~valid).sum()), ""))
    frame = numbers[valid].set_axis(pd.DatetimeIndex(dates[valid], name="date"))
    if len(frame) > 1 and frame.index.is_monotonic_decreasing and not frame.index.is_monotonic_increasing:
        frame = frame.iloc[::-1]
        notes.append(("reversed", 0, ""))
    elif not frame.index.is_monotonic_increasing:
        frame = frame.sort_index(kind="stable")
        notes.append(("sorted", 0, ""))
    duplicated = frame.index.duplicated(keep="first")
    if duplicated.any():
        frame = frame[~duplicated]
        notes.append(("duplicates", int(duplicated.sum()), ""))
    frame, gap_notes = _fill_gaps(frame)
    if frame.empty:
        raise AppError(ErrorKind.EMPTY_FILE, key="no_dated_price")
    return frame, notes + gap_notes


def _fill_gaps(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Note]]:
    """Drop empty rows and columns, fill missing values from the previous day, drop leading gaps."""
    notes: list[Note] = []
    empty_columns = [c for c in frame.columns if frame[c].isna().all()]
    if empty_columns and len(empty_columns) < frame.shape[1]:
        frame = frame.drop(columns=empty_columns)
        notes.append(("empty_columns", len(empty_columns), ", ".join(empty_columns)))
    empty_rows = frame.isna().all(axis=1).to_numpy()
    if empty_rows.any():
        frame = frame[~empty_rows]
        notes.append(("empty_rows", int(empty_rows.sum()), ""))
    missing = frame.isna().to_numpy()
    if missing.any():
        filled = frame.ffill()
        leading = filled.isna().any(axis=1).to_numpy()
        n_filled = int(missing[~leading].sum())
        frame = filled[~leading]
        if n_filled:
            notes.append(("filled", n_filled, ""))
        if leading.any():
            notes.append(("leading", int(leading.sum()), ""))
    return frame.astype("float64"), notes


def _short(value: object, limit: int = 40) -> str:
    """A file name or header for a list in a sentence: one line, shortened, not quoted."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quote(value: object, limit: int = 40) -> str:
    """File text for a sentence: quoted, one line, shortened."""
    return "'" + _short(value, limit) + "'"


__all__ = [
    "CANONICAL",
    "PRICE_ROLES",
    "PriceData",
    "check_length",
    "column_name",
    "default_target",
    "find_tickers",
    "parse_numbers",
    "read_prices",
    "resolve_column",
    "target_series",
]
