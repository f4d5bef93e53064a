// The metrics slice's data: per-step arrays, per-flush figures, the running histogram of drawn timesteps and
// the loss-by-timestep columns. Appended in place (no copies per batch); the store publishes a version.

import { binLossByT } from '../core/flow/loss_bins';
import { histogram } from '../core/viz/histogram';
import type { LossColumn } from '../core/viz/heatmap';
import type { MetricsBatch } from '../worker/protocol';

export const LOSS_BINS = 20;
export const T_HIST_BINS = 40;

export interface Series {
  step: number[];
  loss: number[];
  gradNorm: number[];
  lr: number[];
  // one entry per flush
  flushStep: number[];
  msPerStep: number[];
  imgPerSec: number[];
  numTensors: number[];
  numBytes: number[];
  /** Every timestep drawn so far, binned on [0, 1]. */
  tHist: Uint32Array;
  tCount: number;
  lossByT: LossColumn[];
}

export function emptySeries(): Series {
  return { step: [], loss: [], gradNorm: [], lr: [], flushStep: [], msPerStep: [], imgPerSec: [], numTensors: [], numBytes: [], tHist: new Uint32Array(T_HIST_BINS), tCount: 0, lossByT: [] };
}

export function appendMetrics(s: Series, b: MetricsBatch): void {
  for (let i = 0; i < b.step.length; i++) {
    s.step.push(b.step[i]);
    s.loss.push(b.loss[i]);
    s.gradNorm.push(b.gradNorm[i]);
    s.lr.push(b.lr[i]);
  }
  const last = b.step[b.step.length - 1];
  s.flushStep.push(last);
  s.msPerStep.push(b.msPerStep);
  s.imgPerSec.push(b.imgPerSec);
  s.numTensors.push(b.numTensors);
  s.numBytes.push(b.numBytes);
  histogram(b.t, T_HIST_BINS, 0, 1, s.tHist);
  s.tCount += b.t.length;
  const bins = binLossByT(b.t, b.lossPerSample, LOSS_BINS);
  s.lossByT.push({ step: last, sum: bins.sum, count: bins.count });
}
