// A register-blocked fp32 matrix product in hand-assembled WASM SIMD, run in place on tfjs-wasm's heap.
//   C[M, N] = A[M, K] · B[K, N] (+ bias[N]),  A read through (row, k) byte strides, so Aᵀ costs nothing;
//   B rows contiguous (a transposed B is packed first, see wasmGemm).
// Structure after BLIS/GotoBLAS (Goto & van de Geijn 2008): an R×4V micro-tile of C lives in SIMD registers
// while k runs over a block of K (v128.load32_splat broadcasts one A value, V loads bring a row of B); blocks
// of kc × nc of B are packed into contiguous column panels (packB) and stay in L2 across the row panels of A.
// Packing B costs one copy of B per product, against M/R reads of it. No packing of A: the strided loads
// are what let xᵀ·dy (the weight gradient) run without a copy.
// Measured on one thread, the module alone (best of 10 interleaved runs, 2-core Zen 3 VM): packing took the
// 12544×128·128×512 projection from 38 to 43 GFLOP/s and the 128×12544·12544×512 weight gradient from 30
// to 38 (rows of B 2 KiB apart fall in two sets of the 32 KiB L1 when read in place). In a two-thread
// training step the gain is within the machine's noise.

import { assembleModule, F32, Fn, op, V128, type FuncDef } from './wasm_asm';

const MK_PARAMS = ['pa', 'sAi', 'sAk', 'pb', 'sBk', 'pc', 'sCi', 'kn', 'mode', 'pbias'];
// mode: 0 starts the tile from zero, 1 from the bias row, 2 from C (a later block of K).

/** Micro-kernel: an R × 4V tile of C over kn steps of k; `fma` uses relaxed SIMD's f32x4.relaxed_madd. */
function microKernel(R: number, V: number, fma: boolean): FuncDef {
  const f = new Fn(`mk${R}x${V}`, MK_PARAMS);
  const c = (r: number, v: number) => `c${r}_${v}`;
  for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) f.l(c(r, v), V128);
  // initial accumulators (locals start at zero: mode 0 needs nothing)
  f.emit(f.get('mode'), op.i32(1), op.i32Eq, op.if);
  for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) f.emit(f.get('pbias'), op.v128LoadAt(16 * v), f.vset(c(r, v)));
  f.emit(op.end);
  f.emit(f.get('mode'), op.i32(2), op.i32Eq, op.if);
  for (let r = 0; r < R; r++) {
    f.emit(f.get('pc'), op.i32(r), f.get('sCi'), op.i32Mul, op.i32Add, f.set('row'));
    for (let v = 0; v < V; v++) f.emit(f.get('row'), op.v128LoadAt(16 * v), f.vset(c(r, v)));
  }
  f.emit(op.end);
  for (let r = 0; r < R; r++) f.emit(f.get('pa'), op.i32(r), f.get('sAi'), op.i32Mul, op.i32Add, f.set(`p${r}`));
  f.emit(f.get('kn'), f.set('k'));
  f.emit(op.block, op.loop, f.get('k'), op.i32Eqz, op.brIf(1));
  for (let v = 0; v < V; v++) f.emit(f.get('pb'), op.v128LoadAt(16 * v), f.vset(`b${v}`));
  for (let r = 0; r < R; r++) {
    f.emit(f.get(`p${r}`), op.v128Load32Splat(0), f.vset('a'));
    for (let v = 0; v < V; v++) {
      if (fma) f.emit(f.v('a'), f.v(`b${v}`), f.v(c(r, v)), op.f32x4RelaxedMadd, f.vset(c(r, v)));
      else f.emit(f.v(c(r, v)), f.v('a'), f.v(`b${v}`), op.f32x4Mul, op.f32x4Add, f.vset(c(r, v)));
    }
  }
  for (let r = 0; r < R; r++) f.emit(f.get(`p${r}`), f.get('sAk'), op.i32Add, f.set(`p${r}`));
  f.emit(f.get('pb'), f.get('sBk'), op.i32Add, f.set('pb'));
  f.emit(f.get('k'), op.i32(1), op.i32Sub, f.set('k'), op.br(0), op.end, op.end);
  for (let r = 0; r < R; r++) {
    f.emit(f.get('pc'), op.i32(r), f.get('sCi'), op.i32Mul, op.i32Add, f.set('row'));
    for (let v = 0; v < V; v++) f.emit(f.get('row'), f.v(c(r, v)), op.v128StoreAt(16 * v));
  }
  return f.def();
}

/** One element of C (the columns past the last multiple of 4). */
function scalarKernel(): FuncDef {
  const f = new Fn('sk', MK_PARAMS);
  const acc = f.l('acc', F32);
  f.emit(f.get('mode'), op.i32(1), op.i32Eq, op.if, f.get('pbias'), op.f32Load, op.set(acc), op.end);
  f.emit(f.get('mode'), op.i32(2), op.i32Eq, op.if, f.get('pc'), op.f32Load, op.set(acc), op.end);
  f.emit(f.get('kn'), f.set('k'));
  f.emit(op.block, op.loop, f.get('k'), op.i32Eqz, op.brIf(1));
  f.emit(op.get(acc), f.get('pa'), op.f32Load, f.get('pb'), op.f32Load, op.f32Mul, op.f32Add, op.set(acc));
  f.emit(f.get('pa'), f.get('sAk'), op.i32Add, f.set('pa'), f.get('pb'), f.get('sBk'), op.i32Add, f.set('pb'));
  f.emit(f.get('k'), op.i32(1), op.i32Sub, f.set('k'), op.br(0), op.end, op.end);
  f.emit(f.get('pc'), op.get(acc), op.f32Store);
  return f.def();
}

/** K steps per block: a block of B (kc rows) stays in cache across the row panels of A. */
export const KC = 128;

/** Columns of B per packed block (with KC steps of K, 256 KiB: a quarter of this machine's L2). */
export const NC = 512;

/**
 * packB(src, sBk, kn, cols, dst): kn rows of `cols` columns of B (rows sBk bytes apart, cols a multiple of 4V)
 * into panels of 4V columns, each panel kn rows of 16V bytes one after another: the micro-kernel then reads B
 * as one stream instead of kn rows a row length apart (rows 2 KiB apart map to two sets of a 32 KiB L1).
 */
function packB(V: number): FuncDef {
  const f = new Fn('packB', ['src', 'sBk', 'kn', 'cols', 'dst']);
  f.emit(op.i32(0), f.set('j'));
  f.emit(op.block, op.loop, f.get('j'), f.get('cols'), op.i32GeU, op.brIf(1));
  f.emit(f.get('src'), f.get('j'), op.i32(2), op.i32Shl, op.i32Add, f.set('s'));
  f.emit(f.get('kn'), f.set('k'));
  f.emit(op.block, op.loop, f.get('k'), op.i32Eqz, op.brIf(1));
  for (let v = 0; v < V; v++) f.emit(f.get('dst'), f.get('s'), op.v128LoadAt(16 * v), op.v128StoreAt(16 * v));
  f.emit(f.get('dst'), op.i32(16 * V), op.i32Add, f.set('dst'), f.get('s'), f.get('sBk'), op.i32Add, f.set('s'));
  f.emit(f.get('k'), op.i32(1), op.i32Sub, f.set('k'), op.br(0), op.end, op.end);
  f.emit(f.get('j'), op.i32(4 * V), op.i32Add, f.set('j'), op.br(0), op.end, op.end);
  return f.def();
}

/**
 * gemm(pa, pb, pc, pbias, M, K, N, sAi, sAk, sBk, sCi, kc, pw): C (rows sCi bytes apart) = A·B (+ bias when
 * pbias ≠ 0). The columns up to the last multiple of 4V go in blocks of nc columns × kc steps of K; with a
 * workspace pw ≠ 0 (kc·nc floats) each block of B is packed there first (packB) and stays in L2 across the
 * row panels of A. Within a block, panels of R rows, then single rows. The last N mod 4V columns run on B
 * unpacked, in tiles of 4 and 1. Function indices: 0 mkRxV, 1 mkRx1, 2 mk1xV, 3 mk1x1, 4 sk, 5 packB.
 */
function driver(R: number, V: number, nc: number): FuncDef {
  const f = new Fn('gemm', ['pa', 'pb', 'pc', 'pbias', 'M', 'K', 'N', 'sAi', 'sAk', 'sBk', 'sCi', 'kc', 'pw']);
  const W = 4 * V;
  // (pa, sAi, sAk, pb, sBk, pc, sCi, kn, mode, pbias) for rows i + rowOff, column j; B at bAt + (j − j0)·bStep
  const call = (fn: number, rowOff: number) => [
    f.get('aK'), f.get('i'), op.i32(rowOff), op.i32Add, f.get('sAi'), op.i32Mul, op.i32Add,
    f.get('sAi'), f.get('sAk'),
    f.get('bAt'), f.get('j'), f.get('j0'), op.i32Sub, f.get('bStep'), op.i32Mul, op.i32Add,
    f.get('sB'),
    f.get('pc'), f.get('i'), op.i32(rowOff), op.i32Add, f.get('sCi'), op.i32Mul, op.i32Add, f.get('j'), op.i32(2), op.i32Shl, op.i32Add,
    f.get('sCi'), f.get('kn'), f.get('mode'),
    f.get('pbias'), f.get('j'), op.i32(2), op.i32Shl, op.i32Add,
    op.call(fn),
  ];
  // columns j from `from` while j + width ≤ `to`
  const tiles = (width: number, to: string, body: number[][]) => [
    op.block, op.loop, f.get('j'), op.i32(width), op.i32Add, f.get(to), op.i32GtU, op.brIf(1),
    ...body, f.get('j'), op.i32(width), op.i32Add, f.set('j'), op.br(0), op.end, op.end,
  ];
  const rowPanels = (body: (rows: number) => number[][]) => [
    op.i32(0), f.set('i'),
    op.block, op.loop, f.get('i'), op.i32(R), op.i32Add, f.get('M'), op.i32GtU, op.brIf(1),
    ...body(R), f.get('i'), op.i32(R), op.i32Add, f.set('i'), op.br(0), op.end, op.end,
    op.block, op.loop, f.get('i'), f.get('M'), op.i32GeU, op.brIf(1),
    ...body(1), f.get('i'), op.i32(1), op.i32Add, f.set('i'), op.br(0), op.end, op.end,
  ];
  // blocks of K: kn = min(kc, K − k0); mode = k0 ? 2 : (pbias ? 1 : 0); aK = A at column k0
  const kBlocks = (body: number[][]) => [
    op.i32(0), f.set('k0'),
    op.block, op.loop, f.get('k0'), f.get('K'), op.i32GeU, op.brIf(1),
    f.get('kc'), f.get('K'), f.get('k0'), op.i32Sub, f.tee('kn'), f.get('kc'), f.get('kn'), op.i32LtU, op.select, f.set('kn'),
    op.i32(2), f.get('pbias'), op.i32(0), op.i32Ne, f.get('k0'), op.select, f.set('mode'),
    f.get('pa'), f.get('k0'), f.get('sAk'), op.i32Mul, op.i32Add, f.set('aK'),
    ...body,
    f.get('k0'), f.get('kn'), op.i32Add, f.set('k0'), op.br(0), op.end, op.end,
  ];
  f.emit(f.get('N'), op.i32(-W), op.i32And, f.set('nW'));
  // the 4V-wide columns, in blocks of nc
  f.emit(op.i32(0), f.set('j0'));
  f.emit(op.block, op.loop, f.get('j0'), f.get('nW'), op.i32GeU, op.brIf(1));
  f.emit(op.i32(nc), f.get('nW'), f.get('j0'), op.i32Sub, f.tee('jn'), op.i32(nc), f.get('jn'), op.i32LtU, op.select, f.get('j0'), op.i32Add, f.set('jEnd'));
  f.emit(
    ...kBlocks([
      // B at (k0, j0): packed into pw, or read in place
      f.get('pb'), f.get('k0'), f.get('sBk'), op.i32Mul, op.i32Add, f.get('j0'), op.i32(2), op.i32Shl, op.i32Add, f.set('bAt'),
      op.i32(4), f.set('bStep'), f.get('sBk'), f.set('sB'),
      f.get('pw'), op.if,
      f.get('bAt'), f.get('sBk'), f.get('kn'), f.get('jEnd'), f.get('j0'), op.i32Sub, f.get('pw'), op.call(5),
      f.get('pw'), f.set('bAt'), f.get('kn'), op.i32(2), op.i32Shl, f.set('bStep'), op.i32(16 * V), f.set('sB'),
      op.end,
      ...rowPanels((rows) => [f.get('j0'), f.set('j'), ...tiles(W, 'jEnd', call(rows === R ? 0 : 2, 0))]),
    ]),
  );
  f.emit(f.get('jEnd'), f.set('j0'), op.br(0), op.end, op.end);
  // the last N mod 4V columns, B in place (bAt = B at (k0, 0), so bAt + (j − j0)·4 with j0 = 0)
  f.emit(f.get('nW'), f.get('N'), op.i32LtU, op.if);
  f.emit(op.i32(0), f.set('j0'), op.i32(4), f.set('bStep'), f.get('sBk'), f.set('sB'));
  f.emit(
    ...kBlocks([
      f.get('pb'), f.get('k0'), f.get('sBk'), op.i32Mul, op.i32Add, f.set('bAt'),
      ...rowPanels((rows) => [
        f.get('nW'), f.set('j'),
        ...tiles(4, 'N', call(rows === R ? 1 : 3, 0)),
        ...tiles(1, 'N', Array.from({ length: rows }, (_, r) => call(4, r)).flat()),
      ]),
    ]),
  );
  f.emit(op.end);
  return f.def();
}

/** transpose(src, dst, rows, cols): dst[c, r] = src[r, c]. */
function transpose(): FuncDef {
  const f = new Fn('transpose', ['src', 'dst', 'rows', 'cols']);
  f.emit(op.i32(0), f.set('r'));
  f.emit(op.block, op.loop, f.get('r'), f.get('rows'), op.i32GeU, op.brIf(1));
  f.emit(f.get('dst'), f.get('r'), op.i32(2), op.i32Shl, op.i32Add, f.set('pd'));
  f.emit(op.i32(0), f.set('c'));
  f.emit(op.block, op.loop, f.get('c'), f.get('cols'), op.i32GeU, op.brIf(1));
  f.emit(f.get('pd'), f.get('src'), op.f32Load, op.f32Store);
  f.emit(f.get('src'), op.i32(4), op.i32Add, f.set('src'));
  f.emit(f.get('pd'), f.get('rows'), op.i32(2), op.i32Shl, op.i32Add, f.set('pd'));
  f.emit(f.get('c'), op.i32(1), op.i32Add, f.set('c'), op.br(0), op.end, op.end);
  f.emit(f.get('r'), op.i32(1), op.i32Add, f.set('r'), op.br(0), op.end, op.end);
  return f.def();
}

export interface GemmExports {
  gemm(pa: number, pb: number, pc: number, pbias: number, M: number, K: number, N: number, sAi: number, sAk: number, sBk: number, sCi: number, kc: number, pw: number): void;
  transpose(src: number, dst: number, rows: number, cols: number): void;
}

/** The module's functions, in the order FN indexes them (calls use those indices). */
export function gemmModule(shared: boolean, R = 4, V = 2, fma = false, nc = NC): Uint8Array {
  const mk = (r: number, v: number) => microKernel(r, v, fma);
  return assembleModule([mk(R, V), mk(R, 1), mk(1, V), mk(1, 1), scalarKernel(), packB(V), driver(R, V, nc), transpose()], shared);
}

/**
 * The GEMM variants, fastest first. `relaxed-madd` needs WebAssembly relaxed SIMD (on by default in Chromium
 * 114+; Node 20 needs V8's --experimental-wasm-relaxed-simd, which src/cli/wasm_features.ts sets): one
 * f32x4.relaxed_madd per multiply-add, an FMA instruction where the CPU has one, so a 6×8 tile fits the
 * 16 SIMD registers and each k step issues 12 FMAs for 8 loads. `simd128` is the portable fallback.
 */
export const GEMM_KINDS = {
  'relaxed-madd': (shared: boolean) => gemmModule(shared, 6, 2, true),
  simd128: (shared: boolean) => gemmModule(shared, 4, 2, false),
} as const;
export type GemmKind = keyof typeof GEMM_KINDS;
