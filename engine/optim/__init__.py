"""Functional optimizers with PyTorch's semantics (see :mod:`engine.optimizers`).

``registry`` holds the specs, ``rules`` and ``modern`` the states and update rules,
``kinds`` the name -> rule table and the Lookahead wrapper, ``compose`` construction,
schedules, clipping, noise and live edits.
"""

from engine.optim.compose import (
    current_lr,
    inspect,
    make_optimizer,
    set_hyper,
    with_clipping,
    with_gradient_noise,
    with_schedule,
)
from engine.optim.kinds import LookaheadState
from engine.optim.modern import (
    AdaBeliefState,
    AdamaxState,
    LionState,
    RAdamState,
    RpropState,
    ScheduleFreeState,
    SignSGDState,
)
from engine.optim.registry import OPTIMIZERS, Optimizer, OptimizerSpec
from engine.optim.rules import (
    AdadeltaState,
    AdagradState,
    AdamSGDState,
    AdamState,
    NAdamState,
    RMSpropState,
    SGDState,
)
from engine.transforms import TransformState

__all__ = [
    "OPTIMIZERS",
    "AdaBeliefState",
    "AdadeltaState",
    "AdagradState",
    "AdamSGDState",
    "AdamState",
    "AdamaxState",
    "LionState",
    "LookaheadState",
    "NAdamState",
    "Optimizer",
    "OptimizerSpec",
    "RAdamState",
    "RMSpropState",
    "RpropState",
    "SGDState",
    "ScheduleFreeState",
    "SignSGDState",
    "TransformState",
    "current_lr",
    "inspect",
    "make_optimizer",
    "set_hyper",
    "with_clipping",
    "with_gradient_noise",
    "with_schedule",
]
