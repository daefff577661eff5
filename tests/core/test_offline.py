"""Offline classroom: with the price server unreachable, everything works on embedded data.

The network is cut where yfinance really talks to it (its HTTP session) and at the socket layer
(anything but 127.0.0.1 is refused), so yfinance's own code runs and fails as it would with the
Wi-Fi down. Core: the ticker path raises OFFLINE with a sentence; embedded data needs no network;
a ticker fetched earlier keeps working from the cache. Pages (AppTest, nothing trains): every page
renders on embedded data, and the Data page's ticker path says why it cannot fetch.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pandas as pd
import pytest

from core.errors import AppError, ErrorKind

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "pages").glob("[0-9]_*.py"))
OFFLINE_WORDS = ("cannot be reached", "internet")


class NetworkDown:
    """Refuses every outside connection and records who tried."""

    def __init__(self) -> None:
        self.attempts: list[str] = []

    def http(self, error_type):
        def refuse(session, method, url, *args, **kwargs):
            self.attempts.append(f"{method} {url}")
            host = str(url).split("/")[2] if "//" in str(url) else str(url)
            raise error_type(f"Failed to perform, curl: (6) Could not resolve host: {host}")

        return refuse

    def socket_connect(self, original):
        def connect(sock, address, *args):
            host = address[0] if isinstance(address, tuple) else address
            if sock.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
                self.attempts.append(f"socket {host}")
                raise OSError(101, "Network is unreachable")
            return original(sock, address, *args)

        return connect


@pytest.fixture
def network_down(monkeypatch, isolated_cache) -> NetworkDown:
    """No route to the internet for the duration of a test (loopback still works)."""
    down = NetworkDown()
    from curl_cffi import requests as curl_requests

    monkeypatch.setattr(curl_requests.Session, "request", down.http(curl_requests.exceptions.ConnectionError))
    try:
        import requests

        monkeypatch.setattr(requests.Session, "request", down.http(requests.exceptions.ConnectionError))
    except ImportError:  # yfinance's fallback backend is optional
        pass
    monkeypatch.setattr(socket.socket, "connect", down.socket_connect(socket.socket.connect))
    from core import yahoo

    yahoo._CACHE.clear_memory()  # a ticker fetched by another test must not hide the network
    return down


# ----------------------------------------------------------------------------- core


def test_ticker_fetch_says_it_is_offline(network_down):
    from core.yahoo import fetch_prices

    with pytest.raises(AppError) as caught:
        fetch_prices("AAPL", "2020-01-01", "2020-06-30")
    assert caught.value.kind == ErrorKind.OFFLINE
    assert all(word in caught.value.sentence for word in OFFLINE_WORDS)
    assert "embedded" in caught.value.sentence  # it says what to do instead
    assert network_down.attempts, "yfinance never tried the network: the test did not exercise the real path"


def test_timeout_is_offline_too(monkeypatch, network_down):
    from curl_cffi import requests as curl_requests

    from core.yahoo import fetch_prices

    monkeypatch.setattr(curl_requests.Session, "request", network_down.http(curl_requests.exceptions.Timeout))
    with pytest.raises(AppError) as caught:
        fetch_prices("MSFT", "2019-01-01", "2019-03-01")
    assert caught.value.kind == ErrorKind.OFFLINE


def test_embedded_series_need_no_network(network_down):
    from core.datasets import list_datasets, load_dataset

    infos = list_datasets()
    assert len(infos) >= 3
    for info in infos:
        data = load_dataset(info.name)
        assert len(data.frame) == info.rows
        assert data.frame.index.is_monotonic_increasing
    assert network_down.attempts == []


def test_a_fetched_ticker_keeps_working_offline(monkeypatch, isolated_cache):
    import yfinance

    from core import yahoo

    dates = pd.bdate_range("2021-03-01", periods=40, name="Date")
    frame = pd.DataFrame({"Open": range(40), "High": range(1, 41), "Low": range(40), "Close": range(40)}, index=dates)
    frame = frame.astype(float) + 100.0
    monkeypatch.setattr(yfinance, "download", lambda *a, **k: frame.copy())
    online = yahoo.fetch_prices("IBM", "2021-03-01", "2021-04-30")

    def no_network(*args, **kwargs):
        raise ConnectionError("Failed to perform, curl: (6) Could not resolve host")

    monkeypatch.setattr(yfinance, "download", no_network)
    yahoo._CACHE.clear_memory()  # a restarted server: only the disk cache is left
    offline = yahoo.fetch_prices("IBM", "2021-03-01", "2021-04-30")
    assert len(offline.frame) == 40
    pd.testing.assert_frame_equal(offline.frame, online.frame, check_freq=False)
    with pytest.raises(AppError) as caught:  # an uncached range still says why
        yahoo.fetch_prices("IBM", "2021-05-01", "2021-06-30")
    assert caught.value.kind == ErrorKind.OFFLINE


# ----------------------------------------------------------------------------- pages (AppTest, nothing trains)


def run_page(path: Path):
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(path), default_timeout=120).run()


def test_every_page_file_is_checked():
    names = {p.name for p in PAGES}
    assert {"1_Data.py", "3_Letter_prediction.py", "4_Cell_step_through.py", "5_Architecture_comparison.py"} <= names


@pytest.mark.parametrize("path", [ROOT / "app.py", *PAGES], ids=lambda p: p.stem)
def test_page_works_offline_on_embedded_data(path, network_down):
    at = run_page(path)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.title) == 1 and at.title[0].value
    assert [e.value for e in at.error] == []
    assert network_down.attempts == [], "a page reached for the network before anyone asked"


def picker_pages() -> list[Path]:
    return [p for p in PAGES if "data_picker(" in p.read_text(encoding="utf-8")]


@pytest.mark.parametrize("path", picker_pages(), ids=lambda p: p.stem)
def test_ticker_path_says_why_it_cannot_fetch(path, network_down):
    at = run_page(path)
    source = next(r for r in at.radio if r.key and r.key.endswith(".data_source"))
    prefix = source.key.rsplit(".", 1)[0]
    source.set_value("ticker").run()
    assert not at.exception
    at.text_input(key=f"{prefix}.yf_ticker").input("AAPL").run()
    at.button(key=f"{prefix}.yf_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value.replace("\\", "") for e in at.error]
    assert len(errors) == 1 and all(word in errors[0] for word in OFFLINE_WORDS), errors
    assert any("GET" in a or "socket" in a for a in network_down.attempts)
    source.set_value("embedded").run()  # back to embedded data: the page works again
    assert not at.exception and [e.value for e in at.error] == []
