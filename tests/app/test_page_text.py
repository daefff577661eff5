"""Headless AppTest of the text lab: the generation tab (the shipped model at once, deterministic sampling,
the 绝句 grid, a tiny training on an upload, bad uploads and empty prompts as sentences) and the translation
tab (a tiny training, its scores, the attention heat map of a typed input, bad uploads), in English and 中文."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.corpora import load_corpus
from core.sampling import poem_lines
from tests.app.test_chinese import assert_chinese

G, T = "text.gen.", "text.translate."
UPLOAD_TEXT = load_corpus("shakespeare")[:20_000].encode()


@pytest.fixture
def app(root, isolated_cache) -> AppTest:
    at = AppTest.from_file(str(root / "pages" / "7_Text_lab.py"), default_timeout=240)
    return at.run()


def sample(at: AppTest) -> dict:
    return at.session_state[G + "sample"]


def generate(at: AppTest, prompt: str = "ROMEO:", temperature: float = 1.0, seed: int = 3, length: int = 60):
    at.text_input(key=G + "prompt").input(prompt)
    at.slider(key=G + "temperature").set_value(temperature)
    at.number_input(key=G + "length").set_value(length)
    at.number_input(key=G + "sample_seed").set_value(seed)
    return at.button(key=G + "generate").click().run()


def test_first_visit_shows_the_shipped_model_beside_the_baselines(app):
    assert not app.exception
    assert app.tabs[0].label == "Character generation" and app.tabs[1].label == "Translation with attention"
    assert app.radio(key=G + "mode").value == "shipped" and app.radio(key=G + "corpus").value == "shakespeare"
    assert any("shipped" in s.value for s in app.subheader)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Bigram"] == "2.487" and metrics["Trigram"] == "2.056"  # tiny-shakespeare, last 10%
    assert any("scripts/make\\_text\\_models.py" in c.value or "make_text_models" in c.value for c in app.caption)
    assert G + "sample" not in app.session_state and T + "result" not in app.session_state


def test_generation_is_deterministic_and_shows_top5_and_memorisation(app):
    first = sample(generate(app))
    assert not app.exception and len(first["text"]) == 60 and first["prompt"] == "ROMEO:"
    assert len(first["choices"]) == 60 and all(len(c["top"]) == 5 for c in first["choices"])
    assert any("verbatim" in m.value for m in app.markdown)
    assert sample(generate(app))["text"] == first["text"]  # same seed, same text
    assert sample(generate(app, seed=4))["text"] != first["text"]
    greedy = sample(generate(app, temperature=0.0, seed=1))["text"]
    assert sample(generate(app, temperature=0.0, seed=2))["text"] == greedy  # T = 0: argmax, whatever the seed


def test_tang_quatrain_fills_the_grid_with_forced_punctuation(app):
    app.radio(key=G + "corpus").set_value("tang").run()
    assert not app.exception and any("Tang" in s.value for s in app.subheader)
    app.text_input(key=G + "prompt").input("春")
    app.button(key=G + "poem").click().run()
    poem = sample(app)
    assert poem["poem"] and not app.exception
    lines = poem_lines(poem["text"])
    assert len(poem["text"]) == 24 and [len(line) for line in lines] == [6, 6, 6, 6]
    assert [line[-1] for line in lines] == ["，", "。", "，", "。"] and lines[0][0] == "春"
    grid = next(m.value for m in app.markdown if m.value.startswith("| 1 | 2 | 3 | 4 | 5 |"))
    assert grid.count("\n") == 5  # header, rule, four lines


def test_empty_prompt_and_bad_settings_are_sentences(app):
    generate(app, prompt="")
    assert not app.exception and any("prompt" in e.value.lower() for e in app.error)
    generate(app, prompt="ROMEO ©")
    assert not app.exception and app.error  # a character the model never saw: a sentence, not a traceback


@pytest.mark.parametrize(("content", "words"), [(b"", "empty"), (b"PK\x03\x04\x00\x00binary\x00", "binary")])
def test_bad_uploads_are_sentences(app, content, words):
    app.radio(key=G + "corpus").set_value("upload").run()
    app.radio(key=G + "mode").set_value("default").run()
    app.file_uploader(key=G + "upload").upload("bad.txt", content, "text/plain")
    app.run()
    assert not app.exception
    assert any(words in e.value.lower() for e in app.error), [e.value for e in app.error]
    app.button(key=G + "train").click().run()
    assert not app.exception and "text.gen.result" not in app.session_state


def test_train_on_an_upload_then_generate(app):
    app.radio(key=G + "corpus").set_value("upload").run()
    app.radio(key=G + "mode").set_value("default").run()
    app.file_uploader(key=G + "upload").upload("play.txt", UPLOAD_TEXT, "text/plain")
    app.run()
    assert any("baselines" in m.value for m in app.markdown)  # shown before any training
    for name, value in {"units": 16, "epochs": 1, "steps_per_epoch": 2}.items():
        app.number_input(key=G + name).set_value(value)
    app.button(key=G + "train").click().run()
    assert not app.exception
    assert any("GRU(16)" in s.value and "trained now" in s.value for s in app.subheader)
    assert any("2 steps" in str(m.delta) for m in app.metric)
    assert sample(generate(app, prompt="the", length=20))["text"]


def test_course_lesson_opens_the_cookbook_network(root, isolated_cache):
    at = AppTest.from_file(str(root / "pages" / "7_Text_lab.py"), default_timeout=240)
    at.query_params["lesson"] = "course"
    at.run()
    assert not at.exception
    assert at.radio(key=G + "mode").value == "course" and at.radio(key=G + "cell").value == "lstm"
    assert any("22,082 s" in c.value for c in at.caption)


@pytest.fixture
def translated(app) -> AppTest:
    app.radio(key=T + "variant").set_value("short")
    app.number_input(key=T + "epochs").set_value(1)
    app.number_input(key=T + "n_pairs").set_value(200)
    return app.button(key=T + "train").click().run()


def test_translation_trains_and_shows_scores_and_the_attention_map(translated):
    at = translated
    assert not at.exception
    result = at.session_state[T + "result"]
    assert result.config.attention and result.n_test == 20 and result.trained.epochs == 1
    metrics = {m.label: m.value for m in at.metric}
    assert "Exact match" in metrics and metrics["Exact match"].endswith("%")
    assert "Character accuracy" in metrics
    assert at.text_input(key=T + "typed").value == "二〇一九年五月六日"
    heat = [c for c in at.get("plotly_chart") if "heatmap" in c.proto.spec]
    assert heat, "no attention heat map"


def test_translation_typed_input_errors_are_sentences(translated):
    translated.text_input(key=T + "typed").input("   ").run()
    assert not translated.exception and any("Type something" in e.value for e in translated.error)
    translated.text_input(key=T + "typed").input("9" * 500).run()
    assert not translated.exception and translated.error


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02PK", b"only one column\nand another\n"])
def test_bad_pair_uploads_are_sentences(app, content):
    app.radio(key=T + "task").set_value("upload").run()
    app.file_uploader(key=T + "upload").upload("pairs.tsv", content, "text/tab-separated-values")
    app.run()
    assert not app.exception and app.error
    app.button(key=T + "train").click().run()
    assert not app.exception


def test_chinese_after_generating_and_translating(translated):
    at = translated
    at.sidebar.selectbox[0].select("zh").run()
    assert at.title[0].value.startswith("文本实验室")
    assert_chinese(at, "translated")
    at.radio(key=G + "corpus").set_value("tang").run()
    at.text_input(key=G + "prompt").input("月")
    at.button(key=G + "poem").click().run()
    assert_chinese(at, "poem")
    generate(at, prompt="")
    assert at.error
    assert_chinese(at, "empty prompt")


def test_presenter_view_leaves_the_introduction_to_the_teacher(root, isolated_cache, app):
    from core.i18n import text

    intro = text("text", "intro")
    assert any(m.value == intro for m in app.markdown)
    at = AppTest.from_file(str(root / "pages" / "7_Text_lab.py"), default_timeout=240)
    at.query_params["present"] = "true"
    at.run()
    assert not at.exception and at.toggle(key="present").value
    assert not any(m.value == intro for m in at.markdown)
    assert any("shipped" in s.value for s in at.subheader)  # the result is still there at once
