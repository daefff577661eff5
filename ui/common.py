"""Page setup, language, user-facing errors and live training progress, shared by every page."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from core.errors import AppError
from core.i18n import LANGUAGES, text
from core.progress import EpochInfo

LANG_KEY = "ui.lang"
# (script, text page whose `title` is the link label, icon): the sidebar navigation, in order
NAVIGATION = (
    ("app.py", "home", ":material/home:"),
    ("pages/1_Data.py", "data", ":material/table_chart:"),
    ("pages/2_Stock_forecasting.py", "forecast", ":material/show_chart:"),
    ("pages/3_Letter_prediction.py", "letters", ":material/abc:"),
    ("pages/4_Cell_step_through.py", "cells", ":material/memory:"),
    ("pages/5_Architecture_comparison.py", "compare", ":material/compare_arrows:"),
)


def setup_page(page: str) -> Callable[..., str]:
    """Configure the page, draw the shared sidebar and return a text getter `t(key, **values)`."""
    st.set_page_config(page_title=f"RNN Lab · {text(page, 'title')}", page_icon="🔁", layout="wide")
    st.session_state.setdefault(LANG_KEY, "en")
    sidebar_navigation(st.session_state[LANG_KEY])
    st.sidebar.divider()
    st.sidebar.selectbox(
        "Language / 语言",
        list(LANGUAGES),
        format_func=LANGUAGES.get,
        index=list(LANGUAGES).index(st.session_state[LANG_KEY]),
        key=f"{page}.lang_select",
        on_change=lambda: st.session_state.update({LANG_KEY: st.session_state[f"{page}.lang_select"]}),
    )
    return functools.partial(text, page, lang=st.session_state[LANG_KEY])


def sidebar_navigation(lang: str) -> None:
    """Links to every page, labelled in the chosen language."""
    with st.sidebar.container():
        try:
            for script, page, icon in NAVIGATION:
                st.page_link(script, label=text(page, "title", lang), icon=icon)
        except StreamlitPageNotFoundError:  # a page run on its own (headless tests) has no app around it
            pass


def plain(value: object) -> str:
    """Text shown as written in Streamlit markdown (file names, columns, paths): every markdown, math
    and emoji sign escaped."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])", r"\\\1", str(value))


def lang() -> str:
    return st.session_state.get(LANG_KEY, "en")


def show_error(err: AppError) -> None:
    """An AppError as the sentence a user reads (never a traceback)."""
    st.error(err.sentence, icon="⚠️")


@contextmanager
def user_errors() -> Iterator[None]:
    """Run a block; an AppError inside it becomes st.error with its sentence."""
    try:
        yield
    except AppError as err:
        show_error(err)


class TrainingProgress:
    """A reporter for core training: a progress bar with time left and the loss curves growing."""

    def __init__(
        self, label: str = "Training", curves: tuple[str, ...] = ("loss", "val_loss"), names: dict | None = None
    ):
        self.label = label
        self.curves = curves  # history keys drawn live
        self.names = names or {}  # display names, e.g. {"val_loss": "test loss"}
        self.lang = lang()
        self.bar = st.progress(0.0, text=text("common", "progress_starting", self.lang, label=label))
        self.chart = st.empty()
        self._last_draw = 0.0

    def __call__(self, info: EpochInfo) -> None:
        stage = f"{info.stage} · " if info.stage else ""
        self.bar.progress(
            info.fraction,
            text=text(
                "common",
                "progress_epoch",
                self.lang,
                stage=stage,
                label=self.label,
                epoch=info.epoch,
                epochs=info.epochs,
                seconds=f"{info.seconds_left:.0f}",
            ),  # fmt: skip
        )
        now = time.perf_counter()
        if now - self._last_draw > 0.4 or info.epoch == info.epochs:  # redraw at most ~2x a second
            self._last_draw = now
            series = {self.names.get(k, k): v for k, v in info.history.items() if k in self.curves}
            if series and info.epoch >= 2:  # one point makes no curve (and a degenerate epoch axis)
                import pandas as pd  # here, not at the top: the home page's cold start does without it

                frame = pd.DataFrame(series)
                frame.index = pd.RangeIndex(1, len(frame) + 1, name="epoch")
                self.chart.line_chart(frame, height=220)

    def waiting(self, ahead: int) -> None:
        """Every training process is busy: say so (and how many trainings wait before this one)."""
        key = "progress_waiting" if ahead else "progress_waiting_next"
        self.bar.progress(0.0, text=text("common", key, self.lang, label=self.label, ahead=ahead))

    def done(self, message: str = "") -> None:
        self.bar.progress(1.0, text=message or f"{self.label}: done")
