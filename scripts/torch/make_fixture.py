"""Writes the reference fixture: a PyTorch DiT (random weights, adaLN and final layer randomised so the
output is not zero), inputs, and its outputs, in the Flow Playground weights format. The unit test
src/core/model/torch_reference.test.ts checks the TypeScript DiT reproduces these outputs.

usage: /usr/bin/python3 scripts/torch/make_fixture.py OUT.safetensors
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import safetensors_io  # noqa: E402
from dit import DiT  # noqa: E402

CONFIG = {"dataset": "shapes16", "model": "dit", "patch": 4, "dim": 32, "depth": 2, "heads": 2}


def main():
    torch.manual_seed(1234)
    model = DiT(16, 4, 3, 32, 2, 2, num_classes=4).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "adaLN" in name or "final_layer" in name:
                p.normal_(0, 0.2)
    g = torch.Generator().manual_seed(5)
    x = torch.randn(3, 3, 16, 16, generator=g)
    t = torch.tensor([0.03, 0.5, 0.97])
    y = torch.tensor([0, 3, 4])  # 4 = the null label
    with torch.no_grad():
        out = model(x, t, y)
    tensors = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    tensors.update({"input.x": x.numpy(), "input.t": t.numpy(), "input.y": y.numpy().astype(np.int32), "output": out.numpy()})
    meta = {"format": "flow-playground/weights/1", "config": json.dumps(CONFIG), "ema": "false", "source": f"scripts/torch/make_fixture.py, torch {torch.__version__}"}
    safetensors_io.save(sys.argv[1], tensors, meta)
    print(f"wrote {sys.argv[1]}: {sum(v.size for v in tensors.values())} floats")


if __name__ == "__main__":
    main()
