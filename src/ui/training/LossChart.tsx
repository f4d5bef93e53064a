import { useMemo, useState } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useApp } from '../../state/store';
import { smooth, strideIndices } from '../common/format';

const MAX_POINTS = 600;

export function LossChart() {
  const version = useApp((s) => s.seriesVersion);
  const series = useApp((s) => s.series);
  const [logScale, setLogScale] = useState(true);
  const data = useMemo(() => {
    void version;
    const sm = smooth(series.loss, 0.95);
    return strideIndices(series.step.length, MAX_POINTS).map((i) => ({ step: series.step[i], loss: series.loss[i], smoothed: sm[i] }));
  }, [series, version]);
  return (
    <section className="panel" data-testid="panel-loss" aria-labelledby="loss-h">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 id="loss-h">
          Training loss <span className="tip" title="L = E_t,x0,ε ‖ v_θ(x_t, t) − (ε − x0) ‖², x_t = (1−t)·x0 + t·ε">?</span>
        </h2>
        <label className="small muted row">
          <input type="checkbox" checked={logScale} onChange={(e) => setLogScale(e.target.checked)} data-testid="log-scale" /> log scale
        </label>
      </div>
      <p className="explain">Mean squared error of the network's prediction, raw and smoothed.</p>
      <div style={{ height: 240 }} data-testid="loss-chart" data-points={series.loss.length}>
        {data.length === 0 ? (
          <div className="chart-empty">Press ▶ Train (or Space) to start.</div>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={data} margin={{ top: 4, right: 12, bottom: 0, left: 0 }}>
              <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
              <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} tick={{ fontSize: 11 }} stroke="var(--muted)" />
              <YAxis scale={logScale ? 'log' : 'linear'} domain={['auto', 'auto']} allowDataOverflow tick={{ fontSize: 11 }} width={52} stroke="var(--muted)" tickFormatter={(v: number) => v.toPrecision(2)} />
              <Tooltip contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }} formatter={(v) => Number(v).toFixed(4)} />
              <Line type="linear" dataKey="loss" stroke="var(--chart-1)" strokeOpacity={0.35} dot={false} isAnimationActive={false} name="loss" />
              <Line type="monotone" dataKey="smoothed" stroke="var(--chart-1)" strokeWidth={2} dot={false} isAnimationActive={false} name="smoothed" />
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
    </section>
  );
}
