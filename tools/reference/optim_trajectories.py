#!/usr/bin/env python3
"""Reference trajectories of torch.optim 1.13 for Descent's `variant=pytorch` tests, and of optimizers that
torch.optim 1.13 does not have (AdaBelief, Yogi, Lion), written below in PyTorch from their papers.

Writes tests/Descent.Tests/Optim/Reference/torch_optim_trajectories.json: for every optimizer
configuration, 100 float32 steps on
  * rosenbrock: f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 from (-1.5, 2), one parameter of shape [2];
  * mlp: 4 -> 8 (tanh) -> 3 with mean squared error on a fixed batch of 16; the inputs, targets and
    initial weights are written into the file, so the tests need neither Python nor torch's RNG.
The parameters after every step (rosenbrock) or after selected steps (mlp) are stored, each with the
loss evaluated before that step. Numbers are the shortest decimals that read back as the same float32.

Run with Debian's python3-torch (1.13): /usr/bin/python3 tools/reference/optim_trajectories.py
"""
import json
import math
import os

import numpy
import torch

torch.set_num_threads(1)
DTYPE = torch.float32
STEPS = 100
MLP_RECORD = [1, 2, 3, 10, 100]

# (our optimizer name, our settings, torch class, torch kwargs, lr for rosenbrock, lr for mlp)
# lr None means "use the optimizer's default" on that problem.
CONFIGS = [
    ("sgd", {}, "SGD", {}, 1e-4, 0.1),
    ("sgd", {"momentum": "0.9", "dampening": "0.1", "weight_decay": "0.01"}, "SGD",
     {"momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}, 1e-4, 0.05),
    ("sgd", {"momentum": "0.9", "nesterov": "true"}, "SGD", {"momentum": 0.9, "nesterov": True}, 1e-4, 0.05),
    ("momentum", {"momentum": "0.9"}, "SGD", {"momentum": 0.9}, 1e-4, 0.05),
    ("nesterov", {"momentum": "0.9"}, "SGD", {"momentum": 0.9, "nesterov": True}, 1e-4, 0.05),
    ("adagrad", {}, "Adagrad", {}, 0.1, None),
    ("adagrad", {"lr_decay": "0.01", "initial_accumulator_value": "0.1", "weight_decay": "0.01"}, "Adagrad",
     {"lr_decay": 0.01, "initial_accumulator_value": 0.1, "weight_decay": 0.01}, 0.1, 0.1),
    ("rmsprop", {}, "RMSprop", {}, 0.001, None),
    ("rmsprop", {"alpha": "0.9", "centered": "true", "momentum": "0.5", "weight_decay": "0.01"}, "RMSprop",
     {"alpha": 0.9, "centered": True, "momentum": 0.5, "weight_decay": 0.01}, 0.001, 0.001),
    ("rmsprop", {"momentum": "0.9"}, "RMSprop", {"momentum": 0.9}, 0.001, 0.001),
    ("adadelta", {}, "Adadelta", {}, None, None),
    ("adadelta", {"rho": "0.95", "weight_decay": "0.01"}, "Adadelta", {"rho": 0.95, "weight_decay": 0.01}, None, None),
    ("adam", {}, "Adam", {}, 0.01, None),
    ("adam", {"amsgrad": "true", "weight_decay": "0.01", "beta1": "0.8"}, "Adam",
     {"amsgrad": True, "weight_decay": 0.01, "betas": (0.8, 0.999)}, 0.01, 0.01),
    ("amsgrad", {}, "Adam", {"amsgrad": True}, 0.01, None),
    ("adamw", {}, "AdamW", {}, 0.01, 0.01),
    ("adamw", {"weight_decay": "0.1", "amsgrad": "true"}, "AdamW", {"weight_decay": 0.1, "amsgrad": True}, 0.01, 0.01),
    ("adamax", {}, "Adamax", {}, 0.01, None),
    ("adamax", {"weight_decay": "0.01", "beta2": "0.99"}, "Adamax", {"weight_decay": 0.01, "betas": (0.9, 0.99)}, 0.01, 0.01),
    ("nadam", {}, "NAdam", {}, 0.01, None),
    ("nadam", {"momentum_decay": "0.01", "weight_decay": "0.01"}, "NAdam", {"momentum_decay": 0.01, "weight_decay": 0.01}, 0.01, 0.01),
    ("radam", {}, "RAdam", {}, 0.01, None),
    ("radam", {"weight_decay": "0.01", "beta2": "0.99"}, "RAdam", {"weight_decay": 0.01, "betas": (0.9, 0.99)}, 0.01, 0.01),
    # Not in torch.optim 1.13: the classes below, written from the papers (Descent's paper variant).
    ("adabelief", {}, "AdaBelief", {}, 0.01, 0.01),
    ("adabelief", {"weight_decay": "0.01", "beta1": "0.8", "eps": "1e-12"}, "AdaBelief",
     {"weight_decay": 0.01, "betas": (0.8, 0.999), "eps": 1e-12}, 0.01, 0.01),
    ("yogi", {}, "Yogi", {}, 0.01, None),
    ("lion", {"weight_decay": "0.1"}, "Lion", {"weight_decay": 0.1}, 0.001, 0.001),
]


class AdaBelief(torch.optim.Optimizer):
    """Zhuang et al. 2020, "AdaBelief Optimizer", Algorithm 2, with ε added to s as in the authors' release:
    m = β1 m + (1-β1) g;  s = β2 s + (1-β2)(g - m)^2 + ε;  θ -= lr/(1-β1^t) · m / (sqrt(s)/sqrt(1-β2^t) + ε)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-16, weight_decay=0.0, foreach=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                g = p.grad
                if group["weight_decay"] != 0:
                    g = g.add(p, alpha=group["weight_decay"])
                st = self.state[p]
                if not st:
                    st["step"] = 0
                    st["m"] = torch.zeros_like(p)
                    st["s"] = torch.zeros_like(p)
                st["step"] += 1
                t = st["step"]
                m, s = st["m"], st["s"]
                m.mul_(b1).add_(g, alpha=1 - b1)
                r = g - m
                s.mul_(b2).addcmul_(r, r, value=1 - b2).add_(group["eps"])
                denom = (s.sqrt() / math.sqrt(1 - b2 ** t)).add_(group["eps"])
                p.addcdiv_(m, denom, value=-group["lr"] / (1 - b1 ** t))


class Yogi(torch.optim.Optimizer):
    """Zaheer et al. 2018, "Adaptive Methods for Nonconvex Optimization", Algorithm 2 (no bias correction):
    m = β1 m + (1-β1) g;  v = v - (1-β2) sign(v - g^2) g^2;  θ -= lr · m / (sqrt(v) + ε);  v0 = 1e-6."""

    def __init__(self, params, lr=1e-2, betas=(0.9, 0.999), eps=1e-3, initial_accumulator_value=1e-6, foreach=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, v0=initial_accumulator_value))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                g = p.grad
                st = self.state[p]
                if not st:
                    st["m"] = torch.zeros_like(p)
                    st["v"] = torch.full_like(p, group["v0"])
                m, v = st["m"], st["v"]
                g2 = g * g
                m.mul_(b1).add_(g, alpha=1 - b1)
                v.addcmul_(torch.sign(v - g2), g2, value=-(1 - b2))
                p.addcdiv_(m, v.sqrt().add_(group["eps"]), value=-group["lr"])


class Lion(torch.optim.Optimizer):
    """Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Algorithm 2:
    c = β1 m + (1-β1) g;  θ = θ - lr (sign(c) + λ θ);  m = β2 m + (1-β2) g."""

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, foreach=False):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                g = p.grad
                st = self.state[p]
                if not st:
                    st["m"] = torch.zeros_like(p)
                m = st["m"]
                p.mul_(1 - group["lr"] * group["weight_decay"])
                c = m.mul(b1).add(g, alpha=1 - b1)
                p.add_(torch.sign(c), alpha=-group["lr"])
                m.mul_(b2).add_(g, alpha=1 - b2)


LOCAL = {"AdaBelief": AdaBelief, "Yogi": Yogi, "Lion": Lion}


def short(v):
    """The shortest decimal that reads back as the same float32 (to keep the file small)."""
    return float(str(numpy.float32(v)))


def floats(t):
    return [short(v) for v in t.detach().reshape(-1).tolist()]


def rosenbrock_problem():
    start = torch.tensor([-1.5, 2.0], dtype=DTYPE)

    def make():
        p = torch.nn.Parameter(start.clone())
        return [p], lambda: (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2

    return {"x0": floats(start)}, make


def mlp_problem():
    g = torch.Generator().manual_seed(20240607)
    x = torch.randn(16, 4, generator=g, dtype=DTYPE)
    y = torch.randn(16, 3, generator=g, dtype=DTYPE)
    init = {
        "w1": torch.randn(8, 4, generator=g, dtype=DTYPE) * 0.5,
        "b1": torch.randn(8, generator=g, dtype=DTYPE) * 0.1,
        "w2": torch.randn(3, 8, generator=g, dtype=DTYPE) * 0.35,
        "b2": torch.randn(3, generator=g, dtype=DTYPE) * 0.1,
    }

    def make():
        ps = {k: torch.nn.Parameter(v.clone()) for k, v in init.items()}

        def loss():
            h = torch.tanh(x @ ps["w1"].t() + ps["b1"])
            out = h @ ps["w2"].t() + ps["b2"]
            return ((out - y) ** 2).mean()

        return [ps["w1"], ps["b1"], ps["w2"], ps["b2"]], loss

    data = {
        "x": floats(x), "y": floats(y),
        "order": ["w1", "b1", "w2", "b2"],
        "shapes": {k: list(v.shape) for k, v in init.items()},
        "init": {k: floats(v) for k, v in init.items()},
    }
    return data, make


def run(make, cls, kwargs, lr, record):
    params, loss_fn = make()
    kw = dict(kwargs)
    if lr is not None:
        kw["lr"] = lr
    opt = (LOCAL[cls] if cls in LOCAL else getattr(torch.optim, cls))(params, foreach=False, **kw)
    snapshots = []
    for step in range(1, STEPS + 1):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        if record is None or step in record:
            snapshots.append({"step": step, "loss": short(loss.item()), "params": [v for p in params for v in floats(p)]})
    return snapshots, kw


def main():
    problems = {"rosenbrock": rosenbrock_problem(), "mlp": mlp_problem()}
    runs = []
    for name, settings, cls, kwargs, lr_rosen, lr_mlp in CONFIGS:
        for problem, (_, make) in problems.items():
            lr = lr_rosen if problem == "rosenbrock" else lr_mlp
            ours = dict(settings) if cls in LOCAL else {"variant": "pytorch", **settings}
            if lr is not None:
                ours["lr"] = repr(lr)
            snaps, kw = run(make, cls, kwargs, lr, None if problem == "rosenbrock" else MLP_RECORD)
            runs.append({
                "problem": problem, "optimizer": name, "settings": ours,
                "torch": (f"{cls}({', '.join(f'{k}={v!r}' for k, v in kw.items())}) written in torch from its paper" if cls in LOCAL
                          else f"torch.optim.{cls}({', '.join(f'{k}={v!r}' for k, v in kw.items())}, foreach=False)"),
                "snapshots": snaps,
            })
    out = {
        "generator": "tools/reference/optim_trajectories.py",
        "torch_version": torch.__version__,
        "dtype": "float32",
        "steps": STEPS,
        "problems": {k: v[0] for k, v in problems.items()},
        "runs": runs,
    }
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "tests", "Descent.Tests", "Optim", "Reference", "torch_optim_trajectories.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(runs)} runs to {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
