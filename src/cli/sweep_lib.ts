// The parts of `npm run sweep` that tests call directly: --vary parsing, the variant grid, and one run
// (train, then quality against NFE on the seed's fixed noise) turned into a RunRecord.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { diffConfigs, summariseLosses, type RunRecord } from '../core/compare/run_record';
import { ConfigError, makeConfig, parseField, SCHEMA, type Config, type ConfigKey } from '../core/config';
import type { Dataset } from '../core/data/types';
import type { SamplerName } from '../core/flow';
import { makeReference, qualityVsNfe, type EvalReference, type QualityRow } from '../core/metrics/evaluate';
import { CLASSIFIER_ASSET_PATH, loadClassifier, type MnistClassifier } from '../core/metrics/mnist_classifier';
import { countParams } from '../core/model';
import { Trainer } from '../core/train/trainer';
import { getPreset } from '../core/presets';
import { CliError, intFlag, setFlags, type FlagSpec, type Parsed } from './args';
import { REPO_ROOT } from './node_env';

/** The evaluation flags `sweep` and `evaluate` share. */
export const EVAL_FLAGS: Record<string, FlagSpec> = {
  nfe: { value: true, help: 'solver step counts to evaluate at, e.g. 4,8,32 (rows report the NFE they cost; default 4,8,32)' },
  samplers: { value: true, help: 'solvers to evaluate, e.g. euler,heun (default: the config\'s sampler)' },
  guidance: { value: true, help: 'CFG scales to evaluate, e.g. 1,2 (default: the config\'s cfg)' },
  'eval-n': { value: true, help: 'samples per evaluation row (default 256; 0 = no evaluation)' },
};

export const SWEEP_FLAGS: Record<string, FlagSpec> = {
  preset: { value: true, help: 'mnist-tiny | mnist-small | toy-2d | shapes-rgb (default mnist-tiny)' },
  vary: {
    value: true,
    repeat: true,
    help: 'key=v1,v2,… one run per value (repeatable: every combination). Values may hold commas: each value is the longest run of comma-separated pieces that parses for the key, e.g. timesteps=uniform,logit-normal:0,1',
  },
  set: { value: true, repeat: true, help: 'key=value for every run (repeatable)' },
  steps: { value: true, help: 'training steps per run (same as --set steps=N)' },
  seed: { value: true, help: 'seed of every run (same as --set seed=S; default 0)' },
  ...EVAL_FLAGS,
  backend: { value: true, help: 'wasm (default) | cpu | webgpu' },
  every: { value: true, help: 'read losses back every k steps (default 10)' },
  json: { value: false, help: 'one JSON object per run, then a summary line' },
  out: { value: true, help: 'also write the runs to FILE.json (loadable by the compare view) or FILE.csv' },
  help: { value: false, help: 'this text' },
};

export interface Vary {
  key: ConfigKey;
  values: string[];
}

const validValue = (key: ConfigKey, s: string): boolean => {
  try {
    parseField(key, s);
    return true;
  } catch {
    return false;
  }
};

/**
 * Splits the values of `--vary key=v1,v2,…`. Values may themselves hold commas (logit-normal:0,1), so the
 * rule is: from the current comma-separated piece, take the longest run of pieces that parses as a value of
 * `key`, then go on after it. `uniform,logit-normal:0,1,mode:1.29` → uniform | logit-normal:0,1 | mode:1.29.
 * A piece that starts no valid value throws the ConfigError of that piece (it names the field and the
 * accepted range).
 */
export function splitVaryValues(key: string, raw: string): string[] {
  if (!Object.prototype.hasOwnProperty.call(SCHEMA, key)) parseField(key as ConfigKey, raw); // throws "unknown setting"
  const k = key as ConfigKey;
  const pieces = raw.split(',');
  const out: string[] = [];
  let i = 0;
  while (i < pieces.length) {
    let end = -1;
    for (let j = pieces.length; j > i; j--) {
      if (validValue(k, pieces.slice(i, j).join(','))) {
        end = j;
        break;
      }
    }
    if (end < 0) parseField(k, pieces[i]); // throws, naming the field
    out.push(pieces.slice(i, end).join(','));
    i = end;
  }
  return out;
}

/** `--vary key=v1,v2` flags → one Vary per key; keys must be config keys, values valid and distinct. */
export function parseVary(flags: readonly string[], fixed: Readonly<Record<string, string>> = {}): Vary[] {
  const out: Vary[] = [];
  for (const kv of flags) {
    const eq = kv.indexOf('=');
    if (eq <= 0 || eq === kv.length - 1) throw new CliError(`--vary: expected key=v1,v2,…, got ${JSON.stringify(kv)}`);
    const key = kv.slice(0, eq);
    const values = splitVaryValues(key, kv.slice(eq + 1));
    if (out.some((v) => v.key === key)) throw new CliError(`--vary ${key} given more than once`);
    if (key in fixed) throw new CliError(`--vary ${key}: ${key} is also fixed (by --set, --seed or --steps); drop one`);
    const seen = new Map<string, string>();
    for (const v of values) {
      const parsed = String(parseField(key as ConfigKey, v));
      if (seen.has(parsed)) throw new ConfigError(key, `value ${JSON.stringify(v)} is given twice (same as ${JSON.stringify(seen.get(parsed))})`);
      seen.set(parsed, v);
    }
    out.push({ key: key as ConfigKey, values });
  }
  return out;
}

/** The grid of variants: every combination, the first --vary changing slowest. No --vary: one empty variant. */
export function expandVariants(vary: readonly Vary[]): Record<string, string>[] {
  let acc: Record<string, string>[] = [{}];
  for (const v of vary) acc = acc.flatMap((a) => v.values.map((value) => ({ ...a, [v.key]: value })));
  return acc;
}

export function classifierPath(): string {
  return path.join(REPO_ROOT, 'public', CLASSIFIER_ASSET_PATH);
}

/** The shipped MNIST classifier (FD and class accuracy), or a CliError saying how to make it. */
export function loadShippedClassifier(): MnistClassifier {
  const file = classifierPath();
  if (!fs.existsSync(file)) throw new CliError(`${file} is missing; train it with npx tsx scripts/train_classifier.ts`);
  return loadClassifier(new Uint8Array(fs.readFileSync(file)));
}

/** Held-out reference of a dataset: every held-out digit for MNIST (1,000), else 2,000 draws of the held-out stream. */
export async function datasetReference(dataset: Dataset, classifier: MnistClassifier | null): Promise<EvalReference> {
  const n = dataset.name === 'mnist' ? 1000 : 2000;
  return makeReference(dataset.heldOut(n), dataset.shape, dataset.name === 'mnist' ? classifier : null);
}

export interface RunOptions {
  evalN: number; // samples per quality row; 0 skips the evaluation
  nfe: readonly number[]; // solver step counts
  samplers?: readonly SamplerName[]; // default: the config's sampler
  guidance?: readonly number[]; // default: the config's cfg
  every?: number; // read losses back every k steps
  backend: string;
  onStep?: (step: number, loss: number) => void;
}

export type RunResult = Omit<RunRecord, 'name' | 'diff'> & { numTensorsStart: number; numTensorsEnd: number; evalSeconds: number };

/** Trains `config.steps` steps from the config's seed, then evaluates on the seed's fixed noise and labels. */
export async function runOne(config: Config, dataset: Dataset, ref: EvalReference | null, opts: RunOptions): Promise<RunResult> {
  const numTensorsStart = tf.memory().numTensors;
  const trainer = new Trainer(config, dataset);
  let result: RunResult;
  try {
    const losses: number[] = [];
    let diverged: number | null = null;
    const every = opts.every ?? 10;
    const t0 = performance.now();
    let tAfterFirst = t0;
    for (let i = 0; i < config.steps && diverged === null; i++) {
      trainer.trainStep();
      if (i === 0 || (i + 1) % every === 0 || i === config.steps - 1) {
        for (const m of await trainer.flush()) {
          if (!Number.isFinite(m.loss)) {
            diverged ??= m.step;
            continue;
          }
          if (diverged === null) losses.push(m.loss);
          opts.onStep?.(m.step, m.loss);
        }
        if (i === 0) tAfterFirst = performance.now();
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const steps = trainer.step;
    const steady = steps > 1 ? (steps - 1) / ((performance.now() - tAfterFirst) / 1000) : steps / seconds;
    const lossSummary = losses.length ? summariseLosses(losses) : { lossFirst: null, lossLast: null, lossMin: null, lossCurve: { step: [], loss: [] } };

    const e0 = performance.now();
    let quality: RunRecord['quality'] = [];
    let evalInputs: RunRecord['eval'] = null;
    if (ref && opts.evalN > 0 && diverged === null) {
      const net = trainer.net;
      const res = await qualityVsNfe(
        { model: trainer.modelFn(trainer.ema), path: trainer.flow.path, prediction: config.prediction, nullLabel: net.nullLabel, numClasses: net.numClasses, sampleShape: net.sampleShape, grid: config.grid },
        ref,
        { samplers: opts.samplers ?? [config.sampler], steps: opts.nfe, guidance: opts.guidance ?? [config.cfg], n: opts.evalN, seed: config.seed },
      );
      quality = res.rows;
      evalInputs = { n: opts.evalN, seed: config.seed, noise: res.noise, labels: res.labels };
    }
    const evalSeconds = (performance.now() - e0) / 1000;
    result = {
      config,
      steps,
      ...lossSummary,
      seconds,
      msPerStep: 1000 / steady,
      imgPerSec: steady * config.batch,
      params: countParams(trainer.net),
      backend: opts.backend,
      eval: evalInputs,
      quality,
      diverged,
      numTensorsStart,
      numTensorsEnd: -1,
      evalSeconds,
    };
  } finally {
    trainer.dispose();
  }
  result.numTensorsEnd = tf.memory().numTensors;
  return result;
}

function listFlag<T>(raw: string | undefined, flag: string, parse: (s: string) => T): T[] | undefined {
  if (raw === undefined) return undefined;
  const parts = raw.split(',');
  if (parts.some((p) => p.trim() === '')) throw new CliError(`--${flag}: expected a comma-separated list, got ${JSON.stringify(raw)}`);
  const out = parts.map((p) => parse(p.trim()));
  if (new Set(out.map(String)).size !== out.length) throw new CliError(`--${flag}: ${JSON.stringify(raw)} repeats a value`);
  return out;
}

export interface EvalPlan {
  nfe: number[];
  samplers?: SamplerName[];
  guidance?: number[];
  evalN: number;
}

/** --nfe, --samplers, --guidance, --eval-n. */
export function parseEvalFlags(args: Parsed): EvalPlan {
  const nfe = listFlag(args.flags.nfe?.[0], 'nfe', (s) => {
    const v = Number(s);
    if (!Number.isInteger(v) || v < 1 || v > 1000) throw new CliError(`--nfe: got ${JSON.stringify(s)}, expected solver step counts, integers in [1, 1000]`);
    return v;
  }) ?? [4, 8, 32];
  const samplers = listFlag(args.flags.samplers?.[0], 'samplers', (s) => parseField('sampler', s) as SamplerName);
  const guidance = listFlag(args.flags.guidance?.[0], 'guidance', (s) => parseField('cfg', s));
  const evalN = intFlag(args, 'eval-n', 0, 100_000) ?? 256;
  if (evalN === 1) throw new CliError('--eval-n: got 1, expected 0 (no evaluation) or at least 2 samples');
  return { nfe, samplers, guidance, evalN };
}

/** A metric for the text tables: 4 significant digits, — for none. */
export const formatMetric = (v: number | null | undefined, digits = 4): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toPrecision(digits));

/** Quality rows as an aligned text table (the CLIs' output without --json). */
export function qualityTable(rows: readonly QualityRow[], indent = ''): string[] {
  const cols: [string, number, (q: QualityRow) => string][] = [
    ['sampler', -16, (q) => q.sampler], ['steps', 6, (q) => String(q.steps)], ['NFE', 6, (q) => String(q.nfe)], ['cfg', 6, (q) => String(q.guidance)],
    ['FD', 10, (q) => formatMetric(q.fd)], ['acc', 8, (q) => formatMetric(q.classAccuracy, 3)], ['SW', 10, (q) => formatMetric(q.sw)], ['S', 10, (q) => formatMetric(q.straightness)],
    ['chord/len', 10, (q) => formatMetric(q.pathRatio)], ['s', 8, (q) => q.seconds.toFixed(1)],
  ];
  const cell = (text: string, w: number) => (w < 0 ? text.padEnd(-w) : text.padStart(w));
  return [cols.map(([h, w]) => cell(h, w)).join(''), ...rows.map((q) => cols.map(([, w, f]) => cell(f(q), w)).join(''))].map((l) => indent + l);
}

export interface SweepPlan {
  json: boolean;
  presetName: string;
  vary: Vary[];
  nfe: number[];
  samplers?: SamplerName[];
  guidance?: number[];
  evalN: number;
  every: number;
  outFile?: string;
  configs: Config[]; // one per run, every one validated
  diffs: Partial<Record<ConfigKey, string>>[]; // what sets each run apart
}

/** Parses and validates a whole sweep before anything runs; CliError / ConfigError on bad input. */
export function planSweep(args: Parsed): SweepPlan {
  const presetName = args.flags.preset?.[0] ?? 'mnist-tiny';
  const preset = getPreset(presetName);
  const sets = setFlags(args);
  const seed = intFlag(args, 'seed', 0, 2 ** 31 - 1);
  if (seed !== undefined) {
    if (sets.seed !== undefined) throw new CliError('--seed and --set seed both given; drop one');
    sets.seed = String(seed);
  }
  const steps = intFlag(args, 'steps', 1, 1_000_000);
  if (steps !== undefined) {
    if (sets.steps !== undefined) throw new CliError('--steps and --set steps both given; drop one');
    sets.steps = String(steps);
  }
  const vary = parseVary(args.flags.vary ?? [], sets);
  const { nfe, samplers, guidance, evalN } = parseEvalFlags(args);
  const every = intFlag(args, 'every', 1, 10_000) ?? 10;
  const outFile = args.flags.out?.[0];
  if (outFile !== undefined && !/\.(json|csv)$/.test(outFile)) throw new CliError(`--out: expected FILE.json or FILE.csv, got ${JSON.stringify(outFile)}`);
  const configs = expandVariants(vary).map((v) => makeConfig({ ...sets, ...v }, preset.config));
  return { json: !!args.flags.json, presetName, vary, nfe, samplers, guidance, evalN, every, outFile, configs, diffs: diffConfigs(configs).diffs };
}
