// Shape checks and the grouped-query fold shared by every variant.
//
// Grouped-query attention without copying K and V: with G = H / Hkv query heads per
// key/value head, query head h = kv·G + g reads key/value head kv (the repeat_interleave
// convention). In row-major memory q[b, kv·G + g, n, :] sits at row g·N + n of the block
// for (b, kv), so q [B, H, N, d] reshapes for free to [B·Hkv, G·N, d]: one batch entry per
// key/value head with G·N query rows. Every variant then runs plain attention of G·N
// queries against N keys, and the gradient w.r.t. K and V sums over the group by itself.
import * as tf from '@tensorflow/tfjs';

export interface Folded {
  q: tf.Tensor3D; // [B·Hkv, G·N, d]
  k: tf.Tensor3D; // [B·Hkv, N, d]
  v: tf.Tensor3D; // [B·Hkv, N, d]
  shape: [number, number, number, number]; // [B, H, N, d] of the output
}

/** Throws a message naming the offending tensor or field when q, k, v do not fit together. */
export function checkAttentionInputs(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor): void {
  for (const [name, t] of [['q', q], ['k', k], ['v', v]] as const) {
    if (t.rank !== 4) throw new Error(`attention: ${name} must be rank 4 [B, heads, N, d], got shape [${t.shape.join(', ')}]`);
    if (t.dtype !== 'float32') throw new Error(`attention: ${name} must be float32, got ${t.dtype}`);
  }
  const [B, H, N, d] = q.shape;
  const [Bk, Hkv, Nk, dk] = k.shape;
  if (k.shape.join() !== v.shape.join()) throw new Error(`attention: k [${k.shape.join(', ')}] and v [${v.shape.join(', ')}] must have the same shape`);
  if (Bk !== B || Nk !== N || dk !== d) {
    throw new Error(`attention: q [${q.shape.join(', ')}] and k/v [${k.shape.join(', ')}] must agree on batch, length and head size`);
  }
  if (Hkv < 1 || H % Hkv !== 0) throw new Error(`kvHeads: ${Hkv} key/value heads must divide the ${H} query heads`);
  if (N < 1 || d < 1) throw new Error(`attention: empty sequence or head size in q [${q.shape.join(', ')}]`);
}

export function fold(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D): Folded {
  const [B, H, N, d] = q.shape;
  const Hkv = k.shape[1];
  const G = H / Hkv;
  return {
    q: tf.reshape(q, [B * Hkv, G * N, d]),
    k: tf.reshape(k, [B * Hkv, N, d]),
    v: tf.reshape(v, [B * Hkv, N, d]),
    shape: [B, H, N, d],
  };
}

/** Splits rows (axis 1) of a [batch, rows, cols] tensor into blocks of at most `size` rows. */
export function splitRows<T extends tf.Tensor>(x: T, size: number): T[] {
  const rows = x.shape[1] as number;
  if (rows <= size) return [tf.clone(x)];
  const sizes: number[] = [];
  for (let r = 0; r < rows; r += size) sizes.push(Math.min(size, rows - r));
  return tf.split(x, sizes, 1) as T[];
}

/** Positive integer or throws naming the option. */
export function checkBlockSize(blockSize: number): number {
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new Error(`attention: blockSize must be a positive integer, got ${blockSize}`);
  return blockSize;
}
