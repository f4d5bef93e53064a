// npm run evaluate -- --checkpoint FILE [--nfe 4,8,32] [--samplers euler,heun] [--guidance 1,2] [--eval-n K]
//                     [--seed S] [--ema true|false] [--backend wasm|cpu|webgpu] [--json]
// Quality against NFE of a trained checkpoint, with the metrics of `npm run sweep` (FD and class accuracy in
// the MNIST classifier's features, sliced W₂ to held-out data, trajectory straightness), on the fixed noise
// and labels of the seed (default: the checkpoint's). With --json: one JSON object per quality row, then a
// summary line. Bad input: exit code 2 and one line on stderr.

import * as fs from 'node:fs';
import { decodeCheckpoint } from '../core/checkpoint';
import { qualityVsNfe } from '../core/metrics/evaluate';
import { Trainer } from '../core/train/trainer';
import { CliError, helpText, intFlag, parseArgs, runMain, type FlagSpec } from './args';
import { loadDataset, setupBackend } from './node_env';
import { datasetReference, EVAL_FLAGS, loadShippedClassifier, parseEvalFlags, qualityTable } from './sweep_lib';

const FLAGS: Record<string, FlagSpec> = {
  checkpoint: { value: true, help: 'a training checkpoint or weights file (.safetensors)' },
  ...EVAL_FLAGS,
  seed: { value: true, help: 'seed of the fixed noise and labels (default: the checkpoint config\'s seed)' },
  ema: { value: true, help: 'true (default) to sample from the EMA weights, false for the raw weights' },
  backend: { value: true, help: 'wasm (default) | cpu | webgpu' },
  json: { value: false, help: 'one JSON object per row, then a summary line' },
  help: { value: false, help: 'this text' },
};

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.flags.help) {
    process.stdout.write(helpText('usage: npm run evaluate -- --checkpoint FILE [flags]', FLAGS));
    return;
  }
  const file = args.flags.checkpoint?.[0];
  if (!file) throw new CliError('--checkpoint is required');
  if (!fs.existsSync(file)) throw new CliError(`--checkpoint: ${file} does not exist`);
  const { nfe, samplers, guidance, evalN } = parseEvalFlags(args);
  if (evalN === 0) throw new CliError('--eval-n: got 0, expected at least 2 samples');
  const emaFlag = args.flags.ema?.[0] ?? 'true';
  if (emaFlag !== 'true' && emaFlag !== 'false') throw new CliError(`--ema: got ${JSON.stringify(emaFlag)}, expected true or false`);
  const json = !!args.flags.json;

  const ck = decodeCheckpoint(new Uint8Array(fs.readFileSync(file)));
  const config = ck.config;
  const seed = intFlag(args, 'seed', 0, 2 ** 31 - 1) ?? config.seed;
  const backend = await setupBackend(args.flags.backend?.[0] ?? 'wasm');
  const dataset = loadDataset(config.dataset);
  const classifier = config.dataset === 'mnist' ? loadShippedClassifier() : null;
  const ref = await datasetReference(dataset, classifier);
  const trainer = new Trainer(config, dataset, ck.state);
  const t0 = performance.now();
  const { rows, noise, labels } = await qualityVsNfe(
    {
      model: trainer.modelFn(emaFlag === 'true' ? trainer.ema : trainer.params),
      path: trainer.flow.path,
      prediction: config.prediction,
      nullLabel: trainer.net.nullLabel,
      numClasses: trainer.net.numClasses,
      sampleShape: trainer.net.sampleShape,
      grid: config.grid,
    },
    ref,
    { samplers: samplers ?? [config.sampler], steps: nfe, guidance: guidance ?? [config.cfg], n: evalN, seed },
  );
  if (json) {
    for (const r of rows) process.stdout.write(JSON.stringify({ event: 'quality', checkpoint: file, step: ck.state.step, ...r }) + '\n');
    process.stdout.write(
      JSON.stringify({ event: 'summary', checkpoint: file, step: ck.state.step, dataset: config.dataset, backend: backend.name, evalN, seed, noise, labels, ema: emaFlag === 'true', reference: ref.n, seconds: (performance.now() - t0) / 1000 }) + '\n',
    );
  } else {
    process.stdout.write(`${file}: ${config.dataset}, step ${ck.state.step}; ${evalN} samples (seed ${seed}) against ${ref.n} held-out, on ${backend.name}\n`);
    for (const line of qualityTable(rows)) process.stdout.write(line + '\n');
  }
  trainer.dispose();
  classifier?.dispose();
}

void runMain(main);
