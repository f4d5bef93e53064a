// The URL is the experiment: preset, every setting that differs from it (seed included) and an optional
// forced backend. Parsed field by field; a bad value is reported and replaced by its default.

import { isBackendName, type BackendName } from '../core/backend_names';
import { ConfigError, configToStrings, parseConfigLenient, type Config } from '../core/config';
import { getPreset, PRESET_NAMES } from '../core/presets';
import { compareParam } from './runs';

export const DEFAULT_PRESET = 'mnist-tiny';

export interface UrlState {
  preset: string;
  config: Config;
  backend?: BackendName;
  errors: ConfigError[];
  /** The raw `compare` parameter of a shared comparison (src/state/runs.ts reads it), or null. */
  compare: string | null;
}

export function readUrl(search: string): UrlState {
  const params = new URLSearchParams(search);
  const errors: ConfigError[] = [];
  let preset = params.get('preset') ?? DEFAULT_PRESET;
  if (!PRESET_NAMES.includes(preset)) {
    errors.push(new ConfigError('preset', `unknown preset ${JSON.stringify(preset)}; accepted: ${PRESET_NAMES.join(', ')}`));
    preset = DEFAULT_PRESET;
  }
  let backend: BackendName | undefined;
  const b = params.get('backend');
  if (b !== null) {
    if (isBackendName(b)) backend = b;
    else errors.push(new ConfigError('backend', `got ${JSON.stringify(b)}, expected one of webgpu, webgl, wasm, cpu`));
  }
  const rest: Record<string, string> = {};
  for (const [k, v] of params) if (k !== 'preset' && k !== 'backend' && k !== 'compare') rest[k] = v;
  const parsed = parseConfigLenient(rest, getPreset(preset).config);
  return { preset, config: parsed.config, backend, errors: [...errors, ...parsed.errors], compare: params.get('compare') };
}

/** The query string of an experiment: only what differs from its preset. */
export function experimentQuery(preset: string, config: Config, backend?: BackendName): string {
  const params = new URLSearchParams({ preset });
  for (const [k, v] of configToStrings(config, getPreset(preset).config)) params.set(k, v);
  if (backend) params.set('backend', backend);
  return `?${params.toString()}`;
}

/** A shareable comparison: the experiment of the first run, and every run's settings that differ from it (configs only). */
export function comparisonQuery(preset: string, configs: readonly Config[], backend?: BackendName): string {
  if (configs.length === 0) throw new Error('configs: a comparison needs at least one run');
  return `${experimentQuery(preset, configs[0], backend)}&compare=${encodeURIComponent(compareParam(configs[0], configs))}`;
}

export function writeUrl(preset: string, config: Config, backend?: BackendName): void {
  if (typeof window === 'undefined') return;
  window.history.replaceState(null, '', experimentQuery(preset, config, backend) + window.location.hash);
}
