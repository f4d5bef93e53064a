// Checkpoints as safetensors, in the reference PyTorch layout (facebookresearch/DiT state_dict names,
// linear weights [out, in], x_embedder.proj.weight [D, C, p, p]), so the weights go to PyTorch unchanged.
//   training checkpoint: <name> (weights), ema.<name>, adam_m.<name>, adam_v.<name>; config, step and
//                        RNG state in __metadata__. Continues a run exactly.
//   weights export:      <name> only (EMA by default): loads with strict=True into DiT(learn_sigma=False).

import { ConfigError, makeConfig, type Config } from './config';
import { decodeSafetensors, encodeSafetensors } from './formats/safetensors';
import { buildNetwork, type Network, type ParamSpec } from './model';
import { RunRng, STREAMS, type StreamStates } from './rng';
import type { TrainerState } from './train/trainer';

export const CHECKPOINT_FORMAT = 'flow-playground/checkpoint/1';
const PREFIXES = { ema: 'ema.', adamM: 'adam_m.', adamV: 'adam_v.' } as const;

/** Permutes a row-major array of `shape` by `perm` (like numpy.transpose). */
export function permute(data: Float32Array, shape: number[], perm: number[]): { data: Float32Array; shape: number[] } {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(rank);
  let acc = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = acc;
    acc *= shape[i];
  }
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += idx[d] * inStrides[perm[d]];
    out[o] = data[src];
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return { data: out, shape: outShape };
}

/** How a parameter is laid out in PyTorch relative to ours. */
function torchLayout(spec: ParamSpec, net: Network): { torchShape: number[]; toTorch: number[]; ourShapeBeforePerm: number[] } | null {
  if (spec.name === 'x_embedder.proj.weight' && net.dit) {
    const { patch: p, channels: C, dim: D } = net.dit;
    // ours [(i, j, c), D] = [p, p, C, D] → torch [D, C, p, p]
    return { torchShape: [D, C, p, p], toTorch: [3, 2, 0, 1], ourShapeBeforePerm: [p, p, C, D] };
  }
  if (spec.name.endsWith('.weight') && spec.shape.length === 2 && !spec.name.includes('embedding_table')) {
    return { torchShape: [spec.shape[1], spec.shape[0]], toTorch: [1, 0], ourShapeBeforePerm: spec.shape };
  }
  return null;
}

export function toTorchLayout(spec: ParamSpec, net: Network, data: Float32Array): { data: Float32Array; shape: number[] } {
  const l = torchLayout(spec, net);
  if (!l) return { data, shape: spec.shape };
  return permute(data, l.ourShapeBeforePerm, l.toTorch);
}

export function fromTorchLayout(spec: ParamSpec, net: Network, data: Float32Array, shape: number[], what: string): Float32Array {
  const l = torchLayout(spec, net);
  const expected = l ? l.torchShape : spec.shape;
  if (shape.join(',') !== expected.join(',')) {
    throw new Error(`checkpoint: ${what} has shape [${shape.join(', ')}], the model needs [${expected.join(', ')}]`);
  }
  if (!l) return data;
  const inverse = l.toTorch.map((_, i) => l.toTorch.indexOf(i));
  return permute(data, l.torchShape, inverse).data;
}

export interface CheckpointMeta {
  format: string;
  config: Config;
  step: number;
  rng: StreamStates;
  createdWith: string;
}

/** A full training checkpoint. */
export function encodeCheckpoint(config: Config, state: TrainerState): Uint8Array {
  const net = buildNetwork(config);
  const tensors: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  const add = (key: string, spec: ParamSpec, data: Float32Array) => {
    const t = toTorchLayout(spec, net, data);
    tensors[key] = { dtype: 'F32', shape: t.shape, data: t.data };
  };
  for (const spec of net.specs) {
    add(spec.name, spec, state.params[spec.name]);
    add(PREFIXES.ema + spec.name, spec, state.ema[spec.name]);
    if (spec.trainable) {
      add(PREFIXES.adamM + spec.name, spec, state.adamM[spec.name]);
      add(PREFIXES.adamV + spec.name, spec, state.adamV[spec.name]);
    }
  }
  const meta: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    config: JSON.stringify(config),
    step: String(state.step),
    rng: JSON.stringify(state.rng),
    createdWith: 'flow-playground',
  };
  return encodeSafetensors(tensors, meta);
}

/** Weights only, in PyTorch names and layouts (EMA weights unless `ema` is false). */
export function encodeWeights(config: Config, state: TrainerState, ema = true): Uint8Array {
  const net = buildNetwork(config);
  const tensors: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  for (const spec of net.specs) {
    const t = toTorchLayout(spec, net, (ema ? state.ema : state.params)[spec.name]);
    tensors[spec.name] = { dtype: 'F32', shape: t.shape, data: t.data };
  }
  return encodeSafetensors(tensors, { format: 'flow-playground/weights/1', config: JSON.stringify(config), ema: String(ema) });
}

/**
 * Reads a training checkpoint (or a weights export, which resumes with fresh optimizer moments).
 * Every problem is reported with the field or tensor it concerns; nothing is half-applied.
 */
export function decodeCheckpoint(bytes: Uint8Array): { config: Config; state: TrainerState; kind: 'checkpoint' | 'weights' } {
  const { tensors, metadata } = decodeSafetensors(bytes);
  const meta = metadata ?? {};
  const kind = meta.format === CHECKPOINT_FORMAT ? 'checkpoint' : meta.format === 'flow-playground/weights/1' ? 'weights' : null;
  if (!kind) throw new ConfigError('checkpoint', `not a Flow Playground file (metadata format is ${JSON.stringify(meta.format ?? null)})`);
  let raw: unknown;
  try {
    raw = JSON.parse(meta.config ?? '');
  } catch {
    throw new ConfigError('checkpoint', 'metadata "config" is missing or not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError('checkpoint', 'metadata "config" is not an object');
  const config = makeConfig(raw as Record<string, unknown>);
  const net = buildNetwork(config);
  const read = (key: string, spec: ParamSpec): Float32Array => {
    const t = tensors[key];
    if (!t) throw new ConfigError('checkpoint', `tensor ${key} is missing`);
    if (!(t.data instanceof Float32Array)) throw new ConfigError('checkpoint', `tensor ${key} must be F32, got ${t.dtype}`);
    try {
      return fromTorchLayout(spec, net, t.data, t.shape, `tensor ${key}`);
    } catch (e) {
      throw new ConfigError('checkpoint', (e as Error).message.replace(/^checkpoint: /, ''));
    }
  };
  const state: TrainerState = { step: 0, rng: new RunRng(config.seed).state(), params: {}, ema: {}, adamM: {}, adamV: {} };
  for (const spec of net.specs) {
    if (kind === 'checkpoint') {
      state.params[spec.name] = read(spec.name, spec);
      state.ema[spec.name] = read(PREFIXES.ema + spec.name, spec);
      if (spec.trainable) {
        state.adamM[spec.name] = read(PREFIXES.adamM + spec.name, spec);
        state.adamV[spec.name] = read(PREFIXES.adamV + spec.name, spec);
      }
    } else {
      const w = read(spec.name, spec);
      state.params[spec.name] = w;
      state.ema[spec.name] = w;
      if (spec.trainable) {
        state.adamM[spec.name] = new Float32Array(w.length);
        state.adamV[spec.name] = new Float32Array(w.length);
      }
    }
  }
  if (kind === 'checkpoint') {
    const step = Number(meta.step);
    if (!Number.isInteger(step) || step < 0) throw new ConfigError('checkpoint', `metadata "step" must be a non-negative integer, got ${JSON.stringify(meta.step)}`);
    let rng: unknown;
    try {
      rng = JSON.parse(meta.rng ?? '');
    } catch {
      rng = null;
    }
    const isState = (v: unknown) => Array.isArray(v) && v.length === 4 && v.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff);
    if (typeof rng !== 'object' || rng === null || !STREAMS.every((k) => isState((rng as Record<string, unknown>)[k]))) {
      throw new ConfigError('checkpoint', `metadata "rng" must hold the streams ${STREAMS.join(', ')}, each four unsigned 32-bit integers`);
    }
    state.step = step;
    state.rng = rng as StreamStates;
  }
  return { config, state, kind };
}
