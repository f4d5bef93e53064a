// A training client for store tests: records the commands the store sends and lets the test play the worker.
import type { TrainingClient } from '../worker/client';
import type { Command, MetricsBatch, WorkerEvent } from '../worker/protocol';

export function fakeClient() {
  const sent: Command[] = [];
  let listener: ((e: WorkerEvent) => void) | null = null;
  const client: TrainingClient = {
    send: (cmd) => void sent.push(cmd),
    subscribe: (fn) => {
      listener = fn;
      return () => (listener = null);
    },
    terminate: () => {},
  };
  return { client, sent, emit: (e: WorkerEvent) => listener!(e) };
}

/** Lets the store apply the events it batches. */
export const flush = () => new Promise<void>((r) => setTimeout(r, 0));

/** A metrics batch as the worker sends it: the given steps at one loss, the rest fixed (overridable). */
export function metricsBatch(steps: number[], loss = 1, extra: Partial<MetricsBatch> = {}): MetricsBatch {
  return {
    step: Int32Array.from(steps),
    loss: Float32Array.from(steps, () => loss),
    gradNorm: Float32Array.from(steps, () => 1),
    lr: Float32Array.from(steps, () => 1e-3),
    msPerStep: 10,
    imgPerSec: 100,
    t: Float32Array.from(steps, () => 0.5),
    lossPerSample: Float32Array.from(steps, () => loss),
    numTensors: 1,
    numBytes: 4,
    elapsedMs: 1,
    ...extra,
  };
}
