"""Text lab: character-level generation with temperature (Shakespeare, Tang poems, an upload), and
seq2seq translation with and without attention (dates and numerals in many forms, an upload)."""

from __future__ import annotations

import streamlit as st

from core import textgen, translation
from ui.common import intro, lang, lesson, setup_page
from ui.training import training_area, warm_workers
from ui.views import text_gen as gen
from ui.views import text_translate as tr

t = setup_page("text")


def generation_tab() -> None:
    st.markdown(t("gen_intro"))
    corpus, mode, text = gen.settings(t)
    config = gen.config_from_widgets(corpus, mode, t) if mode != "shipped" else None
    ready = mode != "shipped" and config is not None and text is not None
    if mode != "shipped":
        st.caption(t(f"gen_budget_{mode}"))
    pressed = st.button(t("gen_train_button"), type="primary", key=gen.P + "train", disabled=mode == "shipped")
    names, language = {"loss": t("fig_loss"), "val_loss": t("fig_val_loss")}, lang()
    work = lambda report: textgen.run_textgen(config, text, report=report, lang=language)  # noqa: E731
    label = t("gen_progress_label", cell=config.cell_label if config else "", corpus=t(f"gen_corpus_{corpus}"))
    trained = training_area("text.gen", pressed and ready, work, label, names=names)
    result = gen.pick_result(mode, corpus, config, text, trained, t)
    if result is None:
        if ready:
            gen.show_baselines_only(config, text, t)
        st.info(t("gen_press_train"))
        return
    gen.show_model(result, t)
    gen.show_generation(result, text or textgen.corpus_text(result.config.corpus), t)


def translation_tab() -> None:
    st.markdown(t("tr_intro"))
    config, data = tr.settings(t)
    pressed = st.button(t("tr_train_button"), type="primary", key=tr.P + "train")
    names, language = {"loss": t("tr_fig_loss"), "val_loss": t("tr_fig_val_loss")}, lang()
    work = lambda report: translation.run_translate(config, data, report=report, lang=language)  # noqa: E731
    label = t("tr_progress_label", task=t(f"tr_task_{config.task}") if config else "")
    trained = training_area("text.translate", pressed and config is not None, work, label, names=names)
    result = tr.pick_result(config, data, trained, t)
    if result is None:
        st.info(t("tr_press_train"))
    else:
        tr.show_scores(result, t)
        tr.show_typed(result, t)
    tr.show_document(t)


if lesson("text") == "course":  # opened from the home page's lesson path: the cookbook's network on Shakespeare
    gen.open_course()
warm_workers()
st.title(t("heading"))
intro(t("intro"))
tab_gen, tab_translate = st.tabs([t("tab_generation"), t("tab_translation")])
with tab_gen:
    generation_tab()
with tab_translate:
    translation_tab()
