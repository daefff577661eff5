"""Page setup, language and user-facing errors, shared by every page."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from core.errors import AppError
from core.i18n import LANGUAGES, text

LANG_KEY = "ui.lang"
# (script, text page whose `title` is the link label, icon): the sidebar navigation, in order
NAVIGATION = (
    ("app.py", "home", ":material/home:"),
    ("pages/1_Data.py", "data", ":material/table_chart:"),
    ("pages/2_Stock_forecasting.py", "forecast", ":material/show_chart:"),
    ("pages/3_Letter_prediction.py", "letters", ":material/abc:"),
    ("pages/4_Cell_step_through.py", "cells", ":material/memory:"),
    ("pages/5_Architecture_comparison.py", "compare", ":material/compare_arrows:"),
    ("pages/6_Sequence_lab.py", "seq", ":material/timeline:"),
    ("pages/7_Text_lab.py", "text", ":material/translate:"),
    ("pages/8_Memory_and_gradients.py", "grad", ":material/trending_down:"),
)
ROOT = Path(__file__).resolve().parent.parent
PRESENT = "present"  # the presenter view's toggle, bound to the URL (?present=true) so it can be bookmarked


def presenter() -> bool:
    """True while the presenter view is on (its toggle, or the URL of a bookmark)."""
    if PRESENT in st.session_state:
        return bool(st.session_state[PRESENT])
    return str(st.query_params.get(PRESENT, "")).lower() in ("true", "1")


def setup_page(page: str) -> Callable[..., str]:
    """Configure the page, draw the shared sidebar and return a text getter `t(key, **values)`."""
    present = presenter()
    st.set_page_config(
        page_title=f"RNN Lab · {text(page, 'title')}",
        page_icon="🔁",
        layout="wide",
        initial_sidebar_state="collapsed" if present else "auto",
    )
    asked = st.query_params.get("lang")  # a bookmark may carry the language: ?lang=zh
    st.session_state.setdefault(LANG_KEY, asked if asked in LANGUAGES else "en")
    sidebar_navigation(st.session_state[LANG_KEY])
    st.sidebar.divider()
    st.sidebar.toggle(
        text("common", "presenter_view", st.session_state[LANG_KEY]),
        key=PRESENT,
        help=text("common", "presenter_help", st.session_state[LANG_KEY]),
        bind="query-params",
    )
    if present:  # larger type and less empty space for a projector (a fixed style sheet, no user data)
        st.markdown(
            "<style>html { font-size: 19px; }"
            ' [data-testid="stMainBlockContainer"] { padding-top: 1.2rem; padding-bottom: 2rem; max-width: 100%; }'
            " h1 { font-size: 1.9rem !important; padding-bottom: 0.2rem !important; }"
            ' [data-testid="stMetricValue"] { font-size: 2.4rem; }</style>',
            unsafe_allow_html=True,
        )
    st.sidebar.selectbox(
        "Language / 语言",
        list(LANGUAGES),
        format_func=LANGUAGES.get,
        index=list(LANGUAGES).index(st.session_state[LANG_KEY]),
        key=f"{page}.lang_select",
        on_change=choose_language,
        args=(f"{page}.lang_select",),
    )
    return functools.partial(text, page, lang=st.session_state[LANG_KEY])


def choose_language(key: str) -> None:
    """The language box changed: the whole session switches, and the URL keeps it for a bookmark."""
    st.session_state[LANG_KEY] = st.session_state[key]
    st.query_params["lang"] = st.session_state[key]


def sidebar_navigation(lang: str) -> None:
    """Links to every page, labelled in the chosen language."""
    with st.sidebar.container():
        try:
            for script, page, icon in NAVIGATION:
                if (ROOT / script).exists():  # a page still being built is not linked
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
    """The one way a page shows a user error: the sentence, as text (never markup, never a traceback)."""
    st.error(plain(err.in_language(lang())), icon="⚠️")


@contextmanager
def user_errors() -> Iterator[None]:
    """Run a block; an AppError inside it becomes st.error with its sentence."""
    try:
        yield
    except AppError as err:
        show_error(err)


def resend_on_language_change(key: str) -> None:
    """Re-send a keyed choice whose labels were just translated.

    Streamlit 1.67's browser side matches a radio's choice by its label: after a language switch it
    shows no option selected although the value is kept. Setting the state again re-sends it.
    """
    seen = f"{key}.lang"
    if st.session_state.get(seen) != lang() and key in st.session_state:
        st.session_state[key] = st.session_state[key]
    st.session_state[seen] = lang()


def settings_box(label: str):
    """Where a page's longer settings go: an expander in the presenter view (so Train and the result
    stay in the first screen), else a plain container."""
    return st.expander(label, expanded=False) if presenter() else st.container()


def intro(body: str, *, small: bool = False) -> None:
    """A page's introduction (`small`: as a caption); the presenter view leaves it out (the teacher says it)."""
    if not presenter():
        (st.caption if small else st.markdown)(body)


def lesson(page: str) -> str | None:
    """The lesson step this page was opened for (a Home link's ?lesson=...), once per link: the page
    applies its course settings, and later runs keep whatever the user changes."""
    value = st.query_params.get("lesson")
    key = f"ui.lesson.{page}"
    if not value or st.session_state.get(key) == value:
        return None
    st.session_state[key] = value
    return str(value)
