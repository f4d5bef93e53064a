// Presets that teach: each story is a URL (a query over a core preset) with a paragraph saying what to
// watch, and the alternatives to compare it with. Registered by stable id, like the presets.

export interface StoryVariant {
  label: string;
  query: string;
}

export interface Story {
  id: string;
  title: string;
  paragraph: string;
  /** The panel to look at (its data-testid), so the gallery can point there. */
  watch: string;
  /** The first variant is the story's own URL. */
  variants: readonly StoryVariant[];
}

export const STORIES: readonly Story[] = [
  {
    id: 'timesteps',
    title: 'Uniform vs logit-normal timesteps',
    watch: 'panel-timesteps',
    paragraph:
      'The network learns a velocity at every noise level t, but not every t is equally hard: near pure noise and near clean data the target is nearly obvious. Uniform sampling trains all t equally often; logit-normal (m = 0, s = 1, the best in SD3) spends most steps in the middle. Train each for a few hundred steps: the Timestep sampling panel shows the density and the t actually drawn, the heat map shows where the loss stays high, and the samples show which learns faster.',
    variants: [
      { label: 'uniform', query: 'preset=mnist-tiny&timesteps=uniform' },
      { label: 'logit-normal', query: 'preset=mnist-tiny&timesteps=logit-normal:0,1' },
    ],
  },
  {
    id: 'paths',
    title: 'Linear (rectified flow) vs cosine path',
    watch: 'panel-schedule',
    paragraph:
      'Both paths carry data (t = 0) to noise (t = 1). On the straight line x_t = (1 − t)·x0 + t·ε the signal fades linearly and the velocity ε − x0 is constant along each line; the cosine path keeps more of the image until late and then loses it fast. The Noise schedule panel plots α, σ and log-SNR and noises one real training image at t = 0, 0.1, …, 1 under each path you tick. Then train both and compare the samples.',
    variants: [
      { label: 'linear (rf)', query: 'preset=mnist-tiny&path=rf' },
      { label: 'cosine', query: 'preset=mnist-tiny&path=cosine' },
    ],
  },
  {
    id: 'solvers',
    title: 'Euler vs Heun at 4 steps',
    watch: 'panel-samples',
    paragraph:
      'Train the 2D checkerboard for a thousand steps, then switch the solver in the Samples panel without stopping training. With only 4 steps Euler follows each velocity in a straight line and overshoots where the learned flow curves; Heun corrects every step with a second evaluation. Heun costs 8 network evaluations (NFE) to Euler’s 4, so for a fair fight give Euler 8 steps too. The particles show the paths each solver takes.',
    variants: [
      { label: 'Euler, 4 steps', query: 'preset=toy-2d&sampler=euler&sampleSteps=4' },
      { label: 'Heun, 4 steps', query: 'preset=toy-2d&sampler=heun&sampleSteps=4' },
      { label: 'Euler, 8 steps (same NFE)', query: 'preset=toy-2d&sampler=euler&sampleSteps=8' },
    ],
  },
  {
    id: 'attention-memory',
    title: 'Naive vs flash attention memory',
    watch: 'panel-attention',
    paragraph:
      'Naive attention builds the full N×N score matrix of every head and keeps it for the backward pass, so its memory grows with N². Flash attention (Dao et al. 2022) computes the same softmax block by block and recomputes the scores in the backward pass: memory grows with N. mnist-small has 196 tokens per image. In the Attention panel press Measure: one forward and backward pass of each variant at growing lengths, peak memory and time side by side.',
    variants: [
      { label: 'naive', query: 'preset=mnist-small&attention=naive' },
      { label: 'flash', query: 'preset=mnist-small&attention=flash' },
      { label: 'chunked', query: 'preset=mnist-small&attention=chunked' },
    ],
  },
  {
    id: 'guidance',
    title: 'Guidance scale from 0 to 7',
    watch: 'panel-samples',
    paragraph:
      'Classifier-free guidance (Ho & Salimans 2022) trains one network with and without the label (10% of labels dropped) and samples with v = v_u + w·(v_c − v_u). w = 0 ignores the label, w = 1 is the plain conditional model, and larger w pushes every sample harder towards its class: cleaner digits, less variety, then over-saturated strokes. Train for a few hundred steps and drag the guidance slider: the same noise is re-sampled while training goes on.',
    variants: [
      { label: 'w = 0', query: 'preset=mnist-tiny&cfg=0' },
      { label: 'w = 1', query: 'preset=mnist-tiny&cfg=1' },
      { label: 'w = 3', query: 'preset=mnist-tiny&cfg=3' },
      { label: 'w = 7', query: 'preset=mnist-tiny&cfg=7' },
    ],
  },
  {
    id: 'shift',
    title: 'Shifting the timesteps toward noise',
    watch: 'panel-timesteps',
    paragraph:
      'Larger images keep more signal at the same noise level, so SD3 shifts training times towards noise: t′ = s·t / (1 + (s − 1)·t). Set the shift and watch the density in the Timestep sampling panel move right, then compare what the model learns first.',
    variants: [
      { label: 'shift 3', query: 'preset=mnist-tiny&shift=3' },
      { label: 'no shift', query: 'preset=mnist-tiny&shift=1' },
    ],
  },
  {
    id: 'gaussians',
    title: 'Flows in 2D: eight Gaussians',
    watch: 'panel-samples',
    paragraph:
      'A small MLP learns to carry a Gaussian cloud onto eight modes on a circle, one class per mode. The particles flow from noise (t = 1) to data (t = 0) along the learned field, drawn as arrows; early in training the paths bend and blur, later they run almost straight, which is what rectified flow aims for.',
    variants: [{ label: '8 Gaussians', query: 'preset=toy-2d&dataset=8gaussians&cfg=1' }],
  },
];

export function getStory(id: string): Story {
  const s = STORIES.find((x) => x.id === id);
  if (!s) throw new Error(`story: unknown id ${JSON.stringify(id)}; accepted: ${STORIES.map((x) => x.id).join(', ')}`);
  return s;
}
