// Building blocks shared by the DiT and the 2D MLP. Parameters live in a flat record keyed by the
// reference PyTorch state_dict names; linear weights are stored [in, out] (tfjs-natural, no transpose in
// the hot path) and converted to PyTorch's [out, in] only at export (src/core/checkpoint.ts).

import * as tf from '@tensorflow/tfjs';
import { adaLNModulate as fusedAdaLNModulate } from '../ops/adaln_modulate';
import { biasGelu } from '../ops/bias_gelu';
import { fusedPath } from '../ops/fused';
import { gatedResidual as fusedGatedResidual } from '../ops/gated_residual';
import { matMul } from '../ops/matmul';
import { splitHeads } from '../ops/split_heads';
import type { Rng } from '../rng';

export type Params = Record<string, tf.Tensor>;

export type Init =
  | { kind: 'zeros' }
  | { kind: 'xavier'; fanIn: number; fanOut: number } // xavier_uniform_: U(−a, a), a = √(6 / (fan_in + fan_out))
  | { kind: 'normal'; std: number }
  | { kind: 'fixed'; values: Float32Array };

export interface ParamSpec {
  name: string;
  shape: number[];
  init: Init;
  trainable: boolean;
}

export function linearSpecs(name: string, inDim: number, outDim: number, weightInit: Init = { kind: 'xavier', fanIn: inDim, fanOut: outDim }, biasInit: Init = { kind: 'zeros' }): ParamSpec[] {
  return [
    { name: `${name}.weight`, shape: [inDim, outDim], init: weightInit, trainable: true },
    { name: `${name}.bias`, shape: [outDim], init: biasInit, trainable: true },
  ];
}

/** Initial values drawn from the JS Rng in spec order, so a seed gives the same weights on every backend. */
export function initValues(spec: ParamSpec, rng: Rng): Float32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const init = spec.init;
  switch (init.kind) {
    case 'zeros':
      return new Float32Array(n);
    case 'xavier': {
      const a = Math.sqrt(6 / (init.fanIn + init.fanOut));
      const out = rng.uniforms(n);
      for (let i = 0; i < n; i++) out[i] = (2 * out[i] - 1) * a;
      return out;
    }
    case 'normal': {
      const out = rng.normals(n);
      for (let i = 0; i < n; i++) out[i] *= init.std;
      return out;
    }
    case 'fixed':
      if (init.values.length !== n) throw new Error(`${spec.name}: fixed init has ${init.values.length} values, shape needs ${n}`);
      return init.values.slice();
  }
}

/** y = x·W + b over the last axis; x [..., in] → [..., out]. With fused kernels, one kernel (bias in the product). */
export function linear(x: tf.Tensor, p: Params, name: string): tf.Tensor {
  const w = p[`${name}.weight`] as tf.Tensor2D;
  const b = p[`${name}.bias`];
  const inDim = x.shape[x.rank - 1];
  const lead = x.shape.slice(0, -1);
  const x2 = x.reshape([-1, inDim]);
  const y = fusedPath() ? tf.fused.matMul({ a: x2, b: w, bias: b }) : matMul(x2, w).add(b);
  return x.rank === 2 ? y : y.reshape([...lead, w.shape[1]]);
}

/** GELU(x·W + b) (DiT's MLP hidden layer); x [..., in] → [..., out]. Fused: product, then bias+GELU in one kernel. */
export function linearGelu(x: tf.Tensor, p: Params, name: string): tf.Tensor {
  if (!fusedPath()) return geluTanh(linear(x, p, name));
  const w = p[`${name}.weight`] as tf.Tensor2D;
  const inDim = x.shape[x.rank - 1];
  const y = biasGelu(matMul(x.reshape([-1, inDim]), w) as tf.Tensor2D, p[`${name}.bias`] as tf.Tensor1D);
  return x.rank === 2 ? y : y.reshape([...x.shape.slice(0, -1), w.shape[1]]);
}

/**
 * adaLN: modulate(layerNorm(x), shift, scale) with shift and scale the chunks `chunk` and `chunk + 1` (width D)
 * of the modulation vector mod [B, k·D]. x [B, N, D] → [B, N, D]. One kernel where fused kernels exist.
 */
export function adaLNModulate(x: tf.Tensor, mod: tf.Tensor, chunk: number, eps = 1e-6): tf.Tensor {
  return fusedAdaLNModulate(x as tf.Tensor3D, mod as tf.Tensor2D, chunk, eps);
}

/** adaLN-Zero's gated residual x + gate·h, gate = chunk `chunk` of mod [B, k·D]. x, h [B, N, D]. */
export function gatedResidual(x: tf.Tensor, h: tf.Tensor, mod: tf.Tensor, chunk: number): tf.Tensor {
  return fusedGatedResidual(x as tf.Tensor3D, h as tf.Tensor3D, mod as tf.Tensor2D, chunk);
}

/**
 * The qkv projection straight into attention's layout: x [B, N, D] → q [B, H, N, hd], k and v [B, Hkv, N, hd],
 * from the fused qkv Linear (weight [D, (H + 2·Hkv)·hd], columns q | k | v).
 */
export function qkvHeads(x: tf.Tensor, p: Params, name: string, heads: number, kvHeads: number): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] {
  const [B, N, D] = x.shape;
  const w = p[`${name}.weight`] as tf.Tensor2D;
  const hd = w.shape[1] / (heads + 2 * kvHeads);
  // Fused: one product and one kernel that writes the heads. Otherwise q, k, v from column slices of the
  // weight (cheap: [D, ·]) rather than a split of the [B·N, (H + 2·Hkv)·hd] activations (slow on wasm).
  if (fusedPath()) return splitHeads(linear(x, p, name) as tf.Tensor3D, heads, kvHeads);
  const bias = p[`${name}.bias`];
  const x2 = x.reshape([B * N, D]);
  let at = 0;
  const toHeads = (t: tf.Tensor, h: number) => t.reshape([B, N, h, hd]).transpose([0, 2, 1, 3]) as tf.Tensor4D; // [B, h, N, hd]
  return ([heads, kvHeads, kvHeads] as const).map((h) => {
    const y = matMul(x2, tf.slice(w, [0, at], [D, h * hd])).add(tf.slice(bias, [at], [h * hd]));
    at += h * hd;
    return toHeads(y, h);
  }) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
}

/** LayerNorm over the last axis without affine parameters (DiT: elementwise_affine=False, eps=1e-6). */
export function layerNorm(x: tf.Tensor, eps = 1e-6): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).mul(tf.rsqrt(variance.add(eps)));
}

/**
 * GELU, tanh approximation (PyTorch GELU(approximate="tanh")): ½x(1 + tanh(z)), z = √(2/π)(x + 0.044715x³).
 * Computed as x·sigmoid(2z), the same function (½(1 + tanh z) = sigmoid(2z)): WASM has a vectorised
 * sigmoid but a scalar tanh and pow, which made this the slowest op of a training step.
 */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  const z2 = x.add(x.mul(x).mul(x).mul(0.044715)).mul(2 * Math.sqrt(2 / Math.PI));
  return x.mul(tf.sigmoid(z2));
}

/** SiLU(x) = x·sigmoid(x). */
export function silu(x: tf.Tensor): tf.Tensor {
  return x.mul(tf.sigmoid(x));
}

/** DiT's modulate: x·(1 + scale) + shift, with per-sample shift/scale [B, D] broadcast over tokens of x [B, N, D]. */
export function modulate(x: tf.Tensor, shift: tf.Tensor, scale: tf.Tensor): tf.Tensor {
  return x.mul(scale.expandDims(1).add(1)).add(shift.expandDims(1));
}

/**
 * Sinusoidal timestep embedding (DiT TimestepEmbedder.timestep_embedding, from GLIDE/ADM):
 * freqs_i = exp(−ln(maxPeriod)·i/half), emb = [cos(t·freqs), sin(t·freqs)]. Input t is already scaled (1000·t).
 */
export function timestepFrequencies(dim: number, maxPeriod = 10000): Float32Array {
  const half = Math.floor(dim / 2);
  const f = new Float32Array(half);
  for (let i = 0; i < half; i++) f[i] = Math.exp((-Math.log(maxPeriod) * i) / half);
  return f;
}

export function timestepEmbedding(t: tf.Tensor1D, dim: number, maxPeriod = 10000): tf.Tensor2D {
  if (dim % 2 !== 0) throw new Error(`timestepEmbedding: dim must be even, got ${dim}`);
  const freqs = tf.tensor2d(timestepFrequencies(dim, maxPeriod), [1, dim / 2]);
  const args = t.reshape([-1, 1]).mul(freqs); // [B, half]
  return tf.concat([tf.cos(args), tf.sin(args)], 1) as tf.Tensor2D;
}

/**
 * Fixed 2D sin-cos position embedding (DiT get_2d_sincos_pos_embed, from MAE), tokens in row-major order.
 * Per token (row r, column c): [sin(c·ω), cos(c·ω), sin(r·ω), cos(r·ω)], ω_k = 10000^(−k/(D/4)), k < D/4.
 * (DiT's meshgrid puts the column coordinate first.)
 */
export function sincos2d(dim: number, gridSize: number): Float32Array {
  if (dim % 4 !== 0) throw new Error(`sincos2d: dim must be a multiple of 4, got ${dim}`);
  const q = dim / 4;
  const out = new Float32Array(gridSize * gridSize * dim);
  for (let r = 0; r < gridSize; r++) {
    for (let c = 0; c < gridSize; c++) {
      const base = (r * gridSize + c) * dim;
      for (let k = 0; k < q; k++) {
        const omega = 1 / Math.pow(10000, k / q);
        out[base + k] = Math.sin(c * omega);
        out[base + q + k] = Math.cos(c * omega);
        out[base + 2 * q + k] = Math.sin(r * omega);
        out[base + 3 * q + k] = Math.cos(r * omega);
      }
    }
  }
  return out;
}

/** Embedding lookup as oneHot·table (WASM has no gradient for gather). labels [B] int32 → [B, D]. */
export function embed(labels: tf.Tensor1D, table: tf.Tensor2D): tf.Tensor2D {
  return matMul(tf.oneHot(labels.toInt(), table.shape[0]).toFloat(), table) as tf.Tensor2D;
}
