// npm run sample -- --checkpoint FILE [--set key=value]... [--n K] [--seed S] --out FILE.safetensors|FILE.png
// The .safetensors output holds `noise` and `samples` ([K, C, H, W], PyTorch layout) and `labels`.
// Labels run class by class, so a PNG grid has one row per class.

import * as fs from 'node:fs';
import { decodeCheckpoint } from '../core/checkpoint';
import { ConfigError, makeConfig, type ConfigKey } from '../core/config';
import { encodePng } from '../core/formats/png';
import { encodeSafetensors } from '../core/formats/safetensors';
import { imageGrid } from '../core/formats/image_grid';
import { Rng } from '../core/rng';
import { Trainer } from '../core/train/trainer';
import { permute } from '../core/checkpoint';
import { CliError, helpText, intFlag, parseArgs, runMain, setFlags, type FlagSpec } from './args';
import { loadDataset, setupBackend } from './node_env';

const FLAGS: Record<string, FlagSpec> = {
  checkpoint: { value: true, help: 'a training checkpoint or weights file (.safetensors)' },
  set: { value: true, repeat: true, help: 'sampling keys only: sampler, sampleSteps, cfg, grid' },
  n: { value: true, help: 'number of samples (default: 8 per class)' },
  seed: { value: true, help: 'seed of the noise (default: the checkpoint config seed)' },
  out: { value: true, help: 'FILE.png (grid, one row per class) or FILE.safetensors (noise, samples, labels)' },
  'ema': { value: true, help: 'true (default) to sample from the EMA weights, false for the raw weights' },
  backend: { value: true, help: 'wasm (default) | cpu | webgpu' },
  help: { value: false, help: 'this text' },
};

const SAMPLING_KEYS: readonly ConfigKey[] = ['sampler', 'sampleSteps', 'cfg', 'grid'];

/** Rasterises 2D points into a gray scatter plot (for toy datasets). */
function scatter(points: Float32Array, size = 384, extent = 3): Uint8Array {
  const img = new Uint8Array(size * size).fill(255);
  for (let i = 0; i + 1 < points.length; i += 2) {
    const px = Math.round(((points[i] + extent) / (2 * extent)) * (size - 1));
    const py = Math.round(((extent - points[i + 1]) / (2 * extent)) * (size - 1));
    if (px >= 0 && px < size && py >= 0 && py < size) img[py * size + px] = Math.max(0, img[py * size + px] - 96);
  }
  return img;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.flags.help) {
    process.stdout.write(helpText('usage: npm run sample -- --checkpoint FILE --out FILE.png|FILE.safetensors [flags]', FLAGS));
    return;
  }
  const file = args.flags.checkpoint?.[0];
  const outFile = args.flags.out?.[0];
  if (!file) throw new CliError('--checkpoint is required');
  if (!outFile) throw new CliError('--out is required');
  if (!/\.(png|safetensors)$/.test(outFile)) throw new CliError(`--out: expected FILE.png or FILE.safetensors, got ${JSON.stringify(outFile)}`);
  if (!fs.existsSync(file)) throw new CliError(`--checkpoint: ${file} does not exist`);
  const sets = setFlags(args);
  for (const k of Object.keys(sets)) {
    if (!SAMPLING_KEYS.includes(k as ConfigKey)) throw new ConfigError(k, `cannot be changed when sampling; accepted keys: ${SAMPLING_KEYS.join(', ')}`);
  }
  const emaFlag = args.flags.ema?.[0] ?? 'true';
  if (emaFlag !== 'true' && emaFlag !== 'false') throw new CliError(`--ema: got ${JSON.stringify(emaFlag)}, expected true or false`);

  const ck = decodeCheckpoint(new Uint8Array(fs.readFileSync(file)));
  const config = makeConfig(sets, ck.config);
  const backend = await setupBackend(args.flags.backend?.[0] ?? 'wasm');
  const trainer = new Trainer(config, loadDataset(config.dataset), ck.state);
  const classes = trainer.net.numClasses;
  const n = intFlag(args, 'n', 1, 4096) ?? 8 * classes;
  const seed = intFlag(args, 'seed', 0, 2 ** 31 - 1) ?? config.seed;
  const cols = Math.ceil(n / classes);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = Math.min(classes - 1, Math.floor(i / cols));
  const shape = trainer.net.sampleShape;
  const per = shape.reduce((a, b) => a * b, 1);
  const noise = new Rng(seed).normals(n * per);
  const t0 = performance.now();
  const res = await trainer.sample({ noise, labels, useEma: emaFlag === 'true', rng: new Rng(seed + 1) });
  const seconds = (performance.now() - t0) / 1000;

  if (outFile.endsWith('.png')) {
    let png: Uint8Array;
    if (shape.length === 3) {
      const grid = imageGrid(res.x, n, shape, cols, { pad: 2, scale: shape[0] <= 16 ? 4 : 2 });
      png = encodePng(grid.rgba, grid.width, grid.height, 4);
    } else {
      png = encodePng(scatter(res.x), 384, 384, 1);
    }
    fs.writeFileSync(outFile, png);
  } else {
    const toNCHW = (x: Float32Array) => (shape.length === 3 ? permute(x, [n, ...shape], [0, 3, 1, 2]) : { data: x, shape: [n, ...shape] });
    const s = toNCHW(res.x);
    const z = toNCHW(noise);
    fs.writeFileSync(
      outFile,
      encodeSafetensors(
        { noise: { dtype: 'F32', shape: z.shape, data: z.data }, samples: { dtype: 'F32', shape: s.shape, data: s.data }, labels: { dtype: 'I64', shape: [n], data: BigInt64Array.from(labels, (v) => BigInt(v)) } },
        { config: JSON.stringify(config), seed: String(seed), nfe: String(res.nfe), step: String(ck.state.step) },
      ),
    );
  }
  process.stdout.write(`wrote ${outFile}: ${n} samples (${config.sampler}, ${config.sampleSteps} steps, NFE ${res.nfe}, guidance ${config.cfg}) on ${backend.name} in ${seconds.toFixed(1)} s\n`);
  trainer.dispose();
}

void runMain(main);
