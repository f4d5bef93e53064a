import type { SamplesPayload } from '../worker/protocol';

/** Standard deviation of the sample values: 0 for a blank grid. */
export function sampleSpread(s: Pick<SamplesPayload, 'x'>): number {
  const x = s.x;
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let v2 = 0;
  for (const v of x) v2 += (v - m) ** 2;
  return Math.sqrt(v2 / x.length);
}
