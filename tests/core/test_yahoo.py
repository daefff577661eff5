"""yfinance download: explicit arguments, caching, and one error kind per failure (network mocked)."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
import yfinance
import yfinance.exceptions

import core.yahoo
from core.errors import AppError, ErrorKind
from core.yahoo import fetch_prices


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
    """Stands in for yfinance.download: records calls, returns a frame or fails like yfinance does."""

    def __init__(self, frame=None, raises=None, logs: str = ""):
        self.frame = frame if frame is not None else pd.DataFrame()
        self.raises, self.logs, self.calls = raises, logs, []

    def __call__(self, tickers, **kwargs):
        self.calls.append((tickers, kwargs))
        if self.raises is not None:
            raise self.raises
        if self.logs:  # yfinance logs failures and returns an empty frame
            logging.getLogger("yfinance").error(self.logs)
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
