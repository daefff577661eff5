"""The tabs every trained model gets: its summary as a real table, its trainable variables, the
stand-alone script and the downloads (the .keras file and the page's own files)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.i18n import text
from core.training import TrainedModel
from ui.common import lang

Download = tuple[str, str | bytes, str, str]  # (button label, data, file name, mime type)


def summary_table(rows: list[dict]) -> pd.DataFrame:
    """model.summary() as a table with every column (layer, type, output shape, parameters)."""
    names = {k: text("common", f"summary_{k}", lang()) for k in ("layer", "type", "output_shape", "params")}
    return pd.DataFrame(rows, columns=list(names)).rename(columns=names)


def model_files(prefix: str, trained: TrainedModel, stem: str, script: str | None, extra: list[Download], t) -> None:
    """Summary, variables, script and downloads in four tabs (keyed: the open tab survives reruns)."""
    meta = trained.meta
    labels = [t("tab_summary"), t("tab_weights"), t("tab_script"), t("tab_files")]
    summary, weights, script_tab, files = st.tabs(labels, key=prefix + "tabs")
    rows = meta.get("summary_rows", [])
    summary.dataframe(summary_table(rows), hide_index=True, width="stretch")
    total = sum(r["params"] for r in rows)
    summary.caption(text("common", "summary_total", lang(), total=f"{total:,}"))
    weights.download_button(
        t("download_weights"),
        meta["weights_text"],
        file_name=f"{stem}_weights.txt",
        mime="text/plain",
        on_click="ignore",
        key=prefix + "dl_weights",
    )
    weights.code(meta["weights_text"][:20000], language=None)
    if script is not None:
        script_tab.caption(t("script_caption"))
        script_tab.download_button(
            t("download_script"),
            script,
            file_name=f"{stem}.py",
            mime="text/x-python",
            on_click="ignore",
            key=prefix + "dl_script",
        )
        script_tab.code(script, language="python")
    for k, (label, data, name, mime) in enumerate(extra):
        files.download_button(label, data, file_name=name, mime=mime, on_click="ignore", key=f"{prefix}dl_extra{k}")
    files.download_button(
        t("download_keras"),
        trained.keras_bytes,
        file_name=f"{stem}.keras",
        mime="application/octet-stream",
        on_click="ignore",
        key=prefix + "dl_keras",
    )
    files.caption(t("files_caption"))
