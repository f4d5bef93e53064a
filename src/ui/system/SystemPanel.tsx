import { useApp } from '../../state/store';
import { fmtBytes } from '../common/format';

export function SystemPanel() {
  const report = useApp((s) => s.report);
  const warmup = useApp((s) => s.warmup);
  const memory = useApp((s) => s.memory);
  return (
    <section className="panel" data-testid="panel-system" aria-labelledby="system-h">
      <h2 id="system-h">System</h2>
      <p className="explain">Where the model runs, and why.</p>
      {!report ? (
        <p className="muted">Starting the training worker…</p>
      ) : (
        <>
          <p style={{ margin: '4px 0' }} data-testid="backend-reason">
            <strong>{report.name}</strong>: {report.reason}.
          </p>
          {report.adapter && (
            <p className="small muted" style={{ margin: '2px 0' }}>
              Adapter: {report.adapter.vendor} {report.adapter.architecture} {report.adapter.description ?? ''} · timestamp queries {report.timestampQuery ? 'yes' : 'no'}
            </p>
          )}
          {report.wasm && (
            <p className="small muted" style={{ margin: '2px 0' }}>
              WASM: SIMD {report.wasm.simd ? 'on' : 'off'}, threads {report.wasm.threads ? 'on' : 'off (needs cross-origin isolation)'}
            </p>
          )}
          <div className="warmup" data-testid="warmup" data-active={warmup.active ? 'true' : 'false'}>
            {warmup.active ? (
              <>
                <span className="spinner" /> First step: compiling shaders (this can take a while on WebGPU)…
              </>
            ) : warmup.ms !== undefined ? (
              <span className="muted">
                Warm-up: first step took {(warmup.ms / 1000).toFixed(1)} s{warmup.pipelines !== undefined ? `, ${warmup.pipelines} shader pipelines compiled` : ''}.
              </span>
            ) : null}
          </div>
          <p className="small muted" style={{ margin: '4px 0' }}>
            Memory: {memory.numTensors} tensors, {fmtBytes(memory.numBytes)}
            {memory.gpuBytes !== undefined ? `, GPU allocated ${fmtBytes(memory.gpuBytes)}` : ''}
          </p>
          <details className="report">
            <summary>Capability report</summary>
            <pre data-testid="capability-report">{JSON.stringify(report, null, 2)}</pre>
          </details>
        </>
      )}
    </section>
  );
}
