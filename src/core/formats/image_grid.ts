// Tiles n images into one RGBA picture (the sample grid of the CLI and the UI).

export interface GridOptions {
  pad?: number;                                // pixels between and around tiles, default 1
  scale?: number;                              // integer nearest-neighbour upscale, default 1
  padColor?: readonly [number, number, number]; // default dark gray
}

export interface Grid { rgba: Uint8ClampedArray; width: number; height: number }

/**
 * `samples`: n images of `shape` [H, W, C] (C 1 or 3), row-major HWC, values in [-1, 1];
 * v ↦ round((v + 1)·127.5), clamped to [0, 255], NaN ↦ 0. One channel is drawn as gray.
 */
export function imageGrid(samples: Float32Array, n: number, shape: readonly number[], cols: number, opts: GridOptions = {}): Grid {
  const { pad = 1, scale = 1, padColor = [32, 32, 32] } = opts;
  if (shape.length !== 3 || shape.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`imageGrid: shape must be [H, W, C] of positive integers, got [${shape}]`);
  const [H, W, C] = shape;
  if (C !== 1 && C !== 3) throw new Error(`imageGrid: channels must be 1 or 3, got ${C}`);
  if (!Number.isInteger(n) || n < 1) throw new Error(`imageGrid: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(cols) || cols < 1) throw new Error(`imageGrid: cols must be a positive integer, got ${cols}`);
  if (!Number.isInteger(pad) || pad < 0) throw new Error(`imageGrid: pad must be a non-negative integer, got ${pad}`);
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`imageGrid: scale must be a positive integer, got ${scale}`);
  if (samples.length < n * H * W * C) throw new Error(`imageGrid: ${n} images of [${shape}] need ${n * H * W * C} values, got ${samples.length}`);

  const c = Math.min(cols, n), r = Math.ceil(n / c);
  const tw = W * scale, th = H * scale;
  const width = c * tw + (c + 1) * pad, height = r * th + (r + 1) * pad;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba[p * 4] = padColor[0]; rgba[p * 4 + 1] = padColor[1]; rgba[p * 4 + 2] = padColor[2]; rgba[p * 4 + 3] = 255;
  }
  for (let i = 0; i < n; i++) {
    const left = pad + (i % c) * (tw + pad), top = pad + Math.floor(i / c) * (th + pad);
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        const s = ((i * H + Math.floor(y / scale)) * W + Math.floor(x / scale)) * C;
        const o = ((top + y) * width + left + x) * 4;
        // Uint8ClampedArray does the clamping, the rounding (half to even) and NaN ↦ 0.
        for (let k = 0; k < 3; k++) rgba[o + k] = (samples[s + (C === 1 ? 0 : k)] + 1) * 127.5;
      }
    }
  }
  return { rgba, width, height };
}
