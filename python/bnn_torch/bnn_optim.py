"""BNN Studio's optimizers as torch.optim.Optimizers, with the rules of src/core/train/optimizers.ts:

- Bop (Helwegen et al. 2019): m <- m + gamma (g - m); a binary weight w flips when w*m > tau (at exactly tau it
  becomes +1, Larq's rule, kept for exactness);
- Bop2ndOrder: m as Bop, v <- v + sigma (g^2 - v); flips when w*m / (sqrt(v) + eps) > tau;
- Adam with Keras' defaults (eps 1e-7) for every other parameter, and for the latent baseline, whose binary latent
  weights are clipped to [-1, 1] after each step.

Schedules are BNN Studio's (constant, exponential, linear), counted in optimizer steps.
"""
import math

import torch

ADAM = {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7}
BOP_DEFAULTS = {"gamma": 1e-4, "threshold": 1e-8}
BOP2_DEFAULTS = {"gamma": 1e-6, "threshold": 1e-6, "sigma": 1e-2, "epsilon": 1e-10}
LATENT_DEFAULT_LR = 5e-3


def schedule_value(s, step):
    if s is None:
        return None
    if s["kind"] == "constant":
        return float(s["value"])
    if s.get("unit") == "epochs":
        raise ValueError("an epoch-based schedule must be resolved to steps before training")
    if s["kind"] == "exponential":
        p = step / s["decaySteps"]
        return s["initial"] * s["decayRate"] ** (math.floor(p) if s["staircase"] else p)
    if s["kind"] == "linear":
        if s["steps"] <= 0:
            return float(s["final"])
        t = min(max(step / s["steps"], 0.0), 1.0)
        return s["initial"] + (s["final"] - s["initial"]) * t
    raise ValueError("unknown schedule %r" % s["kind"])


def flip_rule(w, score, threshold):
    s = score - threshold
    return torch.where(s > 0, -w, torch.where(s < 0, w, torch.ones_like(w)))


class BnnOptimizer(torch.optim.Optimizer):
    """One optimizer for the whole model, like the trainer's CaseOptimizer: `binary` lists the binary kernels (by
    identity). step() returns the number of flipped (or sign-changed) weights of each binary kernel, in order."""

    def __init__(self, params, binary, config):
        self.config = config
        self.binary_ids = {id(p) for p in binary}
        self.iterations = 0
        super().__init__(list(params), {})

    def hyper(self, step):
        c = self.config
        kind = c["kind"]
        h = {"lr": schedule_value(c.get("lr"), step)}
        if h["lr"] is None:
            h["lr"] = LATENT_DEFAULT_LR if kind == "latent" else 0.01
        if kind in ("bop", "bop2"):
            d = BOP_DEFAULTS if kind == "bop" else BOP2_DEFAULTS
            for k in ("gamma", "threshold") + (("sigma",) if kind == "bop2" else ()):
                v = schedule_value(c.get(k), step)
                h[k] = d[k] if v is None else v
        return h

    @torch.no_grad()
    def step(self, closure=None):
        kind = self.config["kind"]
        h = self.hyper(self.iterations)
        t = self.iterations + 1
        flips = []
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                st = self.state[p]
                binary = id(p) in self.binary_ids
                if binary and kind in ("bop", "bop2"):
                    m = st.setdefault("m", torch.zeros_like(p))
                    m.add_(g - m, alpha=h["gamma"])
                    if kind == "bop":
                        score = p * m
                    else:
                        v = st.setdefault("v", torch.zeros_like(p))
                        v.add_(g * g - v, alpha=h["sigma"])
                        score = p * m / (v.sqrt() + self.config.get("epsilon", BOP2_DEFAULTS["epsilon"]))
                    new = flip_rule(p, score, h["threshold"])
                    flips.append(int((new != p).sum()))
                    p.copy_(new)
                    continue
                m = st.setdefault("m", torch.zeros_like(p))
                v = st.setdefault("v", torch.zeros_like(p))
                m.mul_(ADAM["beta1"]).add_(g, alpha=1 - ADAM["beta1"])
                v.mul_(ADAM["beta2"]).addcmul_(g, g, value=1 - ADAM["beta2"])
                # Keras' Adam: lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t), eps added to sqrt(v)
                lr_t = h["lr"] * math.sqrt(1 - ADAM["beta2"] ** t) / (1 - ADAM["beta1"] ** t)
                new = p - lr_t * m / (v.sqrt() + ADAM["epsilon"])
                if binary:
                    new = new.clamp(-1, 1)
                    flips.append(int(((new >= 0) != (p >= 0)).sum()))
                p.copy_(new)
        self.iterations = t
        return flips
