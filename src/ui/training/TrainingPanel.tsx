// Training: the loss (raw and smoothed, log scale optional), gradient norm, learning rate, throughput and
// memory, with the step count and elapsed time. Series are downsampled and redrawn at most twice a second.

import { useMemo, useState } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useApp } from '../../state/store';
import { AXIS, ChartEmpty, MARGIN, TOOLTIP } from '../common/charts';
import { fmtBytes, fmtDuration, fmtNum, fmtTick, smooth, strideIndices } from '../common/format';
import { useSeriesTick } from '../common/hooks';
import { Panel } from '../common/Panel';

const MAX_POINTS = 400;
const SMALL_POINTS = 150;

interface SeriesKey {
  key: string;
  name: string;
  color: string;
  format: (v: number) => string;
}

/** A small chart of one or two series; a second series gets its own axis on the right (different units). */
function SmallChart({ title, data, keys, testid }: { title: string; data: Record<string, number>[]; keys: SeriesKey[]; testid: string }) {
  const last = data[data.length - 1];
  return (
    <div className="small-chart" data-testid={testid} data-points={data.length}>
      <div className="small-title">
        {keys.map((k, i) => (
          <span key={k.key}>
            {i > 0 && ' · '}
            <span style={{ color: k.color }}>{k.name}</span>
            {last && <span className="mono"> {k.format(last[k.key])}</span>}
          </span>
        ))}
        <span className="sr-only"> ({title})</span>
      </div>
      <div style={{ height: 92 }}>
        {data.length === 0 ? (
          <ChartEmpty>—</ChartEmpty>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={data} margin={{ top: 4, right: keys.length > 1 ? 0 : 8, bottom: 0, left: 0 }}>
              <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
              <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} hide />
              {keys.map((k, i) => (
                <YAxis key={k.key} yAxisId={i} orientation={i === 0 ? 'left' : 'right'} domain={['auto', 'auto']} width={46} {...AXIS} tick={{ ...AXIS.tick, fill: k.color }} tickFormatter={k.format} tickCount={3} />
              ))}
              <Tooltip {...TOOLTIP} formatter={(v, _n, item) => keys.find((k) => k.key === item.dataKey)?.format(Number(v)) ?? String(v)} labelFormatter={(s) => `step ${s}`} />
              {keys.map((k, i) => (
                <Line key={k.key} yAxisId={i} dataKey={k.key} name={k.name} stroke={k.color} dot={false} isAnimationActive={false} strokeWidth={1.5} />
              ))}
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
    </div>
  );
}

export function TrainingPanel() {
  const tick = useSeriesTick(500);
  const series = useApp((s) => s.series);
  const prediction = useApp((s) => s.config.prediction);
  const [logScale, setLogScale] = useState(true);
  const step = series.step.length ? series.step[series.step.length - 1] : 0;
  const elapsed = useApp.getState().elapsedMs;
  const { loss, perStep, perFlush } = useMemo(() => {
    void tick;
    const sm = smooth(series.loss, 0.95);
    const loss = strideIndices(series.step.length, MAX_POINTS).map((i) => ({ step: series.step[i], loss: series.loss[i], smoothed: sm[i] }));
    const perStep = strideIndices(series.step.length, SMALL_POINTS).map((i) => ({ step: series.step[i], gradNorm: series.gradNorm[i], lr: series.lr[i] }));
    const perFlush = strideIndices(series.flushStep.length, SMALL_POINTS).map((i) => ({ step: series.flushStep[i], imgPerSec: series.imgPerSec[i], msPerStep: series.msPerStep[i], bytes: series.numBytes[i], tensors: series.numTensors[i] }));
    return { loss, perStep, perFlush };
  }, [series, tick]);
  const target = prediction === 'v' ? 'v = ε − x0 on rf' : prediction === 'eps' ? 'ε' : 'x0';
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
      </div>
      <div style={{ height: 210 }} data-testid="loss-chart" data-points={series.loss.length}>
        {loss.length === 0 ? (
          <ChartEmpty>Press ▶ Train (or Space) to start.</ChartEmpty>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={loss} margin={MARGIN}>
              <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
              <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} {...AXIS} tickFormatter={fmtTick} />
              <YAxis scale={logScale ? 'log' : 'linear'} domain={['auto', 'auto']} allowDataOverflow width={48} {...AXIS} tickFormatter={(v: number) => v.toPrecision(2)} />
              <Tooltip {...TOOLTIP} formatter={(v) => Number(v).toFixed(4)} labelFormatter={(s) => `step ${s}`} />
              <Line type="linear" dataKey="loss" stroke="var(--chart-1)" strokeOpacity={0.35} dot={false} isAnimationActive={false} name="loss" />
              <Line type="monotone" dataKey="smoothed" stroke="var(--chart-1)" strokeWidth={2} dot={false} isAnimationActive={false} name="smoothed" />
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
      <div className="small-charts">
        <SmallChart title="gradient norm" testid="chart-gradnorm" data={perStep} keys={[{ key: 'gradNorm', name: 'gradient norm', color: 'var(--chart-2)', format: (v) => fmtNum(v, 3) }]} />
        <SmallChart title="learning rate" testid="chart-lr" data={perStep} keys={[{ key: 'lr', name: 'learning rate', color: 'var(--chart-3)', format: (v) => (Number.isFinite(v) ? v.toPrecision(2) : '') }]} />
        <SmallChart
          title="throughput"
          testid="chart-speed"
          data={perFlush}
          keys={[
            { key: 'imgPerSec', name: 'images/s', color: 'var(--chart-4)', format: fmtTick },
            { key: 'msPerStep', name: 'ms/step', color: 'var(--chart-1)', format: fmtTick },
          ]}
        />
        <SmallChart
          title="memory"
          testid="chart-memory"
          data={perFlush}
          keys={[
            { key: 'bytes', name: 'bytes', color: 'var(--chart-2)', format: (v) => fmtBytes(v, 2) },
            { key: 'tensors', name: 'tensors', color: 'var(--chart-3)', format: fmtTick },
          ]}
        />
      </div>
    </Panel>
  );
}
