"""Axis ranges, log-axis decades and number text (engine.display), checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.display import (
    MAX_DECADE_TICKS,
    decade_label,
    decade_ticks,
    elide_words,
    format_value,
    nice_ceil,
    snapped_range,
    sticky_range,
)


def test_nice_ceil_and_snapped_ranges():
    assert [nice_ceil(v) for v in (0.7, 1, 1.5, 3, 7, 11, 2000)] == [1, 1, 2, 5, 10, 20, 2000]
    assert snapped_range(-3.2, 0.4, log=True) == (-3.5, 0.5)
    assert snapped_range(-0.1, 0.1, log=True) == (-1.0, 1.0)
    assert snapped_range(3.0, 97.0, log=False) == (0.0, 100.0)


def test_format_value():
    assert format_value(0.0) == "0"
    assert format_value(1.5) == "1.5"
    assert format_value(1.23456e-7) == "1.235e-7"
    assert format_value(math.inf) == "+∞"
    assert format_value(math.nan) == "—"


def test_eliding_keeps_whole_words_and_never_shortens_a_number():
    def adv(s):
        return 10.0 * len(s)  # a monospace font, 10 px a character

    assert elide_words("SGD lr 0.05", adv, 200) == "SGD lr 0.05"
    # Room for "SGD lr 0.0" (10 characters) but not the whole: drop the number, not a digit.
    assert elide_words("SGD lr 0.05", adv, 105) == "SGD lr …"
    assert elide_words("SGD lr 0.05", adv, 20) == "SGD …"  # at least the first word
    for width in range(0, 200, 7):
        out = elide_words("Adam lr 0.05 β 0.9 0.999", adv, width)
        kept = out.removesuffix(" …").split()
        assert kept == "Adam lr 0.05 β 0.9 0.999".split()[: len(kept)]


def test_sticky_range_grows_with_a_decade_to_spare_and_shrinks_late():
    r = sticky_range(None, -1.2, 0.3, True)
    assert r == (-1.5, 0.5)  # half decades around the data
    assert sticky_range(r, -1.0, 0.0, True) == r  # inside and filling half: kept
    # leaving below by 0.3 decades: one decade of room beyond the new low (-1.8 - 1)
    assert sticky_range(r, -1.8, 0.0, True) == (-3.0, 0.5)
    # filling under a quarter of the range: shrink to the data (at least two decades)
    assert sticky_range((-10.0, 10.0), 0.1, 0.9, True) == (-1.0, 1.0)
    # a wider range leaves half its span to spare: (-8, 0) left at -8.5 → room to -12.5
    assert sticky_range((-8.0, 0.0), -8.5, -0.5, True) == (-12.5, 0.0)
    # linear: a quarter of the span beyond the side that was left
    lo, hi = sticky_range((0.0, 1.0), 0.0, 1.5, False)
    assert lo == 0.0 and hi >= 1.5 + 0.25 * 1.5


def test_sticky_range_follows_a_loss_falling_thirty_decades_in_few_moves():
    r, ranges = None, []
    for lo in np.arange(0.0, -30.0, -0.01):
        r = sticky_range(r, lo, 2.0, True)
        assert r[0] <= lo and r[1] >= 2.0
        if not ranges or ranges[-1] != r:
            ranges.append(r)
    # A decade of room each time would move it about thirty times.
    assert len(ranges) <= 8, ranges


def test_a_short_range_labels_every_decade_and_the_2_to_9_minor_ticks():
    (spacing, major), (_, minor) = decade_ticks(-2.2, 1.3, 300)
    assert spacing == 1.0 and major == [-2.0, -1.0, 0.0, 1.0]
    # log10(k * 10^d) for k = 2..9, inside the range
    want = sorted(
        d + math.log10(k)
        for d in range(-3, 2)
        for k in range(2, 10)
        if -2.2 < d + math.log10(k) < 1.3
    )
    assert minor == pytest.approx(want)


@pytest.mark.parametrize(
    "lo, hi", [(-300.0, 300.0), (-1e9, 1e9), (-1e300, 1e300), (-214.3, 2.0), (1e6, 1e6 + 1e4)]
)
def test_a_range_far_out_is_decimated_not_listed(lo, hi):
    """A run far out of range once put 1e9 decades on the axis: the old tick code built a
    list of them all (MemoryError, a 35 s freeze)."""
    (spacing, major), (_, minor) = decade_ticks(lo, hi, 250)
    assert 1 <= len(major) <= MAX_DECADE_TICKS
    assert minor == []
    assert all(lo <= v <= hi and v == round(v) for v in major)
    assert all(v % spacing == 0 for v in major)  # labels stay put while the range moves


def test_non_finite_or_empty_ranges_give_no_ticks():
    for lo, hi in ((-math.inf, 2.0), (0.0, math.nan), (3.0, 1.0)):
        assert decade_ticks(lo, hi, 200) == [(1.0, []), (None, [])]


def test_decade_labels_are_plain_near_one_and_powers_beyond():
    assert [decade_label(v) for v in (-3.0, 0.0, 2.0, 3.0)] == ["0.001", "1", "100", "1000"]
    assert decade_label(-7.0) == "10⁻⁷" and decade_label(12.0) == "10¹²"
    assert decade_label(math.log10(2.0)) == ""  # a minor tick between decades
