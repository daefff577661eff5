"""yfinance download: explicit arguments, caching, and one error kind per failure (network mocked)."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
import yfinance
import yfinance.exceptions

import core.yahoo
from core.errors import AppError, ErrorKind
from core.yahoo import fetch_prices

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_cache(isolated_cache):
    core.yahoo._CACHE.clear_memory()
    yield
    core.yahoo._CACHE.clear_memory()


def yahoo_frame(rows: int = 5) -> pd.DataFrame:
    """What yfinance.download returns for one ticker with multi_level_index=False, auto_adjust=False."""
    index = pd.DatetimeIndex(pd.bdate_range("2024-01-02", periods=rows), name="Date")
    close = [100.0 + i for i in range(rows)]
    return pd.DataFrame(
        {
            "Adj Close": [c * 0.98 for c in close],
            "Close": close,
            "High": [c + 1 for c in close],
            "Low": [c - 1 for c in close],
            "Open": [c - 0.5 for c in close],
            "Volume": [1_000_000 + i for i in range(rows)],
        },
        index=index,
    )


class FakeDownload:
    """Stands in for yfinance.download: records calls, returns a frame or fails like yfinance does.

    `logs` is one error message or a list of (level, message) records, as yfinance logs them before
    returning an empty frame; `hidden_logs` (when given) is what it logs instead while
    yfinance.config.debug.hide_exceptions is True (its default: failures become prose, not types).
    """

    def __init__(self, frame=None, raises=None, logs: str | list = "", hidden_logs: list | None = None):
        self.frame = frame if frame is not None else pd.DataFrame()
        self.raises, self.logs, self.hidden_logs, self.calls = raises, logs, hidden_logs, []
        self.hide_exceptions: list[bool] = []

    def __call__(self, tickers, **kwargs):
        self.calls.append((tickers, kwargs))
        hide = bool(yfinance.config.debug.hide_exceptions)
        self.hide_exceptions.append(hide)
        if self.raises is not None:
            raise self.raises
        records = self.hidden_logs if hide and self.hidden_logs is not None else self.logs
        if isinstance(records, str):
            records = [(logging.ERROR, records)] if records else []
        for level, message in records:  # yfinance logs failures and returns an empty frame
            logging.getLogger("yfinance").log(level, message)
        return self.frame


def install(monkeypatch, fake: FakeDownload) -> FakeDownload:
    monkeypatch.setattr(yfinance, "download", fake)
    return fake


def test_download_with_explicit_arguments_and_cached(monkeypatch):
    fake = install(monkeypatch, FakeDownload(yahoo_frame()))
    data = fetch_prices(" aapl ", "2024-01-01", "2024-02-01")
    assert data.source == "yfinance: AAPL"
    assert data.columns == ["open", "high", "low", "close", "adj_close", "volume"]
    assert len(data.frame) == 5 and data.frame["close"].iloc[-1] == 104.0
    tickers, kwargs = fake.calls[0]
    assert tickers == "AAPL"
    assert kwargs["auto_adjust"] is False and kwargs["multi_level_index"] is False and kwargs["progress"] is False
    assert (kwargs["start"], kwargs["end"]) == ("2024-01-01", "2024-02-01")
    again = fetch_prices("AAPL", "2024-01-01", "2024-02-01")  # from the cache: no second call
    assert len(fake.calls) == 1 and again.fingerprint() == data.fingerprint()


def test_cached_download_survives_going_offline(monkeypatch):
    install(monkeypatch, FakeDownload(yahoo_frame()))
    first = fetch_prices("MSFT", "2024-01-01", "2024-02-01")
    core.yahoo._CACHE.clear_memory()  # a restart: only the disk copy is left
    install(monkeypatch, FakeDownload(raises=ConnectionError("Failed to connect")))
    assert fetch_prices("MSFT", "2024-01-01", "2024-02-01").fingerprint() == first.fingerprint()


def test_timezone_aware_index_is_made_naive(monkeypatch):
    frame = yahoo_frame()
    frame.index = frame.index.tz_localize("Asia/Shanghai")
    install(monkeypatch, FakeDownload(frame))
    data = fetch_prices("600519.SS", "2024-01-01", "2024-02-01")
    assert data.frame.index.tz is None and data.frame.index[0] == pd.Timestamp("2024-01-02")


def kind_of(monkeypatch, fake: FakeDownload, ticker: str = "AAPL") -> ErrorKind:
    install(monkeypatch, fake)
    with pytest.raises(AppError) as err:
        fetch_prices(ticker, "2024-01-01", "2024-02-01")
    return err.value.kind


def test_offline_logged_by_yfinance(monkeypatch):
    logged = "['AAPL']: DNSError('Failed to perform, curl: (6) Could not resolve host: query2.example')"
    assert kind_of(monkeypatch, FakeDownload(logs=logged)) is ErrorKind.OFFLINE


def test_offline_raised(monkeypatch):
    assert kind_of(monkeypatch, FakeDownload(raises=ConnectionError("Connection refused"))) is ErrorKind.OFFLINE


def test_rate_limited_raised(monkeypatch):
    fake = FakeDownload(raises=yfinance.exceptions.YFRateLimitError())
    assert kind_of(monkeypatch, fake) is ErrorKind.RATE_LIMITED


def test_rate_limited_logged(monkeypatch):
    logged = "['AAPL']: YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')"
    assert kind_of(monkeypatch, FakeDownload(logs=logged)) is ErrorKind.RATE_LIMITED


def test_unknown_ticker(monkeypatch):
    logged = "['NOPE']: YFTzMissingError('$NOPE: possibly delisted; no timezone found')"
    assert kind_of(monkeypatch, FakeDownload(logs=logged), "NOPE") is ErrorKind.UNKNOWN_TICKER


def test_malformed_ticker_is_refused_without_a_download(monkeypatch):
    fake = FakeDownload(yahoo_frame())
    assert kind_of(monkeypatch, fake, "<script>") is ErrorKind.UNKNOWN_TICKER
    assert fake.calls == []


def test_empty_result(monkeypatch):
    assert kind_of(monkeypatch, FakeDownload()) is ErrorKind.EMPTY_RESULT
    logged = (
        "['AAPL']: YFPricesMissingError('$AAPL: possibly delisted; no price data found  (1d 1990-01-01 -> 1990-02-01)')"
    )
    assert kind_of(monkeypatch, FakeDownload(logs=logged)) is ErrorKind.EMPTY_RESULT


def test_rows_of_nan_only_count_as_empty(monkeypatch):
    frame = yahoo_frame() * float("nan")
    assert kind_of(monkeypatch, FakeDownload(frame)) is ErrorKind.EMPTY_RESULT


def test_start_after_end_is_a_bad_setting(monkeypatch):
    fake = install(monkeypatch, FakeDownload(yahoo_frame()))
    with pytest.raises(AppError) as err:
        fetch_prices("AAPL", "2024-02-01", "2024-01-01")
    assert err.value.kind is ErrorKind.BAD_SETTING and fake.calls == []


# ----------------------------------------------------------------------------- offline, as yfinance 1.7.0 reports it
# Recorded on a machine without internet (DNS fails), yfinance 1.7.0 with curl_cffi 0.17.0: `download` never
# raises; it logs and returns an empty (0, 6) frame. What it logs depends on its state, so each case is here.

W, E = logging.WARNING, logging.ERROR
HOST = "query2.finance.yahoo.com"
CURL_DOC = "See https://curl.se/libcurl/c/libcurl-errors.html first for more details."
DNS = f"Failed to perform, curl: (6) Could not resolve host: {HOST}. {CURL_DOC}"
DNS_LONG = f"Failed to perform, curl: (6) Could not resolve host: {HOST} (Domain name not found). {CURL_DOC}"
CRUMB_DNS = (W, "Cookie/crumb fetch failed (DNSError), continuing without crumb")
FAILED = (E, "\n1 Failed download:")
IMPERSONATE = "Impersonating chrome152 is not supported"

REAL_OFFLINE_LOGS = {
    # the first two tickers of a process: the timezone lookup fails, then the chart request raises DNSError
    "timezone_not_cached": [
        CRUMB_DNS,
        (E, f"Failed to get ticker 'MSFT' reason: {DNS_LONG}"),
        CRUMB_DNS,
        FAILED,
        (E, f"['MSFT']: DNSError('{DNS}')"),
    ],
    # the third ticker of a process on: yfinance gives up on the timezone and calls the ticker delisted
    "timezone_given_up": [
        CRUMB_DNS,
        (E, f"Failed to get ticker '600519.SS' reason: {DNS_LONG}"),
        (E, "$600519.SS: possibly delisted; no timezone found"),
        FAILED,
        (E, "['600519.SS']: possibly delisted; no timezone found"),
    ],
    # the ticker's timezone is in yfinance's disk cache: only the crumb warning tells DNS failed
    "timezone_cached": [
        CRUMB_DNS,
        (E, "$AAPL: possibly delisted; no price data found  (1d 2015-01-01 -> 2026-11-30)"),
        FAILED,
        (E, "['AAPL']: possibly delisted; no price data found  (1d 2015-01-01 -> 2026-11-30)"),
    ],
    # TensorFlow loaded before curl_cffi: curl_cffi binds TensorFlow's libcurl and every request fails
    "tensorflow_first": [
        (W, "Cookie fetch from fc.yahoo.com failed (ImpersonateError), continuing without it"),
        (W, "Cookie/crumb fetch failed (ImpersonateError), continuing without crumb"),
        (E, f"Failed to get ticker 'MSFT' reason: {IMPERSONATE}"),
        (W, "Cookie/crumb fetch failed (ImpersonateError), continuing without crumb"),
        FAILED,
        (E, f"['MSFT']: ImpersonateError('{IMPERSONATE}')"),
    ],
    "tensorflow_first_timezone_given_up": [
        (W, "Cookie/crumb fetch failed (ImpersonateError), continuing without crumb"),
        (E, f"Failed to get ticker '600519.SS' reason: {IMPERSONATE}"),
        (E, "$600519.SS: possibly delisted; no timezone found"),
        FAILED,
        (E, "['600519.SS']: possibly delisted; no timezone found"),
    ],
    # with yfinance.config.debug.hide_exceptions = False (what fetch_prices sets): the type, whatever the state
    "typed": [CRUMB_DNS, FAILED, (E, f"['600519.SS']: DNSError('{DNS_LONG}')")],
    "typed_tensorflow_first": [FAILED, (E, f"['MSFT']: ImpersonateError('{IMPERSONATE}')")],
}


@pytest.mark.parametrize("case", sorted(REAL_OFFLINE_LOGS))
def test_real_offline_logs_are_offline(monkeypatch, case):
    assert kind_of(monkeypatch, FakeDownload(logs=REAL_OFFLINE_LOGS[case])) is ErrorKind.OFFLINE


def test_network_lost_after_cookie_and_timezone_were_cached(monkeypatch):
    """With a crumb and a timezone cached, hidden exceptions leave only "no price data found" in the log."""
    typed = [FAILED, (E, f"['MSFT']: DNSError('{DNS}')")]
    hidden = [(E, "$MSFT: possibly delisted; no price data found  (1d 2024-01-01 -> 2024-02-01)"), FAILED]
    fake = FakeDownload(logs=typed, hidden_logs=hidden)
    assert kind_of(monkeypatch, fake, "MSFT") is ErrorKind.OFFLINE
    assert fake.hide_exceptions == [False]  # yfinance is asked for the exception types


def raised_offline() -> list[BaseException]:
    """Exceptions of yfinance's HTTP stacks when the network is down (messages as they really read)."""
    from curl_cffi import CurlError
    from curl_cffi.requests import exceptions as curl

    errors: list[BaseException] = [
        curl.DNSError(DNS_LONG, 6),
        curl.ConnectionError(
            f"Failed to perform, curl: (7) Failed to connect to {HOST} port 443 after 3 ms: Couldn't connect to server",
            7,
        ),
        curl.Timeout("Failed to perform, curl: (28) Operation timed out after 10002 milliseconds", 28),
        curl.ProxyError("Failed to perform, curl: (97) proxy handshake error", 97),
        curl.SSLError("Failed to perform, curl: (35) TLS connect error: error:0A000126", 35),
        curl.ImpersonateError(IMPERSONATE),
        CurlError(f"Failed to getinfo 4195305, curl: (48) Could not resolve host: {HOST}. {CURL_DOC}", 48),
        socket.gaierror(-3, "Temporary failure in name resolution"),
        socket.gaierror(-2, "Name or service not known"),
        ConnectionRefusedError(111, "Connection refused"),
        ConnectionResetError(104, "Connection reset by peer"),
        TimeoutError("The read operation timed out"),
        OSError(101, "Network is unreachable"),
    ]
    try:
        import requests
    except ImportError:
        return errors
    pool = f"HTTPSConnectionPool(host='{HOST}', port=443): Max retries exceeded with url: /v8/finance/chart/MSFT"
    return [*errors, requests.exceptions.ConnectionError(pool), requests.exceptions.ReadTimeout(pool)]


@pytest.mark.parametrize(
    "error", raised_offline(), ids=lambda e: f"{type(e).__name__}-{getattr(e, 'code', None) or e.errno}"
)
def test_raised_network_errors_are_offline(monkeypatch, error):
    assert kind_of(monkeypatch, FakeDownload(raises=error)) is ErrorKind.OFFLINE


def test_network_error_behind_another_exception_is_offline(monkeypatch):
    from curl_cffi.requests import exceptions as curl

    try:
        try:
            raise curl.DNSError(DNS_LONG, 6)
        except curl.DNSError as dns:
            raise yfinance.exceptions.YFDataException("could not load the chart") from dns
    except yfinance.exceptions.YFDataException as wrapped:
        error = wrapped
    assert kind_of(monkeypatch, FakeDownload(raises=error)) is ErrorKind.OFFLINE


def http_error(status: int):
    from curl_cffi.requests import Response
    from curl_cffi.requests import exceptions as curl

    response = Response()
    response.status_code = status
    return curl.HTTPError(f"HTTP Error {status}", 0, response)


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (lambda: http_error(429), ErrorKind.RATE_LIMITED),
        (lambda: http_error(404), ErrorKind.UNKNOWN_TICKER),
        (lambda: http_error(503), ErrorKind.OFFLINE),
        (lambda: yfinance.exceptions.YFTzMissingError("NOPE"), ErrorKind.UNKNOWN_TICKER),
        (
            lambda: yfinance.exceptions.YFPricesMissingError("AAPL", " (1d 1990-01-01 -> 1990-02-01)"),
            ErrorKind.EMPTY_RESULT,
        ),
        (lambda: OSError(13, "Permission denied"), ErrorKind.EMPTY_RESULT),  # not the network: no "offline"
    ],
)
def test_raised_errors_by_type(monkeypatch, error, kind):
    assert kind_of(monkeypatch, FakeDownload(raises=error())) is kind


@pytest.mark.parametrize(
    ("logged", "kind"),
    [  # online answers, as yfinance logs them with hide_exceptions = False
        ("['NOPE']: YFTzMissingError('$NOPE: possibly delisted; no timezone found')", ErrorKind.UNKNOWN_TICKER),
        ("['NOPE']: YFPricesMissingError('$NOPE: No data found, symbol may be delisted')", ErrorKind.UNKNOWN_TICKER),
        (
            "['AAPL']: YFPricesMissingError('$AAPL: possibly delisted; no price data found  (1d 1990-01-01 -> 1990-02-01)')",
            ErrorKind.EMPTY_RESULT,
        ),
        ("['AAPL']: YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')", ErrorKind.RATE_LIMITED),
    ],
)
def test_typed_logs_of_online_failures(monkeypatch, logged, kind):
    assert kind_of(monkeypatch, FakeDownload(logs=[FAILED, (E, logged)])) is kind


def test_another_threads_yfinance_log_is_not_read(monkeypatch):
    """Two users fetching at once: one's network error must not become the other's reason."""

    class OtherUserOffline(FakeDownload):
        def __call__(self, tickers, **kwargs):
            other = threading.Thread(target=logging.getLogger("yfinance").error, args=(f"['MSFT']: DNSError('{DNS}')",))
            other.start()
            other.join()
            return super().__call__(tickers, **kwargs)

    logged = (
        "['AAPL']: YFPricesMissingError('$AAPL: possibly delisted; no price data found  (1d 1990-01-01 -> 1990-02-01)')"
    )
    assert kind_of(monkeypatch, OtherUserOffline(logs=logged)) is ErrorKind.EMPTY_RESULT


def price_server_reachable() -> bool:
    try:
        with socket.create_connection((HOST, 443), timeout=3):
            return True
    except OSError:
        return False


@pytest.mark.skipif(price_server_reachable(), reason="the price server is reachable: this test needs no network")
@pytest.mark.parametrize("ticker", ["MSFT", "AAPL", "600519.SS"])
def test_real_yfinance_without_network_says_offline(ticker):
    """yfinance itself (nothing mocked), with the data page's default dates, on a machine without internet."""
    with pytest.raises(AppError) as err:
        fetch_prices(ticker, "2015-01-01", "2026-11-30")
    assert err.value.kind is ErrorKind.OFFLINE


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads the process's mapped libraries (Linux)")
def test_importing_core_maps_the_http_library_before_tensorflow_can():
    """TensorFlow exports its own libcurl; curl_cffi loaded after it fails every request (ImpersonateError)."""
    code = (
        "import sys, core; maps = open('/proc/self/maps').read()\n"
        "print('curl_cffi/_wrapper' in maps, 'tensorflow' in sys.modules, 'curl_cffi' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["True", "False", "False"], done.stderr  # mapped, nothing imported
