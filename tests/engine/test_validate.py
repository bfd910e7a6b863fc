"""The validation layer: numbers typed in any locale, text, ranges, JSON size and depth."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import limits
from engine.datasets import TaskConfig
from engine.params import ParamSpec
from engine.validate import (
    ValidationError,
    check_depth,
    check_int,
    check_list,
    check_number,
    check_text,
    field_spec,
    json_depth,
    one_line,
    parse_json,
    parse_number,
    sanitize_text,
    validate_field,
)

FAST = settings(max_examples=200, deadline=None, derandomize=True)

# ------------------------------------------------------------------ parse_number


@pytest.mark.parametrize(
    ("text", "point", "value"),
    [
        ("0.5", ".", 0.5),
        ("0,5", ".", 0.5),  # a comma that cannot be grouping, in an English locale
        ("0,5", ",", 0.5),
        ("0.5", ",", 0.5),  # C notation in a German locale
        ("1,234", ",", 1.234),  # the locale's own decimal point
        ("1.234", ".", 1.234),
        ("1,5", ".", 1.5),
        ("12,3456", ".", 12.3456),  # four digits after: not a thousands group
        ("1,2345e-3", ".", 1.2345e-3),
        ("2,5e-3", ",", 2.5e-3),
        ("-3", ".", -3.0),
        ("\u22121,5", ",", -1.5),  # Unicode minus, as some keyboards type it
        ("  7  ", ".", 7.0),
        (".5", ",", 0.5),
        ("5.", ".", 5.0),
        ("1e-3", ",", 1e-3),
        ("0,125", ".", 0.125),  # leading 0: never a thousands group
    ],
)
def test_parse_number_reads_both_notations(text, point, value):
    assert parse_number(text, point) == value


@pytest.mark.parametrize(
    ("text", "point"),
    [("1,234", "."), ("12,345", "."), ("999,000", "."), ("1.234", ","), ("-12.500", ",")],
)
def test_parse_number_refuses_what_could_be_a_thousands_separator(text, point):
    with pytest.raises(ValidationError, match="ambiguous") as info:
        parse_number(text, point, field="lr")
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith("lr: ")
    # the message says how to write each meaning
    digits = text.replace(",", "").replace(".", "")
    assert digits in msg


@pytest.mark.parametrize(
    "text", ["", "abc", "1,2,3", "1.2.3", "1,234.5", "0x10", "1e", "--1", "inf", "nan", "1e999"]
)
def test_parse_number_refuses_non_numbers_in_one_line(text):
    with pytest.raises(ValidationError) as info:
        parse_number(text, ".", field="momentum")
    assert str(info.value).startswith("momentum: ")
    assert "\n" not in str(info.value)


@FAST
@given(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([".", ","]))
def test_parse_number_reads_every_float_written_in_c_or_in_the_locale(x, point):
    c_text = repr(x)
    assert parse_number(c_text, point) == x
    local = c_text.replace(".", point)
    if "." in c_text:
        # repr never groups digits, so the locale's own notation is never ambiguous
        assert parse_number(local, point) == x


# ------------------------------------------------------------------ text


def test_sanitize_text_makes_one_printable_bounded_line():
    s = sanitize_text("a\nb\t\x1b[31mc\u202e \udcff", 60)
    assert s == "a b [31mc \ufffd"
    s.encode("utf-8")  # lone surrogates are gone
    long = sanitize_text("x" * 500, limits.MAX_LABEL_CHARS)
    assert len(long) == limits.MAX_LABEL_CHARS and long.endswith("\u2026")
    with pytest.raises(ValidationError, match="empty"):
        sanitize_text(" \n ", 10)
    with pytest.raises(ValidationError, match="expected text"):
        sanitize_text(["a"], 10)


@FAST
@given(st.text(alphabet=st.characters(), max_size=300))
def test_one_line_is_always_one_encodable_line(text):
    s = one_line(text, 100)
    assert "\n" not in s and "\r" not in s and len(s) <= 100
    s.encode("utf-8")


def test_check_text_refuses_long_and_wrong_types():
    assert check_text("hi", "title", 5) == "hi"
    with pytest.raises(ValidationError, match=r"^title: must be at most 5 characters; got 10,000$"):
        check_text("x" * 10_000, "title", 5)
    with pytest.raises(ValidationError, match=r"^label: must be text .* got a list of 2$"):
        check_text(["a", "b"], "label", 5)
    with pytest.raises(ValidationError, match=r"^label: must be text .* got 3$"):
        check_text(3, "label", 5)
    with pytest.raises(ValidationError, match="must not be empty"):
        check_text("  ", "title", 5, allow_empty=False)


# ------------------------------------------------------------------ numbers and lists


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (-1, "got -1"),
        (2**40, "got 1099511627776"),
        (1.5, "got 1.5"),
        (float("nan"), "got nan"),
        (True, "got true"),
        ("3", "got '3'"),
        (None, "got null"),
        (10**400, "got a 401-digit number"),
    ],
)
def test_check_int_names_field_and_range(value, fragment):
    with pytest.raises(ValidationError) as info:
        check_int(value, "seed", 0, 2**32 - 1)
    msg = str(info.value)
    assert msg.startswith("seed: must be a whole number in [0, 4294967295]")
    assert msg.endswith(fragment)


def test_check_int_accepts_whole_floats_and_returns_int():
    assert check_int(3.0, "steps", 0, 10) == 3 and isinstance(check_int(3.0, "s", 0, 10), int)


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), 10**400, "1", []])
def test_check_number_refuses_non_finite_and_non_numbers(value):
    with pytest.raises(ValidationError, match=r"^noise_std: must be a finite number in \[0, inf\]"):
        check_number(value, "noise_std", 0.0)


def test_check_number_open_lower_bound():
    assert check_number(1e-9, "lr", 0.0, lo_open=True) == 1e-9
    with pytest.raises(ValidationError, match=r"in \(0, 10\]; got 0"):
        check_number(0.0, "lr", 0.0, 10.0, lo_open=True)


def test_check_list_bounds():
    assert check_list([1, 2], "runs", 3, 1) == [1, 2]
    msg = r"^runs: must be a list of 1 to 16 items; got 1,000$"
    with pytest.raises(ValidationError, match=msg):
        check_list([0] * 1000, "runs", 16, 1)
    with pytest.raises(ValidationError, match="got an object"):
        check_list({}, "runs", 16)


# ------------------------------------------------------------------ specs


def test_field_spec_reads_the_dataclass_metadata():
    spec = field_spec(TaskConfig, "n")
    assert (spec.kind, spec.min, spec.max) == ("int", 20, limits.MAX_POINTS)
    assert field_spec(TaskConfig, "noise").kind == "float"
    assert field_spec(TaskConfig, "name").kind == "choice"
    with pytest.raises(KeyError):
        field_spec(TaskConfig, "params")


def test_validate_field_reads_locale_text_and_names_the_field():
    lr = ParamSpec("lr", 0.01, min=0.0, max=10.0, min_exclusive=True)
    assert validate_field(lr, "0,5", decimal_point=",") == 0.5
    assert validate_field(lr, "0.5", decimal_point=",") == 0.5
    with pytest.raises(ValidationError, match=r"^adam lr: must be in \(0, 10\]; got 20$"):
        validate_field(lr, "20", "adam lr")
    seed = field_spec(TaskConfig, "seed")
    with pytest.raises(ValidationError, match=r"^seed: .*\[0, 4294967295\]; got 1e\+30$"):
        validate_field(seed, 1e30)
    with pytest.raises(ValidationError, match=r"^seed: "):
        validate_field(seed, "\U0001f4a5")
    with pytest.raises(ValidationError, match=r"^seed: "):
        validate_field(seed, 10**400)


# ------------------------------------------------------------------ JSON


def _reference_depth(v) -> int:
    if isinstance(v, dict):
        return 1 + max((_reference_depth(x) for x in v.values()), default=0)
    if isinstance(v, list):
        return 1 + max((_reference_depth(x) for x in v), default=0)
    return 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(alphabet='[]{}"\\ab', max_size=4), children, max_size=3)
    ),
    max_leaves=20,
)


@FAST
@given(json_values)
def test_json_depth_matches_the_parsed_structure(value):
    text = json.dumps(value)
    assert json_depth(text) == _reference_depth(json.loads(text))


def test_parse_json_refuses_deep_nesting_without_recursion():
    deep = "[" * 1000 + "]" * 1000
    msg = r"^lesson\.json: nested 1000 levels deep; at most 16$"
    with pytest.raises(ValidationError, match=msg):
        parse_json(deep, "lesson.json")
    very_deep = "[" * 200_000
    with pytest.raises(ValidationError, match="nested 200000 levels"):
        parse_json(very_deep, "x")


@pytest.mark.parametrize("text", ['{"a": Infinity}', '{"a": NaN}', '{"a": -Infinity}', "[1e400]"])
def test_parse_json_refuses_non_finite_numbers(text):
    with pytest.raises(ValidationError, match=r"^f\.json: .*finite number"):
        parse_json(text, "f.json")


def test_parse_json_refuses_large_and_binary_documents():
    with pytest.raises(ValidationError, match="at most 262,144"):
        parse_json(b" " * (limits.MAX_LESSON_FILE_BYTES + 1), "big.json")
    with pytest.raises(ValidationError, match="not a UTF-8"):
        parse_json(b"\xff\xfe{}", "bin.json")
    with pytest.raises(ValidationError, match=r"not valid JSON \(line 1, column 2"):
        parse_json("{", "bad.json")
    with pytest.raises(ValidationError, match="not valid JSON"):
        parse_json("1" * 5000, "digits.json")  # Python refuses ints over 4300 digits
    assert parse_json(b'\xef\xbb\xbf{"a": [1.5]}') == {"a": [1.5]}  # a BOM is fine


def test_check_depth_and_list_length_of_parsed_data():
    nested: list = []
    for _ in range(30):
        nested = [nested]
    with pytest.raises(ValidationError, match="nested deeper than 16"):
        check_depth(nested)
    with pytest.raises(ValidationError, match="holds 1,000 items"):
        check_depth({"a": list(range(1000))}, max_items=limits.MAX_LIST_ITEMS)
    check_depth({"a": list(range(1000))})  # lengths are checked field by field by default
    check_depth({"a": [[1, 2], {"b": "c"}]})


def test_messages_are_one_line_even_for_hostile_fields():
    exc = ValidationError("bad\nvalue\x00", "a\nb")
    assert "\n" not in str(exc) and "\x00" not in str(exc)
    assert math.isfinite(check_number(1, "x"))


def test_run_config_refuses_seeds_numpy_would_refuse_later():
    from engine.runs import Race, RaceConfig, RunConfig

    bad = RunConfig("sgd", noise_std=0.1, seed=-1)
    with pytest.raises(ValueError, match=r"seed must be a whole number in \[0, 4294967295\]"):
        bad.validate()
    with pytest.raises(ValueError, match=r"run 1 \(sgd\): seed"):
        RaceConfig(runs=(bad,)).validate()
    # the largest accepted seed really is accepted by numpy's generator
    Race(RaceConfig(runs=(RunConfig("sgd", noise_std=0.1, seed=limits.SEED_MAX),))).step(1)
