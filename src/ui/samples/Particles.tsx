// 2D samples as particles flowing from noise (t = 1) to data (t = 0) along their ODE paths, over the learned
// velocity field drawn as arrows (the direction particles move, −v). Paths are drawn once per sample set on
// an offscreen canvas; each animation frame only blits them and draws arrows and dots.

import { useEffect, useRef, useState } from 'react';
import { meanDisplacement, nearestTime, positionsAt } from '../../core/viz/trajectory';
import { useApp } from '../../state/store';
import type { SamplesPayload, VelocityFieldPayload } from '../../worker/protocol';
import { CLASS_COLORS, drawPoints, toPixels } from '../common/canvas';
import { cssVar, usePrefersReducedMotion } from '../common/hooks';

const SIZE = 400;
const EXTENT = 3;
const FLOW_MS = 3000; // t from 1 to 0
const HOLD_MS = 1200; // then the samples rest

function drawPaths(frames: Float32Array[], labels: Int32Array, color: string): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = SIZE;
  c.height = SIZE;
  const ctx = c.getContext('2d')!;
  const { px, py } = toPixels(SIZE, EXTENT);
  ctx.lineWidth = 1;
  const n = frames[0].length / 2;
  for (let i = 0; i < n; i++) {
    ctx.strokeStyle = labels.length > 1 && new Set(labels).size > 1 ? CLASS_COLORS[labels[i] % CLASS_COLORS.length] : color;
    ctx.globalAlpha = 0.16;
    ctx.beginPath();
    frames.forEach((f, k) => (k === 0 ? ctx.moveTo(px(f[2 * i]), py(f[2 * i + 1])) : ctx.lineTo(px(f[2 * i]), py(f[2 * i + 1]))));
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  return c;
}

function drawArrows(ctx: CanvasRenderingContext2D, field: VelocityFieldPayload, k: number, color: string) {
  const v = field.v[k];
  const g = field.grid;
  const cell = SIZE / g;
  const { px, py } = toPixels(SIZE, field.extent);
  let vmax = 1e-6;
  for (let i = 0; i < g * g; i++) vmax = Math.max(vmax, Math.hypot(v[2 * i], v[2 * i + 1]));
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.globalAlpha = 0.55;
  ctx.lineWidth = 1.2;
  for (let j = 0; j < g; j++) {
    for (let i = 0; i < g; i++) {
      const idx = j * g + i;
      const x = -field.extent + ((i + 0.5) * 2 * field.extent) / g;
      const y = -field.extent + ((j + 0.5) * 2 * field.extent) / g;
      // Sampling runs from t = 1 to 0 (dt < 0): particles move along −v. Lengths relative to the largest arrow.
      const dx = -v[2 * idx] / vmax;
      const dy = -v[2 * idx + 1] / vmax;
      const len = Math.hypot(dx, dy);
      if (len < 0.03) continue;
      const x0 = px(x);
      const y0 = py(y);
      const x1 = x0 + dx * cell * 0.85;
      const y1 = y0 - dy * cell * 0.85;
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1, y1);
      ctx.stroke();
      const a = Math.atan2(y1 - y0, x1 - x0);
      const h = Math.min(4, 2 + 2 * len);
      ctx.beginPath();
      ctx.moveTo(x1, y1);
      ctx.lineTo(x1 - h * Math.cos(a - 0.5), y1 - h * Math.sin(a - 0.5));
      ctx.lineTo(x1 - h * Math.cos(a + 0.5), y1 - h * Math.sin(a + 0.5));
      ctx.closePath();
      ctx.fill();
    }
  }
  ctx.globalAlpha = 1;
}

export function Particles({ samples }: { samples: SamplesPayload }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const field = useApp((s) => s.field);
  const reduced = usePrefersReducedMotion();
  const [playing, setPlaying] = useState(!reduced);
  const [showPaths, setShowPaths] = useState(true);
  const [showField, setShowField] = useState(true);
  const frames = samples.trajectory;
  const times = samples.times;
  const moved = frames && frames.length > 1 ? meanDisplacement(frames) : 0;
  useEffect(() => {
    const c = ref.current;
    if (!c) return;
    c.width = SIZE;
    c.height = SIZE;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    const bg = cssVar('--panel', '#fff');
    const muted = cssVar('--muted', '#888');
    const haveTraj = !!frames && !!times && frames.length === times.length && frames.length > 1;
    const paths = haveTraj && showPaths ? drawPaths(frames!, samples.labels, muted) : null;
    const pos = new Float32Array(samples.x.length);
    let raf = 0;
    let count = 0;
    const start = performance.now();
    const draw = (now: number) => {
      const phase = playing && haveTraj ? (now - start) % (FLOW_MS + HOLD_MS) : FLOW_MS;
      const t = Math.max(0, 1 - phase / FLOW_MS);
      ctx.fillStyle = bg;
      ctx.fillRect(0, 0, SIZE, SIZE);
      if (paths) ctx.drawImage(paths, 0, 0);
      if (field && showField && field.v.length > 0) drawArrows(ctx, field, nearestTime(field.times, t), muted);
      const xy = haveTraj ? positionsAt(frames!, times!, t, pos) : samples.x;
      drawPoints(ctx, xy, samples.labels, 0, 0, SIZE, EXTENT, 1.8, 0.85);
      ctx.fillStyle = muted;
      ctx.font = '13px system-ui, sans-serif';
      ctx.fillText(`t = ${t.toFixed(2)}`, 8, 18);
      count++;
      c.dataset.frame = String(count);
      c.dataset.t = t.toFixed(3);
      if (playing && haveTraj) raf = requestAnimationFrame(draw);
    };
    raf = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(raf);
  }, [samples, frames, times, field, playing, showPaths, showField]);
  return (
    <div className="particles">
      <canvas ref={ref} className="particles-canvas" data-testid="particles" data-step={samples.step} data-moved={moved.toFixed(4)} aria-label={`${samples.n} particles flowing from noise to data; mean distance travelled ${moved.toFixed(2)}`} />
      <div className="row small">
        <button className="btn small-btn" onClick={() => setPlaying(!playing)} aria-pressed={playing} data-testid="particles-play">
          {playing ? '❚❚ hold' : '▶ flow'}
        </button>
        <label className="row">
          <input type="checkbox" checked={showPaths} onChange={(e) => setShowPaths(e.target.checked)} /> paths
        </label>
        <label className="row">
          <input type="checkbox" checked={showField} onChange={(e) => setShowField(e.target.checked)} /> velocity field
        </label>
        {field && <span className="muted">{field.conditional ? `field of class 0, guidance ${useApp.getState().sampleSettings.guidance}` : 'unconditional field'} · arrows: −v, where particles move</span>}
      </div>
    </div>
  );
}
