"""Neural networks in numpy: layers, activations, initializers, batch norm, losses, MLP,
lockstep training with per-layer statistics.

Modules: :mod:`~engine.nn.special` (vectorised erf), :mod:`~engine.nn.activations`,
:mod:`~engine.nn.initializers`, :mod:`~engine.nn.layers`, :mod:`~engine.nn.batchnorm`,
:mod:`~engine.nn.losses`, :mod:`~engine.nn.mlp`, :mod:`~engine.nn.stats`,
:mod:`~engine.nn.training`. The data sets live in :mod:`engine.datasets`.
"""

from engine.datasets import TASKS, TaskConfig, make_dataset
from engine.nn.activations import ACTIVATIONS
from engine.nn.initializers import INITIALIZERS, calculate_gain
from engine.nn.mlp import MLP, MLPConfig
from engine.nn.stats import LayerStats
from engine.nn.training import (
    ColumnSnapshot,
    Comparison,
    NetSnapshot,
    TrainConfig,
    simulate,
)

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "MLP",
    "TASKS",
    "ColumnSnapshot",
    "Comparison",
    "LayerStats",
    "MLPConfig",
    "NetSnapshot",
    "TaskConfig",
    "TrainConfig",
    "calculate_gain",
    "make_dataset",
    "simulate",
]
