import { describe, expect, it } from 'vitest';
import { makeConfig, type Config } from '../config';
import { csvField, toCSV, toJSON } from './export';
import { diffConfigs, parseRunRows, runName, summariseLosses, type QualityRow, type RunRecord } from './run_record';

const quality = (steps: number, fd: number | null): QualityRow => ({
  sampler: 'euler', steps, nfe: 2 * steps, guidance: 2, fd, classAccuracy: fd === null ? null : 0.9, sw: 0.1, straightness: 0.5, pathRatio: 0.95, seconds: 1.5,
});

function record(config: Config, diff: Record<string, string>): RunRecord {
  return {
    name: runName(diff), config, diff, steps: 20, ...summariseLosses([1, 0.9, 0.8, 0.7]), diverged: null, seconds: 3, msPerStep: 150, imgPerSec: 400, params: 1234,
    backend: 'wasm', eval: { n: 16, seed: config.seed, noise: 'abcd0123', labels: '01234567' }, quality: [quality(4, 12.5), quality(8, null)],
  };
}

function fixture(): RunRecord[] {
  const configs = [makeConfig({ timesteps: 'uniform', dim: '32' }), makeConfig({ timesteps: 'logit-normal:0,1', dim: '32' })];
  const { diffs } = diffConfigs(configs);
  return configs.map((c, i) => record(c, diffs[i]));
}

/** A minimal RFC 4180 reader for the round-trip check. */
function readCSV(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  return rows;
}

describe('run records', () => {
  it('summariseLosses: first/last 10% means (at least one step), min, and a curve of bin means', () => {
    const losses = Array.from({ length: 1000 }, (_, i) => 1000 - i);
    const s = summariseLosses(losses, 100);
    expect(s.lossFirst).toBe(1000 - 49.5); // mean of 1000…901
    expect(s.lossLast).toBe(50.5);
    expect(s.lossMin).toBe(1);
    expect(s.lossCurve.step).toHaveLength(100);
    expect(s.lossCurve.step[0]).toBe(10);
    expect(s.lossCurve.loss[0]).toBe(995.5);
    expect(summariseLosses([3]).lossFirst).toBe(3);
    expect(() => summariseLosses([])).toThrow(/no steps/);
  });

  it('diffConfigs names the settings the runs disagree on, in --set form', () => {
    const a = makeConfig({ lr: '0.001', dim: '32' });
    const b = makeConfig({ lr: '0.002', dim: '32', cfg: '3' });
    const { keys, diffs } = diffConfigs([a, b]);
    expect(keys).toEqual(['lr', 'cfg']);
    expect(diffs[1]).toEqual({ lr: '0.002', cfg: '3' });
    expect(runName(diffs[1])).toBe('lr=0.002 cfg=3');
    expect(runName({})).toBe('base');
  });

  it('JSON export loads back through parseRunRows unchanged', () => {
    const runs = fixture();
    const back = parseRunRows(toJSON(runs, { preset: 'mnist-tiny' }));
    expect(back).toEqual(runs);
  });

  it('parseRunRows reads the JSON lines of npm run sweep -- --json, skipping other events', () => {
    const runs = fixture();
    const lines = [
      ...runs.map((r, i) => JSON.stringify({ event: 'run', index: i, ...r, evalSeconds: 2 })),
      JSON.stringify({ event: 'summary', runs: 2 }),
    ].join('\n');
    expect(parseRunRows(lines)).toEqual(runs);
    expect(parseRunRows(JSON.stringify({ event: 'run', ...runs[0] }))).toEqual([runs[0]]);
  });

  it('parseRunRows rejects bad input with an error naming the field', () => {
    const good = JSON.parse(toJSON(fixture()));
    const broken = (f: (o: any) => void) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      const o = structuredClone(good);
      f(o);
      return () => parseRunRows(JSON.stringify(o));
    };
    expect(broken((o) => (o.runs[1].quality[0].nfe = 'eight'))).toThrow(/^runs\[1\]\.quality\[0\]\.nfe: expected a finite number/);
    expect(broken((o) => (o.runs[0].quality[1].sampler = 'magic'))).toThrow(/^runs\[0\]\.quality\[1\]\.sampler: expected one of euler/);
    expect(broken((o) => (o.runs[0].config.dim = 7))).toThrow(/^runs\[0\]\.config\.dim: got 7, expected an integer in \[8, 1024\]/);
    expect(broken((o) => (o.runs[0].config.bogus = 1))).toThrow(/^runs\[0\]\.config\.bogus: unknown setting/);
    expect(broken((o) => (o.runs[0].diff = { nope: 'x' }))).toThrow(/^runs\[0\]\.diff\.nope: not a config key/);
    expect(broken((o) => (o.runs[0].lossCurve.loss = [1]))).toThrow(/^runs\[0\]\.lossCurve: 4 steps for 1 losses/);
    expect(broken((o) => (o.format = 'other'))).toThrow(/^format:/);
    expect(broken((o) => (o.version = 2))).toThrow(/^version: expected 1/);
    expect(() => parseRunRows('{"event":"run"}\nnot json')).toThrow(/^line 2: not valid JSON/);
    expect(() => parseRunRows('[]')).toThrow(/^runs: holds no runs/);
    expect(() => parseRunRows(42)).toThrow(/^runs: expected an array/);
  });

  it('CSV: one line per run and quality row, differing settings as columns, values with commas quoted', () => {
    const runs = fixture();
    const text = toCSV(runs);
    const rows = readCSV(text);
    expect(rows).toHaveLength(1 + 4);
    const header = rows[0];
    expect(header.slice(0, 2)).toEqual(['run', 'timesteps']);
    const col = (name: string) => header.indexOf(name);
    expect(rows[3][col('timesteps')]).toBe('logit-normal:0,1'); // quoted in the file, intact after reading
    expect(text).toContain('"logit-normal:0,1"');
    expect(rows[1][col('fd')]).toBe('12.5');
    expect(rows[2][col('fd')]).toBe(''); // null → empty
    expect(rows[2][col('nfe')]).toBe('16');
    expect(rows[1][col('settings')]).toBe('dim=32 timesteps=uniform');
    expect(rows.every((r) => r.length === header.length)).toBe(true);
    expect(csvField('a "b"')).toBe('"a ""b"""');
    expect(csvField(NaN)).toBe('');
  });
});
