// A minimal WebAssembly binary writer: just the sections and instructions our SIMD kernels need.
// Hand-assembling keeps the build free of a compiler toolchain; every kernel built with it is tested
// against tf.matMul on the cpu backend.

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/** Instruction helpers (opcodes from the WebAssembly core spec and the fixed-width SIMD proposal). */
export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (l: number) => [0x0c, ...uleb(l)],
  brIf: (l: number) => [0x0d, ...uleb(l)],
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32GeU: [0x4f],
  i32GtU: [0x4b],
  i32And: [0x71],
  f32Load: [0x2a, 2, 0],
  f32Store: [0x38, 2, 0],
  f32Add: [0x92],
  f32Mul: [0x94],
  f32Const0: [0x43, 0, 0, 0, 0],
  f32LoadAt: (offset: number) => [0x2a, 2, ...uleb(offset)],
  f32StoreAt: (offset: number) => [0x38, 2, ...uleb(offset)],
  f32Sub: [0x93],
  f32Div: [0x95],
  f32Sqrt: [0x91],
  f32Min: [0x96],
  f32Max: [0x97],
  f32Const: (v: number) => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)],
  i32LtU: [0x49],
  i32LtS: [0x48],
  i32LeU: [0x4d],
  i32Eqz: [0x45],
  i32Ne: [0x47],
  i32Eq: [0x46],
  i32ShrU: [0x76],
  if: [0x04, 0x40],
  else: [0x05],
  call: (f: number) => [0x10, ...uleb(f)],
  select: [0x1b],
  v128Load: [0xfd, 0x00, 2, 0], // align 2^2: our buffers are only 4-byte aligned
  v128LoadAt: (offset: number) => [0xfd, 0x00, 2, ...uleb(offset)],
  v128StoreAt: (offset: number) => [0xfd, 0x0b, 2, ...uleb(offset)],
  v128Load32Splat: (offset: number) => [0xfd, 0x09, 2, ...uleb(offset)],
  f32x4Const: (v: number) => [0xfd, 0x0c, ...[0, 1, 2, 3].flatMap(() => Array.from(new Uint8Array(new Float32Array([v]).buffer)))],
  i32x4Const: (v: number) => [0xfd, 0x0c, ...[0, 1, 2, 3].flatMap(() => Array.from(new Uint8Array(new Int32Array([v]).buffer)))],
  f32x4Sub: [0xfd, ...uleb(229)],
  /** Relaxed SIMD: a·b + c, fused where the CPU has FMA (one rounding) or mul+add (two); either is allowed. */
  f32x4RelaxedMadd: [0xfd, ...uleb(0x105)],
  f32x4Div: [0xfd, ...uleb(231)],
  f32x4Min: [0xfd, ...uleb(232)],
  f32x4Max: [0xfd, ...uleb(233)],
  /** Pseudo-min/max: b < a ? b : a and a < b ? b : a (x86 minps/maxps). */
  f32x4Pmin: [0xfd, ...uleb(234)],
  f32x4Pmax: [0xfd, ...uleb(235)],
  f32x4Sqrt: [0xfd, ...uleb(227)],
  f32x4Neg: [0xfd, ...uleb(225)],
  f32x4Abs: [0xfd, ...uleb(224)],
  f32x4Nearest: [0xfd, ...uleb(0x6a)],
  f32x4Lt: [0xfd, ...uleb(0x43)],
  f32x4Gt: [0xfd, ...uleb(0x44)],
  i32x4Shl: [0xfd, ...uleb(171)],
  i32x4Add: [0xfd, ...uleb(174)],
  i32x4TruncSatF32x4S: [0xfd, ...uleb(248)],
  f32x4ConvertI32x4S: [0xfd, ...uleb(250)],
  v128And: [0xfd, ...uleb(0x4e)],
  v128Or: [0xfd, ...uleb(0x50)],
  v128Xor: [0xfd, ...uleb(0x51)],
  v128Bitselect: [0xfd, ...uleb(0x52)],
  v128Store: [0xfd, 0x0b, 2, 0],
  v128Zero: [0xfd, 0x0c, ...new Array(16).fill(0)],
  f32x4Splat: [0xfd, 0x13],
  f32x4Extract: (lane: number) => [0xfd, 0x1f, lane],
  f32x4Add: [0xfd, ...uleb(228)],
  f32x4Mul: [0xfd, ...uleb(230)],
};

export interface FuncDef {
  name: string;
  params: number[];
  results?: number[];
  locals: number[]; // types of extra locals, in order after the params
  body: number[][];
}

/** A module importing `env.memory` (shared when `shared`) and exporting `funcs`. */
export function assembleModule(funcs: FuncDef[], shared: boolean): Uint8Array {
  const types = funcs.map((f) => [0x60, ...vec(f.params.map((p) => [p])), ...vec((f.results ?? []).map((r) => [r]))]);
  const memLimits = shared ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const imports = vec([[...str('env'), ...str('memory'), 0x02, ...memLimits]]);
  const fnSec = vec(funcs.map((_, i) => uleb(i)));
  const exports = vec(funcs.map((f, i) => [...str(f.name), 0x00, ...uleb(i)]));
  const code = vec(
    funcs.map((f) => {
      const groups: number[][] = [];
      for (const t of f.locals) {
        const last = groups[groups.length - 1];
        if (last && last[1] === t) last[0]++;
        else groups.push([1, t]);
      }
      const body = [...vec(groups.map(([n, t]) => [...uleb(n), t])), ...f.body.flat(), ...op.end];
      return [...uleb(body.length), ...body];
    }),
  );
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...section(1, vec(types)), ...section(2, imports), ...section(3, fnSec), ...section(7, exports), ...section(10, code)]);
}

/** Function builder with named locals (params first, then locals in order of first use). */
export class Fn {
  readonly names = new Map<string, number>();
  readonly locals: number[] = [];
  readonly body: number[][] = [];
  readonly paramTypes: number[];
  constructor(
    readonly name: string,
    params: (string | [string, number])[], // a name (i32) or [name, type]
    readonly results: number[] = [],
  ) {
    this.paramTypes = params.map((p) => (typeof p === 'string' ? I32 : p[1]));
    params.forEach((p, i) => this.names.set(typeof p === 'string' ? p : p[0], i));
  }
  /** Index of a local, declared on first use with type `type`. */
  l(name: string, type = I32): number {
    let i = this.names.get(name);
    if (i === undefined) {
      i = this.paramTypes.length + this.locals.length;
      this.names.set(name, i);
      this.locals.push(type);
    }
    return i;
  }
  get = (name: string) => op.get(this.l(name));
  set = (name: string) => op.set(this.l(name));
  tee = (name: string) => op.tee(this.l(name));
  v = (name: string) => op.get(this.l(name, V128));
  vset = (name: string) => op.set(this.l(name, V128));
  emit(...code: number[][]): void {
    this.body.push(...code);
  }
  def(): FuncDef {
    return { name: this.name, params: this.paramTypes, results: this.results, locals: this.locals, body: this.body };
  }
}
