import { describe, expect, it } from 'vitest';
import { toCSV, toJSON } from '../core/compare/export';
import { makeConfig, type Config } from '../core/config';
import type { MetricsBatch } from '../worker/protocol';
import {
  changedKeys,
  compareParam,
  exportRecords,
  fingerprintsAgree,
  loadStoredRuns,
  lossByTimestep,
  parseStoredRuns,
  readCompareParam,
  recordRun,
  RUNS_STORAGE_KEY,
  runsFromFile,
  serialiseRuns,
  storeRuns,
  type SavedRun,
  type StorageLike,
} from './runs';
import { appendMetrics, emptySeries, LOSS_BINS, type Series } from './series';
import { comparisonQuery, readUrl } from './url';

const TINY = { patch: '7', dim: '16', depth: '1', heads: '2', batch: '4' };

/** A series of `steps` steps flushed `per` at a time; loss 1/step, t spread over [0, 1). */
function series(steps: number, per = 5, loss = (s: number) => 1 / s, bytes = (s: number) => 1000 + s): Series {
  const s = emptySeries();
  for (let from = 1; from <= steps; from += per) {
    const st = Array.from({ length: Math.min(per, steps - from + 1) }, (_, i) => from + i);
    const t = Float32Array.from(st.flatMap(() => [0.025, 0.525, 0.975]));
    const b: MetricsBatch = {
      step: Int32Array.from(st),
      loss: Float32Array.from(st, loss),
      gradNorm: Float32Array.from(st, () => 1),
      lr: Float32Array.from(st, () => 1e-3),
      msPerStep: 10 * from,
      imgPerSec: 100,
      t,
      lossPerSample: Float32Array.from(t, (x) => x * 2),
      numTensors: 1,
      numBytes: bytes(from),
      elapsedMs: from * 10,
    };
    appendMetrics(s, b);
  }
  return s;
}

const grid = (value = 128) => ({ rgba: new Uint8ClampedArray(4 * 6).fill(value), width: 3, height: 2 });

function run(config: Config, name: string, s = series(20), noise = 'aaaa0001'): SavedRun {
  return recordRun({
    id: name,
    name,
    preset: 'mnist-tiny',
    config,
    series: s,
    samples: { step: 20, grid: grid(), noiseFingerprint: noise, labelsFingerprint: 'bbbb0002', sampler: 'euler', steps: 4, nfe: 4 },
    params: 1234,
    backend: 'webgpu',
    elapsedMs: 2500,
  });
}

class MemoryStorage implements StorageLike {
  data = new Map<string, string>();
  full = false;
  getItem = (k: string) => this.data.get(k) ?? null;
  setItem = (k: string, v: string) => {
    if (this.full && v.includes('data:image/png')) throw new Error('QuotaExceededError');
    this.data.set(k, v);
  };
  removeItem = (k: string) => void this.data.delete(k);
}

describe('recording a run', () => {
  it('keeps the loss curve, loss by timestep, median ms/step, peak memory and the grid with its fingerprint', () => {
    const r = run(makeConfig(TINY), 'a');
    expect(r.record.steps).toBe(20);
    expect(r.record.lossCurve.step).toHaveLength(20);
    expect(r.record.lossFirst).toBeCloseTo(0.75, 6); // mean of 1/1 and 1/2
    expect(r.record.lossMin).toBeCloseTo(1 / 20, 6);
    expect(r.record.msPerStep).toBe(85); // flushes of 10, 60, 110, 160 ms/step: the median
    expect(r.peakBytes).toBe(1016);
    expect(r.record.seconds).toBe(2.5);
    expect(r.lossByT).toHaveLength(LOSS_BINS);
    expect(r.lossByT!.filter((x) => x !== null)).toHaveLength(3); // t = 0.025, 0.525, 0.975 only
    expect(r.lossByT![0]).toBeCloseTo(0.05, 6);
    expect(r.lossByT![10]).toBeCloseTo(1.05, 6);
    expect(r.lossByT![19]).toBeCloseTo(1.95, 6);
    expect(r.grid).toMatchObject({ width: 3, height: 2, noise: 'aaaa0001', labels: 'bbbb0002', step: 20 });
    expect(r.grid!.png).toMatch(/^data:image\/png;base64,iVBORw0KGgo/); // the PNG signature
  });

  it('refuses a run without steps; a diverged run keeps its finite part and the step it diverged at', () => {
    expect(() => run(makeConfig(TINY), 'empty', emptySeries())).toThrow(/^steps: .*train it first/);
    const d = run(makeConfig(TINY), 'nan', series(10, 5, (s) => (s >= 7 ? NaN : 1)));
    expect(d.record.diverged).toBe(7);
    expect(d.record.lossLast).toBe(1);
    expect(d.record.lossCurve.step).toHaveLength(6);
  });

  it('loss by timestep averages the later half of the columns only', () => {
    const col = (v: number) => ({ step: 0, sum: Float64Array.from([v, NaN]), count: Float64Array.from([1, 0]) });
    expect(lossByTimestep([col(10), col(10), col(2), col(4)])).toEqual([3, null]);
    expect(lossByTimestep([])).toBeNull();
  });

  it('export records carry the settings that differ; CSV has a column for them and a line per run', () => {
    const runs = [run(makeConfig({ ...TINY, timesteps: 'uniform' }), 'u'), run(makeConfig({ ...TINY, timesteps: 'logit-normal:0,1' }), 'ln')];
    const records = exportRecords(runs);
    expect(records.map((r) => r.diff)).toEqual([{ timesteps: 'uniform' }, { timesteps: 'logit-normal:0,1' }]);
    const lines = toCSV(records).trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0].startsWith('run,timesteps,seed,steps')).toBe(true);
    expect(lines[2].startsWith('ln,"logit-normal:0,1",0,20')).toBe(true);
    expect(fingerprintsAgree(runs)).toEqual({ agree: true, noise: ['aaaa0001/bbbb0002'] });
    expect(fingerprintsAgree([...runs, run(makeConfig({ ...TINY, seed: '1' }), 's', series(20), 'cccc0003')]).agree).toBe(false);
  });
});

describe('duplicate highlighting', () => {
  it('names the settings changed since the run it was duplicated from', () => {
    const a = makeConfig(TINY);
    expect(changedKeys({ ...a, timesteps: 'uniform', lr: 0.5 }, a)).toEqual(['lr', 'timesteps']);
    expect(changedKeys(a, a)).toEqual([]);
    expect(changedKeys(a, null)).toEqual([]);
  });
});

describe('comparison URL', () => {
  it('round trip: preset, the first run as the experiment, each run’s differences in compare', () => {
    const base = makeConfig({ ...TINY, kvHeads: '2' }, readUrl('?preset=mnist-tiny').config);
    const configs = [{ ...base, timesteps: 'uniform' }, { ...base, timesteps: 'logit-normal:0,1' }, { ...base, timesteps: 'mode:1.29', lr: 0.002 }];
    const query = comparisonQuery('mnist-tiny', configs);
    const u = readUrl(query);
    expect(u.errors).toEqual([]);
    expect(u.config).toEqual(configs[0]);
    const back = readCompareParam(u.compare!, u.config);
    expect(back.errors).toEqual([]);
    expect(back.configs).toEqual(configs);
    expect(JSON.parse(u.compare!)).toEqual([{}, { timesteps: 'logit-normal:0,1' }, { timesteps: 'mode:1.29', lr: '0.002' }]);
  });

  it('a bad setting is named and takes the base value; a bad run is left out; bad JSON loads nothing', () => {
    const base = makeConfig(TINY);
    const r = readCompareParam(JSON.stringify([{ timesteps: 'uniform' }, { timesteps: 'sometimes', lr: '0.003' }, { heads: '3' }, 'x', { bogus: '1' }]), base);
    expect(r.configs.map((c) => [c.timesteps, c.lr])).toEqual([['uniform', base.lr], [base.timesteps, 0.003], [base.timesteps, base.lr]]);
    const msgs = r.errors.map((e) => e.message);
    expect(msgs[0]).toMatch(/^compare\[1\]\.timesteps: .*sometimes.* — using "logit-normal:0,1"/);
    expect(msgs[1]).toMatch(/^compare\[2\]\.heads: dim 16 is not divisible by heads 3; run left out/);
    expect(msgs[2]).toMatch(/^compare\[3\]: expected an object/);
    expect(msgs[3]).toMatch(/^compare\[4\]\.bogus: unknown setting/);
    expect(readCompareParam('[{"timesteps":', base)).toMatchObject({ configs: [] });
    expect(readCompareParam('[{"timesteps":', base).errors[0].message).toMatch(/^compare: not valid JSON/);
    expect(readCompareParam('{"a":1}', base).errors[0].message).toMatch(/^compare: expected an array/);
    expect(compareParam(base, [base])).toBe('[{}]');
  });
});

describe('stored runs', () => {
  const runs = () => [run(makeConfig({ ...TINY, timesteps: 'uniform' }), 'u'), run(makeConfig({ ...TINY, timesteps: 'mode:1.29' }), 'm')];

  it('round trip through storage', () => {
    const st = new MemoryStorage();
    expect(storeRuns(st, runs())).toBeNull();
    expect(loadStoredRuns(st)).toEqual({ runs: runs() });
    expect(parseStoredRuns(serialiseRuns(runs()))).toEqual(runs());
    expect(storeRuns(st, [])).toBeNull();
    expect(st.getItem(RUNS_STORAGE_KEY)).toBeNull();
  });

  it('corrupted data: a message naming the field, no runs, and the text set aside (not lost)', () => {
    const cases: [string, RegExp][] = [
      ['{"version":1,"runs":[', /^saved runs were unreadable.*\(runs: not valid JSON\)/],
      ['{"version":7,"runs":[]}', /\(version: expected 1, got 7\)/],
      [serialiseRuns(runs()).replace('"dim":16', '"dim":7'), /\(runs\[0\]\.record\.config\.dim: got 7, expected an integer in \[8, 1024\]\)/],
      [serialiseRuns(runs()).replace('"peakBytes":1016', '"peakBytes":"lots"'), /\(runs\[0\]\.peakBytes: expected a non-negative number or null\)/],
      [serialiseRuns(runs()).replace(/"png":"[^"]*"/, '"png":"http://evil/x.png"'), /\(runs\[0\]\.grid\.png: expected a PNG data URL\)/],
      [serialiseRuns(runs()).replace('"id":"m"', '"id":"u"'), /\(runs\[1\]\.id: expected a unique non-empty string\)/],
    ];
    for (const [text, message] of cases) {
      const st = new MemoryStorage();
      st.setItem(RUNS_STORAGE_KEY, text);
      const r = loadStoredRuns(st);
      expect(r.runs).toEqual([]);
      expect(r.error).toMatch(message);
      expect(st.getItem(RUNS_STORAGE_KEY)).toBeNull();
      expect(st.getItem(`${RUNS_STORAGE_KEY}.unreadable`)).toBe(text);
    }
  });

  it('a full storage keeps the runs without their grids, and says so', () => {
    const st = new MemoryStorage();
    st.full = true;
    expect(storeRuns(st, runs())).toMatch(/storage is full.*without their sample grids/);
    expect(loadStoredRuns(st).runs.map((r) => [r.record.name, r.grid])).toEqual([['u', null], ['m', null]]);
  });
});

describe('loading sweep files', () => {
  it('reads an export file and names the bad field of a broken one', () => {
    let k = 0;
    const id = () => `f${++k}`;
    const text = toJSON(exportRecords([run(makeConfig(TINY), 'a'), run(makeConfig({ ...TINY, lr: '0.01' }), 'b')]));
    const loaded = runsFromFile(text, id);
    expect(loaded.map((r) => [r.id, r.origin, r.record.name, r.grid])).toEqual([['f1', 'file', 'a', null], ['f2', 'file', 'b', null]]);
    expect(() => runsFromFile(text.replace('"msPerStep": 85', '"msPerStep": "fast"'), id)).toThrow(/^runs\[0\]\.msPerStep: expected a finite number/);
  });
});
