import { describe, expect, it } from 'vitest';
import { imageGrid } from './image_grid';

const px = (g: { rgba: Uint8ClampedArray; width: number }, x: number, y: number) => Array.from(g.rgba.subarray((y * g.width + x) * 4, (y * g.width + x) * 4 + 4));

describe('imageGrid', () => {
  it('lays out tiles with padding and maps [-1, 1] to bytes', () => {
    // Three 1×2 RGB images, two columns: 2 rows.
    const s = Float32Array.of(
      -1, -1, -1, 1, 1, 1,        // black, white
      0, 0, 0, 2, -2, NaN,        // mid gray, clamped colour with a NaN
      -1, 0, 1, 1, 0, -1,
    );
    const g = imageGrid(s, 3, [1, 2, 3], 2, { pad: 1, padColor: [9, 8, 7] });
    expect([g.width, g.height]).toEqual([2 * 2 + 3, 2 * 1 + 3]);
    expect(g.rgba.length).toBe(g.width * g.height * 4);
    expect(px(g, 0, 0)).toEqual([9, 8, 7, 255]);
    expect(px(g, 1, 1)).toEqual([0, 0, 0, 255]);
    expect(px(g, 2, 1)).toEqual([255, 255, 255, 255]);
    expect(px(g, 3, 1)).toEqual([9, 8, 7, 255]);
    expect(px(g, 4, 1)).toEqual([128, 128, 128, 255]); // 127.5 rounds half to even
    expect(px(g, 5, 1)).toEqual([255, 0, 0, 255]);
    expect(px(g, 1, 3)).toEqual([0, 128, 255, 255]);
    expect(px(g, 4, 3)).toEqual([9, 8, 7, 255]);    // the empty last cell
  });

  it('shows one channel as gray and scales by repeating pixels', () => {
    const g = imageGrid(Float32Array.of(-1, 1, 1, -1), 1, [2, 2, 1], 4, { pad: 0, scale: 2 });
    expect([g.width, g.height]).toEqual([4, 4]);
    const row0 = [0, 1, 2, 3].map((x) => px(g, x, 0)[0]), row3 = [0, 1, 2, 3].map((x) => px(g, x, 3)[0]);
    expect(row0).toEqual([0, 0, 255, 255]);
    expect(row3).toEqual([255, 255, 0, 0]);
    expect(px(g, 2, 1)).toEqual([255, 255, 255, 255]);
  });

  it.each([
    ['a bad shape', () => imageGrid(new Float32Array(4), 1, [2, 2], 1), /shape must be \[H, W, C\]/],
    ['4 channels', () => imageGrid(new Float32Array(16), 1, [2, 2, 4], 1), /channels must be 1 or 3, got 4/],
    ['too few values', () => imageGrid(new Float32Array(7), 2, [2, 2, 1], 1), /2 images of \[2,2,1\] need 8 values, got 7/],
    ['zero columns', () => imageGrid(new Float32Array(4), 1, [2, 2, 1], 0), /cols must be a positive integer/],
    ['a fractional scale', () => imageGrid(new Float32Array(4), 1, [2, 2, 1], 1, { scale: 1.5 }), /scale must be a positive integer/],
    ['a negative pad', () => imageGrid(new Float32Array(4), 1, [2, 2, 1], 1, { pad: -1 }), /pad must be a non-negative integer/],
  ])('rejects %s', (_, f, msg) => {
    expect(f).toThrow(msg);
  });
});
