// One config schema: the single source for the URL, the UI forms, the CLI `--set` flags and checkpoint
// metadata. Values are parsed field by field from untrusted input, never merged blindly, and a wrong value
// gives a ConfigError naming the field and the accepted range.

// Imports stay free of tfjs (kinds, timesteps, weighting_spec, data registry): the page parses URLs and
// drives its forms with this module, and must not load the tensor library for that.
import { ATTENTION_KINDS, validateAttentionConfig, type AttentionKind } from './attention/kinds';
import { DATASETS, datasetInfo, type DatasetInfo } from './data/registry';
import type { PathName, Prediction, SamplerName } from './flow';
import { parseTimesteps } from './flow/timesteps';
import { parseWeightingSpec } from './flow/weighting_spec';

export type ModelKind = 'dit' | 'mlp';
export type TimeGridKind = 'uniform' | 'shifted' | 'karras';

export interface Config {
  dataset: string; // registry name (src/core/data/registry.ts)
  model: ModelKind; // DiT for images, a small MLP for 2D points
  dim: number; // hidden width D (DiT: tokens are D-dimensional)
  depth: number; // number of transformer (or MLP) blocks
  heads: number; // attention heads; D % heads === 0
  kvHeads: number; // key/value heads (multi-query when 1, grouped-query when < heads)
  patch: number; // DiT patch size p; image size % p === 0
  attention: AttentionKind; // attention implementation
  checkpointing: boolean; // recompute each block's activations in the backward pass
  batch: number; // images per step
  steps: number; // length of the run (the cosine learning-rate schedule ends here)
  lr: number; // peak AdamW learning rate
  warmup: number; // linear warmup steps
  weightDecay: number; // decoupled AdamW weight decay
  gradClip: number; // global gradient-norm clip; 0 disables
  ema: number; // EMA decay of the weights used for sampling
  labelDropout: number; // probability a label is replaced by the null class (trains the unconditional model for CFG)
  path: PathName; // noise path x_t = α(t)·x0 + σ(t)·ε
  prediction: Prediction; // what the network predicts
  timesteps: string; // training timestep density
  shift: number; // resolution shift of the timesteps (1 = none)
  weighting: string; // loss weighting over t
  sampler: SamplerName; // ODE/SDE solver for sampling
  sampleSteps: number; // solver steps
  grid: TimeGridKind; // time grid of the solver
  cfg: number; // classifier-free guidance scale (1 = no guidance)
  seed: number; // the one RNG stream: data order, timesteps, noise, label dropout
}

export type ConfigKey = keyof Config;

interface FieldBase<T> {
  doc: string; // one line, shown in the UI and `--help`
  default: T | ((c: Config) => T); // a function for defaults derived from other fields
}
export type FieldSpec =
  | (FieldBase<number> & { kind: 'int' | 'float'; min: number; max: number; exclusiveMin?: boolean })
  | (FieldBase<string> & { kind: 'enum'; values: readonly string[] })
  | (FieldBase<boolean> & { kind: 'bool' })
  | (FieldBase<string> & { kind: 'spec'; accepted: string; check: (s: string) => void });

export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ConfigError';
  }
}

export const SCHEMA: { readonly [K in ConfigKey]: FieldSpec } = {
  dataset: { kind: 'enum', values: DATASETS, default: 'mnist', doc: 'training data' },
  model: { kind: 'enum', values: ['dit', 'mlp'], default: (c) => (datasetInfo(c.dataset).kind === 'points' ? 'mlp' : 'dit'), doc: 'network: DiT for images, MLP for 2D points' },
  dim: { kind: 'int', min: 8, max: 1024, default: 64, doc: 'hidden width D' },
  depth: { kind: 'int', min: 1, max: 32, default: 4, doc: 'number of blocks' },
  heads: { kind: 'int', min: 1, max: 32, default: 4, doc: 'attention heads (D must be divisible by heads)' },
  kvHeads: { kind: 'int', min: 1, max: 32, default: (c) => c.heads, doc: 'key/value heads: 1 = multi-query, < heads = grouped-query' },
  patch: { kind: 'int', min: 1, max: 16, default: 4, doc: 'patch size p (image size must be divisible by p)' },
  attention: { kind: 'enum', values: ATTENTION_KINDS, default: 'naive', doc: 'attention implementation (linear is an approximation)' },
  checkpointing: { kind: 'bool', default: false, doc: 'recompute block activations in the backward pass to save memory' },
  batch: { kind: 'int', min: 1, max: 1024, default: 64, doc: 'samples per step' },
  steps: { kind: 'int', min: 1, max: 1_000_000, default: 2000, doc: 'training steps (end of the cosine schedule)' },
  lr: { kind: 'float', min: 0, max: 1, exclusiveMin: true, default: 1e-3, doc: 'peak learning rate (AdamW)' },
  warmup: { kind: 'int', min: 0, max: 100_000, default: 100, doc: 'linear warmup steps' },
  weightDecay: { kind: 'float', min: 0, max: 1, default: 0, doc: 'decoupled weight decay (AdamW)' },
  gradClip: { kind: 'float', min: 0, max: 1000, default: 1, doc: 'clip the global gradient norm to this value (0 = off)' },
  ema: { kind: 'float', min: 0, max: 0.99999, default: 0.999, doc: 'EMA decay of the sampling weights' },
  labelDropout: { kind: 'float', min: 0, max: 1, default: 0.1, doc: 'probability of dropping the label (for classifier-free guidance)' },
  path: { kind: 'enum', values: ['rf', 'cosine', 'vp', 'edm'], default: 'rf', doc: 'noise path x_t = α(t)·x0 + σ(t)·ε' },
  prediction: { kind: 'enum', values: ['v', 'eps', 'x0'], default: 'v', doc: 'network target: velocity, noise or data' },
  timesteps: {
    kind: 'spec',
    accepted: 'uniform | logit-normal:M,S | mode:S | cosmap | beta:A,B',
    check: (s) => void parseTimesteps(s),
    default: 'logit-normal:0,1',
    doc: 'training timestep density',
  },
  shift: { kind: 'float', min: 0.01, max: 100, default: 1, doc: "resolution shift t' = s·t / (1 + (s−1)·t) (1 = none)" },
  weighting: { kind: 'spec', accepted: 'none | min-snr:G | density:<timesteps>', check: (s) => void parseWeightingSpec(s), default: 'none', doc: 'loss weighting over t' },
  sampler: { kind: 'enum', values: ['euler', 'heun', 'midpoint', 'rk4', 'dpmpp-2m', 'euler-ancestral'], default: 'euler', doc: 'solver from t = 1 to t = 0' },
  sampleSteps: { kind: 'int', min: 1, max: 1000, default: 32, doc: 'solver steps' },
  grid: { kind: 'enum', values: ['uniform', 'shifted', 'karras'], default: 'uniform', doc: 'time grid of the solver' },
  cfg: { kind: 'float', min: 0, max: 20, default: 2, doc: 'classifier-free guidance scale (1 = off)' },
  seed: { kind: 'int', min: 0, max: 2 ** 31 - 1, default: 0, doc: 'random seed' },
};

export const CONFIG_KEYS = Object.keys(SCHEMA) as ConfigKey[];

function describeRange(spec: FieldSpec): string {
  switch (spec.kind) {
    case 'int':
      return `an integer in [${spec.min}, ${spec.max}]`;
    case 'float':
      return `a number in ${spec.exclusiveMin ? '(' : '['}${spec.min}, ${spec.max}]`;
    case 'enum':
      return `one of ${spec.values.join(', ')}`;
    case 'bool':
      return 'true or false';
    case 'spec':
      return spec.accepted;
  }
}

/** Parses one field from a string (URL, CLI) or a JSON value (checkpoint metadata); throws ConfigError. */
export function parseField<K extends ConfigKey>(key: K, raw: unknown): Config[K] {
  const spec = SCHEMA[key] as FieldSpec | undefined;
  if (!spec || !Object.prototype.hasOwnProperty.call(SCHEMA, key)) {
    throw new ConfigError(String(key), `unknown setting; accepted keys: ${CONFIG_KEYS.join(', ')}`);
  }
  const bad = (): never => {
    throw new ConfigError(key, `got ${JSON.stringify(raw)}, expected ${describeRange(spec)}`);
  };
  switch (spec.kind) {
    case 'int':
    case 'float': {
      const v = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(v)) bad();
      if (spec.kind === 'int' && !Number.isInteger(v)) bad();
      if (v > spec.max || v < spec.min || (spec.exclusiveMin && v === spec.min)) bad();
      return v as Config[K];
    }
    case 'enum': {
      if (typeof raw !== 'string' || !spec.values.includes(raw)) bad();
      return raw as Config[K];
    }
    case 'bool': {
      if (raw === true || raw === 'true' || raw === '1' || raw === 'on') return true as Config[K];
      if (raw === false || raw === 'false' || raw === '0' || raw === 'off') return false as Config[K];
      return bad();
    }
    case 'spec': {
      if (typeof raw !== 'string') bad();
      try {
        spec.check(raw as string);
      } catch (e) {
        const reason = (e as Error).message.replace(/^\w+: /, '');
        throw new ConfigError(key, /expected one of/.test(reason) ? reason : `got ${JSON.stringify(raw)}: ${reason}; accepted: ${spec.accepted}`);
      }
      return raw as Config[K];
    }
  }
}

/** Checks the invariants that tie fields together; throws ConfigError naming the field to change. */
export function checkInvariants(c: Config): void {
  const info: DatasetInfo = datasetInfo(c.dataset);
  if (info.kind === 'points' && c.model !== 'mlp') throw new ConfigError('model', `dataset ${c.dataset} is 2D points: use model=mlp`);
  if (info.kind === 'image' && c.model !== 'dit') throw new ConfigError('model', `dataset ${c.dataset} is images: use model=dit`);
  if (c.model === 'dit') {
    const size = info.shape[0];
    if (size % c.patch !== 0) throw new ConfigError('patch', `image size ${size} is not divisible by patch ${c.patch}`);
    if (c.dim % c.heads !== 0) throw new ConfigError('heads', `dim ${c.dim} is not divisible by heads ${c.heads}`);
    if (c.dim % 4 !== 0) throw new ConfigError('dim', `dim ${c.dim} must be a multiple of 4 (2D sin-cos positions)`);
    const err = validateAttentionConfig({ attention: c.attention, heads: c.heads, kvHeads: c.kvHeads });
    if (err) {
      const field = /kvHeads/.test(err) ? 'kvHeads' : 'attention';
      throw new ConfigError(field, err.replace(/^(kvHeads|attention): /, ''));
    }
  }
}

/** Parses a config from untrusted key/value input on top of `base` (defaults when absent). Strict: the first bad field throws. */
export function parseConfig(input: Readonly<Record<string, unknown>>, base: Partial<Config> = {}): Config {
  const given: Partial<Record<ConfigKey, unknown>> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!Object.prototype.hasOwnProperty.call(SCHEMA, key)) {
      throw new ConfigError(key, `unknown setting; accepted keys: ${CONFIG_KEYS.join(', ')}`);
    }
    given[key as ConfigKey] = value;
  }
  return resolve(given, base, (e) => {
    throw e;
  });
}

/** Lenient parsing for URLs: each bad field is reported and falls back to its default; unknown keys are reported. */
export function parseConfigLenient(input: Readonly<Record<string, unknown>>, base: Partial<Config> = {}): { config: Config; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const given: Partial<Record<ConfigKey, unknown>> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!Object.prototype.hasOwnProperty.call(SCHEMA, key)) errors.push(new ConfigError(key, 'unknown setting, ignored'));
    else given[key as ConfigKey] = value;
  }
  let config = resolve(given, base, (e) => errors.push(e));
  try {
    checkInvariants(config);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // The combination is invalid: report it and fall back to the base (preset) values alone.
    errors.push(e);
    config = resolve({}, base, (err) => errors.push(err));
    try {
      checkInvariants(config);
    } catch {
      config = resolve({}, {}, () => {});
    }
  }
  return { config, errors };
}

function resolve(given: Partial<Record<ConfigKey, unknown>>, base: Partial<Config>, onError: (e: ConfigError) => void): Config {
  const out = {} as Record<ConfigKey, unknown>;
  const derived: ConfigKey[] = [];
  for (const key of CONFIG_KEYS) {
    let value: unknown = undefined;
    if (given[key] !== undefined) {
      try {
        value = parseField(key, given[key]);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        onError(e);
      }
    }
    if (value === undefined && base[key] !== undefined) value = parseField(key, base[key]);
    if (value === undefined) {
      const d = SCHEMA[key].default;
      if (typeof d === 'function') derived.push(key);
      else value = d;
    }
    out[key] = value;
  }
  for (const key of derived) out[key] = (SCHEMA[key].default as (c: Config) => unknown)(out as unknown as Config);
  return out as unknown as Config;
}

/** Strict parse + invariants: what the CLI and checkpoint loading use. */
export function makeConfig(input: Readonly<Record<string, unknown>> = {}, base: Partial<Config> = {}): Config {
  const c = parseConfig(input, base);
  checkInvariants(c);
  return c;
}

export function defaultValue<K extends ConfigKey>(key: K, c: Config): Config[K] {
  const d = SCHEMA[key].default;
  return (typeof d === 'function' ? (d as (c: Config) => unknown)(c) : d) as Config[K];
}

/** The fields that differ from `base` (schema defaults where `base` is silent), as strings: the URL and `--set` form. */
export function configToStrings(c: Config, base: Partial<Config> = {}): [ConfigKey, string][] {
  const out: [ConfigKey, string][] = [];
  for (const key of CONFIG_KEYS) {
    const ref = base[key] !== undefined ? base[key] : defaultValue(key, c);
    if (c[key] !== ref) out.push([key, String(c[key])]);
  }
  return out;
}

/** The model's image (or point) geometry, from the dataset. */
export function dataShape(c: Config): { shape: readonly number[]; numClasses: number; tokens: number } {
  const info = datasetInfo(c.dataset);
  const tokens = c.model === 'dit' ? (info.shape[0] / c.patch) * (info.shape[1] / c.patch) : 1;
  return { shape: info.shape, numClasses: info.numClasses, tokens };
}
