"""RNN Lab home page: what each page is for, the embedded data's provenance, and runtime versions.

It never imports TensorFlow, so it renders in about the time Streamlit itself needs.
"""

from __future__ import annotations

import platform
from importlib import metadata

import pandas as pd
import streamlit as st

from ui.common import setup_page

PACKAGES = ("streamlit", "tensorflow-cpu", "keras", "plotly", "pandas", "numpy", "scikit-learn", "yfinance")

t = setup_page("home")
st.title(t("heading"))
st.markdown(t("tagline"))

st.subheader(t("pages_heading"))
for key in ("page_data", "page_forecast", "page_letters", "page_cells", "page_compare"):
    st.markdown(f"- {t(key)}")
st.info(t("offline_note"))


@st.cache_data(show_spinner=False)
def provenance_table() -> pd.DataFrame:
    from core.datasets import list_datasets

    rows = [
        (d.label, d.rows, f"{d.start} … {d.end}", f"{d.package} {d.version}", d.path_in_package, d.licence, d.sha256[:12])
        for d in list_datasets()
    ]
    return pd.DataFrame(rows, columns=t("data_columns").split(","))


st.subheader(t("data_heading"))
table = provenance_table()
if table.empty:
    st.warning(t("data_missing"))
else:
    st.dataframe(table, hide_index=True, width="stretch")


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return t("not_installed")


st.subheader(t("runtime_heading"))
st.caption(t("runtime_caption"))
versions = {"python": platform.python_version(), **{p: package_version(p) for p in PACKAGES}}
st.dataframe(pd.DataFrame(list(versions.items()), columns=["package", "version"]), hide_index=True)
