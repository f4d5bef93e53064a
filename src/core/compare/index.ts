// Comparing runs: fixed evaluation inputs, run records, config differences, CSV/JSON export and validated import.
export { balancedLabels, fingerprint, gridNoise, GRID_NOISE_OFFSET } from './fixed_noise';
export { COMPARE_FORMAT, COMPARE_VERSION, diffConfigs, parseRunRows, runName, RunRecordError, summariseLosses } from './run_record';
export type { EvalInputs, LossSummary, QualityRow, RunRecord } from './run_record';
export { csvField, toCSV, toJSON } from './export';
export type { CompareExport } from './export';
