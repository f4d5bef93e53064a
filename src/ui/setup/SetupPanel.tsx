// Every setting of the experiment, drawn from the config schema (kind, bounds, doc), with the method's
// formula in a tooltip and validation as you type. A change starts a new run with the same seed, except
// the sampling settings, which re-sample without stopping training.

import { useState, type KeyboardEvent } from 'react';
import { ConfigError, parseField, SCHEMA, type ConfigKey } from '../../core/config';
import { DATASETS, datasetInfo } from '../../core/data/registry';
import { methodDoc, type MethodGroup } from '../../core/flow/method_docs';
import { describeField, fieldApplies } from '../../state/config_edit';
import { useApp } from '../../state/store';
import { changedKeys } from '../../state/runs';
import { Panel, Tip } from '../common/Panel';
import '../compare/compare.css';

const GROUPS: { title: string; keys: ConfigKey[] }[] = [
  { title: 'Data', keys: ['dataset', 'seed'] },
  { title: 'Model', keys: ['dim', 'depth', 'heads', 'kvHeads', 'patch', 'attention', 'checkpointing'] },
  { title: 'Flow', keys: ['path', 'prediction', 'timesteps', 'shift', 'weighting'] },
  { title: 'Optimiser', keys: ['batch', 'steps', 'lr', 'warmup', 'weightDecay', 'gradClip', 'ema', 'labelDropout'] },
  { title: 'Sampling (no restart)', keys: ['sampler', 'sampleSteps', 'cfg', 'grid'] },
];

const LABELS: Partial<Record<ConfigKey, string>> = {
  kvHeads: 'kv heads',
  checkpointing: 'gradient checkpointing',
  lr: 'learning rate',
  weightDecay: 'weight decay',
  gradClip: 'grad clip',
  labelDropout: 'label dropout',
  sampleSteps: 'solver steps',
  cfg: 'guidance',
  ema: 'EMA decay',
};

const SUGGESTIONS: Partial<Record<ConfigKey, string[]>> = {
  timesteps: ['uniform', 'logit-normal:0,1', 'logit-normal:0.5,1', 'mode:1.29', 'cosmap', 'beta:2,1'],
  weighting: ['none', 'min-snr:5', 'density:uniform'],
};

/** Which method documentation explains a field's current value (formula and source in the tooltip). */
function methodFor(key: ConfigKey, value: unknown): { group: MethodGroup; key: string } | null {
  const v = String(value);
  const head = v.split(':')[0];
  switch (key) {
    case 'path':
      return { group: 'path', key: v };
    case 'prediction':
      return { group: 'prediction', key: v };
    case 'sampler':
      return { group: 'solver', key: v };
    case 'grid':
      return { group: 'grid', key: v };
    case 'timesteps':
      return { group: 'timesteps', key: head };
    case 'weighting':
      return { group: 'weighting', key: head };
    case 'shift':
      return { group: 'timesteps', key: 'shift' };
    case 'cfg':
      return { group: 'guidance', key: 'cfg' };
    default:
      return null;
  }
}

function tipFor(key: ConfigKey, value: unknown): string {
  const lines = [`${SCHEMA[key].doc}.`, `Accepted: ${describeField(key)}.`];
  const m = methodFor(key, value);
  if (m) {
    try {
      const d = methodDoc(m.group, m.key);
      lines.push(`${d.name}: ${d.formula}`, d.summary, `Source: ${d.source}`);
    } catch {
      // no entry for this value (e.g. a custom spec): the schema doc is enough
    }
  }
  if (key === 'grid') lines.push('Note: the in-browser sampler uses the uniform grid for now.');
  return lines.join('\n');
}

function Field({ k }: { k: ConfigKey }) {
  const value = useApp((s) => s.config[k]);
  const applies = useApp((s) => fieldApplies(k, s.config));
  const editField = useApp((s) => s.editField);
  const attentionNote = useApp((s) => (k === 'attention' ? s.attentionInfo?.note : undefined));
  // Duplicated from a run of the comparison: what this setting was there, when it differs now.
  const was = useApp((s) => (s.baseline && s.baseline.config[k] !== s.config[k] ? String(s.baseline.config[k]) : null));
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const spec = SCHEMA[k];
  const id = `field-${k}`;
  const commit = (raw: unknown) => {
    const err = editField(k, raw);
    setError(err);
    if (!err) setDraft(null);
  };
  const onText = (text: string) => {
    setDraft(text);
    try {
      parseField(k, text);
      setError(null);
    } catch (e) {
      setError(e instanceof ConfigError ? e.message : String(e));
    }
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') commit((e.target as HTMLInputElement).value);
    if (e.key === 'Escape') {
      setDraft(null);
      setError(null);
    }
  };
  let input;
  if (spec.kind === 'enum') {
    const values = k === 'dataset' ? DATASETS : spec.values;
    input = (
      <select id={id} value={String(value)} onChange={(e) => commit(e.target.value)} disabled={!applies} data-testid={id} aria-invalid={!!error}>
        {values.map((v) => (
          <option key={v} value={v}>
            {k === 'dataset' ? `${v} (${datasetInfo(v).kind === 'points' ? '2D' : datasetInfo(v).shape.join('×')})` : v}
          </option>
        ))}
      </select>
    );
  } else if (spec.kind === 'bool') {
    input = <input id={id} type="checkbox" checked={Boolean(value)} onChange={(e) => commit(e.target.checked)} disabled={!applies} data-testid={id} />;
  } else {
    const list = SUGGESTIONS[k] ? `${id}-list` : undefined;
    input = (
      <>
        <input
          id={id}
          type="text"
          inputMode={spec.kind === 'spec' ? 'text' : 'decimal'}
          value={draft ?? String(value)}
          onChange={(e) => onText(e.target.value)}
          onBlur={(e) => draft !== null && commit(e.target.value)}
          onKeyDown={onKey}
          disabled={!applies}
          list={list}
          spellCheck={false}
          aria-invalid={!!error}
          aria-describedby={error ? `${id}-err` : undefined}
          data-testid={id}
        />
        {list && (
          <datalist id={list}>
            {SUGGESTIONS[k]!.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        )}
      </>
    );
  }
  return (
    <div className={`setup-field ${spec.kind === 'bool' ? 'bool' : ''} ${spec.kind === 'spec' ? 'wide' : ''} ${was !== null ? 'changed' : ''}`} data-changed={was !== null || undefined}>
      <label htmlFor={id} title={applies ? undefined : 'not used by the 2D MLP'}>
        {LABELS[k] ?? k} <Tip text={tipFor(k, value)} />
      </label>
      {input}
      {error && (
        <span className="field-error" id={`${id}-err`} role="alert" data-testid={`${id}-error`}>
          {error}
        </span>
      )}
      {attentionNote && !error && <span className="field-note">{attentionNote}</span>}
      {was !== null && (
        <span className="small muted" data-testid={`${id}-was`}>
          was <span className="mono">{was}</span>
        </span>
      )}
    </div>
  );
}

/** After "Duplicate" in the compare view: which run the setup came from and how many settings changed since. */
function BaselineNote() {
  const baseline = useApp((s) => s.baseline);
  const config = useApp((s) => s.config);
  const clearBaseline = useApp((s) => s.clearBaseline);
  const enqueue = useApp((s) => s.enqueue);
  if (!baseline) return null;
  const changed = changedKeys(config, baseline.config);
  return (
    <div className="setup-baseline row" data-testid="setup-baseline" data-changed={changed.join(',')}>
      <span>
        Duplicated from <b>{baseline.name}</b>: {changed.length ? <>changed <span className="mono">{changed.join(', ')}</span> (highlighted)</> : 'no setting changed yet'}.
      </span>
      <button className="btn small-btn" onClick={() => enqueue()} data-testid="setup-baseline-queue">
        Queue this setup
      </button>
      <button className="btn small-btn" onClick={clearBaseline} aria-label="Stop highlighting changes">
        ✕
      </button>
    </div>
  );
}

export function SetupPanel() {
  const model = useApp((s) => s.config.model);
  return (
    <Panel id="setup" title="Setup" explain={<>Every setting of the run. A change starts a new run from the same seed; sampling settings apply at once. Hover ? for the formula.</>}>
      <BaselineNote />
      {GROUPS.map((g) => (
        <fieldset key={g.title} className="setup-group">
          <legend>
            {g.title}
            {g.title === 'Model' && <span className="muted small"> · {model === 'dit' ? 'Diffusion Transformer' : 'MLP (2D points)'}</span>}
          </legend>
          <div className="setup-grid">
            {g.keys.map((k) => (
              <Field key={k} k={k} />
            ))}
          </div>
        </fieldset>
      ))}
    </Panel>
  );
}
