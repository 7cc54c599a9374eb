import type { ComponentChildren } from 'preact';
import { Fragment } from 'preact';

/** An object's properties as a definition list: name, then value (ids in code, to copy whole). */
export function Properties({ label, items }: { label: string; items: Array<[string, ComponentChildren]> }) {
  return (
    <dl class="props" aria-label={label}>
      {items.map(([name, value]) => (
        <Fragment key={name}>
          <dt>{name}</dt>
          <dd>{value}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

/** A date and time as the person's browser writes them; blank when Graph gave none. */
export const dateOf = (iso: string): string => (iso ? new Date(iso).toLocaleString() : '');

/** Sorts by time: an ISO date's milliseconds. */
export const timeOf = (iso: string): number | undefined => (iso ? Date.parse(iso) : undefined);
