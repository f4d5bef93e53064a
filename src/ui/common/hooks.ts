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

// Theme colours resolved once per theme (the variables live on the root, set by data-theme):
// getComputedStyle in a draw would force a style recalculation of the page after every React commit, which
// is what made chart draws long main-thread tasks under load.
const themeColours = new Map<string, string>();

/** A CSS theme variable's value (canvases draw with the same colours as the page). */
export function cssVar(name: string, fallback = '#888'): string {
  const root = document.documentElement;
  const key = `${root.dataset.theme ?? ''}|${name}|${fallback}`;
  let v = themeColours.get(key);
  if (v === undefined) themeColours.set(key, (v = getComputedStyle(root).getPropertyValue(name).trim() || fallback));
  return v;
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
