// safetensors (huggingface/safetensors, README "Format"): an 8-byte little-endian u64 header
// length N, N bytes of UTF-8 JSON ({"name": {"dtype", "shape", "data_offsets": [begin, end]},
// "__metadata__": {string: string}}), then the byte buffer the offsets index into.
//
// Encoding follows the reference serializer byte for byte: tensors ordered by descending dtype
// (I64, F32, I32, F16, U8), then by name, so each tensor stays aligned to its element size;
// compact JSON with `__metadata__` first (keys sorted here, as the reference's HashMap order is
// arbitrary); the header padded with spaces to a multiple of 8.
//
// Decoding: F32, I32 and U8 come back as themselves, F16 widened to Float32Array, and I64
// narrowed to Int32Array, throwing if any value lies outside the int32 range.

export type Dtype = 'F32' | 'I32' | 'I64' | 'U8' | 'F16';
export type TensorData = Float32Array | Int32Array | Uint8Array | Uint16Array | BigInt64Array;

/**
 * Input to the encoder. Accepted data per dtype: F32 Float32Array; I32 Int32Array;
 * I64 BigInt64Array or Int32Array (widened); U8 Uint8Array; F16 Float32Array (rounded to
 * nearest even) or Uint16Array (raw half-precision bits).
 */
export interface Tensor { dtype: Dtype; shape: number[]; data: TensorData }

export interface DecodedTensor { dtype: Dtype; shape: number[]; data: Float32Array | Int32Array | Uint8Array }

export interface Safetensors { tensors: Record<string, DecodedTensor>; metadata: Record<string, string> }

/** The reference reader's limit on the header's size. */
export const MAX_HEADER_BYTES = 100_000_000;

const BYTES: Record<Dtype, number> = { U8: 1, F16: 2, I32: 4, F32: 4, I64: 8 };
// Rank of each dtype in the reference's `Dtype` enum; higher first on encode.
const RANK: Record<Dtype, number> = { U8: 0, F16: 1, I32: 2, F32: 3, I64: 4 };
const METADATA_KEY = '__metadata__';

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('safetensors: this code assumes a little-endian platform');

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function checkShape(shape: unknown, where: string): asserts shape is number[] {
  if (!Array.isArray(shape) || shape.some((s) => !Number.isSafeInteger(s) || s < 0)) {
    throw new Error(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
}

/** The little-endian bytes of one tensor's data in its file dtype. */
function tensorBytes(name: string, t: Tensor): Uint8Array {
  const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const { dtype, data } = t;
  const wrong = () => new Error(`safetensors: tensor ${JSON.stringify(name)}: dtype ${dtype} cannot be written from a ${data.constructor.name}`);
  switch (dtype) {
    case 'F32': if (data instanceof Float32Array) return bytesOf(data); throw wrong();
    case 'I32': if (data instanceof Int32Array) return bytesOf(data); throw wrong();
    case 'U8': if (data instanceof Uint8Array) return bytesOf(data); throw wrong();
    case 'I64':
      if (data instanceof BigInt64Array) return bytesOf(data);
      if (data instanceof Int32Array) return bytesOf(BigInt64Array.from(data, (v) => BigInt(v)));
      throw wrong();
    case 'F16':
      if (data instanceof Uint16Array) return bytesOf(data);
      if (data instanceof Float32Array) return bytesOf(Uint16Array.from(data, floatToHalf));
      throw wrong();
    default: throw new Error(`safetensors: tensor ${JSON.stringify(name)}: unknown dtype ${JSON.stringify(dtype)}; expected one of ${Object.keys(BYTES).join(', ')}`);
  }
}

export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const entries = Object.entries(tensors).map(([name, t]) => {
    if (name === '' || name === METADATA_KEY) throw new Error(`safetensors: ${JSON.stringify(name)} is not a valid tensor name`);
    checkShape(t.shape, `safetensors: tensor ${JSON.stringify(name)}`);
    const bytes = tensorBytes(name, t);
    const n = numel(t.shape);
    if (bytes.length !== n * BYTES[t.dtype]) {
      throw new Error(`safetensors: tensor ${JSON.stringify(name)}: shape [${t.shape}] holds ${n} elements, data has ${bytes.length / BYTES[t.dtype]}`);
    }
    return { name, dtype: t.dtype, shape: t.shape, bytes };
  });
  entries.sort((a, b) => RANK[b.dtype] - RANK[a.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const header: Record<string, unknown> = {};
  if (metadata) {
    const meta: Record<string, string> = {};
    for (const key of Object.keys(metadata).sort()) {
      if (typeof metadata[key] !== 'string') throw new Error(`safetensors: metadata ${JSON.stringify(key)} must be a string, got ${typeof metadata[key]}`);
      meta[key] = metadata[key];
    }
    header[METADATA_KEY] = meta;
  }
  let offset = 0;
  for (const e of entries) {
    Object.defineProperty(header, e.name, {
      value: { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.bytes.length] },
      enumerable: true, configurable: true, writable: true,
    });
    offset += e.bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const n = Math.ceil(json.length / 8) * 8;
  if (n > MAX_HEADER_BYTES) throw new Error(`safetensors: header of ${n} bytes is over the limit of ${MAX_HEADER_BYTES}`);

  const out = new Uint8Array(8 + n + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + n);
  let at = 8 + n;
  for (const e of entries) { out.set(e.bytes, at); at += e.bytes.length; }
  return out;
}

export function decodeSafetensors(input: ArrayBuffer | Uint8Array): Safetensors {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const fail = (why: string): never => { throw new Error(`safetensors: ${why}`); };
  if (bytes.length < 8) fail(`truncated file: ${bytes.length} bytes, shorter than the 8-byte header length`);
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) fail(`header too big: ${n64} bytes (limit ${MAX_HEADER_BYTES})`);
  const n = Number(n64);
  if (8 + n > bytes.length) fail(`truncated file: header says ${n} bytes but only ${bytes.length - 8} follow`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail('header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(`header must start with "{", got ${JSON.stringify(text.slice(0, 16))}`);
  let header: Record<string, unknown>; // text starts with "{", so whatever parses is an object
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON (${(e as Error).message})`);
  }

  const metadata: Record<string, string> = Object.create(null);
  const infos: { name: string; dtype: Dtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === METADATA_KEY) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(value as object)) {
        if (typeof v !== 'string') fail(`__metadata__ ${JSON.stringify(k)} must be a string, got ${JSON.stringify(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    const where = `tensor ${JSON.stringify(name)}`;
    if (typeof value !== 'object' || value === null) fail(`${where}: expected an object with dtype, shape, data_offsets`);
    const { dtype, shape, data_offsets: offs } = value as Record<string, unknown>;
    if (typeof dtype !== 'string' || !Object.hasOwn(BYTES, dtype)) fail(`${where}: unknown dtype ${JSON.stringify(dtype)}; this reader takes ${Object.keys(BYTES).join(', ')}`);
    checkShape(shape, `safetensors: ${where}`);
    if (!Array.isArray(offs) || offs.length !== 2 || offs.some((o) => !Number.isSafeInteger(o) || o < 0)) {
      fail(`${where}: data_offsets must be two non-negative integers, got ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as number[];
    if (end < begin) fail(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
    if (8 + n + end > bytes.length) fail(`${where}: data_offsets [${begin}, ${end}] run past the ${bytes.length - 8 - n}-byte buffer (truncated file?)`);
    const need = numel(shape as number[]) * BYTES[dtype as Dtype];
    if (end - begin !== need) fail(`${where}: shape [${shape}] × ${dtype} needs ${need} bytes, data_offsets [${begin}, ${end}] give ${end - begin}`);
    infos.push({ name, dtype: dtype as Dtype, shape: shape as number[], begin, end });
  }

  // The tensors must tile the buffer exactly: no overlaps, no holes, nothing after the last.
  infos.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const t of infos) {
    if (t.begin < covered) fail(`tensor ${JSON.stringify(t.name)}: data_offsets [${t.begin}, ${t.end}] overlap the previous tensor (which ends at ${covered})`);
    if (t.begin > covered) fail(`buffer bytes [${covered}, ${t.begin}) belong to no tensor`);
    covered = t.end;
  }
  const bufferLen = bytes.length - 8 - n;
  if (covered !== bufferLen) fail(`the tensors cover ${covered} of the ${bufferLen} buffer bytes; the rest belong to no tensor`);

  const tensors: Record<string, DecodedTensor> = Object.create(null);
  for (const t of infos) {
    // A copy aligned at 0. (Not bytes.slice: on a Node Buffer slice() is a view into a shared pool.)
    const raw = new Uint8Array(t.end - t.begin);
    raw.set(bytes.subarray(8 + n + t.begin, 8 + n + t.end));
    tensors[t.name] = { dtype: t.dtype, shape: t.shape, data: decodeData(t.name, t.dtype, raw.buffer) };
  }
  return { tensors, metadata };
}

function decodeData(name: string, dtype: Dtype, buf: ArrayBuffer): Float32Array | Int32Array | Uint8Array {
  switch (dtype) {
    case 'F32': return new Float32Array(buf);
    case 'I32': return new Int32Array(buf);
    case 'U8': return new Uint8Array(buf);
    case 'F16': return Float32Array.from(new Uint16Array(buf), halfToFloat);
    case 'I64': {
      const wide = new BigInt64Array(buf);
      const out = new Int32Array(wide.length);
      for (let i = 0; i < wide.length; i++) {
        const v = wide[i];
        if (v < -2147483648n || v > 2147483647n) throw new Error(`safetensors: tensor ${JSON.stringify(name)}: I64 value ${v} at index ${i} does not fit in int32`);
        out[i] = Number(v);
      }
      return out;
    }
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits → number (exact). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;                 // zero and subnormals
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** number → IEEE 754 binary16 bits, rounding to nearest even (overflow to ±Infinity; NaN stays NaN). */
export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff, frac = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (frac ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;                                   // rounds to zero
    const m = frac | 0x800000;                                  // implicit leading 1
    const shift = 14 - e;
    const half = m >> shift, rest = m & ((1 << shift) - 1), mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
  }
  const half = (e << 10) | (frac >> 13), rest = frac & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (and may reach Infinity).
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}
