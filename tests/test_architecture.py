"""The shape of the code (ARCHITECTURE.md): no import cycle in core/, one training path, thin pages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_PAGE_LINES = 150
# Calls that train a Keras model or write one to disk. `fit` and `save` count when their receiver is a
# model (`model.fit`, `self.model.save`); scaler and statsmodels/scikit-learn fits are not Keras training.
ALWAYS = {"train_on_batch", "apply_gradients", "save_weights", "save_model", "train_step"}
ON_MODELS = {"fit", "save"}
TRAINING_PATH = "core/training.py"  # the one place a model is fitted and saved


def core_modules() -> dict[str, Path]:
    files = sorted((ROOT / "core").rglob("*.py"))
    return {".".join(f.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): f for f in files}


def core_imports(path: Path, known: set[str]) -> set[str]:
    """Every core module `path` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        found.update(n for n in names if n in known)
    return found


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of `graph` (module -> modules it imports), or None."""
    state: dict[str, int] = {}  # 1 = on the path, 2 = done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt] if nxt in path else [node, nxt]
            if nxt not in state and (cycle := visit(nxt, [*path, nxt])):
                return cycle
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start, [start])):
            return cycle
    return None


def test_no_import_cycle_among_core_modules():
    modules = core_modules()
    graph = {name: core_imports(path, set(modules)) - {name} for name, path in modules.items()}
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) in (["a", "b", "c", "a"], ["b", "c", "a", "b"])
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def training_calls(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr, receiver = node.func.attr, ast.unparse(node.func.value)
            if attr in ALWAYS or (attr in ON_MODELS and "model" in receiver.lower()):
                found.append(f"{receiver}.{attr} (line {node.lineno})")
        elif isinstance(node, ast.Attribute) and node.attr == "train_step":
            found.append(f"{ast.unparse(node)} (line {node.lineno})")
    return found


def app_files() -> list[Path]:
    return [
        ROOT / "app.py",
        *sorted((ROOT / "pages").glob("*.py")),
        *sorted((ROOT / "ui").rglob("*.py")),
        *sorted((ROOT / "core").rglob("*.py")),
    ]


def test_only_the_training_path_fits_or_saves_models():
    offenders = {}
    for path in app_files():
        rel = str(path.relative_to(ROOT))
        if rel != TRAINING_PATH and (calls := training_calls(path.read_text(encoding="utf-8"))):
            offenders[rel] = calls
    assert offenders == {}
    assert training_calls((ROOT / TRAINING_PATH).read_text(encoding="utf-8"))  # the detector sees the real one


@pytest.mark.parametrize(
    "snippet",
    [
        "model.fit(x, y)",
        "self.model.fit(x)",
        "m = x\nopt.apply_gradients(zip(g, v))",
        "model.save('m.keras')",
        "tf.function(model.train_step)",
        "lm.train_on_batch(x, y)",
    ],
)
def test_training_detector_bites(snippet):
    assert training_calls(snippet)


def test_training_detector_leaves_scalers_and_statistics_alone():
    assert (
        training_calls("MinMaxScaling.fit(rows)\nCodec.fit(f, 'course', 'open', 9)\nExponentialSmoothing(y).fit()")
        == []
    )


def test_pages_stay_short():
    long = {
        str(p.relative_to(ROOT)): n
        for p in [ROOT / "app.py", *(ROOT / "pages").glob("*.py")]
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_PAGE_LINES
    }
    assert long == {}
