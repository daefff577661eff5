"""The text lab's translation tab: task, variant and attention; a trained seq2seq model's exact match
and character accuracy beside the copy/majority baselines; a typed input, its translation and the
attention heat map (replayed in NumPy from the stored weights: core.translation); nothing here trains."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import translation as core
from core.figures.text import attention_figure, steps_curve_figure
from core.pairs import MIN_UPLOAD_PAIRS
from core.translate import DOCUMENT_RUNS, LIMITS, TASKS, TranslateConfig, document_slips
from ui.common import lang, plain, resend_on_language_change, user_errors
from ui.forms import make_config, number_field, set_defaults

P = "text.translate."
VARIANTS = ("short", "long")
NUMBERS = {"epochs": 1, "n_pairs": 500, "seed": 1}  # name -> step
EXAMPLE_INPUTS = {  # what the typed-input box starts with, per task and variant
    ("dates", "short"): "二〇一九年五月六日",
    ("dates", "long"): "the sixth of May 2019; 2020/1/2; 二〇二一年三月四日",
    ("numerals", "short"): "三千零五十",
    ("numerals", "long"): "三千零五十; 4096; 二十万零七",
}


def radio(container, t, name: str, options, **kwargs) -> str:
    resend_on_language_change(P + name)
    return container.radio(
        t(f"tr_{name}_label"), options, format_func=lambda k: t(f"tr_{name}_{k}"), key=P + name, **kwargs
    )


def settings(t) -> tuple[TranslateConfig | None, bytes | None]:
    """Task, variant, attention and the rest; returns (config, uploaded bytes or None)."""
    defaults = TranslateConfig()
    set_defaults({P + "task": defaults.task, P + "variant": defaults.variant, P + "attention": True})
    set_defaults({P + "encoder": defaults.encoder, P + "attention_kind": defaults.attention_kind})
    set_defaults({P + name: getattr(defaults, name) for name in NUMBERS})
    c1, c2, c3 = st.columns([3, 2, 2])
    task = radio(c1, t, "task", TASKS)
    if task != "upload":
        radio(c2, t, "variant", VARIANTS, help=t("tr_variant_help"))
    c3.toggle(t("tr_attention_label"), key=P + "attention", help=t("tr_attention_help"))
    with st.expander(t("tr_settings_heading")):
        cols = st.columns(5)
        radio(cols[0], t, "encoder", ("uni", "bi"))
        radio(cols[1], t, "attention_kind", ("luong", "bahdanau"))
        for col, (name, step) in zip(cols[2:], NUMBERS.items(), strict=True):
            number_field(col, t(f"tr_{name}_label"), P + name, LIMITS[name], step=step)
    s = st.session_state
    values = {name: s[P + name] for name in (*NUMBERS, "task", "variant", "attention", "encoder", "attention_kind")}
    values["n_test"] = held_out(values["n_pairs"])
    config = make_config(lambda: TranslateConfig(**values), {n: t(f"tr_{n}_label") for n in NUMBERS})
    if config is None or task != "upload":
        return config, None
    upload = st.file_uploader(
        t("tr_upload_label"), type=["tsv", "txt"], key=P + "upload", help=t("tr_upload_help", n=MIN_UPLOAD_PAIRS)
    )
    if upload is None:
        st.info(t("tr_upload_first"))
        return None, None
    with user_errors():
        return core.upload_config(config, upload.getvalue(), lang()), upload.getvalue()
    return None, None


def held_out(n_pairs) -> int:
    """Pairs held out: one in ten, at most the default 400 (a bad pair count is reported by the config)."""
    try:
        return max(1, min(TranslateConfig().n_test, int(n_pairs) // 10))
    except (TypeError, ValueError):
        return 1


def pick_result(config: TranslateConfig | None, data, trained, t):
    """The session's trained model, or an identical cached one (switching attention back shows it at once)."""
    if config is not None and (trained is None or trained.config != config):
        twin = core.cached_translate(config, data)
        if twin is not None:
            return twin
    if trained is not None and config is not None and trained.config != config:
        st.caption(t("tr_other_settings"))
    return trained


def percent(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def show_scores(result: core.TranslateResult, t) -> None:
    cfg = result.config
    kind = t(f"tr_attention_kind_{cfg.attention_kind}") if cfg.attention else t("tr_no_attention")
    st.subheader(t("tr_result_heading", task=t(f"tr_task_{cfg.task}"), attention=kind, n=result.n_test))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("tr_metric_exact"), percent(result.exact_match))
    c2.metric(t("tr_metric_chars"), percent(result.char_accuracy))
    if result.bleu is not None:
        c3.metric(t("tr_metric_bleu"), f"{result.bleu:.1f}")
    source = t("tr_from_cache") if result.cached else None
    c4.metric(t("tr_metric_time"), f"{result.train_seconds:.0f} s", source, delta_color="off", delta_arrow="off")
    rows = [(t("tr_model"), result.exact_match, result.char_accuracy, result.bleu)]
    rows += [
        (t(f"tr_baseline_{n}"), b["exact_match"], b["char_accuracy"], b["bleu"]) for n, b in result.baselines.items()
    ]
    table = pd.DataFrame(
        [(n, percent(e), percent(c), "—" if b is None else f"{b:.1f}") for n, e, c, b in rows],
        columns=t("tr_score_columns").split(","),
    )
    left, right = st.columns([2, 3])
    left.dataframe(table, hide_index=True, width="stretch")
    labels = {
        "loss": t("tr_fig_loss"),
        "val_loss": t("tr_fig_val_loss"),
        "steps": t("tr_fig_epochs"),
        "nats": t("tr_fig_nats"),
    }
    right.plotly_chart(steps_curve_figure(result.history, 1, labels=labels), key=P + "curve")
    examples = [(s, g, p, "✓" if p == g else "✗") for s, g, p in result.examples]
    st.dataframe(pd.DataFrame(examples, columns=t("tr_example_columns").split(",")), hide_index=True, width="stretch")


def show_typed(result: core.TranslateResult, t) -> None:
    cfg = result.config
    st.subheader(t("tr_typed_heading"))
    if st.session_state.get(P + "typed_for") != result.trained.key:  # a new model: an input it can read
        st.session_state[P + "typed_for"] = result.trained.key
        example = EXAMPLE_INPUTS.get((cfg.task, cfg.variant), result.examples[0][0] if result.examples else "")
        st.session_state[P + "typed"] = example if len(example) <= result.max_source_len else result.examples[0][0]
    source = st.text_input(t("tr_typed_label", limit=result.max_source_len), key=P + "typed", help=t("tr_typed_help"))
    with user_errors():
        found = result.translate(source, lang())
        st.markdown(t("tr_typed_output", source=plain(found.source), output=plain(found.output) or "∅"))
        if found.unknown:
            st.caption(t("tr_unknown_chars", chars=" ".join(plain(ch) for ch in found.unknown)))
        if found.weights is None:
            st.info(t("tr_no_map"))
            return
        labels = {"input": t("tr_fig_input"), "output": t("tr_fig_output")}
        st.plotly_chart(attention_figure(found.weights, found.source, found.output_steps, labels), key=P + "heatmap")
        st.caption(t("tr_map_caption"))


def show_document(t) -> None:
    with st.expander(t("tr_document_heading")):
        rows = [
            (
                r.attention,
                r.layers,
                r.units,
                r.optimizer,
                r.steps,
                r.test_bleu,
                f"{r.seconds:,.0f}" if r.seconds else "—",
            )
            for r in DOCUMENT_RUNS
        ]
        st.dataframe(pd.DataFrame(rows, columns=t("tr_document_columns").split(",")), hide_index=True)
        for line in document_slips(lang()):
            st.markdown(f"- {line}")
