// The training session that owns tfjs and the GPU: it turns commands into trainer calls and streams
// events back. Pure of any Worker API (the worker entry wires `emit` to postMessage), so it runs in Node
// tests too.

import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendReport } from '../core/backends';
import { decodeCheckpoint, encodeCheckpoint } from '../core/checkpoint';
import { ConfigError, type Config } from '../core/config';
import { MNIST_ASSET_PATH } from '../core/data/mnist';
import { createDataset, datasetInfo } from '../core/data/registry';
import type { Dataset } from '../core/data/types';
import { countParams } from '../core/model';
import { Rng } from '../core/rng';
import { Trainer, type StepMetrics, type TrainerState } from '../core/train/trainer';
import type { Command, MetricsBatch, RunState, SampleSettings, WorkerEvent } from './protocol';

export type Emit = (e: WorkerEvent, transfer?: Transferable[]) => void;
export type AssetLoader = (path: string) => Promise<Uint8Array>;

/** Samples shown in the grid: 4 per class for labelled image data, a cloud of particles for 2D points. */
export function sampleLayout(config: Config): { n: number; labels: Int32Array } {
  const info = datasetInfo(config.dataset);
  const classes = info.numClasses;
  if (info.kind === 'points') {
    const n = 512;
    return { n, labels: Int32Array.from({ length: n }, (_, i) => (classes > 1 ? i % classes : 0)) };
  }
  const perClass = classes >= 8 ? 4 : Math.max(4, Math.floor(32 / classes));
  const n = classes * perClass;
  return { n, labels: Int32Array.from({ length: n }, (_, i) => Math.floor(i / perClass)) };
}

/** The fixed noise of a run's sample grid: a function of the seed alone, so two runs that differ in one setting share it. */
export function sampleNoise(config: Config, n: number): Float32Array {
  const per = datasetInfo(config.dataset).shape.reduce((a, b) => a * b, 1);
  return new Rng(config.seed + 0x5eed).normals(n * per);
}

const yieldToEvents = () =>
  new Promise<void>((resolve) => {
    // A MessageChannel message runs after pending commands without setTimeout's 4 ms clamp.
    if (typeof MessageChannel !== 'undefined') {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        resolve();
      };
      ch.port2.postMessage(0);
    } else setTimeout(resolve, 0);
  });

export class TrainingSession {
  private report: BackendReport | null = null;
  private trainer: Trainer | null = null;
  private config: Config | null = null;
  private dataset: Dataset | null = null;
  private state: RunState = 'booting';
  private loopPromise: Promise<void> | null = null;
  private stepsToRun = 0; // > 0: run this many steps, then pause; Infinity while playing
  private settings: SampleSettings = { sampler: 'euler', steps: 32, guidance: 2, every: 100 };
  private startedAt = 0;
  private lastFlushAt = 0;
  private stepsSinceFlush = 0;
  private warmedUp = false;
  private assetBase = './';
  /** Readback interval in steps (async; at most one readback per `flushEvery` steps). */
  flushEvery = 10;

  constructor(
    private readonly emit: Emit,
    private readonly loadAsset: AssetLoader,
  ) {}

  get current(): { state: RunState; step: number } {
    return { state: this.state, step: this.trainer?.step ?? 0 };
  }

  async handle(cmd: Command): Promise<void> {
    try {
      switch (cmd.type) {
        case 'init':
          this.assetBase = cmd.assetBase;
          this.report = await initBackend({ forced: cmd.backend });
          this.emit({ type: 'ready', report: this.report });
          this.setState('idle');
          return;
        case 'configure':
          await this.stop();
          await this.build(cmd.config);
          return;
        case 'reset':
          await this.stop();
          if (this.config) await this.build(this.config);
          return;
        case 'play':
          this.run(Infinity);
          return;
        case 'step':
          this.run(Math.max(1, Math.floor(cmd.n)));
          return;
        case 'pause':
          await this.stop();
          return;
        case 'sampleSettings':
          this.settings = { ...this.settings, ...cmd.settings };
          if (this.state !== 'running' && this.trainer) await this.emitSamples(false);
          return;
        case 'sampleNow':
          if (this.trainer) await this.emitSamples(!!cmd.trajectory);
          return;
        case 'saveCheckpoint': {
          if (!this.trainer || !this.config) throw new Error('nothing to save yet: configure a run first');
          const bytes = encodeCheckpoint(this.config, await this.trainer.snapshot());
          this.emit({ type: 'checkpoint', bytes, step: this.trainer.step }, [bytes.buffer as ArrayBuffer]);
          return;
        }
        case 'loadCheckpoint': {
          const ck = decodeCheckpoint(cmd.bytes); // throws before anything is replaced
          await this.stop();
          await this.build(ck.config, ck.state);
          return;
        }
      }
    } catch (e) {
      const err = e as Error;
      this.emit({ type: 'error', message: err.message, field: err instanceof ConfigError ? err.field : undefined });
    }
  }

  private setState(state: RunState, message?: string): void {
    this.state = state;
    this.emit({ type: 'state', state, step: this.trainer?.step ?? 0, message });
  }

  private async build(config: Config, state?: TrainerState): Promise<void> {
    const info = datasetInfo(config.dataset);
    let dataset = this.dataset;
    if (!dataset || dataset.name !== config.dataset) {
      const assets = info.needsAsset === 'mnist' ? { mnist: await this.loadAsset(`${this.assetBase}${MNIST_ASSET_PATH}`) } : {};
      dataset = createDataset(config.dataset, assets);
    }
    const trainer = new Trainer(config, dataset, state); // may throw: the old run stays intact
    this.trainer?.dispose();
    this.trainer = trainer;
    this.config = config;
    this.dataset = dataset;
    this.settings = { ...this.settings, sampler: config.sampler, steps: config.sampleSteps, guidance: config.cfg };
    this.warmedUp = false;
    const flopsPerStep = 3 * trainer.net.forwardFlops * config.batch;
    this.emit({ type: 'configured', config, params: countParams(trainer.net), flopsPerStep });
    this.setState(state ? 'paused' : 'idle');
    if (state) await this.emitSamples(false);
  }

  private run(steps: number): void {
    if (!this.trainer) {
      this.emit({ type: 'error', message: 'no run configured yet' });
      return;
    }
    if (this.state === 'diverged') return;
    this.stepsToRun = steps;
    if (this.loopPromise) return;
    this.loopPromise = this.loop().finally(() => (this.loopPromise = null));
  }

  private async stop(): Promise<void> {
    this.stepsToRun = 0;
    if (this.loopPromise) await this.loopPromise;
  }

  private async loop(): Promise<void> {
    const trainer = this.trainer!;
    this.setState('running');
    this.startedAt = performance.now();
    this.lastFlushAt = this.startedAt;
    this.stepsSinceFlush = 0;
    while (this.stepsToRun > 0 && this.trainer === trainer) {
      if (!this.warmedUp) {
        // The first step compiles every shader on WebGPU: say so instead of looking frozen.
        this.emit({ type: 'warmup', phase: 'start' });
        const t0 = performance.now();
        trainer.trainStep();
        this.stepsSinceFlush++;
        const ok = await this.flush(trainer);
        this.emit({ type: 'warmup', phase: 'done', ms: performance.now() - t0, pipelines: this.pipelineCount() });
        this.warmedUp = true;
        this.stepsToRun--;
        if (!ok) return;
      } else {
        trainer.trainStep();
        this.stepsSinceFlush++;
        this.stepsToRun--;
        if (this.stepsSinceFlush >= this.flushEvery || this.stepsToRun === 0) {
          if (!(await this.flush(trainer))) return;
        }
      }
      const every = this.settings.every;
      if (every > 0 && trainer.step % every === 0) await this.emitSamples(false);
      await yieldToEvents();
    }
    if (this.stepsSinceFlush > 0 && !(await this.flush(trainer))) return;
    if (this.trainer === trainer) {
      if (this.settings.every > 0 && trainer.step % this.settings.every !== 0) await this.emitSamples(false);
      this.setState('paused');
    }
  }

  private pipelineCount(): number | undefined {
    const b = tf.backend() as unknown as { pipelineCache?: Record<string, unknown> };
    return b.pipelineCache ? Object.keys(b.pipelineCache).length : undefined;
  }

  /** Reads back pending metrics and emits one batch; false when training diverged. */
  private async flush(trainer: Trainer): Promise<boolean> {
    const ms: StepMetrics[] = await trainer.flush();
    if (ms.length === 0) return true;
    const now = performance.now();
    const elapsed = now - this.lastFlushAt;
    const msPerStep = elapsed / Math.max(1, this.stepsSinceFlush);
    this.lastFlushAt = now;
    this.stepsSinceFlush = 0;
    const B = ms[0].t.length;
    const t = new Float32Array(ms.length * B);
    const lossPerSample = new Float32Array(ms.length * B);
    ms.forEach((m, i) => {
      t.set(m.t, i * B);
      lossPerSample.set(m.lossPerSample, i * B);
    });
    const mem = tf.memory() as tf.MemoryInfo & { numBytesInGPUAllocated?: number };
    const batch: MetricsBatch = {
      step: Int32Array.from(ms, (m) => m.step),
      loss: Float32Array.from(ms, (m) => m.loss),
      gradNorm: Float32Array.from(ms, (m) => m.gradNorm),
      lr: Float32Array.from(ms, (m) => m.lr),
      msPerStep,
      imgPerSec: (1000 / msPerStep) * trainer.config.batch,
      t,
      lossPerSample,
      numTensors: mem.numTensors,
      numBytes: mem.numBytes,
      gpuBytes: mem.numBytesInGPUAllocated,
      elapsedMs: now - this.startedAt,
    };
    this.emit({ type: 'metrics', batch }, [batch.step.buffer, batch.loss.buffer, batch.gradNorm.buffer, batch.lr.buffer, t.buffer, lossPerSample.buffer]);
    const bad = ms.find((m) => !Number.isFinite(m.loss));
    if (bad) {
      this.stepsToRun = 0;
      this.setState('diverged', `the loss became ${bad.loss} at step ${bad.step}. Try a lower learning rate (lr), gradient clipping (gradClip = 1), or a smaller guidance-free setup; then Reset.`);
      return false;
    }
    return true;
  }

  private async emitSamples(trajectory: boolean): Promise<void> {
    const trainer = this.trainer;
    const config = this.config;
    if (!trainer || !config) return;
    const { n, labels } = sampleLayout(config);
    const noise = sampleNoise(config, n);
    const t0 = performance.now();
    const s = this.settings;
    const res = await trainer.sample({ noise, labels, sampler: s.sampler, steps: s.steps, guidance: s.guidance, keepTrajectory: trajectory || datasetInfo(config.dataset).kind === 'points', rng: new Rng(config.seed + 1) });
    const payload = { step: trainer.step, n, shape: [...trainer.net.sampleShape], x: res.x, labels, nfe: res.nfe, ms: performance.now() - t0, sampler: s.sampler, steps: s.steps, guidance: s.guidance, trajectory: res.trajectory };
    this.emit({ type: 'samples', samples: payload }, [res.x.buffer as ArrayBuffer, ...(res.trajectory ?? []).map((a) => a.buffer as ArrayBuffer)]);
  }
}
