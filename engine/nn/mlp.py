"""Multi-layer perceptron built from a config: dense layers, activation, optional batch norm.

Layer ``i`` (1-based, hidden) computes ``z = x @ W + b`` (``fc{i}``), then, by
``batchnorm``: ``"before"`` -> ``pre = BN(z)``, ``a = phi(pre)``; ``"after"`` ->
``pre = z``, ``a = phi(z)``, output ``BN(a)``; ``"off"`` -> ``pre = z``, output ``a = phi(z)``.
The last layer ``fc{H+1}`` is affine (logits or regression output).

Parameters live in ONE flat float64 buffer of shape ``(1, P)`` with a dict of named views
(``"fc1.W"`` (fan_in, fan_out), ``"fc1.b"``, ``"bn1.gamma"``, ``"bn1.beta"``, ...), so an
optimizer updates the whole network with one vectorised call, and gradients are written
into a buffer of the same layout. Batch-norm running statistics are a separate state dict
(``"bn1.running_mean"``, ``"bn1.running_var"``) returned by :meth:`MLP.forward`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine import limits
from engine.nn.activations import ACTIVATIONS, get_activation
from engine.nn.batchnorm import batchnorm_backward, batchnorm_forward
from engine.nn.initializers import INITIALIZERS, get_initializer, resolve_init_params
from engine.nn.layers import dense_backward
from engine.params import spec_field, validate_params

BATCHNORM_PLACEMENTS = ("off", "before", "after")
MAX_WIDTH = limits.MAX_WIDTH
MAX_DEPTH = limits.MAX_DEPTH


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


@dataclass(frozen=True)
class MLPConfig:
    """Architecture and initialisation of one network.

    Attributes
    ----------
    input_size, output_size : int
        Input features and outputs (classes, or regression targets).
    hidden : tuple of int
        Widths of the hidden layers (may be empty: a linear model).
    activation : str
        A key of :data:`engine.nn.activations.ACTIVATIONS`.
    activation_params : dict
        Its parameters (``negative_slope`` for leaky ReLU, ``alpha`` for ELU).
    init : str
        A key of :data:`engine.nn.initializers.INITIALIZERS`, used for every weight matrix.
    init_params : dict
        Its parameters (e.g. ``{"std": 0.01}``; ``{"gain": "auto"}`` picks the
        activation's PyTorch gain). Replace it together with ``init``.
    bias_init : float
        Every bias starts at this constant.
    batchnorm : {"off", "before", "after"}
        Batch norm on every hidden layer, before or after the activation.
    bn_momentum, bn_eps : float
        Batch-norm constants (PyTorch defaults 0.1 and 1e-5).

    Raises
    ------
    ValueError
        On construction, for any invalid field (the message names it).
    """

    input_size: int = spec_field(
        2, label="Inputs", min=1, max=MAX_WIDTH, help="input features (set by the task)"
    )
    hidden: tuple[int, ...] = spec_field(
        (64, 64, 64, 64),
        label="Hidden layers",
        min=1,
        max=MAX_WIDTH,
        help="width of each hidden layer",
    )
    output_size: int = spec_field(
        2, label="Outputs", min=1, max=MAX_WIDTH, help="classes or targets (set by the task)"
    )
    activation: str = spec_field(
        "relu",
        label="Activation",
        choices=tuple(ACTIVATIONS),
        help="nonlinearity of every hidden layer",
    )
    activation_params: dict = field(
        default_factory=dict,
        metadata={"label": "Activation parameters", "help": "e.g. negative_slope, alpha"},
    )
    init: str = spec_field(
        "he_normal",
        label="Init",
        choices=tuple(INITIALIZERS),
        help="how every weight matrix is drawn",
    )
    init_params: dict = field(
        default_factory=dict,
        metadata={"label": "Init parameters", "help": "e.g. std for normal, gain for xavier"},
    )
    bias_init: float = spec_field(
        0.0, label="Bias init", min=-10.0, max=10.0, help="every bias starts at this constant"
    )
    batchnorm: str = spec_field(
        "off",
        label="Batch norm",
        choices=BATCHNORM_PLACEMENTS,
        help="batch norm before or after the activation, or off",
    )
    bn_momentum: float = spec_field(
        0.1,
        label="BN momentum",
        min=0.0,
        max=1.0,
        help="weight of the newest batch in the running stats",
    )
    bn_eps: float = spec_field(
        1e-5,
        label="BN eps",
        min=0.0,
        max=1.0,
        log=True,
        help="added to the variance before the square root",
    )

    def __post_init__(self) -> None:
        for name in ("input_size", "output_size"):
            v = getattr(self, name)
            if not _is_int(v) or not 1 <= v <= MAX_WIDTH:
                raise ValueError(
                    f"mlp: {name} must be a whole number in [1, {MAX_WIDTH}]; got {v!r}"
                )
        try:
            hidden = tuple(self.hidden)
        except TypeError:
            raise ValueError(
                f"mlp: hidden must be a sequence of widths; got {self.hidden!r}"
            ) from None
        if len(hidden) > MAX_DEPTH or not all(_is_int(h) and 1 <= h <= MAX_WIDTH for h in hidden):
            raise ValueError(
                f"mlp: hidden must be at most {MAX_DEPTH} widths in "
                f"[1, {MAX_WIDTH}]; got {self.hidden!r}"
            )
        object.__setattr__(self, "hidden", tuple(int(h) for h in hidden))
        spec = get_activation(self.activation)
        validate_params(spec.params, self.activation_params, f"activation {self.activation}")
        resolve_init_params(self.init, self.init_params, self.activation, self.activation_params)
        if (
            isinstance(self.bias_init, bool)
            or not isinstance(self.bias_init, (int, float))
            or not math.isfinite(self.bias_init)
        ):
            raise ValueError(f"mlp: bias_init must be a finite number; got {self.bias_init!r}")
        if self.batchnorm not in BATCHNORM_PLACEMENTS:
            raise ValueError(
                f"mlp: batchnorm must be one of {', '.join(BATCHNORM_PLACEMENTS)}; "
                f"got {self.batchnorm!r}"
            )
        if not (isinstance(self.bn_momentum, (int, float)) and 0.0 <= self.bn_momentum <= 1.0):
            raise ValueError(f"mlp: bn_momentum must be in [0, 1]; got {self.bn_momentum!r}")
        if not (isinstance(self.bn_eps, (int, float)) and 0.0 < self.bn_eps <= 1.0):
            raise ValueError(f"mlp: bn_eps must be in (0, 1]; got {self.bn_eps!r}")

    @property
    def sizes(self) -> tuple[int, ...]:
        """Layer widths from input to output."""
        return (self.input_size, *self.hidden, self.output_size)

    @property
    def resolved_init_params(self) -> dict[str, Any]:
        """Initializer parameters with defaults filled in and a named gain made a number."""
        return resolve_init_params(
            self.init, self.init_params, self.activation, self.activation_params
        )


class ForwardCache:
    """What :meth:`MLP.forward` keeps for the backward pass and for statistics.

    Attributes
    ----------
    inputs : list of ndarray
        Input of each dense layer ``fc1 .. fc{H+1}``, shapes (n, fan_in).
    pre, act : list of ndarray
        Per hidden layer, the activation function's input and output, (n, width).
    out : ndarray
        Network output (n, output_size).
    """

    __slots__ = ("act", "bn_after", "bn_before", "inputs", "out", "pre", "train")

    def __init__(self, train: bool) -> None:
        self.train = train
        self.inputs: list[np.ndarray] = []
        self.pre: list[np.ndarray] = []
        self.act: list[np.ndarray] = []
        self.bn_before: list[Any] = []
        self.bn_after: list[Any] = []
        self.out: np.ndarray | None = None


class MLP:
    """A network of the architecture ``config`` describes (holds no parameters itself).

    Parameters
    ----------
    config : MLPConfig
    """

    def __init__(self, config: MLPConfig) -> None:
        self.config = config
        self.sizes = config.sizes
        self.n_hidden = len(config.hidden)
        self.bn = config.batchnorm
        self._act_fwd, self._act_bwd = get_activation(config.activation).bind(
            config.activation_params
        )
        self._init = get_initializer(config.init).bind(config.resolved_init_params)
        layout: list[tuple[str, tuple[int, ...]]] = []
        for i in range(1, len(self.sizes)):
            fi, fo = self.sizes[i - 1], self.sizes[i]
            layout += [(f"fc{i}.W", (fi, fo)), (f"fc{i}.b", (fo,))]
            if i <= self.n_hidden and self.bn != "off":
                layout += [(f"bn{i}.gamma", (fo,)), (f"bn{i}.beta", (fo,))]
        self.layout = tuple(layout)
        offsets, off = {}, 0
        for name, shape in layout:
            size = int(np.prod(shape))
            offsets[name] = (off, off + size, shape)
            off += size
        self._offsets = offsets
        self.n_params = off
        self.state_layout = tuple(
            (f"bn{i}.{s}", (self.sizes[i],))
            for i in range(1, self.n_hidden + 1)
            if self.bn != "off"
            for s in ("running_mean", "running_var")
        )
        # reusable buffers of loss_and_grads and of predict, by batch size and dtype
        self._work: dict[tuple[int, str], _Workspace] = {}
        self._pred_work: dict[tuple[int, str], tuple[np.ndarray, np.ndarray]] = {}
        # names resolved once: the hot loop indexes tuples, not formatted strings
        self._names = [
            (
                f"fc{i}.W",
                f"fc{i}.b",
                f"bn{i}.gamma",
                f"bn{i}.beta",
                f"bn{i}.running_mean",
                f"bn{i}.running_var",
            )
            for i in range(1, len(self.sizes))
        ]

    @property
    def param_names(self) -> tuple[str, ...]:
        """Parameter names in buffer order."""
        return tuple(name for name, _ in self.layout)

    @property
    def n_layers(self) -> int:
        """Dense layers, hidden plus output."""
        return len(self.sizes) - 1

    def views(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        """Named views into a flat buffer of shape ``(1, P)`` or ``(P,)``.

        Parameters
        ----------
        flat : ndarray, shape (1, n_params) or (n_params,)

        Returns
        -------
        dict of str to ndarray
            Views (writing to them writes the buffer).
        """
        v = flat.reshape(-1)
        if v.size != self.n_params:
            raise ValueError(f"flat buffer has {v.size} entries; this network has {self.n_params}")
        return {name: v[a:b].reshape(shape) for name, (a, b, shape) in self._offsets.items()}

    def allocate(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """A zero ``(1, P)`` buffer and its named views."""
        flat = np.zeros((1, self.n_params))
        return flat, self.views(flat)

    def init_params(
        self, rng: np.random.Generator, flat: np.ndarray | None = None
    ) -> dict[str, np.ndarray]:
        """Draw initial parameters.

        Weight matrices are drawn in layer order ``fc1.W, fc2.W, ...`` from ``rng`` with the
        configured initializer; biases are ``bias_init``; ``gamma = 1``, ``beta = 0``.

        Parameters
        ----------
        rng : numpy.random.Generator
        flat : ndarray, shape (1, n_params), optional
            Buffer to fill (a new one if omitted).

        Returns
        -------
        dict of str to ndarray
            Named views into the buffer (``params["fc1.W"].base`` chain ends at it).
        """
        if flat is None:
            flat = np.zeros((1, self.n_params))
        p = self.views(flat)
        for i in range(1, self.n_layers + 1):
            W, b, g, be = self._names[i - 1][:4]
            p[W][...] = self._init(rng, p[W].shape)
            p[b][...] = float(self.config.bias_init)
            if g in p:
                p[g][...] = 1.0
                p[be][...] = 0.0
        return p

    def init_state(self) -> dict[str, np.ndarray]:
        """Batch-norm running statistics at their start: mean 0, variance 1."""
        return {
            name: (np.zeros(shape) if name.endswith("mean") else np.ones(shape))
            for name, shape in self.state_layout
        }

    def forward(
        self,
        x: np.ndarray,
        params: dict[str, np.ndarray],
        state: dict[str, np.ndarray] | None = None,
        train: bool = True,
    ) -> tuple[np.ndarray, ForwardCache, dict[str, np.ndarray]]:
        """Run the network.

        Parameters
        ----------
        x : ndarray, shape (n, input_size)
        params : dict of str to ndarray
        state : dict of str to ndarray
            Batch-norm running statistics (``{}``/None without batch norm).
        train : bool
            Batch statistics in batch norm (and new running statistics) if true.

        Returns
        -------
        out : ndarray, shape (n, output_size)
        cache : ForwardCache
        new_state : dict
            Updated running statistics in training mode; ``state`` itself otherwise.
        """
        state = state or {}
        new_state = dict(state) if (train and self.bn != "off") else state
        cache = ForwardCache(train)
        bn = self.bn
        cfg = self.config
        h = x
        for i in range(self.n_hidden):
            W, b, g, be, rm, rv = self._names[i]
            cache.inputs.append(h)
            z = h @ params[W]
            z += params[b]
            if bn == "before":
                z, c, (m, v) = batchnorm_forward(
                    z,
                    params[g],
                    params[be],
                    state[rm],
                    state[rv],
                    train,
                    cfg.bn_momentum,
                    cfg.bn_eps,
                )
                cache.bn_before.append(c)
                if train:
                    new_state[rm], new_state[rv] = m, v
            a = self._act_fwd(z)
            cache.pre.append(z)
            cache.act.append(a)
            if bn == "after":
                a, c, (m, v) = batchnorm_forward(
                    a,
                    params[g],
                    params[be],
                    state[rm],
                    state[rv],
                    train,
                    cfg.bn_momentum,
                    cfg.bn_eps,
                )
                cache.bn_after.append(c)
                if train:
                    new_state[rm], new_state[rv] = m, v
            h = a
        W, b = self._names[self.n_hidden][:2]
        cache.inputs.append(h)
        out = h @ params[W]
        out += params[b]
        cache.out = out
        return out, cache, new_state

    def predict(
        self,
        x: np.ndarray,
        params: dict[str, np.ndarray],
        state: dict[str, np.ndarray] | None = None,
    ) -> np.ndarray:
        """Evaluation-mode output for many points, keeping nothing for a backward pass.

        Same result as ``forward(x, params, state, train=False)[0]`` (to rounding), computed
        in place in two reusable buffers per batch size: large grids cost no fresh memory
        on every call (which the operating system would have to map in again). Computed in
        the dtype of ``params`` (float32 parameters give a float32 pass).

        Parameters
        ----------
        x : ndarray, shape (n, input_size)

        Returns
        -------
        ndarray, shape (n, output_size)
            A new array.
        """
        state = state or {}
        cfg = self.config
        n = x.shape[0]
        dtype = params[self._names[0][0]].dtype
        key = (n, dtype.char)
        bufs = self._pred_work.get(key)
        if bufs is None:
            if len(self._pred_work) > 8:
                self._pred_work.clear()
            width = max(self.sizes[1:-1], default=1)
            bufs = self._pred_work[key] = (np.empty((n, width), dtype), np.empty((n, width), dtype))
        act = cfg.activation
        h = x
        for i in range(self.n_hidden):
            W, b, g, be, rm, rv = self._names[i]
            fo = self.sizes[i + 1]
            z = np.matmul(h, params[W], out=bufs[i % 2][:, :fo])
            z += params[b]
            if self.bn == "before":
                self._bn_eval(z, params[g], params[be], state[rm], state[rv])
            if act == "relu":
                np.maximum(z, 0.0, out=z)
            elif act == "tanh":
                np.tanh(z, out=z)
            elif act != "linear":
                z[...] = self._act_fwd(z)
            if self.bn == "after":
                self._bn_eval(z, params[g], params[be], state[rm], state[rv])
            h = z
        W, b = self._names[self.n_hidden][:2]
        out = h @ params[W]
        out += params[b]
        return out

    def _bn_eval(
        self, z: np.ndarray, gamma: np.ndarray, beta: np.ndarray, rm: np.ndarray, rv: np.ndarray
    ) -> None:
        """Batch norm with running statistics, in place (as :func:`batchnorm_forward`)."""
        inv_std = 1.0 / np.sqrt(rv + self.config.bn_eps)
        z -= rm
        z *= gamma * inv_std
        z += beta

    def backward(
        self,
        dout: np.ndarray,
        cache: ForwardCache,
        params: dict[str, np.ndarray],
        grads: dict[str, np.ndarray] | None = None,
        *,
        need_input_grad: bool = False,
    ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Gradients of the loss with respect to every parameter and activation.

        Parameters
        ----------
        dout : ndarray, shape (n, output_size)
            Gradient of the loss with respect to the output.
        cache : ForwardCache
            From :meth:`forward`.
        params : dict of str to ndarray
            The parameters the forward pass used.
        grads : dict of str to ndarray, optional
            Buffers (e.g. views of a flat ``(1, P)`` gradient) to write into; new arrays
            if omitted.
        need_input_grad : bool
            Also compute the gradient with respect to the network input.

        Returns
        -------
        grads : dict of str to ndarray
            Same names and shapes as ``params``.
        act_grads : dict
            ``"act"`` and ``"pre"``: lists (one per hidden layer) of the gradients with
            respect to the activation output ``a`` and input ``pre``, shapes (n, width);
            ``"input"``: gradient with respect to ``x`` or None.
        """
        if grads is None:
            grads = {name: np.empty(shape, dout.dtype) for name, shape in self.layout}
        bn = self.bn
        L = self.n_hidden
        d_act: list[np.ndarray] = [None] * L  # type: ignore[list-item]
        d_pre: list[np.ndarray] = [None] * L  # type: ignore[list-item]
        W, b = self._names[L][:2]
        need = L > 0 or need_input_grad
        dh, _, _ = dense_backward(
            dout, cache.inputs[L], params[W], need_dx=need, dW=grads[W], db=grads[b]
        )
        for i in range(L - 1, -1, -1):
            W, b, g, be = self._names[i][:4]
            if bn == "after":
                dh, _, _ = batchnorm_backward(
                    dh, cache.bn_after[i], dgamma=grads[g], dbeta=grads[be]
                )
            d_act[i] = dh
            dz = self._act_bwd(dh, cache.pre[i], cache.act[i])
            d_pre[i] = dz
            if bn == "before":
                dz, _, _ = batchnorm_backward(
                    dz, cache.bn_before[i], dgamma=grads[g], dbeta=grads[be]
                )
            need = i > 0 or need_input_grad
            dh, _, _ = dense_backward(
                dz, cache.inputs[i], params[W], need_dx=need, dW=grads[W], db=grads[b]
            )
        return grads, {"act": d_act, "pre": d_pre, "input": dh}

    def bind(self, flat: np.ndarray) -> BoundParams:
        """:class:`BoundParams` views of a flat ``(1, n_params)`` buffer."""
        return BoundParams(self, flat)

    def loss_and_grads(
        self,
        x: np.ndarray,
        target: np.ndarray,
        loss_fn: Any,
        params: BoundParams,
        state: dict[str, np.ndarray],
        grads: BoundParams,
    ) -> tuple[float, dict[str, np.ndarray]]:
        """Training-mode forward, loss and backward in one pass (the training loop's path).

        The same mathematics as :meth:`forward`, the loss's ``forward_backward`` and
        :meth:`backward` with ``train=True``, arranged for speed: each layer's input carries
        a column of ones so that one matrix product applies ``W`` and ``b`` and another
        gives both their gradients, activations are written in place, and no
        per-activation gradients are kept. Results agree with the separate passes to
        rounding.

        Parameters
        ----------
        x : ndarray, shape (n, input_size)
        target : ndarray
            Labels (n,) or targets (n, output_size), as ``loss_fn`` expects.
        loss_fn : SoftmaxCrossEntropy or MeanSquaredError
        params, grads : BoundParams
            Parameters to use, and the buffer the gradients are written into.
        state : dict of str to ndarray
            Batch-norm running statistics.

        Returns
        -------
        loss : float
            The batch-mean loss; if it is not finite the gradients are left untouched.
        new_state : dict of str to ndarray
            Updated running statistics.
        """
        return _loss_and_grads(self, x, target, loss_fn, params, state, grads)


class BoundParams:
    """Views of one flat ``(1, P)`` buffer arranged for :meth:`MLP.loss_and_grads`.

    Attributes
    ----------
    flat : ndarray, shape (1, P)
    params : dict of str to ndarray
        The named views (as :meth:`MLP.views`).
    wb : list of ndarray
        Per dense layer, ``W`` and ``b`` as one ``(fan_in + 1, fan_out)`` view (the layout
        stores ``b`` right after ``W``), so ``[x, 1] @ wb`` is ``x @ W + b``.
    w : list of ndarray
        Per dense layer, the ``W`` rows of ``wb``.
    bn : list of (gamma, beta) or None
    """

    __slots__ = ("bn", "flat", "params", "w", "wb")

    def __init__(self, net: MLP, flat: np.ndarray) -> None:
        self.flat = flat
        self.params = net.views(flat)
        v = flat.reshape(-1)
        self.wb, self.w, self.bn = [], [], []
        for i in range(net.n_layers):
            W, _, g, be = net._names[i][:4]
            a, _, (fi, fo) = net._offsets[W]
            wb = v[a : a + (fi + 1) * fo].reshape(fi + 1, fo)
            self.wb.append(wb)
            self.w.append(wb[:fi])
            self.bn.append((self.params[g], self.params[be]) if g in self.params else None)


class _Workspace:
    """Buffers of one training pass for one batch size, made once and reused.

    Per dense layer ``i``: ``h[i]`` (n, fan_in + 1), the layer's input with a last column
    of ones (so ``h[i] @ wb[i]`` is ``x @ W + b``) and ``hv[i]`` its first ``fan_in``
    columns; per hidden layer: ``z[i]`` (n, width), the activation's input, and ``dh[i]``,
    the gradient arriving at its output; ``tmp`` (n, max width) and ``mask`` (bool) for
    the activation derivatives; ``out`` (n, output_size). Nothing here leaves the call.
    """

    __slots__ = ("dh", "h", "hv", "mask", "out", "tmp", "z")

    def __init__(self, sizes: tuple[int, ...], n: int, dtype: np.dtype) -> None:
        self.h, self.hv, self.z, self.dh = [], [], [], []
        for width in sizes[:-1]:
            h = np.empty((n, width + 1), dtype)
            h[:, width] = 1.0
            self.h.append(h)
            self.hv.append(h[:, :width])
        for width in sizes[1:-1]:
            self.z.append(np.empty((n, width), dtype))
            self.dh.append(np.empty((n, width), dtype))
        widest = max(sizes[1:-1], default=1)
        self.tmp = np.empty((n, widest), dtype)
        self.mask = np.empty((n, widest), bool)
        self.out = np.empty((n, sizes[-1]), dtype)


def _workspace(net: MLP, n: int, dtype: np.dtype) -> _Workspace:
    """The reusable :class:`_Workspace` of ``net`` for batch size ``n`` and ``dtype``."""
    key = (n, np.dtype(dtype).char)
    work = net._work.get(key)
    if work is None:
        if len(net._work) > 8:
            net._work.clear()
        work = net._work[key] = _Workspace(net.sizes, n, dtype)
    return work


def _loss_and_grads(
    net: MLP,
    x: np.ndarray,
    target: np.ndarray,
    loss_fn: Any,
    p: BoundParams,
    state: dict[str, np.ndarray],
    g: BoundParams,
) -> tuple[float, dict[str, np.ndarray]]:
    """Training-mode loss and gradients in one pass; see :meth:`MLP.loss_and_grads`.

    Computed in the dtype of ``p.flat`` (float64 or float32); ``g.flat`` must match.
    Every product and elementwise step writes into the workspace (``out=``), so a step
    allocates only inside batch norm and the loss (arrays of a few columns).
    """
    cfg = net.config
    bn, act = net.bn, cfg.activation
    fwd, bwd = net._act_fwd, net._act_bwd
    mom, eps = cfg.bn_momentum, cfg.bn_eps
    new_state = dict(state) if bn != "off" else state
    n = x.shape[0]
    w = _workspace(net, n, p.flat.dtype)
    w.hv[0][...] = x
    caches = []
    L = net.n_hidden
    for i in range(L):
        z = np.matmul(w.h[i], p.wb[i], out=w.z[i])
        if bn == "before":
            rm, rv = net._names[i][4:6]
            gamma, beta = p.bn[i]
            _, c, (new_state[rm], new_state[rv]) = batchnorm_forward(
                z, gamma, beta, state[rm], state[rv], True, mom, eps, out=z
            )
            caches.append(c)
        view = w.hv[i + 1]
        if bn == "after":
            a = fwd(z)
            rm, rv = net._names[i][4:6]
            gamma, beta = p.bn[i]
            _, c, (new_state[rm], new_state[rv]) = batchnorm_forward(
                a, gamma, beta, state[rm], state[rv], True, mom, eps, out=view
            )
            caches.append((c, a))
        elif act == "relu":
            np.maximum(z, 0.0, out=view)
        elif act == "tanh":
            np.tanh(z, out=view)
        else:
            view[...] = fwd(z)
    out = np.matmul(w.h[L], p.wb[L], out=w.out)
    loss, d = loss_fn.forward_backward(out, target)
    if not math.isfinite(loss):
        return loss, new_state
    np.matmul(w.h[L].T, d, out=g.wb[L])
    for i in range(L - 1, -1, -1):
        dh = np.matmul(d, p.w[i + 1].T, out=w.dh[i])
        z = w.z[i]
        if bn == "after":
            gg, gb = g.bn[i]
            c, a = caches[i]
            dh, _, _ = batchnorm_backward(dh, c, dgamma=gg, dbeta=gb)
            d = bwd(dh, z, a)
        elif act == "relu":
            # dz = dh * (z > 0), PyTorch's derivative 0 at the kink
            mask = np.greater(z, 0.0, out=w.mask[:, : z.shape[1]])
            d = np.multiply(dh, mask, out=dh)
        elif act == "tanh":
            # dz = dh * (1 - a^2) with a = tanh(z), the layer's output kept in h[i + 1]
            a = w.hv[i + 1]
            t = np.multiply(a, a, out=w.tmp[:, : z.shape[1]])
            np.subtract(1.0, t, out=t)
            d = np.multiply(dh, t, out=dh)
        else:
            d = bwd(dh, z, w.hv[i + 1])
        if bn == "before":
            gg, gb = g.bn[i]
            d, _, _ = batchnorm_backward(d, caches[i], dgamma=gg, dbeta=gb)
        np.matmul(w.h[i].T, d, out=g.wb[i])
    return loss, new_state
