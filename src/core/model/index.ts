// Builds the network named by a config: a function (params, x_t, t, y) → prediction, its parameter specs
// and its cost. The flow code receives it as a plain ModelFn.

import * as tf from '@tensorflow/tfjs';
import { dataShape, type Config } from '../config';
import type { Rng } from '../rng';
import { ditForward, ditForwardFlops, ditParamSpecs, type DiTShape, type ForwardOptions } from './dit';
import { initValues, type ParamSpec, type Params } from './layers';
import { mlpForward, mlpForwardFlops, mlpParamSpecs, type MlpShape } from './mlp';

export type { Params, ParamSpec } from './layers';

export interface Network {
  kind: 'dit' | 'mlp';
  specs: ParamSpec[];
  /** Per-sample shape of x ([H, W, C] or [2]). */
  sampleShape: readonly number[];
  numClasses: number;
  /** Label that means "no label" (classifier-free guidance). */
  nullLabel: number;
  forward(p: Params, x: tf.Tensor, t: tf.Tensor1D, y: tf.Tensor1D, opts?: ForwardOptions): tf.Tensor;
  /** FLOPs of one forward pass for one sample. */
  forwardFlops: number;
  dit?: DiTShape;
}

export function buildNetwork(c: Config): Network {
  const { shape, numClasses } = dataShape(c);
  if (c.model === 'dit') {
    const s: DiTShape = { imageSize: shape[0], channels: shape[2], patch: c.patch, dim: c.dim, depth: c.depth, heads: c.heads, kvHeads: c.kvHeads, numClasses };
    return {
      kind: 'dit',
      specs: ditParamSpecs(s),
      sampleShape: shape,
      numClasses,
      nullLabel: numClasses,
      forward: (p, x, t, y, opts = { attention: c.attention, checkpointing: c.checkpointing }) => ditForward(p, x, t, y, s, opts),
      forwardFlops: ditForwardFlops(s),
      dit: s,
    };
  }
  const s: MlpShape = { inDim: shape[0], dim: c.dim, depth: c.depth, numClasses };
  return {
    kind: 'mlp',
    specs: mlpParamSpecs(s),
    sampleShape: shape,
    numClasses,
    nullLabel: numClasses,
    forward: (p, x, t, y) => mlpForward(p, x, t, y, s),
    forwardFlops: mlpForwardFlops(s),
  };
}

/** Fresh parameters: trainable ones as tf.Variables, fixed ones (pos_embed) as kept tensors. */
export function initParams(net: Network, rng: Rng): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  for (const spec of net.specs) {
    const value = tf.tensor(initValues(spec, rng), spec.shape);
    out[spec.name] = tf.variable(value, spec.trainable);
    value.dispose(); // the variable holds its own reference to the data
  }
  return out;
}

export function countParams(net: Network, trainableOnly = true): number {
  return net.specs.filter((s) => s.trainable || !trainableOnly).reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
}
