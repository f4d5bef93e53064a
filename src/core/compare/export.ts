// Export of compared runs: JSON (the run records, loadable again with parseRunRows) and CSV (one line per
// run and quality row, for spreadsheets; RFC 4180 quoting, since values like logit-normal:0,1 hold commas).

import { CONFIG_KEYS, configToStrings, type ConfigKey } from '../config';
import { COMPARE_FORMAT, COMPARE_VERSION, type RunRecord } from './run_record';

export interface CompareExport {
  format: typeof COMPARE_FORMAT;
  version: typeof COMPARE_VERSION;
  preset?: string;
  runs: RunRecord[];
}

export function toJSON(runs: readonly RunRecord[], meta: { preset?: string } = {}): string {
  const out: CompareExport = { format: COMPARE_FORMAT, version: COMPARE_VERSION, ...(meta.preset ? { preset: meta.preset } : {}), runs: [...runs] };
  return JSON.stringify(out, null, 2) + '\n';
}

/** A CSV field: quoted when it holds a comma, a quote or a line break (quotes doubled); null/undefined → empty. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const RUN_COLUMNS = ['seed', 'steps', 'lossFirst', 'lossLast', 'lossMin', 'seconds', 'msPerStep', 'imgPerSec', 'params', 'backend'] as const;
const QUALITY_COLUMNS = ['sampler', 'sampleSteps', 'nfe', 'guidance', 'fd', 'classAccuracy', 'sw', 'straightness', 'pathRatio', 'evalN', 'evalSeconds'] as const;

/**
 * Columns: run, the settings that differ among runs (one column each), the run's figures, the quality row's
 * figures, and `settings`: the run's whole config in --set form (k=v, space-separated, defaults left out).
 */
export function toCSV(runs: readonly RunRecord[]): string {
  const diffKeys = CONFIG_KEYS.filter((k) => runs.some((r) => r.diff[k] !== undefined)) as ConfigKey[];
  const header = ['run', ...diffKeys, ...RUN_COLUMNS, ...QUALITY_COLUMNS, 'settings'];
  const lines = [header.map(csvField).join(',')];
  for (const r of runs) {
    const runPart = [r.name, ...diffKeys.map((k) => r.diff[k]), r.config.seed, r.steps, r.lossFirst, r.lossLast, r.lossMin, r.seconds, r.msPerStep, r.imgPerSec, r.params, r.backend];
    const settings = configToStrings(r.config).map(([k, v]) => `${k}=${v}`).join(' ');
    const rows = r.quality.length ? r.quality : [null];
    for (const q of rows) {
      const qPart = q ? [q.sampler, q.steps, q.nfe, q.guidance, q.fd, q.classAccuracy, q.sw, q.straightness, q.pathRatio, r.eval?.n, q.seconds] : QUALITY_COLUMNS.map(() => null);
      lines.push([...runPart, ...qPart, settings].map(csvField).join(','));
    }
  }
  return lines.join('\n') + '\n';
}
