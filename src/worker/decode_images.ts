// Decodes the user's dropped image files inside the worker (createImageBitmap + OffscreenCanvas), so the
// page never blocks on a large photo. Each image is centre-cropped to a square and scaled down to at most
// `maxSide` pixels here; datasetFromImages then area-averages it to the model's exact size.

import { MAX_UPLOAD_PIXELS, type UploadImage } from '../core/data/from_images';
import { MAX_UPLOAD_FILE_BYTES, type UploadItem } from './protocol';

export interface Decoded {
  images: UploadImage[];
  skipped: string[]; // "name: reason", one per file left out
}

export async function decodeUploads(items: readonly UploadItem[], maxSide: number, useLabels: boolean, onProgress?: (done: number) => void): Promise<Decoded> {
  const images: UploadImage[] = [];
  const skipped: string[] = [];
  const labelled = useLabels && items.length > 0 && items.every((it) => !!it.label);
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (it.file.size > MAX_UPLOAD_FILE_BYTES) {
      skipped.push(`${it.name}: ${(it.file.size / 2 ** 20).toFixed(0)} MB is over the ${MAX_UPLOAD_FILE_BYTES / 2 ** 20} MB limit per file`);
      continue;
    }
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(it.file);
    } catch {
      skipped.push(`${it.name}: not an image this browser can decode`);
      continue;
    }
    const { width: w, height: h } = bitmap;
    if (w * h > MAX_UPLOAD_PIXELS) {
      bitmap.close();
      skipped.push(`${it.name}: ${w}×${h} is over the limit of ${MAX_UPLOAD_PIXELS.toLocaleString('en')} pixels; scale it down first`);
      continue;
    }
    const m = Math.min(w, h);
    const s = Math.max(1, Math.min(m, maxSide));
    const canvas = new OffscreenCanvas(s, s);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('upload: this browser has no 2D OffscreenCanvas in workers');
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, Math.floor((w - m) / 2), Math.floor((h - m) / 2), m, m, 0, 0, s, s);
    bitmap.close();
    const data = ctx.getImageData(0, 0, s, s).data;
    images.push({ data, width: s, height: s, ...(labelled ? { label: it.label } : {}) });
    if (onProgress && (i % 16 === 15 || i === items.length - 1)) onProgress(i + 1);
  }
  return { images, skipped };
}
