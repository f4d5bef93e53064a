// Render scheduling for fast streams: charts follow the metrics at their own pace, in a transition, so a
// burst of training steps never becomes a long main-thread task.

import { startTransition, useEffect, useState, type RefObject } from 'react';
import { useApp } from '../../state/store';

/** The metrics version, updated at most every `ms` milliseconds (and at once when a new run starts). */
export function useSeriesTick(ms = 500): number {
  const [v, setV] = useState(() => useApp.getState().seriesVersion);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    const unsub = useApp.subscribe((s, prev) => {
      if (s.seriesVersion === prev.seriesVersion || timer !== undefined) return;
      const fresh = s.series !== prev.series; // a reset: show the empty chart now
      const wait = fresh ? 0 : Math.max(0, last + ms - performance.now());
      timer = setTimeout(() => {
        timer = undefined;
        last = performance.now();
        startTransition(() => setV(useApp.getState().seriesVersion));
      }, wait);
    });
    return () => {
      unsub();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [ms]);
  return v;
}

/** A value of the store's CSS theme variable (canvases draw with the same colours as the charts). */
export function cssVar(el: Element, name: string, fallback = '#888'): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

/** True while the user prefers reduced motion (animations then hold still). */
export function usePrefersReducedMotion(): boolean {
  const [reduced, setReduced] = useState(() => typeof window !== 'undefined' && !!window.matchMedia?.('(prefers-reduced-motion: reduce)').matches);
  useEffect(() => {
    const m = window.matchMedia?.('(prefers-reduced-motion: reduce)');
    if (!m) return;
    const on = () => setReduced(m.matches);
    m.addEventListener('change', on);
    return () => m.removeEventListener('change', on);
  }, []);
  return reduced;
}

/** Whether the element is (or has been) on screen: panels compute expensive views only once they are seen. */
export function useSeen(ref: RefObject<Element | null>): boolean {
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || seen) return;
    if (typeof IntersectionObserver === 'undefined') return void setSeen(true);
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setSeen(true);
    });
    io.observe(el);
    return () => io.disconnect();
  }, [ref, seen]);
  return seen;
}
