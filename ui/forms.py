"""Settings widgets shared by the pages: number fields that never block Train, and one message for a
setting out of range (naming the field by its label and the allowed range, in the user's language).

Number fields have no browser-side bounds: Streamlit would otherwise mark a typed 99999 red and
silently keep the old value. The page's config validates instead (core.settings), and Train always
answers — it trains, or it says which field is out of range and what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

import streamlit as st

from core.i18n import text
from core.settings import SettingError
from ui.common import lang

T = TypeVar("T")


def allowed_text(low, high) -> str:
    """'from 1 to 500' (or at least / at most) in the user's language."""
    if low is not None and high is not None:
        return text("common", "range_from_to", lang(), low=low, high=high)
    if low is not None:
        return text("common", "range_at_least", lang(), low=low)
    return text("common", "range_at_most", lang(), high=high)


def number_field(container, label: str, key: str, limits: tuple, *, help: str = "", **options):
    """A number input kept for the whole session (across pages), with its allowed range in the help."""
    allowed = text("common", "range_help", lang(), allowed=allowed_text(*limits))
    return container.number_input(label, key=key, help=f"{help} {allowed}".strip(), persist_state="session", **options)


def set_defaults(values: Mapping[str, object], *, overwrite: bool = False) -> None:
    """Put values into session state (widget keys): missing ones only, or all (a reset button)."""
    for key, value in values.items():
        if overwrite or key not in st.session_state:
            st.session_state[key] = value


def make_config(build: Callable[[], T], labels: Mapping[str, str]) -> T | None:
    """build() -> a config; a setting out of range becomes one message naming its label (None)."""
    try:
        return build()
    except SettingError as err:
        label = labels.get(err.field, err.field.replace("_", " "))
        if err.choices:
            st.error(text("common", "bad_setting_choice", lang(), label=label, value=err.value), icon="⚠️")
        else:
            allowed = allowed_text(err.low, err.high)
            st.error(text("common", "bad_setting", lang(), label=label, allowed=allowed, value=err.value), icon="⚠️")
    except ValueError as err:  # a rule between several settings: its own sentence
        st.error(str(err), icon="⚠️")
    return None
