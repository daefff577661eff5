"""Section 1 of the Memory and gradients page: the power argument with sliders, Jacobian norms over the steps
back (SimpleRNN gains 0.5 / 1 / 1.5 beside LSTM and GRU) with the singular value rule, and per-step gradient
norms of the models the app trains (a course letter model, the session's stock model)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import grad
from core.figures import grad as figures
from core.gradients import (
    ScalarRnn,
    demo_jacobian_curves,
    power_argument,
    power_sentence,
    power_statement,
    rule_sentences,
)
from core.models import CELL_LABELS, CELLS, MODES
from ui.common import lang
from ui.training import training_area
from ui.views.grad_common import choice, figure_labels, t

JACOBIAN_STEPS = (20, 50, 100)


@st.cache_data(show_spinner=False, max_entries=64)
def power_numbers(w: float, steps: int, activation: str):
    """Closed forms beside GradientTape on the scalar RNN (T steps), and the course's three linear steps."""
    long = power_argument(ScalarRnn(w, activation=activation), grad.power_inputs(steps), target=1.0)
    three = power_argument(ScalarRnn(w, h0=0.5, activation="linear"), grad.power_inputs(3), target=1.0)
    return long, three


@st.cache_data(show_spinner=False, max_entries=8)
def jacobian_curves(steps: int):
    return demo_jacobian_curves(units=16, steps=steps, seed=0)


def power_panel() -> None:
    st.subheader(t("power_heading"))
    st.markdown(power_statement(lang()))
    left, middle, right = st.columns(3)
    w = left.slider("w", 0.5, 1.5, 0.9, 0.01, key="grad.w", help=t("w_help"))
    steps = middle.slider("T", 1, 100, 50, key="grad.T", help=t("T_help"))
    activation = choice(right, "grad.activation", ("linear", "tanh"), t("activation_label"), "activation_{}")
    st.plotly_chart(figures.power_figure(w, steps, figure_labels()), key="grad.power_chart")
    st.markdown(power_sentence(w, steps, lang()))
    with st.spinner(t("computing")):
        arg, three = power_numbers(float(w), int(steps), activation)
    cols = st.columns(3)
    cols[0].metric(t("closed_label", steps=steps), f"{arg.closed_state[0]:.6g}")
    cols[1].metric(t("autodiff_label", steps=steps), f"{arg.autodiff_state[0]:.6g}")
    difference = grad.relative_difference(arg)
    cols[2].metric(t("difference_label"), f"{difference:.1e}")
    (st.success if difference <= 1e-5 else st.error)(t("agree", difference=f"{difference:.1e}"))
    h = three.states
    terms = three.weight_terms  # [w²·h0, w·h1, h2]
    st.markdown(t("three_steps"))
    st.latex(
        f"\\frac{{\\partial h_3}}{{\\partial w}} = h_2 + w h_1 + w^2 h_0 = {h[2]:.4f} + {w:g}\\cdot{h[1]:.4f} + "
        f"{w:g}^2\\cdot{h[0]:.1f} = {terms[2]:.4f} + {terms[1]:.4f} + {terms[0]:.4f} = {terms.sum():.4f}"
    )
    st.caption(t("three_steps_check", closed=f"{three.closed_loss_w:.6f}", autodiff=f"{three.autodiff_loss_w:.6f}"))
    with st.expander(t("every_k")):
        frame = pd.DataFrame(
            {"k": range(arg.steps + 1), t("col_closed"): arg.closed_state, t("col_autodiff"): arg.autodiff_state}
        )
        st.dataframe(frame, hide_index=True, width="stretch")


def jacobian_panel() -> None:
    st.subheader(t("jacobian_heading"))
    st.markdown(t("jacobian_intro"))
    steps = st.select_slider("T ", JACOBIAN_STEPS, value=50, key="grad.jacobian_T")
    with st.spinner(t("computing")):
        curves = jacobian_curves(int(steps))
    st.plotly_chart(figures.jacobian_figure(curves, figure_labels()), key="grad.jacobian_chart")
    rule = rule_sentences(lang())
    st.markdown(f"**{rule['rule_title']}**  \n{rule['rule_sufficient']}  \n{rule['rule_necessary']}")
    for curve in curves:
        if curve.rule() is not None:
            st.markdown(f"- {figure_labels()['gain'].format(gain=curve.gain)}: {curve.rule().sentence(lang())}")
    st.caption(f"{t('gated_note')} {rule['rule_source']}")


def model_panel() -> None:
    """Per-step norms of a letter model or the session's stock model (from the cache, or trained on request)."""
    st.subheader(t("models_heading"))
    st.markdown(t("models_intro"))
    left, middle, right = st.columns(3)
    source = choice(left, "grad.model_source", ("letters", "stock"), t("model_source_label"), "model_source_{}")
    cell = choice(middle, "grad.model_cell", CELLS, t("cell_label"), CELL_LABELS.get)
    found = letter_model(right, cell) if source == "letters" else stock_model(right, cell)
    if found is None:
        return
    result, norms = found
    loss_norms, state_norms = norms(result)
    st.plotly_chart(figures.step_norms_figure(loss_norms, state_norms, figure_labels()), key="grad.model_chart")
    ratio = state_norms.norms[0] / state_norms.norms[-1] if state_norms.norms[-1] > 0 else float("nan")
    st.caption(t("models_caption", layer=loss_norms.layer, steps=len(loss_norms.norms), ratio=f"{ratio:.2g}"))


def letter_model(container, cell: str):
    from core.letters import LetterConfig, cached_letters, train_letters

    task = choice(container, "grad.model_task", ("L3", "L4"), t("letter_task_label"), "letter_task_{}")
    config = LetterConfig.course(task, cell)
    found = cached_letters(config)
    if found is None:
        pressed = st.button(t("train_model"), type="primary", key="grad.train_letters")
        result = training_area(
            "grad_models", pressed, lambda report: train_letters(config, report=report), t("training")
        )
        found = result if result is not None and result.config == config else None
    return None if found is None else (found, cached_letter_norms)


@st.cache_data(show_spinner=False, max_entries=16, hash_funcs={"core.letters.LetterResult": lambda r: r.key})
def cached_letter_norms(result):
    return grad.letter_step_norms(result)


def stock_model(container, cell: str):
    from core.forecast import FORECAST, ForecastConfig, ForecastResult, run_forecast
    from core.training import cached
    from ui.data_picker import current_series, current_target, source_label

    data = current_series()
    if data is None:
        st.info(t("no_series"))
        return None
    mode = choice(container, "grad.model_mode", MODES, t("mode_label"), "mode_{}")
    config = ForecastConfig.for_mode(mode, cell, target=current_target(data))
    st.caption(t("series", source=source_label(data), target=config.target))
    found = cached(FORECAST, config, data)
    result = ForecastResult(found) if found is not None else None
    if result is None:
        pressed = st.button(t("train_model"), type="primary", key="grad.train_stock")
        work = lambda report: run_forecast(data, config, report=report)  # noqa: E731
        trained = training_area("grad_models", pressed, work, t("training"))
        result = trained if trained is not None and trained.config == config else None
    if result is None:
        return None
    return result, lambda r: forecast_norms(r, data)


@st.cache_data(
    show_spinner=False,
    max_entries=16,
    hash_funcs={
        "core.forecast.ForecastResult": lambda r: r.trained.key,
        "core.prices.PriceData": lambda d: d.fingerprint(),
    },
)
def forecast_norms(result, data):
    return grad.forecast_step_norms(result, data)


def section() -> None:
    power_panel()
    jacobian_panel()
    model_panel()
