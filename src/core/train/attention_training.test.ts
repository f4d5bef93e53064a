// Training with each exact attention variant follows naive attention's loss curve up to float noise
// (same seed); the approximate one (linear) does not.

import { expect, it } from 'vitest';
import { attentionLossCurve } from '../../test_utils/loss_curve';
import { describeBackends } from '../../test_utils/tf_backends';

describeBackends('training with attention variants', () => {
  it("chunked (and flash, which runs as chunked here) follow naive's loss curve over 12 steps", async () => {
    const naive = await attentionLossCurve('naive', 12);
    for (const kind of ['chunked', 'flash']) {
      const other = await attentionLossCurve(kind, 12);
      other.forEach((l, i) => expect(Math.abs(l - naive[i])).toBeLessThanOrEqual(1e-4 * naive[i]));
    }
    const linear = await attentionLossCurve('linear', 12);
    expect(linear.some((l, i) => Math.abs(l - naive[i]) > 1e-3 * naive[i])).toBe(true);
  });
});
