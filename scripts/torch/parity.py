"""Loads a Flow Playground weights export into the PyTorch DiT with strict=True and evaluates it.

usage: python3 parity.py WEIGHTS.safetensors INPUTS.safetensors OUT.safetensors
INPUTS holds x [B, C, H, W], t [B], y [B]; OUT gets `out` [B, C, H, W]. Prints one JSON line.
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import safetensors_io  # noqa: E402
from dit import DiT  # noqa: E402


def model_from_export(weights_path):
    tensors, meta = safetensors_io.load(weights_path)
    cfg = json.loads(meta["config"])
    if cfg.get("kvHeads", cfg["heads"]) != cfg["heads"]:
        raise SystemExit("grouped-query models (kvHeads < heads) have no counterpart in the reference DiT")
    size = tensors["pos_embed"].shape[1]
    channels = tensors["x_embedder.proj.weight"].shape[1]
    num_classes = tensors["y_embedder.embedding_table.weight"].shape[0] - 1
    grid = int(round(size ** 0.5))
    model = DiT(grid * cfg["patch"], cfg["patch"], channels, cfg["dim"], cfg["depth"], cfg["heads"], num_classes)
    state = {k: torch.from_numpy(v) for k, v in tensors.items()}
    model.load_state_dict(state, strict=True)
    return model.eval(), cfg


def main():
    weights, inputs, out = sys.argv[1:4]
    model, cfg = model_from_export(weights)
    inp, _ = safetensors_io.load(inputs)
    with torch.no_grad():
        y = model(torch.from_numpy(inp["x"]), torch.from_numpy(inp["t"]), torch.from_numpy(inp["y"]).long())
    safetensors_io.save(out, {"out": y.numpy().astype(np.float32)})
    print(json.dumps({"ok": True, "strict": True, "params": sum(p.numel() for p in model.parameters()), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
