// Messages between the bench page and its worker (tfjs lives in the worker only, as in the app).
import type { BenchJob, TrainRow } from './measure';

export interface PageJob {
  backend: 'wasm' | 'webgpu';
  job: Omit<BenchJob, 'config'> & { overrides: Record<string, string | number> };
  kind?: 'speed' | 'endurance';
  peak?: boolean;
  /** false keeps the wasm GEMM on one thread (side-by-side comparison). */
  gemmThreads?: boolean;
}

export type WorkerReply = { ok: true; row: TrainRow } | { ok: false; error: string };

declare global {
  interface Window {
    __bench?: { done: boolean; row?: TrainRow; error?: string };
  }
}
