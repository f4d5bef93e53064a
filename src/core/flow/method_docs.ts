// One description per method, shared by the UI tooltips and docs/methods.md (a test checks that every
// formula and summary appears there verbatim).

export type MethodGroup = 'path' | 'prediction' | 'timesteps' | 'weighting' | 'solver' | 'grid' | 'guidance' | 'reflow';

export interface MethodDoc {
  group: MethodGroup;
  key: string; // the stable name used in configs (e.g. 'logit-normal', 'dpmpp-2m')
  name: string;
  formula: string; // plain text / unicode
  summary: string; // one line
  source: string; // paper, year
}

const d = (group: MethodGroup, key: string, name: string, formula: string, summary: string, source: string): MethodDoc => ({ group, key, name, formula, summary, source });

export const METHOD_DOCS: readonly MethodDoc[] = [
  d('path', 'rf', 'Rectified flow', 'x_t = (1 − t)·x0 + t·ε', 'A straight line from data (t = 0) to noise (t = 1); the velocity ε − x0 is constant along each line.', 'Liu et al. 2022; Lipman et al. 2023; Esser et al. 2024 (SD3)'),
  d('path', 'cosine', 'Cosine', 'x_t = cos(πt/2)·x0 + sin(πt/2)·ε', 'Variance preserving quarter circle; a v-network predicts α·ε − σ·x0 and the flow multiplies it by π/2.', 'Nichol & Dhariwal 2021; SD3 §3.1'),
  d(
    'path',
    'vp',
    'VP, LDM-linear',
    'log ᾱ(t) = −T·((a + b·t)³ − a³)/(3b), a = √0.00085, b = √0.012 − √0.00085, T = 1000; α = √ᾱ, σ = √(1 − ᾱ)',
    'The DDPM schedule of Stable Diffusion made continuous; α(1) = 0.069, so pure noise is never reached.',
    'Ho et al. 2020; Rombach et al. 2022; Song et al. 2021; SD3 §3.1',
  ),
  d('path', 'edm', 'EDM', 'x_t = x0 + σ(t)·ε, σ(t) = exp(P_m + P_s·Φ⁻¹(t)), P_m = −1.2, P_s = 1.2', 'Variance exploding with log-normal noise levels for uniform t; input scaled by 1/√(σ² + 0.5²); sampling starts at σ = 80.', 'Karras et al. 2022; SD3 §3.1'),

  d('prediction', 'v', 'Velocity', 'v = α′(t)·x0 + σ′(t)·ε = dx_t/dt', 'The velocity of the path (ε − x0 on rf), which the ODE solvers integrate.', 'Lipman et al. 2023; Liu et al. 2022'),
  d('prediction', 'eps', 'Noise', 'ε̂, x̂0 = (x_t − σ·ε̂)/α', 'The noise; undefined where α = 0, so sampling starts at σ/α = 80 on rf and cosine.', 'Ho et al. 2020'),
  d('prediction', 'x0', 'Data', 'x̂0, ε̂ = (x_t − α·x̂0)/σ', 'The clean sample; undefined where σ = 0, so a step onto t = 0 is a DDIM step.', 'Kingma et al. 2021; Salimans & Ho 2022'),

  d('timesteps', 'uniform', 'Uniform', 'π(t) = 1', 'Every noise level is trained equally often.', 'Liu et al. 2022; Lipman et al. 2023'),
  d('timesteps', 'logit-normal', 'Logit-normal', 'π(t) = φ((logit t − m)/s)/(s·t·(1 − t))', 'Concentrates training on intermediate times; SD3 found m = 0, s = 1 best overall.', 'Esser et al. 2024 (SD3) §3.1'),
  d('timesteps', 'mode', 'Mode (heavy tails)', 't = 1 − u − s·(cos²(πu/2) − 1 + u), u ~ U(0, 1); π(t) = 1/|f′(f⁻¹(t))|', 'A mode in the middle for s > 0 with tails that keep the endpoints trained; s = 0 is uniform; −1 ≤ s ≤ 2/(π − 2).', 'Esser et al. 2024 (SD3) eq. 20–21'),
  d('timesteps', 'cosmap', 'CosMap', 't = 1 − 1/(tan(πu/2) + 1); π(t) = 2/(π − 2πt + 2πt²)', "Gives rf the log-SNR distribution of the cosine path's uniform timesteps.", 'Esser et al. 2024 (SD3) §3.1'),
  d('timesteps', 'beta', 'Beta', 'π(t) = t^(a−1)·(1 − t)^(b−1)/B(a, b)', 'A flexible family on [0, 1]; a > b puts more mass near noise, a < b near data.', 'Beta distribution; used for flow timesteps by Black et al. 2024 (π0)'),
  d('timesteps', 'shift', 'Resolution shift', "t′ = a·t/(1 + (a − 1)·t), a = √(m/n)", 'Moves any timestep density towards noise for m tokens against n at the base resolution; the density is pushed forward exactly.', 'Esser et al. 2024 (SD3) §5.3.2'),

  d('weighting', 'none', 'None', 'w(t) = 1', 'The plain squared error of the network output.', 'Ho et al. 2020 (simple loss)'),
  d('weighting', 'min-snr', 'Min-SNR-γ', 'w(t) = min(SNR, γ)/c², c² = 1 (x0), SNR (eps), D²/(σ²·vScale²) (v), D = α·σ′ − σ·α′', 'Caps the weight of the error in x0 at γ, expressed for each target; γ = 5 in the paper.', 'Hang et al. 2023'),
  d('weighting', 'density', 'Density', 'w(t) = π(t)/q(t)', 'Reweights timesteps drawn from q to train as if drawn from π, so sampling and weighting can be compared.', 'Kingma & Gao 2023; SD3 §2'),

  d('solver', 'euler', 'Euler', 'x ← x + h·u(x, t₀), h = t₁ − t₀', 'First order; 1 evaluation per step.', 'Euler; Liu et al. 2022'),
  d('solver', 'heun', 'Heun', 'x ← x + h·(u(x, t₀) + u(x + h·u(x, t₀), t₁))/2', 'Second order, 2 evaluations per step; a DDIM step where u(t₁) is infinite.', 'Karras et al. 2022, Algorithm 1'),
  d('solver', 'midpoint', 'Midpoint', 'x ← x + h·u(x + (h/2)·u(x, t₀), t₀ + h/2)', 'Second order, 2 evaluations per step; never evaluates the end of a step.', 'Explicit midpoint rule (Runge 1895)'),
  d('solver', 'rk4', 'RK4', 'x ← x + h·(k₁ + 2k₂ + 2k₃ + k₄)/6', 'Classical fourth-order Runge–Kutta, 4 evaluations per step; a DDIM step where u(t₁) is infinite.', 'Kutta 1901'),
  d('solver', 'dpmpp-2m', 'DPM-Solver++(2M)', 'x₁ = (σ₁/σ₀)·x₀ − α₁·(e^(−h) − 1)·D, D = (1 + 1/(2r))·x̂0₀ − x̂0₋₁/(2r), h = λ₁ − λ₀, λ = log(α/σ)', 'Second-order multistep in data-prediction form, 1 evaluation per step; first order on the first and the last step.', 'Lu et al. 2022 (DPM-Solver++), Algorithm 2'),
  d('solver', 'euler-ancestral', 'Euler ancestral', 'x₁ = α₁·x̂0 + √(σ₁² − c²)·ε̂ + c·z, c² = σ₁²·(1 − SNR₀/SNR₁)', 'Stochastic: a DDIM step with part of the noise replaced by fresh noise (the DDPM posterior); 1 evaluation per step.', 'Ho et al. 2020; Karras et al. 2022 (k-diffusion)'),

  d('grid', 'uniform', 'Uniform grid', 't_i = 1 − i/N', 'Equal steps in t.', 'Liu et al. 2022'),
  d('grid', 'shifted', 'Shifted grid', 't_i = a·u_i/(1 + (a − 1)·u_i), u_i = 1 − i/N', 'More steps near noise for a > 1 (default a = 3).', 'Esser et al. 2024 (SD3) §5.3.2'),
  d('grid', 'karras', 'Karras grid', 'σ_i = (σ_max^(1/ρ) + i/(N − 1)·(σ_min^(1/ρ) − σ_max^(1/ρ)))^ρ, ρ = 7, σ = σ/α mapped back to t', 'ρ-spaced noise levels from 80 (or the path’s largest) to 0.002, then 0.', 'Karras et al. 2022, eq. 5'),

  d('guidance', 'cfg', 'Classifier-free guidance', 'v = v_u + w·(v_c − v_u)', 'w = 1 is the conditional model (1 evaluation), w = 0 the unconditional one; other w cost 2 evaluations.', 'Ho & Salimans 2022'),
  d('reflow', 'straightness', 'Straightness', 'S = E ∫₀¹ ‖v̂(x_t, t) − (x1 − x0)‖² dt', 'How far the learned field is from straight lines between coupled pairs; 0 for a perfectly straight flow.', 'Liu et al. 2022'),
];

export function methodDoc(group: MethodGroup, key: string): MethodDoc {
  const m = METHOD_DOCS.find((e) => e.group === group && e.key === key);
  if (!m) throw new Error(`method: no ${group} named ${JSON.stringify(key)}`);
  return m;
}

/** The docs/methods.md sections, rendered from the entries (the page adds prose around them). */
export function renderMethodDocs(group: MethodGroup): string {
  return METHOD_DOCS.filter((e) => e.group === group)
    .map((e) => `### ${e.name} (\`${e.key}\`)\n\n- Formula: \`${e.formula}\`\n- ${e.summary}\n- Source: ${e.source}\n`)
    .join('\n');
}
