// A dataset from the user's own images: centre-crop to a square, area-average resize,
// optional grayscale, labels from the images' label strings.
import { byteTableDataset, interleaveByClass } from './common';
import type { Dataset } from './types';

export const MAX_UPLOAD_IMAGES = 5000;
/** Largest source image, width × height (a 4096×4096 photo). */
export const MAX_UPLOAD_PIXELS = 4096 * 4096;
export const MAX_UPLOAD_CLASSES = 256;
export const MIN_UPLOAD_SIZE = 4;
/** Largest target side: 5,000 images of 64×64×3 bytes is 61 MB. */
export const MAX_UPLOAD_SIZE = 64;

export interface UploadImage {
  data: Uint8ClampedArray;   // RGBA, row-major, width·height·4 bytes (as ImageData gives it)
  width: number;
  height: number;
  label?: string;            // class name; all images labelled or none
}

export interface UploadTarget { size: number; channels: 1 | 3 }

export interface FromImagesOptions {
  name?: string;                                     // dataset name, default 'upload'
  background?: readonly [number, number, number];    // RGB that transparent pixels are composited onto, default white
}

const LUMA = [0.299, 0.587, 0.114]; // ITU-R BT.601, as PIL's convert('L')

/**
 * Area-average resize of the centred square crop of an RGBA image to size×size, composited
 * onto `background`: each target pixel is the mean of the source area it covers, with
 * fractional weights for partly covered source pixels. Returns RGB floats in [0, 255], [size, size, 3].
 */
export function resizeSquare(img: UploadImage, size: number, background: readonly number[] = [255, 255, 255]): Float32Array {
  const m = Math.min(img.width, img.height);
  const x0 = Math.floor((img.width - m) / 2), y0 = Math.floor((img.height - m) / 2);
  const cells = coverage(m, size); // the crop is square: the same cells across and down
  const out = new Float32Array(size * size * 3);
  const src = img.data, w = img.width;
  for (let ty = 0; ty < size; ty++) {
    for (let tx = 0; tx < size; tx++) {
      let r = 0, g = 0, b = 0;
      for (const [sy, wy] of cells[ty]) {
        for (const [sx, wx] of cells[tx]) {
          const p = ((y0 + sy) * w + x0 + sx) * 4;
          const a = src[p + 3] / 255, wt = wx * wy;
          r += wt * (a * src[p] + (1 - a) * background[0]);
          g += wt * (a * src[p + 1] + (1 - a) * background[1]);
          b += wt * (a * src[p + 2] + (1 - a) * background[2]);
        }
      }
      const o = (ty * size + tx) * 3;
      out[o] = r; out[o + 1] = g; out[o + 2] = b;
    }
  }
  return out;
}

/** For each of `n` target cells over `m` source pixels: the [source index, weight] pairs it covers, weights summing to 1. */
function coverage(m: number, n: number): [number, number][][] {
  const step = m / n;
  return Array.from({ length: n }, (_, t) => {
    const lo = t * step, hi = (t + 1) * step;
    const cells: [number, number][] = [];
    for (let s = Math.floor(lo); s < hi && s < m; s++) {
      const overlap = Math.min(hi, s + 1) - Math.max(lo, s);
      if (overlap > 0) cells.push([s, overlap / step]);
    }
    return cells;
  });
}

export function datasetFromImages(images: readonly UploadImage[], target: UploadTarget, opts: FromImagesOptions = {}): Dataset {
  const { size, channels } = target;
  if (!Number.isInteger(size) || size < MIN_UPLOAD_SIZE || size > MAX_UPLOAD_SIZE) {
    throw new Error(`size: expected an integer in [${MIN_UPLOAD_SIZE}, ${MAX_UPLOAD_SIZE}], got ${size}`);
  }
  if (channels !== 1 && channels !== 3) throw new Error(`channels: expected 1 or 3, got ${channels}`);
  if (images.length < 1 || images.length > MAX_UPLOAD_IMAGES) {
    throw new Error(`images: expected 1 to ${MAX_UPLOAD_IMAGES} images, got ${images.length}`);
  }
  const background = opts.background ?? [255, 255, 255];
  if (background.length !== 3 || background.some((v) => !(v >= 0 && v <= 255))) {
    throw new Error(`background: expected three values in [0, 255], got ${JSON.stringify(background)}`);
  }
  const labelled = images[0].label !== undefined;
  images.forEach((img, i) => {
    const { width: w, height: h } = img;
    if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1) throw new Error(`images[${i}]: expected a positive integer width and height, got ${w}×${h}`);
    if (w * h > MAX_UPLOAD_PIXELS) throw new Error(`images[${i}]: ${w}×${h} is over the limit of ${MAX_UPLOAD_PIXELS} pixels; scale it down first`);
    if (img.data.length !== w * h * 4) throw new Error(`images[${i}]: expected ${w}·${h}·4 = ${w * h * 4} RGBA bytes, got ${img.data.length}`);
    if ((img.label !== undefined) !== labelled) throw new Error(`images[${i}].label: ${labelled ? 'missing, but images[0] has one' : 'given, but images[0] has none'}; label all images or none`);
    if (labelled && (typeof img.label !== 'string' || img.label === '')) throw new Error(`images[${i}].label: expected a non-empty string`);
  });

  const classNames = labelled ? [...new Set(images.map((img) => img.label as string))].sort() : ['image'];
  if (classNames.length > MAX_UPLOAD_CLASSES) throw new Error(`images: ${classNames.length} distinct labels is over the limit of ${MAX_UPLOAD_CLASSES}`);
  const classOf = new Map(classNames.map((c, i) => [c, i]));
  const labels = Int32Array.from(images, (img) => (labelled ? classOf.get(img.label as string)! : 0));

  const d = size * size * channels;
  const pixels = new Uint8Array(images.length * d);
  images.forEach((img, i) => {
    const rgb = resizeSquare(img, size, background);
    for (let p = 0; p < size * size; p++) {
      if (channels === 3) {
        for (let c = 0; c < 3; c++) pixels[i * d + p * 3 + c] = Math.round(rgb[p * 3 + c]);
      } else {
        pixels[i * d + p] = Math.round(LUMA[0] * rgb[p * 3] + LUMA[1] * rgb[p * 3 + 1] + LUMA[2] * rgb[p * 3 + 2]);
      }
    }
  });

  const byClass: number[][] = classNames.map(() => []);
  labels.forEach((l, i) => byClass[l].push(i));
  const name = opts.name ?? 'upload';
  const n = images.length, k = classNames.length;
  // Uploads are too few to spare a held-out split: every image trains, and heldOut
  // walks all of them in a fixed class-interleaved order.
  return byteTableDataset(
    {
      name, kind: 'image', shape: [size, size, channels], numClasses: k, classNames,
      description: `${n} uploaded image${n === 1 ? '' : 's'}, ${k} class${k === 1 ? '' : 'es'}, ${size}×${size} ${channels === 1 ? 'gray' : 'RGB'}`,
      size: n,
    },
    labels, pixels, Int32Array.from({ length: n }, (_, i) => i), interleaveByClass(byClass),
  );
}
