import { useEffect, useRef } from 'react';
import { imageGrid } from '../../core/formats/image_grid';
import { sampleSpread } from '../../state/sample_stats';
import { useApp } from '../../state/store';
import type { SamplesPayload } from '../../worker/protocol';

const SAMPLERS = ['euler', 'heun', 'midpoint', 'rk4', 'dpmpp-2m', 'euler-ancestral'] as const;

/** Lays the samples out with one column per class (labels run class by class), which fits a wide screen. */
function drawImages(canvas: HTMLCanvasElement, s: SamplesPayload) {
  const classes = Math.max(1, new Set(s.labels).size);
  const perClass = Math.ceil(s.n / classes);
  const per = s.shape.reduce((a, b) => a * b, 1);
  const reordered = new Float32Array(perClass * classes * per);
  for (let i = 0; i < s.n; i++) {
    const cls = Math.floor(i / perClass);
    const r = i % perClass;
    reordered.set(s.x.subarray(i * per, (i + 1) * per), (r * classes + cls) * per);
  }
  const g = imageGrid(reordered, perClass * classes, s.shape, classes, { pad: 1 });
  canvas.width = g.width;
  canvas.height = g.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.putImageData(new ImageData(g.rgba as Uint8ClampedArray<ArrayBuffer>, g.width, g.height), 0, 0);
  const scale = Math.max(1, Math.min(Math.floor(640 / g.width), Math.floor(300 / g.height)));
  canvas.style.width = `${g.width * scale}px`;
}

const COLORS = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626', '#65a30d'];

function drawPoints(canvas: HTMLCanvasElement, s: SamplesPayload) {
  const size = 360;
  canvas.width = size;
  canvas.height = size;
  canvas.style.width = `${size}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const extent = 3;
  const px = (v: number) => ((v + extent) / (2 * extent)) * size;
  const py = (v: number) => ((extent - v) / (2 * extent)) * size;
  ctx.fillStyle = getComputedStyle(canvas).getPropertyValue('--panel') || '#fff';
  ctx.fillRect(0, 0, size, size);
  for (let i = 0; i < s.n; i++) {
    ctx.fillStyle = COLORS[s.labels[i] % COLORS.length];
    ctx.globalAlpha = 0.7;
    ctx.fillRect(px(s.x[2 * i]) - 1.5, py(s.x[2 * i + 1]) - 1.5, 3, 3);
  }
  ctx.globalAlpha = 1;
}

export function SampleCanvas({ samples }: { samples: SamplesPayload }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    if (samples.shape.length === 3) drawImages(ref.current, samples);
    else drawPoints(ref.current, samples);
  }, [samples]);
  return <canvas ref={ref} className="pixelated" data-testid="sample-canvas" data-step={samples.step} data-spread={sampleSpread(samples).toFixed(4)} />;
}

export function SamplePanel() {
  const samples = useApp((s) => s.samples);
  const settings = useApp((s) => s.sampleSettings);
  const setSettings = useApp((s) => s.setSampleSettings);
  return (
    <section className="panel" data-testid="panel-samples" aria-labelledby="samples-h">
      <h2 id="samples-h">
        Samples <span className="tip" title="Integrate dx/dt = v_θ(x_t, t) from t = 1 (noise) to t = 0 (data). Guidance: v = v_uncond + w·(v_cond − v_uncond).">?</span>
      </h2>
      <p className="explain">From the EMA weights, on fixed noise; one column per class. Refreshed every {settings.every} steps.</p>
      <div className="row" style={{ marginBottom: 8 }}>
        <label className="field">
          Solver
          <select data-testid="sampler-select" value={settings.sampler} onChange={(e) => setSettings({ sampler: e.target.value as (typeof SAMPLERS)[number] })}>
            {SAMPLERS.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label className="field">
          Steps
          <input type="number" min={1} max={200} value={settings.steps} style={{ width: 70 }} onChange={(e) => setSettings({ steps: Math.max(1, Math.min(200, Number(e.target.value) || 1)) })} data-testid="sample-steps" />
        </label>
        <label className="field">
          Guidance {settings.guidance.toFixed(1)}
          <input type="range" min={0} max={7} step={0.5} value={settings.guidance} onChange={(e) => setSettings({ guidance: Number(e.target.value) })} data-testid="guidance" />
        </label>
      </div>
      <div className="canvas-wrap">
        {samples ? <SampleCanvas samples={samples} /> : <div className="chart-empty" style={{ height: 200 }}>Samples appear after the first steps.</div>}
      </div>
      {samples && (
        <p className="small muted" style={{ margin: '6px 0 0' }} data-testid="samples-info">
          step {samples.step} · {samples.sampler}, {samples.steps} steps, NFE {samples.nfe}, guidance {samples.guidance} · {(samples.ms / 1000).toFixed(2)} s
        </p>
      )}
    </section>
  );
}
