"""Section 4 of the Memory and gradients page: the peephole LSTM — its equations, the parameter count
4U(F+U+1)+3U, its equality with keras.layers.LSTM when the peepholes are zero, and Greff et al.'s finding."""

from __future__ import annotations

import streamlit as st

from core import grad
from core.peephole import peephole_note, peephole_parameter_count
from ui.common import lang
from ui.views.grad_common import t

EQUATIONS = (
    r"i_t = \sigma(x_t W_i + h_{t-1} U_i + b_i + p_i \odot c_{t-1})",
    r"f_t = \sigma(x_t W_f + h_{t-1} U_f + b_f + p_f \odot c_{t-1})",
    r"c_t = f_t \odot c_{t-1} + i_t \odot \tanh(x_t W_c + h_{t-1} U_c + b_c)",
    r"o_t = \sigma(x_t W_o + h_{t-1} U_o + b_o + p_o \odot c_t)",
    r"h_t = o_t \odot \tanh(c_t)",
)


@st.cache_data(show_spinner=False, max_entries=32)
def keras_checks(features: int, units: int) -> dict:
    return grad.peephole_checks(features, units)


def section() -> None:
    st.subheader(t("peephole_heading"))
    st.markdown(t("peephole_intro"))
    for line in EQUATIONS:
        st.latex(line)
    left, right = st.columns(2)
    features = left.number_input("F", 1, 256, 2, key="grad.peephole_F", help=t("F_help"))
    units = right.number_input("U", 1, 256, 32, key="grad.peephole_U", help=t("U_help"))
    f, u = int(features), int(units)
    count = peephole_parameter_count(f, u)
    st.latex(
        f"4U(F+U+1) + 3U = 4\\cdot{u}\\cdot({f}+{u}+1) + 3\\cdot{u} = {4 * u * (f + u + 1):,} + {3 * u} = {count:,}"
    )
    st.caption(t("peephole_count", lstm=f"{4 * u * (f + u + 1):,}", extra=3 * u))
    numpy_difference = grad.zero_peephole_numpy_difference(f, u)
    st.markdown(t("peephole_zero", difference=f"{numpy_difference:.1e}"))
    if st.button(t("peephole_check"), key="grad.peephole_check"):
        with st.spinner(t("computing")):
            st.session_state["grad.peephole_checked"] = (f, u, keras_checks(f, u))
    checked = st.session_state.get("grad.peephole_checked")
    if checked is not None and checked[:2] == (f, u):
        found = checked[2]
        ok = found["keras_params"] == count and found["zero_difference"] <= 1e-6 and found["replay_difference"] <= 1e-5
        (st.success if ok else st.error)(
            t(
                "peephole_checked",
                params=found["keras_params"],
                formula=count,
                zero=f"{found['zero_difference']:.1e}",
                replay=f"{found['replay_difference']:.1e}",
            )
        )
    st.info(peephole_note(lang()))
    st.caption(t("peephole_where"))
