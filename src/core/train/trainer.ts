// The training loop's state and step: data → labels (with CFG dropout) → timesteps → noise, all from one
// seeded Rng; flow loss; global-norm clipping; AdamW; EMA. Metrics stay on the device until flush()
// reads the pending steps back in one asynchronous transfer (no per-step synchronous readback).

import * as tf from '@tensorflow/tfjs';
import type { Config } from '../config';
import type { Dataset } from '../data/types';
import { makeFlow, sampleFlow, type Flow, type ModelFn, type SamplerName } from '../flow';
import { buildNetwork, initParams, type Network, type Params } from '../model';
import { Rng, RunRng, type StreamStates } from '../rng';
import { ADAMW_DEFAULTS, adamwStep, type AdamWSlot } from './adamw';
import { emaDecay, getLr } from './schedule';

export interface StepMetrics {
  step: number; // 1-based count of finished steps
  loss: number; // mean over the batch
  gradNorm: number; // before clipping
  lr: number;
  t: Float32Array; // the batch's timesteps
  lossPerSample: Float32Array; // the batch's per-sample (weighted) losses, paired with t
}

/** Everything needed to continue a run exactly (what a checkpoint stores). */
export interface TrainerState {
  step: number;
  rng: StreamStates;
  params: Record<string, Float32Array>;
  ema: Record<string, Float32Array>;
  adamM: Record<string, Float32Array>;
  adamV: Record<string, Float32Array>;
}

export interface SampleRequest {
  noise: Float32Array; // n · prod(sampleShape) standard normals (fixed noise gives comparable grids)
  labels: Int32Array; // n labels; nullLabel for unconditional
  sampler?: SamplerName;
  steps?: number;
  guidance?: number;
  useEma?: boolean;
  keepTrajectory?: boolean;
  rng?: Rng; // for stochastic samplers
}

export interface SampleResult {
  x: Float32Array;
  nfe: number;
  trajectory?: Float32Array[];
}

interface Pending {
  step: number;
  lr: number;
  t: Float32Array;
  scalars: tf.Tensor1D; // [loss, gradNorm]
  perSample: tf.Tensor1D; // [B]
}

export { sumPairwise } from './adamw';

export class Trainer {
  readonly net: Network;
  readonly flow: Flow;
  readonly params: Record<string, tf.Variable>;
  readonly ema: Record<string, tf.Variable>;
  private readonly slots: AdamWSlot[];
  private readonly trainableNames: string[];
  private pending: Pending[] = [];
  private rng: RunRng;
  private stepCount = 0;
  private disposed = false;

  constructor(
    readonly config: Config,
    readonly dataset: Dataset,
    state?: TrainerState,
  ) {
    this.net = buildNetwork(config);
    if (dataset.shape.join('x') !== this.net.sampleShape.join('x')) {
      throw new Error(`dataset ${dataset.name} has shape ${dataset.shape.join('×')}, the model expects ${this.net.sampleShape.join('×')}`);
    }
    this.flow = makeFlow({ path: config.path, prediction: config.prediction, timesteps: config.timesteps, shift: config.shift, weighting: config.weighting });
    this.rng = new RunRng(config.seed);
    this.params = initParams(this.net, this.rng.get('init'));
    this.trainableNames = this.net.specs.filter((s) => s.trainable).map((s) => s.name);
    this.ema = {};
    // Inside tidy the temporaries are freed; the variables keep their own reference to the data.
    tf.tidy(() => {
      for (const s of this.net.specs) this.ema[s.name] = tf.variable(this.params[s.name].clone(), false);
    });
    this.slots = tf.tidy(() =>
      this.trainableNames.map((n) => ({
        param: this.params[n],
        m: tf.variable(tf.zerosLike(this.params[n]), false),
        v: tf.variable(tf.zerosLike(this.params[n]), false),
      })),
    );
    if (state) this.restore(state);
  }

  get step(): number {
    return this.stepCount;
  }

  get rngState(): StreamStates {
    return this.rng.state();
  }

  /** The network as a ModelFn over the given weights (EMA for sampling). */
  modelFn(weights: Params = this.params): ModelFn {
    return (xt, t, y) => this.net.forward(weights, xt, t, y);
  }

  /** Draws the next batch, each part from its own stream: data, dropped labels, timesteps, noise (which comes with the data for fixed couplings). */
  nextBatch(): { x0: Float32Array; y: Int32Array; t: Float32Array; eps: Float32Array } {
    const B = this.config.batch;
    const batch = this.dataset.sample(this.rng.get('data'), B);
    const y = batch.y.slice();
    const drop = this.rng.get('dropout');
    for (let i = 0; i < B; i++) if (drop.uniform() < this.config.labelDropout) y[i] = this.net.nullLabel;
    const t = this.flow.sampleT(this.rng.get('time'), B);
    const eps = batch.eps ?? this.rng.get('noise').normals(batch.x.length);
    return { x0: batch.x, y, t, eps };
  }

  /** One optimisation step. Losses stay on the device until flush(). */
  trainStep(): void {
    if (this.disposed) throw new Error('trainer is disposed');
    const { config: c } = this;
    const B = c.batch;
    const { x0, y, t, eps } = this.nextBatch();
    const step = this.stepCount;
    const lr = getLr(step, c);
    const shape = [B, ...this.net.sampleShape];
    const vars = this.trainableNames.map((n) => this.params[n]);
    const model = this.modelFn();
    tf.tidy(() => {
      const x0T = tf.tensor(x0, shape);
      const epsT = tf.tensor(eps, shape);
      const tT = tf.tensor1d(t);
      const yT = tf.tensor1d(y, 'int32');
      const kept: tf.Tensor1D[] = [];
      const { value, grads } = tf.variableGrads(() => {
        const perSample = tf.keep(this.flow.lossPerSample(model, x0T, epsT, tT, yT));
        kept.push(perSample);
        return perSample.mean() as tf.Scalar;
      }, vars);
      const gradList = vars.map((v) => grads[v.name]);
      // Global-norm clipping, AdamW and the EMA in one optimizer step (fused kernels on wasm and webgpu);
      // ‖g‖ stays on the device until flush().
      const gradNorm = adamwStep(this.slots, gradList, {
        lr,
        step,
        hyper: { ...ADAMW_DEFAULTS, weightDecay: c.weightDecay },
        gradClip: c.gradClip,
        ema: { decay: emaDecay(step, c.ema), targets: this.trainableNames.map((n) => this.ema[n]) },
      });
      this.pending.push({ step: step + 1, lr, t, scalars: tf.keep(tf.stack([value, gradNorm]) as tf.Tensor1D), perSample: kept[0] });
    });
    this.stepCount = step + 1;
  }

  /** Reads back the metrics of every step since the last flush, in one transfer. */
  async flush(): Promise<StepMetrics[]> {
    const pending = this.pending;
    this.pending = [];
    if (pending.length === 0) return [];
    const packed = tf.tidy(() => tf.concat(pending.flatMap((p) => [p.scalars, p.perSample])));
    for (const p of pending) {
      p.scalars.dispose();
      p.perSample.dispose();
    }
    const data = (await packed.data()) as Float32Array;
    packed.dispose();
    const out: StepMetrics[] = [];
    let o = 0;
    for (const p of pending) {
      const B = p.t.length;
      out.push({ step: p.step, loss: data[o], gradNorm: data[o + 1], lr: p.lr, t: p.t, lossPerSample: data.slice(o + 2, o + 2 + B) });
      o += 2 + B;
    }
    return out;
  }

  /** Samples from fixed noise with the configured (or given) solver, from the EMA weights by default. */
  async sample(req: SampleRequest): Promise<SampleResult> {
    const c = this.config;
    const n = req.labels.length;
    const shape = [n, ...this.net.sampleShape];
    const weights = req.useEma === false ? this.params : this.ema;
    const { x, trajectory, nfe } = tf.tidy(() => {
      const res = sampleFlow(this.modelFn(weights), tf.tensor(req.noise, shape), tf.tensor1d(req.labels, 'int32'), {
        path: this.flow.path,
        prediction: c.prediction,
        sampler: req.sampler ?? c.sampler,
        steps: req.steps ?? c.sampleSteps,
        guidance: req.guidance ?? c.cfg,
        nullLabel: this.net.nullLabel,
        rng: req.rng ?? new Rng(c.seed + 1),
        keepTrajectory: req.keepTrajectory,
        grid: c.grid,
        gridOptions: c.grid === 'shifted' ? { shift: c.shift > 1 ? c.shift : undefined } : undefined,
      });
      return { x: res.x, trajectory: res.trajectory ?? [], nfe: res.nfe };
    });
    const xData = (await x.data()) as Float32Array;
    x.dispose();
    const traj: Float32Array[] = [];
    for (const tt of trajectory) {
      traj.push((await tt.data()) as Float32Array);
      tt.dispose();
    }
    return { x: xData, nfe, trajectory: req.keepTrajectory ? traj : undefined };
  }

  /** Copies every piece of state off the device (checkpoints, device-loss recovery). */
  async snapshot(): Promise<TrainerState> {
    const read = async (vars: Record<string, tf.Tensor>) => {
      const out: Record<string, Float32Array> = {};
      for (const [k, v] of Object.entries(vars)) out[k] = (await v.data()) as Float32Array;
      return out;
    };
    const adamM: Record<string, tf.Tensor> = {};
    const adamV: Record<string, tf.Tensor> = {};
    this.slots.forEach((s, i) => {
      adamM[this.trainableNames[i]] = s.m;
      adamV[this.trainableNames[i]] = s.v;
    });
    return { step: this.stepCount, rng: this.rng.state(), params: await read(this.params), ema: await read(this.ema), adamM: await read(adamM), adamV: await read(adamV) };
  }

  private restore(s: TrainerState): void {
    const put = (vars: Record<string, tf.Variable>, values: Record<string, Float32Array>, what: string, names: string[]) => {
      for (const name of names) {
        const v = values[name];
        const target = vars[name];
        if (!v) throw new Error(`checkpoint: ${what} tensor ${name} is missing`);
        if (v.length !== target.size) throw new Error(`checkpoint: ${what} tensor ${name} has ${v.length} values, the model needs ${target.size} (${target.shape.join('×')})`);
        tf.tidy(() => target.assign(tf.tensor(v, target.shape)));
      }
    };
    const all = this.net.specs.map((x) => x.name);
    put(this.params, s.params, 'weight', all);
    put(this.ema, s.ema, 'ema', all);
    const m: Record<string, tf.Variable> = {};
    const v: Record<string, tf.Variable> = {};
    this.slots.forEach((slot, i) => {
      m[this.trainableNames[i]] = slot.m;
      v[this.trainableNames[i]] = slot.v;
    });
    put(m, s.adamM, 'adam_m', this.trainableNames);
    put(v, s.adamV, 'adam_v', this.trainableNames);
    this.stepCount = s.step;
    this.rng = new RunRng(s.rng);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.pending) {
      p.scalars.dispose();
      p.perSample.dispose();
    }
    this.pending = [];
    for (const v of Object.values(this.params)) v.dispose();
    for (const v of Object.values(this.ema)) v.dispose();
    for (const s of this.slots) {
      s.m.dispose();
      s.v.dispose();
    }
  }
}
