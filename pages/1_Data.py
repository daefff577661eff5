"""Data: pick an embedded series, upload a CSV or fetch a ticker; see what was cleaned and the chart."""

import streamlit as st

from core.datasets import list_datasets
from core.figures.data import price_figure
from ui.common import intro, setup_page
from ui.data_picker import column_label, data_picker, source_label, target_picker

t = setup_page("data")
st.title(t("heading"))
intro(t("intro"), small=True)

data = data_picker("data", t)
if data is None:  # the picker has said why (a hint or an error sentence)
    st.stop()

target = target_picker("data", data, t=t)

rows, first, last = st.columns(3)
rows.metric(t("rows"), f"{len(data.frame):,}")
first.metric(t("first_date"), f"{data.start:%Y-%m-%d}")
last.metric(t("last_date"), f"{data.end:%Y-%m-%d}")

st.subheader(t("chart_heading"))
labels = {
    "ohlc": t("ohlc_label"),
    "target": t("target_label", name=column_label(target)),
    "date": t("axis_date"),
    "price": t("axis_price") if target in ("open", "high", "low", "close", "adj_close") else column_label(target),
}
st.plotly_chart(price_figure(data.frame, target, title=source_label(data), labels=labels), key="data.chart")
st.caption(t("chart_caption"))

embedded = {f"embedded: {i.name}": i for i in list_datasets()}
if data.source in embedded:
    info = embedded[data.source]
    st.caption(
        t("provenance", package=info.package, version=info.version, path=info.path_in_package, licence=info.licence)
    )

with st.expander(t("table_heading")):
    st.dataframe(data.frame.tail(20).rename(columns=column_label), width="stretch")
    st.download_button(
        t("download_clean"),
        data.frame.to_csv().encode(),
        file_name="".join(c if c.isalnum() else "_" for c in (data.ticker or "prices")) + "-clean.csv",
        mime="text/csv",
        key="data.download",
    )
