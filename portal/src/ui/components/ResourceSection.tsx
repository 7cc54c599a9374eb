import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { PlusIcon, TrashIcon } from '../icons.js';
import type { IconComponent } from '../icons.js';
import { Alert } from './Alert.js';
import type { TableColumn } from './DataTable.js';
import { DataTable } from './DataTable.js';
import { ConfirmDelete } from './ConfirmDelete.js';
import type { Loaded } from './useLoad.js';

export type Column<T> = TableColumn<T>;

interface ResourceSectionProps<T> {
  id: string;
  title: string;
  icon: IconComponent;
  description: string;
  /** "resource group": for button names and the delete dialog. */
  kind: string;
  /** "resource groups", where adding an s is not the plural. */
  plural?: string;
  items: Loaded<T[]>;
  nameOf: (item: T) => string;
  columns: Column<T>[];
  empty: ComponentChildren;
  /** The create form, given a way to close itself; none when nothing can be created here. */
  createForm?: (close: (created?: string) => void) => ComponentChildren;
  /** Why the create button is unavailable (no resource group yet), if it is. */
  createBlocked?: string;
  onDelete?: (item: T) => Promise<void>;
  deleteConsequence?: (item: T) => string;
}

/**
 * One kind of resource on Home: its list as a table (with what to do when it is empty), a
 * create form that opens in place, and a delete button per row that asks first.
 */
export function ResourceSection<T>(props: ResourceSectionProps<T>) {
  const { id, title, kind, items, nameOf, columns } = props;
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<T | undefined>(undefined);
  const createButton = useRef<HTMLButtonElement>(null);
  const closeCreate = () => {
    setCreating(false);
    requestAnimationFrame(() => createButton.current?.focus());
  };
  const Icon = props.icon;
  const headingId = `${id}-heading`;
  return (
    <section class="panel" aria-labelledby={headingId}>
      <div class="panel-head">
        <h2 id={headingId}>
          <Icon />
          {title}
        </h2>
        {props.createForm && (
          <button
            ref={createButton}
            type="button"
            class="button primary"
            aria-expanded={creating}
            aria-controls={`${id}-create`}
            disabled={props.createBlocked !== undefined}
            title={props.createBlocked}
            onClick={() => setCreating(!creating)}
          >
            <PlusIcon />
            Create {kind}
          </button>
        )}
      </div>
      <p class="panel-description">{props.description}</p>
      {props.createBlocked && props.createForm && <p class="hint">{props.createBlocked}</p>}
      {creating && props.createForm && (
        <div id={`${id}-create`} class="create">
          {props.createForm(closeCreate)}
        </div>
      )}
      {items.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {items.state === 'failed' && <Alert>{items.message}</Alert>}
      {items.state === 'ready' && items.value.length === 0 && props.empty}
      {items.state === 'ready' && items.value.length > 0 && (
        <DataTable<T>
          caption={title}
          what={props.plural ?? `${kind}s`}
          items={items.value}
          keyOf={nameOf}
          columns={columns}
          textOf={(item) => columns.map((c) => c.sortValue?.(item) ?? '').join(' ')}
          filterLabel={`Filter ${title.toLowerCase()}`}
          initialSort={{ column: columns[0]?.header ?? '' }}
          actions={
            props.onDelete &&
            ((item) => (
              <button
                type="button"
                class="button icon-button"
                aria-label={`Delete ${kind} ${nameOf(item)}`}
                title={`Delete ${nameOf(item)}`}
                onClick={() => setDeleting(item)}
              >
                <TrashIcon />
              </button>
            ))
          }
        />
      )}
      {deleting !== undefined && props.onDelete && (
        <ConfirmDelete
          kind={kind}
          name={nameOf(deleting)}
          consequence={props.deleteConsequence?.(deleting) ?? 'This cannot be undone.'}
          onDelete={async () => {
            await props.onDelete?.(deleting);
            setDeleting(undefined);
          }}
          onClose={() => setDeleting(undefined)}
        />
      )}
    </section>
  );
}
