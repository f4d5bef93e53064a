import type { SamplesPayload } from '../worker/protocol';

const cache = new WeakMap<object, number>();

/** Standard deviation of the sample values: 0 for a blank grid (cached per payload: tests poll it). */
export function sampleSpread(s: Pick<SamplesPayload, 'x'>): number {
  const hit = cache.get(s.x);
  if (hit !== undefined) return hit;
  const x = s.x;
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let v2 = 0;
  for (const v of x) v2 += (v - m) ** 2;
  const sd = Math.sqrt(v2 / x.length);
  cache.set(s.x, sd);
  return sd;
}
