// The GELU kernels of the SIMD module on their own, both builds, at the edges of the exp clamp and at NaN,
// against GELU's tanh form in float64.
import { describe, expect, it } from 'vitest';
import '../../test_utils/tf_backends'; // turns on Node 20's relaxed SIMD, as for every wasm test
import { fusedModule, type FusedExports } from './wasm_fused_module';

const gelu = (u: number) => 0.5 * u * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (u + 0.044715 * u ** 3)));
const geluGrad = (u: number) => (gelu(u + 1e-4) - gelu(u - 1e-4)) / 2e-4;
const U = [-1000, -90, -88, -30, -8, -3, -1, -1e-3, 0, 1e-3, 0.5, 1, 3, 8, 30, 88, 90, 1000, NaN, -0.25, 2.5, 6];

for (const fma of [true, false]) {
  describe(`GELU kernels (${fma ? 'relaxed-SIMD FMA' : 'plain SIMD'})`, () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const g = new WebAssembly.Instance(new WebAssembly.Module(fusedModule(false, fma) as BufferSource), { env: { memory } }).exports as unknown as FusedExports;
    const f32 = new Float32Array(memory.buffer);
    const n = U.length; // one row, zero-padded to a multiple of 4
    const F = Math.ceil(n / 4) * 4;
    const [ph, pb, py, pdy, pdu, pdb] = [0, 1, 2, 3, 4, 5].map((i) => 1024 + i * 4 * F);

    it('forward matches GELU over the clamp edges, and NaN stays NaN', () => {
      f32.fill(0);
      f32.set(U, ph / 4);
      g.gelu_fwd(ph, pb, py, 1, F);
      for (let i = 0; i < n; i++) {
        const want = gelu(U[i]);
        const got = f32[py / 4 + i];
        if (Number.isNaN(want)) expect(got, `u = ${U[i]}`).toBeNaN();
        else expect(Math.abs(got - want), `u = ${U[i]}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want)));
      }
    });

    it('backward matches the derivative and sums the bias gradient', () => {
      f32.fill(0);
      f32.set(U.map((u) => u / 4), ph / 4); // inside the range a finite difference resolves
      f32.fill(1, pdy / 4, pdy / 4 + F);
      g.gelu_bwd(pdy, ph, pb, pdu, pdb, 1, F);
      for (let i = 0; i < n; i++) {
        const u = U[i] / 4;
        if (Number.isNaN(u)) continue;
        const want = Math.abs(u) > 20 ? (u > 0 ? 1 : 0) : geluGrad(u);
        expect(Math.abs(f32[pdu / 4 + i] - want), `u = ${u}`).toBeLessThanOrEqual(2e-4);
        expect(f32[pdb / 4 + i]).toBe(f32[pdu / 4 + i]);
      }
    });
  });
}
