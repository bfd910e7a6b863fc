"""Histograms on shared bins (engine.histograms): mass moved by overlap, ranges per activation."""

from __future__ import annotations

import numpy as np
import pytest

from engine.histograms import rebin, shared_range


def test_rebin_moves_mass_in_proportion_to_overlap():
    # One bin [0, 2) holding 1.0 onto [0, 1), [1, 2): half each; outside mass to the ends.
    assert rebin(np.array([1.0]), np.array([0.0, 2.0]), np.array([0.0, 1.0, 2.0])) == (
        pytest.approx([0.5, 0.5])
    )
    out = rebin(np.array([0.2, 0.8]), np.array([-4.0, 0.0, 4.0]), np.array([0.0, 1.0, 2.0]))
    # [-4, 0) lies below: 0.2 to the first bin; [0, 4) has 0.8 spread: 0.2 per unit,
    # [0, 1) gets 0.2, [1, 2) gets 0.2 and the 0.4 above 2 goes to the last bin.
    assert out == pytest.approx([0.4, 0.6])
    assert out.sum() == pytest.approx(1.0)
    same = np.array([0.1, 0.3, 0.6])
    edges = np.linspace(-1.0, 1.0, 4)
    np.testing.assert_array_equal(rebin(same, edges, edges), same)


def test_shared_range_is_the_activations_range_cut_to_four():
    assert shared_range("tanh") == (-1.0, 1.0)
    assert shared_range("sigmoid") == (0.0, 1.0)
    assert shared_range("relu") == (0.0, 4.0)
    assert shared_range("elu", {"alpha": 0.5}) == (-0.5, 4.0)
    assert shared_range("linear") == (-4.0, 4.0)
