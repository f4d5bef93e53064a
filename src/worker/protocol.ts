// The typed message protocol between the page and the training worker: a discriminated union of
// commands (page → worker) and events (worker → page). Metrics travel as compact typed-array batches,
// images as typed arrays; everything here is structured-cloneable.

import type { AttentionKind } from '../core/attention';
import type { BackendName, BackendReport } from '../core/backends';
import type { EvalInputs, QualityRow } from '../core/compare/run_record';
import type { Config } from '../core/config';
import type { PathName, SamplerName } from '../core/flow';

export interface SampleSettings {
  sampler: SamplerName;
  steps: number;
  guidance: number;
  /** Refresh the sample grid every N training steps (0 = only on request). */
  every: number;
}

/** Largest image file accepted (a big phone photo, with room to spare); the page checks it before sending. */
export const MAX_UPLOAD_FILE_BYTES = 40 * 1024 * 1024;

/** One dropped file and its label (the folder it came from), decoded in the worker. */
export interface UploadItem {
  file: Blob;
  name: string;
  label?: string;
}

export type Command =
  | { type: 'init'; backend?: BackendName; assetBase: string }
  | { type: 'configure'; config: Config } // builds a fresh run (reset)
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step'; n: number }
  | { type: 'reset' }
  | { type: 'sampleSettings'; settings: Partial<SampleSettings> }
  | { type: 'sampleNow' }
  | { type: 'saveCheckpoint' }
  | { type: 'loadCheckpoint'; bytes: Uint8Array }
  /** Train on the user's images (resized to the model's size); replaces any earlier upload. */
  | { type: 'upload'; items: UploadItem[]; useLabels: boolean }
  | { type: 'clearUpload' }
  /** Memory and time of one forward + backward attention pass per variant and length. */
  | { type: 'measureAttention'; lengths: number[]; kinds?: AttentionKind[] }
  /** Attention weights of the first DiT block for one query patch of a preview image noised to time t. */
  | { type: 'attentionMap'; query: number; t: number; index: number }
  /** Sample quality of the current run's EMA weights against held-out data: n samples of the seed's fixed noise per solver step count. */
  | { type: 'evaluateQuality'; n: number; steps: number[] }
  /** The learned velocity field of a 2D model on a grid, at the given times. */
  | { type: 'velocityField'; times: number[]; grid: number; extent: number };

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
  /** Standard deviation of x (0 for a blank grid). */
  spread: number;
  /** Fingerprints (FNV-1a) of the noise and labels sampled from: equal in two runs means the same fixed inputs. */
  noiseFingerprint: string;
  labelsFingerprint: string;
  /** The solver times of the trajectory frames, decreasing from noise to data. */
  times: number[];
  /** Points: every particle's x_t at each of `times` (each frame [n·2]). */
  trajectory?: Float32Array[];
  /** Images: the sample grid, composed in the worker (one column per class), ready to blit. */
  grid?: RgbaImage;
  /** Images: x_t of a few samples (one per class) at each of `times`: rows are samples, columns times. */
  strip?: RgbaImage & { rows: number };
}

export interface RgbaImage {
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
}

/** What the run trains on (a registered dataset, or the user's images resized to its shape). */
export interface DatasetSummary {
  name: string;
  source: 'builtin' | 'upload';
  kind: 'image' | 'points';
  shape: number[];
  numClasses: number;
  classNames: string[];
  description: string;
  size: number; // Infinity for procedural streams
}

/** A few held-out training samples and fixed noise: the noise-schedule strip and the attention maps use them. */
export interface DataPreview {
  shape: number[];
  n: number;
  x: Float32Array; // n · prod(shape), in [-1, 1]
  eps: Float32Array; // the same size, standard normal
  labels: Int32Array;
}

/** α(t), σ(t) and log-SNR of every registered path on a grid of t (the curves of the schedule panel). */
export interface ScheduleTables {
  t: Float32Array;
  paths: Record<PathName, { alpha: Float32Array; sigma: Float32Array; logSnr: Float32Array }>;
}

/** Which attention actually runs for this config on this backend, and why. */
export interface AttentionInfo {
  requested: AttentionKind;
  ran: AttentionKind;
  exact: boolean;
  note?: string;
  tokens: number;
  heads: number;
  kvHeads: number;
  headSize: number;
}

export interface AttentionBenchRow {
  kind: AttentionKind;
  ran: AttentionKind;
  exact: boolean;
  N: number;
  status: 'ok' | 'skipped' | 'error';
  peakBytes?: number; // tf.profile(step).peakBytes
  ms?: number; // median wall time of forward + backward
  note?: string;
}

export interface AttentionBench {
  backend: string;
  B: number;
  heads: number;
  kvHeads: number;
  headSize: number;
  rows: AttentionBenchRow[];
}

export interface AttentionMapPayload {
  step: number;
  query: number;
  t: number;
  index: number;
  kind: AttentionKind; // weights shown: softmax, or linear attention's normalised kernel weights
  heads: number;
  grid: number; // tokens per side
  weights: Float32Array; // [heads, grid²]
  image: Float32Array; // the noised input x_t, [H, W, C]
  shape: number[];
}

export interface VelocityFieldPayload {
  step: number;
  grid: number; // points per side
  extent: number; // the grid spans [−extent, extent]²
  times: number[];
  label: number; // the class whose field is shown (nullLabel = unconditional)
  conditional: boolean;
  /** Per time, [grid², 2] of dx/dt (sampling runs t from 1 to 0, so particles move along −v). */
  v: Float32Array[];
}

export type WorkerEvent =
  | { type: 'ready'; report: BackendReport; schedules: ScheduleTables }
  | { type: 'state'; state: RunState; step: number; message?: string }
  | { type: 'configured'; config: Config; params: number; flopsPerStep: number; dataset: DatasetSummary; attention: AttentionInfo | null }
  | { type: 'metrics'; batch: MetricsBatch }
  | { type: 'samples'; samples: SamplesPayload }
  | { type: 'dataPreview'; preview: DataPreview }
  | { type: 'warmup'; phase: 'start' | 'done'; what: 'train' | 'sample'; ms?: number; pipelines?: number }
  | { type: 'checkpoint'; bytes: Uint8Array; step: number }
  | { type: 'upload'; status: 'decoding' | 'ready' | 'cleared' | 'failed'; done?: number; total?: number; message?: string; skipped?: string[] }
  | { type: 'attentionBench'; bench: AttentionBench; progress?: { done: number; total: number } }
  | { type: 'attentionMap'; map: AttentionMapPayload }
  | { type: 'velocityField'; field: VelocityFieldPayload }
  | { type: 'quality'; step: number; rows: QualityRow[]; eval: EvalInputs }
  | { type: 'error'; message: string; field?: string };
