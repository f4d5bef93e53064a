// Attention kinds and their validation, free of tfjs so the page (config forms, URL parsing) can use them
// without loading the tensor library; src/core/attention/index.ts re-exports everything here.

export type AttentionKind = 'naive' | 'chunked' | 'flash' | 'linear';
export const ATTENTION_KINDS: readonly AttentionKind[] = Object.freeze(['naive', 'chunked', 'flash', 'linear'] as const);

/** The largest head size the fused flash kernels take (their per-row registers). */
export const FLASH_MAX_HEAD_SIZE = 256;

export const isKind = (k: unknown): k is AttentionKind => (ATTENTION_KINDS as readonly unknown[]).includes(k);

/**
 * What will actually run on this backend, and why. 'flash' runs as 'chunked' off WebGPU
 * (and for head sizes above FLASH_MAX_HEAD_SIZE when `headSize` is given); 'linear' is
 * approximate. `exact` is true when the result is softmax attention up to rounding.
 */
export function resolveAttention(kind: AttentionKind, backendName: string, headSize?: number): { kind: AttentionKind; exact: boolean; note?: string } {
  switch (kind) {
    case 'naive':
    case 'chunked':
      return { kind, exact: true };
    case 'flash':
      if (backendName !== 'webgpu') {
        return { kind: 'chunked', exact: true, note: `flash needs the WebGPU backend; on '${backendName}' it runs as chunked (same exact result, tfjs ops instead of a fused kernel)` };
      }
      if (headSize !== undefined && headSize > FLASH_MAX_HEAD_SIZE) {
        return { kind: 'chunked', exact: true, note: `flash supports head sizes up to ${FLASH_MAX_HEAD_SIZE}; head size ${headSize} runs as chunked` };
      }
      return { kind: 'flash', exact: true };
    case 'linear':
      return { kind: 'linear', exact: false, note: 'linear attention (elu+1 feature map, Katharopoulos et al. 2020) approximates softmax attention: outputs differ from the exact variants and a trained model is not interchangeable' };
    default:
      throw new Error(`attention: unknown kind '${String(kind)}'; expected one of ${ATTENTION_KINDS.join(', ')}`);
  }
}

/**
 * Checks an attention configuration; returns a message starting with the field to change
 * ('attention: …', 'heads: …' or 'kvHeads: …') or null when it is fine. Pass `backendName`
 * when the user forced that backend: 'flash' without WebGPU is then reported instead of
 * silently running as 'chunked'.
 */
export function validateAttentionConfig(cfg: { attention: AttentionKind; heads: number; kvHeads: number }, backendName?: string): string | null {
  const { attention: kind, heads, kvHeads } = cfg;
  if (!isKind(kind)) return `attention: unknown kind '${String(kind)}'; expected one of ${ATTENTION_KINDS.join(', ')}`;
  if (!Number.isInteger(heads) || heads < 1) return `heads: must be a positive integer, got ${heads}`;
  if (!Number.isInteger(kvHeads) || kvHeads < 1 || kvHeads > heads) {
    return `kvHeads: must be an integer from 1 to heads (${heads}), got ${kvHeads}`;
  }
  if (heads % kvHeads !== 0) {
    const divisors = Array.from({ length: heads }, (_, i) => i + 1).filter((x) => heads % x === 0);
    return `kvHeads: ${kvHeads} does not divide heads (${heads}); use one of ${divisors.join(', ')}`;
  }
  if (kind === 'flash' && backendName !== undefined && backendName !== 'webgpu') {
    return `attention: 'flash' needs the WebGPU backend, but the backend is '${backendName}'; use 'chunked' (the same exact result from ordinary ops) or run on WebGPU`;
  }
  return null;
}

