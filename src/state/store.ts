// One zustand store made of slices (config, run, metrics, samples, ui); actions live in the store and
// talk to the worker through the client. Fast streams (metrics) are appended in place and published as a
// version counter, so charts re-render on their own schedule instead of the whole tree.

import { create } from 'zustand';
import type { BackendName, BackendReport } from '../core/backends';
import { makeConfig, type Config } from '../core/config';
import { getPreset } from '../core/presets';
import type { TrainingClient } from '../worker/client';
import type { MetricsBatch, RunState, SampleSettings, SamplesPayload, WorkerEvent } from '../worker/protocol';
import { readUrl, writeUrl, type UrlState } from './url';

export interface Series {
  step: number[];
  loss: number[];
  gradNorm: number[];
  lr: number[];
  msPerStep: number[]; // one per flush
  imgPerSec: number[];
  flushStep: number[];
  tSamples: number[]; // recent timesteps drawn (bounded)
  lossByT: { step: number; sum: Float64Array; count: Uint32Array }[]; // per flush, LOSS_BINS bins
}

export const LOSS_BINS = 20;
const MAX_T_SAMPLES = 20_000;

function emptySeries(): Series {
  return { step: [], loss: [], gradNorm: [], lr: [], msPerStep: [], imgPerSec: [], flushStep: [], tSamples: [], lossByT: [] };
}

export interface Notice {
  id: number;
  kind: 'error' | 'warning' | 'info';
  text: string;
  field?: string;
}

export interface AppState {
  // config slice
  preset: string;
  config: Config;
  backendRequest?: BackendName;
  // run slice
  report: BackendReport | null;
  runState: RunState;
  step: number;
  params: number;
  flopsPerStep: number;
  warmup: { active: boolean; ms?: number; pipelines?: number };
  memory: { numTensors: number; numBytes: number; gpuBytes?: number };
  elapsedMs: number;
  // metrics slice
  series: Series;
  seriesVersion: number;
  // samples slice
  samples: SamplesPayload | null;
  sampleSettings: SampleSettings;
  // ui slice
  notices: Notice[];
  theme: 'light' | 'dark';
  lastCheckpoint: { bytes: Uint8Array; step: number } | null;

  // actions
  connect(client: TrainingClient): () => void;
  applyPreset(name: string): void;
  setConfig(patch: Partial<Config>): void;
  play(): void;
  pause(): void;
  toggle(): void;
  stepOnce(n?: number): void;
  reset(): void;
  setSampleSettings(s: Partial<SampleSettings>): void;
  sampleNow(trajectory?: boolean): void;
  saveCheckpoint(): void;
  loadCheckpoint(bytes: Uint8Array): void;
  notify(kind: Notice['kind'], text: string, field?: string): void;
  dismiss(id: number): void;
  setTheme(t: 'light' | 'dark'): void;
}

let client: TrainingClient | null = null;
let noticeId = 0;

function initialFromUrl(): UrlState {
  return typeof window === 'undefined' ? readUrl('') : readUrl(window.location.search);
}

const fromUrl = initialFromUrl();

export const useApp = create<AppState>()((set, get) => ({
  preset: fromUrl.preset,
  config: fromUrl.config,
  backendRequest: fromUrl.backend,
  report: null,
  runState: 'booting',
  step: 0,
  params: 0,
  flopsPerStep: 0,
  warmup: { active: false },
  memory: { numTensors: 0, numBytes: 0 },
  elapsedMs: 0,
  series: emptySeries(),
  seriesVersion: 0,
  samples: null,
  sampleSettings: { sampler: fromUrl.config.sampler, steps: fromUrl.config.sampleSteps, guidance: fromUrl.config.cfg, every: 50 },
  notices: fromUrl.errors.map((e) => ({ id: ++noticeId, kind: 'warning' as const, text: `URL: ${e.message} — using the default`, field: e.field })),
  theme: typeof window !== 'undefined' && window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light',
  lastCheckpoint: null,

  connect(c) {
    client = c;
    const off = c.subscribe((e) => onEvent(e, set, get));
    c.send({ type: 'init', backend: get().backendRequest, assetBase: new URL('./', document.baseURI).href });
    c.send({ type: 'sampleSettings', settings: get().sampleSettings });
    c.send({ type: 'configure', config: get().config });
    return () => {
      off();
      client = null;
    };
  },
  applyPreset(name) {
    const config = makeConfig({}, getPreset(name).config);
    set({ preset: name, config, series: emptySeries(), seriesVersion: get().seriesVersion + 1, samples: null });
    writeUrl(name, config, get().backendRequest);
    client?.send({ type: 'configure', config });
  },
  setConfig(patch) {
    const config = { ...get().config, ...patch };
    set({ config, series: emptySeries(), seriesVersion: get().seriesVersion + 1, samples: null });
    writeUrl(get().preset, config, get().backendRequest);
    client?.send({ type: 'configure', config });
  },
  play: () => client?.send({ type: 'play' }),
  pause: () => client?.send({ type: 'pause' }),
  toggle() {
    if (get().runState === 'running') get().pause();
    else get().play();
  },
  stepOnce: (n = 1) => client?.send({ type: 'step', n }),
  reset() {
    set({ series: emptySeries(), seriesVersion: get().seriesVersion + 1, samples: null, elapsedMs: 0 });
    client?.send({ type: 'reset' });
  },
  setSampleSettings(s) {
    const sampleSettings = { ...get().sampleSettings, ...s };
    set({ sampleSettings });
    client?.send({ type: 'sampleSettings', settings: s });
  },
  sampleNow: (trajectory = false) => client?.send({ type: 'sampleNow', trajectory }),
  saveCheckpoint: () => client?.send({ type: 'saveCheckpoint' }),
  loadCheckpoint(bytes) {
    client?.send({ type: 'loadCheckpoint', bytes }, [bytes.buffer as ArrayBuffer]);
  },
  notify(kind, text, field) {
    set({ notices: [...get().notices, { id: ++noticeId, kind, text, field }].slice(-5) });
  },
  dismiss: (id) => set({ notices: get().notices.filter((n) => n.id !== id) }),
  setTheme: (theme) => set({ theme }),
}));

type Set = (p: Partial<AppState>) => void;
type Get = () => AppState;

function appendMetrics(s: Series, b: MetricsBatch): void {
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
  for (let i = 0; i < b.t.length; i++) s.tSamples.push(b.t[i]);
  if (s.tSamples.length > MAX_T_SAMPLES) s.tSamples.splice(0, s.tSamples.length - MAX_T_SAMPLES);
  const sum = new Float64Array(LOSS_BINS);
  const count = new Uint32Array(LOSS_BINS);
  for (let i = 0; i < b.t.length; i++) {
    const k = Math.min(LOSS_BINS - 1, Math.max(0, Math.floor(b.t[i] * LOSS_BINS)));
    if (Number.isFinite(b.lossPerSample[i])) {
      sum[k] += b.lossPerSample[i];
      count[k]++;
    }
  }
  s.lossByT.push({ step: last, sum, count });
}

function onEvent(e: WorkerEvent, set: Set, get: Get): void {
  switch (e.type) {
    case 'ready':
      set({ report: e.report });
      return;
    case 'state':
      set({ runState: e.state, step: e.step });
      if (e.state === 'diverged' && e.message) get().notify('error', `Training diverged: ${e.message}`);
      return;
    case 'configured':
      set({ params: e.params, flopsPerStep: e.flopsPerStep, step: 0 });
      return;
    case 'metrics': {
      const series = get().series;
      appendMetrics(series, e.batch);
      const b = e.batch;
      set({ seriesVersion: get().seriesVersion + 1, step: b.step[b.step.length - 1], memory: { numTensors: b.numTensors, numBytes: b.numBytes, gpuBytes: b.gpuBytes }, elapsedMs: b.elapsedMs });
      return;
    }
    case 'samples':
      set({ samples: e.samples });
      return;
    case 'warmup':
      set({ warmup: { active: e.phase === 'start', ms: e.ms, pipelines: e.pipelines } });
      return;
    case 'checkpoint':
      set({ lastCheckpoint: { bytes: e.bytes, step: e.step } });
      return;
    case 'error':
      get().notify('error', e.message, e.field);
      return;
  }
}
