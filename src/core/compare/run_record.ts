// A run of a comparison (one row of `npm run sweep -- --json`, one line of the compare view): its config,
// what sets it apart from the other runs, its loss curve in brief, its timing, and its quality rows.
// `parseRunRows` reads sweep output or an exported file back, validating every field, so the compare view
// never trusts a file it loads.

import { ConfigError, CONFIG_KEYS, makeConfig, SCHEMA, type Config, type ConfigKey } from '../config';
import type { QualityRow } from '../metrics/evaluate';

export type { QualityRow } from '../metrics/evaluate';

/** Identifies exports of this format. */
export const COMPARE_FORMAT = 'flow-playground/compare';
export const COMPARE_VERSION = 1;

export interface LossSummary {
  lossFirst: number; // mean over the first 10% of steps (at least one), as `npm run train` reports
  lossLast: number; // mean over the last 10%
  lossMin: number;
  lossCurve: { step: number[]; loss: number[] }; // bin means, at most `maxPoints` points
}

/** The fixed evaluation inputs: the same fingerprints in two runs mean the same noise and labels. */
export interface EvalInputs {
  n: number;
  seed: number;
  noise: string; // fingerprint (FNV-1a) of the noise
  labels: string; // fingerprint of the labels
}

export interface RunRecord {
  name: string; // e.g. "timesteps=uniform"
  config: Config;
  diff: Partial<Record<ConfigKey, string>>; // settings that differ among the compared runs, in --set form
  steps: number; // training steps run
  lossFirst: number | null; // LossSummary's, null when no step gave a finite loss
  lossLast: number | null;
  lossMin: number | null;
  lossCurve: LossSummary['lossCurve'];
  diverged: number | null; // the step whose loss was not finite (training stopped there), or null
  seconds: number; // training wall time
  msPerStep: number;
  imgPerSec: number;
  params: number;
  backend: string;
  eval: EvalInputs | null;
  quality: QualityRow[];
}

/** Loss summary of a run: first/last 10% means and a curve of bin means (at most maxPoints). */
export function summariseLosses(losses: readonly number[], maxPoints = 200): LossSummary {
  if (losses.length === 0) throw new Error('losses: the run recorded no steps');
  const k = Math.max(1, Math.floor(losses.length / 10));
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const bins = Math.min(maxPoints, losses.length);
  const step: number[] = [];
  const loss: number[] = [];
  for (let b = 0; b < bins; b++) {
    const lo = Math.floor((b * losses.length) / bins);
    const hi = Math.floor(((b + 1) * losses.length) / bins);
    step.push(hi); // the bin's last step (1-based)
    loss.push(mean(losses.slice(lo, hi)));
  }
  return { lossFirst: mean(losses.slice(0, k)), lossLast: mean(losses.slice(-k)), lossMin: Math.min(...losses), lossCurve: { step, loss } };
}

/** The keys on which the configs do not all agree (schema order), and each config's values there. */
export function diffConfigs(configs: readonly Config[]): { keys: ConfigKey[]; diffs: Partial<Record<ConfigKey, string>>[] } {
  const keys = CONFIG_KEYS.filter((k) => configs.some((c) => c[k] !== configs[0][k]));
  return { keys, diffs: configs.map((c) => Object.fromEntries(keys.map((k) => [k, String(c[k])])) as Partial<Record<ConfigKey, string>>) };
}

/** "timesteps=uniform lr=0.002", or "base" when nothing differs. */
export function runName(diff: Partial<Record<ConfigKey, string>>): string {
  const parts = Object.entries(diff).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(' ') : 'base';
}

// ---- validation of untrusted input (sweep output, exported files) ----

export class RunRecordError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'RunRecordError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function num(o: Obj, key: string, where: string, opts: { min?: number; int?: boolean; nullable?: boolean } = {}): number {
  const v = o[key];
  const f = `${where}.${key}`;
  if (v === null && opts.nullable) return null as unknown as number;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RunRecordError(f, `expected a finite number${opts.nullable ? ' or null' : ''}, got ${JSON.stringify(v) ?? 'nothing'}`);
  if (opts.int && !Number.isInteger(v)) throw new RunRecordError(f, `expected an integer, got ${v}`);
  if (opts.min !== undefined && v < opts.min) throw new RunRecordError(f, `expected a number ≥ ${opts.min}, got ${v}`);
  return v;
}

function str(o: Obj, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new RunRecordError(`${where}.${key}`, `expected a string, got ${JSON.stringify(v) ?? 'nothing'}`);
  return v;
}

function numArray(v: unknown, f: string): number[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) throw new RunRecordError(f, 'expected an array of finite numbers');
  return v as number[];
}

const SAMPLERS = (SCHEMA.sampler as { values: readonly string[] }).values;

function parseQuality(v: unknown, where: string): QualityRow {
  if (!isObj(v)) throw new RunRecordError(where, 'expected an object');
  const sampler = str(v, 'sampler', where);
  if (!SAMPLERS.includes(sampler)) throw new RunRecordError(`${where}.sampler`, `expected one of ${SAMPLERS.join(', ')}, got ${JSON.stringify(sampler)}`);
  return {
    sampler: sampler as QualityRow['sampler'],
    steps: num(v, 'steps', where, { min: 1, int: true }),
    nfe: num(v, 'nfe', where, { min: 0, int: true }),
    guidance: num(v, 'guidance', where),
    fd: num(v, 'fd', where, { min: 0, nullable: true }),
    classAccuracy: num(v, 'classAccuracy', where, { min: 0, nullable: true }),
    sw: num(v, 'sw', where, { min: 0 }),
    straightness: num(v, 'straightness', where, { min: 0 }),
    pathRatio: num(v, 'pathRatio', where, { min: 0 }),
    seconds: num(v, 'seconds', where, { min: 0 }),
  };
}

function parseRecord(v: unknown, where: string): RunRecord {
  if (!isObj(v)) throw new RunRecordError(where, 'expected a run object');
  if (!isObj(v.config)) throw new RunRecordError(`${where}.config`, 'expected an object of settings');
  let config: Config;
  try {
    config = makeConfig(v.config);
  } catch (e) {
    if (e instanceof ConfigError) throw new RunRecordError(`${where}.config.${e.field}`, e.message.slice(e.field.length + 2));
    throw e;
  }
  if (!isObj(v.diff)) throw new RunRecordError(`${where}.diff`, 'expected an object of settings');
  const diff: Partial<Record<ConfigKey, string>> = {};
  for (const [k, value] of Object.entries(v.diff)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(k)) throw new RunRecordError(`${where}.diff.${k}`, 'not a config key');
    if (typeof value !== 'string') throw new RunRecordError(`${where}.diff.${k}`, `expected a string, got ${JSON.stringify(value)}`);
    diff[k as ConfigKey] = value;
  }
  if (!isObj(v.lossCurve)) throw new RunRecordError(`${where}.lossCurve`, 'expected {step: number[], loss: number[]}');
  const curve = { step: numArray(v.lossCurve.step, `${where}.lossCurve.step`), loss: numArray(v.lossCurve.loss, `${where}.lossCurve.loss`) };
  if (curve.step.length !== curve.loss.length) throw new RunRecordError(`${where}.lossCurve`, `${curve.step.length} steps for ${curve.loss.length} losses`);
  let evalInputs: EvalInputs | null = null;
  if (v.eval !== null && v.eval !== undefined) {
    if (!isObj(v.eval)) throw new RunRecordError(`${where}.eval`, 'expected {n, seed, noise, labels} or null');
    const w = `${where}.eval`;
    evalInputs = { n: num(v.eval, 'n', w, { min: 1, int: true }), seed: num(v.eval, 'seed', w, { min: 0, int: true }), noise: str(v.eval, 'noise', w), labels: str(v.eval, 'labels', w) };
  }
  if (!Array.isArray(v.quality)) throw new RunRecordError(`${where}.quality`, 'expected an array of quality rows');
  return {
    name: str(v, 'name', where),
    config,
    diff,
    steps: num(v, 'steps', where, { min: 0, int: true }),
    lossFirst: num(v, 'lossFirst', where, { nullable: true }),
    lossLast: num(v, 'lossLast', where, { nullable: true }),
    lossMin: num(v, 'lossMin', where, { nullable: true }),
    lossCurve: curve,
    diverged: v.diverged === undefined || v.diverged === null ? null : num(v, 'diverged', where, { min: 1, int: true }),
    seconds: num(v, 'seconds', where, { min: 0 }),
    msPerStep: num(v, 'msPerStep', where, { min: 0 }),
    imgPerSec: num(v, 'imgPerSec', where, { min: 0 }),
    params: num(v, 'params', where, { min: 0, int: true }),
    backend: str(v, 'backend', where),
    eval: evalInputs,
    quality: v.quality.map((q, i) => parseQuality(q, `${where}.quality[${i}]`)),
  };
}

/**
 * Run records from untrusted input: an export ({format, version, runs}), an array of records, or the
 * JSON-lines output of `npm run sweep -- --json` (lines with "event": "run"; other events are skipped).
 * Throws RunRecordError naming the field, e.g. `runs[1].quality[0].nfe: expected a finite number`.
 */
export function parseRunRows(input: unknown): RunRecord[] {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      const lines = input.split(/\r?\n/);
      const rows: unknown[] = [];
      lines.forEach((line, i) => {
        if (line.trim() === '') return;
        let o: unknown;
        try {
          o = JSON.parse(line);
        } catch {
          throw new RunRecordError(`line ${i + 1}`, 'not valid JSON (expected an export file or the JSON lines of npm run sweep -- --json)');
        }
        if (isObj(o) && (o.event === 'run' || (o.event === undefined && 'config' in o))) rows.push(o);
      });
      value = rows;
    }
  }
  if (isObj(value) && value.event === 'run') value = [value];
  if (isObj(value) && 'runs' in value) {
    if (value.format !== COMPARE_FORMAT) throw new RunRecordError('format', `expected ${JSON.stringify(COMPARE_FORMAT)}, got ${JSON.stringify(value.format)}`);
    if (value.version !== COMPARE_VERSION) throw new RunRecordError('version', `expected ${COMPARE_VERSION}, got ${JSON.stringify(value.version)}`);
    value = value.runs;
  }
  if (!Array.isArray(value)) throw new RunRecordError('runs', 'expected an array of runs, an export file or sweep JSON lines');
  if (value.length === 0) throw new RunRecordError('runs', 'holds no runs');
  return value.map((r, i) => parseRecord(r, `runs[${i}]`));
}
