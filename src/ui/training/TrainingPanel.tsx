// Training: the loss (raw and smoothed, log scale optional), gradient norm, learning rate, throughput and
// memory, with the step count and elapsed time. Series are downsampled to the chart's width and redrawn on
// canvas at most once a second, so a fast run never blocks the page.

import { useMemo, useState } from 'react';
import { useApp } from '../../state/store';
import { CanvasChart, type ChartSeries } from '../common/CanvasChart';
import { ChartEmpty } from '../common/charts';
import { fmtBytes, fmtDuration, fmtNum, fmtTick, smooth, strideIndices } from '../common/format';
import { useSeriesTick } from '../common/hooks';
import { Panel } from '../common/Panel';

const MAX_POINTS = 500;
const SMALL_POINTS = 200;

const pick = (xs: readonly number[], idx: number[]) => idx.map((i) => xs[i]);

/** A small chart with its latest values in the title. */
function SmallChart({ testid, x, series }: { testid: string; x: number[]; series: ChartSeries[] }) {
  return (
    <div className="small-chart">
      <div className="small-title">
        {series.map((s, i) => (
          <span key={s.name}>
            {i > 0 && ' · '}
            <span style={{ color: s.color }}>{s.name}</span>
            {x.length > 0 && <span className="mono"> {(s.format ?? fmtTick)(s.values[x.length - 1])}</span>}
          </span>
        ))}
      </div>
      {x.length === 0 ? (
        <div style={{ height: 84 }}>
          <ChartEmpty>—</ChartEmpty>
        </div>
      ) : (
        <CanvasChart x={x} series={series} height={84} testid={testid} data={{ points: x.length }} xLabel="step" formatX={fmtTick} label={`${series.map((s) => s.name).join(' and ')} over ${x.length} points`} />
      )}
    </div>
  );
}

export function TrainingPanel() {
  const tick = useSeriesTick(1000);
  const series = useApp((s) => s.series);
  const prediction = useApp((s) => s.config.prediction);
  const [logScale, setLogScale] = useState(true);
  const step = series.step.length ? series.step[series.step.length - 1] : 0;
  const elapsed = useApp.getState().elapsedMs;
  const v = useMemo(() => {
    void tick;
    const sm = smooth(series.loss, 0.95);
    const li = strideIndices(series.step.length, MAX_POINTS);
    const si = strideIndices(series.step.length, SMALL_POINTS);
    const fi = strideIndices(series.flushStep.length, SMALL_POINTS);
    return {
      lossX: pick(series.step, li),
      loss: pick(series.loss, li),
      smoothed: pick(sm, li),
      stepX: pick(series.step, si),
      gradNorm: pick(series.gradNorm, si),
      lr: pick(series.lr, si),
      flushX: pick(series.flushStep, fi),
      imgPerSec: pick(series.imgPerSec, fi),
      msPerStep: pick(series.msPerStep, fi),
      bytes: pick(series.numBytes, fi),
      tensors: pick(series.numTensors, fi),
    };
  }, [series, tick]);
  const target = prediction === 'v' ? 'v = ε − x0 on rf' : prediction === 'eps' ? 'ε' : 'x0';
  const last = v.smoothed[v.smoothed.length - 1];
  return (
    <Panel
      id="training"
      title="Training"
      tip={`L = E_t,x0,ε ‖ f_θ(x_t, t) − target ‖², target ${target}\nx_t = α(t)·x0 + σ(t)·ε, t from the timestep sampler\nSmoothed: exponential moving average (0.95), debiased.`}
      explain={<>How well the network predicts its target ({target}) on fresh noise each step: mean squared error, raw and smoothed.</>}
      actions={
        <label className="small muted row">
          <input type="checkbox" checked={logScale} onChange={(e) => setLogScale(e.target.checked)} data-testid="log-scale" /> log scale
        </label>
      }
    >
      <div className="row small muted training-head">
        <span>
          step <strong className="mono" data-testid="training-step">{step}</strong>
        </span>
        <span>
          elapsed <strong className="mono">{fmtDuration(elapsed)}</strong>
        </span>
        <span>
          loss <strong className="mono">{fmtNum(last, 4)}</strong> <span className="muted">(smoothed)</span>
        </span>
      </div>
      <div data-testid="loss-chart" data-points={series.loss.length}>
        {v.lossX.length === 0 ? (
          <div style={{ height: 200 }}>
            <ChartEmpty>Press ▶ Train (or Space) to start.</ChartEmpty>
          </div>
        ) : (
          <CanvasChart
            x={v.lossX}
            height={200}
            logY={logScale}
            xLabel="step"
            formatX={fmtTick}
            label={`loss over ${series.loss.length} steps, last smoothed value ${fmtNum(last, 4)}`}
            series={[
              { name: 'loss', color: 'var(--chart-1)', values: v.loss, alpha: 0.35, width: 1, format: (x) => fmtNum(x, 4) },
              { name: 'smoothed', color: 'var(--chart-1)', values: v.smoothed, width: 2, format: (x) => fmtNum(x, 4) },
            ]}
          />
        )}
      </div>
      <div className="small-charts">
        <SmallChart testid="chart-gradnorm" x={v.stepX} series={[{ name: 'gradient norm', color: 'var(--chart-2)', values: v.gradNorm, format: (x) => fmtNum(x, 3) }]} />
        <SmallChart testid="chart-lr" x={v.stepX} series={[{ name: 'learning rate', color: 'var(--chart-3)', values: v.lr, format: (x) => (Number.isFinite(x) ? x.toPrecision(2) : '') }]} />
        <SmallChart
          testid="chart-speed"
          x={v.flushX}
          series={[
            { name: 'images/s', color: 'var(--chart-4)', values: v.imgPerSec, format: fmtTick },
            { name: 'ms/step', color: 'var(--chart-1)', values: v.msPerStep, format: fmtTick, axis: 1 },
          ]}
        />
        <SmallChart
          testid="chart-memory"
          x={v.flushX}
          series={[
            { name: 'bytes', color: 'var(--chart-2)', values: v.bytes, format: (x) => fmtBytes(x, 3), tickFormat: (x) => fmtBytes(x, 3) },
            { name: 'tensors', color: 'var(--chart-3)', values: v.tensors, format: fmtTick, axis: 1 },
          ]}
        />
      </div>
    </Panel>
  );
}
