// Timestep sampling: the analytic density of the training sampler (with its shift) against a live histogram
// of the timesteps actually drawn, and the loss by timestep over training as a heat map.

import { useEffect, useMemo, useRef } from 'react';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { methodDoc } from '../../core/flow/method_docs';
import { parseTimesteps, shiftSampler } from '../../core/flow/timesteps';
import { logUnit, mergeColumns, viridis, type HeatGrid } from '../../core/viz/heatmap';
import { countsToDensity } from '../../core/viz/histogram';
import { T_HIST_BINS } from '../../state/series';
import { useApp } from '../../state/store';
import { AXIS, ChartEmpty, MARGIN, TOOLTIP } from '../common/charts';
import { fmtNum } from '../common/format';
import { cssVar, useSeriesTick } from '../common/hooks';
import { Panel } from '../common/Panel';

const DENSITY_CAP = 8;
const HEAT_COLS = 160;

function HeatMap({ grid }: { grid: HeatGrid }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    if (!c || grid.cols === 0) return;
    c.width = grid.cols;
    c.height = grid.bins;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(grid.cols, grid.bins);
    const empty = cssVar(c, '--bg', '#eee');
    const [er, eg, eb] = [1, 3, 5].map((i) => parseInt(empty.slice(i, i + 2), 16) || 0);
    for (let col = 0; col < grid.cols; col++) {
      for (let b = 0; b < grid.bins; b++) {
        const v = grid.value[col * grid.bins + b];
        const [r, g, bl] = Number.isNaN(v) ? [er, eg, eb] : viridis(logUnit(v, grid.min, grid.max));
        const o = ((grid.bins - 1 - b) * grid.cols + col) * 4; // t = 1 (noise) at the top
        img.data[o] = r;
        img.data[o + 1] = g;
        img.data[o + 2] = bl;
        img.data[o + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
  }, [grid]);
  return (
    <div className="heat">
      <div className="heat-y small muted">
        <span>t = 1 noise</span>
        <span>t = 0 data</span>
      </div>
      <div className="heat-main">
        <canvas ref={ref} className="heat-canvas" data-testid="loss-heatmap" data-cols={grid.cols} aria-label="mean loss by timestep (rows) over training steps (columns)" />
        <div className="heat-x small muted">
          <span>step {grid.cols ? grid.step[0] : 0}</span>
          <span>step {grid.cols ? grid.step[grid.cols - 1] : 0}</span>
        </div>
      </div>
      <div className="heat-legend small muted" aria-label="colour scale, log">
        <span>{fmtNum(grid.max, 3)}</span>
        <span className="heat-bar" />
        <span>{fmtNum(grid.min, 3)}</span>
      </div>
    </div>
  );
}

export function TimestepPanel() {
  const spec = useApp((s) => s.config.timesteps);
  const shift = useApp((s) => s.config.shift);
  const series = useApp((s) => s.series);
  const tick = useSeriesTick(700);
  const sampler = useMemo(() => {
    try {
      return shiftSampler(parseTimesteps(spec), shift);
    } catch {
      return null;
    }
  }, [spec, shift]);
  const data = useMemo(() => {
    void tick;
    const density = countsToDensity(series.tHist);
    return Array.from({ length: T_HIST_BINS }, (_, i) => {
      const t = (i + 0.5) / T_HIST_BINS;
      const d = sampler ? sampler.density(t) : NaN;
      return { t, drawn: density[i], analytic: Number.isFinite(d) ? Math.min(d, DENSITY_CAP) : DENSITY_CAP };
    });
  }, [series, tick, sampler]);
  const grid = useMemo(() => {
    void tick;
    return mergeColumns(series.lossByT, HEAT_COLS);
  }, [series, tick]);
  const name = spec.split(':')[0];
  let tip = '';
  try {
    const d = methodDoc('timesteps', name);
    const sh = methodDoc('timesteps', 'shift');
    tip = `${d.name}: ${d.formula}\n${d.summary}\nSource: ${d.source}\n\n${sh.name}: ${sh.formula}`;
  } catch {
    tip = spec;
  }
  return (
    <Panel id="timesteps" title="Timestep sampling" tip={tip} explain={<>Which noise levels training visits: the density π(t) of {spec}{shift !== 1 ? ` shifted by ${shift}` : ''}, and the t actually drawn.</>}>
      <div style={{ height: 170 }} data-testid="timestep-chart" data-drawn={series.tCount}>
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={data} margin={MARGIN} barCategoryGap={0}>
            <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
            <XAxis dataKey="t" type="number" domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} {...AXIS} />
            <YAxis width={36} {...AXIS} domain={[0, 'auto']} tickFormatter={(v: number) => v.toFixed(1)} />
            <Tooltip {...TOOLTIP} formatter={(v) => Number(v).toFixed(3)} labelFormatter={(t) => `t ≈ ${Number(t).toFixed(3)}`} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Bar dataKey="drawn" name={`drawn (${series.tCount.toLocaleString('en')} t)`} fill="var(--chart-3)" fillOpacity={0.55} isAnimationActive={false} />
            <Line dataKey="analytic" name="π(t), analytic" stroke="var(--chart-1)" strokeWidth={2} dot={false} isAnimationActive={false} type="monotone" />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <h3 className="sub">
        Loss by timestep over training <span className="muted small">(mean loss per t bin, log colour)</span>
      </h3>
      {grid.cols === 0 ? <ChartEmpty height={90}>Appears once training runs.</ChartEmpty> : <HeatMap grid={grid} />}
    </Panel>
  );
}
