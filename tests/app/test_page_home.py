"""Home page, headless: renders, lists the pages, embedded data and versions, without TensorFlow."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.fresh_process import imported_while_rendering


def test_home_renders_pages_data_and_versions(root):
    at = AppTest.from_file(str(root / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "RNN Lab"
    text = " ".join(m.value for m in at.markdown)
    for page in ("Data", "Stock forecasting", "Letter prediction", "Cell step-through", "Architecture comparison"):
        assert page in text
    tables = [m.value for m in at.markdown if m.value.startswith("| ")]  # provenance, then versions
    assert len(tables) == 2
    provenance = [line.split(" | ") for line in tables[0].splitlines()[2:]]
    assert len(provenance) >= 3
    assert all(len(row[-1].rstrip(" |")) == 12 for row in provenance)  # sha256, first 12 characters
    assert "| streamlit |" in tables[1] and "| python |" in tables[1]
    assert "bokeh\\_sampledata" in tables[0]  # file paths shown as written (no Markdown emphasis)


def test_home_switches_to_chinese(root):
    at = AppTest.from_file(str(root / "app.py"), default_timeout=60).run()
    at.sidebar.selectbox[0].select("zh").run()
    assert at.title[0].value == "RNN 实验室"


def test_home_does_not_import_tensorflow_or_pandas(root):
    imported = imported_while_rendering(root, root / "app.py", ("tensorflow", "keras", "pandas"))
    assert imported == "False False False"  # a cold start imports none of them
