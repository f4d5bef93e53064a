// The noise schedule: α(t), σ(t) and log-SNR of the chosen path (and any ticked for comparison), and one
// real training image noised at t = 0, 0.1, …, 1 under each.

import { useEffect, useMemo, useRef } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { PathName } from '../../core/flow';
import { methodDoc } from '../../core/flow/method_docs';
import { displayScaled, noisedForDisplay } from '../../core/viz/noise_strip';
import { useApp } from '../../state/store';
import type { DataPreview, ScheduleTables } from '../../worker/protocol';
import { AXIS, ChartEmpty, MARGIN, PATH_COLORS, TOOLTIP } from '../common/charts';
import { cssVar } from '../common/hooks';
import { cancelDraw, drawImageGrid, drawPoints, scheduleDraw } from '../common/canvas';
import { Panel } from '../common/Panel';

const ALL_PATHS: PathName[] = ['rf', 'cosine', 'vp', 'edm'];
const STRIP_T = Array.from({ length: 11 }, (_, i) => i / 10);
const LOGSNR_CLIP = 12;

function shownPaths(path: PathName, compare: PathName[]): PathName[] {
  return ALL_PATHS.filter((p) => p === path || compare.includes(p));
}

function drawStrip(c: HTMLCanvasElement, tables: ScheduleTables, preview: DataPreview, paths: PathName[], image: boolean): void {
  const per = preview.shape.reduce((a, b) => a * b, 1);
  if (image) {
    const x0 = preview.x.subarray(0, per);
    const eps = preview.eps.subarray(0, per);
    const all = new Float32Array(paths.length * STRIP_T.length * per);
    paths.forEach((p, r) =>
      STRIP_T.forEach((t, k) => {
        const i = Math.round(t * (tables.t.length - 1));
        noisedForDisplay(x0, eps, tables.paths[p].alpha[i], tables.paths[p].sigma[i], all.subarray((r * STRIP_T.length + k) * per, (r * STRIP_T.length + k + 1) * per));
      }),
    );
    drawImageGrid(c, all, paths.length * STRIP_T.length, preview.shape, STRIP_T.length, 2);
  } else {
    const cell = 64;
    const gap = 2;
    c.width = STRIP_T.length * (cell + gap);
    c.height = paths.length * (cell + gap);
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.fillStyle = cssVar('--bg', '#fff');
    ctx.fillRect(0, 0, c.width, c.height);
    const xt = new Float32Array(preview.x.length);
    paths.forEach((p, r) =>
      STRIP_T.forEach((t, k) => {
        const i = Math.round(t * (tables.t.length - 1));
        noisedForDisplay(preview.x, preview.eps, tables.paths[p].alpha[i], tables.paths[p].sigma[i], xt);
        ctx.fillStyle = cssVar('--panel', '#fff');
        ctx.fillRect(k * (cell + gap), r * (cell + gap), cell, cell);
        drawPoints(ctx, xt, preview.labels, k * (cell + gap), r * (cell + gap), cell, 3, 0.8, 0.6);
      }),
    );
  }
}

/** The strip: one row per path, one column per t, from the same image and the same noise. */
function Strip({ tables, preview, paths }: { tables: ScheduleTables; preview: DataPreview; paths: PathName[] }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const image = preview.shape.length === 3;
  useEffect(() => {
    const c = ref.current;
    if (!c) return;
    scheduleDraw(c, () => drawStrip(c, tables, preview, paths, image));
    return () => cancelDraw(c);
  }, [tables, preview, paths, image]);
  const scaled = paths.filter((p) =>
    STRIP_T.some((t) => {
      const i = Math.round(t * (tables.t.length - 1));
      return displayScaled(tables.paths[p].alpha[i], tables.paths[p].sigma[i]);
    }),
  );
  return (
    <div className="strip" data-testid="schedule-strip" data-rows={paths.length}>
      <div className="strip-rows">
        {paths.map((p) => (
          <span key={p} style={{ color: PATH_COLORS[p] }}>
            {p}
          </span>
        ))}
      </div>
      <div className="strip-body">
        <canvas ref={ref} className="pixelated strip-canvas" aria-label={`a training ${image ? 'image' : 'point cloud'} noised at t = 0, 0.1, …, 1 under ${paths.join(', ')}`} />
        <div className="strip-axis small muted">
          {STRIP_T.map((t) => (
            <span key={t}>{t.toFixed(1)}</span>
          ))}
        </div>
      </div>
      {scaled.length > 0 && <p className="small muted">{scaled.join(', ')}: variance exploding (α² + σ² &gt; 1, σ up to ∞), so the row is shown divided by √(α² + σ²).</p>}
    </div>
  );
}

export function SchedulePanel() {
  const tables = useApp((s) => s.schedules);
  const preview = useApp((s) => s.preview);
  const path = useApp((s) => s.config.path);
  const compare = useApp((s) => s.comparePaths);
  const togglePath = useApp((s) => s.togglePath);
  const paths = useMemo(() => shownPaths(path, compare), [path, compare]);
  const data = useMemo(() => {
    if (!tables) return [];
    return Array.from(tables.t, (t, i) => {
      const row: Record<string, number> = { t };
      for (const p of paths) {
        const c = tables.paths[p];
        row[`α ${p}`] = c.alpha[i];
        row[`σ ${p}`] = Math.min(c.sigma[i], 1.6);
        row[`log-SNR ${p}`] = Math.max(-LOGSNR_CLIP, Math.min(LOGSNR_CLIP, c.logSnr[i]));
      }
      return row;
    });
  }, [tables, paths]);
  const doc = methodDoc('path', path);
  return (
    <Panel id="schedule" title="Noise schedule" tip={`${doc.name}: ${doc.formula}\n${doc.summary}\nSource: ${doc.source}`} explain={<>How much signal α(t) and noise σ(t) the path mixes at each time: x_t = α(t)·x0 + σ(t)·ε, t = 0 data, t = 1 noise.</>}>
      <div className="row path-toggles" role="group" aria-label="Paths to compare">
        {ALL_PATHS.map((p) => (
          <label key={p} className="chip" style={{ borderColor: PATH_COLORS[p] }}>
            <input type="checkbox" checked={paths.includes(p)} disabled={p === path} onChange={() => togglePath(p)} data-testid={`compare-${p}`} />
            {p}
            {p === path ? ' (this run)' : ''}
          </label>
        ))}
      </div>
      {!tables ? (
        <ChartEmpty height={180}>Waiting for the worker…</ChartEmpty>
      ) : (
        <div className="chart-pair">
          <div style={{ height: 180 }} data-testid="schedule-chart" data-paths={paths.join(',')}>
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={data} margin={MARGIN}>
                <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
                <XAxis dataKey="t" type="number" domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} {...AXIS} />
                <YAxis domain={[0, 1.05]} ticks={[0, 0.25, 0.5, 0.75, 1]} allowDataOverflow width={36} {...AXIS} tickFormatter={(v: number) => String(v)} />
                <Tooltip {...TOOLTIP} formatter={(v) => Number(v).toFixed(3)} labelFormatter={(t) => `t = ${Number(t).toFixed(2)}`} />
                <Legend wrapperStyle={{ fontSize: 12 }} />
                {paths.flatMap((p) => [
                  <Line key={`a${p}`} dataKey={`α ${p}`} stroke={PATH_COLORS[p]} strokeWidth={2} dot={false} isAnimationActive={false} />,
                  <Line key={`s${p}`} dataKey={`σ ${p}`} stroke={PATH_COLORS[p]} strokeWidth={2} strokeDasharray="5 3" dot={false} isAnimationActive={false} />,
                ])}
              </LineChart>
            </ResponsiveContainer>
          </div>
          <div style={{ height: 180 }} data-testid="logsnr-chart">
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={data} margin={MARGIN}>
                <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
                <XAxis dataKey="t" type="number" domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} {...AXIS} />
                <YAxis domain={[-LOGSNR_CLIP, LOGSNR_CLIP]} ticks={[-12, -6, 0, 6, 12]} width={36} {...AXIS} />
                <Tooltip {...TOOLTIP} formatter={(v) => Number(v).toFixed(2)} labelFormatter={(t) => `t = ${Number(t).toFixed(2)}`} />
                <Legend wrapperStyle={{ fontSize: 12 }} />
                {paths.map((p) => (
                  <Line key={p} dataKey={`log-SNR ${p}`} stroke={PATH_COLORS[p]} strokeWidth={2} dot={false} isAnimationActive={false} />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </div>
        </div>
      )}
      <p className="small muted" style={{ margin: '2px 0 6px' }}>
        Left: α solid, σ dashed. Right: log-SNR = log(α²/σ²), clipped to ±{LOGSNR_CLIP}.
      </p>
      {tables && preview ? <Strip tables={tables} preview={preview} paths={paths} /> : <ChartEmpty height={60}>Loading a training sample…</ChartEmpty>}
    </Panel>
  );
}
