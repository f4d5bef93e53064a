// The fused elementwise kernels as hand-assembled WASM SIMD (4 lanes), run in place on tfjs-wasm's heap.
// JS loops were the first version: Math.exp alone cost ~30 ns per element, which made GELU slower than the
// chain of tfjs kernels it replaced. Here exp is a vector polynomial (Cephes expf: Cody–Waite reduction by
// ln 2, degree-6 Taylor polynomial, 2^n through the exponent bits; ≈1 ulp on the clamped range).
// Row kernels need widths that are multiples of 4; the ops fall back to JS loops otherwise.

import { assembleModule, F32, Fn, op, V128, type FuncDef } from './wasm_asm';

type Code = number[][];

/** for (i = 0; i < limit; i += step) body */
function forUp(f: Fn, i: string, limit: Code, step: number, body: Code): Code {
  return [op.i32(0), f.set(i), op.block, op.loop, f.get(i), ...limit, op.i32GeU, op.brIf(1), ...body, f.get(i), op.i32(step), op.i32Add, f.set(i), op.br(0), op.end, op.end];
}

/** Address base + 4·index. */
const at = (f: Fn, base: string, index: string): Code => [f.get(base), f.get(index), op.i32(2), op.i32Shl, op.i32Add];
const ld = (addr: Code): Code => [...addr, op.v128LoadAt(0)];
const st = (addr: Code, value: Code): Code => [...addr, ...value, op.v128StoreAt(0)];
const add = (a: Code, b: Code): Code => [...a, ...b, op.f32x4Add];
const sub = (a: Code, b: Code): Code => [...a, ...b, op.f32x4Sub];
const mul = (a: Code, b: Code): Code => [...a, ...b, op.f32x4Mul];
const div = (a: Code, b: Code): Code => [...a, ...b, op.f32x4Div];
const k = (x: number): Code => [op.f32x4Const(x)];

// Constants of the exp polynomial come from locals set once at function entry (kk / hoistConsts): V8
// materialises a v128.const at each use, inside the element loop.
const pools = new WeakMap<Fn, Map<number, string>>();
/** The constant x in all 4 lanes, read from a local of `f` that hoistConsts sets at entry. */
function kk(f: Fn, x: number): Code {
  let pool = pools.get(f);
  if (!pool) pools.set(f, (pool = new Map()));
  let name = pool.get(x);
  if (!name) pool.set(x, (name = `k${pool.size}`));
  return [f.v(name)];
}
/** f's definition, its kk constants set at entry. */
function hoistConsts(f: Fn): FuncDef {
  const init: Code = [];
  for (const [x, name] of pools.get(f) ?? []) init.push(op.f32x4Const(x), f.vset(name));
  f.body.unshift(...init);
  return f.def();
}
/** a·b + c: relaxed SIMD's madd (an FMA instruction) when `fma`, else a multiply and an add. */
const madd = (fma: boolean, a: Code, b: Code, c: Code): Code => (fma ? [...a, ...b, ...c, op.f32x4RelaxedMadd] : [...a, ...b, op.f32x4Mul, ...c, op.f32x4Add]);
const hsum = (v: Code): Code => [...v, op.f32x4Extract(0), ...v, op.f32x4Extract(1), op.f32Add, ...v, op.f32x4Extract(2), op.f32Add, ...v, op.f32x4Extract(3), op.f32Add];
const advance = (f: Fn, ptr: string, bytes: Code): Code => [f.get(ptr), ...bytes, op.i32Add, f.set(ptr)];
const times4 = (f: Fn, n: string): Code => [f.get(n), op.i32(2), op.i32Shl];

/**
 * e^x, 4 lanes (Cephes expf). The clamp uses pmin/pmax (one minps/maxps each; f32x4.min/max's NaN and −0
 * rules cost V8 several instructions, and a NaN still comes through: pmax(NaN, lo) = NaN).
 */
function vexp(f: Fn, x: Code, fma: boolean): Code {
  const [X, N, R] = ['exp_x', 'exp_n', 'exp_r'].map((n) => (f.l(n, V128), n));
  const r = [f.v(R)];
  let poly: Code = kk(f, 1 / 720);
  for (const c of [1 / 120, 1 / 24, 1 / 6, 0.5, 1, 1]) poly = madd(fma, poly, r, kk(f, c));
  return [
    ...x, ...kk(f, -87.3), op.f32x4Pmax, ...kk(f, 88.3), op.f32x4Pmin, f.vset(X),
    f.v(X), ...kk(f, Math.LOG2E), op.f32x4Mul, op.f32x4Nearest, f.vset(N),
    ...madd(fma, [f.v(N)], kk(f, 2.12194440e-4), madd(fma, [f.v(N)], kk(f, -0.693359375), [f.v(X)])), f.vset(R),
    ...poly,
    f.v(N), op.i32x4TruncSatF32x4S, op.i32x4Const(127), op.i32x4Add, op.i32(23), op.i32x4Shl, op.f32x4Mul,
  ];
}

const GELU_C = 0.044715;
const GELU_K = 2 * Math.sqrt(2 / Math.PI);

/** gelu_fwd(ph, pb, py, R, F): y = u·σ(K(u + Cu³)), u = h + b (F a multiple of 4). */
function geluForward(fma: boolean): FuncDef {
  const f = new Fn('gelu_fwd', ['ph', 'pb', 'py', 'R', 'F']);
  const u = [f.v('u')];
  f.l('u', V128);
  f.emit(...forUp(f, 'r', [f.get('R')], 1, [
    ...forUp(f, 'j', [f.get('F')], 4, [
      ...add(ld(at(f, 'ph', 'j')), ld(at(f, 'pb', 'j'))), f.vset('u'),
      ...st(at(f, 'py', 'j'), div(u, add(kk(f, 1), vexp(f, mul(kk(f, -GELU_K), add(u, mul(kk(f, GELU_C), mul(u, mul(u, u))))), fma)))),
    ]),
    ...advance(f, 'ph', times4(f, 'F')), ...advance(f, 'py', times4(f, 'F')),
  ]));
  return hoistConsts(f);
}

/** gelu_bwd(pdy, ph, pb, pdu, pdb, R, F): du = dy·GELU'(u); db[f] += du (db zeroed by the caller). */
function geluBackward(fma: boolean): FuncDef {
  const f = new Fn('gelu_bwd', ['pdy', 'ph', 'pb', 'pdu', 'pdb', 'R', 'F']);
  for (const n of ['u', 'u2', 's', 'du']) f.l(n, V128);
  const [u, u2, s, du] = ['u', 'u2', 's', 'du'].map((n) => [f.v(n)]);
  f.emit(...forUp(f, 'r', [f.get('R')], 1, [
    ...forUp(f, 'j', [f.get('F')], 4, [
      ...add(ld(at(f, 'ph', 'j')), ld(at(f, 'pb', 'j'))), f.vset('u'),
      ...mul(u, u), f.vset('u2'),
      ...div(kk(f, 1), add(kk(f, 1), vexp(f, mul(kk(f, -GELU_K), add(u, mul(kk(f, GELU_C), mul(u2, u)))), fma))), f.vset('s'),
      ...mul(ld(at(f, 'pdy', 'j')), add(s, mul(mul(u, mul(s, sub(kk(f, 1), s))), add(kk(f, GELU_K), mul(kk(f, 3 * GELU_C * GELU_K), u2))))), f.vset('du'),
      ...st(at(f, 'pdu', 'j'), du),
      ...st(at(f, 'pdb', 'j'), add(ld(at(f, 'pdb', 'j')), du)),
    ]),
    ...advance(f, 'pdy', times4(f, 'F')), ...advance(f, 'ph', times4(f, 'F')), ...advance(f, 'pdu', times4(f, 'F')),
  ]));
  return hoistConsts(f);
}

/** Mean and rstd of the D values at px into locals mean (f32), vmean, vr (splats). */
function rowStats(f: Fn): Code {
  f.l('mean', F32);
  f.l('acc', V128);
  const t = sub(ld(at(f, 'px', 'd')), [f.v('vmean')]);
  return [
    op.v128Zero, f.vset('acc'),
    ...forUp(f, 'd', [f.get('D')], 4, [...add([f.v('acc')], ld(at(f, 'px', 'd'))), f.vset('acc')]),
    ...hsum([f.v('acc')]), f.get('invD'), op.f32Mul, f.set('mean'),
    f.get('mean'), op.f32x4Splat, f.vset('vmean'),
    op.v128Zero, f.vset('acc'),
    ...forUp(f, 'd', [f.get('D')], 4, [...add([f.v('acc')], mul(t, t)), f.vset('acc')]),
    op.f32Const(1), ...hsum([f.v('acc')]), f.get('invD'), op.f32Mul, f.get('eps'), op.f32Add, op.f32Sqrt, op.f32Div, op.f32x4Splat, f.vset('vr'),
  ];
}

const ROW_PARAMS: (string | [string, number])[] = ['B', 'N', 'D', 'W', 'chunk', ['eps', F32], ['invD', F32]];

/** Byte offset of chunk `chunk` of row b of mod [B, W]. */
const chunkOffset = (f: Fn, chunk: Code): Code => [f.get('b'), f.get('W'), op.i32Mul, ...chunk, f.get('D'), op.i32Mul, op.i32Add, op.i32(2), op.i32Shl];

/** adaln_fwd(px, pmod, py, B, N, D, W, chunk, eps, invD): y = (x − μ)·rstd·(1 + scale) + shift. */
function adaLNForward(): FuncDef {
  const f = new Fn('adaln_fwd', ['px', 'pmod', 'py', ...ROW_PARAMS]);
  for (const n of ['vmean', 'vr']) f.l(n, V128);
  f.emit(...forUp(f, 'b', [f.get('B')], 1, [
    f.get('pmod'), ...chunkOffset(f, [f.get('chunk')]), op.i32Add, f.set('sh'),
    f.get('sh'), ...times4(f, 'D'), op.i32Add, f.set('sc'),
    ...forUp(f, 'n', [f.get('N')], 1, [
      ...rowStats(f),
      ...forUp(f, 'd', [f.get('D')], 4, st(at(f, 'py', 'd'), add(mul(mul(sub(ld(at(f, 'px', 'd')), [f.v('vmean')]), [f.v('vr')]), add(k(1), ld(at(f, 'sc', 'd')))), ld(at(f, 'sh', 'd'))))),
      ...advance(f, 'px', times4(f, 'D')), ...advance(f, 'py', times4(f, 'D')),
    ]),
  ]));
  return f.def();
}

/** adaln_bwd(pdy, px, pmod, pdx, pdmod, …): dx, and dshift, dscale added into dmod (zeroed by the caller). */
function adaLNBackward(): FuncDef {
  const f = new Fn('adaln_bwd', ['pdy', 'px', 'pmod', 'pdx', 'pdmod', ...ROW_PARAMS]);
  for (const n of ['vmean', 'vr', 'xh', 'gy', 'g', 'ag', 'agx', 'vmg', 'vmgx']) f.l(n, V128);
  const v = (n: string) => [f.v(n)];
  const xh = mul(sub(ld(at(f, 'px', 'd')), v('vmean')), v('vr'));
  f.emit(...forUp(f, 'b', [f.get('B')], 1, [
    f.get('pmod'), ...chunkOffset(f, [f.get('chunk'), op.i32(1), op.i32Add]), op.i32Add, f.set('sc'),
    f.get('pdmod'), ...chunkOffset(f, [f.get('chunk')]), op.i32Add, f.set('dsh'),
    f.get('dsh'), ...times4(f, 'D'), op.i32Add, f.set('dsc'),
    ...forUp(f, 'n', [f.get('N')], 1, [
      ...rowStats(f),
      op.v128Zero, f.vset('ag'), op.v128Zero, f.vset('agx'),
      ...forUp(f, 'd', [f.get('D')], 4, [
        ...xh, f.vset('xh'),
        ...ld(at(f, 'pdy', 'd')), f.vset('gy'),
        ...mul(v('gy'), add(k(1), ld(at(f, 'sc', 'd')))), f.vset('g'),
        ...st(at(f, 'dsh', 'd'), add(ld(at(f, 'dsh', 'd')), v('gy'))),
        ...st(at(f, 'dsc', 'd'), add(ld(at(f, 'dsc', 'd')), mul(v('gy'), v('xh')))),
        ...add(v('ag'), v('g')), f.vset('ag'),
        ...add(v('agx'), mul(v('g'), v('xh'))), f.vset('agx'),
      ]),
      ...hsum(v('ag')), f.get('invD'), op.f32Mul, op.f32x4Splat, f.vset('vmg'),
      ...hsum(v('agx')), f.get('invD'), op.f32Mul, op.f32x4Splat, f.vset('vmgx'),
      ...forUp(f, 'd', [f.get('D')], 4, st(at(f, 'pdx', 'd'), mul(v('vr'), sub(sub(mul(ld(at(f, 'pdy', 'd')), add(k(1), ld(at(f, 'sc', 'd')))), v('vmg')), mul(xh, v('vmgx')))))),
      ...advance(f, 'px', times4(f, 'D')), ...advance(f, 'pdy', times4(f, 'D')), ...advance(f, 'pdx', times4(f, 'D')),
    ]),
  ]));
  return f.def();
}

const GATE_PARAMS = ['B', 'N', 'D', 'W', 'chunk'];

/** gated_fwd(px, ph, pmod, py, B, N, D, W, chunk): y = x + gate·h. */
function gatedForward(): FuncDef {
  const f = new Fn('gated_fwd', ['px', 'ph', 'pmod', 'py', ...GATE_PARAMS]);
  f.emit(...forUp(f, 'b', [f.get('B')], 1, [
    f.get('pmod'), ...chunkOffset(f, [f.get('chunk')]), op.i32Add, f.set('g'),
    ...forUp(f, 'n', [f.get('N')], 1, [
      ...forUp(f, 'd', [f.get('D')], 4, st(at(f, 'py', 'd'), add(ld(at(f, 'px', 'd')), mul(ld(at(f, 'g', 'd')), ld(at(f, 'ph', 'd')))))),
      ...advance(f, 'px', times4(f, 'D')), ...advance(f, 'ph', times4(f, 'D')), ...advance(f, 'py', times4(f, 'D')),
    ]),
  ]));
  return f.def();
}

/** gated_bwd(pdy, ph, pmod, pdh, pdmod, …): dh = dy·gate; dgate += Σ_n dy·h (dmod zeroed by the caller). */
function gatedBackward(): FuncDef {
  const f = new Fn('gated_bwd', ['pdy', 'ph', 'pmod', 'pdh', 'pdmod', ...GATE_PARAMS]);
  f.l('gy', V128);
  f.emit(...forUp(f, 'b', [f.get('B')], 1, [
    ...chunkOffset(f, [f.get('chunk')]), f.set('off'),
    f.get('pmod'), f.get('off'), op.i32Add, f.set('g'),
    f.get('pdmod'), f.get('off'), op.i32Add, f.set('dg'),
    ...forUp(f, 'n', [f.get('N')], 1, [
      ...forUp(f, 'd', [f.get('D')], 4, [
        ...ld(at(f, 'pdy', 'd')), f.vset('gy'),
        ...st(at(f, 'pdh', 'd'), mul([f.v('gy')], ld(at(f, 'g', 'd')))),
        ...st(at(f, 'dg', 'd'), add(ld(at(f, 'dg', 'd')), mul([f.v('gy')], ld(at(f, 'ph', 'd'))))),
      ]),
      ...advance(f, 'pdy', times4(f, 'D')), ...advance(f, 'ph', times4(f, 'D')), ...advance(f, 'pdh', times4(f, 'D')),
    ]),
  ]));
  return f.def();
}

/** copy2d(src, dst, rows, len, sStride, dStride): rows of len floats between strided layouts (strides in floats). */
function copy2d(): FuncDef {
  const f = new Fn('copy2d', ['src', 'dst', 'rows', 'len', 'sStride', 'dStride']);
  f.emit(f.get('len'), op.i32(-4), op.i32And, f.set('len4'));
  f.emit(...forUp(f, 'r', [f.get('rows')], 1, [
    ...forUp(f, 'j', [f.get('len4')], 4, st(at(f, 'dst', 'j'), ld(at(f, 'src', 'j')))),
    f.get('len4'), f.set('j'),
    op.block, op.loop, f.get('j'), f.get('len'), op.i32GeU, op.brIf(1),
    ...at(f, 'dst', 'j'), ...at(f, 'src', 'j'), op.f32Load, op.f32Store,
    f.get('j'), op.i32(1), op.i32Add, f.set('j'), op.br(0), op.end, op.end,
    ...advance(f, 'src', times4(f, 'sStride')), ...advance(f, 'dst', times4(f, 'dStride')),
  ]));
  return f.def();
}

/** Vector body over n&~3 elements and a scalar tail over the rest, from one description of the loop body. */
function vectorAndTail(f: Fn, n: string, body: (s: { ld: (p: string) => Code; st: (p: string, v: Code) => Code; add: typeof add; sub: typeof sub; mul: typeof mul; div: typeof div; sqrt: (a: Code) => Code; k: (x: number) => Code; param: (p: string) => Code; local: (n: string) => Code; setLocal: (n: string) => Code }) => Code): Code {
  const vec = {
    ld: (p: string) => ld(at(f, p, 'i')),
    st: (p: string, v: Code) => st(at(f, p, 'i'), v),
    add, sub, mul, div,
    sqrt: (a: Code) => [...a, op.f32x4Sqrt],
    k,
    param: (p: string) => [f.get(p), op.f32x4Splat],
    local: (name: string) => [f.v(`v_${name}`)],
    setLocal: (name: string) => [f.vset(`v_${name}`)],
  };
  const sc = {
    ld: (p: string) => [...at(f, p, 'i'), op.f32Load],
    st: (p: string, v: Code) => [...at(f, p, 'i'), ...v, op.f32Store],
    add: (a: Code, b: Code) => [...a, ...b, op.f32Add],
    sub: (a: Code, b: Code) => [...a, ...b, op.f32Sub],
    mul: (a: Code, b: Code) => [...a, ...b, op.f32Mul],
    div: (a: Code, b: Code) => [...a, ...b, op.f32Div],
    sqrt: (a: Code) => [...a, op.f32Sqrt],
    k: (x: number) => [op.f32Const(x)],
    param: (p: string) => [f.get(p)],
    local: (name: string) => [op.get(f.l(`s_${name}`, F32))],
    setLocal: (name: string) => [op.set(f.l(`s_${name}`, F32))],
  };
  const vecBody = body(vec);
  return [
    f.get(n), op.i32(-4), op.i32And, f.set('n4'),
    ...forUp(f, 'i', [f.get('n4')], 4, vecBody),
    f.get('n4'), f.set('i'),
    op.block, op.loop, f.get('i'), f.get(n), op.i32GeU, op.brIf(1),
    ...body(sc),
    f.get('i'), op.i32(1), op.i32Add, f.set('i'), op.br(0), op.end, op.end,
  ];
}

/** sumsq(p, n) → Σ p[i]² (f32 accumulation in 4 lanes, then the tail). */
function sumSquares(): FuncDef {
  const f = new Fn('sumsq', ['p', 'n'], [F32]);
  f.l('acc', V128);
  f.l('tail', F32);
  f.emit(f.get('n'), op.i32(-4), op.i32And, f.set('n4'));
  f.emit(...forUp(f, 'i', [f.get('n4')], 4, [...add([f.v('acc')], mul(ld(at(f, 'p', 'i')), ld(at(f, 'p', 'i')))), f.vset('acc')]));
  f.emit(f.get('n4'), f.set('i'));
  f.emit(op.block, op.loop, f.get('i'), f.get('n'), op.i32GeU, op.brIf(1));
  f.emit(f.get('tail'), ...at(f, 'p', 'i'), op.f32Load, ...at(f, 'p', 'i'), op.f32Load, op.f32Mul, op.f32Add, f.set('tail'));
  f.emit(f.get('i'), op.i32(1), op.i32Add, f.set('i'), op.br(0), op.end, op.end);
  f.emit(...hsum([f.v('acc')]), f.get('tail'), op.f32Add);
  return f.def();
}

/**
 * adamw(pg, pp, pm, pv, pe, n, gscale, lr, b1, omb1, b2, omb2, c1, c2, eps, wd, ed, omed): one AdamW step of n
 * parameters in place, in the same order of operations as the tfjs composite (src/core/train/adamw.ts), then
 * the EMA e ← ed·e + (1 − ed)·θ when pe ≠ 0.
 */
function adamw(): FuncDef {
  const fl = (n: string): [string, number] => [n, F32];
  const f = new Fn('adamw', ['pg', 'pp', 'pm', 'pv', 'pe', 'n', ...['gscale', 'lr', 'b1', 'omb1', 'b2', 'omb2', 'c1', 'c2', 'eps', 'wd', 'ed', 'omed'].map(fl)]);
  const update = (withEma: boolean) =>
    vectorAndTail(f, 'n', (s) => [
      ...s.mul(s.ld('pg'), s.param('gscale')), ...s.setLocal('g'),
      ...s.add(s.mul(s.ld('pm'), s.param('b1')), s.mul(s.local('g'), s.param('omb1'))), ...s.setLocal('m'),
      ...s.add(s.mul(s.ld('pv'), s.param('b2')), s.mul(s.mul(s.local('g'), s.local('g')), s.param('omb2'))), ...s.setLocal('v'),
      ...s.st('pm', s.local('m')),
      ...s.st('pv', s.local('v')),
      ...s.sub(s.ld('pp'), s.mul(s.add(s.div(s.mul(s.local('m'), s.param('c1')), s.add(s.sqrt(s.mul(s.local('v'), s.param('c2'))), s.param('eps'))), s.mul(s.ld('pp'), s.param('wd'))), s.param('lr'))), ...s.setLocal('p'),
      ...s.st('pp', s.local('p')),
      ...(withEma ? s.st('pe', s.add(s.mul(s.ld('pe'), s.param('ed')), s.mul(s.local('p'), s.param('omed')))) : []),
    ]);
  f.emit(f.get('pe'), op.if, ...update(true), op.else, ...update(false), op.end);
  return f.def();
}

/** softmax_bwd(pdy, py, pdx, R, N): dx = (dy − Σ dy·y)·y per row of N (the softmax gradient, given y). */
function softmaxBackward(): FuncDef {
  const f = new Fn('softmax_bwd', ['pdy', 'py', 'pdx', 'R', 'N']);
  f.l('acc', V128);
  f.l('vd', V128);
  f.l('dot', F32);
  const tail = (body: Code): Code => [op.block, op.loop, f.get('j'), f.get('N'), op.i32GeU, op.brIf(1), ...body, f.get('j'), op.i32(1), op.i32Add, f.set('j'), op.br(0), op.end, op.end];
  const sc = (p: string): Code => [...at(f, p, 'j'), op.f32Load];
  f.emit(f.get('N'), op.i32(-4), op.i32And, f.set('n4'));
  f.emit(...forUp(f, 'r', [f.get('R')], 1, [
    op.v128Zero, f.vset('acc'),
    ...forUp(f, 'j', [f.get('n4')], 4, [...add([f.v('acc')], mul(ld(at(f, 'pdy', 'j')), ld(at(f, 'py', 'j')))), f.vset('acc')]),
    ...hsum([f.v('acc')]), op.set(f.l('dot', F32)),
    f.get('n4'), f.set('j'),
    ...tail([op.get(f.l('dot', F32)), ...sc('pdy'), ...sc('py'), op.f32Mul, op.f32Add, op.set(f.l('dot', F32))]),
    op.get(f.l('dot', F32)), op.f32x4Splat, f.vset('vd'),
    ...forUp(f, 'j', [f.get('n4')], 4, [...st(at(f, 'pdx', 'j'), mul(sub(ld(at(f, 'pdy', 'j')), [f.v('vd')]), ld(at(f, 'py', 'j'))))]),
    f.get('n4'), f.set('j'),
    ...tail([...at(f, 'pdx', 'j'), ...sc('pdy'), op.get(f.l('dot', F32)), op.f32Sub, ...sc('py'), op.f32Mul, op.f32Store]),
    ...advance(f, 'pdy', times4(f, 'N')), ...advance(f, 'py', times4(f, 'N')), ...advance(f, 'pdx', times4(f, 'N')),
  ]));
  return f.def();
}

export interface FusedExports {
  softmax_bwd(pdy: number, py: number, pdx: number, R: number, N: number): void;
  gelu_fwd(ph: number, pb: number, py: number, R: number, F: number): void;
  gelu_bwd(pdy: number, ph: number, pb: number, pdu: number, pdb: number, R: number, F: number): void;
  adaln_fwd(px: number, pmod: number, py: number, B: number, N: number, D: number, W: number, chunk: number, eps: number, invD: number): void;
  adaln_bwd(pdy: number, px: number, pmod: number, pdx: number, pdmod: number, B: number, N: number, D: number, W: number, chunk: number, eps: number, invD: number): void;
  gated_fwd(px: number, ph: number, pmod: number, py: number, B: number, N: number, D: number, W: number, chunk: number): void;
  gated_bwd(pdy: number, ph: number, pmod: number, pdh: number, pdmod: number, B: number, N: number, D: number, W: number, chunk: number): void;
  copy2d(src: number, dst: number, rows: number, len: number, sStride: number, dStride: number): void;
  sumsq(p: number, n: number): number;
  adamw(pg: number, pp: number, pm: number, pv: number, pe: number, n: number, gscale: number, lr: number, b1: number, omb1: number, b2: number, omb2: number, c1: number, c2: number, eps: number, wd: number, ed: number, omed: number): void;
}

export function fusedModule(shared: boolean, fma = false): Uint8Array {
  return assembleModule([geluForward(fma), geluBackward(fma), adaLNForward(), adaLNBackward(), gatedForward(), gatedBackward(), copy2d(), sumSquares(), adamw(), softmaxBackward()], shared);
}

