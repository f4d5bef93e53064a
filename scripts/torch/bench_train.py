"""PyTorch side of `npm run bench -- train`: the same DiT and rectified-flow training step as the app
(logit-normal timesteps, v = ε − x0 target, AdamW, global-norm clipping, EMA), timed on this machine.

usage: python3 bench_train.py '{"imageSize":28,"channels":1,"patch":4,"dim":64,"depth":4,"heads":4,"numClasses":10,"batch":64}' [--steps N] [--warmup W] [--threads T]
Prints one JSON line: {"msPerStep": median, "imgPerSec", "threads", "torch", "warmupMs", "peakGflops"} (peak: a 512×512 fp32 matmul).
"""
import argparse
import copy
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
from dit import DiT  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("config")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    a = ap.parse_args()
    c = json.loads(a.config)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = DiT(c["imageSize"], c["patch"], c["channels"], c["dim"], c["depth"], c["heads"], c["numClasses"])
    ema = copy.deepcopy(model).requires_grad_(False)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3, betas=(0.9, 0.99), weight_decay=0.0)
    B = c["batch"]
    x0 = torch.randn(B, c["channels"], c["imageSize"], c["imageSize"])
    y = torch.randint(0, c["numClasses"] + 1, (B,))

    def step():
        t = torch.sigmoid(torch.randn(B))  # logit-normal(0, 1)
        eps = torch.randn_like(x0)
        tt = t.view(-1, 1, 1, 1)
        xt = (1 - tt) * x0 + tt * eps
        loss = ((model(xt, t, y) - (eps - x0)) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            for pe, p in zip(ema.parameters(), model.parameters()):
                pe.mul_(0.999).add_(p, alpha=0.001)
        return loss.item()

    t0 = time.perf_counter()
    for _ in range(a.warmup):
        step()
    warm = (time.perf_counter() - t0) * 1000
    times = []
    for _ in range(a.steps):
        s = time.perf_counter()
        step()
        times.append((time.perf_counter() - s) * 1000)
    ms = statistics.median(times)
    # The same peak the TS rows report: fp32 512×512 matmul, median of repeats, on this many threads.
    a_, b_ = torch.randn(512, 512), torch.randn(512, 512)
    mm = []
    for i in range(12):
        s = time.perf_counter()
        a_ @ b_
        if i >= 2:
            mm.append(time.perf_counter() - s)
    peak = 2 * 512**3 / statistics.median(mm) / 1e9
    print(json.dumps({"msPerStep": ms, "imgPerSec": B * 1000 / ms, "threads": torch.get_num_threads(), "torch": torch.__version__, "warmupMs": warm, "peakGflops": peak}))


if __name__ == "__main__":
    main()
