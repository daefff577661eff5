"""The shared data picker: an embedded series, an uploaded CSV or a downloaded ticker.

There is ONE chosen series and target per browser session: every page's picker reads and writes the
same session keys ("data.*", kept across pages with `persist_state="session"`), so a series chosen
or uploaded on one page is the series of every page, and each page can still change it. Every
AppError appears as its sentence and the picker returns None; text from files is shown as text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date

import streamlit as st

from core.datasets import DEFAULT_DATASET, dataset_info, list_datasets, load_dataset
from core.errors import AppError, ErrorKind
from core.i18n import text
from core.prices import PriceData, default_target, find_tickers, read_prices
from ui.common import lang, plain, resend_on_language_change, show_error

MODES = ("embedded", "upload", "ticker")
SOURCE, DATASET, TARGET = "data.data_source", "data.dataset", "data.target"
UPLOAD = "data.uploaded_file"  # (file name, bytes) of the last uploaded file (a file uploader cannot persist)
FETCHED = "data.fetched"  # ((ticker, start, end), PriceData) of the last download


def _texts(t: Callable[..., str] | None) -> Callable[..., str]:
    """The caller's text getter, falling back to the data page's strings for the picker's keys."""

    language = lang()  # bound now: a format function may be called outside the script run

    def get(key: str, **values) -> str:
        found = t(key, **values) if t is not None else key
        return found if found != key else text("data", key, language, **values)

    return get


# ----------------------------------------------------------------------------- cached parsing


@st.cache_data(show_spinner=False, max_entries=16)
def _embedded(name: str) -> PriceData:
    return load_dataset(name)


@st.cache_data(show_spinner=False, max_entries=16)
def _uploaded(raw: bytes, ticker: str | None, file_name: str) -> PriceData:
    return read_prices(raw, ticker=ticker, name=f"upload: {file_name}")


@st.cache_data(show_spinner=False, max_entries=16)
def _tickers(raw: bytes) -> tuple[str, ...]:
    return find_tickers(raw)


# ----------------------------------------------------------------------------- the picker


def data_picker(page: str, t: Callable[..., str] | None = None) -> PriceData | None:
    """The session's series: choose or change it; shows its cleaning report. None (after a message) if unusable."""
    tt = _texts(t)
    resend_on_language_change(SOURCE)
    mode = st.radio(
        tt("picker_source"),
        MODES,
        format_func=lambda m: tt(f"picker_mode_{m}"),
        horizontal=True,
        key=SOURCE,
        persist_state="session",
    )
    pick = {"embedded": _pick_embedded, "upload": _pick_upload, "ticker": _pick_ticker}[mode]
    try:
        data = pick(page, tt)
    except AppError as err:
        show_error(err)
        return None
    if data is not None:
        _describe(data, tt)
    return data


def _pick_embedded(page: str, tt) -> PriceData:
    infos = {i.name: i for i in list_datasets()}
    st.session_state.setdefault(DATASET, DEFAULT_DATASET)
    name = st.selectbox(
        tt("picker_embedded"),
        list(infos),
        format_func=lambda n: tt(f"dataset_label_{n}"),
        key=DATASET,
        persist_state="session",
    )
    st.caption(tt(f"dataset_{name}") if tt(f"dataset_{name}") != f"dataset_{name}" else dataset_info(name).description)
    return _embedded(name)


def _pick_upload(page: str, tt) -> PriceData | None:
    stored = st.session_state.get(UPLOAD)
    label = tt("picker_upload_other") if stored else tt("picker_upload")
    uploaded = st.file_uploader(label, key=f"{page}.upload")
    if uploaded is not None and (stored is None or stored[1] != uploaded.getvalue()):
        stored = (uploaded.name, uploaded.getvalue())
        st.session_state[UPLOAD] = stored
    if stored is None:
        st.info(tt("picker_upload_hint"))
        return None
    name, raw = stored
    tickers = _tickers(raw)
    ticker = None
    if len(tickers) > 1:
        ticker = st.selectbox(
            tt("picker_ticker_choice"),
            tickers,
            index=None,
            placeholder=tt("picker_ticker_placeholder"),
            key="data.file_ticker",
            persist_state="session",
        )
        if ticker not in tickers:  # a question, not an error: the file holds several series
            st.info(tt("picker_ticker_question", n=len(tickers), names=", ".join(plain(t) for t in tickers)))
            return None
    return _uploaded(raw, ticker, name)


def _pick_ticker(page: str, tt) -> PriceData | None:
    from core.yahoo import fetch_prices  # yfinance is imported only on this path

    left, mid, right = st.columns([2, 1, 1])
    first, today = date(1970, 1, 1), date.today()
    st.session_state.setdefault("data.yf_start", date(2015, 1, 1))
    st.session_state.setdefault("data.yf_end", today)
    symbol = left.text_input(
        tt("picker_yf_ticker"),
        key="data.yf_ticker",
        help=tt("picker_yf_ticker_help"),
        max_chars=20,
        persist_state="session",
    )
    start = mid.date_input(
        tt("picker_yf_start"), min_value=first, max_value=today, key="data.yf_start", persist_state="session"
    )
    end = right.date_input(
        tt("picker_yf_end"), min_value=first, max_value=today, key="data.yf_end", persist_state="session"
    )
    request = (symbol.strip().upper(), start, end)
    if st.button(tt("picker_yf_button"), key="data.yf_go", type="primary"):
        st.session_state.pop(FETCHED, None)
        if not request[0]:
            raise AppError(ErrorKind.UNKNOWN_TICKER, tt("picker_yf_empty"))
        st.session_state[FETCHED] = (request, fetch_prices(*request))
    stored = st.session_state.get(FETCHED)
    if stored is None:
        st.info(tt("picker_yf_hint"))
        return None
    if stored[0] != request:
        st.info(tt("picker_yf_stale"))
    return stored[1]


def current_series() -> PriceData | None:
    """The session's chosen series without drawing the picker; None when it still needs a choice."""
    mode = st.session_state.get(SOURCE, "embedded")
    try:
        if mode == "embedded":
            return _embedded(st.session_state.get(DATASET, DEFAULT_DATASET))
        if mode == "upload":
            stored = st.session_state.get(UPLOAD)
            return _uploaded(stored[1], st.session_state.get("data.file_ticker"), stored[0]) if stored else None
        stored = st.session_state.get(FETCHED)
        return stored[1] if stored else None
    except AppError:  # the data page says what is wrong with it
        return None


def current_target(data: PriceData, default: str = "open") -> str:
    """The session's target column if this series has it, else the series' default target."""
    chosen = st.session_state.get(TARGET)
    return chosen if chosen in data.columns else default_target(data, default)


def _describe(data: PriceData, tt) -> None:
    """One line for what was picked and one for what was cleaned."""
    summary = tt(
        "picker_summary",
        source=plain(source_label(data, tt)),
        rows=f"{len(data.frame):,}",
        start=f"{data.start:%Y-%m-%d}",
        end=f"{data.end:%Y-%m-%d}",
    )
    st.caption(summary)
    st.caption(tt("picker_report", report=plain(data.report_in(lang()))))


def source_label(data: PriceData, tt=None) -> str:
    """'embedded: IBM' / 'upload: x.csv' / 'yfinance: MSFT' in the user's language."""
    tt = tt or _texts(None)
    kind, _, name = data.source.partition(": ")
    label = tt(f"source_{kind}")
    return f"{label}: {name}" if label != f"source_{kind}" else data.source


def column_label(column: str, language: str | None = None) -> str:
    """A price column's name for people: 开盘价（open） in Chinese; other columns as they are."""
    found = text("data", f"column_{column}", language or lang())
    return found if found != f"column_{column}" else column


def target_picker(page: str, data: PriceData, default: str = "open", t: Callable[..., str] | None = None) -> str:
    """The session's target column among the series' numeric columns (one value for every page)."""
    tt = _texts(t)
    options = data.columns
    if st.session_state.get(TARGET) not in options:  # the column of another series: the default instead
        st.session_state[TARGET] = default_target(data, default)
    choice = st.selectbox(
        tt("picker_target"),
        options,
        key=TARGET,
        help=tt("picker_target_help"),
        persist_state="session",
        format_func=functools.partial(column_label, language=lang()),
    )
    if data.text_columns:
        st.caption(tt("picker_text_columns", names=", ".join(plain(c) for c in data.text_columns)))
    return choice
