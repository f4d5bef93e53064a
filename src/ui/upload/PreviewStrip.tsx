import { useEffect, useRef } from 'react';
import { useApp } from '../../state/store';
import { cssVar } from '../common/hooks';
import { drawImageGrid, drawPoints } from '../common/canvas';

/** The first held-out training samples of the current data: what the model is learning from. */
export function PreviewStrip() {
  const preview = useApp((s) => s.preview);
  const dataset = useApp((s) => s.dataset);
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    if (!c || !preview) return;
    if (preview.shape.length === 3) {
      drawImageGrid(c, preview.x, preview.n, preview.shape, preview.n);
    } else {
      c.width = 120;
      c.height = 120;
      const ctx = c.getContext('2d');
      if (!ctx) return;
      ctx.fillStyle = cssVar('--bg', '#fff');
      ctx.fillRect(0, 0, 120, 120);
      drawPoints(ctx, preview.x, preview.labels, 0, 0, 120, 3, 1, 0.6);
    }
  }, [preview]);
  if (!preview || !dataset) return null;
  return (
    <div className="preview" data-testid="data-preview" data-n={preview.n} data-source={dataset.source}>
      <span className="small muted">Training data ({dataset.source === 'upload' ? 'yours' : dataset.name}):</span>
      <canvas ref={ref} className="pixelated preview-canvas" aria-label={`${preview.n} training samples of ${dataset.name}`} />
    </div>
  );
}
