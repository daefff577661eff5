"""Safe by construction: nothing from a user is unpickled, shown as HTML, or reaches core unchecked.

Static part: an AST scan of app.py, core/, ui/ and pages/ for every way Python can run code hidden
in a file (pickle, joblib, dill, np.load(allow_pickle=True), pd.read_pickle, Keras safe_mode=False,
torch.load, eval/exec) and for HTML rendering of anything that is not a fixed string.
Each detector is itself tested on a bad sample so the scan cannot pass by seeing nothing.
Behaviour part (AppTest): column names and tickers holding HTML/script are shown as text.
"""

from __future__ import annotations

import ast
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


def test_no_code_runs_from_files_and_no_html_from_data():
    findings = []
    for path in app_files():
        findings += unsafe_findings(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
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
