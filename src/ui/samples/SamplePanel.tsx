// Samples from the EMA weights on fixed noise, refreshed every N steps; solver, steps and guidance re-sample
// without stopping training. Images: the grid and a strip of x_t along the ODE. 2D points: particles that
// flow along the learned field.

import { useEffect, useRef, useState } from 'react';
import { SCHEMA } from '../../core/config';
import { methodDoc } from '../../core/flow/method_docs';
import type { SamplerName } from '../../core/flow';
import { useApp } from '../../state/store';
import type { RgbaImage, SamplesPayload } from '../../worker/protocol';
import { cancelDraw, scheduleDraw } from '../common/canvas';
import { ChartEmpty } from '../common/charts';
import { Panel, Tip } from '../common/Panel';
import { Particles } from './Particles';

const SAMPLERS = (SCHEMA.sampler.kind === 'enum' ? SCHEMA.sampler.values : []) as readonly SamplerName[];
const EVERY = [5, 10, 25, 50, 100, 250, 0];

/** Puts a worker-composed RGBA picture on a canvas (1:1 pixels; CSS scales it, pixelated). */
function blit(c: HTMLCanvasElement, img: RgbaImage): void {
  c.width = img.width;
  c.height = img.height;
  c.getContext('2d')?.putImageData(new ImageData(img.rgba as Uint8ClampedArray<ArrayBuffer>, img.width, img.height), 0, 0);
}

function SampleGrid({ samples }: { samples: SamplesPayload }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    if (!c || !samples.grid) return;
    const grid = samples.grid;
    scheduleDraw(c, () => blit(c, grid));
    return () => cancelDraw(c);
  }, [samples]);
  return <canvas ref={ref} className="pixelated sample-canvas" data-testid="sample-canvas" data-step={samples.step} data-spread={samples.spread.toFixed(4)} aria-label={`${samples.n} samples at step ${samples.step}`} />;
}

/** x_t at a few solver times for a few samples: rows are samples, columns run from noise to data. */
function TrajectoryStrip({ samples }: { samples: SamplesPayload }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const strip = samples.strip;
  const frames = samples.times.length;
  useEffect(() => {
    const c = ref.current;
    if (!c || !strip) return;
    scheduleDraw(c, () => blit(c, strip));
    return () => cancelDraw(c);
  }, [strip]);
  if (!strip || frames === 0) return null;
  const width = Math.min(520, frames * 46);
  return (
    <div className="trajectory" data-testid="trajectory-strip" data-frames={frames}>
      <h3 className="sub">
        Along the ODE <span className="muted small">x_t from t = 1 (noise, left) to t = 0 (data, right)</span>
      </h3>
      <canvas ref={ref} className="pixelated trajectory-canvas" style={{ maxWidth: width }} aria-label={`trajectories of ${strip.rows} samples at ${frames} solver times`} />
      <div className="strip-axis small muted" style={{ gridTemplateColumns: `repeat(${frames}, 1fr)`, maxWidth: width }}>
        {samples.times.map((t, i) => (
          <span key={i}>{t.toFixed(2)}</span>
        ))}
      </div>
    </div>
  );
}

/** Solver steps (NFE per sample for one-evaluation solvers): applied when valid, so typing "12" is not two runs of garbage. */
function StepsInput({ steps, commit }: { steps: number; commit: (v: string) => string | null }) {
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const apply = (v: string) => {
    const err = commit(v);
    setError(err);
    if (!err) setDraft(null);
  };
  return (
    <label className="field">
      Steps
      <input
        type="number"
        min={1}
        max={1000}
        value={draft ?? steps}
        style={{ width: 72 }}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={(e) => draft !== null && apply(e.target.value)}
        onKeyDown={(e) => e.key === 'Enter' && apply((e.target as HTMLInputElement).value)}
        aria-invalid={!!error}
        title={error ?? 'solver steps: Enter to apply'}
        data-testid="sample-steps"
      />
    </label>
  );
}

export function SamplePanel() {
  const samples = useApp((s) => s.samples);
  const settings = useApp((s) => s.sampleSettings);
  const setSettings = useApp((s) => s.setSampleSettings);
  const editField = useApp((s) => s.editField);
  const sampleNow = useApp((s) => s.sampleNow);
  const runState = useApp((s) => s.runState);
  const numClasses = useApp((s) => s.dataset?.numClasses ?? 1);
  const solver = methodDoc('solver', settings.sampler);
  const cfg = methodDoc('guidance', 'cfg');
  const points = samples?.shape.length === 1;
  return (
    <Panel
      id="samples"
      title="Samples"
      tip={`Integrate dx/dt = v_θ(x_t, t) from t = 1 (noise) to t = 0 (data).\n${solver.name}: ${solver.formula}\n${solver.summary}\nGuidance: ${cfg.formula} (${cfg.source})`}
      explain={<>From the EMA weights on fixed noise, so changes come from the model, not the dice. {points ? 'Each particle is one sample.' : numClasses > 1 ? 'One column per class.' : ''}</>}
    >
      <div className="row sample-controls">
        <label className="field">
          Solver
          <select data-testid="sampler-select" value={settings.sampler} onChange={(e) => setSettings({ sampler: e.target.value as SamplerName })}>
            {SAMPLERS.map((s) => (
              <option key={s} value={s}>
                {methodDoc('solver', s).name}
              </option>
            ))}
          </select>
        </label>
        <StepsInput steps={settings.steps} commit={(v) => editField('sampleSteps', v)} />
        <label className="field guidance-field">
          <span>
            Guidance w = <span className="mono">{settings.guidance.toFixed(1)}</span> <Tip text={`${cfg.formula}\n${cfg.summary}`} />
          </span>
          <input type="range" min={0} max={7} step={0.5} value={settings.guidance} onChange={(e) => setSettings({ guidance: Number(e.target.value) })} data-testid="guidance" aria-valuetext={`guidance ${settings.guidance}`} />
        </label>
        <label className="field">
          Refresh
          <select value={settings.every} onChange={(e) => setSettings({ every: Number(e.target.value) })} data-testid="sample-every">
            {EVERY.map((n) => (
              <option key={n} value={n}>
                {n === 0 ? 'by hand' : `every ${n} steps`}
              </option>
            ))}
          </select>
        </label>
        <button className="btn" onClick={sampleNow} disabled={runState === 'booting'} data-testid="sample-now">
          Sample now
        </button>
      </div>
      <div className="canvas-wrap">{samples ? points ? <Particles samples={samples} /> : <SampleGrid samples={samples} /> : <ChartEmpty height={180}>Samples appear after the first steps (or press Sample now).</ChartEmpty>}</div>
      {samples && (
        <p className="small muted" style={{ margin: '6px 0 0' }} data-testid="samples-info">
          step {samples.step} · {methodDoc('solver', samples.sampler).name}, {samples.steps} steps, NFE {samples.nfe}, guidance {samples.guidance} · {(samples.ms / 1000).toFixed(2)} s
        </p>
      )}
      {samples && !points && <TrajectoryStrip samples={samples} />}
    </Panel>
  );
}
