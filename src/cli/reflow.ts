// npm run reflow -- --checkpoint FILE [--pairs N] [--steps S] [--set sampler=euler] [--set sampleSteps=32]
//                   [--seed S] [--save FILE.safetensors] [--out FILE.png] [--json]
// Reflow (Liu et al. 2022): couplings from the trained 1-rectified flow, a 2-rectified flow trained on them,
// straightness of both, and one-step samples of both (sliced W2 to held-out data).

import * as fs from 'node:fs';
import { decodeCheckpoint, encodeCheckpoint } from '../core/checkpoint';
import { ConfigError, makeConfig, type ConfigKey } from '../core/config';
import { encodePng } from '../core/formats/png';
import { imageGrid } from '../core/formats/image_grid';
import { slicedWasserstein } from '../core/metrics/sliced_wasserstein';
import { Rng } from '../core/rng';
import { couplingStraightness, makeReflowPairs, pairedDataset, reflowStart } from '../core/train/reflow';
import { Trainer } from '../core/train/trainer';
import { CliError, helpText, intFlag, parseArgs, runMain, setFlags, type FlagSpec } from './args';
import { loadDataset, setupBackend } from './node_env';

const FLAGS: Record<string, FlagSpec> = {
  checkpoint: { value: true, help: 'the trained (1-rectified) flow' },
  pairs: { value: true, help: 'number of (noise, sample) couplings to generate (default 2048)' },
  steps: { value: true, help: 'training steps of the 2-rectified flow (default 500)' },
  set: { value: true, repeat: true, help: 'sampler / sampleSteps / cfg used to generate the couplings; lr / batch for the 2-rectified training' },
  seed: { value: true, help: 'seed of the couplings\' noise (default 1)' },
  save: { value: true, help: 'write the 2-rectified flow as a training checkpoint' },
  out: { value: true, help: 'PNG with one-step samples: 1-rectified (top) and 2-rectified (bottom)' },
  backend: { value: true, help: 'wasm (default) | cpu | webgpu' },
  json: { value: false, help: 'one JSON line with the figures' },
  help: { value: false, help: 'this text' },
};

const KEYS: readonly ConfigKey[] = ['sampler', 'sampleSteps', 'cfg', 'lr', 'batch'];

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.flags.help) {
    process.stdout.write(helpText('usage: npm run reflow -- --checkpoint FILE [flags]', FLAGS));
    return;
  }
  const file = args.flags.checkpoint?.[0];
  if (!file) throw new CliError('--checkpoint is required');
  if (!fs.existsSync(file)) throw new CliError(`--checkpoint: ${file} does not exist`);
  const out = args.flags.out?.[0];
  if (out && !out.endsWith('.png')) throw new CliError(`--out: expected FILE.png, got ${JSON.stringify(out)}`);
  const sets = setFlags(args);
  for (const k of Object.keys(sets)) if (!KEYS.includes(k as ConfigKey)) throw new ConfigError(k, `cannot be set for reflow; accepted keys: ${KEYS.join(', ')}`);
  const nPairs = intFlag(args, 'pairs', 16, 1_000_000) ?? 2048;
  const steps = intFlag(args, 'steps', 1, 1_000_000) ?? 500;
  const seed = intFlag(args, 'seed', 0, 2 ** 31 - 1) ?? 1;
  const ck = decodeCheckpoint(new Uint8Array(fs.readFileSync(file)));
  const config = makeConfig(sets, ck.config);
  if (config.sampler === 'euler-ancestral') throw new ConfigError('sampler', 'reflow needs a deterministic sampler (euler, heun, midpoint, rk4, dpmpp-2m)');
  const backend = await setupBackend(args.flags.backend?.[0] ?? 'wasm');
  const data = loadDataset(config.dataset);
  const log = (s: string) => (args.flags.json ? undefined : process.stdout.write(s + '\n'));

  const rf1 = new Trainer(config, data, ck.state);
  const t0 = performance.now();
  const gen = { seed, sampler: config.sampler as 'euler', steps: config.sampleSteps, guidance: config.cfg };
  const pairs1 = await makeReflowPairs(rf1, nPairs, gen);
  const s1 = couplingStraightness(rf1, pairs1);
  log(`1-rectified: ${nPairs} couplings (${config.sampler}, ${config.sampleSteps} steps), straightness ${s1.toFixed(4)}`);

  const rf2 = new Trainer({ ...config, steps, warmup: Math.min(config.warmup, Math.floor(steps / 10)) }, pairedDataset(data, pairs1), reflowStart(await rf1.snapshot()));
  for (let i = 0; i < steps; i++) {
    rf2.trainStep();
    if ((i + 1) % 50 === 0 || i === steps - 1) {
      const m = await rf2.flush();
      if (m.length && (i + 1) % 250 === 0) log(`2-rectified step ${i + 1}: loss ${m[m.length - 1].loss.toFixed(4)}`);
    }
  }
  const pairs2 = await makeReflowPairs(rf2, nPairs, gen);
  const s2 = couplingStraightness(rf2, pairs2);
  log(`2-rectified: straightness ${s2.toFixed(4)} (${(s2 / s1).toFixed(2)}× the 1-rectified flow)`);

  const per = data.shape.reduce((a, b) => a * b, 1);
  const n = Math.min(nPairs, data.kind === 'points' ? 2048 : 40);
  const noise = new Rng(seed + 99).normals(n * per);
  const labels = Int32Array.from({ length: n }, (_, i) => i % rf1.net.numClasses);
  const one1 = (await rf1.sample({ noise, labels, sampler: 'euler', steps: 1, guidance: config.cfg })).x;
  const one2 = (await rf2.sample({ noise, labels, sampler: 'euler', steps: 1, guidance: config.cfg })).x;
  const held = data.heldOut(n).x;
  const sw1 = slicedWasserstein(one1, held, per, { rng: new Rng(5) });
  const sw2 = slicedWasserstein(one2, held, per, { rng: new Rng(5) });
  log(`one-step samples, sliced W2 to held-out data: 1-rectified ${sw1.toFixed(4)}, 2-rectified ${sw2.toFixed(4)}`);

  if (out && data.kind === 'image') {
    const both = new Float32Array(2 * n * per);
    both.set(one1);
    both.set(one2, n * per);
    const g = imageGrid(both, 2 * n, data.shape, n / 2, { pad: 2, scale: 2 });
    fs.writeFileSync(out, encodePng(g.rgba, g.width, g.height, 4));
    log(`wrote ${out}`);
  }
  if (args.flags.save) fs.writeFileSync(args.flags.save[0], encodeCheckpoint(rf2.config, await rf2.snapshot()));
  const summary = { event: 'reflow', backend: backend.name, pairs: nPairs, steps, sampler: config.sampler, sampleSteps: config.sampleSteps, straightness1: s1, straightness2: s2, oneStepSW1: sw1, oneStepSW2: sw2, seconds: (performance.now() - t0) / 1000 };
  if (args.flags.json) process.stdout.write(JSON.stringify(summary) + '\n');
  rf1.dispose();
  rf2.dispose();
}

void runMain(main);
