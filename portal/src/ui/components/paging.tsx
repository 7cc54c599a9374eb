import { useState } from 'preact/hooks';
import { SearchField } from './Field.js';

/**
 * A list filtered by text and cut into pages, in the browser: the lists here are what ARM
 * returned for one scope, so the whole of each is already at hand.
 */
export function usePagedList<T>(
  items: T[],
  textOf: (item: T) => string,
  pageSize = 10,
  /** A search of its own (ranked, say) instead of "the text contains the query". */
  search?: (items: T[], query: string) => T[],
) {
  const [query, setQueryState] = useState('');
  const [page, setPage] = useState(0);
  const needle = query.trim().toLowerCase();
  const filtered = search
    ? search(items, query)
    : needle
      ? items.filter((item) => textOf(item).toLowerCase().includes(needle))
      : items;
  const pages = Math.max(1, Math.ceil(filtered.length / pageSize));
  const current = Math.min(page, pages - 1);
  return {
    query,
    setQuery: (next: string) => {
      setQueryState(next);
      setPage(0);
    },
    filtered,
    visible: filtered.slice(current * pageSize, (current + 1) * pageSize),
    page: current,
    pages,
    setPage,
  };
}

type Paged = Pick<ReturnType<typeof usePagedList>, 'query' | 'setQuery'>;

export function FilterBox({ label, hint, list }: { label: string; hint?: string; list: Paged }) {
  return (
    <SearchField label={label} hint={hint} class="filter-input" value={list.query} onInput={list.setQuery} />
  );
}

interface PagerProps {
  /** What the list holds, plural: "role assignments". */
  what: string;
  list: Pick<ReturnType<typeof usePagedList>, 'page' | 'pages' | 'setPage' | 'filtered'>;
}

/** Previous / next, and where one is; said to screen readers as it changes. */
export function Pager({ what, list }: PagerProps) {
  return (
    <nav class="pager" aria-label={`Pages of ${what}`}>
      <button
        type="button"
        class="button"
        disabled={list.page === 0}
        onClick={() => list.setPage(list.page - 1)}
      >
        Previous
      </button>
      <span aria-live="polite">
        Page {list.page + 1} of {list.pages} · {list.filtered.length} {what}
      </span>
      <button
        type="button"
        class="button"
        disabled={list.page >= list.pages - 1}
        onClick={() => list.setPage(list.page + 1)}
      >
        Next
      </button>
    </nav>
  );
}
