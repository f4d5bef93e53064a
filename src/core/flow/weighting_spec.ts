// Parsing of loss-weighting specs, free of tfjs (the page validates URLs and forms with it);
// src/core/flow/weighting.ts builds the weighting functions from the parsed form.

import { parseTimesteps, type TimestepSampler } from './timesteps';

export const WEIGHTING_FORMS = 'none | min-snr:G | density:<timesteps spec>';

export type WeightingSpec = { kind: 'none' } | { kind: 'min-snr'; gamma: number } | { kind: 'density'; sampler: TimestepSampler };

const fail = (msg: string): never => {
  throw new Error(`weighting: ${msg}`);
};

/** Parses a weighting spec; errors name the field `weighting` and the accepted forms. */
export function parseWeightingSpec(spec: string): WeightingSpec {
  if (typeof spec !== 'string') fail(`expected a string (${WEIGHTING_FORMS}), got ${String(spec)}`);
  const s = spec.trim();
  if (s === 'none') return { kind: 'none' };
  if (s.startsWith('min-snr:')) {
    const g = s.slice('min-snr:'.length).trim();
    const gamma = Number(g);
    if (g === '' || !Number.isFinite(gamma) || !(gamma > 0)) fail(`min-snr:G needs a number G > 0 (Hang et al. use 5), got ${JSON.stringify(spec)}`);
    return { kind: 'min-snr', gamma };
  }
  if (s.startsWith('density:')) {
    try {
      return { kind: 'density', sampler: parseTimesteps(s.slice('density:'.length)) };
    } catch (e) {
      return fail(`in density:<timesteps spec>, ${(e as Error).message}`);
    }
  }
  return fail(`expected one of ${WEIGHTING_FORMS}, got ${JSON.stringify(spec)}`);
}
