// Building blocks shared by the DiT and the 2D MLP. Parameters live in a flat record keyed by the
// reference PyTorch state_dict names; linear weights are stored [in, out] (tfjs-natural, no transpose in
// the hot path) and converted to PyTorch's [out, in] only at export (src/core/checkpoint.ts).

import * as tf from '@tensorflow/tfjs';
import { matMul } from '../ops/matmul';
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

/** y = x·W + b over the last axis; x [..., in] → [..., out]. */
export function linear(x: tf.Tensor, p: Params, name: string): tf.Tensor {
  const w = p[`${name}.weight`] as tf.Tensor2D;
  const b = p[`${name}.bias`];
  const inDim = x.shape[x.rank - 1];
  const lead = x.shape.slice(0, -1);
  const y = matMul(x.reshape([-1, inDim]), w).add(b);
  return x.rank === 2 ? y : y.reshape([...lead, w.shape[1]]);
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
