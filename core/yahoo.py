"""Download a daily price history with yfinance, only when asked, with explicit arguments.

Results are cached (memory and disk, see core.cache), so a fetched ticker keeps working offline.
Every failure becomes an AppError: OFFLINE, RATE_LIMITED, UNKNOWN_TICKER or EMPTY_RESULT.
yfinance reports most failures by logging them and returning an empty frame, so the log
records of the call are read as well as the exceptions it raises.
"""

from __future__ import annotations

import logging
import re
import warnings
from datetime import date
from pathlib import Path

import pandas as pd

from core.cache import ResultCache, Serializer, make_key
from core.errors import AppError, ErrorKind
from core.prices import PriceData, read_prices

AUTO_ADJUST = False  # keep raw OHLC and the separate "Adj Close", as a Yahoo CSV export has

_RATE = re.compile(r"rate.?limit|too many requests|\b429\b", re.IGNORECASE)
_OFFLINE = re.compile(
    r"resolve host|DNSError|Connect(ion)?Error|Failed to connect|Connection (refused|reset|aborted)|timed? ?out"
    r"|Timeout|unreachable|curl: \((5|6|7|28|35|56)\)|SSLError|ProxyError",
    re.IGNORECASE,
)
_UNKNOWN = re.compile(
    r"delisted|no timezone|not found|invalid|no data found, symbol|quote not found|404", re.IGNORECASE
)
_NO_ROWS = re.compile(r"no price data found|no data found for this date range|data doesn't exist", re.IGNORECASE)


def _save(frame: pd.DataFrame, folder: Path) -> None:
    frame.to_csv(folder / "prices.csv")


def _load(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "prices.csv", index_col=0, parse_dates=True)


_CACHE: ResultCache[pd.DataFrame] = ResultCache("yfinance", max_items=8, serializer=Serializer(_save, _load))


class _Capture(logging.Handler):
    """Collects the messages yfinance logs while one download runs."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def fetch_prices(ticker: str, start: str | date, end: str | date) -> PriceData:
    """Daily prices of `ticker` from `start` to `end` (end excluded, as yfinance does). Raises AppError."""
    symbol = ticker.strip().upper()
    if not symbol or not re.fullmatch(r"[\w.\-^=]{1,20}", symbol):
        raise AppError(ErrorKind.UNKNOWN_TICKER, "Type a ticker such as AAPL or 600519.SS.")
    start, end = pd.Timestamp(start).date().isoformat(), pd.Timestamp(end).date().isoformat()
    if start >= end:
        raise AppError(ErrorKind.BAD_SETTING, "The start date must come before the end date.")
    key = make_key("yfinance", symbol, start, end, AUTO_ADJUST)
    frame, _ = _CACHE.get_or_compute(key, lambda: _download(symbol, start, end))
    return read_prices(frame.to_csv().encode(), name=f"yfinance: {symbol}")


def _download(symbol: str, start: str, end: str) -> pd.DataFrame:
    import yfinance  # imported only when a download is asked for

    capture, logger = _Capture(), logging.getLogger("yfinance")
    logger.addHandler(capture)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # yfinance's own pandas deprecation warnings
            frame = yfinance.download(
                symbol, start=start, end=end, interval="1d", auto_adjust=AUTO_ADJUST, actions=False,
                multi_level_index=False, progress=False, threads=False,
            )  # fmt: skip
    except Exception as err:  # yfinance and its HTTP stack raise many types; each becomes a sentence
        raise _classify(symbol, f"{type(err).__name__}: {err}") from err
    finally:
        logger.removeHandler(capture)
    if frame is None or frame.empty or frame.dropna(how="all").empty:
        raise _classify(symbol, " ".join(capture.messages))
    frame = frame.dropna(how="all")
    frame.index = pd.DatetimeIndex(frame.index).tz_localize(None).rename("Date")
    return frame


def _classify(symbol: str, message: str) -> AppError:
    """The AppError for what yfinance said (an exception text or its logged errors)."""
    if _RATE.search(message):
        return AppError(ErrorKind.RATE_LIMITED)
    if _OFFLINE.search(message):
        return AppError(ErrorKind.OFFLINE)
    if _NO_ROWS.search(message):
        return AppError(
            ErrorKind.EMPTY_RESULT,
            f"The price server has no rows for {symbol} in that date range (is the ticker spelt right?).",
        )
    if _UNKNOWN.search(message):
        return AppError(ErrorKind.UNKNOWN_TICKER, f"The price server does not know the ticker '{symbol}'.")
    return AppError(ErrorKind.EMPTY_RESULT, f"The price server returned no rows for {symbol} in that date range.")
