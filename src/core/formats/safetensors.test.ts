import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, floatToHalf, halfToFloat, MAX_HEADER_BYTES, type Tensor } from './safetensors';

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const u64 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >> 24) & 255, 0, 0, 0, 0];

/** A file from a header string and buffer bytes, the header padded with spaces to 8 bytes (or not, with pad false). */
function file(header: string, buffer: number[] = [], pad = true): Uint8Array {
  const h = ascii(header);
  while (pad && h.length % 8) h.push(0x20);
  return Uint8Array.from([...u64(h.length), ...h, ...buffer]);
}

describe('safetensors encode', () => {
  it('matches a hand-built file byte for byte', () => {
    // Tensors sorted by dtype (F32 before U8), then name; __metadata__ first; header padded to 8.
    const header = '{"__metadata__":{"format":"pt","step":"7"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
      + '"b":{"dtype":"U8","shape":[3],"data_offsets":[8,11]}}';
    expect(header.length).toBe(149);
    const expected = Uint8Array.from([
      152, 0, 0, 0, 0, 0, 0, 0,             // 149 rounded up to a multiple of 8
      ...ascii(header), 0x20, 0x20, 0x20,
      0x00, 0x00, 0x80, 0x3f,               // 1.0f
      0x00, 0x00, 0x00, 0xc0,               // -2.0f
      1, 2, 3,
    ]);
    const out = encodeSafetensors(
      { b: { dtype: 'U8', shape: [3], data: Uint8Array.of(1, 2, 3) }, a: { dtype: 'F32', shape: [2], data: Float32Array.of(1, -2) } },
      { step: '7', format: 'pt' },
    );
    expect(Array.from(out)).toEqual(Array.from(expected));
  });

  it('matches the reference implementation\'s own test vectors', () => {
    // safetensors/src/tensor.rs: test_serialization, test_serialization_forced_alignement, test_empty.
    const data = Float32Array.of(0, 1, 2, 3, 4, 5);
    const floats = [0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64];
    expect(Array.from(encodeSafetensors({ 'attn.0': { dtype: 'F32', shape: [1, 2, 3], data } })))
      .toEqual([64, 0, 0, 0, 0, 0, 0, 0, ...ascii('{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}'), ...floats]);
    expect(Array.from(encodeSafetensors({ attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data } })))
      .toEqual([72, 0, 0, 0, 0, 0, 0, 0, ...ascii('{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       '), ...floats]);
    expect(Array.from(encodeSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect(Array.from(encodeSafetensors({}, { framework: 'pt' })))
      .toEqual([40, 0, 0, 0, 0, 0, 0, 0, ...ascii('{"__metadata__":{"framework":"pt"}}     ')]);
  });

  it('keeps every tensor aligned to its element size', () => {
    const out = encodeSafetensors({
      u: { dtype: 'U8', shape: [3], data: Uint8Array.of(1, 2, 3) },
      h: { dtype: 'F16', shape: [1], data: Float32Array.of(1) },
      f: { dtype: 'F32', shape: [1], data: Float32Array.of(1) },
      i: { dtype: 'I64', shape: [1], data: Int32Array.of(1) },
    });
    const n = Number(new DataView(out.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(out.subarray(8, 8 + n)));
    expect(Object.keys(header)).toEqual(['i', 'f', 'h', 'u']);
    for (const [, info] of Object.entries(header) as [string, { dtype: string; data_offsets: number[] }][]) {
      expect((8 + n + info.data_offsets[0]) % { I64: 8, F32: 4, F16: 2, U8: 1 }[info.dtype]!).toBe(0);
    }
  });

  it.each([
    ['a dtype/array mismatch', { t: { dtype: 'F32', shape: [1], data: Int32Array.of(1) } }, /tensor "t": dtype F32 cannot be written from a Int32Array/],
    ['an unknown dtype', { t: { dtype: 'BF16', shape: [1], data: Uint16Array.of(1) } }, /unknown dtype "BF16"/],
    ['a shape/length mismatch', { t: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } }, /shape \[2,2\] holds 4 elements, data has 3/],
    ['a bad shape', { t: { dtype: 'F32', shape: [-1], data: new Float32Array(0) } }, /shape must be an array of non-negative integers/],
    ['the reserved name', { __metadata__: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } }, /"__metadata__" is not a valid tensor name/],
  ])('rejects %s', (_, tensors, msg) => {
    expect(() => encodeSafetensors(tensors as unknown as Record<string, Tensor>)).toThrow(msg);
  });

  it('rejects non-string metadata', () => {
    expect(() => encodeSafetensors({}, { step: 3 as unknown as string })).toThrow(/metadata "step" must be a string/);
  });
});

describe('safetensors round trip', () => {
  it('keeps every dtype, shape, value and the metadata', () => {
    const tensors: Record<string, Tensor> = {
      'blocks.0.attn.qkv.weight': { dtype: 'F32', shape: [2, 3], data: Float32Array.of(0.5, -1.25, 3e-8, Infinity, -0, 1e30) },
      labels: { dtype: 'I64', shape: [4], data: Int32Array.of(0, -1, 2147483647, -2147483648) },
      big: { dtype: 'I64', shape: [1], data: BigInt64Array.of(-5n) },
      counts: { dtype: 'I32', shape: [2, 1], data: Int32Array.of(7, -8) },
      mask: { dtype: 'U8', shape: [3], data: Uint8Array.of(0, 255, 9) },
      half: { dtype: 'F16', shape: [3], data: Float32Array.of(1, -0.5, 65504) },
      bits: { dtype: 'F16', shape: [1], data: Uint16Array.of(0x3555) },
      scalar: { dtype: 'F32', shape: [], data: Float32Array.of(42) },
      empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
    };
    // A tensor named like Object.prototype's accessor must stay a plain entry.
    Object.defineProperty(tensors, '__proto__', { value: { dtype: 'U8', shape: [1], data: Uint8Array.of(1) }, enumerable: true });
    const metadata = { config: JSON.stringify({ dim: 64, note: 'ünïcode "quoted"\n' }), step: '12' };
    const out = decodeSafetensors(encodeSafetensors(tensors, metadata));
    expect({ ...out.metadata }).toEqual(metadata);
    expect(Object.keys(out.tensors).sort()).toEqual(Object.keys(tensors).sort());
    expect(out.tensors['blocks.0.attn.qkv.weight']).toEqual({ dtype: 'F32', shape: [2, 3], data: tensors['blocks.0.attn.qkv.weight'].data });
    expect(out.tensors.labels).toEqual({ dtype: 'I64', shape: [4], data: Int32Array.of(0, -1, 2147483647, -2147483648) });
    expect(out.tensors.big.data).toEqual(Int32Array.of(-5));
    expect(out.tensors.counts.data).toEqual(Int32Array.of(7, -8));
    expect(out.tensors.mask.data).toEqual(Uint8Array.of(0, 255, 9));
    expect(out.tensors.half).toEqual({ dtype: 'F16', shape: [3], data: Float32Array.of(1, -0.5, 65504) });
    expect(out.tensors.bits.data[0]).toBeCloseTo(1 / 3, 3);
    expect(out.tensors.scalar).toEqual({ dtype: 'F32', shape: [], data: Float32Array.of(42) });
    expect(out.tensors.empty).toEqual({ dtype: 'F32', shape: [0, 4], data: new Float32Array(0) });
    expect(Object.getPrototypeOf(out.tensors)).toBe(null);
    expect(Object.getOwnPropertyDescriptor(out.tensors, '__proto__')?.value.data).toEqual(Uint8Array.of(1));
  });

  it('decodes from an ArrayBuffer and from an unaligned view', () => {
    const bytes = encodeSafetensors({ w: { dtype: 'F32', shape: [2], data: Float32Array.of(1, 2) } });
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(decodeSafetensors(bytes.slice().buffer).tensors.w.data).toEqual(Float32Array.of(1, 2));
    expect(decodeSafetensors(shifted.subarray(1)).tensors.w.data).toEqual(Float32Array.of(1, 2));
  });

  it('reads a file in any tensor order and an unpadded header', () => {
    const f = file('{"b":{"dtype":"U8","shape":[1],"data_offsets":[4,5]},"a":{"dtype":"I32","shape":[],"data_offsets":[0,4]}}', [5, 0, 0, 0, 9], false);
    const { tensors, metadata } = decodeSafetensors(f);
    expect(tensors.a.data).toEqual(Int32Array.of(5));
    expect(tensors.b.data).toEqual(Uint8Array.of(9));
    expect(metadata).toEqual({});
  });
});

describe('safetensors decode errors', () => {
  const t = (dtype: string, shape: string, offs: string) => `{"dtype":"${dtype}","shape":${shape},"data_offsets":${offs}}`;
  const big = new Uint8Array(16);
  new DataView(big.buffer).setBigUint64(0, BigInt(MAX_HEADER_BYTES + 1), true);
  const i64 = new Uint8Array(8);
  new DataView(i64.buffer).setBigInt64(0, 1n << 40n, true);

  it.each([
    ['a file shorter than 8 bytes', Uint8Array.of(1, 2, 3), /truncated file: 3 bytes/],
    ['a header too big', big, /header too big: 100000001 bytes/],
    ['a header past the end', Uint8Array.from([...u64(100), ...ascii('{}')]), /truncated file: header says 100 bytes but only 2 follow/],
    ['bad UTF-8', file('{"\xff":{}}'), /not valid UTF-8/],
    ['a header not starting with {', file('  {}'), /header must start with "\{"/],
    ['bad JSON', file('{"a":'), /header is not valid JSON/],
    ['non-string metadata', file('{"__metadata__":{"step":3}}'), /__metadata__ "step" must be a string/],
    ['metadata not an object', file('{"__metadata__":"x"}'), /__metadata__ must be an object of strings/],
    ['a tensor entry not an object', file('{"a":3}'), /tensor "a": expected an object/],
    ['an unknown dtype', file(`{"a":${t('BF16', '[1]', '[0,2]')}}`, [0, 0]), /tensor "a": unknown dtype "BF16"; this reader takes U8, F16, I32, F32, I64/],
    ['a bad shape', file(`{"a":${t('U8', '[1.5]', '[0,1]')}}`, [0]), /tensor "a": shape must be an array of non-negative integers/],
    ['bad offsets', file(`{"a":${t('U8', '[1]', '[0]')}}`, [0]), /data_offsets must be two non-negative integers/],
    ['reversed offsets', file(`{"a":${t('U8', '[0]', '[1,0]')}}`, [0]), /data_offsets \[1, 0\] end before they begin/],
    ['offsets out of range', file(`{"a":${t('U8', '[4]', '[0,4]')}}`, [1, 2]), /data_offsets \[0, 4\] run past the 2-byte buffer/],
    ['a shape×dtype size mismatch', file(`{"a":${t('F32', '[2]', '[0,4]')}}`, [0, 0, 0, 0]), /shape \[2\] × F32 needs 8 bytes, data_offsets \[0, 4\] give 4/],
    ['overlapping tensors', file(`{"a":${t('U8', '[2]', '[0,2]')},"b":${t('U8', '[2]', '[1,3]')}}`, [0, 0, 0]), /tensor "b": data_offsets \[1, 3\] overlap the previous tensor \(which ends at 2\)/],
    ['a hole between tensors', file(`{"a":${t('U8', '[1]', '[0,1]')},"b":${t('U8', '[1]', '[2,3]')}}`, [0, 0, 0]), /buffer bytes \[1, 2\) belong to no tensor/],
    ['bytes after the last tensor', file(`{"a":${t('U8', '[1]', '[0,1]')}}`, [0, 0]), /the tensors cover 1 of the 2 buffer bytes/],
    ['an I64 value beyond int32', file(`{"a":${t('I64', '[1]', '[0,8]')}}`, Array.from(i64)), /tensor "a": I64 value 1099511627776 at index 0 does not fit in int32/],
  ])('rejects %s', (_, bytes, msg) => {
    expect(() => decodeSafetensors(bytes)).toThrow(msg);
  });
});

describe('half precision', () => {
  it('decodes known values', () => {
    expect([0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x8000, 0x7c00, 0xfc00].map(halfToFloat))
      .toEqual([1, -2, 65504, 2 ** -24, 2 ** -14, -0, Infinity, -Infinity]);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  it('encodes known values, rounding to nearest even', () => {
    expect([1, -2, 65504, 65519, 65520, 2 ** -24, 2 ** -25, 1.5 * 2 ** -25, 0.1, 1e-10, -0].map(floatToHalf))
      .toEqual([0x3c00, 0xc000, 0x7bff, 0x7bff, 0x7c00, 0x0001, 0x0000, 0x0001, 0x2e66, 0x0000, 0x8000]);
    expect(floatToHalf(NaN) & 0x7fff).toBeGreaterThan(0x7c00);
  });

  it('round-trips every half and rounds every midpoint to even', () => {
    let bad = '';
    for (let h = 0; h < 0x10000 && !bad; h++) {
      const v = halfToFloat(h);
      if (Number.isNaN(v)) continue;
      if (floatToHalf(v) !== h && !(v === 0 && floatToHalf(v) === h)) bad = `half 0x${h.toString(16)}`;
      // Midpoint to the next half of the same sign (exactly representable in float32).
      if ((h & 0x7fff) < 0x7bff) {
        const mid = (v + halfToFloat(h + 1)) / 2;
        const even = h % 2 === 0 ? h : h + 1;
        if (floatToHalf(mid) !== even) bad = `midpoint after 0x${h.toString(16)} gave 0x${floatToHalf(mid).toString(16)}`;
      }
    }
    expect(bad).toBe('');
  });
});

describe('decodeSafetensors on a Node Buffer', () => {
  it('decodes a Buffer that is a view at a non-zero offset of a larger pool', () => {
    const file = encodeSafetensors({ a: { dtype: 'F32', shape: [3], data: Float32Array.from([1, 2, 3]) }, b: { dtype: 'I32', shape: [2], data: Int32Array.from([7, -8]) } });
    const pool = Buffer.alloc(file.length + 40);
    pool.set(file, 16);
    const view = pool.subarray(16, 16 + file.length); // what fs.readFileSync can return for small files
    const { tensors } = decodeSafetensors(view);
    expect(Array.from(tensors.a.data)).toEqual([1, 2, 3]);
    expect(Array.from(tensors.b.data)).toEqual([7, -8]);
  });
});
