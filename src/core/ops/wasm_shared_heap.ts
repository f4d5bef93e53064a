// tfjs-wasm's heap as a shared WebAssembly memory, so the GEMM's helper thread computes in place on it.
// tfjs-backend-wasm's single-threaded binary defines its own memory; its threaded build, which imports a
// shared one, does not start in our bundled worker (see backends.ts). So while the wasm backend initialises
// we rewrite its binary on the way into WebAssembly.instantiate(Streaming): the memory definition becomes an
// import of a shared memory with the same limits. The code is untouched (plain loads and stores are valid on
// a shared memory), and the memory is still exported under its own name, so tfjs and Emscripten find it as
// before. Where anything is unexpected (no SharedArrayBuffer, no cross-origin isolation, a binary without
// exactly one memory) the binary goes through unchanged and the helper copies operands instead.

const IMPORT_MODULE = 'flow';
const IMPORT_NAME = 'heap';

function readUleb(bytes: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  let b: number;
  do {
    b = bytes[pos++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [result, pos];
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/**
 * The binary with its one defined memory turned into an import of `flow.heap` (shared, same minimum, the
 * maximum or 65536 pages), and those limits; null when it has no memory section of exactly one memory or
 * no import section.
 */
export function shareMemoryOfBinary(bytes: Uint8Array): { bytes: Uint8Array; initial: number; maximum: number } | null {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) return null;
  const sections: { id: number; body: Uint8Array }[] = [];
  for (let pos = 8; pos < bytes.length; ) {
    const id = bytes[pos++];
    const [size, start] = readUleb(bytes, pos);
    sections.push({ id, body: bytes.subarray(start, start + size) });
    pos = start + size;
  }
  const memory = sections.filter((s) => s.id === 5);
  if (memory.length !== 1 || !sections.some((s) => s.id === 2)) return null;
  const body = memory[0].body;
  const [count, p0] = readUleb(body, 0);
  const flags = body[p0];
  if (count !== 1 || flags > 1) return null; // one memory, not already shared or 64-bit
  const [initial, p1] = readUleb(body, p0 + 1);
  const maximum = flags & 1 ? readUleb(body, p1)[0] : 65536;
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  for (const s of sections) {
    if (s.id === 5) continue;
    if (s.id === 2) {
      const [n, q] = readUleb(s.body, 0);
      const head = new Uint8Array(uleb(n + 1));
      const entry = new Uint8Array([...name(IMPORT_MODULE), ...name(IMPORT_NAME), 0x02, 0x03, ...uleb(initial), ...uleb(maximum)]);
      parts.push(new Uint8Array([2, ...uleb(head.length + s.body.length - q + entry.length)]), head, s.body.subarray(q), entry);
    } else parts.push(new Uint8Array([s.id, ...uleb(s.body.length)]), s.body);
  }
  const out = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const part of parts) {
    out.set(part, o);
    o += part.length;
  }
  return { bytes: out, initial, maximum };
}

/** Whether this environment can share a WebAssembly memory with a worker. */
export function canShareMemory(): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
}

type Instantiate = typeof WebAssembly.instantiate;
type InstantiateStreaming = typeof WebAssembly.instantiateStreaming;

/**
 * Runs `init` (the wasm backend's initialisation) with WebAssembly.instantiate and instantiateStreaming
 * rewriting a binary's memory into a shared import (shareMemoryOfBinary); restores both afterwards.
 */
export async function withSharedWasmHeap<T>(init: () => Promise<T>): Promise<T> {
  if (!canShareMemory()) return init();
  const wasm = WebAssembly as unknown as { instantiate: Instantiate; instantiateStreaming?: InstantiateStreaming };
  const instantiate = wasm.instantiate;
  const streaming = wasm.instantiateStreaming;
  const shared = async (bytes: Uint8Array, imports: WebAssembly.Imports | undefined) => {
    const re = shareMemoryOfBinary(bytes);
    if (re) {
      try {
        const memory = new WebAssembly.Memory({ initial: re.initial, maximum: re.maximum, shared: true });
        return await instantiate(re.bytes as BufferSource, { ...imports, [IMPORT_MODULE]: { [IMPORT_NAME]: memory } });
      } catch {
        // fall through: the binary as it came
      }
    }
    return instantiate(bytes as BufferSource, imports);
  };
  wasm.instantiate = ((source: BufferSource | WebAssembly.Module, imports?: WebAssembly.Imports) => {
    if (source instanceof WebAssembly.Module) return instantiate(source, imports);
    const bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    return shared(bytes, imports);
  }) as Instantiate;
  if (streaming) wasm.instantiateStreaming = (async (source: Response | PromiseLike<Response>, imports?: WebAssembly.Imports) => shared(new Uint8Array(await (await source).arrayBuffer()), imports)) as InstantiateStreaming;
  try {
    return await init();
  } finally {
    wasm.instantiate = instantiate;
    if (streaming) wasm.instantiateStreaming = streaming;
  }
}
