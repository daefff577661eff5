"""Parallel corpora for the translation lab, made offline with the standard library, and uploaded pairs.

Two generated tasks (seeded: the same seed gives the same pairs):
- dates: a date written in one of many English or Chinese forms -> ISO ("May 6, 19" -> "2019-05-06");
- numerals: Chinese numerals <-> digits, both directions ("三千零五十" <-> "3050").
The "long" variant puts several items in one input ("May 6, 19; 2020/1/2; ..." -> "2019-05-06 2020-01-02 ..."):
the whole input must then pass through the encoder's one fixed-size state unless the decoder may attend.

Years stay in 1969-2068 so that a two-digit year has one reading (Python's %y rule: 69-99 -> 19xx, 00-68 -> 20xx).
"""

from __future__ import annotations

import datetime as dt
import random

from core.errors import AppError, ErrorKind
from core.i18n import text

Pair = tuple[str, str]  # (source sentence, target sentence)

TASKS: tuple[str, ...] = ("dates", "numerals")  # generated tasks ("upload" is handled by read_pairs_tsv)
VARIANTS: tuple[str, ...] = ("short", "long")
LONG_ITEMS = 3  # items (dates or numbers) in one input of the long variant
LONG_MAX_CHARS = 64  # a longer long input is drawn again: padding to rare very long inputs costs training time
ITEM_SEPARATOR = "; "  # between items of a long input
TARGET_SEPARATOR = " "  # between items of a long target
FIRST_DAY = dt.date(1969, 1, 1)
LAST_DAY = dt.date(2068, 12, 31)
MAX_NUMBER = 99_999_999  # numerals stay below one hundred million (亿)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # larger uploads are refused before decoding
MIN_UPLOAD_PAIRS = 100  # fewer cannot train a model and still hold some out
MAX_SENTENCE_CHARS = 100  # a character-level model on a CPU: longer sentences take too long

MONTHS = tuple(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
)
WEEKDAYS = tuple(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])
ORDINAL_ONES = tuple(
    [
        "zeroth",
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "eleventh",
        "twelfth",
        "thirteenth",
        "fourteenth",
        "fifteenth",
        "sixteenth",
        "seventeenth",
        "eighteenth",
        "nineteenth",
    ]
)
TENS = {2: "twenty", 3: "thirty"}  # the tens of a day of the month
ORDINAL_TENS = {20: "twentieth", 30: "thirtieth"}
ZH_DIGITS = "零一二三四五六七八九"
ZH_WEEKDAYS = "一二三四五六日"


# ---------------------------------------------------------------- Chinese numerals


def _section_to_chinese(n: int, leading: bool) -> str:
    """0 < n < 10000 as 千/百/十 digits; one 零 stands for each run of inner zeros; 一十 -> 十 when leading."""
    digits = [n // 1000, n // 100 % 10, n // 10 % 10, n % 10]
    units = ["千", "百", "十", ""]
    out, zero_pending, started = [], False, False
    for digit, unit in zip(digits, units, strict=True):
        if digit == 0:
            zero_pending = started
            continue
        if zero_pending:
            out.append("零")
        zero_pending, started = False, True
        out.append(unit if (unit == "十" and digit == 1 and leading and not out) else ZH_DIGITS[digit] + unit)
    return "".join(out)


def to_chinese(n: int) -> str:
    """0..99,999,999 in Chinese numerals: 3050 -> 三千零五十, 10 -> 十, 100010 -> 十万零一十, 10050000 -> 一千零五万."""
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"to_chinese takes a whole number from 0 to {MAX_NUMBER:,} (got {n!r})")
    if n == 0:
        return "零"
    high, low = divmod(n, 10_000)
    out = _section_to_chinese(high, leading=True) + "万" if high else ""
    if low:
        # A gap inside the number (10500 一万零五百) is read as 零; none when the low part fills 千.
        gap = bool(high) and low < 1000
        out += ("零" if gap else "") + _section_to_chinese(low, leading=not high)
    return out


_ZH_VALUES = {ch: i for i, ch in enumerate(ZH_DIGITS)} | {"〇": 0, "两": 2}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}


def from_chinese(numeral: str) -> int:
    """Chinese numerals (零/〇, 两 accepted) -> int, below 亿; ValueError for anything else."""
    if not numeral:
        raise ValueError("empty numeral")
    total, section, digit = 0, 0, None
    for ch in numeral:
        if ch in _ZH_VALUES:
            if digit:  # two digits in a row ("五五") is not a numeral; 零 before a digit is
                raise ValueError(f"{numeral!r} has two digits in a row")
            digit = _ZH_VALUES[ch]
        elif ch in _ZH_UNITS:
            section += (1 if digit is None else digit) * _ZH_UNITS[ch]
            digit = None
        elif ch == "万" and total == 0:
            total = (section + (digit or 0)) * 10_000
            section, digit = 0, None
        else:
            raise ValueError(f"{ch!r} is not a Chinese numeral (in {numeral!r})")
    return total + section + (digit or 0)


# ---------------------------------------------------------------- date forms


def english_ordinal(n: int) -> str:
    """1..31 as an ordinal word: 6 -> sixth, 21 -> twenty-first."""
    if n < 20:
        return ORDINAL_ONES[n]
    tens, ones = divmod(n, 10)
    return ORDINAL_TENS[n] if ones == 0 else f"{TENS[tens]}-{ORDINAL_ONES[ones]}"


def ordinal_suffix(n: int) -> str:
    """6 -> 6th, 1 -> 1st, 22 -> 22nd, 13 -> 13th."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def chinese_digits(n: int, zero: str = "〇") -> str:
    """Digit by digit, as a year is read: 2019 -> 二〇一九 (or 二零一九 with zero='零')."""
    return "".join(zero if d == "0" else ZH_DIGITS[int(d)] for d in str(n))


def _english_forms(d: dt.date) -> list[str]:
    month, short, day, year = MONTHS[d.month - 1], MONTHS[d.month - 1][:3], d.day, d.year
    return [
        f"the {english_ordinal(day)} of {month} {year}",
        f"{month} {day}, {year}",
        f"{month} {day}, {year % 100:02d}",
        f"{day} {month} {year}",
        f"{day} {short} {year}",
        f"{year}/{d.month}/{day}",
        f"{day:02d}.{d.month:02d}.{year}",
        f"{WEEKDAYS[d.weekday()]}, {month} {day}, {year}",
        f"{month.lower()} {ordinal_suffix(day)} {year}",
        f"{day:02d}-{short}-{year % 100:02d}",
    ]


def _chinese_forms(d: dt.date) -> list[str]:
    m, day = to_chinese(d.month), to_chinese(d.day)
    return [
        f"{chinese_digits(d.year)}年{m}月{day}日",
        f"{chinese_digits(d.year, '零')}年{d.month}月{d.day}日",
        f"{d.year}年{d.month}月{d.day}日",
        f"{chinese_digits(d.year)}年{m}月{day}号",
        f"{d.year}年{d.month:02d}月{d.day:02d}日",
        f"{d.year}年{d.month}月{d.day}日星期{ZH_WEEKDAYS[d.weekday()]}",
    ]


def date_forms(d: dt.date) -> list[str]:
    """Every human form of `d` the generator writes (English first, then Chinese)."""
    return _english_forms(d) + _chinese_forms(d)


# ---------------------------------------------------------------- generation


def _random_date(rng: random.Random) -> dt.date:
    return FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))


def _date_pair(rng: random.Random) -> Pair:
    d = _random_date(rng)
    forms = date_forms(d)
    return rng.choice(forms), d.isoformat()


def _random_number(rng: random.Random) -> int:
    """Digits count uniform in 1..8, and some digits zeroed, so that the 零 rules come up often."""
    n_digits = rng.randint(1, 8)
    digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(n_digits - 1)]
    digits = [0 if i and rng.random() < 0.3 else d for i, d in enumerate(digits)]
    return int("".join(map(str, digits)))


def _numeral_pair(rng: random.Random, to_digits: bool) -> Pair:
    n = _random_number(rng)
    return (to_chinese(n), str(n)) if to_digits else (str(n), to_chinese(n))


def _one_pair(task: str, variant: str, rng: random.Random) -> Pair:
    while True:
        source, target = _draw_pair(task, variant, rng)
        if variant == "short" or len(source) <= LONG_MAX_CHARS:
            return source, target


def _draw_pair(task: str, variant: str, rng: random.Random) -> Pair:
    items = LONG_ITEMS if variant == "long" else 1
    if task == "dates":
        parts = [_date_pair(rng) for _ in range(items)]
    else:
        to_digits = rng.random() < 0.5  # one direction per input
        parts = [_numeral_pair(rng, to_digits) for _ in range(items)]
    return ITEM_SEPARATOR.join(p[0] for p in parts), TARGET_SEPARATOR.join(p[1] for p in parts)


def check_task(task: str, variant: str) -> None:
    """ValueError naming the choices for an unknown task or variant."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {', '.join(VARIANTS)}")


def generate_pairs(task: str, variant: str, n_pairs: int, seed: int) -> tuple[Pair, ...]:
    """`n_pairs` pairs with distinct inputs, the same for the same arguments (random.Random(seed))."""
    check_task(task, variant)
    if not 1 <= n_pairs <= 200_000:
        raise ValueError(f"n_pairs must be from 1 to 200,000 (got {n_pairs})")
    rng = random.Random(f"{task}/{variant}/{seed}")  # a string seed is hashed the same in every process
    found: dict[str, str] = {}
    for _ in range(20 * n_pairs):
        source, target = _one_pair(task, variant, rng)
        found.setdefault(source, target)
        if len(found) == n_pairs:
            return tuple(found.items())
    raise ValueError(f"could not draw {n_pairs} distinct inputs for {task}/{variant}")


def split_pairs(pairs: tuple[Pair, ...], n_test: int, seed: int) -> tuple[tuple[Pair, ...], tuple[Pair, ...]]:
    """(train, held-out): every pair of one input goes to the same side, so no held-out input is trained on."""
    groups: dict[str, list[Pair]] = {}
    for pair in pairs:
        groups.setdefault(pair[0], []).append(pair)
    inputs = sorted(groups)
    random.Random(seed).shuffle(inputs)
    if not 0 < n_test < len(inputs):
        raise ValueError(f"n_test must be from 1 to {len(inputs) - 1} distinct inputs (got {n_test})")
    test_inputs = set(inputs[:n_test])
    train = tuple(p for p in pairs if p[0] not in test_inputs)
    test = tuple(p for p in pairs if p[0] in test_inputs)
    return train, test


# ---------------------------------------------------------------- uploads


def _upload_error(kind: ErrorKind, key: str, lang: str, **values) -> AppError:
    return AppError(kind, text("translate", key, lang, **values))


def _decode_upload(raw: bytes, lang: str) -> str:
    if len(raw) > MAX_UPLOAD_BYTES:
        raise _upload_error(ErrorKind.FILE_TOO_LARGE, "upload_too_large", lang, mb=MAX_UPLOAD_BYTES // 2**20)
    if not raw.strip():
        raise _upload_error(ErrorKind.EMPTY_FILE, "upload_empty", lang)
    if b"\x00" in raw[:8192]:
        raise _upload_error(ErrorKind.NOT_CSV, "upload_binary", lang)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise _upload_error(ErrorKind.NOT_CSV, "upload_not_utf8", lang) from err


def _parse_line(line: str, number: int, lang: str) -> Pair:
    fields = line.split("\t")
    if len(fields) != 2:
        raise _upload_error(ErrorKind.BAD_INPUT, "upload_columns", lang, line=number, found=len(fields))
    source, target = fields[0].strip(), fields[1].strip()
    if not source or not target:
        raise _upload_error(ErrorKind.BAD_INPUT, "upload_blank_side", lang, line=number)
    if max(len(source), len(target)) > MAX_SENTENCE_CHARS:
        raise _upload_error(ErrorKind.BAD_INPUT, "upload_too_long", lang, line=number, limit=MAX_SENTENCE_CHARS)
    return source, target


def read_pairs_tsv(raw: bytes, lang: str = "en") -> tuple[Pair, ...]:
    """Sentence pairs from an uploaded UTF-8 file, one `source<TAB>target` per line (blank lines skipped).

    AppError with one sentence in `lang`: FILE_TOO_LARGE, EMPTY_FILE, NOT_CSV (binary or not UTF-8),
    BAD_INPUT (a line without exactly two tab-separated columns, a blank side, a sentence too long),
    TOO_FEW_ROWS (under MIN_UPLOAD_PAIRS pairs).
    """
    content = _decode_upload(raw, lang)
    pairs = [_parse_line(line, i, lang) for i, line in enumerate(content.splitlines(), 1) if line.strip()]
    if len(pairs) < MIN_UPLOAD_PAIRS:
        raise _upload_error(ErrorKind.TOO_FEW_ROWS, "upload_too_few", lang, found=len(pairs), needed=MIN_UPLOAD_PAIRS)
    return tuple(pairs)
