"""RNN Lab entry point and home page: the lesson path in the course's order, "Prepare for class",
what each page is for, and where the embedded data comes from.

It never imports TensorFlow or pandas on arrival, so the home page renders in about the time
Streamlit itself needs; "Prepare for class" hands its trainings to the training workers.
"""

from __future__ import annotations

import platform
from importlib import metadata

import streamlit as st

from ui.common import ROOT, plain, presenter, setup_page

PACKAGES = ("streamlit", "tensorflow-cpu", "keras", "plotly", "pandas", "numpy", "scikit-learn", "statsmodels")
# The lesson path, in the course's order: (step, page script, ?lesson= value).
LESSONS = (
    ("L1", "pages/3_Letter_prediction.py", "L1"),
    ("L2", "pages/3_Letter_prediction.py", "L2"),
    ("L3", "pages/3_Letter_prediction.py", "L3"),
    ("L4", "pages/3_Letter_prediction.py", "L4"),
    ("cells", "pages/4_Cell_step_through.py", "worked"),
    ("forecast", "pages/2_Stock_forecasting.py", "course"),
    ("compare", "pages/5_Architecture_comparison.py", "letters"),
    ("seq", "pages/6_Sequence_lab.py", "course"),
    ("text", "pages/7_Text_lab.py", "course"),
    ("grad", "pages/8_Memory_and_gradients.py", "course"),
)
PAGES = ("data", "forecast", "letters", "cells", "compare", "seq", "text", "grad")


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


def lesson_path(t) -> None:
    """Start here: one link per step, opening the page with the course's settings filled in."""
    st.subheader(t("lesson_heading"))
    st.caption(t("lesson_intro"))
    query = {"present": "true"} if presenter() else {}
    for n, (step, script, value) in enumerate((s for s in LESSONS if (ROOT / s[1]).exists()), start=1):
        left, right = st.columns([2, 3], vertical_alignment="center")
        left.page_link(script, label=f"{n}. {t(f'lesson_{step}')}", query_params={"lesson": value, **query})
        right.caption(t(f"lesson_{step}_what"))


def prepare_for_class(t) -> None:
    """Train every page's course defaults now (in the training workers), so the lesson's buttons answer at once."""
    from ui.training import training_area

    st.subheader(t("prepare_heading"))
    st.caption(t("prepare_help"))
    pressed = st.button(t("prepare_button"), key="home.prepare", icon=":material/school:")

    def work(report):
        from core.classroom import prepare_for_class as prepare

        return prepare(report=report)

    def done(steps: list[dict]) -> str:
        trained = sum(not s["cached"] for s in steps[:-1])
        return t("prepare_done", n=len(steps) - 1, trained=trained, seconds=f"{steps[-1]['seconds']:.0f}")

    training_area("home", pressed, work, t("prepare_progress"), done=done)


def about(t) -> None:
    st.subheader(t("pages_heading"))
    for key in PAGES:
        st.markdown(f"- {t(f'page_{key}')}")
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


def home() -> None:
    t = setup_page("home")
    st.title(t("heading"))
    st.markdown(t("tagline"))
    lesson_path(t)
    prepare_for_class(t)
    about(t)


home()
