// 2D toy distributions, each scaled so the coordinates have roughly unit spread.
// Every draw consumes a fixed number of rng values per sample, so a seed fixes the stream.
import type { Rng } from '../rng';
import { proceduralDataset } from './common';
import type { Dataset, DatasetInfo } from './types';

const points = (name: string, classNames: string[], description: string): DatasetInfo => ({
  name, kind: 'points', shape: [2], numClasses: classNames.length, classNames, description,
});

export const CHECKERBOARD_INFO = points('checkerboard', ['checkerboard'],
  'Checkerboard (FFJORD): uniform on 8 of the 16 unit squares of [-2, 2]², one class');
export const MOONS_INFO = points('moons', ['upper moon', 'lower moon'],
  'Two moons: two interleaved half circles, class = moon');
export const GAUSSIANS8_INFO = points('8gaussians', ['0°', '45°', '90°', '135°', '180°', '225°', '270°', '315°'],
  '8 Gaussians on a circle of radius √2 (σ 0.125), class = mode');
export const SPIRALS_INFO = points('spirals', ['arm A', 'arm B'],
  'Two spirals: two interleaved arms of 1.5 turns, class = arm');

/** FFJORD's `checkerboard` (Grathwohl et al. 2019, `lib/toy_data.py`) without its final ×2, so it fills [-2, 2]². */
export function createCheckerboard(): Dataset {
  return proceduralDataset(CHECKERBOARD_INFO, (rng, x, o) => {
    const x1 = rng.uniform() * 4 - 2;
    const x2 = rng.uniform() - 2 * rng.int(2) + (((Math.floor(x1) % 2) + 2) % 2);
    x[o] = x1;
    x[o + 1] = x2;
    return 0;
  });
}

const MOONS_NOISE = 0.05;

/** sklearn's `make_moons` (noise 0.05), centred: the upper moon is (cos θ, sin θ), the lower (1 − cos θ, ½ − sin θ). */
export function createMoons(): Dataset {
  return proceduralDataset(MOONS_INFO, (rng, x, o) => {
    const label = rng.int(2);
    const theta = Math.PI * rng.uniform();
    const [nx, ny] = pair(rng);
    const px = label === 0 ? Math.cos(theta) : 1 - Math.cos(theta);
    const py = label === 0 ? Math.sin(theta) : 0.5 - Math.sin(theta);
    x[o] = px - 0.5 + MOONS_NOISE * nx;
    x[o + 1] = py - 0.25 + MOONS_NOISE * ny;
    return label;
  });
}

const RADIUS_8G = Math.SQRT2; // each coordinate then has variance ≈ 1
const SIGMA_8G = 0.125;       // FFJORD's ratio σ / radius = 0.5 / 4

/** FFJORD's `8gaussians`, rescaled: mode k sits at angle k·45° (0° is +x, counter-clockwise). */
export function createGaussians8(): Dataset {
  return proceduralDataset(GAUSSIANS8_INFO, (rng, x, o) => {
    const k = rng.int(8);
    const a = (k * Math.PI) / 4;
    const [nx, ny] = pair(rng);
    x[o] = RADIUS_8G * Math.cos(a) + SIGMA_8G * nx;
    x[o + 1] = RADIUS_8G * Math.sin(a) + SIGMA_8G * ny;
    return k;
  });
}

const SPIRAL_TURNS = 1.5;
const SPIRAL_RADIUS = 2;
const SPIRAL_NOISE = 0.05;

/**
 * Two spirals in the spirit of FFJORD's `2spirals`: u = √U so points are uniform in arc area,
 * angle 2π·1.5·u, radius 2u; arm B is arm A turned by 180°.
 */
export function createSpirals(): Dataset {
  return proceduralDataset(SPIRALS_INFO, (rng, x, o) => {
    const label = rng.int(2);
    const u = Math.sqrt(rng.uniform());
    const a = 2 * Math.PI * SPIRAL_TURNS * u + label * Math.PI;
    const [nx, ny] = pair(rng);
    x[o] = SPIRAL_RADIUS * u * Math.cos(a) + SPIRAL_NOISE * nx;
    x[o + 1] = SPIRAL_RADIUS * u * Math.sin(a) + SPIRAL_NOISE * ny;
    return label;
  });
}

/** Two independent standard normals from one Box–Muller pair (exactly two uniforms). */
function pair(rng: Rng): [number, number] {
  const r = Math.sqrt(-2 * Math.log(rng.uniform()));
  const a = 2 * Math.PI * rng.uniform();
  return [r * Math.cos(a), r * Math.sin(a)];
}
