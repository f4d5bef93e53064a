// The binary rewrite that makes tfjs-wasm's heap a shared memory, on tfjs's own binaries.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GEMM_KINDS } from './wasm_gemm';
import { shareMemoryOfBinary } from './wasm_shared_heap';

const dist = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));

describe('shareMemoryOfBinary', () => {
  for (const file of ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm']) {
    it(`${file}: the memory becomes a shared import with the same limits, everything else stays`, () => {
      const bytes = new Uint8Array(readFileSync(path.join(dist, file)));
      const before = new WebAssembly.Module(bytes as BufferSource);
      const re = shareMemoryOfBinary(bytes);
      expect(re).not.toBeNull();
      const after = new WebAssembly.Module(re!.bytes as BufferSource);
      expect(WebAssembly.Module.imports(after)).toEqual([...WebAssembly.Module.imports(before), { module: 'flow', name: 'heap', kind: 'memory' }]);
      expect(WebAssembly.Module.exports(after)).toEqual(WebAssembly.Module.exports(before)); // the memory is still exported
      expect(re!.initial).toBeGreaterThan(0);
      expect(re!.maximum).toBeGreaterThanOrEqual(re!.initial);
      // it instantiates on a shared memory with those limits (imports stubbed: nothing runs)
      const memory = new WebAssembly.Memory({ initial: re!.initial, maximum: re!.maximum, shared: true });
      const imports: Record<string, Record<string, unknown>> = { flow: { heap: memory } };
      for (const imp of WebAssembly.Module.imports(before)) {
        imports[imp.module] ??= {};
        imports[imp.module][imp.name] = imp.kind === 'function' ? () => 0 : undefined;
      }
      const instance = new WebAssembly.Instance(after, imports as WebAssembly.Imports);
      expect(instance.exports.memory).toBe(memory);
      expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    });
  }

  it('leaves binaries without a memory of their own alone (ours import theirs), and non-wasm bytes', () => {
    expect(shareMemoryOfBinary(GEMM_KINDS.simd128(false))).toBeNull();
    expect(shareMemoryOfBinary(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]))).toBeNull();
  });
});
