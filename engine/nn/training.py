"""Lockstep training of several network configurations on the same data, with snapshots.

A :class:`Comparison` holds one data set (:class:`TaskConfig`) and several columns
(:class:`TrainConfig`), each a network with its own optimizer. Every column is trained
exactly as it would be alone: its weights come from ``np.random.default_rng(seed)``, and
its mini-batches from a stream shared by construction (same data seed, same batch size ->
same batches), so two columns differ only in what their configs differ in.

Mini-batches are consecutive slices of a stream of random permutations of the training
set (``np.random.default_rng([data_seed, 1])``); a batch that runs past the end of a
permutation continues into the next one, so every batch has ``batch_size`` examples (the
whole training set if it is smaller).

A training step whose loss is not finite freezes the column as ``"diverged"``:
``diverged_at`` is the number of completed updates at that moment; that step's update is
not applied, so the parameters stay those that produced the non-finite loss. The other
columns go on.

Snapshots (:meth:`Comparison.snapshot`) evaluate losses and accuracies on the full
training and validation sets in evaluation mode (batch norm uses running statistics, as
``model.eval()``), the per-layer statistics of :mod:`engine.nn.stats` on a fixed batch of
up to ``stats_size`` training points, and the class probabilities on a grid (2-D data) or
the fitted curve (1-D regression). They are cached per column step, so calling
``snapshot()`` again without stepping costs next to nothing.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from engine.datasets import Dataset, TaskConfig, make_dataset
from engine.nn.activations import activation_range
from engine.nn.losses import MeanSquaredError, SoftmaxCrossEntropy, softmax
from engine.nn.mlp import MLP, MLPConfig
from engine.nn.muon import NET_OPTIMIZERS, make_muon, muon_next_lr, set_muon_hyper
from engine.nn.stats import (
    LayerStats,
    fixed_edges,
    health,
    histogram,
    mean_var,
    predict_variances,
    readonly,
)
from engine.optimizers import (
    current_lr,
    make_optimizer,
    set_hyper,
    with_clipping,
    with_schedule,
)
from engine.params import spec_field
from engine.schedules import SCHEDULES, make_schedule

__all__ = [
    "PRECISIONS",
    "ColumnSnapshot",
    "Comparison",
    "LayerStats",
    "NetSnapshot",
    "TaskConfig",
    "TrainConfig",
    "simulate",
]


PRECISIONS: dict[str, type] = {"float64": np.float64, "float32": np.float32}
"""Arithmetic a :class:`Comparison` can train in.

``"float64"`` (the default) agrees with PyTorch in float64 to ~1e-10 relative over many
steps (``tests/engine/test_torch_oracle.py``). ``"float32"`` runs every forward and backward
pass in float32 (the optimizer's update and state stay float64, as master weights): one
step's loss and gradients agree with PyTorch float32 and with the float64 pass to about
``FLOAT32_RTOL`` relative (float32's 6e-8 rounding grown over a few dozen summed terms
per entry), and two float32 runs drift apart over many steps as any two float32
implementations do. It is about twice as fast (bench/nn_bench.py).
"""
FLOAT32_RTOL = 1e-4
DISPLAY_DTYPE = np.float32
"""Arithmetic of the display-only snapshot parts: layer statistics (histograms, variances,
health, gradient statistics) and decision regions. Their values agree with a float64 pass
to ``FLOAT32_RTOL`` (histogram counts may move an entry lying within that of a bin edge)."""


def _default_hyper() -> dict:
    return {"lr": 1e-3}


@dataclass(frozen=True)
class TrainConfig:
    """One column of a comparison: a network and how it is trained.

    Attributes
    ----------
    label : str
        Name shown for the column.
    mlp : MLPConfig
        The network (input and output sizes are set from the task by :class:`Comparison`).
    optimizer : str
        A key of :data:`engine.optimizers.OPTIMIZERS`.
    hyper : dict
        Its hyperparameters by PyTorch name (``lr``, ``betas``, ``weight_decay``, ...).
    schedule : str
        A key of :data:`engine.schedules.SCHEDULES`.
    schedule_params : dict
        Its parameters, plus ``warmup_steps``/``warmup_start_factor``.
    clip_norm : float or None
        Clip the global gradient norm to this (``clip_grad_norm_``), or no clipping.
    batch_size : int
        Examples per mini-batch.
    seed : int
        Seed of the initial weights.

    Raises
    ------
    ValueError
        On construction, for an invalid field (the message names it).
    """

    label: str = spec_field("net", label="Label", help="name of this column")
    mlp: MLPConfig = field(default_factory=MLPConfig, metadata={"label": "Network"})
    optimizer: str = spec_field(
        "adam", label="Optimizer", choices=tuple(NET_OPTIMIZERS), help="update rule"
    )
    hyper: dict = field(
        default_factory=_default_hyper,
        metadata={"label": "Hyperparameters", "help": "lr, betas, weight_decay, ..."},
    )
    schedule: str = spec_field(
        "constant", label="Schedule", choices=tuple(SCHEDULES), help="learning-rate schedule"
    )
    schedule_params: dict = field(
        default_factory=dict,
        metadata={"label": "Schedule parameters", "help": "e.g. T_max, warmup_steps"},
    )
    clip_norm: float | None = spec_field(
        None, label="Clip norm", min=0.0, max=1e6, help="clip the gradient norm (None = off)"
    )
    batch_size: int = spec_field(
        64, label="Batch size", min=1, max=100_000, help="examples per step"
    )
    seed: int = spec_field(
        0, label="Init seed", min=0, max=2**32 - 1, help="seed of the initial weights"
    )

    def __post_init__(self) -> None:
        if not isinstance(self.label, str):
            raise ValueError(f"train: label must be a string; got {self.label!r}")
        if not isinstance(self.mlp, MLPConfig):
            raise ValueError(f"train: mlp must be an MLPConfig; got {type(self.mlp).__name__}")
        self.make_optimizer()
        bs = self.batch_size
        if isinstance(bs, bool) or not isinstance(bs, (int, np.integer)) or not 1 <= bs <= 100_000:
            raise ValueError(f"train: batch_size must be a whole number in [1, 100000]; got {bs!r}")
        if self.mlp.batchnorm != "off" and bs < 2:
            raise ValueError("train: batch_size must be >= 2 with batch norm")
        s = self.seed
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or not 0 <= s < 2**32:
            raise ValueError(f"train: seed must be a whole number in [0, 2^32); got {s!r}")

    def make_optimizer(self, layout: tuple = ()):
        """The configured optimizer, composed with schedule and clipping (validated).

        ``layout`` is the network's ``MLP.layout``, which Muon needs to find its matrices.
        """
        sched = make_schedule(self.schedule, **dict(self.schedule_params))
        timed = sched if sched.kind != "constant" or sched.warmup_steps else None
        cn = self.clip_norm
        if cn is not None and (
            isinstance(cn, bool) or not isinstance(cn, (int, float)) or not cn > 0
        ):
            raise ValueError(f"train: clip_norm must be a number > 0 or None; got {cn!r}")
        if self.optimizer == "muon":
            return make_muon(layout, schedule=timed, clip_norm=cn, **dict(self.hyper))
        opt = make_optimizer(self.optimizer, **dict(self.hyper))
        if timed is not None:
            opt = with_schedule(opt, sched)
        if cn is not None:
            opt = with_clipping(opt, clip_norm=float(cn))
        return opt


@dataclass(frozen=True)
class ColumnSnapshot:
    """One configuration at one step (arrays read-only).

    Attributes
    ----------
    label : str
    step : int
        Updates this column has made (frozen at divergence).
    status : {"running", "diverged"}
    diverged_at : int or None
        Completed updates when the loss was first not finite.
    train_loss, val_loss, train_acc, val_acc : float
        Evaluation-mode loss and accuracy on the full sets (accuracy NaN for regression,
        NaN for an empty validation set).
    lr : float
        Learning rate of the next update (schedule included).
    grad_norm : float
        Global norm of the parameter gradient on the statistics batch (NaN when the
        snapshot was taken with ``layers=False``).
    layers : tuple of LayerStats
        Hidden layers then the output layer (empty when taken with ``layers=False``).
    boundary : ndarray, shape (gy, gx, n_classes), or None
        Class probabilities at the grid points ``linspace(xmin, xmax, gx)`` x
        ``linspace(ymin, ymax, gy)``; row 0 is ``ymin``. None for regression.
    grid_extent : tuple of float
        ``(xmin, xmax, ymin, ymax)`` of those grid points, i.e. of the data with a 10 %
        margin (for regression: of inputs and targets); set even when ``boundary`` is None.
    curve_x, curve_y : ndarray, shape (m,), or None
        Fitted curve for 1-D regression.
    """

    label: str
    step: int
    status: str
    diverged_at: int | None
    train_loss: float
    val_loss: float
    train_acc: float
    val_acc: float
    lr: float
    grad_norm: float
    layers: tuple[LayerStats, ...]
    boundary: np.ndarray | None
    grid_extent: tuple[float, float, float, float] | None
    curve_x: np.ndarray | None
    curve_y: np.ndarray | None


@dataclass(frozen=True)
class NetSnapshot:
    """All columns at one moment; ``step`` counts the comparison's steps since (re)start."""

    step: int
    columns: tuple[ColumnSnapshot, ...]


def fit_to_task(mlp: MLPConfig, data: Dataset) -> MLPConfig:
    """``mlp`` with input and output sizes set from ``data``."""
    if mlp.input_size == data.input_size and mlp.output_size == data.n_outputs:
        return mlp
    return dataclasses.replace(mlp, input_size=data.input_size, output_size=data.n_outputs)


class _BatchStream:
    """Consecutive slices of a stream of seeded random permutations of ``range(n)``."""

    def __init__(self, n: int, batch_size: int, seed: int) -> None:
        self.n = n
        self.bs = min(batch_size, n)
        self.rng = np.random.default_rng([seed, 1])
        self.buf = np.empty(0, dtype=np.intp)
        self.pos = 0

    def next(self) -> np.ndarray:
        end = self.pos + self.bs
        if end > self.buf.size:
            self.buf = np.concatenate([self.buf[self.pos :], self.rng.permutation(self.n)])
            self.pos, end = 0, self.bs
        idx = self.buf[self.pos : end]
        self.pos = end
        return idx


class _Column:
    """One network in training: flat parameter and gradient buffers, optimizer, state."""

    def __init__(self, cfg: TrainConfig, comp: Comparison) -> None:
        self.comp = comp
        data = comp.data
        self.cfg = dataclasses.replace(cfg, mlp=fit_to_task(cfg.mlp, data))
        mcfg = self.cfg.mlp
        self.net = MLP(mcfg)
        self.loss = MeanSquaredError() if data.kind == "regression" else SoftmaxCrossEntropy()
        flat = np.zeros((1, self.net.n_params))
        self.net.init_params(np.random.default_rng(self.cfg.seed), flat)
        # the optimizer keeps float64 weights and state (``bound``); a float32 column
        # computes its passes with a float32 copy of them (``cbound``), refreshed per update
        self.dtype = comp.dtype
        self.bound = self.net.bind(flat)
        self.prev_bound = self.net.bind(flat.copy())
        self.cbound = None if self.dtype == np.float64 else self.net.bind(flat.astype(self.dtype))
        self.state = self.net.init_state()
        self.gflat = np.zeros(flat.shape, self.dtype)
        self.gbound = self.net.bind(self.gflat)
        self.opt = self.cfg.make_optimizer(self.net.layout)
        self.opt_state = self.opt.init(self.flat)
        self.batches = _BatchStream(data.x_train.shape[0], self.cfg.batch_size, comp.task.seed)
        self.step = 0
        self.diverged_at: int | None = None
        self._parts: dict = {}  # snapshot parts of the current step
        # histogram edges and theory fixed from the initial network
        m0 = float(np.mean(data.x_train * data.x_train))
        self.theory = predict_variances(mcfg, m0)
        pre, act, _, _, _ = self._stats_pass()
        bins = comp.hist_bins
        arange = activation_range(mcfg.activation, mcfg.activation_params)
        inf = (-math.inf, math.inf)
        self.edges = []
        for i in range(self.net.n_layers):
            hidden = i < self.net.n_hidden
            self.edges.append(
                (
                    readonly(fixed_edges(pre[i], bins, inf)),
                    readonly(fixed_edges(act[i], bins, arange if hidden else inf)),
                )
            )

    @property
    def status(self) -> str:
        return "running" if self.diverged_at is None else "diverged"

    def train(self, n: int) -> None:
        """Make up to ``n`` updates (fewer if the loss stops being finite)."""
        if self.diverged_at is not None:
            return
        net, loss_fn, gbound, gflat, opt = self.net, self.loss, self.gbound, self.gflat, self.opt
        xs, ys = self.comp.train_arrays(self.dtype)
        cbound = self.cbound
        for _ in range(n):
            idx = self.batches.next()
            cur = self.bound
            loss, new_state = net.loss_and_grads(
                xs[idx], ys[idx], loss_fn, cur if cbound is None else cbound, self.state, gbound
            )
            if not math.isfinite(loss):
                self.diverged_at = self.step
                return
            new, self.opt_state = opt.update(gflat, self.opt_state, cur.flat, loss=loss)
            # double buffer: the new values go into the spare buffer, which becomes current;
            # the old one is kept as the previous step's parameters (update ratios)
            self.bound, self.prev_bound = self.prev_bound, cur
            self.bound.flat[...] = new
            if cbound is not None:
                cbound.flat[...] = new
            self.state = new_state
            self.step += 1

    @property
    def flat(self) -> np.ndarray:
        return self.bound.flat

    @property
    def params(self) -> dict[str, np.ndarray]:
        return self.bound.params

    @property
    def prev(self) -> np.ndarray:
        return self.prev_bound.flat

    # ------------------------------------------------------------------ snapshots

    def _display_bound(self):
        """float32 parameters for the display-only parts (layer statistics, regions)."""
        if self.cbound is not None and self.cbound.flat.dtype == DISPLAY_DTYPE:
            return self.cbound
        b = self._parts.get("display")
        if b is None:
            b = self._parts["display"] = self.net.bind(self.flat.astype(DISPLAY_DTYPE))
        return b

    def _stats_pass(self):
        """Training-mode forward and backward on the statistics batch (state discarded),
        in float32 (display only)."""
        comp = self.comp
        xs, ys = comp.cast("stats_x", DISPLAY_DTYPE), comp.cast("stats_y", DISPLAY_DTYPE)
        params = self._display_bound().params
        out, cache, _ = self.net.forward(xs, params, self.state, True)
        loss, lc = self.loss.forward(out, ys)
        dout = self.loss.backward(lc)
        grads, dacts = self.net.backward(dout, cache, params)
        # the output layer has no activation: its pre, act and their gradients coincide
        pre = [*cache.pre, out]
        act = [*cache.act, out]
        dpre = [*dacts["pre"], dout]
        dact = [*dacts["act"], dout]
        return pre, act, (dpre, dact, xs.shape[0]), grads, loss

    def _predict(self, x: np.ndarray) -> np.ndarray:
        """Evaluation-mode output in the comparison's precision."""
        if self.cbound is None:
            return self.net.predict(x, self.params, self.state)
        return self.net.predict(x.astype(self.dtype), self.cbound.params, self.state)

    def _boundary(self) -> np.ndarray:
        """Class probabilities on the grid, float32 (display only), (gs, gs, classes)."""
        comp = self.comp
        grid = comp.cast("grid_points", DISPLAY_DTYPE)
        out = self.net.predict(grid, self._display_bound().params, self.state)
        return readonly(softmax(out).reshape(comp.grid_size, comp.grid_size, -1))

    def _score(self, out: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        if out.shape[0] == 0:
            return math.nan, math.nan
        loss, _ = self.loss.forward(out, y)
        if self.comp.data.kind == "regression":
            return loss, math.nan
        return loss, float(np.mean(np.argmax(out, axis=1) == y))

    def _evaluate(self) -> tuple[float, float, float, float]:
        """Evaluation-mode loss and accuracy on the training and validation sets.

        One forward pass over both sets at once: in evaluation mode every example is
        processed on its own, so this is two separate passes in one call.
        """
        data = self.comp.data
        out = self._predict(self.comp.cast("x_eval", self.dtype))
        n = data.x_train.shape[0]
        return (*self._score(out[:n], data.y_train), *self._score(out[n:], data.y_val))

    def snapshot(self, boundary: bool = True, layers: bool = True) -> ColumnSnapshot:
        """This column now. Each part (losses, layer statistics, boundary) is computed at
        most once per step, so asking again without stepping costs nothing."""
        if self._parts.get("step") != self.step:
            self._parts = {"step": self.step}
        key = (boundary and self.comp.data.kind != "regression", layers)
        snap = self._parts.get(key)
        if snap is None:
            base = self._parts.get("base")
            if base is None:
                base = self._parts["base"] = self._base_snapshot()
            changes = {}
            if layers:
                if "layers" not in self._parts:
                    self._parts["layers"] = self._layer_stats()
                changes["layers"], changes["grad_norm"] = self._parts["layers"]
            if key[0]:
                if "boundary" not in self._parts:
                    self._parts["boundary"] = self._boundary()
                changes["boundary"] = self._parts["boundary"]
            snap = self._parts[key] = dataclasses.replace(base, **changes) if changes else base
        return snap

    def _base_snapshot(self) -> ColumnSnapshot:
        """Losses, accuracies, learning rate, status and (regression) the fitted curve."""
        comp, cfg = self.comp, self.cfg
        data = comp.data
        train_loss, train_acc, val_loss, val_acc = self._evaluate()
        if self.diverged_at is None and not (
            math.isfinite(train_loss) and np.isfinite(self.flat).all()
        ):
            self.diverged_at = self.step
        cx = cy = None
        if data.kind == "regression":
            cx = comp.curve_x
            cy = readonly(self._predict(cx[:, None])[:, 0].copy())
        muon = self.cfg.optimizer == "muon"
        lr = muon_next_lr(self.opt, self.opt_state) if muon else current_lr(self.opt_state)
        return ColumnSnapshot(
            label=cfg.label,
            step=self.step,
            status=self.status,
            diverged_at=self.diverged_at,
            train_loss=train_loss,
            val_loss=val_loss,
            train_acc=train_acc,
            val_acc=val_acc,
            lr=float(np.asarray(lr).reshape(-1)[0]),
            grad_norm=math.nan,
            layers=(),
            boundary=None,
            grid_extent=data.extent,
            curve_x=cx,
            curve_y=cy,
        )

    def _layer_stats(self) -> tuple[tuple[LayerStats, ...], float]:
        """Per-layer statistics on the statistics batch, and the global gradient norm."""
        net, cfg = self.net, self.cfg
        pre, act, (dpre, dact, n), grads, _ = self._stats_pass()
        L = net.n_layers
        layers = []
        p = self.params
        pflat = self.prev.reshape(-1)
        for i in range(L):
            hidden = i < net.n_hidden
            name = f"fc{i + 1}"
            W = p[f"{name}.W"]
            dead, sat = (
                health(cfg.mlp.activation, pre[i], act[i]) if hidden else (math.nan, math.nan)
            )
            wn = float(np.linalg.norm(W))
            if self.step == 0:
                ratio = math.nan
            else:
                a0, b0, _shape = net._offsets[f"{name}.W"]
                Wp = pflat[a0:b0]
                pn = float(np.linalg.norm(Wp))
                dn = float(np.linalg.norm(W.reshape(-1) - Wp))
                ratio = dn / pn if pn > 0 else (0.0 if dn == 0 else math.inf)
            pe, ae = self.edges[i]
            tv, ta = self.theory[i]
            a, z, da, dz = act[i], pre[i], dact[i], dpre[i]
            am, av = mean_var(a)
            zm, zv = (am, av) if z is a else mean_var(z)
            gav = mean_var(da)[1]
            gzv = gav if dz is da else mean_var(dz)[1]
            h_act = readonly(histogram(a, ae))
            # the output layer has no activation: pre and act are the same array there
            h_pre = h_act if (z is a and np.array_equal(pe, ae)) else readonly(histogram(z, pe))
            layers.append(
                LayerStats(
                    name=name,
                    width=int(W.shape[1]),
                    act_mean=am,
                    act_var=av,
                    pre_mean=zm,
                    pre_var=zv,
                    hist=h_act,
                    edges=ae,
                    pre_hist=h_pre,
                    pre_edges=pe,
                    dead_fraction=dead,
                    saturated_fraction=sat,
                    grad_act_var=gav * n * n,
                    grad_pre_var=gzv * n * n,
                    grad_w_var=mean_var(grads[f"{name}.W"])[1],
                    weight_norm=wn,
                    update_ratio=ratio,
                    theory_var=tv,
                    theory_act_var=ta,
                )
            )
        gnorm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))
        return tuple(layers), gnorm


class Comparison:
    """Several network configurations trained in lockstep on one data set.

    Used from one thread at a time. Steps and snapshots never raise on divergence;
    floating-point warnings are silenced inside them (divergence is data).

    Parameters
    ----------
    task : TaskConfig
        The data (generated once, shared by every column).
    columns : sequence of TrainConfig
        One or more configurations.
    grid_size : int
        Points per side of the decision-boundary grid (2-D classification).
    hist_bins : int
        Bins of every histogram.
    stats_size : int
        Training points in the fixed statistics batch (the first ones of the shuffled
        training set).
    curve_points : int
        Points of the fitted curve (1-D regression).
    precision : {"float64", "float32"}
        Arithmetic of the training steps and of the losses and accuracies (see
        :data:`PRECISIONS`). The optimizer's weights and state are float64 either way.
        Layer statistics and decision regions are display-only and always float32.

    Attributes
    ----------
    data : Dataset
        The data set (read-only arrays).
    task : TaskConfig
    step_count : int
        Steps made since construction or the last :meth:`resample`.
    """

    def __init__(
        self,
        task: TaskConfig,
        columns: Sequence[TrainConfig],
        grid_size: int = 64,
        hist_bins: int = 40,
        stats_size: int = 256,
        curve_points: int = 200,
        precision: str = "float64",
    ) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}; got {precision!r}")
        self.precision = precision
        self.dtype = PRECISIONS[precision]
        if not isinstance(task, TaskConfig):
            raise ValueError(f"task must be a TaskConfig; got {type(task).__name__}")
        columns = list(columns)
        if not columns:
            raise ValueError("columns: need at least one TrainConfig")
        for c in columns:
            if not isinstance(c, TrainConfig):
                raise ValueError(f"columns: expected TrainConfig items; got {type(c).__name__}")
        for name, v, lo, hi in (
            ("grid_size", grid_size, 2, 1024),
            ("hist_bins", hist_bins, 1, 10_000),
            ("stats_size", stats_size, 2, 1_000_000),
            ("curve_points", curve_points, 2, 100_000),
        ):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
                raise ValueError(f"{name} must be a whole number in [{lo}, {hi}]; got {v!r}")
        self.task = task
        self.data = make_dataset(task)
        self.grid_size = int(grid_size)
        self.hist_bins = int(hist_bins)
        d = self.data
        k = min(int(stats_size), d.x_train.shape[0])
        self.stats_x, self.stats_y = d.x_train[:k], d.y_train[:k]
        self.x_eval = readonly(np.concatenate([d.x_train, d.x_val]))
        x0, x1, y0, y1 = d.extent
        if d.kind == "regression":
            self.curve_x = readonly(np.linspace(x0, x1, int(curve_points)))
            self.grid_points = None
        else:
            self.curve_x = None
            gx, gy = np.meshgrid(np.linspace(x0, x1, grid_size), np.linspace(y0, y1, grid_size))
            self.grid_points = readonly(np.stack([gx.ravel(), gy.ravel()], axis=1))
        self._cast: dict[tuple[str, str], np.ndarray] = {}
        self.step_count = 0
        with np.errstate(all="ignore"):
            self._cols = [_Column(c, self) for c in columns]

    def cast(self, name: str, dtype: type) -> np.ndarray:
        """Read-only copy of the data array ``name`` (``"x_train"``, ``"y_train"``,
        ``"x_eval"``, ``"stats_x"``, ``"stats_y"``, ``"grid_points"``) in ``dtype``, made once.
        Integer labels are returned as they are."""
        a = getattr(self.data, name) if name in ("x_train", "y_train") else getattr(self, name)
        if a is None or a.dtype == dtype or a.dtype.kind != "f":
            return a
        key = (name, np.dtype(dtype).char)
        c = self._cast.get(key)
        if c is None:
            c = self._cast[key] = readonly(a.astype(dtype))
        return c

    def train_arrays(self, dtype: type) -> tuple[np.ndarray, np.ndarray]:
        """Training inputs and targets in ``dtype`` (labels stay integers)."""
        return self.cast("x_train", dtype), self.cast("y_train", dtype)

    @property
    def columns(self) -> tuple[TrainConfig, ...]:
        """The columns' configs as used (network sizes fitted to the task)."""
        return tuple(c.cfg for c in self._cols)

    def __len__(self) -> int:
        return len(self._cols)

    def step(self, n: int = 1) -> None:
        """Advance every running column by ``n`` updates (diverged ones stay frozen)."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"n must be a whole number >= 0; got {n!r}")
        with np.errstate(all="ignore"):
            for c in self._cols:
                c.train(int(n))
        self.step_count += int(n)

    def snapshot(self, *, boundary: bool = True, layers: bool = True) -> NetSnapshot:
        """Statistics of every column now.

        Parameters
        ----------
        boundary : bool
            Compute the decision-boundary grid (the most expensive part); if false,
            ``boundary`` is None in the columns.
        layers : bool
            Compute the per-layer statistics (a forward and backward pass on the statistics
            batch); if false, ``layers`` is empty and ``grad_norm`` NaN. Losses, accuracies
            and status are always there, so a display can refresh them often and the rest
            less often.
        """
        with np.errstate(all="ignore"):
            cols = tuple(c.snapshot(boundary, layers) for c in self._cols)
        return NetSnapshot(self.step_count, cols)

    def _index(self, i: int) -> int:
        if (
            isinstance(i, bool)
            or not isinstance(i, (int, np.integer))
            or not (-len(self._cols) <= i < len(self._cols))
        ):
            raise ValueError(f"i must index one of the {len(self._cols)} columns; got {i!r}")
        return int(i) % len(self._cols)

    def optimizer_state(self, i: int):
        """Column ``i``'s optimizer state (immutable; e.g. ``MuonState.spectra`` for Muon)."""
        return self._cols[self._index(i)].opt_state

    def column_params(self, i: int) -> dict[str, np.ndarray]:
        """Copies of column ``i``'s current parameters and batch-norm running statistics.

        Returns
        -------
        dict of str to ndarray
            ``"fc1.W"`` (fan_in, fan_out), ..., ``"bn1.running_mean"``, ...; read-only.
        """
        c = self._cols[self._index(i)]
        out = {k: readonly(v.copy()) for k, v in c.params.items()}
        out.update({k: readonly(np.array(v, copy=True)) for k, v in c.state.items()})
        return out

    def set_hyper(self, i: int, **hyper: object) -> None:
        """Change column ``i``'s optimizer hyperparameters (or ``clip_norm``) mid-run.

        The weights, optimizer buffers and step count are kept; the new values apply from
        the next update on (``engine.optimizers.set_hyper``). Under a schedule ``lr`` is the
        schedule's base learning rate.

        Raises
        ------
        ValueError
            Unknown or invalid hyperparameter (the message names it).
        """
        c = self._cols[self._index(i)]
        opt_names = {p.name for p in NET_OPTIMIZERS[c.cfg.optimizer].params}
        unknown = [k for k in hyper if k not in opt_names and k != "clip_norm"]
        if unknown:
            raise ValueError(
                f"optimizer {c.cfg.optimizer}: unknown parameter {unknown[0]!r} "
                f"(accepted: {', '.join(sorted(opt_names | {'clip_norm'}))})"
            )
        new_hyper = {**c.cfg.hyper, **{k: v for k, v in hyper.items() if k != "clip_norm"}}
        clip = hyper.get("clip_norm", c.cfg.clip_norm)
        cfg = dataclasses.replace(c.cfg, hyper=new_hyper, clip_norm=clip)  # validates
        change = set_muon_hyper if c.cfg.optimizer == "muon" else set_hyper
        c.opt, c.opt_state = change(c.opt, c.opt_state, **hyper)
        c.cfg = cfg
        c._parts = {}

    def set_column(self, i: int, cfg: TrainConfig) -> None:
        """Replace column ``i``: new network from ``cfg`` (new weights), trained from 0.

        The other columns are untouched; the new column gets the batch stream from its
        start, so it trains exactly as it would alone.
        """
        if not isinstance(cfg, TrainConfig):
            raise ValueError(f"cfg must be a TrainConfig; got {type(cfg).__name__}")
        i = self._index(i)
        with np.errstate(all="ignore"):
            self._cols[i] = _Column(cfg, self)

    def resample(self, seed: int | None = None) -> None:
        """New initial weights for every column and a restart from step 0.

        Parameters
        ----------
        seed : int, optional
            Every column's new init seed; if omitted, each column's seed goes up by one.
        """
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
        ):
            raise ValueError(f"seed must be a whole number >= 0 or None; got {seed!r}")
        new = []
        for c in self._cols:
            s = int(seed) if seed is not None else (c.cfg.seed + 1) % 2**32
            new.append(dataclasses.replace(c.cfg, seed=s))
        with np.errstate(all="ignore"):
            self._cols = [_Column(c, self) for c in new]
        self.step_count = 0


def simulate(
    task: TaskConfig,
    columns: Sequence[TrainConfig],
    steps: int,
    every: int = 10,
    **kw,
) -> Iterator[NetSnapshot]:
    """Train ``columns`` in lockstep and yield a snapshot every ``every`` steps.

    Yields the step-0 snapshot (the initialisation experiment) first, then one after every
    ``every`` steps, and one at ``steps`` if that is not a multiple of ``every``. Stop
    iterating to cancel.

    Parameters
    ----------
    task, columns :
        As for :class:`Comparison`.
    steps : int
        Total updates.
    every : int
        Updates between snapshots.
    **kw :
        ``grid_size``, ``hist_bins``, ``stats_size``, ``curve_points``.
    """
    for name, v, lo in (("steps", steps, 0), ("every", every, 1)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"{name} must be a whole number >= {lo}; got {v!r}")
    comp = Comparison(task, columns, **kw)
    yield comp.snapshot()
    done = 0
    while done < steps:
        k = min(every, steps - done)
        comp.step(k)
        done += k
        yield comp.snapshot()
