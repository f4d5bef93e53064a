import { useEffect, useState } from 'react';
import { PRESETS } from '../../core/presets';
import { useApp } from '../../state/store';
import { fmtDuration, fmtNum } from '../common/format';

function isTyping(e: KeyboardEvent): boolean {
  const el = e.target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

/** Space: play/pause, S: one step, R: reset (ignored while typing in a field or with a modifier). */
export function useShortcuts() {
  const toggle = useApp((s) => s.toggle);
  const stepOnce = useApp((s) => s.stepOnce);
  const reset = useApp((s) => s.reset);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e) || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
      const booting = useApp.getState().runState === 'booting';
      if (e.code === 'Space') {
        // A focused button would also "click" on Space: the shortcut wins, once.
        e.preventDefault();
        if (!booting) toggle();
      } else if ((e.key === 's' || e.key === 'S') && !booting && useApp.getState().runState !== 'running') stepOnce(1);
      else if ((e.key === 'r' || e.key === 'R') && !booting) reset();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [toggle, stepOnce, reset]);
}

/** What to try when the loss became NaN or infinite, with one-click fixes. */
function Diverged() {
  const message = useApp((s) => s.stateMessage);
  const config = useApp((s) => s.config);
  const setConfig = useApp((s) => s.setConfig);
  return (
    <div className="diverged-banner" role="alert" data-testid="diverged">
      <strong>Training diverged</strong>: {message ?? 'the loss is no longer a finite number.'} The weights are unusable; start again with a safer setting:
      <ul>
        <li>a lower learning rate (now {config.lr}),</li>
        <li>gradient clipping{config.gradClip > 0 ? ` (now ${config.gradClip}; try 0.5)` : ' (now off)'},</li>
        <li>a longer warmup (now {config.warmup} steps), or a larger batch.</li>
      </ul>
      <div className="row">
        <button className="btn" onClick={() => setConfig({ lr: config.lr / 3 })} data-testid="diverged-lower-lr">
          Restart with lr ÷ 3
        </button>
        <button className="btn" onClick={() => setConfig({ gradClip: config.gradClip > 0 ? Math.min(config.gradClip, 0.5) : 1, warmup: Math.max(config.warmup, 100) })}>
          Restart with clipping and warmup
        </button>
      </div>
    </div>
  );
}

function CopyLink() {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      useApp.getState().notify('info', `Copy this link to reproduce the run: ${window.location.href}`);
    }
  };
  return (
    <button className="btn" onClick={copy} title="The link holds every setting and the seed: opening it reproduces this run" data-testid="copy-link">
      {copied ? 'Copied ✓' : 'Copy link'}
    </button>
  );
}

export function Controls() {
  const preset = useApp((s) => s.preset);
  const applyPreset = useApp((s) => s.applyPreset);
  const runState = useApp((s) => s.runState);
  const step = useApp((s) => s.step);
  const total = useApp((s) => s.config.steps);
  const seed = useApp((s) => s.config.seed);
  const params = useApp((s) => s.params);
  const elapsed = useApp((s) => s.elapsedMs);
  const toggle = useApp((s) => s.toggle);
  const stepOnce = useApp((s) => s.stepOnce);
  const reset = useApp((s) => s.reset);
  const lastLoss = useApp((s) => s.series.loss[s.series.loss.length - 1]);
  const imgPerSec = useApp((s) => s.series.imgPerSec[s.series.imgPerSec.length - 1]);
  useApp((s) => s.seriesVersion); // re-render when metrics arrive (at most once a frame)
  const running = runState === 'running';
  const booting = runState === 'booting';
  const current = PRESETS.find((p) => p.name === preset);
  return (
    <section className="panel" data-testid="panel-controls" aria-labelledby="controls-h">
      <div className="panel-head">
        <h2 id="controls-h">Experiment</h2>
        <CopyLink />
      </div>
      <label className="field">
        Preset
        <select data-testid="preset-select" value={preset} onChange={(e) => applyPreset(e.target.value)}>
          {PRESETS.map((p) => (
            <option key={p.name} value={p.name}>
              {p.title} ({p.name})
            </option>
          ))}
        </select>
      </label>
      {current && <p className="explain" style={{ marginTop: 6 }}>{current.description}</p>}
      <div className="row controls-row">
        <button className="btn primary" data-testid="play" onClick={toggle} disabled={booting || runState === 'diverged'} aria-keyshortcuts="Space" aria-pressed={running}>
          {running ? '❚❚ Pause' : '▶ Train'}
        </button>
        <button className="btn" data-testid="step" onClick={() => stepOnce(1)} disabled={booting || running || runState === 'diverged'} aria-keyshortcuts="S" title="One training step (S)">
          Step
        </button>
        <button className="btn" data-testid="reset" onClick={reset} disabled={booting} aria-keyshortcuts="R" title="New weights from the same seed (R)">
          Reset
        </button>
      </div>
      <p className="small muted" style={{ margin: '6px 0 0' }}>
        <kbd>Space</kbd> train/pause · <kbd>S</kbd> step · <kbd>R</kbd> reset
      </p>
      {runState === 'diverged' && <Diverged />}
      <div className="stats">
        <div className="stat">
          <div className="k">step</div>
          <div className="v" data-testid="step-count">
            {step}
            <span className="of"> / {total}</span>
          </div>
        </div>
        <div className="stat">
          <div className="k">loss</div>
          <div className="v" data-testid="last-loss">
            {fmtNum(lastLoss, 4)}
          </div>
        </div>
        <div className="stat">
          <div className="k">elapsed</div>
          <div className="v" data-testid="elapsed">
            {fmtDuration(elapsed)}
          </div>
        </div>
        <div className="stat">
          <div className="k">images/s</div>
          <div className="v">{fmtNum(imgPerSec, 1)}</div>
        </div>
        <div className="stat">
          <div className="k">parameters</div>
          <div className="v">{params.toLocaleString('en')}</div>
        </div>
        <div className="stat">
          <div className="k">seed</div>
          <div className="v">{seed}</div>
        </div>
      </div>
      <p className={`run-state ${runState}`} data-testid="run-state" data-state={runState}>
        {runState === 'booting' ? 'starting the training worker…' : runState === 'idle' ? 'ready: press ▶ Train' : runState}
      </p>
    </section>
  );
}
