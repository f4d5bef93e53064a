// Shapes the fused-kernel tests run on every backend: DiT's uses (the six-chunk block modulation, the
// two-chunk final layer), sizes that are not multiples of 4 or of a workgroup, GQA heads.
import type * as tf from '@tensorflow/tfjs';
import { adaLNModulate } from './adaln_modulate';
import { biasGelu } from './bias_gelu';
import type { FusedCase } from './fused_agreement';
import { gatedResidual } from './gated_residual';
import { softmaxLast } from './softmax';
import { splitHeads } from './split_heads';

const t3 = (x: tf.Tensor) => x as tf.Tensor3D;
const t2 = (x: tf.Tensor) => x as tf.Tensor2D;

export const FUSED_CASES: Record<'adaLN' | 'gated' | 'gelu' | 'heads' | 'softmax', FusedCase[]> = {
  adaLN: [
    { name: 'block, msa chunk (0 of 6)', shapes: [[2, 5, 8], [2, 48]], f: (x, m) => adaLNModulate(t3(x), t2(m), 0) },
    { name: 'block, mlp chunk (3 of 6), odd width', shapes: [[3, 7, 9], [3, 54]], f: (x, m) => adaLNModulate(t3(x), t2(m), 3) },
    { name: 'final layer (2 chunks), 65 rows', shapes: [[1, 65, 4], [1, 8]], f: (x, m) => adaLNModulate(t3(x), t2(m), 0) },
  ],
  gated: [
    { name: 'gate chunk 2 of 6', shapes: [[2, 5, 8], [2, 5, 8], [2, 48]], f: (x, h, m) => gatedResidual(t3(x), t3(h), t2(m), 2) },
    { name: 'gate chunk 5 of 6, odd sizes', shapes: [[3, 7, 3], [3, 7, 3], [3, 18]], f: (x, h, m) => gatedResidual(t3(x), t3(h), t2(m), 5) },
  ],
  gelu: [
    { name: 'MLP hidden layer', shapes: [[10, 16], [16]], f: (h, b) => biasGelu(t2(h), b as tf.Tensor1D) },
    { name: 'odd sizes, large |u| (both sigmoid tails)', shapes: [[33, 5], [5]], f: (h, b) => biasGelu(t2(h.mul(6)), b as tf.Tensor1D) },
  ],
  softmax: [
    { name: 'attention scores, rows of 196 (mnist-small)', shapes: [[2, 3, 196]], f: (x) => softmaxLast(x.mul(4)) },
    { name: 'rows of 49 (mnist-tiny: 1 in the scalar tail), large logits', shapes: [[5, 49]], f: (x) => softmaxLast(x.mul(30)) },
    { name: 'rows shorter than a vector', shapes: [[7, 3]], f: (x) => softmaxLast(x) },
  ],
  heads: [
    { name: 'multi-head', shapes: [[2, 5, 24]], f: (x) => splitHeads(t3(x), 2, 2) },
    { name: 'grouped-query (4 query heads, 1 key/value head)', shapes: [[2, 3, 24]], f: (x) => splitHeads(t3(x), 4, 1) },
  ],
};
