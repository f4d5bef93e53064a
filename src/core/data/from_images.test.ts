import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import {
  datasetFromImages, MAX_UPLOAD_IMAGES, MAX_UPLOAD_PIXELS, MAX_UPLOAD_SIZE, resizeSquare, type UploadImage,
} from './from_images';
import { expectDeterministic, expectWellFormed } from './test_helpers';

/** An opaque gray image from a row-major list of levels (one value for R, G and B). */
function gray(width: number, height: number, levels: number[], label?: string): UploadImage {
  const data = new Uint8ClampedArray(width * height * 4);
  levels.forEach((v, i) => data.set([v, v, v, 255], i * 4));
  return { data, width, height, label };
}
const solid = (rgba: number[], label?: string, w = 2, h = 2): UploadImage =>
  ({ data: Uint8ClampedArray.from({ length: w * h * 4 }, (_, i) => rgba[i % 4]), width: w, height: h, label });
const red = (out: Float32Array) => Array.from(out.filter((_, i) => i % 3 === 0));

describe('resizeSquare', () => {
  it('averages 2×2 blocks when halving', () => {
    const img = gray(4, 4, [0, 4, 8, 8, 4, 8, 8, 8, 100, 100, 0, 0, 100, 100, 0, 40]);
    expect(red(resizeSquare(img, 2))).toEqual([4, 8, 100, 10]);
  });

  it('weighs partly covered pixels by their overlap (3 → 2)', () => {
    // Target (0, 0) covers source [0, 1.5)²: weights 1, ½ per axis, normalised by 1.5².
    const img = gray(3, 3, [90, 0, 0, 0, 0, 0, 0, 0, 9]);
    const [a, b, c, d] = red(resizeSquare(img, 2));
    expect(a).toBeCloseTo(90 / 2.25, 5);
    expect(b).toBeCloseTo(0, 5);
    expect(c).toBeCloseTo(0, 5);
    expect(d).toBeCloseTo(9 / 2.25, 5);
  });

  it('crops the centre square of a wide or tall image', () => {
    // 6×2: the centre crop is columns 2..3.
    const wide = gray(6, 2, [1, 1, 50, 60, 1, 1, 1, 1, 70, 80, 1, 1]);
    expect(red(resizeSquare(wide, 2))).toEqual([50, 60, 70, 80]);
    const tall = gray(1, 3, [5, 7, 9]);
    expect(red(resizeSquare(tall, 1))).toEqual([7]);
  });

  it('repeats pixels when enlarging', () => {
    expect(red(resizeSquare(gray(2, 2, [10, 20, 30, 40]), 4))).toEqual([10, 10, 20, 20, 10, 10, 20, 20, 30, 30, 40, 40, 30, 30, 40, 40]);
  });

  it('composites transparency onto the background', () => {
    const half = solid([200, 100, 0, 51]); // alpha 0.2
    expect(Array.from(resizeSquare(half, 1, [0, 0, 0]))).toEqual([40, 20, 0].map((v) => expect.closeTo(v, 4)));
    expect(Array.from(resizeSquare(half, 1))).toEqual([244, 224, 204].map((v) => expect.closeTo(v, 4)));
  });
});

describe('datasetFromImages', () => {
  it('makes RGB images in [-1, 1] with labels from sorted unique strings', () => {
    const imgs = [solid([255, 0, 0, 255], 'red'), solid([0, 0, 255, 255], 'blue'), solid([255, 0, 0, 255], 'red'), solid([0, 255, 0, 255], 'green')];
    const ds = datasetFromImages(imgs, { size: 4, channels: 3 }, { name: 'colours' });
    expect(ds).toMatchObject({ name: 'colours', kind: 'image', shape: [4, 4, 3], numClasses: 3, classNames: ['blue', 'green', 'red'], size: 4 });
    expect(ds.description).toBe('4 uploaded images, 3 classes, 4×4 RGB');
    const b = ds.sample(new Rng(1), 50);
    expectWellFormed(ds, b, 50, 1);
    const colour: Record<number, number[]> = { 0: [-1, -1, 1], 1: [-1, 1, -1], 2: [1, -1, -1] };
    for (let k = 0; k < 50; k++) expect(Array.from(b.x.subarray(k * 48, k * 48 + 3))).toEqual(colour[b.y[k]]);
    expectDeterministic(ds, 8);
  });

  it('converts to gray with BT.601 luma', () => {
    const ds = datasetFromImages([solid([255, 0, 0, 255]), solid([0, 255, 0, 255]), solid([0, 0, 255, 255])], { size: 4, channels: 1 });
    const h = ds.heldOut(3);
    expect(ds.shape).toEqual([4, 4, 1]);
    expect([h.x[0], h.x[16], h.x[32]].map((v) => Math.round((v + 1) * 127.5))).toEqual([76, 150, 29]);
  });

  it('puts unlabelled images in one class', () => {
    const ds = datasetFromImages([solid([1, 2, 3, 255])], { size: 4, channels: 3 });
    expect(ds).toMatchObject({ name: 'upload', numClasses: 1, classNames: ['image'], size: 1 });
    expect(ds.description).toBe('1 uploaded image, 1 class, 4×4 RGB');
  });

  it('walks every image class by class in heldOut', () => {
    const imgs = ['b', 'a', 'a', 'a', 'b', 'c'].map((l, i) => ({ ...gray(1, 1, [i * 10]), label: l }));
    const h = datasetFromImages(imgs, { size: 4, channels: 1 }).heldOut(7);
    expect(Array.from(h.y)).toEqual([0, 1, 2, 0, 1, 0, 0]);
    const level = (k: number) => Math.round((h.x[k * 16] + 1) * 127.5);
    expect([0, 1, 2, 3, 4, 5, 6].map(level)).toEqual([10, 0, 50, 20, 40, 30, 10]);
  });

  it.each([
    ['no images', [], { size: 8, channels: 3 }, /images: expected 1 to 5000 images, got 0/],
    ['too many images', Array.from({ length: MAX_UPLOAD_IMAGES + 1 }, () => gray(1, 1, [0])), { size: 8, channels: 3 }, /got 5001/],
    ['too small a size', [gray(1, 1, [0])], { size: 2, channels: 3 }, /size: expected an integer in \[4, 64\], got 2/],
    ['too large a size', [gray(1, 1, [0])], { size: MAX_UPLOAD_SIZE + 1, channels: 3 }, /got 65/],
    ['bad channels', [gray(1, 1, [0])], { size: 8, channels: 4 }, /channels: expected 1 or 3, got 4/],
    ['too many pixels', [{ data: new Uint8ClampedArray(0), width: 5000, height: 4000 }], { size: 8, channels: 3 }, new RegExp(`images\\[0\\]: 5000×4000 is over the limit of ${MAX_UPLOAD_PIXELS} pixels`)],
    ['a bad width', [{ data: new Uint8ClampedArray(0), width: 0, height: 4 }], { size: 8, channels: 3 }, /images\[0\]: expected a positive integer width and height/],
    ['a short buffer', [gray(1, 1, [0]), { data: new Uint8ClampedArray(15), width: 2, height: 2 }], { size: 8, channels: 3 }, /images\[1\]: expected 2·2·4 = 16 RGBA bytes, got 15/],
    ['a missing label', [gray(1, 1, [0], 'a'), gray(1, 1, [0])], { size: 8, channels: 3 }, /images\[1\]\.label: missing, but images\[0\] has one/],
    ['an extra label', [gray(1, 1, [0]), gray(1, 1, [0], 'a')], { size: 8, channels: 3 }, /images\[1\]\.label: given, but images\[0\] has none/],
    ['an empty label', [gray(1, 1, [0], '')], { size: 8, channels: 3 }, /images\[0\]\.label: expected a non-empty string/],
    ['too many classes', Array.from({ length: 257 }, (_, i) => gray(1, 1, [0], `c${i}`)), { size: 4, channels: 1 }, /257 distinct labels is over the limit of 256/],
  ])('rejects %s', (_, imgs, target, msg) => {
    expect(() => datasetFromImages(imgs as UploadImage[], target as never)).toThrow(msg);
  });

  it('rejects a bad background', () => {
    expect(() => datasetFromImages([gray(1, 1, [0])], { size: 4, channels: 3 }, { background: [0, 0, 300] })).toThrow(/background: expected three values in \[0, 255\]/);
  });
});
