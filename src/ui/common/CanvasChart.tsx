// A small canvas chart for streaming series (loss, gradient norm, throughput, the timestep histogram). An
// SVG chart library rebuilds hundreds of DOM nodes per update, which on a busy machine (the GPU and the
// worker share its cores) took 100–700 ms a frame; this draws the same picture in about a millisecond and
// redraws on hover without React. Static, analytic charts stay in recharts.

import { useEffect, useLayoutEffect, useRef, type MouseEvent } from 'react';
import { extent, logTicks, niceTicks } from '../../core/viz/ticks';
import { cancelDraw, scheduleDraw } from './canvas';
import { cssVar } from './hooks';

export interface ChartSeries {
  name: string;
  color: string; // a CSS colour or var(--name)
  values: ArrayLike<number>;
  kind?: 'line' | 'bars';
  width?: number;
  alpha?: number;
  dash?: number[];
  axis?: 0 | 1; // 1: its own scale on the right
  format?: (v: number) => string; // values in the tooltip and titles
  tickFormat?: (v: number) => string; // axis labels (default: decimals from the tick spacing)
}

export interface CanvasChartProps {
  x: ArrayLike<number>;
  series: ChartSeries[];
  height: number;
  logY?: boolean;
  xDomain?: [number, number];
  yMin?: number; // fixed lower bound of the left axis (e.g. 0 for densities)
  formatX?: (v: number) => string;
  xLabel?: string;
  label: string; // accessible description
  testid?: string;
  data?: Record<string, string | number>; // extra data-* attributes for tests
}

const PAD = { left: 46, right: 10, top: 6, bottom: 20 };

/** A series colour: a `var(--name)` theme colour or a literal. */
function resolveColor(c: string): string {
  const m = /^var\((--[\w-]+)\)$/.exec(c);
  return m ? cssVar(m[1]) : c;
}

const defaultFormat = (v: number) => {
  const a = Math.abs(v);
  if (!Number.isFinite(v)) return '—';
  if (a === 0) return '0';
  if (a >= 1e4 || a < 1e-3) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
};

/** Tick labels with as many decimals as the tick spacing needs (so neighbours never print the same). */
function tickFormatter(ticks: number[], log: boolean, unit?: (v: number) => string): (v: number) => string {
  if (unit) return unit;
  const max = Math.max(...ticks.map(Math.abs));
  if (max >= 1e4) return (v) => (v >= 1e6 ? `${Number((v / 1e6).toPrecision(3))}M` : `${Number((v / 1e3).toPrecision(3))}k`);
  if (max > 0 && max < 1e-3) return (v) => v.toExponential(1);
  if (log) return (v) => String(Number(v.toPrecision(3)));
  // Enough significant digits to tell neighbours apart (0.00995 vs 0.01), trailing zeros dropped.
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : Math.abs(ticks[0]) || 1;
  const digits = Math.min(5, Math.max(1, Math.ceil(Math.log10(max / step) + 1e-9) + 1));
  return (v) => (v === 0 ? '0' : String(Number(v.toPrecision(digits))));
}

export function CanvasChart(p: CanvasChartProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const tip = useRef<HTMLDivElement>(null);
  const hover = useRef<number | null>(null);
  const props = useRef(p);
  useLayoutEffect(() => {
    props.current = p;
  });
  const drawRef = useRef<() => void>(() => {});
  const widthRef = useRef<number | null>(null);

  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const draw = () => {
      const { x, series, height, logY, xDomain, yMin, formatX = defaultFormat } = props.current;
      const dpr = window.devicePixelRatio || 1;
      // The width the ResizeObserver last reported (reading clientWidth here would force a layout).
      const width = widthRef.current ?? canvas.clientWidth;
      if (width === 0) return;
      if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
        canvas.width = Math.round(width * dpr);
        canvas.height = Math.round(height * dpr);
      }
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, width, height);
      const muted = resolveColor('var(--muted)');
      const grid = resolveColor('var(--grid)');
      ctx.font = '11px system-ui, sans-serif';
      const n = x.length;
      if (n === 0) return;
      const right = series.some((s) => s.axis === 1) ? PAD.left : PAD.right;
      const w = width - PAD.left - right;
      const h = height - PAD.top - PAD.bottom;
      const [x0, x1] = xDomain ?? [x[0], x[n - 1] === x[0] ? x[0] + 1 : x[n - 1]];
      const sx = (v: number) => PAD.left + ((v - x0) / (x1 - x0)) * w;
      const scales = ([0, 1] as const).map((axis) => {
        const ss = series.filter((s) => (s.axis ?? 0) === axis);
        if (ss.length === 0) return null;
        const log = axis === 0 && !!logY;
        const vals = ss.flatMap((s) => Array.from(s.values));
        let dom = extent(vals, log) ?? [0, 1];
        if (axis === 0 && yMin !== undefined && !log) dom = [yMin, Math.max(dom[1], yMin + 1e-9)];
        const [lo, hi] = dom;
        const f = log ? (v: number) => Math.log(v) : (v: number) => v;
        const sy = (v: number) => PAD.top + h - ((f(v) - f(lo)) / (f(hi) - f(lo) || 1)) * h;
        let ticks = log ? logTicks(lo, hi) : niceTicks(lo, hi, 3);
        if (log && ticks.length < 3) ticks = niceTicks(lo, hi, 3).filter((t) => t > 0); // less than a decade
        if (ticks.length > 6) ticks = ticks.filter((_, i) => i % Math.ceil(ticks.length / 5) === 0);
        return { ss, sy, ticks, format: tickFormatter(ticks, log, ss[0].tickFormat), color: ss.length === 1 && axis === 1 ? ss[0].color : null };
      });
      // Grid and axes.
      ctx.strokeStyle = grid;
      ctx.lineWidth = 1;
      ctx.setLineDash([3, 3]);
      const left = scales[0];
      if (left)
        for (const t of left.ticks) {
          const y = Math.round(left.sy(t)) + 0.5;
          ctx.beginPath();
          ctx.moveTo(PAD.left, y);
          ctx.lineTo(PAD.left + w, y);
          ctx.stroke();
        }
      const xt = niceTicks(x0, x1, Math.max(2, Math.floor(w / 70)));
      for (const t of xt) {
        const xx = Math.round(sx(t)) + 0.5;
        ctx.beginPath();
        ctx.moveTo(xx, PAD.top);
        ctx.lineTo(xx, PAD.top + h);
        ctx.stroke();
      }
      ctx.setLineDash([]);
      ctx.fillStyle = muted;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      for (const t of xt) ctx.fillText(formatX(t), sx(t), PAD.top + h + 4);
      ctx.textBaseline = 'middle';
      scales.forEach((sc, axis) => {
        if (!sc) return;
        ctx.textAlign = axis === 0 ? 'right' : 'left';
        ctx.fillStyle = sc.color ? resolveColor(sc.color) : muted;
        // A label wider than the margin (ticks that differ only in far digits) is narrowed, never clipped.
        const avail = PAD.left - 6;
        for (const t of sc.ticks) {
          const label = sc.format(t);
          const lx = axis === 0 ? PAD.left - 4 : PAD.left + w + 4;
          const lw = ctx.measureText(label).width;
          if (lw <= avail) ctx.fillText(label, lx, sc.sy(t));
          else {
            ctx.save();
            ctx.translate(lx, sc.sy(t));
            ctx.scale(avail / lw, 1);
            ctx.fillText(label, 0, 0);
            ctx.restore();
          }
        }
      });
      // Series: bars first, then lines.
      const ordered = [...series].sort((a, b) => (a.kind === 'bars' ? 0 : 1) - (b.kind === 'bars' ? 0 : 1));
      for (const s of ordered) {
        const sc = scales[s.axis ?? 0]!;
        ctx.strokeStyle = ctx.fillStyle = resolveColor(s.color);
        ctx.globalAlpha = s.alpha ?? 1;
        if (s.kind === 'bars') {
          const bw = n > 1 ? (sx(x[1]) - sx(x[0])) * 0.92 : w;
          const base = sc.sy(yMin ?? 0);
          for (let i = 0; i < n; i++) {
            const v = s.values[i];
            if (!Number.isFinite(v)) continue;
            const y = sc.sy(v);
            ctx.fillRect(sx(x[i]) - bw / 2, Math.min(y, base), bw, Math.abs(base - y));
          }
        } else {
          ctx.lineWidth = s.width ?? 1.5;
          ctx.setLineDash(s.dash ?? []);
          ctx.beginPath();
          let pen = false;
          for (let i = 0; i < n; i++) {
            const v = s.values[i];
            if (!Number.isFinite(v) || (logY && (s.axis ?? 0) === 0 && !(v > 0))) {
              pen = false;
              continue;
            }
            const px = sx(x[i]);
            const py = Math.max(PAD.top, Math.min(PAD.top + h, sc.sy(v)));
            if (pen) ctx.lineTo(px, py);
            else ctx.moveTo(px, py);
            pen = true;
          }
          ctx.stroke();
          ctx.setLineDash([]);
        }
        ctx.globalAlpha = 1;
      }
      // Hover: a rule at the nearest x and the values beside it.
      const hi = hover.current;
      const tipEl = tip.current;
      if (hi !== null && hi < n && tipEl) {
        const xx = sx(x[hi]);
        ctx.strokeStyle = muted;
        ctx.beginPath();
        ctx.moveTo(xx, PAD.top);
        ctx.lineTo(xx, PAD.top + h);
        ctx.stroke();
        tipEl.textContent = `${props.current.xLabel ?? 'x'} ${formatX(x[hi])}: ${series.map((s) => `${s.name} ${(s.format ?? defaultFormat)(s.values[hi])}`).join(', ')}`;
        tipEl.style.left = `${Math.min(xx + 8, width - tipEl.offsetWidth - 2)}px`;
        tipEl.style.visibility = 'visible';
      } else if (tipEl) tipEl.style.visibility = 'hidden';
    };
    // A drawing bug must not take the page down with it: report it once and keep the last picture.
    let reported = false;
    drawRef.current = () => {
      try {
        draw();
      } catch (e) {
        if (!reported) console.error('chart:', e);
        reported = true;
      }
    };
    // Every draw (first, resize, new data) is its own task: five charts mounting at once stay five short tasks.
    const redraw = () => scheduleDraw(canvas, () => drawRef.current());
    redraw();
    const ro = new ResizeObserver((entries) => {
      widthRef.current = entries[entries.length - 1].contentRect.width;
      redraw();
    });
    ro.observe(canvas);
    return () => {
      ro.disconnect();
      cancelDraw(canvas);
    };
  }, []);

  // Redraw when the data changes (the parent re-renders at most a few times a second), in a task of its own.
  useEffect(() => {
    const c = ref.current;
    if (!c) return;
    scheduleDraw(c, () => drawRef.current());
    return () => cancelDraw(c);
  });

  const onMove = (e: MouseEvent<HTMLCanvasElement>) => {
    const { x, xDomain } = props.current;
    const n = x.length;
    if (n === 0) return;
    const r = e.currentTarget.getBoundingClientRect();
    const right = props.current.series.some((s) => s.axis === 1) ? PAD.left : PAD.right;
    const w = r.width - PAD.left - right;
    const [x0, x1] = xDomain ?? [x[0], x[n - 1] === x[0] ? x[0] + 1 : x[n - 1]];
    const v = x0 + ((e.clientX - r.left - PAD.left) / w) * (x1 - x0);
    let best = 0;
    for (let i = 1; i < n; i++) if (Math.abs(x[i] - v) < Math.abs(x[best] - v)) best = i;
    hover.current = best;
    drawRef.current();
  };
  const dataAttrs = Object.fromEntries(Object.entries(p.data ?? {}).map(([k, v]) => [`data-${k}`, v]));
  return (
    <div className="canvas-chart" style={{ height: p.height }}>
      <canvas
        ref={ref}
        style={{ width: '100%', height: p.height }}
        role="img"
        aria-label={p.label}
        data-testid={p.testid}
        {...dataAttrs}
        onMouseMove={onMove}
        onMouseLeave={() => {
          hover.current = null;
          drawRef.current();
        }}
      />
      <div ref={tip} className="chart-tip" aria-hidden />
    </div>
  );
}
