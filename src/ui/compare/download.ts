// Files out of the compare view: text (CSV, JSON), a chart's SVG as PNG (computed styles inlined, so the
// theme's colours survive serialisation), and the sample grids side by side as one PNG.

import type { SavedRun } from '../../state/runs';

export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadText(text: string, name: string, type: string): void {
  downloadBlob(new Blob([text], { type }), name);
}

const STYLE_PROPS = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-dasharray', 'stroke-opacity', 'opacity', 'font-size', 'font-family', 'font-weight', 'text-anchor', 'dominant-baseline'];

function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('the picture could not be drawn'));
    img.src = src;
  });
}

function canvasBlob(c: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => c.toBlob((b) => (b ? resolve(b) : reject(new Error('the canvas gave no PNG'))), 'image/png'));
}

/** A chart (recharts SVG) as a PNG at twice its size, on the panel's background, with its title and legend drawn above. */
export async function svgToPng(svg: SVGSVGElement, style: { background: string; text: string; title: string; legend: { name: string; colour: string }[] }): Promise<Blob> {
  const { width, height } = svg.getBoundingClientRect();
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const src = [svg, ...svg.querySelectorAll('*')];
  const dst = [clone, ...clone.querySelectorAll('*')];
  src.forEach((el, i) => {
    const cs = getComputedStyle(el);
    const style = STYLE_PROPS.map((p) => `${p}:${cs.getPropertyValue(p)}`).join(';');
    (dst[i] as SVGElement).setAttribute('style', style);
  });
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  const text = new XMLSerializer().serializeToString(clone);
  const img = await loadImage(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`);
  const head = 2 * 44;
  const c = document.createElement('canvas');
  c.width = Math.ceil(width * 2);
  c.height = Math.ceil(height * 2) + head;
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = style.background;
  ctx.fillRect(0, 0, c.width, c.height);
  ctx.fillStyle = style.text;
  ctx.font = '600 28px system-ui, sans-serif';
  ctx.fillText(style.title, 20, 34);
  ctx.font = '24px system-ui, sans-serif';
  let x = 20;
  for (const l of style.legend) {
    ctx.fillStyle = l.colour;
    ctx.fillRect(x, 56, 28, 8);
    ctx.fillStyle = style.text;
    ctx.fillText(l.name, x + 36, 70);
    x += 36 + ctx.measureText(l.name).width + 28;
  }
  ctx.drawImage(img, 0, head, c.width, c.height - head);
  return canvasBlob(c);
}

/** Every run's grid side by side, its name above and its noise fingerprint below, pixels scaled ×`scale`. */
export async function gridsToPng(runs: readonly SavedRun[], colours: readonly string[], style: { background: string; text: string }, scale = 2): Promise<Blob> {
  const withGrid = runs.filter((r) => r.grid);
  if (withGrid.length === 0) throw new Error('no run has a sample grid');
  const imgs = await Promise.all(withGrid.map((r) => loadImage(r.grid!.png)));
  const pad = 16;
  const head = 22;
  const foot = 20;
  const widths = imgs.map((im) => Math.max(im.width * scale, 160));
  const height = Math.max(...imgs.map((im) => im.height * scale)) + head + foot + 2 * pad;
  const c = document.createElement('canvas');
  c.width = widths.reduce((a, w) => a + w + pad, pad);
  c.height = height;
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = style.background;
  ctx.fillRect(0, 0, c.width, c.height);
  ctx.imageSmoothingEnabled = false;
  let x = pad;
  withGrid.forEach((r, i) => {
    const im = imgs[i];
    ctx.fillStyle = colours[runs.indexOf(r) % colours.length];
    ctx.font = '600 14px system-ui, sans-serif';
    ctx.fillText(r.record.name, x, pad + 14, widths[i]);
    ctx.drawImage(im, x, pad + head, im.width * scale, im.height * scale);
    ctx.fillStyle = style.text;
    ctx.font = '12px ui-monospace, monospace';
    ctx.fillText(`step ${r.grid!.step} · noise ${r.grid!.noise}`, x, pad + head + im.height * scale + 15, widths[i]);
    x += widths[i] + pad;
  });
  return canvasBlob(c);
}
