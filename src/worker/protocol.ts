// The typed message protocol between the page and the training worker: a discriminated union of
// commands (page → worker) and events (worker → page). Metrics travel as compact typed-array batches.

import type { BackendName, BackendReport } from '../core/backends';
import type { Config } from '../core/config';
import type { SamplerName } from '../core/flow';

export interface SampleSettings {
  sampler: SamplerName;
  steps: number;
  guidance: number;
  /** Refresh the sample grid every N training steps (0 = only on request). */
  every: number;
}

export type Command =
  | { type: 'init'; backend?: BackendName; assetBase: string }
  | { type: 'configure'; config: Config } // builds a fresh run (reset)
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step'; n: number }
  | { type: 'reset' }
  | { type: 'sampleSettings'; settings: Partial<SampleSettings> }
  | { type: 'sampleNow'; trajectory?: boolean }
  | { type: 'saveCheckpoint' }
  | { type: 'loadCheckpoint'; bytes: Uint8Array };

export type RunState = 'booting' | 'idle' | 'running' | 'paused' | 'diverged' | 'error';

/** One batch of training metrics: parallel arrays, one entry per step. */
export interface MetricsBatch {
  step: Int32Array;
  loss: Float32Array;
  gradNorm: Float32Array;
  lr: Float32Array;
  /** Average wall time per step over the batch (GPU work is asynchronous, so per-step times are averages). */
  msPerStep: number;
  imgPerSec: number;
  /** All timesteps drawn in the batch (for the live histogram). */
  t: Float32Array;
  /** Per-sample losses paired with `t`. */
  lossPerSample: Float32Array;
  numTensors: number;
  numBytes: number;
  gpuBytes?: number;
  elapsedMs: number;
}

export interface SamplesPayload {
  step: number;
  n: number;
  shape: number[]; // per sample
  x: Float32Array; // n · prod(shape)
  labels: Int32Array;
  nfe: number;
  ms: number;
  sampler: SamplerName;
  steps: number;
  guidance: number;
  /** x_t along the ODE at each solver time, when asked for (trajectory strip, particles). */
  trajectory?: Float32Array[];
}

export type WorkerEvent =
  | { type: 'ready'; report: BackendReport }
  | { type: 'state'; state: RunState; step: number; message?: string }
  | { type: 'configured'; config: Config; params: number; flopsPerStep: number }
  | { type: 'metrics'; batch: MetricsBatch }
  | { type: 'samples'; samples: SamplesPayload }
  | { type: 'warmup'; phase: 'start' | 'done'; ms?: number; pipelines?: number }
  | { type: 'checkpoint'; bytes: Uint8Array; step: number }
  | { type: 'error'; message: string; field?: string };
