// Runs of a comparison in the page: a run is a config, its metrics in brief (loss curve, loss by timestep,
// ms/step, peak memory), its last sample grid (a PNG of the fixed-noise grid, with the noise fingerprint)
// and, for runs loaded from a sweep file, its quality rows. Pure functions: recording a run from the
// metrics series, export records, the shareable comparison URL and the stored copy (localStorage) with
// validation, so a corrupted store or a bad link gives a message naming the field, never a crash.

import { parseRunRows, RunRecordError, diffConfigs, summariseLosses, type EvalInputs, type QualityRow, type RunRecord } from '../core/compare/run_record';
import { checkInvariants, ConfigError, configToStrings, parseField, type Config, type ConfigKey } from '../core/config';
import { encodePng } from '../core/formats/png';
import type { RgbaImage } from '../worker/protocol';
import type { Series } from './series';

/** The picture of a run's sample grid and what it was sampled from. */
export interface GridPicture {
  png: string; // data:image/png;base64,…
  width: number;
  height: number;
  step: number; // training step it shows
  noise: string; // fingerprint of the grid's noise (FNV-1a, from the worker)
  labels: string; // fingerprint of its labels
  sampler: string;
  sampleSteps: number;
  nfe: number;
}

export interface SavedRun {
  id: string;
  preset: string;
  origin: 'page' | 'file';
  /** Config, loss summary, timing, quality rows: the record exported to CSV/JSON (its diff is recomputed there). */
  record: RunRecord;
  /** Mean loss per timestep bin (t from 0 to 1) over the later half of training; null where a bin saw no sample. */
  lossByT: (number | null)[] | null;
  /** Largest tensor memory the worker reported during the run (tf.memory().numBytes, GPU bytes where larger). */
  peakBytes: number | null;
  grid: GridPicture | null;
}

/** A config waiting in the queue. */
export interface QueueItem {
  id: string;
  name: string;
  config: Config;
}

export class RunsError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'RunsError';
  }
}

// ---- recording ----

/** Mean loss per bin over the later half of the run's loss-by-t columns (early columns are mostly the untrained model). */
export function lossByTimestep(columns: Series['lossByT']): (number | null)[] | null {
  if (columns.length === 0) return null;
  const from = Math.floor(columns.length / 2);
  const bins = columns[0].sum.length;
  const sum = new Float64Array(bins);
  const count = new Float64Array(bins);
  for (const c of columns.slice(from)) {
    for (let b = 0; b < bins; b++) {
      if (Number.isFinite(c.sum[b])) {
        sum[b] += c.sum[b];
        count[b] += c.count[b];
      }
    }
  }
  return Array.from(sum, (s, b) => (count[b] > 0 ? s / count[b] : null));
}

function median(xs: readonly number[]): number | null {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

const toBase64 = (bytes: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};

/** A grid picture as a PNG data URL: gray when every pixel is gray (MNIST), else RGB (the grid is opaque). */
export function pictureToPng(img: RgbaImage): string {
  const n = img.width * img.height;
  let gray = true;
  for (let i = 0; i < n && gray; i++) gray = img.rgba[4 * i] === img.rgba[4 * i + 1] && img.rgba[4 * i] === img.rgba[4 * i + 2];
  const ch = gray ? 1 : 3;
  const px = new Uint8Array(n * ch);
  for (let i = 0; i < n; i++) for (let c = 0; c < ch; c++) px[i * ch + c] = img.rgba[4 * i + c];
  return `data:image/png;base64,${toBase64(encodePng(px, img.width, img.height, ch))}`;
}

export interface RecordInput {
  id: string;
  name: string;
  preset: string;
  config: Config;
  series: Series;
  samples: { step: number; grid?: RgbaImage; noiseFingerprint?: string; labelsFingerprint?: string; sampler: string; steps: number; nfe: number } | null;
  params: number;
  backend: string;
  elapsedMs: number;
  /** Peak GPU bytes seen (tf.memory().numBytesAllocatedInGPU), when the backend reports it. */
  gpuPeakBytes?: number;
  /** Quality rows the worker computed for this run at its last step (quality against NFE). */
  quality?: { rows: QualityRow[]; eval: EvalInputs } | null;
}

/** A run of the page from its metrics series and last samples. Throws when it has no steps yet. */
export function recordRun(r: RecordInput): SavedRun {
  const s = r.series;
  if (s.loss.length === 0) throw new RunsError('steps', 'the run has no training steps yet: train it first');
  const firstBad = s.loss.findIndex((l) => !Number.isFinite(l));
  const finite = firstBad < 0 ? s.loss : s.loss.slice(0, firstBad);
  const summary = finite.length ? summariseLosses(finite) : { lossFirst: null, lossLast: null, lossMin: null, lossCurve: { step: [], loss: [] } };
  const steps = s.step[s.step.length - 1];
  const msPerStep = median(s.msPerStep);
  const peak = Math.max(0, ...s.numBytes, r.gpuPeakBytes ?? 0);
  const g = r.samples;
  const grid: GridPicture | null =
    g && g.grid && g.noiseFingerprint
      ? { png: pictureToPng(g.grid), width: g.grid.width, height: g.grid.height, step: g.step, noise: g.noiseFingerprint, labels: g.labelsFingerprint ?? '', sampler: g.sampler, sampleSteps: g.steps, nfe: g.nfe }
      : null;
  const record: RunRecord = {
    name: r.name,
    config: r.config,
    diff: {},
    steps,
    lossFirst: summary.lossFirst,
    lossLast: summary.lossLast,
    lossMin: summary.lossMin,
    lossCurve: summary.lossCurve,
    diverged: firstBad < 0 ? null : s.step[firstBad],
    seconds: r.elapsedMs / 1000,
    msPerStep: msPerStep ?? 0,
    imgPerSec: median(s.imgPerSec) ?? 0,
    params: r.params,
    backend: r.backend,
    eval: r.quality?.eval ?? null,
    quality: r.quality?.rows ?? [],
  };
  return { id: r.id, preset: r.preset, origin: 'page', record, lossByT: lossByTimestep(s.lossByT), peakBytes: peak > 0 ? peak : null, grid };
}

/** Runs loaded from a sweep or export file (validated by parseRunRows): quality rows, no grid. */
export function runsFromFile(text: string, newId: () => string): SavedRun[] {
  return parseRunRows(text).map((record) => ({ id: newId(), preset: '', origin: 'file' as const, record, lossByT: null, peakBytes: null, grid: null }));
}

/** The compared runs as export records: `diff` holds the settings that differ among them. */
export function exportRecords(runs: readonly SavedRun[]): RunRecord[] {
  const { diffs } = diffConfigs(runs.map((r) => r.record.config));
  return runs.map((r, i) => ({ ...r.record, diff: diffs[i] }));
}

/** The settings that differ between a config and the one it was duplicated from. */
export function changedKeys(config: Config, baseline: Config | null): ConfigKey[] {
  if (!baseline) return [];
  return (Object.keys(config) as ConfigKey[]).filter((k) => config[k] !== baseline[k]);
}

/** Noise fingerprints of the grids: equal when every run with a grid sampled from the same noise and labels. */
export function fingerprintsAgree(runs: readonly SavedRun[]): { agree: boolean; noise: string[] } {
  const withGrid = runs.filter((r) => r.grid);
  const noise = [...new Set(withGrid.map((r) => `${r.grid!.noise}/${r.grid!.labels}`))];
  return { agree: noise.length <= 1, noise };
}

// ---- the shareable comparison URL (configs only) ----

export const COMPARE_PARAM = 'compare';

/**
 * The comparison's `compare` parameter: a JSON array, one object per run holding the settings where it
 * differs from `base` (the experiment the rest of the URL describes), in --set form.
 */
export function compareParam(base: Config, configs: readonly Config[]): string {
  return JSON.stringify(configs.map((c) => Object.fromEntries(configToStrings(c, base))));
}

/**
 * The runs of a `compare` parameter on top of `base`. A bad setting is reported (`compare[1].timesteps: …`)
 * and takes the base value; a run whose settings do not fit together is left out with its reason; a
 * parameter that is not a JSON array of objects gives one error and no runs.
 */
export function readCompareParam(raw: string, base: Config): { configs: Config[]; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { configs: [], errors: [new ConfigError(COMPARE_PARAM, 'not valid JSON: expected an array of settings objects, e.g. [{"timesteps":"uniform"},{"timesteps":"mode:1.29"}]')] };
  }
  if (!Array.isArray(value)) return { configs: [], errors: [new ConfigError(COMPARE_PARAM, 'expected an array of settings objects, one per run')] };
  if (value.length > MAX_COMPARE_RUNS) return { configs: [], errors: [new ConfigError(COMPARE_PARAM, `at most ${MAX_COMPARE_RUNS} runs, got ${value.length}`)] };
  const configs: Config[] = [];
  value.forEach((o, i) => {
    const where = `${COMPARE_PARAM}[${i}]`;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      errors.push(new ConfigError(where, 'expected an object of settings; run left out'));
      return;
    }
    const c = { ...base } as Record<ConfigKey, unknown>;
    for (const [k, v] of Object.entries(o)) {
      try {
        c[k as ConfigKey] = parseField(k as ConfigKey, v);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        errors.push(new ConfigError(`${where}.${e.field}`, `${e.message.slice(e.field.length + 2)} — using ${Object.prototype.hasOwnProperty.call(base, k) ? JSON.stringify(String(base[k as ConfigKey])) : 'nothing (ignored)'}`));
      }
    }
    try {
      checkInvariants(c as unknown as Config);
      configs.push(c as unknown as Config);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      errors.push(new ConfigError(`${where}.${e.field}`, `${e.message.slice(e.field.length + 2)}; run left out`));
    }
  });
  return { configs, errors };
}

export const MAX_COMPARE_RUNS = 16;

// ---- the stored copy (localStorage) ----

export const RUNS_STORAGE_KEY = 'flow-playground/runs';
export const RUNS_STORAGE_VERSION = 1;

/** The stored form: every run with its record in the export format (so the same validation reads it back). */
export function serialiseRuns(runs: readonly SavedRun[], withGrids = true): string {
  return JSON.stringify({ version: RUNS_STORAGE_VERSION, runs: runs.map((r) => ({ ...r, grid: withGrids ? r.grid : null })) });
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseGrid(v: unknown, where: string): GridPicture | null {
  if (v === null || v === undefined) return null;
  if (!isObj(v)) throw new RunsError(where, 'expected a grid picture or null');
  if (typeof v.png !== 'string' || !v.png.startsWith('data:image/png;base64,')) throw new RunsError(`${where}.png`, 'expected a PNG data URL');
  for (const k of ['width', 'height', 'step', 'sampleSteps', 'nfe'] as const) {
    if (typeof v[k] !== 'number' || !Number.isInteger(v[k]) || (v[k] as number) < 0) throw new RunsError(`${where}.${k}`, `expected a non-negative integer, got ${JSON.stringify(v[k]) ?? 'nothing'}`);
  }
  for (const k of ['noise', 'labels', 'sampler'] as const) if (typeof v[k] !== 'string') throw new RunsError(`${where}.${k}`, `expected a string, got ${JSON.stringify(v[k]) ?? 'nothing'}`);
  return v as unknown as GridPicture;
}

/** Runs from their stored form; throws RunsError (or RunRecordError) naming the field. */
export function parseStoredRuns(text: string): SavedRun[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RunsError('runs', 'not valid JSON');
  }
  if (!isObj(value)) throw new RunsError('runs', 'expected {version, runs}');
  if (value.version !== RUNS_STORAGE_VERSION) throw new RunsError('version', `expected ${RUNS_STORAGE_VERSION}, got ${JSON.stringify(value.version) ?? 'nothing'}`);
  if (!Array.isArray(value.runs)) throw new RunsError('runs', 'expected an array');
  const out: SavedRun[] = [];
  const ids = new Set<string>();
  value.runs.forEach((r: unknown, i: number) => {
    const where = `runs[${i}]`;
    if (!isObj(r)) throw new RunsError(where, 'expected a run object');
    if (typeof r.id !== 'string' || r.id === '' || ids.has(r.id)) throw new RunsError(`${where}.id`, 'expected a unique non-empty string');
    ids.add(r.id);
    if (typeof r.preset !== 'string') throw new RunsError(`${where}.preset`, 'expected a string');
    if (r.origin !== 'page' && r.origin !== 'file') throw new RunsError(`${where}.origin`, `expected "page" or "file", got ${JSON.stringify(r.origin) ?? 'nothing'}`);
    let record: RunRecord;
    try {
      record = parseRunRows([r.record])[0];
    } catch (e) {
      if (e instanceof RunRecordError) throw new RunsError(`${where}.record${e.field.replace(/^runs\[0\]/, '')}`, e.message.slice(e.field.length + 2));
      throw e;
    }
    let lossByT: (number | null)[] | null = null;
    if (r.lossByT !== null && r.lossByT !== undefined) {
      if (!Array.isArray(r.lossByT) || r.lossByT.some((x) => x !== null && (typeof x !== 'number' || !Number.isFinite(x)))) throw new RunsError(`${where}.lossByT`, 'expected an array of numbers or nulls');
      lossByT = r.lossByT as (number | null)[];
    }
    if (r.peakBytes !== null && r.peakBytes !== undefined && (typeof r.peakBytes !== 'number' || !(r.peakBytes >= 0))) throw new RunsError(`${where}.peakBytes`, 'expected a non-negative number or null');
    out.push({ id: r.id, preset: r.preset, origin: r.origin, record, lossByT, peakBytes: (r.peakBytes as number | undefined) ?? null, grid: parseGrid(r.grid, `${where}.grid`) });
  });
  return out;
}

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * The stored runs, or none and a message when the stored copy is unreadable; the unreadable text is
 * moved aside (key + ".unreadable") rather than lost, and the store starts empty.
 */
export function loadStoredRuns(storage: StorageLike | null): { runs: SavedRun[]; error?: string } {
  if (!storage) return { runs: [] };
  let text: string | null;
  try {
    text = storage.getItem(RUNS_STORAGE_KEY);
  } catch (e) {
    return { runs: [], error: `saved runs could not be read (${(e as Error).message})` };
  }
  if (text === null) return { runs: [] };
  try {
    return { runs: parseStoredRuns(text) };
  } catch (e) {
    if (!(e instanceof RunsError) && !(e instanceof RunRecordError)) throw e;
    try {
      storage.setItem(`${RUNS_STORAGE_KEY}.unreadable`, text);
      storage.removeItem(RUNS_STORAGE_KEY);
    } catch {
      // a full or locked storage: the message below still tells the user
    }
    return { runs: [], error: `saved runs were unreadable and were set aside (${e.message})` };
  }
}

/** Writes the runs; when the storage is full, tries again without the grid pictures. Returns a warning or null. */
export function storeRuns(storage: StorageLike | null, runs: readonly SavedRun[]): string | null {
  if (!storage) return null;
  try {
    if (runs.length === 0) storage.removeItem(RUNS_STORAGE_KEY);
    else storage.setItem(RUNS_STORAGE_KEY, serialiseRuns(runs));
    return null;
  } catch {
    try {
      storage.setItem(RUNS_STORAGE_KEY, serialiseRuns(runs, false));
      return 'browser storage is full: the runs are kept without their sample grids';
    } catch (e) {
      return `the runs could not be saved in this browser (${(e as Error).message})`;
    }
  }
}

export type { EvalInputs, QualityRow };
