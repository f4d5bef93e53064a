// The page (main thread) only renders: tfjs lives in the training worker. This walks the value imports
// (not `import type`) reachable from src/main.tsx and fails if any reaches @tensorflow/*. The worker is
// reached through `new Worker(new URL(...))`, not an import, so it is not followed.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function valueImports(file: string): string[] {
  const src = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(?!type\b)([^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const m of src.matchAll(re)) {
    const clause = m[2] ?? '';
    // `import { type A, type B } from` carries no value either
    const names = clause.match(/\{([^}]*)\}/)?.[1];
    if (names && names.split(',').every((n) => n.trim() === '' || n.trim().startsWith('type '))) continue;
    out.push(m[3]);
  }
  return out;
}

function resolve(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  return null;
}

/** Every package imported by value from `entry`, with one import chain that leads to it. */
export function packagesReached(entry: string): Map<string, string[]> {
  const seen = new Set<string>();
  const found = new Map<string, string[]>();
  const walk = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of valueImports(file)) {
      const next = resolve(file, spec);
      if (next) walk(next, [...chain, path.relative(ROOT, next)]);
      else if (!spec.startsWith('.') && !found.has(spec)) found.set(spec, chain);
    }
  };
  walk(entry, [path.relative(ROOT, entry)]);
  return found;
}

describe('main-thread imports', () => {
  it('no value import from src/main.tsx reaches tfjs', () => {
    const reached = packagesReached(path.join(ROOT, 'src/main.tsx'));
    const tf = [...reached.entries()].filter(([p]) => p.startsWith('@tensorflow/'));
    expect(tf.map(([p, chain]) => `${p} via ${chain.join(' → ')}`)).toEqual([]);
    expect(reached.has('react')).toBe(true); // the walk does follow the page's imports
  });

  it('the walker sees tfjs where it is imported (the worker entry)', () => {
    const reached = packagesReached(path.join(ROOT, 'src/worker/training_worker.ts'));
    expect([...reached.keys()].some((p) => p.startsWith('@tensorflow/'))).toBe(true);
  });
});
