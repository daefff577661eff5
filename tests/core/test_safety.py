"""Safe by construction: nothing from a user is unpickled, shown as HTML, or reaches core unchecked.

Static part: an AST scan of app.py, core/, ui/ and pages/ for every way Python can run code hidden
in a file (pickle, joblib, dill, np.load(allow_pickle=True), pd.read_pickle, Keras safe_mode=False,
torch.load, eval/exec) and for HTML rendering of anything that is not a fixed string.
Each detector is itself tested on a bad sample so the scan cannot pass by seeing nothing.
Behaviour part (AppTest): column names and tickers holding HTML/script are shown as text.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "joblib", "dill", "cloudpickle", "shelve", "marshal", "torch"}
UNSAFE_CALLS = {"read_pickle", "to_pickle", "eval", "exec", "__import__"}
HTML_CALLS = {"html"}  # st.html, components.html
TEXT_GETTERS = {"t", "text"}  # page text from assets/ (ours, not a user's)


def app_files() -> list[Path]:
    files = [ROOT / "app.py"]
    for folder in ("core", "ui", "pages"):
        files += sorted((ROOT / folder).rglob("*.py"))
    return [f for f in files if f.exists()]


def call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def keyword_is_true(node: ast.Call, name: str) -> bool:
    return any(
        k.arg == name and not (isinstance(k.value, ast.Constant) and k.value.value is False) for k in node.keywords
    )


def keyword_is_false(node: ast.Call, name: str) -> bool:
    return any(
        k.arg == name and not (isinstance(k.value, ast.Constant) and k.value.value is True) for k in node.keywords
    )


def is_fixed_text(node: ast.AST | None) -> bool:
    """A literal string, or page text looked up by key (t("key") / text(page, "key"))."""
    if node is None or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return True
    return isinstance(node, ast.Call) and call_name(node) in TEXT_GETTERS and not node.keywords


def unsafe_findings(source: str, label: str = "<sample>") -> list[str]:
    """Every line in `source` that could run code from a file or render non-fixed HTML."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        where = f"{label}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            found += [f"{where} import {a.name}" for a in node.names if a.name.split(".")[0] in UNSAFE_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in UNSAFE_MODULES:
            found.append(f"{where} from {node.module} import")
        elif isinstance(node, ast.Call):
            found += call_findings(node, where)
    return found


def call_findings(node: ast.Call, where: str) -> list[str]:
    name = call_name(node)
    found = []
    if name in UNSAFE_CALLS:
        found.append(f"{where} {name}()")
    if name == "load" and keyword_is_true(node, "allow_pickle"):
        found.append(f"{where} load(allow_pickle=True)")
    if keyword_is_false(node, "safe_mode"):
        found.append(f"{where} {name}(safe_mode=False)")
    if name == "enable_unsafe_deserialization":
        found.append(f"{where} enable_unsafe_deserialization()")
    first = node.args[0] if node.args else None
    if keyword_is_true(node, "unsafe_allow_html") and not is_fixed_text(first):
        found.append(f"{where} {name}(<not a fixed string>, unsafe_allow_html=True)")
    if name in HTML_CALLS and isinstance(node.func, ast.Attribute) and not is_fixed_text(first):
        found.append(f"{where} {name}(<not a fixed string>)")
    return found


def test_scan_covers_the_app():
    names = {str(f.relative_to(ROOT)) for f in app_files()}
    assert "app.py" in names
    assert any(n.startswith("core/") for n in names) and any(n.startswith("ui/") for n in names)


# Pickle allowed only where it is an in-memory channel between our own processes, never a file or a user's bytes.
IN_MEMORY_PICKLE = {
    "core/ray_runner.py": "tasks and results to and from the token-authenticated Ray cluster the app drives,"
    " as ProcessPoolExecutor pickles to its workers; nothing unpickled comes from disk or a user",
}


def test_no_code_runs_from_files_and_no_html_from_data():
    findings = []
    for path in app_files():
        where = str(path.relative_to(ROOT))
        found = unsafe_findings(path.read_text(encoding="utf-8"), where)
        if where in IN_MEMORY_PICKLE:
            found = [f for f in found if not f.endswith("import pickle")]
        findings += found
    assert findings == []


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("import pickle\npickle.loads(b)", "import pickle"),
        ("from joblib import load", "from joblib import"),
        ("import numpy as np\nnp.load(f, allow_pickle=True)", "load(allow_pickle=True)"),
        ("import pandas as pd\npd.read_pickle(f)", "read_pickle()"),
        ("import keras\nkeras.saving.load_model(p, safe_mode=False)", "load_model(safe_mode=False)"),
        ("import keras\nkeras.config.enable_unsafe_deserialization()", "enable_unsafe_deserialization()"),
        ("st.markdown(f'<b>{name}</b>', unsafe_allow_html=True)", "markdown(<not a fixed string>"),
        ("st.html(user_text)", "html(<not a fixed string>)"),
        ("eval(expr)", "eval()"),
    ],
)
def test_detectors_catch_bad_samples(snippet, expected):
    findings = unsafe_findings(snippet)
    assert len(findings) >= 1
    assert any(expected in f for f in findings), findings


@pytest.mark.parametrize(
    "snippet",
    [
        "import numpy as np\nnp.load(f)",
        "import numpy as np\nnp.load(f, allow_pickle=False)",
        "import keras\nkeras.saving.load_model(p, safe_mode=True)",
        "st.markdown('<br>', unsafe_allow_html=True)",
        "st.markdown(t('intro'), unsafe_allow_html=True)",
        "st.markdown(name)",
        "model.evaluate(x)",
    ],
)
def test_detectors_pass_safe_samples(snippet):
    assert unsafe_findings(snippet) == []


# ----------------------------------------------------------------------------- widgets are bounded


def widget_calls(name: str) -> list[tuple[str, ast.Call]]:
    calls = []
    for path in app_files():
        if path.parts[-2] == "core":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and call_name(node) == name:
                calls.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return calls


def test_every_number_input_has_bounds():
    """Bounded in the browser, or ui.forms.number_field: no browser bounds (a red field would silently keep
    its old value), its range passed in from the config's limits and checked by the config on Train."""
    calls = widget_calls("number_input")
    assert calls, "no number_input found: the scan is looking in the wrong place"
    given = lambda node, kw, pos: any(k.arg == kw for k in node.keywords) or len(node.args) > pos  # noqa: E731
    unbounded = [where for where, node in calls if not (given(node, "min_value", 1) and given(node, "max_value", 2))]
    assert [w.split(":")[0] for w in unbounded] == ["ui/forms.py"]
    fields = widget_calls("number_field")
    assert fields and all(len(node.args) >= 4 for _, node in fields), "every number_field passes its limits"


# Free text boxes without max_chars, and the core check that bounds what they feed (tested below).
CHECKED_TEXT_INPUTS = {
    "ui/data_picker.py": "core.yahoo.fetch_prices accepts only a 1-20 character ticker pattern",
    "pages/3_Letter_prediction.py": "core.letters.LetterConfig accepts only 2-64 distinct letters",
    "pages/2_Stock_forecasting.py": "units per layer: ForecastConfig must cap them (test_forecast_config_refuses_absurd_sizes)",
    "ui/views/text_translate.py": "core.translate refuses an input longer than the model's source length with a sentence",
}


def test_every_text_input_is_short_or_checked_in_core():
    calls = widget_calls("text_input")
    assert calls
    for where, node in calls:
        limited = any(k.arg == "max_chars" for k in node.keywords)
        assert limited or where.split(":")[0] in CHECKED_TEXT_INPUTS, f"{where}: text_input without max_chars"


def test_typed_alphabet_is_bounded_in_core():
    from core.letters import LetterConfig

    with pytest.raises(ValueError):
        LetterConfig(alphabet="".join(chr(0x4E00 + i) for i in range(500)))


@pytest.mark.parametrize("ticker", ["<script>alert(1)</script>", "AAPL; rm -rf /", "../../etc/passwd", "A" * 200, ""])
def test_hostile_ticker_is_refused_before_any_download(ticker, monkeypatch):
    import yfinance

    from core.errors import AppError, ErrorKind
    from core.yahoo import fetch_prices

    calls = []
    monkeypatch.setattr(yfinance, "download", lambda *a, **k: calls.append(a))
    with pytest.raises(AppError) as caught:
        fetch_prices(ticker, "2020-01-01", "2020-06-30")
    assert caught.value.kind == ErrorKind.UNKNOWN_TICKER
    assert calls == []
    assert "<" not in caught.value.sentence  # the sentence does not echo the hostile text


@pytest.mark.parametrize(
    "changes",
    [
        {"epochs": 0}, {"epochs": -5}, {"window": 0}, {"units": 0}, {"batch_size": 0}, {"layers": 0},
        {"dropout": 1.0}, {"dropout": float("nan")}, {"learning_rate": 0.0}, {"learning_rate": float("nan")},
        {"cell": "transformer"}, {"mode": "magic"}, {"test_size": 10, "eval_after": 60},
    ],
)  # fmt: skip
def test_forecast_config_refuses_bad_values(changes):
    from core.forecast import ForecastConfig

    with pytest.raises(ValueError):
        ForecastConfig(**({"cell": "lstm", "mode": "default"} | changes))


@pytest.mark.parametrize(
    "changes", [{"epochs": 10**7}, {"units": 10**6}, {"window": 10**6}, {"batch_size": 10**8}, {"layers": 500}]
)
def test_forecast_config_refuses_absurd_sizes(changes):
    # LetterConfig and CompareConfig cap their sizes; a forecast config must too: the forecasting page's
    # "Units per layer" is a free text box, so "100000" would reach training, and the CLI reaches it directly
    from core.forecast import ForecastConfig

    with pytest.raises(ValueError):
        ForecastConfig.default("lstm", **changes)


@pytest.mark.parametrize(
    "changes",
    [{"epochs": 0}, {"epochs": 10**6}, {"units": 0}, {"units": 10**5}, {"learning_rate": 0.0}, {"seed": -1},
     {"epochs": True}, {"cell": "cnn"}, {"alphabet": "a"}, {"alphabet": "a b"}],
)  # fmt: skip
def test_letter_config_refuses_bad_values(changes):
    from core.letters import LetterConfig

    with pytest.raises(ValueError):
        LetterConfig(**changes)


# ----------------------------------------------------------------------------- file text shown as text

SCRIPT_COLUMN = "<script>alert('col')</script>"
HTML_TICKERS = ("<b>AAA</b>", "<img src=x onerror=alert(1)>")


def hostile_csv() -> bytes:
    rows = ["Date,Ticker,Open," + SCRIPT_COLUMN + ",Close"]
    dates = [d.strftime("%Y-%m-%d") for d in __import__("pandas").bdate_range("2021-02-01", periods=30)]
    for ticker in HTML_TICKERS:
        rows += [f"{d},{ticker},{100 + i},{200 + i},{101 + i}" for i, d in enumerate(dates)]
    return ("\n".join(rows) + "\n").encode()


def rendered_texts(at) -> list:
    kinds = ("markdown", "caption", "error", "info", "warning", "success", "title", "header", "subheader")
    return [element for kind in kinds for element in getattr(at, kind)]


def assert_inert(at) -> None:
    """No rendered text allows HTML where file text appears, and the markup signs are escaped."""
    for element in rendered_texts(at):
        value = element.value
        if any(s in value.replace("\\", "") for s in ("<script", "<img", "<b>", "<i>")):
            assert not getattr(element.proto, "allow_html", False), value
            assert re.search(r"(?<!\\)<", value) is None, f"an unescaped '<' in {value!r}"


def test_html_in_column_names_tickers_and_file_names_is_shown_as_text():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "1_Data.py"), default_timeout=120).run()
    at.radio(key="data.data_source").set_value("upload").run()
    at.file_uploader(key="data.upload").upload("<i>x</i>.csv", hostile_csv(), "text/csv")
    at.run()
    assert not at.exception
    assert not at.error and any("2 tickers" in i.value for i in at.info)  # two tickers: a question, not an error
    assert_inert(at)
    picker = at.selectbox(key="data.file_ticker")
    assert list(picker.options) == list(HTML_TICKERS)  # option labels are plain text
    picker.select(HTML_TICKERS[1]).run()
    at.selectbox(key="data.target").select(SCRIPT_COLUMN).run()
    assert not at.exception and len(at.error) == 0
    assert_inert(at)
    assert SCRIPT_COLUMN in list(at.dataframe[0].value.columns)  # the table shows the name as data
    assert at.metric[0].value == "30"
    spec = at.get("plotly_chart")[0].proto.spec  # Plotly renders a few tags: names arrive escaped
    assert "&lt;script&gt;" in spec and "<script" not in spec and "<i>" not in spec


# ----------------------------------------------------------------------------- uploaded models


def keras_file(model, tmp_path) -> bytes:
    path = tmp_path / "model.keras"
    model.save(path)
    return path.read_bytes()


def test_uploaded_models_load_only_safely_and_with_the_right_shapes(tmp_path):
    import io
    import zipfile

    import keras

    from core.errors import AppError, ErrorKind
    from core.letters import LetterConfig, build_letter_model, expected_shapes, load_uploaded_model

    config = LetterConfig.course("L1")
    good = build_letter_model(config)
    loaded = load_uploaded_model(keras_file(good, tmp_path), config)
    assert (tuple(loaded.model.input_shape), tuple(loaded.model.output_shape)) == expected_shapes(config)

    code = keras.Sequential([keras.Input(expected_shapes(config)[0][1:]), keras.layers.Lambda(lambda x: x * 2.0)])
    code.add(keras.layers.SimpleRNN(3))
    code.add(keras.layers.Dense(5, activation="softmax"))
    wrong = keras.Sequential([keras.Input((4, 5)), keras.layers.SimpleRNN(3), keras.layers.Dense(7)])
    junk_zip = io.BytesIO()
    with zipfile.ZipFile(junk_zip, "w") as z:
        z.writestr("config.json", '{"class_name": "os.system", "config": "echo hi"}')
    bad_files = {
        "python code (Lambda)": keras_file(code, tmp_path),
        "wrong shapes": keras_file(wrong, tmp_path),
        "a zip that is not a model": junk_zip.getvalue(),
        "a pickle": b"\x80\x04\x95" + b"cos\nsystem\n" * 3,
        "empty": b"",
    }
    for name, data in bad_files.items():
        with pytest.raises(AppError) as caught:
            load_uploaded_model(data, config)
        assert caught.value.kind == ErrorKind.BAD_MODEL_FILE, name
    with pytest.raises(AppError) as caught:
        load_uploaded_model(bad_files["python code (Lambda)"], config)
    assert "cannot be loaded safely" in caught.value.sentence


def test_forecast_result_heading_shows_file_text_as_text():
    """After training on a file whose names hold markup, the result heading escapes them too."""
    from streamlit.testing.v1 import AppTest

    dates = __import__("pandas").bdate_range("2019-01-01", periods=200).strftime("%Y-%m-%d")
    rows = ["Date,Open,**bold** <b>x</b> [link](javascript:alert(1))"]
    rows += [f"{d},{100 + (i % 7)},{101 + (i % 5)}" for i, d in enumerate(dates)]
    at = AppTest.from_file(str(ROOT / "pages" / "2_Stock_forecasting.py"), default_timeout=240).run()
    at.radio(key="data.data_source").set_value("upload").run()
    at.file_uploader(key="forecast.upload").upload("<em>*evil*.csv", ("\n".join(rows) + "\n").encode(), "text/csv")
    at.run()
    hostile = next(o for o in at.selectbox(key="data.target").options if "<b>" in o)  # as the reader named it
    at.selectbox(key="data.target").select(hostile).run()
    for key, value in {"window": 5, "test_size": 40, "epochs": 1, "batch_size": 64}.items():
        at.number_input(key=f"forecast.{key}").set_value(value)
    at.button(key="forecast.train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == []
    assert_inert(at)
    heading = next(h.value for h in at.subheader if "target:" in h.value)
    assert re.search(r"(?<!\\)[*\[<]", heading.split("target:", 1)[1]) is None, heading  # no live markdown
