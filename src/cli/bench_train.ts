// `npm run bench -- train`: training speed per config and backend, with the model FLOPs utilisation
// against the same backend's matrix-multiply peak measured in the same run, and PyTorch side by side.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { makeConfig, type Config } from '../core/config';
import { countParams } from '../core/model';
import { getPreset } from '../core/presets';
import { Trainer } from '../core/train/trainer';
import { loadDataset, REPO_ROOT, setupBackend } from './node_env';

export interface TrainRow {
  suite: 'train';
  name: string;
  backend: string;
  batch: number;
  patch: number;
  tokens: number;
  depth: number;
  dim: number;
  params: number;
  steps: number;
  msPerStep: number; // median over measured steps (each ended by a readback, so GPU work is included)
  imgPerSec: number;
  flopsPerStep: number; // 3 × forward FLOPs × batch
  gflops: number; // achieved
  peakGflops: number; // the backend's matMul peak, same run
  mfu: number; // gflops / peakGflops
  warmupMs: number; // first step (shader compilation on webgpu)
  peakBytes: number; // tfjs-tracked bytes at the peak of one step
  gpuBytes?: number; // WebGPU buffers allocated after the run
  dispatchesPerStep?: number; // WebGPU compute dispatches per step
  readbacksPerStep: number; // device → host reads per step in the training loop
  numTensorsStep10: number;
  numTensorsLast: number;
  torchMsPerStep?: number;
  torchImgPerSec?: number;
  torchThreads?: number;
  ratioVsTorch?: number; // ours / PyTorch images per second
}

/** The benchmark configurations: the two presets and a scaling sweep around mnist-tiny. */
export function trainBenchConfigs(quick: boolean): { name: string; config: Config }[] {
  const tiny = getPreset('mnist-tiny').config;
  const out: { name: string; config: Config }[] = [
    { name: 'mnist-tiny', config: makeConfig({}, tiny) },
    { name: 'mnist-small', config: makeConfig({}, getPreset('mnist-small').config) },
  ];
  if (quick) return out;
  for (const batch of [16, 32, 128]) out.push({ name: `tiny batch=${batch}`, config: makeConfig({ batch }, tiny) });
  for (const patch of [7, 2]) out.push({ name: `tiny patch=${patch} (${(28 / patch) ** 2} tokens)`, config: makeConfig({ patch }, tiny) });
  for (const depth of [2, 8]) out.push({ name: `tiny depth=${depth}`, config: makeConfig({ depth }, tiny) });
  return out;
}

/** fp32 matMul GFLOP/s of the active backend (square n×n, median of repeats). */
export async function matmulPeak(n = 512, reps = 6): Promise<number> {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  const times: number[] = [];
  for (let i = 0; i < reps + 2; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
    if (i >= 2) times.push(performance.now() - t0);
  }
  tf.dispose([a, b]);
  return (2 * n ** 3) / median(times) / 1e6;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Counts WebGPU compute dispatches by wrapping the pass encoder's dispatch (works in Dawn and browsers). */
function dispatchCounter(): { count: () => number; restore: () => void } | null {
  const proto = (globalThis as { GPUComputePassEncoder?: { prototype: { dispatchWorkgroups: (...a: number[]) => void } } }).GPUComputePassEncoder?.prototype;
  if (!proto) return null;
  const orig = proto.dispatchWorkgroups;
  let n = 0;
  proto.dispatchWorkgroups = function (this: unknown, ...args: number[]) {
    n++;
    return orig.apply(this, args);
  };
  return { count: () => n, restore: () => (proto.dispatchWorkgroups = orig) };
}

/** Counts backend reads (data(), dataSync()) while the training loop runs. */
function readCounter(): { count: () => number; restore: () => void } {
  const backend = tf.backend() as unknown as { read: (...a: unknown[]) => unknown; readSync: (...a: unknown[]) => unknown };
  const { read, readSync } = backend;
  let n = 0;
  backend.read = function (this: unknown, ...a: unknown[]) {
    n++;
    return read.apply(this, a);
  };
  backend.readSync = function (this: unknown, ...a: unknown[]) {
    n++;
    return readSync.apply(this, a);
  };
  return { count: () => n, restore: () => Object.assign(backend, { read, readSync }) };
}

export async function benchTrainConfig(name: string, config: Config, backend: string, steps: number, flushEvery = 10): Promise<TrainRow> {
  const trainer = new Trainer(config, loadDataset(config.dataset));
  const net = trainer.net;
  const t0 = performance.now();
  trainer.trainStep();
  await trainer.flush();
  const warmupMs = performance.now() - t0;
  trainer.trainStep(); // second step: some backends finish compiling here
  await trainer.flush();
  const prof = await tf.profile(() => trainer.trainStep());
  await trainer.flush();
  const dispatches = dispatchCounter();
  const reads = readCounter();
  const d0 = dispatches?.count() ?? 0;
  const times: number[] = [];
  let numTensorsStep10 = -1;
  // Steps are timed in groups that end with the (asynchronous) metrics readback, as in the app.
  let done = 0;
  while (done < steps) {
    const k = Math.min(flushEvery, steps - done);
    const s = performance.now();
    for (let i = 0; i < k; i++) trainer.trainStep();
    await trainer.flush();
    times.push((performance.now() - s) / k);
    done += k;
    if (numTensorsStep10 < 0 && trainer.step >= 10) numTensorsStep10 = tf.memory().numTensors;
  }
  const readbacksPerStep = reads.count() / steps;
  const dispatchesPerStep = dispatches ? (dispatches.count() - d0) / steps : undefined;
  reads.restore();
  dispatches?.restore();
  if (numTensorsStep10 < 0) numTensorsStep10 = tf.memory().numTensors;
  const ms = median(times);
  const flopsPerStep = 3 * net.forwardFlops * config.batch;
  const mem = tf.memory() as tf.MemoryInfo & { numBytesInGPUAllocated?: number };
  const row: TrainRow = {
    suite: 'train',
    name,
    backend,
    batch: config.batch,
    patch: config.patch,
    tokens: (28 / config.patch) ** 2,
    depth: config.depth,
    dim: config.dim,
    params: countParams(net),
    steps,
    msPerStep: ms,
    imgPerSec: (1000 / ms) * config.batch,
    flopsPerStep,
    gflops: flopsPerStep / ms / 1e6,
    peakGflops: 0,
    mfu: 0,
    warmupMs,
    peakBytes: prof.peakBytes,
    gpuBytes: mem.numBytesInGPUAllocated,
    dispatchesPerStep,
    readbacksPerStep,
    numTensorsStep10,
    numTensorsLast: tf.memory().numTensors,
  };
  trainer.dispose();
  return row;
}

/** Runs the PyTorch twin of a config (scripts/torch/bench_train.py) when /usr/bin/python3 has torch. */
export function torchBench(config: Config, steps: number): { msPerStep: number; imgPerSec: number; threads: number } | null {
  const py = '/usr/bin/python3';
  if (!fs.existsSync(py)) return null;
  const info = { imageSize: 28, channels: 1, patch: config.patch, dim: config.dim, depth: config.depth, heads: config.heads, numClasses: 10, batch: config.batch };
  const r = spawnSync(py, [path.join(REPO_ROOT, 'scripts/torch/bench_train.py'), JSON.stringify(info), '--steps', String(steps)], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop()!);
  } catch {
    return null;
  }
}

export async function benchTrain(opts: { backends: string[]; quick: boolean; steps: number; torch: boolean; emit: (row: TrainRow) => void }): Promise<TrainRow[]> {
  const rows: TrainRow[] = [];
  const configs = trainBenchConfigs(opts.quick);
  const torchRows = new Map<string, ReturnType<typeof torchBench>>();
  for (const backend of opts.backends) {
    await setupBackend(backend);
    const peak = await matmulPeak(backend === 'cpu' ? 256 : 512);
    for (const { name, config } of configs) {
      const row = await benchTrainConfig(name, config, backend, opts.steps);
      row.peakGflops = peak;
      row.mfu = row.gflops / peak;
      if (opts.torch) {
        if (!torchRows.has(name)) torchRows.set(name, torchBench(config, Math.max(5, opts.steps)));
        const t = torchRows.get(name);
        if (t) Object.assign(row, { torchMsPerStep: t.msPerStep, torchImgPerSec: t.imgPerSec, torchThreads: t.threads, ratioVsTorch: row.imgPerSec / t.imgPerSec });
      }
      rows.push(row);
      opts.emit(row);
    }
  }
  return rows;
}
