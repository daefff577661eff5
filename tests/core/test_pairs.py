"""The generated parallel corpora are right (checked by parsers written here, independently), seeded, and
split without shared inputs; uploads of sentence pairs fail with one clear sentence."""

from __future__ import annotations

import datetime as dt
import random
import re
import subprocess
import sys

import pytest

from core.errors import AppError, ErrorKind
from core.pairs import (
    FIRST_DAY,
    ITEM_SEPARATOR,
    LAST_DAY,
    LONG_ITEMS,
    LONG_MAX_CHARS,
    MAX_NUMBER,
    MAX_SENTENCE_CHARS,
    MAX_UPLOAD_BYTES,
    MIN_UPLOAD_PAIRS,
    TARGET_SEPARATOR,
    date_forms,
    from_chinese,
    generate_pairs,
    read_pairs_tsv,
    split_pairs,
    to_chinese,
)

# ---------------------------------------------------------------- an independent date reader

ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "twenty-first": 21,
    "twenty-second": 22,
    "twenty-third": 23,
    "twenty-fourth": 24,
    "twenty-fifth": 25,
    "twenty-sixth": 26,
    "twenty-seventh": 27,
    "twenty-eighth": 28,
    "twenty-ninth": 29,
    "thirtieth": 30,
    "thirty-first": 31,
}  # written out by hand, not derived from core.pairs
ZH_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
ZH_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6}
ENGLISH_FORMATS = ("%B %d, %Y", "%B %d, %y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d", "%d.%m.%Y", "%d-%b-%y", "%B %d %Y")


def small_chinese(word: str) -> int:
    """1..31 in Chinese, or ASCII digits: 六 -> 6, 十六 -> 16, 二十 -> 20, 三十一 -> 31."""
    if word.isascii():
        return int(word)
    if "十" not in word:
        return ZH_DIGIT[word]
    tens, ones = word.split("十")
    return (ZH_DIGIT[tens] if tens else 1) * 10 + (ZH_DIGIT[ones] if ones else 0)


def read_chinese_date(text: str) -> dt.date:
    found = re.fullmatch(r"(.{4})年(.{1,3})月(.{1,3})[日号](?:星期(.))?", text)
    assert found, text
    year = "".join(str(ZH_DIGIT.get(ch, ch)) for ch in found[1])
    date = dt.date(int(year), small_chinese(found[2]), small_chinese(found[3]))
    if found[4]:
        assert date.weekday() == ZH_WEEKDAY[found[4]], text
    return date


def read_english_date(text: str) -> dt.date:
    if found := re.fullmatch(r"the ([a-z-]+) of ([A-Z][a-z]+) (\d{4})", text):
        return dt.datetime.strptime(f"{ORDINALS[found[1]]} {found[2]} {found[3]}", "%d %B %Y").date()
    if found := re.fullmatch(r"([a-z]+) (\d+)(st|nd|rd|th) (\d{4})", text):
        day = int(found[2])
        assert found[3] == ("th" if 10 <= day <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")), text
        text = f"{found[1]} {day} {found[4]}"
    weekday = None
    if found := re.fullmatch(r"([A-Z][a-z]+day), (.*)", text):
        weekday, text = found[1], found[2]
    dates = set()
    for fmt in ENGLISH_FORMATS:
        try:
            dates.add(dt.datetime.strptime(text, fmt).date())
        except ValueError:
            continue
    assert len(dates) == 1, (text, dates)
    date = dates.pop()
    if weekday:
        assert date.strftime("%A") == weekday, text
    return date


def read_date(text: str) -> dt.date:
    return read_chinese_date(text) if "年" in text else read_english_date(text)


# ---------------------------------------------------------------- dates


def test_every_form_of_a_date_reads_back_as_that_date():
    rng = random.Random(0)
    days = [FIRST_DAY, LAST_DAY, dt.date(2019, 5, 6), dt.date(2000, 2, 29), dt.date(1999, 12, 31)]
    days += [FIRST_DAY + dt.timedelta(days=rng.randrange(36_524)) for _ in range(100)]
    for day in days:
        forms = date_forms(day)
        assert len(forms) == 16
        for form in forms:
            assert read_date(form) == day, form


def test_the_issue_examples_are_among_the_forms():
    forms = date_forms(dt.date(2019, 5, 6))
    for example in (
        "the sixth of May 2019",
        "May 6, 19",
        "6 May 2019",
        "2019/5/6",
        "二〇一九年五月六日",
        "二零一九年5月6日",
    ):
        assert example in forms


@pytest.mark.parametrize("variant", ["short", "long"])
def test_generated_date_targets_are_the_iso_dates_of_their_inputs(variant):
    pairs = generate_pairs("dates", variant, 600, seed=3)
    items = 1 if variant == "short" else LONG_ITEMS
    for source, target in pairs:
        parts, isos = source.split(ITEM_SEPARATOR), target.split(TARGET_SEPARATOR)
        assert len(parts) == len(isos) == items
        for part, iso in zip(parts, isos, strict=True):
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso)
            assert read_date(part) == dt.date.fromisoformat(iso) and FIRST_DAY <= read_date(part) <= LAST_DAY
        if variant == "long":
            assert len(source) <= LONG_MAX_CHARS


def test_dates_mix_english_and_chinese_forms():
    sources = [s for s, _ in generate_pairs("dates", "short", 1000, seed=1)]
    chinese = sum("年" in s for s in sources)
    assert 250 < chinese < 500  # 6 of 16 forms are Chinese
    assert len({len(s) for s in sources}) > 10


# ---------------------------------------------------------------- Chinese numerals

KNOWN = {
    0: "零",
    7: "七",
    10: "十",
    15: "十五",
    20: "二十",
    101: "一百零一",
    110: "一百一十",
    1001: "一千零一",
    3050: "三千零五十",
    10000: "一万",
    10050: "一万零五十",
    10500: "一万零五百",
    11000: "一万一千",
    100000: "十万",
    100010: "十万零一十",
    150000: "十五万",
    1000500: "一百万零五百",
    1010101: "一百零一万零一百零一",
    10050000: "一千零五万",
    20000005: "二千万零五",
    99999999: "九千九百九十九万九千九百九十九",
}  # checked by hand


@pytest.mark.parametrize(("number", "numeral"), KNOWN.items())
def test_known_numerals(number, numeral):
    assert to_chinese(number) == numeral
    assert from_chinese(numeral) == number


def test_numerals_round_trip_over_every_section_value():
    # Each half (万 and below) runs through all 0..9999 against varied values of the other half.
    numbers = {high * 10_000 + low for low in range(10_000) for high in (0, 1, 10, 1010, 9999)}
    numbers |= {high * 10_000 + low for high in range(10_000) for low in (0, 5, 100, 1000)}
    numbers |= set(random.Random(1).sample(range(MAX_NUMBER + 1), 5_000))
    seen = {}
    for n in numbers:
        numeral = to_chinese(n)
        assert from_chinese(numeral) == n, (n, numeral)
        assert seen.setdefault(numeral, n) == n  # one numeral per number
    assert max(numbers) == MAX_NUMBER


def test_from_chinese_accepts_common_variants_and_rejects_nonsense():
    assert from_chinese("两千") == 2000
    assert from_chinese("一千〇五") == 1005
    for bad in ("", "五五", "abc", "三千x"):
        with pytest.raises(ValueError):
            from_chinese(bad)
    for bad in (-1, MAX_NUMBER + 1, 1.5, True):
        with pytest.raises(ValueError):
            to_chinese(bad)


@pytest.mark.parametrize("variant", ["short", "long"])
def test_generated_numeral_pairs_go_both_ways_and_are_right(variant):
    pairs = generate_pairs("numerals", variant, 1000, seed=5)
    directions = set()
    for source, target in pairs:
        for a, b in zip(source.split(ITEM_SEPARATOR), target.split(TARGET_SEPARATOR), strict=True):
            digits, numeral = (a, b) if a.isdigit() else (b, a)
            directions.add(a.isdigit())
            assert digits.isdigit() and to_chinese(int(digits)) == numeral and from_chinese(numeral) == int(digits)
    assert directions == {True, False}
    assert any("零" in s + t for s, t in pairs)  # the zero rules come up


# ---------------------------------------------------------------- seeds and splits


@pytest.mark.parametrize(("task", "variant"), [("dates", "short"), ("dates", "long"), ("numerals", "long")])
def test_same_seed_same_pairs_other_seed_other_pairs(task, variant):
    first = generate_pairs(task, variant, 300, seed=11)
    assert first == generate_pairs(task, variant, 300, seed=11)
    assert first != generate_pairs(task, variant, 300, seed=12)
    assert len({s for s, _ in first}) == 300  # distinct inputs


def test_pairs_are_the_same_in_a_fresh_process_that_never_imports_tensorflow():
    code = (
        "import sys; import core.translate; from core.pairs import generate_pairs;"
        "print(generate_pairs('dates', 'long', 5, 2)); print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    pairs_line, modules_line = out.strip().splitlines()
    assert pairs_line == str(generate_pairs("dates", "long", 5, 2))
    assert modules_line == "False False"  # importing the translation modules stays TensorFlow-free


def test_unknown_task_or_variant_names_the_choices():
    with pytest.raises(ValueError, match="dates, numerals"):
        generate_pairs("poems", "short", 10, 1)
    with pytest.raises(ValueError, match="short, long"):
        generate_pairs("dates", "medium", 10, 1)


def test_split_keeps_held_out_inputs_out_of_training():
    pairs = generate_pairs("dates", "short", 500, seed=2)
    train, test = split_pairs(pairs, 100, seed=2)
    assert len(train) == 400 and len(test) == 100
    assert not {s for s, _ in train} & {s for s, _ in test}
    assert split_pairs(pairs, 100, seed=2) == (train, test)


def test_split_puts_every_pair_of_one_input_on_one_side():
    pairs = tuple((f"s{i % 50}", f"t{i}") for i in range(200))  # each input has four translations
    train, test = split_pairs(pairs, 10, seed=0)
    assert len({s for s, _ in test}) == 10 and len(test) == 40
    assert not {s for s, _ in train} & {s for s, _ in test}
    with pytest.raises(ValueError):
        split_pairs(pairs, 50, seed=0)


# ---------------------------------------------------------------- uploads


def tsv(n: int, line: str = "source {i}\ttarget {i}") -> bytes:
    return "\n".join(line.format(i=i) for i in range(n)).encode("utf-8")


def test_a_good_upload_reads_every_pair():
    raw = "\ufeff" + tsv(MIN_UPLOAD_PAIRS).decode() + "\n\n我爱猫\tI love cats\n"
    pairs = read_pairs_tsv(raw.encode("utf-8"))
    assert len(pairs) == MIN_UPLOAD_PAIRS + 1
    assert pairs[0] == ("source 0", "target 0") and pairs[-1] == ("我爱猫", "I love cats")


@pytest.mark.parametrize(
    ("raw", "kind", "words"),
    [
        (b"", ErrorKind.EMPTY_FILE, "empty"),
        (b"  \n\n ", ErrorKind.EMPTY_FILE, "empty"),
        (b"PK\x03\x04\x00\x00binary", ErrorKind.NOT_CSV, "binary"),
        ("source\ttarget\n".encode("utf-16"), ErrorKind.NOT_CSV, "binary"),
        (b"caf\xe9\tcoffee\n" * 200, ErrorKind.NOT_CSV, "UTF-8"),
        (tsv(200, "a,b,{i}"), ErrorKind.BAD_INPUT, "Line 1 has 1 columns"),
        (tsv(200) + b"\nx\ty\tz", ErrorKind.BAD_INPUT, "Line 201 has 3 columns"),
        (tsv(200) + b"\nx\t ", ErrorKind.BAD_INPUT, "Line 201 has an empty sentence"),
        (tsv(200) + b"\n" + b"x" * (MAX_SENTENCE_CHARS + 1) + b"\ty", ErrorKind.BAD_INPUT, "longer than 100"),
        (tsv(MIN_UPLOAD_PAIRS - 1), ErrorKind.TOO_FEW_ROWS, f"holds {MIN_UPLOAD_PAIRS - 1} sentence pairs"),
        (b"a\tb\n" * (MAX_UPLOAD_BYTES // 4 + 1), ErrorKind.FILE_TOO_LARGE, "larger than 5 MB"),
    ],
)
def test_bad_uploads_get_one_clear_sentence(raw, kind, words):
    with pytest.raises(AppError) as caught:
        read_pairs_tsv(raw)
    assert caught.value.kind == kind
    assert words in caught.value.sentence
    assert "\n" not in caught.value.sentence


def test_upload_errors_speak_chinese():
    with pytest.raises(AppError) as caught:
        read_pairs_tsv(tsv(3), lang="zh")
    assert caught.value.sentence == f"文件只有 3 个句子对；至少需要 {MIN_UPLOAD_PAIRS} 个，才能训练并留出一部分做测试。"
