// npm run sweep -- [--preset NAME] [--vary key=v1,v2,…]... [--set key=value]... [--steps N] [--seed S]
//                  [--nfe 4,8,32] [--samplers euler,heun] [--guidance 1,2] [--eval-n K] [--backend wasm|cpu|webgpu]
//                  [--json] [--out FILE.json|FILE.csv]
// Trains one run per combination of the --vary values (all from the same seed: same data order, timesteps and
// noise draws while the settings consume the stream alike), then evaluates each on the seed's fixed noise and
// labels at every solver step count: FD and class accuracy (MNIST classifier), sliced W₂ to held-out data,
// trajectory straightness. With --json: one JSON object per run ("event": "run", a RunRecord of
// src/core/compare), then a summary line. Bad input: exit code 2 and one line on stderr.

import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { toCSV, toJSON } from '../core/compare/export';
import { runName, type RunRecord } from '../core/compare/run_record';
import type { EvalReference } from '../core/metrics/evaluate';
import type { MnistClassifier } from '../core/metrics/mnist_classifier';
import { helpText, parseArgs, runMain } from './args';
import { loadDataset, setupBackend } from './node_env';
import { datasetReference, formatMetric as fmt, loadShippedClassifier, planSweep, qualityTable, runOne, SWEEP_FLAGS } from './sweep_lib';

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), SWEEP_FLAGS);
  if (args.flags.help) {
    process.stdout.write(helpText('usage: npm run sweep -- --preset NAME --vary key=v1,v2 [flags]', SWEEP_FLAGS));
    return;
  }
  const { json, presetName, vary, nfe, samplers, guidance, evalN, every, outFile, configs, diffs } = planSweep(args);
  const print = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify(o) + '\n');
  const log = (s: string) => (json ? undefined : process.stdout.write(s + '\n'));

  const backend = await setupBackend(args.flags.backend?.[0] ?? 'wasm');
  const numTensorsStart = tf.memory().numTensors;
  log(`sweep ${presetName}: ${configs.length} run${configs.length === 1 ? '' : 's'} of ${configs[0].steps} steps on ${backend.name}; evaluating ${evalN} samples at ${nfe.join(', ')} solver steps`);

  const t0 = performance.now();
  const datasets = new Map<string, ReturnType<typeof loadDataset>>();
  const refs = new Map<string, EvalReference>();
  let classifier: MnistClassifier | null = null;
  const records: RunRecord[] = [];
  for (let i = 0; i < configs.length; i++) {
    const config = configs[i];
    if (!datasets.has(config.dataset)) datasets.set(config.dataset, loadDataset(config.dataset));
    const dataset = datasets.get(config.dataset)!;
    if (evalN > 0 && !refs.has(config.dataset)) {
      if (config.dataset === 'mnist' && !classifier) classifier = loadShippedClassifier();
      refs.set(config.dataset, await datasetReference(dataset, classifier));
    }
    const name = runName(diffs[i]);
    log(`\n[${i + 1}/${configs.length}] ${name}`);
    const res = await runOne(config, dataset, refs.get(config.dataset) ?? null, { evalN, nfe, samplers, guidance, every, backend: backend.name });
    const { numTensorsStart: _s, numTensorsEnd: _e, evalSeconds: _v, ...rest } = res;
    const record: RunRecord = { name, diff: diffs[i], ...rest };
    records.push(record);
    if (json) print({ event: 'run', index: i, ...record, evalSeconds: res.evalSeconds });
    else {
      log(`  loss ${fmt(res.lossFirst)} → ${fmt(res.lossLast)}${res.diverged ? ` (diverged at step ${res.diverged})` : ''}, ${res.seconds.toFixed(1)} s (${res.msPerStep.toFixed(1)} ms/step), eval ${res.evalSeconds.toFixed(1)} s`);
      if (res.quality.length) for (const line of qualityTable(res.quality, '  ')) log(line);
    }
  }
  classifier?.dispose();

  if (outFile) {
    fs.writeFileSync(outFile, outFile.endsWith('.csv') ? toCSV(records) : toJSON(records, { preset: presetName }));
    log(`\nwrote ${outFile}`);
  }
  // Best run per metric, judged at the largest step count of the first sampler and guidance.
  const best: Record<string, { run: string; value: number; steps: number } | null> = {};
  const pick = (metric: 'fd' | 'sw' | 'classAccuracy' | 'straightness', higher: boolean) => {
    let out: { run: string; value: number; steps: number } | null = null;
    for (const r of records) {
      if (r.quality.length === 0) continue;
      const q = [...r.quality].filter((x) => x.sampler === r.quality[0].sampler && x.guidance === r.quality[0].guidance).sort((a, b) => b.steps - a.steps)[0];
      const v = q?.[metric];
      if (typeof v === 'number' && (out === null || (higher ? v > out.value : v < out.value))) out = { run: r.name, value: v, steps: q.steps };
    }
    best[metric] = out;
  };
  pick('fd', false);
  pick('classAccuracy', true);
  pick('sw', false);
  pick('straightness', false);
  const summary = {
    event: 'summary',
    preset: presetName,
    backend: backend.name,
    runs: records.length,
    varied: vary.map((v) => v.key),
    steps: configs.map((c) => c.steps),
    seed: configs[0].seed,
    evalN,
    nfe,
    samplers: samplers ?? [...new Set(configs.map((c) => c.sampler))],
    guidance: guidance ?? [...new Set(configs.map((c) => c.cfg))],
    best,
    seconds: (performance.now() - t0) / 1000,
    numTensorsStart,
    numTensorsEnd: tf.memory().numTensors,
    out: outFile ?? null,
  };
  if (json) print(summary);
  else log(`\ndone in ${summary.seconds.toFixed(1)} s; best FD ${best.fd ? `${best.fd.run} (${fmt(best.fd.value)})` : '—'}, best SW ${best.sw ? `${best.sw.run} (${fmt(best.sw.value)})` : '—'}`);
}

void runMain(main);
