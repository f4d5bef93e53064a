// npm run train -- [--preset NAME] [--set key=value]... [--steps N] [--seed S] [--backend wasm|cpu|webgpu]
//                  [--save FILE.safetensors] [--resume FILE.safetensors] [--json]
// With --json: one JSON object per line; the last is the summary (ARCHITECTURE.md, command-line contract).

import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { decodeCheckpoint, encodeCheckpoint } from '../core/checkpoint';
import { validateAttentionConfig } from '../core/attention';
import { ConfigError, makeConfig, type Config } from '../core/config';
import { countParams } from '../core/model';
import { getPreset } from '../core/presets';
import { Trainer, type StepMetrics } from '../core/train/trainer';
import { CliError, helpText, intFlag, parseArgs, runMain, setFlags, type FlagSpec } from './args';
import { loadDataset, setupBackend } from './node_env';

const FLAGS: Record<string, FlagSpec> = {
  preset: { value: true, help: 'mnist-tiny | mnist-small | toy-2d | shapes-rgb (default mnist-tiny)' },
  set: { value: true, repeat: true, help: 'override a config key, e.g. --set path=cosine (repeatable)' },
  steps: { value: true, help: 'steps to run now (default: the config\'s `steps`)' },
  seed: { value: true, help: 'random seed (same as --set seed=S)' },
  backend: { value: true, help: 'wasm (default) | cpu | webgpu' },
  save: { value: true, help: 'write a training checkpoint (.safetensors) at the end' },
  resume: { value: true, help: 'continue a training checkpoint exactly' },
  every: { value: true, help: 'read metrics back every k steps (default 10)' },
  json: { value: false, help: 'one JSON object per line; the last line is the summary' },
  help: { value: false, help: 'this text' },
};

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.flags.help) {
    process.stdout.write(helpText('usage: npm run train -- [flags]', FLAGS));
    return;
  }
  const json = !!args.flags.json;
  const out = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify(o) + '\n');
  const log = (s: string) => (json ? undefined : process.stdout.write(s + '\n'));

  const sets = setFlags(args);
  const seed = intFlag(args, 'seed', 0, 2 ** 31 - 1);
  if (seed !== undefined) sets.seed = String(seed);
  const runSteps = intFlag(args, 'steps', 1, 1_000_000);
  const every = intFlag(args, 'every', 1, 10_000) ?? 10;
  for (const f of ['save', 'resume']) {
    const file = args.flags[f]?.[0];
    if (file !== undefined && !file.endsWith('.safetensors')) throw new CliError(`--${f}: expected a .safetensors file, got ${JSON.stringify(file)}`);
  }

  let config: Config;
  let trainerState;
  let presetName = args.flags.preset?.[0] ?? 'mnist-tiny';
  if (args.flags.resume) {
    if (args.flags.preset || Object.keys(sets).length) throw new CliError('--resume takes its config from the checkpoint; drop --preset/--set/--seed');
    const file = args.flags.resume[0];
    if (!fs.existsSync(file)) throw new CliError(`--resume: ${file} does not exist`);
    const ck = decodeCheckpoint(new Uint8Array(fs.readFileSync(file)));
    if (ck.kind !== 'checkpoint') throw new CliError(`--resume: ${file} holds weights only (no optimizer state); it cannot continue a run exactly`);
    config = ck.config;
    trainerState = ck.state;
    presetName = 'checkpoint';
  } else {
    const preset = getPreset(presetName);
    if (runSteps !== undefined && sets.steps === undefined) sets.steps = String(runSteps);
    config = makeConfig(sets, preset.config);
  }
  const stepsNow = runSteps ?? Math.max(1, config.steps - (trainerState?.step ?? 0));

  const backend = await setupBackend(args.flags.backend?.[0] ?? 'wasm');
  // Asking for the fused WebGPU kernel on another backend is an input error, not a silent fallback.
  const attentionError = config.model === 'dit' ? validateAttentionConfig({ attention: config.attention, heads: config.heads, kvHeads: config.kvHeads }, backend.name) : null;
  if (attentionError) throw new ConfigError(attentionError.split(':')[0], attentionError.replace(/^\w+: /, ''));
  const dataset = loadDataset(config.dataset);
  const trainer = new Trainer(config, dataset, trainerState);
  const params = countParams(trainer.net);
  if (json) out({ event: 'start', preset: presetName, backend: backend.name, params, config, startStep: trainer.step });
  else log(`training ${presetName} on ${backend.name} (${backend.reason}); ${params.toLocaleString()} parameters, ${stepsNow} steps from step ${trainer.step}`);

  const losses: number[] = [];
  let numTensorsStart = -1;
  const t0 = performance.now();
  let tAfterFirst = t0;
  const report = (ms: StepMetrics[]) => {
    for (const m of ms) {
      losses.push(m.loss);
      if (json) out({ event: 'step', step: m.step, loss: m.loss, gradNorm: m.gradNorm, lr: m.lr });
      else if (m.step % 50 === 0 || m.step === trainer.step) log(`step ${m.step}  loss ${m.loss.toFixed(4)}  |g| ${m.gradNorm.toFixed(3)}  lr ${m.lr.toExponential(2)}`);
      if (!Number.isFinite(m.loss)) throw new Error(`training diverged at step ${m.step} (loss ${m.loss}); try a lower lr or gradClip`);
    }
  };
  for (let i = 0; i < stepsNow; i++) {
    trainer.trainStep();
    if (i === 0) {
      report(await trainer.flush());
      numTensorsStart = tf.memory().numTensors;
      tAfterFirst = performance.now();
    } else if ((i + 1) % every === 0 || i === stepsNow - 1) {
      report(await trainer.flush());
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const numTensorsEnd = tf.memory().numTensors;
  if (args.flags.save) {
    const file = args.flags.save[0];
    fs.writeFileSync(file, encodeCheckpoint(config, await trainer.snapshot()));
    log(`saved ${file}`);
  }
  const k = Math.max(1, Math.floor(losses.length / 10));
  const steady = stepsNow > 1 ? (stepsNow - 1) / ((performance.now() - tAfterFirst) / 1000) : stepsNow / seconds;
  const summary = {
    event: 'summary',
    preset: presetName,
    backend: backend.name,
    params,
    steps: stepsNow,
    endStep: trainer.step,
    lossFirst: mean(losses.slice(0, k)),
    lossLast: mean(losses.slice(-k)),
    imgPerSec: steady * config.batch,
    msPerStep: 1000 / steady,
    seconds,
    numTensorsStart,
    numTensorsEnd,
    seed: config.seed,
    saved: args.flags.save?.[0] ?? null,
  };
  if (json) out(summary);
  else log(`done: loss ${summary.lossFirst.toFixed(4)} → ${summary.lossLast.toFixed(4)}, ${summary.imgPerSec.toFixed(1)} img/s, ${seconds.toFixed(1)} s, tensors ${numTensorsStart} → ${numTensorsEnd}`);
  trainer.dispose();
}

void runMain(main);
