// A small typed API on window for end-to-end tests (installed only in test builds, VITE_TEST_API=1):
// tests read state instead of waiting on pixels.

import { PRESETS } from '../core/presets';
import { useApp, type AppState } from './store';
import { changedKeys } from './runs';
import { readUrl } from './url';

export interface TestState {
  backend: string | null;
  /** Threads of the wasm GEMM (2 with its helper worker), null off wasm. */
  gemmThreads: number | null;
  /** Whether the GEMM's helper computes in place on tfjs's heap (shared), null off wasm. */
  sharedHeap: boolean | null;
  runState: string;
  step: number;
  losses: number[];
  samplesStep: number;
  samplesSpread: number;
  samplesFrames: number;
  notices: string[];
  config: AppState['config'];
  preset: string;
  story: string | null;
  query: string;
  dataset: { name: string; source: string; size: number; numClasses: number } | null;
  previewN: number;
  schedules: boolean;
  tDrawn: number;
  lossByTColumns: number;
  flushes: number;
  fieldTimes: number;
  attentionMapStep: number;
  attentionBenchRows: { kind: string; N: number; status: string; peakBytes?: number }[];
  upload: AppState['upload'];
  warmup: AppState['warmup'];
  /** The compare view's runs, queue and duplicate baseline. */
  runs: { name: string; steps: number; timesteps: string; lossPoints: number; lossByTBins: number; fingerprint: string | null; origin: string }[];
  queued: number;
  queueActive: boolean;
  baselineChanged: string[];
  /** Quality against NFE of the current run (worker-computed): its step and sliced W₂ per row. */
  quality: { step: number; nfe: number[]; sw: number[] } | null;
}

export interface TestApi {
  state(): TestState;
  samples(): { n: number; shape: number[]; x: number[] } | null;
  store: typeof useApp;
  /** A preset's own settings (what selecting it must load). */
  preset(name: string): Record<string, unknown>;
  /** The config and errors a query string parses to (the app's URL parser). */
  parse(query: string): { preset: string; config: AppState['config']; errors: string[] };
}

declare global {
  interface Window {
    __fp?: TestApi;
  }
}

export function installTestApi(): void {
  window.__fp = {
    state() {
      const s = useApp.getState();
      return {
        backend: s.report?.name ?? null,
        gemmThreads: s.report?.wasm?.gemmThreads ?? null,
        sharedHeap: s.report?.wasm?.sharedHeap ?? null,
        runState: s.runState,
        step: s.step,
        losses: [...s.series.loss],
        samplesStep: s.samples?.step ?? -1,
        samplesSpread: s.samples?.spread ?? 0,
        samplesFrames: s.samples?.times.length ?? 0,
        notices: s.notices.map((n) => n.text),
        config: s.config,
        preset: s.preset,
        story: s.story,
        query: window.location.search,
        dataset: s.dataset && { name: s.dataset.name, source: s.dataset.source, size: s.dataset.size, numClasses: s.dataset.numClasses },
        previewN: s.preview?.n ?? 0,
        schedules: !!s.schedules,
        tDrawn: s.series.tCount,
        lossByTColumns: s.series.lossByT.length,
        flushes: s.series.flushStep.length,
        fieldTimes: s.field?.times.length ?? 0,
        attentionMapStep: s.attentionMap?.step ?? -1,
        attentionBenchRows: (s.attentionBench?.rows ?? []).map((r) => ({ kind: r.kind, N: r.N, status: r.status, peakBytes: r.peakBytes })),
        upload: s.upload,
        warmup: s.warmup,
        runs: s.runs.map((r) => ({
          name: r.record.name,
          steps: r.record.steps,
          timesteps: r.record.config.timesteps,
          lossPoints: r.record.lossCurve.step.length,
          lossByTBins: r.lossByT?.filter((x) => x !== null).length ?? 0,
          fingerprint: r.grid?.noise ?? null,
          origin: r.origin,
        })),
        queued: s.queue.length,
        queueActive: !!s.queueRun,
        baselineChanged: changedKeys(s.config, s.baseline?.config ?? null),
        quality: s.quality && { step: s.quality.step, nfe: s.quality.rows.map((r) => r.nfe), sw: s.quality.rows.map((r) => r.sw) },
      };
    },
    samples() {
      const s = useApp.getState().samples;
      return s ? { n: s.n, shape: s.shape, x: Array.from(s.x) } : null;
    },
    store: useApp,
    preset: (name) => ({ ...(PRESETS.find((p) => p.name === name)?.config ?? {}) }),
    parse(query) {
      const u = readUrl(query.startsWith('?') ? query : `?${query}`);
      return { preset: u.preset, config: u.config, errors: u.errors.map((e) => e.message) };
    },
  };
}
