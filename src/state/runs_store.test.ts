// The runs slice of the store driven through a fake worker client: the queue's order and recording, adding the
// current run, duplicating with highlighted changes, importing files, and what the page loads at start
// (stored runs, a shared comparison URL), corrupted or bad input included.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeConfig } from '../core/config';
import type { SamplesPayload, WorkerEvent } from '../worker/protocol';
import { RUNS_STORAGE_KEY, serialiseRuns, recordRun } from './runs';
import { emptySeries, appendMetrics } from './series';
import { fakeClient, flush, metricsBatch } from './fake_client';
import type { useApp as UseApp } from './store';

const batch = (steps: number[], loss: number) => metricsBatch(steps, loss, { numBytes: 4096, gpuBytes: 8192, elapsedMs: 30 });

const samples = (step: number, noise = 'feedf00d'): SamplesPayload => ({
  step,
  n: 2,
  shape: [1],
  x: new Float32Array(2),
  labels: new Int32Array(2),
  nfe: 4,
  ms: 1,
  sampler: 'euler',
  steps: 4,
  guidance: 2,
  spread: 0.5,
  times: [],
  grid: { rgba: new Uint8ClampedArray(16).fill(200), width: 2, height: 2 },
  noiseFingerprint: noise,
  labelsFingerprint: '0000abcd',
});

class MemoryStorage {
  data = new Map<string, string>();
  getItem = (k: string) => this.data.get(k) ?? null;
  setItem = (k: string, v: string) => void this.data.set(k, v);
  removeItem = (k: string) => void this.data.delete(k);
}

/** A fresh store module, with the given browser storage and page address. */
async function freshStore(opts: { storage?: MemoryStorage; search?: string } = {}) {
  vi.resetModules();
  const g = globalThis as unknown as Record<string, unknown>;
  g.document = { baseURI: 'http://localhost/' };
  g.localStorage = opts.storage ?? new MemoryStorage();
  if (opts.search !== undefined) g.window = { location: { search: opts.search, hash: '', href: `http://localhost/${opts.search}` }, history: { replaceState: () => {} } };
  const { useApp } = (await import('./store')) as { useApp: typeof UseApp };
  const w = fakeClient();
  useApp.getState().connect(w.client);
  return { useApp, w, storage: g.localStorage as MemoryStorage };
}

afterEach(() => {
  const g = globalThis as unknown as Record<string, unknown>;
  delete g.window;
  delete g.localStorage;
});

const TINY = { patch: '7', dim: '16', depth: '1', heads: '2', batch: '4' };

describe('the run queue', () => {
  it('trains the queued configs in order to the chosen steps, records each with its own curves and grid, then stops', async () => {
    const { useApp, w, storage } = await freshStore();
    const configured = (): WorkerEvent => ({ type: 'configured', config: useApp.getState().config, params: 10, flopsPerStep: 1, dataset: { name: 'mnist', source: 'builtin', kind: 'image', shape: [28, 28, 1], numClasses: 10, classNames: [], description: '', size: 1 }, attention: null });
    w.emit(configured());
    const a = makeConfig({ ...TINY, timesteps: 'uniform' });
    const b = makeConfig({ ...TINY, timesteps: 'logit-normal:0,1' });
    const c = makeConfig({ ...TINY, timesteps: 'mode:1.29' });
    const s = useApp.getState();
    expect(s.startQueue(3)).toMatch(/queue is empty/);
    s.enqueue(a, 'A');
    s.enqueue(b, 'B');
    s.enqueue(c, 'C');
    s.dequeue(useApp.getState().queue[2].id);
    expect(useApp.getState().startQueue(0)).toMatch(/^steps: expected an integer/);
    const n0 = w.sent.length;
    expect(useApp.getState().startQueue(3)).toBeNull();
    expect(w.sent.slice(n0)).toEqual([{ type: 'configure', config: a }]);
    expect(useApp.getState().startQueue(3)).toMatch(/already running/);

    // Run A: every step's metrics; the worker's own samples arrive before the pause (sampling every step).
    w.emit(configured());
    expect(w.sent.at(-1)).toEqual({ type: 'step', n: 3 });
    w.emit({ type: 'state', state: 'running', step: 0 });
    w.emit({ type: 'metrics', batch: batch([1, 2, 3], 2) });
    w.emit({ type: 'samples', samples: samples(3) });
    w.emit({ type: 'state', state: 'paused', step: 3 });
    expect(useApp.getState().runs.map((r) => r.record.name)).toEqual(['A']);
    expect(w.sent.at(-1)).toEqual({ type: 'configure', config: b }); // no extra sampling: the grid was at step 3

    // Run B: no samples on the way, so the queue asks for one at the target before recording.
    w.emit({ type: 'samples', samples: samples(3, 'stale000') }); // from A, still in flight: not B's
    w.emit(configured());
    expect(w.sent.at(-1)).toEqual({ type: 'step', n: 3 });
    w.emit({ type: 'metrics', batch: batch([1, 2], 1) });
    w.emit({ type: 'metrics', batch: batch([3], 1) });
    w.emit({ type: 'state', state: 'paused', step: 3 });
    expect(w.sent.at(-1)).toEqual({ type: 'sampleNow' });
    expect(useApp.getState().runs).toHaveLength(1);
    w.emit({ type: 'samples', samples: samples(3) });
    await flush();

    const st = useApp.getState();
    expect(st.runs.map((r) => [r.record.name, r.record.config.timesteps, r.record.steps, r.record.lossLast])).toEqual([
      ['A', 'uniform', 3, 2],
      ['B', 'logit-normal:0,1', 3, 1],
    ]);
    expect(st.runs.map((r) => r.grid?.noise)).toEqual(['feedf00d', 'feedf00d']);
    expect(st.runs[1].peakBytes).toBe(8192);
    expect(st.runs[1].record.params).toBe(10);
    expect(st.queueRun).toBeNull();
    expect(st.queue).toEqual([]);
    expect(st.notices.at(-1)?.text).toMatch(/Queue done: 2 runs/);
    // Kept across reloads.
    expect(JSON.parse(storage.getItem(RUNS_STORAGE_KEY)!).runs).toHaveLength(2);
    const reloaded = await freshStore({ storage });
    expect(reloaded.useApp.getState().runs.map((r) => r.record.name)).toEqual(['A', 'B']);
  });

  it('with quality against NFE: each run is evaluated in the worker before it is recorded, rows kept with it', async () => {
    const { useApp, w } = await freshStore();
    useApp.getState().enqueue(makeConfig(TINY), 'Q');
    expect(useApp.getState().startQueue(2, { evaluate: true })).toBeNull();
    w.emit({ type: 'configured', config: useApp.getState().config, params: 3, flopsPerStep: 1, dataset: { name: 'mnist', source: 'builtin', kind: 'image', shape: [28, 28, 1], numClasses: 10, classNames: [], description: '', size: 1 }, attention: null });
    w.emit({ type: 'metrics', batch: batch([1, 2], 1) });
    w.emit({ type: 'samples', samples: samples(2) });
    w.emit({ type: 'state', state: 'paused', step: 2 });
    expect(w.sent.at(-1)).toEqual({ type: 'evaluateQuality', n: 64, steps: [4, 8, 32] });
    expect(useApp.getState().runs).toEqual([]);
    const row = (steps: number, sw: number) => ({ sampler: 'euler' as const, steps, nfe: steps, guidance: 2, fd: null, classAccuracy: null, sw, straightness: 0.1, pathRatio: 0.9, seconds: 1 });
    w.emit({ type: 'quality', step: 2, rows: [row(4, 0.3), row(8, 0.2), row(32, 0.1)], eval: { n: 64, seed: 0, noise: 'feedf00d', labels: '0000abcd' } });
    await flush();
    const r = useApp.getState().runs[0];
    expect(r.record.quality.map((x) => x.sw)).toEqual([0.3, 0.2, 0.1]);
    expect(r.record.eval?.n).toBe(64);
    expect(r.grid?.step).toBe(2);
    expect(useApp.getState().queueRun).toBeNull();
  });

  it('a worker error stops the queue with a message naming the run', async () => {
    const { useApp, w } = await freshStore();
    useApp.getState().enqueue(makeConfig(TINY), 'X');
    useApp.getState().enqueue(makeConfig({ ...TINY, lr: '0.5' }), 'Y');
    useApp.getState().startQueue(2);
    w.emit({ type: 'error', message: 'training stopped: out of memory' });
    await flush();
    const s = useApp.getState();
    expect(s.queueRun).toBeNull();
    expect(s.queue.map((q) => q.name)).toEqual(['Y']); // what was not started stays queued
    expect(s.notices.at(-1)?.text).toMatch(/^Queue stopped at X: training stopped: out of memory/);
  });
});

describe('runs in the store', () => {
  it('add the current run, duplicate it with changes highlighted, import files without losing runs', async () => {
    const { useApp, w } = await freshStore();
    expect(useApp.getState().addRun()).toMatch(/no training steps/);
    w.emit({ type: 'configured', config: useApp.getState().config, params: 5, flopsPerStep: 1, dataset: { name: 'mnist', source: 'builtin', kind: 'image', shape: [28, 28, 1], numClasses: 10, classNames: [], description: '', size: 1 }, attention: null });
    w.emit({ type: 'metrics', batch: batch([1, 2], 0.5) });
    w.emit({ type: 'samples', samples: samples(2) });
    await flush();
    expect(useApp.getState().addRun()).toBeNull();
    const run = useApp.getState().runs[0];
    expect(run.record).toMatchObject({ name: 'run 1', steps: 2, params: 5 });
    expect(run.grid?.noise).toBe('feedf00d');

    useApp.getState().duplicateRun(run.id);
    expect(w.sent.at(-1)).toEqual({ type: 'configure', config: run.record.config });
    expect(useApp.getState().baseline?.id).toBe(run.id);
    const other = run.record.config.timesteps === 'uniform' ? 'mode:1.29' : 'uniform';
    expect(useApp.getState().editField('timesteps', other)).toBeNull();
    const s = useApp.getState();
    expect(Object.keys(s.config).filter((k) => s.config[k as keyof typeof s.config] !== s.baseline!.config[k as keyof typeof s.config])).toEqual(['timesteps']);

    const before = useApp.getState().runs;
    expect(useApp.getState().importRuns('{"format":"flow-playground/compare","version":1,"runs":[{"name":"x"}]}')).toMatch(/^runs\[0\]\.config: expected an object/);
    expect(useApp.getState().runs).toBe(before);
    const series = emptySeries();
    appendMetrics(series, batch([1], 1));
    const rec = recordRun({ id: 'z', name: 'from sweep', preset: '', config: makeConfig(TINY), series, samples: null, params: 1, backend: 'wasm', elapsedMs: 1 }).record;
    expect(useApp.getState().importRuns(JSON.stringify({ event: 'run', index: 0, ...rec }))).toBeNull();
    expect(useApp.getState().runs.map((r) => [r.record.name, r.origin])).toEqual([['run 1', 'page'], ['from sweep', 'file']]);
    expect(useApp.getState().comparisonUrl()).toMatch(/^http:\/\/localhost\/\?preset=mnist-tiny.*&compare=/);
  });
});

describe('at start', () => {
  it('corrupted stored runs: a notice naming the field, no runs, no crash', async () => {
    const storage = new MemoryStorage();
    const series = emptySeries();
    appendMetrics(series, batch([1], 1));
    const good = recordRun({ id: 'a', name: 'a', preset: 'mnist-tiny', config: makeConfig(TINY), series, samples: null, params: 1, backend: 'cpu', elapsedMs: 1 });
    storage.setItem(RUNS_STORAGE_KEY, serialiseRuns([good]).replace('"lossFirst":1', '"lossFirst":"one"'));
    const { useApp } = await freshStore({ storage });
    const s = useApp.getState();
    expect(s.runs).toEqual([]);
    expect(s.notices.map((n) => n.text)).toContainEqual(expect.stringMatching(/^Compare: saved runs were unreadable and were set aside \(runs\[0\]\.record\.lossFirst: expected a finite number/));
  });

  it('a shared comparison fills the queue; a bad field is named and takes the base value', async () => {
    const compare = encodeURIComponent(JSON.stringify([{}, { timesteps: 'logit-normal:0,1' }, { timesteps: 'bogus:1' }]));
    const { useApp } = await freshStore({ search: `?preset=mnist-tiny&timesteps=uniform&compare=${compare}` });
    const s = useApp.getState();
    expect(s.config.timesteps).toBe('uniform');
    expect(s.queue.map((q) => q.config.timesteps)).toEqual(['uniform', 'logit-normal:0,1', 'uniform']);
    const texts = s.notices.map((n) => n.text);
    expect(texts).toContainEqual(expect.stringMatching(/^Shared comparison: compare\[2\]\.timesteps: .*bogus.* — using "uniform"/));
    expect(texts.some((t) => /^URL:/.test(t))).toBe(false); // `compare` is not a setting of the experiment
  });

  it('a shared comparison that is not JSON: one message, an empty queue, the experiment still loads', async () => {
    const { useApp } = await freshStore({ search: '?preset=mnist-tiny&lr=0.002&compare=%5B%7Boops' });
    const s = useApp.getState();
    expect(s.queue).toEqual([]);
    expect(s.config.lr).toBe(0.002);
    expect(s.notices.map((n) => n.text)).toContainEqual(expect.stringMatching(/^Shared comparison: compare: not valid JSON/));
  });
});

describe('default names of queued configs', () => {
  it('name each queued config by what sets it apart, keeping names the user gave', async () => {
    const { nameQueue } = await import('./store');
    const base = makeConfig({ dataset: 'mnist', dim: 32, depth: 1, heads: 2, patch: 7, batch: 4 });
    const q = [
      { id: 'a', name: '', config: base },
      { id: 'b', name: '', config: { ...base, timesteps: 'uniform' } },
      { id: 'c', name: 'mine', config: { ...base, timesteps: 'mode:1.29' } },
    ];
    expect(nameQueue(q, []).map((x) => x.name)).toEqual(['timesteps=logit-normal:0,1', 'timesteps=uniform', 'mine']);
    // One config alone differs from nothing: a numbered name.
    expect(nameQueue([q[0]], []).map((x) => x.name)).toEqual(['queued 1']);
  });
});
