// Diffusion Transformer (Peebles & Xie 2023, "Scalable Diffusion Models with Transformers"), following the
// reference facebookresearch/DiT models.py with learn_sigma=False: patchify, fixed 2D sin-cos positions,
// frequency timestep embedding of 1000·t, label embedding with a null class, adaLN-Zero blocks, and a
// zero-initialised final layer. A plain function of (x_t, t, y): it knows nothing about the flow.

import * as tf from '@tensorflow/tfjs';
import { attention, type AttentionKind } from '../attention';
import { adaLNModulate, embed, gatedResidual, linear, linearGelu, linearSpecs, qkvHeads, silu, sincos2d, timestepEmbedding, type ParamSpec, type Params } from './layers';
import { recompute } from './recompute';

export interface DiTShape {
  imageSize: number; // H = W
  channels: number; // C
  patch: number; // p: tokens are p×p×C patches, N = (H/p)²
  dim: number; // D
  depth: number; // number of DiT blocks
  heads: number; // H_q
  kvHeads: number; // H_kv (grouped-query when < heads)
  numClasses: number; // labels 0..numClasses−1; numClasses is the null label
  mlpRatio?: number; // 4 in DiT
  freqDim?: number; // 256 in DiT
}

export interface ForwardOptions {
  attention?: AttentionKind;
  checkpointing?: boolean;
}

const FREQ_DIM = 256;
const MLP_RATIO = 4;

export function ditTokens(s: DiTShape): number {
  return (s.imageSize / s.patch) ** 2;
}

/** Parameters in the reference state_dict order and names, with DiT's initialize_weights(). */
export function ditParamSpecs(s: DiTShape): ParamSpec[] {
  const { dim: D, patch: p, channels: C, depth, heads, kvHeads } = s;
  const hd = D / heads;
  const hidden = D * (s.mlpRatio ?? MLP_RATIO);
  const freq = s.freqDim ?? FREQ_DIM;
  const grid = s.imageSize / p;
  const zero = { kind: 'zeros' } as const;
  const specs: ParamSpec[] = [
    { name: 'pos_embed', shape: [1, grid * grid, D], init: { kind: 'fixed', values: sincos2d(D, grid) }, trainable: false },
    // Conv2d(C, D, p, stride p) as a linear over flattened (i, j, c) patches; xavier on the [D, C·p·p] view.
    ...linearSpecs('x_embedder.proj', p * p * C, D),
    ...linearSpecs('t_embedder.mlp.0', freq, D, { kind: 'normal', std: 0.02 }),
    ...linearSpecs('t_embedder.mlp.2', D, D, { kind: 'normal', std: 0.02 }),
    { name: 'y_embedder.embedding_table.weight', shape: [s.numClasses + 1, D], init: { kind: 'normal', std: 0.02 }, trainable: true },
  ];
  for (let i = 0; i < depth; i++) {
    const b = `blocks.${i}`;
    specs.push(
      ...linearSpecs(`${b}.attn.qkv`, D, (heads + 2 * kvHeads) * hd),
      ...linearSpecs(`${b}.attn.proj`, D, D),
      ...linearSpecs(`${b}.mlp.fc1`, D, hidden),
      ...linearSpecs(`${b}.mlp.fc2`, hidden, D),
      ...linearSpecs(`${b}.adaLN_modulation.1`, D, 6 * D, zero, zero), // adaLN-Zero: every block starts as identity
    );
  }
  specs.push(
    ...linearSpecs('final_layer.linear', D, p * p * C, zero, zero),
    ...linearSpecs('final_layer.adaLN_modulation.1', D, 2 * D, zero, zero),
  );
  return specs;
}

/** [B, H, W, C] → [B, N, p·p·C], each token's features in (i, j, c) order. */
export function patchify(x: tf.Tensor, p: number): tf.Tensor3D {
  const [B, H, W, C] = x.shape;
  const h = H / p;
  const w = W / p;
  return x
    .reshape([B, h, p, w, p, C])
    .transpose([0, 1, 3, 2, 4, 5]) // [B, h, w, p, p, C]
    .reshape([B, h * w, p * p * C]) as tf.Tensor3D;
}

/** [B, N, p·p·C] → [B, H, W, C] (DiT unpatchify: per token (p, q, c)). */
export function unpatchify(x: tf.Tensor, p: number, channels: number): tf.Tensor4D {
  const [B, N] = x.shape;
  const h = Math.round(Math.sqrt(N));
  return x
    .reshape([B, h, h, p, p, channels])
    .transpose([0, 1, 3, 2, 4, 5]) // [B, h, p, w, q, C]
    .reshape([B, h * p, h * p, channels]) as tf.Tensor4D;
}

function blockWeightNames(i: number): string[] {
  const b = `blocks.${i}`;
  return ['attn.qkv', 'attn.proj', 'mlp.fc1', 'mlp.fc2', 'adaLN_modulation.1'].flatMap((n) => [`${b}.${n}.weight`, `${b}.${n}.bias`]);
}

/** Multi-head self-attention with separate query and key/value head counts. x [B, N, D] → [B, N, D]. */
function selfAttention(x: tf.Tensor, p: Params, name: string, s: DiTShape, kind: AttentionKind): tf.Tensor {
  const [B, N, D] = x.shape;
  const [q, k, v] = qkvHeads(x, p, `${name}.qkv`, s.heads, s.kvHeads); // [B, H, N, hd], [B, Hkv, N, hd] ×2
  const o = attention(q, k, v, { kind }); // [B, H, N, hd]
  return linear(o.transpose([0, 2, 1, 3]).reshape([B, N, D]), p, `${name}.proj`);
}

/**
 * One adaLN-Zero DiT block. x [B, N, D], siluC = SiLU(c) [B, D] (shared by every block: the same SiLU that
 * each block's adaLN_modulation applies first).
 */
function ditBlock(x: tf.Tensor, siluC: tf.Tensor, p: Params, i: number, s: DiTShape, kind: AttentionKind): tf.Tensor {
  const b = `blocks.${i}`;
  // [B, 6D]: chunks shift, scale, gate (attention), shift, scale, gate (MLP)
  const mod = linear(siluC, p, `${b}.adaLN_modulation.1`);
  x = gatedResidual(x, selfAttention(adaLNModulate(x, mod, 0), p, `${b}.attn`, s, kind), mod, 2);
  const h = linear(linearGelu(adaLNModulate(x, mod, 3), p, `${b}.mlp.fc1`), p, `${b}.mlp.fc2`);
  return gatedResidual(x, h, mod, 5);
}

/** Condition vector c = t_embedder(1000·t) + y_embedder(y). t [B] in [0, 1], y [B] int32 → [B, D]. */
export function ditCondition(p: Params, t: tf.Tensor1D, y: tf.Tensor1D, s: DiTShape): tf.Tensor2D {
  const tFreq = timestepEmbedding(t.mul(1000) as tf.Tensor1D, s.freqDim ?? FREQ_DIM); // [B, 256]
  const tEmb = linear(silu(linear(tFreq, p, 't_embedder.mlp.0')), p, 't_embedder.mlp.2');
  const yEmb = embed(y, p['y_embedder.embedding_table.weight'] as tf.Tensor2D);
  return tEmb.add(yEmb) as tf.Tensor2D;
}

/** The DiT forward pass: x [B, H, W, C], t [B], y [B] int32 (numClasses = null label) → [B, H, W, C]. */
export function ditForward(p: Params, x: tf.Tensor, t: tf.Tensor1D, y: tf.Tensor1D, s: DiTShape, opts: ForwardOptions = {}): tf.Tensor4D {
  const kind = opts.attention ?? 'naive';
  let h: tf.Tensor = linear(patchify(x, s.patch), p, 'x_embedder.proj').add(p['pos_embed']); // [B, N, D]
  const siluC = silu(ditCondition(p, t, y, s)); // SiLU(c) [B, D], the input of every adaLN_modulation
  for (let i = 0; i < s.depth; i++) {
    if (opts.checkpointing) {
      const names = blockWeightNames(i);
      h = recompute(
        (hIn, cIn, ...w) => {
          const local: Params = {};
          names.forEach((n, j) => (local[n] = w[j]));
          return ditBlock(hIn, cIn, local, i, s, kind);
        },
        [h, siluC, ...names.map((n) => p[n])],
      );
    } else {
      h = ditBlock(h, siluC, p, i, s, kind);
    }
  }
  const mod = linear(siluC, p, 'final_layer.adaLN_modulation.1'); // [B, 2D]: shift, scale
  const out = linear(adaLNModulate(h, mod, 0), p, 'final_layer.linear'); // [B, N, p·p·C]
  return unpatchify(out, s.patch, s.channels);
}

/** Multiply-accumulate FLOPs of one forward pass per sample (2 per MAC), for MFU figures. */
export function ditForwardFlops(s: DiTShape): number {
  const N = ditTokens(s);
  const D = s.dim;
  const hd = D / s.heads;
  const hidden = D * (s.mlpRatio ?? MLP_RATIO);
  const freq = s.freqDim ?? FREQ_DIM;
  const pp = s.patch * s.patch * s.channels;
  const perBlock =
    N * D * (s.heads + 2 * s.kvHeads) * hd + // qkv
    2 * s.heads * N * N * hd + // QKᵀ and A·V
    N * D * D + // proj
    2 * N * D * hidden + // fc1, fc2
    D * 6 * D; // adaLN
  const macs = N * pp * D + freq * D + D * D + s.depth * perBlock + 2 * D * D + N * D * pp;
  return 2 * macs;
}
