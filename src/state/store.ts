// One zustand store made of slices (config, run, metrics, samples, inspection, upload, ui); actions live in
// the store and talk to the worker through the client. Fast streams (metrics) are appended in place and
// published as a version counter, and worker events are applied at most once per animation frame, so the
// page renders on its own schedule however fast training runs.

import { create } from 'zustand';
import type { BackendName, BackendReport } from '../core/backends';
import type { Config, ConfigKey } from '../core/config';
import type { PathName } from '../core/flow';
import type { TrainingClient } from '../worker/client';
import type {
  AttentionBench,
  AttentionInfo,
  AttentionMapPayload,
  DataPreview,
  DatasetSummary,
  RunState,
  SampleSettings,
  SamplesPayload,
  ScheduleTables,
  UploadItem,
  VelocityFieldPayload,
  WorkerEvent,
} from '../worker/protocol';
import { editConfig } from './config_edit';
import { appendMetrics, emptySeries, type Series } from './series';
import { getStory } from './stories';
import { readUrl, writeUrl, type UrlState } from './url';

export type { Series } from './series';

export interface Notice {
  id: number;
  kind: 'error' | 'warning' | 'info';
  text: string;
  field?: string;
}

export interface UploadState {
  status: 'none' | 'decoding' | 'ready' | 'failed';
  done: number;
  total: number;
  message?: string;
  skipped: string[];
}

export interface WarmupState {
  active: boolean;
  what?: 'train' | 'sample';
  since?: number; // performance.now() on the page when it started
  ms?: number;
  pipelines?: number;
  sampleMs?: number;
}

export interface AttentionMapRequest {
  query: number;
  t: number;
  index: number;
  head: number;
}

export interface AppState {
  // config slice
  preset: string;
  config: Config;
  backendRequest?: BackendName;
  story: string | null;
  // run slice
  report: BackendReport | null;
  schedules: ScheduleTables | null;
  runState: RunState;
  stateMessage?: string;
  step: number;
  params: number;
  flopsPerStep: number;
  dataset: DatasetSummary | null;
  attentionInfo: AttentionInfo | null;
  preview: DataPreview | null;
  warmup: WarmupState;
  memory: { numTensors: number; numBytes: number; gpuBytes?: number };
  elapsedMs: number;
  // metrics slice
  series: Series;
  seriesVersion: number;
  // samples slice
  samples: SamplesPayload | null;
  sampleSettings: SampleSettings;
  field: VelocityFieldPayload | null;
  // inspection slice
  attentionBench: AttentionBench | null;
  attentionBenchProgress: { done: number; total: number } | null;
  attentionMap: AttentionMapPayload | null;
  attentionRequest: AttentionMapRequest;
  // upload slice
  upload: UploadState;
  // ui slice
  notices: Notice[];
  theme: 'light' | 'dark';
  comparePaths: PathName[];
  lastCheckpoint: { bytes: Uint8Array; step: number } | null;

  // actions
  connect(client: TrainingClient): () => void;
  applyPreset(name: string): void;
  loadQuery(query: string, story?: string | null): void;
  loadStory(id: string, variant?: number): void;
  setConfig(patch: Partial<Config>): void;
  editField(key: ConfigKey, raw: unknown): string | null;
  play(): void;
  pause(): void;
  toggle(): void;
  stepOnce(n?: number): void;
  reset(): void;
  setSampleSettings(s: Partial<SampleSettings>): void;
  sampleNow(): void;
  saveCheckpoint(): void;
  loadCheckpoint(bytes: Uint8Array): void;
  uploadFiles(items: UploadItem[], useLabels: boolean): void;
  clearUpload(): void;
  measureAttention(lengths: number[]): void;
  requestAttentionMap(r: Partial<AttentionMapRequest>): void;
  togglePath(p: PathName): void;
  notify(kind: Notice['kind'], text: string, field?: string): void;
  dismiss(id: number): void;
  setTheme(t: 'light' | 'dark'): void;
}

let client: TrainingClient | null = null;
let noticeId = 0;
/** Set when the page asked for a new run: metrics and samples of the old one still in flight are dropped. */
let awaitingRun = false;

function initialFromUrl(): UrlState {
  return typeof window === 'undefined' ? readUrl('') : readUrl(window.location.search);
}

const fromUrl = initialFromUrl();
const SAMPLE_EVERY = 50;

const freshRun = () => ({ series: emptySeries(), samples: null, field: null, attentionMap: null, elapsedMs: 0, step: 0 });

export const useApp = create<AppState>()((set, get) => {
  /** Sends the current config to the worker (a new run) and writes it to the URL. */
  const reconfigure = (config: Config, extra: Partial<AppState> = {}) => {
    awaitingRun = true;
    set({ config, ...freshRun(), seriesVersion: get().seriesVersion + 1, sampleSettings: { ...get().sampleSettings, sampler: config.sampler, steps: config.sampleSteps, guidance: config.cfg }, ...extra });
    writeUrl(get().preset, config, get().backendRequest);
    // The worker takes the sampling settings from the config; the refresh interval carries over.
    client?.send({ type: 'configure', config });
  };
  return {
    preset: fromUrl.preset,
    config: fromUrl.config,
    backendRequest: fromUrl.backend,
    story: null,
    report: null,
    schedules: null,
    runState: 'booting',
    step: 0,
    params: 0,
    flopsPerStep: 0,
    dataset: null,
    attentionInfo: null,
    preview: null,
    warmup: { active: false },
    memory: { numTensors: 0, numBytes: 0 },
    elapsedMs: 0,
    series: emptySeries(),
    seriesVersion: 0,
    samples: null,
    sampleSettings: { sampler: fromUrl.config.sampler, steps: fromUrl.config.sampleSteps, guidance: fromUrl.config.cfg, every: SAMPLE_EVERY },
    field: null,
    attentionBench: null,
    attentionBenchProgress: null,
    attentionMap: null,
    attentionRequest: { query: 0, t: 0.3, index: 0, head: 0 },
    upload: { status: 'none', done: 0, total: 0, skipped: [] },
    notices: fromUrl.errors.map((e) => ({ id: ++noticeId, kind: 'warning' as const, text: `URL: ${e.message} — using the default`, field: e.field })),
    theme: typeof window !== 'undefined' && window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light',
    comparePaths: [],
    lastCheckpoint: null,

    connect(c) {
      client = c;
      const off = c.subscribe(bridge(set, get));
      c.send({ type: 'init', backend: get().backendRequest, assetBase: new URL('./', document.baseURI).href });
      c.send({ type: 'sampleSettings', settings: get().sampleSettings });
      c.send({ type: 'configure', config: get().config });
      // Canonical form of what was read (bad values replaced by defaults), so the address bar shows the run.
      writeUrl(get().preset, get().config, get().backendRequest);
      return () => {
        off();
        client = null;
      };
    },
    applyPreset(name) {
      get().loadQuery(`preset=${encodeURIComponent(name)}`);
    },
    loadQuery(query, story = null) {
      const u = readUrl(query.startsWith('?') ? query : `?${query}`);
      for (const e of u.errors) get().notify('warning', `${e.message} — using the default`, e.field);
      set({ preset: u.preset, story });
      reconfigure(u.config);
    },
    loadStory(id, variant = 0) {
      const s = getStory(id);
      const v = s.variants[Math.min(Math.max(0, variant), s.variants.length - 1)];
      get().loadQuery(v.query, id);
    },
    setConfig(patch) {
      reconfigure({ ...get().config, ...patch });
    },
    editField(key, raw) {
      // Sampling settings re-sample without restarting training.
      if (key === 'sampler' || key === 'sampleSteps' || key === 'cfg') {
        const r = editConfig(get().config, key, raw);
        if (r.error) return r.error.message;
        const c = r.config!;
        get().setSampleSettings({ sampler: c.sampler, steps: c.sampleSteps, guidance: c.cfg });
        return null;
      }
      const r = editConfig(get().config, key, raw);
      if (r.error) return r.error.message;
      for (const a of r.adjusted) get().notify('info', a);
      reconfigure(r.config!);
      return null;
    },
    play: () => client?.send({ type: 'play' }),
    pause: () => client?.send({ type: 'pause' }),
    toggle() {
      if (get().runState === 'running') get().pause();
      else get().play();
    },
    stepOnce: (n = 1) => client?.send({ type: 'step', n }),
    reset() {
      awaitingRun = true;
      set({ ...freshRun(), seriesVersion: get().seriesVersion + 1, stateMessage: undefined });
      client?.send({ type: 'reset' });
    },
    setSampleSettings(s) {
      const sampleSettings = { ...get().sampleSettings, ...s };
      const config = { ...get().config, sampler: sampleSettings.sampler, sampleSteps: sampleSettings.steps, cfg: sampleSettings.guidance };
      set({ sampleSettings, config });
      writeUrl(get().preset, config, get().backendRequest);
      client?.send({ type: 'sampleSettings', settings: s });
    },
    sampleNow: () => client?.send({ type: 'sampleNow' }),
    saveCheckpoint: () => client?.send({ type: 'saveCheckpoint' }),
    loadCheckpoint(bytes) {
      client?.send({ type: 'loadCheckpoint', bytes }, [bytes.buffer as ArrayBuffer]);
    },
    uploadFiles(items, useLabels) {
      set({ upload: { status: 'decoding', done: 0, total: items.length, skipped: [] } });
      client?.send({ type: 'upload', items, useLabels });
    },
    clearUpload() {
      set({ upload: { status: 'none', done: 0, total: 0, skipped: [] } });
      client?.send({ type: 'clearUpload' });
    },
    measureAttention(lengths) {
      set({ attentionBenchProgress: { done: 0, total: lengths.length * 4 } });
      client?.send({ type: 'measureAttention', lengths });
    },
    requestAttentionMap(r) {
      const attentionRequest = { ...get().attentionRequest, ...r };
      set({ attentionRequest });
      const { query, t, index } = attentionRequest;
      if (r.head === undefined || Object.keys(r).length > 1 || !get().attentionMap) client?.send({ type: 'attentionMap', query, t, index });
    },
    togglePath(p) {
      const cur = get().comparePaths;
      set({ comparePaths: cur.includes(p) ? cur.filter((x) => x !== p) : [...cur, p] });
    },
    notify(kind, text, field) {
      set({ notices: [...get().notices, { id: ++noticeId, kind, text, field }].slice(-5) });
    },
    dismiss: (id) => set({ notices: get().notices.filter((n) => n.id !== id) }),
    setTheme: (theme) => set({ theme }),
  };
});

type Set = (p: Partial<AppState>) => void;
type Get = () => AppState;

/**
 * Worker events → store. Events are folded into one pending patch and applied once per animation frame
 * (a metrics burst becomes one render), with a timer where frames do not run (hidden tabs).
 */
function bridge(set: Set, get: Get): (e: WorkerEvent) => void {
  let pending: Partial<AppState> = {};
  let seriesDirty = false;
  let scheduled = false;
  const apply = () => {
    scheduled = false;
    const patch = pending;
    pending = {};
    if (seriesDirty) {
      patch.seriesVersion = get().seriesVersion + 1;
      seriesDirty = false;
    }
    set(patch);
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    if (typeof requestAnimationFrame === 'undefined') return void queueMicrotask(apply);
    // Frames do not run in a hidden tab: fall back to a timer there.
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') setTimeout(apply, 100);
    else requestAnimationFrame(apply);
  };
  const patch = (p: Partial<AppState>) => {
    Object.assign(pending, p);
    schedule();
  };
  return (e) => {
    switch (e.type) {
      case 'ready':
        patch({ report: e.report, schedules: e.schedules });
        return;
      case 'state':
        patch({ runState: e.state, step: e.step, stateMessage: e.message });
        return;
      case 'configured':
        awaitingRun = false;
        // A new run, whoever asked for it (the page, or the worker after an upload): fresh series at once, so
        // metrics that follow in the same frame land in them.
        delete pending.samples;
        delete pending.field;
        set({ ...freshRun(), seriesVersion: get().seriesVersion + 1 });
        patch({ params: e.params, flopsPerStep: e.flopsPerStep, step: 0, dataset: e.dataset, attentionInfo: e.attention, attentionMap: null });
        return;
      case 'dataPreview':
        patch({ preview: e.preview });
        return;
      case 'metrics': {
        if (awaitingRun) return;
        appendMetrics(get().series, e.batch);
        seriesDirty = true;
        const b = e.batch;
        patch({ step: b.step[b.step.length - 1], memory: { numTensors: b.numTensors, numBytes: b.numBytes, gpuBytes: b.gpuBytes }, elapsedMs: b.elapsedMs });
        return;
      }
      case 'samples':
        if (!awaitingRun) patch({ samples: e.samples });
        return;
      case 'velocityField':
        if (!awaitingRun) patch({ field: e.field });
        return;
      case 'warmup': {
        const w = get().warmup;
        const now = typeof performance !== 'undefined' ? performance.now() : 0;
        if (e.phase === 'start') patch({ warmup: { ...w, active: true, what: e.what, since: now } });
        else if (e.what === 'train') patch({ warmup: { ...w, active: false, ms: e.ms, pipelines: e.pipelines } });
        else patch({ warmup: { ...w, active: false, sampleMs: e.ms, pipelines: e.pipelines ?? w.pipelines } });
        return;
      }
      case 'checkpoint':
        patch({ lastCheckpoint: { bytes: e.bytes, step: e.step } });
        return;
      case 'upload': {
        const u = get().upload;
        if (e.status === 'decoding') patch({ upload: { ...u, status: 'decoding', done: e.done ?? 0, total: e.total ?? u.total } });
        else if (e.status === 'ready') patch({ upload: { status: 'ready', done: e.done ?? 0, total: e.total ?? 0, skipped: e.skipped ?? [] } });
        else if (e.status === 'cleared') patch({ upload: { status: 'none', done: 0, total: 0, skipped: [] } });
        else {
          patch({ upload: { ...u, status: u.status === 'decoding' ? 'failed' : u.status, message: e.message, skipped: e.skipped ?? u.skipped } });
          if (e.message) get().notify('warning', `Your images: ${e.message}`, 'upload');
        }
        return;
      }
      case 'attentionBench':
        patch({ attentionBench: e.bench, attentionBenchProgress: e.progress && e.progress.done < e.progress.total ? e.progress : null });
        return;
      case 'attentionMap':
        patch({ attentionMap: e.map });
        return;
      case 'error':
        awaitingRun = false; // a configure that failed leaves the old run in place
        get().notify('error', e.message, e.field);
        return;
    }
  };
}
