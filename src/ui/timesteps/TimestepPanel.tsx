// Timestep sampling: the analytic density of the training sampler (with its shift) against a live histogram
// of the timesteps actually drawn, and the loss by timestep over training as a heat map.

import { useEffect, useMemo, useRef } from 'react';
import { methodDoc } from '../../core/flow/method_docs';
import { parseTimesteps, shiftSampler } from '../../core/flow/timesteps';
import { logUnit, mergeColumns, viridis, type HeatGrid } from '../../core/viz/heatmap';
import { countsToDensity } from '../../core/viz/histogram';
import { T_HIST_BINS } from '../../state/series';
import { useApp } from '../../state/store';
import { CanvasChart } from '../common/CanvasChart';
import { ChartEmpty } from '../common/charts';
import { fmtNum } from '../common/format';
import { cancelDraw, scheduleDraw } from '../common/canvas';
import { cssVar, useSeriesTick } from '../common/hooks';
import { Panel } from '../common/Panel';

const DENSITY_CAP = 8;
const HEAT_COLS = 160;

function drawHeat(c: HTMLCanvasElement, grid: HeatGrid): void {
  c.width = grid.cols;
  c.height = grid.bins;
  const ctx = c.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(grid.cols, grid.bins);
  const empty = cssVar('--bg', '#eee');
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
}

function HeatMap({ grid }: { grid: HeatGrid }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    if (!c || grid.cols === 0) return;
    scheduleDraw(c, () => drawHeat(c, grid));
    return () => cancelDraw(c);
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
  const tick = useSeriesTick(1500);
  const sampler = useMemo(() => {
    try {
      return shiftSampler(parseTimesteps(spec), shift);
    } catch {
      return null;
    }
  }, [spec, shift]);
  const data = useMemo(() => {
    void tick;
    const drawn = Array.from(countsToDensity(series.tHist));
    const t = drawn.map((_, i) => (i + 0.5) / T_HIST_BINS);
    const analytic = t.map((x) => {
      const d = sampler ? sampler.density(x) : NaN;
      return Number.isFinite(d) ? Math.min(d, DENSITY_CAP) : DENSITY_CAP;
    });
    return { t, drawn, analytic };
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
      <div data-testid="timestep-chart" data-drawn={series.tCount}>
        <CanvasChart
          x={data.t}
          xDomain={[0, 1]}
          yMin={0}
          height={160}
          xLabel="t"
          formatX={(t) => String(Number(t.toFixed(2)))}
          label={`density of the training timesteps: analytic π(t) and a histogram of ${series.tCount} drawn`}
          series={[
            { name: `drawn (${series.tCount.toLocaleString('en')} t)`, color: 'var(--chart-3)', values: data.drawn, kind: 'bars', alpha: 0.55, format: (v) => v.toFixed(2) },
            { name: 'π(t), analytic', color: 'var(--chart-1)', values: data.analytic, width: 2, format: (v) => v.toFixed(2) },
          ]}
        />
        <div className="legend small">
          <span className="swatch" style={{ background: 'var(--chart-3)', opacity: 0.55 }} /> drawn ({series.tCount.toLocaleString('en')} t)
          <span className="swatch line" style={{ background: 'var(--chart-1)' }} /> π(t), analytic
        </div>
      </div>
      <h3 className="sub">
        Loss by timestep over training <span className="muted small">(mean loss per t bin, log colour)</span>
      </h3>
      {grid.cols === 0 ? <ChartEmpty height={90}>Appears once training runs.</ChartEmpty> : <HeatMap grid={grid} />}
    </Panel>
  );
}
