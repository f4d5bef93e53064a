// npm run bench -- SUITE [--json] [--backend LIST] [--quick] [--steps N] [--long N] [--no-torch]
// Suites: train (speed, MFU, PyTorch ratio, scaling), attention (memory/time of attention variants),
// ops (the wasm matMul paths). Rows are JSON objects with the figures and the configuration behind them.

import * as tf from '@tensorflow/tfjs';
import { matMul } from '../core/ops/matmul';
import { CliError, helpText, intFlag, parseArgs, runMain, type FlagSpec } from './args';
import { benchTrain, median, parseTrainBackends } from './bench_train';
import { setupBackend } from './node_env';

const FLAGS: Record<string, FlagSpec> = {
  json: { value: false, help: 'one JSON object per row' },
  backend: { value: true, help: 'comma-separated; train: node-wasm, node-webgpu, chromium-wasm, chromium-webgpu, node-cpu (default: all this machine has); attention: wasm, cpu, webgpu (default wasm)' },
  quick: { value: false, help: 'train: only the two presets (no sweep, no endurance runs)' },
  steps: { value: true, help: 'measured steps per row (default 10)' },
  long: { value: true, help: 'train: steps of the endurance runs (numTensors and GPU bytes growth; default 500, 0 = none)' },
  'no-torch': { value: false, help: 'train: skip the PyTorch side-by-side run' },
  'no-speed': { value: false, help: 'train: only the endurance runs (with --long N)' },
  help: { value: false, help: 'this text' },
};

const SUITES = ['train', 'attention', 'ops'];

function printTable(rows: Record<string, unknown>[], cols: string[]): void {
  const fmt = (v: unknown) => (typeof v === 'number' ? (Math.abs(v) >= 1000 || Number.isInteger(v) ? String(Math.round(v)) : v.toPrecision(3)) : String(v ?? ''));
  const cells = rows.map((r) => cols.map((c) => fmt(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (xs: string[]) => xs.map((x, i) => x.padStart(widths[i])).join('  ');
  process.stdout.write(line(cols) + '\n' + cells.map(line).join('\n') + '\n');
}

/**
 * The wasm matMul paths, side by side in one run: tfjs's own BatchMatMul, the explicit-transpose product
 * (src/core/ops/matmul.ts) and our SIMD kernel (src/core/ops/wasm_batch_matmul.ts).
 */
async function benchOps(emit: (r: Record<string, unknown>) => void): Promise<void> {
  const cases: [string, number[], number[], boolean, boolean][] = [
    ['x·W (forward)', [3136, 64], [64, 256], false, false],
    ['dy·Wᵀ (input grad)', [3136, 256], [64, 256], false, true],
    ['xᵀ·dy (weight grad)', [3136, 64], [3136, 256], true, false],
    ['Q·Kᵀ (attention scores)', [256, 49, 16], [256, 49, 16], false, true],
    ['P·V (attention output)', [256, 49, 49], [256, 49, 16], false, false],
    ['Pᵀ·dO (attention dV)', [256, 49, 49], [256, 49, 16], true, false],
  ];
  const time = async (f: () => tf.Tensor) => {
    const ts: number[] = [];
    for (let i = 0; i < 8; i++) {
      const t0 = performance.now();
      const r = f();
      await r.data();
      r.dispose();
      if (i >= 2) ts.push(performance.now() - t0);
    }
    return median(ts);
  };
  const flopsOf = (as: number[], bs: number[], ta: boolean, tb: boolean) => {
    const batch = as.slice(0, -2).reduce((x, y) => x * y, 1);
    const r = as.length;
    const M = ta ? as[r - 1] : as[r - 2];
    const K = ta ? as[r - 2] : as[r - 1];
    const N = tb ? bs[bs.length - 2] : bs[bs.length - 1];
    return 2 * batch * M * K * N;
  };
  const timings: Record<string, number>[] = cases.map(() => ({}));
  for (const simd of [false, true]) {
    await setupBackend('wasm', { wasmSimdKernels: simd });
    for (const [i, [, as, bs, ta, tb]] of cases.entries()) {
      const a = tf.randomNormal(as);
      const b = tf.randomNormal(bs);
      if (!simd) {
        timings[i].tfjs = await time(() => tf.matMul(a, b, ta, tb));
        timings[i].explicitTranspose = as.length === 2 ? await time(() => tf.tidy(() => matMul(a, b, ta, tb))) : NaN;
      } else timings[i].simd = await time(() => tf.matMul(a, b, ta, tb));
      tf.dispose([a, b]);
    }
  }
  for (const [i, [name, as, bs, ta, tb]] of cases.entries()) {
    const t = timings[i];
    const best = Math.min(t.simd, Number.isNaN(t.explicitTranspose) ? Infinity : t.explicitTranspose);
    emit({ suite: 'ops', backend: 'wasm', op: name, a: as.join('x'), b: bs.join('x'), transposeA: ta, transposeB: tb, tfjsMs: t.tfjs, explicitTransposeMs: t.explicitTranspose, simdKernelMs: t.simd, speedup: t.tfjs / best, bestGflops: flopsOf(as, bs, ta, tb) / best / 1e6 });
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), FLAGS, 1);
  if (args.flags.help || args.positional.length === 0) {
    process.stdout.write(helpText(`usage: npm run bench -- ${SUITES.join('|')} [flags]`, FLAGS));
    if (!args.flags.help) throw new CliError(`a suite is required: ${SUITES.join(', ')}`);
    return;
  }
  const suite = args.positional[0];
  if (!SUITES.includes(suite)) throw new CliError(`unknown suite ${JSON.stringify(suite)}; accepted: ${SUITES.join(', ')}`);
  const json = !!args.flags.json;
  const steps = intFlag(args, 'steps', 1, 10_000) ?? 10;
  const rows: Record<string, unknown>[] = [];
  const emit = (r: object) => {
    rows.push(r as Record<string, unknown>);
    if (json) process.stdout.write(JSON.stringify(r) + '\n');
  };
  if (suite === 'train') {
    const backends = parseTrainBackends(args.flags.backend?.[0]);
    const long = intFlag(args, 'long', 0, 100_000) ?? 500;
    await benchTrain({ backends, quick: !!args.flags.quick, steps, long, speed: !args.flags['no-speed'], torch: !args.flags['no-torch'], emit, log: (l) => process.stderr.write(l + '\n') });
    if (!json) printTable(rows, ['name', 'backend', 'batch', 'tokens', 'depth', 'imgPerSec', 'msPerStep', 'gflops', 'peakGflops', 'mfu', 'kernelsPerStep', 'dispatchesPerStep', 'dispatchReduction', 'readbacksPerStep', 'peakBytes', 'numTensorsStep10', 'numTensorsLast', 'warmupMs', 'torchImgPerSec', 'ratioVsTorch', 'torch1ImgPerSec', 'ratioVsTorch1', 'torch1PeakGflops', 'torch1Mfu']);
    return;
  }
  const backends = (args.flags.backend?.[0] ?? 'wasm').split(',');
  for (const b of backends) if (!['wasm', 'cpu', 'webgpu'].includes(b)) throw new CliError(`--backend: got ${JSON.stringify(b)}, expected wasm, cpu or webgpu`);
  if (suite === 'ops') {
    await benchOps(emit);
    if (!json) printTable(rows, ['op', 'a', 'b', 'tfjsMs', 'explicitTransposeMs', 'simdKernelMs', 'speedup', 'bestGflops']);
  } else if (suite === 'attention') {
    const { benchAttention, formatTable } = await import('./bench_attention');
    const att: Awaited<ReturnType<typeof benchAttention>> = [];
    const { benchCheckpointing } = await import('./bench_checkpointing');
    const ckpt: Record<string, unknown>[] = [];
    for (const backend of backends) {
      const report = await setupBackend(backend);
      const a = report.adapter;
      // A software adapter (SwiftShader: Vulkan on the CPU) takes hours at N = 4096: stop at 1024 there.
      const software = !!a && /swiftshader|llvmpipe|software/i.test(`${a.vendor} ${a.architecture} ${a.description ?? ''}`);
      if (software) process.stderr.write(`attention on ${backend}: software adapter (${a.vendor}): N up to 1024, depth-8 stack at 256\n`);
      const lengths = software ? { lengths: [64, 256, 1024], stackLengths: [256] } : {};
      for (const r of await benchAttention({ backend, print: false, ...lengths })) {
        att.push(r);
        emit(r);
      }
      // A whole depth-8 training step with checkpointing off and on (peak activation bytes).
      for (const r of await benchCheckpointing({ depth: 8 })) {
        if (json) process.stdout.write(JSON.stringify(r) + '\n');
        ckpt.push(r as unknown as Record<string, unknown>);
      }
    }
    if (!json) {
      process.stdout.write(formatTable(att) + '\n\n');
      printTable(ckpt, Object.keys(ckpt[0] ?? {}));
    }
  }
}

void runMain(main);
