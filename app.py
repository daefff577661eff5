"""RNN Lab entry point and home page: what each page is for, where the embedded data comes from,
and runtime versions.

It never imports TensorFlow, so the home page renders in about the time Streamlit itself needs.
"""

from __future__ import annotations

import platform
from importlib import metadata

import streamlit as st

from ui.common import plain, setup_page

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


def markdown_table(columns: list[str], rows: list[tuple]) -> str:
    """A Markdown table: drawn as plain HTML, with no pandas or data-grid component to load (a cold start
    renders this page first). Cells are shown as written."""
    lines = ["| " + " | ".join(plain(c) for c in columns) + " |", "|" + " --- |" * len(columns)]
    lines += ["| " + " | ".join(plain(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


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
        st.markdown(markdown_table(t("data_columns").split(","), rows))
    else:
        st.warning(t("data_missing"))

    st.subheader(t("runtime_heading"))
    st.caption(t("runtime_caption"))
    versions = [("python", platform.python_version())]
    versions += [(p, package_version(p, t("not_installed"))) for p in PACKAGES]
    st.markdown(markdown_table([t("col_package"), t("col_version")], versions))


home()
