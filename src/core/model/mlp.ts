// A small residual MLP for 2D toy data, with the same (x_t, t, y) signature and conditioning as the DiT
// (frequency embedding of 1000·t, label embedding with a null class, zero-initialised output layer).

import * as tf from '@tensorflow/tfjs';
import { embed, layerNorm, linear, linearSpecs, silu, timestepEmbedding, type ParamSpec, type Params } from './layers';

export interface MlpShape {
  inDim: number; // 2 for points
  dim: number; // hidden width
  depth: number; // residual blocks
  numClasses: number; // numClasses is the null label
}

const FREQ_DIM = 64;

export function mlpParamSpecs(s: MlpShape): ParamSpec[] {
  const zero = { kind: 'zeros' } as const;
  const specs: ParamSpec[] = [
    ...linearSpecs('in_proj', s.inDim, s.dim),
    ...linearSpecs('t_embedder.mlp.0', FREQ_DIM, s.dim, { kind: 'normal', std: 0.02 }),
    ...linearSpecs('t_embedder.mlp.2', s.dim, s.dim, { kind: 'normal', std: 0.02 }),
    { name: 'y_embedder.embedding_table.weight', shape: [s.numClasses + 1, s.dim], init: { kind: 'normal', std: 0.02 }, trainable: true },
  ];
  for (let i = 0; i < s.depth; i++) {
    specs.push(...linearSpecs(`blocks.${i}.fc1`, s.dim, 2 * s.dim), ...linearSpecs(`blocks.${i}.fc2`, 2 * s.dim, s.dim));
  }
  specs.push(...linearSpecs('out_proj', s.dim, s.inDim, zero, zero));
  return specs;
}

/** x [B, 2], t [B], y [B] → [B, 2]. Blocks: h ← h + fc2(silu(fc1(LN(h) + c))). */
export function mlpForward(p: Params, x: tf.Tensor, t: tf.Tensor1D, y: tf.Tensor1D, s: MlpShape): tf.Tensor2D {
  const tEmb = linear(silu(linear(timestepEmbedding(t.mul(1000) as tf.Tensor1D, FREQ_DIM), p, 't_embedder.mlp.0')), p, 't_embedder.mlp.2');
  const c = tEmb.add(embed(y, p['y_embedder.embedding_table.weight'] as tf.Tensor2D)); // [B, D]
  let h = linear(x, p, 'in_proj');
  for (let i = 0; i < s.depth; i++) {
    h = h.add(linear(silu(linear(layerNorm(h).add(c), p, `blocks.${i}.fc1`)), p, `blocks.${i}.fc2`));
  }
  return linear(silu(h), p, 'out_proj') as tf.Tensor2D;
}

export function mlpForwardFlops(s: MlpShape): number {
  return 2 * (s.inDim * s.dim + FREQ_DIM * s.dim + s.dim * s.dim + s.depth * 4 * s.dim * s.dim + s.dim * s.inDim);
}
