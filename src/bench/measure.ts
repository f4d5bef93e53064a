// Training-speed measurement shared by the Node bench (src/cli/bench_train_child.ts) and the browser bench
// page (src/bench/worker.ts): one config on the active tfjs backend, with the figures the train suite
// reports. Steps are timed in groups of k that end with the trainer's one asynchronous metrics readback,
// as in the app, so queued GPU work is inside the time; ms/step is the median over groups after warm-up.

import * as tf from '@tensorflow/tfjs';
import { gpuBytesAllocated } from '../core/backends';
import type { Config } from '../core/config';
import type { Dataset } from '../core/data/types';
import { countParams } from '../core/model';
import { fusedOpsEnabled, setFusedOps } from '../core/ops/fused';
import { Trainer } from '../core/train/trainer';

export interface BenchJob {
  name: string; // row label
  config: Config;
  steps: number; // measured steps after warm-up
  flushEvery: number; // k: one metrics readback per k steps
  note?: string; // said in the row (e.g. "batch reduced: software adapter")
  unfused?: boolean; // also measure the unfused graph (dispatches, kernels, time) for comparison
  profile?: boolean; // peak bytes of one step through tf.profile (default on)
}

export interface TrainRow {
  suite: 'train';
  kind: 'speed' | 'endurance';
  name: string;
  backend: string; // where: node-wasm, node-webgpu, chromium-wasm, chromium-webgpu
  device?: string; // adapter or runtime details
  note?: string;
  batch: number;
  patch: number;
  tokens: number;
  depth: number;
  dim: number;
  params: number;
  steps: number;
  flushEvery: number;
  msPerStep: number;
  imgPerSec: number;
  flopsPerStep: number; // 3 × forward FLOPs × batch
  gflops: number;
  peakGflops?: number; // the same backend's fp32 matMul in this process, just before
  mfu?: number;
  warmupMs: number; // first step, its readback included (shader compilation on webgpu)
  secondStepMs: number;
  pipelinesCompiled?: number; // webgpu: shader pipelines created by the warm-up steps
  peakBytes?: number; // tfjs-tracked bytes at the peak of one step
  heapBytes?: number; // wasm: the heap's size after the run (it never shrinks: the process's peak)
  heapBytesStep10?: number;
  gpuBytesStep10?: number; // webgpu: buffers allocated by tfjs
  gpuBytesLast?: number;
  kernelsPerStep: number; // tfjs kernels (tf.profile)
  dispatchesPerStep?: number; // webgpu compute dispatches
  readbacksPerStep: number; // tensor reads (data/dataSync) in the timed loop
  numTensorsStep10: number;
  numTensorsLast: number;
  unfusedMsPerStep?: number;
  unfusedKernelsPerStep?: number;
  unfusedDispatchesPerStep?: number;
  dispatchReduction?: number; // unfused / fused dispatches (webgpu), kernels elsewhere
  torchMsPerStep?: number;
  torchImgPerSec?: number;
  torchThreads?: number;
  ratioVsTorch?: number; // ours / PyTorch images per second (PyTorch on all cores)
  torch1ImgPerSec?: number; // PyTorch on one thread
  ratioVsTorch1?: number;
  torch1PeakGflops?: number; // PyTorch's own matMul peak on one thread: the ceiling our ratio is measured against
  torch1Mfu?: number; // PyTorch's model FLOPs utilisation on one thread (same FLOP count as ours)
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * fp32 matMul GFLOP/s of the active backend: n×n (1024 on wasm, 512 elsewhere), the fastest of `reps` products
 * after 3 warm-ups, each ended by a readback. The fastest, not the median: a peak, and the first products on
 * wasm run before V8's optimising compiler has the GEMM (a 512 median read 31–44 GFLOP/s across runs, under
 * the training step's own rate, which made the utilisation exceed 1).
 */
export async function matmulPeak(n = tf.getBackend() === 'wasm' ? 1024 : 512, reps = 8): Promise<number> {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  let best = Infinity;
  for (let i = 0; i < reps + 3; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
    if (i >= 3) best = Math.min(best, performance.now() - t0);
  }
  tf.dispose([a, b]);
  return (2 * n ** 3) / best / 1e6;
}

interface Counter {
  count(): number;
  restore(): void;
}

/** Counts WebGPU compute dispatches by wrapping the pass encoder's dispatch (Dawn and browsers). */
export function dispatchCounter(): Counter | null {
  const proto = (globalThis as { GPUComputePassEncoder?: { prototype: { dispatchWorkgroups: (...a: number[]) => void } } }).GPUComputePassEncoder?.prototype;
  if (!proto || tf.getBackend() !== 'webgpu') return null;
  const orig = proto.dispatchWorkgroups;
  let n = 0;
  proto.dispatchWorkgroups = function (this: unknown, ...args: number[]) {
    n++;
    return orig.apply(this, args);
  };
  return { count: () => n, restore: () => (proto.dispatchWorkgroups = orig) };
}

/** Counts tensor reads (Tensor.data, dataSync) through the engine: device → host transfers on webgpu. */
export function readCounter(): Counter {
  const engine = tf.engine() as unknown as { read: (...a: unknown[]) => unknown; readSync: (...a: unknown[]) => unknown };
  const { read, readSync } = engine;
  let n = 0;
  engine.read = function (this: unknown, ...a: unknown[]) {
    n++;
    return read.apply(this, a);
  };
  engine.readSync = function (this: unknown, ...a: unknown[]) {
    n++;
    return readSync.apply(this, a);
  };
  return { count: () => n, restore: () => Object.assign(engine, { read, readSync }) };
}

function pipelineCount(): number | undefined {
  const b = tf.backend() as unknown as { pipelineCache?: object };
  return tf.getBackend() === 'webgpu' && b.pipelineCache ? Object.keys(b.pipelineCache).length : undefined;
}

function heapBytes(): number | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const w = (tf.backend() as unknown as { wasm: { HEAPU8?: Uint8Array } }).wasm;
  return w.HEAPU8?.buffer.byteLength;
}

async function timedStep(t: Trainer): Promise<number> {
  const t0 = performance.now();
  t.trainStep();
  await t.flush();
  return performance.now() - t0;
}

/** Kernels and dispatches of one step (tf.profile), and its peak bytes. */
async function profileStep(t: Trainer, withProfile: boolean): Promise<{ kernels: number; dispatches?: number; peakBytes?: number }> {
  const dispatches = dispatchCounter();
  const d0 = dispatches?.count() ?? 0;
  let kernels = 0;
  let peakBytes: number | undefined;
  if (withProfile) {
    const info = await tf.profile(() => t.trainStep());
    kernels = info.kernels.length;
    peakBytes = info.peakBytes;
  } else t.trainStep();
  await t.flush();
  const d = dispatches ? dispatches.count() - d0 : undefined;
  dispatches?.restore();
  return { kernels, dispatches: d, peakBytes };
}

/**
 * Times groups of k steps; returns the median ms per step and the counters. With `endurance`, the
 * numTensors and GPU bytes at step 10 and at the end are the point.
 */
async function timedSteps(t: Trainer, steps: number, k: number) {
  const dispatches = dispatchCounter();
  const reads = readCounter();
  const d0 = dispatches?.count() ?? 0;
  const times: number[] = [];
  let numTensorsStep10 = -1;
  let gpuBytesStep10: number | undefined;
  let heapBytesStep10: number | undefined;
  let done = 0;
  try {
    while (done < steps) {
      const n = Math.min(k, steps - done);
      const s = performance.now();
      for (let i = 0; i < n; i++) t.trainStep();
      await t.flush();
      times.push((performance.now() - s) / n);
      done += n;
      if (numTensorsStep10 < 0 && t.step >= 10) {
        numTensorsStep10 = tf.memory().numTensors;
        gpuBytesStep10 = gpuBytesAllocated();
        heapBytesStep10 = heapBytes();
      }
    }
  } finally {
    reads.restore();
    dispatches?.restore();
  }
  return {
    msPerStep: median(times),
    readbacksPerStep: reads.count() / steps,
    dispatchesPerStep: dispatches ? (dispatches.count() - d0) / steps : undefined,
    numTensorsStep10: numTensorsStep10 < 0 ? tf.memory().numTensors : numTensorsStep10,
    gpuBytesStep10,
    heapBytesStep10,
  };
}

/** Measures one job on the active backend (fused kernels on, and optionally off for comparison). */
export async function measureTraining(job: BenchJob, dataset: Dataset, where: { backend: string; device?: string; kind?: 'speed' | 'endurance' }): Promise<TrainRow> {
  const fusedBefore = fusedOpsEnabled();
  setFusedOps(true);
  const c = job.config;
  const pipes0 = pipelineCount();
  const trainer = new Trainer(c, dataset);
  let row: TrainRow;
  try {
    const warmupMs = await timedStep(trainer);
    const secondStepMs = await timedStep(trainer);
    const pipes1 = pipelineCount();
    const prof = await profileStep(trainer, job.profile !== false);
    const timed = await timedSteps(trainer, job.steps, job.flushEvery);
    const flopsPerStep = 3 * trainer.net.forwardFlops * c.batch;
    const side = c.dataset === 'mnist' ? 28 : trainer.net.sampleShape[0];
    row = {
      suite: 'train',
      kind: where.kind ?? 'speed',
      name: job.name,
      backend: where.backend,
      device: where.device,
      note: job.note,
      batch: c.batch,
      patch: c.patch,
      tokens: (side / c.patch) ** 2,
      depth: c.depth,
      dim: c.dim,
      params: countParams(trainer.net),
      steps: job.steps,
      flushEvery: job.flushEvery,
      msPerStep: timed.msPerStep,
      imgPerSec: (1000 / timed.msPerStep) * c.batch,
      flopsPerStep,
      gflops: flopsPerStep / timed.msPerStep / 1e6,
      warmupMs,
      secondStepMs,
      pipelinesCompiled: pipes0 !== undefined && pipes1 !== undefined ? pipes1 - pipes0 : undefined,
      peakBytes: prof.peakBytes,
      kernelsPerStep: prof.kernels,
      dispatchesPerStep: timed.dispatchesPerStep,
      readbacksPerStep: timed.readbacksPerStep,
      numTensorsStep10: timed.numTensorsStep10,
      numTensorsLast: tf.memory().numTensors,
      gpuBytesStep10: timed.gpuBytesStep10,
      gpuBytesLast: gpuBytesAllocated(),
      heapBytesStep10: timed.heapBytesStep10,
    };
  } finally {
    trainer.dispose();
  }
  row.heapBytes = heapBytes();
  if (job.unfused) {
    setFusedOps(false);
    const t = new Trainer(c, dataset);
    try {
      await timedStep(t);
      await timedStep(t);
      const prof = await profileStep(t, true);
      const timed = await timedSteps(t, Math.max(2, Math.min(job.steps, 2 * job.flushEvery)), job.flushEvery);
      row.unfusedMsPerStep = timed.msPerStep;
      row.unfusedKernelsPerStep = prof.kernels;
      row.unfusedDispatchesPerStep = timed.dispatchesPerStep;
      row.dispatchReduction = timed.dispatchesPerStep !== undefined && row.dispatchesPerStep ? timed.dispatchesPerStep / row.dispatchesPerStep : prof.kernels / row.kernelsPerStep;
    } finally {
      t.dispose();
    }
  }
  setFusedOps(fusedBefore);
  return row;
}
