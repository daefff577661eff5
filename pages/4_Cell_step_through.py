"""Cell step-through: a trained model's real numbers, gate by gate, step by step.

The letter and worked-example views load the shipped .npz models and replay them in NumPy: no
training, no TensorFlow. The stock view replays a forecaster from the one training path (the cache,
or trained on request) from its stored weights; only "verify against Keras" imports TensorFlow.
"""

from __future__ import annotations

import streamlit as st

from ui.common import intro, lesson, setup_page, user_errors
from ui.views.cells import letters_view, stock_view, worked_view

t = setup_page("cells")
if lesson("cells") == "worked":  # opened from the home page's lesson path: the course's 4pre1 example
    st.session_state.update({"cells.source": "worked", "cells.example": "4pre1"})
st.title(t("heading"))
intro(t("intro"), small=True)
VIEWS = {"letters": letters_view, "worked": worked_view, "stock": stock_view}
with user_errors():
    source = st.radio(
        t("source"), list(VIEWS), format_func=lambda s: t(f"source_{s}"), horizontal=True, key="cells.source"
    )
    VIEWS[source]()
