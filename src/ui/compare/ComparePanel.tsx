// The compare view: keep the current run, duplicate a run into the setup, queue configs and train them one
// after another to the same number of steps, load sweep files, and see the runs side by side (curves,
// grids, quality, speed, settings that differ). Exports CSV, JSON, PNGs and a shareable link.

import { useRef, useState, type ChangeEvent } from 'react';
import { toCSV, toJSON } from '../../core/compare/export';
import { diffConfigs, runName } from '../../core/compare/run_record';
import { exportRecords } from '../../state/runs';
import { QUALITY_N, QUALITY_STEPS, useApp } from '../../state/store';
import { Panel } from '../common/Panel';
import { DiffTable, GridsSideBySide, LossByTimestep, LossCurves, QualityVsNfe, runColour, SpeedTable } from './CompareCharts';
import { downloadText } from './download';
import './compare.css';

/** Sweep and export files are small; anything far larger is not one of them. */
const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

function QueueControls() {
  const queue = useApp((s) => s.queue);
  const queueRun = useApp((s) => s.queueRun);
  const enqueue = useApp((s) => s.enqueue);
  const dequeue = useApp((s) => s.dequeue);
  const startQueue = useApp((s) => s.startQueue);
  const stopQueue = useApp((s) => s.stopQueue);
  // The step only matters while the queue runs (the panel stays still while the page trains by hand).
  const step = useApp((s) => (s.queueRun ? s.step : 0));
  const [steps, setSteps] = useState('200');
  const [evaluate, setEvaluate] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const configs = [...(queueRun ? [queueRun.item.config] : []), ...queue.map((q) => q.config)];
  const { diffs } = diffConfigs(configs.length ? configs : []);
  const offset = queueRun ? 1 : 0;
  const run = () => setError(startQueue(Number(steps), { evaluate }));
  return (
    <div className="compare-queue" data-testid="compare-queue" data-queued={queue.length} data-active={!!queueRun}>
      <div className="row">
        <button className="btn" onClick={() => enqueue()} data-testid="compare-enqueue" title="Put the current setup in the queue (change settings in Setup, then queue again)">
          Queue this setup
        </button>
        <label className="field compare-steps">
          Steps per run
          <input type="number" min={1} max={100000} value={steps} onChange={(e) => setSteps(e.target.value)} aria-invalid={!!error} data-testid="compare-steps" />
        </label>
        <label className="small row" style={{ gap: 4 }} title={`After training, sample ${QUALITY_N} images at ${QUALITY_STEPS.join(', ')} solver steps and measure sliced W₂ to held-out data`}>
          <input type="checkbox" checked={evaluate} onChange={(e) => setEvaluate(e.target.checked)} data-testid="compare-queue-evaluate" /> quality vs NFE
        </label>
        {queueRun ? (
          <button className="btn" onClick={stopQueue} data-testid="compare-stop-queue">
            Stop queue
          </button>
        ) : (
          <button className="btn primary" onClick={run} disabled={queue.length === 0} data-testid="compare-run-queue">
            Run queue ({queue.length})
          </button>
        )}
      </div>
      {error && (
        <p className="field-error small" role="alert" data-testid="compare-queue-error">
          {error}
        </p>
      )}
      {queueRun && (
        <p className="small" data-testid="compare-queue-status" aria-live="polite">
          Run {queueRun.done + 1} of {queueRun.total}: <b>{queueRun.item.name}</b> — {queueRun.phase === 'configuring' ? 'building the model' : queueRun.phase === 'training' ? `training, step ${step} of ${queueRun.target}` : queueRun.phase === 'sampling' ? 'sampling its grid' : 'measuring quality against NFE'}
        </p>
      )}
      {queue.length > 0 && (
        <ol className="compare-queue-list small">
          {queue.map((q, i) => (
            <li key={q.id} data-testid="compare-queue-item">
              <span>{q.name}</span> <span className="muted mono">{runName(diffs[i + offset] ?? {})}</span>{' '}
              <button className="btn small-btn" onClick={() => dequeue(q.id)} aria-label={`Remove ${q.name} from the queue`}>
                ✕
              </button>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function RunList() {
  const runs = useApp((s) => s.runs);
  const removeRun = useApp((s) => s.removeRun);
  const duplicateRun = useApp((s) => s.duplicateRun);
  const { diffs } = diffConfigs(runs.map((r) => r.record.config));
  if (runs.length === 0) return <p className="small muted" data-testid="compare-empty">No runs yet: train a little, then “Add current run”, or queue several setups, or load a sweep file.</p>;
  return (
    <ul className="compare-runs" data-testid="compare-runs" data-count={runs.length}>
      {runs.map((r, i) => (
        <li key={r.id} data-testid="compare-run" data-name={r.record.name}>
          <span className="swatch" style={{ background: runColour(i) }} />
          <b>{r.record.name}</b>
          <span className="muted mono small">{runName(diffs[i])}</span>
          <span className="muted small">
            {r.record.steps} steps{r.origin === 'file' ? ' · from file' : ''}
            {r.record.diverged ? ` · diverged at ${r.record.diverged}` : ''}
          </span>
          <span className="spacer" />
          <button className="btn small-btn" onClick={() => duplicateRun(r.id)} data-testid={`compare-duplicate-${i}`} title="Load this run's settings into Setup to change some of them">
            Duplicate
          </button>
          <button className="btn small-btn" onClick={() => removeRun(r.id)} data-testid={`compare-remove-${i}`} aria-label={`Remove ${r.record.name}`}>
            Remove
          </button>
        </li>
      ))}
    </ul>
  );
}

export function ComparePanel() {
  const runs = useApp((s) => s.runs);
  const preset = useApp((s) => s.preset);
  const addRun = useApp((s) => s.addRun);
  const clearRuns = useApp((s) => s.clearRuns);
  const importRuns = useApp((s) => s.importRuns);
  const comparisonUrl = useApp((s) => s.comparisonUrl);
  const notify = useApp((s) => s.notify);
  const trained = useApp((s) => s.step > 0);
  const evaluateQuality = useApp((s) => s.evaluateQuality);
  const qualityPending = useApp((s) => s.qualityPending);
  const qualityCurrent = useApp((s) => s.quality !== null && s.quality.step === s.step && s.step > 0);
  const qualityStep = useApp((s) => s.quality?.step ?? -1);
  const [message, setMessage] = useState<{ kind: 'error' | 'info'; text: string } | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);

  const add = () => {
    const err = addRun();
    setMessage(err ? { kind: 'error', text: err } : null);
  };
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    if (file.size > MAX_IMPORT_BYTES) return setMessage({ kind: 'error', text: `${file.name}: ${(file.size / 2 ** 20).toFixed(0)} MB is too large for a sweep file (at most ${MAX_IMPORT_BYTES / 2 ** 20} MB)` });
    const err = importRuns(await file.text());
    setMessage(err ? { kind: 'error', text: `${file.name}: ${err} — nothing was loaded` } : { kind: 'info', text: `${file.name} loaded.` });
  };
  const exportCsv = () => downloadText(toCSV(exportRecords(runs)), 'compare.csv', 'text/csv');
  const exportJson = () => downloadText(toJSON(exportRecords(runs), { preset }), 'compare.json', 'application/json');
  const copyLink = async () => {
    const url = comparisonUrl();
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      setMessage({ kind: 'info', text: 'Link copied: it opens this comparison’s settings in the queue (configs only, no results).' });
    } catch {
      setMessage({ kind: 'info', text: `Copy this link: ${url}` });
    }
  };
  const clear = () => {
    if (runs.length && window.confirm(`Remove all ${runs.length} runs from the comparison?`)) {
      clearRuns();
      notify('info', 'Comparison cleared.');
    }
  };

  return (
    <Panel
      id="compare"
      title="Compare runs"
      explain={<>A fair comparison changes one thing: same seed, data order, sample noise and steps. Queue setups to run them in turn, or keep the current run.</>}
      actions={
        <>
          <button className="btn" onClick={add} disabled={!trained} data-testid="compare-add" title="Keep the current run (its curves and last sample grid) in the comparison">
            Add current run
          </button>
          <button
            className="btn"
            onClick={evaluateQuality}
            disabled={!trained || qualityPending}
            data-testid="compare-evaluate"
            data-step={qualityStep}
            title={`Sample ${QUALITY_N} images from the EMA weights at ${QUALITY_STEPS.join(', ')} solver steps and measure sliced W₂ to held-out data; kept with the run when you add it`}
          >
            {qualityPending ? 'Measuring quality…' : qualityCurrent ? 'Quality measured ✓' : 'Measure quality'}
          </button>
          <button className="btn" onClick={() => fileRef.current?.click()} data-testid="compare-import-button">
            Load sweep file…
          </button>
          <input ref={fileRef} type="file" accept=".json,.jsonl,application/json" hidden onChange={onFile} data-testid="compare-import" />
        </>
      }
    >
      <QueueControls />
      {message && (
        <p className={`small ${message.kind === 'error' ? 'bad' : 'muted'}`} role={message.kind === 'error' ? 'alert' : 'status'} data-testid="compare-message">
          {message.text}
        </p>
      )}
      <RunList />
      {runs.length > 0 && (
        <>
          <div className="row compare-exports">
            <span className="small muted">Export:</span>
            <button className="btn small-btn" onClick={exportCsv} data-testid="compare-export-csv">
              CSV
            </button>
            <button className="btn small-btn" onClick={exportJson} data-testid="compare-export-json">
              JSON
            </button>
            <button className="btn small-btn" onClick={copyLink} data-testid="compare-share">
              Copy link
            </button>
            <span className="spacer" />
            <button className="btn small-btn" onClick={clear} data-testid="compare-clear">
              Clear all
            </button>
          </div>
          <div className="compare-charts">
            <LossCurves runs={runs} />
            <LossByTimestep runs={runs} />
          </div>
          <GridsSideBySide runs={runs} />
          <div className="compare-charts">
            <DiffTable runs={runs} />
            <SpeedTable runs={runs} />
          </div>
          <QualityVsNfe runs={runs} />
        </>
      )}
    </Panel>
  );
}
