"""Download a daily price history with yfinance, only when asked, with explicit arguments.

Results are cached (memory and disk, see core.cache), so a fetched ticker keeps working offline.
Every failure becomes an AppError: OFFLINE, RATE_LIMITED, UNKNOWN_TICKER or EMPTY_RESULT.
yfinance's `download` never raises for a failed ticker: it logs the error and returns an empty
frame. With its exceptions shown (not hidden as prose), the log names the exception type
("['MSFT']: DNSError('Failed to perform, curl: (6) Could not resolve host: ...')"), so the reason
is read from exception types first (raised or named in this thread's log records), and from
curl's error code or known phrases only where no type is given.
"""

from __future__ import annotations

import errno
import functools
import importlib
import logging
import re
import socket
import threading
import warnings
from datetime import date
from pathlib import Path

import pandas as pd

from core.cache import ResultCache, Serializer, make_key
from core.errors import AppError, ErrorKind
from core.prices import PriceData, read_prices

AUTO_ADJUST = False  # keep raw OHLC and the separate "Adj Close", as a Yahoo CSV export has

# Order of precedence when several reasons are found: a refusal or a lost connection explains an
# "unknown ticker" or "no rows" that follows from it, never the other way round.
_PRECEDENCE = (ErrorKind.RATE_LIMITED, ErrorKind.OFFLINE, ErrorKind.UNKNOWN_TICKER, ErrorKind.EMPTY_RESULT)
# errno values of a network that is down or refuses us (gaierror codes are negative and handled by type)
_NETWORK_ERRNOS = frozenset(
    {
        errno.ENETDOWN,
        errno.ENETUNREACH,
        errno.ENETRESET,
        errno.ECONNABORTED,
        errno.ECONNRESET,
        errno.ECONNREFUSED,
        errno.ETIMEDOUT,
        errno.EHOSTDOWN,
        errno.EHOSTUNREACH,
    }
)
# libcurl codes when the server cannot be reached: resolve proxy/host (5, 6), connect (7), timeout (28),
# TLS handshake (35), empty reply (52), send/receive (55, 56)
_OFFLINE_CURL_CODES = frozenset({5, 6, 7, 28, 35, 52, 55, 56})
_CURL_CODE = re.compile(r"curl: \((\d+)\)")
# Fallbacks for prose without an exception type (yfinance's messages when it hides exceptions)
_RATE = re.compile(r"rate.?limit|too many requests|\b429\b", re.IGNORECASE)
_OFFLINE = re.compile(
    r"resolve host|Failed to connect|Connection (refused|reset|aborted)|timed? ?out|unreachable"
    r"|name resolution|Impersonating \w+ is not supported|currently down",
    re.IGNORECASE,
)
_UNKNOWN = re.compile(
    r"delisted|no timezone|not found|invalid|no data found, symbol|quote not found|404", re.IGNORECASE
)
# Yahoo's own reason for a symbol it does not know (inside a "prices missing" error)
_UNKNOWN_SYMBOL = re.compile(r"no data found, symbol|symbol may be delisted|quote not found", re.IGNORECASE)
_NO_ROWS = re.compile(r"no price data found|no data found for this date range|data doesn't exist", re.IGNORECASE)


def _save(frame: pd.DataFrame, folder: Path) -> None:
    frame.to_csv(folder / "prices.csv")


def _load(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "prices.csv", index_col=0, parse_dates=True)


_CACHE: ResultCache[pd.DataFrame] = ResultCache("yfinance", max_items=8, serializer=Serializer(_save, _load))


class _Capture(logging.Handler):
    """Collects what yfinance logs in this thread while one download runs (not other users' downloads)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


def fetch_prices(ticker: str, start: str | date, end: str | date) -> PriceData:
    """Daily prices of `ticker` from `start` to `end` (end excluded, as yfinance does). Raises AppError."""
    symbol = ticker.strip().upper()
    if not symbol or not re.fullmatch(r"[\w.\-^=]{1,20}", symbol):
        raise AppError(ErrorKind.UNKNOWN_TICKER, key="type_a_ticker")
    start, end = pd.Timestamp(start).date().isoformat(), pd.Timestamp(end).date().isoformat()
    if start >= end:
        raise AppError(ErrorKind.BAD_SETTING, key="start_after_end")
    key = make_key("yfinance", symbol, start, end, AUTO_ADJUST)
    frame, _ = _CACHE.get_or_compute(key, lambda: _download(symbol, start, end))
    return read_prices(frame.to_csv().encode(), name=f"yfinance: {symbol}")


def _download(symbol: str, start: str, end: str) -> pd.DataFrame:
    import yfinance  # imported only when a download is asked for

    # Hidden, a failure is logged as prose ("possibly delisted; no price data found" for a DNS error once
    # the ticker's timezone is cached); shown, `download` still catches it but logs its type:
    # "['MSFT']: DNSError('Failed to perform, curl: (6) Could not resolve host: ...')".
    yfinance.config.debug.hide_exceptions = False
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
        raise _classify(symbol, _kinds_of_error(err)) from err
    finally:
        logger.removeHandler(capture)
    if frame is None or frame.empty or frame.dropna(how="all").empty:
        raise _classify(symbol, _kinds_of_log(capture.messages))
    frame = frame.dropna(how="all")
    frame.index = pd.DatetimeIndex(frame.index).tz_localize(None).rename("Date")
    return frame


def _classify(symbol: str, kinds: set[ErrorKind]) -> AppError:
    """The AppError for the reasons found (no reason found: the server simply returned no rows)."""
    kind = next((k for k in _PRECEDENCE if k in kinds), ErrorKind.EMPTY_RESULT)
    if kind is ErrorKind.UNKNOWN_TICKER:
        return AppError(kind, key="unknown_ticker", ticker=symbol)
    if kind is ErrorKind.EMPTY_RESULT:
        return AppError(kind, key="no_rows_for_ticker", ticker=symbol)
    return AppError(kind)


# ----------------------------------------------------------------------------- reasons from exception types


def _kinds_of_error(err: BaseException) -> set[ErrorKind]:
    """The reasons an exception and the exceptions behind it (cause, context) stand for."""
    kinds, seen, link = set(), set(), err
    while link is not None and id(link) not in seen and len(seen) < 10:
        seen.add(id(link))
        kind = _kind_of_error(link)
        if kind is not None:
            kinds.add(kind)
        link = link.__cause__ or link.__context__
    return kinds or _kinds_of_text(f"{type(err).__name__}: {err}")


def _kind_of_error(err: BaseException) -> ErrorKind | None:
    """What one exception says: its HTTP status, errno or curl error first, then its type."""
    status = getattr(getattr(err, "response", None), "status_code", None)
    if isinstance(status, int) and status >= 400:
        return _kind_of_status(status)
    if isinstance(err, OSError) and err.errno in _NETWORK_ERRNOS:
        return ErrorKind.OFFLINE
    kind = _kind_of_type(type(err))
    if kind is ErrorKind.EMPTY_RESULT and _UNKNOWN_SYMBOL.search(str(err)):
        return ErrorKind.UNKNOWN_TICKER  # Yahoo's own reason inside "prices missing"
    return kind


def _kind_of_status(status: int) -> ErrorKind:
    if status in (401, 403, 429):
        return ErrorKind.RATE_LIMITED  # the server refuses us
    return ErrorKind.UNKNOWN_TICKER if status == 404 else ErrorKind.OFFLINE


def _kind_of_type(error_type: type[BaseException]) -> ErrorKind | None:
    """What an exception type alone says (None: nothing about the network or the ticker)."""
    if error_type.__name__ == "CurlError" and error_type.__module__.startswith("curl_cffi"):
        return ErrorKind.OFFLINE  # curl's base error: it could not perform the transfer at all
    rate, offline, unknown, no_rows = _error_types()
    if issubclass(error_type, rate):
        return ErrorKind.RATE_LIMITED
    if issubclass(error_type, offline):
        return ErrorKind.OFFLINE
    if issubclass(error_type, no_rows):
        return ErrorKind.EMPTY_RESULT
    return ErrorKind.UNKNOWN_TICKER if issubclass(error_type, unknown) else None


@functools.cache
def _error_types() -> tuple[tuple[type[BaseException], ...], ...]:
    """(rate limited, offline, unknown ticker, no rows) exception types of yfinance and its HTTP stacks."""
    from yfinance import exceptions as yf_errors

    offline: list[type[BaseException]] = [ConnectionError, TimeoutError, socket.gaierror, socket.herror]
    offline += _optional_types("curl_cffi.requests.exceptions", _CURL_OFFLINE)
    offline += _optional_types("requests.exceptions", ("ConnectionError", "Timeout", "ChunkedEncodingError"))
    offline += _optional_types("urllib3.exceptions", ("NewConnectionError", "MaxRetryError", "ProtocolError"))
    return (
        (yf_errors.YFRateLimitError,),
        tuple(offline),
        (yf_errors.YFTickerMissingError,),  # includes "no timezone found"
        (yf_errors.YFPricesMissingError,),  # a YFTickerMissingError too: tested first
    )


# curl_cffi's transport failures (its HTTPError is read by status; IncompleteRead is a cut transfer)
_CURL_OFFLINE = (
    "ConnectionError",  # and DNSError, SSLError, ConnectTimeout
    "Timeout",
    "ProxyError",
    "ChunkedEncodingError",
    "IncompleteRead",
    "ImpersonateError",  # the HTTP library cannot run here (e.g. TensorFlow's libcurl was loaded first)
    "InterfaceError",
)


def _optional_types(module: str, names: tuple[str, ...]) -> list[type[BaseException]]:
    try:
        found = importlib.import_module(module)
    except ImportError:  # an HTTP stack yfinance does not use here
        return []
    return [getattr(found, name) for name in names if isinstance(getattr(found, name, None), type)]


@functools.cache
def _types_by_name() -> dict[str, ErrorKind]:
    """Exception type name -> reason, for the type names yfinance writes into its log ("DNSError(...)")."""
    modules = ["builtins", "socket", "curl_cffi", "curl_cffi.requests.exceptions", "requests.exceptions"]
    modules += ["urllib3.exceptions", "yfinance.exceptions"]
    kinds: dict[str, set[ErrorKind | None]] = {}
    for module in modules:
        try:
            names = vars(importlib.import_module(module))
        except ImportError:
            continue
        for name, value in names.items():
            if isinstance(value, type) and issubclass(value, BaseException):
                kinds.setdefault(name, set()).add(_kind_of_type(value))
    # a class that says nothing (urllib3's SSLError) is ignored; a name used for two reasons says nothing
    return {name: found.pop() for name, found in ((n, k - {None}) for n, k in kinds.items()) if len(found) == 1}


# ----------------------------------------------------------------------------- reasons from yfinance's log


def _kinds_of_log(messages: list[str]) -> set[ErrorKind]:
    """The reasons in yfinance's log records: from the exception types they name, else from their words."""
    kinds: set[ErrorKind] = set()
    named = _types_by_name()
    for message in messages:
        typed = {named[name] for name in _TYPE_NAME.findall(message) if name in named}
        if ErrorKind.EMPTY_RESULT in typed and _UNKNOWN_SYMBOL.search(message):
            typed = (typed - {ErrorKind.EMPTY_RESULT}) | {ErrorKind.UNKNOWN_TICKER}
        kinds |= typed or _kinds_of_text(message)
    return kinds


_TYPE_NAME = re.compile(r"\b([A-Za-z_]\w*)(?=[()])")  # "DNSError('...')" or "failed (DNSError), ..."


def _kinds_of_text(message: str) -> set[ErrorKind]:
    """The reason in prose without an exception type: curl's error code, else known phrases."""
    codes = {int(code) for code in _CURL_CODE.findall(message)}
    if codes & _OFFLINE_CURL_CODES:
        return {ErrorKind.OFFLINE}
    for kind, words in (
        (ErrorKind.RATE_LIMITED, _RATE),
        (ErrorKind.OFFLINE, _OFFLINE),
        (ErrorKind.EMPTY_RESULT, _NO_ROWS),
        (ErrorKind.UNKNOWN_TICKER, _UNKNOWN),
    ):
        if words.search(message):
            return {kind}
    return set()
