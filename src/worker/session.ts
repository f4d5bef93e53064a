// The training session that owns tfjs and the GPU: it turns commands into trainer calls and streams
// events back. Pure of any Worker API (the worker entry wires `emit` to postMessage and passes the image
// decoder), so it runs in Node tests too.

import * as tf from '@tensorflow/tfjs';
import { ATTENTION_KINDS, resolveAttention } from '../core/attention';
import { gpuBytesAllocated, initBackend, type BackendReport } from '../core/backends';
import { decodeCheckpoint, encodeCheckpoint } from '../core/checkpoint';
import { fingerprint, gridNoise } from '../core/compare/fixed_noise';
import { ConfigError, type Config } from '../core/config';
import { datasetFromImages, MAX_UPLOAD_SIZE, type UploadImage } from '../core/data/from_images';
import { MNIST_ASSET_PATH } from '../core/data/mnist';
import { createDataset, datasetInfo } from '../core/data/registry';
import type { Dataset } from '../core/data/types';
import { samplingGrid } from '../core/flow';
import { makeReference, qualityVsNfe } from '../core/metrics/evaluate';
import { countParams } from '../core/model';
import { Rng } from '../core/rng';
import { Trainer, type StepMetrics, type TrainerState } from '../core/train/trainer';
import type { Decoded } from './decode_images';
import { firstBlockAttention, measureAttention, scheduleTables, velocityField } from './inspect';
import { classGrid, spread, stdDev, trajectoryStrip } from './sample_pictures';
import type { AttentionInfo, Command, DataPreview, DatasetSummary, MetricsBatch, RunState, SampleSettings, SamplesPayload, UploadItem, WorkerEvent } from './protocol';
import { spawnBrowserGemmHelper } from './gemm_helper';

export type Emit = (e: WorkerEvent, transfer?: Transferable[]) => void;
export type AssetLoader = (path: string) => Promise<Uint8Array>;
export type ImageDecoder = (items: readonly UploadItem[], maxSide: number, useLabels: boolean, onProgress?: (done: number) => void) => Promise<Decoded>;

/** Samples shown in the grid: 4 per class for labelled image data, a cloud of particles for 2D points. */
export function sampleLayout(info: { kind: 'image' | 'points'; numClasses: number }): { n: number; labels: Int32Array } {
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
export function sampleNoise(config: Config, n: number, shape: readonly number[] = datasetInfo(config.dataset).shape): Float32Array {
  return gridNoise(config.seed, n, shape);
}

// What the panels show: preview samples (schedule strip, attention maps), trajectory frames, the 2D field grid.
const PREVIEW_IMAGES = 8;
const PREVIEW_POINTS = 512;
const TRAJECTORY_FRAMES = 11;
const FIELD_GRID = 21;
const FIELD_EXTENT = 3;
const FIELD_TIMES = Array.from({ length: 11 }, (_, i) => 1 - i / 10);

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

function summarise(d: Dataset, source: DatasetSummary['source']): DatasetSummary {
  return { name: d.name, source, kind: d.kind, shape: [...d.shape], numClasses: d.numClasses, classNames: [...d.classNames], description: d.description, size: d.size };
}

export class TrainingSession {
  private report: BackendReport | null = null;
  private trainer: Trainer | null = null;
  private config: Config | null = null;
  private dataset: Dataset | null = null;
  private builtin: Dataset | null = null;
  private upload: { images: UploadImage[]; labelled: boolean } | null = null;
  private preview: DataPreview | null = null;
  private state: RunState = 'booting';
  private loopPromise: Promise<void> | null = null;
  private stepsToRun = 0; // > 0: run this many steps, then pause; Infinity while playing
  private settings: SampleSettings = { sampler: 'euler', steps: 32, guidance: 2, every: 100 };
  private startedAt = 0;
  private elapsedBefore = 0; // training time of earlier play/step spans of this run
  private lastFlushAt = 0;
  private stepsSinceFlush = 0;
  private sampleMsSinceFlush = 0; // sampling inside the loop is not training time
  private warmedUp = false;
  private sampleWarmedUp = false;
  private assetBase = './';
  /** Readback interval in steps (async; at most one readback per `flushEvery` steps)… */
  flushEvery = 10;
  /** …or sooner when this many ms have passed, so slow runs still update the page. */
  flushMs = 500;

  constructor(
    private readonly emit: Emit,
    private readonly loadAsset: AssetLoader,
    private readonly decode?: ImageDecoder,
  ) {}

  get current(): { state: RunState; step: number } {
    return { state: this.state, step: this.trainer?.step ?? 0 };
  }

  async handle(cmd: Command): Promise<void> {
    try {
      switch (cmd.type) {
        case 'init': {
          this.assetBase = cmd.assetBase;
          this.report = await initBackend({ forced: cmd.backend, gemmHelper: spawnBrowserGemmHelper });
          const schedules = scheduleTables();
          this.emit({ type: 'ready', report: this.report, schedules });
          this.setState('idle');
          return;
        }
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
        case 'sampleSettings': {
          this.settings = { ...this.settings, ...cmd.settings };
          // The sampling fields are part of the experiment (URL, checkpoint), but changing them never resets training.
          if (this.config) this.config = { ...this.config, sampler: this.settings.sampler, sampleSteps: this.settings.steps, cfg: this.settings.guidance };
          // Paused after training: re-sample the same noise with the new settings (an untrained model is not worth it).
          const changed = cmd.settings.sampler !== undefined || cmd.settings.steps !== undefined || cmd.settings.guidance !== undefined;
          if (this.state !== 'running' && this.trainer && this.trainer.step > 0 && changed) await this.emitSamples();
          return;
        }
        case 'sampleNow':
          if (this.trainer) await this.emitSamples();
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
        case 'upload':
          await this.receiveUpload(cmd.items, cmd.useLabels);
          return;
        case 'clearUpload':
          if (!this.upload) return;
          this.upload = null;
          this.emit({ type: 'upload', status: 'cleared' });
          await this.stop();
          if (this.config) await this.build(this.config);
          return;
        case 'measureAttention':
          await this.measure(cmd.lengths, cmd.kinds);
          return;
        case 'attentionMap':
          await this.attentionMap(cmd.query, cmd.t, cmd.index);
          return;
        case 'velocityField':
          await this.emitField(cmd.times, cmd.grid, cmd.extent);
          return;
        case 'evaluateQuality':
          await this.evaluateQuality(cmd.n, cmd.steps);
          return;
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

  private async builtinDataset(config: Config): Promise<Dataset> {
    if (this.builtin && this.builtin.name === config.dataset) return this.builtin;
    const info = datasetInfo(config.dataset);
    const assets = info.needsAsset === 'mnist' ? { mnist: await this.loadAsset(`${this.assetBase}${MNIST_ASSET_PATH}`) } : {};
    this.builtin = createDataset(config.dataset, assets);
    return this.builtin;
  }

  /**
   * The user's images resized to the shape of the configured dataset (the model's size comes from the
   * dataset registry, so uploads borrow an image dataset's geometry and class slots), or null with a
   * reason when they cannot be used with this config.
   */
  private uploadDataset(config: Config): { dataset: Dataset | null; reason?: string } {
    if (!this.upload) return { dataset: null };
    const info = datasetInfo(config.dataset);
    if (info.kind !== 'image') return { dataset: null, reason: `your images need an image dataset's model; ${config.dataset} is 2D points, so training uses ${config.dataset}` };
    const [size, , channels] = info.shape;
    const labels = new Set(this.upload.images.map((i) => i.label));
    if (this.upload.labelled && labels.size > info.numClasses) {
      return { dataset: null, reason: `your images have ${labels.size} labels (folders) but the ${config.dataset} model has ${info.numClasses} class slots: use at most ${info.numClasses} folders, pick a dataset with more classes, or untick "labels from folder names"` };
    }
    const d = datasetFromImages(this.upload.images, { size, channels: channels as 1 | 3 }, { name: `your images (as ${config.dataset})` });
    return { dataset: d };
  }

  private async build(config: Config, state?: TrainerState): Promise<void> {
    const builtin = await this.builtinDataset(config);
    const up = this.uploadDataset(config);
    if (up.reason) this.emit({ type: 'upload', status: 'failed', message: up.reason });
    const dataset = up.dataset ?? builtin;
    const trainer = new Trainer(config, dataset, state); // may throw: the old run stays intact
    this.trainer?.dispose();
    this.trainer = trainer;
    this.config = config;
    this.dataset = dataset;
    this.settings = { ...this.settings, sampler: config.sampler, steps: config.sampleSteps, guidance: config.cfg };
    this.warmedUp = false;
    this.sampleWarmedUp = false;
    this.elapsedBefore = 0;
    const flopsPerStep = 3 * trainer.net.forwardFlops * config.batch;
    this.emit({ type: 'configured', config, params: countParams(trainer.net), flopsPerStep, dataset: summarise(dataset, up.dataset ? 'upload' : 'builtin'), attention: this.attentionInfo(trainer) });
    this.emitPreview(config, dataset);
    this.setState(state ? 'paused' : 'idle');
    if (state) await this.emitSamples();
  }

  private attentionInfo(trainer: Trainer): AttentionInfo | null {
    const s = trainer.net.dit;
    if (!s) return null;
    const headSize = s.dim / s.heads;
    const r = resolveAttention(trainer.config.attention, tf.getBackend(), headSize);
    return { requested: trainer.config.attention, ran: r.kind, exact: r.exact, note: r.note, tokens: (s.imageSize / s.patch) ** 2, heads: s.heads, kvHeads: s.kvHeads, headSize };
  }

  /** A few held-out samples and fixed noise (the schedule strip and the attention maps). */
  private emitPreview(config: Config, dataset: Dataset): void {
    const n = dataset.kind === 'points' ? PREVIEW_POINTS : Math.min(PREVIEW_IMAGES, Number.isFinite(dataset.size) ? dataset.size : PREVIEW_IMAGES);
    const b = dataset.heldOut(n);
    const eps = new Rng(config.seed + 0x7e57).normals(b.x.length);
    this.preview = { shape: [...dataset.shape], n, x: b.x, eps, labels: b.y };
    // Posted as copies: the session keeps its own for the attention maps.
    this.emit({ type: 'dataPreview', preview: { ...this.preview, x: b.x.slice(), eps: eps.slice(), labels: b.y.slice() } });
  }

  private async receiveUpload(items: UploadItem[], useLabels: boolean): Promise<void> {
    if (!this.decode) throw new Error('upload: this session has no image decoder');
    if (items.length === 0) throw new Error('upload: no files');
    this.emit({ type: 'upload', status: 'decoding', done: 0, total: items.length });
    const maxSide = 2 * MAX_UPLOAD_SIZE; // area-averaged down to the model's size by datasetFromImages
    const { images, skipped } = await this.decode(items, maxSide, useLabels, (done) => this.emit({ type: 'upload', status: 'decoding', done, total: items.length }));
    if (images.length === 0) {
      this.emit({ type: 'upload', status: 'failed', message: 'none of the files could be used', skipped });
      return;
    }
    const labelled = images[0].label !== undefined;
    const previous = this.upload;
    this.upload = { images, labelled };
    if (this.config) {
      const check = this.uploadDataset(this.config);
      if (check.reason) {
        this.upload = previous;
        this.emit({ type: 'upload', status: 'failed', message: check.reason, skipped });
        return;
      }
    }
    this.emit({ type: 'upload', status: 'ready', done: images.length, total: items.length, skipped });
    await this.stop();
    if (this.config) await this.build(this.config);
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
    try {
      while (this.stepsToRun > 0 && this.trainer === trainer) {
        if (!this.warmedUp) {
          // The first step compiles every shader on WebGPU: say so instead of looking frozen.
          this.emit({ type: 'warmup', phase: 'start', what: 'train' });
          const t0 = performance.now();
          trainer.trainStep();
          this.stepsSinceFlush++;
          const ok = await this.flush(trainer);
          this.emit({ type: 'warmup', phase: 'done', what: 'train', ms: performance.now() - t0, pipelines: this.pipelineCount() });
          this.warmedUp = true;
          this.stepsToRun--;
          if (!ok) return;
        } else {
          trainer.trainStep();
          this.stepsSinceFlush++;
          this.stepsToRun--;
          if (this.stepsSinceFlush >= this.flushEvery || this.stepsToRun === 0 || performance.now() - this.lastFlushAt > this.flushMs) {
            if (!(await this.flush(trainer))) return;
          }
        }
        const every = this.settings.every;
        if (every > 0 && trainer.step % every === 0) await this.emitSamples();
        await yieldToEvents();
      }
      if (this.stepsSinceFlush > 0 && !(await this.flush(trainer))) return;
      if (this.trainer === trainer) {
        if (this.settings.every > 0 && trainer.step % this.settings.every !== 0) await this.emitSamples();
        this.setState('paused');
      }
    } catch (e) {
      // The run stays usable: report, and pause (a later Play retries).
      this.stepsToRun = 0;
      this.emit({ type: 'error', message: `training stopped: ${(e as Error).message}` });
      if (this.trainer === trainer) this.setState('paused');
    } finally {
      this.elapsedBefore += performance.now() - this.startedAt;
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
    const elapsed = now - this.lastFlushAt - this.sampleMsSinceFlush;
    const msPerStep = Math.max(0, elapsed) / Math.max(1, this.stepsSinceFlush);
    this.lastFlushAt = now;
    this.stepsSinceFlush = 0;
    this.sampleMsSinceFlush = 0;
    const B = ms[0].t.length;
    const t = new Float32Array(ms.length * B);
    const lossPerSample = new Float32Array(ms.length * B);
    ms.forEach((m, i) => {
      t.set(m.t, i * B);
      lossPerSample.set(m.lossPerSample, i * B);
    });
    const mem = tf.memory();
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
      gpuBytes: gpuBytesAllocated(),
      elapsedMs: this.elapsedBefore + (now - this.startedAt),
    };
    this.emit({ type: 'metrics', batch }, [batch.step.buffer, batch.loss.buffer, batch.gradNorm.buffer, batch.lr.buffer, t.buffer, lossPerSample.buffer]);
    const bad = ms.find((m) => !Number.isFinite(m.loss));
    if (bad) {
      this.stepsToRun = 0;
      this.setState('diverged', `the loss became ${bad.loss} at step ${bad.step}.`);
      return false;
    }
    return true;
  }

  private async emitSamples(): Promise<void> {
    const trainer = this.trainer;
    const config = this.config;
    const dataset = this.dataset;
    if (!trainer || !config || !dataset) return;
    const { n, labels } = sampleLayout(dataset);
    const shape = [...trainer.net.sampleShape];
    const noise = sampleNoise(config, n, shape);
    const fingerprints = { noiseFingerprint: fingerprint(noise), labelsFingerprint: fingerprint(labels) }; // before sampling may reuse the buffers
    const s = this.settings;
    const firstSample = !this.sampleWarmedUp;
    if (firstSample) this.emit({ type: 'warmup', phase: 'start', what: 'sample' });
    const t0 = performance.now();
    const res = await trainer.sample({ noise, labels, sampler: s.sampler, steps: s.steps, guidance: s.guidance, keepTrajectory: true, rng: new Rng(config.seed + 1) });
    const ms = performance.now() - t0;
    this.sampleMsSinceFlush += ms;
    if (firstSample) {
      this.sampleWarmedUp = true;
      this.emit({ type: 'warmup', phase: 'done', what: 'sample', ms, pipelines: this.pipelineCount() });
    }
    // Points: every particle along the ODE. Images: the grid and a strip of a few samples (one per class) at a
    // few solver times, composed here so that the page only blits them.
    const times = samplingGrid({ path: trainer.flow.path, prediction: trainer.flow.prediction, steps: s.steps });
    const full = res.trajectory ?? [];
    const points = dataset.kind === 'points';
    const frames = spread(full.length, points ? 65 : TRAJECTORY_FRAMES);
    const payload: SamplesPayload = { step: trainer.step, n, shape, x: res.x, labels, nfe: res.nfe, ms, sampler: s.sampler, steps: s.steps, guidance: s.guidance, spread: stdDev(res.x), times: frames.map((f) => times[f]), ...fingerprints };
    const transfer = new Set<ArrayBuffer>([res.x.buffer as ArrayBuffer]);
    if (points) {
      payload.trajectory = frames.map((f) => full[f]);
      // The last frame may share its buffer with x (a clone of the same tensor reads back the same data).
      payload.trajectory.forEach((a) => transfer.add(a.buffer as ArrayBuffer));
    } else {
      payload.grid = classGrid(res.x, labels, shape);
      payload.strip = trajectoryStrip(full, frames, labels, shape);
      transfer.add(payload.grid.rgba.buffer as ArrayBuffer).add(payload.strip.rgba.buffer as ArrayBuffer);
    }
    this.emit({ type: 'samples', samples: payload }, [...transfer]);
    if (points) await this.emitField(FIELD_TIMES, FIELD_GRID, FIELD_EXTENT);
  }

  /** The learned velocity field of a 2D model: class 0 with the sampling guidance for one-class data, else unconditional. */
  private async emitField(times: number[], grid: number, extent: number): Promise<void> {
    const trainer = this.trainer;
    if (!trainer || trainer.net.kind !== 'mlp' || trainer.net.sampleShape.length !== 1) return;
    const conditional = trainer.net.numClasses === 1;
    const label = conditional ? 0 : trainer.net.nullLabel;
    const v = await velocityField(trainer, times, grid, extent, label, conditional ? this.settings.guidance : 1);
    this.emit({ type: 'velocityField', field: { step: trainer.step, grid, extent, times, label, conditional, v } }, v.map((a) => a.buffer as ArrayBuffer));
  }

  /**
   * Quality against NFE of the current run (src/core/metrics/evaluate.ts): n samples from the EMA weights on
   * the seed's fixed noise and labels per solver step count, with the page's solver and guidance; sliced W₂
   * to held-out data and trajectory straightness (the MNIST classifier's FD is left to `npm run sweep`).
   * Training pauses for it and resumes if it was playing.
   */
  private async evaluateQuality(n: number, steps: number[]): Promise<void> {
    const trainer = this.trainer;
    const config = this.config;
    const dataset = this.dataset;
    if (!trainer || !config || !dataset) throw new Error('evaluateQuality: no run configured yet');
    if (!Number.isInteger(n) || n < 2 || n > 1024) throw new Error(`evaluateQuality: n must be an integer in [2, 1024], got ${n}`);
    const ss = steps.filter((k) => Number.isInteger(k) && k >= 1 && k <= 1000);
    if (ss.length === 0 || ss.length !== steps.length) throw new Error(`evaluateQuality: steps must be integers in [1, 1000], got [${steps}]`);
    const resume = this.state === 'running' && this.stepsToRun === Infinity;
    await this.stop();
    const refN = Math.min(dataset.kind === 'points' ? 2000 : 500, Number.isFinite(dataset.size) ? dataset.size : Infinity);
    const ref = await makeReference(dataset.heldOut(refN), dataset.shape, null);
    const net = trainer.net;
    const res = await qualityVsNfe(
      { model: trainer.modelFn(trainer.ema), path: trainer.flow.path, prediction: config.prediction, nullLabel: net.nullLabel, numClasses: net.numClasses, sampleShape: net.sampleShape, grid: config.grid },
      ref,
      { samplers: [this.settings.sampler], steps: ss, guidance: [this.settings.guidance], n, seed: config.seed },
    );
    if (this.trainer === trainer) this.emit({ type: 'quality', step: trainer.step, rows: res.rows, eval: { n, seed: config.seed, noise: res.noise, labels: res.labels } });
    if (resume) this.run(Infinity);
  }

  private async measure(lengths: number[], kinds = [...ATTENTION_KINDS]): Promise<void> {
    const ls = lengths.filter((N) => Number.isInteger(N) && N >= 1 && N <= 16384);
    if (ls.length === 0) throw new Error('measureAttention: lengths must be integers in [1, 16384]');
    const resume = this.state === 'running' && this.stepsToRun === Infinity;
    await this.stop();
    const s = this.trainer?.net.dit;
    const heads = s?.heads ?? 4;
    const bench = await measureAttention({
      lengths: ls,
      kinds,
      heads,
      kvHeads: s?.kvHeads ?? heads,
      headSize: s ? s.dim / s.heads : 32,
      onRow: (b, done, total) => this.emit({ type: 'attentionBench', bench: { ...b, rows: b.rows.map((r) => ({ ...r })) }, progress: { done, total } }),
    });
    this.emit({ type: 'attentionBench', bench });
    if (resume) this.run(Infinity);
  }

  private async attentionMap(query: number, t: number, index: number): Promise<void> {
    const trainer = this.trainer;
    const p = this.preview;
    if (!trainer || !p || !this.config) return;
    const s = trainer.net.dit;
    if (!s) throw new Error('attention maps: this model (an MLP for 2D points) has no attention');
    const i = Math.min(Math.max(0, Math.floor(index)), p.n - 1);
    const per = p.shape.reduce((a, b) => a * b, 1);
    const grid = s.imageSize / s.patch;
    const q = Math.min(Math.max(0, Math.floor(query)), grid * grid - 1);
    const tt = Math.min(Math.max(t, 0), 1);
    const { weights, image } = await firstBlockAttention(trainer.net, trainer.params, p.x.subarray(i * per, (i + 1) * per), p.eps.subarray(i * per, (i + 1) * per), p.labels[i], tt, this.config.path, q, this.config.attention);
    this.emit({ type: 'attentionMap', map: { step: trainer.step, query: q, t: tt, index: i, kind: this.config.attention === 'linear' ? 'linear' : 'naive', heads: s.heads, grid, weights, image, shape: p.shape } }, [weights.buffer as ArrayBuffer, image.buffer as ArrayBuffer]);
  }
}
