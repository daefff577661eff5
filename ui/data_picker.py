"""The shared data picker: an embedded series, an uploaded CSV or a downloaded ticker.

Every page that needs prices calls `data_picker(page)` then `target_picker(page, data)`. Widget
keys are prefixed by the page ("forecast.data_source", ...). Every AppError appears as st.error
with its sentence, and the picker returns None; text from files is shown as text, never markup.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import streamlit as st

from core.datasets import DEFAULT_DATASET, dataset_info, list_datasets, load_dataset
from core.errors import AppError, ErrorKind
from core.i18n import text
from core.prices import PriceData, default_target, find_tickers, read_prices
from ui.common import lang, plain

MODES = ("embedded", "upload", "ticker")


def _texts(t: Callable[..., str] | None) -> Callable[..., str]:
    """The caller's text getter, falling back to the data page's strings for the picker's keys."""

    def get(key: str, **values) -> str:
        found = t(key, **values) if t is not None else key
        return found if found != key else text("data", key, lang(), **values)

    return get


def show_app_error(err: AppError) -> None:
    st.error(plain(err.sentence), icon="⚠️")


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


def _resend_on_language_change(key: str) -> None:
    """Re-send a keyed choice whose labels were just translated.

    Streamlit 1.67's browser side matches a radio's choice by its label: after a language switch it
    shows no option selected although the value is kept. Setting the state again re-sends it.
    """
    seen = f"{key}.lang"
    if st.session_state.get(seen) != lang() and key in st.session_state:
        st.session_state[key] = st.session_state[key]
    st.session_state[seen] = lang()


def data_picker(page: str, t: Callable[..., str] | None = None) -> PriceData | None:
    """Choose a series; show its cleaning report, rows and dates. None (after st.error) when unusable."""
    tt = _texts(t)
    _resend_on_language_change(f"{page}.data_source")
    mode = st.radio(
        tt("picker_source"), MODES, format_func=lambda m: tt(f"picker_mode_{m}"), horizontal=True,
        key=f"{page}.data_source",
    )  # fmt: skip
    pick = {"embedded": _pick_embedded, "upload": _pick_upload, "ticker": _pick_ticker}[mode]
    try:
        data = pick(page, tt)
    except AppError as err:
        show_app_error(err)
        return None
    if data is not None:
        _describe(data, tt)
    return data


def _pick_embedded(page: str, tt) -> PriceData:
    infos = {i.name: i for i in list_datasets()}
    names = list(infos)
    name = st.selectbox(
        tt("picker_embedded"), names, index=names.index(DEFAULT_DATASET), format_func=lambda n: infos[n].label,
        key=f"{page}.dataset",
    )  # fmt: skip
    info = dataset_info(name)
    st.caption(info.description)
    return _embedded(info.name)


def _pick_upload(page: str, tt) -> PriceData | None:
    uploaded = st.file_uploader(tt("picker_upload"), key=f"{page}.upload")
    if uploaded is None:
        st.info(tt("picker_upload_hint"))
        return None
    raw = uploaded.getvalue()
    tickers = _tickers(raw)
    ticker = None
    if len(tickers) > 1:
        ticker = st.selectbox(
            tt("picker_ticker_choice"), tickers, index=None, placeholder=tt("picker_ticker_placeholder"),
            key=f"{page}.file_ticker",
        )  # fmt: skip
        if ticker not in tickers:
            ticker = None  # a stale choice from another file: raises TICKER_NOT_CHOSEN below
    return _uploaded(raw, ticker, uploaded.name)


def _pick_ticker(page: str, tt) -> PriceData | None:
    from core.yahoo import fetch_prices  # yfinance is imported only on this path

    left, mid, right = st.columns([2, 1, 1])
    symbol = left.text_input(
        tt("picker_yf_ticker"), key=f"{page}.yf_ticker", help=tt("picker_yf_ticker_help"), max_chars=20
    )
    first, today = date(1970, 1, 1), date.today()
    start = mid.date_input(
        tt("picker_yf_start"), value=date(2015, 1, 1), min_value=first, max_value=today, key=f"{page}.yf_start"
    )
    end = right.date_input(tt("picker_yf_end"), value=today, min_value=first, max_value=today, key=f"{page}.yf_end")
    request = (symbol.strip().upper(), start, end)
    stored_key = f"{page}.fetched"
    if st.button(tt("picker_yf_button"), key=f"{page}.yf_go", type="primary"):
        st.session_state.pop(stored_key, None)
        if not request[0]:
            raise AppError(ErrorKind.UNKNOWN_TICKER, "Type a ticker such as AAPL or 600519.SS.")
        st.session_state[stored_key] = (request, fetch_prices(*request))
    stored = st.session_state.get(stored_key)
    if stored is None:
        st.info(tt("picker_yf_hint"))
        return None
    if stored[0] != request:
        st.info(tt("picker_yf_stale"))
    return stored[1]


def _describe(data: PriceData, tt) -> None:
    """One line for what was picked and one for what was cleaned."""
    summary = tt(
        "picker_summary", source=plain(data.source), rows=f"{len(data.frame):,}",
        start=f"{data.start:%Y-%m-%d}", end=f"{data.end:%Y-%m-%d}",
    )  # fmt: skip
    st.caption(summary)
    st.caption(tt("picker_report", report=plain(data.report_in(lang()))))


def target_picker(page: str, data: PriceData, default: str = "open", t: Callable[..., str] | None = None) -> str:
    """Choose the target column among the numeric columns (canonical first)."""
    tt = _texts(t)
    options = data.columns
    key = f"{page}.target"
    if st.session_state.get(key) not in options:
        st.session_state.pop(key, None)  # the column of a previous series: start from the default
    choice = st.selectbox(
        tt("picker_target"), options, index=options.index(default_target(data, default)), key=key,
        help=tt("picker_target_help"),
    )  # fmt: skip
    if data.text_columns:
        st.caption(tt("picker_text_columns", names=", ".join(plain(c) for c in data.text_columns)))
    return choice
