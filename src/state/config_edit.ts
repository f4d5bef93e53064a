// Editing one setting from a form: parse it with the schema, carry the fields that depend on it along
// (the model follows the dataset; patch and kvHeads stay valid), then check the config's invariants. The
// result is either a new config with the adjustments named, or a ConfigError for the field to fix.

import { checkInvariants, ConfigError, parseField, SCHEMA, type Config, type ConfigKey } from '../core/config';
import { datasetInfo } from '../core/data/registry';

export interface EditResult {
  config?: Config;
  error?: ConfigError;
  /** Other fields changed to keep the config valid, as sentences for a notice. */
  adjusted: string[];
}

/** The largest divisor of n that is ≤ limit. */
function divisorAtMost(n: number, limit: number): number {
  for (let d = Math.min(n, Math.max(1, limit)); d >= 1; d--) if (n % d === 0) return d;
  return 1;
}

export function editConfig(config: Config, key: ConfigKey, raw: unknown): EditResult {
  const adjusted: string[] = [];
  let value: Config[ConfigKey];
  try {
    value = parseField(key, raw);
  } catch (e) {
    if (e instanceof ConfigError) return { error: e, adjusted };
    throw e;
  }
  const next = { ...config, [key]: value } as Config;
  if (key === 'dataset') {
    const info = datasetInfo(next.dataset);
    const model = info.kind === 'points' ? 'mlp' : 'dit';
    if (next.model !== model) {
      next.model = model;
      adjusted.push(`model set to ${model} (${info.kind === 'points' ? '2D points need the MLP' : 'images need the DiT'})`);
    }
    if (model === 'dit' && info.shape[0] % next.patch !== 0) {
      const p = divisorAtMost(info.shape[0], next.patch);
      adjusted.push(`patch set to ${p} (image size ${info.shape[0]} is not divisible by ${next.patch})`);
      next.patch = p;
    }
  }
  if (key === 'heads' && next.model === 'dit' && (next.kvHeads > next.heads || next.heads % next.kvHeads !== 0)) {
    adjusted.push(`kvHeads set to ${next.heads} (it must divide heads)`);
    next.kvHeads = next.heads;
  }
  try {
    checkInvariants(next);
  } catch (e) {
    if (e instanceof ConfigError) return { error: e, adjusted: [] };
    throw e;
  }
  return { config: next, adjusted };
}

/** The settings a form shows for this model (the DiT's attention fields mean nothing to the 2D MLP). */
export function fieldApplies(key: ConfigKey, config: Config): boolean {
  if (config.model === 'mlp') return !['heads', 'kvHeads', 'patch', 'attention', 'checkpointing'].includes(key);
  return true;
}

/** One line on a field's accepted values, from the schema. */
export function describeField(key: ConfigKey): string {
  const s = SCHEMA[key];
  switch (s.kind) {
    case 'int':
      return `integer, ${s.min} to ${s.max}`;
    case 'float':
      return `number, ${s.exclusiveMin ? 'above' : 'from'} ${s.min} to ${s.max}`;
    case 'enum':
      return s.values.join(' | ');
    case 'bool':
      return 'on or off';
    case 'spec':
      return s.accepted;
  }
}
