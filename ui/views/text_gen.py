"""The text lab's generation tab: its settings, a model beside the n-gram baselines, and generation
(streamed into the page, top-5 at a position, the memorisation check, the 绝句 grid). Generation
replays the stored weights in NumPy (core.textgen); nothing here trains."""

from __future__ import annotations

import time

import streamlit as st

from core import textgen as core
from core.charmodel import COURSE_DATA, LIMITS, CharConfig, course_notes, course_slips
from core.corpora import read_uploaded_text
from core.errors import AppError
from core.figures.text import baselines_figure, steps_curve_figure, top_figure
from core.models import CELL_LABELS, CELLS
from core.sampling import LINE_CHARS, MAX_TEMPERATURE, poem_lines
from ui.common import lang, plain, resend_on_language_change, show_error, user_errors
from ui.forms import make_config, number_field, set_defaults

MAX_PROMPT = 500  # characters a prompt may have (the model reads it one character at a time)
P = "text.gen."
CORPORA = ("shakespeare", "tang", "upload")
NUMBERS = {"units": 16, "epochs": 1, "steps_per_epoch": 20, "learning_rate": None, "seed": 1}  # name -> step
SAMPLE = P + "sample"  # the last generated text: {"key", "text", "prompt", "poem", "choices"}


def radio(container, t, name: str, options, **kwargs) -> str:
    """A choice whose labels follow the language (kept when the language changes)."""
    resend_on_language_change(P + name)
    return container.radio(
        t(f"gen_{name}_label"), options, format_func=lambda k: t(f"gen_{name}_{k}"), key=P + name, **kwargs
    )


def mode_values(mode: str, corpus: str, cell: str) -> dict:
    """A mode's settings on a corpus as widget values (shipped shows the default mode's)."""
    config = CharConfig.for_mode("course" if mode == "course" else "default", _known(corpus))
    return {P + name: getattr(config, name) for name in NUMBERS} | {P + "cell": cell if mode != "course" else "lstm"}


def _known(corpus: str) -> str:
    return corpus if corpus in CORPORA else "upload"


def reset_numbers() -> None:
    s = st.session_state
    set_defaults(mode_values(s[P + "mode"], s[P + "corpus"], s.get(P + "cell", "gru")), overwrite=True)


def open_course() -> None:
    """The course lesson: the cookbook's network (course mode) on Shakespeare, whatever was chosen before."""
    set_defaults(
        {P + "corpus": "shakespeare", P + "mode": "course"} | mode_values("course", "shakespeare", "lstm"),
        overwrite=True,
    )


def settings(t) -> tuple[str, str, str | None]:
    """Corpus (and upload), mode and cell; returns (corpus, mode, text or None)."""
    set_defaults({P + "corpus": "shakespeare", P + "mode": "shipped"} | mode_values("shipped", "shakespeare", "gru"))
    c1, c2, c3 = st.columns([3, 2, 2])
    corpus = radio(c1, t, "corpus", CORPORA, on_change=reset_numbers)
    mode = radio(c2, t, "mode", core.PAGE_MODES, on_change=reset_numbers, help=t("gen_mode_help"))
    c3.radio(t("gen_cell_label"), CELLS, format_func=CELL_LABELS.get, key=P + "cell", disabled=mode == "shipped")
    text = corpus_text(corpus, t)
    if mode == "shipped" and corpus == "upload":
        st.info(t("gen_shipped_upload"))
        return corpus, mode, None
    return corpus, mode, text


def corpus_text(corpus: str, t) -> str | None:
    if corpus != "upload":
        return core.corpus_text(corpus)
    upload = st.file_uploader(t("gen_upload_label"), type=["txt"], key=P + "upload", help=t("gen_upload_help"))
    if upload is None:
        st.info(t("gen_upload_first"))
        return None
    try:
        return read_uploaded_text(upload.getvalue(), lang())
    except AppError as err:
        show_error(err)
        return None


def config_from_widgets(corpus: str, mode: str, t) -> CharConfig | None:
    """The training configuration the widgets describe (None after a message naming a bad field)."""
    with st.expander(t("gen_settings_heading")):
        cols = st.columns(len(NUMBERS))
        for col, (name, step) in zip(cols, NUMBERS.items(), strict=True):
            fmt = "%.4f" if name == "learning_rate" else None
            number_field(col, t(f"gen_{name}_label"), P + name, LIMITS[name], step=step, format=fmt)
        st.caption(t("gen_settings_caption"))
    s = st.session_state
    values = {name: s[P + name] for name in NUMBERS} | {"cell": s[P + "cell"]}
    base = "course" if mode == "course" else "default"
    return make_config(lambda: CharConfig.for_mode(base, corpus, **values), {n: t(f"gen_{n}_label") for n in NUMBERS})


def pick_result(mode: str, corpus: str, config: CharConfig | None, text: str | None, trained, t):
    """The model to show: the shipped one, the session's trained one, or an identical cached one."""
    if mode == "shipped" and corpus != "upload":
        with user_errors():
            return core.load_shipped(corpus, lang())
        return None
    if config is None or text is None:
        return None
    if trained is None or trained.config != config:
        twin = core.cached_textgen(config, text)
        if twin is not None:
            return twin
    if trained is not None and trained.config.corpus == corpus:
        if trained.config != config:
            st.caption(t("gen_other_settings"))
        return trained
    return None


# ---------------------------------------------------------------- the model


def baseline_names(t) -> dict[str, str]:
    return {
        name: t(f"baseline_{name.replace('-', '_')}")
        for name in ("uniform", "unigram", "bigram", "trigram", "4-gram", "5-gram")
    }


def show_baselines_only(config: CharConfig, text: str, t) -> None:
    """Before any model: the counting baselines on the held-out text this model will be scored on."""
    st.markdown(t("gen_baselines_first"))
    fig = baselines_figure(core.corpus_baselines(config, text), None, baseline_names(t), labels=fig_labels(t))
    st.plotly_chart(fig, key=P + "baselines_only")


def fig_labels(t) -> dict[str, str]:
    keys = ("nats", "model", "steps", "loss", "val_loss", "reported", "probability", "character")
    return {k: t(f"fig_{k}") for k in keys}


def show_model(result: core.CharResult, t) -> None:
    cfg = result.config
    source = (
        t("gen_source_shipped")
        if result.shipped
        else t("gen_source_cached")
        if result.cached
        else t("gen_source_trained")
    )
    st.subheader(
        t(
            "gen_result_heading",
            cell=cfg.cell_label,
            units=cfg.units,
            corpus=t(f"gen_corpus_{cfg.corpus}"),
            source=source,
        )
    )
    c1, c2, c3, c4 = st.columns(4)
    nats, base = result.val_nats_per_char, result.baselines
    c1.metric(t("gen_metric_nats"), f"{nats:.3f}")
    c2.metric(t("gen_metric_bigram"), f"{base['bigram']:.3f}", f"{nats - base['bigram']:+.3f}", delta_color="inverse")
    c3.metric(
        t("gen_metric_trigram"), f"{base['trigram']:.3f}", f"{nats - base['trigram']:+.3f}", delta_color="inverse"
    )
    c4.metric(
        t("gen_metric_time"),
        f"{result.train_seconds:.0f} s",
        t("gen_steps", steps=result.steps),
        delta_color="off",
        delta_arrow="off",
    )
    beaten = result.beaten_baselines()
    best = min(base, key=base.get)
    verdict = "gen_beats_all" if best in beaten else "gen_beats_some" if beaten else "gen_beats_none"
    st.markdown(t(verdict, names=", ".join(baseline_names(t)[b] for b in beaten), best=baseline_names(t)[best]))
    left, right = st.columns(2)
    left.plotly_chart(baselines_figure(base, nats, baseline_names(t), labels=fig_labels(t)), key=P + "baselines")
    reported = [(e.step, e.val_loss) for e in core.COURSE_CURVE] if cfg.mode == "course" else ()
    reference = {baseline_names(t)[k]: base[k] for k in ("bigram", "trigram")}
    fig = steps_curve_figure(
        result.history, result.steps // max(1, result.epochs_run), reference, reported, fig_labels(t)
    )
    right.plotly_chart(fig, key=P + "curve")
    if result.shipped:
        rec = result.shipped
        st.caption(
            t(
                "gen_shipped_caption",
                made=rec["made"][:10],
                seconds=f"{rec['fit_seconds']:.0f}",
                steps=rec["steps"],
                load=rec["load_average"]["before"][0],
            )
        )
    if cfg.mode == "course":
        show_course(t)


def show_course(t) -> None:
    st.warning(t("gen_course_warning", characters=f"{COURSE_DATA['characters']:,}"))
    with st.expander(t("gen_course_slips_heading")):
        for line in course_slips(lang()) + course_notes(lang()):
            st.markdown(f"- {line}")


# ---------------------------------------------------------------- generation


def generation_inputs(result: core.CharResult, t):
    """Prompt, temperature, length, seed; the buttons. Returns (prompt, temperature, length, seed, action)."""
    key = result.trained.key
    if st.session_state.get(P + "prompt_for") != key:  # a new model: a prompt it can read
        st.session_state[P + "prompt_for"] = key
        st.session_state[P + "prompt"] = result.default_prompt().strip() or result.default_prompt()
    c1, c2, c3, c4 = st.columns([3, 2, 1, 1])
    prompt = c1.text_input(t("gen_prompt_label"), key=P + "prompt", help=t("gen_prompt_help"), max_chars=MAX_PROMPT)
    temperature = c2.slider(
        t("gen_temperature_label"),
        0.0,
        MAX_TEMPERATURE,
        0.8,
        0.1,
        key=P + "temperature",
        help=t("gen_temperature_help"),
    )
    length = c3.number_input(t("gen_length_label"), 1, 2000, 300, 50, key=P + "length")
    seed = c4.number_input(t("gen_sample_seed_label"), 0, 2**31 - 1, 7, 1, key=P + "sample_seed")
    b1, b2 = st.columns([1, 3])
    action = "text" if b1.button(t("gen_generate_button"), type="primary", key=P + "generate") else None
    if result.config.corpus == "tang" and b2.button(t("gen_poem_button"), key=P + "poem"):
        action = "poem"
    return prompt, float(temperature), int(length), int(seed), action


def stream(chars, holder, prefix: str = "") -> str:
    """Show characters as they come after `prefix` (redrawn at most ~10 times a second); returns them."""
    out, drawn = "", 0.0
    for ch in chars:
        out += ch
        if time.perf_counter() - drawn > 0.1:
            holder.code(prefix + out, language=None, wrap_lines=True)
            drawn = time.perf_counter()
    holder.code(prefix + out, language=None, wrap_lines=True)
    return out


def generate(result: core.CharResult, prompt: str, temperature: float, length: int, seed: int, action: str) -> None:
    record: list = []
    if action == "poem":
        chars = core.poem_stream(result, prompt, temperature, seed, record=record, lang=lang())
    else:
        chars = core.sample_stream(result, prompt, length, temperature, seed, record=record, lang=lang())
    text = stream(chars, st.empty(), "" if action == "poem" else prompt)
    sample = {
        "key": result.trained.key,
        "text": text,
        "prompt": "" if action == "poem" else prompt,
        "poem": action == "poem",
    }
    st.session_state[SAMPLE] = sample | {"choices": core.choices_json(record)}


def show_generation(result: core.CharResult, text: str | None, t) -> None:
    st.subheader(t("gen_generate_heading"))
    st.caption(t("gen_generate_caption"))
    prompt, temperature, length, seed, action = generation_inputs(result, t)
    if action is not None:
        with user_errors():
            generate(result, prompt, temperature, length, seed, action)
            st.session_state[P + "position"] = 1
        return show_sample(result, text, t, streamed=True)
    show_sample(result, text, t, streamed=False)


def show_sample(result: core.CharResult, text: str | None, t, streamed: bool) -> None:
    sample = st.session_state.get(SAMPLE)
    if not sample or sample["key"] != result.trained.key:
        return
    if sample["poem"]:
        show_poem(sample["text"], t)
    elif not streamed:
        st.code(sample["prompt"] + sample["text"], language=None, wrap_lines=True)
    show_top(sample, t)
    if text is not None:
        span = core.memorisation(result, sample["text"], text)
        st.markdown(
            t(
                "gen_verbatim",
                length=span.length,
                span=plain(span.text.replace("\n", "⏎")),
                n=span.occurrences,
                total=len(sample["text"]),
            )
        )


def show_poem(poem: str, t) -> None:
    """The quatrain as a 5x4 grid (characters, then the forced punctuation)."""
    rows = [list(line) for line in poem_lines(poem)]
    header = "| " + " | ".join(str(i + 1) for i in range(LINE_CHARS)) + " | |"
    lines = [header, "|" + " :---: |" * (LINE_CHARS + 1)] + [
        "| " + " | ".join(plain(ch) for ch in row) + " |" for row in rows
    ]
    st.markdown(t("gen_poem_heading"))
    st.markdown("\n".join(lines))


def show_top(sample: dict, t) -> None:
    choices = sample["choices"]
    if not choices:
        return
    left, right = st.columns([1, 2])
    position = left.number_input(t("gen_position_label", n=len(choices)), 1, len(choices), key=P + "position")
    choice = choices[int(position) - 1]
    before = (sample["prompt"] + sample["text"])[: len(sample["prompt"]) + int(position) - 1][-30:]
    left.markdown(
        t(
            "gen_position_context",
            before=plain(before.replace("\n", "⏎")),
            chosen=plain(choice["chosen"].replace("\n", "⏎")),
        )
    )
    if choice["forced"]:
        left.caption(t("gen_forced"))
    top = [(ch, p) for ch, p in choice["top"]]
    right.plotly_chart(top_figure(top, choice["chosen"], labels=fig_labels(t)), key=P + "top")
