"""Functional optimizers with PyTorch's semantics (facade over :mod:`engine.optim`).

An optimizer is a pair of pure functions in the style of optax's ``GradientTransformation``::

    opt = make_optimizer("adam", lr=0.01)
    state = opt.init(params)
    params, state = opt.update(grads, state, params)

``update`` never modifies its arguments. The state is a NamedTuple holding the buffers
(momentum, moment estimates, ...), the update counter ``step`` and every hyperparameter, so
:func:`set_hyper` can change a learning rate mid-run without losing the velocity.

The arithmetic follows the algorithm boxes of the ``torch.optim`` documentation (defaults,
where eps sits, bias correction with the step counter starting at 1, the momentum buffer
set to the raw gradient on its first step, coupled L2 weight decay except for AdamW).

Batching: every float hyperparameter may be an array that broadcasts against the parameters,
e.g. ``lr`` of shape ``(n_runs, 1)`` for params of shape ``(n_runs, 2)``. Each row of such a
batched update is bit-for-bit the update that row would get alone: the only
transcendental operation (``beta ** t``) is evaluated with Python's float power for every
distinct value, as PyTorch does, and all the rest is element-wise IEEE arithmetic.

Composition: :func:`with_schedule`, :func:`with_clipping` and :func:`with_gradient_noise`
wrap an optimizer in one fixed order, gradient noise -> clip by value -> clip by norm ->
optimizer with the scheduled learning rate, however many times and in whatever order they
are called.
"""

# The public names are listed once, in engine.optim; this module only keeps the old path.
from engine.optim import *  # noqa: F403
from engine.optim import __all__  # noqa: F401
