"""A PyTorch DiT written from the paper (Peebles & Xie 2023) for parity checks and speed comparisons.

Module names follow the reference implementation's state_dict (facebookresearch/DiT, models.py,
learn_sigma=False), so weights exported by Flow Playground load with strict=True:
x_embedder.proj (Conv2d p×p stride p), t_embedder.mlp.{0,2}, y_embedder.embedding_table,
pos_embed (fixed 2D sin-cos, not trained), blocks.{i}.attn.{qkv,proj}, blocks.{i}.mlp.{fc1,fc2},
blocks.{i}.adaLN_modulation.1, final_layer.{linear,adaLN_modulation.1}.
Time convention as in the app: t in [0, 1], embedded at 1000·t.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def modulate(x, shift, scale):
    return x * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1)


def sincos_2d(dim, grid):
    # per token (row r, column c): [sin(cω), cos(cω), sin(rω), cos(rω)], ω_k = 10000^(−k/(D/4))
    q = dim // 4
    omega = 1.0 / 10000 ** (np.arange(q, dtype=np.float64) / q)
    rows, cols = np.meshgrid(np.arange(grid), np.arange(grid), indexing="ij")
    r = rows.reshape(-1, 1) * omega
    c = cols.reshape(-1, 1) * omega
    return np.concatenate([np.sin(c), np.cos(c), np.sin(r), np.cos(r)], axis=1).astype(np.float32)


class PatchEmbed(nn.Module):
    def __init__(self, patch, channels, dim):
        super().__init__()
        self.proj = nn.Conv2d(channels, dim, kernel_size=patch, stride=patch, bias=True)

    def forward(self, x):  # [B, C, H, W] → [B, N, D]
        return self.proj(x).flatten(2).transpose(1, 2)


class TimestepEmbedder(nn.Module):
    def __init__(self, dim, freq=256):
        super().__init__()
        self.freq = freq
        self.mlp = nn.Sequential(nn.Linear(freq, dim), nn.SiLU(), nn.Linear(dim, dim))

    def forward(self, t):  # t already scaled by 1000
        half = self.freq // 2
        freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
        args = t[:, None].float() * freqs[None]
        return self.mlp(torch.cat([torch.cos(args), torch.sin(args)], dim=-1))


class LabelEmbedder(nn.Module):
    def __init__(self, num_classes, dim):
        super().__init__()
        self.embedding_table = nn.Embedding(num_classes + 1, dim)  # the last row is the null label

    def forward(self, y):
        return self.embedding_table(y)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, D = x.shape
        q, k, v = self.qkv(x).reshape(B, N, 3, self.heads, D // self.heads).permute(2, 0, 3, 1, 4)
        a = torch.softmax((q * (q.shape[-1] ** -0.5)) @ k.transpose(-2, -1), dim=-1)
        return self.proj((a @ v).transpose(1, 2).reshape(B, N, D))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU(approximate="tanh")
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class DiTBlock(nn.Module):
    def __init__(self, dim, heads, mlp_ratio=4.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(dim, 6 * dim))

    def forward(self, x, c):
        sm, cm, gm, sp, cp, gp = self.adaLN_modulation(c).chunk(6, dim=1)
        x = x + gm.unsqueeze(1) * self.attn(modulate(self.norm1(x), sm, cm))
        return x + gp.unsqueeze(1) * self.mlp(modulate(self.norm2(x), sp, cp))


class FinalLayer(nn.Module):
    def __init__(self, dim, patch, channels):
        super().__init__()
        self.norm_final = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.linear = nn.Linear(dim, patch * patch * channels)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(dim, 2 * dim))

    def forward(self, x, c):
        shift, scale = self.adaLN_modulation(c).chunk(2, dim=1)
        return self.linear(modulate(self.norm_final(x), shift, scale))


class DiT(nn.Module):
    def __init__(self, input_size, patch_size, in_channels, hidden_size, depth, num_heads, num_classes, mlp_ratio=4.0):
        super().__init__()
        self.patch, self.channels = patch_size, in_channels
        self.x_embedder = PatchEmbed(patch_size, in_channels, hidden_size)
        self.t_embedder = TimestepEmbedder(hidden_size)
        self.y_embedder = LabelEmbedder(num_classes, hidden_size)
        grid = input_size // patch_size
        self.pos_embed = nn.Parameter(torch.from_numpy(sincos_2d(hidden_size, grid)).unsqueeze(0), requires_grad=False)
        self.blocks = nn.ModuleList([DiTBlock(hidden_size, num_heads, mlp_ratio) for _ in range(depth)])
        self.final_layer = FinalLayer(hidden_size, patch_size, in_channels)
        self.initialize_weights()

    def initialize_weights(self):
        # DiT's init: xavier for linears, zero biases, N(0, 0.02) embeddings, adaLN-Zero, zero final layer.
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
        w = self.x_embedder.proj.weight.data
        nn.init.xavier_uniform_(w.view(w.shape[0], -1))
        nn.init.zeros_(self.x_embedder.proj.bias)
        nn.init.normal_(self.y_embedder.embedding_table.weight, std=0.02)
        nn.init.normal_(self.t_embedder.mlp[0].weight, std=0.02)
        nn.init.normal_(self.t_embedder.mlp[2].weight, std=0.02)
        for b in self.blocks:
            nn.init.zeros_(b.adaLN_modulation[-1].weight)
            nn.init.zeros_(b.adaLN_modulation[-1].bias)
        for m in (self.final_layer.adaLN_modulation[-1], self.final_layer.linear):
            nn.init.zeros_(m.weight)
            nn.init.zeros_(m.bias)

    def unpatchify(self, x):  # [B, N, p·p·C] → [B, C, H, W], per token (p, q, c)
        p, c = self.patch, self.channels
        h = int(x.shape[1] ** 0.5)
        x = x.reshape(x.shape[0], h, h, p, p, c)
        return x.permute(0, 5, 1, 3, 2, 4).reshape(x.shape[0], c, h * p, h * p)

    def forward(self, x, t, y):
        """x [B, C, H, W], t [B] in [0, 1], y [B] (num_classes = null) → [B, C, H, W]."""
        h = self.x_embedder(x) + self.pos_embed
        c = self.t_embedder(1000 * t) + self.y_embedder(y)
        for block in self.blocks:
            h = block(h, c)
        return self.unpatchify(self.final_layer(h, c))
