import { useEffect } from 'react';
import { PRESETS } from '../../core/presets';
import { useApp } from '../../state/store';
import { fmtDuration, fmtNum } from '../common/format';

function isTyping(e: KeyboardEvent): boolean {
  const el = e.target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

/** Space: play/pause, S: one step, R: reset (ignored while typing in a field). */
export function useShortcuts() {
  const toggle = useApp((s) => s.toggle);
  const stepOnce = useApp((s) => s.stepOnce);
  const reset = useApp((s) => s.reset);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.code === 'Space') {
        e.preventDefault();
        toggle();
      } else if (e.key === 's' || e.key === 'S') stepOnce(1);
      else if (e.key === 'r' || e.key === 'R') reset();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [toggle, stepOnce, reset]);
}

export function Controls() {
  const preset = useApp((s) => s.preset);
  const applyPreset = useApp((s) => s.applyPreset);
  const runState = useApp((s) => s.runState);
  const step = useApp((s) => s.step);
  const params = useApp((s) => s.params);
  const elapsed = useApp((s) => s.elapsedMs);
  const toggle = useApp((s) => s.toggle);
  const stepOnce = useApp((s) => s.stepOnce);
  const reset = useApp((s) => s.reset);
  const lastLoss = useApp((s) => s.series.loss[s.series.loss.length - 1]);
  const imgPerSec = useApp((s) => s.series.imgPerSec[s.series.imgPerSec.length - 1]);
  const msPerStep = useApp((s) => s.series.msPerStep[s.series.msPerStep.length - 1]);
  useApp((s) => s.seriesVersion); // re-render when metrics arrive
  const running = runState === 'running';
  const booting = runState === 'booting';
  const current = PRESETS.find((p) => p.name === preset);
  return (
    <section className="panel" data-testid="panel-controls" aria-labelledby="controls-h">
      <h2 id="controls-h">Experiment</h2>
      <label className="field">
        Preset
        <select data-testid="preset-select" value={preset} onChange={(e) => applyPreset(e.target.value)} disabled={running}>
          {PRESETS.map((p) => (
            <option key={p.name} value={p.name}>
              {p.title} ({p.name})
            </option>
          ))}
        </select>
      </label>
      {current && <p className="explain" style={{ marginTop: 6 }}>{current.description}</p>}
      <div className="row" style={{ marginTop: 8 }}>
        <button className="btn primary" data-testid="play" onClick={toggle} disabled={booting || runState === 'diverged'} aria-keyshortcuts="Space">
          {running ? '❚❚ Pause' : '▶ Train'}
        </button>
        <button className="btn" data-testid="step" onClick={() => stepOnce(1)} disabled={booting || running} aria-keyshortcuts="S" title="One training step (S)">
          Step
        </button>
        <button className="btn" data-testid="reset" onClick={reset} disabled={booting} aria-keyshortcuts="R" title="New weights, same seed (R)">
          Reset
        </button>
      </div>
      <p className="small muted" style={{ margin: '6px 0 0' }}>
        <kbd>Space</kbd> train/pause · <kbd>S</kbd> step · <kbd>R</kbd> reset
      </p>
      <div className="stats">
        <div className="stat">
          <div className="k">step</div>
          <div className="v" data-testid="step-count">{step}</div>
        </div>
        <div className="stat">
          <div className="k">loss</div>
          <div className="v" data-testid="last-loss">{fmtNum(lastLoss, 4)}</div>
        </div>
        <div className="stat">
          <div className="k">images/s</div>
          <div className="v">{fmtNum(imgPerSec, 1)}</div>
        </div>
        <div className="stat">
          <div className="k">ms/step</div>
          <div className="v">{fmtNum(msPerStep, 1)}</div>
        </div>
        <div className="stat">
          <div className="k">parameters</div>
          <div className="v">{params.toLocaleString()}</div>
        </div>
        <div className="stat">
          <div className="k">elapsed</div>
          <div className="v">{fmtDuration(elapsed)}</div>
        </div>
      </div>
      <p className="small muted" style={{ margin: '8px 0 0' }} data-testid="run-state" data-state={runState}>
        {runState === 'booting' ? 'starting…' : runState}
      </p>
    </section>
  );
}
