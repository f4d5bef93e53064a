import { crc32 as zlibCrc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { adler32, crc32, encodePng, zlibStored } from './png';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

interface Chunk { type: string; data: Uint8Array; crc: number }
function chunks(png: Uint8Array): Chunk[] {
  expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength), out: Chunk[] = [];
  for (let o = 8; o < png.length; ) {
    const len = v.getUint32(o);
    out.push({ type: String.fromCharCode(...png.subarray(o + 4, o + 8)), data: png.subarray(o + 8, o + 8 + len), crc: v.getUint32(o + 8 + len) });
    o += 12 + len;
  }
  return out;
}

describe('checksums', () => {
  it('CRC-32 and Adler-32 give the published check values', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(ascii('IEND'))).toBe(0xae426082);
    expect(adler32(ascii('Wikipedia'))).toBe(0x11e60398);
    expect(adler32(new Uint8Array(0))).toBe(1);
  });

  it('CRC-32 continues a running value and matches zlib on long input', () => {
    const data = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31 + (i >> 7)) & 255);
    expect(crc32(data.subarray(500), crc32(data.subarray(0, 500)))).toBe(crc32(data));
    expect(crc32(data)).toBe(zlibCrc32(data));
  });

  it('Adler-32 stays exact past the reduction interval', () => {
    const ff = new Uint8Array(70_000).fill(255);
    let a = 1, b = 0;
    for (const x of ff) { a = (a + x) % 65521; b = (b + a) % 65521; }
    expect(adler32(ff)).toBe(((b << 16) | a) >>> 0);
  });
});

describe('zlibStored', () => {
  it.each([0, 1, 65535, 65536, 200_000])('inflates back to %i bytes', (n) => {
    const data = Uint8Array.from({ length: n }, (_, i) => (i * 7) & 255);
    const z = zlibStored(data);
    expect(Buffer.compare(inflateSync(z), Buffer.from(data))).toBe(0);
    expect(((z[0] << 8) | z[1]) % 31).toBe(0);
  });
});

describe('encodePng', () => {
  it.each([[1, 0], [3, 2], [4, 6]] as const)('%i channel(s): chunks, CRCs and pixels are right', (channels, colourType) => {
    const w = 5, h = 3;
    const pixels = Uint8Array.from({ length: w * h * channels }, (_, i) => (i * 37) & 255);
    const cs = chunks(encodePng(pixels, w, h, channels));
    expect(cs.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    for (const c of cs) expect(c.crc).toBe(zlibCrc32(Buffer.concat([ascii(c.type), c.data])));
    const ihdr = new DataView(cs[0].data.buffer, cs[0].data.byteOffset, 13);
    expect([ihdr.getUint32(0), ihdr.getUint32(4), ...cs[0].data.subarray(8)]).toEqual([w, h, 8, colourType, 0, 0, 0]);
    const raw = inflateSync(cs[1].data);
    expect(raw.length).toBe(h * (1 + w * channels));
    for (let y = 0; y < h; y++) {
      const row = raw.subarray(y * (1 + w * channels), (y + 1) * (1 + w * channels));
      expect(row[0]).toBe(0); // filter: none
      expect(Array.from(row.subarray(1))).toEqual(Array.from(pixels.subarray(y * w * channels, (y + 1) * w * channels)));
    }
    expect(cs[2].data.length).toBe(0);
  });

  it('accepts Uint8ClampedArray (a grid\'s RGBA)', () => {
    const png = encodePng(new Uint8ClampedArray([1, 2, 3, 4]), 1, 1, 4);
    expect(Array.from(inflateSync(chunks(png)[1].data))).toEqual([0, 1, 2, 3, 4]);
  });

  it.each([
    ['a zero width', () => encodePng(new Uint8Array(0), 0, 1, 1), /width and height must be positive integers/],
    ['a fractional height', () => encodePng(new Uint8Array(2), 1, 1.5, 1), /width and height must be positive integers/],
    ['bad channels', () => encodePng(new Uint8Array(2), 1, 1, 2 as 1), /channels must be 1, 3 or 4, got 2/],
    ['a wrong length', () => encodePng(new Uint8Array(5), 2, 1, 3), /expected 2·1·3 = 6 bytes, got 5/],
  ])('rejects %s', (_, f, msg) => {
    expect(f).toThrow(msg);
  });
});
