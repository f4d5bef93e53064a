import { useEffect, useState } from 'react';
import { useApp } from '../../state/store';
import { fmtBytes } from '../common/format';
import { Panel } from '../common/Panel';

/** Seconds since the warm-up began, ticking while it lasts (the worker is busy compiling and cannot report). */
function useElapsed(since: number | undefined, active: boolean): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => setNow(performance.now()), 250);
    return () => clearInterval(id);
  }, [active]);
  return active && since !== undefined ? Math.max(0, (now - since) / 1000) : 0;
}

export function SystemPanel() {
  const report = useApp((s) => s.report);
  const warmup = useApp((s) => s.warmup);
  const memory = useApp((s) => s.memory);
  const flops = useApp((s) => s.flopsPerStep);
  const ms = useApp((s) => s.series.msPerStep[s.series.msPerStep.length - 1]);
  const elapsed = useElapsed(warmup.since, warmup.active);
  const webgpu = report?.name === 'webgpu';
  // Typical first-step compile time on WebGPU here is tens of seconds; the bar fills towards 30 s and then waits.
  const guess = Math.min(0.95, elapsed / 30);
  return (
    <Panel id="system" title="System" explain={<>Where the model runs and why; shader compilation; memory.</>}>
      {!report ? (
        <p className="muted">Starting the training worker…</p>
      ) : (
        <>
          <p style={{ margin: '4px 0' }} data-testid="backend-reason">
            <strong>{report.name}</strong>: {report.reason}.
          </p>
          {report.adapter && (
            <p className="small muted" style={{ margin: '2px 0' }} data-testid="adapter">
              Adapter: {report.adapter.vendor || '?'} {report.adapter.architecture} {report.adapter.description ?? ''} · timestamp queries {report.timestampQuery ? 'yes' : 'no'}
            </p>
          )}
          {report.wasm && (
            <p className="small muted" style={{ margin: '2px 0' }}>
              WASM: SIMD {report.wasm.simd ? 'on' : 'off'}, threads {report.wasm.threads ? 'on' : 'off (one thread: tfjs 4.22\'s threaded wasm hangs in bundled workers)'}
              {report.wasm.simdKernels && <> · matrix products: our SIMD GEMM{report.wasm.gemm === 'relaxed-madd' ? ' with fused multiply-add (relaxed SIMD)' : ''}, {report.wasm.gemmThreads === 2 ? `large ones on 2 threads${report.wasm.sharedHeap ? ', in place on a shared heap' : ''}` : '1 thread'}</>}
            </p>
          )}
          <div className="warmup" data-testid="warmup" data-active={warmup.active ? 'true' : 'false'}>
            {warmup.active ? (
              <div className="warmup-live" role="status">
                <span>
                  <span className="spinner" /> {warmup.what === 'sample' ? 'First sampling' : 'First training step'}: {webgpu ? 'compiling shaders' : 'preparing kernels'}… {elapsed.toFixed(0)} s
                </span>
                <progress max={1} value={guess} aria-label="shader warm-up" />
                <span className="small muted">Only the first step is slow: every later step reuses the compiled pipelines.</span>
              </div>
            ) : warmup.ms !== undefined ? (
              <span className="muted small">
                Warm-up: first step {(warmup.ms / 1000).toFixed(1)} s{warmup.sampleMs !== undefined ? `, first sampling ${(warmup.sampleMs / 1000).toFixed(1)} s` : ''}
                {warmup.pipelines !== undefined ? `; ${warmup.pipelines} shader pipelines compiled` : ''}.
              </span>
            ) : (
              <span className="muted small">{webgpu ? 'The first step compiles the shaders (a while on some GPUs); progress shows here.' : 'Ready.'}</span>
            )}
          </div>
          <p className="small muted" style={{ margin: '4px 0' }} data-testid="memory">
            Memory: {memory.numTensors} tensors, {fmtBytes(memory.numBytes)}
            {memory.gpuBytes !== undefined ? `, GPU allocated ${fmtBytes(memory.gpuBytes)}` : ''}
            {ms && flops ? ` · ${(flops / (ms / 1000) / 1e9).toPrecision(2)} GFLOP/s` : ''}
          </p>
          <details className="report">
            <summary>Capability report</summary>
            <pre data-testid="capability-report">{JSON.stringify(report, null, 2)}</pre>
          </details>
        </>
      )}
    </Panel>
  );
}
