import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { FilterBox, Pager, usePagedList } from './paging.js';

export interface TableColumn<T> {
  header: string;
  cell: (item: T) => ComponentChildren;
  /** What the column sorts by; a column without one does not sort (actions, links). */
  sortValue?: (item: T) => string | number | undefined;
  /** Left out on a phone's width (the first column and the actions always stay). */
  secondary?: boolean;
}

export interface DataTableProps<T> {
  /** Said to screen readers as the table's caption, and in the pager ("12 users"). */
  caption: string;
  /** What the rows are, plural: "users". */
  what: string;
  items: T[];
  keyOf: (item: T) => string;
  columns: TableColumn<T>[];
  /** The text the filter box searches; no filter box without it. */
  textOf?: (item: T) => string;
  filterLabel?: string;
  filterHint?: string;
  /** The column sorted first, and which way. */
  initialSort?: { column: string; descending?: boolean };
  pageSize?: number;
  /** The last cell of each row: buttons acting on it. */
  actions?: (item: T) => ComponentChildren;
  /** Which row is chosen, if rows can be chosen: it is marked for sight and for screen readers. */
  selectedKey?: string;
  /** A class of the table's own, for a screen's styles. */
  class?: string;
}

type Sort = { column: string; descending: boolean };

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function compare(a: string | number | undefined, b: string | number | undefined): number {
  // Blank values go last whichever way the column sorts.
  if (a === undefined || a === '') return b === undefined || b === '' ? 0 : 1;
  if (b === undefined || b === '') return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

/**
 * Every list in the portal: a table whose sortable headers are buttons (aria-sort says the
 * order), a filter box and a pager. The lists are what one API call returned, so sorting and
 * filtering happen here in the browser; a list the API pages is fetched whole first.
 */
export function DataTable<T>(props: DataTableProps<T>) {
  const { columns, keyOf } = props;
  const [sort, setSort] = useState<Sort | undefined>(
    props.initialSort && {
      column: props.initialSort.column,
      descending: props.initialSort.descending ?? false,
    },
  );
  const valueOf = sort && columns.find((c) => c.header === sort.column)?.sortValue;
  const descending = sort?.descending ?? false;
  const sorted = valueOf
    ? [...props.items].sort((a, b) => {
        const order = compare(valueOf(a), valueOf(b));
        return descending && order !== 0 ? -order : order;
      })
    : props.items;
  const list = usePagedList(sorted, props.textOf ?? (() => ''), props.pageSize ?? 10);
  const toggle = (header: string) =>
    setSort(
      sort?.column === header
        ? { column: header, descending: !sort.descending }
        : { column: header, descending: false },
    );

  return (
    <div class="data-table">
      {props.textOf && (
        <div class="filters">
          <FilterBox
            label={props.filterLabel ?? `Filter ${props.what}`}
            hint={props.filterHint}
            list={list}
          />
        </div>
      )}
      {list.filtered.length === 0 ? (
        <p class="hint" role="status">
          No {props.what} match “{list.query}”. Clear the filter to see all {props.items.length}.
        </p>
      ) : (
        <div class="table-wrap">
          <table class={props.class}>
            <caption class="visually-hidden">{props.caption}</caption>
            <thead>
              <tr>
                {columns.map((c) => {
                  const sortedHere = sort?.column === c.header;
                  return (
                    <th
                      key={c.header}
                      scope="col"
                      class={c.secondary ? 'secondary' : undefined}
                      aria-sort={sortedHere ? (sort.descending ? 'descending' : 'ascending') : undefined}
                    >
                      {c.sortValue ? (
                        <button type="button" class="sort-button" onClick={() => toggle(c.header)}>
                          {c.header}
                          <span aria-hidden="true" class="sort-mark">
                            {sortedHere ? (sort.descending ? '▼' : '▲') : '↕'}
                          </span>
                        </button>
                      ) : (
                        c.header
                      )}
                    </th>
                  );
                })}
                {props.actions && (
                  <th scope="col" class="actions-col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {list.visible.map((item) => {
                const key = keyOf(item);
                const selected = props.selectedKey === key;
                return (
                  <tr
                    key={key}
                    class={selected ? 'selected' : undefined}
                    aria-current={selected ? 'true' : undefined}
                  >
                    {columns.map((c, i) =>
                      i === 0 ? (
                        <th key={c.header} scope="row">
                          {c.cell(item)}
                        </th>
                      ) : (
                        <td key={c.header} class={c.secondary ? 'secondary' : undefined}>
                          {c.cell(item)}
                        </td>
                      ),
                    )}
                    {props.actions && <td class="actions-col">{props.actions(item)}</td>}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {list.pages > 1 && <Pager what={props.what} list={list} />}
    </div>
  );
}
