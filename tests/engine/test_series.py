"""Plot series rules (engine.series): bounded buffers, finite stretches, peak decimation."""

from __future__ import annotations

import numpy as np

from engine.series import SeriesBuffer, finite_runs, finite_spans, peak_decimate


def test_series_buffer_halves_when_full_and_keeps_every_other_sample():
    buf = SeriesBuffer(1, capacity=8, series=1)
    for step in range(1, 21):
        buf.add(step, np.array([[float(step)]]))
    # 8 filled, halved to 4 (stride 2), then every other step offered is kept.
    assert buf.stride == 4
    assert list(buf.steps[: buf.count]) == list(buf.values[0, 0, : buf.count])
    assert np.all(np.diff(buf.steps[: buf.count]) > 0)
    buf.add(3, np.array([[99.0]]))  # older than the last step: ignored
    assert 99.0 not in buf.values


def test_finite_spans_split_at_every_non_finite_value():
    nan, inf = np.nan, np.inf
    assert finite_spans(np.array([1.0, 2.0, 3.0])) == [(0, 3)]
    assert finite_spans(np.array([])) == []
    assert finite_spans(np.array([nan, nan])) == []
    y = np.array([nan, 1.0, 2.0, inf, 3.0, nan, nan, 4.0])
    assert finite_spans(y) == [(1, 3), (4, 5), (7, 8)]


def test_finite_runs_split_a_polyline_at_nan():
    x = np.arange(7.0)
    y = np.array([np.nan, 1.0, 2.0, np.nan, np.nan, 5.0, 6.0])
    runs = finite_runs(x, y)
    assert [list(r[0]) for r in runs] == [[1.0, 2.0], [5.0, 6.0]]
    assert [list(r[1]) for r in runs] == [[1.0, 2.0], [5.0, 6.0]]
    assert finite_runs(x, np.full(7, np.nan)) == []
    whole = finite_runs(x, x)
    assert len(whole) == 1 and np.array_equal(whole[0][1], x)


def test_peak_decimate_keeps_min_and_max_per_bucket():
    x = np.arange(8.0)
    y = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
    xd, yd = peak_decimate(x, y, 0.0, 8.0, 2)  # buckets [0, 4) and [4, 8)
    np.testing.assert_array_equal(xd, [0.0, 0.0, 4.0, 4.0])
    np.testing.assert_array_equal(yd, [1.0, 4.0, 2.0, 9.0])
    # short curves are left alone
    xs, ys = peak_decimate(x[:4], y[:4], 0.0, 8.0, 2)
    assert xs is x[:4].base or np.array_equal(xs, x[:4])
    np.testing.assert_array_equal(ys, y[:4])
