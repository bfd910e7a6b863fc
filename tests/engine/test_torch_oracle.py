"""PyTorch as an optional oracle: optimizers, schedules and clipping against torch itself.

Skipped when torch is not installed. Runs torch in float64 (its scalar state such as NAdam's
mu_product follows the default dtype, so the default dtype is switched for these tests).
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from engine.optimizers import make_optimizer, with_clipping, with_schedule  # noqa: E402
from engine.schedules import make_schedule  # noqa: E402

N_STEPS = 50
SHAPE = (3, 2)


@pytest.fixture(autouse=True)
def _float64_torch():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def _grads(seed: int) -> np.ndarray:
    """Random gradients whose scale wanders, so AMSGrad's max and the moments both matter."""
    rng = np.random.default_rng(seed)
    scale = np.exp(rng.normal(0.0, 1.0, size=(N_STEPS, 1, 1)))
    return rng.normal(size=(N_STEPS, *SHAPE)) * scale


def _start(seed: int) -> np.ndarray:
    return np.random.default_rng(seed + 1000).normal(size=SHAPE)


def _run_torch(make_opt, p0, grads, scheduler=None):
    p = torch.tensor(p0, dtype=torch.float64, requires_grad=True)
    opt = make_opt([p])
    sched = scheduler(opt) if scheduler else None
    out = []
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        if sched is not None:
            sched.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


def _run_mine(opt, p0, grads):
    state = opt.init(p0)
    p = p0
    out = []
    for g in grads:
        p, state = opt.update(g, state, p)
        out.append(p)
    return np.array(out)


O = torch.optim
CASES = [
    ("sgd", {}, O.SGD, {"lr": 1e-3}),
    ("sgd", {"lr": 0.1, "weight_decay": 0.1}, O.SGD, {"lr": 0.1, "weight_decay": 0.1}),
    (
        "sgd",
        {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.1},
        O.SGD,
        {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.1},
    ),
    ("momentum", {"lr": 0.05}, O.SGD, {"lr": 0.05, "momentum": 0.9}),
    (
        "momentum",
        {"lr": 0.02, "momentum": 0.5, "nesterov": True, "weight_decay": 0.01},
        O.SGD,
        {"lr": 0.02, "momentum": 0.5, "nesterov": True, "weight_decay": 0.01},
    ),
    ("nesterov", {"lr": 0.05}, O.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    (
        "nesterov",
        {"lr": 0.02, "momentum": 0.7, "weight_decay": 0.1},
        O.SGD,
        {"lr": 0.02, "momentum": 0.7, "nesterov": True, "weight_decay": 0.1},
    ),
    ("adagrad", {}, O.Adagrad, {}),
    (
        "adagrad",
        {
            "lr": 0.1,
            "lr_decay": 0.01,
            "weight_decay": 0.1,
            "initial_accumulator_value": 0.5,
            "eps": 1e-6,
        },
        O.Adagrad,
        {
            "lr": 0.1,
            "lr_decay": 0.01,
            "weight_decay": 0.1,
            "initial_accumulator_value": 0.5,
            "eps": 1e-6,
        },
    ),
    ("rmsprop", {}, O.RMSprop, {}),
    ("rmsprop", {"momentum": 0.5}, O.RMSprop, {"momentum": 0.5}),
    ("rmsprop", {"centered": True}, O.RMSprop, {"centered": True}),
    (
        "rmsprop",
        {"centered": True, "momentum": 0.9, "weight_decay": 0.1, "alpha": 0.9, "eps": 1e-4},
        O.RMSprop,
        {"centered": True, "momentum": 0.9, "weight_decay": 0.1, "alpha": 0.9, "eps": 1e-4},
    ),
    ("adadelta", {}, O.Adadelta, {}),
    (
        "adadelta",
        {"lr": 0.5, "rho": 0.95, "eps": 1e-4, "weight_decay": 0.1},
        O.Adadelta,
        {"lr": 0.5, "rho": 0.95, "eps": 1e-4, "weight_decay": 0.1},
    ),
    ("adam", {}, O.Adam, {}),
    (
        "adam",
        {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1},
        O.Adam,
        {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1},
    ),
    ("adam", {"lr": 0.01, "amsgrad": True}, O.Adam, {"lr": 0.01, "amsgrad": True}),
    ("adamw", {}, O.AdamW, {}),
    (
        "adamw",
        {"lr": 0.05, "weight_decay": 0.2, "amsgrad": True},
        O.AdamW,
        {"lr": 0.05, "weight_decay": 0.2, "amsgrad": True},
    ),
    ("nadam", {}, O.NAdam, {}),
    (
        "nadam",
        {"lr": 0.01, "momentum_decay": 0.05, "weight_decay": 0.1, "betas": (0.85, 0.995)},
        O.NAdam,
        {"lr": 0.01, "momentum_decay": 0.05, "weight_decay": 0.1, "betas": (0.85, 0.995)},
    ),
    ("amsgrad", {}, O.Adam, {"amsgrad": True}),
    (
        "amsgrad",
        {"lr": 0.05, "weight_decay": 0.1, "eps": 1e-5},
        O.Adam,
        {"lr": 0.05, "weight_decay": 0.1, "eps": 1e-5, "amsgrad": True},
    ),
]


@pytest.mark.parametrize(
    ("name", "mine", "cls", "theirs"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_optimizer_matches_torch(name, mine, cls, theirs):
    grads = _grads(len(name))
    p0 = _start(len(name))
    expected = _run_torch(lambda ps: cls(ps, **theirs), p0, grads)
    got = _run_mine(make_optimizer(name, **mine), p0, grads)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-13)
    assert not np.allclose(got[-1], p0)  # the comparison is not vacuous


@pytest.mark.parametrize("switch", [0, 7, 60])
def test_adam_sgd_is_torch_adam_then_torch_sgd(switch):
    grads = _grads(11)
    p0 = _start(11)
    hyper = {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-7}
    p = torch.tensor(p0, dtype=torch.float64, requires_grad=True)
    adam = O.Adam([p], **hyper)
    sgd = O.SGD([p], lr=0.03, momentum=0.8)
    expected = []
    for i, g in enumerate(grads):
        p.grad = torch.tensor(g)
        (adam if i < switch else sgd).step()
        expected.append(p.detach().numpy().copy())
    opt = make_optimizer("adam_sgd", sgd_lr=0.03, momentum=0.8, switch_step=switch, **hyper)
    got = _run_mine(opt, p0, grads)
    np.testing.assert_allclose(got, np.array(expected), rtol=1e-10, atol=1e-13)


LRS = torch.optim.lr_scheduler
SCHEDULE_CASES = [
    (("step", {"step_size": 7, "gamma": 0.5}), lambda o: LRS.StepLR(o, step_size=7, gamma=0.5)),
    (("exponential", {"gamma": 0.95}), lambda o: LRS.ExponentialLR(o, gamma=0.95)),
    (
        ("cosine", {"T_max": 20, "eta_min": 0.01}),
        lambda o: LRS.CosineAnnealingLR(o, T_max=20, eta_min=0.01),
    ),
    (
        ("cosine_restarts", {"T_0": 5, "T_mult": 1, "eta_min": 0.0}),
        lambda o: LRS.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=1),
    ),
    (
        ("cosine_restarts", {"T_0": 3, "T_mult": 2, "eta_min": 0.001}),
        lambda o: LRS.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.001),
    ),
]


def _torch_lrs(make_sched, base_lr, n):
    p = torch.zeros(2, requires_grad=True)
    opt = O.SGD([p], lr=base_lr)
    sched = make_sched(opt)
    out = []
    for _ in range(n):
        out.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    return np.array(out)


@pytest.mark.parametrize(("mine", "theirs"), SCHEDULE_CASES, ids=[c[0][0] for c in SCHEDULE_CASES])
def test_schedule_matches_torch(mine, theirs):
    kind, params = mine
    expected = _torch_lrs(theirs, 0.1, 60)
    s = make_schedule(kind, **params)
    got = np.array([s.lr(0.1, t) for t in range(60)])
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(s.lr(0.1, np.arange(60)), expected, rtol=1e-10, atol=1e-15)


def test_warmup_matches_torch_sequential_linear_then_cosine():
    def theirs(o):
        warm = LRS.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=4)
        cos = LRS.CosineAnnealingLR(o, T_max=10, eta_min=0.02)
        return LRS.SequentialLR(o, [warm, cos], milestones=[4])

    expected = _torch_lrs(theirs, 0.1, 30)
    s = make_schedule("cosine", T_max=10, eta_min=0.02, warmup_steps=4, warmup_start_factor=0.25)
    got = np.array([s.lr(0.1, t) for t in range(30)])
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-15)


def test_scheduled_adam_matches_torch_adam_with_scheduler():
    grads = _grads(5)
    p0 = _start(5)

    def sched(o):
        warm = LRS.LinearLR(o, start_factor=0.1, total_iters=5)
        step = LRS.StepLR(o, step_size=10, gamma=0.3)
        return LRS.SequentialLR(o, [warm, step], milestones=[5])

    expected = _run_torch(lambda ps: O.Adam(ps, lr=0.05), p0, grads, sched)
    s = make_schedule("step", step_size=10, gamma=0.3, warmup_steps=5)
    got = _run_mine(with_schedule(make_optimizer("adam", lr=0.05), s), p0, grads)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-13)


def test_clipping_matches_torch_per_run():
    grads = _grads(9)[:5] * 3.0
    opt = with_clipping(make_optimizer("sgd", lr=0.1), clip_value=2.0, clip_norm=1.5)
    p0 = _start(9)
    got = _run_mine(opt, p0, grads)
    # each run is its own torch tensor, so clip_grad_norm_ sees one run's norm
    rows = [torch.tensor(p0[r], requires_grad=True) for r in range(SHAPE[0])]
    sgd = O.SGD(rows, lr=0.1)
    expected = []
    for g in grads:
        for r, t in enumerate(rows):
            t.grad = torch.tensor(g[r])
            torch.nn.utils.clip_grad_value_([t], 2.0)
            torch.nn.utils.clip_grad_norm_([t], 1.5)
        sgd.step()
        expected.append(np.stack([t.detach().numpy().copy() for t in rows]))
    np.testing.assert_allclose(got, np.array(expected), rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------- newer optimizers and schedules

NEW_CASES = [
    ("radam", {}, O.RAdam, {}),
    (
        "radam",
        {"lr": 0.05, "betas": (0.8, 0.9), "weight_decay": 0.1, "eps": 1e-6},
        O.RAdam,
        {"lr": 0.05, "betas": (0.8, 0.9), "weight_decay": 0.1, "eps": 1e-6},
    ),
    (
        "radam",
        {"lr": 0.05, "betas": (0.8, 0.9), "weight_decay": 0.1, "decoupled_weight_decay": True},
        O.RAdam,
        {"lr": 0.05, "betas": (0.8, 0.9), "weight_decay": 0.1, "decoupled_weight_decay": True},
    ),
    ("adamax", {}, O.Adamax, {}),
    (
        "adamax",
        {"lr": 0.05, "betas": (0.8, 0.5), "weight_decay": 0.1, "eps": 1e-3},
        O.Adamax,
        {"lr": 0.05, "betas": (0.8, 0.5), "weight_decay": 0.1, "eps": 1e-3},
    ),
    ("rprop", {}, O.Rprop, {}),
    (
        "rprop",
        {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2)},
        O.Rprop,
        {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2)},
    ),
]


@pytest.mark.parametrize(
    ("name", "mine", "cls", "theirs"),
    NEW_CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(NEW_CASES)],
)
def test_newer_optimizer_matches_torch(name, mine, cls, theirs):
    test_optimizer_matches_torch(name, mine, cls, theirs)


NEW_SCHEDULE_CASES = [
    (
        ("multistep", {"milestones": (7, 30), "gamma": 0.5}),
        lambda o: LRS.MultiStepLR(o, [7, 30], 0.5),
    ),
    (("linear", {}), lambda o: LRS.LinearLR(o)),
    (
        ("linear", {"start_factor": 1.0, "end_factor": 0.05, "total_iters": 40}),
        lambda o: LRS.LinearLR(o, start_factor=1.0, end_factor=0.05, total_iters=40),
    ),
    (("polynomial", {}), lambda o: LRS.PolynomialLR(o)),
    (
        ("polynomial", {"total_iters": 45, "power": 2.5}),
        lambda o: LRS.PolynomialLR(o, total_iters=45, power=2.5),
    ),
    (
        ("onecycle", {"max_lr": 0.3, "total_steps": 60}),
        lambda o: LRS.OneCycleLR(o, max_lr=0.3, total_steps=60, cycle_momentum=False),
    ),
    (
        (
            "onecycle",
            {
                "max_lr": 0.0,
                "total_steps": 61,
                "pct_start": 0.45,
                "anneal_strategy": "linear",
                "div_factor": 10.0,
                "final_div_factor": 100.0,
            },
        ),
        lambda o: LRS.OneCycleLR(
            o,
            max_lr=0.1,
            total_steps=61,
            pct_start=0.45,
            anneal_strategy="linear",
            div_factor=10.0,
            final_div_factor=100.0,
            cycle_momentum=False,
        ),
    ),
]


@pytest.mark.parametrize(
    ("mine", "theirs"),
    NEW_SCHEDULE_CASES,
    ids=[f"{c[0][0]}-{i}" for i, c in enumerate(NEW_SCHEDULE_CASES)],
)
def test_newer_schedule_matches_torch(mine, theirs):
    test_schedule_matches_torch(mine, theirs)


PLATEAU_SETTINGS = [
    {"patience": 2},
    {"patience": 0, "factor": 0.5, "threshold": 0.05, "cooldown": 3, "min_lr": 0.004},
    {"mode": "max", "patience": 1, "threshold_mode": "abs", "threshold": 0.01, "factor": 0.3},
]


@pytest.mark.parametrize("settings", PLATEAU_SETTINGS)
def test_plateau_matches_torch_reduce_on_plateau_per_run(settings):
    """Three runs of SGD with noisy gradients on 0.5 |p|^2, each with its own scheduler."""
    rng = np.random.default_rng(4)
    noise = rng.normal(size=(N_STEPS, *SHAPE))
    p0 = _start(4)
    expected = []
    for r in range(SHAPE[0]):
        p = torch.tensor(p0[r], requires_grad=True)
        opt = O.SGD([p], lr=0.2)
        sched = LRS.ReduceLROnPlateau(opt, **settings)
        row = []
        for t in range(N_STEPS):
            loss = 0.5 * float((p.detach() ** 2).sum())
            p.grad = p.detach().clone() + torch.tensor(noise[t, r])
            opt.step()
            sched.step(loss)
            row.append(p.detach().numpy().copy())
        expected.append(row)
    expected = np.array(expected).transpose(1, 0, 2)
    opt = with_schedule(make_optimizer("sgd", lr=0.2), make_schedule("plateau", **settings))
    p = p0
    state = opt.init(p)
    got = []
    for t in range(N_STEPS):
        loss = 0.5 * (p * p).sum(axis=1)
        p, state = opt.update(p + noise[t], state, p, loss=loss)
        got.append(p)
    np.testing.assert_allclose(np.array(got), expected, rtol=1e-10, atol=1e-13)
    assert np.any(np.asarray(state.plateau.lrs[0]) < 0.2)  # it did reduce
