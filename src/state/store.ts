// One zustand store made of slices (config, run, metrics, samples, inspection, upload, ui); actions live in
// the store and talk to the worker through the client. Fast streams (metrics) are appended in place and
// published as a version counter, and worker events are applied at most once per animation frame, so the
// page renders on its own schedule however fast training runs.

import { create } from 'zustand';
import type { BackendName, BackendReport } from '../core/backends';
import { diffConfigs, runName, type EvalInputs, type QualityRow } from '../core/compare/run_record';
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
import { loadStoredRuns, readCompareParam, recordRun, runsFromFile, storeRuns, type QueueItem, type SavedRun, type StorageLike } from './runs';
import { appendMetrics, emptySeries, type Series } from './series';
import { getStory } from './stories';
import { comparisonQuery, readUrl, writeUrl, type UrlState } from './url';

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

/** The queue at work: each config trains to `target` steps, is sampled, recorded, and the next starts. */
export interface QueueRun {
  target: number;
  item: QueueItem;
  phase: 'configuring' | 'training' | 'sampling' | 'evaluating';
  done: number;
  total: number;
  /** Evaluate quality against NFE (in the worker) before recording each run. */
  evaluate: boolean;
}

/** Quality against NFE in the page: n samples per solver step count (small, so it takes seconds, not minutes). */
export const QUALITY_N = 64;
export const QUALITY_STEPS = [4, 8, 32];

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
  // runs slice (the compare view)
  runs: SavedRun[];
  queue: QueueItem[];
  queueRun: QueueRun | null;
  /** The run the setup was duplicated from: the Setup form highlights the settings changed since. */
  baseline: { id: string; name: string; config: Config } | null;
  /** Largest GPU bytes reported in the current run (tf.memory().numBytesAllocatedInGPU). */
  gpuPeakBytes: number;
  /** Quality against NFE of the current run, computed in the worker on request. */
  quality: { step: number; rows: QualityRow[]; eval: EvalInputs } | null;
  qualityPending: boolean;
  /** Whether the queue evaluates quality before recording each run (set by startQueue). */
  queueEvaluate: boolean;

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
  /** Keeps the current run in the comparison; returns an error message or null. */
  addRun(name?: string): string | null;
  removeRun(id: string): void;
  clearRuns(): void;
  /** Loads a run's config into the setup (a new run) and highlights what changes from it. */
  duplicateRun(id: string): void;
  clearBaseline(): void;
  /** Queues a config (the current setup by default). */
  enqueue(config?: Config, name?: string): void;
  dequeue(id: string): void;
  /** Trains every queued config in turn to `steps` steps, recording each; returns an error message or null. */
  startQueue(steps: number, opts?: { evaluate?: boolean }): string | null;
  /** Quality against NFE of the current run's EMA weights (QUALITY_N samples at QUALITY_STEPS), computed in the worker. */
  evaluateQuality(): void;
  stopQueue(): void;
  /** The bridge's step of the queue: starts the next queued config (internal). */
  continueQueue(target: number, done: number, total: number): void;
  /** Adds the runs of a sweep or export file; returns an error naming the field (nothing is changed then) or null. */
  importRuns(text: string): string | null;
  /** The shareable comparison URL of the runs (configs only). */
  comparisonUrl(): string | null;
}

let client: TrainingClient | null = null;
let noticeId = 0;
let runId = 0;
const newRunId = () => `r${Date.now().toString(36)}-${++runId}`;
/** Set when the page asked for a new run: metrics and samples of the old one still in flight are dropped. */
let awaitingRun = false;

function initialFromUrl(): UrlState {
  return typeof window === 'undefined' ? readUrl('') : readUrl(window.location.search);
}

const fromUrl = initialFromUrl();
const SAMPLE_EVERY = 50;

function browserStorage(): StorageLike | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage blocked by the browser's settings
  }
}

const stored = loadStoredRuns(browserStorage());
const sharedComparison = fromUrl.compare === null ? { configs: [], errors: [] } : readCompareParam(fromUrl.compare, fromUrl.config);
const initialNotices = [
  ...fromUrl.errors.map((e) => ({ kind: 'warning' as const, text: `URL: ${e.message} — using the default`, field: e.field })),
  ...sharedComparison.errors.map((e) => ({ kind: 'warning' as const, text: `Shared comparison: ${e.message}`, field: e.field })),
  ...(stored.error ? [{ kind: 'warning' as const, text: `Compare: ${stored.error}`, field: 'runs' }] : []),
  ...(sharedComparison.configs.length ? [{ kind: 'info' as const, text: `A shared comparison of ${sharedComparison.configs.length} runs is in the queue: choose the steps and run it in the Compare panel.`, field: 'compare' }] : []),
];

const freshRun = () => ({ series: emptySeries(), samples: null, field: null, attentionMap: null, elapsedMs: 0, step: 0, gpuPeakBytes: 0, quality: null, qualityPending: false });

/**
 * Default names of queued configs: what sets each apart from the others (e.g. "timesteps=uniform"), so the
 * compare view's legends say what was varied. Names given by the user (and names already unique) are kept.
 */
export function nameQueue(queue: QueueItem[], runs: readonly SavedRun[]): QueueItem[] {
  const auto = (q: QueueItem) => q.name === '' || /^queued \d+$/.test(q.name);
  const { diffs } = diffConfigs(queue.map((q) => q.config));
  const taken = new Set(runs.map((r) => r.record.name));
  return queue.map((q, i) => {
    if (!auto(q)) return q;
    let name = runName(diffs[i]);
    if (name === 'base' || taken.has(name)) name = `queued ${runs.length + i + 1}`;
    taken.add(name);
    return { ...q, name };
  });
}

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
    notices: initialNotices.map((n) => ({ id: ++noticeId, ...n })),
    theme: typeof window !== 'undefined' && window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light',
    comparePaths: [],
    lastCheckpoint: null,
    runs: stored.runs,
    queue: sharedComparison.configs.map((config, i) => ({ id: newRunId(), name: `shared ${i + 1}`, config })),
    queueRun: null,
    baseline: null,
    gpuPeakBytes: 0,
    quality: null,
    qualityPending: false,
    queueEvaluate: false,

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
      get().stopQueue();
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
      get().stopQueue();
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
      get().stopQueue();
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
    addRun(name) {
      const s = get();
      try {
        const run = recordRun({
          id: newRunId(),
          name: name ?? nextRunName(s.runs),
          preset: s.preset,
          config: s.config,
          series: s.series,
          samples: s.samples,
          params: s.params,
          backend: s.report?.name ?? 'unknown',
          elapsedMs: s.elapsedMs,
          gpuPeakBytes: s.gpuPeakBytes,
          quality: s.quality && s.quality.step === s.step ? s.quality : null,
        });
        saveRuns([...get().runs, run]);
        return null;
      } catch (e) {
        return (e as Error).message;
      }
    },
    removeRun(id) {
      saveRuns(get().runs.filter((r) => r.id !== id));
      if (get().baseline?.id === id) set({ baseline: null });
    },
    clearRuns() {
      saveRuns([]);
      set({ baseline: null });
    },
    duplicateRun(id) {
      const run = get().runs.find((r) => r.id === id);
      if (!run) return;
      get().stopQueue();
      const preset = run.preset || get().preset;
      set({ preset, story: null, baseline: { id, name: run.record.name, config: run.record.config } });
      reconfigure(run.record.config);
    },
    clearBaseline: () => set({ baseline: null }),
    enqueue(config, name) {
      const c = config ?? get().config;
      set({ queue: nameQueue([...get().queue, { id: newRunId(), name: name ?? '', config: c }], get().runs) });
    },
    dequeue(id) {
      set({ queue: get().queue.filter((q) => q.id !== id) });
    },
    startQueue(steps, opts = {}) {
      if (!Number.isInteger(steps) || steps < 1 || steps > 100_000) return `steps: expected an integer in [1, 100000], got ${steps}`;
      if (get().queueRun) return 'the queue is already running';
      if (get().queue.length === 0) return 'the queue is empty: queue a setup first';
      if (!client) return 'the training worker is not connected yet';
      set({ queueEvaluate: !!opts.evaluate });
      get().continueQueue(steps, 0, get().queue.length);
      return null;
    },
    evaluateQuality() {
      if (!client || get().qualityPending) return;
      set({ qualityPending: true });
      client.send({ type: 'evaluateQuality', n: QUALITY_N, steps: QUALITY_STEPS });
    },
    continueQueue(target, done, total) {
      const [item, ...rest] = get().queue;
      if (!item) {
        set({ queueRun: null });
        return;
      }
      set({ queue: rest, queueRun: { target, item, phase: 'configuring', done, total, evaluate: get().queueEvaluate }, baseline: null, story: null });
      reconfigure(item.config);
    },
    stopQueue() {
      if (!get().queueRun) return;
      set({ queueRun: null });
      client?.send({ type: 'pause' });
    },
    importRuns(text) {
      try {
        const loaded = runsFromFile(text, newRunId);
        saveRuns([...get().runs, ...loaded]);
        return null;
      } catch (e) {
        return (e as Error).message;
      }
    },
    comparisonUrl() {
      const configs = get().runs.map((r) => r.record.config);
      if (configs.length === 0) return null;
      const base = typeof window === 'undefined' ? 'http://localhost/' : window.location.href.split('?')[0];
      return base + comparisonQuery(get().preset, configs, get().backendRequest);
    },
  };

  /** Sets the runs and writes them to the browser's storage (a warning when that fails). */
  function saveRuns(runs: SavedRun[]): void {
    set({ runs });
    const warning = storeRuns(browserStorage(), runs);
    if (warning) get().notify('warning', `Compare: ${warning}`, 'runs');
  }
});

/** "run 3": the next free number. */
function nextRunName(runs: readonly SavedRun[]): string {
  let k = runs.length + 1;
  while (runs.some((r) => r.record.name === `run ${k}`)) k++;
  return `run ${k}`;
}

/**
 * The queue's reaction to worker events, applied as they arrive (not batched): a configured run trains to
 * the target; at the target it is sampled once more so the grid shows the last step; the sampled run is
 * recorded and the next config starts. An error or a failed configure stops the queue.
 */
function queueEvent(e: WorkerEvent, get: Get, set: Set, lastSamples: { step: number; payload: SamplesPayload | null }): void {
  const q = get().queueRun;
  if (!q) return;
  /** At the target with the final grid: evaluate first when asked, else record. */
  const finish = (samples: SamplesPayload | null) => {
    if (q.evaluate && get().runState !== 'diverged') {
      lastSamples.payload = samples;
      set({ queueRun: { ...q, phase: 'evaluating' }, qualityPending: true });
      client?.send({ type: 'evaluateQuality', n: QUALITY_N, steps: QUALITY_STEPS });
    } else record(samples, null);
  };
  const record = (samples: SamplesPayload | null, quality: { rows: QualityRow[]; eval: EvalInputs } | null) => {
    const s = get();
    const run = recordRun({
      id: q.item.id,
      name: q.item.name,
      preset: s.preset,
      config: s.config,
      series: s.series,
      samples,
      params: s.params,
      backend: s.report?.name ?? 'unknown',
      elapsedMs: s.elapsedMs,
      gpuPeakBytes: s.gpuPeakBytes,
      quality,
    });
    set({ runs: [...s.runs, run] });
    const warning = storeRuns(browserStorage(), get().runs);
    if (warning) s.notify('warning', `Compare: ${warning}`, 'runs');
    const left = s.queue.length;
    if (left === 0) {
      set({ queueRun: null });
      s.notify('info', `Queue done: ${q.done + 1} run${q.done ? 's' : ''} recorded in the comparison.`);
    } else s.continueQueue(q.target, q.done + 1, q.total);
  };
  switch (e.type) {
    case 'configured':
      if (q.phase !== 'configuring') return;
      set({ queueRun: { ...q, phase: 'training' } });
      lastSamples.step = -1;
      lastSamples.payload = null;
      client?.send({ type: 'step', n: q.target });
      return;
    case 'samples':
      if (q.phase === 'configuring') return;
      lastSamples.step = e.samples.step;
      lastSamples.payload = e.samples;
      if (q.phase === 'sampling' && e.samples.step >= q.target) finish(e.samples);
      return;
    case 'quality':
      if (q.phase === 'evaluating') record(lastSamples.payload, { rows: e.rows, eval: e.eval });
      return;
    case 'state':
      if (q.phase !== 'training') return;
      if (e.state === 'diverged') record(lastSamples.payload, null);
      else if (e.state === 'paused' && e.step >= q.target) {
        if (lastSamples.step >= q.target) finish(lastSamples.payload);
        else {
          set({ queueRun: { ...q, phase: 'sampling' } });
          client?.send({ type: 'sampleNow' });
        }
      }
      return;
    case 'error':
      set({ queueRun: null });
      get().notify('error', `Queue stopped at ${q.item.name}: ${e.message}`, e.field);
      return;
  }
}

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
  const lastSamples = { step: -1, payload: null as SamplesPayload | null };
  return (e) => {
    handle(e);
    if (get().queueRun && (e.type === 'configured' || e.type === 'samples' || e.type === 'state' || e.type === 'quality' || e.type === 'error')) {
      // The queue records the run from the store: bring it up to date first.
      if (scheduled) apply();
      queueEvent(e, get, set, lastSamples);
    }
  };
  function handle(e: WorkerEvent): void {
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
        patch({ step: b.step[b.step.length - 1], memory: { numTensors: b.numTensors, numBytes: b.numBytes, gpuBytes: b.gpuBytes }, elapsedMs: b.elapsedMs, gpuPeakBytes: Math.max(pending.gpuPeakBytes ?? get().gpuPeakBytes, b.gpuBytes ?? 0) });
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
      case 'quality':
        if (!awaitingRun) patch({ quality: { step: e.step, rows: e.rows, eval: e.eval }, qualityPending: false });
        return;
      case 'error':
        awaitingRun = false; // a configure that failed leaves the old run in place
        if (get().qualityPending) patch({ qualityPending: false });
        get().notify('error', e.message, e.field);
        return;
    }
  }
}
