// Shared recharts settings: theme colours from CSS variables, no animation (data streams in).

import type { ReactNode } from 'react';

export const AXIS = { tick: { fontSize: 12, fill: 'var(--muted)' }, stroke: 'var(--muted)' } as const;
export const TOOLTIP = { contentStyle: { background: 'var(--panel)', border: '1px solid var(--border)', fontSize: 13 }, labelStyle: { color: 'var(--text)' } } as const;
export const MARGIN = { top: 6, right: 12, bottom: 2, left: 0 } as const;

export const PATH_COLORS: Record<string, string> = { rf: 'var(--chart-1)', cosine: 'var(--chart-2)', vp: 'var(--chart-3)', edm: 'var(--chart-4)' };
export const ATTN_COLORS: Record<string, string> = { naive: 'var(--chart-2)', chunked: 'var(--chart-3)', flash: 'var(--chart-1)', linear: 'var(--chart-4)' };

export function ChartEmpty({ children, height }: { children: ReactNode; height?: number }) {
  return (
    <div className="chart-empty" style={height ? { height } : undefined}>
      {children}
    </div>
  );
}
