"""How the cell page draws a replayed cell: step controls, diagram, heatmaps, formulas, output bars,
conventions, parameter counts, verification against Keras and the what-if view. Everything replays
in NumPy (core.cells); only the "verify against Keras" button imports TensorFlow."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from core import cell_models
from core.errors import AppError
from core.figures import cells as figures
from core.i18n import text
from core.models import CELL_LABELS, CELLS
from core.worked_examples import EXAMPLES, compute
from ui.common import lang, show_error

STEP, PLAYING, ADVANCE = "cells.step", "cells.playing", "cells.advance"


def t(key: str, **values) -> str:
    """The cell page's text in this session's language."""
    return text("cells", key, lang(), **values)


def words() -> dict[str, str]:
    """The cell figures' few words in this session's language."""
    return {"next_step": t("fig_next_step"), "unit": t("fig_unit"), "step": t("fig_step")}


def bound(pattern: str):
    """A format function for options, in the language of now (it may run outside the script run)."""
    language = lang()
    return lambda option: text("cells", pattern.format(option), language)


@st.cache_resource(show_spinner=False)
def models() -> dict[str, cell_models.CellModel]:
    return cell_models.shipped_models()  # read-only, shared by every session


@st.cache_data(show_spinner=False, max_entries=256)
def letter_trace(cell: str, text: str) -> cell_models.LetterTrace:
    return cell_models.trace_letters(models()[cell], text)


@st.cache_data(show_spinner=False, max_entries=512)
def step_figures(cell: str, letters: str, step: int, language: str):
    return draw_step(letter_trace(cell, letters), step)  # the language is part of the cache key (titles)


def draw_step(trace, step: int):
    """Diagram, heatmaps and formulas of one step, titled in the page's language."""
    cell = trace.trace.cell
    title = t("diagram_title", step=step + 1, steps=trace.trace.steps, letter=trace.text[step])
    titles = {key: t(f"heat_{key}") for key in ("pre", "h", "i", "f", "o", "c", "z", "r")}
    titles["cand"] = t(f"heat_cand_{cell}")
    return (
        figures.cell_diagram(trace, step, title=title, words=words()),
        figures.state_heatmaps(trace, step, titles=titles, words=words()),
        figures.step_formulas(trace, step),
    )


def bars(trace, compare=None):
    title = t("bars_title", text=trace.text, prediction=trace.prediction)
    return figures.probability_bars(trace, title=title, compare=compare, axis=t("probability"))


@st.cache_data(show_spinner=False)
def worked(name: str) -> cell_models.LetterTrace:
    return cell_models.worked_trace(compute(EXAMPLES[name]))


def step_controls(steps: int) -> int:
    """Previous / Next / Play and the slider; returns the 0-based step."""
    if st.session_state.pop(ADVANCE, False):
        st.session_state[STEP] = st.session_state.get(STEP, 1) + 1
    st.session_state[STEP] = min(max(st.session_state.get(STEP, 1), 1), steps)
    if st.session_state[STEP] >= steps:  # playing ends on the last step
        st.session_state[PLAYING] = False
    prev, nxt, play, slider = st.columns([1, 1, 1, 6], vertical_alignment="bottom")
    prev.button(
        t("previous"),
        key="cells.prev",
        disabled=st.session_state[STEP] <= 1,
        width="stretch",
        on_click=lambda: st.session_state.update({STEP: st.session_state[STEP] - 1, PLAYING: False}),
    )
    nxt.button(
        t("next"),
        key="cells.next",
        disabled=st.session_state[STEP] >= steps,
        width="stretch",
        on_click=lambda: st.session_state.update({STEP: st.session_state[STEP] + 1, PLAYING: False}),
    )
    playing = st.session_state.get(PLAYING, False)
    play.button(
        t("stop") if playing else t("play"),
        key="cells.play",
        width="stretch",
        type="primary",
        on_click=lambda: st.session_state.update({PLAYING: not playing, **({} if playing else {STEP: 1})}),
    )
    if steps > 1:
        slider.slider(t("step"), 1, steps, key=STEP)
    return st.session_state[STEP] - 1


def keep_playing(step: int, steps: int) -> None:
    """While playing, wait a moment and move one step on (step_controls stops at the last step)."""
    if not st.session_state.get(PLAYING) or step + 1 >= steps:
        return
    time.sleep(0.9)
    st.session_state[ADVANCE] = True
    st.rerun()


def show_step(trace, diagram, heatmaps, formulas) -> None:
    st.plotly_chart(diagram, width="stretch", key="cells.diagram")
    st.markdown(f"**{t('formulas')}**")
    for line in formulas:
        st.latex(line)
    st.markdown(f"**{t('heatmaps')}**")
    st.plotly_chart(heatmaps, width="stretch", key="cells.heatmaps")


def show_output(trace) -> None:
    st.markdown(f"**{t('output')}**")
    st.latex(figures.output_formula(trace))
    st.plotly_chart(bars(trace), width="stretch", key="cells.bars")


def conventions_panel(text: str, step: int) -> None:
    with st.expander(t("conventions"), expanded=False):
        traces = {cell: letter_trace(cell, text) for cell in ("rnn", "gru")}
        numbers = cell_models.convention_numbers(models(), traces, step)
        for key in ("conv_rows", "conv_gate_order", "conv_two_biases", "conv_course_gru"):
            st.markdown(t(key, **numbers))


def parameters_panel(cell: str) -> None:
    model = models()[cell]
    with st.expander(t("parameters"), expanded=False):
        rows = cell_models.parameter_rows(model)
        st.dataframe(
            pd.DataFrame(rows).rename(
                columns={"layer": t("col_layer"), "formula": t("col_formula"), "count": t("col_count")}
            ),
            hide_index=True,
        )
        keras_count = model.meta.get("count_params")
        ok = rows[-1]["count"] == keras_count
        (st.success if ok else st.error)(
            t("param_match" if ok else "param_mismatch", ours=rows[-1]["count"], keras=keras_count)
        )


def what_if(cell: str, text: str) -> None:
    st.subheader(t("whatif"))
    col_pos, col_letter, col_result = st.columns([1, 1, 3])
    position = col_pos.selectbox(
        t("whatif_position"),
        range(len(text)),
        format_func=lambda i: f"{i + 1}: {text[i]}",
        key="cells.whatif_pos",
        index=len(text) - 1 if len(text) > 1 else 0,
    )
    letters = models()[cell].alphabet
    default = letters[(letters.index(text[position]) + 1) % len(letters)]
    letter = col_letter.selectbox(
        t("whatif_letter"), list(letters), index=letters.index(default), key="cells.whatif_letter"
    )
    changed_text = text[:position] + letter + text[position + 1 :]
    base, changed = letter_trace(cell, text), letter_trace(cell, changed_text)
    shown = "".join(f":red[**{c}**]" if c != o else c for c, o in zip(changed_text, text, strict=True))
    key = "whatif_same" if changed.prediction == base.prediction else "whatif_changed"
    col_result.markdown(t(key, before=text, after=shown, old=base.prediction, new=changed.prediction))
    left, right = st.columns(2)
    left.plotly_chart(
        figures.change_heatmap(base, changed, position, title=t("change_title"), words=words()),
        width="stretch",
        key="cells.whatif_heat",
    )
    right.plotly_chart(bars(changed, compare=base), width="stretch", key="cells.whatif_bars")


def verify_panel(cell: str, text: str) -> None:
    model = models()[cell]
    st.caption(t("stored_difference", difference=model.meta.get("replay_difference", float("nan"))))
    if st.button(t("verify"), key="cells.verify"):
        with st.spinner(t("verifying")):
            difference = cell_models.model_replay_difference(model, sorted({*default_windows(model), text}))
        st.session_state[f"cells.verified.{cell}"] = difference
    if f"cells.verified.{cell}" in st.session_state:
        difference = st.session_state[f"cells.verified.{cell}"]
        (st.success if difference <= 1e-5 else st.error)(t("verified", difference=difference))


def default_windows(model) -> list[str]:
    n, a = model.input_length, model.alphabet
    return [(a * 2)[i : i + n] for i in range(len(a))]


def letters_view() -> None:
    top = st.columns([2, 2, 3])
    shipped = cell_models.SHIPPED  # SimpleRNN, LSTM, GRU and the peephole LSTM
    cell = top[0].radio(t("cell"), shipped, format_func=CELL_LABELS.get, horizontal=True, key="cells.cell", index=1)
    text = top[1].text_input(t("input"), value="bcde", max_chars=12, key="cells.text", help=t("input_help"))
    top[2].caption(t("model_caption", **{k: models()[cell].meta.get(k, "?") for k in ("task", "accuracy", "epochs")}))
    if cell == "peephole":
        st.caption(t("peephole_caption"))
    try:
        trace = letter_trace(cell, text)
    except AppError as err:
        show_error(err)
        return
    step = step_controls(trace.trace.steps)
    diagram, heatmaps, formulas = step_figures(cell, trace.text, step, lang())
    show_step(trace, diagram, heatmaps, formulas)
    show_output(trace)
    conventions_panel(trace.text, step)
    parameters_panel(cell)
    verify_panel(cell, trace.text)
    what_if(cell, trace.text)
    keep_playing(step, trace.trace.steps)


def worked_view() -> None:
    st.session_state.setdefault("cells.example", "4pre1")
    name = st.radio(t("example"), list(EXAMPLES), horizontal=True, key="cells.example", format_func=bound("example_{}"))
    trace, example = worked(name), EXAMPLES[name]
    st.info(t("worked_note"))
    step = step_controls(trace.trace.steps)
    show_step(trace, *draw_step(trace, step))
    rows = [
        {
            t("col_step"): f"{i + 1}: {s.letter}",
            "x·W_xh": s.x_part,
            "h·W_hh": s.h_part,
            t("col_sum"): trace.trace.values["pre"][i].round(2).tolist(),
            "h_t": trace.trace.outputs[i].round(2).tolist(),
            t("col_course"): list(example.course_h[i]),
        }
        for i, s in enumerate(example.steps)
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    if example.slip:
        st.warning(t("slip"), icon=":material/edit_note:")
    show_output(trace)
    keep_playing(step, trace.trace.steps)


def stock_trace(result) -> cell_models.StackTrace:
    """A trained forecaster replayed over its last input window, from its stored weights (NumPy only)."""
    window = result.config.window
    weights, kernel, bias = cell_models.stack_from_arrays(result.trained.outputs)
    inputs = result.codec.features(result.tail)[-window:]  # (window, features), scaled as in training
    labels = [d.strftime("%m-%d") for d in result.tail.index[-window:]]
    return cell_models.trace_stack(weights, kernel, bias, inputs, labels)


def stock_model():
    """The session's series and a trained forecaster of it (from the cache, or trained on request)."""
    from core.forecast import FORECAST, ForecastConfig, ForecastResult, run_forecast
    from core.models import MODES
    from core.training import cached
    from ui.data_picker import current_series, current_target, source_label
    from ui.training import training_area

    data = current_series()
    if data is None:
        st.info(t("stock_no_series"))
        return None
    left, right = st.columns(2)
    cell = left.radio(t("cell"), CELLS, format_func=CELL_LABELS.get, horizontal=True, key="cells.stock_cell")
    mode = right.radio(
        t("stock_mode"), MODES, format_func=bound("stock_mode_{}"), horizontal=True, key="cells.stock_mode"
    )
    config = ForecastConfig.for_mode(mode, cell, target=current_target(data))
    st.caption(t("stock_series", source=source_label(data), target=config.target))
    found = cached(FORECAST, config, data)
    if found is not None:
        return ForecastResult(found)
    pressed = st.button(t("stock_train"), type="primary", key="cells.stock_train")
    work = lambda report: run_forecast(data, config, report=report)  # noqa: E731
    result = training_area("cells", pressed, work, t("stock_progress"))
    return result if result is not None and result.config == config else None


def stock_view() -> None:
    result = stock_model()
    if result is None:
        return
    stack = stock_trace(result)
    st.caption(
        t("stock_caption", model=result.config.label, window=result.config.window, last=result.tail.index[-1].date())
    )
    names = [
        f"{k + 1}: {CELL_LABELS[layer.cell]}({layer.values['h'].shape[-1]})" for k, layer in enumerate(stack.layers)
    ]
    k = st.radio(
        t("layer"), range(len(stack.layers)), horizontal=True, key="cells.stock_layer", format_func=names.__getitem__
    )
    view = stack.layer(k)
    step = step_controls(view.trace.steps)
    show_step(view, *draw_step(view, step))
    st.latex(f"y = h_T V + c = {stack.output['y'][0]:.4f}")
    st.caption(t("stock_output"))
    keep_playing(step, view.trace.steps)
