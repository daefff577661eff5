"""Pieces shared by the sections of the Memory and gradients page: its text and a translated choice."""

from __future__ import annotations

from core.i18n import text
from ui.common import lang, resend_on_language_change


def t(key: str, **values) -> str:
    """The grad page's text in this session's language."""
    return text("grad", key, lang(), **values)


def choice(container, key: str, options, label: str, labels=None, **kwargs):
    """A horizontal radio kept across pages whose labels follow the language (`labels`: option -> text key)."""
    resend_on_language_change(key)
    language = lang()  # fixed now: Streamlit may format the options outside this script run
    show = (lambda o: text("grad", labels.format(o), language)) if isinstance(labels, str) else (labels or str)
    return container.radio(label, list(options), format_func=show, key=key, horizontal=True, **kwargs)


def figure_labels() -> dict[str, str]:
    """Axis and legend labels of core.figures.grad in this language."""
    keys = ("steps", "power", "steps_back", "jacobian", "step", "norm", "loss_norm", "state_norm", "update", "loss")
    keys += ("before", "after", "diverged", "score", "baseline", "gain", "seeds")
    return {k: t(f"fig_{k}") for k in keys}
