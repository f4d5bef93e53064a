import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { createMnist, decodeMnist, encodeMnist, MNIST_HEADER_BYTES, MNIST_HELD_OUT_PER_CLASS } from './mnist';
import { expectBalanced, expectDeterministic, expectSameArray, expectWellFormed } from './test_helpers';

const D = 784, PER_CLASS = 110, N = 10 * PER_CLASS;

/** A synthetic asset, class-major like the real one; digit i carries its index in pixels 0 and 1. */
function synthetic(): { labels: Uint8Array; pixels: Uint8Array; bytes: Uint8Array } {
  const labels = new Uint8Array(N), pixels = new Uint8Array(N * D);
  for (let i = 0; i < N; i++) {
    labels[i] = Math.floor(i / PER_CLASS);
    for (let j = 0; j < D; j++) pixels[i * D + j] = (i * 7 + j) & 255;
    pixels[i * D] = i & 255;
    pixels[i * D + 1] = i >> 8;
  }
  return { labels, pixels, bytes: encodeMnist(labels, pixels) };
}
const indexOf = (x: Float32Array, k: number) => Math.round((x[k * D] + 1) * 127.5) + 256 * Math.round((x[k * D + 1] + 1) * 127.5);

describe('mnist asset', () => {
  const { labels, pixels, bytes } = synthetic();

  it('round-trips through encode and decode (from Uint8Array, ArrayBuffer, or an offset view)', () => {
    expect(bytes.length).toBe(MNIST_HEADER_BYTES + N * (1 + D));
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe('FPMN');
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    for (const input of [bytes, bytes.slice().buffer, padded.subarray(3)]) {
      const m = decodeMnist(input);
      expect(m.count).toBe(N);
      expectSameArray(m.labels, labels);
      expectSameArray(m.pixels, pixels);
    }
  });

  const corrupt = (f: (b: Uint8Array, v: DataView) => Uint8Array | void) => {
    const b = bytes.slice();
    return f(b, new DataView(b.buffer)) ?? b;
  };
  it.each([
    ['shorter than the header', () => bytes.slice(0, 10), /shorter than the 16-byte header/],
    ['bad magic', () => corrupt((b) => { b[0] = 0x50; }), /bad magic "PPMN"/],
    ['unknown version', () => corrupt((_, v) => v.setUint32(4, 2, true)), /version 2 is not supported/],
    ['wrong image size', () => corrupt((_, v) => v.setUint16(12, 32, true)), /images are 32×28/],
    ['no digits', () => encodeMnist(new Uint8Array(0), new Uint8Array(0)), /holds no digits/],
    ['truncated', () => bytes.slice(0, bytes.length - 1), /exactly .*\(truncated\)/],
    ['trailing bytes', () => { const b = new Uint8Array(bytes.length + 1); b.set(bytes); return b; }, /trailing bytes/],
    ['label out of range', () => corrupt((b) => { b[MNIST_HEADER_BYTES + 5] = 10; }), /label 10 at index 5/],
  ])('rejects %s', (_, make, msg) => {
    expect(() => decodeMnist(make())).toThrow(msg);
  });

  it('encode checks its input', () => {
    expect(() => encodeMnist(new Uint8Array(2), new Uint8Array(D))).toThrow(/expected 2·784/);
    expect(() => encodeMnist(Uint8Array.of(11), new Uint8Array(D))).toThrow(/label 11/);
  });

  it('needs more digits per class than it holds out', () => {
    const few = encodeMnist(labels.subarray(0, PER_CLASS * 9), pixels.subarray(0, PER_CLASS * 9 * D));
    expect(() => createMnist(few)).toThrow(/class 9 has 0 digits/);
  });
});

describe('mnist dataset', () => {
  const { bytes } = synthetic();
  const ds = createMnist(bytes);
  const trainPerClass = PER_CLASS - MNIST_HELD_OUT_PER_CLASS;

  it('describes itself', () => {
    expect(ds).toMatchObject({ name: 'mnist', kind: 'image', shape: [28, 28, 1], numClasses: 10, needsAsset: 'mnist' });
    expect(ds.size).toBe(10 * trainPerClass);
  });

  it('gives images in [-1, 1] whose pixels and labels match the asset', () => {
    const b = ds.sample(new Rng(1), 500);
    expectWellFormed(ds, b, 500, 1);
    for (let k = 0; k < 500; k++) {
      const i = indexOf(b.x, k);
      expect(b.y[k]).toBe(Math.floor(i / PER_CLASS));
      expect(b.x[k * D + 5]).toBeCloseTo((((i * 7 + 5) & 255) / 127.5) - 1, 6);
    }
    expect(b.x.some((v) => v === -1) && b.x.some((v) => v === 1)).toBe(true);
  });

  it('trains only on the first digits of each class and holds out the last 100', () => {
    const b = ds.sample(new Rng(2), 4000);
    for (let k = 0; k < 4000; k++) expect(indexOf(b.x, k) % PER_CLASS).toBeLessThan(trainPerClass);
    expectBalanced(b.y, 10);
    const h = ds.heldOut(10 * MNIST_HELD_OUT_PER_CLASS);
    const seen = new Set<number>();
    for (let k = 0; k < h.y.length; k++) {
      const i = indexOf(h.x, k);
      expect(i % PER_CLASS).toBeGreaterThanOrEqual(trainPerClass);
      expect(h.y[k]).toBe(k % 10); // class-interleaved: any prefix is balanced
      seen.add(i);
    }
    expect(seen.size).toBe(10 * MNIST_HELD_OUT_PER_CLASS);
  });

  it('repeats the held-out pool in order past its end', () => {
    const all = 10 * MNIST_HELD_OUT_PER_CLASS;
    const h = ds.heldOut(all + 3);
    expect(h.x.subarray(all * D)).toEqual(h.x.subarray(0, 3 * D));
  });

  it('is deterministic from the seed; heldOut is fixed', () => expectDeterministic(ds, 16));
});
