// The charts and tables of the compare view: overlaid loss and loss-by-timestep curves, quality against NFE,
// time per step and peak memory, the settings that differ, and the sample grids side by side. Each has a
// one-line explanation and, for the charts, a PNG export.

import { useMemo, useRef, useState, type ReactNode } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { diffConfigs, type QualityRow } from '../../core/compare/run_record';
import { fingerprintsAgree, type SavedRun } from '../../state/runs';
import { useApp } from '../../state/store';
import { AXIS, ChartEmpty, MARGIN, TOOLTIP } from '../common/charts';
import { fmtNum } from '../common/format';
import { cssVar } from '../common/hooks';
import { downloadBlob, gridsToPng, svgToPng } from './download';

/** One colour per run, fixed hex values (they survive the PNG export without CSS). */
export const RUN_COLOURS = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626', '#65a30d'];
export const runColour = (i: number) => RUN_COLOURS[i % RUN_COLOURS.length];

/** A chart with its title, one-line explanation and a PNG button. */
function ChartCard({ id, title, explain, controls, legend, children }: { id: string; title: string; explain: ReactNode; controls?: ReactNode; legend: { name: string; colour: string }[]; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const notify = useApp((s) => s.notify);
  const savePng = async () => {
    // The chart's own surface (the legend's icons are small SVGs of their own, drawn again by svgToPng).
    const svg = ref.current?.querySelector('.recharts-wrapper > svg.recharts-surface') as SVGSVGElement | null;
    if (!svg) return notify('warning', `${title}: nothing drawn yet to export`);
    try {
      downloadBlob(await svgToPng(svg, { background: cssVar('--panel', '#ffffff'), text: cssVar('--text', '#111111'), title, legend }), `${id}.png`);
    } catch (e) {
      notify('error', `${title}: PNG export failed (${(e as Error).message})`);
    }
  };
  return (
    <div className="compare-card" ref={ref} data-testid={id}>
      <div className="compare-card-head">
        <h3 className="sub">{title}</h3>
        <div className="row">
          {controls}
          <button className="btn small-btn" onClick={savePng} data-testid={`${id}-png`} aria-label={`Download ${title} as PNG`}>
            PNG
          </button>
        </div>
      </div>
      <p className="small muted compare-explain">{explain}</p>
      {children}
    </div>
  );
}

const fmtT = (t: number) => t.toFixed(2);

export function LossCurves({ runs }: { runs: SavedRun[] }) {
  const [log, setLog] = useState(true);
  const lines = runs.filter((r) => r.record.lossCurve.step.length > 0);
  const positive = lines.every((r) => r.record.lossCurve.loss.every((l) => l > 0));
  const useLog = log && positive;
  return (
    <ChartCard
      id="compare-loss-chart"
      title="Loss"
      legend={runs.map((r, i) => ({ name: r.record.name, colour: runColour(i) }))}
      explain="Training loss of each run against steps (bin means). Same seed: the same data order, so the gap is the setting's."
      controls={
        <label className="small muted row" style={{ gap: 4 }}>
          <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} data-testid="compare-loss-log" /> log scale
        </label>
      }
    >
      <div style={{ height: 200 }} data-lines={lines.length}>
        {lines.length === 0 ? (
          <ChartEmpty>No loss curves yet.</ChartEmpty>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart margin={MARGIN}>
              <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
              <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} allowDuplicatedCategory={false} {...AXIS} />
              <YAxis dataKey="loss" scale={useLog ? 'log' : 'auto'} domain={['auto', 'auto']} width={52} tickFormatter={(v: number) => fmtNum(v)} {...AXIS} />
              <Tooltip {...TOOLTIP} formatter={(v) => fmtNum(Number(v))} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              {runs.map((r, i) =>
                r.record.lossCurve.step.length ? (
                  <Line key={r.id} name={r.record.name} data={r.record.lossCurve.step.map((step, j) => ({ step, loss: r.record.lossCurve.loss[j] }))} dataKey="loss" stroke={runColour(i)} strokeWidth={2} dot={false} isAnimationActive={false} />
                ) : null,
              )}
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
    </ChartCard>
  );
}

export function LossByTimestep({ runs }: { runs: SavedRun[] }) {
  const lines = runs.filter((r) => r.lossByT);
  return (
    <ChartCard id="compare-lossbyt-chart" title="Loss by timestep" legend={lines.map((r) => ({ name: r.record.name, colour: runColour(runs.indexOf(r)) }))} explain="Mean loss at each t (0 = data, 1 = noise) over the later half of each run: where a timestep sampler spends its effort shows here.">
      <div style={{ height: 200 }} data-lines={lines.length}>
        {lines.length === 0 ? (
          <ChartEmpty>Runs trained in this page show their loss by timestep here.</ChartEmpty>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart margin={MARGIN}>
              <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
              <XAxis dataKey="t" type="number" domain={[0, 1]} tickFormatter={fmtT} allowDuplicatedCategory={false} {...AXIS} />
              <YAxis dataKey="loss" domain={['auto', 'auto']} width={52} tickFormatter={(v: number) => fmtNum(v)} {...AXIS} />
              <Tooltip {...TOOLTIP} formatter={(v) => fmtNum(Number(v))} labelFormatter={(t) => `t = ${fmtT(Number(t))}`} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              {runs.map((r, i) => {
                const bins = r.lossByT;
                if (!bins) return null;
                const data = bins.map((loss, b) => ({ t: (b + 0.5) / bins.length, loss })).filter((d) => d.loss !== null);
                return <Line key={r.id} name={r.record.name} data={data} dataKey="loss" stroke={runColour(i)} strokeWidth={2} dot={false} isAnimationActive={false} />;
              })}
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
    </ChartCard>
  );
}

type QualityMetric = 'sw' | 'fd' | 'classAccuracy' | 'straightness';
const METRICS: { key: QualityMetric; label: string }[] = [
  { key: 'sw', label: 'sliced W₂ (lower is better)' },
  { key: 'fd', label: 'Fréchet distance (lower is better)' },
  { key: 'classAccuracy', label: 'class accuracy (higher is better)' },
  { key: 'straightness', label: 'straightness (0 = straight)' },
];

export function QualityVsNfe({ runs }: { runs: SavedRun[] }) {
  const [metric, setMetric] = useState<QualityMetric>('sw');
  // One line per run and solver (at the first guidance the run was evaluated with).
  const lines = useMemo(() => {
    const out: { key: string; name: string; colour: string; dash?: string; data: { nfe: number; value: number }[] }[] = [];
    runs.forEach((r, i) => {
      const q = r.record.quality;
      if (q.length === 0) return;
      const guidance = q[0].guidance;
      const samplers = [...new Set(q.map((x) => x.sampler))];
      samplers.forEach((sampler, si) => {
        const rows = q.filter((x: QualityRow) => x.sampler === sampler && x.guidance === guidance && typeof x[metric] === 'number').sort((a, b) => a.nfe - b.nfe);
        if (rows.length) out.push({ key: `${r.id}-${sampler}`, name: `${r.record.name} · ${sampler}`, colour: runColour(i), dash: si ? '5 3' : undefined, data: rows.map((x) => ({ nfe: x.nfe, value: x[metric] as number })) });
      });
    });
    return out;
  }, [runs, metric]);
  return (
    <ChartCard
      id="compare-quality-chart"
      title="Quality against NFE"
      legend={lines.map((l) => ({ name: l.name, colour: l.colour }))}
      explain="Sample quality per run and solver against network evaluations, on the seed's fixed noise and labels: from sweep files (npm run sweep -- --out F.json) or measured here (64 samples, sliced W₂ and straightness only)."
      controls={
        <select className="small" value={metric} onChange={(e) => setMetric(e.target.value as QualityMetric)} data-testid="compare-quality-metric" aria-label="quality metric">
          {METRICS.map((m) => (
            <option key={m.key} value={m.key}>
              {m.label}
            </option>
          ))}
        </select>
      }
    >
      <div style={{ height: 200 }} data-lines={lines.length}>
        {lines.length === 0 ? (
          <ChartEmpty>Load a sweep file, or measure quality before adding a run (or tick “quality vs NFE” in the queue).</ChartEmpty>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart margin={MARGIN}>
              <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
              <XAxis dataKey="nfe" type="number" scale="log" domain={['dataMin', 'dataMax']} allowDuplicatedCategory={false} {...AXIS} />
              <YAxis dataKey="value" domain={['auto', 'auto']} width={52} tickFormatter={(v: number) => fmtNum(v)} {...AXIS} />
              <Tooltip {...TOOLTIP} formatter={(v) => fmtNum(Number(v))} labelFormatter={(n) => `NFE ${n}`} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              {lines.map((l) => (
                <Line key={l.key} name={l.name} data={l.data} dataKey="value" stroke={l.colour} strokeDasharray={l.dash} strokeWidth={2} dot isAnimationActive={false} />
              ))}
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
    </ChartCard>
  );
}

const mb = (b: number | null) => (b === null ? '—' : `${(b / 2 ** 20).toFixed(1)} MB`);

export function SpeedTable({ runs }: { runs: SavedRun[] }) {
  return (
    <div className="compare-card" data-testid="compare-speed">
      <h3 className="sub">Time and memory</h3>
      <p className="small muted compare-explain">Median time per training step and the largest tensor memory the worker reported; compare on the same backend only.</p>
      <table className="compare-table small">
        <thead>
          <tr>
            <th>run</th>
            <th>steps</th>
            <th>ms/step</th>
            <th>img/s</th>
            <th>peak memory</th>
            <th>params</th>
            <th>backend</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r, i) => (
            <tr key={r.id}>
              <RunCell run={r} index={i} />
              <td className="mono">{r.record.steps}</td>
              <td className="mono">{r.record.msPerStep ? r.record.msPerStep.toFixed(1) : '—'}</td>
              <td className="mono">{r.record.imgPerSec ? r.record.imgPerSec.toFixed(0) : '—'}</td>
              <td className="mono">{mb(r.peakBytes)}</td>
              <td className="mono">{r.record.params.toLocaleString('en')}</td>
              <td>{r.record.backend}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A table's first cell: the run's colour (as in the charts) and its name. */
function RunCell({ run, index }: { run: SavedRun; index: number }) {
  return (
    <td>
      <span className="swatch" style={{ background: runColour(index) }} /> {run.record.name}
    </td>
  );
}

export function DiffTable({ runs }: { runs: SavedRun[] }) {
  const { keys, diffs } = diffConfigs(runs.map((r) => r.record.config));
  return (
    <div className="compare-card" data-testid="compare-diff-table" data-keys={keys.join(',')}>
      <h3 className="sub">Settings that differ</h3>
      <p className="small muted compare-explain">{keys.length ? 'Only these settings tell the runs apart; everything else, the seed included, is equal.' : runs.length > 1 ? 'The runs have identical settings.' : 'Add a second run to see what differs.'}</p>
      {keys.length > 0 && (
        <table className="compare-table small">
          <thead>
            <tr>
              <th>run</th>
              {keys.map((k) => (
                <th key={k} className="mono" data-testid={`compare-diff-key-${k}`}>
                  {k}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {runs.map((r, i) => (
              <tr key={r.id}>
                <RunCell run={r} index={i} />
                {keys.map((k) => (
                  <td key={k} className="mono">
                    {diffs[i][k]}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function GridsSideBySide({ runs }: { runs: SavedRun[] }) {
  const notify = useApp((s) => s.notify);
  const { agree, noise } = fingerprintsAgree(runs);
  const withGrid = runs.filter((r) => r.grid);
  const savePng = async () => {
    try {
      downloadBlob(await gridsToPng(runs, RUN_COLOURS, { background: cssVar('--panel', '#ffffff'), text: cssVar('--text', '#111111') }), 'compare-grids.png');
    } catch (e) {
      notify('warning', `Sample grids: ${(e as Error).message}`);
    }
  };
  return (
    <div className="compare-card" data-testid="compare-grids" data-grids={withGrid.length}>
      <div className="compare-card-head">
        <h3 className="sub">Samples side by side</h3>
        <button className="btn small-btn" onClick={savePng} disabled={withGrid.length === 0} data-testid="compare-grids-png">
          PNG
        </button>
      </div>
      <p className="small muted compare-explain">
        Each run's last grid, sampled from its EMA weights on the seed's fixed noise and labels.{' '}
        {withGrid.length > 1 && (
          <span data-testid="compare-fingerprint-note" data-agree={agree} className={agree ? '' : 'bad'}>
            {agree ? `Every grid starts from the same noise and labels (fingerprints noise/labels ${noise[0]}).` : `Fingerprints differ (${noise.join(', ')}): these grids start from different noise (another seed or image shape), so they are not a like-for-like comparison.`}
          </span>
        )}
      </p>
      {withGrid.length === 0 ? (
        <ChartEmpty height={80}>No grids yet: runs trained here keep their last sample grid (2D runs and runs from files have none).</ChartEmpty>
      ) : (
        <div className="compare-grids">
          {runs.map((r, i) =>
            r.grid ? (
              <figure key={r.id} className="compare-grid" data-testid="compare-grid" data-fingerprint={r.grid.noise} data-labels={r.grid.labels}>
                <figcaption style={{ color: runColour(i) }}>{r.record.name}</figcaption>
                <img src={r.grid.png} width={Math.round(r.grid.width * 1.5)} height={Math.round(r.grid.height * 1.5)} className="pixelated" alt={`samples of ${r.record.name} at step ${r.grid.step}`} />
                <div className="small muted mono">
                  step {r.grid.step} · {r.grid.sampler} {r.grid.sampleSteps} steps · noise <span data-testid="compare-grid-fingerprint">{r.grid.noise}</span>
                </div>
              </figure>
            ) : null,
          )}
        </div>
      )}
    </div>
  );
}
