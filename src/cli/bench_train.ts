// `npm run bench -- train`: training speed of the two presets and a scaling sweep, on every backend this
// machine has (Node wasm, Node WebGPU through Dawn, Chromium wasm and WebGPU through Playwright), with the
// model FLOPs utilisation against the same backend's matMul peak measured in the same process, the fused
// graph against the unfused one (kernels, dispatches, time), 500-step runs for tensor and GPU-memory growth,
// and PyTorch (scripts/torch/bench_train.py, the same DiT and step) run right after each config.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TrainRow } from '../bench/measure';
import type { PageJob } from '../bench/protocol';
import { getPreset } from '../core/presets';
import { WEBGPU_NODE_ENV } from '../test_utils/webgpu_node';
import { CliError } from './args';
import { chromiumAvailable, openChromium, type ChromiumSession } from './bench_chromium';
import type { ChildJob } from './bench_train_child';
import { REPO_ROOT } from './node_env';

export { median } from '../bench/measure';
export type { TrainRow } from '../bench/measure';

export const TRAIN_BACKENDS = ['node-wasm', 'node-webgpu', 'chromium-wasm', 'chromium-webgpu', 'node-cpu'] as const;
export type TrainBackend = (typeof TRAIN_BACKENDS)[number];
const ALIASES: Record<string, TrainBackend> = { wasm: 'node-wasm', webgpu: 'node-webgpu', cpu: 'node-cpu' };

export function parseTrainBackends(list: string | undefined): TrainBackend[] | 'all' {
  if (!list) return 'all';
  return list.split(',').map((b) => {
    const name = ALIASES[b] ?? b;
    if (!(TRAIN_BACKENDS as readonly string[]).includes(name)) throw new CliError(`--backend: got ${JSON.stringify(b)}, expected some of ${TRAIN_BACKENDS.join(', ')} (or wasm, webgpu, cpu)`);
    return name as TrainBackend;
  });
}

type Overrides = Record<string, string | number>;

interface BenchConfig {
  name: string;
  overrides: Overrides;
  group: 'preset' | 'batch' | 'tokens' | 'depth';
}

const preset = (name: string): Overrides => {
  const c = getPreset(name).config as Overrides;
  return { dataset: c.dataset, patch: c.patch, dim: c.dim, depth: c.depth, heads: c.heads, batch: c.batch };
};

/** The presets, then the sweep around mnist-tiny: batch, tokens (patch 7, 4, 2 → 16, 49, 196) and depth. */
export function trainBenchConfigs(quick: boolean): BenchConfig[] {
  const tiny = preset('mnist-tiny');
  const out: BenchConfig[] = [
    { name: 'mnist-tiny', overrides: tiny, group: 'preset' },
    { name: 'mnist-small', overrides: preset('mnist-small'), group: 'preset' },
  ];
  if (quick) return out;
  for (const batch of [16, 32, 128]) out.push({ name: `tiny batch=${batch}`, overrides: { ...tiny, batch }, group: 'batch' });
  for (const patch of [7, 2]) out.push({ name: `tiny patch=${patch} (${(28 / patch) ** 2} tokens)`, overrides: { ...tiny, patch }, group: 'tokens' });
  for (const depth of [2, 8]) out.push({ name: `tiny depth=${depth}`, overrides: { ...tiny, depth }, group: 'depth' });
  return out;
}

/** A model small enough for a software WebGPU adapter (SwiftShader) to run hundreds of steps. */
const ENDURANCE_SMALL: Overrides = { dataset: 'shapes16', patch: 4, dim: 16, depth: 2, heads: 2, batch: 4 };

/** Runs one Node measurement in a child process (fresh heap; Dawn's environment for webgpu). */
function runChild(spec: ChildJob, timeoutMs: number): Promise<TrainRow> {
  const env = { ...process.env, ...(spec.backend === 'webgpu' ? withLdPath(WEBGPU_NODE_ENV) : {}) };
  const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [path.join(REPO_ROOT, 'src/cli/bench_train_child.ts'), JSON.stringify(spec)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (code === 0 && line) resolve(JSON.parse(line) as TrainRow);
      else reject(new Error(`${spec.job.name} on ${spec.backend}: exit ${code}: ${err.trim().split('\n').filter((l) => !l.includes('npm warn')).slice(-3).join(' | ')}`));
    });
  });
}

function withLdPath(env: Readonly<Record<string, string>>): Record<string, string> {
  const ld = process.env.LD_LIBRARY_PATH;
  return { ...env, LD_LIBRARY_PATH: ld ? `${env.LD_LIBRARY_PATH}:${ld}` : env.LD_LIBRARY_PATH };
}

/** Whether Node WebGPU (the `webgpu` package) finds an adapter here, and whether it is a software one. */
function nodeWebGPUAdapter(): { ok: boolean; software: boolean; description: string } {
  const probe = `import('webgpu').then(async (w) => { const a = await w.create([]).requestAdapter(); const i = a && (a.info ?? await a.requestAdapterInfo?.()); console.log(JSON.stringify(a ? { ok: true, vendor: i?.vendor, architecture: i?.architecture, description: i?.description } : { ok: false })); process.exit(0); }).catch((e) => { console.log(JSON.stringify({ ok: false, error: String(e) })); process.exit(0); })`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { env: { ...process.env, ...withLdPath(WEBGPU_NODE_ENV) }, cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  try {
    const j = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
    const description = `${j.vendor ?? ''} ${j.architecture ?? ''} ${j.description ?? ''}`.trim();
    return { ok: !!j.ok, software: /swiftshader|llvmpipe|software/i.test(description), description };
  } catch {
    return { ok: false, software: false, description: '' };
  }
}

export interface TorchFigures {
  msPerStep: number;
  imgPerSec: number;
  threads: number;
  peakGflops?: number; // PyTorch's fp32 512×512 matmul on the same threads
}

/** The PyTorch twin of a config (scripts/torch/bench_train.py) when /usr/bin/python3 has torch. */
export function torchBench(o: Overrides, steps: number, threads?: number): TorchFigures | null {
  const py = '/usr/bin/python3';
  if (!fs.existsSync(py)) return null;
  const side = o.dataset === 'mnist' ? 28 : 16;
  const info = { imageSize: side, channels: o.dataset === 'mnist' ? 1 : 3, patch: Number(o.patch), dim: Number(o.dim), depth: Number(o.depth), heads: Number(o.heads), numClasses: 10, batch: Number(o.batch) };
  const args = [path.join(REPO_ROOT, 'scripts/torch/bench_train.py'), JSON.stringify(info), '--steps', String(steps), ...(threads ? ['--threads', String(threads)] : [])];
  const r = spawnSync(py, args, { encoding: 'utf8', timeout: 900_000 });
  if (r.status !== 0) return null;
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop()!);
  } catch {
    return null;
  }
}

export interface BenchTrainOptions {
  backends: TrainBackend[] | 'all';
  quick: boolean;
  steps: number;
  long: number; // steps of the endurance runs (0: none)
  speed?: boolean; // the speed rows (default on; off: endurance runs only)
  torch: boolean;
  emit: (row: TrainRow) => void;
  log: (line: string) => void;
}

export async function benchTrain(o: BenchTrainOptions): Promise<TrainRow[]> {
  const rows: TrainRow[] = [];
  const wanted = o.backends === 'all' ? TRAIN_BACKENDS.filter((b) => b !== 'node-cpu') : o.backends;
  const gpu = wanted.includes('node-webgpu') ? nodeWebGPUAdapter() : { ok: false, software: false, description: '' };
  const active = wanted.filter((b) => {
    if (b === 'node-webgpu' && !gpu.ok) return o.log('node-webgpu: no adapter (the `webgpu` package and a Vulkan driver are needed): skipped'), false;
    if (b.startsWith('chromium') && !chromiumAvailable()) return o.log(`${b}: no Chromium at ${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'}: skipped`), false;
    return true;
  });
  // SwiftShader (a CPU Vulkan) runs WGSL at ~1 GFLOP/s and ~10 ms per dispatch: small batches, presets only.
  const softwareGpu = (b: TrainBackend) => (b === 'node-webgpu' ? gpu.software : b === 'chromium-webgpu' ? !process.env.FLOW_BENCH_REAL_GPU : false);
  const emit = (r: TrainRow) => {
    rows.push(r);
    o.emit(r);
  };
  let chromium: ChromiumSession | null = null;
  const measure = async (backend: TrainBackend, job: PageJob['job'], kind: 'speed' | 'endurance' = 'speed'): Promise<TrainRow | null> => {
    const timeout = 3_600_000;
    try {
      if (backend.startsWith('node-')) return await runChild({ backend: backend.slice(5), job, kind }, timeout);
      chromium ??= await openChromium();
      return await chromium.run({ backend: backend.slice(9) as 'wasm' | 'webgpu', job, kind }, timeout);
    } catch (e) {
      o.log(`${backend} ${job.name}: ${(e as Error).message}`);
      return null;
    }
  };
  try {
    for (const c of o.speed === false ? [] : trainBenchConfigs(o.quick)) {
      const ours: TrainRow[] = [];
      for (const backend of active) {
        const soft = softwareGpu(backend);
        if (soft && c.group !== 'preset') continue;
        const overrides = soft ? { ...c.overrides, batch: c.name === 'mnist-small' ? 2 : 8 } : c.overrides;
        const note = soft ? `software WebGPU (SwiftShader): batch ${overrides.batch} instead of ${c.overrides.batch}, ${Math.min(o.steps, 4)} steps` : undefined;
        o.log(`${backend}: ${c.name}…`);
        // The unfused graph of mnist-small at batch 64 outgrows the wasm heap (4 GiB): compared on mnist-tiny.
        const row = await measure(backend, { name: c.name, overrides, steps: soft ? Math.min(o.steps, 4) : o.steps, flushEvery: soft ? 2 : 5, note, unfused: c.name === 'mnist-tiny' || (soft && c.group === 'preset') });
        if (row) ours.push(row);
      }
      if (o.torch && ours.length) {
        o.log(`pytorch: ${c.name}…`);
        const all = torchBench(c.overrides, Math.max(5, o.steps));
        const one = torchBench(c.overrides, Math.max(5, o.steps), 1);
        for (const r of ours) {
          const same = r.batch === Number(c.overrides.batch);
          if (all && same) Object.assign(r, { torchMsPerStep: all.msPerStep, torchImgPerSec: all.imgPerSec, torchThreads: all.threads, ratioVsTorch: r.imgPerSec / all.imgPerSec });
          if (one && same) Object.assign(r, { torch1ImgPerSec: one.imgPerSec, ratioVsTorch1: r.imgPerSec / one.imgPerSec, torch1PeakGflops: one.peakGflops, torch1Mfu: one.peakGflops ? (one.imgPerSec * (r.flopsPerStep / r.batch)) / 1e9 / one.peakGflops : undefined });
        }
      }
      ours.forEach(emit);
    }
    if (o.long > 0 && !o.quick) {
      for (const backend of active) {
        const soft = softwareGpu(backend);
        // A whole preset where steps are cheap enough; a small model on software WebGPU (same code path).
        const overrides = backend.endsWith('webgpu') && soft ? ENDURANCE_SMALL : preset('mnist-tiny');
        const steps = backend === 'chromium-webgpu' && soft ? Math.min(o.long, 100) : o.long;
        const name = backend.endsWith('webgpu') && soft ? `endurance ${steps} steps (small model: software WebGPU)` : `endurance ${steps} steps (mnist-tiny)`;
        o.log(`${backend}: ${name}…`);
        const row = await measure(backend, { name, overrides, steps, flushEvery: 10, profile: false }, 'endurance');
        if (row) emit(row);
      }
    }
  } finally {
    const c = chromium as ChromiumSession | null;
    if (c) await c.close();
  }
  return rows;
}
