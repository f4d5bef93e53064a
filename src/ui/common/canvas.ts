// Cheap canvas drawing shared by panels: image tiles from [-1, 1] floats and 2D point clouds.

import { imageGrid } from '../../core/formats/image_grid';

export const CLASS_COLORS = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626', '#65a30d'];

/** Draws n images of `shape` [H, W, C] in `cols` columns at 1:1 pixels (CSS scales them, pixelated). */
export function drawImageGrid(canvas: HTMLCanvasElement, x: Float32Array, n: number, shape: readonly number[], cols: number, pad = 1): { width: number; height: number } {
  const g = imageGrid(x, n, shape, cols, { pad });
  canvas.width = g.width;
  canvas.height = g.height;
  const ctx = canvas.getContext('2d');
  ctx?.putImageData(new ImageData(g.rgba as Uint8ClampedArray<ArrayBuffer>, g.width, g.height), 0, 0);
  return g;
}

/** Maps a point in [−extent, extent]² to canvas pixels (y up). */
export function toPixels(size: number, extent: number) {
  return {
    px: (v: number) => ((v + extent) / (2 * extent)) * size,
    py: (v: number) => ((extent - v) / (2 * extent)) * size,
  };
}

/** A point cloud, coloured by label, on a square canvas region. */
export function drawPoints(ctx: CanvasRenderingContext2D, xy: ArrayLike<number>, labels: ArrayLike<number> | null, x0: number, y0: number, size: number, extent: number, radius = 1.5, alpha = 0.7): void {
  const { px, py } = toPixels(size, extent);
  ctx.globalAlpha = alpha;
  const n = xy.length / 2;
  for (let i = 0; i < n; i++) {
    ctx.fillStyle = CLASS_COLORS[(labels ? labels[i] : 0) % CLASS_COLORS.length];
    ctx.fillRect(x0 + px(xy[2 * i]) - radius, y0 + py(xy[2 * i + 1]) - radius, 2 * radius, 2 * radius);
  }
  ctx.globalAlpha = 1;
}

// Canvas drawing runs in its own small tasks, one canvas per task, after React's commit: a burst of events
// (new samples, a metrics batch) never becomes one long main-thread task. A newer job for the same canvas
// replaces an older one that has not run yet.
const jobs = new Map<object, () => void>();
let pumping = false;

function pump(): void {
  const next = jobs.entries().next();
  if (next.done) {
    pumping = false;
    return;
  }
  const [key, job] = next.value;
  jobs.delete(key);
  try {
    job();
  } finally {
    setTimeout(pump, 0);
  }
}

export function scheduleDraw(key: object, job: () => void): void {
  jobs.delete(key); // re-queue at the end
  jobs.set(key, job);
  if (!pumping) {
    pumping = true;
    setTimeout(pump, 0);
  }
}

export function cancelDraw(key: object): void {
  jobs.delete(key);
}
