import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GRID_KINDS } from './grid';
import { METHOD_DOCS, methodDoc } from './method_docs';
import { PATH_NAMES } from './paths';
import { PREDICTIONS } from './prediction';
import { SAMPLER_NAMES } from './solvers';

const page = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../docs/methods.md'), 'utf8');

describe('method docs', () => {
  it('cover every registered path, prediction, timestep density, weighting, solver and grid', () => {
    for (const k of PATH_NAMES) expect(methodDoc('path', k).key).toBe(k);
    for (const k of PREDICTIONS) expect(methodDoc('prediction', k).key).toBe(k);
    for (const k of ['uniform', 'logit-normal', 'mode', 'cosmap', 'beta', 'shift']) expect(methodDoc('timesteps', k).key).toBe(k);
    for (const k of ['none', 'min-snr', 'density']) expect(methodDoc('weighting', k).key).toBe(k);
    for (const k of SAMPLER_NAMES) expect(methodDoc('solver', k).key).toBe(k);
    for (const k of GRID_KINDS) expect(methodDoc('grid', k).key).toBe(k);
    expect(() => methodDoc('solver', 'ddim')).toThrow(/^method:/);
  });

  it('every entry is complete and one line', () => {
    for (const e of METHOD_DOCS) {
      for (const f of [e.name, e.formula, e.summary, e.source]) {
        expect(f.length, `${e.group}/${e.key}`).toBeGreaterThan(0);
        expect(f, `${e.group}/${e.key}`).not.toMatch(/[\n`]/);
      }
    }
  });

  it.each(METHOD_DOCS.map((e) => [e.group, e.key, e] as const))('docs/methods.md has %s/%s’s formula and summary verbatim', (_g, _k, e) => {
    expect(page).toContain(e.formula);
    expect(page).toContain(e.summary);
  });
});
