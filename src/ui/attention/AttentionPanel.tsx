// Attention: which variant runs and why, a memory/time comparison of the variants measured in the worker,
// and the first block's attention maps for a chosen head and query patch of a noised training image.

import { useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { viridis } from '../../core/viz/heatmap';
import { useApp } from '../../state/store';
import type { AttentionBench, AttentionMapPayload } from '../../worker/protocol';
import { drawImageGrid } from '../common/canvas';
import { ATTN_COLORS, AXIS, ChartEmpty, MARGIN, TOOLTIP } from '../common/charts';
import { fmtBytes, fmtTick } from '../common/format';
import { useSeen } from '../common/hooks';
import { Panel } from '../common/Panel';

const KINDS = ['naive', 'chunked', 'flash', 'linear'] as const;
const LENGTH_SETS: { label: string; lengths: number[] }[] = [
  { label: 'N = 32, 128 (quick)', lengths: [32, 128] },
  { label: 'N = 64 … 256', lengths: [64, 128, 256] },
  { label: 'N = 64 … 1024', lengths: [64, 256, 1024] },
  { label: 'N = 256 … 4096', lengths: [256, 1024, 4096] },
];

function BenchCharts({ bench }: { bench: AttentionBench }) {
  const data = useMemo(() => {
    const Ns = [...new Set(bench.rows.map((r) => r.N))].sort((a, b) => a - b);
    return Ns.map((N) => {
      const row: Record<string, number | undefined> = { N };
      for (const r of bench.rows.filter((x) => x.N === N && x.status === 'ok')) {
        row[`${r.kind} MB`] = r.peakBytes! / 2 ** 20;
        row[`${r.kind} ms`] = r.ms;
      }
      return row;
    });
  }, [bench]);
  const kinds = KINDS.filter((k) => bench.rows.some((r) => r.kind === k));
  const chart = (unit: 'MB' | 'ms', testid: string) => (
    <div data-testid={testid}>
      <div className="small muted chart-caption">{unit === 'MB' ? 'peak memory (MB)' : 'time of forward + backward (ms)'} against sequence length N, both log</div>
      <ResponsiveContainer width="100%" height={190}>
        <LineChart data={data} margin={MARGIN}>
          <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
          <XAxis dataKey="N" type="number" scale="log" domain={['dataMin', 'dataMax']} ticks={data.map((d) => d.N as number)} {...AXIS} />
          <YAxis scale="log" domain={['auto', 'auto']} allowDataOverflow width={46} {...AXIS} tickFormatter={fmtTick} />
          <Tooltip {...TOOLTIP} formatter={(v) => `${Number(v).toPrecision(3)} ${unit}`} labelFormatter={(n) => `N = ${n}`} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {kinds.map((k) => (
            <Line key={k} dataKey={`${k} ${unit}`} name={k} stroke={ATTN_COLORS[k]} strokeWidth={2} dot isAnimationActive={false} connectNulls strokeDasharray={k === 'linear' ? '5 3' : undefined} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
  const notes = [...new Set(bench.rows.filter((r) => r.note).map((r) => `${r.kind}${r.status !== 'ok' ? ` (${r.status})` : ''}: ${r.note}`))];
  return (
    <>
      <div className="chart-pair">
        {chart('MB', 'attention-memory-chart')}
        {chart('ms', 'attention-time-chart')}
      </div>
      <table className="bench-table small" data-testid="attention-bench-table">
        <thead>
          <tr>
            <th>N</th>
            {kinds.map((k) => (
              <th key={k}>{k}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.map((d) => (
            <tr key={d.N}>
              <td className="mono">{d.N}</td>
              {kinds.map((k) => (
                <td key={k} className="mono">
                  {d[`${k} MB`] !== undefined ? `${fmtBytes((d[`${k} MB`] as number) * 2 ** 20)} · ${(d[`${k} ms`] as number).toFixed(1)} ms` : '—'}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {notes.length > 0 && (
        <ul className="notes small muted">
          {notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </>
  );
}

/** The noised image with the patch grid; click a patch to make it the query. */
function QueryImage({ map, onPick }: { map: AttentionMapPayload; onPick: (q: number) => void }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const head = useApp((s) => Math.min(s.attentionRequest.head, map.heads - 1));
  useEffect(() => {
    const c = ref.current;
    if (!c) return;
    const [H, W] = map.shape;
    drawImageGrid(c, map.image, 1, map.shape, 1, 0);
    const ctx = c.getContext('2d');
    if (!ctx) return;
    // Overlay: the chosen head's weights tint each patch; the query patch is outlined.
    const g = map.grid;
    const ph = H / g;
    const pw = W / g;
    const w = map.weights.subarray(head * g * g, (head + 1) * g * g);
    const max = Math.max(...w, 1e-9);
    for (let i = 0; i < g * g; i++) {
      const [r, gg, b] = viridis(w[i] / max);
      ctx.fillStyle = `rgba(${r},${gg},${b},${0.55 * (w[i] / max)})`;
      ctx.fillRect((i % g) * pw, Math.floor(i / g) * ph, pw, ph);
    }
    ctx.strokeStyle = '#ff3b30';
    ctx.lineWidth = Math.max(1, W / 56);
    ctx.strokeRect((map.query % g) * pw + 0.5, Math.floor(map.query / g) * ph + 0.5, pw - 1, ph - 1);
  }, [map, head]);
  const onClick = (e: MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const g = map.grid;
    const i = Math.min(g - 1, Math.floor(((e.clientX - r.left) / r.width) * g));
    const j = Math.min(g - 1, Math.floor(((e.clientY - r.top) / r.height) * g));
    onPick(j * g + i);
  };
  return <canvas ref={ref} className="pixelated attn-image" onClick={onClick} data-testid="attention-image" aria-label={`noised input at t = ${map.t.toFixed(2)}; query patch ${map.query}; click a patch to choose it`} />;
}

/** Every head's weights for the query, as small heat maps (click one to overlay it on the image). */
function HeadMaps({ map, head, onHead }: { map: AttentionMapPayload; head: number; onHead: (h: number) => void }) {
  const refs = useRef<(HTMLCanvasElement | null)[]>([]);
  useEffect(() => {
    const g = map.grid;
    for (let h = 0; h < map.heads; h++) {
      const c = refs.current[h];
      if (!c) continue;
      c.width = g;
      c.height = g;
      const ctx = c.getContext('2d');
      if (!ctx) continue;
      const w = map.weights.subarray(h * g * g, (h + 1) * g * g);
      const max = Math.max(...w, 1e-9);
      const img = ctx.createImageData(g, g);
      for (let i = 0; i < g * g; i++) {
        const [r, gg, b] = viridis(w[i] / max);
        img.data.set([r, gg, b, 255], i * 4);
      }
      ctx.putImageData(img, 0, 0);
    }
  }, [map]);
  return (
    <div className="head-maps" role="group" aria-label="attention heads">
      {Array.from({ length: map.heads }, (_, h) => (
        <button key={h} className={`head ${h === head ? 'active' : ''}`} onClick={() => onHead(h)} aria-pressed={h === head} data-testid={`attention-head-${h}`}>
          <canvas
            ref={(el) => {
              refs.current[h] = el;
            }}
            className="pixelated"
          />
          <span className="small">head {h}</span>
        </button>
      ))}
    </div>
  );
}

export function AttentionPanel() {
  const info = useApp((s) => s.attentionInfo);
  const backend = useApp((s) => s.report?.name);
  const bench = useApp((s) => s.attentionBench);
  const progress = useApp((s) => s.attentionBenchProgress);
  const map = useApp((s) => s.attentionMap);
  const req = useApp((s) => s.attentionRequest);
  const previewN = useApp((s) => s.preview?.n ?? 0);
  const runState = useApp((s) => s.runState);
  const measure = useApp((s) => s.measureAttention);
  const request = useApp((s) => s.requestAttentionMap);
  const [set, setSet] = useState(backend === 'webgpu' ? 2 : 1);
  const isDiT = !!info;
  const mapsRef = useRef<HTMLDivElement>(null);
  const seen = useSeen(mapsRef);
  // A fresh map for a new run, and after training moved on: only once the maps have been on screen, and
  // only while paused, so it never competes with training steps.
  useEffect(() => {
    if (seen && isDiT && previewN > 0 && runState !== 'booting' && runState !== 'running') request({});
  }, [seen, isDiT, previewN, runState, request]);
  return (
    <Panel
      id="attention"
      title="Attention"
      tip={'softmax(Q·Kᵀ/√d)·V per head (Vaswani et al. 2017).\nnaive: the full N×N score matrix, kept for backward: memory ∝ N².\nchunked / flash: blocks with an online softmax, scores recomputed in backward: memory ∝ N (Dao et al. 2022).\nlinear: φ(Q)·(φ(K)ᵀV), φ = elu + 1 (Katharopoulos et al. 2020), an approximation.'}
      explain={<>What the memory of attention costs as sequences grow, and where the model looks: the first block&apos;s weights for one query patch.</>}
    >
      <div className="attn-info" data-testid="attention-info">
        {info ? (
          <>
            <span>
              This run: <strong>{info.requested}</strong>
              {info.ran !== info.requested && (
                <>
                  {' '}
                  → runs as <strong>{info.ran}</strong>
                </>
              )}{' '}
              · {info.tokens} tokens · {info.heads} heads{info.kvHeads !== info.heads ? ` (${info.kvHeads} kv)` : ''} of size {info.headSize}
            </span>
            {info.note && <span className={`note ${info.exact ? '' : 'warn'}`}>{info.exact ? 'ℹ' : '⚠'} {info.note}</span>}
          </>
        ) : (
          <span className="muted">This run is the 2D MLP: it has no attention. The comparison below still measures the variants.</span>
        )}
      </div>
      <div className="row" style={{ margin: '8px 0' }}>
        <label className="field">
          Lengths
          <select value={set} onChange={(e) => setSet(Number(e.target.value))} data-testid="attention-lengths">
            {LENGTH_SETS.map((s, i) => (
              <option key={s.label} value={i}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <button className="btn primary" onClick={() => measure(LENGTH_SETS[set].lengths)} disabled={!!progress || runState === 'booting'} data-testid="attention-measure">
          {progress ? `Measuring ${progress.done}/${progress.total}…` : 'Measure'}
        </button>
        <span className="small muted">one forward + backward pass per variant, B = 1{info ? `, ${info.heads} heads of ${info.headSize}` : ''}; pauses training while it runs</span>
      </div>
      {bench ? <BenchCharts bench={bench} /> : <ChartEmpty height={70}>Press Measure to compare peak memory and time of naive, chunked, flash and linear attention.</ChartEmpty>}
      <div ref={mapsRef} />
      {isDiT && (
        <>
          <h3 className="sub">
            Attention maps <span className="muted small">block 0, current weights{map ? `, step ${map.step}` : ''}</span>
          </h3>
          {map ? (
            <div className="attn-maps" data-testid="attention-maps" data-heads={map.heads} data-query={map.query}>
              <div className="attn-left">
                <QueryImage map={map} onPick={(query) => request({ query })} />
                <label className="field">
                  t = {req.t.toFixed(2)} (noise level of the input)
                  <input type="range" min={0} max={1} step={0.05} value={req.t} onChange={(e) => request({ t: Number(e.target.value) })} data-testid="attention-t" />
                </label>
                <label className="field">
                  Image
                  <select value={req.index} onChange={(e) => request({ index: Number(e.target.value) })} data-testid="attention-index">
                    {Array.from({ length: previewN }, (_, i) => (
                      <option key={i} value={i}>
                        training image {i + 1}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
              <div>
                <p className="small muted" style={{ marginTop: 0 }}>
                  Query patch {map.query} (outlined). Each map: how much that head attends from it to every patch ({map.kind === 'linear' ? 'linear attention’s normalised kernel weights' : 'softmax weights'}, brighter = more). Click a patch to move the query; click a head to overlay it.
                </p>
                <HeadMaps map={map} head={req.head} onHead={(head) => request({ head })} />
                <button className="btn small-btn" onClick={() => request({})} style={{ marginTop: 6 }}>
                  Refresh with the current weights
                </button>
              </div>
            </div>
          ) : (
            <ChartEmpty height={70}>Computing the maps…</ChartEmpty>
          )}
        </>
      )}
    </Panel>
  );
}
