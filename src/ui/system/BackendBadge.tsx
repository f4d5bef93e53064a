import { useApp } from '../../state/store';

export function BackendBadge() {
  const report = useApp((s) => s.report);
  const warmup = useApp((s) => s.warmup);
  if (!report) {
    return (
      <span className="badge" data-testid="backend-badge" data-backend="">
        <span className="dot" /> starting…
      </span>
    );
  }
  const fellBack = report.attempts.some((a) => !a.ok);
  const cls = report.name === 'webgpu' ? 'ok' : fellBack ? 'warn' : 'ok';
  const adapter = report.adapter ? ` · ${report.adapter.vendor || '?'} ${report.adapter.architecture || ''}`.trimEnd() : '';
  return (
    <span className={`badge ${cls}`} title={report.reason} data-testid="backend-badge" data-backend={report.name}>
      <span className="dot" />
      <strong>{report.name}</strong>
      <span className="muted">{adapter}</span>
      {warmup.active && <span className="muted">· {report.name === 'webgpu' ? 'compiling shaders' : 'warming up'}…</span>}
    </span>
  );
}
