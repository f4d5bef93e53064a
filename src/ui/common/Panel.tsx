import type { ReactNode } from 'react';

/** A hover/focus tooltip: the formula and its source, readable on a projector (no native-title delay). */
export function Tip({ text, label = '?' }: { text: string; label?: string }) {
  return (
    <span className="tip" tabIndex={0} role="note" aria-label={text} data-tip={text}>
      {label}
    </span>
  );
}

/** One panel: a heading, a one-line explanation, an optional formula tooltip, and its content. */
export function Panel({ id, title, explain, tip, actions, children, className }: { id: string; title: string; explain: ReactNode; tip?: string; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`panel ${className ?? ''}`} data-testid={`panel-${id}`} aria-labelledby={`${id}-h`}>
      <div className="panel-head">
        <h2 id={`${id}-h`}>
          {title} {tip && <Tip text={tip} />}
        </h2>
        {actions && <div className="row">{actions}</div>}
      </div>
      <p className="explain">{explain}</p>
      {children}
    </section>
  );
}
