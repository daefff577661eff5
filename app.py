"""RNN Lab entry point: the navigation, and the home page (what each page is for, where the
embedded data comes from, runtime versions).

It never imports TensorFlow, so the home page renders in about the time Streamlit itself needs.
"""

from __future__ import annotations

import platform
from importlib import metadata
from pathlib import Path

import pandas as pd
import streamlit as st

from core.i18n import text
from ui.common import LANG_KEY, setup_page

# (file, url path, text page, icon); each page's sidebar title is `title` in its text file
PAGES = (
    ("pages/1_Data.py", "Data", "data", ":material/table_chart:"),
    ("pages/2_Stock_forecasting.py", "Stock_forecasting", "forecast", ":material/show_chart:"),
    ("pages/3_Letter_prediction.py", "Letter_prediction", "letters", ":material/abc:"),
    ("pages/4_Cell_step_through.py", "Cell_step_through", "cells", ":material/memory:"),
    ("pages/5_Architecture_comparison.py", "Architecture_comparison", "compare", ":material/compare_arrows:"),
)
HERE = Path(__file__).resolve().parent
PACKAGES = ("streamlit", "tensorflow-cpu", "keras", "plotly", "pandas", "numpy", "scikit-learn", "yfinance")


@st.cache_data(show_spinner=False)
def provenance_rows() -> list[tuple]:
    from core.datasets import list_datasets

    return [
        (
            d.label,
            d.rows,
            f"{d.start} … {d.end}",
            f"{d.package} {d.version}",
            d.path_in_package,
            d.licence,
            d.sha256[:12],
        )
        for d in list_datasets()
    ]


def package_version(name: str, missing: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return missing


def home() -> None:
    t = setup_page("home")
    st.title(t("heading"))
    st.markdown(t("tagline"))
    st.subheader(t("pages_heading"))
    for key in ("page_data", "page_forecast", "page_letters", "page_cells", "page_compare"):
        st.markdown(f"- {t(key)}")
    st.info(t("offline_note"))

    st.subheader(t("data_heading"))
    rows = provenance_rows()
    if rows:
        st.dataframe(pd.DataFrame(rows, columns=t("data_columns").split(",")), hide_index=True, width="stretch")
    else:
        st.warning(t("data_missing"))

    st.subheader(t("runtime_heading"))
    st.caption(t("runtime_caption"))
    versions = [("python", platform.python_version())]
    versions += [(p, package_version(p, t("not_installed"))) for p in PACKAGES]
    st.dataframe(pd.DataFrame(versions, columns=["package", "version"]), hide_index=True)


def navigation():
    lang = st.session_state.get(LANG_KEY, "en")
    pages = [st.Page(home, title=text("home", "title", lang), icon=":material/home:", default=True)]
    pages += [
        st.Page(path, title=text(key, "title", lang), url_path=url, icon=icon)
        for path, url, key, icon in PAGES
        if (HERE / path).exists()
    ]
    return st.navigation(pages)


navigation().run()
